"""Fixtures for booking tests: a local TOMP operator, providers, legs, residents with cards and plans."""
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from providers.tomp_operator import TompServer

_keys = itertools.count(1)


@pytest.fixture
def tomp():
    """A TOMP-like operator on 127.0.0.1 with two free scooters."""
    with TompServer() as server:
        server.state.available.update({"SC-101": True, "SC-102": True})
        yield server


@pytest.fixture
def tomp_provider(db, tomp):
    from providers.services import register_provider

    return register_provider(name="Local TOMP scooters", kind="scooter", booking_api_url=tomp.url)


@pytest.fixture
def gbfs_provider(db):
    """A GBFS-only scooter and city-bike provider with a fresh snapshot (two scooters; stations with 4,
    0 and 1 bikes)."""
    from providers.services import register_provider
    from providers.snapshots import Section, swap_snapshot

    provider = register_provider(name="GBFS-only Kalasatama", kind="scooter")
    now = timezone.now()
    swap_snapshot(provider, source="import", now=now, ttl=3600, sections={
        "vehicles": Section(last_updated=now, rows=[
            {"vehicle_id": "G-1", "lat": 60.1876, "lon": 24.9772, "range_m": 12000, "last_reported": now},
            {"vehicle_id": "G-2", "lat": 60.1880, "lon": 24.9780, "range_m": 9000, "last_reported": now},
        ]),
        "stations": Section(last_updated=now, rows=[
            {"station_id": "126", "name": "Kalasataman metroasema", "lat": 60.1874, "lon": 24.9770,
             "capacity": 20, "bikes_available": 4, "docks_available": 16, "last_reported": now},
            {"station_id": "127", "name": "Empty station", "lat": 60.1860, "lon": 24.9800,
             "capacity": 10, "bikes_available": 0, "docks_available": 10, "last_reported": now},
            {"station_id": "128", "name": "Last bike", "lat": 60.1850, "lon": 24.9790,
             "capacity": 10, "bikes_available": 1, "docks_available": 9, "last_reported": now},
        ]),
    })
    provider.refresh_from_db()
    return provider


def make_leg(provider_id, *, mode="scooter", vehicle_id=None, station_id=None, minutes=8, distance_m=1600):
    """An itinerary leg (docs/interfaces.md shape) from Kalasatama metro towards Sompasaari."""
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=2)
    end = start + timedelta(minutes=minutes)
    return {
        "mode": mode, "transit": False, "route_id": None, "route_short_name": None, "route_color": None,
        "trip_id": None,
        "from": {"name": "Kalasatama (M)", "stop_id": None, "lat": 60.18761, "lon": 24.97721},
        "to": {"name": "Sompasaari", "stop_id": None, "lat": 60.18305, "lon": 24.98442},
        "start_time": start.isoformat(), "end_time": end.isoformat(), "duration_s": minutes * 60,
        "distance_m": distance_m, "co2_g": 0, "crow_fly": False, "zones": None,
        "geometry": {"type": "LineString", "coordinates": [[24.97721, 60.18761], [24.98442, 60.18305]]},
        "booking": {"provider_id": provider_id, "vehicle_id": vehicle_id, "station_id": station_id,
                    "end_station_id": None},
    }


def add_card(user):
    """Save a test Visa on localstripe as the user's default payment method (billing's services)."""
    from billing import services as billing
    from billing.stripe_api import client

    stripe = client()
    method = stripe.v1.payment_methods.create(params={"type": "card", "card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": timezone.now().year + 3, "cvc": "123"}})
    intent = billing.create_setup_intent(user, idempotency_key=f"setup-{user.pk}-{next(_keys)}")
    stripe.v1.setup_intents.confirm(intent["id"], params={"payment_method": method.id})
    return billing.save_payment_method(user, intent["id"])


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def payg_resident(make_resident, localstripe, billing_plans):
    """A pay-as-you-go resident with a card; `.api` is their authenticated client."""
    resident = make_resident()
    add_card(resident.user)
    resident.api = client_for(resident.user)
    return resident


def book(api, leg, key=None):
    return api.post("/api/v1/bookings", {"leg": leg}, format="json",
                    HTTP_IDEMPOTENCY_KEY=key or f"key-{next(_keys)}")


def leg_error(response):
    """The per-field details of a 400 validation_error on the booking's `leg`."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return error["details"]["leg"]
