"""The search page with every rate side by side, code-only rates, the sold-out advice and the date picker."""

import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F

from inventory.models import Hotel, InventoryDay
from pricing.models import CancellationPolicy, RatePlan

from .rates_setup import NOON

FRI, SAT, MON = date(2031, 1, 10), date(2031, 1, 11), date(2031, 1, 13)


@pytest.fixture
def demo(db):
    with time_machine.travel(NOON, tick=False):
        call_command("seed_demo", stdout=StringIO())
        # The page's five plans compared below; the seed's Bed and Breakfast plan has its own tests (extras).
        RatePlan.objects.filter(hotel__code="NYC", code="BB").update(is_active=False)
        yield Hotel.objects.get(code="NYC")


def page(client, **params) -> str:
    query = {"hotel": "NYC", "check_in": FRI.isoformat(), "check_out": MON.isoformat(), "adults": 2, **params}
    r = client.get("/search/", query)
    assert r.status_code == 200
    return r.content.decode()


def article(html: str, code: str) -> str:
    part = html[html.index(f'id="room-{code}"'):]
    return part[:part.index("</article>")]


def rows(part: str) -> list[tuple[str, str, str]]:
    """(plan, per night, total) of each rate row, in page order."""
    found = []
    for row in re.findall(r'<li class="rate".*?</li>', part, re.S):
        plan = re.search(r'data-rate-plan="([^"]+)"', row).group(1)
        per_night = re.search(r'class="per-night"><strong>([\d.,]+) USD</strong>', row).group(1)
        total = re.search(r'class="stay-total">(?:<del[^>]*>[^<]*</del> )?<strong>([\d.,]+) USD</strong>', row).group(1)
        found.append((plan, per_night, total))
    return found


