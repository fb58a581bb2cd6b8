"""The assignment optimiser against exact integer programmes and brute force."""

import itertools

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from nurture.optimize import assignment
from nurture.optimize.assignment import assign, lp_bound


@st.composite
def instances(draw, max_apps=6, max_reviewers=6, max_k=2):
    n_apps = draw(st.integers(1, max_apps))
    n_reviewers = draw(st.integers(1, max_reviewers))
    k = draw(st.integers(1, max_k))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # Coarse values make ties, which the optimiser must handle as well as distinct values.
    affinity = np.round(rng.random((n_apps, n_reviewers)) * draw(st.sampled_from([4, 1000])))
    conflicts = rng.random((n_apps, n_reviewers)) < draw(st.sampled_from([0.0, 0.2, 0.5]))
    max_load = rng.integers(0, 5, n_reviewers)
    min_load = np.minimum(rng.integers(0, 3, n_reviewers), max_load) * draw(st.booleans())
    return affinity, conflicts, k, min_load, max_load


def exact_optimum(affinity, conflicts, k, min_load, max_load):
    """The integer optimum by SciPy's MILP over every pair, or None when infeasible."""
    n_apps, n_reviewers = affinity.shape
    c = -affinity.ravel()
    by_app = np.kron(np.eye(n_apps), np.ones(n_reviewers))
    by_reviewer = np.kron(np.ones(n_apps), np.eye(n_reviewers))
    upper = (~conflicts).ravel().astype(float)
    result = milp(
        c,
        constraints=[
            LinearConstraint(by_app, k, k),
            LinearConstraint(by_reviewer, min_load, max_load),
        ],
        integrality=np.ones(c.size),
        bounds=Bounds(np.zeros(c.size), upper),
    )
    return -result.fun if result.success else None


def check_constraints(result, conflicts, k, min_load, max_load):
    n_apps, n_reviewers = conflicts.shape
    assert np.bincount(result.applications, minlength=n_apps).tolist() == [k] * n_apps
    loads = np.bincount(result.reviewers, minlength=n_reviewers)
    assert (loads >= min_load).all() and (loads <= max_load).all()
    assert not conflicts[result.applications, result.reviewers].any()
    pairs = set(zip(result.applications.tolist(), result.reviewers.tolist(), strict=True))
    assert len(pairs) == result.applications.size


