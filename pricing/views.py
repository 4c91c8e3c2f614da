"""Guest search pages: the form, and the same page with results. Thin: the search service does the work."""

from datetime import timedelta
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone

from hotelbooking.errors import DomainError
from inventory.selectors import hotel_list

from .forms import SearchForm
from .models import RatePlan
from .search import SearchResponse, hotel_get, search_availability, stay_validate

BOOK_URL = "/book/"


def _rate_plan_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, name in RatePlan.objects.filter(is_active=True).order_by("code").values_list("code", "name"):
        seen.setdefault(code, name)
    return list(seen.items())


def _offers(response: SearchResponse) -> list[dict]:
    """What each result card shows, with its Book link carrying the whole search and the promotion it got (a
    typed code, or the public deal), so the book page prices it the same."""
    stay = response.stay
    offers = []
    for r in response.results:
        query = {
            "hotel": response.hotel.code, "room_type": r.room_type.code, "rate_plan": response.rate_plan.code,
            "check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(),
            "adults": stay.adults, "children": stay.children,
            "promo_code": r.quote.promotion.code if r.quote.promotion else "",
        }
        pricing = r.quote.as_dict()
        offers.append({
            "room_type": r.room_type,
            "available_rooms": r.availability.available,
            "nights": [{"date": n.date, "rate": row["rate"]}
                       for n, row in zip(r.quote.nights, pricing["nightly_rates"], strict=True)],
            "pricing": pricing,
            "has_discount": r.quote.discount != 0,
            "promotion": r.quote.promotion,
            "total_before_promotion": r.without_promotion.as_dict()["total"] if r.without_promotion else None,
            "policy": r.quote.policy_snapshot,
            "free_until": r.quote.free_until,
            "free_cancellation": r.quote.free_until is not None and r.quote.free_until > timezone.now(),
            "book_url": f"{BOOK_URL}?{urlencode(query)}",
            "payment_terms": r.payment_terms,
        })
    return offers


def search(request):
    """GET / shows the form; with a search in the query string it also lists the offers."""
    hotels = list(hotel_list())
    tomorrow = timezone.localdate() + timedelta(days=1)
    initial = {"hotel": hotels[0].code if hotels else "", "check_in": tomorrow.isoformat(),
               "check_out": (tomorrow + timedelta(days=1)).isoformat()}
    searched = "check_in" in request.GET or "hotel" in request.GET
    data = None
    if searched:
        # A blank party means the service's defaults (1 adult, no children): show them rather than empty boxes.
        data = request.GET.copy()
        for name, default in (("adults", "1"), ("children", "0")):
            if not data.get(name, "").strip():
                data[name] = default
    form = SearchForm(data, initial=initial, hotels=hotels,
                      rate_plans=_rate_plan_choices())
    response, offers = None, []
    if searched and form.is_valid():
        data = form.cleaned_data
        try:
            hotel = hotel_get(data["hotel"])
            stay = stay_validate(hotel=hotel, check_in=data["check_in"], check_out=data["check_out"],
                                 adults=data["adults"], children=data["children"])
            response = search_availability(hotel=hotel, stay=stay, rate_plan_code=data["rate_plan"],
                                           promo_code=data["promo_code"], public_deals=True)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            offers = _offers(response)
    return render(request, "pricing/search.html",
                  {"form": form, "searched": searched, "response": response, "offers": offers})
