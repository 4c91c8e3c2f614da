from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from inventory.models import Hotel, RoomType

MONEY = {"max_digits": 12, "decimal_places": 3}
PERCENT = {"max_digits": 6, "decimal_places": 3, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class CancellationPolicy(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="cancellation_policies")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300)
    no_show_penalty_percent = models.DecimalField(default=Decimal("100"), **PERCENT,
                                                  help_text="Penalty when the guest does not arrive")
    no_show_penalty_nights = models.PositiveSmallIntegerField(null=True, blank=True,
                                                              help_text="Or: the first N nights")

    class Meta:
        verbose_name_plural = "cancellation policies"
        constraints = [models.UniqueConstraint(fields=["hotel", "name"], name="uniq_policy_name_per_hotel")]

    def __str__(self):
        return self.name

    def snapshot(self) -> dict:
        """The policy as it stands, to be frozen onto a reservation."""
        return {
            "name": self.name,
            "description": self.description,
            "tiers": [t.snapshot() for t in self.tiers.all()],
            "no_show_penalty_percent": str(self.no_show_penalty_percent),
            "no_show_penalty_nights": self.no_show_penalty_nights,
        }


class CancellationTier(models.Model):
    """Within `hours_before` hours of check-in, the penalty is a percentage of the total or the first N nights."""

    policy = models.ForeignKey(CancellationPolicy, on_delete=models.CASCADE, related_name="tiers")
    hours_before = models.PositiveIntegerField()
    penalty_percent = models.DecimalField(null=True, blank=True, **PERCENT)
    penalty_nights = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["hours_before"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(penalty_percent__isnull=False, penalty_nights__isnull=True)
                           | Q(penalty_percent__isnull=True, penalty_nights__isnull=False)),
                name="tier_penalty_percent_xor_nights",
            ),
        ]

    def __str__(self):
        what = f"{self.penalty_percent}%" if self.penalty_percent is not None else f"{self.penalty_nights} night(s)"
        return f"Within {self.hours_before}h: {what}"

    def clean(self):
        if (self.penalty_percent is None) == (self.penalty_nights is None):
            raise ValidationError("Give either a penalty percentage or a number of nights.")

    def snapshot(self) -> dict:
        return {
            "hours_before": self.hours_before,
            "penalty_percent": None if self.penalty_percent is None else str(self.penalty_percent),
            "penalty_nights": self.penalty_nights,
        }


