"""Money: Decimal amounts rounded half-up to the currency's minor unit, in this one place."""

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units that differ from 2.
_MINOR_UNITS = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KMF": 0,
    "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0, "VND": 0, "VUV": 0,
    "XAF": 0, "XOF": 0, "XPF": 0,
}

ZERO = Decimal("0")


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return round_money(Decimal(amount) * Decimal(percent) / Decimal(100), currency)


def allocate(amount: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Split `amount` in proportion to `weights` (evenly when they are all 0), each share rounded, so that the
    shares always add up to `amount`: what rounding leaves over goes a minor unit at a time to the heaviest
    shares first (the first of equals), never onto a share of weight 0 nor below 0 (a split of 19 JPY over 11
    nights is 1 + 1 + 1 + 2 x 8, not -1 + 2 x 10)."""
    n = len(weights)
    total_weight = sum(weights, ZERO)
    if total_weight:
        shares = [round_money(amount * w / total_weight, currency) for w in weights]
    else:
        shares = [round_money(amount / n, currency) for _ in weights]
    order = sorted((i for i in range(n) if weights[i] or not total_weight), key=lambda i: (-weights[i], i))
    unit, left = quantum(currency), amount - sum(shares, ZERO)
    while abs(left) >= unit:
        step = unit if left > 0 else -unit
        takers = [i for i in order if step > 0 or shares[i] + step >= 0]
        if not takers:
            break
        for i in takers[:int(abs(left) / unit)]:
            shares[i] += step
            left -= step
    shares[order[0]] += left
    return shares


def money_per(amount, count, currency: str) -> Decimal | None:
    """An amount shared over a count (revenue per room night: ADR, RevPAR), rounded once; None for no count."""
    if not count:
        return None
    return round_money(Decimal(amount) / Decimal(count), currency)


def rate_text(rate) -> str:
    """A rate in percent without trailing zeros: 12.0000 -> "12", 8.8750 -> "8.875"."""
    text = f"{Decimal(str(rate)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_share(part, whole, places: int = 2) -> Decimal | None:
    """`part` as a percentage of `whole` (occupancy), half-up to `places` decimals; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(amount: Decimal, currency: str) -> str:
    """'664.14 USD' style, for emails and messages."""
    return f"{round_money(amount, currency):,} {currency}"


def to_minor_units(amount, currency: str, *, exponent: int | None = None) -> int:
    """The amount as an integer count of minor units (664.14 USD -> 66414, 5000 JPY -> 5000).

    `exponent` is for a provider whose wire format differs from ISO 4217 (Stripe sends ISK in hundredths). The
    amount is rounded here, in the currency's own unit; one that the exponent cannot carry exactly is refused
    (ValueError) rather than rounded a second time.
    """
    places = minor_units(currency) if exponent is None else exponent
    scaled = round_money(amount, currency).scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} has more decimals than {places}")
    return int(scaled)


def from_minor_units(value: int, currency: str, *, exponent: int | None = None) -> Decimal:
    """The inverse of to_minor_units: 66414 USD minor units -> Decimal('664.14')."""
    places = minor_units(currency) if exponent is None else exponent
    return round_money(Decimal(int(value)).scaleb(-places), currency)
