"""Every write of the compute app, each in one transaction with an audit entry.

GPU-hours and cloud credits move only through `nurture.resources.services.ledger_post`:
a top-up from the programme's GPU pool, a debit of imported usage from the startup's balance
to its spending account. Bookings do not post: they reserve capacity and count against the
quota until they end; the usage that Slurm reports is what the ledger debits.
"""

import csv
import hashlib
import io
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection
from django.db.models import Sum
from django.db.transaction import atomic, on_commit
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from nurture.accounts.models import Role
from nurture.applications.models import Application, ApplicationState
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.resources.models import Account, AccountKind, Resource, TransactionKind, Unit
from nurture.resources.services import LedgerError, account_open, ledger_post
from nurture.startups.models import Startup

from . import slurm
from .models import (
    BillingImport,
    BillingLine,
    Booking,
    BookingState,
    CloudAccount,
    CloudProvider,
    Cluster,
    ComputeAccount,
    CreditAlert,
    CreditCharge,
    GpuModel,
    ImportJob,
    ImportKind,
    ImportState,
    Node,
    SlurmImport,
    UsageRecord,
)

logger = logging.getLogger(__name__)
HOUR = timedelta(hours=1)
MAX_BOOKING_HOURS = 14 * 24
# How far ahead a booking may start.
BOOKING_HORIZON = timedelta(days=180)
CREDIT_THRESHOLDS = (80, 100)
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")


