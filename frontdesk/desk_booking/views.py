"""The console's "New booking" pages (walk-in, phone, email), hung off StayAdmin's URLs (frontdesk/admin/stays.py).

Step one (GET book/): the stay, and every room type with its rooms left and price. Step two (GET book/ with a
room_type): the guest (with a search of the hotel's guests), the guarantee and, for a manager, a price override;
POST books through bookings.services.booking_create, the same service as the API, with its errors shown on the
form. "Add a room" adds a further room line, of any room type with rooms left (rooms.py): two or more lines book
one multi-room booking (BookingRequest.rooms). Step three (book/<pk>/done/): the confirmation, every room of the
booking with "Check in now" for a stay arriving today.

Each view takes the console (the StayAdmin) for its permission check, hotel choice and page context.
"""

import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from bookings import idempotency
from bookings.forms import CARD_FIELDS
from bookings.models import Reservation, Status
from bookings.payments import Card, default_gateway
from bookings.payments.stripe_gateway import stripe_enabled
from bookings.services import (
    BookingRequest,
    GuestDetails,
    PriceOverride,
    RoomRequest,
    amount_paid,
    booking_create,
    booking_payment_token,
)
from bookings.stripe_pages import STRIPE_JS, allow_stripe, payment_element
from hotelbooking.errors import CardDataNotAccepted, DomainError, PriceChanged
from hotelbooking.money import fmt, round_money
from hotelbooking.permissions import staff_may
from pricing.guarantee import terms_for_quote
from pricing.search import hotel_today
from pricing.selectors import extras_list

from .. import paylinks
from . import rooms, selectors
from .forms import (
    AT_HOTEL,
    CARD,
    CHANNEL_OF,
    GUARANTEES,
    LINK,
    SOURCE_OF,
    WALK_IN,
    StayForm,
    desk_form_class,
    guest_initial,
)

STAY_FIELDS = ("hotel", "check_in", "check_out", "adults", "children", "child_ages", "rate_plan", "booked_how")
PAYMENT_NOTES = {AT_HOTEL: "Front desk: pay at the hotel; no card taken",
                 LINK: "Front desk: payment link to be emailed; nothing charged at booking"}
LINK_SESSION_KEY = "desk_booking_links"


def _params(request, hotel, rate_plans) -> dict:
    """The stay as asked (GET or the form's hidden fields), with the walk-in's defaults: tonight to tomorrow in
    the hotel's time zone, one adult, the hotel's standard plan."""
    source = request.POST if request.method == "POST" else request.GET
    today = hotel_today(hotel)
    defaults = {"hotel": hotel.code, "check_in": today.isoformat(),
                "check_out": (today + timedelta(days=1)).isoformat(), "adults": "1", "children": "0",
                "child_ages": "", "rate_plan": next((p.code for p in rate_plans if p.code == "BAR"),
                                                    rate_plans[0].code if rate_plans else ""),
                "booked_how": WALK_IN}
    params = {k: (source.get(k) or defaults[k]).strip() for k in STAY_FIELDS}
    params["hotel"] = hotel.code
    return params


def _hotel(console, request):
    console._require(request, "view_desk", "book")
    hotel, hotels = console._hotel(request)
    if hotel is None:
        raise Http404("No hotel is set up.")
    console._require(request, "book", hotel=hotel)
    return hotel, hotels


def _guarantees(request, hotel) -> tuple[list[str], bool]:
    """The guarantees the form offers, and whether Stripe's element is on the page. With Stripe on the card is a
    page of its own (?guarantee=CARD), since the element takes over the form's submit. A payment link only for
    staff who may send one."""
    source = request.POST if request.method == "POST" else request.GET
    offered = [c for c, _ in GUARANTEES if c != LINK or staff_may(request.user, "send_payment_link", hotel)]
    if not stripe_enabled():
        return offered, False
    if source.get("guarantee") == CARD:
        return [CARD], True
    return [c for c in offered if c != CARD], False


