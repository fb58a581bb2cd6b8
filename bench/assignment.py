"""How fast and how close to optimal the reviewer assignment is, against its LP bound.

    python -m bench.assignment --apps 1000 --reviewers 2000 --k 3 --max-load 3 \
        --conflicts 0.02 --seed 0 [--min-load 0] [--fair] [--no-lp]

Draws uniform random affinities in [0, 1) and marks the given fraction of pairs as conflicts
(both from `--seed`), solves with `nurture.optimize.assignment.assign` (min-cost flow), then
solves the LP relaxation with SciPy's HiGHS in the same run. Prints one JSON line:
apps, reviewers, objective, lp_bound, gap = (lp_bound - objective) / lp_bound, seconds (the
optimiser alone), lp_seconds, peak_mb (peak resident memory of the process, LP included).
Targets: gap at most 1e-6; 1000 × 2000 under 3 s and 1 GB; 5000 × 1000 (max load 20) under
15 s; 10000 × 5000 (max load 10, `--no-lp`) under 60 s and 4 GB.
"""

import argparse
import json
import resource
import sys
import time

import numpy as np

from nurture.optimize.assignment import assign, lp_bound


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=2000)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--min-load", type=int, default=0)
    parser.add_argument("--max-load", type=int, default=3)
    parser.add_argument("--conflicts", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fair", action="store_true")
    parser.add_argument("--no-lp", action="store_true", help="skip the LP bound (large sizes)")
    parser.add_argument(
        "--lp-full", action="store_true", help="give HiGHS every pair at once (slow, ~1 KB/pair)"
    )
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    affinity = rng.random((args.apps, args.reviewers))
    # Drawn in blocks of rows: the same numbers as one draw (the generator's stream is
    # sequential) without a full-size float64 temporary (400 MB at 10000 × 5000).
    conflicts = np.empty((args.apps, args.reviewers), dtype=bool)
    step = max(1, 1_000_000 // max(args.reviewers, 1))
    for start in range(0, args.apps, step):
        block = rng.random((min(step, args.apps - start), args.reviewers))
        conflicts[start : start + block.shape[0]] = block < args.conflicts

    started = time.perf_counter()
    result = assign(
        affinity,
        k=args.k,
        min_load=args.min_load,
        max_load=args.max_load,
        conflicts=conflicts,
        fair=args.fair,
    )
    seconds = time.perf_counter() - started
    if not result.feasible:
        print(result.message, file=sys.stderr)

    figures = {
        "apps": args.apps,
        "reviewers": args.reviewers,
        "feasible": result.feasible,
        "objective": round(result.objective, 6),
        "lp_bound": None,
        "gap": None,
        "seconds": round(seconds, 3),
        "lp_seconds": None,
        "peak_mb": None,
        "min_application_affinity": round(result.min_application_affinity, 6),
        "method": result.method,
    }
    if not args.no_lp:
        bound = lp_bound(
            affinity,
            k=args.k,
            min_load=args.min_load,
            max_load=args.max_load,
            conflicts=conflicts,
            full=args.lp_full,
        )
        figures["lp_bound"] = round(bound.value, 6)
        if np.isfinite(bound.value):
            figures["gap"] = (bound.value - result.objective) / bound.value
        figures["lp_optimal"] = bound.optimal
        figures["lp_columns"] = bound.columns
        figures["lp_seconds"] = round(bound.seconds, 3)
    # ru_maxrss is in kilobytes on Linux.
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
