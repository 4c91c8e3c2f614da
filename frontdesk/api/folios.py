"""Front-desk API for split folios: the folios of a reservation, opening one, routing kinds of charges, moving
lines between them; and the companies and travel agents they bill. Thin: parse, call one service, answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, caller_of, hotels_for

from .. import selectors, services
from ..models import BillingParty
from .common import AUTH_ERRORS, TAGS, _err, _example, _reservation
from .folio_output import BillingPartyOutput, FolioBillOutput, FolioOutput, billing_party_data, folio_data

KINDS_HELP = ("Kinds of charges: ROOM, TAX, FEE, PENALTY, an incidental (MINIBAR, ROOM_SERVICE, RESTAURANT, SPA, "
              "PARKING, LAUNDRY, TELEPHONE, OTHER), or INCIDENTALS / STAY (room, tax and fee) for several")
CLOSED = _example("Invoiced", "FOLIO_CLOSED", "Folio 2 (ACME Corp) is invoiced and closed: nothing is moved onto "
                  "it.", folio=2)


PARTY_AUTH_ERRORS = {status: answer for status, answer in AUTH_ERRORS.items() if status != 404}


def _folio_answer(request, confirmation_number: str) -> dict:
    return folio_data(selectors.folio_get(_reservation(request, confirmation_number)))


class PartyInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BillingParty.Kind.values, required=False, default="COMPANY")
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    vat_id = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="",
                                  help_text="Where its invoices are sent")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class FolioOpenInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["COMPANY", "TRAVEL_AGENT", "GUEST"],
                                   help_text="COMPANY or TRAVEL_AGENT (billed to a party), GUEST (a second guest bill)")
    billing_party = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             help_text="An existing company's or travel agent's id")
    party = PartyInput(required=False, allow_null=True, default=None,
                       help_text="Or a new company or travel agent, created with the folio")
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    route = serializers.ListField(child=serializers.CharField(max_length=20), max_length=20, required=False,
                                  default=list, help_text=f"{KINDS_HELP}: routed to the new folio")


class FolioListOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    currency = serializers.CharField()
    folios = FolioBillOutput(many=True)


class FolioListApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = {"GET": "view_folio", "POST": "manage_folios"}

    @extend_schema(
        operation_id="reservation_folios", summary="The folios of a reservation", tags=TAGS,
        description="Each folio (the guest's first, then a company's, a travel agent's, the channel's) with its "
                    "lines, totals and balance. Payments count on the guest's folio; a folio billed to a party "
                    "is settled by its invoice.",
        responses={200: FolioListOutput, **AUTH_ERRORS},
    )
    def get(self, request, confirmation_number: str):
        data = _folio_answer(request, confirmation_number)
        return Response(FolioListOutput({"confirmation_number": data["confirmation_number"],
                                         "currency": data["currency"], "folios": data["folios"]}).data)

    @extend_schema(
        operation_id="reservation_folio_open", summary="Open a folio", tags=TAGS,
        description="A folio billed to a company or travel agent (an existing one, or a new one from `party`), or "
                    "a second guest bill; the kinds in `route` go to it from now on (lines already posted stay "
                    "where they are: move them). The stay must be booked or in house.",
        request=FolioOpenInput,
        responses={
            201: FolioBillOutput,
            400: _err("VALIDATION_ERROR (kind, billing party missing or of another kind, route, party fields)"),
            409: _err("INVALID_STATE: the stay is no longer booked or in house"),
            **AUTH_ERRORS,
            404: _err("RESERVATION_NOT_FOUND, BILLING_PARTY_NOT_FOUND, or NOT_FOUND for a partner key"),
        },
    )
    def post(self, request, confirmation_number: str):
        data = FolioOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        party = services.PartyDetails(**v["party"]) if v["party"] else None
        folio = services.folio_open(confirmation_number=confirmation_number, kind=v["kind"],
                                    billing_party_id=v["billing_party"], party=party,
                                    label=v["label"], route=v["route"], hotels=hotels_for(request),
                                    actor=caller_of(request))
        bill = next(b for b in _folio_answer(request, confirmation_number)["folios"] if b["number"] == folio.number)
        return Response(FolioBillOutput(bill).data, status=201)


class FolioRoutesInput(serializers.Serializer):
    kinds = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1, max_length=20,
                                  help_text=KINDS_HELP)
    folio = serializers.IntegerField(min_value=1, help_text="The folio they go to (1: back to the guest's own)")


class FolioRoutesApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "manage_folios"

    @extend_schema(
        operation_id="reservation_folio_routes_set", summary="Route kinds of charges to a folio", tags=TAGS,
        description="Every posting of these kinds from now on (the night audit's room nights, taxes and fees, "
                    "charges from the desk and the API, penalties) goes to this folio.",
        request=FolioRoutesInput,
        responses={
            200: FolioOutput,
            400: _err("VALIDATION_ERROR (kinds, folio)"),
            409: _err("FOLIO_CLOSED: the folio is invoiced; INVALID_STATE: the stay is no longer booked or in house",
                      CLOSED),
            **AUTH_ERRORS,
            404: _err("RESERVATION_NOT_FOUND, FOLIO_NOT_FOUND, or NOT_FOUND for a partner key"),
        },
    )
    def post(self, request, confirmation_number: str):
        data = FolioRoutesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.folio_routes_set(confirmation_number=confirmation_number, kinds=data.validated_data["kinds"],
                                  folio=data.validated_data["folio"], hotels=hotels_for(request),
                                  actor=caller_of(request))
        return Response(FolioOutput(_folio_answer(request, confirmation_number)).data)


class FolioMoveInput(serializers.Serializer):
    lines = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200,
                                  help_text="Ids of the folio lines to move (a reversed charge moves with its "
                                            "correction)")
    folio = serializers.IntegerField(min_value=1, help_text="The folio they move to")
    reason = serializers.CharField(max_length=200, help_text="Why, e.g. \"The company pays the dinner\"")


class FolioMoveApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "manage_folios"

    @extend_schema(
        operation_id="reservation_folio_lines_move", summary="Move lines to another folio", tags=TAGS,
        description="Moves charges between the folios of one reservation; each move is recorded (who, when, from, "
                    "to, why) and listed in `moves`. Never onto or off an invoiced folio.",
        request=FolioMoveInput,
        responses={
            201: FolioOutput,
            400: _err("VALIDATION_ERROR (lines, folio, reason; lines already on that folio)"),
            409: _err("FOLIO_CLOSED: a folio is invoiced; INVALID_STATE: the stay is no longer booked or in house",
                      CLOSED),
            **AUTH_ERRORS,
            404: _err("RESERVATION_NOT_FOUND, FOLIO_NOT_FOUND, CHARGE_NOT_FOUND, or NOT_FOUND for a partner key"),
        },
    )
    def post(self, request, confirmation_number: str):
        data = FolioMoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.folio_lines_move(confirmation_number=confirmation_number, line_ids=v["lines"], folio=v["folio"],
                                  reason=v["reason"], hotels=hotels_for(request), actor=caller_of(request))
        return Response(FolioOutput(_folio_answer(request, confirmation_number)).data, status=201)


class BillingPartyListApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = {"GET": "view_billing_parties", "POST": "add_billing_party"}

    @extend_schema(
        operation_id="billing_parties", summary="Companies and travel agents", tags=TAGS,
        description="The group's billing parties (shared by its hotels), active ones, by name; `q` searches the "
                    "name, VAT id, city and email. At most 100.",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Part of a name, VAT id, city or email")],
        responses={200: BillingPartyOutput(many=True), **PARTY_AUTH_ERRORS},
    )
    def get(self, request):
        parties = selectors.billing_parties_search(query=request.query_params.get("q", ""))
        return Response(BillingPartyOutput([billing_party_data(p) for p in parties], many=True).data)

    @extend_schema(
        operation_id="billing_party_create", summary="Add a company or travel agent", tags=TAGS,
        request=PartyInput,
        responses={201: BillingPartyOutput, 400: _err("VALIDATION_ERROR (name, kind, country, email)"),
                   **PARTY_AUTH_ERRORS},
    )
    def post(self, request):
        data = PartyInput(data=request.data)
        data.is_valid(raise_exception=True)
        party = services.billing_party_create(details=services.PartyDetails(**data.validated_data))
        return Response(BillingPartyOutput(billing_party_data(party)).data, status=201)

