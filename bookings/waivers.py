"""Waiving a penalty (cancellation or no-show): a manager's decision, with a reason, kept in the history.

The rule kept here: only staff holding `waive_penalty` at the booking's hotel may waive, and never without a
reason. The cancel and no-show services ask `waiver_check` inside their transaction, so a forged form or a
request from a clerk is refused before anything changes.
"""

from dataclasses import dataclass
from decimal import Decimal

from hotelbooking.errors import ValidationFailed, WaiverNotPermitted
from hotelbooking.permissions import staff_may


@dataclass(frozen=True)
class Waiver:
    reason: str


def waiver_check(*, actor, hotel, reason: str | None) -> Waiver:
    """The waiver `actor` asks for at `hotel`: WAIVER_NOT_PERMITTED without the permission, VALIDATION_ERROR
    without a reason."""
    if not staff_may(actor, "waive_penalty", hotel):
        raise WaiverNotPermitted()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the reason for waiving the penalty.", field="waive_reason")
    return Waiver(reason=reason[:200])


def waiver_note(waiver: Waiver, *, actor, waived: Decimal, currency: str) -> str:
    """The history line: who waived how much, and why."""
    who = getattr(actor, "get_username", lambda: str(actor))()
    return f"Penalty of {waived} {currency} waived by {who}: {waiver.reason}"
