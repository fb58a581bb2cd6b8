"""Drafts, submission, withdrawal and the deadline, through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
from nurture.programmes.models import Call
from tests import factories


@pytest.fixture
def founder_api(world, as_user):
    return as_user(world["users"]["founder"])


def _close(call):
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1)
    )


def _answers(application):
    application.refresh_from_db()
    return (
        application.state,
        application.team_size,
        application.product_description,
        application.pitch_deck.name,
        application.updated_at,
    )


def test_a_founder_starts_a_draft_in_an_open_call(world, founder_api):
    cohort = factories.CallFactory().cohort

    response = founder_api.post(
        "/applications", {"startup": world["startup"].pk, "cohort": cohort.pk}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["startup_id"], body["cohort_id"]) == (
        "draft",
        world["startup"].pk,
        cohort.pk,
    )
    # The draft starts with the startup's profile and lists what is still missing.
    assert body["registered_in_hk"] is True
    assert {p["field"] for p in body["problems"]} >= {"team_size", "pitch_deck"}


def test_one_application_per_startup_per_cohort(world, founder_api):
    response = founder_api.post(
        "/applications", {"startup": world["startup"].pk, "cohort": world["cohort"].pk}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert Application.objects.filter(startup=world["startup"]).count() == 1


def test_no_draft_in_a_closed_call(world, founder_api):
    call = factories.CallFactory()
    _close(call)

    response = founder_api.post(
        "/applications", {"startup": world["startup"].pk, "cohort": call.cohort_id}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "call_closed"
    assert not Application.objects.filter(cohort=call.cohort).exists()


def test_no_draft_in_an_upcoming_call(world, founder_api):
    now = timezone.now()
    call = factories.CallFactory(
        opens_at=now + timedelta(days=10), closes_at=now + timedelta(days=40)
    )

    response = founder_api.post(
        "/applications", {"startup": world["startup"].pk, "cohort": call.cohort_id}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "call_not_open"


def test_a_draft_for_an_unknown_cohort_is_not_found(world, founder_api):
    response = founder_api.post("/applications", {"startup": world["startup"].pk, "cohort": 99999})

    assert response.status_code == 404
    assert response.json()["errors"] == [{"field": "cohort", "message": "No such cohort."}]


def test_a_founder_changes_a_drafts_answers(world, founder_api):
    application = world["application"]
    sector = factories.SectorFactory()

    response = founder_api.patch(
        f"/applications/{application.pk}",
        {
            "team_size": 7,
            "founders_equity": "65.5",
            "sector": sector.pk,
            "platforms": ["sensetime", "sensetime"],
        },
    )

    assert response.status_code == 200, response.content
    application.refresh_from_db()
    assert (
        application.team_size,
        str(application.founders_equity),
        application.sector,
        application.platforms,
    ) == (7, "65.50", sector, ["sensetime"])
    # Fields that were not sent keep their values.
    assert application.full_time_staff == 4


def test_the_founder_submits_a_complete_draft(world, founder_api):
    application = world["application"]

    response = founder_api.post(f"/applications/{application.pk}/submit")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_an_ineligible_draft_is_not_submitted_and_the_problems_are_listed(world, founder_api):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(
        team_size=1, full_time_staff=1, technical_staff=1, founders_equity=5
    )

    response = founder_api.post(f"/applications/{application.pk}/submit")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "ineligible"
    assert {e["field"] for e in body["errors"]} == {"team_size", "founders_equity"}
    assert all(e["message"] for e in body["errors"])
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_a_submitted_application_can_no_longer_be_changed(world, founder_api):
    application = world["application"]
    founder_api.post(f"/applications/{application.pk}/submit")
    before = _answers(application)

    responses = [
        founder_api.patch(f"/applications/{application.pk}", {"team_size": 9}),
        founder_api.post(f"/applications/{application.pk}/submit"),
        founder_api.upload(f"/applications/{application.pk}/pitch-deck", factories.pdf_upload()),
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(409, "not_draft")] * 3
    assert _answers(application) == before


def test_after_the_deadline_nothing_is_changed_or_submitted(world, founder_api):
    application = world["application"]
    _close(world["call"])
    before = _answers(application)

    responses = [
        founder_api.patch(f"/applications/{application.pk}", {"team_size": 9}),
        founder_api.patch(f"/applications/{application.pk}", {}),
        founder_api.post(f"/applications/{application.pk}/submit"),
        founder_api.upload(f"/applications/{application.pk}/pitch-deck", factories.pdf_upload()),
        founder_api.upload(
            f"/applications/{application.pk}/pitch-deck", factories.pdf_upload(), method="put"
        ),
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(409, "call_closed")] * 5
    assert _answers(application) == before


def test_a_replayed_submission_after_the_deadline_is_refused(world, founder_api):
    application = world["application"]
    founder_api.post(f"/applications/{application.pk}/withdraw")
    founder_api.post(f"/applications/{application.pk}/reopen")
    _close(world["call"])

    response = founder_api.post(f"/applications/{application.pk}/submit")

    assert response.status_code == 409
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_withdraw_then_reopen_while_the_call_is_open(world, founder_api):
    application = world["application"]
    founder_api.post(f"/applications/{application.pk}/submit")

    withdrawn = founder_api.post(f"/applications/{application.pk}/withdraw")
    again = founder_api.post(f"/applications/{application.pk}/withdraw")
    reopened = founder_api.post(f"/applications/{application.pk}/reopen")

    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")
    assert (again.status_code, again.json()["code"]) == (409, "not_withdrawable")
    assert (reopened.status_code, reopened.json()["state"]) == (200, "draft")


def test_withdrawal_is_allowed_after_the_deadline_but_reopening_is_not(world, founder_api):
    application = world["application"]
    founder_api.post(f"/applications/{application.pk}/submit")
    _close(world["call"])

    withdrawn = founder_api.post(f"/applications/{application.pk}/withdraw")
    reopened = founder_api.post(f"/applications/{application.pk}/reopen")

    assert withdrawn.status_code == 200
    assert (reopened.status_code, reopened.json()["code"]) == (409, "call_closed")
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN


def test_only_a_withdrawn_application_is_reopened(world, founder_api):
    response = founder_api.post(f"/applications/{world['application'].pk}/reopen")

    assert (response.status_code, response.json()["code"]) == (409, "not_withdrawn")


def test_the_list_filters_by_cohort_and_state(world, as_user):
    staff = as_user(world["users"]["programme_manager"])
    elsewhere = factories.submitted()

    by_cohort = staff.get(f"/applications?cohort={world['cohort'].pk}").json()
    by_state = staff.get("/applications?state=submitted").json()

    assert {a["id"] for a in by_cohort["items"]} == {
        world["application"].pk,
        world["other_application"].pk,
    }
    assert [a["id"] for a in by_state["items"]] == [elsewhere.pk]


def test_the_staff_detail_view_is_audited_and_lists_no_problems(world, as_user):
    from nurture.audit.models import AuditEntry

    application = world["application"]
    body = as_user(world["users"]["programme_manager"]).get(f"/applications/{application.pk}")

    assert body.json()["problems"] == []
    assert AuditEntry.objects.filter(
        action="application.viewed_details", target_id=str(application.pk)
    ).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"team_size": "many"}, "team_size"),
        ({"team_size": 0}, "team_size"),
        ({"team_size": 10**12}, "team_size"),
        ({"founders_equity": 150}, "founders_equity"),
        ({"founders_equity": "NaN"}, "founders_equity"),
        ({"founders_equity": "12.345"}, "founders_equity"),
        ({"funding_raised_usd": -1}, "funding_raised_usd"),
        ({"date_founded": "yesterday"}, "date_founded"),
        ({"stage": "unicorn"}, "stage"),
        ({"platforms": ["aws"]}, "platforms.0"),
        ({"platforms": "sensetime"}, "platforms"),
        ({"sector": 999999}, "sector"),
        ({"sector": "fintech"}, "sector"),
        ({"hk_presence_plan": None}, "hk_presence_plan"),
        ({"product_description": "x" * 5001}, "product_description"),
        ({"business_registration_number": "1" * 33}, "business_registration_number"),
        ({"state": "accepted"}, "state"),
        ({"pitch_deck_name": "x.pdf"}, "pitch_deck_name"),
    ],
)
def test_invalid_answers_are_refused_with_the_field(world, founder_api, payload, field):
    application = world["application"]
    before = _answers(application)

    response = founder_api.patch(f"/applications/{application.pk}", payload)

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in {e["field"] for e in body["errors"]}
    assert _answers(application) == before


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '"text"', "null", "1"],
)
def test_a_malformed_body_is_a_client_error(world, founder_api, body):
    response = founder_api.client.patch(
        f"/api/applications/{world['application'].pk}",
        body,
        content_type="application/json",
        headers=founder_api.headers,
    )

    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"detail", "code", "errors"}


@pytest.mark.parametrize(
    "path",
    [
        "/applications/abc",
        "/applications/0",
        "/applications/-1",
        "/applications/99999999999999999999999",
        "/applications/1.5",
        "/applications?cohort=abc",
        "/applications?cohort=99999999999999999999999",
        "/applications?state=bogus",
        "/applications?page=0",
        "/applications?page=abc",
        "/calls?status=soon",
        "/startups/abc",
        "/programmes/99999999999999999999999",
    ],
)
def test_bad_ids_and_filters_are_client_errors(world, founder_api, path):
    response = founder_api.get(path)

    assert 400 <= response.status_code < 500


def test_an_unknown_method_is_refused(world, founder_api):
    response = founder_api.client.delete(
        f"/api/applications/{world['application'].pk}", headers=founder_api.headers
    )

    assert response.status_code == 405
    assert Application.objects.filter(pk=world["application"].pk).exists()


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", {"open"}), ("upcoming", {"upcoming"}), ("closed", {"closed"})],
)
def test_calls_filter_by_status(db, status, expected):
    from .conftest import ApiClient

    now = timezone.now()
    factories.CallFactory()
    factories.CallFactory(opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=9))
    factories.CallFactory(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=5))

    body = ApiClient().get(f"/calls?status={status}").json()

    assert {c["status"] for c in body["items"]} == expected
    assert body["count"] == 1
