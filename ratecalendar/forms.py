"""The bulk-edit form of the rates calendar: it only reads the fields; the rules are the service's."""

from django import forms

from inventory.models import Hotel, RoomType
from pricing.models import RatePlan

from .models import CalendarEdit
from .services import WEEKDAY_NAMES, EditRequest


class BulkEditForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (last night)", widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label="Weekdays", coerce=int, choices=list(enumerate(WEEKDAY_NAMES)), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one weekday."})
    room_types = forms.ModelMultipleChoiceField(
        label="Room types", queryset=RoomType.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one room type."})
    rate_plans = forms.ModelMultipleChoiceField(
        label="Rate plans (for prices)", queryset=RatePlan.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Base plans: derived plans (AAA = BAR less 10%) follow their parent's new price. Rooms to sell "
                  "and restrictions belong to the room type, on every plan.")
    action = forms.ChoiceField(label="Change", choices=CalendarEdit.Action.choices)
    value = forms.CharField(label="Value", required=False, max_length=20,
                            help_text="An amount (189.00; -10 to lower), a percentage (-5), a number of nights, "
                                      "days or rooms; empty lifts a restriction or the cap.")
    digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, hotel: Hotel, **kwargs):
        super().__init__(*args, **kwargs)
        self.hotel = hotel
        self.fields["room_types"].queryset = RoomType.objects.filter(hotel=hotel).order_by("sort_order", "code")
        self.fields["rate_plans"].queryset = RatePlan.objects.filter(hotel=hotel, parent__isnull=True,
                                                                     is_active=True).order_by("code")

    def to_request(self) -> EditRequest:
        data = self.cleaned_data
        return EditRequest(start=data["start"], end=data["end"], weekdays=frozenset(data["weekdays"]),
                           room_type_ids=tuple(rt.pk for rt in data["room_types"]),
                           rate_plan_ids=tuple(p.pk for p in data["rate_plans"]), action=data["action"],
                           value=data.get("value") or "")

    def add_domain_error(self, error) -> None:
        field = error.details.get("field")
        self.add_error(field if field in self.fields else None, error.message)
