from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nurture.reviews import scoring


def test_weighted_total_is_the_weighted_mean_on_the_same_scale():
    weights = {1: Decimal("2"), 2: Decimal("1"), 3: Decimal("1")}
    assert scoring.weighted_total({1: 5, 2: 3, 3: 1}, weights) == Decimal("3.500")


def test_equal_weights_give_the_plain_mean():
    weights = dict.fromkeys(range(1, 6), Decimal("1"))
    assert scoring.weighted_total({1: 1, 2: 2, 3: 3, 4: 4, 5: 4}, weights) == Decimal("2.800")


def test_a_missing_criterion_means_no_total():
    assert scoring.weighted_total({1: 5}, {1: Decimal("1"), 2: Decimal("1")}) is None


def test_scores_outside_the_rubric_are_ignored():
    assert scoring.weighted_total({1: 4, 99: 1}, {1: Decimal("3")}) == Decimal("4.000")


def test_no_criteria_means_no_total():
    assert scoring.weighted_total({}, {}) is None


def test_normalised_weights_are_shares_of_the_sum():
    shares = scoring.normalised_weights({1: Decimal("2"), 2: Decimal("1"), 3: Decimal("1")})
    assert shares == {1: Decimal("50.0"), 2: Decimal("25.0"), 3: Decimal("25.0")}


def test_summary_of_totals():
    stats = scoring.summary([Decimal("4"), Decimal("2"), None, Decimal("3")])
    assert stats == {
        "n": 3,
        "mean": Decimal("3.000"),
        "low": Decimal("2"),
        "high": Decimal("4"),
        "range": Decimal("2"),
        "stdev": Decimal("0.816"),
    }


def test_summary_of_nothing():
    assert scoring.summary([None])["n"] == 0


@given(
    st.dictionaries(
        st.integers(1, 8),
        st.tuples(st.integers(1, 5), st.decimals(min_value="0.01", max_value="100", places=2)),
        min_size=1,
    )
)
def test_total_lies_between_the_lowest_and_highest_score(pairs):
    scores = {c: s for c, (s, _w) in pairs.items()}
    weights = {c: w for c, (_s, w) in pairs.items()}
    total = scoring.weighted_total(scores, weights)
    assert min(scores.values()) - Decimal("0.001") <= total <= max(scores.values())


@given(
    st.integers(1, 5), st.integers(1, 6), st.decimals(min_value="0.01", max_value="50", places=2)
)
def test_scaling_all_weights_changes_nothing(score, n, factor):
    weights = {c: Decimal(c) for c in range(1, n + 1)}
    scores = {c: (score + c) % 5 + 1 for c in weights}
    scaled = {c: w * factor for c, w in weights.items()}
    assert scoring.weighted_total(scores, weights) == pytest.approx(
        scoring.weighted_total(scores, scaled), abs=Decimal("0.001")
    )
