"""A clerk splits a bill in a real browser: opens a folio for a company (the stay routed to it) and moves a
posted room night onto it, with the record shown; at desktop width and on a 390 px phone. Screenshots go to the
shared `shots` folder (folios-*.png)."""

import os
from pathlib import Path

import pytest

from tests.test_browser_booking import CHROMIUM
from tests.test_browser_inhouse import desk, in_house  # noqa: F401 (fixtures: the seed's stay in house, a clerk's tab)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]


def _shots(page, shots, name):
    page.screenshot(path=str(shots / f"folios-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.screenshot(path=str(shots / f"folios-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_clerk_bills_the_room_to_a_company_and_moves_a_posted_night(desk, live_server, in_house, shots):  # noqa: F811
    from frontdesk.models import FolioLine, FolioLineMove

    stay, friday = in_house
    page = desk
    page.goto(f"{live_server.url}/admin/frontdesk/stay/{stay.pk}/folio/")
    _shots(page, shots, "1-guest-only")
    page.select_option("#id_kind", "COMPANY")
    page.fill("#id_name", "ACME Corp")
    page.fill("#id_vat_id", "DE811907980")
    page.fill("#id_country", "DE")
    page.check("input[name=route][value=STAY]")
    page.click("input[type=submit][value='Open folio']")
    page.wait_for_url("**/folio/")
    assert "Folio opened." in page.locator(".messagelist").inner_text()
    assert "Folio 2 — ACME Corp" in page.locator("#content").inner_text()

    room = FolioLine.objects.get(reservation=stay, kind="ROOM", business_date=friday)  # posted before the folio
    page.check(f"input[name=lines][value='{room.pk}']")
    page.fill(".folio-move input[name=folio]", "2")
    page.fill(".folio-move input[name=reason]", "ACME pays the room")
    page.click("input[type=submit][value='Move']")
    page.wait_for_url("**/folio/")
    assert "1 line moved to folio 2." in page.locator(".messagelist").inner_text()
    moves = page.locator(".folio-moves").inner_text()
    assert "from folio 1 to folio 2 by maria — ACME pays the room" in moves and "170.10" in moves
    _shots(page, shots, "2-company-folio")
    move = FolioLineMove.objects.get()
    assert (move.line_id, move.to_folio.number, move.moved_by.username) == (room.pk, 2, "maria")
