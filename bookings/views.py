"""Guest booking pages: /book/ (stay summary, price, the form) and /booking/<number>/ (the confirmation).

With Stripe on the form takes the card in Stripe's Payment Element and posts only a PaymentMethod id; a payment
that needs 3-D Secure, or whose answer is awaited, continues on the pages of views_pay.py.

The confirmation page shows a booking only to the browser that made it (its number is kept in the session)
or to someone who gives the guest's last name with the number; guessing is slowed down per client address.
"""

import time
import uuid

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from currency.formatting import money_text
from hotelbooking.errors import (
    CardDataNotAccepted,
    DomainError,
    HotelNotFound,
    InvalidDates,
    InvalidParty,
    PriceChanged,
    RateNotAvailable,
    ReservationNotFound,
    RestrictionViolated,
    SoldOut,
    UnknownPromoCode,
    UnknownRatePlan,
    UnknownRoomType,
)
from hotelbooking.money import ZERO
from inventory.selectors import hotel_with_content, room_types_with_content
from inventory.services import check_availability
from pricing.guarantee import terms_for_quote
from pricing.search import hotel_get, hotel_today
from pricing.selectors import extras_list

from . import idempotency, payments, services
from .book_rooms import (
    PARTY_FORM,
    booking_terms,
    is_multi_room,
    party_form_apply,
    room_requests,
    rooms_form,
    single_ages,
    terms_summed,
)
from .forms import CARD_FIELDS, BookingForm, ConfirmationLookupForm, GuestForm, StripeBookingForm
from .lookup import LookupThrottle, reservation_by_guest
from .manage_links import LinkExpired, LinkInvalid, reservation_by_link
from .models import Channel, Status
from .page_prices import (
    EXTRA_KIND_WORDS,
    cancellation_terms_shown,
    extras_form_value,
    extras_param,
    money_str,
    quote_breakdown,
    reservation_breakdown,
)
from .payment_terms import reservation_payment_terms
from .payments import Card
from .payments.stripe_gateway import stripe_enabled
from .services import BookingQuote, BookingRequest, GuestDetails, RoomQuote, RoomRequest
from .stripe_pages import STRIPE_JS, allow_stripe, payment_element

SESSION_KEY = "booked_confirmation_numbers"
# A payment that failed on the 3-D Secure or confirming page: said on the book page the guest is sent back to.
PAYMENT_FAILED_KEY = "booking_payment_failed"
# `extras` carries the chosen extras as "BRKF:1,PARK:2" (the extras form on the page posts them as checkboxes).
# `rooms` and `party` carry a multi-room booking, `child_ages` ("4,13") the children's ages (bookings/book_rooms.py).
# `room_types` the rooms of other room types than `room_type`.
STAY_PARAMS = ("hotel", "room_type", "rate_plan", "check_in", "check_out", "adults", "children", "promo_code",
               "extras", "access_code", "rooms", "party", "child_ages", "room_types")
# Given only when set: a stay without them keeps the link it always had.
OPTIONAL_PARAMS = ("extras", "access_code", "rooms", "party", "child_ages", "room_types")
# Errors about the stay itself (not the guest's details): the form cannot fix them.
STAY_ERRORS = (HotelNotFound, InvalidDates, InvalidParty, UnknownRoomType, UnknownRatePlan, UnknownPromoCode,
               RateNotAvailable, RestrictionViolated, SoldOut)


# --- /book/ ---------------------------------------------------------------------------------------------

def _stay_params(request) -> dict:
    params = {name: request.GET.get(name, "").strip() for name in STAY_PARAMS}
    if request.GET.get("extras_form"):  # the extras form was sent: its boxes say what is chosen
        params["extras"] = extras_form_value(request.GET)
    if request.GET.get(PARTY_FORM):  # the rooms form was sent: its rows are the rooms
        params = party_form_apply(params, request.GET)
    return params


