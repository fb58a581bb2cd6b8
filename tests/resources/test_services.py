from decimal import Decimal

import pytest

from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from nurture.programmes.models import BenefitItem
from nurture.resources.models import (
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    Resource,
    TransactionKind,
    Unit,
)
from nurture.resources.selectors import ledger_problems
from nurture.resources.services import (
    IdempotencyConflict,
    LedgerError,
    account_open,
    benefits_open,
    ledger_post,
    ledger_reverse,
    pool_fund,
)
from tests import factories
from tests.resources.conftest import balance

pytestmark = pytest.mark.django_db

D = Decimal


def transfer(source, target, amount, **kwargs):
    return ledger_post(
        lines=[(source, -D(amount)), (target, D(amount))],
        memo=kwargs.pop("memo", "transfer"),
        kind=kwargs.pop("kind", TransactionKind.TRANSFER),
        **kwargs,
    )


def refused(code, call, *args, **kwargs):
    """Run `call`, expect a LedgerError with `code`, and check that nothing was written."""
    counts = (LedgerTransaction.objects.count(), Entry.objects.count())
    balances = dict(Account.objects.values_list("id", "balance"))
    with pytest.raises(LedgerError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    assert (LedgerTransaction.objects.count(), Entry.objects.count()) == counts
    assert dict(Account.objects.values_list("id", "balance")) == balances
    return error.value


# --- Posting --------------------------------------------------------------------------------


def test_a_balanced_posting_moves_the_balances_and_is_audited(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100.00")
    actor = factories.ProgrammeManagerFactory()
    txn = transfer(payer, payee, "30.25", actor=actor, memo="cloud bill")
    assert (balance(payer), balance(payee)) == (D("69.75"), D("30.25"))
    assert sorted(txn.entries.values_list("amount", flat=True)) == [D("-30.25"), D("30.25")]
    assert (txn.created_by, txn.memo, txn.kind) == (actor, "cloud bill", "transfer")
    audit = AuditEntry.objects.filter(action="ledger.post", target_id=str(txn.pk)).get()
    assert audit.actor == actor
    assert ledger_problems() == []


def test_an_unbalanced_posting_is_refused(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    refused(
        "unbalanced",
        ledger_post,
        lines=[(payer, D("-10")), (payee, D("9.99"))],
        memo="",
        kind="transfer",
    )


def test_mixed_units_are_refused(books):
    dollars = books.account()
    hours = books.account(resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS)
    books.fund(dollars, "10")
    refused("units", transfer, dollars, hours, "5")


def test_mixed_resources_in_one_currency_are_refused(books):
    seed = books.account()
    credits = books.account(resource=Resource.CLOUD_CREDITS)
    books.fund(seed, "10")
    refused("units", transfer, seed, credits, "5")


def test_an_amount_finer_than_the_unit_allows_is_refused(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "10")
    refused("scale", transfer, payer, payee, "0.005")


def test_gpu_hours_allow_four_decimal_places(books):
    cluster = books.account(resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS)
    startup = books.account(resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS)
    books.fund(cluster, "10")
    transfer(cluster, startup, "1.2345")
    assert balance(startup) == D("1.2345")
    refused("scale", transfer, cluster, startup, "0.00001")


def test_zero_lines_are_refused(books):
    payer, payee, other = books.account(), books.account(), books.account()
    books.fund(payer, "10")
    refused(
        "zero",
        ledger_post,
        lines=[(payer, D("-1")), (payee, D("1")), (other, D("0"))],
        memo="",
        kind="transfer",
    )


def test_floats_are_refused(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "10")
    refused("amount", ledger_post, lines=[(payer, -0.1), (payee, 0.1)], memo="", kind="transfer")


def test_a_single_line_and_a_repeated_account_are_refused(books):
    payer = books.account()
    books.fund(payer, "10")
    refused("lines", ledger_post, lines=[(payer, D("0.01"))], memo="", kind="transfer")
    refused(
        "lines",
        ledger_post,
        lines=[(payer, D("-1")), (payer, D("1"))],
        memo="",
        kind="transfer",
    )


def test_an_overdraft_is_refused_and_names_the_account(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "10.00")
    error = refused("insufficient", transfer, payer, payee, "10.01")
    assert str(payer.startup) in error.message
    transfer(payer, payee, "10.00")
    assert balance(payer) == D("0")


def test_only_funding_sources_go_negative(books):
    account = books.account()
    books.fund(account, "250")
    assert balance(books.source(account)) == D("-250")
    pool = books.account(kind=AccountKind.POOL)
    refused("insufficient", transfer, pool, account, "1")


def test_the_database_refuses_a_negative_balance_even_past_the_service(books):
    from django.db import IntegrityError, transaction

    account = books.account()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=D("-1"))


# --- Idempotency ----------------------------------------------------------------------------


def test_a_replay_under_the_same_key_returns_the_first_transaction_and_posts_nothing(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    first = transfer(payer, payee, "40", idempotency_key="bill-2027-03")
    audits = AuditEntry.objects.count()
    again = transfer(payer, payee, "40.00", idempotency_key="bill-2027-03", memo="retried")
    assert again.pk == first.pk
    assert (balance(payer), balance(payee)) == (D("60"), D("40"))
    assert LedgerTransaction.objects.filter(idempotency_key="bill-2027-03").count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_different_request_under_a_used_key_is_refused(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    first = transfer(payer, payee, "40", idempotency_key="bill-2027-03")
    error = refused(
        "idempotency_conflict", transfer, payer, payee, "41", idempotency_key="bill-2027-03"
    )
    assert isinstance(error, IdempotencyConflict)
    assert str(first.pk) in error.message


def test_a_blank_key_is_refused(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "1")
    refused("key", transfer, payer, payee, "1", idempotency_key="  ")


# --- Reversal -------------------------------------------------------------------------------


def test_a_reversal_restores_the_balances_and_mirrors_the_original(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    original = transfer(payer, payee, "35.50")
    reversal = ledger_reverse(transaction=original, memo="wrong startup", actor=None)
    assert (balance(payer), balance(payee)) == (D("100"), D("0"))
    assert reversal.reverses == original
    assert reversal.kind == TransactionKind.REVERSAL
    assert sorted(reversal.entries.values_list("account_id", "amount")) == sorted(
        (account_id, -amount)
        for account_id, amount in original.entries.values_list("account_id", "amount")
    )
    assert ledger_problems() == []


def test_a_transaction_is_reversed_at_most_once(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    original = transfer(payer, payee, "35")
    ledger_reverse(transaction=original, memo="", actor=None)
    refused("already_reversed", ledger_reverse, transaction=original, memo="", actor=None)
    refused(
        "already_reversed",
        ledger_reverse,
        transaction=original,
        memo="",
        actor=None,
        idempotency_key="another-key",
    )


def test_a_replayed_reversal_returns_the_first_one(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    original = transfer(payer, payee, "35")
    first = ledger_reverse(transaction=original, memo="", actor=None, idempotency_key="undo-1")
    again = ledger_reverse(transaction=original, memo="", actor=None, idempotency_key="undo-1")
    assert again.pk == first.pk
    assert balance(payee) == D("0")


def test_a_reversal_that_would_overdraw_is_refused(books):
    payer, payee, elsewhere = books.account(), books.account(), books.account()
    books.fund(payer, "100")
    original = transfer(payer, payee, "60")
    transfer(payee, elsewhere, "50")
    refused("insufficient", ledger_reverse, transaction=original, memo="", actor=None)


def test_a_reversal_cannot_be_reversed(books):
    payer, payee = books.account(), books.account()
    books.fund(payer, "100")
    reversal = ledger_reverse(transaction=transfer(payer, payee, "1"), memo="", actor=None)
    refused("reversal_of_reversal", ledger_reverse, transaction=reversal, memo="", actor=None)


# --- Accounts and pools ---------------------------------------------------------------------


def test_an_account_is_opened_once_per_owner_resource_unit_and_kind(books):
    startup = factories.StartupFactory()
    first = account_open(
        startup=startup, kind=AccountKind.ASSET, resource=Resource.SEED_FUNDING, unit=Unit.USD
    )
    again = account_open(
        startup=startup, kind=AccountKind.ASSET, resource=Resource.SEED_FUNDING, unit=Unit.USD
    )
    assert again.pk == first.pk
    assert (
        AuditEntry.objects.filter(action="ledger.account_open", target_id=str(first.pk)).count()
        == 1
    )


def test_an_account_in_a_unit_that_does_not_fit_the_resource_is_refused(books):
    with pytest.raises(LedgerError) as error:
        account_open(
            startup=factories.StartupFactory(),
            kind=AccountKind.ASSET,
            resource=Resource.GPU_HOURS,
            unit=Unit.USD,
        )
    assert error.value.code == "unit"


def test_funding_a_pool_comes_from_the_programme_source(books):
    pool_fund(
        programme=books.programme,
        resource=Resource.CLOUD_CREDITS,
        unit=Unit.USD,
        amount=D("5000"),
        actor=None,
    )
    pool = books.account(kind=AccountKind.POOL, resource=Resource.CLOUD_CREDITS)
    assert balance(pool) == D("5000")
    assert balance(books.source(pool)) == D("-5000")


# --- Opening a startup's benefits -----------------------------------------------------------


@pytest.fixture
def accepted(books):
    """An accepted application to a cohort of a programme with the default benefit amounts."""
    programme = books.programme
    programme.yearly_cap = 3
    programme.save(update_fields=["yearly_cap"])
    for position, (kind, amount, unit) in enumerate(
        [
            ("workspace", None, "DESKS"),
            ("seed_funding", D("100000"), "USD"),
            ("cloud_credits", D("10000"), "USD"),
            ("gpu_hours", D("2000"), "GPU_HOURS"),
        ]
    ):
        BenefitItem.objects.create(
            programme=programme, kind=kind, label=kind, amount=amount, unit=unit, position=position
        )
    cohort = factories.CohortFactory(programme=programme)
    factories.CallFactory(cohort=cohort)
    return factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED)


def startup_balances(startup):
    return {
        (account.resource, account.unit): account.balance
        for account in Account.objects.filter(startup=startup, kind=AccountKind.ASSET)
    }


def test_opening_benefits_posts_the_entitlements_from_the_pools(accepted):
    manager = factories.ProgrammeManagerFactory()
    transactions = benefits_open(application=accepted, actor=manager)
    assert [txn.kind for txn in transactions] == ["entitlement"] * 3
    assert startup_balances(accepted.startup) == {
        ("seed_funding", "USD"): D("100000"),
        ("cloud_credits", "USD"): D("10000"),
        ("gpu_hours", "GPU_HOURS"): D("2000"),
    }
    pools = {
        account.resource: account.balance
        for account in Account.objects.filter(kind=AccountKind.POOL)
    }
    # Each pool opened with a year of startups (the programme's cap of 3), less this one.
    assert pools == {
        "seed_funding": D("200000"),
        "cloud_credits": D("20000"),
        "gpu_hours": D("4000"),
    }
    assert all(txn.cohort == accepted.cohort for txn in transactions)
    assert AuditEntry.objects.filter(action="benefits.open", actor=manager).count() == 1
    assert ledger_problems() == []


def test_opening_benefits_twice_posts_once(accepted):
    first = benefits_open(application=accepted, actor=None)
    count = LedgerTransaction.objects.count()
    again = benefits_open(application=accepted, actor=None)
    assert [txn.pk for txn in again] == [txn.pk for txn in first]
    assert LedgerTransaction.objects.count() == count
    assert startup_balances(accepted.startup)[("seed_funding", "USD")] == D("100000")
    assert AuditEntry.objects.filter(action="benefits.open").count() == 1


def test_opening_benefits_before_acceptance_is_refused(accepted):
    accepted.state = ApplicationState.SHORTLISTED
    accepted.save(update_fields=["state"])
    refused("state", benefits_open, application=accepted, actor=None)


def test_opening_benefits_beyond_the_pool_is_refused(accepted):
    cohort = accepted.cohort
    benefits_open(application=accepted, actor=None)
    for _ in range(2):
        other = factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED)
        benefits_open(application=other, actor=None)
    fourth = factories.ApplicationFactory(cohort=cohort, state=ApplicationState.ACCEPTED)
    error = refused("insufficient", benefits_open, application=fourth, actor=None)
    assert "pool" in error.message.lower()


def test_a_benefit_line_in_a_unit_that_does_not_fit_is_refused(accepted):
    BenefitItem.objects.filter(kind="gpu_hours").update(unit="USD")
    refused("unit", benefits_open, application=accepted, actor=None)
