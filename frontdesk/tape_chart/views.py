"""The console's tape chart and its room assignment, hung off StayAdmin's URLs (frontdesk/admin/stays.py).

GET tape-chart/?hotel=NYC&start=YYYY-MM-DD: two weeks of rooms and stays (frontdesk.tape_chart.selectors).
POST <pk>/assign-room/ (room): assign the stay a room ahead of arrival; POST <pk>/unassign-room/ (room, optional):
give it back. Both call frontdesk.assignments and come back to the chart (or the page named by `back`).
Each view takes the console (the StayAdmin) for its permission checks, hotel choice and page context.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from hotelbooking.errors import DomainError
from hotelbooking.permissions import staff_hotels, staff_may
from pricing.search import hotel_today

from ..assignments import room_assign, room_unassign
from .selectors import tape_chart

LEGEND = [("arriving", "Arriving / confirmed"), ("in-house", "In house"), ("departed", "Departed"),
          ("out-of-order", "Out of order")]


def _start(value: str | None, today: date) -> tuple[date, bool]:
    """The first day asked for (ISO), or today; False when what was asked for is not a date."""
    if not value:
        return today, True
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return today, False
    return (day, True) if date(2000, 1, 1) <= day <= date(2100, 1, 1) else (today, False)


def chart_url(hotel_code: str, start: date | str | None = None) -> str:
    query = {"hotel": hotel_code, **({"start": str(start)} if start else {})}
    return f"{reverse('admin:frontdesk_tape_chart')}?{urlencode(query)}"


def tape_chart_view(request, *, console):
    console._require(request, "view_desk")
    hotel, hotels = console._hotel(request)
    chart, today = None, None
    if hotel is not None:
        today = hotel_today(hotel)
        start, valid = _start(request.GET.get("start"), today)
        if not valid:
            messages.error(request, "The start date must be a date such as 2026-05-01; showing today.")
        chart = tape_chart(hotel=hotel, start=start, today=today)
    title = f"Tape chart — {hotel.name if hotel else 'no hotel'}"
    return TemplateResponse(request, "admin/frontdesk/tape_chart.html", console._context(
        request, title, hotel=hotel, hotels=hotels, chart=chart, legend=LEGEND,
        can_assign=staff_may(request.user, "assign_room", hotel)))


def _back(request, stay):
    back = request.POST.get("back", "")
    if back == "check-in":
        return redirect("admin:frontdesk_check_in", pk=stay.pk)
    start, valid = _start(request.POST.get("start"), hotel_today(stay.hotel))
    return redirect(chart_url(stay.hotel.code, start if valid else None))


def assign_view(request, pk, *, console):
    """POST: give the stay the room picked (from the select or by dragging it onto the room's row)."""
    console._require(request, "view_desk", "assign_room")
    stay = console._stay(request, pk)
    console._require(request, "assign_room", hotel=stay.hotel)
    if request.method == "POST":
        try:
            assignment = room_assign(confirmation_number=stay.confirmation_number,
                                     room_number=request.POST.get("room", ""),
                                     hotels=staff_hotels(request.user), actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Room {assignment.room.number} is assigned to {stay.guest_full_name} "
                                      f"({stay.confirmation_number}) from {stay.check_in:%b %-d} to "
                                      f"{stay.check_out:%b %-d}.")
    return _back(request, stay)


def unassign_view(request, pk, *, console):
    """POST: give back the room (or every room) the stay holds ahead of arrival."""
    console._require(request, "view_desk", "assign_room")
    stay = console._stay(request, pk)
    console._require(request, "assign_room", hotel=stay.hotel)
    if request.method == "POST":
        try:
            rooms = room_unassign(confirmation_number=stay.confirmation_number,
                                  room_number=request.POST.get("room") or None,
                                  hotels=staff_hotels(request.user), actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if rooms:
                messages.success(request, f"Room {', '.join(rooms)} is no longer assigned to "
                                          f"{stay.guest_full_name}.")
    return _back(request, stay)