def _render(console, request, *, hotel, hotels, params, stay_form, offers=None, offer=None, form=None,
            stay_error=None, guests=None, guest_q="", element=None, priced=None, status=200):
    if form is not None and priced is None:
        priced = _priced(hotel, params, form, offers)
    lines = _lines(form) if form is not None else {}
    context = console._context(
        request, f"New booking — {hotel.name}", hotel=hotel, hotels=hotels, params=params, stay_form=stay_form,
        desk=offers, offer=offer, form=form, stay_error=stay_error, guests=guests, guest_q=guest_q,
        stripe=element, stripe_js=STRIPE_JS, stay_query=urlencode(params),
        card_page_url=_card_page_url(params, offer, form), priced=priced, lines=lines,
        lines_query=urlencode(lines),
        room_rows=rooms.room_rows(form, priced, offer) if form is not None else [],
        max_rooms=rooms.MAX_ROOMS)
    response = TemplateResponse(request, "admin/frontdesk/desk_booking/book.html", context, status=status)
    if element is not None:
        allow_stripe(response)
    add_never_cache_headers(response)  # it may hold what was typed about the guest
    patch_cache_control(response, private=True)
    return response


def _values(form) -> dict:
    """What the form holds now: what was posted, or its starting values."""
    return form.data if form.is_bound else form.initial


def _priced(hotel, params, form, offers) -> rooms.RoomsPriced:
    return rooms.rooms_priced(hotel=hotel, params=params, data=_values(form), offers=offers)


def _lines(form) -> dict:
    """The added room lines' fields and the extras chosen as they are now, for the page's links and the guest search to
    keep them."""
    values = _values(form)
    lines = {rooms.line_field(name, i): values.get(rooms.line_field(name, i), "")
             for i in form.line_indexes for name in rooms.LINE_FIELDS}
    lines.update({rooms.extra_field(e["code"]): e["quantity"] for e in rooms.extras_asked(values)})
    return lines


def _card_page_url(params: dict, offer, form=None) -> str:
    """With Stripe on: the address of the same step two with the card (Stripe's element) as the guarantee, the
    added room lines kept."""
    if offer is None or not stripe_enabled():
        return ""
    lines = _lines(form) if form is not None else {}
    query = urlencode({**params, "room_type": offer.room_type.code, **lines, "guarantee": CARD})
    return f"{reverse('admin:frontdesk_book')}?{query}"


def _form_for(request, *, hotel, offer, params, offers, data=None, initial=None):
    """The step-two form: bound to a post (`data`), or unbound with starting values: `initial` (a room line added
    or removed), else the stay, the chosen room type and any room lines of the query (the Stripe card page)."""
    guarantees, hosted = _guarantees(request, hotel)
    form_class = desk_form_class(stripe=stripe_enabled())
    may_override = staff_may(request.user, "override_rate", hotel)
    choices = rooms.room_choices(offers)
    extras = extras_list(hotel=hotel)
    if data is not None:
        return form_class(data, may_override=may_override, guarantees=guarantees, room_choices=choices,
                          extras=extras, currency=hotel.currency, card_required=data.get("guarantee") == CARD), hosted
    if initial is None:
        initial = {**params, "room_type": offer.room_type.code, "guarantee": guarantees[0]}
        initial.update({k: request.GET[k] for i in rooms.extra_indexes(request.GET)
                        for k in (rooms.line_field(name, i) for name in rooms.LINE_FIELDS) if k in request.GET})
        initial.update({k: v for k, v in request.GET.items() if k.startswith(rooms.EXTRA_PREFIX)})
        guest = selectors.guest_for_desk(user=request.user, guest_id=request.GET.get("guest"))
        if guest is not None:
            initial.update(guest_initial(guest))
    if initial.get("guarantee") not in guarantees:
        initial["guarantee"] = guarantees[0]
    priced = rooms.rooms_priced(hotel=hotel, params=params, data=initial, offers=offers)
    total = priced.booking.total if priced.booking else round_money(offer.quote.total, offer.quote.currency)
    initial = {**initial, "expected_total": total, "idempotency_key": uuid.uuid4().hex}
    return form_class(initial=initial, may_override=may_override, guarantees=guarantees, room_choices=choices,
                      extras=extras, currency=hotel.currency, card_required=initial["guarantee"] == CARD), hosted


