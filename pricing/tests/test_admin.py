"""Pricing in the admin: policies with their tiers inline, plans, rates."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from pricing.models import CancellationPolicy, RatePlan


@pytest.fixture
def staff_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def test_a_policy_is_created_with_its_tiers_inline(staff_client, nyc):
    r = staff_client.post(reverse("admin:pricing_cancellationpolicy_add"), {
        "hotel": nyc.pk, "name": "Moderate", "description": "Free until 5 days before; then first night",
        "no_show_penalty_percent": "100", "no_show_penalty_nights": "",
        "tiers-TOTAL_FORMS": "2", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0", "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-hours_before": "120", "tiers-0-penalty_percent": "", "tiers-0-penalty_nights": "1",
        "tiers-1-hours_before": "24", "tiers-1-penalty_percent": "100", "tiers-1-penalty_nights": "",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    policy = CancellationPolicy.objects.get(name="Moderate")
    assert [(t.hours_before, t.penalty_percent, t.penalty_nights) for t in policy.tiers.all()] == [
        (24, 100, None), (120, None, 1)]


def test_a_tier_needs_a_percentage_or_nights_not_both(staff_client, nyc):
    r = staff_client.post(reverse("admin:pricing_cancellationpolicy_add"), {
        "hotel": nyc.pk, "name": "Broken", "description": "x", "no_show_penalty_percent": "100",
        "tiers-TOTAL_FORMS": "1", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0", "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-hours_before": "24", "tiers-0-penalty_percent": "50", "tiers-0-penalty_nights": "1",
    })
    assert r.status_code == 200
    assert "Give either a penalty percentage or a number of nights." in r.content.decode()
    assert not CancellationPolicy.objects.filter(name="Broken").exists()


def test_rate_plan_page_shows_its_rates_and_the_list_shows_derivation(staff_client, nyc):
    bar = RatePlan.objects.get(hotel=nyc, code="BAR")
    html = staff_client.get(reverse("admin:pricing_rateplan_change", args=[bar.pk])).content.decode()
    assert "All year" in html and "189.000" in html
    html = staff_client.get(reverse("admin:pricing_rateplan_changelist")).content.decode()
    assert "AAA" in html and "Percentage off the parent" in html


def test_a_derived_plan_must_derive_from_a_base_plan(staff_client, nyc):
    aaa = RatePlan.objects.get(hotel=nyc, code="AAA")
    r = staff_client.post(reverse("admin:pricing_rateplan_add"), {
        "hotel": nyc.pk, "code": "AAA2", "name": "Derived twice", "cancellation_policy": aaa.cancellation_policy_id,
        "is_active": "on", "parent": aaa.pk, "derivation": "PERCENT", "derivation_value": "5",
        "rates-TOTAL_FORMS": "0", "rates-INITIAL_FORMS": "0", "rates-MIN_NUM_FORMS": "0", "rates-MAX_NUM_FORMS": "1000",
        "child_bands-TOTAL_FORMS": "0", "child_bands-INITIAL_FORMS": "0", "child_bands-MIN_NUM_FORMS": "0",
        "child_bands-MAX_NUM_FORMS": "1000",
    })
    assert r.status_code == 200
    assert "Derive from a base plan" in r.content.decode()


def test_rates_can_only_be_given_to_base_plans(staff_client, nyc):
    form = staff_client.get(reverse("admin:pricing_rateoverride_add")).context["adminform"].form
    assert [p.code for p in form.fields["rate_plan"].queryset] == ["BAR", "BB"]  # base plans only
    aaa = RatePlan.objects.get(hotel=nyc, code="AAA")
    html = staff_client.get(reverse("admin:pricing_rateplan_change", args=[aaa.pk])).content.decode()
    assert "rates-TOTAL_FORMS" not in html


def _derived_plan_post(nyc, **fields) -> dict:
    bar = RatePlan.objects.get(hotel=nyc, code="BAR")
    return {"hotel": nyc.pk, "code": "DEP20", "name": "20% deposit", "cancellation_policy": bar.cancellation_policy_id,
            "is_active": "on", "parent": bar.pk, "derivation": "PERCENT", "derivation_value": "0",
            "guarantee": "DEPOSIT", "deposit_kind": "", "deposit_percent": "", "balance_due_days": "",
            "early_departure_fee": "NONE",
            "rates-TOTAL_FORMS": "0", "rates-INITIAL_FORMS": "0", "rates-MIN_NUM_FORMS": "0",
            "rates-MAX_NUM_FORMS": "1000",
            "child_bands-TOTAL_FORMS": "0", "child_bands-INITIAL_FORMS": "0", "child_bands-MIN_NUM_FORMS": "0",
            "child_bands-MAX_NUM_FORMS": "1000", **fields}


def test_a_deposit_plan_is_made_in_the_admin_with_its_rules(staff_client, nyc):
    r = staff_client.post(reverse("admin:pricing_rateplan_add"), _derived_plan_post(
        nyc, deposit_kind="PERCENT", deposit_percent="20", balance_due_days="7"))
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = RatePlan.objects.get(hotel=nyc, code="DEP20")
    assert (plan.guarantee, plan.deposit_kind, str(plan.deposit_percent), plan.balance_due_days) == (
        "DEPOSIT", "PERCENT", "20.000", 7)
    html = staff_client.get(reverse("admin:pricing_rateplan_changelist")).content.decode()
    assert "20%, balance 7 days before arrival" in html
    assert "First night, balance 7 days before arrival" in html  # the seed's DEP
    html = staff_client.get(reverse("admin:pricing_rateplan_change", args=[plan.pk])).content.decode()
    assert 'name="deposit_percent"' in html and 'name="balance_due_days"' in html


@pytest.mark.parametrize("fields, message", [
    ({}, "A deposit plan needs a deposit: the first night or a percentage."),
    ({"deposit_kind": "PERCENT", "deposit_percent": "0"}, "Give a percentage above 0 and at most 100."),
    ({"guarantee": "PAY_AT_HOTEL", "balance_due_days": "7"}, "Only a deposit plan takes this."),
])
def test_the_admin_refuses_deposit_rules_that_do_not_fit(staff_client, nyc, fields, message):
    r = staff_client.post(reverse("admin:pricing_rateplan_add"), _derived_plan_post(nyc, **fields))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not RatePlan.objects.filter(hotel=nyc, code="DEP20").exists()


def test_the_tax_admin_takes_a_capped_city_tax_with_an_age_exemption_and_dates(staff_client, nyc):
    from pricing.models import Tax

    page = staff_client.get(reverse("admin:pricing_tax_add")).content.decode()
    assert "Children younger than this pay nothing" in page and "Only the first N nights" in page
    r = staff_client.post(reverse("admin:pricing_tax_add"), {
        "hotel": nyc.pk, "name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": "5.00", "base": "NET",
        "is_active": "on", "exempt_under_age": "18", "max_nights": "21", "valid_from": "2031-01-01",
        "valid_until": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    city = Tax.objects.get(name="City tax")
    assert (city.exempt_under_age, city.max_nights, str(city.valid_from), city.valid_until) == (
        18, 21, "2031-01-01", None)


def test_the_tax_admin_refuses_a_validity_that_ends_before_it_starts(staff_client, nyc):
    r = staff_client.post(reverse("admin:pricing_tax_add"), {
        "hotel": nyc.pk, "name": "VAT", "kind": "PERCENT", "value": "7", "base": "NET", "is_active": "on",
        "valid_from": "2031-07-01", "valid_until": "2031-06-30"})
    assert r.status_code == 200 and "The validity ends before it starts." in r.content.decode()


def test_the_hotel_admin_sets_prices_include_tax(staff_client, nyc):
    page = staff_client.get(reverse("admin:inventory_hotel_change", args=[nyc.pk])).content.decode()
    assert 'name="prices_include_tax"' in page and "the rates entered include every percentage tax" in page
