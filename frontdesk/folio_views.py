"""The folio page's split-folio forms in the staff console: open a folio, route kinds of charges, move lines.
Each POST calls the same service as the API (frontdesk.services.folios) and goes back to the folio page."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect

from hotelbooking.errors import DomainError

from . import services
from .models import BillingParty, Folio, FolioRoute

ROUTE_CHOICES = [("STAY", "Room nights, taxes and fees"), ("INCIDENTALS", "All incidentals")] + [
    (k, k.replace("_", " ").capitalize()) for k in FolioRoute.KINDS]


class FolioOpenForm(forms.Form):
    kind = forms.ChoiceField(choices=[("COMPANY", "Company"), ("TRAVEL_AGENT", "Travel agent"),
                                      ("GUEST", "Second guest bill")])
    billing_party = forms.ModelChoiceField(queryset=BillingParty.objects.filter(is_active=True), required=False,
                                           label="Existing company or agent")
    name = forms.CharField(max_length=200, required=False, label="Or a new one: name")
    vat_id = forms.CharField(max_length=40, required=False, label="VAT id")
    address = forms.CharField(max_length=300, required=False)
    city = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="e.g. DE")
    email = forms.EmailField(required=False)
    route = forms.MultipleChoiceField(choices=ROUTE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Charges it takes from now on")


class FolioRouteForm(forms.Form):
    kinds = forms.MultipleChoiceField(choices=ROUTE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Charges")
    folio = forms.IntegerField(min_value=1, label="To folio")


class FolioMoveForm(forms.Form):
    """The ticked lines (their ids: the service checks they are this reservation's), where to, and why."""

    lines = forms.TypedMultipleChoiceField(coerce=int, required=True, label="Lines")
    folio = forms.IntegerField(min_value=1, label="To folio")
    reason = forms.CharField(max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].valid_value = lambda value: str(value).isdigit()


def folio_forms() -> dict:
    """The forms the folio page shows to staff who may manage folios (moves: a tick box on each line)."""
    return {"open_form": FolioOpenForm(), "route_form": FolioRouteForm()}


def _post(admin, request, pk, form_class, act):
    """The folio page's forms: staff who may manage folios POST, the service acts (`act(stay, cleaned_data)`
    returns its call and the success message), and the answer is the folio page with what happened."""
    admin._require(request, "view_desk", "manage_folios")
    stay = admin._stay(request, pk)
    if request.method == "POST":
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        else:
            call, success = act(stay, form.cleaned_data)
            try:
                call()
            except DomainError as exc:
                messages.error(request, f"{exc.message} ({exc.code})")
            else:
                messages.success(request, success)
    return redirect("admin:frontdesk_folio", pk=stay.pk)


def folio_open_view(admin, request, pk):
    def act(stay, v):
        party = None
        if v["name"] and v["kind"] != Folio.Kind.GUEST:
            party = services.PartyDetails(name=v["name"], kind=v["kind"], vat_id=v["vat_id"], address=v["address"],
                                          city=v["city"], country=v["country"], email=v["email"])
        party_id = v["billing_party"].pk if v["billing_party"] and party is None else None
        return (lambda: services.folio_open(confirmation_number=stay.confirmation_number, kind=v["kind"],
                                            billing_party_id=party_id, party=party, route=v["route"],
                                            actor=request.user), "Folio opened.")
    return _post(admin, request, pk, FolioOpenForm, act)


def folio_route_view(admin, request, pk):
    def act(stay, v):
        return (lambda: services.folio_routes_set(confirmation_number=stay.confirmation_number, kinds=v["kinds"],
                                                  folio=v["folio"], actor=request.user),
                f"Those charges now go to folio {v['folio']}.")
    return _post(admin, request, pk, FolioRouteForm, act)


def folio_move_view(admin, request, pk):
    def act(stay, v):
        n = len(v["lines"])
        return (lambda: services.folio_lines_move(confirmation_number=stay.confirmation_number, line_ids=v["lines"],
                                                  folio=v["folio"], reason=v["reason"], actor=request.user),
                f"{n} line{'s' if n != 1 else ''} moved to folio {v['folio']}.")
    return _post(admin, request, pk, FolioMoveForm, act)
