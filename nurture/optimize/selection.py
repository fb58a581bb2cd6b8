"""The cohort proposal as an exact integer programme, its explanations, and its robustness.

    maximise   Σ merit_i · x_i                     x_i ∈ {0, 1}
    subject to size_min ≤ Σ x_i ≤ min(size_max, remaining yearly places)
               Σ_{i in sector s} x_i ≤ cap_s       for each capped sector
               Σ cost_i · x_i ≤ pool               (seed funding)
               x_i = 0 if ineligible or must-exclude; x_i = 1 if must-include

solved by SciPy's `milp` (HiGHS branch and bound with a relative gap of 0, so exact) over the
candidates that can still be chosen: ineligible, excluded and dominated candidates (see
`_dominated`) leave the model. `bootstrap_selection` resamples each application's reviews
with replacement, recalibrates, re-solves, and counts how often each applicant is selected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from nurture.optimize.calibration import calibrate


@dataclass(frozen=True)
class SelectionProblem:
    merit: NDArray[np.float64]
    size_min: int = 6
    size_max: int = 10
    # The yearly cap minus those already admitted this year (both cohorts); None: no cap.
    remaining_places: int | None = None
    sectors: Sequence[str] | None = None
    sector_caps: Mapping[str, int] = field(default_factory=dict)
    # Seed funding per candidate and the pool, in one unit (e.g. whole US dollars).
    costs: NDArray[np.float64] | None = None
    pool: float | None = None
    eligible: NDArray[np.bool_] | None = None
    must_include: NDArray[np.bool_] | None = None
    must_exclude: NDArray[np.bool_] | None = None

    def flags(self, name: str, default: bool) -> NDArray[np.bool_]:
        value = getattr(self, name)
        n = len(self.merit)
        return np.full(n, default) if value is None else np.asarray(value, dtype=bool)

    @property
    def size_limit(self) -> int:
        if self.remaining_places is None:
            return self.size_max
        return max(0, min(self.size_max, self.remaining_places))


@dataclass(frozen=True)
class CandidateDecision:
    """`reason`: must_include, must_exclude, ineligible; merit (selected on merit, or left
    out although room was left because its merit is not positive); or, for a candidate left
    out, the tight constraint that involves it: yearly_cap or cohort_size (the cohort is full,
    whichever limit is lower) below the cut; sector_cap, funding_pool, then the size above
    it. `margin`: for a selected candidate, merit above the best candidate left
    out; for one left out, merit minus the lowest selected merit (negative below the cut)."""

    index: int
    selected: bool
    rank: int
    margin: float
    reason: str


@dataclass
class SelectionResult:
    feasible: bool
    selected: NDArray[np.bool_]
    objective: float = 0.0
    optimal: bool = False
    decisions: list[CandidateDecision] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return " ".join(self.reasons)


def _sector_codes(problem: SelectionProblem) -> tuple[NDArray[np.int64], dict[str, int]]:
    """Each candidate's sector as an integer code, and the code of every capped sector that
    some candidate belongs to."""
    index: dict[object, int] = {}
    codes = np.array([index.setdefault(name, len(index)) for name in problem.sectors or ()])
    capped = {name: index[name] for name in problem.sector_caps if name in index}
    return codes.astype(np.int64), capped


def _constraints(problem: SelectionProblem, columns: NDArray[np.int64]) -> list[LinearConstraint]:
    """The constraint rows over the candidates in `columns` (the others are fixed at 0)."""
    m = columns.size
    constraints = [LinearConstraint(np.ones((1, m)), problem.size_min, problem.size_limit)]
    if problem.sectors is not None and problem.sector_caps:
        codes, capped = _sector_codes(problem)
        for name, code in capped.items():
            members = codes[columns] == code
            constraints.append(
                LinearConstraint(members[None, :].astype(float), 0, problem.sector_caps[name])
            )
    if problem.pool is not None and problem.costs is not None:
        costs = np.asarray(problem.costs, dtype=float)[columns]
        constraints.append(LinearConstraint(costs[None, :], 0, problem.pool))
    return constraints


def _prechecks(problem: SelectionProblem, lower: NDArray, upper: NDArray) -> list[str]:
    reasons = []
    if problem.size_min > problem.size_limit:
        reasons.append(
            f"The cohort must have at least {problem.size_min} startups but at most"
            f" {problem.size_limit} places remain."
        )
    forced_out = np.flatnonzero(lower > upper)
    if forced_out.size:
        reasons.append(
            "Must-include candidates that are ineligible or marked must-exclude: "
            + ", ".join(str(i) for i in forced_out)
            + "."
        )
    if int(lower.sum()) > problem.size_limit:
        reasons.append(
            f"{int(lower.sum())} candidates are marked must-include, more than the"
            f" {problem.size_limit} places."
        )
    if int(upper.sum()) < problem.size_min:
        reasons.append(
            f"Only {int(upper.sum())} candidates are eligible and not excluded; the cohort"
            f" needs at least {problem.size_min}."
        )
    return reasons


def _dominated(
    problem: SelectionProblem, merit: NDArray[np.float64], available: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Candidates that no optimal cohort needs, fixed out so that HiGHS searches fewer.

    j dominates i when j comes first by (merit descending, index), costs no more, and is in
    i's sector or an uncapped one: swapping i for j keeps every constraint and loses no merit.
    If at least `size_limit` available candidates dominate i, one of them is outside any cohort
    that holds i, so swapping (repeatedly, each step moving to an earlier candidate) turns
    an optimal cohort into one without i.
    """
    n = merit.size
    limit = problem.size_limit
    if n <= limit or n > 5000:  # nothing to gain, or the n×n comparison grows too large
        return np.zeros(n, dtype=bool)
    index = np.arange(n)
    better = (merit[None, :] > merit[:, None]) | (
        (merit[None, :] == merit[:, None]) & (index[None, :] < index[:, None])
    )
    if problem.costs is not None and problem.pool is not None:
        costs = np.asarray(problem.costs, dtype=float)
        better &= costs[None, :] <= costs[:, None]
    if problem.sectors is not None and problem.sector_caps:
        codes, capped_codes = _sector_codes(problem)
        capped = np.isin(codes, list(capped_codes.values()))
        better &= (codes[None, :] == codes[:, None]) | ~capped[None, :]
    better &= available[None, :]
    return better.sum(axis=1) >= limit


