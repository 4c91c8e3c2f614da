"""The guest's form on /pay/<token>/: the card fields with the test gateway, or only the payment method id that
Stripe's hosted card fields give (no card number reaches us when Stripe is on)."""

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.forms import NeverEchoedInput
from bookings.payments import Card

_card_number = RegexValidator(r"^[0-9][0-9 -]{10,24}[0-9]$", _("Enter the card number as digits."))
_cvc = RegexValidator(r"^[0-9]{3,4}$", _("The security code is the 3 or 4 digits on the back of the card."))
_payment_method = RegexValidator(r"^pm_[A-Za-z0-9_]{1,200}$", _("The card could not be read. Please try again."))


class PayForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"), max_length=26, validators=[_card_number],
        widget=NeverEchoedInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    exp_month = forms.TypedChoiceField(label=_("Expiry month"), coerce=int,
                                       choices=[(m, f"{m:02d}") for m in range(1, 13)],
                                       widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}))
    exp_year = forms.TypedChoiceField(label=_("Expiry year"), coerce=int, choices=[],
                                      widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}))
    cvc = forms.CharField(label=_("Security code (CVC)"), max_length=4, validators=[_cvc],
                          widget=NeverEchoedInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    holder_name = forms.CharField(label=_("Name on card"), max_length=100,
                                  widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))
    # Stripe on: filled by static/js/stripe_payment.js from the hosted card fields.
    payment_method = forms.CharField(widget=forms.HiddenInput, max_length=220, validators=[_payment_method])

    CARD_FIELDS = ("card_number", "exp_month", "exp_year", "cvc", "holder_name")

    def __init__(self, *args, hosted_fields: bool = False, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.hosted_fields = hosted_fields
        if hosted_fields:
            for name in self.CARD_FIELDS:
                del self.fields[name]
        else:
            del self.fields["payment_method"]
            this_year = timezone.localdate().year
            self.fields["exp_year"].choices = [(y, str(y)) for y in range(this_year, this_year + 16)]

    def card(self) -> Card | None:
        if self.hosted_fields:
            return None
        d = self.cleaned_data
        return Card(number=d["card_number"], exp_month=d["exp_month"], exp_year=d["exp_year"], cvc=d["cvc"],
                    holder=d["holder_name"])

    def method_id(self) -> str:
        return self.cleaned_data.get("payment_method", "") if self.hosted_fields else ""
