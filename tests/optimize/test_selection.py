"""Cohort selection: exact against brute force, every constraint held, explanations, bootstrap."""

import itertools

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from nurture.optimize.selection import SelectionProblem, bootstrap_selection, select_cohort

SECTORS = ("fintech", "health", "retail")


@st.composite
def problems(draw):
    n = draw(st.integers(1, 10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size_min = draw(st.integers(0, 4))
    return SelectionProblem(
        merit=np.round(rng.normal(3.0, 1.0, n), draw(st.sampled_from([0, 3]))),
        size_min=size_min,
        size_max=draw(st.integers(size_min, 6)),
        remaining_places=draw(st.none() | st.integers(0, 6)),
        sectors=[SECTORS[i] for i in rng.integers(0, 3, n)],
        sector_caps=draw(st.dictionaries(st.sampled_from(SECTORS), st.integers(0, 3))),
        costs=rng.integers(50, 150, n).astype(float),
        pool=draw(st.none() | st.sampled_from([200.0, 400.0, 1000.0])),
        eligible=rng.random(n) < 0.85,
        must_include=rng.random(n) < draw(st.sampled_from([0.0, 0.1])),
        must_exclude=rng.random(n) < draw(st.sampled_from([0.0, 0.1])),
    )


def respects(problem, chosen):
    count = int(chosen.sum())
    if not problem.size_min <= count <= problem.size_limit:
        return False
    if (chosen & ~problem.eligible).any() or (chosen & problem.must_exclude).any():
        return False
    if (problem.must_include & ~chosen).any():
        return False
    sectors = np.asarray(problem.sectors)
    for name, cap in problem.sector_caps.items():
        if int((chosen & (sectors == name)).sum()) > cap:
            return False
    return problem.pool is None or problem.costs[chosen].sum() <= problem.pool + 1e-9


@settings(max_examples=200, deadline=None)
@given(problems())
def test_selection_matches_brute_force_and_respects_every_constraint(problem):
    n = len(problem.merit)
    best = None
    for bits in itertools.product([False, True], repeat=n):
        chosen = np.array(bits, dtype=bool)
        if respects(problem, chosen):
            value = problem.merit[chosen].sum()
            best = value if best is None or value > best else best
    result = select_cohort(problem)
    event("feasible" if result.feasible else "infeasible")
    assert result.feasible == (best is not None)
    if best is None:
        assert result.message
        return
    assert respects(problem, result.selected)
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert [d.selected for d in result.decisions] == result.selected.tolist()
    assert sorted(d.rank for d in result.decisions) == list(range(1, n + 1))
    for d in result.decisions:
        if d.selected:
            assert d.reason in ("merit", "must_include")
        elif not problem.eligible[d.index]:
            assert d.reason == "ineligible"
        else:
            assert d.reason in (
                "must_exclude",
                "sector_cap",
                "funding_pool",
                "yearly_cap",
                "cohort_size",
                "merit",
            )


def test_explanations_name_the_constraint_that_kept_a_candidate_out():
    problem = SelectionProblem(
        merit=np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0]),
        size_min=1,
        size_max=4,
        remaining_places=3,
        sectors=["fintech", "fintech", "health", "retail", "retail", "health", "health"],
        sector_caps={"fintech": 1},
        costs=np.array([100.0, 100.0, 100.0, 300.0, 100.0, 100.0, 100.0]),
        pool=300.0,
        eligible=np.array([True, True, True, True, True, True, False]),
    )
    result = select_cohort(problem)
    assert np.flatnonzero(result.selected).tolist() == [0, 2, 4]
    reasons = {d.index: d.reason for d in result.decisions}
    assert reasons == {
        0: "merit",
        1: "sector_cap",
        2: "merit",
        3: "funding_pool",
        4: "merit",
        5: "yearly_cap",
        6: "ineligible",
    }
    margins = {d.index: d.margin for d in result.decisions}
    assert margins[4] == pytest.approx(5.0 - 8.0)  # in below a better candidate held out
    assert margins[5] == pytest.approx(4.0 - 5.0)
    assert [d.rank for d in result.decisions] == [1, 2, 3, 4, 5, 6, 7]
    full = select_cohort(
        SelectionProblem(
            merit=np.array([3.0, 2.0, 1.0]), size_min=1, size_max=2, remaining_places=1
        )
    )
    assert [d.reason for d in full.decisions] == ["merit", "yearly_cap", "yearly_cap"]
    roomy = select_cohort(SelectionProblem(merit=np.array([3.0, -1.0]), size_min=1, size_max=2))
    assert [d.reason for d in roomy.decisions] == ["merit", "merit"]
    assert roomy.selected.tolist() == [True, False]


def test_infeasible_selection_says_why():
    result = select_cohort(SelectionProblem(merit=np.ones(3), size_min=6, size_max=10))
    assert not result.feasible
    assert "Only 3 candidates" in result.message
    result = select_cohort(
        SelectionProblem(merit=np.ones(8), size_min=6, size_max=10, remaining_places=4)
    )
    assert "at most 4 places remain" in result.message


def bootstrap_case():
    rng = np.random.default_rng(5)
    n_apps, n_reviewers = 12, 6
    merit = np.linspace(1, 5, n_apps)
    apps = np.repeat(np.arange(n_apps), 3)
    revs = np.concatenate([rng.choice(n_reviewers, 3, replace=False) for _ in range(n_apps)])
    scores = merit[apps] + rng.normal(0, 0.8, apps.size)
    include = np.zeros(n_apps, bool)
    include[0] = True
    eligible = np.ones(n_apps, bool)
    eligible[-1] = False
    problem = SelectionProblem(
        merit=merit, size_min=3, size_max=4, must_include=include, eligible=eligible
    )
    return problem, apps, revs, scores


def test_bootstrap_probabilities_are_deterministic_and_within_bounds():
    problem, apps, revs, scores = bootstrap_case()
    first = bootstrap_selection(problem, apps, revs, scores, rounds=40, seed=3)
    again = bootstrap_selection(problem, apps, revs, scores, rounds=40, seed=3)
    assert first.probability.tolist() == again.probability.tolist()
    assert ((first.probability >= 0) & (first.probability <= 1)).all()
    assert first.probability[0] == 1.0  # must-include
    assert first.probability[-1] == 0.0  # ineligible
    assert first.probability.sum() == pytest.approx(4.0)
    assert 0 < first.probability[-2] < 1 or first.probability[-2] == 1.0


def test_with_no_candidate_selectable_the_empty_cohort_is_the_answer_when_allowed():
    nobody = np.zeros(3, bool)
    result = select_cohort(
        SelectionProblem(merit=np.ones(3), size_min=0, size_max=2, eligible=nobody)
    )
    assert result.feasible and not result.selected.any()
    assert [d.reason for d in result.decisions] == ["ineligible"] * 3
    result = select_cohort(
        SelectionProblem(
            merit=np.ones(3), size_min=0, size_max=2, eligible=nobody, costs=np.ones(3), pool=-1
        )
    )
    assert not result.feasible and result.message
