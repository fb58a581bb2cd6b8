"""Rows for calibration, selection, decisions and the founder's answer to an offer."""

from datetime import timedelta

from django.utils import timezone

from nurture.reviewers.models import ReviewRound, RoundKind
from nurture.selection.models import Decision, OfferResponse, Outcome, Proposal, ProposalState

from . import REDIRECT, staff_only, team_only


def prepare(world):
    world.review_round, _created = ReviewRound.objects.get_or_create(
        cohort=world.cohort, kind=RoundKind.WRITTEN
    )
    world.proposal = Proposal.objects.create(cohort=world.cohort, state=ProposalState.DONE)
    now = timezone.now()
    world.offer_application = world.application
    Decision.objects.create(
        application=world.offer_application,
        outcome=Outcome.ACCEPTED,
        sent_at=now,
        offer_deadline=now + timedelta(days=14),
        response=OfferResponse.PENDING,
    )


ROWS = {
    "selection:cohort": ("get", lambda w: [w.cohort.pk], staff_only()),
    "selection:settings": ("get", lambda w: [w.cohort.pk], staff_only()),
    "selection:shortlist": ("post", lambda w: [w.cohort.pk], staff_only(REDIRECT)),
    "selection:mark": ("post", lambda w: [w.cohort.pk], staff_only(REDIRECT)),
    "selection:proposal_run": ("post", lambda w: [w.cohort.pk], staff_only(REDIRECT)),
    "selection:send": ("post", lambda w: [w.cohort.pk], staff_only(REDIRECT)),
    "selection:calibration": ("get", lambda w: [w.review_round.pk], staff_only()),
    "selection:proposal": ("get", lambda w: [w.proposal.pk], staff_only()),
    "selection:decide": ("post", lambda w: [w.proposal.pk], staff_only(REDIRECT)),
    "selection:replacement_confirm": ("post", lambda w: [w.proposal.pk], staff_only(REDIRECT)),
    # Only the startup's founders answer its offer; staff see it but do not answer for them.
    "selection:offer": ("post", lambda w: [w.offer_application.pk], team_only(member=REDIRECT)),
}