def _element(offer, hosted: bool, priced: rooms.RoomsPriced | None = None):
    if not hosted or offer is None:
        return None
    if priced is not None and priced.booking is not None:  # several rooms: what the booking asks now
        return payment_element(priced.terms())
    return payment_element(terms_for_quote(offer.quote, booked_on=hotel_today(offer.quote.hotel)))


@sensitive_post_parameters(*CARD_FIELDS)
@sensitive_variables("form", "card", "booking", "d")
def book_view(request, *, console):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    hotel, hotels = _hotel(console, request)
    rate_plans = selectors.desk_rate_plans(hotel)
    params = _params(request, hotel, rate_plans)
    stay_form = StayForm(params, rate_plans=rate_plans)
    stay_form.is_valid()
    try:
        offers = selectors.desk_offers(hotel=hotel, check_in=params["check_in"], check_out=params["check_out"],
                                       adults=params["adults"], children=params["children"],
                                       rate_plan_code=params["rate_plan"], child_ages=stay_form.child_age_list())
    except DomainError as exc:
        if request.method == "POST":
            messages.error(request, exc.message)
        return _render(console, request, hotel=hotel, hotels=hotels, params=params, stay_form=stay_form,
                       stay_error=exc)
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("room_type") or "").strip().lower()
    offer = next((o for o in offers.offers if o.room_type.code.lower() == code), None) if code else None
    page = dict(hotel=hotel, hotels=hotels, params=params, stay_form=stay_form, offers=offers, offer=offer)
    if offer is None:
        if code:
            messages.error(request, f"{hotel.name} has no room type {source.get('room_type')}.")
        if request.method == "POST":
            return redirect(f"{reverse('admin:frontdesk_book')}?{urlencode(params)}")
        return _render(console, request, **page)
    if offer.quote is None or (request.method != "POST" and not offer.bookable):
        # Nothing to book (the party does not fit, no rate, sold out): back to the rooms, saying why. A post
        # still goes to the booking service, which answers for the rooms with their locks held (SOLD_OUT...).
        messages.error(request, f"{offer.room_type.name}: {offer.problem}")
        return redirect(f"{reverse('admin:frontdesk_book')}?{urlencode(params)}")

    guest_q = request.GET.get("guest_q", "")
    guests = selectors.guest_search(user=request.user, text=guest_q) if guest_q else None
    if request.method != "POST":
        form, hosted = _form_for(request, hotel=hotel, offer=offer, params=params, offers=offers)
        priced = _priced(hotel, params, form, offers)
        return _render(console, request, **page, form=form, guests=guests, guest_q=guest_q, priced=priced,
                       element=_element(offer, hosted, priced))
    if any(name in request.POST for name in (rooms.ADD, rooms.REMOVE, rooms.UPDATE)):
        return _lines_edited(console, request, page)
    return _book(console, request, page)


def _lines_edited(console, request, page):
    """A room line added or removed, or the prices asked again: the same form again, with what was typed (never
    the card), the lines priced together; nothing is booked."""
    offers = page["offers"]
    default = next((code for code, _ in rooms.room_choices(offers)), page["offer"].room_type.code)
    initial = rooms.lines_edited(request.POST, default_room_type=default)
    form, hosted = _form_for(request, hotel=page["hotel"], offer=page["offer"], params=page["params"],
                             offers=offers, initial=initial)
    priced = _priced(page["hotel"], page["params"], form, offers)
    return _render(console, request, **page, form=form, priced=priced,
                   element=_element(page["offer"], hosted, priced))


