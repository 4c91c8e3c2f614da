"""The folio as the front-desk API answers it: the guest's lines, payments and totals (what the guest owes), and
beside them each folio of the reservation (the guest's, a company's, a travel agent's, the channel's) with its own
lines, totals and balance, the routes and the moves between folios."""

from rest_framework import serializers

from hotelbooking.api import AmountField
from hotelbooking.money import round_money

from .. import selectors

AMOUNT_HELP = "Decimal string in the hotel's currency, e.g. \"92.50\"."


def _amount(**kwargs):
    return AmountField(help_text=kwargs.pop("help_text", AMOUNT_HELP), **kwargs)


def _money(value, currency: str) -> str:
    return str(round_money(value, currency))


class FolioLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField(source="business_date", help_text="The hotel day (the night, for room nights)")
    type = serializers.CharField(source="kind", help_text="ROOM, TAX, FEE, an incidental (MINIBAR, ROOM_SERVICE, "
                                 "RESTAURANT, SPA, PARKING, LAUNDRY, TELEPHONE, OTHER), PENALTY, CORRECTION or "
                                 "TRANSFER")
    folio = serializers.IntegerField(source="folio_number", help_text="The number of the folio it is on (1: the "
                                     "guest's)")
    description = serializers.CharField()
    amount = _amount(help_text="Positive for a charge, negative for a credit")
    posted_at = serializers.DateTimeField()
    posted_by = serializers.CharField(source="actor")
    reverses = serializers.IntegerField(allow_null=True, help_text="The line this correction reverses")
    reversed_by = serializers.IntegerField(allow_null=True, help_text="The correction that reversed this line")


class PaymentLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(help_text="CHARGE or REFUND")
    amount = _amount()
    purpose = serializers.CharField(help_text="BOOKING, CHECK_OUT, NO_SHOW, ...")
    card_brand = serializers.CharField()
    last_four = serializers.CharField()
    created_at = serializers.DateTimeField()


class FolioTotalsOutput(serializers.Serializer):
    room = _amount()
    taxes = _amount()
    fees = _amount()
    extras = _amount(help_text="New: booked extras (breakfast, parking...) posted on their nights")
    incidentals = _amount()
    penalties = _amount()
    corrections = _amount()
    transfers = _amount(help_text="Billed to a third party (e.g. the OTA that collected the booking), negative")
    charges = _amount(help_text="The sum of every line")
    payments = _amount(help_text="Card charges that succeeded")
    refunds = _amount()
    paid = _amount(help_text="payments - refunds")
    balance = _amount(help_text="charges - paid: what the guest owes (negative: a credit)")


class BillingPartyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="COMPANY or TRAVEL_AGENT")
    name = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 code, e.g. DE (empty when unknown)")
    vat_id = serializers.CharField()
    contact_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class FolioBillOutput(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 is the guest's own folio")
    kind = serializers.CharField(help_text="GUEST, COMPANY, TRAVEL_AGENT or CHANNEL")
    billed_to = serializers.CharField(help_text="Who pays it: the guest, the company's or agent's name, the channel")
    billing_party = BillingPartyOutput(allow_null=True, help_text="The company or travel agent, if any")
    closed_at = serializers.DateTimeField(allow_null=True, help_text="Set once invoiced: it takes nothing more")
    lines = FolioLineOutput(many=True)
    totals = FolioTotalsOutput(help_text="Its own lines; payments count on the guest's folio (1) only")
    balance = _amount(help_text="What its party still owes: the guest's after payments; a company's, agent's or "
                                "channel's is settled by its invoice")


class FolioRouteOutput(serializers.Serializer):
    type = serializers.CharField(help_text="A kind of charge: ROOM, TAX, FEE, an incidental or PENALTY")
    folio = serializers.IntegerField(help_text="The folio it goes to; kinds not listed go to the guest's (1)")


class FolioMoveOutput(serializers.Serializer):
    line = serializers.IntegerField(help_text="The folio line moved")
    from_folio = serializers.IntegerField()
    to_folio = serializers.IntegerField()
    reason = serializers.CharField()
    moved_at = serializers.DateTimeField()
    moved_by = serializers.CharField(help_text="A staff member or an API key")


class FolioOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    guest_name = serializers.CharField()
    currency = serializers.CharField()
    lines = FolioLineOutput(many=True, help_text="The guest's lines (every folio of kind GUEST)")
    payments = PaymentLineOutput(many=True)
    totals = FolioTotalsOutput(help_text="The guest's: what the guest was charged, paid and owes")
    balance = _amount(help_text="What the guest owes (negative: a credit)")
    folios = FolioBillOutput(many=True, help_text="Every folio of the reservation, the guest's first")
    routes = FolioRouteOutput(many=True, help_text="Which kinds of charges go to a folio other than the guest's")
    moves = FolioMoveOutput(many=True, help_text="Lines moved between folios, oldest first")


def _line(line, c: str, reversed_by: dict, number: dict) -> dict:
    return {"id": line.pk, "business_date": line.business_date, "kind": line.kind,
            "description": line.description, "amount": _money(line.amount, c), "posted_at": line.posted_at,
            "actor": line.actor, "reverses": line.reverses_id, "reversed_by": reversed_by.get(line.pk),
            "folio_number": number.get(line.folio_id, 1)}


def _totals(t, c: str) -> dict:
    return {name: _money(getattr(t, name), c) for name in FolioTotalsOutput().fields}


def billing_party_data(party) -> dict | None:
    if party is None:
        return None
    return {name: getattr(party, name) for name in BillingPartyOutput().fields}


def folio_data(folio: selectors.Folio) -> dict:
    c = folio.currency
    r = folio.reservation
    every_line = [line for bill in folio.folios for line in bill.lines] or folio.lines
    reversed_by = {line.reverses_id: line.pk for line in every_line if line.reverses_id}
    number = {bill.folio.pk: bill.folio.number for bill in folio.folios}
    t = folio.totals
    return {
        "confirmation_number": r.confirmation_number, "status": r.status, "guest_name": r.guest_full_name,
        "currency": c,
        "lines": [_line(line, c, reversed_by, number) for line in folio.lines],
        "payments": [{"id": p.pk, "type": p.kind, "amount": _money(p.amount, c), "purpose": p.purpose,
                      "card_brand": p.card_brand, "last_four": p.last_four, "created_at": p.created_at}
                     for p in folio.payments],
        "totals": _totals(t, c),
        "balance": _money(t.balance, c),
        "folios": [{"number": b.folio.number, "kind": b.folio.kind, "billed_to": b.folio.party_name,
                    "billing_party": billing_party_data(b.folio.billing_party), "closed_at": b.folio.closed_at,
                    "lines": [_line(line, c, reversed_by, number) for line in b.lines],
                    "totals": _totals(b.totals, c), "balance": _money(b.totals.balance, c)}
                   for b in folio.folios],
        "routes": [{"type": route.kind, "folio": route.folio_number} for route in folio.routes],
        "moves": [{"line": m.line_id, "from_folio": m.from_number, "to_folio": m.to_number, "reason": m.reason,
                   "moved_at": m.moved_at, "moved_by": m.actor} for m in folio.moves],
    }
