"""The OpenAPI schema describes the payment method id, the refusal of card data with Stripe on, and the 202 of a
booking whose payment is pending (and the status URL that follows it)."""

from tests.test_schema import _generate


def _resolve(schema, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else ref_or_schema


def test_the_booking_input_takes_a_payment_method_beside_the_card_fields():
    schema, warnings, errors = _generate()
    assert not warnings and not errors
    payment = schema["components"]["schemas"]["PaymentInputRequest"]
    assert set(payment["properties"]) == {"payment_method", "card_number", "exp_month", "exp_year", "cvc",
                                          "holder_name"}
    assert "required" not in payment  # either the card fields or payment_method
    assert payment["properties"]["payment_method"]["pattern"] == "^pm_[A-Za-z0-9_]{1,250}$"
    assert "CARD_DATA_NOT_ACCEPTED" in payment["properties"]["card_number"]["description"]


def test_booking_create_documents_202_pending_and_card_data_not_accepted():
    schema, _, _ = _generate()
    create = schema["paths"]["/api/v1/bookings"]["post"]
    assert {"201", "202", "400", "402", "409"} <= set(create["responses"])
    assert "CARD_DATA_NOT_ACCEPTED" in create["responses"]["400"]["description"]
    pending = _resolve(schema, create["responses"]["202"]["content"]["application/json"]["schema"])
    assert pending["properties"]["confirmation_number"]["type"] == ["string", "null"]  # OpenAPI 3.1's nullable
    payment = _resolve(schema, pending["properties"]["payment"])
    assert {"status", "last_four", "amount", "currency", "client_secret", "status_url"} == set(payment["properties"])
    assert "client_secret" not in payment["required"] and "status_url" in payment["required"]
    assert "REQUIRES_ACTION" in payment["properties"]["status"]["description"]
    assert "Location" in create["responses"]["202"]["headers"]
    # The confirmed answer keeps its shape.
    confirmed = _resolve(schema, create["responses"]["201"]["content"]["application/json"]["schema"])
    required = sorted(_resolve(schema, confirmed["properties"]["payment"])["required"])
    assert required == ["amount", "currency", "last_four", "status"]


def test_the_status_url_is_documented():
    schema, _, _ = _generate()
    follow = schema["paths"]["/api/v1/bookings/pending/{token}"]["get"]
    assert {"200", "202", "402", "404", "410"} <= set(follow["responses"])
    assert "PAYMENT_LINK_EXPIRED" in follow["responses"]["410"]["description"]
