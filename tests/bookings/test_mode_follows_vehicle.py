"""The price follows the mode, so the vehicle's real kind decides it, not the leg's `mode` as sent."""
import pytest

from billing.models import Payment
from maas.bookings.models import Booking
from tests.bookings.conftest import book, make_leg

pytestmark = pytest.mark.django_db


def test_scooter_booked_as_city_bike_is_refused_before_anything_is_charged(payg_resident, gbfs_provider):
    response = book(payg_resident.api, make_leg(gbfs_provider.pk, mode="city_bike", vehicle_id="G-1"))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "mode_mismatch"
    assert response.json()["error"]["details"] == {"mode": "city_bike", "vehicle_mode": "scooter"}
    assert not Booking.objects.exists() and not Payment.objects.exists()


def test_the_same_scooter_booked_as_a_scooter_is_priced_as_one(payg_resident, gbfs_provider):
    response = book(payg_resident.api, make_leg(gbfs_provider.pk, mode="scooter", vehicle_id="G-1"))
    assert response.status_code == 201, response.content
    assert response.json()["price"]["charge_cents"] > 0


def test_a_tomp_provider_s_kind_decides_for_vehicles_it_does_not_publish(payg_resident, tomp_provider, tomp):
    response = book(payg_resident.api, make_leg(tomp_provider.pk, mode="car", vehicle_id="SC-101"))
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"mode": "car", "vehicle_mode": "scooter"}


def test_station_bikes_are_city_bikes(payg_resident, gbfs_provider):
    response = book(payg_resident.api, make_leg(gbfs_provider.pk, mode="scooter", station_id="126"))
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"mode": "scooter", "vehicle_mode": "city_bike"}
