"""Calibration, proposals and decisions (programme staff), and a founder's decision and
answer to an offer (its founders only; another startup's is not found)."""

from datetime import date, timedelta

from django.utils import timezone

from nurture.programmes.models import Cohort
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
# The founder passes authorization and meets the state check: only an accepted application's
# offer can be answered (tests/selection/test_api.py answers a real one).
OFFER_ANSWER = {**DECISION_READ, "founder": 409, "programme_manager": 403, "administrator": 403}


def prepare(world):
    world["review_round"], _created = ReviewRound.objects.get_or_create(
        cohort=world["cohort"], kind=RoundKind.WRITTEN
    )
    # Proposals on a cohort of their own: the world's cohort has a decision sent below.
    # Made directly, since CohortFactory's year sequence runs past 9999 in a long session.
    world["selection_cohort"] = Cohort.objects.create(
        programme=world["cohort"].programme,
        name="2029 Autumn",
        year=2029,
        intake="autumn",
        starts_on=date(2029, 9, 1),
        ends_on=date(2030, 2, 28),
    )
    world["proposal"] = Proposal.objects.create(
        cohort=world["selection_cohort"], state=ProposalState.DONE
    )
    now = timezone.now()
    # On the world's own application (a draft): rows of other areas count its applications.
    offer = world["application"]
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
        lambda api, w: api.post(f"/selection/cohorts/{w['selection_cohort'].pk}/proposals"),
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
