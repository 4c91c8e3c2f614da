"""The console's desk pages beside StayAdmin's own: the search box, cancel and no-show with the policy's figures
(and a manager's waiver), and the stay's history. Views only translate: the services decide."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from bookings.cancellations import cancellation_quote, reservation_cancel
from bookings.models import Status
from bookings.payments import default_gateway
from hotelbooking.errors import DomainError
from hotelbooking.money import ZERO, round_money
from hotelbooking.permissions import staff_hotels, staff_may
from pricing.search import hotel_today

from .. import services
from ..audit import stay_history
from ..desk_forms import CancelForm, PenaltyForm
from ..desk_search import desk_search


class DeskPagesMixin:
    """Mixed into StayAdmin: its _require, _context, _stay and _hotel helpers are used as they are."""

    def desk_urls(self):
        view = self.admin_site.admin_view
        return [
            path("search/", view(self.search_view), name="frontdesk_search"),
            path("<int:pk>/cancel/", view(self.cancel_view), name="frontdesk_cancel"),
            path("<int:pk>/no-show/", view(self.no_show_view), name="frontdesk_no_show"),
        ]

    def search_view(self, request):
        self._require(request, "view_desk")
        result = desk_search(user=request.user, query=request.GET.get("q", ""))
        if result.exact is not None:
            return redirect("admin:frontdesk_folio", pk=result.exact.pk)
        hotel, hotels = self._hotel(request)
        return TemplateResponse(request, "admin/frontdesk/search.html", self._context(
            request, f"Search — {result.query}" if result.query else "Search", hotel=hotel, result=result))

    def cancel_view(self, request, pk):
        self._require(request, "view_desk", "cancel_booking")
        stay = self._stay(request, pk)
        self._require(request, "cancel_booking", hotel=stay.hotel)
        hotels = staff_hotels(request.user)
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = reservation_cancel(
                    confirmation_number=stay.confirmation_number, reason=form.cleaned_data["reason"],
                    gateway=default_gateway(), hotels=hotels, actor=request.user,
                    expected_penalty=form.cleaned_data["expected_penalty"], waive_reason=form.waiver_asked)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                t, c = result.terms, stay.currency
                waived = " (penalty waived)" if form.waiver_asked else ""
                messages.success(request, f"{stay.confirmation_number} is cancelled{waived}: penalty {t.penalty} {c}, "
                                          f"refund {result.refund_amount} {c} ({result.refund_status.lower()}).")
                return redirect("admin:frontdesk_folio", pk=stay.pk)
        try:
            terms = cancellation_quote(confirmation_number=stay.confirmation_number, hotels=hotels)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("admin:frontdesk_folio", pk=stay.pk)
        if not form.is_bound:
            form = CancelForm(initial={"expected_penalty": terms.penalty})
        return TemplateResponse(request, "admin/frontdesk/cancel.html", self._context(
            request, f"Cancel {stay.confirmation_number}", stay=stay, terms=terms, form=form,
            owed=max(ZERO, terms.penalty - terms.paid),
            may_waive=staff_may(request.user, "waive_penalty", stay.hotel)))

    def no_show_view(self, request, pk):
        self._require(request, "view_desk", "mark_no_show")
        stay = self._stay(request, pk)
        self._require(request, "mark_no_show", hotel=stay.hotel)
        today = hotel_today(stay.hotel)
        if stay.status != Status.CONFIRMED or stay.check_in > today:
            messages.error(request, f"{stay.confirmation_number} can be marked a no-show only once its arrival day "
                                    f"has come and while it is confirmed ({stay.get_status_display().lower()}).")
            return redirect("admin:frontdesk_folio", pk=stay.pk)
        form = PenaltyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                done = services.reservation_no_show(reservation_id=stay.pk, gateway=default_gateway(),
                                                    business_date=today, actor=request.user,
                                                    waive_reason=form.waiver_asked)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if done is None:
                    messages.error(request, f"{stay.confirmation_number} is no longer awaiting arrival.")
                else:
                    messages.success(request, f"{stay.confirmation_number} is marked a no-show"
                                              f"{' (penalty waived)' if form.waiver_asked else ''}.")
                return redirect("admin:frontdesk_folio", pk=stay.pk)
        penalty, paid = services.no_show_terms(stay)
        c = stay.currency
        penalty = round_money(penalty, c)
        return TemplateResponse(request, "admin/frontdesk/no_show.html", self._context(
            request, f"No-show {stay.confirmation_number}", stay=stay, form=form, penalty=penalty, paid=paid,
            refund=max(ZERO, paid - penalty), owed=max(ZERO, penalty - paid), today=today,
            may_waive=staff_may(request.user, "waive_penalty", stay.hotel)))

    def history_view(self, request, object_id, extra_context=None):
        """The admin's History button: the audit trail, as the stay's page shows it."""
        self._require(request, "view_desk")
        stay = self._stay(request, object_id)
        return TemplateResponse(request, "admin/frontdesk/history.html", self._context(
            request, f"History — {stay.confirmation_number}", stay=stay, history=stay_history(stay),
            folio_url=reverse("admin:frontdesk_folio", args=[stay.pk])))


def stay_actions(user, stay) -> list[dict]:
    """The desk's buttons for a stay, those the user may use in its state."""
    hotel = stay.hotel
    links = []

    def add(label, name, work, primary=False):
        if staff_may(user, work, hotel):
            links.append({"label": label, "url": reverse(name, args=[stay.pk]), "primary": primary})

    if stay.status == Status.CONFIRMED:
        add("Check in", "admin:frontdesk_check_in", "check_in", primary=True)
        add("Change", "admin:bookings_reservation_change_dates", "modify_booking")
        add("Cancel", "admin:frontdesk_cancel", "cancel_booking")
        if stay.check_in <= hotel_today(hotel):
            add("No-show", "admin:frontdesk_no_show", "mark_no_show")
    elif stay.status == Status.PENDING:
        add("Cancel", "admin:frontdesk_cancel", "cancel_booking")
    elif stay.status == Status.CHECKED_IN:
        add("Charges", "admin:frontdesk_charge", "post_charge")
        add("Move room", "admin:frontdesk_move_room", "move_room")
        add("Change stay", "admin:frontdesk_change_stay", "modify_booking")
        add("Check out", "admin:frontdesk_check_out", "check_out", primary=True)
    return links
