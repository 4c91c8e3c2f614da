"""Reads for pricing: everything a quote needs, in a fixed number of queries whatever the stay or room types."""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects

from hotelbooking.errors import UnknownPromoCode, UnknownRatePlan
from inventory.models import Hotel

from .engine import PricingContext, validate_promotion
from .models import CancellationTier, ChildAgeBand, Extra, Fee, Promotion, Rate, RateOverride, RatePlan, Tax


def rate_plan_get(*, hotel: Hotel, code: str | None) -> RatePlan:
    """The named active plan, or the hotel's first active base plan (BAR) when none is named."""
    plans = (RatePlan.objects.filter(hotel=hotel, is_active=True)
             .select_related("parent", "cancellation_policy")
             .prefetch_related(Prefetch("cancellation_policy__tiers", queryset=CancellationTier.objects.all())))
    code = (code or "").strip()
    if code:
        # A NUL byte can match no code, and PostgreSQL refuses it in a query: answer "unknown", not a crash.
        plan = None if "\x00" in code else next((p for p in plans.filter(code__iexact=code)), None)
        if plan is None:
            raise UnknownRatePlan(f"{hotel.name} has no rate plan {code}.", rate_plan=code)
        return plan
    plan = plans.filter(parent__isnull=True).order_by("code").filter(code="BAR").first() or \
        plans.filter(parent__isnull=True).order_by("code").first()
    if plan is None:
        raise UnknownRatePlan(f"{hotel.name} has no rate plan on sale.")
    return plan


# Reservation statuses (bookings.models.Status) that give a promotion's use back: pricing does not import bookings.
USE_GIVEN_BACK = ("CANCELLED", "EXPIRED")


def _promotions():
    """Promotions with what validate_promotion needs: their plans and room types, and `uses_count`, the bookings
    that hold a use (every one not cancelled or expired)."""
    return (Promotion.objects
            .annotate(uses_count=Count("reservations", filter=~Q(reservations__status__in=USE_GIVEN_BACK)))
            .prefetch_related("rate_plans", "room_types"))


def promotion_get(*, hotel: Hotel, code: str | None) -> Promotion | None:
    code = (code or "").strip()
    if not code:
        return None
    promo = None if "\x00" in code else _promotions().filter(hotel=hotel, code__iexact=code).first()
    if promo is None:
        raise UnknownPromoCode(f"{code} is not a valid promotion code.", promo_code=code)
    return promo


def public_deal_get(*, hotel: Hotel, rate_plan: RatePlan, check_in: date, check_out: date,
                    booked_on: date) -> Promotion | None:
    """The public deal the guest search applies without a code: the first (by code) valid for this stay and plan."""
    for promo in _promotions().filter(hotel=hotel, is_public=True, is_active=True).order_by("code"):
        try:
            validate_promotion(promo, check_in=check_in, check_out=check_out, booked_on=booked_on,
                               rate_plan=rate_plan)
        except UnknownPromoCode:
            continue
        return promo
    return None


def public_deals_list(*, hotel: Hotel) -> list[Promotion]:
    """The hotel's public deals in the order public_deal_get tries them, loaded once (for several plans or dates)."""
    return list(_promotions().filter(hotel=hotel, is_public=True, is_active=True).order_by("code"))


def public_deal_for(deals: list[Promotion], *, rate_plan: RatePlan, check_in: date, check_out: date,
                    booked_on: date) -> Promotion | None:
    """public_deal_get over deals already loaded: the first valid for this stay and plan."""
    for promo in deals:
        try:
            validate_promotion(promo, check_in=check_in, check_out=check_out, booked_on=booked_on,
                               rate_plan=rate_plan)
        except UnknownPromoCode:
            continue
        return promo
    return None


def pricing_context_load(*, hotel: Hotel, rate_plan: RatePlan, room_type_ids, check_in: date, check_out: date,
                         promotion: Promotion | None = None) -> PricingContext:
    base = rate_plan.base_plan
    if promotion is not None:  # a booking's own promotion (a modification) comes without them: load them once
        prefetch_related_objects([promotion], "rate_plans", "room_types")
    seasons: dict[int, list[Rate]] = defaultdict(list)
    for rate in (Rate.objects.filter(rate_plan=base, room_type_id__in=list(room_type_ids),
                                     start_date__lte=check_out, end_date__gte=check_in)
                 .order_by("-start_date", "-id")):
        seasons[rate.room_type_id].append(rate)
    overrides = {
        (o.room_type_id, o.date): o.amount
        for o in RateOverride.objects.filter(rate_plan=base, room_type_id__in=list(room_type_ids),
                                             date__gte=check_in, date__lt=check_out)
    }
    return PricingContext(
        hotel=hotel, rate_plan=rate_plan, policy_snapshot=rate_plan.cancellation_policy.snapshot(),
        seasons=dict(seasons), overrides=overrides,
        taxes=list(Tax.objects.filter(hotel=hotel, is_active=True).order_by("name", "id")),
        fees=list(Fee.objects.filter(hotel=hotel, is_active=True).order_by("name", "id")),
        promotion=promotion,
        child_bands=list(ChildAgeBand.objects.filter(rate_plan=base).order_by("up_to_age")),
        **_extras_of(hotel, rate_plan),
    )


def _extras_of(hotel: Hotel, rate_plan: RatePlan) -> dict:
    """The hotel's extras by code and those the plan includes, in one query."""
    included = RatePlan.included_extras.through.objects.filter(rateplan_id=rate_plan.pk, extra_id=OuterRef("pk"))
    extras = list(Extra.objects.filter(hotel=hotel).annotate(in_plan=Exists(included)).order_by("code"))
    return {"extras": {e.code.upper(): e for e in extras}, "included_extras": [e for e in extras if e.in_plan]}


def extras_list(*, hotel: Hotel, on_sale_only: bool = True) -> list[Extra]:
    """The hotel's extras by code, for the guest pages to offer (on sale only, unless a booking holds one)."""
    extras = Extra.objects.filter(hotel=hotel).order_by("code")
    return list(extras.filter(is_active=True) if on_sale_only else extras)
