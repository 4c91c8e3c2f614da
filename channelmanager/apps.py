from django.apps import AppConfig


class ChannelmanagerConfig(AppConfig):
    name = "channelmanager"
    verbose_name = "Channel manager"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from bookings import events as booking_events
        from inventory.models import InventoryDay
        from pricing.models import ChildAgeBand, Fee, Rate, RateOverride, RatePlan, Tax

        from . import events

        for name in (booking_events.RESERVATION_CONFIRMED, booking_events.RESERVATION_MODIFIED,
                     booking_events.RESERVATION_CANCELLED, booking_events.RESERVATION_EXPIRED,
                     booking_events.RESERVATION_NO_SHOW, booking_events.GUEST_CHECKED_OUT):
            booking_events.subscribe(name, "channelmanager.events.reservation_changed")
        booking_events.subscribe(booking_events.INVENTORY_CHANGED, "channelmanager.events.inventory_changed")

        post_save.connect(events.rate_saved, sender=Rate, dispatch_uid="channelmanager.rate_saved")
        post_delete.connect(events.rate_deleted, sender=Rate, dispatch_uid="channelmanager.rate_deleted")
        post_save.connect(events.rate_override_saved, sender=RateOverride,
                          dispatch_uid="channelmanager.rate_override_saved")
        post_delete.connect(events.rate_deleted, sender=RateOverride,
                            dispatch_uid="channelmanager.rate_override_deleted")
        post_save.connect(events.rate_plan_saved, sender=RatePlan, dispatch_uid="channelmanager.rate_plan_saved")
        for model in (Tax, Fee, ChildAgeBand):
            name = model.__name__.lower()
            post_save.connect(events.price_terms_saved, sender=model, dispatch_uid=f"channelmanager.{name}_saved")
            post_delete.connect(events.price_terms_saved, sender=model, dispatch_uid=f"channelmanager.{name}_deleted")
        post_save.connect(events.inventory_day_saved, sender=InventoryDay,
                          dispatch_uid="channelmanager.inventory_day_saved")
