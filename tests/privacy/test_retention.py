"""The retention task anonymises and deletes exactly what the schedule says, no more."""

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from nurture.accounts.models import User
from nurture.applications.models import Application, ApplicationState
from nurture.audit.models import AuditEntry
from nurture.audit.services import audit_record
from nurture.privacy import retention
from nurture.privacy.models import Anonymisation, RetentionStat
from tests import factories

pytestmark = pytest.mark.django_db
HK = ZoneInfo("Asia/Hong_Kong")
NOW = datetime(2030, 6, 15, 12, 0, tzinfo=HK)
CUTOFF = datetime(2028, 6, 15, 12, 0, tzinfo=HK)  # 24 months before NOW


def _application(state, decided_at, **kwargs) -> Application:
    application = factories.ApplicationFactory(state=state, **kwargs)
    fields = {"updated_at": decided_at}
    if state == ApplicationState.WITHDRAWN:
        fields["withdrawn_at"] = decided_at
    Application.objects.filter(pk=application.pk).update(**fields)
    application.refresh_from_db()
    return application


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert retention.months_before(NOW, 24) == CUTOFF
    march_31 = datetime(2030, 3, 31, 9, 0, tzinfo=HK)
    assert retention.months_before(march_31, 1) == datetime(2030, 2, 28, 9, 0, tzinfo=HK)


def test_applications_not_admitted_are_anonymised_exactly_at_24_months(
    django_capture_on_commit_callbacks,
):
    second = timedelta(seconds=1)
    at_cutoff = _application(ApplicationState.REJECTED, CUTOFF)
    withdrawn_before = _application(ApplicationState.WITHDRAWN, CUTOFF - timedelta(days=1))
    just_after = _application(ApplicationState.REJECTED, CUTOFF + second)
    accepted_old = _application(ApplicationState.ACCEPTED, CUTOFF - timedelta(days=400))
    submitted_old = _application(ApplicationState.SUBMITTED, CUTOFF - timedelta(days=400))
    deck = at_cutoff.pitch_deck.name
    assert default_storage.exists(deck)

    with django_capture_on_commit_callbacks(execute=True):
        report = retention.retention_run(now=NOW)

    assert sorted(report["applications_not_admitted"]["ids"]) == sorted(
        [at_cutoff.pk, withdrawn_before.pk]
    )
    for kept in (just_after, accepted_old, submitted_old):
        kept.refresh_from_db()
        assert kept.product_description and kept.pitch_deck
    at_cutoff.refresh_from_db()
    assert at_cutoff.product_description == "" and at_cutoff.ai_description == ""
    assert at_cutoff.business_registration_number == "" and not at_cutoff.pitch_deck
    assert at_cutoff.pitch_deck_name == "" and at_cutoff.created_by_id is None
    # The row stays for statistics, with its cohort, sector, state and figures.
    assert at_cutoff.state == ApplicationState.REJECTED and at_cutoff.team_size == 5
    assert not default_storage.exists(deck)


def test_statistics_are_kept_before_erasing_and_the_run_is_logged_without_personal_data():
    sector = factories.SectorFactory(name="Retention test sector")
    cohort = factories.CallFactory().cohort
    apps = [
        _application(ApplicationState.REJECTED, CUTOFF, cohort=cohort, sector=sector)
        for _ in range(2)
    ]
    _application(ApplicationState.WITHDRAWN, CUTOFF, cohort=cohort, sector=sector)

    retention.retention_run(now=NOW)

    stats = set(
        RetentionStat.objects.filter(rule="applications_not_admitted").values_list(
            "cohort", "sector", "state", "count"
        )
    )
    assert stats == {
        (cohort.name, "Retention test sector", "rejected", 2),
        (cohort.name, "Retention test sector", "withdrawn", 1),
    }
    entry = AuditEntry.objects.get(action="retention.run")
    assert entry.data["erased"]["applications_not_admitted"]["count"] == 3
    assert apps[0].startup.name not in json.dumps(entry.data)
    assert apps[0].startup.members.get().email not in json.dumps(entry.data)