def _book(console, request, page):
    hotel, offer = page["hotel"], page["offer"]
    form, hosted = _form_for(request, hotel=hotel, offer=offer, params=page["params"], offers=page["offers"],
                             data=request.POST)
    priced = _priced(hotel, page["params"], form, page["offers"])
    element = _element(offer, hosted, priced)
    page = {**page, "priced": priced}
    if form.uses_stripe and any(request.POST.get(name, "").strip() for name in CARD_FIELDS):
        form = _rekeyed(form)
        form.add_error(None, CardDataNotAccepted().message)  # no card number may reach us with Stripe on
        form.error_code = CardDataNotAccepted.code
        return _render(console, request, **page, form=form, element=element, status=400)
    if not form.is_valid():
        return _render(console, request, **page, form=_rekeyed(form), element=element)
    d = form.cleaned_data
    try:
        booking = _request_of(form)
        reservation = _book_once(booking, key=d["idempotency_key"], fingerprint_of=d, actor=request.user)
    except DomainError as error:
        form = _rekeyed(form, new_total=error.details.get("new_total") if isinstance(error, PriceChanged) else None)
        _add_error(form, error)
        return _render(console, request, **page, form=form, element=element)
    if d["guarantee"] == LINK:
        _send_link(request, reservation)
    return redirect("admin:frontdesk_book_done", pk=reservation.pk)


def _request_of(form) -> BookingRequest:
    d = form.cleaned_data
    lines = form.room_lines()
    line = lines[0]
    card = None
    if d["guarantee"] == CARD and not form.uses_stripe and not d.get("payment_method") and d.get("card_number"):
        card = Card(number=d["card_number"], exp_month=d["exp_month"], exp_year=d["exp_year"], cvc=d["cvc"],
                    holder=d["holder_name"])
    override = form.override_values()
    collect = d["guarantee"] == CARD
    return BookingRequest(
        hotel_code=d["hotel"], room_type_code=line.room_type_code, rate_plan_code=d["rate_plan"],
        check_in=d["check_in"], check_out=d["check_out"], adults=line.adults, children=line.children,
        child_ages=form.child_age_list(),
        guest=GuestDetails(first_name=d["first_name"], last_name=d["last_name"], email=d["email"],
                           phone=d["phone"], loyalty_number=d["loyalty_number"]),
        card=card, payment_method=(d.get("payment_method") or "") if collect else "",
        special_requests=d["special_requests"], channel=CHANNEL_OF[d["booked_how"]],
        source=SOURCE_OF[d["booked_how"]],
        expected_total=d["expected_total"] if override is None else None,  # an override sets the price itself
        settle_at_hotel=not collect, payment_note=PAYMENT_NOTES.get(d["guarantee"], ""),
        price_override=None if override is None else PriceOverride(*override), extras=tuple(form.extras()),
        # Two lines or more: one multi-room booking (the service refuses a price override for it).
        rooms=tuple(RoomRequest(x.room_type_code, x.adults, x.children, list(x.child_ages)) for x in lines)
        if len(lines) > 1 else ())


def _book_once(booking: BookingRequest, *, key: str, fingerprint_of: dict, actor):
    """Book, unless this very form was already submitted (a double click): then the booking it made."""
    def book():
        return booking_create(request=booking, gateway=default_gateway(), actor=actor)

    if not key:
        return book()
    scope = f"desk:{actor.pk}"
    fingerprint = idempotency.request_fingerprint({k: v for k, v in fingerprint_of.items()
                                                   if k not in ("card_number", "cvc")})
    replay = idempotency.idempotency_begin(scope=scope, key=key, fingerprint=fingerprint)
    if replay is not None:
        reservation = Reservation.objects.filter(pk=replay.body.get("reservation")).first()
        if reservation is None:
            raise DomainError(replay.body.get("message") or None)
        return reservation
    try:
        reservation = book()
    except DomainError as exc:
        idempotency.idempotency_finish(scope=scope, key=key, status=exc.http_status, body={"message": exc.message})
        raise
    except BaseException:
        idempotency.idempotency_abandon(scope=scope, key=key)
        raise
    idempotency.idempotency_finish(scope=scope, key=key, status=201, body={"reservation": reservation.pk})
    return reservation


