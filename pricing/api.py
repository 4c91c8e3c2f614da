"""Public availability search API. Thin: parse nothing itself, call the search service, serialize."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import AmountField, ErrorSerializer

from .alternatives import SoldOutAdvice, sold_out_advice
from .models import RatePlan
from .offers import RatesResponse, search_all_rates
from .search import SearchResponse, hotel_get, search_availability, stay_validate

AMOUNT_HELP = "Decimal string in the hotel's currency, rounded to its minor unit (2 places for USD), e.g. \"664.14\"."


def _amount(**kwargs):
    return AmountField(help_text=kwargs.pop("help_text", AMOUNT_HELP), **kwargs)


class HotelLocalDateTimeField(serializers.DateTimeField):
    """ISO 8601 with the hotel's own UTC offset (the value is already in the hotel's zone)."""

    def to_representation(self, value):
        return None if value is None else value.isoformat()


class SearchHotelOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    timezone = serializers.CharField()
    currency = serializers.CharField()


class SearchStayOutput(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    nights = serializers.IntegerField()
    adults = serializers.IntegerField()
    children = serializers.IntegerField()


class SearchRatePlanOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class NightlyRateOutput(serializers.Serializer):
    date = serializers.DateField()
    rate = _amount(help_text="The night's undiscounted price of the room for its party. " + AMOUNT_HELP)
    # Present only on a night the rate prices by occupancy (a quote priced now, never a booked night).
    base_rate = _amount(required=False, help_text="Only where the rate prices by occupancy: the price before "
                                                  "what the party adds (rate = base_rate + extra_adults + "
                                                  "children_supplement + single_occupancy)")
    extra_adults = _amount(required=False, help_text="Only where the rate prices by occupancy: added for the "
                                                     "adults (and children priced as adults) beyond the ones "
                                                     "the price includes")
    children_supplement = _amount(required=False, help_text="Only where the rate prices by occupancy: added for "
                                                            "the children by age band (a child without an age: "
                                                            "the oldest child band)")
    single_occupancy = _amount(required=False, help_text="Only where the rate prices by occupancy: negative or "
                                                         "zero, the single price's discount for one adult alone")


class PricingLineOutput(serializers.Serializer):
    name = serializers.CharField()
    amount = _amount()


class TaxLineOutput(PricingLineOutput):
    included = serializers.BooleanField(
        required=False, help_text="Present (true) on a tax already inside the nightly rates (a hotel whose prices "
                                  "include tax): shown for the record, not added to the total")
    rate = serializers.CharField(required=False,
                                 help_text="An included percentage tax's rate in percent, e.g. \"7\"")


class ExtraInput(serializers.Serializer):
    code = serializers.CharField(max_length=100, help_text="The extra's code, e.g. BRKF (GET the hotel's extras from "
                                                           "the hotel's page or staff)")
    quantity = serializers.IntegerField(required=False, default=1, min_value=0, max_value=99,
                                        help_text="How many (cars, trips); per person kinds count the party on "
                                                  "top. At most the extra's maximum (EXTRA_NOT_AVAILABLE); 0 drops it")


class ExtraNightOutput(serializers.Serializer):
    date = serializers.DateField()
    amount = _amount()


class ExtraLineOutput(serializers.Serializer):
    """An extra of the stay (breakfast, parking, a transfer): unit price x units (quantity, x the party for a per
    person kind, x the nights for a per night kind), rounded once, spread over the nights it belongs to."""

    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["PER_STAY", "PER_NIGHT", "PER_PERSON", "PER_PERSON_PER_NIGHT"])
    quantity = serializers.IntegerField()
    unit_price = _amount(help_text="0.00 on an included extra")
    amount = _amount(help_text="0.00 on an included extra")
    included = serializers.BooleanField(help_text="Included in the rate plan's price (e.g. bed and breakfast)")
    nights = ExtraNightOutput(many=True, help_text="The amount on each stay night it applies to: every night for "
                                                   "a per night kind, the first night otherwise")


class PricingOutput(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code of every amount in this object")
    nightly_rates = NightlyRateOutput(many=True, help_text="The undiscounted rate of each night, per room")
    subtotal = _amount(help_text="Sum of the nightly rates")
    discount = _amount(help_text="Rate-plan and promotion discounts together, negative, e.g. \"-60.70\"")
    rate_plan_discount = _amount(help_text="Negative or zero")
    promotion_discount = _amount(help_text="Negative or zero")
    room_total = _amount(help_text="subtotal + discount")
    taxes = _amount(help_text="The taxes added to room_total: at a hotel whose prices exclude tax (as in the US) "
                              "every tax; at one whose prices include tax (as in most of Europe) the flat and "
                              "per-person taxes only, e.g. a city tax (the sum of the tax_lines not marked "
                              "`included`)")
    tax_lines = TaxLineOutput(many=True, help_text="One line per tax (a rate that changes during the stay: one "
                                                   "line per rate); lines marked `included` are inside room_total")
    included_taxes = _amount(required=False, help_text="Only at a hotel whose prices include tax: the percentage "
                                                       "taxes (VAT) inside room_total, derived night by night")
    fees = _amount()
    fee_lines = PricingLineOutput(many=True)
    extras = _amount(required=False, help_text="New, only when the stay has extras (chosen, or included in the "
                                               "rate plan): their sum, before tax; the percentage taxes on them "
                                               "are in `taxes`")
    extra_lines = ExtraLineOutput(many=True, required=False, help_text="New, only beside `extras`: one line per "
                                                                       "extra, included ones at 0.00")
    total = _amount(help_text="room_total + taxes + fees (+ extras, when present): what the stay costs, at either "
                              "kind of hotel (where the "
                              "prices include tax, room_total already holds the included_taxes). A booking's "
                              "pricing gives the same amount as `grand_total` (and as `total` too, the same name "
                              "as here).")


class CancellationPolicyOutput(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    free_until = HotelLocalDateTimeField(
        allow_null=True,
        help_text="Last moment a cancellation is free, with the hotel's UTC offset; null if it never is.")


class PaymentTermsOutput(serializers.Serializer):
    """What the rate plan's guarantee rule charges at booking, what it leaves for later, and when."""

    guarantee = serializers.ChoiceField(
        choices=RatePlan.Guarantee.choices,
        help_text="PREPAY: the whole stay at booking. DEPOSIT: the first night or a percentage at booking, the "
                  "balance later. CARD_GUARANTEE: nothing at booking; the card is kept for late-cancellation and "
                  "no-show penalties. PAY_AT_HOTEL: no card; everything at the hotel.")
    due_now = _amount(help_text="Charged at booking (0 for CARD_GUARANTEE and PAY_AT_HOTEL). " + AMOUNT_HELP)
    due_later = _amount(help_text="The rest of the total: the balance, or what is paid at the hotel. " + AMOUNT_HELP)
    balance_due_on = serializers.DateField(
        allow_null=True, help_text="Hotel-local date the balance is charged automatically to the card (DEPOSIT "
                                   "with a balance before arrival); null otherwise")
    balance_when = serializers.ChoiceField(
        choices=["NONE", "BEFORE_ARRIVAL", "AT_CHECK_IN", "AT_HOTEL"],
        help_text="NONE: nothing is left to pay; BEFORE_ARRIVAL: charged on balance_due_on; AT_CHECK_IN: charged "
                  "at check-in; AT_HOTEL: settled at the desk (CARD_GUARANTEE, PAY_AT_HOTEL)")
    card_required = serializers.BooleanField(help_text="False only for PAY_AT_HOTEL")
    save_card = serializers.BooleanField(help_text="The card is kept for later charges (a balance, or penalties "
                                                   "under a card guarantee)")
    currency = serializers.CharField()


class RoomTypeResultOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    max_occupancy = serializers.IntegerField()
    available_rooms = serializers.IntegerField(help_text="Fewest rooms free on any night of the stay")
    pricing = PricingOutput()
    cancellation_policy = CancellationPolicyOutput()
    payment_terms = PaymentTermsOutput(help_text="What booking this offer today charges now, what later and when")


class OfferRatePlanOutput(SearchRatePlanOutput):
    description = serializers.CharField(help_text="What the plan includes, in the hotel's words")
    visibility = serializers.ChoiceField(
        choices=RatePlan.Visibility.choices,
        help_text="PUBLIC: offered to everyone. MEMBER and CODE: offered only with the plan's access_code "
                  "(shown as a member rate, or the rate of the code given)")


class RateOfferOutput(serializers.Serializer):
    rate_plan = OfferRatePlanOutput()
    per_night = _amount(help_text="The headline price: pricing.total / nights, rounded half-up once. " + AMOUNT_HELP)
    pricing = PricingOutput()
    cancellation_policy = CancellationPolicyOutput()
    payment_terms = PaymentTermsOutput()


class RoomTypeOffersOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    available_rooms = serializers.IntegerField(help_text="Fewest rooms free on any night of the stay")
    offers = RateOfferOutput(many=True, help_text="One per rate plan that sells this room for the stay, cheapest "
                                                  "total first. Book one with its room type and rate plan codes")


class CalendarRoomOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Room type code")
    rate_plan = serializers.CharField(help_text="Code of its cheapest plan for this arrival")
    total = _amount()