def _quote_for(params: dict, *, check_rooms: bool = True) -> tuple:
    """The hotel and the booking priced as the booking service would price it now: one room type, one room or
    several (`rooms`, `party`), each room with its own party."""
    hotel = hotel_get(params["hotel"])
    extras = extras_param(params.get("extras", ""))
    if is_multi_room(params):
        booking = services.booking_quote_rooms(
            hotel=hotel, rooms=room_requests(params), rate_plan_code=params["rate_plan"] or None,
            check_in=params["check_in"], check_out=params["check_out"], promo_code=params["promo_code"] or None,
            extras=extras)
    else:
        quote = services.booking_quote(hotel=hotel, room_type_code=params["room_type"],
                                       rate_plan_code=params["rate_plan"] or None, check_in=params["check_in"],
                                       check_out=params["check_out"], adults=params["adults"] or 1,
                                       children=params["children"] or 0, promo_code=params["promo_code"] or None,
                                       child_ages=single_ages(params), extras=extras)
        booking = BookingQuote(rooms=(RoomQuote(index=1, quote=quote, child_ages=list(quote.child_ages),
                                                terms=terms_for_quote(quote, booked_on=hotel_today(hotel))),))
    quote = booking.rooms[0].quote
    services.rate_plan_open_check(quote.rate_plan, params.get("access_code") or "")
    if not check_rooms:  # booking will say SOLD_OUT itself, and the form keeps what was typed
        return hotel, booking
    for room_type, asked in _rooms_by_type(booking):  # rooms of several types: each type must have its rooms
        availability = check_availability(room_type, quote.check_in, quote.check_out)
        if availability.restriction and availability.restriction != "STOP_SELL":
            raise RestrictionViolated(availability.message, restriction=availability.restriction)
        if not availability.bookable:
            day = date_format(availability.constraining_date, gettext("F j, Y"))
            raise SoldOut(gettext("Sorry, %(room)s is sold out on %(day)s. Please choose different dates or room "
                                  "type.") % {"room": room_type.name, "day": day},
                          date=str(availability.constraining_date))
        if availability.available < asked:
            raise SoldOut(ngettext("Sorry, only %(left)s %(room)s is free for these dates.",
                                   "Sorry, only %(left)s rooms of the %(room)s are free for these dates.",
                                   availability.available) % {"left": availability.available, "room": room_type.name},
                          date=str(availability.constraining_date))
    return hotel, booking


def _rooms_by_type(booking: BookingQuote) -> list[tuple]:
    """The booking's room types in the order its rooms name them, with how many rooms of each."""
    counted: dict = {}
    for room in booking.rooms:
        room_type = room.quote.room_type
        counted.setdefault(room_type.id, [room_type, 0])[1] += 1
    return [(room_type, count) for room_type, count in counted.values()]


def _search_url(params: dict) -> str:
    from urllib.parse import urlencode

    query = {k: params[k] for k in ("hotel", "check_in", "check_out", "adults", "children", "child_ages",
                                    "rate_plan", "promo_code") if params.get(k)}
    if is_multi_room(params) and (params.get("rooms") or "").isdigit():
        query["rooms"] = params["rooms"]
    return "/?" + urlencode(query) if query else "/"


def book_url(params: dict) -> str:
    from urllib.parse import urlencode

    # The extras and the access code only when given: a stay without them keeps the link it always had.
    return reverse("booking-book") + "?" + urlencode({k: params.get(k, "") for k in STAY_PARAMS
                                                      if k not in OPTIONAL_PARAMS or params.get(k)})


def _form_class() -> type[GuestForm]:
    return StripeBookingForm if stripe_enabled() else BookingForm


def _card_required(booking: BookingQuote) -> bool:
    return booking.card_required


