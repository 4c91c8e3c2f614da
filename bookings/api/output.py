"""The partner API's answers about bookings: the booking as read back, and a PENDING one with where its payment
stands. Shared by booking_create (booking.py), the pending payment's status URL (pending.py) and booking_retrieve.
"""

from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from hotelbooking.api import AmountField, ErrorSerializer
from hotelbooking.money import round_money
from pricing.api import (
    CancellationPolicyOutput,
    ExtraLineOutput,
    NightlyRateOutput,
    PaymentTermsOutput,
    TaxLineOutput,
)

from .. import services
from ..extras import extras_data
from ..models import PaymentAttempt, Reservation, actor_shown
from ..payment_terms import reservation_payment_terms

AMOUNT_HELP = 'Decimal string in the hotel\'s currency with its minor unit, e.g. "664.14".'
_FIRST_ROOM = " For a multi-room booking: the first room's (each room is in `rooms`)."
_BOOKING_SUM = " For a multi-room booking: the sum over its rooms."


def error_doc(description: str, *examples: tuple[str, dict]) -> OpenApiResponse:
    """An error answer in the schema: the Error body, with examples."""
    return OpenApiResponse(ErrorSerializer, description=description, examples=[
        OpenApiExample(title, value={"error": body}) for title, body in examples])


def location_of(confirmation_number: str) -> str:
    return reverse("api-booking-detail", args=[confirmation_number])


class BookingHotelOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()


class BookingRoomTypeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BookingGuestsOutput(serializers.Serializer):
    adults = serializers.IntegerField(help_text="At booking." + _FIRST_ROOM)
    children = serializers.IntegerField(help_text="At booking." + _FIRST_ROOM)


class BookingRatePlanOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BookingDiscountOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["RATE_PLAN", "PROMOTION"],
                                   help_text="RATE_PLAN: the rate plan's own discount (e.g. AAA's 10%); PROMOTION: "
                                             "the promotion code's")
    code = serializers.CharField(help_text="The rate plan's or the promotion's code")
    name = serializers.CharField()
    amount = AmountField(help_text="Negative, e.g. \"-60.70\"." + _BOOKING_SUM + " " + AMOUNT_HELP)


class BookingPricingOutput(serializers.Serializer):
    """The booking's price, with the names the search uses for the same amounts (subtotal, discount, total):
    sum(nightly_rates.rate) x room_count = subtotal; subtotal + discount = room_total; room_total + taxes + fees =
    grand_total (= total)."""

    currency = serializers.CharField(help_text="ISO 4217 code of every amount in this object")
    nightly_rates = NightlyRateOutput(many=True, help_text="The undiscounted rate of each night, per room, as "
                                                           "booked." + _FIRST_ROOM)
    subtotal = AmountField(help_text="The nightly rates summed, times room_count, before discounts."
                                               + _BOOKING_SUM + " " + AMOUNT_HELP)
    rate_plan_discount = AmountField(help_text="Negative or zero." + _BOOKING_SUM + " " + AMOUNT_HELP)
    promotion_discount = AmountField(help_text="Negative or zero." + _BOOKING_SUM + " " + AMOUNT_HELP)
    discount = AmountField(help_text="rate_plan_discount + promotion_discount (negative or zero), "
                                               "as in the search." + _BOOKING_SUM + " " + AMOUNT_HELP)
    discounts = BookingDiscountOutput(many=True, help_text="Each discount applied (rate plan, promotion) with "
                                                           "its amount; empty when none. They add up to discount.")
    room_total = AmountField(help_text="Rates less rate-plan and promotion discounts, all rooms: subtotal "
                                                 "+ discount." + _BOOKING_SUM + " " + AMOUNT_HELP)
    taxes = AmountField(help_text="The taxes added to room_total: every tax at a hotel whose prices exclude tax; "
                                  "at one whose prices include tax, the flat and per-person taxes only (e.g. a "
                                  "city tax). " + AMOUNT_HELP + _BOOKING_SUM)
    tax_lines = TaxLineOutput(many=True, help_text="The booked tax lines, one per tax and rate; lines marked "
                                                   "`included` are inside room_total." + _BOOKING_SUM)
    included_taxes = AmountField(required=False, help_text="Only at a hotel whose prices include tax: the "
                                                           "percentage taxes inside room_total. " + AMOUNT_HELP
                                                           + _BOOKING_SUM)
    fees = AmountField(help_text=AMOUNT_HELP + _BOOKING_SUM)
    extras = AmountField(help_text="New: the extras' sum (breakfast, parking...), before tax; 0.00 when none; the "
                                   "percentage taxes on them are in `taxes`. " + AMOUNT_HELP + _BOOKING_SUM)
    grand_total = AmountField(help_text="room_total + taxes + fees + extras, at either kind of hotel. The same "
                                        "amount as "
                                        "`total`, the name "
                                                  "the search uses for it." + _BOOKING_SUM + " " + AMOUNT_HELP)
    total = AmountField(help_text="The same amount as grand_total, under the name the search's "
                                            "pricing gives it (its `total` is what booking that offer costs)."
                                            + _BOOKING_SUM + " " + AMOUNT_HELP)


