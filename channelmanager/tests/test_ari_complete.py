"""ARI complete (issue 16, part 5), read back as an OTA reads OTA_HotelAvailNotifRQ and OTA_HotelRateAmountNotifRQ:
availability per rate plan with every restriction, rates before and after tax with their taxes and fees,
occupancy prices, the daily full push, and what each night was last sent as."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from channelmanager.models import AriMessage, Channel, ChannelNight
from channelmanager.services import ari_drain, ari_full_resyncs_due
from inventory.models import InventoryDay, RoomType
from pricing.engine import quote_stay
from pricing.models import ChildAgeBand, Rate, RateOverride, RatePlan
from pricing.selectors import pricing_context_load

from .channel_setup import NS, RecordingTransport, book, deliver_all_events, make_channel

pytestmark = pytest.mark.django_db

D = Decimal


def _nights(control) -> list[date]:
    start, end = date.fromisoformat(control.get("Start")), date.fromisoformat(control.get("End"))
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def avail_by_plan(root) -> dict:
    """{(InvTypeCode, RatePlanCode, night): {figures}} from every AvailStatusMessage, checking that the messages
    of one StatusApplicationControl come together (master first, then arrival and departure)."""
    out: dict = {}
    messages = root.findall("ota:AvailStatusMessages/ota:AvailStatusMessage", NS)
    for i, message in enumerate(messages):
        control = message.find("ota:StatusApplicationControl", NS)
        restriction = message.find("ota:RestrictionStatus", NS)
        if message.get("BookingLimit") is not None:
            # The arrival and departure messages that follow share this very control.
            assert [m.find("ota:StatusApplicationControl", NS).attrib for m in messages[i + 1:i + 3]] == \
                [control.attrib] * 2
            lengths = {s.get("MinMaxMessageType"): int(s.get("Time"))
                       for s in message.iterfind("ota:LengthsOfStay/ota:LengthOfStay", NS)}
            figures = {"limit": int(message.get("BookingLimit")), "status": restriction.get("Status"),
                       "min": lengths["SetMinLOS"], "max": lengths.get("SetMaxLOS"),
                       "lead": (restriction.get("MinAdvancedBookingOffset"),
                                restriction.get("MaxAdvancedBookingOffset"))}
        else:
            figures = {restriction.get("Restriction"): restriction.get("Status")}
        for night in _nights(control):
            out.setdefault((control.get("InvTypeCode"), control.get("RatePlanCode"), night), {}).update(figures)
    return out


def rates_of(root) -> dict:
    """{(InvTypeCode, RatePlanCode, night): Rate element}, one per night."""
    out = {}
    for message in root.iterfind("ota:RateAmountMessages/ota:RateAmountMessage", NS):
        control = message.find("ota:StatusApplicationControl", NS)
        for night in _nights(control):
            out[(control.get("InvTypeCode"), control.get("RatePlanCode"), night)] = message.find(
                "ota:Rates/ota:Rate", NS)
    return out


def amounts(rate, attribute="AmountAfterTax") -> dict:
    return {g.get("NumberOfGuests"): g.get(attribute)
            for g in rate.iterfind("ota:BaseByGuestAmts/ota:BaseByGuestAmt", NS)}


def _rates_root(transport):
    return next(r for r in transport.roots() if r.tag.endswith("OTA_HotelRateAmountNotifRQ"))


def _avail_root(transport):
    return next(r for r in transport.roots() if r.tag.endswith("OTA_HotelAvailNotifRQ"))


def _deluxe_night(nyc, night) -> InventoryDay:
    return InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=night)


# --- availability --------------------------------------------------------------------------------------

def test_each_rate_plan_gets_its_status_and_every_restriction_under_one_control(channel, nyc, next_friday):
    night = next_friday + timedelta(days=7)
    day = _deluxe_night(nyc, night)
    day.closed_to_arrival = day.closed_to_departure = True
    day.min_stay, day.max_stay, day.min_advance_days, day.max_advance_days = 2, 7, 1, 90
    day.save()
    RatePlan.objects.filter(hotel=nyc, code="AAA").update(min_stay=3)
    transport = RecordingTransport()

    ari_drain(transport=transport)

    got = avail_by_plan(_avail_root(transport))
    assert got[("DLXK", "BAR-OTA", night)] == {
        "limit": 5, "status": "Open", "min": 2, "max": 7, "lead": ("P1D", "P90D"), "Arrival": "Close",
        "Departure": "Close"}
    # AAA needs 3 nights: the longer minimum goes out with the night's other restrictions.
    assert got[("DLXK", "AAA-OTA", night)] == {
        "limit": 5, "status": "Open", "min": 3, "max": 7, "lead": ("P1D", "P90D"), "Arrival": "Close",
        "Departure": "Close"}
    assert {plan for (_, plan, _) in got} == {"BAR-OTA", "AAA-OTA"}


def test_a_plan_taken_off_sale_is_closed_at_the_channel_the_other_stays_open(channel, nyc, next_friday):
    book(next_friday, nights=2)
    deliver_all_events()
    ari_drain(transport=RecordingTransport())

    aaa = RatePlan.objects.get(hotel=nyc, code="AAA")
    aaa.is_active = False
    aaa.save()
    transport = RecordingTransport()
    ari_drain(transport=transport)

    got = avail_by_plan(_avail_root(transport))
    assert got[("DLXK", "AAA-OTA", next_friday)]["status"] == "Close"
    assert got[("DLXK", "BAR-OTA", next_friday)] | {} == {
        "limit": 4, "status": "Open", "min": 1, "max": settings.BOOKING_MAX_NIGHTS, "lead": ("P0D", "P999D"),
        "Arrival": "Open", "Departure": "Open"}
    # Its rates are no longer pushed; the plan still on sale keeps its own.
    assert {plan for (_, plan, _) in rates_of(_rates_root(transport))} == {"BAR-OTA"}


def test_a_channel_with_no_rate_plan_mapped_gets_the_room_type_alone(nyc, next_friday):
    make_channel(nyc, "EXPEDIA", rates={})
    book(next_friday)
    deliver_all_events()
    transport = RecordingTransport()

    ari_drain(transport=transport)

    got = avail_by_plan(transport.roots()[0])
    assert got[("DLXK", None, next_friday)]["limit"] == 4


def test_rooms_left_can_go_once_per_room_type_for_a_channel_pooling_its_plans(channel, nyc, next_friday):
    Channel.objects.filter(pk=channel.pk).update(avail_limit_per_room_type=True)
    book(next_friday, nights=1)                                   # Friday: 4 left
    saturday = next_friday + timedelta(days=1)
    day = _deluxe_night(nyc, saturday)                            # Saturday: 5 left, queued by an edit
    day.min_stay = 1
    day.save()
    deliver_all_events()
    transport = RecordingTransport()

    ari_drain(transport=transport)

    messages = _avail_root(transport).findall("ota:AvailStatusMessages/ota:AvailStatusMessage", NS)
    controls = [m.find("ota:StatusApplicationControl", NS).attrib for m in messages]
    assert [(m.get("BookingLimit"), c) for m, c in zip(messages[:2], controls, strict=False)] == [
        ("4", {"Start": str(next_friday), "End": str(next_friday), "InvTypeCode": "DLXK"}),
        ("5", {"Start": str(saturday), "End": str(saturday), "InvTypeCode": "DLXK"})]
    assert all(m.find("ota:RestrictionStatus", NS) is None for m in messages[:2])
    # Each plan: one run over both nights (the rooms left no longer split it), status and every restriction,
    # no BookingLimit.
    assert all(m.get("BookingLimit") is None for m in messages[2:])
    assert [(c["RatePlanCode"], c["Start"], c["End"], m.find("ota:RestrictionStatus", NS).get("Restriction"))
            for m, c in zip(messages[2:], controls[2:], strict=True)] == [
        (plan, str(next_friday), str(saturday), restriction)
        for plan in ("AAA-OTA", "BAR-OTA") for restriction in (None, "Arrival", "Departure")]


# --- rates: before and after tax, taxes and fees ----------------------------------------------------------

def _friday_to_monday(rates, plan, friday, attribute="AmountAfterTax"):
    return [amounts(rates[("DLXK", plan, friday + timedelta(days=i))], attribute)[None] for i in range(3)]


def _push_rates(channel, **settings_):
    Channel.objects.filter(pk=channel.pk).update(**settings_)
    channel.refresh_from_db()
    from channelmanager.services import channel_full_resync

    channel_full_resync(channel=channel, days=14, schedule=False)
    transport = RecordingTransport()
    ari_drain(transport=transport)
    out = {}
    for root in transport.roots():
        if root.tag.endswith("OTA_HotelRateAmountNotifRQ"):
            out |= rates_of(root)
    return out


def test_a_channel_wanting_after_tax_amounts_shows_what_the_stay_costs(channel, next_friday):
    rates = _push_rates(channel, rate_amounts=Channel.RateAmounts.AFTER_TAX)

    # The seed's Friday-to-Monday Deluxe King: BAR 189 + 219 + 199 = 607.00 before tax, with its 12% room tax
    # and the 15.00 resort fee a night what a guest pays, 724.84; AAA 664.14.
    bar = _friday_to_monday(rates, "BAR-OTA", next_friday)
    assert bar == ["226.68", "260.28", "237.88"] and sum(map(D, bar)) == D("724.84")
    aaa = _friday_to_monday(rates, "AAA-OTA", next_friday)
    assert aaa == ["207.78", "238.38", "217.98"] and sum(map(D, aaa)) == D("664.14")
    assert _friday_to_monday(rates, "BAR-OTA", next_friday, "AmountBeforeTax") == [None] * 3
    amount = rates[("DLXK", "BAR-OTA", next_friday)].find("ota:BaseByGuestAmts/ota:BaseByGuestAmt", NS)
    assert amount.get("CurrencyCode") == "USD" and amount.find("ota:Taxes", NS) is None


def test_both_amounts_and_the_tax_and_fee_details(channel, next_friday):
    rates = _push_rates(channel, rate_amounts=Channel.RateAmounts.BOTH, rate_tax_details=True)

    rate = rates[("DLXK", "BAR-OTA", next_friday)]
    amount = rate.find("ota:BaseByGuestAmts/ota:BaseByGuestAmt", NS)
    assert (amount.get("AmountBeforeTax"), amount.get("AmountAfterTax")) == ("189.00", "226.68")
    taxes = amount.find("ota:Taxes", NS)
    assert taxes.get("Amount") == "22.68"
    assert [(t.get("Type"), t.get("Percent"), t.get("Amount"), t.find("ota:TaxDescription", NS).get("Name"))
            for t in taxes.iterfind("ota:Tax", NS)] == [("Exclusive", "12", "22.68", "NYC Hotel Room Tax")]
    fees = [(f.get("Amount"), f.get("Type"), f.get("MandatoryIndicator"), f.find("ota:Description", NS).get("Name"),
             f.find("ota:Description/ota:Text", NS).text) for f in rate.iterfind("ota:Fees/ota:Fee", NS)]
    # 189.00 + 22.68 tax + 15.00 fee = 226.68: the fee is inside the after-tax amount, and says so.
    assert fees == [("15.00", "Inclusive", "true", "Resort fee", "per room per night")]


def test_a_before_tax_channel_gets_what_it_got_and_fees_on_top_when_it_asks(channel, next_friday):
    rates = _push_rates(channel, rate_tax_details=True)

    rate = rates[("DLXK", "BAR-OTA", next_friday)]
    assert amounts(rate, "AmountBeforeTax") == {None: "189.00"} and amounts(rate) == {None: None}
    assert [f.get("Type") for f in rate.iterfind("ota:Fees/ota:Fee", NS)] == ["Exclusive"]


def test_at_a_hotel_whose_prices_include_tax_before_tax_is_the_price_less_the_tax_inside(channel, nyc, next_friday):
    from inventory.models import Hotel

    Hotel.objects.filter(pk=nyc.pk).update(prices_include_tax=True)
    rates = _push_rates(channel, rate_amounts=Channel.RateAmounts.BOTH, rate_tax_details=True)

    amount = rates[("DLXK", "BAR-OTA", next_friday)].find("ota:BaseByGuestAmts/ota:BaseByGuestAmt", NS)
    # 189.00 holds 12% tax: 168.75 + 20.25; the guest pays it and the 15.00 resort fee.
    assert (amount.get("AmountBeforeTax"), amount.get("AmountAfterTax")) == ("168.75", "204.00")
    assert amount.find("ota:Taxes/ota:Tax", NS).get("Amount") == "20.25"


def test_a_tax_change_pushes_the_new_after_tax_amounts(channel, nyc, next_friday):
    from pricing.models import Tax

    _push_rates(channel, rate_amounts=Channel.RateAmounts.AFTER_TAX)
    tax = Tax.objects.get(hotel=nyc, name="NYC Hotel Room Tax")
    tax.value = D("14.75")
    tax.save()
    transport = RecordingTransport()

    messages = ari_drain(transport=transport)

    assert sorted((m.room_type.code, m.kind, m.nights) for m in messages) == [
        ("DELUXE-KING", "RATES", channel.ari_days), ("STANDARD-QUEEN", "RATES", channel.ari_days)]
    rates = {}
    for root in transport.roots():
        rates |= rates_of(root)
    assert amounts(rates[("DLXK", "BAR-OTA", next_friday)]) == {None: "231.88"}   # 189.00 + 27.88 + 15.00


# --- rates: occupancy -------------------------------------------------------------------------------------

@pytest.fixture
def priced_by_occupancy(nyc):
    """BAR's Deluxe King season priced for 2 adults: 30.00 per extra adult, 20.00 off for one alone; children
    up to 2 free, up to 11 25.00 a night. The room takes 4 adults."""
    Rate.objects.filter(rate_plan__hotel=nyc, rate_plan__code="BAR", room_type__code="DELUXE-KING").update(
        base_occupancy=2, extra_adult_amount=D("30"), single_occupancy_discount=D("20"))
    bar = RatePlan.objects.get(hotel=nyc, code="BAR")
    ChildAgeBand.objects.create(rate_plan=bar, up_to_age=2, kind=ChildAgeBand.Kind.FREE)
    ChildAgeBand.objects.create(rate_plan=bar, up_to_age=11, kind=ChildAgeBand.Kind.AMOUNT, value=D("25"))
    RoomType.objects.filter(hotel=nyc, code="DELUXE-KING").update(max_adults=4, max_occupancy=5)
    return bar


def test_occupancy_prices_for_one_to_four_adults_and_the_extra_guests(channel, nyc, next_friday,
                                                                       priced_by_occupancy):
    rates = _push_rates(channel, rate_amounts=Channel.RateAmounts.BOTH, rate_occupancy_prices=True)

    bar = rates[("DLXK", "BAR-OTA", next_friday)]
    assert amounts(bar, "AmountBeforeTax") == {"1": "169.00", "2": "189.00", "3": "219.00", "4": "249.00"}
    assert amounts(bar) == {"1": "204.28", "2": "226.68", "3": "260.28", "4": "293.88"}
    assert {g.get("AgeQualifyingCode") for g in bar.iterfind(".//ota:BaseByGuestAmt", NS)} == {"10"}
    extra = [(a.get("AgeQualifyingCode"), a.get("MinAge"), a.get("MaxAge"), a.get("Amount"), a.get("TaxInclusive"))
             for a in bar.iterfind("ota:AdditionalGuestAmounts/ota:AdditionalGuestAmount", NS)]
    assert extra == [("10", None, None, "30.00", "false"), ("8", "0", "2", "0.00", "false"),
                     ("8", "3", "11", "25.00", "false")]
    # AAA is BAR less 10%, the extra guests too.
    aaa = rates[("DLXK", "AAA-OTA", next_friday)]
    assert amounts(aaa, "AmountBeforeTax") == {"1": "152.10", "2": "170.10", "3": "197.10", "4": "224.10"}
    assert [a.get("Amount") for a in aaa.iterfind(".//ota:AdditionalGuestAmount", NS)] == ["27.00", "0.00", "22.50"]
    # The Standard Queen takes 2 adults and a child, at a price for the room whoever stays: two prices (the
    # same), the plan's child prices, no extra adult.
    queen = rates[("STDQ", "BAR-OTA", next_friday)]
    assert amounts(queen, "AmountBeforeTax") == {"1": "149.00", "2": "149.00"}
    assert [(a.get("AgeQualifyingCode"), a.get("MaxAge"), a.get("Amount"))
            for a in queen.iterfind(".//ota:AdditionalGuestAmount", NS)] == [("8", "2", "0.00"), ("8", "11", "25.00")]


def test_after_tax_occupancy_prices_add_up_to_the_engines_quote_of_the_stay(channel, nyc, next_friday,
                                                                            priced_by_occupancy):
    RateOverride.objects.create(rate_plan=priced_by_occupancy, room_type=RoomType.objects.get(
        hotel=nyc, code="DELUXE-KING"), date=next_friday + timedelta(days=1), amount=D("233.33"))
    rates = _push_rates(channel, rate_amounts=Channel.RateAmounts.AFTER_TAX, rate_occupancy_prices=True)

    deluxe = RoomType.objects.get(hotel=nyc, code="DELUXE-KING")
    for plan_code, channel_code in (("BAR", "BAR-OTA"), ("AAA", "AAA-OTA")):
        plan = RatePlan.objects.get(hotel=nyc, code=plan_code)
        ctx = pricing_context_load(hotel=nyc, rate_plan=plan, room_type_ids=[deluxe.pk], check_in=next_friday,
                                   check_out=next_friday + timedelta(days=3))
        for adults in (1, 2, 3, 4):
            quote = quote_stay(ctx, room_type=deluxe, check_in=next_friday,
                               check_out=next_friday + timedelta(days=3), adults=adults,
                               booked_on=timezone.localdate())
            nightly = [D(amounts(rates[("DLXK", channel_code, next_friday + timedelta(days=i))])[str(adults)])
                       for i in range(3)]
            assert sum(nightly) == quote.total, (plan_code, adults)
    extra = [(a.get("Amount"), a.get("TaxInclusive")) for a in
             rates[("DLXK", "BAR-OTA", next_friday)].iterfind(".//ota:AdditionalGuestAmount", NS)]
    assert extra == [("33.60", "true"), ("0.00", "true"), ("28.00", "true")]  # 12% tax on the gross rate


# --- the daily full push ----------------------------------------------------------------------------------

def test_every_channel_gets_its_whole_window_once_a_day(channel, nyc):
    Channel.objects.filter(pk=channel.pk).update(ari_days=30)
    off = make_channel(nyc, "EXPEDIA", endpoint="")   # nowhere to push to: left alone
    now = timezone.now()

    messages = ari_full_resyncs_due(now=now)

    assert sorted((m.channel.code, m.room_type.code, m.kind, m.reason, m.nights) for m in messages) == [
        ("BOOKING_COM", "DELUXE-KING", "AVAIL", "daily full resync", 30),
        ("BOOKING_COM", "DELUXE-KING", "RATES", "daily full resync", 30),
        ("BOOKING_COM", "STANDARD-QUEEN", "AVAIL", "daily full resync", 30),
        ("BOOKING_COM", "STANDARD-QUEEN", "RATES", "daily full resync", 30)]
    assert ari_full_resyncs_due(now=now + timedelta(hours=1)) == []          # the next hourly beat
    assert ari_full_resyncs_due(now=now + timedelta(hours=23)) == []
    assert len(ari_full_resyncs_due(now=now + timedelta(hours=24))) == 4     # the next day
    off.refresh_from_db()
    assert off.ari_full_resync_at is None and not off.ari_messages.exists()


def test_the_beat_runs_the_daily_push_hourly_and_hands_each_message_to_the_sender(channel):
    from unittest import mock

    from channelmanager.tasks import full_resync_due, send_ari_message

    entry = settings.CELERY_BEAT_SCHEDULE["channel-ari-daily-full-resync"]
    assert entry["task"] == full_resync_due.name == "channelmanager.tasks.full_resync_due"
    assert entry["schedule"].minute == {20} and len(entry["schedule"].hour) == 24

    with mock.patch.object(send_ari_message, "delay") as send:
        assert full_resync_due.apply().get() == 4
        assert full_resync_due.apply().get() == 0
    assert sorted(c.args[0] for c in send.call_args_list) == sorted(
        AriMessage.objects.filter(reason="daily full resync").values_list("pk", flat=True))


# --- what was last sent, and what failed ------------------------------------------------------------------

def test_each_night_keeps_what_was_last_sent_and_what_failed(channel, nyc, next_friday):
    Channel.objects.filter(pk=channel.pk).update(rate_amounts=Channel.RateAmounts.AFTER_TAX)
    book(next_friday)
    deliver_all_events()
    ari_drain(transport=RecordingTransport())
    night = ChannelNight.objects.get(channel=channel, room_type__code="DELUXE-KING", date=next_friday, kind="AVAIL")
    assert night.state == ChannelNight.State.SENT and night.sent_at and night.sent_message.status == "SENT"
    assert "AAA-OTA: 4 left, open, stay 1-30" in night.sent and "BAR-OTA: 4 left, open" in night.sent

    book(next_friday, email="second@example.com")
    deliver_all_events()
    ari_drain(transport=RecordingTransport(status=503, body=b"Service unavailable"))

    night.refresh_from_db()
    assert night.state == ChannelNight.State.FAILED and night.error == "HTTP 503"
    assert "BAR-OTA: 3 left" in night.failed
    assert "BAR-OTA: 4 left" in night.sent          # what the channel last accepted, kept
    assert night.failed_message.status == AriMessage.Status.RETRYING

    _push_rates(channel)
    rate = ChannelNight.objects.get(channel=channel, room_type__code="DELUXE-KING", date=next_friday, kind="RATES")
    assert rate.sent == "AAA-OTA: 207.78 after tax; BAR-OTA: 226.68 after tax"


def test_the_admin_screen_of_nights_sent_is_read_only_and_finds_the_failures(admin_client, channel, next_friday):
    book(next_friday)
    deliver_all_events()
    ari_drain(transport=RecordingTransport(status=500, body=b"Down"))
    url = reverse("admin:channelmanager_channelnight_changelist")

    failed = admin_client.get(url, {"state__exact": "FAILED"})

    assert failed.status_code == 200
    assert b"Last attempt failed" in failed.content and b"HTTP 500" in failed.content
    assert failed.context["cl"].result_count == 3     # Friday's three nights of the Deluxe King
    row = ChannelNight.objects.filter(state="FAILED").first()
    page = admin_client.get(reverse("admin:channelmanager_channelnight_change", args=[row.pk]))
    assert page.status_code == 200 and b"BAR-OTA: 4 left" in page.content
    assert admin_client.get(reverse("admin:channelmanager_channelnight_add")).status_code == 403
    assert admin_client.post(reverse("admin:channelmanager_channelnight_change", args=[row.pk]),
                             {"error": "edited"}).status_code == 403
