"""Promotion rules: which plans and room types a promotion is for, whether it stacks on a derived plan's discount,
its usage cap, and the public deal the guest page applies without a code, struck through. Seasons that overlap:
which one prices a night."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Status
from hotelbooking.errors import UnknownPromoCode
from inventory.services import inventory_open
from pricing.models import Promotion, RateOverride
from pricing.search import search_availability, stay_validate
from pricing.selectors import USE_GIVEN_BACK, promotion_get
from tests.factories import RateFactory, ReservationFactory, RoomFactory

from .pricing_setup import FRI, MON, derived, fee, make_hotel, nightly, price, promo, room_type_with_rates, tax, week

pytestmark = pytest.mark.django_db
SEARCH_DAY = datetime(2031, 1, 2, 12, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def seedlike():
    """The seed's figures: Deluxe King 189/219/199, AAA = BAR less 10%, 12% tax on the gross rate, $15 a night."""
    hotel, bar = make_hotel(code="SEED")
    aaa = derived(hotel, bar)
    tax(hotel)
    fee(hotel)
    king = room_type_with_rates(hotel, bar, code="DELUXE-KING")
    queen = room_type_with_rates(hotel, bar, code="STANDARD-QUEEN", weekday="149", saturday="179", sunday="159")
    for rt in (king, queen):
        for _ in range(2):
            RoomFactory(room_type=rt, hotel=hotel)
    inventory_open(hotel=hotel, start=FRI, end=MON)
    return hotel, bar, aaa, king, queen


def totals(quote) -> tuple[str, str, str, str]:
    d = quote.as_dict()
    return d["rate_plan_discount"], d["promotion_discount"], d["taxes"], d["total"]


def test_by_default_a_promotion_stacks_on_the_member_plan_as_the_seed_does(seedlike):
    hotel, bar, aaa, king, _ = seedlike
    assert price(aaa, king).as_dict()["total"] == "664.14"
    winter = promo(hotel, code="WINTER10", min_nights=2)
    assert winter.combines_with_plan_discounts and not winter.is_public and winter.max_uses is None
    # 10% off each night after AAA's 10%: 17.01 + 19.71 + 17.91; the tax stays on the gross 607.00.
    assert totals(price(aaa, king, promotion=winter)) == ("-60.70", "-54.63", "72.84", "609.51")


def test_a_promotion_that_does_not_combine_is_refused_on_a_derived_plan_and_kept_on_the_base(seedlike):
    hotel, bar, aaa, king, _ = seedlike
    alone = promo(hotel, code="ALONE", combines_with_plan_discounts=False)
    with pytest.raises(UnknownPromoCode) as exc:
        price(aaa, king, promotion=alone)
    assert str(exc.value) == "The promotion ALONE cannot be combined with the AAA plan."
    assert totals(price(bar, king, promotion=alone)) == ("0.00", "-60.70", "72.84", "664.14")


def test_a_promotion_for_some_plans_only(seedlike):
    hotel, bar, aaa, king, _ = seedlike
    members = promo(hotel, code="MEMBERS")
    members.rate_plans.set([aaa])
    members = promotion_get(hotel=hotel, code="members")
    assert totals(price(aaa, king, promotion=members)) == ("-60.70", "-54.63", "72.84", "609.51")
    with pytest.raises(UnknownPromoCode, match="^The promotion MEMBERS is not offered on the Best Available Rate.$"):
        price(bar, king, promotion=members)


def test_a_promotion_for_some_room_types_only(seedlike):
    hotel, bar, aaa, king, queen = seedlike
    kings = promo(hotel, code="KINGS")
    kings.room_types.set([king])
    assert price(bar, king, promotion=kings).as_dict()["promotion_discount"] == "-60.70"
    with pytest.raises(UnknownPromoCode, match="^The promotion KINGS does not apply to the Standard-Queen.$"):
        price(bar, queen, promotion=kings)


def test_the_search_prices_room_types_a_promotion_is_not_for_without_it(seedlike, client):
    hotel, bar, aaa, king, queen = seedlike
    kings = promo(hotel, code="KINGS")
    kings.room_types.set([king])
    with time_machine.travel(SEARCH_DAY, tick=False):
        stay = stay_validate(hotel=hotel, check_in=FRI, check_out=MON, adults=2)
        response = search_availability(hotel=hotel, stay=stay, promo_code="KINGS")
        by_code = {r.room_type.code: r for r in response.results}
        assert by_code["DELUXE-KING"].quote.as_dict()["total"] == "664.14"        # 607.00 - 60.70 + 72.84 + 45
        assert by_code["DELUXE-KING"].without_promotion.as_dict()["total"] == "724.84"
        # The queen: 149 + 179 + 159 = 487.00, 58.44 tax, 45.00 fees, no promotion.
        assert by_code["STANDARD-QUEEN"].quote.as_dict()["total"] == "590.44"
        assert by_code["STANDARD-QUEEN"].quote.promotion is None
        assert by_code["STANDARD-QUEEN"].without_promotion is None
        html = client.get("/search/", {"hotel": "SEED", "check_in": FRI, "check_out": MON, "adults": 2,
                                       "promo_code": "KINGS"}).content.decode()
    links = {m[0]: m[1] for m in re.findall(r'href="/book/\?[^"]*room_type=([A-Z-]+)[^"]*promo_code=([A-Z]*)"',
                                            html)}
    assert links == {"DELUXE-KING": "KINGS", "STANDARD-QUEEN": ""}


