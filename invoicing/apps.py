from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from bookings import events

        events.subscribe(events.GUEST_CHECKED_OUT, "invoicing.handlers.invoice_departure")
