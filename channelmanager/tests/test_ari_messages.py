"""ARI messages built from what happens at the hotel, read back as an OTA would read them."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bookings.cancellations import reservation_cancel
from bookings.payments import TestGateway
from channelmanager.ari import OTA_NS
from channelmanager.models import AriKind, AriMessage, DeliveryAttempt, PendingAriChange
from channelmanager.services import ari_drain
from inventory.models import Hotel, InventoryDay, RoomType
from pricing.models import Rate, RateOverride, RatePlan

from .channel_setup import NS, RecordingTransport, book, deliver_all_events, expand, expand_rates, expand_stay_rules

pytestmark = pytest.mark.django_db


def test_a_booking_pushes_one_availability_message_with_the_rooms_left(channel, next_friday):
    book(next_friday, nights=3)
    deliver_all_events()
    transport = RecordingTransport()

    messages = ari_drain(transport=transport)

    assert [(m.message_type, m.room_type.code, m.status) for m in messages] == [
        ("OTA_HotelAvailNotifRQ", "DELUXE-KING", AriMessage.Status.SENT)]
    (url, body, headers), = transport.sent
    assert url == "http://127.0.0.1:9/ota" and headers["Content-Type"].startswith("application/xml")
    root = transport.roots()[0]
    assert root.tag == f"{{{OTA_NS}}}OTA_HotelAvailNotifRQ"
    assert root.get("EchoToken") == messages[0].echo_token and root.get("Version") == "1.0"
    assert datetime.fromisoformat(root.get("TimeStamp")).tzinfo is not None
    requestor = root.find("ota:POS/ota:Source/ota:RequestorID", NS)
    assert (requestor.get("ID"), requestor.get("MessagePassword")) == ("gh-nyc", "s3cret-pass")
    assert root.find("ota:AvailStatusMessages", NS).get("HotelCode") == "NYC"
    # Three nights with the same figures travel as one range per rate plan: status, arrival, departure.
    controls = root.findall(".//ota:StatusApplicationControl", NS)
    assert sorted((c.get("Start"), c.get("End"), c.get("InvTypeCode"), c.get("RatePlanCode")) for c in controls) == [
        (str(next_friday), str(next_friday + timedelta(days=2)), "DLXK", plan)
        for plan in ("AAA-OTA",) * 3 + ("BAR-OTA",) * 3]
    nights = expand(root)
    assert sorted(nights) == [("DLXK", next_friday + timedelta(days=i)) for i in range(3)]
    assert nights[("DLXK", next_friday)] == {"limit": 4, "min_stay": 1, "status": "Open", "Arrival": "Open",
                                             "Departure": "Open"}


def test_the_logged_payload_masks_the_credentials(channel, next_friday):
    book(next_friday)
    deliver_all_events()
    ari_drain(transport=RecordingTransport())

    attempt = DeliveryAttempt.objects.get()
    assert attempt.succeeded and attempt.number == 1 and attempt.response_status == 200
    assert "s3cret-pass" not in attempt.payload and "gh-nyc" not in attempt.payload
    assert 'ID="gh***"' in attempt.payload and 'MessagePassword="***"' in attempt.payload
    assert "<Success" in attempt.response_body


def test_a_cancellation_gives_the_rooms_back_to_the_channel(channel, next_friday):
    reservation = book(next_friday, nights=2)
    deliver_all_events()
    ari_drain(transport=RecordingTransport())

    reservation_cancel(confirmation_number=reservation.confirmation_number, reason="Plans changed",
                       gateway=TestGateway())
    deliver_all_events()
    transport = RecordingTransport()
    ari_drain(transport=transport)

    nights = expand(transport.roots()[0])
    assert {k: v["limit"] for k, v in nights.items()} == {("DLXK", next_friday): 5,
                                                          ("DLXK", next_friday + timedelta(days=1)): 5}


def test_a_rate_override_pushes_the_rate_of_every_mapped_plan(channel, nyc, next_friday):
    deluxe = RoomType.objects.get(hotel=nyc, code="DELUXE-KING")
    RateOverride.objects.create(rate_plan=RatePlan.objects.get(hotel=nyc, code="BAR"), room_type=deluxe,
                                date=next_friday, amount=Decimal("250.00"))
    transport = RecordingTransport()

    messages = ari_drain(transport=transport)

    assert [(m.message_type, m.kind) for m in messages] == [("OTA_HotelRateAmountNotifRQ", AriKind.RATES)]
    root = transport.roots()[0]
    assert root.tag == f"{{{OTA_NS}}}OTA_HotelRateAmountNotifRQ"
    assert root.find("ota:RateAmountMessages", NS).get("HotelCode") == "NYC"
    # AAA is derived: 10% off BAR.
    assert expand_rates(root) == {("DLXK", "BAR-OTA", next_friday): ("250.00", "USD"),
                                  ("DLXK", "AAA-OTA", next_friday): ("225.00", "USD")}


def test_a_season_edit_pushes_its_weekday_prices_over_the_window(channel, nyc, next_friday):
    season = Rate.objects.get(rate_plan__hotel=nyc, rate_plan__code="BAR", room_type__code="STANDARD-QUEEN")
    season.saturday = Decimal("199.00")
    season.save()
    transport = RecordingTransport()

    ari_drain(transport=transport)

    rates = expand_rates(transport.roots()[0])
    saturday, monday = next_friday + timedelta(days=1), next_friday + timedelta(days=3)
    assert rates[("STDQ", "BAR-OTA", saturday)] == ("199.00", "USD")
    assert rates[("STDQ", "AAA-OTA", saturday)] == ("179.10", "USD")
    assert rates[("STDQ", "BAR-OTA", monday)] == ("149.00", "USD")
    assert len({d for (_, plan, d) in rates if plan == "BAR-OTA"}) == channel.ari_days


def test_restrictions_are_pushed_and_lifted(channel, nyc, next_friday):
    night = next_friday + timedelta(days=7)
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="JUNIOR-SUITE", date=night)
    day.stop_sell = True
    day.save()
    assert not PendingAriChange.objects.exists()  # the junior suite is not sold on this channel

    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=night)
    day.closed_to_arrival, day.min_stay, day.stop_sell = True, 2, True
    day.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)
    assert expand(transport.roots()[0]) == {("DLXK", night): {
        "limit": 5, "min_stay": 2, "status": "Close", "Arrival": "Close", "Departure": "Open"}}

    day.closed_to_arrival, day.min_stay, day.stop_sell = False, None, False
    day.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)
    assert expand(transport.roots()[0]) == {("DLXK", night): {
        "limit": 5, "min_stay": 1, "status": "Open", "Arrival": "Open", "Departure": "Open"}}


def test_nights_in_the_past_are_not_pushed(channel, nyc):
    from pricing.search import hotel_today

    yesterday = hotel_today(nyc) - timedelta(days=1)
    # seed_demo opens nights from UTC's yesterday: in a New York evening that is already the hotel's today.
    day, _ = InventoryDay.objects.get_or_create(room_type=nyc.room_types.get(code="DELUXE-KING"), date=yesterday,
                                                defaults={"total": 5})
    day.stop_sell = True
    day.save()
    assert not PendingAriChange.objects.exists()


def test_an_inactive_channel_gets_nothing(channel, next_friday):
    channel.is_active = False
    channel.save()
    book(next_friday)
    deliver_all_events()
    assert ari_drain(transport=RecordingTransport()) == []


def test_a_modification_pushes_the_nights_it_left_and_the_nights_it_took(channel, next_friday):
    from bookings.modifications import ModificationRequest, reservation_modify

    r = book(next_friday, nights=2)
    deliver_all_events()
    ari_drain(transport=RecordingTransport())
    later = next_friday + timedelta(days=5)

    reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(),
                       request=ModificationRequest(check_in=later, check_out=later + timedelta(days=2)))
    deliver_all_events()
    transport = RecordingTransport()
    ari_drain(transport=transport)

    limits = {night: v["limit"] for (_, night), v in expand(transport.roots()[0]).items()}
    f = next_friday
    assert limits == {f: 5, f + timedelta(days=1): 5, later: 4, later + timedelta(days=1): 4}


def test_an_out_of_order_room_event_from_the_front_desk_is_pushed(channel, nyc, next_friday):
    from bookings import events

    deluxe = RoomType.objects.get(hotel=nyc, code="DELUXE-KING")
    nights = [next_friday, next_friday + timedelta(days=1)]
    InventoryDay.objects.filter(room_type=deluxe, date__in=nights).update(out_of_order=1)
    # The payload the front desk records for a room taken out of order.
    events.event_record(events.INVENTORY_CHANGED, payload={
        "hotel": "NYC", "room_type": "DELUXE-KING", "room_type_id": deluxe.pk,
        "dates": [n.isoformat() for n in nights], "start": nights[0].isoformat(),
        "end": (nights[-1] + timedelta(days=1)).isoformat(), "reason": "OUT_OF_ORDER", "room": "1201"})
    deliver_all_events()
    transport = RecordingTransport()

    messages = ari_drain(transport=transport)

    assert sorted(m.kind for m in messages) == [AriKind.AVAILABILITY, AriKind.RATES]
    avail = next(r for r in transport.roots() if r.tag.endswith("OTA_HotelAvailNotifRQ"))
    assert {night: v["limit"] for (_, night), v in expand(avail).items()} == {nights[0]: 4, nights[1]: 4}


def test_an_early_departure_pushes_the_nights_given_back(channel, nyc, next_friday):
    from bookings import events

    r = book(next_friday, nights=3)
    deliver_all_events()
    ari_drain(transport=RecordingTransport())
    events.event_record(events.GUEST_CHECKED_OUT, reservation=r, payload={
        "released_dates": [str(next_friday + timedelta(days=2))]})
    deliver_all_events()
    transport = RecordingTransport()

    ari_drain(transport=transport)

    assert set(expand(transport.roots()[0])) == {("DLXK", next_friday + timedelta(days=i)) for i in range(3)}


def test_a_night_with_no_rate_loaded_is_left_out(channel, nyc, next_friday):
    Rate.objects.filter(rate_plan__hotel=nyc, room_type__code="DELUXE-KING").update(
        end_date=next_friday + timedelta(days=1))
    deluxe = RoomType.objects.get(hotel=nyc, code="DELUXE-KING")
    bar = RatePlan.objects.get(hotel=nyc, code="BAR")
    for i in range(3):
        RateOverride.objects.create(rate_plan=bar, room_type=deluxe, date=next_friday + timedelta(days=10 + i),
                                    amount=Decimal("300"))
    RateOverride.objects.filter(date=next_friday + timedelta(days=11)).delete()
    transport = RecordingTransport()

    ari_drain(transport=transport)

    nights = sorted({d for (_, plan, d) in expand_rates(transport.roots()[0]) if plan == "BAR-OTA"})
    assert nights == [next_friday + timedelta(days=10), next_friday + timedelta(days=12)]


def test_maximum_stay_and_lead_times_are_pushed_and_lifted(channel, nyc, next_friday):
    night = next_friday + timedelta(days=7)
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=night)
    day.min_stay, day.max_stay, day.min_advance_days, day.max_advance_days = 2, 5, 3, 60
    day.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)
    assert expand_stay_rules(transport.roots()[0]) == {("DLXK", night): {
        "arrival_based": "true", "SetMinLOS": 2, "SetMaxLOS": 5, "min_lead": "P3D", "max_lead": "P60D"}}

    day.min_stay = day.max_stay = day.min_advance_days = day.max_advance_days = None
    day.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)
    # Lifted: the longest stay bookable at all (BOOKING_MAX_NIGHTS, 30) and no lead time.
    assert expand_stay_rules(transport.roots()[0]) == {("DLXK", night): {
        "arrival_based": "true", "SetMinLOS": 1, "SetMaxLOS": 30, "min_lead": "P0D", "max_lead": "P999D"}}


def test_a_hotel_counting_every_night_says_its_stay_limits_are_not_arrival_based(channel, nyc, next_friday):
    Hotel.objects.filter(pk=nyc.pk).update(stay_length_rule=Hotel.StayLengthRule.EVERY_NIGHT)
    night = next_friday + timedelta(days=7)
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=night)
    day.min_stay = 3
    day.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)
    rules = expand_stay_rules(transport.roots()[0])[("DLXK", night)]
    assert (rules["arrival_based"], rules["SetMinLOS"]) == ("false", 3)


def test_rooms_to_sell_is_the_booking_limit_the_channel_gets(channel, nyc, next_friday):
    night = next_friday + timedelta(days=7)
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=night)
    day.rooms_to_sell = 2
    day.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)
    assert expand(transport.roots()[0])[("DLXK", night)]["limit"] == 2
