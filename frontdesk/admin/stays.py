"""The staff console in the Django admin: today's desk, check-in with a room picker, charges, check-out with the
bill, the room rack and the housekeeping board. Every action calls the same service as the API."""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from bookings.admin import DisputedFilter
from bookings.admin.readonly import NoEdits
from bookings.models import Status
from bookings.payments import default_gateway
from hotelbooking.errors import DomainError
from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import scope_to_hotels, staff_hotels, staff_may
from pricing.search import hotel_today

from .. import folio_views, inhouse_views, paylinks, selectors, services
from ..assignments import ahead_assignments
from ..audit import stay_history
from ..console_nav import console_nav
from ..desk_booking import views as desk_booking
from ..forms import ChargeForm, CheckInForm, OutOfOrderForm, PaymentLinkForm, ReverseForm
from ..incidentals import incidentals_hold, incidentals_to_capture
from ..models import (
    FolioLine,
    GuestStats,
    HousekeepingTask,
    LoyaltyEntry,
    LoyaltyRule,
    NightAuditRun,
    NightAuditSchedule,
    PaymentLink,
    RoomAssignment,
    RoomOutOfOrder,
    Stay,
    StayRecord,
)
from ..tape_chart import views as tape_chart
from .desk import DeskPagesMixin, stay_actions


class ReadOnlyAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    """Ledgers and history: looked at, never edited by hand; only the user's hotels' rows."""