def select_cohort(problem: SelectionProblem, *, explain: bool = True) -> SelectionResult:
    merit = np.asarray(problem.merit, dtype=float)
    n = merit.size
    eligible = problem.flags("eligible", True)
    include = problem.flags("must_include", False)
    exclude = problem.flags("must_exclude", False)
    lower = include.astype(float)
    upper = (eligible & ~exclude).astype(float)
    reasons = _prechecks(problem, lower, upper)
    if reasons:
        return SelectionResult(feasible=False, selected=np.zeros(n, bool), reasons=reasons)
    upper = np.where(_dominated(problem, merit, upper > 0) & ~include, 0.0, upper)
    # Candidates fixed at 0 (ineligible, excluded, dominated) leave the model altogether:
    # HiGHS would presolve them away, but building and passing them costs more than solving.
    columns = np.flatnonzero(upper > 0)
    constraints = _constraints(problem, columns)
    if columns.size:
        # mip_rel_gap 0: branch and bound stops only at a proven optimum (HiGHS's default
        # relative gap of 1e-4 could accept a cohort short by a close call's merit).
        result = milp(
            -merit[columns],
            constraints=constraints,
            integrality=np.ones(columns.size),
            bounds=Bounds(lower[columns], upper[columns]),
            options={"mip_rel_gap": 0.0},
        )
        status, success = result.status, result.success
    else:  # nothing selectable: the empty cohort, if every constraint allows it
        status = 0 if all(c.lb[0] <= 0 <= c.ub[0] for c in constraints) else 2
        success = status == 0
    if status == 2:
        return SelectionResult(
            feasible=False,
            selected=np.zeros(n, bool),
            reasons=[
                "No cohort meets every constraint together: the sector caps or the seed-funding"
                " pool leave too few candidates for the minimum size with the must-include"
                " marks."
            ],
        )
    if not success:
        return SelectionResult(
            feasible=False, selected=np.zeros(n, bool), reasons=[f"Solver: {result.message}"]
        )
    selected = np.zeros(n, dtype=bool)
    if columns.size:
        selected[columns[result.x > 0.5]] = True
    outcome = SelectionResult(
        feasible=True, selected=selected, objective=float(merit[selected].sum()), optimal=True
    )
    if explain:
        outcome.decisions = explain_selection(problem, selected)
    return outcome


