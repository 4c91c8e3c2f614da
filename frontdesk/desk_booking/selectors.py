"""What the desk booking page reads: every room type with its rooms left and its price for a stay (sold out and
restricted types shown with the reason, not hidden), and the guest search. Reads only."""

from dataclasses import dataclass

from django.db.models import Q

from bookings.models import Guest
from hotelbooking.errors import DomainError, RestrictionViolated
from hotelbooking.permissions import staff_hotels
from inventory.models import Hotel, RoomType
from inventory.services import Availability, availability_for_room_types
from pricing.engine import Quote, quote_stay
from pricing.models import RatePlan
from pricing.search import Stay, child_ages_validate, hotel_today, stay_validate
from pricing.selectors import pricing_context_load, rate_plan_get

GUEST_RESULTS = 10


@dataclass
class RoomOffer:
    room_type: RoomType
    availability: Availability
    quote: Quote | None = None
    problem: str = ""  # why it cannot be booked (sold out, a restriction, the party, no rate)

    @property
    def rooms_left(self) -> int:
        return max(0, self.availability.available)

    @property
    def bookable(self) -> bool:
        return self.availability.bookable and self.quote is not None and not self.problem


@dataclass
class DeskOffers:
    stay: Stay
    rate_plan: RatePlan
    offers: list[RoomOffer]


def _unavailable(availability: Availability) -> str:
    if availability.available <= 0 and availability.restriction in (None, "STOP_SELL"):
        night = availability.constraining_date
        return "Sold out" + (f" on {night:%a %-d %b}" if night else "")
    return availability.message or availability.restriction or "Not available"


def desk_offers(*, hotel: Hotel, check_in, check_out, adults, children, rate_plan_code: str | None,
                child_ages=None) -> DeskOffers:
    """Every room type of the hotel for the stay, in the hotel's order, with what a booking would cost now on the
    plan: the same validation (INVALID_DATES, INVALID_PARTY, UNKNOWN_RATE_PLAN raise) and the same engine as
    booking_quote. A fixed number of queries whatever the number of room types."""
    stay = stay_validate(hotel=hotel, check_in=check_in, check_out=check_out, adults=adults, children=children)
    ages = child_ages_validate(stay.children, child_ages)
    rate_plan = rate_plan_get(hotel=hotel, code=rate_plan_code)
    room_types = list(RoomType.objects.filter(hotel=hotel).order_by("sort_order", "code"))
    availability = availability_for_room_types([rt.id for rt in room_types], stay.check_in, stay.check_out,
                                               hotel=hotel)
    ctx = pricing_context_load(hotel=hotel, rate_plan=rate_plan, room_type_ids=[rt.id for rt in room_types],
                               check_in=stay.check_in, check_out=stay.check_out, promotion=None)
    today = hotel_today(hotel)
    offers = []
    for rt in room_types:
        offer = RoomOffer(rt, availability[rt.id])
        if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
            offer.problem = RestrictionViolated(
                f"The {rate_plan.name} needs a stay of at least {rate_plan.min_stay} nights.").message
        try:
            offer.quote = quote_stay(ctx, room_type=rt, check_in=stay.check_in, check_out=stay.check_out,
                                     adults=stay.adults, children=stay.children, booked_on=today, child_ages=ages)
        except DomainError as exc:  # the party does not fit, or no rate is loaded on this plan
            offer.problem = offer.problem or exc.message
        if not offer.availability.bookable and not offer.problem:
            offer.problem = _unavailable(offer.availability)
        offers.append(offer)
    return DeskOffers(stay, rate_plan, offers)


def desk_rate_plans(hotel: Hotel) -> list[RatePlan]:
    return list(RatePlan.objects.filter(hotel=hotel, is_active=True).order_by("parent_id", "code"))


def guest_search(*, user, text: str, limit: int = GUEST_RESULTS) -> list[Guest]:
    """Guests who have booked at the user's hotels, by name, email or phone (the profile's or as booked).

    Guest profiles are the chain's, not a hotel's: a clerk finds only the guests with a reservation at a hotel
    they work at, never the whole chain's list.
    """
    text = (text or "").strip()
    if len(text) < 2 or "\x00" in text:
        return []
    words = text.split()
    match = Q()
    for word in words:
        match &= (Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
                  | Q(phone__icontains=word) | Q(reservations__guest_phone__icontains=word))
    mine = Guest.objects.filter(reservations__hotel__in=staff_hotels(user)).values("pk")
    return list(Guest.objects.filter(pk__in=mine).filter(pk__in=Guest.objects.filter(match).values("pk"))
                .order_by("last_name", "first_name", "pk")[:limit])


def guest_for_desk(*, user, guest_id) -> Guest | None:
    """A guest the user may see (one who booked at their hotels), for filling the form; None otherwise."""
    try:
        pk = int(guest_id)
    except (TypeError, ValueError):
        return None
    return Guest.objects.filter(pk=pk, reservations__hotel__in=staff_hotels(user)).distinct().first()
