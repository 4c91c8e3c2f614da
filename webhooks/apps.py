from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Partner webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from bookings import events

        from .catalog import EVENT_TYPES

        for name in EVENT_TYPES.values():
            events.subscribe(name, "webhooks.fanout.fan_out")
