"""Domain errors with stable codes. Services raise them; the API handler and page helper translate them.

The default messages of errors a guest meets on the guest pages are translatable (gettext_lazy) and read in the
language active when the error is raised: the guest's on a page, always English in the API (hotelbooking.locale),
whose stable `code` is what clients match. Staff- and partner-only messages stay English.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "SYSTEM_ERROR"
    http_status = 400
    retryable = False
    retry_action: str | None = None
    default_message = _("The request could not be completed.")

    def __init__(self, message: str | None = None, *, retryable: bool | None = None,
                 retry_action: str | None = None, **details):
        self.message = str(message or self.default_message)  # a lazy default read in the active language
        if retryable is not None:
            self.retryable = retryable
        if retry_action is not None:
            self.retry_action = retry_action
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message, "retryable": self.retryable}
        if self.retry_action:
            body["retry_action"] = self.retry_action
        body.update(self.details)
        return body


class NotFound(DomainError):
    code = "NOT_FOUND"
    http_status = 404
    default_message = _("Not found.")


class HotelNotFound(NotFound):
    code = "HOTEL_NOT_FOUND"
    default_message = _("No such hotel.")


class ReservationNotFound(NotFound):
    code = "RESERVATION_NOT_FOUND"
    default_message = _("No reservation matches that confirmation number.")


class RoomNotFound(NotFound):
    code = "ROOM_NOT_FOUND"


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    default_message = _("Some fields are missing or invalid.")


class InvalidDates(DomainError):
    code = "INVALID_DATES"
    default_message = _("The dates are invalid.")


class InvalidParty(DomainError):
    code = "INVALID_PARTY"
    default_message = _("The number of guests is invalid.")


class UnknownRoomType(DomainError):
    code = "UNKNOWN_ROOM_TYPE"
    default_message = _("This hotel has no such room type.")


class UnknownRatePlan(DomainError):
    code = "UNKNOWN_RATE_PLAN"
    default_message = _("This hotel has no such rate plan.")


class UnknownPromoCode(DomainError):
    code = "UNKNOWN_PROMO_CODE"
    default_message = _("This promotion code is not valid for the stay.")


class UnknownExtra(DomainError):
    code = "UNKNOWN_EXTRA"
    default_message = "This hotel offers no such extra."


class ExtraNotAvailable(DomainError):
    code = "EXTRA_NOT_AVAILABLE"
    default_message = "This extra cannot be booked as asked."


class RateNotAvailable(DomainError):
    code = "RATE_NOT_AVAILABLE"
    http_status = 409
    default_message = _("No rate is loaded for some night of the stay.")


class RestrictionViolated(DomainError):
    code = "RESTRICTED"
    http_status = 409
    default_message = _("The stay does not meet the hotel's restrictions.")


class SoldOut(DomainError):
    code = "SOLD_OUT"
    http_status = 409
    default_message = _("Sorry, this room type is no longer available. "
                        "Please choose different dates or room type.")


class PriceChanged(DomainError):
    code = "PRICE_CHANGED"
    http_status = 409
    retryable = True
    retry_action = "CONFIRM_NEW_PRICE"
    default_message = _("The price has changed since it was shown. Please review the new total.")


class PaymentFailed(DomainError):
    code = "PAYMENT_FAILED"
    http_status = 402
    retryable = True
    retry_action = "UPDATE_PAYMENT"
    default_message = _("The payment was declined. Please use another card.")


class CardDataNotAccepted(DomainError):
    """Card numbers sent to us while Stripe is on: refused before anything is sent anywhere (PCI SAQ-A)."""

    code = "CARD_DATA_NOT_ACCEPTED"
    http_status = 400
    default_message = ("Card numbers are not accepted here. Enter the card in Stripe's card fields, or send "
                       "the Stripe payment method id (payment.payment_method, pm_...) instead of card fields.")


class PaymentLinkExpired(DomainError):
    """The signed link of a payment waiting for 3-D Secure or for the provider's answer is too old or not ours."""

    code = "PAYMENT_LINK_EXPIRED"
    http_status = 410
    default_message = _("This payment page has expired. If your payment went through, your confirmation email "
                        "is on its way; otherwise please book again.")


