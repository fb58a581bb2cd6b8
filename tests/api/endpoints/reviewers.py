"""Rows for the reviewers' and assignment endpoints: staff run rounds and pairs, reviewers
keep their profile, bid and declare conflicts; everyone else gets 403, or 404 for objects."""

from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.reviewers.models import (
    Assignment,
    AssignmentRun,
    ReviewerProfile,
    ReviewRound,
    RoundKind,
    RoundState,
    RunState,
)
from tests import factories

from ..conftest import ROLES

STAFF = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": 401,
    "programme_manager": 200,
    "administrator": 200,
}
STAFF_OBJECT = {
    **STAFF,
    **dict.fromkeys(["founder", "other_founder", "reviewer", "finance_approver", "partner"], 404),
}
REVIEWER = {**dict.fromkeys(ROLES, 403), "anonymous": 401, "reviewer": 200}
REVIEWER_OBJECT = {**dict.fromkeys(ROLES, 404), "anonymous": 401, "reviewer": 200}


def _with(expected, **codes):
    return {**expected, **codes}


def prepare(world):
    reviewer = world["users"]["reviewer"]
    ReviewerProfile.objects.create(user=reviewer, kind="professor", expertise="Vision")
    spare = [factories.ReviewerFactory() for _ in range(2)]
    for user in spare:
        ReviewerProfile.objects.create(user=user, kind="entrepreneur")
    # One new cohort holds both rounds (a written one in bidding, a panel one assigned), so
    # the matrix builds few cohorts.
    cohort = factories.CallFactory().cohort
    world["bid_application"] = factories.submitted(cohort=cohort)
    world["bidding_round"] = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.WRITTEN, state=RoundState.BIDDING
    )
    application = factories.ApplicationFactory(
        cohort=cohort, state=ApplicationState.SHORTLISTED, submitted_at=timezone.now()
    )
    review_round = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.PANEL, state=RoundState.ASSIGNED
    )
    world["assigned_round"] = review_round
    world["assigned_application"] = application
    world["pair"] = Assignment.objects.create(
        round=review_round, application=application, reviewer=reviewer
    )
    world["spare_reviewers"] = spare
    world["run"] = AssignmentRun.objects.create(round=review_round, state=RunState.DONE)


def _new_cohort_round(api, w):
    return api.post("/reviewers/rounds", {"cohort": w["cohort"].pk, "kind": "panel"})


ENDPOINTS = {
    "review round list": (lambda api, w: api.get("/reviewers/rounds"), STAFF),
    "review round create": (
        _new_cohort_round,
        _with(STAFF, programme_manager=201, administrator=201),
    ),
    "review round detail": (
        lambda api, w: api.get(f"/reviewers/rounds/{w['assigned_round'].pk}"),
        STAFF_OBJECT,
    ),
    "assignment run start": (
        lambda api, w: api.post(f"/reviewers/rounds/{w['bidding_round'].pk}/runs"),
        _with(STAFF_OBJECT, programme_manager=202, administrator=202),
    ),
    "assignment run status": (
        lambda api, w: api.get(f"/reviewers/runs/{w['run'].pk}"),
        STAFF_OBJECT,
    ),
    "round assignments": (
        lambda api, w: api.get(f"/reviewers/rounds/{w['assigned_round'].pk}/assignments"),
        STAFF_OBJECT,
    ),
    "assignment add": (
        lambda api, w: api.post(
            f"/reviewers/rounds/{w['assigned_round'].pk}/assignments",
            {"application": w["assigned_application"].pk, "reviewer": w["spare_reviewers"][0].pk},
        ),
        _with(STAFF_OBJECT, programme_manager=201, administrator=201),
    ),
    "assignment swap": (
        lambda api, w: api.patch(
            f"/reviewers/assignments/{w['pair'].pk}", {"reviewer": w["spare_reviewers"][1].pk}
        ),
        STAFF_OBJECT,
    ),
    "assignment remove": (
        lambda api, w: api.client.delete(
            f"/api/reviewers/assignments/{w['pair'].pk}", headers=api.headers
        ),
        _with(STAFF_OBJECT, programme_manager=204, administrator=204),
    ),
    "review round publish": (
        lambda api, w: api.post(f"/reviewers/rounds/{w['assigned_round'].pk}/publish"),
        STAFF_OBJECT,
    ),
    "reviewer profile": (lambda api, w: api.get("/reviewers/me"), REVIEWER),
    "reviewer profile update": (
        lambda api, w: api.patch("/reviewers/me", {"expertise": "Graph learning"}),
        REVIEWER,
    ),
    "bid list": (
        lambda api, w: api.get(f"/reviewers/rounds/{w['bidding_round'].pk}/bids"),
        REVIEWER_OBJECT,
    ),
    "bid set": (
        lambda api, w: api._call(
            "put",
            f"/reviewers/rounds/{w['bidding_round'].pk}/bids/{w['bid_application'].pk}",
            {"value": "eager"},
        ),
        REVIEWER_OBJECT,
    ),
    "conflict declare": (
        lambda api, w: api.post(
            "/reviewers/conflicts", {"application": w["bid_application"].pk, "reason": "Adviser"}
        ),
        _with(REVIEWER, reviewer=201),
    ),
}