class RatePlan(models.Model):
    class Derivation(models.TextChoices):
        PERCENT = "PERCENT", "Percentage off the parent"
        AMOUNT = "AMOUNT", "Amount off the parent, per night"

    class Guarantee(models.TextChoices):
        PREPAY = "PREPAY", "Prepay: the whole stay charged at booking"
        DEPOSIT = "DEPOSIT", "Deposit at booking, the balance charged later"
        CARD_GUARANTEE = "CARD_GUARANTEE", "Card guarantee: nothing charged, the card covers penalties"
        PAY_AT_HOTEL = "PAY_AT_HOTEL", "Pay at the hotel: no card"

    class DepositKind(models.TextChoices):
        FIRST_NIGHT = "FIRST_NIGHT", "The first night (all rooms, with its taxes and fees)"
        PERCENT = "PERCENT", "A percentage of the total"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="rate_plans")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    cancellation_policy = models.ForeignKey(CancellationPolicy, on_delete=models.PROTECT, related_name="rate_plans")
    min_stay = models.PositiveSmallIntegerField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    derivation = models.CharField(max_length=10, choices=Derivation.choices, blank=True)
    derivation_value = models.DecimalField(null=True, blank=True, **MONEY)
    is_active = models.BooleanField(default=True)
    # What is taken when: pricing.guarantee.payment_terms turns these into a quote's payment terms.
    guarantee = models.CharField(max_length=20, choices=Guarantee.choices, default=Guarantee.PREPAY)
    deposit_kind = models.CharField(max_length=20, choices=DepositKind.choices, blank=True,
                                    help_text="DEPOSIT only: what is charged at booking")
    deposit_percent = models.DecimalField(null=True, blank=True, **PERCENT,
                                          help_text="DEPOSIT by percentage only: the share of the total, "
                                                    "above 0 and at most 100")
    balance_due_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="DEPOSIT only: the balance is charged this many days before arrival "
                                         "(hotel time); empty = at check-in")

    class EarlyDeparture(models.TextChoices):
        NONE = "NONE", "None: the nights not stayed are not charged"
        ONE_NIGHT = "ONE_NIGHT", "One night: the first night not stayed (with its taxes and fees)"
        REMAINING_NIGHTS = "REMAINING_NIGHTS", "The remaining nights: every night not stayed"
        POLICY = "POLICY", "The cancellation policy, applied to the nights not stayed"

    class Visibility(models.TextChoices):
        PUBLIC = "PUBLIC", "Public: shown in every search"
        MEMBER = "MEMBER", "Members: shown when the guest enters the access code"
        CODE = "CODE", "Code only: shown when the guest enters the access code"

    # Who sees the plan among "all rates" (pricing.offers): a member or code-only plan only with its code.
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    access_code = models.CharField(max_length=30, blank=True,
                                   help_text="Member and code-only plans: the code a guest enters to see them "
                                             "(not case-sensitive)")
    included_extras = models.ManyToManyField(
        "Extra", blank=True, related_name="included_in",
        help_text="Extras the plan's price includes (bed and breakfast): shown at 0.00 as included")

    early_departure_fee = models.CharField(
        max_length=20, choices=EarlyDeparture.choices, default=EarlyDeparture.NONE,
        help_text="What a checked-in guest who leaves before the booked departure is charged for the nights "
                  "given up (posted to the folio)")

    class Meta:
        ordering = ["hotel", "code"]
        constraints = [
            models.UniqueConstraint(fields=["hotel", "code"], name="uniq_rateplan_code_per_hotel"),
            models.CheckConstraint(
                condition=Q(guarantee="DEPOSIT") | Q(deposit_kind="", deposit_percent__isnull=True,
                                                     balance_due_days__isnull=True),
                name="rateplan_deposit_fields_only_on_deposit"),
            models.CheckConstraint(
                condition=(~Q(guarantee="DEPOSIT") | Q(deposit_kind="FIRST_NIGHT", deposit_percent__isnull=True)
                           | Q(deposit_kind="PERCENT", deposit_percent__gt=0, deposit_percent__lte=100)),
                name="rateplan_deposit_kind_and_percent"),
            models.CheckConstraint(condition=Q(visibility="PUBLIC", access_code="")
                                   | (~Q(visibility="PUBLIC") & ~Q(access_code="")),
                                   name="rateplan_access_code_only_when_not_public"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def clean(self):
        if self.parent_id:
            if not self.derivation or self.derivation_value is None:
                raise ValidationError("A derived plan needs a derivation and a value.")
            if self.parent.parent_id:
                raise ValidationError({"parent": "Derive from a base plan, not from another derived plan."})
            if self.parent.hotel_id != self.hotel_id:
                raise ValidationError({"parent": "The parent plan belongs to another hotel."})
        self._clean_guarantee()
        self._clean_visibility()

    def _clean_visibility(self):
        self.access_code = (self.access_code or "").strip()
        if self.visibility == self.Visibility.PUBLIC and self.access_code:
            raise ValidationError({"access_code": "A public plan takes no access code."})
        if self.visibility != self.Visibility.PUBLIC and not self.access_code:
            raise ValidationError({"access_code": "A member or code-only plan needs the code guests enter."})

    def opens_with(self, access_code: str | None) -> bool:
        """Whether a guest who entered `access_code` (or none) may see this plan."""
        if self.visibility == self.Visibility.PUBLIC:
            return True
        code = (access_code or "").strip()
        return bool(code) and code.casefold() == self.access_code.casefold()

    def _clean_guarantee(self):
        G, K = self.Guarantee, self.DepositKind
        if self.guarantee != G.DEPOSIT:
            given = {name: "Only a deposit plan takes this." for name, empty in
                     (("deposit_kind", not self.deposit_kind), ("deposit_percent", self.deposit_percent is None),
                      ("balance_due_days", self.balance_due_days is None)) if not empty}
            if given:
                raise ValidationError(given)
            return
        if not self.deposit_kind:
            raise ValidationError({"deposit_kind": "A deposit plan needs a deposit: the first night or a "
                                                   "percentage."})
        if self.deposit_kind == K.PERCENT:
            if self.deposit_percent is None or not 0 < self.deposit_percent <= 100:
                raise ValidationError({"deposit_percent": "Give a percentage above 0 and at most 100."})
        elif self.deposit_percent is not None:
            raise ValidationError({"deposit_percent": "A first-night deposit takes no percentage."})

    @property
    def base_plan(self) -> "RatePlan":
        return self.parent if self.parent_id else self


class Rate(models.Model):
    """A season's nightly price of a room type on a base plan, by weekday of the night.

    Where seasons of the same plan and room type overlap, the one that starts latest wins on the nights they
    share (seasons that start the same day: the one saved last); a rate override beats every season.
    """

    OVERLAP_RULE = ("Where seasons of a plan and room type overlap, the one that starts latest wins on the nights "
                    "they share (same start: the one saved last); a rate override beats every season.")

    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="rates")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="rates")
    name = models.CharField(max_length=100, blank=True, help_text="Season, e.g. Winter")
    start_date = models.DateField()
    end_date = models.DateField()
    monday = models.DecimalField(**MONEY)
    tuesday = models.DecimalField(**MONEY)
    wednesday = models.DecimalField(**MONEY)
    thursday = models.DecimalField(**MONEY)
    friday = models.DecimalField(**MONEY)
    saturday = models.DecimalField(**MONEY)
    sunday = models.DecimalField(**MONEY)

    # Occupancy (pricing/engine/occupancy.py): the nightly price above covers `base_occupancy` guests priced as
    # adults; each one beyond pays `extra_adult_amount`, one alone has `single_occupancy_discount` taken off.
    base_occupancy = models.PositiveSmallIntegerField(
        "included adults", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="How many adults the nightly price includes, e.g. 2 (a child priced as an adult counts as one). "
                  "Empty: the price is for the room whoever stays, with no extra-adult or single price")
    extra_adult_amount = models.DecimalField(
        "extra adult, per night", default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY,
        help_text="Added per night for each adult beyond the included adults (needs the included adults)")
    single_occupancy_discount = models.DecimalField(
        "single discount, per night", default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY,
        help_text="Taken off the nightly price when one adult stays alone (children aside), e.g. 20.00; 0: none. "
                  "Needs at least 2 included adults")

    WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

    class Meta:
        ordering = ["rate_plan", "room_type", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="rate_season_dates_ordered"),
            models.CheckConstraint(condition=Q(extra_adult_amount__gte=0) & Q(single_occupancy_discount__gte=0),
                                   name="rate_occupancy_amounts_not_negative"),
        ]

    def __str__(self):
        return f"{self.rate_plan.code} {self.room_type.code} {self.start_date}..{self.end_date}"

    def amount_for(self, night) -> Decimal:
        return getattr(self, self.WEEKDAYS[night.weekday()])

    def clean(self):
        if self.base_occupancy is None:
            given = {name: "Set the included adults first." for name in ("extra_adult_amount",
                                                                          "single_occupancy_discount")
                     if getattr(self, name)}
            if given:
                raise ValidationError(given)
        elif self.single_occupancy_discount and self.base_occupancy < 2:
            raise ValidationError({"single_occupancy_discount": "A single price needs at least 2 included adults."})
        if self.single_occupancy_discount and self.single_occupancy_discount >= min(
                (getattr(self, d) for d in self.WEEKDAYS if getattr(self, d) is not None), default=Decimal("Infinity")):
            raise ValidationError({"single_occupancy_discount": "The single discount must be below every nightly "
                                                                "price."})


