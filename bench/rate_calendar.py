"""Time the rates calendar: a 20 room types x 31 nights page, and a bulk edit of 20 x 365 cells, on a throwaway
database.

    SECRET_KEY=x .venv/bin/python bench/rate_calendar.py [--requests 30] [--room-types 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hb_bench SECRET_KEY=x .venv/bin/python bench/rate_calendar.py

SQLite: a temporary file database. DATABASE_URL: a test database (test_<name>) created and dropped, as the
test runner does. Prints median and p95 for the selector, the whole admin page (logged in, rendered), and the
apply and undo of a year of prices and of minimum stays, with the SQL queries each makes.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

from harness import database_label, p95, throwaway_database, timed


def build(room_types: int):
    from inventory.models import Hotel, Room, RoomType
    from inventory.services import inventory_open
    from pricing.models import CancellationPolicy, Rate, RatePlan

    hotel = Hotel.objects.create(code="BENCH", brand_code="GH", name="Bench Hotel", address="1 Bench St",
                                 timezone="America/New_York", currency="USD")
    policy = CancellationPolicy.objects.create(hotel=hotel, name="Flexible", description="24 hours")
    bar = RatePlan.objects.create(hotel=hotel, code="BAR", name="Best Available Rate", cancellation_policy=policy)
    RatePlan.objects.create(hotel=hotel, code="AAA", name="AAA", cancellation_policy=policy, parent=bar,
                            derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("10"))
    today = hotel.today()
    number = 100
    for i in range(room_types):
        rt = RoomType.objects.create(hotel=hotel, code=f"RT-{i:02d}", name=f"Room type {i}", sort_order=i)
        for _ in range(1 + i % 5):
            number += 1
            Room.objects.create(hotel=hotel, room_type=rt, number=str(number))
        base = Decimal(150 + 7 * i)
        for name, start, end, bump in (("All year", today - timedelta(days=30), today + timedelta(days=400), 0),
                                       ("Peak", today + timedelta(days=5), today + timedelta(days=12), 40)):
            w = base + bump
            Rate.objects.create(rate_plan=bar, room_type=rt, name=name, start_date=start, end_date=end,
                                monday=w, tuesday=w, wednesday=w, thursday=w, friday=w, saturday=w + 30,
                                sunday=w + 10)
    inventory_open(hotel=hotel, start=today, end=today + timedelta(days=400))
    return hotel, today, bar


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="timed page loads (at least 2)")
    parser.add_argument("--edits", type=int, default=5, help="timed apply + undo pairs per kind (at least 2)")
    parser.add_argument("--room-types", type=int, default=20)
    args = parser.parse_args()

    with throwaway_database() as connection:
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from inventory.models import RoomType
        from ratecalendar.models import CalendarEdit
        from ratecalendar.selectors import rate_calendar
        from ratecalendar.services import EditRequest, edit_apply, edit_undo

        hotel, today, bar = build(args.room_types)
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password-1")
        client = Client()
        client.force_login(user)
        url = f"/admin/ratecalendar/calendaredit/hotel/{hotel.pk}/?start={today.isoformat()}"

        def selector():
            return rate_calendar(hotel=hotel, start=today)

        def page():
            r = client.get(url)
            assert r.status_code == 200, r.status_code
            return r

        rows = []
        for label, fn, n in ((f"selector ({args.room_types} x 31)", selector, args.requests),
                             ("GET the calendar page (rendered)", page, args.requests)):
            with CaptureQueriesContext(connection) as q:
                fn()
            queries = len(q.captured_queries)
            samples = timed(max(2, n), fn)
            rows.append((label, statistics.median(samples), p95(samples), queries))

        ids = tuple(RoomType.objects.filter(hotel=hotel).values_list("pk", flat=True))
        start = today + timedelta(days=1)
        year = dict(start=start, end=start + timedelta(days=364), weekdays=frozenset(range(7)), room_type_ids=ids)
        for label, request in (
                ("apply: prices +3%", EditRequest(**year, rate_plan_ids=(bar.pk,), action="PRICE_PERCENT", value="3")),
                ("apply: minimum stay 2", EditRequest(**year, rate_plan_ids=(), action="MIN_STAY", value="2"))):
            applied, undone, queries = [], [], {}
            for _ in range(max(2, args.edits)):
                with CaptureQueriesContext(connection) as q:
                    t0 = time.perf_counter()
                    edit = edit_apply(hotel=hotel, request=request, user=user)
                    applied.append((time.perf_counter() - t0) * 1000)
                queries["apply"] = len(q.captured_queries)
                with CaptureQueriesContext(connection) as q:
                    t0 = time.perf_counter()
                    edit_undo(hotel=hotel, edit_id=edit.pk, user=user)
                    undone.append((time.perf_counter() - t0) * 1000)
                queries["undo"] = len(q.captured_queries)
            cells = CalendarEdit.objects.get(pk=edit.pk).cell_count
            rows.append((f"{label} ({cells} cells)", statistics.median(applied), p95(applied), queries["apply"]))
            rows.append(("  and its undo", statistics.median(undone), p95(undone), queries["undo"]))

        print(f"{args.room_types} room types, {args.requests} page loads, {args.edits} edits of each kind, "
              f"database: {database_label(connection)}, Python {sys.version.split()[0]}")
        print(f"{'what':42} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
        for label, med, p, queries in rows:
            print(f"{label:42} {med:10.1f} {p:10.1f} {queries:8d}")

if __name__ == "__main__":
    main()