def _add_error(form, error: DomainError) -> None:
    field = str(error.details.get("field", ""))
    if field.startswith("price_override.") and form.may_override:
        name = {"nightly": "override_nightly", "total": "override_total", "reason": "override_reason"}.get(
            field.removeprefix("price_override."))
        form.add_error(name, error.message)
        return
    if "room" in error.details or field in ("rooms", "price_override"):  # about one room, or the rooms together
        form.add_error(None, error.message)
        form.error_code = error.code
        return
    if field in ("check_in", "check_out", "adults", "children", "child_ages", "room_type", "room_count"):
        form.add_error(None, error.message)
        return
    form.add_domain_error(error)
    form.error_code = error.code


def _rekeyed(form, *, new_total=None):
    """The same form with what was typed (never the card number or CVC), a new idempotency key and, after a
    price change, the new total as the one now shown."""
    data = form.data.copy()
    data["idempotency_key"] = uuid.uuid4().hex
    if new_total is not None:
        data["expected_total"] = str(new_total)
    rekeyed = type(form)(data=data, may_override=form.may_override,
                         guarantees=[c for c, _ in form.fields["guarantee"].choices],
                         room_choices=form.room_choices, extras=form.extras_offered, currency=form.currency,
                         card_required=form.card_required)
    rekeyed.is_valid()
    return rekeyed


def _send_link(request, reservation) -> None:
    """The booking is in (nothing charged): make the payment link for what is owed and email it. A failure here
    leaves the booking as it is; the clerk can send the link from the folio."""
    try:
        link = paylinks.payment_link_create(reservation=reservation, actor=request.user)
    except DomainError as exc:
        messages.error(request, f"The booking is made, but the payment link could not be created: {exc.message} "
                                "Send it from the folio.")
        return
    sent = f"emailed to {link.sent_to}" if link.sent_to else "not emailed (no email address)"
    messages.success(request, f"Payment link for {link.amount:.2f} {link.currency} {sent}.")


def book_done_view(request, pk, *, console):
    """Step three: the confirmation number, the total, what was charged, and where to go next; for a booking of
    several rooms, each room (its number, type, party, total, check-in and folio) and the booking's sums."""
    console._require(request, "view_desk", "book")
    stay = get_object_or_404(console.get_queryset(request).with_details().prefetch_related("payments"), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    hotel = stay.hotel
    today = hotel_today(hotel)
    notes = list(stay.status_changes.order_by("at", "id").values_list("note", flat=True))
    pay_url = ""
    if stay.status == Status.PENDING:  # the bank asks the guest to authenticate (3-D Secure)
        pay_url = reverse("booking-pay", args=[booking_payment_token(stay)])
    may_check_in = staff_may(request.user, "check_in", hotel)

    def arriving(r) -> bool:
        return r.status == Status.CONFIRMED and r.check_in <= today < r.check_out and may_check_in

    booked = stay.booking_rooms() if (stay.lead_id or Reservation.objects.filter(lead=stay.pk).exists()) else [stay]
    rows = [{"stay": r, "total": fmt(r.grand_total, r.currency), "can_check_in": arriving(r)} for r in booked]
    total = round_money(sum((r.grand_total for r in booked), Decimal(0)), stay.currency)
    paid = round_money(sum((amount_paid(r) for r in booked), Decimal(0)), stay.currency)
    return TemplateResponse(request, "admin/frontdesk/desk_booking/done.html", console._context(
        request, f"Booked — {stay.booking_lead.confirmation_number}", stay=stay, hotel=hotel,
        total=fmt(total, stay.currency), paid=fmt(paid, stay.currency),
        original_total=fmt(Decimal(stay.price_override["original_total"]), stay.currency)
        if stay.price_override else "",
        notes=notes, links=paylinks.payment_links_of(stay), booked_rooms=rows if len(rows) > 1 else [],
        can_check_in=arriving(stay), pay_url=pay_url))
