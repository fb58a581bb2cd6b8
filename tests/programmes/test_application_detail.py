from django.urls import reverse

from nurture.applications import services
from nurture.applications.models import ApplicationState
from nurture.audit.models import AuditEntry
from tests import factories


def _url(application):
    return reverse("programmes:application_detail", args=[application.pk])


def test_shows_every_answer_the_members_and_the_pitch_deck_link(staff_client, db):
    application = factories.submitted(traction="Forty paying customers in Kowloon.")
    founder = application.startup.members.get()
    response = staff_client.get(_url(application))
    html = response.content.decode()
    assert response.status_code == 200
    assert application.startup.name in html
    assert application.product_description in html
    assert application.ai_description in html
    assert "Forty paying customers in Kowloon." in html
    assert founder.email in html
    assert reverse("applications:pitch_deck", args=[application.pk]) in html
    assert response.context["problems"] == []


def test_opening_the_page_records_the_staff_view(staff_client, programme_manager, db):
    application = factories.submitted()
    staff_client.get(_url(application))
    entry = AuditEntry.objects.get(action="application.viewed_details")
    assert entry.actor == programme_manager
    assert (entry.target_type, entry.target_id) == ("applications.application", str(application.pk))
    assert entry.ip_address == "127.0.0.1"
    staff_client.get(_url(application))
    assert AuditEntry.objects.filter(action="application.viewed_details").count() == 2


def test_refused_users_leave_no_view_in_the_log(client, db):
    application = factories.submitted()
    client.force_login(factories.ReviewerFactory())
    assert client.get(_url(application)).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="application.viewed").exists()


def test_shows_eligibility_problems(staff_client, db):
    application = factories.ApplicationFactory(
        team_size=1,
        full_time_staff=1,
        technical_staff=1,
        registered_in_hk=False,
        hk_presence_plan="",
        pitch_deck="",
    )
    response = staff_client.get(_url(application))
    fields = sorted({p.field for p in response.context["problems"]})
    assert fields == ["pitch_deck", "registered_in_hk", "team_size"]
    assert "The programme needs a team of at least 2 people." in response.content.decode()


def test_shows_the_state_history_from_the_audit_log(staff_client, db):
    application = factories.ApplicationFactory()
    founder = application.startup.members.get()
    services.application_submit(user=founder, application=application)
    application.refresh_from_db()
    services.application_withdraw(user=founder, application=application)
    response = staff_client.get(_url(application))
    history = [(e.action, e.state_from, e.state_to) for e in response.context["history"]]
    assert history == [
        ("application.submitted", "Draft", "Submitted"),
        ("application.withdrawn", "Submitted", "Withdrawn"),
    ]
    html = response.content.decode()
    assert "Draft → <strong>Submitted</strong>" in html
    # Views are listed apart from the changes, including this one.
    assert [e.action for e in response.context["views"]] == ["application.viewed_details"]


def test_a_draft_is_shown_as_a_draft(staff_client, db):
    application = factories.ApplicationFactory(state=ApplicationState.DRAFT)
    html = staff_client.get(_url(application)).content.decode()
    assert "This is a draft" in html


def test_founders_detail_url_sends_staff_to_this_page(staff_client, db):
    application = factories.submitted()
    response = staff_client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 302
    assert response["Location"] == _url(application)
