"""Splitting an entitlement into tranches: the parts always add up, to the cent."""

import calendar
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nurture.funding.services import FundingError, add_months, split_amount

CENTS = st.integers(min_value=1, max_value=10**12).map(lambda c: Decimal(c) / 100)


@st.composite
def shares(draw) -> list[Decimal]:
    """Shares in hundredths of a percent that add up to exactly 100%."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(
        draw(st.lists(st.integers(1, 9999), min_size=count - 1, max_size=count - 1, unique=True))
    )
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) / 100 for a, b in zip(bounds, bounds[1:], strict=False)]


@given(total=CENTS, percents=shares())
def test_parts_add_up_to_the_entitlement_or_the_split_is_refused(total, percents):
    try:
        parts = split_amount(total, percents)
    except FundingError:
        # Only when some tranche comes to (about) less than a cent: the rounding of the
        # others moves the last one by at most half a cent each.
        slack = Decimal("0.005") * (len(percents) - 1)
        assert min(total * p / 100 for p in percents) < Decimal("0.01") + slack
        return
    assert sum(parts) == total
    assert all(part > 0 and part == part.quantize(Decimal("0.01")) for part in parts)
    for part, percent in zip(parts[:-1], percents[:-1], strict=True):
        assert abs(part - total * percent / 100) <= Decimal("0.005")


def test_a_cent_cannot_be_split_in_three():
    with pytest.raises(FundingError):
        split_amount(Decimal("0.01"), [Decimal("40"), Decimal("30"), Decimal("30")])


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    months=st.integers(0, 60),
)
def test_adding_months_keeps_the_day_or_the_months_last(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    month_end = calendar.monthrange(later.year, later.month)[1]
    assert later.day == day.day or (later.day < day.day and later.day == month_end)
