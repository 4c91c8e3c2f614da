"""The bookings admin, split by use case: reservations (the lists and pages, guests, payments, events), manage
(change dates, cancel), rooms (a multi-room booking's rooms), readonly (what other apps' admins reuse)."""

from . import reservations  # noqa: F401  (registers the admins)
from .reservations import DisputedFilter  # noqa: F401  (read from here by the front desk)
