"""The guest's "Manage my booking" pages. Thin: the forms collect, the services decide.

/manage/                   confirmation number + last name; success remembers the booking in the session
/manage/link/<token>/      the signed link from the guest's emails: remembers the booking, no typing
/manage/booking/           the booking: dates, room, price, status, cancellation terms as of now
/manage/booking/change/    new dates and party -> the new price breakdown -> confirm
/manage/booking/cancel/    the penalty and refund as of now -> confirm
/manage/booking/consent/   give or withdraw marketing consent (POST)
/manage/leave/             forget the booking (POST)
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from currency.formatting import money_text
from hotelbooking.errors import DomainError, PriceChanged
from hotelbooking.money import ZERO, round_money
from pricing.selectors import extras_list

from .book_rooms import terms_summed
from .cancellations import booking_cancellation_terms, ensure_cancellable, reservation_cancel
from .consent import MARKETING_WORDING, MarketingConsent, consent_current, consent_record
from .forms_manage import BookingLookupForm, CancelForm, ChangeStayForm
from .manage_links import LinkInvalid, reservation_by_link
from .models import Reservation, Status
from .modifications import ModificationRequest, modification_plan, reservation_modify
from .page_prices import EXTRA_KIND_WORDS, extras_form_value, extras_param
from .payment_terms import reservation_payment_terms
from .payments import default_gateway
from .services import amount_paid
from .views import link_refused, remember_confirmation

SESSION_KEY = "manage_reservation_id"
LIVE = (Status.PENDING, Status.CONFIRMED, Status.CHECKED_IN)  # what is charged when still matters
GUEST = "guest (manage my booking)"


def _session_reservation(request) -> Reservation | None:
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    return Reservation.objects.with_details().filter(pk=pk).first()


def _booking_context(reservation: Reservation) -> dict:
    hotel = reservation.hotel
    terms = None
    # A booking of several rooms (opened by its number: the lead) shows every room, its sums and one cancel.
    rooms = reservation.booking_rooms() if not reservation.lead_id and reservation.companions.exists() else []
    if reservation.status in (Status.PENDING, Status.CONFIRMED) or any(r.status in (Status.PENDING, Status.CONFIRMED)
                                                                       for r in rooms):
        terms = booking_cancellation_terms(reservation)
    c = reservation.currency
    return {
        "r": reservation, "hotel": hotel, "nights": list(reservation.nights.all()),
        "booking_rooms": rooms,
        "booking_total": round_money(sum((r.grand_total for r in rooms), ZERO), c) if rooms else None,
        "paid": round_money(sum((amount_paid(r) for r in rooms), ZERO), c) if rooms else amount_paid(reservation),
        "terms": terms,
        "payment_terms": terms_summed([t for t in map(reservation_payment_terms, rooms or [reservation])
                                       if t is not None]) if reservation.status in LIVE else None,
        "free_until": timezone.localtime(reservation.free_until, hotel.tz) if reservation.free_until else None,
        # Several rooms are changed at the hotel (the API and the desk change them together); cancelled here.
        "can_change": reservation.status == Status.CONFIRMED and not rooms,
        "can_cancel": terms is not None,
        "marketing_consent": consent_current(reservation.guest), "marketing_wording": MARKETING_WORDING,
    }


def manage_lookup(request):
    form = BookingLookupForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        request.session.cycle_key()
        request.session[SESSION_KEY] = form.reservation.pk
        return redirect("manage-booking")
    return render(request, "bookings/manage/lookup.html", {"form": form})


def manage_link(request, token: str):
    try:
        reservation = reservation_by_link(token)
    except LinkInvalid as refused:
        return link_refused(request, refused)
    open_booking(request, reservation)
    return redirect("manage-booking")  # off the token's URL, so it stays out of history and Referer


def open_booking(request, reservation: Reservation) -> None:
    """This browser may now manage the booking and see its confirmation page."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = reservation.pk
    remember_confirmation(request, reservation.confirmation_number)


def manage_booking(request):
    reservation = _session_reservation(request)
    if reservation is None:
        return redirect("manage-lookup")
    return render(request, "bookings/manage/booking.html", _booking_context(reservation))


