"""price_itinerary and record_usage on the seeded plans and tariffs (real numbers, integer cents)."""
import pytest
from django.utils import translation

from billing import selectors, services
from billing.models import UsageRecord
from billing.money import format_eur, vat_included


def leg(mode, start="2026-11-25T08:00:00+02:00", minutes=10, zones=None, distance_m=1000):
    return {"mode": mode, "transit": mode in {"tram", "metro", "bus", "rail", "ferry"}, "start_time": start,
            "duration_s": minutes * 60, "distance_m": distance_m, "zones": zones}


# Kalasatama -> Pasila: walk, metro (zone A), bus within the 80-minute AB validity, then a 45-min city bike.
COMMUTE = {"legs": [
    leg("walk", minutes=4),
    leg("metro", "2026-11-25T08:04:00+02:00", 8, ["A"]),
    leg("bus", "2026-11-25T08:20:00+02:00", 12, ["A", "B"]),
    leg("city_bike", "2026-11-25T08:35:00+02:00", 45, distance_m=6000),
]}
METRO_ONLY = {"legs": [leg("walk", minutes=3), leg("metro", "2026-11-25T08:04:00+02:00", 8, ["A"])]}


def assert_all_int(price):
    for key in ("total_cents", "charge_cents", "covered_cents", "vat_cents"):
        assert type(price[key]) is int, key
    for item in price["legs"]:
        for key in ("price_cents", "charge_cents", "covered_cents", "vat_cents"):
            assert type(item[key]) is int, key


def test_money_helpers():
    assert vat_included(295, 1350) == 35          # 2.95 incl. 13.5 % -> 0.35 VAT
    assert vat_included(600, 2550) == 122          # 6.00 incl. 25.5 % -> 1.22 VAT
    assert vat_included(6990, 1350) == 831
    assert format_eur(295, "en") == "€2.95"
    assert format_eur(295, "fi") == "2,95\u00a0€"
    assert format_eur(1005, "sv") == "10,05\u00a0€"


def test_payg_resident_pays_every_leg(billing_plans, resident):
    with translation.override("en"):
        price = selectors.price_itinerary(resident.user, COMMUTE)
    assert [p["price_cents"] for p in price["legs"]] == [0, 295, 0, 600]
    assert [p["reason"] for p in price["legs"]] == ["own_means", "pay_as_you_go", "transfer", "pay_as_you_go"]
    assert price["legs"][3]["tariff"] == "city-bike-ride"      # 5.00 ride + 1.00 for the started extra 30 min
    assert (price["total_cents"], price["charge_cents"], price["covered_cents"]) == (895, 895, 0)
    assert price["vat_cents"] == 35 + 122
    assert price["plan"] is None
    assert price["label"] == "€8.95 pay-as-you-go"
    assert_all_int(price)


def test_anonymous_and_none_price_as_payg(billing_plans):
    from django.contrib.auth.models import AnonymousUser

    with translation.override("en"):
        assert selectors.price_itinerary(None, METRO_ONLY)["label"] == "€2.95 pay-as-you-go"
        assert selectors.price_itinerary(AnonymousUser(), METRO_ONLY)["charge_cents"] == 295


def test_urban_resident_same_legs(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "urban")
    with translation.override("en"):
        commute = selectors.price_itinerary(resident.user, COMMUTE)
        metro = selectors.price_itinerary(resident.user, METRO_ONLY)
    assert [p["charge_cents"] for p in commute["legs"]] == [0, 0, 0, 100]   # only the bike's overtime
    assert [p["covered"] for p in commute["legs"]] == [False, True, True, True]
    assert commute["legs"][3]["reason"] == "covered_partly"
    assert (commute["total_cents"], commute["charge_cents"], commute["covered_cents"]) == (895, 100, 795)
    assert commute["vat_cents"] == vat_included(100, 2550) == 20
    assert commute["label"] == "€1.00 extra, the rest covered by your Urban plan"
    assert (metro["charge_cents"], metro["covered_cents"]) == (0, 295)
    assert metro["label"] == "Covered by your Urban plan"
    assert metro["plan"] == "Urban"
    assert_all_int(commute)


