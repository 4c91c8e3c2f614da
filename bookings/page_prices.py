"""What the guest pages show of a price: a quote's or a booking's breakdown, its extras and cancellation terms, in
the page's language; and the stay parameters that carry the extras a guest chose."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from hotelbooking.money import round_money
from pricing.engine import Quote

from .models import Reservation


def money_str(amount, currency: str) -> str:
    return str(round_money(amount, currency))


def price_breakdown(*, currency: str, nights: list[tuple], rooms: int, subtotal, rate_plan_discount,
                    promotion_discount, room_total, tax_lines: list[tuple], fee_lines: list[tuple], total,
                    extra_lines: list[tuple] = ()) -> dict:
    m = lambda amount: money_str(amount, currency)  # noqa: E731
    discounts = []
    if rate_plan_discount:
        discounts.append((gettext("Rate discount"), m(-abs(Decimal(rate_plan_discount)))))
    if promotion_discount:
        discounts.append((gettext("Promotion"), m(-abs(Decimal(promotion_discount)))))
    return {
        "currency": currency, "rooms": rooms,
        "nights": [{"date": d, "rate": m(rate)} for d, rate in nights],
        "subtotal": m(subtotal), "discounts": discounts, "room_total": m(room_total),
        "taxes": [{"name": n, "amount": m(a)} for n, a in tax_lines],
        "fees": [{"name": n, "amount": m(a)} for n, a in fee_lines],
        "extras": [{"name": n, "amount": m(a), "included": inc} for n, a, inc in extra_lines],
        "total": m(total),
    }


# How an extra is priced, as the end of "24.50 USD per person per night" in the page's language.
EXTRA_KIND_WORDS = {"PER_STAY": gettext_lazy("per stay"), "PER_NIGHT": gettext_lazy("per night"),
                    "PER_PERSON": gettext_lazy("per person, once per stay"),
                    "PER_PERSON_PER_NIGHT": gettext_lazy("per person per night")}


def extra_label(name: str, kind: str, quantity: int, units: int | None = None) -> str:
    """"Parking x 2", "Breakfast (4 guest-nights)": what the guest took, in words."""
    label = f"{name} \u00d7 {quantity}" if quantity > 1 else name
    if units and kind in ("PER_PERSON", "PER_PERSON_PER_NIGHT"):
        what = gettext("guest-nights") if kind == "PER_PERSON_PER_NIGHT" else gettext("guests")
        label += f" ({units} {what})"
    return label


def extras_param(value: str) -> list[dict]:
    """The `extras` stay parameter ("BRKF:1,PARK:2") as the booking service takes it; junk is left out."""
    chosen = []
    for part in (value or "").split(","):
        code, _, quantity = part.strip().partition(":")
        if code.strip():
            chosen.append({"code": code.strip()[:20], "quantity": quantity.strip() or 1})
    return chosen


def extras_form_value(query) -> str:
    """The extras form's checkboxes (`extra`) and quantities (`qty_<code>`) as the `extras` parameter."""
    picked = []
    for code in query.getlist("extra"):
        code = code.strip()[:20]
        quantity = query.get(f"qty_{code}", "1").strip() or "1"
        if code and quantity.isdigit() and int(quantity) > 0:
            picked.append(f"{code}:{int(quantity)}")
    return ",".join(picked)


def tax_included_label(name: str, included: bool) -> str:
    # A tax inside the prices (a hotel whose prices include tax) is shown, not added to the total again.
    return gettext("%(tax)s (included)") % {"tax": name} if included else name


def quote_breakdown(quote: Quote) -> dict:
    return price_breakdown(currency=quote.currency, nights=[(n.date, n.rate) for n in quote.nights],
                           rooms=quote.rooms, subtotal=quote.subtotal, rate_plan_discount=quote.rate_plan_discount,
                           promotion_discount=quote.promotion_discount, room_total=quote.room_total,
                           tax_lines=[(tax_included_label(t.name, t.included), t.amount) for t in quote.tax_lines],
                           fee_lines=[(f.name, f.amount) for f in quote.fee_lines], total=quote.total,
                           extra_lines=[(_extra_line_label(e, e.units), e.amount, e.included)
                                        for e in quote.extra_lines])


def reservation_breakdown(r: Reservation) -> dict:
    lines = r.charge_lines or {}
    return price_breakdown(currency=r.currency, nights=[(n.date, n.rate) for n in r.nights.all()],
                           rooms=r.room_count, subtotal=r.subtotal, rate_plan_discount=r.rate_plan_discount,
                           promotion_discount=r.promotion_discount, room_total=r.room_total,
                           tax_lines=[(tax_included_label(t["name"], t.get("included")), Decimal(t["amount"]))
                                      for t in lines.get("taxes", [])],
                           fee_lines=[(f["name"], Decimal(f["amount"])) for f in lines.get("fees", [])],
                           total=r.grand_total,
                           extra_lines=[(_extra_line_label(e), e.amount, e.included) for e in r.extras.all()])


def _extra_line_label(extra, units: int | None = None) -> str:
    return tax_included_label(extra_label(extra.name, extra.kind, extra.quantity, units), extra.included)


def cancellation_terms_shown(policy: dict, free_until: datetime | None, hotel) -> dict:
    # Hotel wall-clock time, naive on purpose: the template's date filter would move an aware time into UTC.
    local = timezone.make_naive(free_until, hotel.tz) if free_until else None
    return {"name": policy.get("name", ""), "description": policy.get("description", ""),
            "free_until": local, "free_now": free_until is not None and free_until > timezone.now(),
            "timezone": hotel.timezone}
