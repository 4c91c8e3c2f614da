"""Guest search pages: the form, and the same page with every rate side by side, or other dates when sold out.
Thin: the search services do the work."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from hotelbooking.errors import DomainError, InvalidParty
from hotelbooking.money import round_money
from inventory.selectors import hotel_list, hotel_with_content, room_types_with_content

from .alternatives import SoldOutAdvice, sold_out_advice
from .cancellation import applicable_tier, non_refundable
from .forms import SearchForm
from .models import RatePlan
from .offers import RateOffer, RatesResponse, search_all_rates
from .search import hotel_get, room_count_validate, stay_validate

BOOK_URL = "/book/"
SEARCH_URL = "/search/"


def _public_plans() -> list[RatePlan]:
    return list(RatePlan.objects.filter(is_active=True, visibility=RatePlan.Visibility.PUBLIC).order_by("code"))


def _rate_plan_choices(plans: list[RatePlan]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for plan in plans:
        seen.setdefault(plan.code, plan.name)
    return list(seen.items())


def _min_nights(plans: list[RatePlan], chosen: str) -> int:
    """The stay the chosen plan needs, or the shortest any plan sells: the picker's hint."""
    chosen = (chosen or "").strip().upper()
    picked = [p for p in plans if p.code.upper() == chosen] or plans
    return min((p.min_stay or 1 for p in picked), default=1)


ACCESS_LABELS = {RatePlan.Visibility.MEMBER: gettext_lazy("Member rate"),
                 RatePlan.Visibility.CODE: gettext_lazy("Your code's rate")}


def _penalty_words(tier: dict | None) -> str:
    """What cancelling now costs, as the end of a sentence in the page's language ("100% of booking")."""
    if tier is None:
        return gettext("no penalty")
    if tier.get("penalty_nights"):
        n = tier["penalty_nights"]
        return ngettext("first %(n)s night", "first %(n)s nights", n) % {"n": n}
    pct = f"{Decimal(tier['penalty_percent']).normalize():f}"
    return gettext("%(percent)s%% of booking") % {"percent": pct}


def _names_or(names: list[str]) -> str:
    """"Deluxe King or Junior Suite" in the page's language."""
    return f" {gettext('or')} ".join(names)


def _offer(response: RatesResponse, room_type, offer: RateOffer, room_count: int = 1, child_ages=()) -> dict:
    """What one rate row shows, with its Book link carrying the whole search and the promotion it got (a
    typed code, or the public deal), so the book page prices it the same."""
    stay, quote, now = response.stay, offer.quote, timezone.now()
    query = {
        "hotel": response.hotel.code, "room_type": room_type.code, "rate_plan": offer.rate_plan.code,
        "check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(),
        "adults": stay.adults, "children": stay.children,
        "promo_code": quote.promotion.code if quote.promotion else "",
    }
    if room_count > 1:  # the book page prices that many rooms, each with this party until the guest changes it
        query["rooms"] = room_count
    if child_ages:  # given only with children: a link without them is the one it always was
        query["child_ages"] = ",".join(str(a) for a in child_ages)
    if not offer.rate_plan.opens_with(None):  # a member or code-only rate: the book page asks for its code too
        query["access_code"] = offer.rate_plan.access_code
    pricing = quote.as_dict()
    return {
        "rate_plan": offer.rate_plan,
        "access_label": ACCESS_LABELS.get(offer.rate_plan.visibility, ""),
        "per_night": f"{offer.per_night}",
        "nights": [{"date": n.date, "rate": row["rate"]}
                   for n, row in zip(quote.nights, pricing["nightly_rates"], strict=True)],
        "pricing": pricing,
        "has_discount": quote.discount != 0,
        "promotion": quote.promotion,
        "total_before_promotion": offer.without_promotion.as_dict()["total"] if offer.without_promotion else None,
        "policy": quote.policy_snapshot,
        "free_until": quote.free_until,
        "free_cancellation": quote.free_until is not None and quote.free_until > now,
        "non_refundable": non_refundable(quote.free_until, now),
        "penalty_now": _penalty_words(applicable_tier(quote.policy_snapshot, quote.check_in_at, now)),
        # Every room priced alike (the same party): the booking's total is this room's total, rounded, times N.
        "rooms_total": str(round_money(quote.total, quote.currency) * room_count) if room_count > 1 else None,
        "book_url": f"{BOOK_URL}?{urlencode(query)}",
        "payment_terms": offer.payment_terms,
    }


def _rooms(response: RatesResponse, room_count: int = 1, child_ages=()) -> list[dict]:
    """The room types with their offers; with several rooms asked, a type with fewer left says so (no Book)."""
    return [{"room_type": r.room_type, "available_rooms": r.availability.available,
             "too_few": r.availability.available < room_count,
             "offers": [_offer(response, r.room_type, o, room_count, child_ages) for o in r.offers]}
            for r in response.rooms]


def _ages_given(stay, ages: list[str]) -> list[str]:
    """The page asks each child's age (the API leaves them optional): INVALID_PARTY when none is given."""
    if stay.children and not ages:
        raise InvalidParty(gettext("Please give the age of each child (0 to 17): children are priced by age."),
                           field="child_ages")
    return ages


