"""The rubric's arithmetic, in one place: weighted totals, normalised weights, spread.

Pure functions over plain numbers (no database), so that the pages, the API, the CSV export
and the selection all compute the same figures.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from statistics import pstdev

TOTAL_PLACES = Decimal("0.001")
SHARE_PLACES = Decimal("0.1")


def weighted_total(scores: Mapping[int, int], weights: Mapping[int, Decimal]) -> Decimal | None:
    """The weighted mean of the scores on the 1-5 scale: sum(w·s) / sum(w), to 3 places.

    `weights` holds the rubric's criteria (id → positive weight); every one of them needs a
    score, otherwise there is no total (None). Scores of criteria outside the rubric are
    ignored.
    """
    if not weights:
        return None
    if any(criterion not in scores for criterion in weights):
        return None
    total_weight = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if total_weight <= 0:
        raise ValueError("weights must be positive")
    numerator = sum((Decimal(w) * Decimal(scores[c]) for c, w in weights.items()), Decimal(0))
    return (numerator / total_weight).quantize(TOTAL_PLACES, rounding=ROUND_HALF_EVEN)


def normalised_weights(weights: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Each weight as a percentage of their sum, to one decimal place."""
    total = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if total <= 0:
        return dict.fromkeys(weights, Decimal(0))
    return {
        c: (Decimal(100) * Decimal(w) / total).quantize(SHARE_PLACES, rounding=ROUND_HALF_EVEN)
        for c, w in weights.items()
    }


def summary(totals: Iterable[Decimal | None]) -> dict:
    """Mean, lowest, highest, range and standard deviation of the totals that exist."""
    values = [Decimal(t) for t in totals if t is not None]
    if not values:
        return {"n": 0, "mean": None, "low": None, "high": None, "range": None, "stdev": None}
    mean = (sum(values, Decimal(0)) / len(values)).quantize(TOTAL_PLACES)
    stdev = Decimal(str(pstdev(float(v) for v in values))).quantize(TOTAL_PLACES)
    return {
        "n": len(values),
        "mean": mean,
        "low": min(values),
        "high": max(values),
        "range": max(values) - min(values),
        "stdev": stdev,
    }
