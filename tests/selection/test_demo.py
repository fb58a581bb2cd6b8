import pytest

from nurture.applications.models import ApplicationState
from nurture.core import demo
from nurture.selection.models import Candidate, Decision, Proposal, ProposalState

pytestmark = pytest.mark.django_db


def test_demo_has_a_confirmed_proposal_and_sent_decisions_and_loads_once():
    demo.demo_load()

    proposal = Proposal.objects.get()
    assert proposal.state == ProposalState.CONFIRMED
    assert proposal.candidates.filter(probability__isnull=False).exists()
    decided = proposal.cohort.applications.filter(
        state__in=[
            ApplicationState.ACCEPTED,
            ApplicationState.WAITLISTED,
            ApplicationState.REJECTED,
        ]
    )
    assert Decision.objects.filter(sent_at__isnull=False).count() == decided.count()
    assert {d.outcome for d in Decision.objects.all()} == {"accepted", "waitlisted", "rejected"}
    counts = (Proposal.objects.count(), Candidate.objects.count(), Decision.objects.count())

    demo.demo_load()

    assert (Proposal.objects.count(), Candidate.objects.count(), Decision.objects.count()) == counts
