"""Payment gateways behind one interface (gateway.py); the built-in TestGateway (testgateway.py) is the default.

Other modules import these names from `bookings.payments`, and PAYMENT_GATEWAY names `bookings.payments.TestGateway`.
"""

from .gateway import (
    Card,
    ErrorCode,
    GatewayResult,
    PaymentGateway,
    PaymentMethodRef,
    PaymentStatus,
    default_gateway,
    luhn_valid,
)
from .testgateway import TestGateway

__all__ = ["Card", "ErrorCode", "GatewayResult", "PaymentGateway", "PaymentMethodRef", "PaymentStatus", "TestGateway",
           "default_gateway", "luhn_valid"]