class DeskDayFilter(admin.SimpleListFilter):
    title = "today (hotel time)"
    parameter_name = "today"

    def lookups(self, request, model_admin):
        return [("arrivals", "Arriving today"), ("in_house", "In house"), ("departures", "Departing today")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        q = Q(pk__in=[])
        for hotel in staff_hotels(request.user):
            today = hotel_today(hotel)
            if value == "arrivals":
                q |= Q(hotel=hotel, status=Status.CONFIRMED, check_in__lte=today, check_out__gt=today)
            elif value == "departures":
                q |= Q(hotel=hotel, status=Status.CHECKED_IN, check_out__lte=today)
            else:
                q |= Q(hotel=hotel, status=Status.CHECKED_IN)
        return queryset.filter(q)


def _actor(request):
    return request.user


@admin.register(Stay)
class StayAdmin(DeskPagesMixin, ReadOnlyAdmin):
    """Reservations as the desk sees them, with the console's pages hung off this admin's URLs."""

    list_display = ["confirmation_number", "guest", "hotel", "room_type", "check_in", "check_out", "status",
                    "disputed", "desk_actions"]
    list_filter = [DeskDayFilter, "status", DisputedFilter, "hotel"]
    search_fields = ["confirmation_number", "guest__last_name", "guest__email"]
    list_select_related = ["guest", "hotel", "room_type"]
    date_hierarchy = "check_in"
    change_list_template = "admin/frontdesk/stay/change_list.html"

    def has_view_permission(self, request, obj=None):
        return staff_may(request.user, "view_desk", obj.hotel if obj is not None else None)

    @admin.display(description="Disputed", boolean=True, ordering="disputed_at")
    def disputed(self, obj):
        return obj.disputed_at is not None

    @admin.display(description="Desk")
    def desk_actions(self, obj):
        links = []
        if obj.status == Status.CONFIRMED:
            links.append(("Check in", reverse("admin:frontdesk_check_in", args=[obj.pk])))
        if obj.status == Status.CHECKED_IN:
            links.append(("Charge", reverse("admin:frontdesk_charge", args=[obj.pk])))
            links.append(("Move room", reverse("admin:frontdesk_move_room", args=[obj.pk])))
            links.append(("Check out", reverse("admin:frontdesk_check_out", args=[obj.pk])))
        links.append(("Folio", reverse("admin:frontdesk_folio", args=[obj.pk])))
        return format_html_join(" | ", '<a href="{}">{}</a>', ((url, label) for label, url in links))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/", view(self.desk_view), name="frontdesk_desk"),
            path("book/", view(partial(desk_booking.book_view, console=self)), name="frontdesk_book"),
            path("book/<int:pk>/done/", view(partial(desk_booking.book_done_view, console=self)),
                 name="frontdesk_book_done"),
            path("rack/", view(self.rack_view), name="frontdesk_rack"),
            path("tape-chart/", view(partial(tape_chart.tape_chart_view, console=self)), name="frontdesk_tape_chart"),
            path("<int:pk>/assign-room/", view(partial(tape_chart.assign_view, console=self)),
                 name="frontdesk_assign_room"),
            path("<int:pk>/unassign-room/", view(partial(tape_chart.unassign_view, console=self)),
                 name="frontdesk_unassign_room"),
            path("housekeeping/", view(self.housekeeping_view), name="frontdesk_housekeeping"),
            path("housekeeping/<int:task_id>/<str:to>/", view(self.housekeeping_move_view),
                 name="frontdesk_housekeeping_move"),
            path("<int:pk>/check-in/", view(self.check_in_view), name="frontdesk_check_in"),
            path("<int:pk>/charge/", view(self.charge_view), name="frontdesk_charge"),
            path("<int:pk>/charge/<int:line_id>/reverse/", view(self.reverse_view), name="frontdesk_reverse"),
            path("<int:pk>/check-out/", view(self.check_out_view), name="frontdesk_check_out"),
            path("<int:pk>/folio/", view(self.folio_view), name="frontdesk_folio"),
            path("<int:pk>/folios/open/", view(partial(folio_views.folio_open_view, self)),
                 name="frontdesk_folio_open"),
            path("<int:pk>/folios/route/", view(partial(folio_views.folio_route_view, self)),
                 name="frontdesk_folio_route"),
            path("<int:pk>/folios/move/", view(partial(folio_views.folio_move_view, self)),
                 name="frontdesk_folio_move"),
            path("<int:pk>/payment-link/", view(self.payment_link_view), name="frontdesk_payment_link"),
            path("<int:pk>/move-room/", view(partial(inhouse_views.move_room_view, self)), name="frontdesk_move_room"),
            path("<int:pk>/change-stay/", view(partial(inhouse_views.change_stay_view, self)),
                 name="frontdesk_change_stay"),
            path("<int:pk>/fee/<str:fee>/", view(partial(inhouse_views.desk_fee_view, self)),
                 name="frontdesk_desk_fee"),
            *self.desk_urls(),
        ] + super().get_urls()

    # --- helpers ---

    def _require(self, request, *works, hotel=None):
        if not all(staff_may(request.user, work, hotel) for work in works):
            raise PermissionDenied

    def _context(self, request, title, **extra):
        hotel = extra.get("hotel") or getattr(extra.get("stay"), "hotel", None)
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title,
                "hotel_code": hotel.code if hotel else "", "nav": console_nav(request.resolver_match.view_name),
                "search_query": request.GET.get("q", ""), **extra}

    def _hotel(self, request):
        """The hotel asked for, among those the user belongs to (another hotel is not found)."""
        hotels = list(staff_hotels(request.user).order_by("code"))
        code = request.GET.get("hotel") or request.POST.get("hotel")
        hotel = next((h for h in hotels if h.code == code), None)
        if code and hotel is None:
            raise Http404("No such hotel.")
        return hotel or (hotels[0] if hotels else None), hotels

    def _stay(self, request, pk):
        return get_object_or_404(self.get_queryset(request).with_details(), pk=pk)

    # --- pages ---

    def desk_view(self, request):
        self._require(request, "view_desk")
        hotel, hotels = self._hotel(request)
        day = selectors.desk_today(hotel) if hotel is not None else None
        return TemplateResponse(request, "admin/frontdesk/desk.html", self._context(
            request, f"Front desk — {hotel.name if hotel else 'no hotel'}", hotel=hotel, hotels=hotels, day=day,
            may={work: staff_may(request.user, work, hotel)
                 for work in ("check_in", "modify_booking", "cancel_booking", "mark_no_show", "move_room",
                              "post_charge", "check_out")}))

    def check_in_view(self, request, pk):
        self._require(request, "view_desk", "check_in")
        stay = self._stay(request, pk)
        suggestions = selectors.room_suggestions(reservation=stay, limit=50)
        ahead = ahead_assignments(stay) if stay.status == Status.CONFIRMED else []
        form = CheckInForm(request.POST or None, rooms=suggestions, initial={"rooms": [a.room.number for a in ahead]})
        if request.method == "POST" and form.is_valid():
            try:
                result = services.stay_check_in(confirmation_number=stay.confirmation_number,
                                                room_numbers=form.cleaned_data["rooms"],
                                                key_cards_per_room=form.cleaned_data["key_cards_per_room"],
                                                reassign=form.cleaned_data["reassign"], actor=_actor(request))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                rooms = ", ".join(a.room.number for a in result.assignments)
                messages.success(request, f"{stay.guest_full_name} is checked in to room {rooms}; "
                                          f"{result.key_cards_issued} key cards issued.")
                hold = incidentals_hold(result.reservation)
                if hold is not None:
                    level = messages.WARNING if hold.state == "NOT_HELD" else messages.INFO
                    messages.add_message(request, level, f"{hold.label}.")
                return redirect(f"{reverse('admin:frontdesk_desk')}?hotel={stay.hotel.code}")
        return TemplateResponse(request, "admin/frontdesk/check_in.html", self._context(
            request, f"Check in {stay.confirmation_number}", stay=stay, form=form, suggestions=suggestions,
            ahead=ahead, can_assign=staff_may(request.user, "assign_room", stay.hotel)))

    def charge_view(self, request, pk):
        self._require(request, "view_desk", "post_charge")
        stay = self._stay(request, pk)
        form = ChargeForm(request.POST or None, initial={"currency": stay.hotel.currency})
        if request.method == "POST" and form.is_valid():
            v = form.cleaned_data
            try:
                line = services.charge_post(confirmation_number=stay.confirmation_number, kind=v["type"],
                                            amount=v["amount"], currency=v["currency"],
                                            description=v["description"], actor=_actor(request))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Posted {line.description}: {line.amount:.2f} {line.currency}.")
                return redirect("admin:frontdesk_charge", pk=stay.pk)
        return TemplateResponse(request, "admin/frontdesk/charge.html", self._context(
            request, f"Charges — {stay.confirmation_number}", stay=stay, form=form,
            folio=selectors.folio_get(stay), reverse_form=ReverseForm(), hold=incidentals_hold(stay)))

    def reverse_view(self, request, pk, line_id):
        self._require(request, "view_desk", "post_charge")
        stay = self._stay(request, pk)
        if request.method != "POST":
            return redirect("admin:frontdesk_charge", pk=stay.pk)
        form = ReverseForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.charge_reverse(confirmation_number=stay.confirmation_number, line_id=line_id, reason=reason,
                                    actor=_actor(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The charge was reversed by a correcting line.")
        return redirect("admin:frontdesk_charge", pk=stay.pk)

    def check_out_view(self, request, pk):
        self._require(request, "view_desk", "check_out")
        stay = self._stay(request, pk)
        if request.method == "POST":
            try:
                result = services.stay_check_out(confirmation_number=stay.confirmation_number,
                                                 gateway=default_gateway(), actor=_actor(request),
                                                 paid_at_desk=request.POST.get("paid_at_desk") == "1")
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{stay.guest_full_name} is checked out; "
                                          f"{result.loyalty_points_earned} loyalty points earned.")
                return TemplateResponse(request, "admin/frontdesk/folio.html", self._context(
                    request, f"Final bill — {stay.confirmation_number}", stay=result.reservation,
                    folio=result.folio, final=True, points=result.loyalty_points_earned,
                    hold=incidentals_hold(result.reservation)))
        preview = selectors.check_out_preview(stay)
        hold = incidentals_hold(stay)
        return TemplateResponse(request, "admin/frontdesk/check_out.html", self._context(
            request, f"Check out {stay.confirmation_number}", stay=stay, preview=preview, folio=preview.folio,
            hold=hold, hold_capture=incidentals_to_capture(stay, hold)))

    def folio_view(self, request, pk, link_form=None):
        self._require(request, "view_desk", "view_folio")
        stay = self._stay(request, pk)
        may_send = staff_may(request.user, "send_payment_link", stay.hotel)
        return TemplateResponse(request, "admin/frontdesk/folio.html", self._context(
            request, f"Folio — {stay.confirmation_number}", stay=stay, folio=selectors.folio_get(stay),
            due=selectors.check_out_preview(stay).balance if stay.status == Status.CHECKED_IN else None,
            hold=incidentals_hold(stay), history=stay_history(stay), desk_actions=stay_actions(request.user, stay),
            links=[(link, paylinks.payment_link_url(link))
                                                for link in paylinks.payment_links_of(stay)],
            link_form=(link_form or PaymentLinkForm()) if may_send else None,
            manage_folios=staff_may(request.user, "manage_folios", stay.hotel), **folio_views.folio_forms()))

    def payment_link_view(self, request, pk):
        """POST: make a payment link for the stay's balance or a deposit and email it to the guest."""
        self._require(request, "view_desk", "view_folio", "send_payment_link")
        stay = self._stay(request, pk)
        if request.method != "POST":
            return redirect("admin:frontdesk_folio", pk=stay.pk)
        form = PaymentLinkForm(request.POST)
        if form.is_valid():
            v = form.cleaned_data
            try:
                link = paylinks.payment_link_create(reservation=stay, purpose=v["purpose"], amount=v["amount"],
                                                    email=v["email"] or None, actor=_actor(request))
            except DomainError as exc:
                form.add_error("amount" if exc.details.get("field") == "amount" else None, exc.message)
            else:
                sent = f"emailed to {link.sent_to}" if link.sent_to else "not emailed (the guest has no email)"
                messages.success(request, f"Payment link for {link.amount:.2f} {link.currency} {sent}.")
                return redirect("admin:frontdesk_folio", pk=stay.pk)
        return self.folio_view(request, pk, link_form=form)

    def rack_view(self, request):
        self._require(request, "view_rooms")
        hotel, hotels = self._hotel(request)
        form = OutOfOrderForm(request.POST or None)
        if request.method == "POST":
            self._require(request, "set_out_of_order", hotel=hotel)
            if form.is_valid() and hotel is not None:
                v = form.cleaned_data
                try:
                    services.room_out_of_order_set(hotel=hotel, room_number=v["room"], start=v["start_date"],
                                                   end=v["end_date"], reason=v["reason"], actor=_actor(request))
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, f"Room {v['room']} is out of order from {v['start_date']} "
                                              f"to {v['end_date']}.")
                    return redirect(f"{reverse('admin:frontdesk_rack')}?hotel={hotel.code}")
        rows = []
        if hotel is not None:
            try:
                rows = selectors.room_rack(hotel=hotel, today=hotel_today(hotel),
                                           status=(request.GET.get("status") or None))
            except DomainError as exc:  # a status filter typed into the address bar
                messages.error(request, exc.message)
                rows = selectors.room_rack(hotel=hotel, today=hotel_today(hotel))
        return TemplateResponse(request, "admin/frontdesk/rack.html", self._context(
            request, f"Room rack — {hotel.name if hotel else 'no hotel'}", hotel=hotel, hotels=hotels, rows=rows,
            form=form, can_set_out_of_order=staff_may(request.user, "set_out_of_order", hotel)))

    def housekeeping_view(self, request):
        self._require(request, "view_housekeeping")
        hotel, hotels = self._hotel(request)
        tasks = selectors.housekeeping_board(hotel=hotel) if hotel is not None else []
        return TemplateResponse(request, "admin/frontdesk/housekeeping.html", self._context(
            request, f"Housekeeping — {hotel.name if hotel else 'no hotel'}", hotel=hotel, hotels=hotels,
            tasks=tasks, can_move=staff_may(request.user, "move_housekeeping", hotel)))

    def housekeeping_move_view(self, request, task_id, to):
        self._require(request, "move_housekeeping")
        tasks = scope_to_hotels(HousekeepingTask.objects.select_related("room__hotel"), request.user, "room__hotel")
        task = get_object_or_404(tasks, pk=task_id)
        if request.method == "POST":
            try:
                task = services.housekeeping_task_move(task_id=task_id, to=to, hotels=staff_hotels(request.user),
                                                       actor=_actor(request))
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Room {task.room.number}: {task.get_status_display().lower()}.")
        return redirect(f"{reverse('admin:frontdesk_housekeeping')}?hotel={task.room.hotel.code}")


