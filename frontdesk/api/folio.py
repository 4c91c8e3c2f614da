"""Front-desk API: the folio, posting charges and reversing them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, caller_of, hotels_for

from .. import selectors, services
from ..models import FolioLine
from .common import AUTH_ERRORS, TAGS, _err, _example, _reservation
from .folio_output import FolioLineOutput, FolioOutput, _amount, folio_data

# --- the folio and charges -------------------------------------------------------------------------------

class FolioApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_folio"

    @extend_schema(
        operation_id="reservation_folio", summary="The folio", tags=TAGS,
        description="Every charge line (room nights with their taxes and fees as the night audit posts them, "
                    "incidentals, penalties, corrections) and every payment and refund; the balance is "
                    "charges - payments + refunds. A prepaid guest shows a credit until the nights are posted.",
        responses={200: FolioOutput, **AUTH_ERRORS},
    )
    def get(self, request, confirmation_number: str):
        return Response(FolioOutput(folio_data(selectors.folio_get(_reservation(request, confirmation_number))))
                        .data)


class ChargeInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(FolioLine.INCIDENTALS))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=12, decimal_places=3, help_text="Positive, e.g. \"12.50\"")
    currency = serializers.CharField(max_length=10, help_text="The hotel's currency, e.g. USD")


class ChargeOutput(serializers.Serializer):
    charge = FolioLineOutput()
    balance = _amount(help_text="The guest's balance after this line (a charge routed to a company's folio leaves "
                                "it as it was)")
    currency = serializers.CharField()


def _charge_answer(line: FolioLine, reservation) -> dict:
    folio = selectors.folio_get(reservation)
    data = folio_data(folio)
    every_line = [x for bill in data["folios"] for x in bill["lines"]]  # the charge may be routed to another folio
    return {"charge": next(x for x in every_line if x["id"] == line.pk), "balance": data["balance"],
            "currency": folio.currency}


class ChargePostApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "post_charge"

    @extend_schema(
        operation_id="reservation_charge_post", summary="Post an incidental charge", tags=TAGS,
        description="Minibar, room service, spa, parking, ... on a CHECKED_IN guest's folio, in the hotel's "
                    "currency; the staff member or key is recorded.",
        request=ChargeInput,
        responses={
            201: ChargeOutput,
            400: _err("INVALID_CURRENCY, VALIDATION_ERROR (type, amount not positive or too precise)",
                      _example("Wrong currency", "INVALID_CURRENCY", "Charges at Grand Hotel NYC are in USD.")),
            409: _err("INVALID_STATE: the guest is not checked in",
                      _example("Not checked in", "INVALID_STATE", "Can only post charges for checked-in guests.")),
            **AUTH_ERRORS,
        },
    )
    def post(self, request, confirmation_number: str):
        data = ChargeInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        line = services.charge_post(confirmation_number=confirmation_number, kind=v["type"], amount=v["amount"],
                                    currency=v["currency"], description=v["description"],
                                    hotels=hotels_for(request), actor=caller_of(request))
        return Response(ChargeOutput(_charge_answer(line, line.reservation)).data, status=201)


class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class ChargeReverseApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "post_charge"

    @extend_schema(
        operation_id="reservation_charge_reverse", summary="Reverse a mistaken charge", tags=TAGS,
        description="Adds a CORRECTION line of the opposite amount; the original line stays on the folio.",
        request=ReverseInput,
        responses={
            201: ChargeOutput,
            409: _err("INVALID_STATE: not checked in, not an incidental charge, or already reversed"),
            **AUTH_ERRORS,
            404: _err("RESERVATION_NOT_FOUND, CHARGE_NOT_FOUND, or NOT_FOUND for a partner key"),
        },
    )
    def post(self, request, confirmation_number: str, line_id: int):
        data = ReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.charge_reverse(confirmation_number=confirmation_number, line_id=line_id,
                                       reason=data.validated_data["reason"], hotels=hotels_for(request),
                                       actor=caller_of(request))
        return Response(ChargeOutput(_charge_answer(line, line.reservation)).data, status=201)
