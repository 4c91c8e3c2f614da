"""The webhook API's input and output shapes."""

from rest_framework import serializers

from ..catalog import EVENT_TYPES
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

_TYPES_HELP = "Event types to receive: " + ", ".join(EVENT_TYPES)


class EventTypesField(serializers.ListField):
    child = serializers.ChoiceField(choices=list(EVENT_TYPES))

    def __init__(self, **kwargs):
        super().__init__(allow_empty=False, max_length=len(EVENT_TYPES) * 2, help_text=_TYPES_HELP, **kwargs)

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):  # a list field names the bad element by its index
                detail = [str(m) for messages in exc.detail.values() for m in messages]
                raise serializers.ValidationError(detail, code="UNKNOWN_EVENT_TYPE") from None
            raise


class EndpointCreateInput(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https://, reaching a public address")
    event_types = EventTypesField()
    contact_email = serializers.EmailField(max_length=254, help_text="Told when the endpoint is disabled")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndpointUpdateInput(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    event_types = EventTypesField(required=False)
    contact_email = serializers.EmailField(max_length=254, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="true enables a disabled endpoint again (its "
                                                                "pending deliveries are sent at once); false "
                                                                "stops deliveries")


class EndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)))
    description = serializers.CharField(allow_blank=True)
    contact_email = serializers.CharField()
    secret = serializers.CharField(help_text="Verifies the Hotel-Signature header of every delivery. Keep it "
                                             "secret; only this API key sees it")
    active = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField(allow_blank=True)
    failing_since = serializers.DateTimeField(allow_null=True, help_text="The first failed attempt since the last "
                                                                         "success; disabled after 24 hours of it")
    created_at = serializers.DateTimeField()


class ReplaySinceInput(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Every event that happened at or after this instant is sent again "
                                                "(ISO 8601 with an offset)")


class AttemptOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="null when no answer came (see error)")
    latency_ms = serializers.IntegerField()
    response_excerpt = serializers.CharField(allow_blank=True, help_text="The first 500 characters of the answer")
    error = serializers.CharField(allow_blank=True)


class DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField(help_text="The event's id: the same in every retry and replay")
    type = serializers.ChoiceField(choices=list(EVENT_TYPES))
    endpoint = serializers.IntegerField()
    confirmation_number = serializers.CharField(allow_null=True)
    state = serializers.ChoiceField(choices=WebhookDelivery.State.values)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    replay_of = serializers.IntegerField(allow_null=True, help_text="The delivery this one replays")


class DeliveryDetailOutput(DeliveryOutput):
    payload = serializers.JSONField(help_text="The body sent (one of the webhooks' request bodies)")
    attempt_log = AttemptOutput(many=True, help_text="Every attempt, oldest first")


class ReplayOutput(serializers.Serializer):
    replayed = serializers.IntegerField()
    deliveries = DeliveryOutput(many=True)


def endpoint_data(endpoint: WebhookEndpoint) -> dict:
    return {name: getattr(endpoint, name) for name in EndpointOutput().fields}


def delivery_data(delivery: WebhookDelivery, *, detail: bool = False) -> dict:
    data = {
        "id": delivery.pk, "event_id": delivery.event_id, "type": delivery.type, "endpoint": delivery.endpoint_id,
        "confirmation_number": delivery.payload.get("data", {}).get("booking", {}).get("confirmation_number"),
        "state": delivery.state, "attempts": delivery.attempts, "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at, "created_at": delivery.created_at, "replay_of": delivery.replay_of_id,
    }
    if detail:
        data["payload"] = delivery.payload
        data["attempt_log"] = [_attempt_data(a) for a in delivery.attempt_log.all()]
    return data


def _attempt_data(attempt: WebhookAttempt) -> dict:
    return {name: getattr(attempt, name) for name in AttemptOutput().fields}
