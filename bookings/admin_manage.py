"""Admin pieces for changing and cancelling reservations (owned by the modify/cancel work)."""


class ReservationManageAdminMixin:
    """Mixed into ReservationAdmin: extra admin URLs and buttons for cancel / change dates."""

    def get_manage_urls(self):
        return []
