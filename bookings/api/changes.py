"""What the change and cancel endpoints read and answer: their input and output shapes (manage.py holds the
views)."""

from rest_framework import serializers

from hotelbooking.api import AmountField
from pricing.api import ExtraInput, HotelLocalDateTimeField, PricingOutput

from ..modifications import (
    ModificationRequest,
)

AMOUNT_HELP = "Decimal string in the hotel's currency, e.g. \"207.78\"."


def _amount(**kwargs):
    return AmountField(help_text=kwargs.pop("help_text", AMOUNT_HELP), **kwargs)


# --- input -----------------------------------------------------------------------------------------------

class StayDateField(serializers.DateField):
    """A date; a malformed one is INVALID_DATES like everywhere else."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError("Use a date in the form YYYY-MM-DD.", code="INVALID_DATES") from None


class ModificationInput(serializers.Serializer):
    check_in = StayDateField(required=False, help_text="New arrival date")
    check_out = StayDateField(required=False, help_text="New departure date")
    adults = serializers.IntegerField(required=False)
    children = serializers.IntegerField(required=False)
    child_ages = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=50,
        help_text="The children's ages, one per child, for the taxes that exempt children (a child without an age "
                  "is exempt) and the rates that price children by age (new ages alone are an OCCUPANCY_CHANGE); "
                  "not given: the booked ages while the number of children is unchanged")
    room_type = serializers.CharField(required=False, max_length=50, help_text="Room type code, e.g. JUNIOR-SUITE")
    rate_plan = serializers.CharField(required=False, max_length=20, help_text="Rate plan code, e.g. BAR")
    access_code = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="",
        help_text="New: the member or corporate code that opens a member or code-only rate plan, as at booking. "
                  "A change to such a plan without it is 400 UNKNOWN_RATE_PLAN; keeping the booked plan needs none.")
    expected_total = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=3,
        help_text="The new total the guest was shown; PRICE_CHANGED (409) if today's differs.")
    extras = ExtraInput(
        many=True, required=False, max_length=20,
        help_text="Optional (new): every extra the stay should have, e.g. [{\"code\": \"PARK\", \"quantity\": 1}] "
                  "(an empty list removes them all; not given: the booked ones stay). A booked extra keeps its "
                  "booked unit price, an added one is at today's; the difference is charged or refunded like any "
                  "change (EXTRAS_CHANGE), and never below the liability already reached (inside a 100% "
                  "cancellation window, removing an extra refunds nothing).")

    def validate(self, attrs):
        fields = ("check_in", "check_out", "adults", "children", "child_ages", "room_type", "rate_plan")
        if "extras" in attrs:
            return attrs
        if not any(attrs.get(f) not in (None, "") for f in fields):
            raise serializers.ValidationError("Give at least one of " + ", ".join(fields) + ".")
        return attrs

    def to_request(self) -> ModificationRequest:
        d = self.validated_data
        return ModificationRequest(check_in=d.get("check_in"), check_out=d.get("check_out"), adults=d.get("adults"),
                                   children=d.get("children"), child_ages=d.get("child_ages"),
                                   room_type_code=d.get("room_type"),
                                   rate_plan_code=d.get("rate_plan"), expected_total=d.get("expected_total"),
                                   extras=[dict(e) for e in d["extras"]] if "extras" in d else None,
                                   access_code=d.get("access_code", ""))


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text='Why, e.g. "Change of travel plans"')
    expected_penalty = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=3,
        help_text="The penalty the guest was shown; PRICE_CHANGED (409) if it has changed since.")


# --- output ----------------------------------------------------------------------------------------------

class DatesOutput(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField()


class NightGroupOutput(serializers.Serializer):
    nights = serializers.ListField(child=serializers.DateField())
    total = _amount(help_text="Room revenue of these nights (rate minus discounts, all rooms), before taxes "
                              "and fees")


class NewPricingOutput(PricingOutput):
    free_until = serializers.CharField(allow_null=True, help_text="ISO 8601 with the hotel's UTC offset")


class PricingBreakdownOutput(serializers.Serializer):
    currency = serializers.CharField()
    unchanged_nights = NightGroupOutput(help_text="Nights in both stays: they keep the price booked, unless the "
                                                  "room type or rate plan changes")
    added_nights = NightGroupOutput(help_text="Nights the new stay adds, at today's rates")
    removed_nights = NightGroupOutput(help_text="Nights given up, at the price they were booked")
    repriced_all_nights = serializers.BooleanField(help_text="True when the room type or rate plan changes")
    previous_total = _amount()
    new_total = _amount(help_text="Taxes and fees recomputed for the new stay")
    difference = _amount(help_text="new_total - previous_total")
    additional_payment_required = serializers.BooleanField()
    refund_due = serializers.BooleanField()
    amount_to_charge = _amount(help_text="Charged to the card on file")
    amount_to_refund = _amount(help_text="Refunded to the card (never more than was paid, never below "
                                         "retained_amount)")
    retained_amount = _amount(help_text=(
        "New. Non-refundable once this change is made: what cancelling instead would cost now (or more, if an "
        "earlier change kept more). Cancelling, a no-show or a shorter stay later never costs less; it is not "
        "charged on top of the stay."))
    refund_withheld = _amount(help_text="New. The part of the price decrease not refunded because it is "
                                        "retained (or was never paid)")
    new_pricing = NewPricingOutput(help_text="The new stay priced night by night")


class ModificationQuoteOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    modification = serializers.CharField(
        help_text="DATE_EXTENSION, DATE_REDUCTION, DATE_SHIFT, ROOM_CHANGE, RATE_PLAN_CHANGE, OCCUPANCY_CHANGE, "
                  "EXTRAS_CHANGE (new: extras added, removed or their quantity changed) or NO_CHANGE. Several "
                  "changes at once: the first of ROOM_CHANGE, RATE_PLAN_CHANGE, the date change, OCCUPANCY_CHANGE, "
                  "EXTRAS_CHANGE; `changes` lists them all.")
    changes = serializers.ListField(child=serializers.CharField())
    original_dates = DatesOutput()
    new_dates = DatesOutput()
    room_type = serializers.CharField()
    rate_plan = serializers.CharField()
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    pricing_breakdown = PricingBreakdownOutput()


class PaymentMovementOutput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["CHARGED", "REFUNDED", "REFUND_PENDING", "NONE"],
        help_text="REFUND_PENDING (new): the change stands and the refund of `amount` is on its way: the payment "
                  "provider refused it for now (retried automatically) or a person is settling it.")
    amount = _amount()
    card_brand = serializers.CharField(allow_blank=True)
    last_four = serializers.CharField(allow_blank=True)


class ModificationOutput(ModificationQuoteOutput):
    status = serializers.CharField()
    payment = PaymentMovementOutput()


class RoomQuoteOutput(ModificationQuoteOutput):
    room = serializers.IntegerField(help_text="The room's place in the booking: 1 is the lead")


class RoomModificationOutput(ModificationOutput):
    room = serializers.IntegerField(help_text="The room's place in the booking: 1 is the lead")


class BookingQuoteSumsOutput(serializers.Serializer):
    rooms = serializers.IntegerField(help_text="How many rooms change")
    currency = serializers.CharField()
    previous_total = _amount()
    new_total = _amount()
    difference = _amount()
    amount_to_charge = _amount(help_text="The sum of the rooms' charges (each room is charged its own)")
    amount_to_refund = _amount(help_text="The sum of the rooms' refunds")


class BookingChangeSumsOutput(BookingQuoteSumsOutput):
    charged = _amount(help_text="What was charged, over the rooms")
    refunded = _amount(help_text="What was refunded or is on its way, over the rooms")


class BookingModificationQuoteOutput(ModificationQuoteOutput):
    rooms = RoomQuoteOutput(many=True, required=False, help_text="With ?rooms=all: each room's breakdown")
    booking = BookingQuoteSumsOutput(required=False, help_text="With ?rooms=all: the booking's sums")


class BookingModificationOutput(ModificationOutput):
    rooms = RoomModificationOutput(many=True, required=False, help_text="With ?rooms=all: each room's change")
    booking = BookingChangeSumsOutput(required=False, help_text="With ?rooms=all: the booking's sums")


class PolicyAppliedOutput(serializers.Serializer):
    name = serializers.CharField()
    tier_applied = serializers.CharField(help_text='e.g. "Within 24 hours" or "Free cancellation"')
    penalty = serializers.CharField(help_text='e.g. "100% of booking", "First 1 night", "No penalty"')


class LiabilityFields(serializers.Serializer):
    """New beside penalty_amount, which is the larger of these two amounts."""

    policy_penalty_amount = _amount(help_text="New. The policy's penalty on the stay as it is now")
    retained_amount = _amount(help_text="New. Non-refundable: what cancelling cost when the booking was last "
                                        "changed inside a paying window (0.00 if never)")
    retained_applies = serializers.BooleanField(help_text="New. True when retained_amount sets the penalty")


class CancellationFinancialOutput(LiabilityFields):
    currency = serializers.CharField()
    original_total = _amount()
    amount_paid = _amount()
    penalty_amount = _amount(help_text="The policy's penalty, never below retained_amount")
    refund_amount = _amount(help_text="amount_paid - penalty_amount, never below zero")
    refund_status = serializers.ChoiceField(
        choices=["REFUNDED", "PENDING", "NOT_APPLICABLE"],
        help_text="PENDING (new): the booking is cancelled and refund_amount is on its way back to the card: the "
                  "payment provider refused it for now (retried automatically) or a person is settling it.")


class CancelledRoomOutput(serializers.Serializer):
    room = serializers.IntegerField(help_text="The room's place in the booking, from 1 (the lead)")
    confirmation_number = serializers.CharField(help_text="The room's own number")
    room_type = serializers.CharField()
    status = serializers.CharField()
    original_total = _amount()
    amount_paid = _amount(help_text="This room's share of what was paid")
    penalty_amount = _amount(help_text="By this room's own policy")
    refund_amount = _amount()
    refund_status = serializers.ChoiceField(choices=["REFUNDED", "PENDING", "NOT_APPLICABLE"])
    room_nights_released = serializers.IntegerField()


class CancellationOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    cancelled_at = serializers.DateTimeField()
    reason = serializers.CharField()
    cancellation_policy = PolicyAppliedOutput()
    financial = CancellationFinancialOutput(help_text="For a multi-room booking cancelled as a whole: the sums "
                                                      "over the rooms cancelled now")
    inventory_released = serializers.BooleanField()
    room_nights_released = serializers.IntegerField()
    rooms = CancelledRoomOutput(many=True, required=False,
                                help_text="New, multi-room bookings only: each room cancelled now, with its figures")


class CancellationQuoteFinancialOutput(LiabilityFields):
    currency = serializers.CharField()
    original_total = _amount()
    amount_paid = _amount()
    penalty_amount = _amount(help_text="The policy's penalty, never below retained_amount")
    refund_amount = _amount()


class CancellationQuotePolicyOutput(PolicyAppliedOutput):
    description = serializers.CharField()


class QuotedRoomOutput(serializers.Serializer):
    room = serializers.IntegerField()
    confirmation_number = serializers.CharField()
    room_type = serializers.CharField()
    status = serializers.CharField()
    penalty_amount = _amount()
    refund_amount = _amount()


class CancellationQuoteOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    as_of = serializers.DateTimeField()
    check_in_at = HotelLocalDateTimeField(help_text="Check-in time on the arrival date, hotel's UTC offset")
    hours_until_check_in = serializers.CharField(help_text="Real hours (daylight saving counted), e.g. \"12.00\"")
    free_until = HotelLocalDateTimeField(allow_null=True)
    cancellation_policy = CancellationQuotePolicyOutput()
    financial = CancellationQuoteFinancialOutput(help_text="For a multi-room booking: the sums over the rooms "
                                                           "still cancellable")
    rooms = QuotedRoomOutput(many=True, required=False,
                             help_text="New, multi-room bookings only: each room still cancellable, its figures")
