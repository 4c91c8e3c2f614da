from datetime import time, timedelta
from decimal import Decimal

import pytest

from bookings.models import OutboxEvent, Payment, Status
from bookings.payments import TestGateway
from frontdesk.models import FolioLine, NightAuditRun, NightAuditSchedule
from frontdesk.selectors import folio_get
from frontdesk.services import night_audits_run_due, stay_check_in, stay_check_out
from frontdesk.tasks import run_due_night_audits
from inventory.models import InventoryDay
from pricing.models import CancellationPolicy

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_night_no_show(nyc):
    """The hotel's policy, changed before booking: a no-show pays the first night."""
    CancellationPolicy.objects.filter(hotel=nyc).update(no_show_penalty_nights=1)


def test_no_show_waits_for_the_audit_time_in_new_york(first_night_no_show, seed_stay, next_friday):
    saturday = next_friday + timedelta(days=1)
    with at(saturday, 2, 59):  # 07:59 UTC: already Saturday in UTC, but New York's audit time has not come
        run_due_night_audits()
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CONFIRMED
    assert not NightAuditRun.objects.filter(business_date=next_friday).exists()

    with at(saturday, 3, 1):
        assert run_due_night_audits() == [f"NYC {next_friday}"]
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.NO_SHOW
    # Policy: the first night (170.10 + 22.68 tax + 15.00 fee) is kept, the rest of the 664.14 refunded.
    penalty = FolioLine.objects.get(reservation=seed_stay, kind="PENALTY")
    assert penalty.amount == Decimal("207.78") and penalty.business_date == next_friday
    refund = Payment.objects.get(reservation=seed_stay, kind=Payment.Kind.REFUND)
    assert (refund.amount, refund.purpose) == (Decimal("456.36"), "NO_SHOW")
    assert folio_get(seed_stay).totals.balance == Decimal("0.00")
    assert not InventoryDay.objects.filter(room_type=seed_stay.room_type, sold__gt=0).exists()
    event = OutboxEvent.objects.get(name="ReservationNoShow")
    assert event.payload["penalty"] == "207.78" and event.payload["refunded"] == "456.36"
    run = NightAuditRun.objects.get(business_date=next_friday)
    assert run.no_shows == 1 and run.finished_at is not None

    with at(saturday, 3, 16):  # the next beat tick: the day is audited once only
        assert run_due_night_audits() == []
    assert NightAuditRun.objects.filter(business_date=next_friday).count() == 1
    assert Payment.objects.filter(reservation=seed_stay, kind=Payment.Kind.REFUND).count() == 1


def test_default_no_show_penalty_keeps_the_whole_prepaid_stay(seed_stay, next_friday):
    with at(next_friday + timedelta(days=1), 4):
        night_audits_run_due(gateway=TestGateway())
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.NO_SHOW
    assert FolioLine.objects.get(reservation=seed_stay, kind="PENALTY").amount == Decimal("664.14")
    assert not Payment.objects.filter(reservation=seed_stay, kind=Payment.Kind.REFUND).exists()


def test_the_audit_time_is_set_per_hotel(nyc, seed_stay, next_friday):
    NightAuditSchedule.objects.create(hotel=nyc, audit_time=time(23, 30))  # closes the same day
    with at(next_friday, 23, 29):
        night_audits_run_due(gateway=TestGateway())
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CONFIRMED
    with at(next_friday, 23, 31):
        night_audits_run_due(gateway=TestGateway())
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.NO_SHOW


def test_in_house_stays_get_each_night_posted_and_reconcile_at_check_out(seed_stay, next_friday):
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1202"])
    for day in range(1, 4):  # the audits of Friday, Saturday and Sunday nights
        with at(next_friday + timedelta(days=day), 3, 5):
            night_audits_run_due(gateway=TestGateway())
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_IN
    folio = folio_get(seed_stay)
    assert folio.totals.charges == Decimal("664.14") and folio.totals.balance == Decimal("0.00")
    assert [r.nights_posted for r in NightAuditRun.objects.order_by("business_date")] == [3, 3, 3]
    with at(next_friday + timedelta(days=3), 10):
        result = stay_check_out(confirmation_number=seed_stay.confirmation_number, gateway=TestGateway())
    assert result.folio.totals.balance == Decimal("0.00")
    assert Payment.objects.filter(reservation=seed_stay).count() == 1  # nothing more to charge


def test_declined_no_show_penalty_stays_open_on_the_folio(nyc, book, next_friday):
    from bookings.models import Reservation

    r = book(next_friday)
    # Pretend only half was paid upfront and the card on file now declines.
    Payment.objects.filter(reservation=r).update(amount=Decimal("300.00"), card_token="tok_decline_x")
    with at(next_friday + timedelta(days=1), 3, 30):
        night_audits_run_due(gateway=TestGateway())
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.NO_SHOW
    assert folio_get(r).totals.balance == Decimal("364.14")
    assert OutboxEvent.objects.get(name="ReservationNoShow").payload["outstanding"] == "364.14"


def test_night_audit_command(nyc, seed_stay, next_friday):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with at(next_friday + timedelta(days=1), 9):
        call_command("night_audit", hotel="NYC", date=next_friday.isoformat(), stdout=out)
        assert f"NYC {next_friday}: 1 no-shows" in out.getvalue()
        call_command("night_audit", hotel="NYC", date=next_friday.isoformat(), stdout=out)
        assert "already audited" in out.getvalue()


def test_night_audit_command_refuses_a_day_that_has_not_come(nyc, seed_stay, next_friday):
    """Auditing a future day by mistake would make guests who have not arrived yet no-shows and charge them."""
    from django.core.management import CommandError, call_command

    with at(next_friday - timedelta(days=1), 9):
        with pytest.raises(CommandError, match="has not ended"):
            call_command("night_audit", hotel="NYC", date=next_friday.isoformat())
        with pytest.raises(CommandError, match="XYZ"):
            call_command("night_audit", hotel="XYZ")
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CONFIRMED
    assert not NightAuditRun.objects.exists()


def test_no_show_in_a_hotel_east_of_utc_follows_its_own_clock(nyc, book, next_friday):
    """Tokyo is 9 hours ahead: Saturday 03:00 there is Friday 18:00 UTC, when the UTC date is still Friday."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    nyc.timezone = "Asia/Tokyo"
    nyc.save(update_fields=["timezone"])
    r = book(next_friday)
    saturday = next_friday + timedelta(days=1)
    tokyo = ZoneInfo("Asia/Tokyo")
    with time_machine.travel(datetime.combine(saturday, time(2, 59), tzinfo=tokyo), tick=False):
        assert run_due_night_audits() == [f"NYC {next_friday - timedelta(days=1)}"]
    r.refresh_from_db()
    assert r.status == Status.CONFIRMED
    with time_machine.travel(datetime.combine(saturday, time(3, 1), tzinfo=tokyo), tick=False):
        assert run_due_night_audits() == [f"NYC {next_friday}"]
        assert run_due_night_audits() == []  # once per business day
    r.refresh_from_db()
    assert r.status == Status.NO_SHOW
    assert NightAuditRun.objects.get(business_date=next_friday).no_shows == 1