def _render_book(request, *, params, hotel=None, booking: BookingQuote | None = None, form=None, stay_error=None,
                 stay_error_code="", status=200, payment_failed=None):
    context = {"params": params, "search_url": _search_url(params), "stay_error": stay_error,
               "stay_error_code": stay_error_code, "form": form,
               "payment_failed": payment_failed, "rooms_form": _rooms_form(params, booking)}
    element = None
    if booking is not None:
        quote = booking.rooms[0].quote
        terms = booking_terms(booking)
        by_type = _rooms_by_type(booking)
        room_types_with_content([room_type for room_type, _ in by_type])   # photos, facts, amenities, in place
        hotel_with_content(hotel)
        element = payment_element(terms)
        context.update({
            "hotel": hotel, "quote": quote, "booking": booking, "multi_room": len(booking.rooms) > 1,
            "mixed_types": len(by_type) > 1, "rooms_by_type": by_type,
            "price": quote_breakdown(quote),
            "room_prices": [{"index": r.index, "quote": r.quote, "child_ages": r.child_ages,
                             "price": quote_breakdown(r.quote)}
                            for r in booking.rooms] if len(booking.rooms) > 1 else [],
            "total": money_str(booking.total, booking.currency), "currency": booking.currency,
            "nights_count": len(quote.nights),
            "terms": cancellation_terms_shown(quote.policy_snapshot, quote.free_until, hotel),
            "payment_terms": terms,
            "stripe": element, "stripe_js": STRIPE_JS, "extras_offered": _extras_offered(booking, params),
            "extras_hidden": {k: v for k, v in params.items() if k != "extras" and v},
        })
    response = render(request, "bookings/book.html", context, status=status)
    if element is not None:
        allow_stripe(response)
    # The page may carry what the guest typed (never the card number or CVC: forms.NeverEchoedInput): never
    # cache it.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _rooms_form(params: dict, booking: BookingQuote | None) -> dict | None:
    """The "Rooms and guests" form with the hotel's room types (also shown when the party asked was refused)."""
    from inventory.models import RoomType

    room_types = list(RoomType.objects.filter(hotel__code__iexact=params.get("hotel") or "")
                      .order_by("sort_order", "code"))
    if booking is None and not any(rt.code.lower() == (params.get("room_type") or "").lower() for rt in room_types):
        return None
    return rooms_form(params, room_types=room_types)


def _extras_offered(booking: BookingQuote, params: dict) -> list[dict]:
    """The hotel's extras on sale, for the page's checkboxes: chosen or not, and the plan's included ones. Every
    room takes the extras chosen; the amount shown is what they cost for all the rooms."""
    quote = booking.rooms[0].quote
    chosen = {e.code: e for e in quote.extra_lines}
    offered = []
    for extra in extras_list(hotel=quote.hotel):
        line = chosen.get(extra.code)
        amount = sum((e.amount for r in booking.rooms for e in r.quote.extra_lines if e.code == extra.code), ZERO)
        offered.append({"code": extra.code, "name": extra.name, "description": extra.description,
                        "price": money_str(extra.price, quote.currency),
                        "kind": EXTRA_KIND_WORDS.get(extra.kind, extra.get_kind_display()),
                        "max_quantity": extra.max_quantity, "quantities": range(1, extra.max_quantity + 1),
                        "chosen": line is not None, "quantity": line.quantity if line else 1,
                        "included": bool(line and line.included),
                        "amount": money_str(amount, quote.currency) if line else None})
    return offered


def _fresh_form(booking: BookingQuote) -> GuestForm:
    initial = {"expected_total": booking.total, "idempotency_key": uuid.uuid4().hex}
    return _form_class()(initial=initial, card_required=_card_required(booking))


def _carries_card_data(post) -> bool:
    return any(post.get(name, "").strip() for name in CARD_FIELDS)


