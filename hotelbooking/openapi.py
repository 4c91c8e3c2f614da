"""The published contract's finishing touches, as a drf-spectacular postprocessing hook.

- The error model: `ErrorCode` (every code the API answers), one typed shape per code family (its extras:
  PRICE_CHANGED's quote, SOLD_OUT's date, PAYMENT_FAILED's decline_code, ...), `ErrorDetail` (one of them,
  discriminated by `code`) and `Error` (the `{"error": ...}` body).
- Every operation's error answers: those its view declares (`error_doc` descriptions name their codes, which
  become `x-error-codes`), plus what the plumbing answers anywhere: 401 for a missing or wrong key, 403 FORBIDDEN
  for keyed operations, 404 NOT_FOUND where a path names an object, 400 and 415 for a body, 429 with Retry-After,
  500 SYSTEM_ERROR.
- Request bodies: a field with a default is optional and says so in its description, without a `default`
  keyword that some generators turn into a required property.
"""

import json
import re

from hotelbooking.errors import DomainError

# Codes answered by hotelbooking.api.exception_handler itself (not by a DomainError), with their status.
HANDLER_CODES = {
    "VALIDATION_ERROR": 400, "MALFORMED_REQUEST": 400, "AUTHENTICATION_REQUIRED": 401, "FORBIDDEN": 403,
    "NOT_FOUND": 404, "METHOD_NOT_ALLOWED": 405, "NOT_ACCEPTABLE": 406, "UNSUPPORTED_MEDIA_TYPE": 415,
    "RATE_LIMITED": 429, "SYSTEM_ERROR": 500,
}
RETRY_ACTIONS = ["CONFIRM_NEW_PRICE", "UPDATE_PAYMENT", "RETRY_LATER"]

_DECIMAL = {"type": "string", "format": "decimal", "description": "Decimal string in the hotel's currency"}
_DATE = {"type": "string", "format": "date"}
_STRING = {"type": "string"}
_INT = {"type": "integer"}
_ROOM_POSITION = {"type": "integer", "minimum": 1,
                  "description": "The room of a multi-room booking the error is about: its place, from 1"}

