"""Direct marketing: consent checked when queued and when sent, a working one-click opt-out."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from nurture.audit.models import AuditEntry
from nurture.privacy import services
from nurture.privacy.marketing import unsubscribe_token
from nurture.privacy.models import (
    Audience,
    DeliveryStatus,
    MarketingDelivery,
    MarketingKind,
    MarketingMessage,
)
from nurture.privacy.services import marketing_consent_given, marketing_consent_set
from nurture.privacy.tasks import marketing_deliver
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_only(settings):
    """Tasks are queued but not run, as with a worker that has not picked them up yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _message(**kwargs) -> MarketingMessage:
    fields = {
        "kind": MarketingKind.EVENT,
        "audience": Audience.FOUNDERS,
        "subject_en": "Demo day on 5 March",
        "subject_zh_hant": "三月五日示範日",
        "body_en": "Meet the investors.",
        "body_zh_hant": "與投資者會面。",
        **kwargs,
    }
    return MarketingMessage.objects.create(**fields)


def _consenting_founder():
    founder = factories.FounderFactory()
    marketing_consent_set(user=founder, granted=True, context="test")
    return founder


def test_marketing_to_a_person_without_consent_is_refused_and_logged(
    django_capture_on_commit_callbacks,
):
    manager = factories.ProgrammeManagerFactory()
    consenting = _consenting_founder()
    silent = factories.FounderFactory()
    message = _message()

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.marketing_message_send(actor=manager, message=message)

    assert counts == {"queued": 1, "refused": 1}
    statuses = dict(MarketingDelivery.objects.values_list("user_id", "status"))
    assert statuses == {consenting.pk: DeliveryStatus.SENT, silent.pk: DeliveryStatus.REFUSED}
    assert [m.to for m in mail.outbox] == [[consenting.email]]
    refusal = AuditEntry.objects.get(action="marketing.refused")
    assert refusal.data == {"message": message.pk, "user": silent.pk}
    assert refusal.actor == manager


def test_an_explicit_send_to_someone_who_withdrew_is_refused(django_capture_on_commit_callbacks):
    founder = _consenting_founder()
    marketing_consent_set(user=founder, granted=False, context="profile")

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.marketing_message_send(actor=None, message=_message(), users=[founder])

    assert counts == {"queued": 0, "refused": 1}
    assert mail.outbox == []


def test_an_opt_out_from_the_link_stops_an_already_queued_message(queue_only, client):
    founder = _consenting_founder()
    message = _message()
    services.marketing_message_send(actor=None, message=message)
    delivery = MarketingDelivery.objects.get(user=founder)
    assert delivery.status == DeliveryStatus.QUEUED

    token = unsubscribe_token(user_id=founder.pk, delivery_id=delivery.pk)
    response = client.post(reverse("privacy:unsubscribe", args=[token]))
    assert response.status_code == 200
    # The worker picks the task up only now.
    assert marketing_deliver.call(delivery_id=delivery.pk) == DeliveryStatus.SUPPRESSED

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUPPRESSED
    assert mail.outbox == []
    assert not marketing_consent_given(user=founder)


def test_the_task_checks_consent_again_when_it_runs(queue_only):
    """Whatever path recorded the withdrawal, the task itself refuses to send."""
    from nurture.privacy.models import NoticeKind
    from nurture.privacy.services import consent_record

    founder = _consenting_founder()
    services.marketing_message_send(actor=None, message=_message())
    delivery = MarketingDelivery.objects.get(user=founder)

    consent_record(user=founder, kind=NoticeKind.MARKETING, granted=False, context="import")
    status = marketing_deliver.call(delivery_id=delivery.pk)

    assert status == DeliveryStatus.SUPPRESSED
    assert mail.outbox == []
    entry = AuditEntry.objects.get(action="marketing.suppressed")
    assert (entry.target_type, entry.target_id) == ("privacy.marketingdelivery", str(delivery.pk))