@sensitive_post_parameters("card_number", "cvc", "exp_month", "exp_year")
@sensitive_variables("form", "card", "booking", "d")
def book(request):
    """GET: the stay, its price and the form. POST: book, then redirect to the confirmation (PRG), or to the
    payment page when the payment needs 3-D Secure or its answer is awaited."""
    params = _stay_params(request)
    try:
        hotel, quoted = _quote_for(params, check_rooms=request.method != "POST")
    except DomainError as error:
        return _render_book(request, params=params, stay_error=error.message, stay_error_code=error.code,
                            status=404 if isinstance(error, HotelNotFound) else 200)
    if request.method != "POST":
        # Back from a payment page whose payment failed: the form says why (PAYMENT_FAILED) above the fields.
        failed = request.session.pop(PAYMENT_FAILED_KEY, None)
        return _render_book(request, params=params, hotel=hotel, booking=quoted, form=_fresh_form(quoted),
                            payment_failed=failed)

    form_class, card_required = _form_class(), _card_required(quoted)
    if form_class.uses_stripe and _carries_card_data(request.POST):
        # Card numbers must never reach us with Stripe on: refused before anything is sent anywhere, and what was
        # posted for them is not shown again (the Stripe form has no such fields).
        form = _rekeyed(form_class(request.POST, card_required=card_required), quoted)
        form.add_error(None, CardDataNotAccepted().message)
        return _render_book(request, params=params, hotel=hotel, booking=quoted, form=form, status=400)
    form = form_class(request.POST, card_required=card_required)
    if not form.is_valid():
        return _render_book(request, params=params, hotel=hotel, booking=quoted, form=_rekeyed(form, quoted))
    d = form.cleaned_data
    card = None if d.get("payment_method") or not d.get("card_number") else Card(
        number=d["card_number"], exp_month=d["exp_month"], exp_year=d["exp_year"], cvc=d["cvc"],
        holder=d["holder_name"])
    quote = quoted.rooms[0].quote
    rooms = tuple(RoomRequest(room_type_code=r.quote.room_type.code, adults=r.quote.adults,
                              children=r.quote.children, child_ages=list(r.child_ages))
                  for r in quoted.rooms) if len(quoted.rooms) > 1 else ()
    booking = BookingRequest(
        hotel_code=hotel.code, room_type_code=quote.room_type.code, rate_plan_code=quote.rate_plan.code,
        check_in=quote.check_in, check_out=quote.check_out, adults=quote.adults, children=quote.children,
        child_ages=[] if rooms else list(quoted.rooms[0].child_ages), rooms=rooms,
        promo_code=params["promo_code"] or None,
        guest=GuestDetails(first_name=d["first_name"], last_name=d["last_name"], email=d["email"],
                           phone=d["phone"], loyalty_number=d["loyalty_number"]),
        card=card, payment_method=d.get("payment_method") or "", special_requests=d["special_requests"],
        billing_address=d["billing_address"],
        channel=Channel.DIRECT, source="Website", expected_total=d["expected_total"],
        marketing_consent=bool(d.get("marketing_consent")), consent_source="BOOKING_PAGE",
        extras=tuple(extras_param(params.get("extras", ""))),
        language=get_language(),  # the page's: the guest's emails are written in it
        access_code=params.get("access_code") or "",
    )
    try:
        booked = _book_once(request, booking, key=d["idempotency_key"], fingerprint_of={**params, **d},
                            params=params)
    except DomainError as error:
        if isinstance(error, PriceChanged):
            hotel, quoted = _quote_for(params, check_rooms=False)
            error = PriceChanged(gettext("The price has changed since you saw it: the total is now %(total)s. "
                                         "Please review it and book again.")
                                 % {"total": money_text(quoted.total, quoted.currency)})
        form = _rekeyed(form, quoted, new_total=isinstance(error, PriceChanged))
        form.add_domain_error(error)
        return _render_book(request, params=params, hotel=hotel, booking=quoted, form=form)
    if "payment_token" in booked:  # 3-D Secure, or the answer awaited: the payment page says which
        return redirect(reverse("booking-pay", args=[booked["payment_token"]]))
    remember_confirmation(request, booked["confirmation_number"])
    return redirect(reverse("booking-confirmation", args=[booked["confirmation_number"]]))


def remember_confirmation(request, number: str) -> None:
    """This browser may see the confirmation of `number` (the last 20 it booked or opened are kept)."""
    numbers = [n for n in request.session.get(SESSION_KEY, []) if n != number][-19:]
    request.session[SESSION_KEY] = numbers + [number]


def _rekeyed(form: GuestForm, booking: BookingQuote, *, new_total: bool = False) -> GuestForm:
    """The same form with what was typed, a new idempotency key (the next submit is a new attempt) and,
    after a price change, the new total as the one the guest has now seen."""
    data = form.data.copy()
    data["idempotency_key"] = uuid.uuid4().hex
    if new_total:
        data["expected_total"] = str(booking.total)
    rekeyed = type(form)(data=data, card_required=form.card_required)
    rekeyed.is_valid()
    return rekeyed


def _booked(booking: BookingRequest, params: dict) -> tuple[int, dict]:
    """Book; the answer as kept for a double submit: 201 with the confirmation number, or 202 with the token of
    the payment page (PENDING: 3-D Secure needed, or the provider's answer awaited)."""
    reservation = services.booking_create(request=booking, gateway=payments.default_gateway())
    if reservation.status == Status.PENDING:
        return 202, {"payment_token": services.booking_payment_token(reservation, extra={"q": params})}
    return 201, {"confirmation_number": reservation.confirmation_number}