# Component name -> (its codes, its extras, what it is). Codes not listed here have no extras: ErrorPlain.
FAMILIES = {
    "ErrorValidation": (
        ["VALIDATION_ERROR", "INVALID_DATES", "INVALID_PARTY", "MALFORMED_REQUEST", "REQUIRED_FIELD_MISSING"],
        {"field": {**_STRING, "description": "The field at fault (dotted for nested fields, e.g. guest.email)"},
         "fields": {"type": "object", "additionalProperties": True,
                    "description": "Every field at fault and its messages (a list of strings; an object for a "
                                   "nested field): from the request's validation"},
         "room": _ROOM_POSITION,
         "owed": {**_DECIMAL, "description": "A payment link's amount too high: what is owed"}},
        "The request is invalid: missing or malformed fields, dates, party."),
    "ErrorUnknownCode": (
        ["UNKNOWN_ROOM_TYPE", "UNKNOWN_RATE_PLAN", "UNKNOWN_PROMO_CODE"],
        {"room_type": _STRING, "rate_plan": _STRING, "promo_code": _STRING, "room": _ROOM_POSITION},
        "A code in the request names nothing at this hotel; the code sent is given back."),
    "ErrorExtra": (
        ["UNKNOWN_EXTRA", "EXTRA_NOT_AVAILABLE"],
        {"extra": {**_STRING, "description": "The extra's code, as sent (UNKNOWN_EXTRA) or the hotel's"},
         "field": {**_STRING, "description": "The element of `extras` at fault, e.g. extras[0]"},
         "max_quantity": {**_INT, "description": "EXTRA_NOT_AVAILABLE for a quantity too high: the most a "
                                                 "booking may take"},
         "room": _ROOM_POSITION},
        "An extra in the request names nothing at this hotel, is no longer offered, or is asked too many times."),
    "ErrorAvailability": (
        ["SOLD_OUT", "RATE_NOT_AVAILABLE", "RESTRICTED"],
        {"date": {**_DATE, "description": "The first night that fails"},
         "available": {**_INT, "description": "SOLD_OUT: rooms left on that night"},
         "restriction": {**_STRING, "description": "RESTRICTED: which rule, e.g. MIN_STAY, MAX_STAY, "
                                                   "CLOSED_TO_ARRIVAL, CLOSED_TO_DEPARTURE"},
         "room": _ROOM_POSITION},
        "The stay cannot be sold: no room, no rate or a restriction on some night."),
    "ErrorPriceChanged": (
        ["PRICE_CHANGED"],
        {"expected_total": {**_DECIMAL, "description": "The total the request expected"},
         "new_total": {**_DECIMAL, "description": "Today's total"},
         "quote": {"oneOf": [{"type": "object", "additionalProperties": True},
                             {"type": "array", "items": {"type": "object", "additionalProperties": True}}],
                   "description": "The new price: for a booking, the stay priced like the search's `pricing` "
                                  "(the booking's sums and rooms for a multi-room one); for a change, the "
                                  "`pricing_breakdown` (a list with each room's for rooms=all)"},
         "expected_penalty": {**_DECIMAL, "description": "Cancellation: the penalty the request expected"},
         "penalty": {**_DECIMAL, "description": "Cancellation: today's penalty"},
         "refund": {**_DECIMAL, "description": "Cancellation: today's refund"},
         "room": _ROOM_POSITION},
        "The price or penalty differs from what the request expected: nothing was done."),
    "ErrorPayment": (
        ["PAYMENT_FAILED", "OUTSTANDING_BALANCE"],
        {"decline_code": {**_STRING, "description": "The card issuer's or our reason, e.g. card_declined, "
                                                     "insufficient_funds, no_card_on_file, payment_pending"},
         "balance": {**_DECIMAL, "description": "OUTSTANDING_BALANCE: what could not be charged"},
         "currency": {**_STRING, "description": "ISO 4217 code of `balance`"},
         "reason": _STRING, "room": _ROOM_POSITION},
        "The payment was declined or could not be made: nothing was changed."),
    "ErrorState": (
        ["INVALID_STATE_TRANSITION", "MODIFICATION_NOT_ALLOWED", "CANCELLATION_NOT_ALLOWED", "INVALID_STATE"],
        {"state": {**_STRING, "description": "The current status, e.g. CANCELLED or CHECKED_IN"},
         "field": _STRING, "line": {**_INT, "description": "A folio line concerned"},
         "reverses": {**_INT, "description": "The folio line already reversed"}, "room": _ROOM_POSITION},
        "The reservation (or task, or period) is not in a state that allows this."),
    "ErrorRoom": (
        ["ROOM_NOT_FOUND", "ROOM_TYPE_MISMATCH", "ROOM_NOT_AVAILABLE", "ROOM_ASSIGNED_AHEAD", "ROOM_COUNT_MISMATCH",
         "CHECK_IN_TOO_EARLY", "STAY_ENDED", "OUT_OF_ORDER_WOULD_OVERSELL"],
        {"room": {**_STRING, "description": "The room number"}, "room_type": _STRING,
         "room_status": _STRING, "assigned_to": {**_STRING, "description": "The booking the room is assigned to"},
         "assigned": {"type": "array", "items": _STRING, "description": "The rooms assigned ahead of arrival"},
         "expected": _INT, "given": _INT, "arrival": _DATE, "departure": _DATE, "date": _DATE,
         "sold": {**_INT, "description": "Rooms sold that night"}},
        "A front-desk room error: the room named cannot be used for this."),
    "ErrorCurrency": (
        ["INVALID_CURRENCY"], {"currency": {**_STRING, "description": "The currency sent"},
                               "expected": {**_STRING, "description": "The hotel's currency"}},
        "The amount is not in the hotel's currency."),
    "ErrorPaymentLinkClosed": (
        ["PAYMENT_LINK_CLOSED"],
        {"reason": {"type": "string", "enum": ["PAID", "EXPIRED", "BOOKING_CLOSED", "AMOUNT_CHANGED", "IN_PROGRESS",
                                               "TOO_MANY_TRIES"]}},
        "The payment link takes no payment (now)."),
    "ErrorWebhookEndpoint": (
        ["WEBHOOK_URL_NOT_ALLOWED", "UNKNOWN_EVENT_TYPE"],
        {"field": {**_STRING, "description": "The field at fault: url or event_types"},
         "known": {"type": "array", "items": _STRING, "description": "UNKNOWN_EVENT_TYPE: the event types there are"}},
        "A webhook endpoint cannot be registered so: its URL is refused, or it names an unknown event type."),
    "ErrorFolio": (
        ["FOLIO_CLOSED", "FOLIO_NOT_FOUND", "BILLING_PARTY_NOT_FOUND"],
        {"folio": {**_INT, "description": "The folio's number on the reservation (1 is the guest's)"},
         "billing_party": {**_INT, "description": "BILLING_PARTY_NOT_FOUND: the id sent"}},
        "A folio cannot take this: it is invoiced and closed, or there is no such folio or billing party."),
    "ErrorInvoice": (
        ["FOLIO_ALREADY_INVOICED", "INVOICE_ALREADY_CREDITED"],
        {"invoice": {**_STRING, "description": "The invoice (or credit note) in force, e.g. NYC-2026-000123"}},
        "The folio is invoiced already, or the invoice is cancelled already: a credit note comes first."),
    "ErrorUndoConflict": (
        ["UNDO_CONFLICT"], {"cells": {**_INT, "description": "How many cells were changed again"}},
        "Some cells were changed again since the edit."),
}


