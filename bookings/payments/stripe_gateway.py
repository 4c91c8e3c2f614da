"""Stripe behind the PaymentGateway interface, on the `stripe` package: PaymentIntents (charges, and
authorisations with manual capture), SetupIntents on a Customer (cards kept as a guarantee), Refunds.

Raw card numbers are refused before anything is sent (PCI SAQ-A: the guest's browser hands the card to Stripe
and we receive a `pm_...` id). Every call that writes carries the caller's idempotency key; an answer lost to a
timeout or a Stripe 5xx is status UNKNOWN, never a decline.
"""

from collections.abc import Callable
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hotelbooking.money import from_minor_units, to_minor_units

from .gateway import ErrorCode, GatewayResult, PaymentGateway, PaymentMethodRef, PaymentStatus

# Stripe's wire format (docs.stripe.com/currencies) differs from ISO 4217 for a few currencies: these have no
# minor unit at Stripe; the three-decimal ones must end in 0; ISK is sent in hundredths (whole krónur only).
STRIPE_ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                                 "VND", "VUV", "XAF", "XOF", "XPF"})
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})

_INTENT_STATUS = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "requires_capture": PaymentStatus.REQUIRES_CAPTURE,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "canceled": PaymentStatus.CANCELED,
    "requires_payment_method": PaymentStatus.FAILED,  # the last attempt failed: see last_payment_error
}
_REFUND_STATUS = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "pending": PaymentStatus.PROCESSING,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "failed": PaymentStatus.FAILED,
    "canceled": PaymentStatus.CANCELED,
}


