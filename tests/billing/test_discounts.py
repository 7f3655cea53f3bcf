"""Subsidized fares: a student pays the discounted pay-as-you-go price; a lapsed grant pays full."""
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from billing import selectors, services
from maas.accounts.models import DiscountGrant, DiscountGroup
from tests.billing.test_pricing import METRO_ONLY


def grant(resident, *, days_left, group="student"):
    today = timezone.localdate()
    return DiscountGrant.objects.create(resident=resident, group=DiscountGroup.objects.get(code=group),
                                        valid_from=today - timedelta(days=100),
                                        valid_until=today + timedelta(days=days_left), proof_note="student card")


def test_student_pays_the_discounted_payg_price_shown_in_the_breakdown(billing_plans, resident):
    grant(resident, days_left=30)
    with translation.override("sv"):
        price = selectors.price_itinerary(resident.user, METRO_ONLY)
    metro = price["legs"][1]
    assert (metro["price_cents"], metro["charge_cents"], metro["discount_cents"], metro["covered_cents"]) == \
        (295, 147, 148, 0)  # 50 % off 2.95, rounded half up
    assert metro["vat_cents"] == 17 and metro["reason"] == "pay_as_you_go"
    assert (price["charge_cents"], price["covered_cents"]) == (147, 0)
    assert price["discount"] == {"group": "student", "name": "Studerande", "percent": 50, "cents": 148}
    assert price["label"] == "1,47\u00a0€ betalning per resa"


def test_lapsed_grant_pays_full_on_its_own(billing_plans, resident):
    grant(resident, days_left=-1)  # ended yesterday: no task needed, it is simply not valid any more
    price = selectors.price_itinerary(resident.user, METRO_ONLY)
    assert (price["charge_cents"], price["discount"]) == (295, None)
    assert price["legs"][1]["discount_cents"] == 0


def test_the_ledger_charges_the_discounted_price(billing_plans, resident):
    grant(resident, days_left=5, group="senior")
    record = services.record_usage(resident.user, mode="metro", leg_ref="leg-1", zones=["A"])
    assert (record.price_cents, record.charge_cents) == (295, 147)


@pytest.mark.parametrize("language, name", [("fi", "Rajaton"), ("sv", "Obegränsad"), ("en", "Unlimited")])
def test_plan_list_in_the_request_language_with_the_discounted_fee(billing_plans, resident_client, language, name):
    grant(resident_client.resident, days_left=10, group="child")
    plans = resident_client.get("/api/v1/billing/plans", HTTP_ACCEPT_LANGUAGE=language).json()
    unlimited = next(p for p in plans if p["code"] == "unlimited")
    assert unlimited["name"] == name and unlimited["description"] != ""
    assert unlimited["your_price"]["price_cents"] == 14950 and unlimited["your_price"]["discount_cents"] == 14950
    assert unlimited["price_cents"] == 29900
    if language == "sv":
        assert unlimited["description"].startswith("HRT:s kollektivtrafik")