def test_a_second_run_changes_nothing():
    _application(ApplicationState.REJECTED, CUTOFF)
    retention.retention_run(now=NOW)

    report = retention.retention_run(now=NOW)

    assert all(r["count"] == 0 for r in report.values())
    assert Anonymisation.objects.count() == 1


def test_unconfirmed_sign_ups_are_deleted_after_30_days_and_no_one_else():
    now = datetime.now(HK)
    old_unverified = factories.FounderFactory(email_verified_at=None)
    young_unverified = factories.FounderFactory(email_verified_at=None)
    old_verified = factories.FounderFactory()
    old_staff = factories.ProgrammeManagerFactory(email_verified_at=None)
    with_startup = factories.MemberFactory(user__email_verified_at=None).user
    User.objects.filter(
        pk__in=[old_unverified.pk, old_verified.pk, old_staff.pk, with_startup.pk]
    ).update(date_joined=now - timedelta(days=30))
    User.objects.filter(pk=young_unverified.pk).update(
        date_joined=now - timedelta(days=29, hours=23)
    )

    report = retention.retention_run(now=now)

    assert report["unverified_signups"]["ids"] == [old_unverified.pk]
    assert set(User.objects.values_list("pk", flat=True)) >= {
        young_unverified.pk,
        old_verified.pk,
        old_staff.pk,
        with_startup.pk,
    }
    assert not User.objects.filter(pk=old_unverified.pk).exists()


def test_audit_entries_are_kept_seven_years():
    now = datetime(2035, 1, 10, 8, 0, tzinfo=HK)
    old = audit_record(actor=None, action="test.old")
    edge = audit_record(actor=None, action="test.edge")
    young = audit_record(actor=None, action="test.young")
    from django.db import connection

    with connection.cursor() as cursor:
        table = AuditEntry._meta.db_table
        for entry, at in (
            (old, datetime(2028, 1, 10, 7, 59, tzinfo=HK)),
            (edge, datetime(2028, 1, 10, 8, 0, tzinfo=HK)),
            (young, datetime(2028, 1, 10, 8, 1, tzinfo=HK)),
        ):
            cursor.execute(
                f"UPDATE {table} SET at = %s WHERE id = %s",
                [connection.ops.adapt_datetimefield_value(at), entry.pk],
            )

    report = retention.retention_run(now=now)

    assert sorted(report["audit_entries"]["ids"]) == sorted([old.pk, edge.pk])
    assert AuditEntry.objects.filter(pk=young.pk).exists()
    assert RetentionStat.objects.filter(rule="audit_entries", state="test.old", count=1).exists()


def test_the_schedule_is_configurable(settings):
    settings.PRIVACY_RETENTION = {"applications_not_admitted_months": 36}
    application = _application(ApplicationState.REJECTED, CUTOFF)

    report = retention.retention_run(now=NOW)

    assert report["applications_not_admitted"]["count"] == 0
    application.refresh_from_db()
    assert application.product_description


def test_the_command_runs_the_schedule_and_the_dry_run_only_counts():
    _application(ApplicationState.REJECTED, CUTOFF - timedelta(days=2000))
    out = StringIO()

    call_command("retention", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["pending"]["applications_not_admitted"] == 1
    assert Anonymisation.objects.count() == 0

    out = StringIO()
    call_command("retention", stdout=out)
    assert json.loads(out.getvalue())["applications_not_admitted"] == 1


def test_the_retention_page_shows_schedule_and_statistics(client):
    _application(ApplicationState.REJECTED, CUTOFF - timedelta(days=2000))
    retention.retention_run()
    client.force_login(factories.ProgrammeManagerFactory())

    page = client.get("/privacy/manage/retention/").content.decode()

    assert "anonymised 24 months after the decision" in page
    assert "applications_not_admitted" in page