@settings(max_examples=150, deadline=None)
@given(instances())
def test_objective_equals_the_exact_optimum_and_every_constraint_holds(instance):
    affinity, conflicts, k, min_load, max_load = instance
    result = assign(affinity, k=k, min_load=min_load, max_load=max_load, conflicts=conflicts)
    optimum = exact_optimum(affinity, conflicts, k, min_load, max_load)
    assert result.feasible == (optimum is not None)
    event("feasible" if result.feasible else " ".join(r.code for r in result.reasons))
    if optimum is None:
        assert result.reasons and result.message
        return
    check_constraints(result, conflicts, k, min_load, max_load)
    assert result.objective == pytest.approx(optimum, abs=result.rounding_bound + 1e-9)
    bound = lp_bound(affinity, k=k, min_load=min_load, max_load=max_load, conflicts=conflicts)
    assert bound.optimal
    assert bound.value == pytest.approx(optimum, abs=result.rounding_bound + 1e-6)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_fair_mode_raises_the_worst_application_to_the_brute_force_maximin(instance):
    affinity, conflicts, k, min_load, max_load = instance
    affinity, conflicts = affinity[:4, :5], conflicts[:4, :5]
    min_load, max_load = min_load[:5], max_load[:5]
    plain = assign(affinity, k=k, min_load=min_load, max_load=max_load, conflicts=conflicts)
    fair = assign(
        affinity, k=k, min_load=min_load, max_load=max_load, conflicts=conflicts, fair=True
    )
    assert fair.feasible == plain.feasible
    if not plain.feasible:
        return
    check_constraints(fair, conflicts, k, min_load, max_load)
    assert fair.method == "milp"
    assert fair.min_application_affinity >= plain.min_application_affinity - 1e-9
    # Brute force: every choice of k reviewers per application.
    n_apps, n_reviewers = affinity.shape
    choices = [
        [
            c
            for c in itertools.combinations(range(n_reviewers), k)
            if not conflicts[i, list(c)].any()
        ]
        for i in range(n_apps)
    ]
    best = None
    for pick in itertools.product(*choices):
        loads = np.bincount([j for c in pick for j in c], minlength=n_reviewers)
        if (loads < min_load).any() or (loads > max_load).any():
            continue
        sums = [affinity[i, list(c)].sum() for i, c in enumerate(pick)]
        key = (min(sums), sum(sums))
        best = key if best is None or key > best else best
    assert fair.min_application_affinity == pytest.approx(best[0], abs=1e-6)
    assert fair.objective == pytest.approx(best[1], abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(instances())
def test_reweighted_fair_mode_keeps_constraints_and_never_lowers_the_minimum(instance):
    affinity, conflicts, k, min_load, max_load = instance
    plain = assign(affinity, k=k, min_load=min_load, max_load=max_load, conflicts=conflicts)
    fair = assign(
        affinity,
        k=k,
        min_load=min_load,
        max_load=max_load,
        conflicts=conflicts,
        fair=True,
        fair_method="reweighted-flow",
    )
    assert fair.feasible == plain.feasible
    if plain.feasible:
        check_constraints(fair, conflicts, k, min_load, max_load)
        assert fair.method == "reweighted-flow"
        assert fair.min_application_affinity >= plain.min_application_affinity


@pytest.mark.parametrize("method", ["milp", "reweighted-flow"])
def test_fair_mode_lifts_an_application_that_the_plain_optimum_starves(method):
    # Reviewer 0 suits both; the plain optimum gives it to application 0 and leaves
    # application 1 with a reviewer of no affinity.
    affinity = np.array([[1.0, 0.1], [0.8, 0.0]])
    plain = assign(affinity, k=1, max_load=1)
    assert plain.per_application.tolist() == [1.0, 0.0]
    fair = assign(affinity, k=1, max_load=1, fair=True, fair_method=method)
    assert (fair.per_application.tolist(), fair.method) == ([0.1, 0.8], method)


def test_applications_without_enough_unconflicted_reviewers_are_named_with_what_they_lack():
    affinity = np.ones((4, 4))
    conflicts = np.zeros((4, 4), dtype=bool)
    conflicts[1, :3] = True  # 1 reviewer left, lacks 1 of 2
    conflicts[3, :] = True  # none left, lacks 2
    result = assign(affinity, k=2, max_load=4, conflicts=conflicts)
    assert not result.feasible
    [reason] = result.reasons
    assert (reason.code, reason.applications, reason.missing) == (
        "application_short",
        (1, 3),
        (1, 2),
    )
    assert "1, 3" in reason.message


def test_too_little_capacity_says_how_much_is_missing():
    result = assign(np.ones((5, 3)), k=2, max_load=3)
    assert not result.feasible
    assert [(r.code, r.total_missing) for r in result.reasons] == [("capacity_short", 1)]
    assert "1 more review slots" in result.message


def test_hall_shortfall_names_the_applications_that_compete_for_too_few_reviewers():
    # Applications 0 and 1 may only use reviewer 0, who takes one; capacity is plentiful.
    affinity = np.ones((3, 3))
    conflicts = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 0]], dtype=bool)
    result = assign(affinity, k=1, max_load=1, conflicts=conflicts)
    assert not result.feasible
    [reason] = result.reasons
    assert reason.code == "applications_short"
    assert reason.total_missing == 1
    assert len(reason.applications) == 1 and reason.applications[0] in (0, 1)
    assert "applications 0, 1 need 2 reviews" in reason.message


def test_unreachable_minimum_loads_name_the_reviewers():
    conflicts = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 1]], dtype=bool)
    result = assign(np.ones((3, 3)), k=1, min_load=[0, 0, 1], max_load=3, conflicts=conflicts)
    assert [(r.code, r.reviewers) for r in result.reasons] == [("reviewer_short", (2,))]
    # Reviewers 1 and 2 can both take only application 2, which needs one reviewer.
    conflicts = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 0]], dtype=bool)
    result = assign(np.ones((3, 3)), k=1, min_load=[0, 1, 1], max_load=3, conflicts=conflicts)
    assert not result.feasible
    [reason] = result.reasons
    assert (reason.code, reason.total_missing) == ("min_loads_unmet", 1)
    assert reason.reviewers in ((1,), (2,))
    result = assign(np.ones((3, 3)), k=1, min_load=[1, 1, 1], max_load=3)
    assert result.feasible and result.loads.tolist() == [1, 1, 1]


def test_lp_bound_by_column_generation_matches_the_full_lp_and_the_flow():
    rng = np.random.default_rng(7)
    affinity = rng.random((40, 60))
    conflicts = rng.random((40, 60)) < 0.1
    kwargs = {"k": 3, "min_load": 1, "max_load": 3, "conflicts": conflicts}
    flow = assign(affinity, **kwargs)
    generated = lp_bound(affinity, **kwargs)
    full = lp_bound(affinity, full=True, **kwargs)
    assert generated.optimal and full.optimal
    assert generated.columns < full.columns
    assert generated.value == pytest.approx(full.value, abs=1e-7)
    assert flow.objective == pytest.approx(full.value, abs=flow.rounding_bound)