class BookingPaymentOutput(serializers.Serializer):
    status = serializers.CharField(help_text="COMPLETED, PARTIALLY_REFUNDED, REFUNDED, or NOT_COLLECTED (the "
                                             "channel collects the money)")
    last_four = serializers.CharField(allow_blank=True)
    amount = AmountField(help_text="Paid so far (charges less refunds)." + _BOOKING_SUM + " "
                                             + AMOUNT_HELP)
    currency = serializers.CharField(help_text="ISO 4217 code of `amount` (the hotel's currency)")


class BookingRoomTotalsOutput(serializers.Serializer):
    subtotal = AmountField(help_text="This room's nightly rates summed, before discounts. "
                                               + AMOUNT_HELP)
    discount = AmountField(help_text="This room's rate-plan and promotion discounts (negative or "
                                               "zero): subtotal + discount = room_total. " + AMOUNT_HELP)
    room_total = AmountField(help_text=AMOUNT_HELP)
    taxes = AmountField(help_text=AMOUNT_HELP)
    fees = AmountField(help_text=AMOUNT_HELP)
    grand_total = AmountField(help_text=AMOUNT_HELP)
    currency = serializers.CharField(help_text="ISO 4217 code of these amounts (the hotel's currency)")


class BookingRoomOutput(serializers.Serializer):
    room = serializers.IntegerField(help_text="The room's place in the booking, from 1 (the lead)")
    number = serializers.CharField(allow_null=True,
                                   help_text="The room's own confirmation number (null while PENDING): the "
                                             "booking's for room 1, "
                                             "<booking's number>-2, -3, ... for the others (cancel or change "
                                             "one room by it)")
    status = serializers.CharField(help_text="This room's status")
    room_type = BookingRoomTypeOutput()
    room_count = serializers.IntegerField(help_text="Identical rooms booked on this line (1 for each room of a "
                                                    "multi-room booking)")
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    child_ages = serializers.ListField(child=serializers.IntegerField())
    nights = NightlyRateOutput(many=True, help_text="This room's nightly rates, as booked")
    totals = BookingRoomTotalsOutput()


