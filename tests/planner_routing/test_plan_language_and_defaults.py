"""POST /plans: Accept-Language alone picks the language; the profile's travel preferences are defaults."""
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from billing.models import Plan, Subscription
from maas.accounts import services as accounts

KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
TRIP = {"from": KALASATAMA, "to": KAMPPI, "departure": "2022-03-02T08:30:00+02:00"}


def test_accept_language_sv_alone_gives_swedish_plan_names_leg_texts_and_labels(routed_feed, resident_client):
    call_command("load_billing_plans", verbosity=0)
    assert resident_client.resident.language == "fi"  # the profile says Finnish; the header wins
    now = timezone.now()
    Subscription.objects.create(user=resident_client.resident.user, plan=Plan.objects.get(code="unlimited"),
                                stripe_subscription_id="sub_sv", status="active",
                                current_period_start=now - timedelta(days=1),
                                current_period_end=now + timedelta(days=29))
    response = resident_client.post("/api/v1/plans", TRIP, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200, response.content
    itinerary = response.json()["itineraries"][0]
    assert itinerary["legs"][0]["from"]["name"] == "Startpunkt"
    assert itinerary["legs"][0]["to"]["name"] == "Fiskehamnen"  # the Swedish name of Kalasatama's stop
    assert itinerary["price"]["plan"] == "Obegränsad"
    assert itinerary["price"]["label"] == "Ingår i ditt Obegränsad-abonnemang"
    assert response["Content-Language"] == "sv"


def test_profile_language_without_header_and_explicit_field_wins(routed_feed, resident_client):
    finnish = resident_client.post("/api/v1/plans", TRIP, format="json",
                                   HTTP_ACCEPT_LANGUAGE="").json()["itineraries"][0]
    assert finnish["legs"][0]["from"]["name"] == "Lähtöpaikka"
    english = resident_client.post("/api/v1/plans", TRIP | {"language": "en"}, format="json",
                                   HTTP_ACCEPT_LANGUAGE="sv").json()["itineraries"][0]
    assert english["legs"][0]["from"]["name"] == "Origin"


def test_profile_max_walk_is_the_default_and_the_request_overrides_it(routed_feed, resident_client):
    accounts.update_profile(resident_client.resident.user, {"max_walk_m": 1})
    trip = TRIP | {"from": {"lat": 60.1910, "lon": 24.9772}}  # ~400 m from the metro station
    limited = resident_client.post("/api/v1/plans", trip, format="json")
    assert limited.status_code == 200 and limited.json()["itineraries"] == []  # no station within 1 m
    free = resident_client.post("/api/v1/plans", trip | {"max_walk_m": 3000}, format="json")
    assert free.status_code == 200 and free.json()["itineraries"]
