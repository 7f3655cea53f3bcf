"""What the plan doesn't cover is charged at finish: city-bike overtime, a final price above the hold."""
from datetime import timedelta

import pytest

from billing.models import Payment, UsageRecord
from maas.bookings.models import Booking
from tests.bookings.conftest import add_card, book, client_for, make_leg
from tests.bookings.test_lifecycle_api import _captured

pytestmark = pytest.mark.django_db


def _ride(api, booking_id, minutes):
    """Start the booking, pretend the ride began `minutes` ago, finish it."""
    assert api.post(f"/api/v1/bookings/{booking_id}/start").json()["state"] == "STARTED"
    booking = Booking.objects.get(pk=booking_id)
    Booking.objects.filter(pk=booking_id).update(started_at=booking.started_at - timedelta(minutes=minutes))
    response = api.post(f"/api/v1/bookings/{booking_id}/finish")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def urban_resident(make_resident, localstripe, billing_plans):
    from billing import services as billing

    resident = make_resident()
    add_card(resident.user)
    billing.subscribe(resident.user, "urban")
    resident.api = client_for(resident.user)
    return resident


def test_overtime_of_a_covered_city_bike_ride_is_charged_on_the_card(urban_resident, gbfs_provider):
    api = urban_resident.api
    created = book(api, make_leg(gbfs_provider.pk, mode="city_bike", station_id="126", minutes=14)).json()
    assert created["price"]["covered"] is True and created["price"]["authorized_cents"] == 0
    done = _ride(api, created["id"], minutes=45)
    # urban covers 30 min of the 45 (500 cents); the started extra 30 min block costs 100 cents
    assert done["state"] == "FINISHED"
    assert done["price"]["final_cents"] == 600 and done["price"]["captured_cents"] == 100
    usage = UsageRecord.objects.get(user=urban_resident.user, leg_ref=f"booking-{created['id']}")
    assert (usage.covered_rides, usage.covered_minutes, usage.charge_cents) == (1, 30, 100)
    payment = Payment.objects.get(user=urban_resident.user)
    assert (payment.amount_cents, payment.captured_cents, payment.status) == (100, 100, "succeeded")
    assert _captured(payment.pk) == 100
    event = Booking.objects.get(pk=created["id"]).events.last()
    assert event.details["extra_cents"] == 100 and event.details["extra_payment_id"] == payment.pk


def test_covered_ride_within_the_cover_still_takes_nothing(urban_resident, gbfs_provider):
    api = urban_resident.api
    created = book(api, make_leg(gbfs_provider.pk, mode="city_bike", station_id="126", minutes=14)).json()
    done = _ride(api, created["id"], minutes=29)
    assert done["price"]["captured_cents"] == 0 and done["price"]["final_cents"] == 500
    assert not Payment.objects.filter(user=urban_resident.user).exists()


def test_overtime_when_the_card_is_gone_still_finishes_and_records_the_unpaid_amount(
        urban_resident, gbfs_provider):
    from billing.models import BillingAccount

    api = urban_resident.api
    created = book(api, make_leg(gbfs_provider.pk, mode="city_bike", station_id="126", minutes=14)).json()
    # the resident removed their card during the ride (test setup: billing has no service for it)
    BillingAccount.objects.filter(user=urban_resident.user).update(default_payment_method="")
    done = _ride(api, created["id"], minutes=70)
    # 30 min covered; 40 min over -> two started 30 min blocks = 200 cents owed, none taken
    assert done["state"] == "FINISHED" and done["price"]["final_cents"] == 700
    assert done["price"]["captured_cents"] == 0
    event = Booking.objects.get(pk=created["id"]).events.last()
    assert (event.details["unpaid_cents"], event.details["error"]) == (200, "payment_method_required")
    assert UsageRecord.objects.get(leg_ref=f"booking-{created['id']}").charge_cents == 200


def test_final_price_above_the_authorisation_is_charged_in_full(payg_resident, tomp_provider, tomp):
    tomp.state.final_eur = "6.00"  # the operator's final price: 600 cents, the hold was 450
    api = payg_resident.api
    created = book(api, make_leg(tomp_provider.pk, vehicle_id="SC-101", minutes=8)).json()
    assert created["price"]["authorized_cents"] == 450
    api.post(f"/api/v1/bookings/{created['id']}/start")
    done = api.post(f"/api/v1/bookings/{created['id']}/finish").json()
    assert done["price"]["final_cents"] == 600 and done["price"]["captured_cents"] == 600
    booking = Booking.objects.get(pk=created["id"])
    assert _captured(booking.payment_id) == 450
    extra = Payment.objects.exclude(pk=booking.payment_id).get(user=payg_resident.user)
    assert (extra.amount_cents, extra.captured_cents) == (150, 150)
    assert _captured(extra.pk) == 150
