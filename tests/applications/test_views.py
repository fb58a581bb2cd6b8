from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
from nurture.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

ANSWERS = {
    "registered_in_hk": "on",
    "business_registration_number": "71234567",
    "date_founded": "2025-06-01",
    "team_size": "4",
    "full_time_staff": "3",
    "technical_staff": "2",
    "founders_equity": "85",
    "product_description": "Drone inspection of building facades.",
    "ai_description": "Defect detection with vision transformers.",
    "stage": "mvp",
    "traction": "Two pilots.",
    "funding_raised_usd": "50000",
    "gpu_hours_per_month": "100",
    "platforms": ["alibaba_cloud", "sensetime"],
    "lab_needs": "Introductions to property managers.",
}


def answers(**changes):
    from nurture.programmes.models import Sector

    return {**ANSWERS, "sector": str(Sector.objects.order_by("id").first().pk), **changes}


def start(client, founder, startup, cohort):
    return client.post(reverse("applications:start"), {"startup": startup.pk, "cohort": cohort.pk})


def test_the_whole_journey_draft_upload_submit(
    client, open_call, django_capture_on_commit_callbacks
):
    startup, founder = factories.startup_with_founder()
    client.force_login(founder)
    response = start(client, founder, startup, open_call.cohort)
    application = Application.objects.get()
    assert response.url == reverse("applications:edit", args=[application.pk])
    edit = reverse("applications:edit", args=[application.pk])
    assert "Personal information collection statement" in client.get(edit).content.decode()
    client.post(edit, answers(pitch_deck=factories.pdf_upload()))
    application.refresh_from_db()
    assert application.platforms == ["alibaba_cloud", "sensetime"]
    assert application.pitch_deck_name == "deck.pdf"
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "You can submit" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_save_and_submit_in_one_step_reports_missing_answers(client):
    application = factories.ApplicationFactory(pitch_deck=None)
    founder = application.startup.members.get()
    client.force_login(founder)
    response = client.post(
        reverse("applications:edit", args=[application.pk]),
        answers(ai_description="", submit="1"),
        follow=True,
    )
    body = response.content.decode()
    assert "not ready to submit" in body
    assert "Please upload your pitch deck" in body
    application.refresh_from_db()
    assert (application.state, application.ai_description) == (ApplicationState.DRAFT, "")


def test_one_application_per_startup_per_cohort(client, open_call):
    startup, founder = factories.startup_with_founder()
    client.force_login(founder)
    start(client, founder, startup, open_call.cohort)
    response = start(client, founder, startup, open_call.cohort)
    assert response.url == reverse("applications:detail", args=[Application.objects.get().pk])
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("deck.pdf", b"MZ\x90\x00 this is an executable renamed", "not a PDF"),
        ("deck.pdf", b"%PDF-1.7\n garbage that is not a pdf", "could not be read"),
        ("deck.pdf", b"", "empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client, name, content, message):
    application = factories.ApplicationFactory(pitch_deck=None)
    client.force_login(application.startup.members.get())
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("applications:edit", args=[application.pk]), answers(pitch_deck=upload)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    application.refresh_from_db()
    assert not application.pitch_deck
    assert application.traction == "Three paying pilots with property managers."


def test_an_oversized_upload_is_refused(client, settings):
    settings.MAX_UPLOAD_MB = 1
    application = factories.ApplicationFactory(pitch_deck=None)
    client.force_login(application.startup.members.get())
    big = factories.pdf_bytes() + b"%" + b"0" * (1024 * 1024 + 10)
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")
    response = client.post(
        reverse("applications:edit", args=[application.pk]), answers(pitch_deck=upload)
    )
    assert "the limit is 1 MB" in response.content.decode()
    application.refresh_from_db()
    assert not application.pitch_deck


def test_a_file_name_with_path_parts_is_stored_by_its_base_name(client):
    application = factories.ApplicationFactory(pitch_deck=None)
    client.force_login(application.startup.members.get())
    upload = factories.pdf_upload(name="..\\..\\windows\\deck final.pdf")
    client.post(reverse("applications:edit", args=[application.pk]), answers(pitch_deck=upload))
    application.refresh_from_db()
    assert application.pitch_deck_name == "deck final.pdf"
    response = client.get(reverse("applications:pitch_deck", args=[application.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="deck final.pdf"'
    response.close()


def test_after_the_deadline_the_form_and_replayed_posts_change_nothing(client):
    application = factories.ApplicationFactory(traction="before")
    client.force_login(application.startup.members.get())
    call = application.cohort.call
    call.opens_at, call.closes_at = (
        timezone.now() - timedelta(days=9),
        timezone.now() - timedelta(seconds=1),
    )
    call.save()
    edit = reverse("applications:edit", args=[application.pk])
    assert client.get(edit).status_code == 302
    response = client.post(edit, answers(traction="after"), follow=True)
    assert "can no longer be changed" in response.content.decode()
    client.post(reverse("applications:submit", args=[application.pk]))
    application.refresh_from_db()
    assert (application.state, application.traction) == (ApplicationState.DRAFT, "before")


def test_withdraw_from_the_page(client):
    application = factories.submitted()
    client.force_login(application.startup.members.get())
    client.post(reverse("applications:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN


def test_the_pitch_deck_is_served_only_to_the_team_and_staff(client):
    application = factories.submitted()
    url = reverse("applications:pitch_deck", args=[application.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, expected in [
        (factories.FounderFactory(), 403),
        (factories.ReviewerFactory(), 403),
        (factories.PartnerFactory(), 403),
        (factories.FinanceApproverFactory(), 403),
        (application.startup.members.get(), 200),
        (factories.ProgrammeManagerFactory(), 200),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user.role
        if expected == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
        response.close()


def test_a_staff_download_is_recorded_in_the_audit_log(client):
    application = factories.submitted()
    manager = factories.ProgrammeManagerFactory()
    client.force_login(manager)
    client.get(reverse("applications:pitch_deck", args=[application.pk])).close()
    entry = AuditEntry.objects.get(action="application.viewed_pitch_deck")
    assert (entry.actor, entry.target_id, entry.ip_address) == (
        manager,
        str(application.pk),
        "127.0.0.1",
    )


def test_another_founder_cannot_open_edit_or_act_on_the_application(client):
    application = factories.ApplicationFactory()
    client.force_login(factories.FounderFactory())
    for name in ("detail", "edit"):
        assert client.get(reverse(f"applications:{name}", args=[application.pk])).status_code == 403
    for name in ("submit", "withdraw", "reopen"):
        assert (
            client.post(reverse(f"applications:{name}", args=[application.pk])).status_code == 403
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_my_applications_lists_only_my_startups(client):
    mine = factories.ApplicationFactory()
    other = factories.ApplicationFactory()
    client.force_login(mine.startup.members.get())
    body = client.get(reverse("applications:mine")).content.decode()
    assert mine.startup.name in body
    assert other.startup.name not in body


def test_bad_start_input_gives_a_message_not_an_error(client, founder):
    client.force_login(founder)
    response = client.post(
        reverse("applications:start"), {"startup": "abc", "cohort": "x"}, follow=True
    )
    assert response.status_code == 200
    assert "Please choose a startup and an open call." in response.content.decode()
