from django import template

from hotelbooking.money import round_money
from invoicing.composition import rate_text

register = template.Library()


@register.filter
def money(value, currency):
    """An amount at the currency's minor unit with thousands separators: 1,234.50."""
    if value in (None, ""):
        return ""
    return f"{round_money(value, currency):,}"


@register.filter
def rate(value):
    """A tax rate in percent without trailing zeros: 12.0000 -> 12, 8.8750 -> 8.875."""
    return "" if value in (None, "") else rate_text(value)
