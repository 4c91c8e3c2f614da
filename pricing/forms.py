"""The guest search form. It only collects text: the search service validates, so pages and API agree."""

from django import forms

from hotelbooking.errors import DomainError, HotelNotFound, UnknownPromoCode, UnknownRatePlan


class SearchForm(forms.Form):
    hotel = forms.CharField(widget=forms.Select)
    check_in = forms.CharField(label="Check-in", required=False,
                               widget=forms.DateInput(attrs={"type": "date", "data-check-in": ""}))
    check_out = forms.CharField(label="Check-out", required=False,
                                widget=forms.DateInput(attrs={"type": "date", "data-check-out": ""}))
    adults = forms.CharField(required=False, initial="2",
                             widget=forms.NumberInput(attrs={"min": 1, "max": 50, "inputmode": "numeric"}))
    children = forms.CharField(required=False, initial="0",
                               widget=forms.NumberInput(attrs={"min": 0, "max": 50, "inputmode": "numeric"}))
    rate_plan = forms.CharField(label="Rate", required=False, widget=forms.Select)
    promo_code = forms.CharField(label="Promo code", required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 30}))
    access_code = forms.CharField(label="Member or corporate code", required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 30}))

    def __init__(self, *args, hotels=(), rate_plans=(), today=None, min_nights=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotel"].widget.choices = [(h.code, h.name) for h in hotels]
        self.fields["rate_plan"].widget.choices = [("", "All rates")] + [(code, name) for code, name in rate_plans]
        if today is not None:  # no past dates in the picker; check-out's minimum follows check-in (js/search-dates.js)
            self.fields["check_in"].widget.attrs["min"] = today.isoformat()
            self.fields["check_out"].widget.attrs["min"] = today.isoformat()
        self.min_nights = max(1, min_nights or 1)
        self.fields["check_out"].widget.attrs["data-min-nights"] = self.min_nights
        if self.min_nights > 1:
            self.fields["check_out"].help_text = f"Minimum stay: {self.min_nights} nights"
            self.fields["check_out"].widget.attrs["aria-describedby"] = "id_check_out_hint"

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error next to the field it is about, with the service's own message."""
        field = error.details.get("field")
        if isinstance(error, HotelNotFound):
            field = "hotel"
        elif isinstance(error, UnknownRatePlan):
            field = "rate_plan"
        elif isinstance(error, UnknownPromoCode):
            field = "promo_code"
        self.add_error(field if field in self.fields else None, error.message)
