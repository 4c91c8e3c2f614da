"""Time the availability search: 20 room types over 14 nights, on a throwaway database.

    SECRET_KEY=x .venv/bin/python bench/search.py [--requests 300] [--room-types 20] [--nights 14]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hb_bench SECRET_KEY=x .venv/bin/python bench/search.py

SQLite: a temporary file database. DATABASE_URL: a test database (test_<name>) created and dropped, as the
test runner does. Prints median and p95 per request for the search service, the API and the guest page.
"""

import argparse
import statistics
import sys
from datetime import timedelta
from decimal import Decimal

from harness import database_label, p95, throwaway_database, timed


def build(room_types: int, nights: int):
    from inventory.models import Hotel, Room, RoomType
    from inventory.services import inventory_open
    from pricing.models import CancellationPolicy, CancellationTier, Fee, Promotion, Rate, RatePlan, Tax
    from pricing.search import hotel_today

    hotel = Hotel.objects.create(code="BENCH", brand_code="GH", name="Bench Hotel", address="1 Bench St",
                                 timezone="America/New_York", currency="USD")
    policy = CancellationPolicy.objects.create(hotel=hotel, name="Flexible 24-Hour", description="24 hours")
    CancellationTier.objects.create(policy=policy, hours_before=24, penalty_percent=Decimal("100"))
    bar = RatePlan.objects.create(hotel=hotel, code="BAR", name="Best Available Rate", cancellation_policy=policy)
    RatePlan.objects.create(hotel=hotel, code="AAA", name="AAA", cancellation_policy=policy, parent=bar,
                            derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("10"))
    Tax.objects.create(hotel=hotel, name="Room tax", kind=Tax.Kind.PERCENT, value=Decimal("12"), base=Tax.Base.GROSS)
    Tax.objects.create(hotel=hotel, name="Occupancy", kind=Tax.Kind.PER_NIGHT, value=Decimal("2"))
    Fee.objects.create(hotel=hotel, name="Resort fee", kind=Fee.Kind.PER_NIGHT, amount=Decimal("15"))
    Promotion.objects.create(hotel=hotel, code="SAVE10", name="Save", kind=Promotion.Kind.PERCENT,
                             value=Decimal("10"))
    today = hotel_today(hotel)
    number = 100
    for i in range(room_types):
        rt = RoomType.objects.create(hotel=hotel, code=f"RT-{i:02d}", name=f"Room type {i}", max_adults=3,
                                     max_children=2, max_occupancy=4, sort_order=i)
        for _ in range(1 + i % 5):
            number += 1
            Room.objects.create(hotel=hotel, room_type=rt, number=str(number))
        base = Decimal(150 + 7 * i)
        # Two overlapping seasons per room type, so the engine has to pick.
        for name, start, end, bump in (("All year", today - timedelta(days=30), today + timedelta(days=400), 0),
                                       ("Peak", today + timedelta(days=5), today + timedelta(days=12), 40)):
            w = base + bump
            Rate.objects.create(rate_plan=bar, room_type=rt, name=name, start_date=start, end_date=end,
                                monday=w, tuesday=w, wednesday=w, thursday=w, friday=w, saturday=w + 30,
                                sunday=w + 10)
    inventory_open(hotel=hotel, start=today, end=today + timedelta(days=nights + 30))
    return hotel, today + timedelta(days=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per path (at least 2)")
    parser.add_argument("--room-types", type=int, default=20)
    parser.add_argument("--nights", type=int, default=14)
    args = parser.parse_args()
    args.requests = max(2, args.requests)

    with throwaway_database() as connection:
        from django.conf import settings
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings

        from pricing.search import hotel_get, search_availability, stay_validate

        hotel, check_in = build(args.room_types, args.nights)
        check_out = check_in + timedelta(days=args.nights)
        params = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "adults": "2",
                  "rate_plan": "AAA", "promo_code": "SAVE10"}

        def service():
            h = hotel_get("BENCH")
            stay = stay_validate(hotel=h, check_in=params["check_in"], check_out=params["check_out"],
                                 adults=params["adults"])
            return search_availability(hotel=h, stay=stay, rate_plan_code="AAA", promo_code="SAVE10")

        client = Client()
        no_throttle = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_search": None, "api_key": None}}
        with override_settings(REST_FRAMEWORK=no_throttle):
            def api():
                r = client.get("/api/v1/hotels/BENCH/availability", params)
                assert r.status_code == 200, r.content[:300]
                return r

            def page():
                r = client.get("/search/", {**params, "hotel": "BENCH"})
                assert r.status_code == 200
                return r

            assert len(service().results) == args.room_types
            assert len(api().json()["room_types"]) == args.room_types
            rows = []
            for label, fn in (("search service", service), ("GET /api/v1/hotels/{code}/availability", api),
                              ("GET /search/ (guest page)", page)):
                with CaptureQueriesContext(connection) as q:
                    fn()
                queries = len(q.captured_queries)  # read now: the next request clears the log
                samples = timed(args.requests, fn, warm=min(10, args.requests))
                rows.append((label, statistics.median(samples), p95(samples), queries))

        print(f"{args.room_types} room types x {args.nights} nights, {args.requests} requests each, "
              f"database: {database_label(connection)}, Python {sys.version.split()[0]}")
        print(f"{'path':42} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
        for label, med, p, queries in rows:
            print(f"{label:42} {med:10.2f} {p:10.2f} {queries:8d}")

if __name__ == "__main__":
    main()