class ComputeError(Exception):
    """A refused request; nothing was written. The message is for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class ImportRejected(ComputeError):
    """A file with problems: nothing was imported. `problems` name their lines."""

    def __init__(self, problems: list, *, count: int | None = None):
        self.problems = problems
        self.count = count if count is not None else len(problems)
        super().__init__(
            ngettext(
                "The file was not imported: %(count)s problem was found. Nothing was posted.",
                "The file was not imported: %(count)s problems were found. Nothing was posted.",
                self.count,
            )
            % {"count": self.count},
            code="file_rejected",
        )


# --- Accounts --------------------------------------------------------------------------------


def gpu_account(startup: Startup, kind: str = AccountKind.ASSET) -> Account | None:
    return Account.objects.filter(
        startup=startup, kind=kind, resource=Resource.GPU_HOURS, unit=Unit.GPU_HOURS
    ).first()


def credit_account(startup: Startup, kind: str = AccountKind.ASSET) -> Account | None:
    return Account.objects.filter(
        startup=startup, kind=kind, resource=Resource.CLOUD_CREDITS, unit=Unit.USD
    ).first()


def programme_of(startup: Startup):
    application = (
        Application.objects.filter(startup=startup, state=ApplicationState.ACCEPTED)
        .select_related("cohort__programme")
        .order_by("-cohort__starts_on", "-pk")
        .first()
    )
    return application.cohort.programme if application else None


def compute_account_save(
    *, startup: Startup, slurm_account: str, namespace: str, max_gpus: int, actor
) -> ComputeAccount:
    with atomic():
        account, created = ComputeAccount.objects.select_for_update().get_or_create(
            startup=startup,
            defaults={"slurm_account": slurm_account, "namespace": namespace, "max_gpus": max_gpus},
        )
        if not created:
            account.slurm_account, account.namespace = slurm_account, namespace
            account.max_gpus = max_gpus
            try:
                with atomic():
                    account.save(update_fields=["slurm_account", "namespace", "max_gpus"])
            except IntegrityError:
                raise ComputeError(
                    _("Another startup already uses that Slurm account or namespace."),
                    code="duplicate",
                ) from None
        audit_record(
            actor=actor,
            action="compute.account_saved",
            target=account,
            summary=_("Cluster names of %(startup)s") % {"startup": startup.name},
            data={"slurm_account": slurm_account, "namespace": namespace, "max_gpus": max_gpus},
        )
    return account


def cloud_account_add(*, startup: Startup, provider: str, account_id: str, actor) -> CloudAccount:
    account_id = account_id.strip()
    if not account_id:
        raise ComputeError(_("Enter the provider's account id."), field="account_id")
    with atomic():
        if CloudAccount.objects.filter(provider=provider, account_id=account_id).exists():
            raise ComputeError(
                _("That account id is already linked to a startup."),
                code="duplicate",
                field="account_id",
            )
        account = CloudAccount.objects.create(
            startup=startup, provider=provider, account_id=account_id
        )
        audit_record(
            actor=actor,
            action="compute.cloud_account_added",
            target=account,
            summary=str(account),
            data={"startup": startup.pk},
        )
    return account


# --- Inventory -------------------------------------------------------------------------------


def inventory_save(*, obj: Cluster | GpuModel | Node, actor) -> Cluster | GpuModel | Node:
    """Save a cluster, GPU model or node that a validated form built."""
    with atomic():
        if isinstance(obj, Node):
            # A node's GPUs change the model's capacity: wait for bookings being made on it.
            GpuModel.objects.select_for_update().filter(pk=obj.gpu_model_id).first()
        created = obj.pk is None
        obj.save()
        audit_record(
            actor=actor,
            action=f"compute.{type(obj).__name__.lower()}_{'created' if created else 'changed'}",
            target=obj,
            summary=str(obj),
        )
    return obj


def capacity(gpu_model: GpuModel) -> int:
    return (
        Node.objects.filter(gpu_model=gpu_model, active=True).aggregate(total=Sum("gpu_count"))[
            "total"
        ]
        or 0
    )


# --- Quotas ----------------------------------------------------------------------------------


def quota_top_up(
    *, startup: Startup, hours: Decimal, reason: str, actor, idempotency_key: str | None = None
):
    """Move GPU-hours from the programme's cluster pool to the startup's balance."""
    reason = (reason or "").strip()
    if not reason:
        raise ComputeError(_("Give a reason for the top-up."), field="reason")
    if hours <= 0:
        raise ComputeError(_("Top up by a positive number of GPU-hours."), field="hours")
    programme = programme_of(startup)
    if programme is None:
        raise ComputeError(
            _("%(startup)s has not been admitted to a programme.") % {"startup": startup.name},
            code="not_admitted",
        )
    with atomic():
        pool = account_open(
            programme=programme,
            kind=AccountKind.POOL,
            resource=Resource.GPU_HOURS,
            unit=Unit.GPU_HOURS,
            actor=actor,
        )
        asset = account_open(
            startup=startup,
            kind=AccountKind.ASSET,
            resource=Resource.GPU_HOURS,
            unit=Unit.GPU_HOURS,
            actor=actor,
        )
        try:
            txn = ledger_post(
                lines=[(pool, -hours), (asset, hours)],
                memo=reason[:300],
                kind=TransactionKind.TOP_UP,
                idempotency_key=idempotency_key,
                actor=actor,
            )
        except LedgerError as error:
            raise ComputeError(error.message, code=error.code, field="hours") from None
        audit_record(
            actor=actor,
            action="compute.quota_top_up",
            target=startup,
            summary=_("%(hours)s GPU-hours for %(startup)s: %(reason)s")
            % {"hours": hours, "startup": startup.name, "reason": reason},
            data={"transaction": txn.pk, "hours": str(hours)},
        )
    return txn


def committed_hours(startup: Startup, *, now: datetime | None = None) -> Decimal:
    """GPU-hours of the startup's confirmed bookings that have not ended yet."""
    now = now or timezone.now()
    total = Booking.objects.filter(
        startup=startup, state=BookingState.CONFIRMED, ends_at__gt=now
    ).aggregate(total=Sum("gpu_hours"))["total"]
    return Decimal(total or 0).quantize(TEN_THOUSANDTH)


# --- Bookings --------------------------------------------------------------------------------


def peak_load(windows: list[tuple[datetime, datetime, int]], start: datetime, end: datetime) -> int:
    """The most GPUs that `windows` hold at any instant of [start, end)."""
    events = []
    for begins, ends, gpus in windows:
        begins, ends = max(begins, start), min(ends, end)
        if begins < ends:
            events.append((begins, gpus))
            events.append((ends, -gpus))
    # Ends sort before starts at the same instant: a window that ends at 10:00 frees its GPUs
    # for one that starts at 10:00.
    events.sort(key=lambda event: (event[0], event[1]))
    load = peak = 0
    for _when, change in events:
        load += change
        peak = max(peak, load)
    return peak


