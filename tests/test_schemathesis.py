"""The API fuzzed against its own OpenAPI schema (schemathesis, in-process through the WSGI app).

Every operation, once with a partner key and once with a front-desk key, on the seeded demo hotel with a few
real reservations, a channel and its mappings. Path parameters are sometimes generated and sometimes real, so
the fuzzing reaches real objects as well as missing ones; the channel endpoint also gets OTA messages built
from generated parts. Both schema-valid (positive) and schema-invalid (negative) inputs are sent. Checks: no
5xx, and every documented response body conforms to the schema. Bounded and reproducible: a fixed number of
examples per operation and mode, derandomized, no example database.
"""

import xml.etree.ElementTree as ET
from datetime import timedelta

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = 25
SCHEMA_URL = "/api/schema/?format=json"
_RAW_SCHEMA: dict = {}


@pytest.fixture
def seeded(nyc, next_friday):
    """The demo hotel plus what the path parameters can point at: reservations, rooms, a channel."""
    from bookings.payments import Card, TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create
    from channelmanager.models import Channel, RatePlanMapping, RoomTypeMapping
    from inventory.models import Room

    numbers = []
    for i, (room_type, offset, nights) in enumerate([("DELUXE-KING", 0, 3), ("STANDARD-QUEEN", 7, 2),
                                                      ("JUNIOR-SUITE", 14, 1)]):
        check_in = next_friday + timedelta(days=offset)
        numbers.append(booking_create(request=BookingRequest(
            hotel_code="NYC", room_type_code=room_type, rate_plan_code="BAR", check_in=check_in,
            check_out=check_in + timedelta(days=nights), adults=1,
            guest=GuestDetails("Fuzz", f"Guest{i}", f"fuzz{i}@example.com"),
            card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway()).confirmation_number)
    channel = Channel.objects.create(hotel=nyc, code="BOOKING_COM", name="Booking.com", endpoint_url="")
    for rt in nyc.room_types.all():
        RoomTypeMapping.objects.create(channel=channel, room_type=rt, channel_room_code=rt.code)
    for plan in nyc.rate_plans.all():
        RatePlanMapping.objects.create(channel=channel, rate_plan=plan, channel_rate_code=plan.code)
    return {
        "confirmation_number": numbers,
        "code": ["NYC"],
        "number": list(Room.objects.filter(hotel=nyc).values_list("number", flat=True)[:3]),
        "room_codes": list(nyc.room_types.values_list("code", flat=True)),
        "rate_codes": list(nyc.rate_plans.values_list("code", flat=True)),
        "friday": next_friday,
    }


@pytest.fixture(params=["partner", "frontdesk"])
def api_key(request, seeded, nyc):
    from tests.factories import api_key_for

    _, key = api_key_for(nyc, scope=request.param, name=f"Fuzz {request.param}")
    return key


def ota_messages(seeded, *, wild: bool):
    """OTA_HotelResNotifRQ bodies from generated parts. Tame ones are bookable (mapped codes, future dates, a
    party that fits) so creates, modifies and cancels happen; wild ones mix in made-up codes, dates and text."""
    text = st.text(max_size=12)

    def pick(tame, other):
        return tame | other if wild else tame

    @st.composite
    def build(draw):
        start = seeded["friday"] + timedelta(days=draw(pick(st.integers(1, 60), st.integers(-400, 400))))
        end = start + timedelta(days=draw(pick(st.integers(1, 4), st.integers(-2, 35))))
        root = ET.Element("OTA_HotelResNotifRQ", {"xmlns": "http://www.opentravel.org/OTA/2003/05",
                                                  "EchoToken": draw(text), "Version": "1.0"})
        res = ET.SubElement(ET.SubElement(root, "HotelReservations"), "HotelReservation", {
            "ResStatus": draw(pick(st.sampled_from(["Commit", "Book", "Modify", "Cancel"]), text))})
        ET.SubElement(res, "UniqueID", {"Type": "14", "ID": draw(pick(st.sampled_from(["FZ-1", "FZ-2"]), text))})
        stay = ET.SubElement(ET.SubElement(res, "RoomStays"), "RoomStay")
        ET.SubElement(ET.SubElement(stay, "RoomTypes"), "RoomType", {
            "RoomTypeCode": draw(pick(st.sampled_from(seeded["room_codes"]), text))})
        ET.SubElement(ET.SubElement(stay, "RatePlans"), "RatePlan", {
            "RatePlanCode": draw(pick(st.sampled_from(seeded["rate_codes"]), text))})
        ET.SubElement(ET.SubElement(stay, "RoomRates"), "RoomRate", {
            "NumberOfUnits": str(draw(pick(st.just(1), st.integers(-1, 12))))})
        counts = ET.SubElement(stay, "GuestCounts")
        ET.SubElement(counts, "GuestCount", {"AgeQualifyingCode": "10", "Count": draw(
            pick(st.sampled_from(["1", "2"]), st.integers(-1, 12).map(str) | text))})
        for age in draw(st.lists(pick(st.integers(0, 12), st.integers(-1, 20)), max_size=1 if not wild else 3)):
            ET.SubElement(counts, "GuestCount", {"AgeQualifyingCode": "8", "Count": "1", "Age": str(age)})
        ET.SubElement(stay, "TimeSpan", {"Start": draw(pick(st.just(str(start)), text)), "End": str(end)})
        ET.SubElement(stay, "Total", {"AmountAfterTax": draw(pick(st.just("500.00"),
                                                                  st.decimals(allow_nan=True).map(str) | text)),
                                      "CurrencyCode": "USD"})
        ET.SubElement(stay, "BasicPropertyInfo", {"HotelCode": draw(pick(st.just("NYC"), text))})
        name = ET.SubElement(ET.SubElement(ET.SubElement(ET.SubElement(ET.SubElement(ET.SubElement(
            ET.SubElement(res, "ResGuests"), "ResGuest"), "Profiles"), "ProfileInfo"), "Profile"), "Customer"),
            "PersonName")
        ET.SubElement(name, "GivenName").text = draw(text)
        ET.SubElement(name, "Surname").text = draw(pick(st.just("Fuzz"), text))
        return ET.tostring(root, encoding="utf-8")

    return build()


@pytest.fixture
def api_schema(seeded, api_key, settings):
    from hotelbooking.wsgi import application

    # Throttling would answer 429 to the fuzzer's pace: switched off here (it has tests of its own).
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon_search": None, "api_key": None}}
    # The WSGI handler would close the test's database connection at the end of each request (as Django's
    # own test client prevents): keep it open, so every request sees the test transaction's data.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        if not _RAW_SCHEMA:
            _RAW_SCHEMA.update(schemathesis.openapi.from_wsgi(SCHEMA_URL, application).raw_schema)
        schema = schemathesis.openapi.from_dict(_RAW_SCHEMA)
        schema.app, schema.location = application, SCHEMA_URL

        @schema.hook
        def flatmap_path_parameters(context, path_parameters):
            if not path_parameters:
                return st.just(path_parameters)
            channel_op = "/channels/" in context.operation.path
            real = {name: ["BOOKING_COM"] if channel_op and name == "code" else seeded.get(name)
                    for name in path_parameters}
            real = {name: values for name, values in real.items() if values}
            if not real:
                return st.just(path_parameters)
            return st.one_of(st.just(path_parameters), st.fixed_dictionaries(
                {**{k: st.just(v) for k, v in path_parameters.items()},
                 **{k: st.sampled_from(values) for k, values in real.items()}}))

        @schema.hook
        def flatmap_body(context, body):
            if "/channels/" not in context.operation.path:
                return st.just(body)
            return st.one_of(st.just(body), ota_messages(seeded, wild=False), ota_messages(seeded, wild=True))

        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(strategy, api_key):
    @hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck),
                         phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Api-Key {api_key}"},
                               checks=[not_a_server_error, response_schema_conformance])

    run()


@pytest.mark.django_db
def test_api_conforms_to_its_schema(api_schema, api_key):
    """Every operation and mode; failures are collected so one run reports all of them.

    (schemathesis' own pytest integration, `@schema.parametrize()`, does not run under pytest 9: a loop.)
    """
    failures, labels = [], []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(mode, hooks=api_schema.hooks)
            try:
                _fuzz(strategy, api_key)
            except Unsatisfiable:  # negative mode: nothing can be invalid (e.g. one free-text path parameter)
                continue
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}):\n{exc}")
    assert len(labels) >= 20, labels
    assert not failures, "\n\n".join(failures)
