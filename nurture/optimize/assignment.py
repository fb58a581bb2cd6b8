"""Reviewers to applications: every application gets exactly k reviewers, each reviewer takes
between a minimum and a maximum number, conflicted pairs never meet, total affinity is maximal.

The problem is a transportation problem, solved exactly as a min-cost flow (OR-Tools
`SimpleMinCostFlow`):

    application i (supply k) --[cap 1, cost -round(a_ij * scale)]--> reviewer j
    reviewer j (demand min_j) --[cap max_j - min_j, cost 0]--> sink (demand k*A - sum(min))

Minimum loads are lower bounds on the reviewer-to-sink arcs, removed by the standard reduction:
the lower bound becomes a demand at the reviewer and the sink's demand shrinks by the same
amount. Arcs come from `np.nonzero` over the allowed mask, added in one call.

From PRICING_MIN_PAIRS cells up, OR-Tools never sees every pair (at about 100 bytes an arc,
50 million pairs would take 5 GB): `_solve_priced` solves over each application's best
reviewers, prices every other allowed pair against the residual network's node potentials a
block of rows at a time, and adds those that could improve the flow until none can. The
potentials then prove the result optimal over every pair, with the same integer costs.

Costs must be integers, so affinities are scaled and rounded. Each pair's rounding error is at
most 0.5/scale, and both the returned assignment and the true optimum hold k*A pairs, so the
true optimum exceeds the returned objective by at most k*A/scale (`rounding_bound`).

The constraint matrix is totally unimodular, so the LP relaxation (`lp_bound`, SciPy HiGHS)
has the same optimum as the flow, up to that rounding: the benchmark compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from ortools.graph.python import min_cost_flow
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import breadth_first_order

DEFAULT_SCALE = 1_000_000
# Above this many allowed pairs the exact fairness MILP is too slow; the reweighting heuristic runs.
FAIR_EXACT_MAX_PAIRS = 20_000
FAIR_ROUNDS = 12
# OR-Tools multiplies costs by (nodes + 1) during cost scaling; keep that inside int64.
_COST_LIMIT = 2**62
# From this many (application, reviewer) cells up, the flow starts from each application's
# best reviewers and adds the other pairs only when pricing shows they could help
# (`_solve_priced`), instead of holding every pair in OR-Tools at about 100 bytes each.
PRICING_MIN_PAIRS = 1_000_000
# Reviewers per application in the first restricted network (at least k), and the most
# pairs per application that one pricing round adds.
CANDIDATES_PER_APPLICATION = 12
# Cells per block when the full matrix is scanned, so that temporaries stay near 16 MB.
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class InfeasibilityReason:
    """Why no assignment exists, as data (for a UI to translate) and as an English sentence.

    `code` is one of: capacity_short, min_loads_too_high, application_short, reviewer_short,
    applications_short (a Hall-type shortfall found by the flow), min_loads_unmet.
    `applications` / `reviewers` name the indices concerned and `missing` counts, per named
    index, how many reviewers (or reviews) it lacks; `total_missing` is the shortfall overall.
    """

    code: str
    message: str
    applications: tuple[int, ...] = ()
    reviewers: tuple[int, ...] = ()
    missing: tuple[int, ...] = ()
    total_missing: int = 0


@dataclass
class AssignmentResult:
    feasible: bool
    # Parallel arrays: pair p assigns reviewer reviewers[p] to application applications[p].
    applications: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    reviewers: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    objective: float = 0.0
    per_application: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    loads: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    reasons: list[InfeasibilityReason] = field(default_factory=list)
    rounding_bound: float = 0.0
    fair: bool = False
    # "flow" (exact), "milp" (exact lexicographic max-min), "reweighted-flow" (heuristic).
    method: str = "flow"

    @property
    def min_application_affinity(self) -> float:
        return float(self.per_application.min()) if self.per_application.size else 0.0

    @property
    def message(self) -> str:
        return " ".join(reason.message for reason in self.reasons)


def _loads(value: int | ArrayLike, n: int, name: str) -> NDArray[np.int64]:
    loads = np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()
    if (loads < 0).any():
        raise ValueError(f"{name} must not be negative")
    return loads


def _allowed(affinity: NDArray[np.float64], conflicts: ArrayLike | None) -> NDArray[np.bool_]:
    if conflicts is None:
        return np.ones(affinity.shape, dtype=bool)
    conflicts = np.asarray(conflicts, dtype=bool)
    if conflicts.shape != affinity.shape:
        raise ValueError("conflicts must have the affinity matrix's shape")
    return ~conflicts


def _names(indices: NDArray[np.int64], limit: int = 10) -> str:
    shown = ", ".join(str(int(i)) for i in indices[:limit])
    return shown + (f" and {indices.size - limit} more" if indices.size > limit else "")


def check_feasibility(
    allowed: NDArray[np.bool_],
    *,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
) -> list[InfeasibilityReason]:
    """The counting conditions that any assignment needs; cheap, checked before solving."""
    n_apps, n_reviewers = allowed.shape
    need = k * n_apps
    reasons: list[InfeasibilityReason] = []
    capacity = int(max_load.sum())
    if capacity < need:
        reasons.append(
            InfeasibilityReason(
                code="capacity_short",
                message=(
                    f"The reviewers can take {capacity} reviews in all, but {n_apps} applications"
                    f" × {k} reviewers need {need}: {need - capacity} more review slots are"
                    " needed."
                ),
                total_missing=need - capacity,
            )
        )
    floor = int(min_load.sum())
    if floor > need:
        reasons.append(
            InfeasibilityReason(
                code="min_loads_too_high",
                message=(
                    f"The reviewers' minimum loads add up to {floor} reviews, but only {need} are"
                    f" to be given: minimum loads must come down by {floor - need}."
                ),
                total_missing=floor - need,
            )
        )
    per_app = allowed.sum(axis=1)
    short = np.flatnonzero(per_app < k)
    if short.size:
        lacking = k - per_app[short]
        reasons.append(
            InfeasibilityReason(
                code="application_short",
                message=(
                    f"{short.size} application(s) have fewer than {k} reviewers without a"
                    f" conflict: {_names(short)} (lacking "
                    + ", ".join(str(int(x)) for x in lacking[:10])
                    + " respectively)."
                ),
                applications=tuple(int(i) for i in short),
                missing=tuple(int(x) for x in lacking),
                total_missing=int(lacking.sum()),
            )
        )
    per_reviewer = allowed.sum(axis=0)
    under = np.flatnonzero(per_reviewer < min_load)
    if under.size:
        lacking = min_load[under] - per_reviewer[under]
        reasons.append(
            InfeasibilityReason(
                code="reviewer_short",
                message=(
                    f"{under.size} reviewer(s) have fewer applications without a conflict than"
                    f" their minimum load: {_names(under)}."
                ),
                reviewers=tuple(int(j) for j in under),
                missing=tuple(int(x) for x in lacking),
                total_missing=int(lacking.sum()),
            )
        )
    return reasons


def _costs(values: NDArray[np.float64], scale: int, n_nodes: int) -> NDArray[np.int64]:
    costs = -np.rint(values * scale)
    if costs.size and np.abs(costs).max() * (n_nodes + 1) >= _COST_LIMIT:
        raise ValueError("affinities too large for the integer scale; lower `scale`")
    return costs.astype(np.int64)


def _solve_flow(
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    costs: NDArray[np.int64],
    n_apps: int,
    n_reviewers: int,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
) -> NDArray[np.bool_] | None:
    """Min-cost flow with lower bounds; the chosen pairs as a mask over (ii, jj), or None."""
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = n_apps + n_reviewers
    n_pairs = ii.size
    flow.add_arcs_with_capacity_and_unit_cost(
        ii.astype(np.int32),
        (jj + n_apps).astype(np.int32),
        np.ones(n_pairs, dtype=np.int64),
        costs,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_apps, sink, dtype=np.int32),
        np.full(n_reviewers, sink, dtype=np.int32),
        (max_load - min_load).astype(np.int64),
        np.zeros(n_reviewers, dtype=np.int64),
    )
    supplies = np.concatenate(
        [
            np.full(n_apps, k, dtype=np.int64),
            -min_load,
            np.array([-(k * n_apps - int(min_load.sum()))], dtype=np.int64),
        ]
    )
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    return flow.flows(np.arange(n_pairs, dtype=np.int32)) > 0


def _row_blocks(n_apps: int, n_reviewers: int):
    step = max(1, _BLOCK_CELLS // max(n_reviewers, 1))
    for start in range(0, n_apps, step):
        yield start, min(n_apps, start + step)


def _mark_best(
    affinity: NDArray[np.float64],
    allowed: NDArray[np.bool_],
    candidates: NDArray[np.bool_],
    per_app: int,
    per_reviewer: int,
) -> None:
    """Mark in `candidates` each application's `per_app` best allowed reviewers and each
    reviewer's `per_reviewer` best allowed applications, a block at a time."""
    n_apps, n_reviewers = affinity.shape
    per_app = min(per_app, n_reviewers)
    if per_app:
        for lo, hi in _row_blocks(n_apps, n_reviewers):
            masked = np.where(allowed[lo:hi], affinity[lo:hi], -np.inf)
            top = np.argpartition(masked, n_reviewers - per_app, axis=1)[:, n_reviewers - per_app :]
            rows = np.broadcast_to(np.arange(hi - lo)[:, None], top.shape)
            keep = allowed[lo:hi][rows, top]
            candidates[lo + rows[keep], top[keep]] = True
    per_reviewer = min(per_reviewer, n_apps)
    if per_reviewer:
        for lo, hi in _row_blocks(n_reviewers, n_apps):
            masked = np.where(allowed[:, lo:hi], affinity[:, lo:hi], -np.inf)
            top = np.argpartition(masked, n_apps - per_reviewer, axis=0)[n_apps - per_reviewer :]
            cols = np.broadcast_to(np.arange(hi - lo)[None, :], top.shape)
            keep = allowed[:, lo:hi][top, cols]
            candidates[top[keep], lo + cols[keep]] = True


