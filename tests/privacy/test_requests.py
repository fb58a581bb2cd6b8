"""Data access and correction requests: the person asks, staff answer within 40 days."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from nurture.audit.models import AuditEntry
from nurture.privacy import services
from nurture.privacy.export import REGISTRY, build_export
from nurture.privacy.models import DataRequest, RequestKind, RequestState
from nurture.resources.models import Account, AccountKind, Resource, Unit
from nurture.startups.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db


def _person(name: str):
    """A founder with a startup, a submitted application with a deck, consents, a token,
    an invitation received and a ledger account: everything an export should find."""
    from nurture.accounts.services import api_token_create
    from nurture.privacy.services import marketing_consent_set

    application = factories.submitted(
        startup=factories.MemberFactory(
            user=factories.FounderFactory(full_name=name, email=f"{name.lower()}@example.com"),
            startup__name=f"{name} Robotics",
        ).startup,
        product_description=f"{name}'s product",
    )
    user = application.startup.members.get()
    marketing_consent_set(user=user, granted=True, context="test")
    api_token_create(user=user, name=f"{name} laptop")
    Invitation.objects.create(startup=factories.StartupFactory(), email=user.email)
    TOTPDevice.objects.create(user=user, name=f"{name} phone", confirmed=True)
    AccessFailureLog.objects.create(
        username=user.email, ip_address="192.0.2.1", user_agent="test", path_info="/"
    )
    Account.objects.create(
        startup=application.startup,
        kind=AccountKind.ASSET,
        resource=Resource.GPU_HOURS,
        unit=Unit.GPU_HOURS,
    )
    return user, application


def _open(content: bytes) -> tuple[dict, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


def test_every_app_contributes_to_the_export():
    assert set(REGISTRY) >= {
        "accounts",
        "startups",
        "applications",
        "privacy",
        "audit",
        "resources",
    }


def test_the_export_holds_everything_about_the_person_and_nothing_about_another():
    alice, alice_app = _person("Alice")
    bob, bob_app = _person("Bobby")

    document, files = _open(build_export(alice))
    text = json.dumps(document)
    data = document["data"]

    assert data["accounts"]["user"][0]["email"] == alice.email
    assert "password" not in data["accounts"]["user"][0]
    assert [t["name"] for t in data["accounts"]["api_tokens"]] == ["Alice laptop"]
    assert "key_hash" not in data["accounts"]["api_tokens"][0]
    assert [s["name"] for s in data["startups"]["startups"]] == ["Alice Robotics"]
    assert [i["email"] for i in data["startups"]["invitations_received"]] == [alice.email]
    assert [a["id"] for a in data["applications"]["applications"]] == [alice_app.pk]
    assert data["applications"]["applications"][0]["product_description"] == "Alice's product"
    assert len(data["privacy"]["consents"]) == 1
    assert {e["action"] for e in data["audit"]["audit_entries"]} >= {"consent.granted"}
    assert [a["startup_id"] for a in data["resources"]["ledger_accounts"]] == [alice_app.startup_id]
    assert [d["name"] for d in data["security"]["authenticator_apps"]] == ["Alice phone"]
    assert "key" not in data["security"]["authenticator_apps"][0]
    assert len(data["security"]["failed_sign_ins"]) == 1
    (deck,) = files
    assert deck.startswith(f"files/applications/application-{alice_app.pk}-")
    assert files[deck].startswith(b"%PDF-")
    # Nothing of the other person.
    for trace in (bob.email, "Bobby", bob_app.pitch_deck.name):
        assert trace not in text
    assert _people_named(document["data"]) == {alice.pk}
    assert not any(str(bob_app.pk) in name for name in files if name != deck)


def _people_named(value) -> set[int]:
    """Every user id that a record of the export points at."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("user_id", "actor_id", "created_by_id", "invited_by_id") and item:
                found.add(item)
            else:
                found |= _people_named(item)
    elif isinstance(value, list):
        for item in value:
            found |= _people_named(item)
    return found


def _access_request(user) -> DataRequest:
    return services.data_request_create(user=user, kind=RequestKind.ACCESS)


def test_a_person_asks_staff_export_and_the_person_downloads(
    client, django_capture_on_commit_callbacks
):
    founder, _application = _person("Carol")
    manager = factories.ProgrammeManagerFactory()
    client.force_login(founder)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:my_requests"), {"kind": "access"})
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert request.due_at - request.created_at == timedelta(days=40)
    assert manager.email in mail.outbox[-1].to

    client.force_login(manager)
    queue = client.get(reverse("privacy:request_queue")).content.decode()
    assert founder.email in queue and "40" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:request_export", args=[request.pk]))
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED and request.export_ready
    assert mail.outbox[-1].to == [founder.email]
    # Staff do not download it.
    assert client.get(reverse("privacy:export_download", args=[request.pk])).status_code == 404

    client.force_login(founder)
    response = client.get(reverse("privacy:export_download", args=[request.pk]))
    body = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert _open(body)[0]["subject"]["email"] == founder.email
    assert AuditEntry.objects.filter(action="data_request.export_downloaded").count() == 1


def test_another_person_cannot_download_an_export(client, django_capture_on_commit_callbacks):
    founder, _ = _person("Dora")
    request = _access_request(founder)
    with django_capture_on_commit_callbacks(execute=True):
        services.data_request_export_start(actor=None, request=request)
    client.force_login(factories.FounderFactory())

    assert client.get(reverse("privacy:export_download", args=[request.pk])).status_code == 404


