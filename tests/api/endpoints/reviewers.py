"""Rows for the reviewers' and assignment endpoints: staff run rounds and pairs, reviewers
keep their profile, bid and declare conflicts; everyone else gets 403, or 404 for objects."""

from django.utils import timezone

from nurture.applications.models import Application, ApplicationState
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
    world["spare_reviewers"] = [factories.ReviewerFactory() for _ in range(2)]
    for user in world["spare_reviewers"]:
        ReviewerProfile.objects.create(user=user, kind="entrepreneur")


def stage(world) -> dict:
    """The rounds and applications the rows need, made on first use rather than in
    `prepare`, so that the shared world's application lists stay as other rows expect. One
    cohort holds a written round in bidding and a panel round with a pair."""
    if "reviewers" in world:
        return world["reviewers"]
    cohort = factories.CallFactory().cohort
    bidding = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.WRITTEN, state=RoundState.BIDDING
    )
    bid_application = factories.submitted(cohort=cohort)
    application = factories.ApplicationFactory(
        cohort=cohort, state=ApplicationState.SHORTLISTED, submitted_at=timezone.now()
    )
    panel = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.PANEL, state=RoundState.ASSIGNED
    )
    world["reviewers"] = {
        "cohort": cohort,
        "bidding_round": bidding,
        "bid_application": bid_application,
        "assigned_round": panel,
        "assigned_application": application,
        "pair": Assignment.objects.create(
            round=panel, application=application, reviewer=world["users"]["reviewer"]
        ),
        "run": AssignmentRun.objects.create(round=panel, state=RunState.DONE),
        "spare": world["spare_reviewers"],
    }
    return world["reviewers"]


def unstage(world) -> None:
    """Take the staged rows away again, so that a refused call leaves the database as the
    matrix found it (the matrix checks that a refusal adds no application)."""
    staged = world.pop("reviewers", None)
    if staged is not None:
        Application.objects.filter(
            pk__in=[staged["bid_application"].pk, staged["assigned_application"].pk]
        ).delete()
        staged["cohort"].delete()


def staged(call):
    def run(api, w):
        fresh = "reviewers" not in w
        response = call(api, stage(w))
        if fresh and response.status_code >= 400:
            unstage(w)
        return response

    return run


def _new_cohort_round(api, w):
    return api.post("/reviewers/rounds", {"cohort": w["cohort"].pk, "kind": "panel"})


ENDPOINTS = {
    "review round list": (lambda api, w: api.get("/reviewers/rounds"), STAFF),
    "review round create": (
        _new_cohort_round,
        _with(STAFF, programme_manager=201, administrator=201),
    ),
    "review round detail": (
        staged(lambda api, s: api.get(f"/reviewers/rounds/{s['assigned_round'].pk}")),
        STAFF_OBJECT,
    ),
    "assignment run start": (
        staged(lambda api, s: api.post(f"/reviewers/rounds/{s['bidding_round'].pk}/runs")),
        _with(STAFF_OBJECT, programme_manager=202, administrator=202),
    ),
    "assignment run status": (
        staged(lambda api, s: api.get(f"/reviewers/runs/{s['run'].pk}")),
        STAFF_OBJECT,
    ),
    "round assignments": (
        staged(lambda api, s: api.get(f"/reviewers/rounds/{s['assigned_round'].pk}/assignments")),
        STAFF_OBJECT,
    ),
    "assignment add": (
        staged(
            lambda api, s: api.post(
                f"/reviewers/rounds/{s['assigned_round'].pk}/assignments",
                {"application": s["assigned_application"].pk, "reviewer": s["spare"][0].pk},
            )
        ),
        _with(STAFF_OBJECT, programme_manager=201, administrator=201),
    ),
    "assignment swap": (
        staged(
            lambda api, s: api.patch(
                f"/reviewers/assignments/{s['pair'].pk}", {"reviewer": s["spare"][1].pk}
            )
        ),
        STAFF_OBJECT,
    ),
    "assignment remove": (
        staged(
            lambda api, s: api.client.delete(
                f"/api/reviewers/assignments/{s['pair'].pk}", headers=api.headers
            )
        ),
        _with(STAFF_OBJECT, programme_manager=204, administrator=204),
    ),
    "review round publish": (
        staged(lambda api, s: api.post(f"/reviewers/rounds/{s['assigned_round'].pk}/publish")),
        STAFF_OBJECT,
    ),
    "reviewer profile": (lambda api, w: api.get("/reviewers/me"), REVIEWER),
    "reviewer profile update": (
        lambda api, w: api.patch("/reviewers/me", {"expertise": "Graph learning"}),
        REVIEWER,
    ),
    "bid list": (
        staged(lambda api, s: api.get(f"/reviewers/rounds/{s['bidding_round'].pk}/bids")),
        REVIEWER_OBJECT,
    ),
    "bid set": (
        staged(
            lambda api, s: api._call(
                "put",
                f"/reviewers/rounds/{s['bidding_round'].pk}/bids/{s['bid_application'].pk}",
                {"value": "eager"},
            )
        ),
        REVIEWER_OBJECT,
    ),
    "conflict declare": (
        staged(
            lambda api, s: api.post(
                "/reviewers/conflicts",
                {"application": s["bid_application"].pk, "reason": "Adviser"},
            )
        ),
        _with(REVIEWER, reviewer=201),
    ),
}