def stripe_enabled() -> bool:
    """Stripe is on: both keys are set. The guest pages then take the card in Stripe's own fields (Payment
    Element) and post only a `pm_...` id; the partner API refuses card numbers (CARD_DATA_NOT_ACCEPTED)."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def stripe_exponent(currency: str) -> int:
    code = currency.upper()
    if code in STRIPE_ZERO_DECIMAL:
        return 0
    if code in STRIPE_THREE_DECIMAL:
        return 3
    return 2


def to_stripe_amount(amount: Decimal, currency: str) -> int:
    """664.14 USD -> 66414; 5000 JPY -> 5000; 1500 ISK -> 150000. ValueError if Stripe cannot carry it exactly."""
    minor = to_minor_units(amount, currency, exponent=stripe_exponent(currency))
    if currency.upper() in STRIPE_THREE_DECIMAL and minor % 10:
        raise ValueError(f"Stripe takes {currency} in multiples of 0.01")
    return minor


def from_stripe_amount(minor: int, currency: str) -> Decimal:
    return from_minor_units(minor, currency, exponent=stripe_exponent(currency))


class StripeGateway(PaymentGateway):
    name = "stripe"

    def __init__(self, *, api_key: str = "", api_base: str = "", timeout: float | None = None,
                 max_network_retries: int | None = None):
        api_key = api_key or settings.STRIPE_SECRET_KEY
        if not api_key:
            raise ImproperlyConfigured("Set STRIPE_SECRET_KEY to use the Stripe gateway.")
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base or settings.STRIPE_API_BASE},
            # The library retries timeouts, 409 and 5xx itself, with the same idempotency key.
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES if max_network_retries is None
            else max_network_retries,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT if timeout is None else timeout),
        )

    # --- PaymentGateway -------------------------------------------------------------------------------------

    def charge(self, *, card=None, amount, currency, description="", idempotency_key="", payment_method=None,
               save_for_later=False):
        return self._new_intent(card=card, payment_method=payment_method, amount=amount, currency=currency,
                                description=description, key=idempotency_key, capture=True, save=save_for_later)

    def authorise(self, *, card=None, amount, currency, description="", idempotency_key="", payment_method=None,
                  save_for_later=False):
        return self._new_intent(card=card, payment_method=payment_method, amount=amount, currency=currency,
                                description=description, key=idempotency_key, capture=False, save=save_for_later)

    def charge_saved(self, *, token, amount, currency, description="", idempotency_key=""):
        saved = PaymentMethodRef.from_token(token)
        if not saved.id.startswith("pm_"):
            return _refused(ErrorCode.PAYMENT_METHOD_REQUIRED, "This card on file is not a Stripe payment method.")
        return self._new_intent(card=None, payment_method=saved, amount=amount, currency=currency,
                                description=description, key=idempotency_key, capture=True, off_session=True)

    def capture(self, *, reference, amount=None, currency, idempotency_key=""):
        key = _required(idempotency_key)
        params: dict = {"expand": ["payment_method"]}
        if amount is not None:
            try:
                params["amount_to_capture"] = to_stripe_amount(amount, currency)
            except ValueError as exc:
                return _refused(ErrorCode.AMOUNT_NOT_REPRESENTABLE, str(exc))
        return self._call(lambda: self.client.v1.payment_intents.capture(
            reference, params=params, options={"idempotency_key": key}), _intent_result, reference=reference)

    def release(self, *, reference, idempotency_key=""):
        key = _required(idempotency_key)
        return self._call(lambda: self.client.v1.payment_intents.cancel(
            reference, params={"expand": ["payment_method"]}, options={"idempotency_key": key}),
            _released, reference=reference)

    def refund(self, *, reference, amount, currency, idempotency_key=""):
        key = _required(idempotency_key)
        params: dict = {"charge" if reference.startswith(("ch_", "py_")) else "payment_intent": reference,
                        "metadata": {"idempotency_key": key}}
        if amount is not None:
            try:
                params["amount"] = to_stripe_amount(amount, currency)
            except ValueError as exc:
                return _refused(ErrorCode.AMOUNT_NOT_REPRESENTABLE, str(exc))
        return self._call(lambda: self.client.v1.refunds.create(params=params, options={"idempotency_key": key}),
                          _refund_result, reference=reference)

    def save_card(self, *, card=None, payment_method=None, email="", name="", idempotency_key=""):
        if card is not None:
            return _card_refused()
        if payment_method is None:
            return _refused(ErrorCode.PAYMENT_METHOD_REQUIRED, "Send the payment_method id from Stripe.")
        key = _required(idempotency_key)
        customer = payment_method.customer
        if not customer:
            made = self._customer(key, email=email, name=name)
            if isinstance(made, GatewayResult):
                return made
            customer = made
        params = {"customer": customer, "payment_method": payment_method.id, "payment_method_types": ["card"],
                  "confirm": True, "usage": "off_session", "metadata": {"idempotency_key": key},
                  "expand": ["payment_method"]}
        return self._call(lambda: self.client.v1.setup_intents.create(
            params=params, options={"idempotency_key": f"{key}:setup"}), _setup_result)

    def payment_status(self, *, reference):
        if reference.startswith("re_"):
            return self._call(lambda: self.client.v1.refunds.retrieve(reference), _refund_result,
                              reference=reference)
        if reference.startswith("seti_"):
            return self._call(lambda: self.client.v1.setup_intents.retrieve(
                reference, params={"expand": ["payment_method"]}), _setup_result, reference=reference)
        return self._call(lambda: self.client.v1.payment_intents.retrieve(
            reference, params={"expand": ["payment_method"]}), _intent_result, reference=reference)

    # --- the calls ------------------------------------------------------------------------------------------

    def _new_intent(self, *, card, payment_method, amount, currency, description, key, capture, save=False,
                    off_session=False) -> GatewayResult:
        if card is not None:
            return _card_refused()
        if payment_method is None:
            return _refused(ErrorCode.PAYMENT_METHOD_REQUIRED, "Send the payment_method id from Stripe.")
        key = _required(key)
        try:
            minor = to_stripe_amount(amount, currency)
        except ValueError as exc:
            return _refused(ErrorCode.AMOUNT_NOT_REPRESENTABLE, str(exc))
        customer = payment_method.customer
        if save and not customer:
            made = self._customer(key)
            if isinstance(made, GatewayResult):
                return made
            customer = made
        params: dict = {
            "amount": minor,
            "currency": currency.lower(),
            "payment_method": payment_method.id,
            "payment_method_types": ["card"],
            "capture_method": "automatic" if capture else "manual",
            "confirm": True,
            # Found again by this key (a search) when even the retry's answer is lost.
            "metadata": {"idempotency_key": key},
            "expand": ["payment_method"],
        }
        if description:
            params["description"] = description[:1000]
        if customer:
            params["customer"] = customer
        if save:
            params["setup_future_usage"] = "off_session"
        if off_session:
            params["off_session"] = True
        return self._call(lambda: self.client.v1.payment_intents.create(
            params=params, options={"idempotency_key": key}), _intent_result)

    def _customer(self, key: str, *, email: str = "", name: str = "") -> str | GatewayResult:
        params: dict = {"metadata": {"idempotency_key": key}}
        if email:
            params["email"] = email
        if name:
            params["name"] = name
        made = self._call(lambda: self.client.v1.customers.create(
            params=params, options={"idempotency_key": f"{key}:customer"}), lambda data: data)
        return made if isinstance(made, GatewayResult) else made["id"]

    def _call(self, send: Callable, read: Callable, *, reference: str = ""):
        """Send one request; map Stripe's answer, or its absence, onto a GatewayResult."""
        try:
            return read(send().to_dict())
        except stripe.CardError as exc:
            return _declined(exc, reference)
        except stripe.RateLimitError as exc:
            return GatewayResult(False, reference=reference, error_code=ErrorCode.RATE_LIMITED, retryable=True,
                                 message=exc.user_message or "Stripe asked us to slow down.")
        except stripe.IdempotencyError as exc:
            # Nothing was done by this request; whatever the key's first request did stands (payment_status).
            return GatewayResult(False, reference=reference, error_code=ErrorCode.IDEMPOTENCY_CONFLICT,
                                 message=exc.user_message or "The idempotency key was used with other parameters.")
        except stripe.APIConnectionError as exc:
            return GatewayResult(False, reference=reference, status=PaymentStatus.UNKNOWN, retryable=True,
                                 error_code=ErrorCode.NETWORK_ERROR,
                                 message=f"No answer from Stripe ({exc.user_message}); the payment may have gone "
                                         "through and is settled by a retry with the same key or the webhook.")
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            return GatewayResult(False, reference=reference, error_code=ErrorCode.GATEWAY_AUTHENTICATION,
                                 message=exc.user_message or "Stripe refused our API key.")
        except stripe.InvalidRequestError as exc:
            code = ErrorCode.RESOURCE_MISSING if exc.http_status == 404 else (exc.code or "invalid_request")
            return GatewayResult(False, reference=reference, error_code=code, message=exc.user_message or "")
        except stripe.StripeError as exc:  # 5xx: Stripe may have done the work; only a retry or the webhook knows
            return GatewayResult(False, reference=reference, status=PaymentStatus.UNKNOWN, retryable=True,
                                 error_code=ErrorCode.GATEWAY_ERROR, message=exc.user_message or "Stripe failed.")


