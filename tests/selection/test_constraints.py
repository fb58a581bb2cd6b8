"""The service hands the optimiser every constraint of the programme: on random small
cohorts, the proposal equals the brute-force best cohort that respects them all."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nurture.applications.models import ApplicationState
from nurture.selection import services
from nurture.selection.models import (
    MarkKind,
    Outcome,
    Proposal,
    ProposalState,
    SectorCap,
    SelectionSettings,
)
from tests import factories

from .conftest import scores_for

pytestmark = pytest.mark.django_db

SEED = 100_000


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n=st.integers(6, 10),
    sector_of=st.lists(st.integers(0, 2), min_size=10, max_size=10),
    merit=st.lists(st.integers(10, 50), min_size=10, max_size=10),
    caps=st.dictionaries(st.integers(0, 2), st.integers(1, 4), max_size=2),
    elsewhere=st.integers(0, 16),
    pool_places=st.sampled_from([None, 6, 7, 8]),
    ineligible=st.sets(st.integers(0, 9), max_size=2),
    include=st.sets(st.integers(0, 9), max_size=2),
    exclude=st.sets(st.integers(0, 9), max_size=2),
)
def test_proposal_is_the_best_cohort_within_every_constraint(
    n, sector_of, merit, caps, elsewhere, pool_places, ineligible, include, exclude
):
    exclude = exclude - include
    sectors = [factories.SectorFactory() for _ in range(3)]
    cohort = factories.CohortFactory(intake="autumn")
    sibling = factories.CohortFactory(year=cohort.year, intake="spring", programme=cohort.programme)
    for _ in range(elsewhere):
        factories.ApplicationFactory(cohort=sibling, state=ApplicationState.ACCEPTED)
    apps = [
        factories.submitted(
            cohort=cohort,
            sector=sectors[sector_of[i]],
            team_size=1 if i in ineligible else 5,
            full_time_staff=1 if i in ineligible else 4,
            technical_staff=1 if i in ineligible else 3,
        )
        for i in range(n)
    ]
    SelectionSettings.objects.create(
        cohort=cohort,
        bootstrap_rounds=0,
        funding_pool_usd=None if pool_places is None else Decimal(pool_places * SEED),
    )
    for index, cap in caps.items():
        SectorCap.objects.create(cohort=cohort, sector=sectors[index], cap=cap)
    manager = factories.ProgrammeManagerFactory()
    for i in include & set(range(n)):
        services.mark_set(user=manager, application=apps[i], kind=MarkKind.INCLUDE, reason="r")
    for i in exclude & set(range(n)):
        services.mark_set(user=manager, application=apps[i], kind=MarkKind.EXCLUDE, reason="r")
    values = [m / 10 for m in merit[:n]]
    proposal = services.proposal_compute(
        proposal_id=Proposal.objects.create(cohort=cohort).pk,
        scores=scores_for(apps, values, reviewers=[manager], per_app=1),
    )

    limit = min(10, 20 - elsewhere, pool_places or 10)
    calibrated = {c.application_id: c.merit for c in proposal.candidates.all()} or {
        a.pk: v for a, v in zip(apps, values, strict=True)
    }

    def feasible(chosen):
        if not 6 <= len(chosen) <= limit:
            return False
        if any(i in ineligible or i in exclude for i in chosen):
            return False
        if not (include & set(range(n))) <= set(chosen):
            return False
        return all(sum(1 for i in chosen if sector_of[i] == s) <= cap for s, cap in caps.items())

    best = max(
        (
            sum(calibrated[apps[i].pk] for i in chosen)
            for size in range(6, min(n, 10) + 1)
            for chosen in itertools.combinations(range(n), size)
            if feasible(chosen)
        ),
        default=None,
    )
    event(proposal.state)
    if best is None:
        assert proposal.state == ProposalState.INFEASIBLE
        assert proposal.problems
        return
    assert proposal.state == ProposalState.DONE
    accepted = [
        i
        for i, a in enumerate(apps)
        if proposal.candidates.get(application=a).outcome == Outcome.ACCEPTED
    ]
    assert feasible(accepted)
    assert proposal.objective == pytest.approx(best, abs=1e-6)
