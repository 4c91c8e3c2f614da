"""The desk booking's forms. They check only the shape of what was typed; the booking service decides the rest
(dates, party, prices, availability), so the desk sees the same errors as the API.

Step one (StayForm, GET) is the stay: dates, party, rate plan, how the guest asked. Step two (desk_form_class,
POST) is the room line(s), the guest, the guarantee and, for a manager, a price override. The room choice is a
list of RoomLine (room type, adults, children, child ages): the first is step one's, the further ones are the
room_type_<n>... fields of "Add a room" (frontdesk/desk_booking/rooms.py).
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms

from bookings.forms import BookingForm, StripeBookingForm
from bookings.models import Channel
from hotelbooking.money import fmt

from .rooms import extra_field, extra_indexes, extras_asked, line_field

WALK_IN, PHONE, EMAIL = "WALK_IN", "PHONE", "EMAIL"
BOOKED_HOW = [(WALK_IN, "Walk-in"), (PHONE, "Phone"), (EMAIL, "Email")]
CHANNEL_OF = {WALK_IN: Channel.WALK_IN, PHONE: Channel.PHONE, EMAIL: Channel.PHONE}  # no email channel: the phone's
SOURCE_OF = {WALK_IN: "Front desk (walk-in)", PHONE: "Front desk (phone)", EMAIL: "Front desk (email)"}

CARD, LINK, AT_HOTEL = "CARD", "LINK", "AT_HOTEL"
GUARANTEES = [(AT_HOTEL, "Pay at the hotel (no card)"), (LINK, "Email a payment link (nothing charged now)"),
              (CARD, "Card (charged or kept as the rate plan's guarantee says)")]
OVERRIDE_FIELDS = ("override_nightly", "override_total", "override_reason")


@dataclass(frozen=True)
class RoomLine:
    """One room of the booking: its type and the party in it."""

    room_type_code: str
    adults: int | str
    children: int | str
    child_ages: tuple[str, ...] = ()


def _ages(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


class StayForm(forms.Form):
    """Step one. Dates and counts are kept as typed text: stay_validate checks them, with the API's errors."""

    hotel = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    check_in = forms.CharField(max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    check_out = forms.CharField(max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    adults = forms.CharField(max_length=3, initial="1", widget=forms.NumberInput(attrs={"min": 1, "max": 50}))
    children = forms.CharField(max_length=3, initial="0", required=False,
                               widget=forms.NumberInput(attrs={"min": 0, "max": 50}))
    child_ages = forms.CharField(max_length=100, required=False, label="Child ages",
                                 help_text="One per child, e.g. 4, 9")
    rate_plan = forms.ChoiceField(label="Rate plan", choices=[])
    booked_how = forms.ChoiceField(label="Booked by", choices=BOOKED_HOW, initial=WALK_IN)

    def __init__(self, *args, rate_plans=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["rate_plan"].choices = [(p.code, f"{p.name} ({p.code})") for p in rate_plans]

    def child_age_list(self) -> list[str]:
        return _ages(self.cleaned_data.get("child_ages", ""))


class DeskFields(forms.Form):
    """What the desk form adds to the guest booking form: the stay (hidden, from step one), the room line, the
    guarantee and the manager's price override."""

    hotel = forms.CharField(widget=forms.HiddenInput, max_length=20)
    check_in = forms.CharField(widget=forms.HiddenInput, max_length=20)
    check_out = forms.CharField(widget=forms.HiddenInput, max_length=20)
    adults = forms.CharField(widget=forms.HiddenInput, max_length=3)
    children = forms.CharField(widget=forms.HiddenInput, max_length=3, required=False)
    child_ages = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)
    rate_plan = forms.CharField(widget=forms.HiddenInput, max_length=40)
    booked_how = forms.ChoiceField(widget=forms.HiddenInput, choices=BOOKED_HOW)
    room_type = forms.CharField(widget=forms.HiddenInput, max_length=40)
    guarantee = forms.ChoiceField(label="Guarantee", choices=GUARANTEES, initial=AT_HOTEL, widget=forms.RadioSelect)
    override_nightly = forms.DecimalField(label="Override: price per night", required=False, min_value=0,
                                          max_digits=12, decimal_places=3,
                                          help_text="Room price per room and night, before taxes and fees")
    override_total = forms.DecimalField(label="Override: total room price", required=False, min_value=0,
                                        max_digits=12, decimal_places=3,
                                        help_text="For the whole stay, before taxes and fees; spread over the nights")
    override_reason = forms.CharField(label="Reason for the override", required=False, max_length=300)

    def __init__(self, *args, may_override: bool = False, guarantees=None, room_choices=(), extras=(), currency="",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.may_override = may_override
        self.room_choices = list(room_choices)
        self.line_indexes = extra_indexes(self.data if self.is_bound else self.initial)
        for i in self.line_indexes:
            self.fields.update(_line_fields(i, self.room_choices))
        self.extras_offered, self.currency, self.extra_names = list(extras), currency, []
        for extra in extras:  # the hotel's extras on sale: a quantity each, for the whole booking (every room)
            name = extra_field(extra.code)
            self.fields[name] = forms.IntegerField(
                label=extra.name, required=False, min_value=0, max_value=extra.max_quantity, initial=0,
                help_text=f"{extra.get_kind_display()}, {fmt(extra.price, currency)} each",
                widget=forms.NumberInput(attrs={"min": 0, "max": extra.max_quantity, "class": "vSmallField"}))
            self.extra_names.append(name)
        if not may_override:
            for name in OVERRIDE_FIELDS:
                del self.fields[name]
        if guarantees is not None:
            self.fields["guarantee"].choices = [c for c in GUARANTEES if c[0] in guarantees]

    def room_lines(self) -> list[RoomLine]:
        """The rooms asked for: step one's line, then each added line."""
        d = self.cleaned_data
        lines = [RoomLine(d["room_type"], d["adults"], d.get("children") or 0, tuple(self.child_age_list()))]
        for i in self.line_indexes:
            lines.append(RoomLine(d[line_field("room_type", i)], d[line_field("adults", i)],
                                  d.get(line_field("children", i)) or 0,
                                  tuple(_ages(d.get(line_field("child_ages", i), "")))))
        return lines

    def child_age_list(self) -> list[str]:
        return _ages(self.cleaned_data.get("child_ages", ""))

    def extra_fields(self) -> list:
        return [self[name] for name in self.extra_names]

    def extras(self) -> list[dict]:
        """The extras chosen, as the booking service takes them ([{"code": "BRKF", "quantity": 1}])."""
        return extras_asked({k: v for k, v in self.cleaned_data.items() if k in self.extra_names})

    def override_values(self) -> tuple[Decimal | None, Decimal | None, str] | None:
        """(nightly, total, reason) when any override field was filled; None when none was. Without the
        permission the fields are not on the form, but a forged post's values are read from the raw data so that
        the booking service refuses them (OVERRIDE_NOT_ALLOWED) rather than booking at the normal price."""
        if self.may_override:
            d = self.cleaned_data
            values = (d.get("override_nightly"), d.get("override_total"), d.get("override_reason") or "")
        else:
            values = tuple((self.data.get(name) or "").strip() for name in OVERRIDE_FIELDS)
        if not any(v not in (None, "") for v in values):
            return None
        nightly, total, reason = values
        return (None if nightly in (None, "") else nightly, None if total in (None, "") else total, reason)

    def clean(self):
        data = super().clean()
        if self.may_override and data.get("override_nightly") is not None and data.get("override_total") is not None:
            self.add_error("override_total", "Give a price per night or a total, not both.")
        return data


def _line_fields(i: int, choices) -> dict:
    """A further room line's fields. The room type is a choice of the types offered with rooms left; the party is
    text, checked by the booking service like step one's."""
    return {
        # Offered: the types with rooms left. Any code is taken, so that a type sold out since the page was shown
        # gets the booking service's answer (SOLD_OUT naming the room), as the first line does.
        line_field("room_type", i): forms.CharField(label=f"Room {i}: room type", max_length=40,
                                                    widget=forms.Select(choices=choices)),
        line_field("adults", i): forms.CharField(label="Adults", max_length=3, initial="1",
                                                 widget=forms.NumberInput(attrs={"min": 1, "max": 50})),
        line_field("children", i): forms.CharField(label="Children", max_length=3, initial="0", required=False,
                                                   widget=forms.NumberInput(attrs={"min": 0, "max": 50})),
        line_field("child_ages", i): forms.CharField(label="Child ages", max_length=100, required=False,
                                                     widget=forms.TextInput(attrs={"placeholder": "e.g. 4, 9"})),
    }


class DeskBookingForm(DeskFields, BookingForm):
    """The test gateway's form: the card the guest reads out is typed into these fields, sent to the gateway and
    never stored nor shown again (bookings.forms.NeverEchoedInput)."""


class DeskStripeBookingForm(DeskFields, StripeBookingForm):
    """With Stripe on: the card goes into Stripe's Payment Element; only its PaymentMethod id is posted."""


def desk_form_class(*, stripe: bool) -> type[DeskFields]:
    return DeskStripeBookingForm if stripe else DeskBookingForm


def guest_initial(guest) -> dict:
    """A guest profile's details as the form's starting values (a search result clicked)."""
    return {"first_name": guest.first_name, "last_name": guest.last_name, "email": guest.email,
            "phone": guest.phone, "loyalty_number": guest.loyalty_number}
