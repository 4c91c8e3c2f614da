"""An integrator's tools on the API as published: clients generated from the schema the live server serves.

openapi-python-client generates a Python package from /api/schema/ and the seed's flow runs with it against the
live test server (search, book 664.14, replay the same Idempotency-Key, extend to 871.92, cancel), the API key in
the X-Api-Key header; openapi-typescript generates TypeScript types and `tsc --noEmit --strict` compiles a minimal
booking against them (tests/ts/minimal_booking.ts). Every answer of the flow, and of the errors a client meets
(SOLD_OUT, PRICE_CHANGED, INVALID_DATES, 401, 404), is validated against the schema by openapi-core, strictly
(tests/schema_conformance.py). One generation of each per module.
"""

import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Payment, Reservation, Status
from inventory.models import Hotel, InventoryDay
from tests.factories import api_key_for
from tests.schema_conformance import Conformance

pytestmark = [pytest.mark.generated_clients, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "hotelbooking_api_client"  # the generated package's name (no other module may have it)
NY = ZoneInfo("America/New_York")
CARD = {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


# --- generation: once per module -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served_schema(live_server, django_db_blocker) -> dict:
    # Before any test's database: the server thread still opens each request by checking its connection.
    with django_db_blocker.unblock():
        response = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return response.json()


@pytest.fixture(scope="module")
def conformance(served_schema) -> Conformance:
    return Conformance(served_schema)


@pytest.fixture(scope="module")
def generated(served_schema, tmp_path_factory):
    """The Python client openapi-python-client makes from the served schema, importable as PACKAGE; with the
    generator's output (its warnings)."""
    folder = tmp_path_factory.mktemp("python_client")
    schema, config = folder / "schema.json", folder / "config.json"
    schema.write_text(json.dumps(served_schema))
    config.write_text(json.dumps({"project_name_override": PACKAGE, "package_name_override": PACKAGE,
                                  "post_hooks": []}))
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema), "--config", str(config),
         "--meta", "none", "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, timeout=300, cwd=folder)
    assert run.returncode == 0 and (folder / PACKAGE / "client.py").exists(), run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), run.stdout + run.stderr
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def api(generated):
    return generated[0]


def _module(api, name: str):
    return importlib.import_module(f"{api.__name__}.{name}")


# --- the seed's world --------------------------------------------------------------------------------------

@pytest.fixture
def friday() -> date:
    """The seed's Friday: the first one at least two days ahead in New York, so that cancelling the stay today is
    free (the Flexible 24-Hour policy frees it until Thursday 15:00), whatever day and hour it is."""
    today = timezone.now().astimezone(NY).date()
    ahead = (4 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 2 else ahead + 7)


@pytest.fixture
def seeded(live_server) -> Hotel:
    call_command("seed_demo", stdout=StringIO())
    return Hotel.objects.get(code="NYC")


@pytest.fixture
def exchanges() -> list[httpx.Response]:
    """Every answer the generated client got, in order (an httpx response hook)."""
    return []


def _client(api, live_server, exchanges, key: str):
    """The generated client as its README says to use it, with the key in the X-Api-Key header (no prefix)."""
    return api.AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="", auth_header_name="X-Api-Key",
        raise_on_unexpected_status=True,  # an undeclared status is an error, not a None
        timeout=httpx.Timeout(60), httpx_args={"event_hooks": {"response": [exchanges.append]}})


@pytest.fixture
def partner(api, live_server, seeded, exchanges):
    _, key = api_key_for(seeded, scope="partner")
    with _client(api, live_server, exchanges, key) as client:  # closed after the test: no connection left open
        yield client


def _assert_conform(conformance, exchanges, *, unauthenticated=()):
    """Every exchange conforms; those in `unauthenticated` deliberately lack credentials (their request is not
    one the schema allows, and their answer must still be the one it declares)."""
    assert exchanges, "no exchange recorded"
    problems = [p for r in exchanges
                for p in conformance.problems(r, check_request=r not in unauthenticated)]
    assert problems == [], "\n".join(problems)


def _booking_body(api, friday, **changes):
    """The seed's booking (John Smith, Deluxe King, AAA, Friday to Monday) as the generated client's model."""
    m = api.models
    fields = dict(
        hotel="NYC", room_type="DELUXE-KING", rate_plan="AAA", check_in=friday, check_out=friday + timedelta(days=3),
        adults=2, guest=m.GuestInputRequest(first_name="John", last_name="Smith", email="john.smith@example.com"),
        payment=m.PaymentInputRequest(**CARD), special_requests="High floor, please")
    fields.update(changes)
    return m.BookingCreateInputRequest(**fields)


# --- the tests ---------------------------------------------------------------------------------------------

