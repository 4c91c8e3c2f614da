"""The report pages' filter: which hotel (or all of the user's, per currency), which nights, which day."""

import calendar
from datetime import date, timedelta

from django import forms

from hotelbooking.errors import DomainError

from .selectors import Window

ALL_HOTELS = ""


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    hotel = forms.ChoiceField(required=False)
    first = forms.DateField(label="First night", widget=_date_input())
    last = forms.DateField(label="Last night", widget=_date_input())
    since = forms.DateField(label="Pickup since", widget=_date_input(),
                            help_text="Bookings made from this day on (hotel time)")
    day = forms.DateField(label="Day", widget=_date_input())

    def __init__(self, query, *, hotels, fields: tuple[str, ...], today: date):
        month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        defaults = {"hotel": ALL_HOTELS, "first": today.replace(day=1).isoformat(), "last": month_end.isoformat(),
                    "since": (today - timedelta(days=7)).isoformat(), "day": today.isoformat()}
        data = {name: query.get(name, defaults[name]) for name in ("hotel", *fields)}
        super().__init__(data)
        for name in [n for n in self.fields if n not in ("hotel", *fields)]:
            del self.fields[name]
        choices = [(h.code, h.name) for h in hotels]
        if len(hotels) > 1:
            choices.insert(0, (ALL_HOTELS, "All my hotels (per currency)"))
        self.fields["hotel"].choices = choices or [(ALL_HOTELS, "No hotel")]

    def clean(self):
        data = super().clean()
        if "first" in self.fields and data.get("first") and data.get("last"):
            try:
                data["window"] = Window.nights(data["first"], data["last"])
            except DomainError as exc:
                self.add_error("last", exc.message)
        return data
