"""The admin makes member and code-only plans with their access code, and refuses one without."""

from django.urls import reverse

from pricing.models import RatePlan

from .test_admin import _derived_plan_post, staff_client  # noqa: F401 (the fixture)


def _post(nyc, **fields):
    return _derived_plan_post(nyc, code="ACME", name="Acme corporate", guarantee="PREPAY", **fields)


def test_a_code_only_plan_is_made_with_its_access_code(staff_client, nyc):  # noqa: F811
    r = staff_client.post(reverse("admin:pricing_rateplan_add"), _post(nyc, visibility="CODE",
                                                                       access_code=" ACME-NY "))
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = RatePlan.objects.get(hotel=nyc, code="ACME")
    assert (plan.visibility, plan.access_code, plan.opens_with("acme-ny"), plan.opens_with("")) == (
        "CODE", "ACME-NY", True, False)


def test_a_code_only_plan_without_a_code_is_refused_and_a_plan_saved_without_visibility_is_public(
        staff_client, nyc):  # noqa: F811
    r = staff_client.post(reverse("admin:pricing_rateplan_add"), _post(nyc, visibility="MEMBER"))
    assert r.status_code == 200
    assert "A member or code-only plan needs the code guests enter." in r.content.decode()
    assert not RatePlan.objects.filter(hotel=nyc, code="ACME").exists()
    r = staff_client.post(reverse("admin:pricing_rateplan_add"), _post(nyc))
    assert r.status_code == 302
    assert RatePlan.objects.get(hotel=nyc, code="ACME").visibility == "PUBLIC"