def _check_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    for value, field in ((starts_at, "starts_at"), (ends_at, "ends_at")):
        if timezone.is_naive(value):
            raise ComputeError(_("Give times with their time zone."), field=field)
        if value.minute or value.second or value.microsecond:
            raise ComputeError(_("Bookings start and end on the hour."), field=field)
    if ends_at <= starts_at:
        raise ComputeError(_("A booking must end after it starts."), field="ends_at")
    if starts_at < now.replace(minute=0, second=0, microsecond=0):
        raise ComputeError(_("A booking cannot start in the past."), field="starts_at")
    if starts_at > now + BOOKING_HORIZON:
        raise ComputeError(
            _("Bookings open at most %(days)s days ahead.") % {"days": BOOKING_HORIZON.days},
            field="starts_at",
        )
    if ends_at - starts_at > timedelta(hours=MAX_BOOKING_HOURS):
        raise ComputeError(
            _("A booking lasts at most %(hours)s hours.") % {"hours": MAX_BOOKING_HOURS},
            field="ends_at",
        )


def booking_create(
    *,
    startup: Startup,
    gpu_model: GpuModel,
    gpus: int,
    starts_at: datetime,
    ends_at: datetime,
    actor,
    purpose: str = "",
    idempotency_key: str | None = None,
) -> Booking:
    """Reserve `gpus` GPUs of a model for [starts_at, ends_at), within capacity and quota.

    The model's row is locked first, so two bookings of one model are checked one after the
    other and the capacity is never exceeded at any instant; then the startup's GPU-hours
    account, so two bookings of one startup never both spend the same quota. With an
    `idempotency_key` already used by `actor`, the first booking is returned and nothing else
    happens; the key with a different request is refused.
    """
    now = timezone.now()
    if not isinstance(gpus, int) or gpus < 1:
        raise ComputeError(_("Book at least one GPU."), field="gpus")
    _check_window(starts_at, ends_at, now)
    hours = Decimal(gpus) * Decimal(int((ends_at - starts_at) / HOUR))
    with atomic():
        model = GpuModel.objects.select_for_update().filter(pk=gpu_model.pk).first()
        if model is None:
            raise ComputeError(_("No such GPU model."), code="not_found", field="gpu_model")
        if idempotency_key is not None:
            existing = Booking.objects.filter(
                created_by=actor, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                same = (
                    existing.startup_id == startup.pk
                    and existing.gpu_model_id == model.pk
                    and existing.gpus == gpus
                    and existing.starts_at == starts_at
                    and existing.ends_at == ends_at
                )
                if not same:
                    raise ComputeError(
                        _("This idempotency key was already used for a different booking."),
                        code="idempotency_conflict",
                    )
                return existing
        total = capacity(model)
        windows = list(
            Booking.objects.filter(
                gpu_model=model,
                state=BookingState.CONFIRMED,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            ).values_list("starts_at", "ends_at", "gpus")
        )
        free = total - peak_load(windows, starts_at, ends_at)
        if gpus > free:
            raise ComputeError(
                _(
                    "Only %(free)s of %(total)s %(model)s GPUs are free for the whole of that "
                    "time; choose fewer GPUs or another time."
                )
                % {"free": max(free, 0), "total": total, "model": model.name},
                code="capacity",
                field="gpus",
            )
        account = (
            Account.objects.select_for_update()
            .filter(
                startup=startup,
                kind=AccountKind.ASSET,
                resource=Resource.GPU_HOURS,
                unit=Unit.GPU_HOURS,
            )
            .first()
        )
        balance = account.balance if account else Decimal(0)
        left = balance - committed_hours(startup, now=now)
        if hours > left:
            raise ComputeError(
                _(
                    "This booking needs %(hours)s GPU-hours; %(startup)s has %(left)s left after "
                    "its other bookings."
                )
                % {"hours": hours, "startup": startup.name, "left": max(left, Decimal(0))},
                code="quota",
                field="gpus",
            )
        booking = Booking.objects.create(
            startup=startup,
            gpu_model=model,
            gpus=gpus,
            starts_at=starts_at,
            ends_at=ends_at,
            gpu_hours=hours,
            purpose=purpose[:200],
            created_by=actor if getattr(actor, "pk", None) else None,
            idempotency_key=idempotency_key,
        )
        audit_record(
            actor=actor,
            action="compute.booking_created",
            target=booking,
            summary=_("%(gpus)s × %(model)s for %(startup)s")
            % {"gpus": gpus, "model": model.name, "startup": startup.name},
            data={
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "gpu_hours": str(hours),
            },
        )
    return booking


def booking_cancel(*, booking: Booking, actor) -> Booking:
    with atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.state != BookingState.CONFIRMED:
            raise ComputeError(_("This booking is already cancelled."), code="not_confirmed")
        if booking.ends_at <= timezone.now():
            raise ComputeError(_("This booking has already ended."), code="ended")
        booking.state = BookingState.CANCELLED
        booking.cancelled_by = actor
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["state", "cancelled_by", "cancelled_at"])
        audit_record(
            actor=actor, action="compute.booking_cancelled", target=booking, summary=str(booking)
        )
    return booking