def max_coverage(conflicts, k, max_load):
    """The most reviews any assignment can place (each application at most k), by MILP."""
    n_apps, n_reviewers = conflicts.shape
    by_app = np.kron(np.eye(n_apps), np.ones(n_reviewers))
    by_reviewer = np.kron(np.ones(n_apps), np.eye(n_reviewers))
    result = milp(
        -np.ones(n_apps * n_reviewers),
        constraints=[LinearConstraint(by_app, 0, k), LinearConstraint(by_reviewer, 0, max_load)],
        integrality=np.ones(n_apps * n_reviewers),
        bounds=Bounds(0, (~conflicts).ravel().astype(float)),
    )
    return round(-result.fun)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_infeasible_instances_name_the_applications_and_the_missing_reviews(data):
    n_apps = data.draw(st.integers(1, 6))
    n_reviewers = data.draw(st.integers(1, 6))
    k = data.draw(st.integers(1, 2))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    if data.draw(st.booleans()):
        conflicts = rng.random((n_apps, n_reviewers)) < data.draw(st.sampled_from([0.3, 0.5]))
    else:
        # Every application may use only some of the first `pool` reviewers, while the others
        # add capacity: the counts pass and only the flow finds the shortfall (Hall).
        pool = data.draw(st.integers(min(k, n_reviewers), n_reviewers))
        conflicts = np.ones((n_apps, n_reviewers), dtype=bool)
        for i in range(n_apps):
            size = rng.integers(min(k, pool), pool + 1)
            conflicts[i, rng.permutation(pool)[:size]] = False
    max_load = rng.integers(1, 4, n_reviewers)
    result = assign(rng.random((n_apps, n_reviewers)), k=k, max_load=max_load, conflicts=conflicts)
    codes = [reason.code for reason in result.reasons]
    event(" ".join(codes) or "feasible")
    lacking = k - (~conflicts).sum(axis=1)
    short = np.flatnonzero(lacking > 0)
    if short.size:
        [reason] = [r for r in result.reasons if r.code == "application_short"]
        assert reason.applications == tuple(short.tolist())
        assert reason.missing == tuple(lacking[short].tolist())
        return
    if max_load.sum() < k * n_apps:
        assert codes == ["capacity_short"]
        return
    covered = max_coverage(conflicts, k, max_load)
    assert result.feasible == (covered == k * n_apps)
    if not result.feasible:
        [reason] = result.reasons
        assert reason.code == "applications_short"
        assert reason.total_missing == k * n_apps - covered == sum(reason.missing)
        assert reason.applications


@settings(max_examples=150, deadline=None)
@given(instances(max_apps=7, max_reviewers=8, max_k=3), st.integers(1, 4))
def test_priced_flow_on_a_restricted_network_finds_the_exact_optimum(instance, candidates):
    # Forced onto the column-generation path with very few first candidates, so that pricing
    # and the artificial node do the work; infeasible instances fall back and are explained.
    affinity, conflicts, k, min_load, max_load = instance
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assignment, "PRICING_MIN_PAIRS", 0)
        patch.setattr(assignment, "CANDIDATES_PER_APPLICATION", candidates)
        result = assign(affinity, k=k, min_load=min_load, max_load=max_load, conflicts=conflicts)
    optimum = exact_optimum(affinity, conflicts, k, min_load, max_load)
    assert result.feasible == (optimum is not None)
    event("feasible" if result.feasible else " ".join(r.code for r in result.reasons))
    if optimum is None:
        assert result.reasons and result.message
        return
    check_constraints(result, conflicts, k, min_load, max_load)
    assert result.objective == pytest.approx(optimum, abs=result.rounding_bound + 1e-9)


@pytest.mark.parametrize("min_load", [0, 1])
def test_priced_flow_matches_the_full_flow_when_every_application_wants_the_same_reviewers(
    min_load,
):
    # Popular reviewers fill every application's first candidates, so the first restricted
    # network leans on the artificial node and pricing must bring in the rest.
    rng = np.random.default_rng(11)
    affinity = 0.3 * rng.random((300, 200)) + rng.random(200)[None, :]
    conflicts = rng.random((300, 200)) < 0.05
    kwargs = {"k": 3, "min_load": min_load, "max_load": 6, "conflicts": conflicts}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assignment, "PRICING_MIN_PAIRS", 10**12)
        full = assign(affinity, **kwargs)
        patch.setattr(assignment, "PRICING_MIN_PAIRS", 0)
        priced = assign(affinity, **kwargs)
    assert full.feasible and priced.feasible
    check_constraints(priced, conflicts, 3, min_load, 6)
    assert priced.objective == pytest.approx(full.objective, abs=full.rounding_bound)