def _domain_errors(cls=DomainError):
    for sub in cls.__subclasses__():
        yield sub
        yield from _domain_errors(sub)


def error_codes() -> dict[str, int]:
    """Every code the API can answer, with its HTTP status (a code answers one status)."""
    import bookings.idempotency  # noqa: F401 (its IdempotencyInProgress is a DomainError too)

    codes = dict(HANDLER_CODES)
    for cls in _domain_errors():
        codes.setdefault(cls.code, cls.http_status)
    return codes


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def error_components() -> dict:
    codes = error_codes()
    families = {name: list(family) for name, family in FAMILIES.items()}
    listed = {code for family_codes, _, _ in FAMILIES.values() for code in family_codes}
    families["ErrorPlain"] = ([c for c in codes if c not in listed], {}, "An error with no extra fields.")
    components = {"RetryAction": {"type": "string", "enum": RETRY_ACTIONS}, "ErrorCode": {
        "type": "string", "enum": list(codes),
        "description": "Every error code the API answers. Stable: codes are added, never renamed. The HTTP status "
                       "of each: " + ", ".join(f"{c} {s}" for c, s in codes.items()) + "."}}
    mapping = {}
    for name, (family_codes, extras, description) in families.items():
        components[name] = {
            "type": "object", "description": description,
            "properties": {
                "code": {"type": "string", "enum": family_codes},
                "message": {"type": "string", "description": "For people: may change; do not parse it"},
                "retryable": {"type": "boolean", "description": "The same request may succeed later"},
                "retry_action": {**_ref("RetryAction"), "description": "What to do before retrying"},
                **extras,
            },
            "required": ["code", "message", "retryable"],
        }
        mapping.update({code: _ref(name)["$ref"] for code in family_codes})
    components["ErrorDetail"] = {
        "oneOf": [_ref(name) for name in families],
        "discriminator": {"propertyName": "code", "mapping": mapping},
        "description": "The error: its code, a message, whether to retry, and the extras of its code's family.",
    }
    components["Error"] = {
        "type": "object", "properties": {"error": _ref("ErrorDetail")}, "required": ["error"],
        "description": 'Every error answer: {"error": {"code", "message", "retryable", "retry_action"?, ...}}.',
    }
    return components