# --- Reading uploaded files ------------------------------------------------------------------


def file_digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def text_lines(upload) -> Iterator[str]:
    """The lines of a binary file as text; undecodable bytes become a clear problem later."""
    upload.seek(0)
    return io.TextIOWrapper(upload, encoding="utf-8-sig", errors="strict", newline="")


def _decoded(lines: Iterator[str]) -> Iterator[str]:
    try:
        yield from lines
    except UnicodeDecodeError:
        raise ImportRejected([slurm.Problem(0, _("the file is not UTF-8 text."))]) from None


# --- Slurm usage -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    record: SlurmImport | BillingImport
    new: int
    known: int


def _usage_rows(parsed: slurm.Parsed, indices, startup_ids, cluster_id, import_id):
    if connection.vendor == "sqlite":
        # Django stores datetimes in SQLite as naive UTC text; each hour's prefix is cached.
        prefixes: dict[int, str] = {}

        def stamp(epoch: int) -> str:
            hour, rest = divmod(epoch, 3600)
            prefix = prefixes.get(hour)
            if prefix is None:
                prefix = prefixes[hour] = slurm.utc(hour * 3600).strftime("%Y-%m-%d %H:")
            return f"{prefix}{rest // 60:02d}:{rest % 60:02d}"

    else:
        stamp = slurm.utc
    job_ids, accounts, starts, ends = parsed.job_ids, parsed.accounts, parsed.starts, parsed.ends
    gpus, hours_of = parsed.gpus, parsed.hours
    for i in indices:
        hours = hours_of[i]
        yield (
            cluster_id,
            job_ids[i],
            startup_ids[accounts[i]],
            stamp(starts[i]),
            stamp(ends[i]),
            gpus[i],
            f"{hours // 10000}.{hours % 10000:04d}",
            import_id,
        )


USAGE_COLUMNS = (
    "cluster_id",
    "job_id",
    "startup_id",
    "started_at",
    "ended_at",
    "gpus",
    "gpu_hours",
    "slurm_import_id",
)


