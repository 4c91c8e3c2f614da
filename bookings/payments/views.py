"""The providers' webhook endpoints: translate HTTP to the webhook service and back, nothing more."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hotelbooking.errors import WebhookRejected

from . import webhooks


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is what authenticates the request
@require_POST
def stripe_webhook(request):
    try:
        event, new = webhooks.receive_stripe_event(payload=request.body,
                                                   signature=request.headers.get("Stripe-Signature", ""))
    except WebhookRejected as exc:
        return JsonResponse({"error": exc.as_dict()}, status=exc.http_status)
    return JsonResponse({"received": True, "event": event.event_id, "duplicate": not new})
