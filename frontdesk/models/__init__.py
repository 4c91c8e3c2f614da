"""Front desk: which room a stay is in, the folio, housekeeping, out-of-order rooms, loyalty and the night audit.

Split by use case; every model is imported here, so `from frontdesk.models import Folio` works as before.
"""

from .audit import NightAuditRun, NightAuditSchedule
from .folio import MONEY, BillingParty, Folio, FolioLine, FolioLineMove, FolioRoute
from .housekeeping import HousekeepingTask, RoomOutOfOrder
from .loyalty import GuestStats, LoyaltyEntry, LoyaltyRule, StayRecord
from .payment_link import PaymentLink
from .stay import RoomAssignment, Stay

__all__ = [
    "MONEY", "BillingParty", "Folio", "FolioLine", "FolioLineMove", "FolioRoute", "GuestStats", "HousekeepingTask",
    "LoyaltyEntry", "LoyaltyRule", "NightAuditRun", "NightAuditSchedule", "PaymentLink", "RoomAssignment",
    "RoomOutOfOrder", "Stay", "StayRecord",
]