def _usage_insert(rows) -> None:
    """Insert usage rows in bulk: COPY on PostgreSQL, batched executemany elsewhere."""
    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    columns = ", ".join(USAGE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
            return
        # The driver's own executemany, past Django's wrappers: the statement is prepared once
        # and each batch goes straight to SQLite.
        marks = ", ".join(["?"] * len(USAGE_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        raw = cursor.cursor
        # A bigger page cache for this connection while the indexes grow: the default 2 MB
        # makes SQLite spill and re-read index pages on every batch.
        (previous,) = raw.execute("PRAGMA cache_size").fetchone()
        raw.execute("PRAGMA cache_size = -65536")
        try:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 50_000:
                    raw.executemany(sql, batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)
        finally:
            raw.execute(f"PRAGMA cache_size = {int(previous)}")


def _known_jobs(cluster: Cluster, job_ids: set[str]) -> set[str]:
    known = set()
    if not UsageRecord.objects.filter(cluster=cluster).exists():
        return known
    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT job_id FROM {table} WHERE cluster_id = %s", [cluster.pk])  # noqa: S608
        while rows := cursor.fetchmany(50_000):
            known.update(job for (job,) in rows if job in job_ids)
    return known


def _hours(ten_thousandths: int) -> Decimal:
    return Decimal(ten_thousandths).scaleb(-4)


def slurm_import(*, cluster: Cluster, upload, file_name: str, actor) -> ImportResult:
    """Import a file of Slurm accounting records and debit each job's GPU-hours once.

    The whole file is checked first (see `slurm` for the accepted format); any problem
    rejects it with `ImportRejected`, and nothing is written. Jobs already imported for this
    cluster are left alone, so importing the same file again posts nothing. New jobs are
    stored one row each (unique per cluster and job id) and debited from each startup's
    GPU-hours in one ledger posting per startup and day of the jobs' end.
    """
    digest = file_digest(upload)
    accounts = dict(ComputeAccount.objects.values_list("slurm_account", "startup_id"))
    parsed = slurm.parse(
        _decoded(text_lines(upload)), known_accounts=accounts, time_zone=cluster.time_zone
    )
    if parsed.problem_count:
        raise ImportRejected(parsed.problems, count=parsed.problem_count)
    startup_ids = [accounts[name] for name in parsed.account_names]
    with atomic():
        # One import per cluster at a time: a racing import of the same file waits here and
        # then finds every job already imported.
        cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
        known = _known_jobs(cluster, parsed.seen)
        if known:
            indices = [i for i, job in enumerate(parsed.job_ids) if job not in known]
        else:
            indices = range(len(parsed.job_ids))
        totals: dict[int, int] = defaultdict(int)
        per_day: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        hours, account_of, days = parsed.hours, parsed.accounts, parsed.days
        for i in indices:
            account = account_of[i]
            totals[account] += hours[i]
            cell = per_day[(account, days[i])]
            cell[0] += hours[i]
            cell[1] += 1
        assets = {
            account.startup_id: account
            for account in Account.objects.select_for_update().filter(
                startup_id__in=[startup_ids[a] for a in totals],
                kind=AccountKind.ASSET,
                resource=Resource.GPU_HOURS,
                unit=Unit.GPU_HOURS,
            )
        }
        problems = []
        for account, need in totals.items():
            asset = assets.get(startup_ids[account])
            have = asset.balance if asset else Decimal(0)
            if _hours(need) > have:
                problems.append(_overrun(parsed, indices, account, have, need))
        if problems:
            raise ImportRejected(problems)
        record = SlurmImport.objects.create(
            cluster=cluster,
            file_name=file_name[:200],
            sha256=digest,
            rows=parsed.rows,
            jobs_new=len(indices),
            jobs_known=len(known),
            jobs_skipped=parsed.skipped,
            gpu_hours=_hours(sum(totals.values())),
            postings=sum(1 for amount, _jobs in per_day.values() if amount),
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        _usage_insert(_usage_rows(parsed, indices, startup_ids, cluster.pk, record.pk))
        spends = {}
        with override(settings.LANGUAGE_CODE):
            for (account, day), (amount, jobs) in sorted(per_day.items()):
                if amount == 0:
                    continue  # jobs that ended as they started: recorded, nothing to debit
                startup_id = startup_ids[account]
                if startup_id not in spends:
                    spends[startup_id] = account_open(
                        startup=assets[startup_id].startup,
                        kind=AccountKind.SPEND,
                        resource=Resource.GPU_HOURS,
                        unit=Unit.GPU_HOURS,
                        actor=actor,
                    )
                on = date.fromordinal(day).isoformat()
                ledger_post(
                    lines=[
                        (assets[startup_id], -_hours(amount)),
                        (spends[startup_id], _hours(amount)),
                    ],
                    memo=_("GPU usage on %(day)s: %(jobs)s jobs on %(cluster)s")
                    % {"day": on, "jobs": jobs, "cluster": cluster.slug},
                    kind=TransactionKind.USAGE,
                    idempotency_key=(
                        f"slurm:{cluster.slug}:import-{record.pk}:"
                        f"{parsed.account_names[account]}:{on}"
                    ),
                    actor=actor,
                )
        audit_record(
            actor=actor,
            action="compute.slurm_imported",
            target=record,
            summary=_("%(file)s: %(new)s new jobs, %(known)s already imported")
            % {"file": record.file_name, "new": record.jobs_new, "known": record.jobs_known},
            data={"sha256": digest, "gpu_hours": str(record.gpu_hours)},
        )
    return ImportResult(record=record, new=record.jobs_new, known=record.jobs_known)


def _overrun(parsed: slurm.Parsed, indices, account: int, have: Decimal, need: int):
    """The line at which an account's new jobs use more than its balance."""
    running = 0
    line = 0
    for i in indices:
        if parsed.accounts[i] == account:
            running += parsed.hours[i]
            if _hours(running) > have:
                line = parsed.lines[i]
                break
    return slurm.Problem(
        line,
        _(
            "the jobs of account “%(account)s” use %(need)s GPU-hours, more than the "
            "%(have)s it has left; this line goes beyond it. Top up the quota first."
        )
        % {"account": parsed.account_names[account], "need": _hours(need), "have": have},
    )


# --- Cloud credits ---------------------------------------------------------------------------

BILLING_COLUMNS = ("billing_month", "account_id", "service", "cost_usd", "line_id")


def _month(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        return None


def _billing_parse(upload, provider: str):
    accounts = dict(
        CloudAccount.objects.filter(provider=provider).values_list("account_id", "startup_id")
    )
    problems: list[slurm.Problem] = []
    rows = []
    seen: dict[str, int] = {}
    reader = csv.reader(_decoded(text_lines(upload)))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportRejected([slurm.Problem(1, str(error))]) from None
    names = [name.strip().lower() for name in header or []]
    missing = [name for name in BILLING_COLUMNS if name not in names]
    if missing:
        raise ImportRejected(
            [
                slurm.Problem(
                    1,
                    _("the header lacks %(columns)s.") % {"columns": ", ".join(missing)},
                )
            ]
        )
    position = {name: names.index(name) for name in BILLING_COLUMNS}
    try:
        for fields in reader:
            number = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if len(fields) < len(names):
                problems.append(
                    slurm.Problem(number, _("expected %(count)s columns.") % {"count": len(names)})
                )
                continue
            value = {name: fields[index].strip() for name, index in position.items()}
            month = _month(value["billing_month"])
            if month is None:
                problems.append(slurm.Problem(number, _("billing_month must look like 2026-11.")))
                continue
            startup_id = accounts.get(value["account_id"])
            if startup_id is None:
                problems.append(
                    slurm.Problem(
                        number,
                        _("the account id “%(account)s” belongs to no startup.")
                        % {"account": value["account_id"][:100]},
                    )
                )
                continue
            if not value["service"] or len(value["service"]) > 100:
                problems.append(slurm.Problem(number, _("service must be 1 to 100 characters.")))
                continue
            try:
                cost = Decimal(value["cost_usd"])
            except InvalidOperation:
                cost = None
            if cost is None or not cost.is_finite() or cost < 0 or cost >= Decimal(10) ** 11:
                problems.append(
                    slurm.Problem(
                        number,
                        _("cost_usd must be a number of US dollars, zero or more, not “%(value)s”.")
                        % {"value": value["cost_usd"][:40]},
                    )
                )
                continue
            if cost != cost.quantize(Decimal("0.000001")):
                problems.append(
                    slurm.Problem(number, _("cost_usd has more than 6 decimal places."))
                )
                continue
            line_id = value["line_id"]
            if not line_id or len(line_id) > 100:
                problems.append(slurm.Problem(number, _("line_id must be 1 to 100 characters.")))
                continue
            if line_id in seen:
                problems.append(
                    slurm.Problem(
                        number,
                        _("line_id %(id)s already appears on line %(line)s.")
                        % {"id": line_id, "line": seen[line_id]},
                    )
                )
                continue
            seen[line_id] = number
            rows.append(
                (number, line_id, startup_id, value["account_id"], month, value["service"], cost)
            )
    except csv.Error as error:
        problems.append(slurm.Problem(reader.line_num, str(error)))
    if problems:
        raise ImportRejected(problems[: slurm.MAX_PROBLEMS], count=len(problems))
    return rows


def billing_import(*, provider: str, upload, file_name: str, actor) -> ImportResult:
    """Import a provider's monthly billing export (CSV) and use each startup's credits.

    Accepted columns, found by name in the header row (others are ignored): billing_month
    (`YYYY-MM`), account_id (the startup's account at the provider, linked on its compute
    page), service, cost_usd (a decimal, at most 6 places, zero or more) and line_id (unique
    per provider). Any bad row rejects the file, with line numbers, and nothing is posted.
    Lines already imported are left alone. Per startup and month, the new lines' cost, rounded
    to the cent, is taken from the credits that are left; the rest is recorded as beyond the
    credits. Alerts at 80% and 100% of the credits used go out once each.
    """
    if provider not in CloudProvider.values:
        raise ComputeError(_("Unknown provider."), field="provider")
    digest = file_digest(upload)
    rows = _billing_parse(upload, provider)
    with atomic():
        # The accounts' rows serialise imports that touch the same startups: a racing import
        # of the same file waits here, then finds its lines known and posts nothing.
        list(
            CloudAccount.objects.select_for_update()
            .filter(provider=provider, account_id__in={row[3] for row in rows})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        line_ids = [row[1] for row in rows]
        known = set()
        for at in range(0, len(line_ids), 5000):  # within every database's parameter limit
            known.update(
                BillingLine.objects.filter(
                    provider=provider, line_id__in=line_ids[at : at + 5000]
                ).values_list("line_id", flat=True)
            )
        new = [row for row in rows if row[1] not in known]
        record = BillingImport.objects.create(
            provider=provider,
            file_name=file_name[:200],
            sha256=digest,
            lines=len(rows),
            lines_new=len(new),
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with atomic():
                BillingLine.objects.bulk_create(
                    BillingLine(
                        provider=provider,
                        line_id=line_id,
                        startup_id=startup_id,
                        account_id=account_id,
                        billing_month=month,
                        service=service,
                        cost_usd=cost,
                        billing_import=record,
                    )
                    for _number, line_id, startup_id, account_id, month, service, cost in new
                )
        except IntegrityError:
            raise ComputeError(
                _("Another import of these lines is running; try again in a moment."),
                code="busy",
            ) from None
        sums: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        for _number, _line_id, startup_id, _account_id, month, _service, cost in new:
            sums[(startup_id, month)] += cost
        startups = Startup.objects.in_bulk({startup_id for startup_id, _month in sums})
        total_cost = total_debited = Decimal(0)
        for (startup_id, month), cost in sorted(sums.items()):
            startup = startups[startup_id]
            cost = cost.quantize(CENT, rounding=ROUND_HALF_UP)
            charge = CreditCharge(
                billing_import=record,
                startup=startup,
                billing_month=month,
                cost_usd=cost,
                debited_usd=Decimal(0),
                beyond_usd=cost,
            )
            asset = (
                Account.objects.select_for_update()
                .filter(
                    startup=startup,
                    kind=AccountKind.ASSET,
                    resource=Resource.CLOUD_CREDITS,
                    unit=Unit.USD,
                )
                .first()
            )
            debit = min(cost, asset.balance if asset else Decimal(0)).quantize(CENT)
            if debit > 0:
                spend = account_open(
                    startup=startup,
                    kind=AccountKind.SPEND,
                    resource=Resource.CLOUD_CREDITS,
                    unit=Unit.USD,
                    actor=actor,
                )
                with override(settings.LANGUAGE_CODE):
                    memo = _("Cloud usage %(month)s (%(provider)s)") % {
                        "month": month.strftime("%Y-%m"),
                        "provider": CloudProvider(provider).label,
                    }
                charge.transaction = ledger_post(
                    lines=[(asset, -debit), (spend, debit)],
                    memo=memo,
                    kind=TransactionKind.USAGE,
                    idempotency_key=(
                        f"billing:{provider}:import-{record.pk}:startup-{startup_id}:{month:%Y-%m}"
                    ),
                    actor=actor,
                )
            charge.debited_usd = debit
            charge.beyond_usd = cost - debit
            charge.save()
            total_cost += cost
            total_debited += debit
        record.cost_usd, record.debited_usd = total_cost, total_debited
        record.save(update_fields=["cost_usd", "debited_usd"])
        for startup in startups.values():
            credit_alerts_check(startup=startup)
        audit_record(
            actor=actor,
            action="compute.billing_imported",
            target=record,
            summary=_("%(file)s: %(new)s new lines, %(known)s already imported")
            % {"file": record.file_name, "new": len(new), "known": len(known)},
            data={"sha256": digest, "cost_usd": str(total_cost), "debited": str(total_debited)},
        )
    return ImportResult(record=record, new=len(new), known=len(known))


def credit_usage(startup: Startup) -> tuple[Decimal, Decimal]:
    """(used, total) cloud credits in USD: total is what is left plus what was used."""
    balances = dict(
        Account.objects.filter(
            startup=startup, resource=Resource.CLOUD_CREDITS, unit=Unit.USD
        ).values_list("kind", "balance")
    )
    left = Decimal(balances.get(AccountKind.ASSET, 0)).quantize(CENT)
    used = Decimal(balances.get(AccountKind.SPEND, 0)).quantize(CENT)
    return used, left + used


def credit_alerts_check(*, startup: Startup) -> list[CreditAlert]:
    """Record and send the alerts whose threshold the startup's credit use has reached."""
    used, total = credit_usage(startup)
    if total <= 0:
        return []
    sent = []
    percent = used * 100 / total
    for threshold in CREDIT_THRESHOLDS:
        if percent < threshold:
            continue
        try:
            with atomic():
                alert, created = CreditAlert.objects.get_or_create(
                    startup=startup,
                    threshold=threshold,
                    defaults={"used_usd": used, "total_usd": total},
                )
        except IntegrityError:
            continue  # a racing import sent it
        if not created:
            continue
        sent.append(alert)
        audit_record(
            actor=None,
            action="compute.credit_alert",
            target=startup,
            summary=_("%(startup)s has used %(threshold)s%% of its cloud credits")
            % {"startup": startup.name, "threshold": threshold},
            data={"used": str(used), "total": str(total)},
        )
        recipients = sorted(
            {
                *startup.members.filter(is_active=True).values_list("email", flat=True),
                *get_user_model()
                .objects.filter(role=Role.PROGRAMME_MANAGER, is_active=True)
                .values_list("email", flat=True),
            }
        )
        context = {
            "startup": startup.name,
            "threshold": threshold,
            "used": f"{used:,.2f}",
            "total": f"{total:,.2f}",
            "left": f"{total - used:,.2f}",
            "link": f"{settings.SITE_URL}{reverse('compute:startup', args=[startup.pk])}",
        }
        on_commit(
            lambda to=recipients, ctx=context: send_bilingual_mail(
                to=to, template="compute/email/credit_alert", context=ctx
            )
        )
    return sent


# --- Imports as background work --------------------------------------------------------------


def import_job_create(
    *, kind: str, upload, actor, cluster: Cluster | None = None, provider: str = ""
) -> ImportJob:
    """Store an uploaded file and queue its import; the task runs after commit."""
    from .tasks import import_job_task

    if kind == ImportKind.SLURM and cluster is None:
        raise ComputeError(_("Choose a cluster."), field="cluster")
    if kind == ImportKind.BILLING and provider not in CloudProvider.values:
        raise ComputeError(_("Unknown provider."), field="provider")
    with atomic():
        job = ImportJob(
            kind=kind,
            cluster=cluster,
            provider=provider,
            file_name=(getattr(upload, "name", "") or "upload")[:200],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        # A random stored name: the name the person gave is only shown, never used as a path.
        job.file.save(f"{uuid.uuid4().hex}.txt", upload, save=False)
        job.save()
        audit_record(
            actor=actor,
            action="compute.import_queued",
            target=job,
            summary=job.file_name,
            data={"kind": kind},
        )
        on_commit(lambda: import_job_task.enqueue(job_id=job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import: its outcome (counts, or the problems by line) goes on the job."""
    with atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state != ImportState.QUEUED:
            return job
        job.state = ImportState.RUNNING
        job.save(update_fields=["state"])
    outcome = {"finished_at": timezone.now()}
    try:
        with job.file.open("rb") as upload:
            if job.kind == ImportKind.SLURM:
                result = slurm_import(
                    cluster=job.cluster,
                    upload=upload,
                    file_name=job.file_name,
                    actor=job.created_by,
                )
            else:
                result = billing_import(
                    provider=job.provider,
                    upload=upload,
                    file_name=job.file_name,
                    actor=job.created_by,
                )
    except ImportRejected as error:
        outcome.update(
            state=ImportState.REJECTED,
            problems=[[problem.line, problem.message] for problem in error.problems],
            problem_count=error.count,
        )
    except ComputeError as error:
        outcome.update(state=ImportState.REJECTED, problems=[[0, error.message]], problem_count=1)
    except Exception:
        # Rolled back by the import's own transaction: nothing was posted. The job says so
        # and the error goes to the log for the operators.
        logger.exception("Import job %s failed", job.pk)
        outcome.update(state=ImportState.FAILED)
    else:
        outcome.update(state=ImportState.DONE, new=result.new, known=result.known)
    # The file has served its purpose; the imported rows and the audit log remain.
    stored = job.file.name
    ImportJob.objects.filter(pk=job.pk).update(**outcome, file="")
    if stored:
        job.file.storage.delete(stored)
    job.refresh_from_db()
    return job