@admin.register(FolioLine)
class FolioLineAdmin(ReadOnlyAdmin):
    hotel_path = "reservation__hotel"
    list_display = ["reservation", "business_date", "kind", "description", "amount", "currency", "actor"]
    list_filter = ["kind", "business_date"]
    search_fields = ["reservation__confirmation_number", "description"]
    list_select_related = ["reservation"]


@admin.register(RoomAssignment)
class RoomAssignmentAdmin(ReadOnlyAdmin):
    hotel_path = "room__hotel"
    list_display = ["room", "reservation", "start_date", "end_date", "key_cards", "actor", "released_at"]
    search_fields = ["reservation__confirmation_number", "room__number"]
    list_select_related = ["room", "reservation"]


@admin.register(HousekeepingTask)
class HousekeepingTaskAdmin(ReadOnlyAdmin):
    hotel_path = "room__hotel"
    list_display = ["room", "kind", "status", "reservation", "created_at", "started_at", "done_at", "updated_by"]
    list_filter = ["status", "kind", "room__hotel"]
    list_select_related = ["room", "reservation"]
    actions = ["start", "finish"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not staff_may(request.user, "move_housekeeping"):
            actions.pop("start", None)
            actions.pop("finish", None)
        return actions

    def _move(self, request, queryset, to):
        for task in queryset:
            try:
                services.housekeeping_task_move(task_id=task.pk, to=to, hotels=staff_hotels(request.user),
                                                actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description="Start cleaning")
    def start(self, request, queryset):
        self._move(request, queryset, "IN_PROGRESS")

    @admin.action(description="Mark clean (room becomes available)")
    def finish(self, request, queryset):
        self._move(request, queryset, "DONE")


@admin.register(RoomOutOfOrder)
class RoomOutOfOrderAdmin(ReadOnlyAdmin):
    """Periods are set from the room rack (so the inventory is adjusted); lifting is an action here."""

    hotel_path = "room__hotel"
    list_display = ["room", "start_date", "end_date", "reason", "created_by", "lifted_on"]
    list_filter = ["room__hotel"]
    list_select_related = ["room"]
    actions = ["lift"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not staff_may(request.user, "lift_out_of_order"):
            actions.pop("lift", None)
        return actions

    @admin.action(description="Put back in service today")
    def lift(self, request, queryset):
        for period in queryset:
            try:
                services.room_out_of_order_lift(period_id=period.pk, hotels=staff_hotels(request.user),
                                                actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)


@admin.register(LoyaltyEntry)
class LoyaltyEntryAdmin(ReadOnlyAdmin):
    hotel_path = "guest__reservations__hotel"  # loyalty is the chain's: the guests who booked here
    list_display = ["loyalty_number", "guest", "kind", "points", "reservation", "description", "created_at"]
    list_filter = ["kind"]
    search_fields = ["loyalty_number", "guest__email", "reservation__confirmation_number"]
    list_select_related = ["guest", "reservation"]


@admin.register(GuestStats)
class GuestStatsAdmin(ReadOnlyAdmin):
    hotel_path = "guest__reservations__hotel"
    list_display = ["guest", "currency", "stays", "nights", "lifetime_value", "last_stay_on"]
    search_fields = ["guest__email", "guest__last_name"]
    list_select_related = ["guest"]


@admin.register(StayRecord)
class StayRecordAdmin(ReadOnlyAdmin):
    list_display = ["guest", "hotel", "arrived_on", "departed_on", "nights", "rooms", "total_spent", "currency"]
    search_fields = ["guest__email", "reservation__confirmation_number"]
    list_select_related = ["guest", "hotel"]


@admin.register(NightAuditRun)
class NightAuditRunAdmin(ReadOnlyAdmin):
    list_display = ["hotel", "business_date", "started_at", "finished_at", "no_shows", "nights_posted",
                    "has_errors"]
    list_filter = ["hotel"]

    @admin.display(boolean=True, description="Errors")
    def has_errors(self, obj):
        return bool(obj.errors)


@admin.register(NightAuditSchedule)
class NightAuditScheduleAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "audit_time", "enabled"]


@admin.register(LoyaltyRule)
class LoyaltyRuleAdmin(admin.ModelAdmin):
    list_display = ["currency", "points_per_unit", "booking_points"]


@admin.register(PaymentLink)
class PaymentLinkAdmin(ReadOnlyAdmin):
    """Payment links sent to guests (made from a stay's folio in the console)."""

    hotel_path = "reservation__hotel"
    list_display = ["created_at", "reservation", "purpose", "amount", "currency", "sent_to", "expires_at", "paid_at",
                    "state"]
    list_filter = ["purpose", ("paid_at", admin.EmptyFieldListFilter), "reservation__hotel"]
    search_fields = ["reservation__confirmation_number", "sent_to"]
    list_select_related = ["reservation"]
    date_hierarchy = "created_at"

    @admin.display(description="State")
    def state(self, obj):
        return obj.state.lower()
