"""Amounts as each language writes them, and the indicative conversion: figures a guest reads."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from currency.choice import COOKIE
from currency.formatting import figure_text, money_text
from currency.models import ExchangeRate
from currency.rates import convert, display_currencies, latest_rate

NBSP, NNBSP = "\xa0", "\u202f"


@pytest.mark.parametrize(("language", "currency", "expected"), [
    ("en", "USD", "1,228.84 USD"),
    ("en", "EUR", "1,228.84 EUR"),
    ("de", "EUR", f"1.228,84{NBSP}€"),
    ("de", "USD", f"1.228,84{NBSP}$"),
    ("es", "EUR", f"1.228,84{NBSP}€"),
    ("fr", "EUR", f"1{NNBSP}228,84{NBSP}€"),
    ("de", "JPY", f"1.229{NBSP}¥"),  # no minor unit: rounded half-up to the yen
    ("en", "KWD", "1,228.840 KWD"),  # three decimals
])
def test_an_amount_is_written_as_the_language_writes_it(language, currency, expected):
    assert money_text(Decimal("1228.84"), currency, language=language) == expected


def test_the_active_language_is_the_default_and_strings_are_taken():
    with translation.override("de"):
        assert money_text("664.14", "USD") == f"664,14{NBSP}$"
        assert figure_text("-60.70", "USD") == "-60,70"
    assert money_text("664.14", "USD") == "664.14 USD"
    assert figure_text("1205.88", "USD") == "1,205.88"


def test_rounding_is_half_up_to_the_minor_unit_once():
    assert money_text(Decimal("0.125"), "USD", language="en") == "0.13 USD"
    assert money_text(Decimal("2.5"), "JPY", language="en") == "3 JPY"


@pytest.mark.django_db
def test_the_newest_rate_of_a_pair_converts_and_rounds_in_the_shown_currency():
    ExchangeRate.objects.create(base="USD", quote="EUR", rate=Decimal("0.90"), as_of=date(2027, 2, 1))
    ExchangeRate.objects.create(base="USD", quote="EUR", rate=Decimal("0.92"), as_of=date(2027, 3, 1))
    ExchangeRate.objects.create(base="USD", quote="JPY", rate=Decimal("151.37"), as_of=date(2027, 3, 1))

    rate = latest_rate("usd", "EUR")
    assert rate.rate == Decimal("0.92") and rate.as_of == date(2027, 3, 1)
    assert convert("664.14", rate).amount == Decimal("611.01")  # 611.0088
    assert convert("664.14", latest_rate("USD", "JPY")).amount == Decimal("100531")  # 100530.87
    assert latest_rate("EUR", "USD") is None  # only the stored direction
    assert display_currencies() == ["EUR", "JPY", "USD"]


@pytest.mark.django_db
def test_a_rate_is_positive_between_two_currencies_and_once_a_day():
    ExchangeRate.objects.create(base="USD", quote="EUR", rate=Decimal("0.92"), as_of=date(2027, 3, 1))
    for bad in [dict(quote="EUR", rate=Decimal("0.93")), dict(quote="GBP", rate=Decimal("0")),
                dict(quote="USD", rate=Decimal("1"))]:
        with pytest.raises(IntegrityError), transaction.atomic():
            ExchangeRate.objects.create(base="USD", as_of=date(2027, 3, 1), **bad)


def _indicative(cookie: str | None, language: str = "de") -> str:
    request = RequestFactory().get("/")
    if cookie:
        request.COOKIES[COOKIE] = cookie
    with translation.override(language):
        return Template("{% load money %}{% indicative '664.14' 'USD' %}").render(Context({"request": request}))


@pytest.mark.django_db
def test_the_indicative_amount_says_it_is_indicative_and_what_is_paid():
    ExchangeRate.objects.create(base="USD", quote="EUR", rate=Decimal("0.92"), as_of=date(2027, 3, 1))

    german = _indicative("EUR")
    assert f"≈ 611,01{NBSP}€" in german and "unverbindlich" in german
    assert f"Sie zahlen 664,14{NBSP}$" in german and "1. März 2027" in german
    assert "indicative, at the rate of March 1, 2027; you pay 664.14 USD" in _indicative("EUR", "en")
    assert _indicative(None) == "" and _indicative("USD") == ""  # the hotel's own currency
    assert _indicative("GBP") == ""  # no rate: nothing converted, nothing guessed
    assert _indicative("<b>") == ""  # not a currency code
