"""`{% load money %}`: amounts in the guest's language, and the indicative amount in their display currency.

    {{ price.total|money:price.currency }}        1,228.84 USD / 1.228,84 $
    {{ n.rate|figure:price.currency }}             1,228.84 / 1.228,84 (a column headed with the currency)
    {% indicative price.total price.currency %}    ≈ 1.134,20 € (indicative; you pay 1,228.84 USD), or nothing
    {{ tax.rate|rate }}                            12, 8.875 (a percentage without trailing zeros)
"""

from decimal import InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from currency.choice import display_currency
from currency.formatting import figure_text, money_text
from currency.rates import convert, latest_rate
from hotelbooking.money import rate_text

register = template.Library()


@register.filter
def rate(value):
    """A percentage as stored ("12.000", Decimal("8.8750")) without trailing zeros: 12, 8.875."""
    if value in (None, ""):
        return ""
    try:
        return rate_text(value)
    except InvalidOperation:
        return value


@register.filter
def money(value, currency):
    if value in (None, "") or not currency:
        return value if value is not None else ""
    return money_text(value, currency)


@register.filter
def figure(value, currency):
    if value in (None, "") or not currency:
        return value if value is not None else ""
    return figure_text(value, currency)


@register.simple_tag(takes_context=True)
def indicative(context, value, currency):
    """The amount converted into the guest's display currency, marked as indicative; "" when the guest shows
    the hotel's currency, or no rate converts into theirs. One rate lookup per pair and page."""
    request = context.get("request")
    shown = display_currency(request) if request is not None else ""
    if value in (None, "") or not currency or not shown or shown == currency:
        return ""
    cache = context.render_context.setdefault("currency.rates", {})
    if (currency, shown) not in cache:
        cache[currency, shown] = latest_rate(currency, shown)
    rate = cache[currency, shown]
    if rate is None:
        return ""
    converted = convert(value, rate)
    return format_html(
        '<span class="indicative" data-indicative="{}">≈ {} <small>({})</small></span>',
        converted.currency, money_text(converted.amount, converted.currency),
        gettext("indicative, at the rate of %(day)s; you pay %(amount)s") % {
            "day": _day(converted.as_of), "amount": money_text(value, currency)})


def _day(day) -> str:
    from django.utils.formats import date_format

    return date_format(day, "DATE_FORMAT")
