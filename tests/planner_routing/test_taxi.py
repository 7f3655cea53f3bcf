"""Taxi in plans: a door-to-door leg on the Kalasatama streets, priced by billing, booked through TOMP."""
from datetime import timedelta

import pytest
from django.utils import timezone

from planner.models import OsmNetwork
from providers.services import register_provider
from providers.tomp_operator import TompServer
from tests.bookings.conftest import add_card, book, client_for

from .conftest import FIXTURE_OSM

METRO = {"lat": 60.18755, "lon": 24.9770}     # Kalasatama metro entrance
JUNONKATU = {"lat": 60.1840, "lon": 24.9830}  # south along Leonkatu / Junonkatu
TAXI_START_CENTS, TAXI_PER_KM_CENTS = 690, 145  # fixtures/billing/plans.json "taxi-city"


@pytest.fixture
def streets_active(db, settings, tmp_path, fresh_engine):
    settings.NETWORK_DIR = tmp_path
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(FIXTURE_OSM), content_hash="fixture")


@pytest.fixture
def tomp():
    with TompServer() as server:
        server.state.available["any"] = True  # a taxi: no specific asset asked for
        yield server


@pytest.fixture
def taxi_provider(db, tomp):
    return register_provider(name="Local TOMP taxi", kind="taxi", booking_api_url=tomp.url)


def plan_taxi(client, language="en"):
    departure = (timezone.localtime() + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    response = client.post("/api/v1/plans", {"from": METRO, "to": JUNONKATU, "modes": ["taxi"],
                                             "departure": departure},
                           format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response.json()


def payg_price(distance_m):
    return TAXI_START_CENTS + (TAXI_PER_KM_CENTS * distance_m + 500) // 1000


def test_taxi_leg_on_the_streets_priced_and_bookable(streets_active, taxi_provider, tomp, make_resident,
                                                      localstripe, billing_plans):
    resident = make_resident()
    add_card(resident.user)
    api = client_for(resident.user)
    body = plan_taxi(api)
    (it,) = body["itineraries"]
    (leg,) = it["legs"]
    assert body["routing_errors"] == []
    assert leg["mode"] == "taxi" and leg["crow_fly"] is False and not leg["transit"]
    assert len(leg["geometry"]["coordinates"]) > 2
    assert leg["distance_m"] > 600  # Leonkatu / Junonkatu by car, longer than the ~480 m straight line
    assert leg["booking"] == {"provider_id": taxi_provider.pk, "vehicle_id": None, "station_id": None,
                              "end_station_id": None}
    expected = payg_price(leg["distance_m"])
    assert it["price"]["total_cents"] == it["price"]["charge_cents"] == expected
    response = book(api, leg)
    assert response.status_code == 201, response.content
    booked = response.json()
    assert booked["state"] == "CONFIRMED" and booked["mode"] == "taxi"
    assert booked["price"]["quoted_cents"] == expected
    assert [r for r in tomp.state.requests if r[0] == "POST"], "the TOMP operator was asked"


def test_taxi_entitlement_is_applied_by_billing(streets_active, taxi_provider, resident, billing_plans):
    from billing.models import Subscription

    now = timezone.now()
    Subscription.objects.create(user=resident.user, plan=billing_plans["unlimited"], stripe_subscription_id="sub_t",
                                status="active", current_period_start=now - timedelta(days=3),
                                current_period_end=now + timedelta(days=27))
    (it,) = plan_taxi(client_for(resident.user))["itineraries"]
    full = payg_price(it["legs"][0]["distance_m"])
    discount = (full * 20 * 2 + 100) // 200  # Unlimited: 20 % off taxis, rounded half up to a cent
    price = it["price"]
    assert price["plan_code"] == "unlimited" and price["total_cents"] == full
    assert price["charge_cents"] == full - discount and price["legs"][0]["reason"] == "plan_discount"


@pytest.mark.parametrize("language, message", [
    ("en", "No taxi provider is configured, so taxi trips can't be offered or booked."),
    ("fi", "Taksipalveluntarjoajaa ei ole määritetty, joten taksimatkoja ei voi tarjota eikä varata."),
    ("sv", "Ingen taxileverantör är konfigurerad, så taxiresor kan inte erbjudas eller bokas."),
])
def test_without_a_taxi_provider_routing_errors_say_so(streets_active, resident_client, billing_plans,
                                                       language, message):
    body = plan_taxi(resident_client, language)
    assert body["itineraries"] == []
    assert body["routing_errors"] == [{"mode": "taxi", "code": "no_taxi_provider", "message": message,
                                       "details": {}}]


def test_car_and_taxi_share_one_street_search(streets_active, taxi_provider, resident_client, billing_plans,
                                              monkeypatch):
    """A car and a taxi between the same points drive the same streets: one path search per plan."""
    from planner.osm.street_graph import StreetGraph

    searches = []
    real_path = StreetGraph.path

    def counted(self, mode, *args, **kwargs):
        searches.append(mode)
        return real_path(self, mode, *args, **kwargs)

    monkeypatch.setattr(StreetGraph, "path", counted)
    departure = (timezone.localtime() + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    response = resident_client.post("/api/v1/plans", {"from": METRO, "to": JUNONKATU, "modes": ["car", "taxi"],
                                                      "departure": departure}, format="json")
    assert response.status_code == 200, response.content
    legs = {it["legs"][0]["mode"]: it["legs"][0] for it in response.json()["itineraries"]}
    assert set(legs) == {"car", "taxi"}
    assert legs["car"]["geometry"] == legs["taxi"]["geometry"]
    assert searches.count("car") == 1