def test_labels_are_translated(billing_plans, resident, subscribe_locally):
    with translation.override("fi"):
        assert selectors.price_itinerary(None, METRO_ONLY)["label"] == "2,95\u00a0€ kertamaksulla"
    with translation.override("sv"):
        assert selectors.price_itinerary(None, METRO_ONLY)["label"] == "2,95\u00a0€ betalning per resa"
    subscribe_locally(resident.user, "urban")
    with translation.override("fi"):
        assert selectors.price_itinerary(resident.user, METRO_ONLY)["label"] == "Sisältyy Urban-tilaukseesi"
    with translation.override("sv"):
        assert selectors.price_itinerary(resident.user, METRO_ONLY)["label"] == "Ingår i ditt Urban-abonnemang"


def test_zone_outside_plan_is_charged(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "urban")
    trip = {"legs": [leg("rail", minutes=25, zones=["A", "B", "C"])]}
    price = selectors.price_itinerary(resident.user, trip)
    assert price["legs"][0]["reason"] == "zones_not_covered"
    assert price["charge_cents"] == 410


def test_new_ticket_after_validity_expires(billing_plans, resident):
    trip = {"legs": [leg("tram", "2026-11-25T08:00:00+02:00", 10, ["A"]),
                     leg("bus", "2026-11-25T09:30:00+02:00", 10, ["A"])]}      # 90 min later: > 80 min
    assert [p["price_cents"] for p in selectors.price_itinerary(resident.user, trip)["legs"]] == [295, 295]


def test_usage_beyond_plan_is_priced_payg_and_pricing_never_consumes(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "urban")
    bike = {"legs": [leg("city_bike", minutes=20)]}
    for n in range(19):
        services.record_usage(resident.user, mode="city_bike", leg_ref=f"ride-{n}", minutes=20)
    for _ in range(3):   # pricing is read-only: quoting repeatedly leaves the 20th ride available
        assert selectors.price_itinerary(resident.user, bike)["legs"][0]["charge_cents"] == 0
    assert UsageRecord.objects.filter(user=resident.user).count() == 19
    last = services.record_usage(resident.user, mode="city_bike", leg_ref="ride-19", minutes=20)
    assert (last.covered_rides, last.charge_cents) == (1, 0)
    price = selectors.price_itinerary(resident.user, bike)
    assert price["legs"][0]["reason"] == "rides_used_up"
    assert price["charge_cents"] == 500
    with translation.override("en"):
        assert price["label"] == selectors.price_itinerary(None, bike)["label"] == "€5.00 pay-as-you-go"
    over = services.record_usage(resident.user, mode="city_bike", leg_ref="ride-20", minutes=20)
    assert (over.covered_rides, over.price_cents, over.charge_cents) == (0, 500, 500)


def test_two_bike_legs_share_the_last_ride(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "urban")
    for n in range(19):
        services.record_usage(resident.user, mode="city_bike", leg_ref=f"r{n}", minutes=10)
    trip = {"legs": [leg("city_bike", minutes=10), leg("walk", minutes=5), leg("city_bike", minutes=10)]}
    price = selectors.price_itinerary(resident.user, trip)
    assert [p["charge_cents"] for p in price["legs"]] == [0, 0, 500]


def test_record_usage_is_idempotent_on_leg_ref(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "unlimited")
    first = services.record_usage(resident.user, mode="scooter", leg_ref="booking-7:leg-0", minutes=12)
    again = services.record_usage(resident.user, mode="scooter", leg_ref="booking-7:leg-0", minutes=12)
    assert first.pk == again.pk
    assert UsageRecord.objects.filter(user=resident.user).count() == 1
    assert (first.covered_minutes, first.charge_cents) == (12, 0)


def test_scooter_minutes_run_out_mid_ride(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "unlimited")
    services.record_usage(resident.user, mode="scooter", leg_ref="s1", minutes=290)
    ride = services.record_usage(resident.user, mode="scooter", leg_ref="s2", minutes=20)
    # 20 min on PAYG = 1.00 + 20 * 0.25 = 6.00; 10 min still included -> 10 * 0.25 charged
    assert (ride.price_cents, ride.covered_minutes, ride.charge_cents) == (600, 10, 250)
    third = services.record_usage(resident.user, mode="scooter", leg_ref="s3", minutes=4)
    assert (third.covered_minutes, third.charge_cents) == (0, 200)


