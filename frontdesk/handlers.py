"""Domain-event handlers (subscribed in FrontdeskConfig.ready). Each is idempotent: bookings.events runs a
handler once per event, and the unique constraints behind each of these make a second run a no-op anyway."""

from bookings.models import OutboxEvent

from . import assignments, services
from .incidentals import incidentals_release


def award_booking_points(event: OutboxEvent) -> None:
    """ReservationConfirmed: the booking bonus for a guest with a loyalty number."""
    if event.reservation is not None:
        services.loyalty_award_booking(reservation=event.reservation, event_id=event.pk)


def withdraw_booking_points(event: OutboxEvent) -> None:
    """ReservationCancelled / ReservationNoShow: the booking bonus goes back."""
    if event.reservation is not None:
        services.loyalty_withdraw_booking(reservation=event.reservation, event_id=event.pk)


def post_cancellation_penalty(event: OutboxEvent) -> None:
    """ReservationCancelled: the penalty kept goes on the folio, so the folio balances with the refund."""
    if event.reservation is not None:
        services.cancellation_penalty_post(reservation=event.reservation)


def create_departure_cleaning(event: OutboxEvent) -> None:
    """GuestCheckedOut: one housekeeping task per room the guest left."""
    if event.reservation is not None:
        services.housekeeping_tasks_for_departure(reservation=event.reservation)


def release_incidentals_hold(event: OutboxEvent) -> None:
    """ReservationCancelled / ReservationNoShow / GuestCheckedOut: a hold still held is released (sent after this
    handler's transaction commits; at check-out the hold was captured or released already, normally)."""
    if event.reservation_id is not None:
        incidentals_release(reservation_id=event.reservation_id)


def assignments_follow_booking(event: OutboxEvent) -> None:
    """ReservationModified: rooms assigned ahead follow the new dates if free, else they are dropped."""
    if event.reservation_id is not None:
        assignments.assignments_follow(reservation_id=event.reservation_id)


def assignments_drop(event: OutboxEvent) -> None:
    """ReservationCancelled / ReservationNoShow / ReservationExpired: rooms assigned ahead are given back."""
    if event.reservation_id is not None:
        assignments.assignments_drop_ended(reservation_id=event.reservation_id)