def _book_once(request, booking: BookingRequest, *, key: str, fingerprint_of: dict, params: dict) -> dict:
    """Book, unless this very form was already submitted (a double click): then its first answer."""
    if not key:
        return _booked(booking, params)[1]
    scope, fingerprint = "web", idempotency.request_fingerprint(fingerprint_of)
    for _ in range(20):
        try:
            replay = idempotency.idempotency_begin(scope=scope, key=key, fingerprint=fingerprint)
        except idempotency.IdempotencyInProgress:
            time.sleep(0.25)  # the first submit is still booking: wait for its answer
            continue
        if replay is None:
            break
        if replay.status in (201, 202):
            return replay.body
        raise _replayed_error(replay.body)
    else:
        raise idempotency.IdempotencyInProgress()
    try:
        status, body = _booked(booking, params)
    except DomainError as exc:
        idempotency.idempotency_finish(scope=scope, key=key, status=exc.http_status, body={"error": exc.as_dict()})
        raise
    except BaseException:
        idempotency.idempotency_abandon(scope=scope, key=key)
        raise
    idempotency.idempotency_finish(scope=scope, key=key, status=status, body=body)
    return body


def _replayed_error(body: dict) -> DomainError:
    error = DomainError(body.get("error", {}).get("message"))
    error.code = body.get("error", {}).get("code", "SYSTEM_ERROR")
    return error


# --- /booking/<number>/ ---------------------------------------------------------------------------------

def link_refused(request, refused: LinkInvalid):
    """The page for a signed booking link that is expired (410) or not one of ours (404)."""
    expired = isinstance(refused, LinkExpired)
    response = render(request, "bookings/manage/link_refused.html", {
        "expired": expired, "days_after": getattr(settings, "MANAGE_LINK_DAYS_AFTER_CHECK_OUT", 30),
    }, status=410 if expired else 404)
    add_never_cache_headers(response)
    return response


@sensitive_post_parameters("last_name")
def confirmation(request, confirmation_number: str):
    """The booking, for the browser that made it or brings its signed link (?link=, as in the guest's
    emails); anyone else must give the guest's last name."""
    number = confirmation_number.strip().upper()
    if request.GET.get("link"):
        try:
            linked = reservation_by_link(request.GET["link"])
            if linked.confirmation_number != number:
                raise LinkInvalid()
        except LinkInvalid as refused:
            return link_refused(request, refused)
        remember_confirmation(request, number)
        return redirect(reverse("booking-confirmation", args=[number]))
    allowed = number in request.session.get(SESSION_KEY, [])
    form = ConfirmationLookupForm(request.POST or None)
    error = None
    if not allowed and request.method == "POST" and form.is_valid():
        throttle = LookupThrottle(request=request, confirmation_number=number)
        if throttle.attempt():
            error = gettext("Too many attempts. Please try again later, or use the link in your confirmation email.")
        elif reservation_by_guest(confirmation_number=number, last_name=form.cleaned_data["last_name"]):
            throttle.found()
            remember_confirmation(request, number)
            return redirect(reverse("booking-confirmation", args=[number]))
        else:
            error = gettext("We could not find a booking with that confirmation number and last name.")
    if not allowed:
        response = render(request, "bookings/confirmation_lookup.html",
                          {"number": number, "form": form, "error": error})
        add_never_cache_headers(response)
        return response
    try:
        reservation = services.reservation_detail_get(confirmation_number=number)
    except ReservationNotFound:
        return render(request, "bookings/confirmation_lookup.html",
                      {"number": number, "form": ConfirmationLookupForm(), "error": None}, status=404)
    paid = services.payment_summary(reservation)
    rooms = reservation.booking_rooms() if reservation.companions.exists() else [reservation]
    c = reservation.currency
    if len(rooms) > 1:  # one charge, allocated per room: the booking paid the rooms' sum
        paid["amount"] = sum((services.payment_summary(r)["amount"] or ZERO for r in rooms), ZERO)
    response = render(request, "bookings/confirmation.html", {
        "r": reservation, "hotel": reservation.hotel, "guest": reservation.guest,
        "price": reservation_breakdown(reservation),
        "booking_rooms": [{"r": room, "price": reservation_breakdown(room)} for room in rooms] if len(rooms) > 1
        else [],
        "booking_total": money_str(sum((room.grand_total for room in rooms), ZERO), c),
        "terms": cancellation_terms_shown(reservation.cancellation_policy or {}, reservation.free_until,
                                          reservation.hotel),
        "paid": {**paid, "amount": money_str(paid["amount"] or ZERO, c)},
        "payment_terms": terms_summed([t for t in map(reservation_payment_terms, rooms) if t is not None]),
    })
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


urlpatterns = [
    path("book/", book, name="booking-book"),
    path("booking/<str:confirmation_number>/", confirmation, name="booking-confirmation"),
]
