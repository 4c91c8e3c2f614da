from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            events,
            modifications,  # noqa: F401  (registers the MODIFICATION finisher)
            services,  # noqa: F401  (registers the payment-attempt finishers of booking steps)
        )

        events.subscribe(events.RESERVATION_CONFIRMED, "bookings.notifications.send_confirmation")
        events.subscribe(events.RESERVATION_MODIFIED, "bookings.notifications_manage.send_modified")
        events.subscribe(events.RESERVATION_CANCELLED, "bookings.notifications_manage.send_cancelled")

        from django.db.models.signals import post_save

        from .payments.ledger_events import payment_saved
        from .payments.models import Payment

        post_save.connect(payment_saved, sender=Payment, dispatch_uid="bookings.payment_saved")