def _solve_restricted(
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    costs: NDArray[np.int64],
    n_apps: int,
    n_reviewers: int,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
    big: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]] | None:
    """The flow of `_solve_flow` plus an artificial node X = sink + 1 that any application
    may reach (arc i -> X, capacity k, cost `big`) and that reaches any reviewer (X -> j,
    capacity max_j, cost 0), so that the network has a feasible flow whenever the counting
    checks pass, whatever pairs it holds. Returns the flow on the pairs, on the arcs i -> X
    and on the arcs X -> j; None if OR-Tools finds no optimum."""
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = n_apps + n_reviewers
    artificial = sink + 1
    n_pairs = ii.size
    flow.add_arcs_with_capacity_and_unit_cost(
        ii.astype(np.int32), (jj + n_apps).astype(np.int32), np.ones(n_pairs, np.int64), costs
    )
    reviewer_nodes = np.arange(n_apps, sink, dtype=np.int32)
    flow.add_arcs_with_capacity_and_unit_cost(
        reviewer_nodes,
        np.full(n_reviewers, sink, dtype=np.int32),
        max_load - min_load,
        np.zeros(n_reviewers, dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_apps, dtype=np.int32),
        np.full(n_apps, artificial, dtype=np.int32),
        np.full(n_apps, k, dtype=np.int64),
        np.full(n_apps, big, dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_reviewers, artificial, dtype=np.int32),
        reviewer_nodes,
        max_load.astype(np.int64),
        np.zeros(n_reviewers, dtype=np.int64),
    )
    supplies = np.concatenate(
        [
            np.full(n_apps, k, dtype=np.int64),
            -min_load,
            np.array([-(k * n_apps - int(min_load.sum())), 0], dtype=np.int64),
        ]
    )
    flow.set_nodes_supplies(np.arange(artificial + 1, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    flows = flow.flows(np.arange(n_pairs + n_reviewers + n_apps + n_reviewers, dtype=np.int32))
    start = n_pairs + n_reviewers
    return flows[:n_pairs], flows[start : start + n_apps], flows[start + n_apps :]


def _potentials(
    tails: NDArray[np.int64],
    heads: NDArray[np.int64],
    weights: NDArray[np.int64],
    n_nodes: int,
) -> NDArray[np.int64]:
    """Node potentials d with d_head <= d_tail + weight on every given arc: shortest distances
    from a virtual source joined to every node at cost 0 (Bellman-Ford, one vectorised pass
    over the arcs per round). On the residual network of an optimal flow there is no negative
    cycle, so this ends within n_nodes rounds; in integers, so exact."""
    order = np.argsort(heads, kind="stable")
    tails, heads, weights = tails[order], heads[order], weights[order]
    targets, starts = np.unique(heads, return_index=True)
    potential = np.zeros(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(potential[tails] + weights, starts)
        better = best < potential[targets]
        if not better.any():
            return potential
        potential[targets[better]] = best[better]
    raise RuntimeError("negative cycle in the residual network of an optimal flow")


def _price(
    affinity: NDArray[np.float64],
    allowed: NDArray[np.bool_],
    candidates: NDArray[np.bool_],
    potential: NDArray[np.int64],
    scale: int,
    per_app: int,
) -> int:
    """Mark the allowed pairs outside `candidates` whose reduced cost
    cost_ij + d_i - d_j is negative (they could improve the flow), at most `per_app` per
    application (the most negative); how many were marked."""
    n_apps, n_reviewers = affinity.shape
    app_potential = potential[:n_apps, None]
    reviewer_potential = potential[n_apps : n_apps + n_reviewers][None, :]
    never = np.iinfo(np.int64).max
    added = 0
    for lo, hi in _row_blocks(n_apps, n_reviewers):
        reduced = (-np.rint(affinity[lo:hi] * scale)).astype(np.int64)
        reduced += app_potential[lo:hi]
        reduced -= reviewer_potential
        reduced[~allowed[lo:hi] | candidates[lo:hi]] = never
        entering = reduced < 0
        if per_app < n_reviewers and entering.sum(axis=1).max(initial=0) > per_app:
            kth = np.partition(reduced, per_app - 1, axis=1)[:, per_app - 1 : per_app]
            entering &= reduced <= kth
        del reduced
        added += int(np.count_nonzero(entering))
        candidates[lo:hi] |= entering
    return added


def _solve_priced(
    affinity: NDArray[np.float64],
    allowed: NDArray[np.bool_],
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
    scale: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """The optimal flow over every allowed pair, found on a restricted network (column
    generation), so that OR-Tools never holds every pair.

    Solve over each application's best reviewers (and each reviewer's best applications when
    minimum loads are set), take node potentials of the residual network, add the allowed
    pairs of negative reduced cost, and repeat until none is left: then the potentials prove
    the flow optimal for the full network too (no residual arc of negative reduced cost, so
    no negative cycle), with the same integer costs as the full flow. The restricted network
    stays feasible through an artificial node (`_solve_restricted`) whose cost `big` exceeds
    what any cycle of real arcs can gain, so an optimum uses it only when every allowed
    pair together cannot place all reviews. None in that case (the caller then solves and
    explains on the full network), or when `big` would not fit OR-Tools' integer range.
    """
    n_apps, n_reviewers = affinity.shape
    sink = n_apps + n_reviewers
    n_nodes = sink + 2
    largest = float(max(affinity.max(initial=0.0), -affinity.min(initial=0.0)))
    big = (n_nodes + 1) * (int(np.rint(largest * scale)) + 1)
    if big * (n_nodes + 1) >= _COST_LIMIT:
        return None
    candidates = np.zeros(affinity.shape, dtype=bool)
    per_app = min(max(CANDIDATES_PER_APPLICATION, k), n_reviewers)
    _mark_best(affinity, allowed, candidates, per_app, 2 * int(min_load.max(initial=0)))
    app_nodes = np.arange(n_apps)
    reviewer_nodes = np.arange(n_apps, sink)
    while True:
        ii, jj = np.nonzero(candidates)
        costs = _costs(affinity[ii, jj], scale, n_nodes)
        solved = _solve_restricted(ii, jj, costs, n_apps, n_reviewers, k, min_load, max_load, big)
        if solved is None:
            return None
        pair_flow, to_artificial, from_artificial = solved
        chosen = pair_flow > 0
        loads = np.bincount(jj[chosen], minlength=n_reviewers) + from_artificial
        free = ~chosen
        # Residual arcs, as (tail, head, cost) in groups: pairs forward and back, reviewer to
        # sink forward and back, application to X forward and back, X to reviewer likewise.
        groups = [
            (ii[free], jj[free] + n_apps, costs[free]),
            (jj[chosen] + n_apps, ii[chosen], -costs[chosen]),
            (reviewer_nodes[loads < max_load], sink, 0),
            (sink, reviewer_nodes[loads > min_load], 0),
            (app_nodes[to_artificial < k], sink + 1, big),
            (sink + 1, app_nodes[to_artificial > 0], -big),
            (sink + 1, reviewer_nodes[from_artificial < max_load], 0),
            (reviewer_nodes[from_artificial > 0], sink + 1, 0),
        ]
        tails, heads, weights = [], [], []
        for tail, head, weight in groups:
            size = np.broadcast_shapes(np.shape(tail), np.shape(head))
            tails.append(np.broadcast_to(tail, size))
            heads.append(np.broadcast_to(head, size))
            weights.append(np.broadcast_to(np.asarray(weight, dtype=np.int64), size))
        potential = _potentials(
            np.concatenate(tails), np.concatenate(heads), np.concatenate(weights), n_nodes
        )
        if not _price(affinity, allowed, candidates, potential, scale, per_app):
            if to_artificial.any():  # optimal for every allowed pair, yet reviews unplaced
                return None
            return ii[chosen], jj[chosen]


def _diagnose(
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    n_apps: int,
    n_reviewers: int,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
) -> list[InfeasibilityReason]:
    """Explain an infeasible flow: a Hall-type shortfall of the applications, or minimum loads
    that no assignment can meet."""
    source, sink = n_apps + n_reviewers, n_apps + n_reviewers + 1
    need = k * n_apps
    flow = min_cost_flow.SimpleMinCostFlow()
    n_pairs = ii.size
    rev_nodes = np.arange(n_apps, n_apps + n_reviewers, dtype=np.int32)
    # Arc order: pairs, source->apps, reviewers->sink (minimum tier, then the rest).
    flow.add_arcs_with_capacity_and_unit_cost(
        ii.astype(np.int32),
        (jj + n_apps).astype(np.int32),
        np.ones(n_pairs, dtype=np.int64),
        np.zeros(n_pairs, dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_apps, source, dtype=np.int32),
        np.arange(n_apps, dtype=np.int32),
        np.full(n_apps, k, dtype=np.int64),
        np.zeros(n_apps, dtype=np.int64),
    )
    # Flow through a reviewer's first min_load units costs -1, so among maximum flows the
    # cheapest fills as many minimum loads as possible.
    flow.add_arcs_with_capacity_and_unit_cost(
        rev_nodes, np.full(n_reviewers, sink, np.int32), min_load, -np.ones(n_reviewers, np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        rev_nodes,
        np.full(n_reviewers, sink, np.int32),
        max_load - min_load,
        np.zeros(n_reviewers, np.int64),
    )
    flow.set_node_supply(source, need)
    flow.set_node_supply(sink, -need)
    flow.solve_max_flow_with_min_cost()
    pair_flow = flow.flows(np.arange(n_pairs, dtype=np.int32))
    app_flow = np.bincount(ii, weights=pair_flow, minlength=n_apps).astype(np.int64)
    total = int(app_flow.sum())
    reasons: list[InfeasibilityReason] = []
    if total < need:
        short = np.flatnonzero(app_flow < k)
        # The minimum cut: applications still reachable from the source in the residual graph
        # form a set whose non-conflicted reviewers cannot give them k reviews each (Hall).
        rev_flow = np.bincount(jj, weights=pair_flow, minlength=n_reviewers).astype(np.int64)
        used = pair_flow > 0
        tails = np.concatenate(
            [
                np.full(int((app_flow < k).sum()), source),
                ii[~used],
                jj[used] + n_apps,
                np.arange(n_apps, n_apps + n_reviewers)[rev_flow < max_load],
            ]
        )
        heads = np.concatenate(
            [
                short,
                jj[~used] + n_apps,
                ii[used],
                np.full(int((rev_flow < max_load).sum()), sink),
            ]
        )
        residual = sp.csr_matrix(
            (np.ones(tails.size, dtype=np.int8), (tails, heads)), shape=(sink + 1, sink + 1)
        )
        reached = breadth_first_order(residual, source, directed=True, return_predecessors=False)
        hall = np.sort(reached[reached < n_apps])
        if hall.size == 0:
            hall = short
        slots = k * hall.size - (need - total)
        reasons.append(
            InfeasibilityReason(
                code="applications_short",
                message=(
                    f"Too many conflicts: applications {_names(hall)} need {k * hall.size}"
                    f" reviews between them, but the reviewers free of conflicts with them can"
                    f" give only {slots}; {need - total} review(s) cannot be placed. Left"
                    f" short: {_names(short)}."
                ),
                applications=tuple(int(i) for i in short),
                missing=tuple(int(k - app_flow[i]) for i in short),
                total_missing=need - total,
            )
        )
        return reasons
    min_flows = flow.flows(
        np.arange(n_pairs + n_apps, n_pairs + n_apps + n_reviewers, dtype=np.int32)
    )
    under = np.flatnonzero(min_flows < min_load)
    lacking = min_load[under] - min_flows[under]
    reasons.append(
        InfeasibilityReason(
            code="min_loads_unmet",
            message=(
                f"Every application can get {k} reviewers, but not with every reviewer at their"
                f" minimum load: {int(lacking.sum())} minimum review(s) cannot be given, for"
                f" reviewer(s) {_names(under)}."
            ),
            reviewers=tuple(int(j) for j in under),
            missing=tuple(int(x) for x in lacking),
            total_missing=int(lacking.sum()),
        )
    )
    return reasons


def _result(
    affinity: NDArray[np.float64],
    apps: NDArray[np.int64],
    revs: NDArray[np.int64],
    *,
    k: int,
    scale: int,
    fair: bool,
    method: str,
) -> AssignmentResult:
    n_apps, n_reviewers = affinity.shape
    order = np.lexsort((revs, apps))
    apps, revs = apps[order].astype(np.int64), revs[order].astype(np.int64)
    values = affinity[apps, revs]
    return AssignmentResult(
        feasible=True,
        applications=apps,
        reviewers=revs,
        objective=float(values.sum()),
        per_application=np.bincount(apps, weights=values, minlength=n_apps),
        loads=np.bincount(revs, minlength=n_reviewers).astype(np.int64),
        rounding_bound=k * n_apps / scale,
        fair=fair,
        method=method,
    )


def assign(
    affinity: ArrayLike,
    *,
    k: int = 3,
    min_load: int | ArrayLike = 0,
    max_load: int | ArrayLike,
    conflicts: ArrayLike | None = None,
    fair: bool = False,
    fair_method: str = "auto",
    scale: int = DEFAULT_SCALE,
) -> AssignmentResult:
    """The assignment of maximal total affinity, or the reasons none exists.

    `affinity` is (applications × reviewers); `conflicts` a boolean matrix of the same shape
    (True = never assign); loads are one number for every reviewer or one per reviewer.
    With `fair`, the worst-served application's total affinity is raised first and the total
    is maximised subject to that (see `_assign_fair`); `fair_method` is "auto", "milp" or
    "reweighted-flow".
    """
    affinity = np.asarray(affinity, dtype=np.float64)
    if affinity.ndim != 2:
        raise ValueError("affinity must be a matrix (applications × reviewers)")
    if k < 1:
        raise ValueError("k must be at least 1")
    if fair_method not in ("auto", "milp", "reweighted-flow"):
        raise ValueError(f"unknown fair_method {fair_method!r}")
    n_apps, n_reviewers = affinity.shape
    min_load = _loads(min_load, n_reviewers, "min_load")
    max_load = _loads(max_load, n_reviewers, "max_load")
    if (min_load > max_load).any():
        raise ValueError("min_load exceeds max_load for some reviewer")
    allowed = _allowed(affinity, conflicts)
    reasons = check_feasibility(allowed, k=k, min_load=min_load, max_load=max_load)
    if reasons:
        return AssignmentResult(feasible=False, reasons=reasons, fair=fair)
    if not fair and n_apps * n_reviewers >= PRICING_MIN_PAIRS:
        pairs = _solve_priced(affinity, allowed, k, min_load, max_load, scale)
        if pairs is not None:
            return _result(affinity, *pairs, k=k, scale=scale, fair=False, method="flow")
    ii, jj = np.nonzero(allowed)
    costs = _costs(affinity[ii, jj], scale, n_apps + n_reviewers + 1)
    chosen = _solve_flow(ii, jj, costs, n_apps, n_reviewers, k, min_load, max_load)
    del costs
    if chosen is None:
        reasons = _diagnose(ii, jj, n_apps, n_reviewers, k, min_load, max_load)
        return AssignmentResult(feasible=False, reasons=reasons, fair=fair)
    plain = _result(affinity, ii[chosen], jj[chosen], k=k, scale=scale, fair=False, method="flow")
    if not fair:
        return plain
    return _assign_fair(
        affinity,
        ii,
        jj,
        plain,
        k=k,
        min_load=min_load,
        max_load=max_load,
        scale=scale,
        method=fair_method,
    )


def _assign_fair(
    affinity: NDArray[np.float64],
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    plain: AssignmentResult,
    *,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
    scale: int,
    method: str = "auto",
) -> AssignmentResult:
    """Lexicographic fairness: maximise the smallest per-application total affinity, then the
    total subject to it.

    Max-min over sums of k affinities is NP-hard in general, so: up to FAIR_EXACT_MAX_PAIRS
    allowed pairs, two exact MILPs (SciPy HiGHS), the second keeping the first's minimum.
    Beyond that, a reweighted flow in the spirit of FairFlow: applications below the mean get
    their arcs' costs multiplied by a growing weight, the flow is re-solved FAIR_ROUNDS times,
    and the assignment with the best (minimum, total) is kept. The plain optimum is the first
    candidate, so the minimum is never worse than the plain mode's.
    """
    if method == "milp" or (method == "auto" and ii.size <= FAIR_EXACT_MAX_PAIRS):
        exact = _fair_milp(affinity, ii, jj, k=k, min_load=min_load, max_load=max_load)
        if exact is not None:
            result = _result(
                affinity, ii[exact], jj[exact], k=k, scale=scale, fair=True, method="milp"
            )
            if result.min_application_affinity >= plain.min_application_affinity:
                return result
    n_apps, n_reviewers = affinity.shape
    values = affinity[ii, jj]
    best = plain
    weights = np.ones(n_apps)
    per_app = plain.per_application
    for _ in range(FAIR_ROUNDS):
        spread = max(float(per_app.max() - per_app.min()), 1e-12)
        # Applications further below the mean gain weight faster.
        weights *= np.exp(np.clip((per_app.mean() - per_app) / spread, 0.0, None))
        weights /= weights.max()
        costs = _costs(values * weights[ii], scale, n_apps + n_reviewers + 1)
        chosen = _solve_flow(ii, jj, costs, n_apps, n_reviewers, k, min_load, max_load)
        if chosen is None:  # cannot happen: the network is the plain one's
            break
        candidate = _result(
            affinity, ii[chosen], jj[chosen], k=k, scale=scale, fair=True, method="reweighted-flow"
        )
        per_app = candidate.per_application
        if (candidate.min_application_affinity, candidate.objective) > (
            best.min_application_affinity,
            best.objective,
        ):
            best = candidate
    best.fair = True
    if best is plain:
        best.method = "reweighted-flow"
    return best


def _fair_milp(
    affinity: NDArray[np.float64],
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    *,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
) -> NDArray[np.bool_] | None:
    n_apps, n_reviewers = affinity.shape
    n = ii.size
    values = affinity[ii, jj]
    cols = np.arange(n)
    by_app = sp.csr_matrix((np.ones(n), (ii, cols)), shape=(n_apps, n))
    by_reviewer = sp.csr_matrix((np.ones(n), (jj, cols)), shape=(n_reviewers, n))
    weighted = sp.csr_matrix((values, (ii, cols)), shape=(n_apps, n))
    # Variables: x (n binaries), then t (the minimum per-application affinity).
    zero_col = sp.csr_matrix((n_apps, 1))
    loads = LinearConstraint(
        sp.hstack([by_reviewer, sp.csr_matrix((n_reviewers, 1))]), min_load, max_load
    )
    cover = LinearConstraint(sp.hstack([by_app, zero_col]), k, k)
    floor = LinearConstraint(sp.hstack([weighted, -sp.csr_matrix(np.ones((n_apps, 1)))]), 0, np.inf)
    integrality = np.concatenate([np.ones(n), [0]])
    bounds = Bounds(
        np.concatenate([np.zeros(n), [-np.inf]]), np.concatenate([np.ones(n), [np.inf]])
    )
    first = milp(
        np.concatenate([np.zeros(n), [-1.0]]),
        constraints=[loads, cover, floor],
        integrality=integrality,
        bounds=bounds,
    )
    if not first.success:
        return None
    t = float(first.x[-1])
    bounds = Bounds(
        np.concatenate([np.zeros(n), [t - 1e-9 * max(1.0, abs(t))]]),
        np.concatenate([np.ones(n), [np.inf]]),
    )
    second = milp(
        np.concatenate([-values, [0.0]]),
        constraints=[loads, cover, floor],
        integrality=integrality,
        bounds=bounds,
    )
    x = (second if second.success else first).x[:n]
    return x > 0.5


@dataclass(frozen=True)
class LPBound:
    """`value` is a proven upper bound on the total affinity (weak duality); with `optimal`
    it is the LP relaxation's optimum. `columns` counts the pair variables HiGHS saw."""

    value: float
    optimal: bool
    seconds: float = 0.0
    columns: int = 0
    rounds: int = 0


def _restricted_lp(
    values: NDArray[np.float64],
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    n_apps: int,
    n_reviewers: int,
    k: int,
    min_load: NDArray[np.int64],
    max_load: NDArray[np.int64],
):
    n = ii.size
    cols = np.arange(n)
    a_eq = sp.csr_matrix((np.ones(n), (ii, cols)), shape=(n_apps, n))
    by_reviewer = sp.csr_matrix((np.ones(n), (jj, cols)), shape=(n_reviewers, n))
    if min_load.any():
        a_ub = sp.vstack([by_reviewer, -by_reviewer], format="csr")
        b_ub = np.concatenate([max_load, -min_load])
    else:
        a_ub, b_ub = by_reviewer, max_load
    return linprog(
        -values,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.full(n_apps, k),
        bounds=(0, 1),
        method="highs",
    )


def lp_bound(
    affinity: ArrayLike,
    *,
    k: int = 3,
    min_load: int | ArrayLike = 0,
    max_load: int | ArrayLike,
    conflicts: ArrayLike | None = None,
    full: bool = False,
    tolerance: float = 1e-9,
) -> LPBound:
    """An upper bound on the total affinity from the LP relaxation, solved by SciPy `linprog`
    (HiGHS) on sparse constraint matrices. The assignment polytope is integral, so the LP
    optimum equals the flow's optimum up to the integer rounding of costs.

    With `full`, HiGHS gets every allowed pair at once (about 1 KB of HiGHS memory per pair:
    2 GB for 2 million pairs). By default the LP is solved by column generation: HiGHS solves
    it over each application's best pairs, its duals (u per application, v per reviewer's
    maximum, w per reviewer's minimum) are completed with z_ij = max(0, a_ij - u_i - v_j + w_j)
    over all allowed pairs, which makes a feasible dual of the full LP, so

        k·Σu + Σ max_j·v_j − Σ min_j·w_j + Σ z

    is a valid upper bound whatever the restriction (weak duality). Pairs with z_ij > 0 join
    the restricted LP until that bound meets the restricted optimum: then both equal the full
    LP's optimum.
    """
    import time

    started = time.perf_counter()
    affinity = np.asarray(affinity, dtype=np.float64)
    n_apps, n_reviewers = affinity.shape
    min_load = _loads(min_load, n_reviewers, "min_load")
    max_load = _loads(max_load, n_reviewers, "max_load")
    allowed = _allowed(affinity, conflicts)
    all_ii, all_jj = np.nonzero(allowed)
    all_values = affinity[all_ii, all_jj]
    if full:
        result = _restricted_lp(
            all_values, all_ii, all_jj, n_apps, n_reviewers, k, min_load, max_load
        )
        seconds = time.perf_counter() - started
        if result.status != 0:
            return LPBound(float("nan"), False, seconds, all_ii.size, 1)
        return LPBound(float(-result.fun), True, seconds, all_ii.size, 1)

    # Start from each application's best pairs: enough that the restriction is usually
    # feasible, doubled when it is not.
    per_app = min(n_reviewers, max(4 * k, 12))
    masked = np.where(allowed, affinity, -np.inf)
    in_lp = np.zeros(all_ii.size, dtype=bool)
    # Position of each allowed pair in (all_ii, all_jj): row-major order of np.nonzero.
    position = np.full(affinity.shape, -1, dtype=np.int64)
    position[all_ii, all_jj] = np.arange(all_ii.size)
    rounds = 0
    bound = float("inf")
    while True:
        rounds += 1
        if per_app:
            top = np.argpartition(-masked, per_app - 1, axis=1)[:, :per_app]
            picks = position[np.repeat(np.arange(n_apps), per_app), top.ravel()]
            in_lp[picks[picks >= 0]] = True
            per_app = 0
        ii, jj = all_ii[in_lp], all_jj[in_lp]
        result = _restricted_lp(
            all_values[in_lp], ii, jj, n_apps, n_reviewers, k, min_load, max_load
        )
        if result.status == 2 and not in_lp.all():  # infeasible restriction: widen it
            per_app = min(n_reviewers, 2 * max(int(in_lp.sum()) // max(n_apps, 1), 1))
            continue
        if result.status != 0:
            return LPBound(
                float("nan"), False, time.perf_counter() - started, int(in_lp.sum()), rounds
            )
        value = float(-result.fun)
        u = -result.eqlin.marginals
        ub_duals = -result.ineqlin.marginals
        v = np.maximum(ub_duals[:n_reviewers], 0.0)
        w = np.maximum(ub_duals[n_reviewers:], 0.0) if min_load.any() else np.zeros(n_reviewers)
        z = np.maximum(all_values - u[all_ii] - v[all_jj] + w[all_jj], 0.0)
        bound = min(
            bound, k * float(u.sum()) + float(max_load @ v) - float(min_load @ w) + float(z.sum())
        )
        if bound - value <= tolerance * max(1.0, abs(value)):
            return LPBound(bound, True, time.perf_counter() - started, int(in_lp.sum()), rounds)
        entering = (z > tolerance) & ~in_lp
        if not entering.any():
            # Still a valid bound, but HiGHS's duals were not exact enough to prove optimality.
            return LPBound(bound, False, time.perf_counter() - started, int(in_lp.sum()), rounds)
        in_lp |= entering
