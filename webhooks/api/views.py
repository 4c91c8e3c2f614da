"""Partner webhook API: an API key registers its endpoints, reads their deliveries and replays events.

Only with an API key (partner or front desk); each key sees only its own endpoints. Thin: parse, call one
service or selector, serialize. Errors go through hotelbooking.api.exception_handler.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api.output import error_doc
from hotelbooking.api import HotelWork, api_key_of
from hotelbooking.errors import ValidationFailed
from hotelbooking.permissions import WEBHOOKS

from .. import selectors, services
from ..models import WebhookDelivery
from .io import (
    DeliveryDetailOutput,
    DeliveryOutput,
    EndpointCreateInput,
    EndpointOutput,
    EndpointUpdateInput,
    ReplayOutput,
    ReplaySinceInput,
    delivery_data,
    endpoint_data,
)

TAGS = ["webhooks"]
_COMMON = {
    401: error_doc("AUTHENTICATION_REQUIRED"),
    403: error_doc("FORBIDDEN: a channel key, or a staff session (staff manage endpoints in the admin)"),
    429: error_doc("RATE_LIMITED"),
}
_ENDPOINT_404 = {404: error_doc("WEBHOOK_ENDPOINT_NOT_FOUND: no such endpoint of this API key")}
_DELIVERY_404 = {404: error_doc("WEBHOOK_DELIVERY_NOT_FOUND: no such delivery to an endpoint of this API key")}
_BAD_ENDPOINT = {400: error_doc(
    "VALIDATION_ERROR (`fields` says which); UNKNOWN_EVENT_TYPE; WEBHOOK_URL_NOT_ALLOWED (not https, or a "
    "private, loopback or link-local host)",
    ("URL refused", {"code": "WEBHOOK_URL_NOT_ALLOWED", "message": "The URL must start with https://.",
                     "retryable": False, "field": "url"}))}
_DISABLED = {409: error_doc("WEBHOOK_ENDPOINT_DISABLED: enable the endpoint first (PATCH active: true)")}


class _KeyOnly(APIView):
    permission_classes = [HotelWork]
    hotel_work = WEBHOOKS


class EndpointListApi(_KeyOnly):
    @extend_schema(operation_id="webhook_endpoints_list", summary="This API key's webhook endpoints", tags=TAGS,
                   responses={200: EndpointOutput(many=True), **_COMMON})
    def get(self, request):
        return Response(EndpointOutput([endpoint_data(e) for e in selectors.endpoints_of(api_key_of(request))],
                                       many=True).data)

    @extend_schema(
        operation_id="webhook_endpoint_create", summary="Register a webhook endpoint", tags=TAGS,
        description="Events of the bookings this API key may read (those it made, or all of its hotels' for a "
                    "hotel-wide or front-desk key) are POSTed to `url`, signed with the `secret` in the answer.",
        request=EndpointCreateInput, responses={201: EndpointOutput, **_BAD_ENDPOINT, **_COMMON})
    def post(self, request):
        data = EndpointCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(owner=api_key_of(request), **data.validated_data)
        return Response(EndpointOutput(endpoint_data(endpoint)).data, status=201)


class EndpointDetailApi(_KeyOnly):
    @extend_schema(operation_id="webhook_endpoint_retrieve", summary="A webhook endpoint (with its secret)",
                   tags=TAGS, responses={200: EndpointOutput, **_ENDPOINT_404, **_COMMON})
    def get(self, request, endpoint_id: int):
        return Response(EndpointOutput(endpoint_data(selectors.endpoint_of(api_key_of(request), endpoint_id))).data)

    @extend_schema(operation_id="webhook_endpoint_update", summary="Change, enable or disable an endpoint",
                   tags=TAGS, request=EndpointUpdateInput,
                   responses={200: EndpointOutput, **_BAD_ENDPOINT, **_ENDPOINT_404, **_COMMON})
    def patch(self, request, endpoint_id: int):
        endpoint = selectors.endpoint_of(api_key_of(request), endpoint_id)
        data = EndpointUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(EndpointOutput(endpoint_data(endpoint)).data)

    @extend_schema(operation_id="webhook_endpoint_delete", summary="Delete an endpoint and its deliveries",
                   tags=TAGS, responses={204: None, **_ENDPOINT_404, **_COMMON})
    def delete(self, request, endpoint_id: int):
        selectors.endpoint_of(api_key_of(request), endpoint_id).delete()
        return Response(status=204)


class EndpointReplayApi(_KeyOnly):
    @extend_schema(
        operation_id="webhook_endpoint_replay", summary="Send again every event since a time", tags=TAGS,
        description="Every event this endpoint was sent (or was to be sent) that happened at or after `since`, "
                    "oldest first: new deliveries with the same event ids and bodies.",
        request=ReplaySinceInput,
        responses={202: ReplayOutput, 400: error_doc("VALIDATION_ERROR"), **_ENDPOINT_404, **_DISABLED, **_COMMON})
    def post(self, request, endpoint_id: int):
        endpoint = selectors.endpoint_of(api_key_of(request), endpoint_id)
        data = ReplaySinceInput(data=request.data)
        data.is_valid(raise_exception=True)
        replays = services.endpoint_replay_since(endpoint=endpoint, since=data.validated_data["since"])
        return Response(ReplayOutput({"replayed": len(replays),
                                      "deliveries": [delivery_data(r) for r in replays]}).data, status=202)


class DeliveryListApi(_KeyOnly):
    @extend_schema(
        operation_id="webhook_deliveries_list", summary="Deliveries to this API key's endpoints", tags=TAGS,
        description=f"Newest first, at most {selectors.DELIVERIES_SHOWN}.",
        parameters=[OpenApiParameter("endpoint", OpenApiTypes.INT, description="Only this endpoint's"),
                    OpenApiParameter("state", OpenApiTypes.STR, enum=WebhookDelivery.State.values)],
        responses={200: DeliveryOutput(many=True), 400: error_doc("VALIDATION_ERROR (endpoint, state)"),
                   **_COMMON})
    def get(self, request):
        endpoint = request.query_params.get("endpoint")
        state = request.query_params.get("state") or ""
        if endpoint is not None and not (endpoint.isascii() and endpoint.isdigit()):
            raise ValidationFailed("endpoint: give an endpoint id.", field="endpoint")
        if state and state not in WebhookDelivery.State.values:
            raise ValidationFailed(f"state: one of {', '.join(WebhookDelivery.State.values)}.", field="state")
        deliveries = selectors.deliveries_of(api_key_of(request), endpoint_id=int(endpoint) if endpoint else None,
                                             state=state)
        return Response(DeliveryOutput([delivery_data(d) for d in deliveries], many=True).data)


class DeliveryDetailApi(_KeyOnly):
    @extend_schema(operation_id="webhook_delivery_retrieve", summary="A delivery, its body and every attempt",
                   tags=TAGS, responses={200: DeliveryDetailOutput, **_DELIVERY_404, **_COMMON})
    def get(self, request, delivery_id: int):
        delivery = selectors.delivery_of(api_key_of(request), delivery_id)
        return Response(DeliveryDetailOutput(delivery_data(delivery, detail=True)).data)


class DeliveryReplayApi(_KeyOnly):
    @extend_schema(operation_id="webhook_delivery_replay", summary="Send one event again", tags=TAGS,
                   description="A new delivery with the same event id and body (`replay_of` the original).",
                   request=None,
                   responses={202: DeliveryOutput, **_DELIVERY_404, **_DISABLED, **_COMMON})
    def post(self, request, delivery_id: int):
        delivery = selectors.delivery_of(api_key_of(request), delivery_id)
        return Response(DeliveryOutput(delivery_data(services.delivery_replay(delivery=delivery))).data, status=202)


urlpatterns = [
    path("webhooks/endpoints", EndpointListApi.as_view(), name="api-webhook-endpoints"),
    path("webhooks/endpoints/<int:endpoint_id>", EndpointDetailApi.as_view(), name="api-webhook-endpoint"),
    path("webhooks/endpoints/<int:endpoint_id>/replay", EndpointReplayApi.as_view(),
         name="api-webhook-endpoint-replay"),
    path("webhooks/deliveries", DeliveryListApi.as_view(), name="api-webhook-deliveries"),
    path("webhooks/deliveries/<int:delivery_id>", DeliveryDetailApi.as_view(), name="api-webhook-delivery"),
    path("webhooks/deliveries/<int:delivery_id>/replay", DeliveryReplayApi.as_view(),
         name="api-webhook-delivery-replay"),
]
