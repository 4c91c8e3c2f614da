from .models import OutboxEvent, Reservation  # noqa: F401
