"""The OpenAPI `webhooks` section (OAS 3.1): what we POST to a partner's endpoint for each event type.

WEBHOOKS is SPECTACULAR_SETTINGS["WEBHOOKS"]; the signature and event headers are added by `webhook_headers`
(a postprocessing hook: drf-spectacular's webhook helper has no header parameters).
"""

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema, extend_schema_field
from rest_framework import serializers

from bookings.api.output import AMOUNT_HELP, BookingDetailOutput

from .catalog import API_VERSION, DESCRIPTIONS, EVENT_TYPES
from .sending import SIGNATURE_HEADER


class ModificationData(serializers.Serializer):
    changes = serializers.ListField(child=serializers.CharField(), help_text="What changed, e.g. DATE_EXTENSION")
    previous_check_in = serializers.DateField()
    previous_check_out = serializers.DateField()
    previous_room_type = serializers.CharField(help_text="Room type code before the change")
    previous_total = serializers.CharField(help_text=AMOUNT_HELP)
    new_total = serializers.CharField(help_text=AMOUNT_HELP)
    difference = serializers.CharField(help_text="new_total - previous_total. " + AMOUNT_HELP)
    charged = serializers.CharField(help_text=AMOUNT_HELP)
    refunded = serializers.CharField(help_text=AMOUNT_HELP)
    currency = serializers.CharField()


class CancellationData(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    cancelled_at = serializers.DateTimeField()
    penalty = serializers.CharField(help_text="Kept under the cancellation policy. " + AMOUNT_HELP)
    refund = serializers.CharField(help_text="Given back to the card. " + AMOUNT_HELP)
    currency = serializers.CharField()


class NoShowData(serializers.Serializer):
    penalty = serializers.CharField(help_text=AMOUNT_HELP)
    currency = serializers.CharField()


class PaymentData(serializers.Serializer):
    id = serializers.IntegerField(help_text="The payment's id (one per room of a multi-room booking)")
    kind = serializers.ChoiceField(choices=["CHARGE", "REFUND"])
    amount = serializers.CharField(help_text=AMOUNT_HELP)
    currency = serializers.CharField()
    purpose = serializers.CharField(allow_blank=True, help_text="BOOKING, MODIFICATION, CANCELLATION, ...")
    refund_of = serializers.IntegerField(allow_null=True, help_text="For a refund: the charge's payment id")


_EXTRAS = {"reservation.modified": ("modification", ModificationData),
           "reservation.cancelled": ("cancellation", CancellationData),
           "reservation.no_show": ("no_show", NoShowData),
           "payment.succeeded": ("payment", PaymentData),
           "payment.refunded": ("payment", PaymentData)}


def _camel(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.replace(".", "_").split("_"))


def _always(value: str) -> serializers.Field:
    """A string field that is always `value` (a JSON-schema const: no enum component per event type)."""
    field = extend_schema_field({"type": "string", "const": value})(type("Const", (serializers.CharField,), {}))
    return field(help_text=f'Always "{value}"')


def event_serializer(event_type: str) -> type[serializers.Serializer]:
    """The body of one event type: {id, type, created, api_version, data: {booking, ...}}."""
    data_fields = {"booking": BookingDetailOutput(
        help_text="The booking as GET /api/v1/bookings/{confirmation_number} shows it to the endpoint's API key, "
                  "when the event was sent out")}
    if event_type in _EXTRAS:
        name, serializer = _EXTRAS[event_type]
        data_fields[name] = serializer()
    data = type(f"{_camel(event_type)}Data", (serializers.Serializer,), data_fields)
    return type(f"{_camel(event_type)}Event", (serializers.Serializer,), {
        "__doc__": DESCRIPTIONS[event_type],
        "id": serializers.UUIDField(help_text="The event id: the same in every retry and replay (deduplicate by it)"),
        "type": _always(event_type),
        "created": serializers.DateTimeField(help_text="When the event happened"),
        "api_version": _always(API_VERSION),
        "data": data(),
    })


_SIGNING = (
    f"Signed: `{SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" under the endpoint's "
    "secret>`. Compare in constant time and refuse a t far from now. Answer any 2xx within 10 seconds; anything "
    "else is retried (1 min, 5 min, 30 min, 2 h, 5 h, then every 10 h, for 3 days). Deliveries of one booking "
    "come in order. The same event may come more than once: deduplicate by `id` (also in Hotel-Event-Id).")


def _webhook(event_type: str) -> OpenApiWebhook:
    return OpenApiWebhook(name=event_type, decorator=extend_schema(
        summary=DESCRIPTIONS[event_type], description=_SIGNING, tags=["webhooks"],
        request=event_serializer(event_type),
        responses={200: OpenApiResponse(description="Received (any 2xx; the body is ignored)")},
    ))


WEBHOOKS = [_webhook(event_type) for event_type in EVENT_TYPES]  # SPECTACULAR_SETTINGS["WEBHOOKS"]

_HEADERS = [
    (SIGNATURE_HEADER, "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>",
     "^t=[0-9]+,v1=[0-9a-f]{64}$"),
    ("Hotel-Event-Id", "The event id, as `id` in the body", None),
    ("Hotel-Event-Type", "The event type, as `type` in the body", None),
]


def webhook_headers(result, generator, request, public):
    """Postprocessing hook: the headers every delivery carries, on every webhook operation."""
    for item in (result.get("webhooks") or {}).values():
        for operation in item.values():
            operation["parameters"] = [
                {"name": name, "in": "header", "required": True, "description": description,
                 "schema": {"type": "string", **({"pattern": pattern} if pattern else {})}}
                for name, description, pattern in _HEADERS]
    return result
