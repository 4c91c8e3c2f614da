"""Admin pieces for changing and cancelling reservations: the same services as the API and the guest pages.

On a reservation's admin page, "Change dates" shows the new price breakdown before a confirm button, and
"Cancel reservation" shows the penalty and refund as of now before a confirm button (a reason is required).
Changing needs the modify_booking work (bookings.modify_reservation), cancelling the cancel_booking work
(bookings.cancel_reservation), at a hotel the staff member belongs to (hotelbooking.permissions).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from hotelbooking.errors import DomainError, PriceChanged
from hotelbooking.permissions import staff_may

from ..cancellations import CANCELLABLE, booking_cancellation_terms, ensure_cancellable, reservation_cancel
from ..forms_manage import AdminCancelForm, AdminChangeBookingDatesForm, AdminChangeDatesForm
from ..models import Status
from ..modifications import (
    ModificationRequest,
    booking_modification_quote,
    booking_modify,
    modification_plan,
    reservation_modify,
)
from ..payments import default_gateway


class ReservationManageAdminMixin:
    """Mixed into ReservationAdmin: extra admin URLs and buttons for cancel / change dates."""

    change_form_template = "bookings/manage/admin/change_form.html"

    def get_manage_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/cancel/", self.admin_site.admin_view(self.cancel_reservation_view),
                 name=f"{prefix}_cancel"),
            path("<path:object_id>/change-dates/", self.admin_site.admin_view(self.change_dates_view),
                 name=f"{prefix}_change_dates"),
            path("<path:object_id>/change-booking-dates/", self.admin_site.admin_view(self.change_booking_dates_view),
                 name=f"{prefix}_change_booking_dates"),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_change_dates"] = (obj is not None and obj.status == Status.CONFIRMED
                                       and staff_may(request.user, "modify_booking", obj.hotel))
        context["can_cancel_reservation"] = (obj is not None and obj.status in CANCELLABLE
                                             and staff_may(request.user, "cancel_booking", obj.hotel))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- helpers -----------------------------------------------------------------------------------------

    def _managed_object(self, request, object_id, work: str):
        if not staff_may(request.user, work):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))  # only the user's hotels' reservations
        if obj is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not staff_may(request.user, work, obj.hotel):
            raise PermissionDenied
        return obj, None

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk],
                       current_app=self.admin_site.name)

    def _context(self, request, obj, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "original": obj, "r": obj,
                "title": title, "change_url": self._change_url(obj), **extra}

    # --- views -------------------------------------------------------------------------------------------

    def cancel_reservation_view(self, request, object_id):
        obj, redirect = self._managed_object(request, object_id, "cancel_booking")
        if redirect:
            return redirect
        try:
            ensure_cancellable(obj)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        form = AdminCancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = reservation_cancel(confirmation_number=obj.confirmation_number,
                                            reason=form.cleaned_data["reason"],
                                            expected_penalty=form.cleaned_data.get("expected_penalty"),
                                            gateway=default_gateway(), actor=request.user)
            except DomainError as error:
                form.add_domain_error(error)
            else:
                f = result.as_dict()["financial"]
                self.message_user(request, f"{obj.confirmation_number} is cancelled. Penalty {f['penalty_amount']} "
                                           f"{f['currency']}, refund {f['refund_amount']} {f['currency']} "
                                           f"({f['refund_status']}).", messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(obj))
        obj.refresh_from_db()
        terms = booking_cancellation_terms(obj)
        return TemplateResponse(request, "bookings/manage/admin/cancel.html",
                                self._context(request, obj, f"Cancel reservation {obj.confirmation_number}",
                                              form=form, terms=terms))

    def change_dates_view(self, request, object_id):
        obj, redirect = self._managed_object(request, object_id, "modify_booking")
        if redirect:
            return redirect
        if obj.status != Status.CONFIRMED:
            self.message_user(request, f"{obj.confirmation_number} is {obj.get_status_display().lower()}: only a "
                                       "confirmed reservation can be changed.", messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        initial = {"check_in": obj.check_in, "check_out": obj.check_out, "adults": obj.adults,
                   "children": obj.children}
        form = AdminChangeDatesForm(request.POST or None, initial=initial)
        plan = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            confirming = "confirm" in request.POST
            change = ModificationRequest(check_in=data["check_in"], check_out=data["check_out"],
                                         adults=data["adults"], children=data["children"],
                                         expected_total=data.get("expected_total") if confirming else None)
            try:
                if confirming:
                    result = reservation_modify(confirmation_number=obj.confirmation_number, request=change,
                                                gateway=default_gateway(), actor=request.user)
                    payment = result.payment
                    self.message_user(
                        request, f"{obj.confirmation_number} changed ({result.plan.modification}): new total "
                                 f"{result.plan.new_total} {result.plan.currency}; {payment['action'].lower()} "
                                 f"{payment['amount']}.", messages.SUCCESS)
                    return HttpResponseRedirect(self._change_url(obj))
                plan = modification_plan(reservation=obj, request=change)
            except DomainError as error:
                form.add_domain_error(error)
                if isinstance(error, PriceChanged):
                    try:
                        plan = modification_plan(reservation=obj, request=change)
                    except DomainError:
                        plan = None
        extra = {"form": form, "plan": plan, "breakdown": plan.as_dict()["pricing_breakdown"] if plan else None}
        if plan is not None and plan.changes:
            extra["confirm_values"] = {"check_in": plan.quote.check_in.isoformat(),
                                       "check_out": plan.quote.check_out.isoformat(), "adults": plan.quote.adults,
                                       "children": plan.quote.children, "expected_total": str(plan.new_total)}
        extra["other_rooms"] = obj.companions.count() if obj.lead_id is None else 0
        return TemplateResponse(request, "bookings/manage/admin/change_dates.html",
                                self._context(request, obj, f"Change dates of {obj.confirmation_number}", **extra))

    def change_booking_dates_view(self, request, object_id):
        """Every room of a multi-room booking to new dates, all or nothing (bookings.modifications.booking_modify):
        the new price of each room and of the booking first, then Confirm."""
        obj, redirect = self._managed_object(request, object_id, "modify_booking")
        if redirect:
            return redirect
        form = AdminChangeBookingDatesForm(request.POST or None,
                                           initial={"check_in": obj.check_in, "check_out": obj.check_out})
        quote = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            confirming = "confirm" in request.POST
            change = ModificationRequest(check_in=data["check_in"], check_out=data["check_out"],
                                         expected_total=data.get("expected_total") if confirming else None)
            try:
                if confirming:
                    result = booking_modify(confirmation_number=obj.confirmation_number, request=change,
                                            gateway=default_gateway(), actor=request.user)
                    self.message_user(
                        request, f"{obj.confirmation_number}: {len(result.rooms)} rooms changed; new total "
                                 f"{result.new_total} {result.currency}; charged {result.charged}, refunded "
                                 f"{result.refunded}.", messages.SUCCESS)
                    return HttpResponseRedirect(self._change_url(obj))
                quote = booking_modification_quote(confirmation_number=obj.confirmation_number, request=change)
            except DomainError as error:
                form.add_domain_error(error)
        extra = {"form": form, "quote": quote}
        if quote is not None and hasattr(quote, "rooms"):
            extra["room_rows"] = [(position, result.plan) for position, result in zip(quote.positions, quote.rooms,
                                                                                      strict=True)]
            extra["confirm_values"] = {"check_in": form.cleaned_data["check_in"].isoformat(),
                                       "check_out": form.cleaned_data["check_out"].isoformat(),
                                       "expected_total": str(quote.new_total)}
        return TemplateResponse(request, "bookings/manage/admin/change_booking_dates.html", self._context(
            request, obj, f"Change every room of {obj.confirmation_number}", **extra))