# --- reading Stripe's objects ---------------------------------------------------------------------------------

def _card(payment_method) -> tuple[str, str]:
    card = (payment_method or {}).get("card") if isinstance(payment_method, dict) else None
    return ((card or {}).get("brand") or "", (card or {}).get("last4") or "")


def _saved_token(obj: dict) -> str:
    method = obj.get("payment_method")
    method_id = method.get("id") if isinstance(method, dict) else method
    customer = obj.get("customer")
    customer_id = customer.get("id") if isinstance(customer, dict) else customer
    return PaymentMethodRef(id=method_id, customer=customer_id).token if method_id and customer_id else ""


def _last_error_code(error: dict | None) -> str:
    """The issuer's reason when it gave one (insufficient_funds), else Stripe's code (card_declined)."""
    error = error or {}
    decline = error.get("decline_code")
    return (decline if decline and decline != "generic_decline" else "") or error.get("code") or ""


def _intent_result(intent: dict) -> GatewayResult:
    status = _INTENT_STATUS.get(intent.get("status"), PaymentStatus.UNKNOWN)
    currency = intent.get("currency") or "usd"
    if status == PaymentStatus.SUCCEEDED:
        minor = intent.get("amount_received", intent.get("amount"))
    elif status == PaymentStatus.REQUIRES_CAPTURE:
        minor = intent.get("amount_capturable", intent.get("amount"))
    else:
        minor = intent.get("amount")
    brand, last_four = _card(intent.get("payment_method"))
    error = intent.get("last_payment_error") or {}
    return GatewayResult(
        status in (PaymentStatus.SUCCEEDED, PaymentStatus.REQUIRES_CAPTURE),
        reference=intent.get("id", ""),
        token=_saved_token(intent) if intent.get("setup_future_usage") or intent.get("customer") else "",
        brand=brand, last_four=last_four, status=status,
        client_secret=(intent.get("client_secret") or "") if status == PaymentStatus.REQUIRES_ACTION else "",
        amount=None if minor is None else from_stripe_amount(minor, currency),
        error_code=_last_error_code(error) if status == PaymentStatus.FAILED else "",
        message=(error.get("message") or "") if status == PaymentStatus.FAILED else "",
    )


