"""The built-in test gateway: Stripe's public test cards, no network, the zero-config default."""

import hashlib
import threading
import uuid
from decimal import Decimal

from .gateway import Card, ErrorCode, GatewayResult, PaymentGateway, PaymentMethodRef, PaymentStatus, luhn_valid

# Stripe's own test PaymentMethod ids: (brand, last four, what happens). "authenticate" asks for 3-D Secure on
# every payment (Stripe's 4000002760003184), so off-session it fails with authentication_required.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": ("visa", "4242", ""),
    "pm_card_mastercard": ("mastercard", "4444", ""),
    "pm_card_amex": ("amex", "8431", ""),
    "pm_card_chargeDeclined": ("visa", "0002", "card_declined"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "insufficient_funds"),
    "pm_card_authenticationRequired": ("visa", "3184", "authenticate"),
}


class TestGateway(PaymentGateway):
    """Stripe's test cards: 4242424242424242 succeeds, 4000000000000002 is declined, 4000000000009995 is
    declined for insufficient funds. Other numbers fail Luhn or are declined. State lives in the process
    (tokens are derived from the card, so any process recognises its own tokens)."""

    __test__ = False  # not a pytest class
    name = "test"
    SUCCEEDS = "4242424242424242"
    DECLINED = "4000000000000002"
    INSUFFICIENT_FUNDS = "4000000000009995"
    # Tokens that start with this prefix decline on later charges (for tests of failed balance charges).
    DECLINING_TOKEN_PREFIX = "tok_decline_"

    # Payments made through the newer operations (authorise, capture, pm_... charges), per process, so that
    # capture, release and payment_status find them; a reference from another process reads as missing.
    _payments: dict[str, dict] = {}
    # Like Stripe: the same idempotency key gives back the first answer, with other parameters a conflict.
    _replies: dict[str, tuple[tuple, GatewayResult]] = {}
    _lock = threading.RLock()

    def charge(self, *, card=None, amount, currency, description="", idempotency_key="", payment_method=None,
               save_for_later=False):
        if payment_method is not None:
            return self._once(idempotency_key, ("charge", payment_method, Decimal(amount), currency),
                              lambda: self._pay(payment_method, amount, currency, capture=True,
                                                save=save_for_later))
        if card is None:
            return self._replay(idempotency_key) or _no_method()
        return self._once(idempotency_key, ("charge_card", Decimal(amount), currency), lambda: self._charge_card(card))

    def _charge_card(self, card):
        digits = card.digits
        if not luhn_valid(digits):
            return GatewayResult(False, error_code="invalid_number", last_four=card.last_four, brand=card.brand,
                                 message="The card number is not valid. Please check it and try again.")
        if _expired(card):
            return GatewayResult(False, error_code="expired_card", last_four=card.last_four, brand=card.brand,
                                 message="The card has expired. Please use another card.")
        if digits == self.INSUFFICIENT_FUNDS:
            return GatewayResult(False, error_code="insufficient_funds", last_four=card.last_four,
                                 brand=card.brand, message="The card was declined for insufficient funds.")
        if digits != self.SUCCEEDS:
            return GatewayResult(False, error_code="card_declined", last_four=card.last_four, brand=card.brand,
                                 message="The card was declined. Please use another card.")
        token = "tok_" + hashlib.sha256(f"{digits}:{card.exp_month}:{card.exp_year}".encode()).hexdigest()[:24]
        return GatewayResult(True, reference=_ref("ch"), token=token, brand=card.brand, last_four=card.last_four)

    def charge_saved(self, *, token, amount, currency, description="", idempotency_key=""):
        if token and not token.startswith("tok_"):  # a saved payment method: customer:pm_...
            return self._once(idempotency_key, ("charge_saved", token, Decimal(amount), currency),
                              lambda: self._pay(PaymentMethodRef.from_token(token), amount, currency, capture=True,
                                                off_session=True))
        if not token or token.startswith(self.DECLINING_TOKEN_PREFIX) or not token.startswith("tok_"):
            return GatewayResult(False, error_code="card_declined",
                                 message="The card on file was declined.")
        return self._once(idempotency_key, ("charge_saved", token, Decimal(amount), currency),
                          lambda: GatewayResult(True, reference=_ref("ch"), token=token))

    def refund(self, *, reference, amount, currency, idempotency_key=""):
        if not reference:
            return GatewayResult(False, error_code="no_charge", message="There is no charge to refund.")
        return self._once(idempotency_key, ("refund", reference, amount, currency),
                          lambda: GatewayResult(True, reference=_ref("re"), amount=amount))

    def authorise(self, *, card=None, amount, currency, description="", idempotency_key="", payment_method=None,
                  save_for_later=False):
        method, shown = payment_method, {}
        if method is None and card is not None:
            checked = self._charge_card(card)  # checks the test card; nothing is recorded as charged
            if not checked.success:
                return checked
            method, shown = PaymentMethodRef(id=checked.token), {"brand": card.brand, "last_four": card.last_four}
        if method is None:
            return self._replay(idempotency_key) or _no_method()
        return self._once(idempotency_key, ("authorise", method, Decimal(amount), currency),
                          lambda: self._pay(method, amount, currency, capture=False, save=save_for_later, **shown))

    def capture(self, *, reference, amount=None, currency, idempotency_key=""):
        def run():
            with self._lock:
                payment = self._payments.get(reference)
                if payment is None:
                    return _missing(reference)
                if payment["status"] != PaymentStatus.REQUIRES_CAPTURE:
                    return GatewayResult(False, reference=reference, error_code="payment_intent_unexpected_state",
                                         message=f"This payment is {payment['status']}, not awaiting capture.")
                taken = payment["amount"] if amount is None else Decimal(amount)
                if taken > payment["amount"]:
                    return GatewayResult(False, reference=reference, error_code="amount_too_large",
                                         message="The capture is larger than the authorisation.")
                payment.update(status=PaymentStatus.SUCCEEDED, amount=taken)
                return _result(reference, payment)
        return self._once(idempotency_key, ("capture", reference, amount, currency), run)

    def release(self, *, reference, idempotency_key=""):
        def run():
            with self._lock:
                payment = self._payments.get(reference)
                if payment is None:
                    return _missing(reference)
                if payment["status"] not in (PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.REQUIRES_ACTION):
                    return GatewayResult(False, reference=reference, error_code="payment_intent_unexpected_state",
                                         message=f"This payment is {payment['status']} and cannot be released.")
                payment["status"] = PaymentStatus.CANCELED
                return _result(reference, payment)
        return self._once(idempotency_key, ("release", reference), run)

    def save_card(self, *, card=None, payment_method=None, email="", name="", idempotency_key=""):
        if payment_method is None:
            if card is None:
                return self._replay(idempotency_key) or _no_method()
            # The card is checked, not charged; its token is what charge_saved already understands.
            checked = self._once(idempotency_key, ("save_card_raw",), lambda: self._charge_card(card))
            return GatewayResult(checked.success, token=checked.token, brand=checked.brand,
                                 last_four=checked.last_four, error_code=checked.error_code, message=checked.message)

        def run():
            brand, last_four, behaviour = TEST_PAYMENT_METHODS.get(payment_method.id, ("", "", "missing"))
            if behaviour == "missing":
                return _missing(payment_method.id)
            if behaviour and behaviour != "authenticate":
                return _declined(behaviour, brand, last_four)
            saved = PaymentMethodRef(id=payment_method.id, customer=payment_method.customer or _ref("cus"))
            reference = _ref("seti")
            if behaviour == "authenticate":
                return GatewayResult(False, reference=reference, token=saved.token, brand=brand,
                                     last_four=last_four, status=PaymentStatus.REQUIRES_ACTION,
                                     client_secret=f"{reference}_secret_test", error_code="authentication_required")
            return GatewayResult(True, reference=reference, token=saved.token, brand=brand, last_four=last_four)
        return self._once(idempotency_key, ("save_card", payment_method), run)

    def payment_status(self, *, reference):
        with self._lock:
            payment = self._payments.get(reference)
            return _missing(reference) if payment is None else _result(reference, payment)

    @classmethod
    def authenticate(cls, reference: str, *, succeed: bool = True) -> None:
        """What the guest's bank does in the 3-D Secure window, for tests and the demo."""
        with cls._lock:
            payment = cls._payments[reference]
            if payment["status"] == PaymentStatus.REQUIRES_ACTION:
                done = PaymentStatus.SUCCEEDED if payment["capture"] else PaymentStatus.REQUIRES_CAPTURE
                payment["status"] = done if succeed else PaymentStatus.FAILED

    def _pay(self, method, amount, currency, *, capture, save=False, off_session=False, brand="", last_four=""):
        if method.id.startswith("tok_"):  # a test card checked by authorise
            behaviour = ""
        else:
            brand, last_four, behaviour = TEST_PAYMENT_METHODS.get(method.id, ("", "", "missing"))
        if behaviour == "missing":
            return _missing(method.id)
        if behaviour == "authenticate" and off_session:
            return _declined("authentication_required", brand, last_four)
        if behaviour and behaviour != "authenticate":
            return _declined(behaviour, brand, last_four)
        if behaviour == "authenticate":
            status = PaymentStatus.REQUIRES_ACTION
        else:
            status = PaymentStatus.SUCCEEDED if capture else PaymentStatus.REQUIRES_CAPTURE
        if save and not method.customer:
            method = PaymentMethodRef(id=method.id, customer=_ref("cus"))
        reference = _ref("pi")
        payment = {"status": status, "amount": Decimal(amount), "currency": currency, "capture": capture,
                   "token": method.token if (save or off_session) else "", "brand": brand, "last_four": last_four}
        with self._lock:
            self._payments[reference] = payment
            return _result(reference, payment)

    def _replay(self, idempotency_key):
        """The first answer to this key, for a retry that no longer has the card (a lost answer settled later)."""
        with self._lock:
            earlier = self._replies.get(idempotency_key) if idempotency_key else None
            return earlier[1] if earlier else None

    def _once(self, idempotency_key, params, run):
        if not idempotency_key:
            return run()
        with self._lock:  # held across the call, so that concurrent retries of one step run it once
            earlier = self._replies.get(idempotency_key)
            if earlier is not None:
                if earlier[0] != params:
                    return GatewayResult(False, error_code=ErrorCode.IDEMPOTENCY_CONFLICT,
                                         message="This idempotency key was used with other parameters.")
                return earlier[1]
            result = run()
            self._replies[idempotency_key] = (params, result)
            return result


