"""A local stand-in for api.stripe.com, speaking Stripe's wire format, for the real `stripe` client to talk to.

It keeps PaymentIntents, SetupIntents, Customers and Refunds in memory, honours Idempotency-Key as Stripe does
(the same key and parameters replay the first answer; other parameters give 400 idempotency_error), knows
Stripe's test PaymentMethod ids, and can be told to misbehave once: answer late (after doing the work), 429, 500.
Object and error shapes follow Stripe's API reference (PaymentIntent, SetupIntent, Refund, error object).
"""

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from werkzeug import Request, Response

# Stripe's test PaymentMethods: id -> (brand, last4, what the issuer does)
TEST_METHODS = {
    "pm_card_visa": ("visa", "4242", "ok"),
    "pm_card_mastercard": ("mastercard", "4444", "ok"),
    "pm_card_chargeDeclined": ("visa", "0002", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "insufficient_funds"),
    "pm_card_authenticationRequired": ("visa", "3184", "authenticate"),
}
CREATED = 1_700_000_000


@dataclass
class Sent:
    """One request as it reached the fake."""

    method: str
    path: str
    form: dict
    idempotency_key: str | None
    authorization: str | None


@dataclass
class FakeStripe:
    requests: list[Sent] = field(default_factory=list)
    intents: dict = field(default_factory=dict)
    setups: dict = field(default_factory=dict)
    customers: dict = field(default_factory=dict)
    refunds: dict = field(default_factory=dict)
    _replies: dict = field(default_factory=dict)
    _faults: list = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # --- what a test arranges and reads ---------------------------------------------------------------------

    def late_once(self, path: str, seconds: float):
        """The next request to `path` is carried out, but answered only after `seconds` (past the timeout)."""
        self._faults.append((path, "late", seconds))

    def refuse_once(self, path: str, status: int):
        """The next request to `path` is answered `status` (429 or 500) without being carried out."""
        self._faults.append((path, "refuse", status))

    def sent(self, path: str, method: str = "POST") -> list[Sent]:
        return [r for r in self.requests if r.path == path and r.method == method]

    # --- the server -----------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        form = dict(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
        if request.method == "GET":
            form = dict(parse_qsl(request.query_string.decode(), keep_blank_values=True))
        key = request.headers.get("Idempotency-Key")
        self.requests.append(Sent(request.method, request.path, form, key, request.headers.get("Authorization")))
        fault = next((f for f in self._faults if re.fullmatch(f[0], request.path)), None)
        if fault:
            self._faults.remove(fault)
            if fault[1] == "refuse":
                return self._refused(fault[2])
        with self._lock:
            if key and request.method == "POST":
                earlier = self._replies.get(key)
                if earlier and earlier[0] != (request.path, form):
                    status, body = 400, {"error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same parameters they "
                                   f"were first used with. Try using a key other than '{key}' if you meant to "
                                   "execute a different request."}}
                    return _json(status, body)
                if earlier:
                    return _json(*earlier[1], replayed=True)
            status, body = self._route(request.method, request.path, form)
            if key and request.method == "POST":
                self._replies[key] = ((request.path, form), (status, body))
        if fault and fault[1] == "late":
            time.sleep(fault[2])
        return _json(status, body)

    def _refused(self, status: int) -> Response:
        if status == 429:
            return _json(429, {"error": {"type": "invalid_request_error", "code": "rate_limit",
                                         "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
                                         "message": "Request rate limit exceeded. Learn more about rate limits "
                                                    "here https://stripe.com/docs/rate-limits."}})
        return _json(status, {"error": {"type": "api_error", "message": "An unknown error occurred"}})

    def _route(self, method: str, path: str, form: dict) -> tuple[int, dict]:
        routes = [
            ("POST", r"/v1/payment_intents", self._create_intent),
            ("GET", r"/v1/payment_intents/(pi_\w+)", self._get_intent),
            ("POST", r"/v1/payment_intents/(pi_\w+)/capture", self._capture),
            ("POST", r"/v1/payment_intents/(pi_\w+)/cancel", self._cancel),
            ("POST", r"/v1/customers", self._create_customer),
            ("POST", r"/v1/setup_intents", self._create_setup),
            ("POST", r"/v1/refunds", self._create_refund),
            ("GET", r"/v1/refunds/(re_\w+)", self._get_refund),
        ]
        for verb, pattern, run in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return run(form, *match.groups())
        return _missing(path)

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def _method(self, pm_id: str, customer: str | None) -> dict:
        brand, last4, _ = TEST_METHODS[pm_id]
        return {"id": pm_id, "object": "payment_method", "type": "card", "created": CREATED, "livemode": False,
                "customer": customer, "billing_details": {"email": None, "name": None},
                "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034, "funding": "credit",
                         "country": "US", "three_d_secure_usage": {"supported": True}}}

    def _shown(self, intent: dict, form: dict) -> dict:
        """The object as Stripe sends it: payment_method expanded only when asked (expand[]=payment_method)."""
        shown = dict(intent)
        expanded = {v for k, v in form.items() if k.startswith("expand[")}
        if "payment_method" in expanded and shown.get("payment_method"):
            shown["payment_method"] = self._method(shown["payment_method"], shown.get("customer"))
        return shown

    def _create_intent(self, form: dict) -> tuple[int, dict]:
        pm = form.get("payment_method", "")
        if pm not in TEST_METHODS:
            return 400, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                   "param": "payment_method", "message": f"No such PaymentMethod: '{pm}'"}}
        manual = form.get("capture_method") == "manual"
        intent_id = self._id("pi")
        intent = {
            "id": intent_id, "object": "payment_intent", "amount": int(form["amount"]), "amount_capturable": 0,
            "amount_received": 0, "capture_method": form.get("capture_method", "automatic_async"),
            "client_secret": f"{intent_id}_secret_fake", "confirmation_method": "automatic", "created": CREATED,
            "currency": form["currency"], "customer": form.get("customer"), "description": form.get("description"),
            "last_payment_error": None, "latest_charge": None, "livemode": False,
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}, "next_action": None,
            "payment_method": pm, "payment_method_types": ["card"],
            "setup_future_usage": form.get("setup_future_usage"), "status": "requires_confirmation",
        }
        self.intents[intent_id] = intent
        behaviour = TEST_METHODS[pm][2]
        off_session = form.get("off_session") == "true"
        if behaviour in ("generic_decline", "insufficient_funds") or (behaviour == "authenticate" and off_session):
            code = "authentication_required" if behaviour == "authenticate" else "card_declined"
            decline = "authentication_required" if behaviour == "authenticate" else behaviour
            message = {"insufficient_funds": "Your card has insufficient funds.",
                       "authentication_required": "Your card was declined. This transaction requires "
                                                  "authentication."}.get(decline, "Your card was declined.")
            error = {"type": "card_error", "code": code, "decline_code": decline, "message": message,
                     "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
                     "charge": self._id("ch"), "payment_method": self._method(pm, intent["customer"])}
            intent.update(status="requires_payment_method", last_payment_error=dict(error),
                          latest_charge=error["charge"])
            error["payment_intent"] = self._shown(intent, form)
            return 402, {"error": error}
        if behaviour == "authenticate":
            intent.update(status="requires_action", next_action={
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": "https://hooks.stripe.com/3d_secure_2/"}})
        elif manual:
            intent.update(status="requires_capture", amount_capturable=intent["amount"], latest_charge=self._id("ch"))
        else:
            intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=self._id("ch"))
        return 200, self._shown(intent, form)

    def _get_intent(self, form: dict, intent_id: str) -> tuple[int, dict]:
        if intent_id not in self.intents:
            return _missing(f"payment_intent {intent_id}")
        return 200, self._shown(self.intents[intent_id], form)

    def _capture(self, form: dict, intent_id: str) -> tuple[int, dict]:
        intent = self.intents.get(intent_id)
        if intent is None:
            return _missing(f"payment_intent {intent_id}")
        if intent["status"] != "requires_capture":
            return 400, {"error": {"type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                                   "message": f"This PaymentIntent could not be captured because it has a status "
                                              f"of {intent['status']}."}}
        taken = int(form.get("amount_to_capture", intent["amount_capturable"]))
        intent.update(status="succeeded", amount_received=taken, amount_capturable=0)
        return 200, self._shown(intent, form)

    def _cancel(self, form: dict, intent_id: str) -> tuple[int, dict]:
        intent = self.intents.get(intent_id)
        if intent is None:
            return _missing(f"payment_intent {intent_id}")
        intent.update(status="canceled", amount_capturable=0, cancellation_reason=form.get("cancellation_reason"))
        return 200, self._shown(intent, form)

    def _create_customer(self, form: dict) -> tuple[int, dict]:
        customer = {"id": self._id("cus"), "object": "customer", "email": form.get("email"),
                    "name": form.get("name"), "created": CREATED, "livemode": False}
        self.customers[customer["id"]] = customer
        return 200, customer

    def _create_setup(self, form: dict) -> tuple[int, dict]:
        pm = form["payment_method"]
        setup_id = self._id("seti")
        status = "requires_action" if TEST_METHODS[pm][2] == "authenticate" else "succeeded"
        setup = {"id": setup_id, "object": "setup_intent", "client_secret": f"{setup_id}_secret_fake",
                 "created": CREATED, "customer": form.get("customer"), "last_setup_error": None,
                 "livemode": False, "next_action": {"type": "use_stripe_sdk"} if status == "requires_action" else None,
                 "payment_method": pm, "payment_method_types": ["card"], "status": status,
                 "usage": form.get("usage", "off_session")}
        self.setups[setup_id] = setup
        return 200, self._shown(setup, form)

    def _create_refund(self, form: dict) -> tuple[int, dict]:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return _missing("payment_intent")
        refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"])
        amount = int(form.get("amount", intent["amount_received"] - refunded))
        if amount > intent["amount_received"] - refunded:
            return 400, {"error": {"type": "invalid_request_error", "code": "charge_already_refunded",
                                   "message": "Refund amount is greater than the unrefunded amount."}}
        refund = {"id": self._id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
                  "charge": intent["latest_charge"], "payment_intent": intent["id"], "created": CREATED,
                  "metadata": {}, "reason": form.get("reason"), "status": "succeeded"}
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _get_refund(self, form: dict, refund_id: str) -> tuple[int, dict]:
        if refund_id not in self.refunds:
            return _missing(f"refund {refund_id}")
        return 200, self.refunds[refund_id]


def _missing(what: str) -> tuple[int, dict]:
    return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                           "message": f"No such {what}"}}


def _json(status: int, body: dict, *, replayed: bool = False) -> Response:
    headers = {"Request-Id": "req_fake", "Stripe-Version": "2026-01-01"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if status >= 500 or status == 429:
        headers["Stripe-Should-Retry"] = "false" if status == 429 else "true"
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")