def _released(intent: dict) -> GatewayResult:
    result = _intent_result(intent)
    if result.status != PaymentStatus.CANCELED:
        return result
    return GatewayResult(True, reference=result.reference, brand=result.brand, last_four=result.last_four,
                         status=PaymentStatus.CANCELED, amount=result.amount)


def _refund_result(refund: dict) -> GatewayResult:
    status = _REFUND_STATUS.get(refund.get("status"), PaymentStatus.UNKNOWN)
    minor = refund.get("amount")
    return GatewayResult(status == PaymentStatus.SUCCEEDED, reference=refund.get("id", ""), status=status,
                         amount=None if minor is None else from_stripe_amount(minor, refund.get("currency") or "usd"),
                         error_code=(refund.get("failure_reason") or "") if status == PaymentStatus.FAILED else "")


def _setup_result(setup: dict) -> GatewayResult:
    status = _INTENT_STATUS.get(setup.get("status"), PaymentStatus.UNKNOWN)
    brand, last_four = _card(setup.get("payment_method"))
    error = setup.get("last_setup_error") or {}
    return GatewayResult(
        status == PaymentStatus.SUCCEEDED, reference=setup.get("id", ""), token=_saved_token(setup),
        brand=brand, last_four=last_four, status=status,
        client_secret=(setup.get("client_secret") or "") if status == PaymentStatus.REQUIRES_ACTION else "",
        error_code=_last_error_code(error) if status == PaymentStatus.FAILED else "",
        message=(error.get("message") or "") if status == PaymentStatus.FAILED else "",
    )


def _declined(exc: stripe.CardError, reference: str) -> GatewayResult:
    """A 402: the card was declined, or (off-session) the bank wants the guest to authenticate."""
    error = exc.error.to_dict() if exc.error is not None else {}
    intent = error.get("payment_intent") or error.get("setup_intent") or {}
    brand, last_four = _card(error.get("payment_method") or intent.get("payment_method"))
    status = _INTENT_STATUS.get(intent.get("status"), PaymentStatus.FAILED)
    if status not in (PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED):
        status = PaymentStatus.FAILED
    return GatewayResult(
        False, reference=intent.get("id") or reference, brand=brand, last_four=last_four, status=status,
        client_secret=(intent.get("client_secret") or "") if status == PaymentStatus.REQUIRES_ACTION else "",
        error_code=_last_error_code(error) or "card_declined",
        message=exc.user_message or "The card was declined.",
    )


def _card_refused() -> GatewayResult:
    return _refused(ErrorCode.CARD_DATA_NOT_ACCEPTED,
                    "Card numbers are not accepted: enter the card in Stripe's card fields (a payment_method id).")


def _refused(code: str, message: str) -> GatewayResult:
    return GatewayResult(False, error_code=code, message=message)


def _required(key: str) -> str:
    if not key:
        # A programming error, caught before anything is sent: a retry without the same key could pay twice.
        raise ValueError("Stripe calls need the caller's idempotency key for this business step.")
    return key