class ChildAgeBand(models.Model):
    """What a child pays per night on a base plan (and the plans derived from it), by age: the first band (by
    `up_to_age`) the child's age fits. Older than every band: priced as an adult. A plan without bands prices
    children at nothing. A child whose age is not given is priced by the oldest band not priced as an adult."""

    class Kind(models.TextChoices):
        FREE = "FREE", "Free"
        AMOUNT = "AMOUNT", "An amount per night"
        PERCENT = "PERCENT", "A percentage of the extra-adult amount, per night"
        ADULT = "ADULT", "Priced as an adult (counts towards the included adults)"

    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="child_bands")
    up_to_age = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(17)],
        help_text="The oldest age in this band (0 to 17); the band starts after the previous one, e.g. 2, 11, 17")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.DecimalField(
        null=True, blank=True, validators=[MinValueValidator(0)], **MONEY,
        help_text="AMOUNT: the amount per night per child, e.g. 25.00. PERCENT: the share of the room's "
                  "extra-adult amount that night, e.g. 50. Empty for FREE and ADULT")

    class Meta:
        ordering = ["rate_plan", "up_to_age"]
        constraints = [
            models.UniqueConstraint(fields=["rate_plan", "up_to_age"], name="uniq_child_band_age_per_plan"),
            models.CheckConstraint(condition=(Q(kind__in=["FREE", "ADULT"], value__isnull=True)
                                              | Q(kind__in=["AMOUNT", "PERCENT"], value__gte=0)),
                                   name="child_band_value_by_kind"),
        ]

    def __str__(self):
        return f"{self.rate_plan.code} children up to {self.up_to_age}: {self.get_kind_display()}"

    def clean(self):
        if self.kind in (self.Kind.FREE, self.Kind.ADULT):
            if self.value is not None:
                raise ValidationError({"value": "A free band or one priced as an adult takes no value."})
        elif self.value is None:
            raise ValidationError({"value": "Give the amount or the percentage."})
        elif self.kind == self.Kind.PERCENT and self.value > 100:
            raise ValidationError({"value": "A percentage is at most 100."})
        if self.rate_plan_id and self.rate_plan.parent_id:
            raise ValidationError("Child prices belong to the base plan; a derived plan follows its parent's.")


