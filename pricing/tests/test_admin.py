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
    })
    assert r.status_code == 200
    assert "Derive from a base plan" in r.content.decode()


def test_rates_can_only_be_given_to_base_plans(staff_client, nyc):
    form = staff_client.get(reverse("admin:pricing_rateoverride_add")).context["adminform"].form
    assert [p.code for p in form.fields["rate_plan"].queryset] == ["BAR"]
    aaa = RatePlan.objects.get(hotel=nyc, code="AAA")
    html = staff_client.get(reverse("admin:pricing_rateplan_change", args=[aaa.pk])).content.decode()
    assert "rates-TOTAL_FORMS" not in html
