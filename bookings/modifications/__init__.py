"""Changing a confirmed booking: dates, party, room type or rate plan, all or nothing (issue 4).

The rules kept here:
- Only a CONFIRMED reservation changes; anything else is MODIFICATION_NOT_ALLOWED naming its state.
- The new stay is validated like a booking (dates, party, the rate plan's minimum stay).
- Nights in both the old and the new stay keep the prices agreed at booking (ReservationNight), even if rates
  changed since; added nights are priced at today's rates of the reservation's rate plan; taxes and fees are
  recomputed for the new stay. A room type or rate plan change reprices every night.
- Inventory moves in the same transaction: added nights are taken (SOLD_OUT naming the night), removed nights
  given back; a room type change gives back every old night and takes every new one.
- The difference is charged to the card on file or refunded, never with a row locked (bookings/payments/
  attempts.py). A change that costs more is charged first, then applied: the charge (step MODIFICATION:n,
  n counting the reservation's modification steps that touched money) is recorded in a short transaction
  that changes nothing else, sent with nothing locked, and only a charge that went through is applied, in a
  second short transaction that checks the booking is still as it was priced. Whatever would refuse the
  change (a night sold out, an arrival restriction) is found before the charge: the inventory is moved as
  the change will move it, under the same locks, in a savepoint that is rolled back. A declined charge is
  PAYMENT_FAILED and leaves the reservation, its inventory and its money as they were; a change that cannot
  be applied after the charge (the room sold meanwhile, the booking changed or cancelled meanwhile) gives the
  charge back (a refund attempt, queued if the gateway refuses it for now) and answers why. Charging first
  rather than holding the new nights keeps "money recorded = money moved" with nothing half applied: until
  the second transaction nothing but the charge exists, and the charge is recorded as it moves.
  An answer lost on the way is asked for once more with the same idempotency key; if it stays unknown the
  change is not made (PAYMENT_FAILED, decline_code payment_pending) and, should the charge turn out to have
  gone through, the settle task or the webhook gives it back (the MODIFICATION finisher in apply.py).
- Changes that move money go one at a time: while one change's charge is out (or back and about to be
  applied), another change is CONCURRENT_MODIFICATION (retryable) before anything moves. A cancellation or a
  no-show is never held up: a change charged and not applied yet is given back whole by it, and the change,
  back from the gateway, finds the booking cancelled (MODIFICATION_NOT_ALLOWED). The ReservationModified event
  of a change names the charge that paid for it (payload `payment_attempt`): that is how a charge is known to
  be applied; one neither applied nor given back five minutes after its answer lost its caller and is given
  back by the next change (or, at the latest, counted and refunded by the stay's cancellation or check-out).
- A change that costs less is applied and its refund recorded in one short transaction, then sent: the change
  stands whatever the gateway says; a refund it refuses for now is queued and retried, one it refuses
  outright waits for a person (payment action REFUND_PENDING).
- Card guarantee and pay-at-the-hotel bookings are settled at the hotel: a change moves no money (a later
  cancellation or no-show penalty is charged then).
- A change never lowers the liability the guest has reached: what cancelling just before the change would
  cost is retained on the reservation (Reservation.retain; it only grows). A change never refunds below it,
  and a later cancellation or no-show costs at least as much; money already paid beyond the new total but
  within what is retained counts towards a later, dearer change instead of being charged again.

A stay under way (CHECKED_IN) changes through in_house.py instead (a room move, a new departure or party from
the desk): past nights frozen, no card touched, the folio settles the difference at check-out.

When several things change at once, `modification` names the one that weighs most on price and rooms, in this
order: ROOM_CHANGE, RATE_PLAN_CHANGE, the date change (DATE_EXTENSION, DATE_REDUCTION, DATE_SHIFT),
OCCUPANCY_CHANGE, EXTRAS_CHANGE; `changes` lists all of them.

Extras (EXTRAS_CHANGE) change like the rest: `extras` lists what the stay should have; a booked extra keeps its
booked unit price, an added one is at today's; the difference is charged or refunded through the same path. A
removed extra is not an exception to the liability rule: inside a 100% cancellation window the guest is already
liable for the whole booked total, so removing breakfast there refunds nothing (the amount is retained and
posted at check-out as "non-refundable after a change"); outside any window it is refunded in full.

A request that changes nothing is NO_CHANGE and writes nothing.

A multi-room booking's dates change as a whole, all or nothing, through booking.py (booking_modify).
"""

from .apply import modification_finish, reservation_modify
from .booking import BookingModificationResult, booking_modification_quote, booking_modify
from .plan import (
    DATE_EXTENSION,
    DATE_REDUCTION,
    DATE_SHIFT,
    EXTRAS_CHANGE,
    NO_CHANGE,
    OCCUPANCY_CHANGE,
    PRIORITY,
    RATE_PLAN_CHANGE,
    ROOM_CHANGE,
    SETTLED_AT_HOTEL,
    STEP,
    ModificationPlan,
    ModificationRequest,
    ModificationResult,
    NightGroup,
    ensure_modifiable,
    modification_plan,
    modification_quote,
)

__all__ = [
    "BookingModificationResult", "booking_modification_quote", "booking_modify",
    "DATE_EXTENSION", "DATE_REDUCTION", "DATE_SHIFT", "EXTRAS_CHANGE", "NO_CHANGE", "OCCUPANCY_CHANGE", "PRIORITY",
    "RATE_PLAN_CHANGE",
    "ROOM_CHANGE", "SETTLED_AT_HOTEL", "STEP", "ModificationPlan", "ModificationRequest", "ModificationResult",
    "NightGroup", "ensure_modifiable", "modification_finish", "modification_plan", "modification_quote",
    "reservation_modify",
]