class BookingOutput(serializers.Serializer):
    """A booking. For a multi-room booking (read by its first room's number) `room_type` and `guests` are the
    first room's, `pricing` totals (room_total, taxes, fees, grand_total), `payment` and `payment_terms` amounts
    are the sums over its rooms, `pricing.nightly_rates` are the first room's; every room is in `rooms`."""

    confirmation_number = serializers.CharField(help_text="e.g. GH-NYC-2024031500001")
    status = serializers.ChoiceField(
        choices=[s for s, _ in Reservation._meta.get_field("status").choices],
        help_text="For a multi-room booking: the first room's status that is still live (not CANCELLED, EXPIRED "
                  "or NO_SHOW); CANCELLED only once every room is. Each room's is in `rooms`.")
    guest_name = serializers.CharField()
    hotel = BookingHotelOutput()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    room_type = BookingRoomTypeOutput()
    rate_plan = BookingRatePlanOutput(help_text="The rate plan booked (every room of a booking has the same)")
    guests = BookingGuestsOutput()
    special_requests = serializers.CharField(allow_blank=True, help_text="As the guest asked at booking; "
                                                                         "empty when none")
    billing_address = serializers.CharField(allow_blank=True, help_text="New: the address printed on the guest's "
                                                                        "invoices, as given at booking; empty when "
                                                                        "none")
    pricing = BookingPricingOutput()
    cancellation_policy = CancellationPolicyOutput()
    payment = BookingPaymentOutput()
    payment_terms = PaymentTermsOutput(
        allow_null=True, help_text="What the rate plan's guarantee rule charged at booking, what is left and when, "
                                   "as agreed at booking; null when the channel collected the money." + _BOOKING_SUM)
    extras = ExtraLineOutput(
        many=True, help_text="New: the booking's extras, chosen ones and those the rate plan includes (at 0.00), "
                             "each summed over the rooms; empty when none.")
    rooms = BookingRoomOutput(
        many=True, help_text="New. Every room of the booking, the first one first: one element for a single-room "
                             "booking. Read by a companion room's own number, the booking is that room alone.")


class PendingPaymentOutput(BookingPaymentOutput):
    status = serializers.CharField(
        help_text="REQUIRES_ACTION or PROCESSING. REQUIRES_ACTION: the guest's bank wants the payment "
                  "authenticated (3-D Secure): hand client_secret to Stripe.js (stripe.handleNextAction) in the "
                  "guest's browser, then GET status_url. PROCESSING: the provider's answer is awaited; GET "
                  "status_url again in a few seconds (it may also be settled on our side in the meantime)")
    client_secret = serializers.CharField(
        required=False, help_text="With REQUIRES_ACTION only: the PaymentIntent's client secret, for the guest's "
                                  "browser and no one else. Never logged by us.")
    status_url = serializers.CharField(
        help_text="GET it (same API key) for the outcome: 200 CONFIRMED with the booking, 202 while still pending, "
                  "402 PAYMENT_FAILED (the rooms are given back), 410 PAYMENT_LINK_EXPIRED once the hold time "
                  "(15 minutes by default) is over")


class PendingBookingOutput(BookingOutput):
    """A booking whose payment is not settled yet: its rooms are held, nothing is confirmed."""

    confirmation_number = serializers.CharField(
        allow_null=True, help_text="null until the booking is confirmed: the number is given at confirmation")
    status = serializers.CharField(help_text="PENDING: the rooms are held until the payment is settled")
    payment = PendingPaymentOutput()


class StatusChangeOutput(serializers.Serializer):
    to = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="Who made the change, as a kind and never another caller's name: 'you' "
                                         "(this API key or user), 'partner' (another API key), 'hotel' (hotel "
                                         "staff or its front-desk key), 'channel' (an OTA), 'guest' (the "
                                         "guest's own pages) or 'system'")
    note = serializers.CharField(allow_blank=True)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be a class attribute; it comes first in the answer.
        fields = super().get_fields()
        return {"from": serializers.CharField(allow_null=True, help_text="null for the booking's creation"),
                **fields}


class BookingDetailOutput(BookingOutput):
    status_history = StatusChangeOutput(many=True)


_ENDED = ("CANCELLED", "EXPIRED", "NO_SHOW")