def _search_link(response: RatesResponse, params: dict, check_in, check_out) -> str:
    query = {**params, "hotel": response.hotel.code, "check_in": check_in.isoformat(),
             "check_out": check_out.isoformat()}
    return f"{SEARCH_URL}?{urlencode(query)}"


def _advice(response: RatesResponse, advice: SoldOutAdvice, params: dict) -> dict:
    """The sold-out block: the problem nights in words, the nearest dates and the calendar, each with a link."""
    fitting = {rt.id for rt, _ in response.unavailable} | {r.room_type.id for r in response.rooms}
    every_type_out = not response.rooms

    def day(d):
        best = d.cheapest
        return {"arrival": d.arrival, "check_out": d.check_out, "past": d.past, "asked": d.asked,
                "available": d.available, "total": str(best.quote.as_dict()["total"]) if best else None,
                "currency": response.hotel.currency, "room_types": d.room_types,
                "url": _search_link(response, params, d.arrival, d.check_out) if d.available else ""}

    problems = []
    for p in advice.problems:
        everyone = every_type_out and len(p.room_types) == len(fitting)
        problems.append({"date": p.date, "restriction": p.restriction, "message": p.message,
                         "room_types": p.room_types, "room_type_names": _names_or([rt.name for rt in p.room_types]),
                         "all_rooms": everyone})
    calendar = [[day(d) if d else None for d in week] for week in advice.weeks]
    cells = [cell for week in calendar for cell in week if cell]
    for i, cell in enumerate(cells):  # the month is named on the first day shown and on each 1st
        cell["first_of_month"] = i == 0 or cell["arrival"].day == 1
    sold_types = [{"room_type": rt, "nearest": [day(d) for d in advice.nearest_for(rt)]}
                  for rt, _ in response.unavailable]
    return {"problems": problems, "nearest": [day(d) for d in advice.nearest], "weeks": calendar,
            "sold_out_room_types": sold_types, "everything": every_type_out}


def search(request):
    """GET / shows the form; with a search in the query string it also lists every rate of every room type."""
    hotels = list(hotel_list())
    tomorrow = timezone.localdate() + timedelta(days=1)
    initial = {"hotel": hotels[0].code if hotels else "", "check_in": tomorrow.isoformat(),
               "check_out": (tomorrow + timedelta(days=1)).isoformat()}
    searched = "check_in" in request.GET or "hotel" in request.GET
    # "Update the children's ages" (for pages without our script): the form again, with one select per child.
    party_update = bool(request.GET.get("party_update"))
    data = None
    if searched:
        # A blank party means the service's defaults (1 adult, no children): show them rather than empty boxes.
        data = request.GET.copy()
        for name, default in (("adults", "1"), ("children", "0"), ("rooms", "1")):
            if not data.get(name, "").strip():
                data[name] = default
    chosen_code = (data or {}).get("hotel", initial["hotel"])
    chosen = next((h for h in hotels if h.code.lower() == str(chosen_code).strip().lower()), None) or \
        (hotels[0] if hotels else None)
    plans = _public_plans()
    form = SearchForm(data, initial=initial, hotels=hotels, rate_plans=_rate_plan_choices(plans),
                      today=chosen.today() if chosen else None,
                      min_nights=_min_nights([p for p in plans if chosen and p.hotel_id == chosen.id],
                                             (data or {}).get("rate_plan", "")))
    response, rooms, advice, room_count, ages = None, [], None, 1, []
    if searched and not party_update and form.is_valid():
        data = form.cleaned_data
        try:
            room_count = room_count_validate(data["rooms"])
            hotel = hotel_get(data["hotel"])
            stay = stay_validate(hotel=hotel, check_in=data["check_in"], check_out=data["check_out"],
                                 adults=data["adults"], children=data["children"])
            ages = _ages_given(stay, form.child_ages)
            response = search_all_rates(hotel=hotel, stay=stay, rate_plan_code=data["rate_plan"] or None,
                                        promo_code=data["promo_code"], access_code=data["access_code"],
                                        public_deals=True, child_ages=ages)
            if response.unavailable:
                found = sold_out_advice(
                    hotel=hotel, stay=stay, plans=response.plans, unavailable=response.unavailable,
                    room_types=[rt for rt, _ in response.unavailable] + [r.room_type for r in response.rooms],
                    promo_code=data["promo_code"], public_deals=True, child_ages=ages)
        except DomainError as error:
            form.add_domain_error(error)
            response = None
        else:
            rooms = _rooms(response, room_count, ages)
            room_types_with_content([room["room_type"] for room in rooms])   # photos, facts, amenities
            hotel_with_content(response.hotel)
            if response.unavailable:
                params = {k: data[k] for k in ("adults", "children", "rate_plan", "promo_code", "access_code")
                          if data[k]}
                if ages:
                    params["child_ages"] = ",".join(ages)
                advice = _advice(response, found, params)
    return render(request, "pricing/search.html",
                  {"form": form, "searched": searched, "response": response, "rooms": rooms, "advice": advice,
                   "room_count": room_count, "child_ages": ages})
