from django.apps import AppConfig


class FrontdeskConfig(AppConfig):
    name = "frontdesk"
    verbose_name = "Front desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from bookings import events

        from . import services  # noqa: F401  (registers the CHECK_OUT and NO_SHOW payment-attempt finishers)

        events.subscribe(events.RESERVATION_CONFIRMED, "frontdesk.handlers.award_booking_points")
        events.subscribe(events.RESERVATION_CANCELLED, "frontdesk.handlers.withdraw_booking_points")
        events.subscribe(events.RESERVATION_CANCELLED, "frontdesk.handlers.post_cancellation_penalty")
        events.subscribe(events.RESERVATION_NO_SHOW, "frontdesk.handlers.withdraw_booking_points")
        events.subscribe(events.GUEST_CHECKED_OUT, "frontdesk.handlers.create_departure_cleaning")
        for name in (events.RESERVATION_CANCELLED, events.RESERVATION_NO_SHOW, events.GUEST_CHECKED_OUT):
            events.subscribe(name, "frontdesk.handlers.release_incidentals_hold")
        events.subscribe(events.RESERVATION_MODIFIED, "frontdesk.handlers.assignments_follow_booking")
        for name in (events.RESERVATION_CANCELLED, events.RESERVATION_NO_SHOW, events.RESERVATION_EXPIRED):
            events.subscribe(name, "frontdesk.handlers.assignments_drop")

        from . import incidentals, paylinks  # noqa: F401  (they register their payment-attempt finishers)
        from .audit import audit_register

        audit_register()
