"""The desk's pages for a stay under way: move room, change the stay, late check-out / early check-in fees.

Thin: each page translates the form into a service call (frontdesk/moves.py, frontdesk/inhouse.py) and its
errors into messages. Both changes are two steps: the first POST shows what the change would do (the new total,
the difference, any early-departure fee), the second ("confirm") makes it, refused with PRICE_CHANGED if the
total moved in between.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from hotelbooking.errors import DomainError
from hotelbooking.money import fmt
from pricing.search import hotel_today

from . import inhouse, moves
from .models import RoomAssignment


class MoveForm(forms.Form):
    from_room = forms.ChoiceField(label="From room")
    to_room = forms.ChoiceField(label="To room", widget=forms.RadioSelect)
    reprice = forms.TypedChoiceField(label="Rate", coerce=lambda v: v == "1", initial="0", widget=forms.RadioSelect,
                                     choices=[("0", "Keep the booked rate (no charge)"),
                                              ("1", "Reprice the remaining nights at the new room type's rate")])
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, current=(), rooms=(), stay=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_room"].choices = [(n, n) for n in current]
        self.fields["to_room"].choices = [
            (r.number, f"{r.number} — {r.room_type.name}, floor {r.floor}"
             + ("" if stay is None or r.room_type_id == stay.room_type_id else " (another room type)"))
            for r in rooms]


class ChangeStayForm(forms.Form):
    check_out = forms.DateField(label="Departure", widget=forms.DateInput(attrs={"type": "date"}))
    adults = forms.IntegerField(min_value=1, max_value=50)
    children = forms.IntegerField(min_value=0, max_value=50)


def _current_rooms(stay) -> list[str]:
    return list(RoomAssignment.objects.filter(reservation=stay, released_at__isnull=True)
                .order_by("room__number").values_list("room__number", flat=True))


def move_room_view(admin, request, pk):
    admin._require(request, "view_desk", "move_room")
    stay = admin._stay(request, pk)
    today = hotel_today(stay.hotel)
    form = MoveForm(request.POST or None, current=_current_rooms(stay), rooms=moves.rooms_to_move_to(stay, today),
                    stay=stay)
    preview = None
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            if request.POST.get("confirm") == "1":
                move = moves.room_move(confirmation_number=stay.confirmation_number, from_room=v["from_room"],
                                       to_room=v["to_room"], reprice=v["reprice"], reason=v["reason"],
                                       actor=request.user)
            else:
                preview = {"plan": moves.room_move_quote(confirmation_number=stay.confirmation_number,
                                                         to_room=v["to_room"], reprice=v["reprice"]), **v}
        except DomainError as exc:
            form.add_error(None, f"{exc.message} ({exc.code})")
            preview = None
        else:
            if preview is None:
                text = (f"{stay.guest_full_name} moved from room {move.vacated.room.number} to "
                        f"{move.assignment.room.number}")
                if move.plan is not None and move.difference:
                    text += f"; {fmt(move.difference, move.plan.currency)} on the folio, settled at check-out"
                messages.success(request, text + f". Room {move.vacated.room.number} is on the housekeeping board.")
                return redirect("admin:frontdesk_folio", pk=stay.pk)
    return TemplateResponse(request, "admin/frontdesk/move_room.html", admin._context(
        request, f"Move room — {stay.confirmation_number}", stay=stay, form=form, preview=preview))


def change_stay_view(admin, request, pk):
    admin._require(request, "view_desk", "modify_booking")
    stay = admin._stay(request, pk)
    initial = {"check_out": stay.check_out, "adults": stay.adults, "children": stay.children}
    form = ChangeStayForm(request.POST or None, initial=initial)
    change = None
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        args = dict(confirmation_number=stay.confirmation_number, check_out=v["check_out"], adults=v["adults"],
                    children=v["children"])
        try:
            if request.POST.get("confirm") == "1":
                done = inhouse.stay_change(**args, expected_total=request.POST.get("expected_total") or None,
                                           actor=request.user)
            else:
                change = inhouse.stay_change_quote(**args)
        except DomainError as exc:
            form.add_error(None, f"{exc.message} ({exc.code})")
            change = None
        else:
            if change is None:
                if not done.plan.changes:
                    messages.info(request, "Nothing to change.")
                else:
                    messages.success(request, f"Stay changed: {stay.guest_full_name} now leaves on "
                                              f"{done.plan.quote.check_out:%a %b %-d}; the bill moves by "
                                              f"{fmt(done.difference, done.currency)}, settled at check-out.")
                return redirect("admin:frontdesk_folio", pk=stay.pk)
    return TemplateResponse(request, "admin/frontdesk/change_stay.html", admin._context(
        request, f"Change stay — {stay.confirmation_number}", stay=stay, form=form, change=change))


def desk_fee_view(admin, request, pk, fee):
    admin._require(request, "view_desk", "post_charge")
    stay = admin._stay(request, pk)
    if request.method == "POST":
        try:
            line = inhouse.desk_fee_post(confirmation_number=stay.confirmation_number, fee=fee, actor=request.user)
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
        else:
            messages.success(request, f"Posted {line.description}: {fmt(line.amount, line.currency)}.")
    return redirect("admin:frontdesk_folio", pk=stay.pk)
