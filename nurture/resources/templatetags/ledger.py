"""Amounts as a ledger shows them: each unit with its own places and name."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from nurture.resources.models import UNIT_SCALE, Unit

register = template.Library()


@register.filter
def amount(value, unit="USD"):
    """1,234.50 USD; 12.5 GPU-hours (trailing zeros of hours dropped)."""
    if value is None:
        return "—"
    value = Decimal(value)
    if unit == Unit.GPU_HOURS:
        # Up to the ten-thousandth an hour is kept in, without trailing zeros: 12.5, 2,000.
        hours = value.quantize(Decimal("0.0001")).normalize()
        if hours.as_tuple().exponent > 0:
            hours = hours.quantize(Decimal(1))
        return f"{number_format(hours, force_grouping=True)} {Unit(unit).label}"
    places = UNIT_SCALE.get(unit, 2)
    return f"{unit} {number_format(value, decimal_pos=places, force_grouping=True)}"


@register.filter
def percent_of(part, whole):
    """`part` in percent of `whole`, 0 to 100, for progress bars."""
    try:
        if not whole or whole <= 0:
            return 0
        return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))
    except (TypeError, ValueError, ArithmeticError):
        return 0
