from django import template

from currency.formatting import figure_text
from hotelbooking.money import round_money
from invoicing.composition import rate_text

register = template.Library()


@register.filter
def money(value, currency):
    """An amount at the currency's minor unit with thousands separators, the active language's way: 1,234.50
    (English), 1.234,50 (German)."""
    if value in (None, ""):
        return ""
    return figure_text(round_money(value, currency), currency)


@register.filter
def rate(value):
    """A tax rate in percent without trailing zeros: 12.0000 -> 12, 8.8750 -> 8.875."""
    return "" if value in (None, "") else rate_text(value)
