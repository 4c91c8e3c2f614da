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


def folio_forms() -> dict:
    """The forms the folio page shows to staff who may manage folios (moves: a tick box on each line)."""
    return {"open_form": FolioOpenForm(), "route_form": FolioRouteForm()}


def _done(request, stay, call, success: str):
    try:
        call()
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
    else:
        messages.success(request, success)
    return redirect("admin:frontdesk_folio", pk=stay.pk)


def _invalid(request, stay, form):
    messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("admin:frontdesk_folio", pk=stay.pk)


def folio_open_view(admin, request, pk):
    admin._require(request, "view_desk", "manage_folios")
    stay = admin._stay(request, pk)
    form = FolioOpenForm(request.POST or None)
    if request.method != "POST":
        return redirect("admin:frontdesk_folio", pk=stay.pk)
    if not form.is_valid():
        return _invalid(request, stay, form)
    v = form.cleaned_data
    party = None
    if v["name"] and v["kind"] != Folio.Kind.GUEST:
        party = services.PartyDetails(name=v["name"], kind=v["kind"], vat_id=v["vat_id"], address=v["address"],
                                      city=v["city"], country=v["country"], email=v["email"])
    party_id = v["billing_party"].pk if v["billing_party"] and party is None else None
    return _done(request, stay, lambda: services.folio_open(
        confirmation_number=stay.confirmation_number, kind=v["kind"], billing_party_id=party_id, party=party,
        route=v["route"], actor=request.user), "Folio opened.")


def folio_route_view(admin, request, pk):
    admin._require(request, "view_desk", "manage_folios")
    stay = admin._stay(request, pk)
    form = FolioRouteForm(request.POST or None)
    if request.method != "POST":
        return redirect("admin:frontdesk_folio", pk=stay.pk)
    if not form.is_valid():
        return _invalid(request, stay, form)
    v = form.cleaned_data
    return _done(request, stay, lambda: services.folio_routes_set(
        confirmation_number=stay.confirmation_number, kinds=v["kinds"], folio=v["folio"], actor=request.user),
        f"Those charges now go to folio {v['folio']}.")


def folio_move_view(admin, request, pk):
    admin._require(request, "view_desk", "manage_folios")
    stay = admin._stay(request, pk)
    if request.method != "POST":
        return redirect("admin:frontdesk_folio", pk=stay.pk)
    try:  # the line ids are checked by the service, against this reservation
        lines = [int(i) for i in request.POST.getlist("lines")]
        folio = int(request.POST.get("folio", ""))
    except ValueError:
        messages.error(request, "Tick the lines to move and give the folio number they go to.")
        return redirect("admin:frontdesk_folio", pk=stay.pk)
    return _done(request, stay, lambda: services.folio_lines_move(
        confirmation_number=stay.confirmation_number, line_ids=lines, folio=folio,
        reason=request.POST.get("reason", ""), actor=request.user),
        f"{len(lines)} line{'s' if len(lines) != 1 else ''} moved to folio {folio}.")