def test_the_generated_python_client_imports_whole(generated):
    """Every module the generator wrote imports (none may fail on a name it forgot); it skipped nothing but the
    channel endpoint, which takes XML (no JSON client is expected for it). The invoice PDF's operation is
    generated; only its binary body is left unparsed (the caller reads the response's bytes)."""
    api, output = generated
    broken = []
    for module in pkgutil.walk_packages(api.__path__, prefix=api.__name__ + "."):
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # collected and reported below, each with its module
            broken.append(f"{module.name}: {type(exc).__name__}: {exc}")
    assert broken == []
    warned = [line for line in output.splitlines() if line.startswith("WARNING parsing")]
    pdf = "WARNING parsing GET /api/v1/reservations/{confirmation_number}/invoices/{number}/pdf within invoices."
    assert all("/api/v1/channels/" in line or line == pdf for line in warned), output
    if pdf in warned:
        assert "Unsupported content_type application/pdf" in output
    _module(api, "api.invoices.invoice_pdf").sync_detailed  # noqa: B018 (generated, not skipped)


def test_the_seed_flow_runs_with_the_generated_python_client(api, partner, friday, exchanges, conformance):
    monday, tuesday = friday + timedelta(days=3), friday + timedelta(days=4)
    hotel_availability = _module(api, "api.search.hotel_availability")
    booking_create = _module(api, "api.bookings.booking_create")
    booking_retrieve = _module(api, "api.bookings.booking_retrieve")
    booking_modify = _module(api, "api.bookings.booking_modify")
    booking_cancel = _module(api, "api.bookings.booking_cancel")

    # The guest searches: the Deluxe King on AAA, Friday to Monday, 664.14.
    found = hotel_availability.sync_detailed("NYC", client=partner, check_in=friday, check_out=monday, adults=2,
                                             rate_plan="AAA")
    assert found.status_code == 200
    offer = next(r for r in found.parsed.room_types if r.code == "DELUXE-KING")
    p = offer.pricing
    assert (p.currency, p.subtotal, p.discount, p.room_total, p.taxes, p.fees, p.total) == (
        "USD", "607.00", "-60.70", "546.30", "72.84", "45.00", "664.14")
    assert [n.rate for n in p.nightly_rates] == ["189.00", "219.00", "199.00"]

    # Books it at the price shown, with an Idempotency-Key.
    body = _booking_body(api, friday, expected_total=p.total)
    booked = booking_create.sync_detailed(client=partner, body=body, idempotency_key="seed-flow-1")
    assert booked.status_code == 201, booked.content
    b = booked.parsed
    number = b.confirmation_number
    assert booked.headers["Location"] == f"/api/v1/bookings/{number}"
    assert (b.status, b.guest_name, b.room_type.code, b.rate_plan.code, b.special_requests) == (
        "CONFIRMED", "John Smith", "DELUXE-KING", "AAA", "High floor, please")
    assert (b.pricing.room_total, b.pricing.taxes, b.pricing.fees, b.pricing.grand_total, b.pricing.total) == (
        "546.30", "72.84", "45.00", "664.14", "664.14")
    assert [(d.kind, d.code, d.amount) for d in b.pricing.discounts] == [("RATE_PLAN", "AAA", "-60.70")]
    assert (b.payment.status, b.payment.last_four, b.payment.amount) == ("COMPLETED", "4242", "664.14")

    # The same request again (a retry after a lost answer): the same booking, charged once.
    replay = booking_create.sync_detailed(client=partner, body=body, idempotency_key="seed-flow-1")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.parsed.confirmation_number == number and replay.parsed.pricing.grand_total == "664.14"
    assert Reservation.objects.count() == 1
    assert Payment.objects.filter(reservation__confirmation_number=number, kind="CHARGE").count() == 1

    # Extends to Tuesday: the booked nights keep their prices, Monday adds 170.10; 207.78 more is charged.
    changed = booking_modify.sync_detailed(number, client=partner,
                                           body=api.models.PatchedModificationInputRequest(check_out=tuesday))
    assert changed.status_code == 200, changed.content
    br = changed.parsed.pricing_breakdown
    assert (br.previous_total, br.new_total, br.difference) == ("664.14", "871.92", "207.78")
    assert (changed.parsed.payment.action, changed.parsed.payment.amount) == ("CHARGED", "207.78")

    read = booking_retrieve.sync_detailed(number, client=partner)
    assert read.status_code == 200
    r = read.parsed
    assert (r.status, r.check_out, r.pricing.grand_total, r.payment.amount) == (
        "CONFIRMED", tuesday, "871.92", "871.92")
    assert [n.rate for n in r.pricing.nightly_rates] == ["189.00", "219.00", "199.00", "189.00"]
    assert (r.pricing.subtotal, r.pricing.discount, r.pricing.room_total) == ("796.00", "-79.60", "716.40")

    # Cancels, two days or more before arrival: free, all 871.92 back to the card.
    cancelled = booking_cancel.sync_detailed(
        number, client=partner, body=api.models.CancelInputRequest(reason="Change of travel plans"))
    assert cancelled.status_code == 200, cancelled.content
    c = cancelled.parsed
    assert (c.status, c.financial.penalty_amount, c.financial.refund_amount) == ("CANCELLED", "0.00", "871.92")
    again = booking_retrieve.sync_detailed(number, client=partner)
    assert (again.parsed.status, again.parsed.payment.status, again.parsed.payment.amount) == (
        "CANCELLED", "REFUNDED", "0.00")
    assert Reservation.objects.get(confirmation_number=number).status == Status.CANCELLED

    assert [(x.request.method, x.status_code) for x in exchanges] == [
        ("GET", 200), ("POST", 201), ("POST", 201), ("PATCH", 200), ("GET", 200), ("POST", 200), ("GET", 200)]
    _assert_conform(conformance, exchanges)


