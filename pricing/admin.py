"""Rate plans, seasonal rates and overrides, taxes, fees, promotions and cancellation policies."""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, Q, Subquery

from hotelbooking.hotel_admin import HotelScoped

from .models import (
    CancellationPolicy,
    CancellationTier,
    ChildAgeBand,
    Extra,
    Fee,
    Promotion,
    Rate,
    RateOverride,
    RatePlan,
    Tax,
)
from .selectors import USE_GIVEN_BACK


class CancellationTierInline(HotelScoped, admin.TabularInline):
    hotel_path = "policy__hotel"
    model = CancellationTier
    extra = 1
    fields = ("hours_before", "penalty_percent", "penalty_nights")


@admin.register(CancellationPolicy)
class CancellationPolicyAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("name", "hotel", "description", "tier_summary", "no_show_penalty_percent",
                    "no_show_penalty_nights")
    list_filter = ("hotel",)
    list_select_related = ("hotel",)
    search_fields = ("name", "description")
    inlines = [CancellationTierInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    @admin.display(description="Tiers")
    def tier_summary(self, obj):
        return "; ".join(str(t) for t in obj.tiers.all()) or "Always free"


class RateInline(HotelScoped, admin.TabularInline):
    hotel_path = "rate_plan__hotel"
    model = Rate
    extra = 0
    fields = ("room_type", "name", "start_date", "end_date", "monday", "tuesday", "wednesday", "thursday",
              "friday", "saturday", "sunday", "occupancy")
    readonly_fields = ("occupancy",)
    show_change_link = True

    @admin.display(description="Occupancy (set on the season)")
    def occupancy(self, obj):
        return occupancy_summary(obj)


def occupancy_summary(rate: Rate) -> str:
    """The season's occupancy terms in a few words, e.g. "2 adults; +40.00 an extra adult; 20.00 off single"."""
    if rate is None or rate.pk is None or rate.base_occupancy is None:
        return "Whoever stays"
    parts = [f"{rate.base_occupancy} adult{'s' if rate.base_occupancy != 1 else ''}"]
    if rate.extra_adult_amount:
        parts.append(f"+{rate.extra_adult_amount:.2f} an extra adult")
    if rate.single_occupancy_discount:
        parts.append(f"{rate.single_occupancy_discount:.2f} off single")
    return "; ".join(parts)


OCCUPANCY_HELP = ("The nightly prices are for the included adults. Each adult beyond them (a child in a band "
                  "priced as an adult counts as one) adds the extra-adult amount per night; one adult alone has "
                  "the single discount taken off. Leave the included adults empty to price the room whoever stays. "
                  "A rate override changes the nightly price only: these terms stay the season's. Derived plans "
                  "(AAA = BAR less 10%) discount the whole price, what the party adds included.")


class ChildAgeBandInline(HotelScoped, admin.TabularInline):
    hotel_path = "rate_plan__hotel"
    model = ChildAgeBand
    extra = 0
    fields = ("up_to_age", "kind", "value")
    verbose_name = "child price by age"
    verbose_name_plural = "child prices by age"


CHILD_BANDS_HELP = ("Child prices by age (below, with the seasons): each band runs from the end of the previous one, "
                    "e.g. up to 2: free; up to 11: 25.00 a night; up to 17: as an adult. A child older than every "
                    "band is priced as an adult; one whose age is not given, by the oldest band not priced as an "
                    "adult. No bands: children stay at no charge. The seasons set the included adults, the extra "
                    "adult and the single price. Plans derived from this one use its child prices.")


class RatePlanForm(forms.ModelForm):
    # Optional in the form, public when left out: a plan saved without it (an older form) stays public.
    visibility = forms.ChoiceField(choices=RatePlan.Visibility.choices, required=False,
                                   initial=RatePlan.Visibility.PUBLIC)

    class Meta:
        model = RatePlan
        fields = ("visibility", "access_code")  # the admin adds the rest from its fieldsets

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or RatePlan.Visibility.PUBLIC


@admin.register(RatePlan)
class RatePlanAdmin(HotelScoped, admin.ModelAdmin):
    form = RatePlanForm
    list_display = ("code", "name", "hotel", "parent", "derivation", "derivation_value", "cancellation_policy",
                    "guarantee", "deposit_summary", "min_stay", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "is_active", "derivation", "guarantee", "visibility")
    list_select_related = ("hotel", "parent", "cancellation_policy")
    search_fields = ("code", "name")
    filter_horizontal = ("included_extras",)
    inlines = [RateInline, ChildAgeBandInline]

    def get_inlines(self, request, obj):
        # A derived plan prices off its parent's rates and child prices: its own would never be used.
        return [] if obj is not None and obj.parent_id else self.inlines

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A derived plan follows its parent's occupancy and child prices: nothing of its own to explain.
        return [f for f in fieldsets if f[0] != "Occupancy and children"] if obj and obj.parent_id else fieldsets

    fieldsets = (
        (None, {"fields": ("hotel", "code", "name", "description", "cancellation_policy", "min_stay",
                           "early_departure_fee", "is_active")}),
        ("Included", {"fields": ("included_extras",),
                      "description": "Extras the plan's price includes (bed and breakfast): guests see them at "
                                     "0.00, marked included."}),
        ("Derived plan", {"fields": ("parent", "derivation", "derivation_value"),
                          "description": "Leave empty for a base plan with its own rates; "
                                         "AAA = BAR less 10%: parent BAR, percentage, 10."}),
        ("Payment", {"fields": ("guarantee", "deposit_kind", "deposit_percent", "balance_due_days"),
                     "description": "What is charged when. Prepay: the whole stay at booking. Deposit: the first "
                                    "night or a percentage at booking, the balance N days before arrival (or at "
                                    "check-in when empty). Card guarantee: nothing charged, the card covers late "
                                    "cancellation and no-show penalties. Pay at the hotel: no card. The deposit "
                                    "fields are for deposit plans only."}),
        ("Who sees it", {"fields": ("visibility", "access_code"),
                         "description": "Public plans are shown in every guest search; member and code-only "
                                        "plans only to a guest who enters the access code."}),
        ("Occupancy and children", {"fields": (), "description": CHILD_BANDS_HELP}),
    )

    @admin.display(description="Deposit")
    def deposit_summary(self, obj):
        if obj.guarantee != RatePlan.Guarantee.DEPOSIT:
            return "—"
        what = "First night" if obj.deposit_kind == RatePlan.DepositKind.FIRST_NIGHT else \
            f"{obj.deposit_percent.normalize():f}%"
        when = "at check-in" if obj.balance_due_days is None else f"{obj.balance_due_days} days before arrival"
        return f"{what}, balance {when}"


class BasePlanOnly:
    """Rates and overrides belong to base plans; derived plans follow their parent."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rate_plan":
            kwargs["queryset"] = RatePlan.objects.filter(parent__isnull=True).select_related("hotel")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _later_overlapping(field: str):
    """The first season of the same plan and room type that overlaps this one and wins over it (Rate.OVERLAP_RULE:
    it starts later, or the same day and was saved later)."""
    return Subquery(Rate.objects.filter(
        rate_plan=OuterRef("rate_plan"), room_type=OuterRef("room_type"), start_date__lte=OuterRef("end_date"),
        end_date__gte=OuterRef("start_date"))
        .filter(Q(start_date__gt=OuterRef("start_date")) | Q(start_date=OuterRef("start_date"), pk__gt=OuterRef("pk")))
        .order_by("start_date", "pk").values(field)[:1])


@admin.register(Rate)
class RateAdmin(HotelScoped, BasePlanOnly, admin.ModelAdmin):
    """Seasons, with the overlap rule shown on every page and, per season, the later season that wins over it."""

    hotel_path = "rate_plan__hotel"
    list_display = ("rate_plan", "room_type", "name", "start_date", "end_date", "monday", "tuesday",
                    "wednesday", "thursday", "friday", "saturday", "sunday", "overlap")
    list_filter = ("rate_plan__hotel", "rate_plan", "room_type")
    list_select_related = ("rate_plan", "room_type")
    date_hierarchy = "start_date"
    search_fields = ("name", "room_type__code", "rate_plan__code")
    fieldsets = (
        (None, {"fields": ("rate_plan", "room_type", "name", ("start_date", "end_date"))}),
        ("Nightly price by weekday", {"fields": (("monday", "tuesday", "wednesday", "thursday"),
                                                 ("friday", "saturday", "sunday"))}),
        ("Occupancy", {"fields": ("base_occupancy", "extra_adult_amount", "single_occupancy_discount"),
                       "description": OCCUPANCY_HELP}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            beaten_by=_later_overlapping("name"), beaten_from=_later_overlapping("start_date"))

    @admin.display(description="Where seasons overlap")
    def overlap(self, obj):
        if obj.beaten_from is None:
            return "wins on all its nights"
        name = f"“{obj.beaten_by}”" if obj.beaten_by else "a later season"
        return f"gives way to {name} from {obj.beaten_from:%Y-%m-%d}"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": Rate.OVERLAP_RULE})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url,
                                       {**(extra_context or {}), "subtitle": Rate.OVERLAP_RULE})


@admin.register(RateOverride)
class RateOverrideAdmin(HotelScoped, BasePlanOnly, admin.ModelAdmin):
    hotel_path = "rate_plan__hotel"
    list_display = ("date", "rate_plan", "room_type", "amount")
    list_editable = ("amount",)
    list_filter = ("rate_plan__hotel", "rate_plan", "room_type")
    list_select_related = ("rate_plan", "room_type")
    date_hierarchy = "date"


@admin.register(Tax)
class TaxAdmin(HotelScoped, admin.ModelAdmin):
    """Taxes: a rate that changes on a date is a second tax, valid from that day (the first ends the day before)."""

    list_display = ("name", "hotel", "kind", "value", "base", "exempt_under_age", "max_nights", "valid_from",
                    "valid_until", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_active")
    list_select_related = ("hotel",)
    fieldsets = (
        (None, {"fields": ("hotel", "name", "kind", "value", "base", "is_active")}),
        ("Who and which nights", {
            "fields": ("exempt_under_age", "max_nights", ("valid_from", "valid_until")),
            "description": "A city tax: e.g. 5.00 per person per night, children under 18 exempt, the first 21 "
                           "nights. Whether the rates include the percentage taxes is the hotel's setting "
                           "(prices include tax)."}),
    )


@admin.register(Extra)
class ExtraAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("code", "name", "hotel", "kind", "price", "max_quantity", "tax_exempt", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_active")
    list_select_related = ("hotel",)
    search_fields = ("code", "name")


@admin.register(Fee)
class FeeAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("name", "hotel", "kind", "amount", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_active")
    list_select_related = ("hotel",)


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = ("hotel", "code", "name", "kind", "value", "is_active", "is_public", "book_start", "book_end",
                  "stay_start", "stay_end", "min_nights", "rate_plans", "room_types", "combines_with_plan_discounts",
                  "max_uses")

    def clean(self):
        data = super().clean()
        hotel = data.get("hotel")
        for name in ("rate_plans", "room_types"):
            others = [o for o in data.get(name) or () if hotel is not None and o.hotel_id != hotel.pk]
            if others:
                self.add_error(name, f"{', '.join(o.code for o in others)}: of another hotel.")
        return data


@admin.register(Promotion)
class PromotionAdmin(HotelScoped, admin.ModelAdmin):
    form = PromotionForm
    list_display = ("code", "name", "hotel", "kind", "value", "stay_start", "stay_end", "book_start", "book_end",
                    "min_nights", "applies_to", "combines_with_plan_discounts", "uses", "is_public", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_public", "combines_with_plan_discounts", "is_active")
    list_select_related = ("hotel",)
    search_fields = ("code", "name")
    filter_horizontal = ("rate_plans", "room_types")
    fieldsets = (
        (None, {"fields": ("hotel", "code", "name", "kind", "value", "is_active", "is_public")}),
        ("When", {"fields": (("book_start", "book_end"), ("stay_start", "stay_end"), "min_nights")}),
        ("What it applies to", {"fields": ("rate_plans", "room_types", "combines_with_plan_discounts",
                                           "max_uses")}),
    )

    def get_queryset(self, request):
        return (super().get_queryset(request).prefetch_related("rate_plans", "room_types")
                .annotate(uses_count=Count("reservations", filter=~Q(reservations__status__in=USE_GIVEN_BACK))))

    @admin.display(description="Plans / room types")
    def applies_to(self, obj):
        plans = ", ".join(p.code for p in obj.rate_plans.all()) or "every plan"
        types = ", ".join(t.code for t in obj.room_types.all()) or "every room type"
        return f"{plans}; {types}"

    @admin.display(description="Used", ordering="uses_count")
    def uses(self, obj):
        return f"{obj.uses_count} of {obj.max_uses}" if obj.max_uses is not None else str(obj.uses_count)