class OverrideNotAllowed(DomainError):
    """A price override asked by someone without the override_rate permission at the hotel: nothing is booked."""

    code = "OVERRIDE_NOT_ALLOWED"
    http_status = 403
    default_message = "Only a front office manager may override the price."


class BookingNotCompleted(DomainError):
    """The payment went through but confirming the booking failed; the payment was given back."""

    code = "SYSTEM_ERROR"
    http_status = 500
    retryable = True
    default_message = _("The booking could not be completed and no money was kept. Please try again.")


class WebhookRejected(DomainError):
    """A provider webhook whose signature is missing, wrong or too old: nothing is processed."""

    code = "WEBHOOK_SIGNATURE_INVALID"
    default_message = "The webhook signature is missing, wrong or too old."


class WebhookNotConfigured(WebhookRejected):
    code = "WEBHOOK_NOT_CONFIGURED"
    default_message = "No webhook secret is configured, so no webhook can be verified."


class InvalidStateTransition(DomainError):
    code = "INVALID_STATE_TRANSITION"
    http_status = 409


class ModificationNotAllowed(DomainError):
    code = "MODIFICATION_NOT_ALLOWED"
    http_status = 409


class CancellationNotAllowed(DomainError):
    code = "CANCELLATION_NOT_ALLOWED"
    http_status = 409
    default_message = _("Please contact the front desk for early departure.")


class InvalidState(DomainError):
    code = "INVALID_STATE"
    http_status = 409


class RoomTypeMismatch(DomainError):
    code = "ROOM_TYPE_MISMATCH"
    http_status = 409


class RoomNotAvailable(DomainError):
    code = "ROOM_NOT_AVAILABLE"
    http_status = 409


class OutstandingBalance(DomainError):
    code = "OUTSTANDING_BALANCE"
    http_status = 402
    retryable = True
    retry_action = "UPDATE_PAYMENT"


class ConcurrentModification(DomainError):
    code = "CONCURRENT_MODIFICATION"
    http_status = 409
    retryable = True
    default_message = _("The reservation was changed by someone else at the same moment. Please try again.")


class IdempotencyKeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    http_status = 422
    default_message = "This Idempotency-Key was already used with a different request body."


class InvalidCurrency(DomainError):
    code = "INVALID_CURRENCY"
    default_message = "The amount must be in the hotel's currency."


# --- front desk ------------------------------------------------------------------------------------------

class WaiverNotPermitted(DomainError):
    code = "WAIVER_NOT_PERMITTED"
    http_status = 403
    default_message = "Only a front office manager may waive a penalty."


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


class RoomAssignedAhead(DomainError):
    """Check-in to rooms other than those assigned ahead of arrival, without asking for the move."""

    code = "ROOM_ASSIGNED_AHEAD"
    http_status = 409
    default_message = "The booking is assigned other rooms; choose these rooms explicitly to move the assignment."


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


class FolioNotFound(NotFound):
    code = "FOLIO_NOT_FOUND"
    default_message = "This reservation has no such folio."


class BillingPartyNotFound(NotFound):
    code = "BILLING_PARTY_NOT_FOUND"
    default_message = "No such company or travel agent."


class FolioClosed(DomainError):
    """The folio is invoiced: nothing is moved onto it or off it (a credit note reopens it)."""

    code = "FOLIO_CLOSED"
    http_status = 409
    default_message = "This folio is invoiced and closed."


# --- channel manager -------------------------------------------------------------------------------------

class ChannelNotFound(NotFound):
    code = "CHANNEL_NOT_FOUND"
    default_message = "No such channel for the hotels this API key reaches."


class MalformedMessage(DomainError):
    """Not XML we can read, or not an OTA_HotelResNotifRQ."""

    code = "MALFORMED_REQUEST"
    default_message = "The body is not a well-formed OTA_HotelResNotifRQ."