def manage_change(request):
    reservation = _session_reservation(request)
    if reservation is None:
        return redirect("manage-lookup")
    context = _booking_context(reservation)
    if not context["can_change"]:
        messages.error(request, gettext("This booking can no longer be changed online (%(status)s).")
                       % {"status": reservation.get_status_display()})
        return redirect("manage-booking")
    initial = {"check_in": reservation.check_in, "check_out": reservation.check_out,
               "adults": reservation.adults, "children": reservation.children}
    form = ChangeStayForm(request.POST or None, initial=initial)
    plan = None
    extras = _extras_asked(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirming = "confirm" in request.POST
        change = ModificationRequest(check_in=data["check_in"], check_out=data["check_out"], adults=data["adults"],
                                     children=data["children"],
                                     expected_total=data.get("expected_total") if confirming else None,
                                     extras=extras)
        try:
            if confirming:
                result = reservation_modify(confirmation_number=reservation.confirmation_number, request=change,
                                            gateway=default_gateway(), actor=GUEST)
                messages.success(request, _changed_message(result))
                return redirect("manage-booking")
            plan = modification_plan(reservation=reservation, request=change)
        except DomainError as error:
            form.add_domain_error(error)
            if isinstance(error, PriceChanged):  # show the new price to confirm instead
                plan = _plan_or_none(reservation, change)
    context.update({"form": form, "plan": plan, "breakdown": plan.as_dict()["pricing_breakdown"] if plan else None,
                    "extras_choices": _extras_choices(reservation, extras)})
    if plan is not None and plan.changes:
        # The confirm step carries the stay, the extras and the total just shown.
        context["confirm_values"] = {"check_in": plan.quote.check_in.isoformat(),
                                     "check_out": plan.quote.check_out.isoformat(),
                                     "adults": plan.quote.adults, "children": plan.quote.children,
                                     "extras": ",".join(f"{e.code}:{e.quantity}" for e in plan.quote.extra_lines
                                                        if not e.included),
                                     "expected_total": str(plan.new_total)}
    return render(request, "bookings/manage/change.html", context)


def _extras_asked(request) -> list[dict] | None:
    """The extras the change asks for: the confirm step's `extras`, or the boxes ticked; None: keep the booked."""
    if request.method != "POST":
        return None
    if "extras" in request.POST:
        return extras_param(request.POST["extras"])
    if request.POST.get("extras_form"):
        return extras_param(extras_form_value(request.POST))
    return None


def _extras_choices(reservation: Reservation, asked: list[dict] | None) -> list[dict]:
    """The extras the change page offers: the hotel's on sale and the booked ones, ticked as booked or asked."""
    booked = {e.code: e for e in reservation.extras.all()}
    wanted = {e.code: e.quantity for e in booked.values() if not e.included} if asked is None else \
        {str(a["code"]).upper(): int(a["quantity"]) for a in asked if str(a["quantity"]).isdigit()}
    choices = []
    for extra in extras_list(hotel=reservation.hotel, on_sale_only=False):
        mine = booked.get(extra.code)
        if not extra.is_active and mine is None:
            continue
        included = bool(mine and mine.included)
        quantity = wanted.get(extra.code.upper(), 0)
        choices.append({"code": extra.code, "name": extra.name, "included": included, "chosen": bool(quantity),
                        "quantity": quantity or 1,
                        "kind": EXTRA_KIND_WORDS.get(extra.kind, extra.get_kind_display()),
                        "price": mine.unit_price if mine and not included else extra.price,
                        "quantities": range(1, max(extra.max_quantity, mine.quantity if mine else 1) + 1)})
    return choices


def _plan_or_none(reservation: Reservation, change: ModificationRequest):
    try:
        return modification_plan(reservation=reservation, request=change)
    except DomainError:
        return None


def _changed_message(result) -> str:
    plan, payment = result.plan, result.payment
    if plan.modification == "NO_CHANGE":
        return gettext("Nothing changed: those are already your booking's details.")
    money = ""
    if payment["action"] == "CHARGED":
        money = " " + gettext("%(amount)s was charged to your card ending %(last_four)s.") % {
            "amount": money_text(payment["amount"], plan.currency), "last_four": payment["last_four"]}
    elif payment["action"] in ("REFUNDED", "REFUND_PENDING"):
        money = " " + gettext("%(amount)s will be refunded to your card ending %(last_four)s.") % {
            "amount": money_text(payment["amount"], plan.currency), "last_four": payment["last_four"]}
    return gettext("Your booking has been changed. New total: %(total)s.") % {
        "total": money_text(plan.new_total, plan.currency)} + money


def manage_cancel(request):
    reservation = _session_reservation(request)
    if reservation is None:
        return redirect("manage-lookup")
    try:
        ensure_cancellable(reservation)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("manage-booking")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = reservation_cancel(confirmation_number=reservation.confirmation_number,
                                        reason=form.cleaned_data["reason"] or "Cancelled by the guest online",
                                        expected_penalty=form.cleaned_data.get("expected_penalty"),
                                        gateway=default_gateway(), actor=GUEST)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            refund = result.as_dict()["financial"]
            messages.success(request, gettext("Your booking %(number)s is cancelled. Penalty: %(penalty)s. "
                                              "Refund: %(refund)s.") % {
                "number": reservation.confirmation_number,
                "penalty": money_text(refund["penalty_amount"], refund["currency"]),
                "refund": money_text(refund["refund_amount"], refund["currency"])})
            return redirect("manage-booking")
    # The terms as of now; the confirm button carries this penalty (the template's hidden expected_penalty).
    context = _booking_context(Reservation.objects.with_details().get(pk=reservation.pk))
    context["form"] = form
    return render(request, "bookings/manage/cancel.html", context)


@require_POST
def manage_consent(request):
    """The guest gives (grant=1) or withdraws marketing consent; recorded with the words and the time."""
    reservation = _session_reservation(request)
    if reservation is None:
        return redirect("manage-lookup")
    granted = request.POST.get("grant") == "1"
    if granted != consent_current(reservation.guest):
        consent_record(guest=reservation.guest, granted=granted, source=MarketingConsent.Source.MANAGE_PAGE,
                       reservation=reservation, actor=GUEST)
    messages.success(request, gettext("Thank you: you will get our offers by email.") if granted
                     else gettext("Done: you will no longer get offers by email."))
    return redirect("manage-booking")


@require_POST
def manage_leave(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("manage-lookup")


urlpatterns = [
    path("manage/", manage_lookup, name="manage-lookup"),
    path("manage/link/<str:token>/", manage_link, name="manage-link"),
    path("manage/booking/", manage_booking, name="manage-booking"),
    path("manage/booking/change/", manage_change, name="manage-change"),
    path("manage/booking/cancel/", manage_cancel, name="manage-cancel"),
    path("manage/booking/consent/", manage_consent, name="manage-consent"),
    path("manage/leave/", manage_leave, name="manage-leave"),
]
