"""Demo selection (fictional): the proposal and decisions of the demo's reviewed cohort.

Called by `nurture.core.demo` after the reviews exist. The cohort's applications already
carry their demo outcome; this runs the real optimiser over the demo reviews, keeps its
proposal, and records the demo outcomes as the committee's decisions (with a reason where
they differ from the proposal), sent when the cohort was decided, with every offer
confirmed. Idempotent: a cohort that has a proposal is left alone.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction

from nurture.applications.models import ApplicationState

from .models import (
    Decision,
    OfferResponse,
    Outcome,
    Proposal,
    ProposalState,
    SelectionSettings,
)
from .services import proposal_compute

OUTCOMES = {
    ApplicationState.ACCEPTED: Outcome.ACCEPTED,
    ApplicationState.WAITLISTED: Outcome.WAITLISTED,
    ApplicationState.REJECTED: Outcome.REJECTED,
}
REASON = "Fictional demo: the committee's judgement after the pitches."


def demo_selection_load(*, cohort, manager, decided_at: datetime) -> Counter:
    created: Counter = Counter()
    if Proposal.objects.filter(cohort=cohort).exists():
        return created
    SelectionSettings.objects.get_or_create(cohort=cohort, defaults={"bootstrap_rounds": 100})
    with transaction.atomic():
        proposal = Proposal.objects.create(
            cohort=cohort, requested_by=manager, created_at=decided_at - timedelta(days=3)
        )
    proposal = proposal_compute(proposal_id=proposal.pk)
    created["selection proposals"] += 1
    if proposal.state != ProposalState.DONE:
        return created
    proposed = {c.application_id: c for c in proposal.candidates.all()}
    applications = cohort.applications.filter(state__in=list(OUTCOMES)).order_by("pk")
    waitlist = sorted(
        (a for a in applications if a.state == ApplicationState.WAITLISTED),
        key=lambda a: proposed[a.pk].rank if a.pk in proposed else 10**6,
    )
    position = {a.pk: k for k, a in enumerate(waitlist, 1)}
    rows = []
    for application in applications:
        outcome = OUTCOMES[application.state]
        candidate = proposed.get(application.pk)
        accepted = outcome == Outcome.ACCEPTED
        rows.append(
            Decision(
                application=application,
                outcome=outcome,
                waitlist_position=position.get(application.pk),
                proposal=proposal,
                proposed_outcome=candidate.outcome if candidate else "",
                change_reason=REASON if candidate and candidate.outcome != outcome else "",
                decided_by=manager,
                decided_at=decided_at - timedelta(days=1),
                sent_at=decided_at,
                offer_deadline=decided_at + timedelta(days=14) if accepted else None,
                response=OfferResponse.CONFIRMED if accepted else "",
                responded_at=decided_at + timedelta(days=3) if accepted else None,
            )
        )
    Decision.objects.bulk_create(rows)
    created["selection decisions"] += len(rows)
    Proposal.objects.filter(pk=proposal.pk).update(
        state=ProposalState.CONFIRMED, confirmed_at=decided_at, confirmed_by=manager
    )
    return created
