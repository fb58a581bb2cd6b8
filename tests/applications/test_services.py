from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nurture.applications import services
from nurture.applications.models import Application, ApplicationState
from nurture.audit.models import AuditEntry
from nurture.privacy.models import ConsentRecord
from tests import factories

pytestmark = pytest.mark.django_db


def close_call(application):
    call = application.cohort.call
    call.opens_at = timezone.now() - timedelta(days=30)
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()


def founder_of(application):
    return application.startup.members.first()


def test_start_creates_a_draft_and_records_consent(open_call):
    startup, founder = factories.startup_with_founder()
    application = services.application_start(user=founder, startup=startup, cohort=open_call.cohort)
    assert application.state == ApplicationState.DRAFT
    assert application.collection_notice.version == "2026-11"
    assert ConsentRecord.objects.filter(user=founder, granted=True).count() == 1
    assert AuditEntry.objects.filter(action="application.created").count() == 1


def test_start_twice_for_the_same_cohort_is_refused(open_call):
    startup, founder = factories.startup_with_founder()
    services.application_start(user=founder, startup=startup, cohort=open_call.cohort)
    with pytest.raises(services.ApplicationError) as error:
        services.application_start(user=founder, startup=startup, cohort=open_call.cohort)
    assert error.value.code == "duplicate"
    assert Application.objects.count() == 1


def test_start_by_someone_outside_the_startup_is_refused(open_call):
    startup, _founder = factories.startup_with_founder()
    stranger = factories.FounderFactory()
    with pytest.raises(services.ApplicationError) as error:
        services.application_start(user=stranger, startup=startup, cohort=open_call.cohort)
    assert error.value.code == "forbidden"
    assert Application.objects.count() == 0


def test_start_before_the_call_opens_is_refused():
    call = factories.CallFactory(
        opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=9)
    )
    startup, founder = factories.startup_with_founder()
    with pytest.raises(services.ApplicationError) as error:
        services.application_start(user=founder, startup=startup, cohort=call.cohort)
    assert error.value.code == "call_not_open"


def test_submit_an_eligible_draft_mails_the_team(django_capture_on_commit_callbacks):
    application = factories.ApplicationFactory()
    founder = founder_of(application)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(user=founder, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [founder.email]
    assert "Application received" in message.subject
    assert application.startup.name in message.body
    entry = AuditEntry.objects.get(action="application.submitted")
    assert entry.data == {"from": "draft", "to": "submitted"}


def test_submit_an_incomplete_draft_lists_the_problems():
    application = factories.ApplicationFactory(ai_description="", pitch_deck=None)
    with pytest.raises(services.ApplicationError) as error:
        services.application_submit(user=founder_of(application), application=application)
    assert error.value.code == "ineligible"
    assert {p.field for p in error.value.problems} == {"ai_description", "pitch_deck"}
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert mail.outbox == []


def test_submit_after_the_deadline_is_refused_and_changes_nothing():
    application = factories.ApplicationFactory()
    close_call(application)
    with pytest.raises(services.ApplicationError) as error:
        services.application_submit(user=founder_of(application), application=application)
    assert error.value.code == "call_closed"
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_update_after_the_deadline_is_refused_and_changes_nothing():
    application = factories.ApplicationFactory(traction="before")
    close_call(application)
    with pytest.raises(services.ApplicationError):
        services.application_update(
            user=founder_of(application), application=application, data={"traction": "after"}
        )
    application.refresh_from_db()
    assert application.traction == "before"


def test_update_a_submitted_application_is_refused():
    application = factories.submitted(traction="before")
    with pytest.raises(services.ApplicationError) as error:
        services.application_update(
            user=founder_of(application), application=application, data={"traction": "after"}
        )
    assert error.value.code == "not_draft"


def test_update_rejects_unknown_fields_and_platforms():
    application = factories.ApplicationFactory()
    founder = founder_of(application)
    with pytest.raises(services.ApplicationError):
        services.application_update(
            user=founder, application=application, data={"state": "accepted"}
        )
    with pytest.raises(services.ApplicationError):
        services.application_update(
            user=founder, application=application, data={"platforms": ["nowhere"]}
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert application.platforms == ["alibaba_cloud"]


def test_update_replaces_the_pitch_deck_and_keeps_only_the_base_name():
    application = factories.ApplicationFactory()
    upload = factories.pdf_upload(name="../../etc/passwd/my deck.pdf")
    services.application_update(
        user=founder_of(application), application=application, data={}, pitch_deck=upload
    )
    application.refresh_from_db()
    assert application.pitch_deck_name == "my deck.pdf"
    assert application.pitch_deck.name.startswith(f"pitch-decks/{application.cohort_id}/")
    assert ".." not in application.pitch_deck.name


def test_withdraw_then_reopen_while_the_call_is_open():
    application = factories.submitted()
    founder = founder_of(application)
    services.application_withdraw(user=founder, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    services.application_reopen(user=founder, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert application.submitted_at is None


def test_withdraw_after_the_deadline_is_allowed_but_reopen_is_not():
    application = factories.submitted()
    founder = founder_of(application)
    close_call(application)
    services.application_withdraw(user=founder, application=application)
    with pytest.raises(services.ApplicationError):
        services.application_reopen(user=founder, application=application)
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN


def test_a_decided_application_cannot_be_withdrawn():
    application = factories.ApplicationFactory(state=ApplicationState.ACCEPTED)
    with pytest.raises(services.ApplicationError) as error:
        services.application_withdraw(user=founder_of(application), application=application)
    assert error.value.code == "not_withdrawable"


def test_deadline_reminders_go_once_to_drafts_closing_within_72_hours(
    django_capture_on_commit_callbacks,
):
    soon = factories.ApplicationFactory()
    call = soon.cohort.call
    call.closes_at = timezone.now() + timedelta(hours=48)
    call.save()
    factories.ApplicationFactory()  # closes in three weeks: no reminder yet
    factories.submitted(cohort=soon.cohort)  # not a draft
    with django_capture_on_commit_callbacks(execute=True):
        assert services.application_send_deadline_reminders() == 1
        assert services.application_send_deadline_reminders() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [founder_of(soon).email]
    assert "Reminder" in mail.outbox[0].subject
