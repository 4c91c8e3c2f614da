"""Lifecycle transitions: django-fsm's refusals and lost races as domain errors."""

import logging

from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hotelbooking.errors import (
    ConcurrentModification,
    InvalidStateTransition,
)

from ..models import (
    Reservation,
    Status,
)

logger = logging.getLogger(__name__)

# --- transitions -----------------------------------------------------------------------------------------

def transition(reservation: Reservation, name: str, **kwargs) -> None:
    """Run a lifecycle transition, turning django-fsm's refusal into INVALID_STATE_TRANSITION."""
    method = getattr(reservation, name)
    try:
        method(**kwargs)
    except TransitionNotAllowed:
        raise InvalidStateTransition(_refusal(reservation, name), state=reservation.status) from None


_ACTIONS = {"confirm": "confirmed", "expire": "expired", "cancel": "cancelled", "check_in_guest": "checked in",
            "check_out_guest": "checked out", "mark_no_show": "marked as a no-show"}


def _refusal(reservation: Reservation, name: str) -> str:
    state = reservation.get_status_display().lower()
    if name == "cancel" and reservation.status == Status.CHECKED_IN:
        return "This reservation is checked in. Please contact the front desk for early departure."
    return f"Reservation {reservation.confirmation_number} is {state} and cannot be {_ACTIONS.get(name, name)}."


def reservation_save(reservation: Reservation) -> None:
    """Save, turning a lost race on the status (ConcurrentTransition) into CONCURRENT_MODIFICATION."""
    try:
        reservation.save()
    except ConcurrentTransition:
        raise ConcurrentModification() from None
