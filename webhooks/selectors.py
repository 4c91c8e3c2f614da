"""What an API key's owner may read of its webhooks: only its own endpoints and their deliveries."""

from django.db.models import Prefetch

from hotelbooking.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DELIVERIES_SHOWN = 100


def endpoints_of(key):
    return WebhookEndpoint.objects.filter(owner=key).order_by("created_at", "id")


def endpoint_of(key, endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints_of(key).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


def deliveries_of(key, *, endpoint_id: int | None = None, state: str = ""):
    """Newest first, at most DELIVERIES_SHOWN."""
    qs = (WebhookDelivery.objects.filter(endpoint__owner=key).select_related("reservation", "endpoint")
          .order_by("-created_at", "-id"))
    if endpoint_id is not None:
        qs = qs.filter(endpoint=endpoint_id)
    if state:
        qs = qs.filter(state=state)
    return qs[:DELIVERIES_SHOWN]


def delivery_of(key, delivery_id: int) -> WebhookDelivery:
    delivery = (WebhookDelivery.objects.filter(endpoint__owner=key, pk=delivery_id)
                .select_related("reservation", "endpoint")
                .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id")))
                .first())
    if delivery is None:
        raise WebhookDeliveryNotFound()
    return delivery
