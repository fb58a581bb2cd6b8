"""API rows for reviews: the assigned reviewer reaches their assignment and review; anyone
else gets 404 (as if it did not exist). Staff read the reviews of a round or application."""

from nurture.reviewers.models import Assignment, ReviewRound, RoundKind, RoundState
from nurture.reviews import services
from tests import factories

ROLES = (
    "anonymous",
    "founder",
    "other_founder",
    "reviewer",
    "finance_approver",
    "partner",
    "programme_manager",
    "administrator",
)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": 401}
ASSIGNED_ONLY = {**dict.fromkeys(ROLES, 404), "anonymous": 401, "reviewer": 200}
STAFF = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": 401,
    "programme_manager": 200,
    "administrator": 200,
}


def prepare(world):
    reviewer = world["users"]["reviewer"]
    cohort = factories.CallFactory().cohort
    application = factories.submitted(cohort=cohort, startup=world["startup"])
    review_round = ReviewRound.objects.create(
        cohort=cohort, kind=RoundKind.WRITTEN, state=RoundState.PUBLISHED
    )
    mine = Assignment.objects.create(round=review_round, application=application, reviewer=reviewer)
    peer = Assignment.objects.create(
        round=review_round, application=application, reviewer=factories.ReviewerFactory()
    )
    criteria = services.rubric_ensure(programme=cohort.programme)
    services.review_submit(
        user=peer.reviewer,
        assignment=peer,
        changes={
            "scores": {c.pk: 3 for c in criteria},
            "recommendation": "neutral",
            "confidence": 2,
        },
    )
    world["reviews_round"] = review_round
    world["reviews_assignment"] = mine
    world["reviews_application"] = application
    world["reviews_full"] = {
        "scores": {c.key: 4 for c in criteria},
        "recommendation": "yes",
        "confidence": 4,
        "comment": "Promising.",
    }


def _a(w) -> str:
    return f"/reviews/assignments/{w['reviews_assignment'].pk}"


ENDPOINTS = {
    "reviews: assignment list": (lambda api, w: api.get("/reviews/assignments"), SIGNED_IN),
    "reviews: assignment detail": (lambda api, w: api.get(_a(w)), ASSIGNED_ONLY),
    "reviews: assignment pitch deck": (
        lambda api, w: api.get(f"{_a(w)}/pitch-deck"),
        ASSIGNED_ONLY,
    ),
    "reviews: review get": (lambda api, w: api.get(f"{_a(w)}/review"), ASSIGNED_ONLY),
    "reviews: review save": (
        lambda api, w: api._call("put", f"{_a(w)}/review", {"comment": "Draft note."}),
        ASSIGNED_ONLY,
    ),
    "reviews: review submit": (
        lambda api, w: api.post(f"{_a(w)}/review/submit", w["reviews_full"]),
        ASSIGNED_ONLY,
    ),
    "reviews: round reviews": (
        lambda api, w: api.get(f"/reviews/rounds/{w['reviews_round'].pk}/reviews"),
        STAFF,
    ),
    "reviews: application reviews": (
        lambda api, w: api.get(f"/reviews/applications/{w['reviews_application'].pk}/reviews"),
        STAFF,
    ),
}