def test_every_marketing_email_carries_a_one_click_opt_out(django_capture_on_commit_callbacks):
    founder = _consenting_founder()

    with django_capture_on_commit_callbacks(execute=True):
        services.marketing_message_send(actor=None, message=_message())

    (email,) = mail.outbox
    link = re.search(r"https?://\S+/privacy/unsubscribe/\S+/", email.body).group(0)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Demo day on 5 March" in email.subject and "三月五日示範日" in email.subject
    assert "Meet the investors." in email.body and "與投資者會面。" in email.body
    assert founder.email in email.to


def test_the_rfc_8058_one_click_post_opts_out_without_a_session_or_csrf_token(
    django_capture_on_commit_callbacks,
):
    from django.test import Client

    founder = _consenting_founder()
    with django_capture_on_commit_callbacks(execute=True):
        services.marketing_message_send(actor=None, message=_message())
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]

    response = Client(enforce_csrf_checks=True).post(
        "/" + path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not marketing_consent_given(user=founder)


def test_the_opt_out_page_asks_first_and_changes_nothing_on_get(client):
    founder = _consenting_founder()
    response = client.get(
        reverse("privacy:unsubscribe", args=[unsubscribe_token(user_id=founder.pk)])
    )

    assert response.status_code == 200
    assert b"Stop sending me news" in response.content
    assert marketing_consent_given(user=founder)


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:1abc:forged"])
def test_a_tampered_opt_out_link_is_refused_with_a_clear_page(client, token):
    response = client.post(reverse("privacy:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert b"This link does not work" in response.content


def test_a_message_is_sent_to_its_audience_only_once(django_capture_on_commit_callbacks):
    _consenting_founder()
    message = _message()
    with django_capture_on_commit_callbacks(execute=True):
        services.marketing_message_send(actor=None, message=message)

    with pytest.raises(services.PrivacyError):
        services.marketing_message_send(actor=None, message=message)
    assert len(mail.outbox) == 1


def test_programme_mail_is_a_different_path_without_opt_out(django_capture_on_commit_callbacks):
    """Programme e-mails (here the application received) need no consent and carry no
    marketing headers: they are not marketing."""
    from nurture.core.mail import send_templated_mail

    founder = factories.FounderFactory()
    send_templated_mail.call(
        to=[founder.email],
        template="privacy/email/export_ready",
        context={"request_id": 1, "url": "x"},
    )
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_staff_compose_send_and_see_statuses(client, django_capture_on_commit_callbacks):
    manager = factories.ProgrammeManagerFactory()
    _consenting_founder()
    factories.FounderFactory()
    client.force_login(manager)

    response = client.post(
        reverse("privacy:marketing_create"),
        {
            "kind": "newsletter",
            "audience": "founders",
            "subject_en": "Autumn newsletter",
            "subject_zh_hant": "秋季通訊",
            "body_en": "News.",
            "body_zh_hant": "消息。",
        },
    )
    message = MarketingMessage.objects.get()
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:marketing_send", args=[message.pk]))
    page = client.get(reverse("privacy:marketing_detail", args=[message.pk])).content.decode()

    assert "Refused: no consent" in page and "Sent" in page
    listing = client.get(reverse("privacy:marketing_list")).content.decode()
    assert "Autumn newsletter" in listing


def test_a_message_with_missing_fields_is_refused_with_errors(client):
    client.force_login(factories.ProgrammeManagerFactory())

    response = client.post(reverse("privacy:marketing_create"), {"kind": "spam"})

    assert response.status_code == 400
    assert MarketingMessage.objects.count() == 0


def test_a_withdrawal_marks_queued_deliveries_suppressed_at_once(queue_only):
    founder = _consenting_founder()
    services.marketing_message_send(actor=None, message=_message())

    marketing_consent_set(user=founder, granted=False, context="profile")

    delivery = MarketingDelivery.objects.get(user=founder)
    assert delivery.status == DeliveryStatus.SUPPRESSED
    entry = AuditEntry.objects.get(action="marketing.suppressed")
    assert entry.data == {"deliveries": [delivery.pk], "context": "profile"}
    assert marketing_deliver.call(delivery_id=delivery.pk) == DeliveryStatus.SUPPRESSED
    assert mail.outbox == []
