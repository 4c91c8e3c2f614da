"""Amounts written the way the guest's language writes them (Babel, CLDR data).

English keeps the form the pages always had, the figure then the ISO code, now with thousands separators:
1,228.84 USD. Spanish, French and German write the figure their way with the currency's sign: 1.228,84 €,
1 228,84 €. Rounding is hotelbooking.money's (half-up to the currency's minor unit); here is layout only.
"""

from decimal import Decimal

from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation

from hotelbooking.money import round_money

_ENGLISH_PATTERN = "#,##0.00 ¤¤"  # ¤¤: the ISO code; the decimals follow the currency (JPY has none)
_FIGURE_PATTERN = "#,##0.00"


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a Django language code (the active one by default): "de", "en_US"."""
    return translation.to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)


def _is_english(locale: str) -> bool:
    return locale.split("_")[0] == "en"


def money_text(amount, currency: str, *, language: str | None = None) -> str:
    """An amount with its currency: 1,228.84 USD (English), 1.228,84 € (German)."""
    value = round_money(Decimal(str(amount)), currency)
    locale = babel_locale(language)
    pattern = _ENGLISH_PATTERN if _is_english(locale) else None
    return format_currency(value, currency, format=pattern, locale=locale, currency_digits=True)


def figure_text(amount, currency: str, *, language: str | None = None) -> str:
    """The figure alone, for a column headed with its currency: 1,228.84 (English), 1.228,84 (German)."""
    value = round_money(Decimal(str(amount)), currency)
    return format_currency(value, currency, format=_FIGURE_PATTERN, locale=babel_locale(language),
                           currency_digits=True)
