import inspect

import pytest

from nurture.accounts.services import api_token_create
from nurture.selection.models import Decision, OfferResponse, Outcome, ProposalKind
from tests import factories
from tests.api.conftest import ApiClient

from .conftest import cohort_with_applications, real_reviews

pytestmark = pytest.mark.django_db


def _api(user) -> ApiClient:
    # A token that may write, whether or not tokens carry scopes.
    scopes = {"scopes": "read write"}
    if "scopes" not in inspect.signature(api_token_create).parameters:
        scopes = {}
    _token, key = api_token_create(user=user, name="tests", **scopes)
    return ApiClient(key)


@pytest.fixture
def decided(django_capture_on_commit_callbacks):
    cohort, apps = cohort_with_applications(12)
    review_round, reviewers = real_reviews(cohort, apps, [1.5 + 0.25 * i for i in range(12)])
    manager = _api(factories.ProgrammeManagerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/selection/cohorts/{cohort.pk}/proposals")
    assert response.status_code == 201, response.content
    # The task ran after commit, once the response was made.
    proposal = manager.get(f"/selection/proposals/{response.json()['id']}").json()
    return cohort, apps, review_round, reviewers, manager, proposal


def test_calibration_endpoint_gives_raw_and_calibrated(decided):
    cohort, apps, review_round, reviewers, manager, _ = decided
    body = manager.get(f"/selection/rounds/{review_round.pk}/calibration").json()
    assert len(body["applications"]) == 12 and len(body["reviewers"]) == 5
    assert body["applications"][0]["application"] == apps[-1].pk
    assert {"raw_mean", "calibrated", "flagged"} <= set(body["applications"][0])


def test_proposal_holds_explanations_and_probabilities(decided):
    *_, manager, proposal = decided
    assert proposal["state"] == "done"
    outcomes = [c["outcome"] for c in proposal["candidates"]]
    assert outcomes.count("accepted") == 10
    first = proposal["candidates"][0]
    assert first["reason"] == "merit" and first["probability"] == pytest.approx(1.0)
    assert manager.get(f"/selection/proposals/{proposal['id']}").json() == proposal


@pytest.mark.parametrize(
    "payload",
    [
        {"decisions": [{"application": 1, "outcome": "maybe"}]},
        {"decisions": "all"},
        {"decisions": [{"application": 0, "outcome": "accepted"}]},
    ],
)
def test_malformed_decisions_are_refused(decided, payload):
    *_, manager, proposal = decided
    response = manager.post(f"/selection/proposals/{proposal['id']}/decisions", payload)
    assert response.status_code == 422
    assert not Decision.objects.exists()


def test_refused_decisions_save_nothing(decided):
    cohort, apps, *_, manager, proposal = decided
    url = f"/selection/proposals/{proposal['id']}/decisions"
    waitlisted = next(c for c in proposal["candidates"] if c["outcome"] == "waitlisted")
    no_reason = manager.post(
        url, {"decisions": [{"application": waitlisted["application"], "outcome": "rejected"}]}
    )
    twice = manager.post(
        url,
        {
            "decisions": [
                {"application": apps[0].pk, "outcome": "rejected"},
                {"application": apps[0].pk, "outcome": "accepted"},
            ]
        },
    )
    stranger = manager.post(
        url, {"decisions": [{"application": factories.submitted().pk, "outcome": "accepted"}]}
    )
    too_many = manager.post(
        url,
        {
            "decisions": [
                {"application": a.pk, "outcome": "accepted", "reason": "all in"} for a in apps
            ]
        },
    )
    assert [r.status_code for r in (no_reason, twice, stranger, too_many)] == [422] * 4
    assert not Decision.objects.exists()


def test_founder_reads_the_decision_without_reviewers_and_declines(
    decided, django_capture_on_commit_callbacks
):
    cohort, apps, review_round, reviewers, manager, proposal = decided
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/selection/proposals/{proposal['id']}/decisions", {"decisions": [], "send": True}
        )
    assert response.status_code == 200
    founder = _api(apps[-1].startup.members.get())
    body = founder.get(f"/applications/{apps[-1].pk}/decision").json()
    assert body["outcome"] == Outcome.ACCEPTED and body["response"] == "pending"
    assert len(body["feedback"]) == 3
    text = str(body)
    assert "Staff-only remark" not in text
    assert not any(r.full_name in text or r.email in text for r in reviewers)
    assert set(body) == {
        "application",
        "outcome",
        "waitlist_position",
        "sent_at",
        "offer_deadline",
        "response",
        "feedback",
    }
    other = _api(apps[0].startup.members.get())
    assert other.get(f"/applications/{apps[-1].pk}/decision").status_code == 404
    assert (
        other.post(f"/applications/{apps[-1].pk}/offer", {"response": "decline"}).status_code == 404
    )
    assert (
        founder.post(f"/applications/{apps[-1].pk}/offer", {"response": "later"}).status_code == 422
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = founder.post(f"/applications/{apps[-1].pk}/offer", {"response": "decline"})
    assert answer.status_code == 200 and answer.json()["response"] == OfferResponse.DECLINED
    again = founder.post(f"/applications/{apps[-1].pk}/offer", {"response": "confirm"})
    assert again.status_code == 409
    replacement = cohort.proposals.get(kind=ProposalKind.REPLACEMENT)
    assert replacement.candidates.filter(outcome="accepted", application=apps[1]).exists()
