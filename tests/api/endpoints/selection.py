"""Calibration, proposals and decisions (programme staff), and a founder's decision and
answer to an offer (its founders only; another startup's is not found)."""

from datetime import timedelta

from django.utils import timezone

from nurture.applications.models import ApplicationState
from nurture.reviewers.models import ReviewRound, RoundKind
from nurture.selection.models import Decision, OfferResponse, Outcome, Proposal, ProposalState

STAFF_ONLY = {
    "anonymous": 401,
    "founder": 403,
    "other_founder": 403,
    "reviewer": 403,
    "finance_approver": 403,
    "partner": 403,
    "programme_manager": 200,
    "administrator": 200,
}
STAFF_CREATE = {**STAFF_ONLY, "programme_manager": 201, "administrator": 201}
DECISION_READ = {
    "anonymous": 401,
    "founder": 200,
    "other_founder": 404,
    "reviewer": 404,
    "finance_approver": 404,
    "partner": 404,
    "programme_manager": 200,
    "administrator": 200,
}
OFFER_ANSWER = {**DECISION_READ, "programme_manager": 403, "administrator": 403}


def prepare(world):
    from tests import factories

    world["review_round"], _created = ReviewRound.objects.get_or_create(
        cohort=world["cohort"], kind=RoundKind.WRITTEN
    )
    world["proposal"] = Proposal.objects.create(cohort=world["cohort"], state=ProposalState.DONE)
    now = timezone.now()
    offer = factories.ApplicationFactory(
        startup=world["startup"],
        cohort=factories.CohortFactory(),
        state=ApplicationState.ACCEPTED,
        submitted_at=now,
    )
    Decision.objects.create(
        application=offer,
        outcome=Outcome.ACCEPTED,
        sent_at=now,
        offer_deadline=now + timedelta(days=14),
        response=OfferResponse.PENDING,
    )
    world["offer_application"] = offer


ENDPOINTS = {
    "selection round calibration": (
        lambda api, w: api.get(f"/selection/rounds/{w['review_round'].pk}/calibration"),
        STAFF_ONLY,
    ),
    "selection proposal run": (
        lambda api, w: api.post(f"/selection/cohorts/{w['cohort'].pk}/proposals"),
        STAFF_CREATE,
    ),
    "selection proposal detail": (
        lambda api, w: api.get(f"/selection/proposals/{w['proposal'].pk}"),
        STAFF_ONLY,
    ),
    "selection decisions record": (
        lambda api, w: api.post(
            f"/selection/proposals/{w['proposal'].pk}/decisions", {"decisions": []}
        ),
        STAFF_ONLY,
    ),
    "selection founder decision": (
        lambda api, w: api.get(f"/applications/{w['offer_application'].pk}/decision"),
        DECISION_READ,
    ),
    "selection offer answer": (
        lambda api, w: api.post(
            f"/applications/{w['offer_application'].pk}/offer", {"response": "confirm"}
        ),
        OFFER_ANSWER,
    ),
}
