"""The guest search form. It only collects text: the search service validates, so pages and API agree.

With children, the form asks each child's age: one select (0 to 17) per child, all named `child_ages` (the
API's parameter; a link may also give them comma-separated, `child_ages=4,13`). Without our script, the
"Update the children's ages" button re-renders the form with as many selects as children typed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hotelbooking.errors import DomainError, HotelNotFound, UnknownPromoCode, UnknownRatePlan

from .search import MAX_ROOMS

# Ages a child may have (the search service's rule: 0 to 17).
CHILD_AGES = range(0, 18)
# The most age selects one party shows (the search service refuses a party of more than 50).
MAX_CHILD_AGE_FIELDS = 50


def child_ages_param(values) -> list[str]:
    """The ages given, as typed: repeated values, each possibly comma-separated ("4,13"); blanks left out."""
    ages = [age.strip()[:3] for value in values for age in str(value).split(",") if age.strip()]
    return ages[:MAX_CHILD_AGE_FIELDS + 1]


def child_age_rows(children, ages: list[str], *, prefix: str) -> list[dict]:
    """A row per child (as many as `children`, when it is a count the form can show) with its age as given."""
    count = int(children) if str(children).strip().isdigit() else 0
    count = min(count, MAX_CHILD_AGE_FIELDS)
    return [{"index": i, "id": f"{prefix}-{i}", "value": ages[i - 1] if i <= len(ages) else ""}
            for i in range(1, count + 1)]


class SearchForm(forms.Form):
    hotel = forms.CharField(label=_("Hotel"), widget=forms.Select)
    check_in = forms.CharField(label=_("Check-in"), required=False,
                               widget=forms.DateInput(attrs={"type": "date", "data-check-in": ""}))
    check_out = forms.CharField(label=_("Check-out"), required=False,
                                widget=forms.DateInput(attrs={"type": "date", "data-check-out": ""}))
    rooms = forms.CharField(label=_("Rooms"), required=False, initial="1",
                            widget=forms.NumberInput(attrs={"min": 1, "max": MAX_ROOMS, "inputmode": "numeric"}))
    adults = forms.CharField(label=_("Adults"), required=False, initial="2",
                             widget=forms.NumberInput(attrs={"min": 1, "max": 50, "inputmode": "numeric"}))
    children = forms.CharField(label=_("Children"), required=False, initial="0",
                               widget=forms.NumberInput(attrs={"min": 0, "max": 50, "inputmode": "numeric",
                                                               "data-child-count": "child-ages"}))
    rate_plan = forms.CharField(label=_("Rate"), required=False, widget=forms.Select)
    promo_code = forms.CharField(label=_("Promo code"), required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 30}))
    access_code = forms.CharField(label=_("Member or corporate code"), required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 30}))

    def __init__(self, *args, hotels=(), rate_plans=(), today=None, min_nights=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotel"].widget.choices = [(h.code, h.name) for h in hotels]
        self.fields["rate_plan"].widget.choices = [("", _("All rates"))] + [(code, name) for code, name in rate_plans]
        if today is not None:  # no past dates in the picker; check-out's minimum follows check-in (js/search-dates.js)
            self.fields["check_in"].widget.attrs["min"] = today.isoformat()
            self.fields["check_out"].widget.attrs["min"] = today.isoformat()
        self.min_nights = max(1, min_nights or 1)
        self.fields["check_out"].widget.attrs["data-min-nights"] = self.min_nights
        if self.min_nights > 1:
            self.fields["check_out"].help_text = ngettext("Minimum stay: %(n)s night", "Minimum stay: %(n)s nights",
                                                          self.min_nights) % {"n": self.min_nights}
            self.fields["check_out"].widget.attrs["aria-describedby"] = "id_check_out_hint"
        # With several rooms the party is each room's; the book page lets the guest give each room its own.
        self.fields["adults"].help_text = _("Per room")
        self.fields["adults"].widget.attrs["aria-describedby"] = "id_adults_hint"
        # The children's ages, one select each: not a Django field (the count follows `children`).
        source = self.data if self.is_bound else {}
        self.child_ages = child_ages_param(source.getlist("child_ages") if hasattr(source, "getlist")
                                           else [source.get("child_ages", "")])
        children = str(source.get("children", "0")).strip()
        if children.isdigit():  # the selects follow the count: ages left from a larger count are not asked
            self.child_ages = self.child_ages[:int(children)]
        self.child_age_rows = child_age_rows(children, self.child_ages, prefix="child-ages")
        self.child_age_choices = [str(n) for n in CHILD_AGES]
        self.child_ages_errors: list[str] = []

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error next to the field it is about, with the service's own message."""
        field = error.details.get("field")
        if isinstance(error, HotelNotFound):
            field = "hotel"
        elif isinstance(error, UnknownRatePlan):
            field = "rate_plan"
        elif isinstance(error, UnknownPromoCode):
            field = "promo_code"
        elif field == "room_count":
            field = "rooms"
        elif field == "child_ages":  # shown with the age selects
            self.child_ages_errors.append(error.message)
            return
        self.add_error(field if field in self.fields else None, error.message)