class RequiredFieldMissing(DomainError):
    code = "REQUIRED_FIELD_MISSING"
    default_message = "A required element or attribute is missing."


class UnsupportedMessage(DomainError):
    code = "UNSUPPORTED_MESSAGE"
    default_message = "This message or status is not supported."


class PaymentLinkNotFound(NotFound):
    code = "PAYMENT_LINK_NOT_FOUND"
    default_message = _("This payment link is not valid. Please use the link in the hotel's email.")


class PaymentLinkClosed(DomainError):
    """The link takes no payment (now): `reason` is PAID, EXPIRED, BOOKING_CLOSED, AMOUNT_CHANGED, IN_PROGRESS or
    TOO_MANY_TRIES."""

    code = "PAYMENT_LINK_CLOSED"
    http_status = 409
    default_message = _("This payment link no longer takes payments. Please contact the hotel.")


# --- rates calendar --------------------------------------------------------------------------------------

class PreviewOutdated(DomainError):
    """The cells changed between the preview and the apply: nothing was written; preview again."""

    code = "PREVIEW_OUTDATED"
    http_status = 409
    default_message = "Prices or restrictions changed since the preview. Check the new preview before applying."


class UndoConflict(DomainError):
    """A cell an edit changed has been changed again since: undoing would overwrite that later change."""

    code = "UNDO_CONFLICT"
    http_status = 409
    default_message = "Some of these nights were changed again after this edit: it can no longer be undone."


# --- partner webhooks ------------------------------------------------------------------------------------

class WebhookUrlNotAllowed(DomainError):
    """An endpoint URL deliveries may not go to: not https, or a private, loopback or link-local host."""

    code = "WEBHOOK_URL_NOT_ALLOWED"
    default_message = "Webhook URLs must be https and reach a public address."


class UnknownWebhookEventType(DomainError):
    code = "UNKNOWN_EVENT_TYPE"
    default_message = "Unknown event type."


class WebhookEndpointNotFound(NotFound):
    code = "WEBHOOK_ENDPOINT_NOT_FOUND"
    default_message = "No such webhook endpoint for this API key."


class WebhookDeliveryNotFound(NotFound):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"
    default_message = "No such webhook delivery for this API key."


class WebhookEndpointDisabled(DomainError):
    """Replaying to a disabled endpoint: nothing would be sent until it is enabled again."""

    code = "WEBHOOK_ENDPOINT_DISABLED"
    http_status = 409
    default_message = "This endpoint is disabled; enable it (active: true) before replaying events to it."


# --- invoicing -------------------------------------------------------------------------------------------

class InvoiceNotFound(NotFound):
    code = "INVOICE_NOT_FOUND"
    default_message = "No such invoice for this reservation."


class FolioAlreadyInvoiced(DomainError):
    """The folio has an invoice in force (`invoice`: its number): credit it first to issue another."""

    code = "FOLIO_ALREADY_INVOICED"
    http_status = 409
    default_message = "This folio is invoiced already. Cancel the invoice with a credit note to issue a new one."


class FolioEmpty(DomainError):
    code = "FOLIO_EMPTY"
    http_status = 409
    default_message = "This folio has no charges to invoice."


class InvoiceAlreadyCredited(DomainError):
    """The invoice is cancelled by a credit note already (`invoice`: the credit note's number), or is itself one."""

    code = "INVOICE_ALREADY_CREDITED"
    http_status = 409
    default_message = "This invoice has been cancelled by a credit note already."


# --- guest data (privacy) -------------------------------------------------------------------------------

class ErasureBlocked(DomainError):
    """A guest's personal data cannot be erased while a stay of theirs has not ended (the hotel still needs it)."""

    code = "ERASURE_BLOCKED"
    http_status = 409
    default_message = ("This guest has a reservation that has not ended yet (an upcoming or in-house stay): "
                       "their data can be erased once it has ended or been cancelled.")