def test_plan_discount_applies_when_not_included(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "urban")
    price = selectors.price_itinerary(resident.user, {"legs": [leg("scooter", minutes=8)]})
    # PAYG 1.00 + 8 * 0.25 = 3.00, Urban gives 10 % off -> 2.70
    assert price["legs"][0]["price_cents"] == 300
    assert price["legs"][0]["reason"] == "plan_discount"
    assert price["charge_cents"] == 270


def test_usage_api_reports_the_ledger(billing_plans, resident_client, subscribe_locally):
    user = resident_client.resident.user
    subscribe_locally(user, "urban")
    services.record_usage(user, mode="city_bike", leg_ref="a", minutes=45)
    services.record_usage(user, mode="metro", leg_ref="b")
    body = resident_client.get("/api/v1/billing/usage").json()
    rows = {row["category"]: row for row in body["categories"]}
    assert body["plan"] == "urban"
    assert rows["city_bike"]["covered_rides"] == 1
    assert rows["city_bike"]["rides_left"] == 19
    assert rows["city_bike"]["charged_cents"] == 100
    assert rows["public_transport"]["charged_cents"] == 0
    assert body["charged_cents"] == 100


def test_record_usage_rejects_own_means(billing_plans, resident):
    from maas.api.errors import ApiError

    with pytest.raises(ApiError) as exc:
        services.record_usage(resident.user, mode="walk", leg_ref="w")
    assert exc.value.error_code == "mode_not_billed"


def test_price_itineraries_matches_single_calls(billing_plans, resident, subscribe_locally):
    subscribe_locally(resident.user, "urban")
    batch = selectors.price_itineraries(resident.user, [COMMUTE, METRO_ONLY])
    assert batch == [selectors.price_itinerary(resident.user, COMMUTE),
                     selectors.price_itinerary(resident.user, METRO_ONLY)]
    assert [p["charge_cents"] for p in batch] == [100, 0]


def test_missing_tariff_is_not_free(db, resident):
    # no plans/tariffs loaded: the metro leg cannot be priced and must not read as "No charge"
    with translation.override("en"):
        price = selectors.price_itinerary(resident.user, METRO_ONLY)
    assert price["priced"] is False
    assert price["legs"][1]["reason"] == "no_tariff"
    assert price["label"] == "Price not available"
    with translation.override("en"):
        walk = selectors.price_itinerary(resident.user, {"legs": [leg("walk")]})
    assert (walk["priced"], walk["label"]) == (True, "No charge")


def test_renewal_starts_a_fresh_allowance(billing_plans, resident, subscribe_locally):
    import time as _time
    from datetime import datetime
    from datetime import timezone as tz

    sub = subscribe_locally(resident.user, "urban")
    for n in range(20):
        services.record_usage(resident.user, mode="city_bike", leg_ref=f"old-{n}", minutes=10)
    bike = {"legs": [leg("city_bike", minutes=10)]}
    assert selectors.price_itinerary(resident.user, bike)["charge_cents"] == 500
    # Stripe renews: the subscription's period moves on (as a customer.subscription.updated would carry)
    start = int(sub.current_period_end.timestamp()) - 3600   # the new period has begun an hour ago
    renewed = services.apply_subscription_state({
        "id": sub.stripe_subscription_id, "customer": "cus_local", "status": "active",
        "current_period_start": start, "current_period_end": start + 30 * 86400, "cancel_at_period_end": False,
        "items": {"data": [{"id": "si_local", "plan": {"id": "maas-urban-6990-month"}}]},
        "metadata": {"plan": "urban"},
    }, int(_time.time()), user=resident.user)
    assert renewed.current_period_start.timestamp() == start
    now = datetime.fromtimestamp(start + 60, tz=tz.utc)
    assert selectors.price_itinerary(resident.user, bike, now=now)["charge_cents"] == 0
    summary_rows = {r["category"]: r for r in selectors.usage_summary(resident.user, now=now)["categories"]}
    assert summary_rows["city_bike"]["rides_left"] == 20