def test_a_usage_cap_counts_bookings_that_hold_the_promotion(seedlike):
    hotel, bar, aaa, king, _ = seedlike
    capped = promo(hotel, code="FIRST2", max_uses=2)
    used = [ReservationFactory(hotel=hotel, room_type=king, rate_plan=bar, promotion=capped) for _ in range(2)]
    with pytest.raises(UnknownPromoCode, match="^The promotion FIRST2 has been fully booked.$"):
        price(bar, king, promotion=promotion_get(hotel=hotel, code="FIRST2"))
    # A cancelled booking gives its use back; an expired one too.
    type(used[0]).objects.filter(pk=used[0].pk).update(status=Status.CANCELLED)
    loaded = promotion_get(hotel=hotel, code="FIRST2")
    assert loaded.uses_count == 1
    assert price(bar, king, promotion=loaded).as_dict()["promotion_discount"] == "-60.70"
    # A promotion not loaded through promotion_get (a booking's own, when it is changed) is not counted again.
    type(used[0]).objects.filter(pk=used[0].pk).update(status=Status.CONFIRMED)
    assert price(bar, king, promotion=Promotion.objects.get(pk=capped.pk)).as_dict()["promotion_discount"] == "-60.70"


def test_the_statuses_that_give_a_use_back_are_reservation_statuses():
    assert set(USE_GIVEN_BACK) == {Status.CANCELLED, Status.EXPIRED}


