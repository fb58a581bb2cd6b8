"""Property: for random small rounds run through the task, either every application gets k
reviewers with loads held and no conflicted pair, or the run is infeasible with reasons and
leaves no pair."""

from collections import Counter

import pytest
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture.reviewers import services
from nurture.reviewers.models import (
    Assignment,
    Conflict,
    ConflictSource,
    ReviewerProfile,
    RunState,
)
from tests import factories

from .helpers import TOPICS, cohort_with_applications, reviewer, written_round


@st.composite
def rounds(draw):
    n_apps = draw(st.integers(1, 5))
    n_reviewers = draw(st.integers(1, 5))
    return {
        "n_apps": n_apps,
        "capacities": draw(st.lists(st.integers(0, 4), min_size=n_reviewers, max_size=n_reviewers)),
        "conflicts": draw(
            st.sets(st.tuples(st.integers(0, n_apps - 1), st.integers(0, n_reviewers - 1)))
        ),
        "k": draw(st.integers(1, 3)),
        "max_load": draw(st.integers(1, 4)),
        "min_load": draw(st.integers(0, 1)),
        "fair": draw(st.booleans()),
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=rounds())
def test_a_run_either_holds_every_rule_or_explains_why_not(db, case):
    ReviewerProfile.objects.update(active=False)  # earlier examples' reviewers
    manager = factories.ProgrammeManagerFactory()
    cohort, applications = cohort_with_applications(case["n_apps"])
    profiles = [
        reviewer(expertise=TOPICS[j % len(TOPICS)][0], max_per_round=cap)
        for j, cap in enumerate(case["capacities"])
    ]
    for i, j in case["conflicts"]:
        Conflict.objects.get_or_create(
            reviewer=profiles[j].user,
            startup=applications[i].startup,
            source=ConflictSource.DECLARED_BY_STAFF,
            defaults={"reason": "test"},
        )
    review_round = written_round(
        cohort,
        reviewers_per_application=case["k"],
        max_load=case["max_load"],
        min_load=min(case["min_load"], case["max_load"]),
        fairness=case["fair"],
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.assignment_run_start(user=manager, review_round=review_round)
    run.refresh_from_db()
    pairs = list(Assignment.objects.filter(round=review_round))

    if run.state == RunState.INFEASIBLE:
        assert run.problems and all(p["message"] for p in run.problems)
        assert pairs == []
        return
    assert run.state == RunState.DONE, run.error
    assert Counter(p.application_id for p in pairs) == {a.pk: case["k"] for a in applications}
    loads = Counter(p.reviewer_id for p in pairs)
    for p in profiles:
        assert loads[p.user_id] <= min(case["max_load"], p.max_per_round)
    conflicted = {(applications[i].pk, profiles[j].user_id) for i, j in case["conflicts"]}
    assert not conflicted & {(p.application_id, p.reviewer_id) for p in pairs}
    assert sum(p.affinity for p in pairs) == pytest.approx(run.objective)