# --- each operation's error answers ---------------------------------------------------------------------

_STANDARD = {
    400: ("VALIDATION_ERROR", "MALFORMED_REQUEST"),
    401: ("AUTHENTICATION_REQUIRED",),
    403: ("FORBIDDEN",),
    404: ("NOT_FOUND",),
    415: ("UNSUPPORTED_MEDIA_TYPE",),
    429: ("RATE_LIMITED",),
    500: ("SYSTEM_ERROR",),
}
_STANDARD_TEXT = {
    400: "VALIDATION_ERROR (`fields` says which), MALFORMED_REQUEST (the body is not JSON)",
    401: "AUTHENTICATION_REQUIRED: no API key, or a wrong, revoked or expired one",
    403: "FORBIDDEN: the API key (or staff session) may not do this work",
    404: "NOT_FOUND",
    415: "UNSUPPORTED_MEDIA_TYPE: the body must be application/json",
    429: "RATE_LIMITED: too many requests (or wrong API keys); retry after Retry-After seconds",
    500: "SYSTEM_ERROR: an unexpected error; nothing internal is shown and the request is logged",
}
_PUBLIC_401 = "AUTHENTICATION_REQUIRED: an API key was sent and it is wrong (none is needed here)"
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying", "required": True,
                               "schema": {"type": "integer", "minimum": 1}}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "Api-Key: the scheme to authenticate with",
                                           "schema": {"type": "string"}}}
_CODE_WORD = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b")


def _statuses_due(operation: dict, path: str) -> set[int]:
    due = {401, 429, 500}
    if operation.get("security"):
        due.add(403)
    if "{" in path:
        due.add(404)
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        due |= {400, 415}
    return due


def _declare_errors(operation: dict, path: str, codes: dict[str, int]) -> None:
    responses = operation["responses"]
    public = not operation.get("security")
    due = _statuses_due(operation, path)
    answers_json = any("application/json" in r.get("content", {}) for r in responses.values())
    for status in due if answers_json else ():  # the channel endpoint answers everything in XML
        if str(status) not in responses:
            text = _PUBLIC_401 if public and status == 401 else _STANDARD_TEXT[status]
            responses[str(status)] = {"description": text,
                                      "content": {"application/json": {"schema": _ref("Error")}}}
    for status, response in responses.items():
        if not status.isdigit() or int(status) < 400:
            continue
        content = response.get("content", {})
        if status == "429":
            response["headers"] = {**response.get("headers", {}), **RETRY_AFTER}
        if status == "401":
            response["headers"] = {**response.get("headers", {}), **WWW_AUTHENTICATE}
        if "application/json" not in content:
            continue  # the channel endpoint answers its errors in XML
        content["application/json"]["schema"] = _ref("Error")
        named = [w for w in dict.fromkeys(_CODE_WORD.findall(response.get("description", ""))) if w in codes]
        missing = [c for c in _STANDARD.get(int(status), ()) if int(status) in due and c not in named
                   and (int(status) != 404 or not named)]  # a named *_NOT_FOUND says it already
        if missing:
            response["description"] = "; ".join(filter(None, [response.get("description", "").rstrip(". "),
                                                               ", ".join(missing)]))
        response["x-error-codes"] = named + [c for c in missing if c not in named]


# --- request bodies -------------------------------------------------------------------------------------

def _request_defaults_optional(schemas: dict) -> None:
    """A request field with a default is optional; the default is said in words (not as `default`)."""
    for name, schema in schemas.items():
        if not name.endswith("Request"):
            continue
        required = set(schema.get("required", ()))
        for prop_name, prop in schema.get("properties", {}).items():
            if "default" not in prop:
                continue
            default = prop.pop("default")
            required.discard(prop_name)
            shown = "an empty list" if default == [] else '""' if default == "" else f"`{json.dumps(default)}`"
            said = prop.get("description", "").rstrip(". ")
            prop["description"] = (f"{said}. " if said else "") + f"Optional; {shown} when left out."
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r in required]
            if not schema["required"]:
                del schema["required"]