def test_booking_and_stay_windows_pinned_to_the_hotels_date(seedlike):
    hotel, bar, aaa, king, _ = seedlike
    promo(hotel, code="EARLY", book_end=date(2031, 1, 2), stay_start=date(2031, 1, 11), stay_end=date(2031, 1, 11))
    with time_machine.travel(SEARCH_DAY, tick=False):  # Jan 2 in New York: inside the booking window
        stay = stay_validate(hotel=hotel, check_in=FRI, check_out=MON, adults=2)
        king_result = next(r for r in search_availability(hotel=hotel, stay=stay, promo_code="EARLY").results
                           if r.room_type == king)
        # Only Saturday (219.00) is in the stay window: 21.90 off.
        assert [str(n.promotion_discount) for n in king_result.quote.nights] == ["0", "21.90", "0"]
    # 00:30 UTC on Jan 3 is still Jan 2 in New York; at 00:30 New York time on Jan 3 the window has closed.
    with time_machine.travel(datetime(2031, 1, 3, 0, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        search_availability(hotel=hotel, stay=stay, promo_code="EARLY")
    with time_machine.travel(datetime(2031, 1, 3, 0, 30, tzinfo=ZoneInfo("America/New_York")), tick=False):
        with pytest.raises(UnknownPromoCode, match="cannot be booked today"):
            search_availability(hotel=hotel, stay=stay, promo_code="EARLY")


# --- the public deal on the guest page -------------------------------------------------------------------

def test_the_guest_page_applies_a_public_deal_without_a_code_and_strikes_the_price_through(seedlike, client):
    hotel, bar, aaa, king, queen = seedlike
    promo(hotel, code="HIDDEN", value="50")  # not public: never applied without its code
    deal = promo(hotel, code="JANDEAL", is_public=True, min_nights=2)
    deal.name = "January deal"
    deal.save()
    with time_machine.travel(SEARCH_DAY, tick=False):
        r = client.get("/search/", {"hotel": "SEED", "check_in": FRI, "check_out": MON, "adults": 2,
                                    "rate_plan": "AAA"})
        html = r.content.decode()
        king_card = html[html.index('id="room-DELUXE-KING"'):]
        king_card = king_card[:king_card.index("</article>")]
        # AAA 664.14 before the deal; 609.51 with it (10% more off each night).
        assert re.search(r'<del class="was"[^>]*>664.14 USD</del> 609.51 USD', king_card)
        assert "January deal (JANDEAL) · public deal" in king_card
        assert "promo_code=JANDEAL" in king_card
        # The API's search applies nothing it was not given.
        api = client.get("/api/v1/hotels/SEED/availability", {"check_in": FRI, "check_out": MON, "adults": 2,
                                                              "rate_plan": "AAA"}).json()
        assert [o["pricing"]["total"] for o in api["room_types"] if o["code"] == "DELUXE-KING"] == ["664.14"]
        # One night does not qualify for the deal (two at least): no strike-through, no code in the links.
        html = client.get("/search/", {"hotel": "SEED", "check_in": FRI, "check_out": FRI + timedelta(days=1),
                                       "adults": 2}).content.decode()
        assert 'id="room-DELUXE-KING"' in html
        assert "<del" not in html and "JANDEAL" not in html


def test_a_typed_code_wins_over_the_public_deal(seedlike, client):
    hotel, *_ = seedlike
    promo(hotel, code="JANDEAL", is_public=True)
    promo(hotel, code="TWENTY", value="20")
    with time_machine.travel(SEARCH_DAY, tick=False):
        html = client.get("/search/", {"hotel": "SEED", "check_in": FRI, "check_out": MON, "adults": 2,
                                       "promo_code": "TWENTY"}).content.decode()
    assert "TWENTY" in html and "JANDEAL" not in html


# --- overlapping seasons ---------------------------------------------------------------------------------

def test_where_seasons_overlap_the_one_that_starts_latest_wins_then_the_one_saved_last(seedlike):
    hotel, bar, aaa, king, _ = seedlike
    # "All year" (2030-2032) is 189/219/199. A winter season from Jan 11 wins over it from that night on.
    RateFactory(rate_plan=bar, room_type=king, name="Winter", start_date=date(2031, 1, 11),
                end_date=date(2031, 1, 31), **week("100", "110", "120"))
    assert nightly(price(bar, king)) == ["189.00", "110.00", "120.00"]
    # A season starting earlier does not win, even saved later.
    RateFactory(rate_plan=bar, room_type=king, name="Long", start_date=date(2031, 1, 1), end_date=date(2031, 2, 28),
                **week("50", "50", "50"))
    assert nightly(price(bar, king)) == ["50.00", "110.00", "120.00"]
    # Same start as Winter, saved later: it wins.
    RateFactory(rate_plan=bar, room_type=king, name="Winter bis", start_date=date(2031, 1, 11),
                end_date=date(2031, 1, 11), **week("99", "99", "99"))
    assert nightly(price(bar, king)) == ["50.00", "99.00", "120.00"]
    # An override beats every season; AAA follows its parent.
    RateOverride.objects.create(rate_plan=bar, room_type=king, date=date(2031, 1, 12), amount=Decimal("80"))
    assert nightly(price(bar, king)) == ["50.00", "99.00", "80.00"]
    assert price(aaa, king).as_dict()["rate_plan_discount"] == "-22.90"


def test_the_season_admin_shows_the_rule_and_which_season_gives_way(seedlike, admin_client):
    hotel, bar, aaa, king, _ = seedlike
    RateFactory(rate_plan=bar, room_type=king, name="Winter", start_date=date(2031, 1, 11),
                end_date=date(2031, 1, 31), **week("100", "110", "120"))
    html = admin_client.get("/admin/pricing/rate/", {"room_type__id__exact": king.pk}).content.decode()
    assert "the one that starts latest wins on the nights they share" in html
    assert "gives way to “Winter” from 2031-01-11" in html
    assert "wins on all its nights" in html


def test_the_promotion_admin_refuses_another_hotels_plans_and_shows_the_uses(seedlike, admin_client):
    hotel, bar, aaa, king, _ = seedlike
    other, other_bar = make_hotel(code="OTH")
    winter = promo(hotel, code="WINTER10", max_uses=5)
    ReservationFactory(hotel=hotel, room_type=king, rate_plan=bar, promotion=winter)
    form = {"hotel": hotel.pk, "code": "WINTER10", "name": "Winter", "kind": "PERCENT", "value": "10",
            "min_nights": 1, "is_active": "on", "combines_with_plan_discounts": "on", "max_uses": 5,
            "rate_plans": [bar.pk, other_bar.pk], "room_types": [king.pk]}
    r = admin_client.post(f"/admin/pricing/promotion/{winter.pk}/change/", form)
    assert r.status_code == 200 and "BAR: of another hotel." in r.content.decode()
    assert not winter.rate_plans.exists()
    r = admin_client.post(f"/admin/pricing/promotion/{winter.pk}/change/", {**form, "rate_plans": [aaa.pk]})
    assert r.status_code == 302
    assert list(winter.rate_plans.values_list("code", flat=True)) == ["AAA"]
    html = admin_client.get("/admin/pricing/promotion/").content.decode()
    assert "1 of 5" in html and "AAA; DELUXE-KING" in html
