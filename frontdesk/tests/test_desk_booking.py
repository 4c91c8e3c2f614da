"""Staff booking at the desk: a clerk books a walk-in, a phone or an email guest from the console, with the same
booking service (and the same errors) as the API; a manager may override the price, with a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command

from bookings.models import Channel, Payment, Reservation, Status
from bookings.payments import TestGateway
from bookings.services import BookingRequest, GuestDetails, PriceOverride, booking_create, booking_quote
from frontdesk.models import PaymentLink
from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_OFFICE_MANAGER_GROUP
from hotelbooking.errors import OverrideNotAllowed, ValidationFailed
from hotelbooking.money import fmt
from inventory.models import InventoryDay
from pricing.search import hotel_today
from tests.factories import HotelFactory, ReservationFactory

pytestmark = pytest.mark.django_db
URL = "/admin/frontdesk/stay/book/"
CARD = {"card_number": TestGateway.SUCCEEDS, "exp_month": "12", "exp_year": "2030", "cvc": "123",
        "holder_name": "Ana Lopez"}


def _staff(name, hotel, group):
    if not Group.objects.filter(name=group).exists():  # a transactional test's flush removes the groups
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    hotel.staff.add(user)
    return user


@pytest.fixture
def clerk(nyc):
    return _staff("maria", nyc, FRONT_DESK_GROUP)


@pytest.fixture
def manager(nyc):
    return _staff("olga", nyc, FRONT_OFFICE_MANAGER_GROUP)


def _stay(nyc, check_in, check_out, **extra):
    return {"hotel": "NYC", "check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "adults": "2",
            "children": "0", "child_ages": "", "rate_plan": "BAR", "booked_how": "WALK_IN", **extra}


def _post(client, nyc, dates, *, room_type="DELUXE-KING", guarantee="AT_HOTEL", **extra):
    data = {**_stay(nyc, *dates), "room_type": room_type, "guarantee": guarantee, "first_name": "Ana",
            "last_name": "Lopez", "email": "ana@example.com", "phone": "+1 212 555 0101", "loyalty_number": "",
            "special_requests": "", "expected_total": "", "idempotency_key": "", **extra}
    return client.post(URL, data)


def _sold(nyc, room_type, day):
    return InventoryDay.objects.get(room_type__hotel=nyc, room_type__code=room_type, date=day).sold


def _quote(nyc, dates, room_type="DELUXE-KING", plan="BAR"):
    return booking_quote(hotel=nyc, room_type_code=room_type, rate_plan_code=plan, check_in=dates[0],
                         check_out=dates[1], adults=2, children=0)


def test_the_page_opens_on_a_walk_in_for_tonight_with_every_room_type_priced(client, clerk, nyc, tonight):
    client.force_login(clerk)
    InventoryDay.objects.filter(room_type__code="JUNIOR-SUITE", date=tonight[0]).update(sold=3)  # sold out
    page = client.get(URL)
    assert page.status_code == 200
    form, desk = page.context["stay_form"], page.context["desk"]
    assert (form["check_in"].value(), form["check_out"].value()) == (tonight[0].isoformat(), tonight[1].isoformat())
    assert form["booked_how"].value() == "WALK_IN"
    offers = {o.room_type.code: o for o in desk.offers}
    assert set(offers) == {"DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"}  # sold out shown, not hidden
    assert offers["DELUXE-KING"].rooms_left == 5 and offers["DELUXE-KING"].bookable
    assert offers["DELUXE-KING"].quote.total == _quote(nyc, tonight).total
    suite = offers["JUNIOR-SUITE"]
    assert not suite.bookable and suite.rooms_left == 0 and suite.problem.startswith("Sold out")
    assert "Sold out" in page.content.decode()
    assert "New booking" in client.get("/admin/frontdesk/stay/desk/").content.decode()


def test_a_walk_in_paying_at_the_hotel_is_confirmed_with_nothing_charged(client, clerk, nyc, tonight):
    client.force_login(clerk)
    before = _sold(nyc, "DELUXE-KING", tonight[0])
    quote = _quote(nyc, tonight)
    response = _post(client, nyc, tonight)
    assert response.status_code == 302
    r = Reservation.objects.get()
    assert response["Location"] == f"/admin/frontdesk/stay/book/{r.pk}/done/"
    assert r.status == Status.CONFIRMED
    assert r.grand_total == quote.total.quantize(Decimal("0.01"))
    assert _sold(nyc, "DELUXE-KING", tonight[0]) == before + 1
    assert Payment.objects.count() == 0
    assert (r.channel, r.source) == (Channel.WALK_IN, "Front desk (walk-in)")
    notes = list(r.status_changes.values_list("note", flat=True))
    assert "Front desk: pay at the hotel; no card taken" in notes
    assert r.status_changes.first().actor == "maria"
    # The terms say what the desk chose, whatever the plan's guarantee (BAR is prepaid): all of it at the hotel.
    assert r.payment_terms["guarantee"] == "PAY_AT_HOTEL" and r.payment_terms["due_now"] == "0.00"
    assert Decimal(r.payment_terms["due_later"]) == r.grand_total and r.payment_terms["card_required"] is False
    done = client.get(response["Location"])
    assert done.status_code == 200
    page = done.content.decode()
    assert r.confirmation_number in page and fmt(r.grand_total, "USD") in page and "0.00 USD" in page
    assert f'href="/admin/frontdesk/stay/{r.pk}/check-in/"' in page  # Check in now: a walk-in arriving today
    assert f'href="/admin/frontdesk/stay/{r.pk}/folio/"' in page


def test_a_phone_booking_by_card_takes_one_payment_of_what_the_plan_asks(client, clerk, nyc, tonight):
    client.force_login(clerk)
    quote = _quote(nyc, tonight)
    response = _post(client, nyc, tonight, guarantee="CARD", booked_how="PHONE", **CARD)
    assert response.status_code == 302
    r = Reservation.objects.get()
    assert r.status == Status.CONFIRMED and (r.channel, r.source) == (Channel.PHONE, "Front desk (phone)")
    payment = Payment.objects.get()
    assert payment.amount == quote.total.quantize(Decimal("0.01")) == r.grand_total  # BAR is prepaid
    assert payment.last_four == TestGateway.SUCCEEDS[-4:]
    page = client.get(response["Location"]).content.decode()
    assert fmt(r.grand_total, "USD") in page


def test_a_declined_card_books_nothing_and_keeps_what_was_typed_but_the_card(client, clerk, nyc, tonight):
    client.force_login(clerk)
    before = _sold(nyc, "DELUXE-KING", tonight[0])
    response = _post(client, nyc, tonight, guarantee="CARD", **{**CARD, "card_number": TestGateway.DECLINED})
    assert response.status_code == 200
    page = response.content.decode()
    assert "PAYMENT_FAILED" in page and 'value="Lopez"' in page
    assert TestGateway.DECLINED not in page and 'value="123"' not in page
    assert Reservation.objects.count() == 0 and _sold(nyc, "DELUXE-KING", tonight[0]) == before


def test_an_email_booking_with_a_payment_link_charges_nothing_and_emails_the_link(
        client, clerk, nyc, tonight, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, nyc, tonight, guarantee="LINK", booked_how="EMAIL")
    assert response.status_code == 302
    r = Reservation.objects.get()
    assert r.status == Status.CONFIRMED and r.source == "Front desk (email)" and Payment.objects.count() == 0
    link = PaymentLink.objects.get()
    assert (link.amount, link.sent_to, link.purpose) == (r.grand_total, "ana@example.com", "BALANCE")
    assert "Front desk: payment link to be emailed; nothing charged at booking" in \
        list(r.status_changes.values_list("note", flat=True))
    sent = [m for m in mail.outbox if m.to == ["ana@example.com"] and "Payment request" in m.subject]
    assert len(sent) == 1 and r.confirmation_number in sent[0].subject


def test_a_sold_out_room_type_says_sold_out_and_books_nothing(client, clerk, nyc, tonight):
    client.force_login(clerk)
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=tonight[0]).update(sold=5)
    chosen = client.get(URL + "?" + "&".join(f"{k}={v}" for k, v in _stay(nyc, *tonight).items())
                        + "&room_type=DELUXE-KING", follow=True)
    assert "Sold out" in chosen.content.decode() and chosen.context["form"] is None  # no form for it
    response = _post(client, nyc, tonight)
    assert response.status_code == 200
    page = response.content.decode()
    assert "SOLD_OUT" in page and "is sold out" in page and 'value="Lopez"' in page
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0


def test_the_last_room_taken_between_the_page_and_the_post_shows_the_services_sold_out(
        client, clerk, nyc, tonight, monkeypatch):
    client.force_login(clerk)
    from frontdesk.desk_booking import views

    real = views.booking_create

    def someone_else_first(**kw):
        InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=tonight[0]).update(sold=5)
        return real(**kw)

    monkeypatch.setattr(views, "booking_create", someone_else_first)
    response = _post(client, nyc, tonight)
    assert response.status_code == 200
    page = response.content.decode()
    assert "SOLD_OUT" in page and "sold out" in page and 'value="ana@example.com"' in page
    assert Reservation.objects.count() == 0


def test_a_clerk_of_another_hotel_cannot_book_here(client, nyc, tonight):
    other = HotelFactory(code="BOS")
    outsider = _staff("bob", other, FRONT_DESK_GROUP)
    client.force_login(outsider)
    assert client.get(URL + "?hotel=NYC").status_code == 404
    assert _post(client, nyc, tonight).status_code == 404
    assert Reservation.objects.count() == 0


def test_a_clerk_of_another_hotel_cannot_open_its_confirmation(client, clerk, nyc, tonight):
    client.force_login(clerk)
    _post(client, nyc, tonight)
    r = Reservation.objects.get()
    client.force_login(_staff("bob", HotelFactory(code="BOS"), FRONT_DESK_GROUP))
    assert client.get(f"/admin/frontdesk/stay/book/{r.pk}/done/").status_code == 404


def test_staff_without_the_book_permission_get_403(client, nyc, tonight):
    user = _staff("viewer", nyc, FRONT_DESK_GROUP)
    user.groups.clear()
    from django.contrib.auth.models import Permission
    user.user_permissions.add(Permission.objects.get(codename="view_stay"))
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert _post(client, nyc, tonight).status_code == 403
    assert Reservation.objects.count() == 0


def test_a_manager_overrides_the_price_per_night_taxes_and_fees_follow(client, manager, nyc, tonight):
    client.force_login(manager)
    dates = (tonight[0], tonight[0] + timedelta(days=3))
    original = _quote(nyc, dates)
    page = client.get(URL + "?" + "&".join(f"{k}={v}" for k, v in _stay(nyc, *dates).items())
                      + "&room_type=DELUXE-KING")
    assert "Price override" in page.content.decode()
    response = _post(client, nyc, dates, override_nightly="150.00", override_reason="Regular guest, GM approved")
    assert response.status_code == 302
    r = Reservation.objects.get()
    # 3 nights at 150.00 = 450.00; NYC room tax 12 % = 54.00; resort fee 15.00 a night = 45.00.
    assert (r.room_total, r.taxes, r.fees, r.grand_total) == (
        Decimal("450.00"), Decimal("54.00"), Decimal("45.00"), Decimal("549.00"))
    assert [n.rate for n in r.nights.order_by("date")] == [Decimal("150.00")] * 3
    record = r.price_override
    assert record["by"] == "olga" and record["reason"] == "Regular guest, GM approved"
    assert record["original_total"] == str(original.total.quantize(Decimal("0.01")))
    assert record["original_room_total"] == str(original.room_total.quantize(Decimal("0.01")))
    assert record["grand_total"] == "549.00" and record["nightly"] == "150.00" and record["at"]
    note = r.status_changes.order_by("at", "id").first().note
    assert "Price overridden by olga" in note and "Regular guest, GM approved" in note and "549.00" in note
    admin_page = client.get(f"/admin/bookings/reservation/{r.pk}/change/").content.decode()
    assert "Price overridden by olga" in admin_page  # the reservation's admin page, Price section
    assert f"total {fmt(original.total, 'USD')} -&gt; 549.00 USD" in admin_page


def test_a_manager_overrides_the_total_spread_over_the_nights_remainder_first(client, manager, nyc, tonight):
    client.force_login(manager)
    dates = (tonight[0], tonight[0] + timedelta(days=3))
    response = _post(client, nyc, dates, override_total="400.00", override_reason="Group rate")
    assert response.status_code == 302
    r = Reservation.objects.get()
    assert [n.rate for n in r.nights.order_by("date")] == [Decimal("133.34"), Decimal("133.33"), Decimal("133.33")]
    # 400.00 + 12 % (48.00) + 3 x 15.00 = 493.00
    assert (r.room_total, r.taxes, r.fees, r.grand_total) == (
        Decimal("400.00"), Decimal("48.00"), Decimal("45.00"), Decimal("493.00"))
    assert r.price_override["total"] == "400.00" and r.price_override["reason"] == "Group rate"


def test_an_override_without_a_reason_is_refused(client, manager, nyc, tonight):
    client.force_login(manager)
    response = _post(client, nyc, tonight, override_nightly="99.00", override_reason="")
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    assert Reservation.objects.count() == 0


def test_a_clerk_sees_no_override_and_a_forged_one_is_refused(client, clerk, nyc, tonight):
    client.force_login(clerk)
    page = client.get(URL + "?" + "&".join(f"{k}={v}" for k, v in _stay(nyc, *tonight).items())
                      + "&room_type=DELUXE-KING")
    assert page.status_code == 200 and "override_nightly" not in page.content.decode()
    before = _sold(nyc, "DELUXE-KING", tonight[0])
    response = _post(client, nyc, tonight, override_nightly="1.00", override_reason="friend")
    assert response.status_code == 200
    assert "Only a front office manager may override the price." in response.content.decode()
    assert Reservation.objects.count() == 0 and _sold(nyc, "DELUXE-KING", tonight[0]) == before


def test_the_service_refuses_an_override_from_an_api_caller_or_without_reason(nyc, clerk, manager, tonight):
    def request(reason="why"):
        return BookingRequest(hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="HOTEL",
                              check_in=tonight[0], check_out=tonight[1], adults=2, card=None,
                              guest=GuestDetails("A", "B", "a@example.com"),
                              price_override=PriceOverride(nightly=Decimal("100"), reason=reason))
    for actor in (None, clerk, "channel:BOOKING_COM"):
        with pytest.raises(OverrideNotAllowed) as refused:
            booking_create(request=request(), gateway=TestGateway(), actor=actor)
        assert refused.value.code == "OVERRIDE_NOT_ALLOWED"
    with pytest.raises(ValidationFailed):
        booking_create(request=request(reason="  "), gateway=TestGateway(), actor=manager)
    assert Reservation.objects.count() == 0
    booked = booking_create(request=request(), gateway=TestGateway(), actor=manager)
    assert booked.room_total == Decimal("100.00") and booked.price_override["by"] == "olga"


def test_the_guest_search_finds_this_hotels_guests_by_name_email_and_phone(client, clerk, nyc, tonight):
    from bookings.models import Guest

    mine = Guest.objects.create(first_name="Carla", last_name="Mendes", email="carla@example.com",
                                phone="+1 917 555 0199")
    ReservationFactory(hotel=nyc, guest=mine, room_type=nyc.room_types.first(),
                       rate_plan=nyc.rate_plans.get(code="BAR"))
    theirs = Guest.objects.create(first_name="Carla", last_name="Other", email="carla.other@example.com")
    ReservationFactory(guest=theirs)  # booked at another hotel only
    client.force_login(clerk)
    base = URL + "?" + "&".join(f"{k}={v}" for k, v in _stay(nyc, *tonight).items()) + "&room_type=DELUXE-KING"
    for text in ("Mendes", "carla@exa", "555 0199", "carla mendes"):
        found = client.get(base + f"&guest_q={text}").context["guests"]
        assert [g.pk for g in found] == [mine.pk], text
    assert theirs.pk not in [g.pk for g in client.get(base + "&guest_q=Carla").context["guests"]]
    filled = client.get(base + f"&guest={mine.pk}").context["form"]
    assert (filled["first_name"].value(), filled["email"].value()) == ("Carla", "carla@example.com")
    not_mine = client.get(base + f"&guest={theirs.pk}").context["form"]
    assert not_mine["email"].value() in (None, "")


def test_booking_a_known_guest_never_rewrites_their_profile(client, clerk, nyc, tonight):
    from bookings.models import Guest

    guest = Guest.objects.create(first_name="Ana", last_name="Lopez", email="ana@example.com", phone="111")
    client.force_login(clerk)
    _post(client, nyc, tonight, first_name="Anna", phone="999")
    guest.refresh_from_db()
    assert (guest.first_name, guest.phone) == ("Ana", "111")
    r = Reservation.objects.get()
    assert r.guest == guest and (r.guest_first_name, r.guest_phone) == ("Anna", "999")


def test_bad_input_never_breaks_the_page(client, clerk, nyc, tonight):
    client.force_login(clerk)
    assert "INVALID_DATES" in client.get(URL + "?check_in=yesterday&check_out=x").content.decode()
    past = (tonight[0] - timedelta(days=2), tonight[0] - timedelta(days=1))
    response = _post(client, nyc, past)
    assert response.status_code == 200 and "Check-in cannot be in the past." in response.content.decode()
    assert _post(client, nyc, tonight, adults="abc").status_code == 200
    assert _post(client, nyc, tonight, room_type="NOPE").status_code == 302
    assert _post(client, nyc, tonight, child_ages="x", children="1").status_code == 200
    assert Reservation.objects.count() == 0


from bookings.tests import stripe_setup  # noqa: E402

stripe_fake, stripe_on = stripe_setup.stripe_fake, stripe_setup.stripe_on


def test_with_stripe_on_the_card_goes_into_stripes_element_and_never_reaches_us(client, clerk, nyc, tonight,
                                                                                stripe_on):
    client.force_login(clerk)
    base = URL + "?" + "&".join(f"{k}={v}" for k, v in _stay(nyc, *tonight).items()) + "&room_type=DELUXE-KING"
    plain = client.get(base).content.decode()
    assert 'id="payment-element"' not in plain and "card_number" not in plain and 'id="card-page"' in plain
    card_page = client.get(base + "&guarantee=CARD")
    html = card_page.content.decode()
    assert 'id="payment-element"' in html and stripe_setup.PUBLISHABLE_KEY in html and "card_number" not in html
    refused = _post(client, nyc, tonight, guarantee="CARD", payment_method="pm_card_visa", **CARD)
    assert refused.status_code == 400 and "CARD_DATA_NOT_ACCEPTED" in refused.content.decode()
    assert "Card numbers are not accepted here" in refused.content.decode()
    assert TestGateway.SUCCEEDS not in refused.content.decode()
    assert stripe_on.requests == [] and Reservation.objects.count() == 0
    response = _post(client, nyc, tonight, guarantee="CARD", payment_method="pm_card_visa")
    assert response.status_code == 302
    r = Reservation.objects.get()
    assert r.status == Status.CONFIRMED and Payment.objects.get().amount == r.grand_total


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_booking_the_last_room_at_once_make_one_booking(nyc, tonight):
    """On PostgreSQL, through the page: the last Deluxe King tonight, two clerks, one moment."""
    import threading

    from django.db import connections
    from django.test import Client

    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=tonight[0]).update(sold=4)
    clerks = [_staff(f"clerk{i}", nyc, FRONT_DESK_GROUP) for i in range(2)]
    barrier, outcomes = threading.Barrier(2), [None, None]

    def run(i):
        try:
            client = Client()
            client.force_login(clerks[i])
            barrier.wait()
            outcomes[i] = _post(client, nyc, tonight, email=f"guest{i}@example.com", last_name=f"Number{i}")
        except BaseException as exc:  # every outcome is inspected below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    codes = sorted(getattr(o, "status_code", o) for o in outcomes)
    assert codes == [200, 302], outcomes
    refused = next(o for o in outcomes if o.status_code == 200).content.decode()
    assert "SOLD_OUT" in refused
    assert Reservation.objects.count() == 1
    assert _sold(nyc, "DELUXE-KING", tonight[0]) == 5


def test_tonight_is_the_hotels_tonight_late_in_the_evening_when_utc_is_already_tomorrow(client, clerk, nyc):
    from .conftest import at

    day = hotel_today(nyc) + timedelta(days=1)
    with at(day, 23, 30):  # 04:30 UTC the next day; New York's business day is still `day`
        client.force_login(clerk)
        form = client.get(URL).context["stay_form"]
        assert (form["check_in"].value(), form["check_out"].value()) == (
            day.isoformat(), (day + timedelta(days=1)).isoformat())
        response = _post(client, nyc, (day, day + timedelta(days=1)))
        assert response.status_code == 302
        done = client.get(response["Location"]).content.decode()
    r = Reservation.objects.get()
    assert r.check_in == day and r.status == Status.CONFIRMED and "check-in-now" in done


def test_a_double_click_on_book_books_once(client, clerk, nyc, tonight):
    client.force_login(clerk)
    first = _post(client, nyc, tonight, idempotency_key="k" * 32)
    again = _post(client, nyc, tonight, idempotency_key="k" * 32)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Reservation.objects.count() == 1


def test_without_send_payment_link_the_link_is_not_offered_nor_taken(client, clerk, nyc, tonight):
    from django.contrib.auth.models import Permission

    for perm in Permission.objects.filter(codename="add_reservation") | Permission.objects.filter(
            group__name=FRONT_DESK_GROUP).exclude(codename="send_payment_link"):
        clerk.user_permissions.add(perm)
    clerk.groups.clear()
    client.force_login(clerk)
    page = client.get(URL + "?" + "&".join(f"{k}={v}" for k, v in _stay(nyc, *tonight).items())
                      + "&room_type=DELUXE-KING")
    assert [c for c, _ in page.context["form"].fields["guarantee"].choices] == ["AT_HOTEL", "CARD"]
    response = _post(client, nyc, tonight, guarantee="LINK")
    assert response.status_code == 200 and "guarantee" in response.context["form"].errors
    assert Reservation.objects.count() == 0 and PaymentLink.objects.count() == 0


def test_a_booking_paid_at_the_hotel_changes_without_any_card(client, clerk, nyc, tonight):
    """Longer by a night: the difference is settled at the desk too; no card is asked for and nothing charged."""
    from bookings.modifications import ModificationRequest, reservation_modify
    from bookings.tests.faulty_gateway import FaultyGateway

    client.force_login(clerk)
    assert _post(client, nyc, tonight).status_code == 302
    r = Reservation.objects.get()
    gateway = FaultyGateway()
    result = reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                                request=ModificationRequest(check_out=tonight[1] + timedelta(days=1)))
    r.refresh_from_db()
    assert r.status == Status.CONFIRMED and r.check_out == tonight[1] + timedelta(days=1)
    assert result.plan.settled_at_hotel and gateway.calls == []
    assert Payment.objects.count() == 0