def _result(reference: str, payment: dict) -> GatewayResult:
    status = payment["status"]
    return GatewayResult(status in (PaymentStatus.SUCCEEDED, PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.CANCELED),
                         reference=reference, token=payment["token"], brand=payment["brand"],
                         last_four=payment["last_four"], status=status, amount=payment["amount"],
                         client_secret=f"{reference}_secret_test" if status == PaymentStatus.REQUIRES_ACTION else "")


def _declined(code: str, brand: str, last_four: str) -> GatewayResult:
    messages = {"insufficient_funds": "The card was declined for insufficient funds.",
                "authentication_required": "The card needs the guest to authenticate this payment."}
    return GatewayResult(False, error_code=code, brand=brand, last_four=last_four,
                         message=messages.get(code, "The card was declined. Please use another card."))


def _missing(reference: str) -> GatewayResult:
    return GatewayResult(False, reference=reference, error_code=ErrorCode.RESOURCE_MISSING,
                         message=f"The test gateway knows no payment {reference}.")


def _no_method() -> GatewayResult:
    return GatewayResult(False, error_code=ErrorCode.PAYMENT_METHOD_REQUIRED, message="No card or payment method.")


def _expired(card: Card) -> bool:
    from django.utils import timezone

    today = timezone.now().date()
    year = card.exp_year + 2000 if card.exp_year < 100 else card.exp_year
    return (year, card.exp_month) < (today.year, today.month)


def _ref(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"
