"""Forms of the guest's "Manage my booking" pages. They collect input; the services decide."""

import math
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from hotelbooking.errors import DomainError

from .models import Reservation

NOT_FOUND = ("We could not find a booking with that confirmation number and last name. Please check both "
             "and try again.")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class LookupThrottle:
    """Failed look-ups counted per client address and per confirmation number, in Django's cache.

    After MANAGE_LOOKUP_MAX_FAILURES failures (default 5) within MANAGE_LOOKUP_WINDOW_SECONDS (default 900)
    of the first one, either counter blocks further look-ups until its window ends: guessing numbers from one
    address, or last names for one number, gets a handful of tries per window.
    """

    def __init__(self, *, client_ip: str, confirmation_number: str):
        number = "".join(ch for ch in confirmation_number.upper() if ch.isalnum() or ch == "-")[:40]
        self.keys = [f"manage-lookup:ip:{client_ip or 'unknown'}", f"manage-lookup:cn:{number}"]
        self.limit = _setting("MANAGE_LOOKUP_MAX_FAILURES", 5)
        self.window = _setting("MANAGE_LOOKUP_WINDOW_SECONDS", 900)

    def wait_seconds(self) -> int:
        """How long the caller must wait before the next look-up is even tried (0: go ahead)."""
        now = time.time()
        wait = 0.0
        for entry in cache.get_many(self.keys).values():
            if entry["count"] >= self.limit and entry["until"] > now:
                wait = max(wait, entry["until"] - now)
        return math.ceil(wait)

    def record_failure(self) -> None:
        now = time.time()
        entries = cache.get_many(self.keys)
        for key in self.keys:
            entry = entries.get(key)
            if entry is None or entry["until"] <= now:
                entry = {"count": 0, "until": now + self.window}
            entry["count"] += 1
            cache.set(key, entry, timeout=math.ceil(entry["until"] - now))

    def forget_number(self) -> None:
        """A correct pair clears the number's count (the address's count stays)."""
        cache.delete(self.keys[1])


class BookingLookupForm(forms.Form):
    confirmation_number = forms.CharField(label="Confirmation number", max_length=40,
                                          widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                        "placeholder": "GH-NYC-2024031501234"}))
    last_name = forms.CharField(label="Last name", max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))

    def __init__(self, *args, client_ip: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.client_ip = client_ip
        self.reservation: Reservation | None = None

    def clean(self):
        data = super().clean()
        number = (data.get("confirmation_number") or "").strip()
        last_name = " ".join((data.get("last_name") or "").split())
        if not number or not last_name or "\x00" in number + last_name:
            return data
        throttle = LookupThrottle(client_ip=self.client_ip, confirmation_number=number)
        wait = throttle.wait_seconds()
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            raise forms.ValidationError(
                f"Too many attempts. Please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                code="throttled")
        # The same answer whether the number exists or not: a wrong pair reveals nothing.
        self.reservation = (Reservation.objects.with_details()
                            .filter(Q(guest_last_name__iexact=last_name) | Q(guest__last_name__iexact=last_name),
                                    confirmation_number__iexact=number).first())
        if self.reservation is None:
            throttle.record_failure()
            raise forms.ValidationError(NOT_FOUND, code="not_found")
        throttle.forget_number()
        return data


class DomainErrorsMixin:
    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error next to the field it is about, with the service's own message."""
        field = error.details.get("field")
        self.add_error(field if field in self.fields else None, error.message)


class ChangeStayForm(DomainErrorsMixin, forms.Form):
    check_in = forms.DateField(label="Check-in", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    check_out = forms.DateField(label="Check-out", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    adults = forms.IntegerField(min_value=1, max_value=50, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    children = forms.IntegerField(min_value=0, max_value=50, initial=0,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    # The new total shown on the confirmation step; a different one now is PRICE_CHANGED.
    expected_total = forms.DecimalField(required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput)


class CancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
    # The penalty shown; a different one now (a deadline passed) is PRICE_CHANGED.
    expected_penalty = forms.DecimalField(required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput)


class AdminCancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    expected_penalty = forms.DecimalField(required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput)


class AdminChangeDatesForm(ChangeStayForm):
    pass
