"""Every write to the ledger goes through here: one database transaction and one audit entry each.

`ledger_post` is the only function that writes entries or changes a cached balance. It locks
the accounts it touches in primary-key order (so two postings over the same accounts never
deadlock), checks every rule against the locked rows, and refuses with a `LedgerError`, writing
nothing, when a rule fails. On SQLite `select_for_update` does nothing, and the project's
IMMEDIATE transactions serialise writers instead.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Context, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection
from django.db.transaction import atomic, get_connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from nurture.applications.models import Application, ApplicationState
from nurture.audit.context import current_origin
from nurture.audit.models import AuditEntry
from nurture.audit.services import audit_record
from nurture.core.sql import fetch
from nurture.programmes.models import BenefitItem, Cohort, Programme
from nurture.startups.models import Startup

from .models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    RESOURCE_UNITS,
    UNIT_SCALE,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    Resource,
    TransactionKind,
    Unit,
)

Line = tuple[Account, Decimal]

# The largest magnitude a column of AMOUNT_DIGITS digits with AMOUNT_PLACES places can hold.
AMOUNT_LIMIT = Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES)
STORED = Decimal(1).scaleb(-AMOUNT_PLACES)


class LedgerError(Exception):
    """A refused posting; nothing was written. The message is for the person who asked."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a different request."""

    code = "idempotency_conflict"


# --- Accounts -------------------------------------------------------------------------------


def account_open(
    *,
    kind: str,
    resource: str,
    unit: str,
    startup: Startup | None = None,
    programme: Programme | None = None,
    actor=None,
) -> Account:
    """The account of an owner for a resource in a unit, created with a zero balance if new.

    Safe under concurrency: a racing creator loses on the unique constraint and reads the row
    the winner made.
    """
    if unit not in RESOURCE_UNITS.get(resource, ()):
        raise LedgerError(
            _("%(unit)s is not a unit of %(resource)s.") % {"unit": unit, "resource": resource},
            code="unit",
        )
    with atomic():
        account, created = Account.objects.get_or_create(
            startup=startup, programme=programme, kind=kind, resource=resource, unit=unit
        )
        if created:
            audit_record(
                actor=actor,
                action="ledger.account_open",
                target=account,
                summary=str(account),
                data={"kind": kind, "resource": resource, "unit": unit},
            )
    return account


# --- Posting --------------------------------------------------------------------------------