class RateOverride(models.Model):
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="overrides")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="rate_overrides")
    date = models.DateField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["rate_plan", "room_type", "date"], name="uniq_rate_override")]

    def __str__(self):
        return f"{self.rate_plan.code} {self.room_type.code} {self.date}: {self.amount}"


class Tax(models.Model):
    """A tax the hotel charges: a percentage of room revenue or an amount per room or per person.

    It applies to the stay nights inside its validity (`valid_from`..`valid_until`, empty: open), only to the
    first `max_nights` nights of a stay when capped, and exempts children younger than `exempt_under_age` (a
    child whose age is not given counts as exempt). The rules live in pricing/engine/taxes.py.
    """

    class Kind(models.TextChoices):
        PERCENT = "PERCENT", "Percentage of room revenue"
        PER_NIGHT = "PER_NIGHT", "Flat amount per room per night"
        PER_STAY = "PER_STAY", "Flat amount per room per stay"
        PER_PERSON_PER_NIGHT = "PER_PERSON_PER_NIGHT", "Amount per person per night (city tax)"

    class Base(models.TextChoices):
        NET = "NET", "Room revenue after discounts"
        GROSS = "GROSS", "Room revenue at the undiscounted rate"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="taxes")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.DecimalField(**MONEY, validators=[MinValueValidator(0)],
                                help_text="Percent for PERCENT, an amount otherwise")
    base = models.CharField(max_length=5, choices=Base.choices, default=Base.NET,
                            help_text="For percentage taxes of a hotel whose prices exclude tax: which room revenue "
                                      "is taxed (a hotel whose prices include tax taxes what the guest pays)")
    exempt_under_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(18)],
        help_text="Children younger than this pay nothing (a child whose age was not given counts as exempt); "
                  "a percentage or per-room tax is then charged on the taxable guests' share of the room. "
                  "Empty: every guest pays")
    max_nights = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Only the first N nights of a stay are taxed (Berlin: 21); empty: every night")
    valid_from = models.DateField(null=True, blank=True,
                                  help_text="The first stay night taxed at this rate; empty: open")
    valid_until = models.DateField(null=True, blank=True,
                                   help_text="The last stay night taxed at this rate; empty: open. A rate change is "
                                             "a second tax valid from the day after")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "taxes"
        ordering = ["hotel", "name"]
        constraints = [models.CheckConstraint(
            condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
            name="tax_validity_ordered")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "The validity ends before it starts."})
        if self.kind == self.Kind.PERCENT and self.value is not None and self.value > 100:
            raise ValidationError({"value": "A percentage is at most 100."})

    def applies_on(self, night) -> bool:
        """Whether a stay night is inside this tax's validity."""
        return (self.valid_from is None or night >= self.valid_from) and \
            (self.valid_until is None or night <= self.valid_until)


