"""Front-desk domain errors not (yet) in hotelbooking.errors. Same base class, so the one API handler maps them."""

from hotelbooking.errors import DomainError, NotFound


class CheckInTooEarly(DomainError):
    code = "CHECK_IN_TOO_EARLY"
    http_status = 409
    default_message = "The reservation can only be checked in from its arrival date."


class StayEnded(DomainError):
    code = "STAY_ENDED"
    http_status = 409
    default_message = "The stay's departure date has passed; the reservation can no longer be checked in."


class RoomCountMismatch(DomainError):
    code = "ROOM_COUNT_MISMATCH"
    http_status = 400
    default_message = "Give exactly one room number per booked room."


class OutOfOrderWouldOversell(DomainError):
    code = "OUT_OF_ORDER_WOULD_OVERSELL"
    http_status = 409
    default_message = "Taking this room out of order would leave fewer rooms than are sold."


class ChargeNotFound(NotFound):
    code = "CHARGE_NOT_FOUND"
    default_message = "This folio has no such charge."


class TaskNotFound(NotFound):
    code = "TASK_NOT_FOUND"
    default_message = "No such housekeeping task."


class OutOfOrderNotFound(NotFound):
    code = "OUT_OF_ORDER_NOT_FOUND"
    default_message = "No such out-of-order period."