def booking_data(reservation: Reservation, *, history: bool = False, caller=None) -> dict:
    """The reservation in the shape of BookingOutput (BookingDetailOutput with `history`, whose `by` is told
    relative to `caller`: an API key or a user).

    The lead of a multi-room booking answers for the whole booking: sums over its rooms, the first room's room
    type and party, every room in `rooms`. Any other reservation (a single-room booking, or one room read by its
    own number) is a one-room booking."""
    c = reservation.currency
    hotel = reservation.hotel
    rooms = reservation.booking_rooms() if not reservation.lead_id else [reservation]
    if len(rooms) > 1:
        prefetch_related_objects(rooms[1:], "nights", "payments")
    prefetch_related_objects(rooms, "extras")
    paid = _payment_summary(rooms)
    policy = reservation.cancellation_policy or {}

    def total(name: str) -> str:
        return str(round_money(sum((getattr(r, name) for r in rooms), Decimal(0)), c))

    live = [r for r in rooms if r.status not in _ENDED]
    plan = reservation.rate_plan
    data = {
        "confirmation_number": reservation.confirmation_number,
        "status": (live[0] if live else reservation).status,
        "guest_name": reservation.guest_full_name,
        "hotel": {"code": hotel.code, "name": hotel.name, "address": hotel.address},
        "check_in": reservation.check_in,
        "check_out": reservation.check_out,
        "room_type": {"code": reservation.room_type.code, "name": reservation.room_type.name},
        "rate_plan": {"code": plan.code, "name": plan.name},
        "guests": {"adults": reservation.adults, "children": reservation.children},
        "special_requests": reservation.special_requests,
        "billing_address": reservation.billing_address,
        "pricing": {
            "currency": c,
            "nightly_rates": [{"date": n.date, "rate": str(round_money(n.rate, c))}
                              for n in reservation.nights.all()],
            "subtotal": total("subtotal"),
            "rate_plan_discount": total("rate_plan_discount"),
            "promotion_discount": total("promotion_discount"),
            "discount": str(round_money(sum((r.rate_plan_discount + r.promotion_discount for r in rooms),
                                            Decimal(0)), c)),
            "discounts": _discounts(reservation, rooms),
            "room_total": total("room_total"),
            "taxes": total("taxes"),
            **_booked_tax_lines(rooms, c, inclusive=hotel.prices_include_tax),
            "fees": total("fees"),
            "extras": str(round_money(sum((e.amount for r in rooms for e in r.extras.all()), Decimal(0)), c)),
            "grand_total": total("grand_total"),
            "total": total("grand_total"),
        },
        "cancellation_policy": {
            "name": policy.get("name", ""), "description": policy.get("description", ""),
            "free_until": reservation.free_until.astimezone(hotel.tz) if reservation.free_until else None,
        },
        "payment": {"status": paid["status"], "last_four": paid["last_four"],
                    "amount": str(round_money(paid["amount"], c)), "currency": c},
    }
    data["payment_terms"] = _payment_terms(rooms)
    data["extras"] = extras_data(rooms)
    data["rooms"] = [_room_data(r, position) for position, r in enumerate(rooms, start=1)] \
        if not reservation.lead_id else [_room_data(reservation, _position(reservation))]
    if history:
        data["status_history"] = [
            {"from": s.from_status or None, "to": s.to_status, "at": s.at, "by": actor_shown(s, caller=caller),
             "note": s.note}
            for s in reservation.status_changes.all()
        ]
    return data


def _booked_tax_lines(rooms: list[Reservation], currency: str, *, inclusive: bool) -> dict:
    """The rooms' booked tax lines, summed per tax and rate, as the search shows them (`tax_lines`), and the
    taxes inside the prices (`included_taxes`) at a hotel whose prices include tax."""
    summed: dict[tuple, Decimal] = {}
    for r in rooms:
        for line in (r.charge_lines or {}).get("taxes", []):
            key = (line["name"], bool(line.get("included")), line.get("rate") if line.get("included") else None)
            summed[key] = summed.get(key, Decimal(0)) + Decimal(line["amount"])
    lines = []
    for (name, included, rate), amount in summed.items():
        shown = {"name": name, "amount": str(round_money(amount, currency))}
        if included:
            shown |= {"included": True, "rate": None if rate is None else format(Decimal(rate).normalize(), "f")}
        lines.append(shown)
    data = {"tax_lines": lines}
    if inclusive:
        data["included_taxes"] = str(round_money(sum((a for k, a in summed.items() if k[1]), Decimal(0)), currency))
    return data