def explain_selection(
    problem: SelectionProblem, selected: NDArray[np.bool_]
) -> list[CandidateDecision]:
    """Rank, margin to the cut and deciding constraint for every candidate (see
    `CandidateDecision`)."""
    merit = np.asarray(problem.merit, dtype=float)
    n = merit.size
    eligible = problem.flags("eligible", True)
    include = problem.flags("must_include", False)
    exclude = problem.flags("must_exclude", False)
    order = np.lexsort((np.arange(n), -merit))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    available = eligible & ~exclude
    cut = float(merit[selected].min()) if selected.any() else float("inf")
    left_out = available & ~selected
    best_out = float(merit[left_out].max()) if left_out.any() else float("-inf")
    sectors = np.asarray(problem.sectors, dtype=object) if problem.sectors is not None else None
    spent = 0.0
    costs = None
    if problem.costs is not None:
        costs = np.asarray(problem.costs, dtype=float)
        spent = float(costs[selected].sum())
    count = int(selected.sum())
    decisions = []
    for i in range(n):
        if selected[i]:
            margin = merit[i] - best_out if np.isfinite(best_out) else float("inf")
            reason = "must_include" if include[i] else "merit"
        else:
            margin = merit[i] - cut if np.isfinite(cut) else float("-inf")
            if not eligible[i]:
                reason = "ineligible"
            elif exclude[i]:
                reason = "must_exclude"
            else:
                reason = _kept_out_by(
                    full=count >= problem.size_limit,
                    below_cut=merit[i] < cut,
                    sector_full=sectors is not None
                    and sectors[i] in problem.sector_caps
                    and int((selected & (sectors == sectors[i])).sum())
                    >= problem.sector_caps[sectors[i]],
                    pool_short=costs is not None
                    and problem.pool is not None
                    and spent + costs[i] > problem.pool,
                    size_reason="yearly_cap"
                    if problem.size_limit < problem.size_max
                    else "cohort_size",
                )
        decisions.append(
            CandidateDecision(i, bool(selected[i]), int(rank[i]), float(margin), reason)
        )
    return decisions


def _kept_out_by(
    *, full: bool, below_cut: bool, sector_full: bool, pool_short: bool, size_reason: str
) -> str:
    # Below the cut of a full cohort, the size decided: even a free place would go to a
    # better candidate. Above it, a sector cap or the pool kept out a better candidate.
    if full and below_cut:
        return size_reason
    if sector_full:
        return "sector_cap"
    if pool_short:
        return "funding_pool"
    if full:
        return size_reason
    return "merit"  # room was left, but its merit would lower the total


@dataclass
class BootstrapResult:
    probability: NDArray[np.float64]  # per candidate, share of rounds that selected it
    rounds: int
    seed: int


def bootstrap_selection(
    problem: SelectionProblem,
    applications: ArrayLike,
    reviewers: ArrayLike,
    scores: ArrayLike,
    *,
    rounds: int = 200,
    seed: int = 0,
    n_reviewers: int | None = None,
    calibration_options: Mapping[str, Any] | None = None,
) -> BootstrapResult:
    """Each round resamples every application's reviews with replacement (so each keeps its
    number of reviews), recalibrates, and re-solves; the same seed gives the same result."""
    apps = np.asarray(applications, dtype=np.int64)
    revs = np.asarray(reviewers, dtype=np.int64)
    y = np.asarray(scores, dtype=np.float64)
    n = len(problem.merit)
    rng = np.random.default_rng(seed)
    by_app = np.argsort(apps, kind="stable")
    counts = np.bincount(apps, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    group_start = np.repeat(starts, counts)
    group_size = np.repeat(counts, counts)
    options = {"fit_scale": False, **(calibration_options or {})}
    chosen = np.zeros(n)
    for _ in range(rounds):
        picks = by_app[group_start + (rng.random(y.size) * group_size).astype(np.int64)]
        merit = calibrate(
            apps[picks],
            revs[picks],
            y[picks],
            n_applications=n,
            n_reviewers=n_reviewers,
            **options,
        ).merit
        result = select_cohort(dataclasses.replace(problem, merit=merit), explain=False)
        if result.feasible:
            chosen += result.selected
    return BootstrapResult(probability=chosen / max(rounds, 1), rounds=rounds, seed=seed)


__all__ = [
    "BootstrapResult",
    "CandidateDecision",
    "SelectionProblem",
    "SelectionResult",
    "bootstrap_selection",
    "explain_selection",
    "select_cohort",
]
