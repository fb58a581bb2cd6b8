"""How fast the exact cohort selection and its bootstrap run on a synthetic call.

    python -m bench.selection --apps 600 --reviews 5 --bootstrap 200 [--seed 0]

Generates a call from `--seed`: candidates with a true merit, a sector, a seed-funding request
and an eligibility flag; a pool of reviewers with planted leniency (and spread); `--reviews`
reviews per candidate from distinct reviewers, each score = reviewer's leniency + reviewer's
scale · merit + noise, clipped to the 1-5 rubric scale. Then calibrates
(`nurture.optimize.calibration.calibrate`), selects the cohort exactly with the programme's
default constraints (cohort of 6-10, the yearly cap of 20 minus `--admitted` already admitted
this year, sector caps, the seed-funding pool) and explanations, and runs
`bootstrap_selection` with `--bootstrap` resamples. Prints one JSON line: seconds
(calibration, selection and bootstrap together), optimal (HiGHS proved the selection
optimal), apps, selected, bootstrap (resamples), bootstrap_seconds, peak_mb (peak resident
memory of the process). Target: under 10 seconds.
"""

import argparse
import json
import resource
import time

import numpy as np

from nurture.optimize.calibration import calibrate
from nurture.optimize.selection import SelectionProblem, bootstrap_selection, select_cohort

SECTORS = ("ai", "fintech", "health", "climate", "logistics", "retail", "edtech", "proptech")
# At most 3 startups of one sector in a cohort, 2 for the two most crowded ones.
SECTOR_CAPS = dict.fromkeys(SECTORS, 3) | {"ai": 2, "fintech": 2}
YEARLY_CAP = 20
SIZE_MIN, SIZE_MAX = 6, 10
POOL = 900_000  # US dollars of seed funding for the cohort


def synthetic_call(n_apps: int, reviews: int, n_reviewers: int, seed: int):
    rng = np.random.default_rng(seed)
    merit = rng.normal(0.0, 1.0, n_apps)
    sectors = [SECTORS[i] for i in rng.choice(len(SECTORS), n_apps, p=_sector_shares())]
    costs = rng.integers(10, 31, n_apps) * 5_000.0  # requests of US$50,000 to US$150,000
    eligible = rng.random(n_apps) < 0.85
    leniency = rng.normal(0.0, 0.6, n_reviewers)
    spread = np.exp(rng.normal(0.0, 0.25, n_reviewers))
    apps = np.repeat(np.arange(n_apps), reviews)
    revs = np.concatenate([rng.choice(n_reviewers, reviews, replace=False) for _ in range(n_apps)])
    scores = 3.0 + leniency[revs] + spread[revs] * 0.8 * merit[apps]
    scores = np.clip(np.round(scores + rng.normal(0.0, 0.5, apps.size), 1), 1.0, 5.0)
    return {
        "apps": apps,
        "revs": revs,
        "scores": scores,
        "n_reviewers": n_reviewers,
        "sectors": sectors,
        "costs": costs,
        "eligible": eligible,
    }


def _sector_shares() -> np.ndarray:
    shares = np.array([4.0, 3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    return shares / shares.sum()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=600)
    parser.add_argument("--reviews", type=int, default=5)
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--reviewers", type=int, default=40, help="the advisory board's size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--admitted", type=int, default=12, help="startups already admitted this year"
    )
    args = parser.parse_args(argv)

    if args.reviewers < args.reviews:
        parser.error("--reviewers must be at least --reviews")
    call = synthetic_call(args.apps, args.reviews, args.reviewers, args.seed)
    started = time.perf_counter()
    calibration = calibrate(
        call["apps"],
        call["revs"],
        call["scores"],
        n_applications=args.apps,
        n_reviewers=call["n_reviewers"],
    )
    problem = SelectionProblem(
        merit=calibration.merit,
        size_min=SIZE_MIN,
        size_max=SIZE_MAX,
        remaining_places=YEARLY_CAP - args.admitted,
        sectors=call["sectors"],
        sector_caps=SECTOR_CAPS,
        costs=call["costs"],
        pool=POOL,
        eligible=call["eligible"],
    )
    result = select_cohort(problem)
    bootstrap_started = time.perf_counter()
    robustness = bootstrap_selection(
        problem,
        call["apps"],
        call["revs"],
        call["scores"],
        rounds=args.bootstrap,
        seed=args.seed,
        n_reviewers=call["n_reviewers"],
    )
    finished = time.perf_counter()
    figures = {
        "seconds": round(finished - started, 3),
        "optimal": bool(result.feasible and result.optimal),
        "apps": args.apps,
        "selected": int(result.selected.sum()),
        "bootstrap": robustness.rounds,
        "bootstrap_seconds": round(finished - bootstrap_started, 3),
        # ru_maxrss is in kilobytes on Linux.
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