def test_the_errors_a_client_meets_are_the_ones_the_schema_declares(api, partner, seeded, friday, exchanges,
                                                                     conformance, live_server):
    monday, sunday = friday + timedelta(days=3), friday + timedelta(days=2)
    hotel_availability = _module(api, "api.search.hotel_availability")
    booking_create = _module(api, "api.bookings.booking_create")
    booking_retrieve = _module(api, "api.bookings.booking_retrieve")

    # INVALID_DATES: check-out before check-in.
    dates = hotel_availability.sync_detailed("NYC", client=partner, check_in=monday, check_out=friday)
    assert dates.status_code == 400 and dates.parsed.error.code == "INVALID_DATES"

    # PRICE_CHANGED: the guest was shown 600.00; nothing is booked, the new quote comes back.
    stale = booking_create.sync_detailed(client=partner, body=_booking_body(api, friday, expected_total="600.00"))
    assert stale.status_code == 409, stale.content
    error = stale.parsed.error
    assert error.code == "PRICE_CHANGED" and json.loads(stale.content)["error"]["new_total"] == "664.14"

    # SOLD_OUT: Sunday is full.
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=sunday).update(sold=5)
    full = booking_create.sync_detailed(client=partner, body=_booking_body(api, friday))
    assert full.status_code == 409 and full.parsed.error.code == "SOLD_OUT"
    assert json.loads(full.content)["error"]["date"] == sunday.isoformat()
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0

    # 404: no such booking.
    missing = booking_retrieve.sync_detailed("GH-NYC-2099010100001", client=partner)
    assert missing.status_code == 404 and missing.parsed.error.code == "RESERVATION_NOT_FOUND"

    # 401: a wrong key, and no key at all.
    with _client(api, live_server, exchanges, "not-a-key.at-all") as stranger:
        wrong = booking_retrieve.sync_detailed("GH-NYC-2099010100001", client=stranger)
    assert wrong.status_code == 401 and wrong.parsed.error.code == "AUTHENTICATION_REQUIRED"
    with api.Client(base_url=live_server.url, raise_on_unexpected_status=True, timeout=httpx.Timeout(60),
                    httpx_args={"event_hooks": {"response": [exchanges.append]}}) as anonymous:
        nobody = booking_retrieve.sync_detailed("GH-NYC-2099010100001", client=anonymous)
    assert nobody.status_code == 401 and nobody.parsed.error.code == "AUTHENTICATION_REQUIRED"

    assert [x.status_code for x in exchanges] == [400, 409, 409, 404, 401, 401]
    _assert_conform(conformance, exchanges, unauthenticated=[exchanges[-1]])

    # The check has teeth: the same 404 with a field its schema does not list, or with a status the operation
    # does not declare, does not conform.
    body = json.loads(missing.content)
    extra = httpx.Response(404, json={"error": {**body["error"], "hint": "try again"}}, request=exchanges[3].request)
    assert any("'hint' was unexpected" in p for p in conformance.problems(extra))
    teapot = httpx.Response(418, json=body, request=exchanges[3].request)
    assert conformance.problems(teapot) != []


# --- TypeScript ----------------------------------------------------------------------------------------------

def _node_tool(name: str) -> str | None:
    """A tool `make install` put in node_modules (npm ci, pinned by package-lock.json); never a global one."""
    path = ROOT / "node_modules" / ".bin" / name
    return str(path) if path.exists() and shutil.which("node") else None


def test_typescript_types_generated_from_the_schema_compile_a_minimal_booking(served_schema, tmp_path):
    generate, tsc = _node_tool("openapi-typescript"), _node_tool("tsc")
    if not (generate and tsc):
        message = "node, or openapi-typescript and tsc in node_modules, missing: run `make install` (npm ci)"
        if os.environ.get("REQUIRE_TS_CLIENT") == "1":
            pytest.fail(message + " (REQUIRE_TS_CLIENT=1)")
        pytest.skip(message)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(served_schema))
    made = subprocess.run([generate, str(schema), "--output", str(tmp_path / "hotelbooking-api.ts")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    shutil.copy(ROOT / "tests" / "ts" / "minimal_booking.ts", tmp_path)
    checked = subprocess.run(
        [tsc, "--noEmit", "--strict", "--target", "ES2022", "--module", "ES2022", "--moduleResolution", "bundler",
         "minimal_booking.ts"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