# --- statuses and kinds -----------------------------------------------------------------------------------

def _answer_enums() -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """The enums of statuses and kinds in answers (name -> values), and which property takes which (component ->
    property -> enum name)."""
    from bookings.models import Status
    from bookings.modifications.plan import PRIORITY
    from bookings.payments.models import Payment
    from frontdesk.models import FolioLine, HousekeepingTask
    from inventory.models import Room

    enums = {
        "StatusEnum": list(Status.values),
        "PaymentStatusEnum": ["COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED", "NOT_COLLECTED"],
        "PendingPaymentStatusEnum": ["REQUIRES_ACTION", "PROCESSING"],
        "PendingStatusEnum": ["PENDING"],
        "ModificationKindEnum": [*PRIORITY, "NO_CHANGE"],
        "RoomStatusEnum": list(Room.Status.values),
        "HousekeepingStatusEnum": list(HousekeepingTask.Status.values),
        "HousekeepingKindEnum": list(HousekeepingTask.Kind.values),
        "FolioLineKindEnum": list(FolioLine.Kind.values),
        "PaymentKindEnum": list(Payment.Kind.values),
    }
    modification = {"modification": "ModificationKindEnum", "changes": "ModificationKindEnum"}
    uses = {
        "BookingPaymentOutput": {"status": "PaymentStatusEnum"},
        "PendingPaymentOutput": {"status": "PendingPaymentStatusEnum"},
        "PendingBookingOutput": {"status": "PendingStatusEnum"},
        "StatusChangeOutput": {"to": "StatusEnum", "from": "StatusEnum"},
        **{name: {"status": "StatusEnum"} for name in (
            "BookingRoomOutput", "CancellationOutput", "CancelledRoomOutput", "QuotedRoomOutput",
            "CancellationQuoteOutput", "FolioOutput", "CheckInOutput", "CheckOutOutput", "StaySummaryOutput")},
        **{name: modification for name in ("RoomQuoteOutput", "BookingModificationQuoteOutput")},
        **{name: {**modification, "status": "StatusEnum"} for name in ("RoomModificationOutput",
                                                                        "BookingModificationOutput")},
        "RackRoomOutput": {"status": "RoomStatusEnum"},
        "TaskRoomOutput": {"status": "RoomStatusEnum"},
        "TaskRefOutput": {"status": "HousekeepingStatusEnum"},
        "HousekeepingTaskOutput": {"status": "HousekeepingStatusEnum", "kind": "HousekeepingKindEnum"},
        "FolioLineOutput": {"type": "FolioLineKindEnum"},
        "PaymentLineOutput": {"type": "PaymentKindEnum"},
    }
    return enums, uses


def _enums_set(schemas: dict) -> None:
    enums, uses = _answer_enums()
    for name, values in enums.items():
        schemas.setdefault(name, {"type": "string", "enum": values})
        assert schemas[name]["enum"] == values, name
    for component, properties in uses.items():
        for name, enum in properties.items():
            prop = schemas[component]["properties"][name]  # a KeyError here: the table is out of date
            said = {"description": prop["description"]} if "description" in prop else {}
            if prop.get("type") == "array":
                prop["items"] = _ref(enum)
            elif "null" in prop.get("type", ()):
                schemas[component]["properties"][name] = {"oneOf": [_ref(enum), {"type": "null"}], **said}
            else:
                schemas[component]["properties"][name] = {**_ref(enum), **said}


def postprocess_contract(result, generator, request, public):
    codes = error_codes()
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(error_components())
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                _declare_errors(operation, path, codes)
    _request_defaults_optional(schemas)
    _enums_set(schemas)
    return result