def test_without_a_rate_chosen_every_plan_is_shown_cheapest_first_with_its_terms(client, demo):
    html = page(client)
    king = article(html, "DELUXE-KING")
    assert rows(king) == [("AAA", "221.38", "664.14"), ("BAR", "241.61", "724.84"), ("DEP", "241.61", "724.84"),
                          ("FLEX", "241.61", "724.84"), ("HOTEL", "241.61", "724.84")]
    assert "10% off the Best Available Rate for AAA members" in king                   # what is included
    assert king.count("Free cancellation until Thursday, January 9, 2031 3:00 PM EST") == 5
    terms = re.findall(r'<p class="payment-terms" data-guarantee="(\w+)">([^<]*)', king)
    assert [(g, text.split(".")[0].split(";")[0]) for g, text in terms] == [
        ("PREPAY", "Charged now: 664"), ("PREPAY", "Charged now: 724"),
        ("DEPOSIT", "Charged now: 724"),        # its balance date (7 days before) has passed: all at booking
        ("CARD_GUARANTEE", "Nothing charged now"), ("PAY_AT_HOTEL", "Pay at the hotel: no card needed")]
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/book/\?[^"]+)"', html)]
    assert len(links) == 15                                          # three room types, five plans each
    assert ("/book/?hotel=NYC&room_type=DELUXE-KING&rate_plan=HOTEL&check_in=2031-01-10&check_out=2031-01-13"
            "&adults=2&children=0&promo_code=") in links
    assert [m for m in re.findall(r'id="room-([A-Z-]+)"', html)] == ["STANDARD-QUEEN", "DELUXE-KING",
                                                                      "JUNIOR-SUITE"]


def test_a_non_refundable_plan_says_so(client, demo):
    bar = RatePlan.objects.get(hotel=demo, code="BAR")
    strict = CancellationPolicy.objects.create(hotel=demo, name="Non-refundable", description="No refunds")
    strict.tiers.create(hours_before=100000, penalty_percent=Decimal("100"))
    RatePlan.objects.create(hotel=demo, code="SAVER", name="Saver", cancellation_policy=strict, parent=bar,
                            derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("15"))
    king = article(page(client), "DELUXE-KING")
    assert rows(king)[0] == ("SAVER", "211.26", "633.79")
    saver = re.search(r'<li class="rate"[^>]*data-rate-plan="SAVER".*?</li>', king, re.S).group(0)
    assert "Non-refundable: cancelling costs 100% of booking." in saver and "Free cancellation" not in saver


def test_a_code_only_rate_is_shown_only_with_its_code_and_marked(client, demo):
    bar = RatePlan.objects.get(hotel=demo, code="BAR")
    RatePlan.objects.create(hotel=demo, code="ACME", name="Acme corporate", cancellation_policy=bar.cancellation_policy,
                            parent=bar, derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("20"),
                            visibility=RatePlan.Visibility.CODE, access_code="ACME-NY")
    html = page(client)
    assert "ACME" not in html and "Acme corporate" not in html
    opened = page(client, access_code="acme-ny")
    king = article(opened, "DELUXE-KING")
    assert rows(king)[0] == ("ACME", "201.15", "603.44")
    assert '<span class="badge">Your code&#x27;s rate</span>' in king
    assert "your code opens Acme corporate" in opened
    assert '<option value="ACME"' not in opened                     # never in the public rate list


def test_a_sold_out_night_is_named_with_other_dates_and_a_price_calendar(client, demo):
    InventoryDay.objects.filter(room_type__hotel=demo, date=SAT).update(sold=F("total"))
    html = page(client, rate_plan="AAA")
    assert '<h2 id="sold-out-title">No rooms on Sat 11 Jan</h2>' in html
    nearest = html[html.index('<ul class="nearest">'):html.index("</ul>", html.index('<ul class="nearest">'))]
    assert re.findall(r'<a href="[^"]*check_in=(2031-01-\d\d)&amp;check_out=(2031-01-\d\d)"', nearest) == [
        ("2031-01-08", "2031-01-11"), ("2031-01-12", "2031-01-15"), ("2031-01-07", "2031-01-10")]
    assert "from <strong>500.94 USD</strong>" in nearest       # the queen, Wed to Sat on AAA
    assert "rate_plan=AAA" in nearest
    calendar = html[html.index('<table class="price-calendar"'):html.index("</table>", html.index("price-calendar"))]
    assert "Cheapest total for 3 nights by arrival date (USD)" in calendar
    assert calendar.count('class="past"') == 2 and calendar.count('class="full') == 3
    assert calendar.count('class="open') == 10
    assert 'aria-current="date"' in calendar
    assert 'id="room-' not in html


def test_one_room_type_sold_out_names_its_night_beside_the_others(client, demo):
    InventoryDay.objects.filter(room_type__code="JUNIOR-SUITE", date=SAT).update(sold=F("total"))
    html = page(client, rate_plan="AAA")
    assert 'id="room-STANDARD-QUEEN"' in html and 'id="room-JUNIOR-SUITE"' not in html
    suite = html[html.index('id="sold-out-JUNIOR-SUITE"'):]
    suite = suite[:suite.index("</article>")]
    assert "No rooms on Sat 11 Jan." in suite
    assert re.findall(r">(\w{3} \d+ \w{3})</a>", suite) == ["Wed 8 Jan", "Sun 12 Jan", "Tue 7 Jan"]
    assert "price-calendar" not in html


def test_the_date_picker_refuses_past_dates_and_hints_the_minimum_stay(client, demo):
    with time_machine.travel(NOON, tick=False):
        html = client.get("/").content.decode()
    assert re.search(r'<input type="date" name="check_in"[^>]*min="2031-01-05"', html)
    assert re.search(r'<input type="date" name="check_out"[^>]*data-min-nights="1"', html)
    assert '<option value="" selected>All rates</option>' in html or '<option value="">All rates</option>' in html
    assert "/static/js/search-dates.js" in html
    RatePlan.objects.filter(hotel=demo).update(min_stay=2)
    with time_machine.travel(NOON, tick=False):
        html = client.get("/", {"hotel": "NYC", "check_in": "2031-01-10", "check_out": "2031-01-12",
                                "rate_plan": "AAA"}).content.decode()
    assert re.search(r'name="check_out"[^>]*data-min-nights="2"', html)
    assert 'aria-describedby="id_check_out_hint"' in html and "Minimum stay: 2 nights" in html
