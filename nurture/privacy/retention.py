"""The retention schedule (PDPO DPP2(2) and s26): personal data is not kept longer than its
purpose needs. `retention_run()` carries the schedule out; `nurture retention` and the
`retention_run` task call it, daily from cron or any scheduler.

The schedule is configuration: `settings.PRIVACY_RETENTION` overrides any of DEFAULTS.

Anonymising keeps the row for statistics and blanks what identifies or describes people
(free text, registration numbers, the deck file and its name, who created it). Before
anything is erased, the counts per cohort, sector and state go to `RetentionStat`; after,
one audit entry lists what was erased by rule with counts and ids, and no personal data.
"""

import calendar
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Count, DateTimeField, Exists, F, OuterRef
from django.db.models.deletion import ProtectedError, RestrictedError
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from nurture.accounts.models import Role, User
from nurture.applications.models import Application, ApplicationState
from nurture.audit.models import AuditEntry
from nurture.audit.services import audit_record

from .models import Anonymisation, DataRequest, RetentionStat

DEFAULTS = {
    # Applications that were not admitted (rejected or withdrawn): anonymised this many
    # months after the decision (the withdrawal, or the rejection).
    "applications_not_admitted_months": 24,
    # Founder sign-ups whose e-mail address was never confirmed: deleted after this many days.
    "unverified_signups_days": 30,
    # Audit entries: kept this many years, then deleted.
    "audit_entries_years": 7,
    # The ZIP of an access request: deleted this many days after it was ready.
    "access_exports_days": 30,
}
NOT_ADMITTED = (ApplicationState.REJECTED, ApplicationState.WITHDRAWN)
# Cleared on anonymisation: everything a founder wrote and every identifier.
APPLICATION_BLANKS = {
    "hk_presence_plan": "",
    "business_registration_number": "",
    "product_description": "",
    "ai_description": "",
    "traction": "",
    "lab_needs": "",
    "pitch_deck": "",
    "pitch_deck_name": "",
    "pitch_deck_size": None,
    "created_by": None,
}


def schedule() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "PRIVACY_RETENTION", {})}


def months_before(moment: datetime, months: int) -> datetime:
    """The same local date and time `months` earlier (the 31st becomes the month's last day)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def _decided_at():
    names = {f.name for f in Application._meta.concrete_fields}
    # The review issue may add `decided_at`; until then a rejection's last change is it.
    rejected = (
        Coalesce("decided_at", "updated_at", output_field=DateTimeField())
        if "decided_at" in names
        else F("updated_at")
    )
    return Coalesce("withdrawn_at", rejected, output_field=DateTimeField())


def applications_due(now: datetime):
    cutoff = months_before(now, schedule()["applications_not_admitted_months"])
    # The marks hold ids as text (one table for every kind of row): compare them as text,
    # which PostgreSQL, unlike SQLite, does not do by itself.
    done = Anonymisation.objects.filter(
        target_type="applications.application",
        target_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return (
        Application.objects.filter(state__in=NOT_ADMITTED)
        .annotate(decision_at=_decided_at())
        .filter(decision_at__lte=cutoff)
        .exclude(Exists(done))
    )


def signups_due(now: datetime):
    cutoff = now - timedelta(days=schedule()["unverified_signups_days"])
    return User.objects.filter(
        role=Role.FOUNDER,
        email_verified_at__isnull=True,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        date_joined__lte=cutoff,
        memberships__isnull=True,
    )


def audit_due(now: datetime):
    years = schedule()["audit_entries_years"]
    return AuditEntry.objects.filter(at__lte=months_before(now, 12 * years))


def exports_due(now: datetime):
    cutoff = now - timedelta(days=schedule()["access_exports_days"])
    return DataRequest.objects.filter(export_ready_at__lte=cutoff).exclude(export_file="")


def _stats(rule: str, now: datetime, groups) -> None:
    RetentionStat.objects.bulk_create(
        RetentionStat(rule=rule, run_at=now, count=count, **key) for key, count in groups
    )


def _anonymise_applications(now: datetime) -> list[int]:
    due = applications_due(now)
    groups = (
        due.values("cohort__name", "sector__name", "state")
        .annotate(n=Count("pk"))
        .order_by("cohort__name", "sector__name", "state")
    )
    _stats(
        "applications_not_admitted",
        now,
        (
            (
                {
                    "cohort": g["cohort__name"],
                    "sector": g["sector__name"] or "",
                    "state": g["state"],
                },
                g["n"],
            )
            for g in groups
        ),
    )
    rows = list(due.values_list("pk", "pitch_deck"))
    ids = [pk for pk, _ in rows]
    Application.objects.filter(pk__in=ids).update(**APPLICATION_BLANKS)
    Anonymisation.objects.bulk_create(
        Anonymisation(
            target_type="applications.application",
            target_id=str(pk),
            rule="applications_not_admitted",
            at=now,
        )
        for pk in ids
    )
    files = [name for _, name in rows if name]
    if files:
        storage = Application._meta.get_field("pitch_deck").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return ids


def _delete_signups(now: datetime) -> list[int]:
    users = list(signups_due(now).order_by("pk"))
    _stats(
        "unverified_signups",
        now,
        (({"cohort": "", "sector": "", "state": "unverified"}, n) for n in [len(users)] if n),
    )
    deleted = []
    for user in users:
        try:
            with transaction.atomic():
                pk = user.pk
                user.delete()
                deleted.append(pk)
        except (ProtectedError, RestrictedError):
            continue
    return deleted


def _delete_audit(now: datetime) -> list[int]:
    due = audit_due(now)
    counts = Counter(dict(due.values_list("action").annotate(n=Count("pk")).order_by()))
    _stats(
        "audit_entries",
        now,
        (
            ({"cohort": "", "sector": "", "state": action[:32]}, n)
            for action, n in sorted(counts.items())
        ),
    )
    ids = list(due.values_list("pk", flat=True))
    # Audit entries are append-only for everyone else; the retention schedule is the one
    # path that removes them, once their time is up (a plain DELETE past the guard).
    due._raw_delete(due.db)
    return ids


def _delete_exports(now: datetime) -> list[int]:
    requests = list(exports_due(now))
    files = [r.export_file.name for r in requests]
    DataRequest.objects.filter(pk__in=[r.pk for r in requests]).update(export_file="")
    if files:
        storage = DataRequest._meta.get_field("export_file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return [r.pk for r in requests]


def retention_run(*, now: datetime | None = None) -> dict:
    """Carry out the schedule once; returns {rule: {"count": n, "ids": [...]}}."""
    now = now or timezone.now()
    with transaction.atomic():
        erased = {
            "applications_not_admitted": _anonymise_applications(now),
            "unverified_signups": _delete_signups(now),
            "audit_entries": _delete_audit(now),
            "access_exports": _delete_exports(now),
        }
        report = {rule: {"count": len(ids), "ids": ids} for rule, ids in erased.items()}
        audit_record(
            actor=None,
            action="retention.run",
            summary=", ".join(f"{rule}: {r['count']}" for rule, r in report.items()),
            data={"schedule": schedule(), "erased": report},
        )
    return report


def pending(now: datetime | None = None) -> dict[str, int]:
    """What a run would erase now, for the staff screen and `nurture retention --dry-run`."""
    now = now or timezone.now()
    return {
        "applications_not_admitted": applications_due(now).count(),
        "unverified_signups": signups_due(now).count(),
        "audit_entries": audit_due(now).count(),
        "access_exports": exports_due(now).count(),
    }