def _amount(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        # Floats are refused outright: 0.1 is not a tenth of a dollar.
        raise LedgerError(_("Amounts must be decimal numbers."), code="amount")
    amount = Decimal(value)
    if not amount.is_finite():
        raise LedgerError(_("Amounts must be finite numbers."), code="amount")
    if amount == 0:
        raise LedgerError(_("A line of a transaction cannot be zero."), code="zero")
    if abs(amount) >= AMOUNT_LIMIT:
        raise LedgerError(_("The amount %(amount)s is too large.") % {"amount": amount})
    if amount != amount.quantize(STORED):
        # Finer than any unit allows; each unit's own scale is checked against the accounts.
        raise LedgerError(
            _("%(amount)s has more decimal places than any unit allows.") % {"amount": amount},
            code="scale",
        )
    return amount


def _prepare(lines: Iterable[Line]) -> list[tuple[int, Decimal]]:
    """The lines as (account id, amount), sorted by account id; checks that need no rows."""
    prepared = []
    for line in lines:
        account, value = line
        if getattr(account, "pk", None) is None:
            raise LedgerError(_("Every line needs a saved account."), code="account")
        prepared.append((account.pk, _amount(value)))
    if len(prepared) < 2:
        raise LedgerError(_("A transaction needs at least two lines."), code="lines")
    ids = [account_id for account_id, _amount_ in prepared]
    if len(set(ids)) != len(ids):
        raise LedgerError(_("An account appears twice in one transaction."), code="lines")
    if sum(amount for _id, amount in prepared) != 0:
        raise LedgerError(
            _("The lines do not balance: they add up to %(total)s instead of zero.")
            % {"total": sum(amount for _id, amount in prepared)},
            code="unbalanced",
        )
    return sorted(prepared)


def _fingerprint(
    *,
    kind: str,
    lines: Sequence[tuple[int, Decimal]],
    reverses: LedgerTransaction | None,
    cohort: Cohort | None,
) -> str:
    # The memo is left out: it describes the posting, and a retry may word it differently
    # (another language, a new timestamp) while asking for the same movement.
    request = {
        "kind": str(kind),
        "lines": [[account_id, str(amount.quantize(STORED))] for account_id, amount in lines],
        "reverses": reverses.pk if reverses is not None else None,
        "cohort": cohort.pk if cohort is not None else None,
    }
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> LedgerTransaction | None:
    """The transaction already posted under `key`, if the request is the same one."""
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(
            _(
                "The idempotency key %(key)s was already used for a different request "
                "(transaction #%(id)s); nothing was posted."
            )
            % {"key": key, "id": existing.pk}
        )
    return existing


def _already_reversed(original: LedgerTransaction) -> LedgerError:
    return LedgerError(
        _("Transaction #%(id)s has already been reversed.") % {"id": original.pk},
        code="already_reversed",
    )


def _check_locked(accounts: dict[int, Account], lines: list[tuple[int, Decimal]]) -> None:
    if len(accounts) != len(lines):
        raise LedgerError(_("A line names an account that does not exist."), code="account")
    units = {(account.resource, account.unit) for account in accounts.values()}
    if len(units) != 1:
        raise LedgerError(
            _("All lines of a transaction must be in one resource and one unit."), code="units"
        )
    ((_resource, unit),) = units
    scale = Decimal(1).scaleb(-UNIT_SCALE[unit])
    for account_id, amount in lines:
        try:
            exact = amount == amount.quantize(scale)
        except InvalidOperation:
            exact = False
        if not exact:
            raise LedgerError(
                _("%(amount)s has more than %(places)s decimal places, the most %(unit)s allows.")
                % {"amount": amount, "places": UNIT_SCALE[unit], "unit": unit},
                code="scale",
            )
        account = accounts[account_id]
        balance = account.balance + amount
        if balance < 0 and not account.may_go_negative:
            raise LedgerError(
                _(
                    "Not enough left: %(account)s holds %(balance)s, and this would take "
                    "%(amount)s from it. Nothing was posted."
                )
                % {"account": account, "balance": account.balance, "amount": -amount},
                code="insufficient",
            )
        account.balance = balance


LOCKED_FIELDS = ("id", "kind", "resource", "unit", "balance")
# SQLite hands decimals back as doubles; 15 significant digits are what a double holds exactly.
FROM_DOUBLE = Context(prec=15)


def _stored_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return FROM_DOUBLE.create_decimal_from_float(value).quantize(STORED)
    return Decimal(value).quantize(STORED)


def _lock(ids: list[int]) -> dict[int, Account]:
    """Lock the accounts in primary-key order and read them, in one round trip.

    Two postings that share accounts lock them in the same order, so they queue instead of
    deadlocking. Written out rather than through the ORM because every posting on these
    accounts waits while it runs; the other fields stay deferred (only an error message
    reads them). SQLite has no row locks: its IMMEDIATE transaction already holds the write
    lock of the whole database.
    """
    features = connection.features
    lock = ""
    if features.has_select_for_no_key_update:
        lock = " FOR NO KEY UPDATE"
    elif features.has_select_for_update:
        lock = " FOR UPDATE"
    table = connection.ops.quote_name(Account._meta.db_table)
    columns = ", ".join(LOCKED_FIELDS)
    marks = ", ".join("%s" for _id in ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE id IN ({marks}) ORDER BY id{lock}",  # noqa: S608
            ids,
        )
        rows = cursor.fetchall()
    accounts = {}
    for pk, kind, resource, unit, balance in rows:
        account = Account.from_db(
            connection.alias, LOCKED_FIELDS, (pk, kind, resource, unit, _stored_decimal(balance))
        )
        accounts[pk] = account
    return accounts


def _entries_write(transaction_id: int, lines: list[tuple[int, Decimal]]) -> None:
    """Insert the transaction's entries in one statement (see `_lock` for why not the ORM)."""
    table = connection.ops.quote_name(Entry._meta.db_table)
    rows = ", ".join("(%s, %s, %s)" for _line in lines)
    params: list = []
    for account_id, amount in lines:
        params += [transaction_id, account_id, amount]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (transaction_id, account_id, amount) VALUES {rows}",  # noqa: S608
            params,
        )


