"""Forms of the guest's "Manage my booking" pages. They collect input; the services decide."""

import math

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from hotelbooking.errors import DomainError

from .lookup import LookupThrottle, reservation_by_guest
from .models import Reservation

NOT_FOUND = _("We could not find a booking with that confirmation number and last name. Please check both "
              "and try again.")


LINK_HINT = _("The link in your confirmation email opens your booking at any time.")


def _duration(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


class BookingLookupForm(forms.Form):
    confirmation_number = forms.CharField(label=_("Confirmation number"), max_length=40,
                                          widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                        "placeholder": "GH-NYC-2024031501234"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request  # whose client address the guesses are counted by
        self.reservation: Reservation | None = None

    def clean(self):
        data = super().clean()
        number = (data.get("confirmation_number") or "").strip()
        last_name = " ".join((data.get("last_name") or "").split())
        if not number or not last_name or "\x00" in number + last_name:
            return data
        throttle = LookupThrottle(request=self.request, confirmation_number=number)
        wait = throttle.attempt()
        if wait:
            raise forms.ValidationError(gettext("Too many attempts. Please try again in %(wait)s.")
                                        % {"wait": _duration(wait)} + f" {LINK_HINT}", code="throttled")
        # The same answer whether the number exists or not: a wrong pair reveals nothing.
        self.reservation = reservation_by_guest(confirmation_number=number, last_name=last_name)
        if self.reservation is None:
            raise forms.ValidationError(NOT_FOUND, code="not_found")
        throttle.found()
        return data


class DomainErrorsMixin:
    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error next to the field it is about, with the service's own message."""
        field = error.details.get("field")
        self.add_error(field if field in self.fields else None, error.message)


class ChangeStayForm(DomainErrorsMixin, forms.Form):
    check_in = forms.DateField(label=_("Check-in"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    check_out = forms.DateField(label=_("Check-out"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=50,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=50, initial=0,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    # The new total shown on the confirmation step; a different one now is PRICE_CHANGED.
    expected_total = forms.DecimalField(required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput)


class CancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
    # The penalty shown; a different one now (a deadline passed) is PRICE_CHANGED.
    expected_penalty = forms.DecimalField(required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput)


class AdminCancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    expected_penalty = forms.DecimalField(required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput)


class AdminChangeDatesForm(ChangeStayForm):
    pass


class AdminChangeBookingDatesForm(DomainErrorsMixin, forms.Form):
    """Every room of a multi-room booking to the same new dates (the party is changed room by room)."""

    check_in = ChangeStayForm.base_fields["check_in"]
    check_out = ChangeStayForm.base_fields["check_out"]
    expected_total = ChangeStayForm.base_fields["expected_total"]
