"""Bulk edits: the preview lists every cell before and after, applying writes them in one transaction and one
history entry, undo puts them back; quotes, search and the channels see the result."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bookings.models import OutboxEvent
from hotelbooking.errors import InvalidState, PreviewOutdated, UndoConflict, ValidationFailed
from inventory.models import InventoryDay, RoomType
from pricing.models import RateOverride, RatePlan
from pricing.search import search_availability, stay_validate
from pricing.tests.pricing_setup import price
from ratecalendar.models import CalendarEdit
from ratecalendar.services import EditRequest, edit_apply, edit_preview, edit_undo

from .conftest import FRI

pytestmark = pytest.mark.django_db
A = CalendarEdit.Action
SAT, SUN, MON = FRI + timedelta(days=1), FRI + timedelta(days=2), FRI + timedelta(days=3)
EVERY_DAY = frozenset(range(7))


def plan(hotel, code="BAR") -> RatePlan:
    return RatePlan.objects.get(hotel=hotel, code=code)


def room(hotel, code="DELUXE-KING") -> RoomType:
    return RoomType.objects.get(hotel=hotel, code=code)


def ask(hotel, action, value="", *, start=FRI, end=SAT, weekdays=EVERY_DAY, rooms=("DELUXE-KING",),
        plans=("BAR",)) -> EditRequest:
    return EditRequest(start=start, end=end, weekdays=frozenset(weekdays),
                       room_type_ids=tuple(room(hotel, c).pk for c in rooms),
                       rate_plan_ids=tuple(plan(hotel, c).pk for c in plans), action=action, value=value)


def rows(preview) -> list[tuple]:
    return [(c.room_type.code, c.rate_plan.code if c.rate_plan else None, c.date, c.before, c.after)
            for c in preview.changes]


def day(hotel, night, code="DELUXE-KING") -> InventoryDay:
    return InventoryDay.objects.get(room_type__hotel=hotel, room_type__code=code, date=night)


# --- prices ----------------------------------------------------------------------------------------------

def test_setting_a_price_on_fridays_and_saturdays_previews_each_cell_and_the_derived_plan_following(hotel):
    preview = edit_preview(hotel=hotel, request=ask(hotel, A.PRICE_SET, "180", end=FRI + timedelta(days=13),
                                                    weekdays={4, 5}))
    d = Decimal
    assert rows(preview) == [("DELUXE-KING", "BAR", FRI, d("189.00"), d("180.00")),
                             ("DELUXE-KING", "BAR", SAT, d("219.00"), d("180.00")),
                             ("DELUXE-KING", "BAR", FRI + timedelta(days=7), d("189.00"), d("180.00")),
                             ("DELUXE-KING", "BAR", SAT + timedelta(days=7), d("219.00"), d("180.00"))]
    assert [(c.rate_plan.code, c.date, str(c.before), str(c.after), c.follows) for c in preview.followers[:2]] == [
        ("AAA", FRI, "170.10", "162.00", True), ("AAA", SAT, "197.10", "162.00", True)]
    assert preview.summary == ("Set the price: 180 USD · 4 nights from 2031-01-10 to 2031-01-23 (Fri, Sat) · "
                               "DELUXE-KING on BAR")
    assert not RateOverride.objects.exists()  # a preview writes nothing


def test_applying_a_price_changes_what_a_booking_pays_and_undo_gives_the_seed_price_back(hotel, manager):
    king, bar, aaa = room(hotel), plan(hotel), plan(hotel, "AAA")
    assert price(aaa, king, FRI, MON).as_dict()["total"] == "664.14"
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.PRICE_SET, "180"), user=manager)
    # Friday and Saturday at 180.00, Sunday 199.00: 559.00 less 55.90 AAA, 67.08 tax on 559.00, 45.00 fees.
    assert price(aaa, king, FRI, MON).as_dict()["total"] == "615.18"
    assert sorted(RateOverride.objects.values_list("date", "amount")) == [(FRI, Decimal("180.000")),
                                                                          (SAT, Decimal("180.000"))]
    assert (edit.created_by, edit.cell_count, edit.action) == (manager, 2, A.PRICE_SET)
    assert edit.cells == [["price", king.pk, bar.pk, "2031-01-10", None, "180.00"],
                          ["price", king.pk, bar.pk, "2031-01-11", None, "180.00"]]
    edit_undo(hotel=hotel, edit_id=edit.pk, user=manager)
    assert not RateOverride.objects.exists()
    assert price(aaa, king, FRI, MON).as_dict()["total"] == "664.14"
    edit.refresh_from_db()
    assert edit.undone_by == manager and edit.undone_at is not None
    with pytest.raises(InvalidState, match="already undone"):
        edit_undo(hotel=hotel, edit_id=edit.pk, user=manager)


def test_a_percentage_and_an_amount_adjust_each_nights_own_price_rounded_once(hotel):
    RateOverride.objects.create(rate_plan=plan(hotel), room_type=room(hotel), date=FRI, amount=Decimal("150.05"))
    preview = edit_preview(hotel=hotel, request=ask(hotel, A.PRICE_PERCENT, "-7.5"))
    # 150.05 - 11.25 (7.5% of 150.05 = 11.25375); 219.00 - 16.43 (16.425, half up).
    assert [(str(c.before), str(c.after)) for c in preview.changes] == [("150.05", "138.80"), ("219.00", "202.57")]
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.PRICE_ADD, "12.50", end=SUN))
    assert [c[4:] for c in edit.cells] == [["150.050", "162.55"], [None, "231.50"], [None, "211.50"]]
    edit_undo(hotel=hotel, edit_id=edit.pk)
    # The night that had an override gets it back; the others go back to their season.
    assert list(RateOverride.objects.values_list("date", "amount")) == [(FRI, Decimal("150.050"))]


def test_adjusting_nights_with_no_rate_leaves_them_and_says_so(hotel):
    bar, king = plan(hotel), room(hotel)
    bar.rates.filter(room_type=king).update(end_date=FRI)  # Saturday and Sunday now have no rate loaded
    preview = edit_preview(hotel=hotel, request=ask(hotel, A.PRICE_ADD, "10", end=SUN))
    assert [(c.date, str(c.after)) for c in preview.changes] == [(FRI, "199.00")]
    assert preview.notes == ["2 nights have no rate loaded to add to: left as they are."]
    # Setting a price gives them one.
    assert [(c.date, c.before) for c in edit_preview(hotel=hotel, request=ask(hotel, A.PRICE_SET, "99",
                                                                                end=SUN)).changes][1:] == [
        (SAT, None), (SUN, None)]


@pytest.mark.parametrize("action, value, plans, message", [
    (A.PRICE_ADD, "-200", ("BAR",),
     "DELUXE-KING on BAR would cost -11.00 on 2031-01-10: a price cannot go below zero."),
    (A.PRICE_SET, "-1", ("BAR",), "A price cannot be negative."),
    (A.PRICE_PERCENT, "-100", ("BAR",), "A price can come down by less than 100%."),
    (A.PRICE_SET, "abc", ("BAR",), "Give an amount such as 189.00 (or -10 to lower a price)."),
    (A.PRICE_SET, "1e9", ("BAR",), "That amount is out of range."),
    (A.PRICE_SET, "100", ("AAA",), "AAA follows BAR: change BAR's price and AAA moves with it."),
    (A.PRICE_SET, "100", (), "Choose the rate plans whose price changes."),
    (A.MIN_STAY, "0", (), "Give a whole number from 1, or leave it empty to lift it."),
    (A.MIN_ADVANCE, "-1", (), "Give a whole number from 0, or leave it empty to lift it."),
    (A.ROOMS_TO_SELL, "two", (), "Give a whole number, or leave it empty to lift it."),
])
def test_bad_values_are_refused_with_the_field_to_fix(hotel, action, value, plans, message):
    with pytest.raises(ValidationFailed) as exc:
        edit_preview(hotel=hotel, request=ask(hotel, action, value, plans=plans))
    assert exc.value.message == message
    assert exc.value.code == "VALIDATION_ERROR"


@pytest.mark.parametrize("changes, field, message", [
    ({"start": date(2031, 1, 1)}, "start", "Past nights cannot be changed."),
    ({"end": FRI - timedelta(days=1)}, "end", "The last night is before the first."),
    ({"end": FRI + timedelta(days=366)}, "end", "Change at most 366 nights at a time."),
    ({"weekdays": {0}, "end": FRI + timedelta(days=2)}, "weekdays",
     "No night in these dates falls on the chosen weekdays."),
    ({"weekdays": set()}, "weekdays", "Choose at least one weekday."),
    ({"rooms": ()}, "room_types", "Choose at least one of this hotel's room types."),
])
def test_bad_selections_are_refused(hotel, changes, field, message):
    with pytest.raises(ValidationFailed) as exc:
        edit_preview(hotel=hotel, request=ask(hotel, A.CLOSE, **changes))
    assert (exc.value.details["field"], exc.value.message) == (field, message)


def test_another_hotels_room_type_cannot_be_edited(hotel):
    from tests.factories import RoomTypeFactory

    elsewhere = RoomTypeFactory(code="ELSEWHERE")
    request = EditRequest(start=FRI, end=FRI, weekdays=EVERY_DAY, room_type_ids=(elsewhere.pk,), rate_plan_ids=(),
                          action=A.CLOSE)
    with pytest.raises(ValidationFailed, match="this hotel's room types"):
        edit_preview(hotel=hotel, request=request)


# --- inventory columns -----------------------------------------------------------------------------------

def test_closing_a_weekend_stops_the_search_selling_it_and_undo_reopens_it(hotel, manager):
    stay = stay_validate(hotel=hotel, check_in=FRI, check_out=MON, adults=2)
    assert [r.room_type.code for r in search_availability(hotel=hotel, stay=stay).results] == [
        "STANDARD-QUEEN", "DELUXE-KING"]
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.CLOSE, start=SAT, end=SUN,
                                               rooms=("DELUXE-KING", "STANDARD-QUEEN")), user=manager)
    assert edit.cell_count == 4
    assert search_availability(hotel=hotel, stay=stay).results == []
    assert (day(hotel, SAT).stop_sell, day(hotel, FRI).stop_sell) == (True, False)
    edit_undo(hotel=hotel, edit_id=edit.pk, user=manager)
    assert len(search_availability(hotel=hotel, stay=stay).results) == 2


def test_closing_nights_already_closed_changes_only_the_others(hotel):
    InventoryDay.objects.filter(room_type=room(hotel), date=FRI).update(stop_sell=True)
    preview = edit_preview(hotel=hotel, request=ask(hotel, A.CLOSE))
    assert (rows(preview), preview.unchanged) == ([("DELUXE-KING", None, SAT, False, True)], 1)


def test_length_of_stay_lead_time_and_arrival_restrictions_are_set_and_lifted(hotel):
    for action, value, column, expected in [
        (A.MIN_STAY, "2", "min_stay", 2), (A.MAX_STAY, "7", "max_stay", 7), (A.CTA_ON, "", "closed_to_arrival", True),
        (A.CTD_ON, "", "closed_to_departure", True), (A.MIN_ADVANCE, "0", "min_advance_days", 0),
        (A.MAX_ADVANCE, "90", "max_advance_days", 90), (A.ROOMS_TO_SELL, "3", "rooms_to_sell", 3),
    ]:
        edit_apply(hotel=hotel, request=ask(hotel, action, value))
        assert getattr(day(hotel, SAT), column) == expected, action
    stay = stay_validate(hotel=hotel, check_in=FRI, check_out=MON, adults=2)
    king = next(r for r in search_availability(hotel=hotel, stay=stay).results if r.room_type.code == "STANDARD-QUEEN")
    assert king  # the queen was not touched
    assert "DELUXE-KING" not in [r.room_type.code for r in search_availability(hotel=hotel, stay=stay).results]
    for action, column, expected in [(A.MIN_STAY, "min_stay", None), (A.CTA_OFF, "closed_to_arrival", False),
                                     (A.CTD_OFF, "closed_to_departure", False),
                                     (A.ROOMS_TO_SELL, "rooms_to_sell", None)]:
        edit_apply(hotel=hotel, request=ask(hotel, action, ""))
        assert getattr(day(hotel, SAT), column) == expected, action


def test_a_minimum_above_the_nights_maximum_is_refused_before_anything_is_written(hotel):
    InventoryDay.objects.filter(room_type=room(hotel), date=SAT).update(max_stay=3)
    with pytest.raises(ValidationFailed) as exc:
        edit_apply(hotel=hotel, request=ask(hotel, A.MIN_STAY, "4"))
    assert exc.value.message == "DELUXE-KING on 2031-01-11 has a maximum stay of 3: change that first."
    assert day(hotel, FRI).min_stay is None and not CalendarEdit.objects.exists()


def test_rooms_to_sell_below_what_is_sold_warns_and_keeps_the_bookings(hotel):
    InventoryDay.objects.filter(room_type=room(hotel), date=FRI).update(sold=3)
    preview = edit_preview(hotel=hotel, request=ask(hotel, A.ROOMS_TO_SELL, "2"))
    assert preview.notes == ["On 1 night more rooms are already sold than the new number to sell: those bookings "
                             "stay, and nothing more is sold."]
    edit_apply(hotel=hotel, request=ask(hotel, A.ROOMS_TO_SELL, "2"))
    assert (day(hotel, FRI).sold, day(hotel, FRI).free, day(hotel, SAT).free) == (3, 0, 2)


def test_nights_with_no_inventory_open_are_left_out_and_named(hotel):
    InventoryDay.objects.filter(room_type=room(hotel), date=SAT).delete()
    preview = edit_preview(hotel=hotel, request=ask(hotel, A.CLOSE))
    assert [c.date for c in preview.changes] == [FRI]
    assert preview.notes == ["1 night has no inventory open: left out (open the inventory first)."]


# --- apply and undo rules --------------------------------------------------------------------------------

def test_an_apply_whose_cells_changed_since_the_preview_writes_nothing(hotel):
    request = ask(hotel, A.PRICE_SET, "180")
    digest = edit_preview(hotel=hotel, request=request).digest
    RateOverride.objects.create(rate_plan=plan(hotel), room_type=room(hotel), date=SAT, amount=Decimal("200"))
    with pytest.raises(PreviewOutdated) as exc:
        edit_apply(hotel=hotel, request=request, expected_digest=digest)
    assert exc.value.code == "PREVIEW_OUTDATED"
    assert list(RateOverride.objects.values_list("date", "amount")) == [(SAT, Decimal("200.000"))]
    assert not CalendarEdit.objects.exists()
    edit = edit_apply(hotel=hotel, request=request, expected_digest=edit_preview(hotel=hotel, request=request).digest)
    assert edit.cells[1][4:] == ["200.000", "180.00"]


def test_nothing_to_change_is_said_and_not_recorded(hotel):
    edit_apply(hotel=hotel, request=ask(hotel, A.CLOSE))
    with pytest.raises(ValidationFailed, match="Nothing would change"):
        edit_apply(hotel=hotel, request=ask(hotel, A.CLOSE))
    assert CalendarEdit.objects.count() == 1


def test_undo_refuses_when_a_cell_was_changed_again_and_restores_nothing(hotel):
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.MIN_STAY, "2", end=SUN))
    InventoryDay.objects.filter(room_type=room(hotel), date=SAT).update(min_stay=3)
    with pytest.raises(UndoConflict) as exc:
        edit_undo(hotel=hotel, edit_id=edit.pk)
    assert exc.value.message == ("These nights were changed again after this edit: DELUXE-KING 2031-01-11 (min stay "
                                 "now 3). Change them back by hand, or make a new edit.")
    assert [day(hotel, n).min_stay for n in (FRI, SAT, SUN)] == [2, 3, 2]
    assert CalendarEdit.objects.get().undone_at is None


def test_undo_of_a_price_refuses_when_the_override_was_changed_since(hotel):
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.PRICE_SET, "180"))
    RateOverride.objects.filter(date=FRI).update(amount=Decimal("175"))
    RateOverride.objects.filter(date=SAT).delete()
    with pytest.raises(UndoConflict, match=r"DELUXE-KING BAR 2031-01-10 \(now 175.000\); DELUXE-KING BAR 2031-01-11 "
                                           r"\(now a season's price\)"):
        edit_undo(hotel=hotel, edit_id=edit.pk)


def test_an_edit_of_another_hotel_cannot_be_undone_from_this_one(hotel):
    from pricing.tests.pricing_setup import make_hotel

    other, _ = make_hotel(code="OTH")
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.CLOSE))
    with pytest.raises(ValidationFailed, match="No such edit"):
        edit_undo(hotel=other, edit_id=edit.pk)


# --- the channels ----------------------------------------------------------------------------------------

def test_an_apply_and_its_undo_each_queue_the_changed_nights_for_the_channels_once(hotel):
    edit = edit_apply(hotel=hotel, request=ask(hotel, A.CLOSE, rooms=("DELUXE-KING", "STANDARD-QUEEN")))
    event = OutboxEvent.objects.get()
    assert event.name == "InventoryChanged"
    both = sorted([room(hotel).pk, room(hotel, "STANDARD-QUEEN").pk])
    assert event.payload == {"hotel": "CAL", "room_type_ids": both, "dates": ["2031-01-10", "2031-01-11"],
                             "kinds": ["AVAIL"], "source": "rates calendar"}
    edit_undo(hotel=hotel, edit_id=edit.pk)
    assert OutboxEvent.objects.count() == 2
    edit_apply(hotel=hotel, request=ask(hotel, A.PRICE_SET, "180", end=FRI))
    assert sorted(e.payload["kinds"][0] for e in OutboxEvent.objects.all()) == ["AVAIL", "AVAIL", "RATES"]


def test_a_channel_gets_the_calendars_changes_in_its_next_messages(hotel):
    from channelmanager.models import PendingAriChange
    from channelmanager.services import ari_drain
    from channelmanager.tests.channel_setup import (
        RecordingTransport,
        deliver_all_events,
        expand,
        expand_rates,
        make_channel,
    )

    make_channel(hotel, rooms={"DELUXE-KING": "DLXK"}, rates={"BAR": "BAR-OTA", "AAA": "AAA-OTA"})
    edit_apply(hotel=hotel, request=ask(hotel, A.CLOSE, start=SAT, end=SAT))
    edit_apply(hotel=hotel, request=ask(hotel, A.PRICE_SET, "180", start=FRI, end=FRI))
    deliver_all_events()
    assert PendingAriChange.objects.count() == 2
    transport = RecordingTransport()
    ari_drain(transport=transport)
    avail, rates = transport.roots()
    if avail.tag.endswith("RateAmountNotifRQ"):
        avail, rates = rates, avail
    assert expand(avail)[("DLXK", SAT)]["status"] == "Close"
    assert expand_rates(rates) == {("DLXK", "BAR-OTA", FRI): ("180.00", "USD"),
                                   ("DLXK", "AAA-OTA", FRI): ("162.00", "USD")}


# --- a year of nights: bulk statements -------------------------------------------------------------------

def test_a_year_for_twenty_room_types_takes_a_bounded_number_of_queries(hotel, django_assert_max_num_queries):
    from inventory.services import inventory_open
    from tests.factories import RateFactory, RoomTypeFactory

    bar = plan(hotel)
    for i in range(18):
        rt = RoomTypeFactory(hotel=hotel, code=f"RT{i:02d}")
        RateFactory(rate_plan=bar, room_type=rt, start_date=date(2031, 1, 1), end_date=date(2032, 12, 31))
    inventory_open(hotel=hotel, start=date(2031, 1, 1), end=date(2032, 1, 31))
    codes = tuple(RoomType.objects.filter(hotel=hotel).values_list("code", flat=True))
    year = dict(start=date(2031, 1, 3), end=date(2032, 1, 2), rooms=codes)
    assert len(codes) == 20
    up, min_stay = ask(hotel, A.PRICE_PERCENT, "3", **year), ask(hotel, A.MIN_STAY, "2", **year)
    # Prices: about ten reads and writes, plus the overrides' upserts in batches (SQLite takes 249 rows of 4
    # columns per statement, 30 for 7 300 cells; PostgreSQL 1 000, 8 for them).
    with django_assert_max_num_queries(45):
        edit = edit_apply(hotel=hotel, request=up)
    assert edit.cell_count == 20 * 365 and RateOverride.objects.count() == 20 * 365
    with django_assert_max_num_queries(45):
        edit_undo(hotel=hotel, edit_id=edit.pk)
    assert not RateOverride.objects.exists()
    # Restrictions and rooms: one UPDATE per value, whatever the number of cells.
    with django_assert_max_num_queries(12):
        edit = edit_apply(hotel=hotel, request=min_stay)
    assert InventoryDay.objects.filter(min_stay=2).count() == 20 * 365
    with django_assert_max_num_queries(12):
        edit_undo(hotel=hotel, edit_id=edit.pk)
    assert not InventoryDay.objects.filter(min_stay=2).exists()
