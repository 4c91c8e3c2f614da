"""Guest booking form. It checks only the shape of what was typed; the booking service decides the rest."""

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from hotelbooking.errors import DomainError, PaymentFailed, ValidationFailed

_card_number = RegexValidator(r"^[0-9][0-9 -]{10,24}[0-9]$", "Enter the card number as digits.")
_cvc = RegexValidator(r"^[0-9]{3,4}$", "The security code is the 3 or 4 digits on the back of the card.")


class NeverEchoedInput(forms.TextInput):
    """A text box that never writes a value back into the page: card data typed once is not sent back to the
    browser (a declined card's page would otherwise hold the full number and CVC, in caches and history)."""

    def format_value(self, value):
        return None


def _years() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year, this_year + 16)]


class BookingForm(forms.Form):
    first_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=40, required=False, label="Phone (optional)",
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    loyalty_number = forms.CharField(max_length=30, required=False, label="Loyalty number (optional)")
    special_requests = forms.CharField(max_length=2000, required=False, label="Special requests (optional)",
                                       widget=forms.Textarea(attrs={"rows": 3}))
    card_number = forms.CharField(
        max_length=26, validators=[_card_number],
        widget=NeverEchoedInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    exp_month = forms.TypedChoiceField(label="Expiry month", coerce=int,
                                       choices=[(m, f"{m:02d}") for m in range(1, 13)],
                                       widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}))
    exp_year = forms.TypedChoiceField(label="Expiry year", coerce=int, choices=[],
                                      widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}))
    cvc = forms.CharField(label="Security code (CVC)", max_length=4, validators=[_cvc],
                          widget=NeverEchoedInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    holder_name = forms.CharField(label="Name on card", max_length=100,
                                  widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))
    # The total the guest was shown: if the price moves before they submit, they are asked to look again.
    expected_total = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=16, decimal_places=4)
    # One per rendering of the form, so a double submit books once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["exp_year"].choices = _years()

    def add_domain_error(self, error: DomainError) -> None:
        """Put a service's error next to the field it is about, or above the form."""
        field = None
        if isinstance(error, PaymentFailed):
            field = "card_number"
            self.add_error(None, error.message)
        elif isinstance(error, ValidationFailed):
            field = str(error.details.get("field", "")).removeprefix("guest.")
        if field in self.fields:
            self.add_error(field, error.message if not isinstance(error, PaymentFailed)
                           else "Please check the card or use another one.")
        elif not isinstance(error, PaymentFailed):
            self.add_error(None, error.message)


class ConfirmationLookupForm(forms.Form):
    label_suffix = ""
    last_name = forms.CharField(max_length=100, label="Last name of the guest",
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