class CalendarDayOutput(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField(help_text="check_in + the asked number of nights")
    availability = serializers.ChoiceField(choices=["AVAILABLE", "SOLD_OUT", "PAST"],
                                           help_text="SOLD_OUT: no room type that takes the party can be sold for "
                                                     "these nights; PAST: before the hotel's today, not priced")
    total = _amount(allow_null=True, help_text="The cheapest total of any room type and plan; null unless "
                                               "AVAILABLE. " + AMOUNT_HELP)
    room_types = CalendarRoomOutput(many=True, help_text="The room types free for this arrival, cheapest first")


class ProblemNightOutput(serializers.Serializer):
    date = serializers.DateField(help_text="The night (or arrival or departure day) that stops these room types")
    restriction = serializers.CharField(help_text="SOLD_OUT (no room that night, or not sold), or the stay rule: "
                                                  "MIN_STAY, MAX_STAY, MIN_ADVANCE, MAX_ADVANCE, CLOSED_TO_ARRIVAL, "
                                                  "CLOSED_TO_DEPARTURE")
    room_types = serializers.ListField(child=serializers.CharField(), help_text="Room type codes")
    message = serializers.CharField(help_text="The rule in words; empty for SOLD_OUT")


class AvailabilityCalendarOutput(serializers.Serializer):
    nights = serializers.IntegerField()
    problem_nights = ProblemNightOutput(many=True, help_text="Why the room types that take the party cannot be "
                                                             "sold for the asked stay (empty when all can)")
    nearest = serializers.ListField(child=serializers.DateField(), help_text="Up to 3 other arrival dates that "
                                    "work for the same nights, nearest the asked one first")
    days = CalendarDayOutput(many=True, help_text="Every arrival date from 7 days before the asked one to 7 days "
                                                  "after, in date order")


class AvailabilityOutput(serializers.Serializer):
    hotel = SearchHotelOutput()
    stay = SearchStayOutput()
    rate_plan = SearchRatePlanOutput()
    room_types = RoomTypeResultOutput(many=True, help_text="Cheapest total first")
    rate_offers = RoomTypeOffersOutput(
        many=True, required=False,
        help_text="Only with plans=all: every room type with a room every night and each rate plan open to the "
                  "caller (public ones, and those of the access_code given), cheapest first. `room_types` beside "
                  "it is unchanged")
    calendar = AvailabilityCalendarOutput(
        required=False, help_text="Only with calendar=true: the problem nights of the stay and the cheapest total "
                                  "per arrival date within 7 days either side, for the same nights, on the same "
                                  "plans (all of them with plans=all)")


def availability_data(response: SearchResponse) -> dict:
    """The search result in the shape of AvailabilityOutput."""
    stay = response.stay
    return {
        "hotel": response.hotel,
        "stay": {"check_in": stay.check_in, "check_out": stay.check_out, "nights": stay.nights,
                 "adults": stay.adults, "children": stay.children},
        "rate_plan": response.rate_plan,
        "room_types": [
            {
                "code": r.room_type.code,
                "name": r.room_type.name,
                "description": r.room_type.description,
                "max_occupancy": r.room_type.max_occupancy,
                "available_rooms": r.availability.available,
                "pricing": r.quote.as_dict(),
                "cancellation_policy": {
                    "name": r.quote.policy_snapshot["name"],
                    "description": r.quote.policy_snapshot["description"],
                    "free_until": r.quote.free_until,
                },
                "payment_terms": r.payment_terms.as_dict(),
            }
            for r in response.results
        ],
    }


def rate_offers_data(response: RatesResponse) -> list[dict]:
    """Every plan side by side, in the shape of RoomTypeOffersOutput."""
    return [
        {
            "code": room.room_type.code, "name": room.room_type.name, "available_rooms": room.availability.available,
            "offers": [
                {
                    "rate_plan": offer.rate_plan,
                    "per_night": offer.per_night,
                    "pricing": offer.quote.as_dict(),
                    "cancellation_policy": {"name": offer.quote.policy_snapshot["name"],
                                            "description": offer.quote.policy_snapshot["description"],
                                            "free_until": offer.quote.free_until},
                    "payment_terms": offer.payment_terms.as_dict(),
                }
                for offer in room.offers
            ],
        }
        for room in response.rooms
    ]


def calendar_data(advice: SoldOutAdvice, nights: int) -> dict:
    """The sold-out advice in the shape of AvailabilityCalendarOutput."""
    def day(d):
        best = d.cheapest
        availability = "PAST" if d.past else "AVAILABLE" if d.available else "SOLD_OUT"
        rooms = [d.by_room[rt.id] for rt in d.room_types]
        return {"check_in": d.arrival, "check_out": d.check_out, "availability": availability,
                "total": best.quote.as_dict()["total"] if best else None,
                "room_types": [{"code": rt.code, "rate_plan": o.rate_plan.code, "total": o.quote.as_dict()["total"]}
                               for rt, o in rooms]}
    return {
        "nights": nights,
        "problem_nights": [{"date": p.date, "restriction": p.restriction, "message": p.message,
                            "room_types": [rt.code for rt in p.room_types]} for p in advice.problems],
        "nearest": [d.arrival for d in advice.nearest],
        "days": [day(d) for d in advice.calendar],
    }


_ERRORS_400 = OpenApiResponse(
    ErrorSerializer,
    description="INVALID_DATES (missing or malformed dates, check-out not after check-in, check-in in the "
    "past, more nights than allowed), INVALID_PARTY (adults below 1, negative children, not a number, child "
    "ages not one per child or not 0 to 17), "
    "UNKNOWN_RATE_PLAN, UNKNOWN_PROMO_CODE (unknown, expired, or not valid for these dates).",
    examples=[OpenApiExample("Check-out before check-in", value={"error": {
        "code": "INVALID_DATES", "message": "Check-out must be after check-in.", "retryable": False,
        "field": "check_out"}})],
)


class AvailabilityApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="hotel_availability",
        summary="Search available room types",
        description=(
            "Room types that take the party and have a room free on every night of the stay, priced on the "
            "rate plan (BAR when none is given), cheapest total first. Public: no API key needed. With plans=all "
            "also every plan side by side (`rate_offers`); with calendar=true also the other dates (`calendar`)."
        ),
        tags=["search"],
        auth=[],
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Hotel code, e.g. NYC"),
            OpenApiParameter("check_in", OpenApiTypes.DATE, required=True, description="Arrival, YYYY-MM-DD"),
            OpenApiParameter("check_out", OpenApiTypes.DATE, required=True, description="Departure, YYYY-MM-DD"),
            OpenApiParameter("adults", OpenApiTypes.INT, default=1, description="At least 1"),
            OpenApiParameter("children", OpenApiTypes.INT, default=0),
            OpenApiParameter("child_ages", OpenApiTypes.STR,
                             description="The children's ages, comma-separated, one per child (e.g. 8,16), for the "
                                         "taxes that exempt children (a child without an age is exempt) and the "
                                         "rates that price children by age (a child without an age: the oldest "
                                         "child band; see nightly_rates' children_supplement)"),
            OpenApiParameter("rate_plan", OpenApiTypes.STR, description="Rate plan code, e.g. BAR or AAA"),
            OpenApiParameter("promo_code", OpenApiTypes.STR, description="Promotion code, e.g. WINTER10"),
            OpenApiParameter("plans", OpenApiTypes.STR, enum=["all"],
                             description="`all`: also answer `rate_offers`, every rate plan open to the caller side "
                                         "by side per room type, cheapest first; `room_types` is unchanged"),
            OpenApiParameter("access_code", OpenApiTypes.STR,
                             description="A member or corporate code: opens the member and code-only plans it "
                                         "belongs to (in `rate_offers`, and by name in `rate_plan`)"),
            OpenApiParameter("calendar", OpenApiTypes.BOOL, default=False,
                             description="true: also answer `calendar`, the nights that stop the stay, the nearest "
                                         "arrival dates that work and the cheapest total per arrival date, 7 days "
                                         "either side, for the same nights"),
        ],
        responses={
            200: AvailabilityOutput,
            400: _ERRORS_400,
            404: OpenApiResponse(ErrorSerializer, description="HOTEL_NOT_FOUND"),
            429: OpenApiResponse(ErrorSerializer, description="RATE_LIMITED"),
        },
    )
    def get(self, request, code: str):
        hotel = hotel_get(code)
        q = request.query_params
        stay = stay_validate(hotel=hotel, check_in=q.get("check_in"), check_out=q.get("check_out"),
                             adults=q.get("adults"), children=q.get("children"))
        ages = [a.strip() for value in q.getlist("child_ages") for a in value.split(",") if a.strip()]
        response = search_availability(hotel=hotel, stay=stay, rate_plan_code=q.get("rate_plan"),
                                       promo_code=q.get("promo_code"), child_ages=ages,
                                       access_code=q.get("access_code"))
        data = availability_data(response)
        all_plans = (q.get("plans") or "").strip().lower() == "all"
        with_calendar = (q.get("calendar") or "").strip().lower() in ("true", "1")
        if all_plans or with_calendar:
            rates = search_all_rates(hotel=hotel, stay=stay, promo_code=q.get("promo_code"), child_ages=ages,
                                     access_code=q.get("access_code"),
                                     rate_plan_code=None if all_plans else response.rate_plan.code)
            if all_plans:
                data["rate_offers"] = rate_offers_data(rates)
            if with_calendar:
                fitting = [rt for rt, _ in rates.unavailable] + [r.room_type for r in rates.rooms]
                advice = sold_out_advice(hotel=hotel, stay=stay, room_types=fitting, plans=rates.plans,
                                         unavailable=rates.unavailable, promo_code=q.get("promo_code"),
                                         child_ages=ages)
                data["calendar"] = calendar_data(advice, stay.nights)
        return Response(AvailabilityOutput(data).data)