def test_a_correction_is_applied_and_the_person_told(client, django_capture_on_commit_callbacks):
    founder = factories.FounderFactory(full_name="Wrong Name")
    request = services.data_request_create(
        user=founder, kind=RequestKind.CORRECTION, field="full_name", requested_value="Right Name"
    )
    client.force_login(factories.ProgrammeManagerFactory())
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).content.decode()
    assert "Wrong Name" in page and "Right Name" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:request_apply", args=[request.pk]), {"reason": "Done."})

    founder.refresh_from_db()
    request.refresh_from_db()
    assert founder.full_name == "Right Name"
    assert request.state == RequestState.COMPLETED
    assert mail.outbox[-1].to == [founder.email]
    assert "correction you asked for" in mail.outbox[-1].body


def test_a_refusal_needs_a_reason_and_tells_the_person(client, django_capture_on_commit_callbacks):
    founder = factories.FounderFactory()
    request = services.data_request_create(
        user=founder, kind=RequestKind.CORRECTION, field="other", details="My date of birth."
    )
    client.force_login(factories.ProgrammeManagerFactory())

    assert client.post(reverse("privacy:request_refuse", args=[request.pk])).status_code == 400
    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("privacy:request_refuse", args=[request.pk]),
            {"reason": "The Lab does not hold a date of birth."},
        )
    request.refresh_from_db()
    assert request.state == RequestState.REFUSED
    assert "does not hold a date of birth" in mail.outbox[-1].body


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "erase-everything"},
        {"kind": "correction"},
        {"kind": "correction", "field": "full_name"},
        {"kind": "correction", "field": "other"},
        {"kind": "correction", "field": "full_name", "requested_value": "x" * 301},
    ],
)
def test_bad_requests_are_refused_with_a_message(client, data):
    client.force_login(factories.FounderFactory())

    response = client.post(reverse("privacy:my_requests"), data)

    assert response.status_code == 400
    assert b"invalid-feedback" in response.content or b"alert-danger" in response.content
    assert DataRequest.objects.count() == 0


def test_a_closed_request_cannot_be_decided_again(client):
    founder = factories.FounderFactory()
    request = services.data_request_create(
        user=founder, kind=RequestKind.CORRECTION, field="organisation", requested_value="Lab"
    )
    services.data_request_refuse(actor=None, request=request, reason="No.")
    client.force_login(factories.ProgrammeManagerFactory())

    response = client.post(reverse("privacy:request_apply", args=[request.pk]))

    assert response.status_code == 409
    founder.refresh_from_db()
    assert founder.organisation == ""


def test_the_queue_marks_overdue_requests_and_days_left(client):
    founder = factories.FounderFactory()
    late = _access_request(founder)
    DataRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=3))
    _access_request(founder)
    client.force_login(factories.ProgrammeManagerFactory())

    page = client.get(reverse("privacy:request_queue")).content.decode()

    assert "table-danger" in page and "overdue by 3 days" in page


def test_reminders_name_requests_due_within_7_days_or_overdue(django_capture_on_commit_callbacks):
    manager = factories.ProgrammeManagerFactory()
    founder = factories.FounderFactory()
    now = timezone.now()
    due = {}
    for label, days in (("overdue", -1), ("soon", 6), ("later", 8)):
        request = (
            _access_request(founder)
            if label != "later"
            else services.data_request_create(
                user=founder, kind=RequestKind.CORRECTION, field="other", details="x"
            )
        )
        DataRequest.objects.filter(pk=request.pk).update(due_at=now + timedelta(days=days))
        due[label] = request.pk
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        count = services.data_request_send_reminders(now=now)

    assert count == 2
    (reminder,) = mail.outbox
    assert reminder.to == [manager.email]
    assert f"#{due['overdue']}" in reminder.body and "OVERDUE" in reminder.body
    assert f"#{due['soon']}" in reminder.body
    assert f"#{due['later']}" not in reminder.body


def test_the_profile_page_links_to_the_requests(client):
    client.force_login(factories.FounderFactory())

    page = client.get(reverse("accounts:profile")).content.decode()

    assert reverse("privacy:my_requests") in page


def test_the_staff_dashboard_shows_requests_due_and_overdue(client):
    founder = factories.FounderFactory()
    late = _access_request(founder)
    DataRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    soon = _access_request(founder)
    DataRequest.objects.filter(pk=soon.pk).update(due_at=timezone.now() + timedelta(days=3))
    _access_request(founder)
    client.force_login(factories.ProgrammeManagerFactory())

    page = client.get(reverse("core:dashboard")).content.decode()

    assert "3 open: 1 due within 7 days, 1 overdue." in page


def test_pages_poll_while_an_export_is_being_prepared(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    founder = factories.FounderFactory()
    request = _access_request(founder)
    services.data_request_export_start(actor=None, request=request)
    manager = factories.ProgrammeManagerFactory()

    client.force_login(manager)
    staff_page = client.get(reverse("privacy:request_detail", args=[request.pk])).content
    client.force_login(founder)
    own_page = client.get(reverse("privacy:my_requests")).content

    assert b'hx-trigger="every 3s"' in staff_page
    assert b'hx-trigger="every 3s"' in own_page and b"Export being prepared" in own_page
