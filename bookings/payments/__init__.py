"""Payment gateways behind one interface (gateway.py); the built-in TestGateway (testgateway.py) is the default.

Other modules import these names from `bookings.payments`, and PAYMENT_GATEWAY names `bookings.payments.TestGateway`.
"""

from .gateway import Card, GatewayResult, PaymentGateway, default_gateway, luhn_valid
from .testgateway import TestGateway

__all__ = ["Card", "GatewayResult", "PaymentGateway", "TestGateway", "default_gateway", "luhn_valid"]
