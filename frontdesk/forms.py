"""Forms of the staff console. They only parse input; the services decide."""

from django import forms

from .models import FolioLine


class CheckInForm(forms.Form):
    rooms = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Rooms", required=False,
                                      help_text="Only clean rooms of the booked type, free for the whole stay.")
    key_cards_per_room = forms.IntegerField(min_value=1, max_value=6, initial=2)
    reassign = forms.BooleanField(required=False, label="Check in to the rooms ticked instead of those assigned "
                                                        "ahead (the assignment moves)")

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rooms"].choices = [
            (s.room.number, f"{s.room.number} (floor {s.room.floor}{', ' + s.room.features if s.room.features else ''})"
             + (f" — {', '.join(s.reasons)}" if s.reasons else "")) for s in rooms]


class ChargeForm(forms.Form):
    type = forms.ChoiceField(choices=[(k, FolioLine.Kind(k).label) for k in FolioLine.INCIDENTALS])
    description = forms.CharField(max_length=200, required=False)
    amount = forms.DecimalField(max_digits=12, decimal_places=3, min_value=0)
    currency = forms.CharField(max_length=3, widget=forms.HiddenInput)


class ReverseForm(forms.Form):
    reason = forms.CharField(max_length=150, required=False)


class OutOfOrderForm(forms.Form):
    room = forms.CharField(max_length=10, label="Room number")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="First night out of order")
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="First night back")
    reason = forms.CharField(max_length=300)


class PaymentLinkForm(forms.Form):
    """The console's "send a payment link" form: the balance (the amount owed, or less) or a deposit."""

    purpose = forms.ChoiceField(choices=[("BALANCE", "Balance"), ("DEPOSIT", "Deposit")], initial="BALANCE")
    amount = forms.DecimalField(max_digits=12, decimal_places=3, min_value=0, required=False,
                                help_text="Leave empty for the whole amount owed (required for a deposit).")
    email = forms.EmailField(required=False, help_text="Leave empty to send it to the guest's email.")
