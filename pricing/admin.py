"""Rate plans, seasonal rates and overrides, taxes, fees, promotions and cancellation policies."""

from django.contrib import admin

from hotelbooking.hotel_admin import HotelScoped

from .models import CancellationPolicy, CancellationTier, Fee, Promotion, Rate, RateOverride, RatePlan, Tax


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
              "friday", "saturday", "sunday")
    show_change_link = True


@admin.register(RatePlan)
class RatePlanAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("code", "name", "hotel", "parent", "derivation", "derivation_value", "cancellation_policy",
                    "guarantee", "deposit_summary", "min_stay", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "is_active", "derivation", "guarantee")
    list_select_related = ("hotel", "parent", "cancellation_policy")
    search_fields = ("code", "name")
    inlines = [RateInline]

    def get_inlines(self, request, obj):
        # A derived plan prices off its parent's rates: rates of its own would never be used.
        return [] if obj is not None and obj.parent_id else self.inlines

    fieldsets = (
        (None, {"fields": ("hotel", "code", "name", "description", "cancellation_policy", "min_stay",
                           "is_active")}),
        ("Derived plan", {"fields": ("parent", "derivation", "derivation_value"),
                          "description": "Leave empty for a base plan with its own rates; "
                                         "AAA = BAR less 10%: parent BAR, percentage, 10."}),
        ("Payment", {"fields": ("guarantee", "deposit_kind", "deposit_percent", "balance_due_days"),
                     "description": "What is charged when. Prepay: the whole stay at booking. Deposit: the first "
                                    "night or a percentage at booking, the balance N days before arrival (or at "
                                    "check-in when empty). Card guarantee: nothing charged, the card covers late "
                                    "cancellation and no-show penalties. Pay at the hotel: no card. The deposit "
                                    "fields are for deposit plans only."}),
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


@admin.register(Rate)
class RateAdmin(HotelScoped, BasePlanOnly, admin.ModelAdmin):
    hotel_path = "rate_plan__hotel"
    list_display = ("rate_plan", "room_type", "name", "start_date", "end_date", "monday", "tuesday",
                    "wednesday", "thursday", "friday", "saturday", "sunday")
    list_filter = ("rate_plan__hotel", "rate_plan", "room_type")
    list_select_related = ("rate_plan", "room_type")
    date_hierarchy = "start_date"
    search_fields = ("name", "room_type__code", "rate_plan__code")


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
    list_display = ("name", "hotel", "kind", "value", "base", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_active")
    list_select_related = ("hotel",)


@admin.register(Fee)
class FeeAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("name", "hotel", "kind", "amount", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_active")
    list_select_related = ("hotel",)


@admin.register(Promotion)
class PromotionAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("code", "name", "hotel", "kind", "value", "stay_start", "stay_end", "book_start", "book_end",
                    "min_nights", "is_active")
    list_editable = ("is_active",)
    list_filter = ("hotel", "kind", "is_active")
    list_select_related = ("hotel",)
    search_fields = ("code", "name")
