"""A gateway that loses answers, fails refunds and crashes, around the built-in TestGateway, for saga tests.

It counts what really happened at the "provider" per idempotency key, so a test can compare the money the
provider moved with the money our ledger recorded.
"""

from decimal import Decimal

from django.db import connection

from bookings.payments import ErrorCode, GatewayResult, PaymentStatus, TestGateway


class Crash(BaseException):
    """The process dies here (not an Exception: nothing of ours catches it)."""


class FaultyGateway(TestGateway):
    __test__ = False
    name = "test"

    def __init__(self):
        self.faults: dict[str, list[str]] = {}   # operation -> faults to apply, one per call, in order
        self.calls: list[tuple[str, str]] = []   # (operation, idempotency key) as received
        self.inside_transaction: list[str] = []  # operations called with a transaction open
        self.moved: dict[str, Decimal] = {}      # idempotency key -> money the provider moved (+ in, - out)

    def fail_next(self, operation: str, *faults: str) -> None:
        """Faults: 'timeout_after' (done, answer lost), 'timeout_before' (not done, answer lost),
        'decline' (refused), 'crash_after' (done, then the process dies), 'rate_limited' (not done, retry)."""
        self.faults.setdefault(operation, []).extend(faults)

    def _run(self, operation, key, sign, call):
        self.calls.append((operation, key))
        if connection.in_atomic_block:
            self.inside_transaction.append(operation)
        fault = self.faults.get(operation, []).pop(0) if self.faults.get(operation) else ""
        if fault == "timeout_before":
            return GatewayResult(False, status=PaymentStatus.UNKNOWN, error_code=ErrorCode.NETWORK_ERROR,
                                 message="Timed out", retryable=True)
        if fault == "rate_limited":
            return GatewayResult(False, error_code=ErrorCode.RATE_LIMITED, message="Too many requests",
                                 retryable=True)
        if fault == "decline":
            return GatewayResult(False, error_code="refund_failed" if sign < 0 else "card_declined",
                                 message="Refused by the provider.")
        first = key not in self._replies
        result = call()
        if result.success and first and sign and result.status == PaymentStatus.SUCCEEDED:
            self.moved[key] = sign * Decimal(str(result.amount if result.amount is not None else self._amount))
        if fault == "timeout_after":
            return GatewayResult(False, status=PaymentStatus.UNKNOWN, error_code=ErrorCode.NETWORK_ERROR,
                                 message="Timed out", retryable=True)
        if fault == "crash_after":
            raise Crash()
        return result

    def charge(self, *, amount, idempotency_key="", **kw):
        self._amount = amount
        return self._run("charge", idempotency_key, +1,
                         lambda: TestGateway.charge(self, amount=amount, idempotency_key=idempotency_key, **kw))

    def charge_saved(self, *, amount, idempotency_key="", **kw):
        self._amount = amount
        return self._run("charge_saved", idempotency_key, +1,
                         lambda: super(FaultyGateway, self).charge_saved(amount=amount, idempotency_key=idempotency_key,
                                                                         **kw))

    def refund(self, *, amount, idempotency_key="", **kw):
        self._amount = amount
        return self._run("refund", idempotency_key, -1,
                         lambda: TestGateway.refund(self, amount=amount, idempotency_key=idempotency_key, **kw))

    def save_card(self, *, idempotency_key="", **kw):
        return self._run("save_card", idempotency_key, 0,
                         lambda: super(FaultyGateway, self).save_card(idempotency_key=idempotency_key, **kw))

    def authorise(self, *, amount, idempotency_key="", **kw):
        self._amount = amount
        return self._run("authorise", idempotency_key, 0,
                         lambda: super(FaultyGateway, self).authorise(amount=amount, idempotency_key=idempotency_key,
                                                                      **kw))

    def capture(self, *, idempotency_key="", amount=None, **kw):
        self._amount = amount
        return self._run("capture", idempotency_key, +1,
                         lambda: super(FaultyGateway, self).capture(amount=amount, idempotency_key=idempotency_key,
                                                                    **kw))

    @property
    def total_moved(self) -> Decimal:
        return sum(self.moved.values(), Decimal(0))
