"""Guest booking forms: the built-in test gateway's (card fields, for the demo) and Stripe's (the card goes into
Stripe's own fields; only a PaymentMethod id is posted). They check only the shape of what was typed; the booking
service decides the rest."""

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from bookings.consent import MARKETING_WORDING
from hotelbooking.errors import DomainError, PaymentFailed, ValidationFailed

_card_number = RegexValidator(r"^[0-9][0-9 -]{10,24}[0-9]$", _("Enter the card number as digits."))
_cvc = RegexValidator(r"^[0-9]{3,4}$", _("The security code is the 3 or 4 digits on the back of the card."))


class NeverEchoedInput(forms.TextInput):
    """A text box that never writes a value back into the page: card data typed once is not sent back to the
    browser (a declined card's page would otherwise hold the full number and CVC, in caches and history)."""

    def format_value(self, value):
        return None


class NeverEchoedHidden(forms.HiddenInput):
    def format_value(self, value):
        return None


def _years() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year, this_year + 16)]


# The card fields of the built-in test gateway's form. None of them exists on the Stripe form, and with Stripe on
# a post carrying any of them is refused (CARD_DATA_NOT_ACCEPTED) before anything is sent anywhere.
CARD_FIELDS = ("card_number", "exp_month", "exp_year", "cvc", "holder_name")

_payment_method = RegexValidator(r"^pm_[A-Za-z0-9_]{1,250}$", _("Please enter your card details again."))

# Stripe's test PaymentMethods the built-in test gateway knows, for the demo's 3-D Secure path.
TEST_PAYMENT_METHODS = [
    ("", _("None (use the card above)")),
    ("pm_card_visa", _("Visa 4242: succeeds")),
    ("pm_card_authenticationRequired", _("Visa 3184: asks for 3-D Secure")),
    ("pm_card_chargeDeclined", _("Visa 0002: declined")),
]


class GuestForm(forms.Form):
    """The guest's details and the hidden fields every booking form has; the payment part is in the subclasses."""

    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=40, required=False, label=_("Phone (optional)"),
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    loyalty_number = forms.CharField(max_length=30, required=False, label=_("Loyalty number (optional)"))
    special_requests = forms.CharField(max_length=2000, required=False, label=_("Special requests (optional)"),
                                       widget=forms.Textarea(attrs={"rows": 3}))
    billing_address = forms.CharField(max_length=500, required=False, label=_("Address for your invoice (optional)"),
                                      widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}))
    # Unticked unless the guest ticks it; the words are recorded with the consent (bookings/consent.py).
    marketing_consent = forms.BooleanField(required=False, label=MARKETING_WORDING)
    # The total the guest was shown: if the price moves before they submit, they are asked to look again.
    expected_total = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=16, decimal_places=4)
    # One per rendering of the form, so a double submit books once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    uses_stripe = False

    def __init__(self, *args, card_required: bool = True, **kwargs):
        """`card_required` False: the rate takes no card (pay at the hotel), so the payment fields are optional."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.card_required = card_required

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
                           else _("Please check the card or use another one."))
        elif not isinstance(error, PaymentFailed):
            self.add_error(None, error.message)


class BookingForm(GuestForm):
    """The form of the built-in test gateway (the demo): the card typed here, or one of Stripe's test payment
    methods (the 3-D Secure path works offline)."""

    card_number = forms.CharField(
        label=_("Card number"), max_length=26, validators=[_card_number], required=False,
        widget=NeverEchoedInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    exp_month = forms.TypedChoiceField(label=_("Expiry month"), coerce=int, required=False, empty_value=None,
                                       choices=[(m, f"{m:02d}") for m in range(1, 13)],
                                       widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}))
    exp_year = forms.TypedChoiceField(label=_("Expiry year"), coerce=int, choices=[], required=False,
                                      empty_value=None, widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}))
    cvc = forms.CharField(label=_("Security code (CVC)"), max_length=4, validators=[_cvc], required=False,
                          widget=NeverEchoedInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    holder_name = forms.CharField(label=_("Name on card"), max_length=100, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))
    payment_method = forms.ChoiceField(label=_("Or a test payment method (demo)"), required=False,
                                       choices=TEST_PAYMENT_METHODS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exp_year"].choices = _years()

    def clean(self):
        data = super().clean()
        if self.card_required and not data.get("payment_method"):  # unless a test payment method is chosen
            for name in CARD_FIELDS:
                if name not in self.errors and data.get(name) in (None, ""):
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data


class StripeBookingForm(GuestForm):
    """The form with Stripe on: the card is typed into Stripe's Payment Element (its own frames), and this form
    posts only the PaymentMethod id that stripe_payment.js puts in `payment_method`."""

    # Never written back: every submit makes a new PaymentMethod from what is in the card fields then.
    payment_method = forms.CharField(widget=NeverEchoedHidden, max_length=255, validators=[_payment_method],
                                     error_messages={"required": _("Please enter your card details.")})

    uses_stripe = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].required = self.card_required


class ConfirmationLookupForm(forms.Form):
    label_suffix = ""
    last_name = forms.CharField(max_length=100, label=gettext_lazy("Last name of the guest"),
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