def _discounts(reservation: Reservation, rooms: list[Reservation]) -> list[dict]:
    """The discounts the booking's price carries, each with its amount summed over the rooms (the rate plan is
    the booking's; the promotion is the one its rooms were priced with)."""
    c = reservation.currency
    promotion = next((r.promotion for r in rooms if r.promotion_id), None)
    applied = [("RATE_PLAN", reservation.rate_plan, sum((r.rate_plan_discount for r in rooms), Decimal(0))),
               ("PROMOTION", promotion, sum((r.promotion_discount for r in rooms), Decimal(0)))]
    return [{"kind": kind, "code": source.code, "name": source.name, "amount": str(round_money(amount, c))}
            for kind, source, amount in applied if source is not None and amount]


def _position(reservation: Reservation) -> int:
    return 2 + Reservation.objects.filter(lead=reservation.lead_id, pk__lt=reservation.pk).count()


def _room_data(r: Reservation, position: int) -> dict:
    c = r.currency
    return {
        "room": position, "number": r.confirmation_number, "status": r.status,
        "room_type": {"code": r.room_type.code, "name": r.room_type.name}, "room_count": r.room_count,
        "adults": r.adults, "children": r.children, "child_ages": list(r.child_ages or []),
        "nights": [{"date": n.date, "rate": str(round_money(n.rate, c))} for n in r.nights.all()],
        "totals": {"subtotal": str(round_money(r.subtotal, c)),
                   "discount": str(round_money(r.rate_plan_discount + r.promotion_discount, c)),
                   **{name: str(round_money(getattr(r, name), c))
                      for name in ("room_total", "taxes", "fees", "grand_total")}, "currency": c},
    }


def _payment_summary(rooms: list[Reservation]) -> dict:
    """payment_summary over the booking's rooms: one charge paid them all, each room's ledger has its share."""
    if len(rooms) == 1:
        return services.payment_summary(rooms[0])
    each = [services.payment_summary(r) for r in rooms]
    statuses = {e["status"] for e in each} - {"NOT_COLLECTED"}
    amount = sum((e["amount"] for e in each), Decimal(0))
    if not statuses:
        status = "NOT_COLLECTED"
    elif statuses == {"COMPLETED"}:
        status = "COMPLETED"
    elif statuses == {"REFUNDED"}:
        status = "REFUNDED"
    else:
        status = "PARTIALLY_REFUNDED"
    lead = each[0]
    return {"status": status, "last_four": lead["last_four"] or next((e["last_four"] for e in each), ""),
            "card_brand": lead["card_brand"], "amount": amount}


def _payment_terms(rooms: list[Reservation]) -> dict | None:
    terms = [reservation_payment_terms(r) for r in rooms]
    if terms[0] is None:
        return None
    data = terms[0].as_dict()
    if len(terms) > 1:
        c = rooms[0].currency
        for name in ("due_now", "due_later"):
            data[name] = str(round_money(sum((getattr(t, name) for t in terms if t), Decimal(0)), c))
    return data


def pending_booking_data(reservation: Reservation) -> dict:
    """A PENDING reservation in the shape of PendingBookingOutput: the booking, and where its payment stands."""
    data = booking_data(reservation)
    attempt = services.booking_payment_attempt(reservation)
    action = attempt is not None and attempt.state == PaymentAttempt.State.REQUIRES_ACTION
    data["confirmation_number"] = None
    for room in data["rooms"]:  # numbers are given at confirmation, like the booking's
        room["number"] = None
    data["payment"] = {
        **data["payment"], "status": "REQUIRES_ACTION" if action else "PROCESSING",
        "last_four": (attempt.last_four if attempt else "") or data["payment"]["last_four"],
        "status_url": reverse("api-booking-pending", args=[services.booking_payment_token(reservation)]),
        **({"client_secret": attempt.client_secret} if action else {}),
    }
    return data