def _balances_write(accounts: Iterable[Account]) -> None:
    """Store the new balances of locked accounts in one statement.

    Written out rather than through `bulk_update`, whose expression building costs more than
    the round trip while every other posting on these accounts waits for the lock.
    """
    accounts = list(accounts)
    table = connection.ops.quote_name(Account._meta.db_table)
    cases = " ".join("WHEN %s THEN %s" for _account in accounts)
    marks = ", ".join("%s" for _account in accounts)
    params: list = []
    for account in accounts:
        params += [account.pk, account.balance]
    params += [account.pk for account in accounts]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = CASE id {cases} END WHERE id IN ({marks})",  # noqa: S608
            params,
        )


TRANSACTION_FIELDS = [
    field for field in LedgerTransaction._meta.concrete_fields if not field.primary_key
]


def _transaction_insert(txn: LedgerTransaction, lines: list[tuple[int, Decimal]]) -> None:
    """Insert the transaction and its entries: one statement on PostgreSQL, two elsewhere."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in TRANSACTION_FIELDS)
    marks = ", ".join("%s" for _field in TRANSACTION_FIELDS)
    values = [
        field.get_db_prep_save(getattr(txn, field.attname), connection)
        for field in TRANSACTION_FIELDS
    ]
    insert = (
        f"INSERT INTO {quote(LedgerTransaction._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({marks}) RETURNING id"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = ", ".join("(%s::bigint, %s::numeric)" for _line in lines)
            cursor.execute(
                f"WITH txn AS ({insert}) "  # noqa: S608
                f"INSERT INTO {quote(Entry._meta.db_table)} (transaction_id, account_id, amount) "
                f"SELECT txn.id, line.account_id, line.amount "
                f"FROM txn CROSS JOIN (VALUES {rows}) AS line (account_id, amount) "
                f"RETURNING transaction_id",
                [*values, *(value for line in lines for value in line)],
            )
            txn.pk = cursor.fetchone()[0]
        else:
            cursor.execute(insert, values)
            txn.pk = cursor.fetchone()[0]
            _entries_write(txn.pk, lines)
    txn._state.adding = False
    txn._state.db = connection.alias


def _balances_move(lines: list[tuple[int, Decimal]]) -> None:
    """Lock the accounts in primary-key order, check the rules, and move the balances.

    On PostgreSQL one statement locks (FOR NO KEY UPDATE, in id order), moves every balance
    that stays allowed, and returns the locked rows as they were; the rules are then checked
    on those rows and a refusal rolls the whole posting back. Elsewhere the same happens in a
    read and an update.
    """
    ids = [account_id for account_id, _amount_ in lines]
    if connection.vendor != "postgresql":
        accounts = _lock(ids)
        _check_locked(accounts, lines)
        _balances_write(accounts.values())
        return
    table = connection.ops.quote_name(Account._meta.db_table)
    marks = ", ".join("%s" for _id in ids)
    rows = ", ".join("(%s::bigint, %s::numeric)" for _line in lines)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH locked AS MATERIALIZED ("  # noqa: S608
            f"  SELECT id, kind, resource, unit, balance FROM {table}"
            f"  WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE"
            f"), line (id, delta) AS (VALUES {rows}), "
            f"moved AS ("
            f"  UPDATE {table} SET balance = locked.balance + line.delta"
            f"  FROM locked JOIN line ON line.id = locked.id"
            f"  WHERE {table}.id = locked.id"
            f"  AND (locked.kind = %s OR locked.balance + line.delta >= 0)"
            f"  RETURNING {table}.id"
            f") "
            f"SELECT locked.id, locked.kind, locked.resource, locked.unit, locked.balance, "
            f"moved.id IS NOT NULL FROM locked LEFT JOIN moved ON moved.id = locked.id "
            f"ORDER BY locked.id",
            [*ids, *(value for line in lines for value in line), AccountKind.SOURCE.value],
        )
        rows = cursor.fetchall()
    accounts = {
        pk: Account.from_db(connection.alias, LOCKED_FIELDS, (pk, kind, resource, unit, balance))
        for pk, kind, resource, unit, balance, _moved in rows
    }
    _check_locked(accounts, lines)
    if not all(moved for *_row, moved in rows):
        # Only an account that would go below zero is left unmoved, and the check refuses it.
        raise LedgerError(_("The balances could not be moved; nothing was posted."))


def _write(
    *,
    lines: list[tuple[int, Decimal]],
    memo: str,
    kind: str,
    key: str | None,
    fingerprint: str,
    actor,
    cohort: Cohort | None,
    reverses: LedgerTransaction | None,
    nested: bool,
) -> LedgerTransaction:
    created_by = actor if getattr(actor, "pk", None) else None
    txn = LedgerTransaction(
        kind=kind,
        memo=memo,
        idempotency_key=key,
        fingerprint=fingerprint,
        reverses=reverses,
        cohort=cohort,
        created_by=created_by,
    )
    # The row goes in before the accounts are locked, so a duplicate key (or a second reversal)
    # fails before any lock is taken. Inside a caller's transaction a savepoint keeps that
    # transaction usable; as the outermost transaction, `ledger_post` resolves it after rollback.
    if nested and (key is not None or reverses is not None):
        try:
            with atomic():
                _transaction_insert(txn, lines)
        except IntegrityError:
            if key is not None and (winner := _replay(key, fingerprint)) is not None:
                return winner
            if reverses is not None:
                raise _already_reversed(reverses) from None
            raise
    else:
        _transaction_insert(txn, lines)

    # Everything that does not depend on the balances is written before the accounts are
    # locked, so the lock is held only while the balances move and the transaction commits.
    audit_record(
        actor=actor,
        action="ledger.post",
        target=txn,
        summary=memo or txn.get_kind_display(),
        data={
            "kind": str(kind),
            "lines": [[account_id, str(amount)] for account_id, amount in lines],
            "idempotency_key": key,
            "reverses": reverses.pk if reverses is not None else None,
        },
    )
    _balances_move(lines)
    return txn


# --- PostgreSQL: a posting in one statement -------------------------------------------------

AUDIT_TARGET_TYPE = LedgerTransaction._meta.label_lower
BALANCE_CONSTRAINT = "ledger_account_balance_not_negative"
_POSTING_SQL: dict[int, str] = {}


def _posting_sql(lines: int) -> str:
    """One statement that checks, inserts, audits, locks and moves; built once per line count.

    In order: the accounts' immutable fields are read (no lock) and the request is checked
    against them (every account exists, one resource and unit, each unit's scale); only if it
    passes is the transaction inserted, and only after that insert (a duplicate idempotency
    key fails there, before any lock) are the accounts locked in primary-key order, FOR NO KEY
    UPDATE, and their balances moved. The entries and the audit entry go in beside. An account
    that may not go negative and would is stopped by the check constraint on the balance,
    which fails the whole statement: nothing of it stays.
    """
    if lines in _POSTING_SQL:
        return _POSTING_SQL[lines]
    quote = connection.ops.quote_name
    accounts = quote(Account._meta.db_table)
    columns = ", ".join(quote(field.column) for field in TRANSACTION_FIELDS)
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in TRANSACTION_FIELDS)
    scale = " ".join(f"WHEN '{unit}' THEN {places}" for unit, places in UNIT_SCALE.items())
    values = ", ".join("(%s::bigint, %s::numeric)" for _line in range(lines))
    sql = (
        f"WITH line (account_id, amount) AS (VALUES {values}), "  # noqa: S608
        f"checked AS ("
        f"  SELECT count(*) = {lines} AND count(DISTINCT (a.resource, a.unit)) = 1"
        f"  AND bool_and(l.amount = round(l.amount, CASE a.unit {scale} END)) AS ok"
        f"  FROM line l JOIN {accounts} a ON a.id = l.account_id"
        f"), txn AS ("
        f"  INSERT INTO {quote(LedgerTransaction._meta.db_table)} ({columns})"
        f"  SELECT {casts} FROM checked WHERE checked.ok RETURNING id"
        f"), entries AS ("
        f"  INSERT INTO {quote(Entry._meta.db_table)} (transaction_id, account_id, amount)"
        f"  SELECT txn.id, line.account_id, line.amount FROM txn CROSS JOIN line"
        f"), audit AS ("
        f"  INSERT INTO {quote(AuditEntry._meta.db_table)} (at, actor_id, actor_label, action,"
        f"  target_type, target_id, summary, data, ip_address, user_agent)"
        f"  SELECT %s::timestamptz, %s::bigint, %s::varchar, %s::varchar, %s::varchar,"
        f"  txn.id::text, %s::varchar, %s::jsonb, %s::inet, %s::varchar FROM txn"
        f"), locked AS MATERIALIZED ("
        f"  SELECT id, balance FROM {accounts}"
        f"  WHERE id IN (SELECT account_id FROM line) AND EXISTS (SELECT 1 FROM txn)"
        f"  ORDER BY id FOR NO KEY UPDATE"
        f"), moved AS ("
        f"  UPDATE {accounts} SET balance = locked.balance + line.amount"
        f"  FROM locked JOIN line ON line.account_id = locked.id"
        f"  WHERE {accounts}.id = locked.id RETURNING {accounts}.id"
        f") "
        f"SELECT (SELECT id FROM txn), (SELECT count(*) FROM moved)"
    )
    _POSTING_SQL[lines] = sql
    return sql


def _execute(sql: str, params: list):
    """Run the posting statement and return its row: a prepared statement, which PostgreSQL
    parses and plans once per connection and line count (nurture.core.sql.fetch)."""
    (row,) = fetch(sql, params)
    return row


def _refusal(lines: list[tuple[int, Decimal]]) -> LedgerError:
    """Why a posting that the statement refused was refused, read from the accounts now."""
    accounts = {
        account.pk: account
        for account in Account.objects.filter(pk__in=[account_id for account_id, _a in lines])
    }
    try:
        _check_locked(accounts, lines)
    except LedgerError as error:
        return error
    # The balances moved meanwhile; what was refused was an account going below zero.
    return LedgerError(
        _("Not enough left on an account of this transaction. Nothing was posted."),
        code="insufficient",
    )


def _post_postgresql(
    *,
    lines: list[tuple[int, Decimal]],
    memo: str,
    kind: str,
    key: str | None,
    fingerprint: str,
    actor,
    cohort: Cohort | None,
    reverses: LedgerTransaction | None,
) -> LedgerTransaction:
    """The posting as one statement (see `_posting_sql`).

    Run on its own in autocommit mode, the statement is its own transaction: one round trip.
    Inside a caller's transaction a savepoint keeps that transaction usable after a refusal.
    """
    created_by = actor if getattr(actor, "pk", None) else None
    txn = LedgerTransaction(
        kind=kind,
        memo=memo,
        idempotency_key=key,
        fingerprint=fingerprint,
        reverses=reverses,
        cohort=cohort,
        created_by=created_by,
    )
    origin = current_origin.get()
    audit_data = {
        "kind": str(kind),
        "lines": [[account_id, str(amount)] for account_id, amount in lines],
        "idempotency_key": key,
        "reverses": reverses.pk if reverses is not None else None,
    }
    params = [value for line in lines for value in line]
    params += [
        field.get_db_prep_save(getattr(txn, field.attname), connection)
        for field in TRANSACTION_FIELDS
    ]
    params += [
        txn.created_at,
        created_by.pk if created_by is not None else None,
        created_by.email if created_by is not None else "system",
        "ledger.post",
        AUDIT_TARGET_TYPE,
        (memo or str(TransactionKind(kind).label))[:300],
        json.dumps(audit_data),
        origin.ip_address,
        origin.user_agent,
    ]
    sql = _posting_sql(len(lines))
    try:
        if get_connection().in_atomic_block or not connection.get_autocommit():
            with atomic():
                row = _execute(sql, params)
        else:
            row = _execute(sql, params)
    except IntegrityError as error:
        diag = getattr(error.__cause__, "diag", None)
        if getattr(diag, "constraint_name", None) == BALANCE_CONSTRAINT:
            raise _refusal(lines) from None
        if key is not None and (winner := _replay(key, fingerprint)) is not None:
            return winner
        if reverses is not None and LedgerTransaction.objects.filter(reverses=reverses).exists():
            raise _already_reversed(reverses) from None
        raise
    if row[0] is None:
        raise _refusal(lines)
    if row[1] != len(lines):  # pragma: no cover - every locked account is moved or refused
        raise LedgerError(_("The balances could not be moved; nothing was posted."))
    txn.pk = row[0]
    txn._state.adding = False
    txn._state.db = connection.alias
    return txn


def _post(
    *,
    lines: Iterable[Line],
    memo: str,
    kind: str,
    key: str | None,
    actor,
    cohort: Cohort | None,
    reverses: LedgerTransaction | None,
) -> LedgerTransaction:
    if key is not None and not key.strip():
        raise LedgerError(_("An idempotency key cannot be blank."), code="key")
    if kind not in TransactionKind.values:
        raise LedgerError(_("Unknown transaction kind %(kind)s.") % {"kind": kind}, code="kind")
    prepared = _prepare(lines)
    fingerprint = _fingerprint(kind=kind, lines=prepared, reverses=reverses, cohort=cohort)
    if connection.vendor == "postgresql":
        return _post_postgresql(
            lines=prepared,
            memo=memo,
            kind=kind,
            key=key,
            fingerprint=fingerprint,
            actor=actor,
            cohort=cohort,
            reverses=reverses,
        )
    nested = get_connection().in_atomic_block
    try:
        with atomic():
            return _write(
                lines=prepared,
                memo=memo,
                kind=kind,
                key=key,
                fingerprint=fingerprint,
                actor=actor,
                cohort=cohort,
                reverses=reverses,
                nested=nested,
            )
    except IntegrityError:
        # Only reached as the outermost transaction, now rolled back: the first posting under
        # this key (or the first reversal) has committed, and is visible to this new query.
        if nested:
            raise
        if key is not None and (winner := _replay(key, fingerprint)) is not None:
            return winner
        if reverses is not None and LedgerTransaction.objects.filter(reverses=reverses).exists():
            raise _already_reversed(reverses) from None
        raise


def ledger_post(
    *,
    lines: Sequence[Line],
    memo: str,
    kind: str,
    idempotency_key: str | None = None,
    actor=None,
    cohort: Cohort | None = None,
) -> LedgerTransaction:
    """Post one balanced transaction: `lines` are (account, amount), added to each balance.

    Refused, with nothing written, when the lines do not add up to zero, mix resources or
    units, carry a zero or more decimal places than the unit allows, or would take an account
    that may not go negative below zero. Under an `idempotency_key` already used, the first
    transaction is returned and nothing is posted if the request is the same; a different
    request raises `IdempotencyConflict`.
    """
    return _post(
        lines=lines,
        memo=memo,
        kind=kind,
        key=idempotency_key,
        actor=actor,
        cohort=cohort,
        reverses=None,
    )


def ledger_reverse(
    *,
    transaction: LedgerTransaction,
    memo: str,
    actor,
    idempotency_key: str | None = None,
) -> LedgerTransaction:
    """Post the mirror image of `transaction`: every entry negated. At most once per transaction.

    Refused when the transaction is itself a reversal, has already been reversed (unless this
    is a replay of that reversal under its key), or when taking back what it gave would take
    an account below zero (the startup has already used it).
    """
    original = LedgerTransaction.objects.get(pk=transaction.pk)
    if original.kind == TransactionKind.REVERSAL:
        raise LedgerError(
            _("A reversal cannot be reversed; post the transaction again instead."),
            code="reversal_of_reversal",
        )
    entries = list(original.entries.select_related("account").order_by("account_id"))
    lines = [(entry.account, -entry.amount) for entry in entries]
    if idempotency_key is None and LedgerTransaction.objects.filter(reverses=original).exists():
        raise _already_reversed(original)
    return _post(
        lines=lines,
        memo=memo,
        kind=TransactionKind.REVERSAL,
        key=idempotency_key,
        actor=actor,
        cohort=original.cohort,
        reverses=original,
    )


# --- Programme pools and a startup's benefits -----------------------------------------------


def _stored(message: str, *, resource: str, **values: str) -> str:
    """A memo written by the system, in the site's default language whoever triggered it."""
    with override(settings.LANGUAGE_CODE):
        return _(message) % {"resource": Resource(resource).label, **values}


def pool_fund(
    *,
    programme: Programme,
    resource: str,
    unit: str,
    amount: Decimal,
    actor,
    memo: str = "",
    idempotency_key: str | None = None,
    kind: str = TransactionKind.TOP_UP,
) -> LedgerTransaction:
    """Bring `amount` into a programme's pool from its funding source (which goes negative)."""
    with atomic():
        source = account_open(
            programme=programme, kind=AccountKind.SOURCE, resource=resource, unit=unit, actor=actor
        )
        pool = account_open(
            programme=programme, kind=AccountKind.POOL, resource=resource, unit=unit, actor=actor
        )
        return ledger_post(
            lines=[(source, -amount), (pool, amount)],
            memo=memo
            or _stored(gettext_noop("Funding of the %(resource)s pool"), resource=resource),
            kind=kind,
            idempotency_key=idempotency_key,
            actor=actor,
        )


def _pool_ready(
    *, programme: Programme, resource: str, unit: str, amount: Decimal, actor
) -> Account:
    """The programme's pool for a resource; when first needed, funded for a year of startups.

    The opening balance is one startup's entitlement times the programme's yearly cap: the
    commitment the funder makes for a year. Later top-ups go through `pool_fund`.
    """
    pool = account_open(
        programme=programme, kind=AccountKind.POOL, resource=resource, unit=unit, actor=actor
    )
    key = f"pool-opening:programme-{programme.pk}:{resource}:{unit}"
    if not LedgerTransaction.objects.filter(idempotency_key=key).exists():
        # A racing first admission posts the same opening under the same key; one of the two
        # postings wins and the other returns it.
        pool_fund(
            programme=programme,
            resource=resource,
            unit=unit,
            amount=amount * max(programme.yearly_cap, 1),
            actor=actor,
            memo=_stored(
                gettext_noop("Opening balance of the %(resource)s pool"), resource=resource
            ),
            idempotency_key=key,
            kind=TransactionKind.OPENING,
        )
    return pool


def _entitlements(programme: Programme) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    items = BenefitItem.objects.filter(
        programme=programme, kind__in=Resource.values, amount__gt=0
    ).order_by("position", "id")
    for item in items:
        if item.unit not in RESOURCE_UNITS[item.kind]:
            raise LedgerError(
                _("The benefit line %(label)s is in %(unit)s, which does not fit %(kind)s.")
                % {"label": item.label, "unit": item.unit or "-", "kind": item.get_kind_display()},
                code="unit",
            )
        totals[(item.kind, item.unit)] += item.amount
    order = {resource: position for position, resource in enumerate(Resource.values)}
    return dict(sorted(totals.items(), key=lambda pair: (order[pair[0][0]], pair[0][1])))


def benefits_key(application: Application, resource: str, unit: str) -> str:
    return f"benefits-open:application-{application.pk}:{resource}:{unit}"


@atomic
def benefits_open(*, application: Application, actor) -> list[LedgerTransaction]:
    """Post an accepted startup's entitlements from the programme's pools, once.

    Reads the amounts from the programme's benefit lines (seed funding, cloud credits,
    GPU-hours). Each resource is one transaction under a key derived from the application, so
    calling again, or racing another call, posts nothing more; a benefit line changed after
    the benefits were opened does not change what was posted. Records an audit entry when
    something was posted.
    """
    application = Application.objects.select_related("cohort__programme", "startup").get(
        pk=application.pk
    )
    if application.state != ApplicationState.ACCEPTED:
        raise LedgerError(
            _("Benefits open only for an accepted application; this one is %(state)s.")
            % {"state": application.get_state_display()},
            code="state",
        )
    programme = application.cohort.programme
    entitlements = _entitlements(programme)
    existing = {
        txn.idempotency_key: txn
        for txn in LedgerTransaction.objects.filter(
            idempotency_key__in=[benefits_key(application, *pair) for pair in entitlements]
        )
    }
    transactions, posted = [], []
    for (resource, unit), amount in entitlements.items():
        key = benefits_key(application, resource, unit)
        if key in existing:
            transactions.append(existing[key])
            continue
        pool = _pool_ready(
            programme=programme, resource=resource, unit=unit, amount=amount, actor=actor
        )
        asset = account_open(
            startup=application.startup,
            kind=AccountKind.ASSET,
            resource=resource,
            unit=unit,
            actor=actor,
        )
        txn = ledger_post(
            lines=[(pool, -amount), (asset, amount)],
            memo=_stored(
                gettext_noop("%(resource)s for %(startup)s, %(cohort)s"),
                resource=resource,
                startup=application.startup.name,
                cohort=application.cohort.name,
            ),
            kind=TransactionKind.ENTITLEMENT,
            idempotency_key=key,
            actor=actor,
            cohort=application.cohort,
        )
        transactions.append(txn)
        posted.append(txn)
    if posted:
        audit_record(
            actor=actor,
            action="benefits.open",
            target=application,
            summary=_("Benefits opened for %(startup)s") % {"startup": application.startup.name},
            data={"transactions": [txn.pk for txn in posted]},
        )
    return transactions


# --- Statements ---------------------------------------------------------------------------


def statement_export_record(*, user, startup: Startup, fmt: str, lines: int) -> None:
    """Record in the audit log that `user` downloaded `startup`'s statement."""
    audit_record(
        actor=user,
        action="ledger.statement_export",
        target=startup,
        summary=_("Statement of %(startup)s downloaded as %(format)s")
        % {"startup": startup.name, "format": fmt.upper()},
        data={"format": fmt, "lines": lines},
    )


__all__ = [
    "IdempotencyConflict",
    "LedgerError",
    "Unit",
    "account_open",
    "benefits_open",
    "ledger_post",
    "ledger_reverse",
    "pool_fund",
    "statement_export_record",
]