class Fee(models.Model):
    class Kind(models.TextChoices):
        PER_NIGHT = "PER_NIGHT", "Per room per night"
        PER_STAY = "PER_STAY", "Per room per stay"
        PER_GUEST_PER_NIGHT = "PER_GUEST_PER_NIGHT", "Per guest per night"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["hotel", "name"]

    def __str__(self):
        return self.name


class Promotion(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "PERCENT", "Percentage off room revenue"
        AMOUNT = "AMOUNT", "Amount off the stay"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="promotions")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.DecimalField(**MONEY)
    stay_start = models.DateField(null=True, blank=True)
    stay_end = models.DateField(null=True, blank=True)
    book_start = models.DateField(null=True, blank=True)
    book_end = models.DateField(null=True, blank=True)
    min_nights = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    rate_plans = models.ManyToManyField(RatePlan, blank=True, related_name="promotions",
                                        help_text="Offered only on these plans (none chosen: on every plan)")
    room_types = models.ManyToManyField(RoomType, blank=True, related_name="promotions",
                                        help_text="Only for these room types (none chosen: for every room type)")
    combines_with_plan_discounts = models.BooleanField(
        default=True, help_text="Also on derived (member) plans such as AAA, on top of their discount; "
                                "off: offered on base plans only")
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many bookings may use it in all (a cancelled or expired booking "
                                         "gives its use back); empty: no cap")
    is_public = models.BooleanField(
        default=False, help_text="A public deal: the guest search applies it without a code and shows the price "
                                 "before it, struck through")

    class Meta:
        ordering = ["hotel", "code"]
        constraints = [models.UniqueConstraint(fields=["hotel", "code"], name="uniq_promo_code_per_hotel")]

    def __str__(self):
        return self.code


class Extra(models.Model):
    """Something the guest may add to a stay: breakfast, parking, an airport transfer.

    What it comes to: price x quantity, x the party (per person kinds), x the nights (per night kinds); rounded
    once (pricing/engine/extras.py). The hotel's percentage taxes apply to it unless it is tax-exempt; flat and
    per-person taxes are about rooms and guests, not extras.
    """

    class Kind(models.TextChoices):
        PER_STAY = "PER_STAY", "Per stay"
        PER_NIGHT = "PER_NIGHT", "Per night"
        PER_PERSON = "PER_PERSON", "Per person, once per stay"
        PER_PERSON_PER_NIGHT = "PER_PERSON_PER_NIGHT", "Per person per night"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="extras")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=25, choices=Kind.choices)
    price = models.DecimalField(**MONEY, validators=[MinValueValidator(0)],
                                help_text="Per unit: per stay, night, person or person-night as its kind says")
    tax_exempt = models.BooleanField(default=False, help_text="The hotel's percentage taxes do not apply to it")
    max_quantity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)],
        help_text="How many a booking may take (cars for parking, trips for a transfer); per person kinds "
                  "count the party on top")
    is_active = models.BooleanField(default=True, help_text="Offered to guests; off: no new booking takes it")

    class Meta:
        ordering = ["hotel", "code"]
        constraints = [models.UniqueConstraint(fields=["hotel", "code"], name="uniq_extra_code_per_hotel")]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def per_person(self) -> bool:
        return self.kind in (self.Kind.PER_PERSON, self.Kind.PER_PERSON_PER_NIGHT)

    @property
    def per_night(self) -> bool:
        return self.kind in (self.Kind.PER_NIGHT, self.Kind.PER_PERSON_PER_NIGHT)
