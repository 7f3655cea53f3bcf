"""Street legs on the Kalasatama OSM streets: shape, distance along the path, polyline, steps, limits."""
import math
from datetime import datetime, timezone

import pytest

from planner import street
from planner.models import OsmNetwork
from planner.osm.path_legs import decode_polyline, encode_polyline

from .conftest import FIXTURE_OSM

METRO = {"lat": 60.18755, "lon": 24.9770}     # Kalasatama metro entrance
JUNONKATU = {"lat": 60.1840, "lon": 24.9830}  # south along Leonkatu / Junonkatu
DEPARTURE = "2022-03-02T08:00:00+02:00"
KALASATAMA_STREETS = {"Työpajankatu", "Leonkatu", "Junonkatu", "Hermannin rantatie", "Koksikatu", "Parrulaituri"}


def crow(a, b):
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def length(coords):
    return sum(crow(a, b) for a, b in zip(coords, coords[1:]))


@pytest.fixture
def streets_active(db, settings, tmp_path, fresh_engine):
    settings.NETWORK_DIR = tmp_path
    OsmNetwork.objects.create(name="kalasatama", is_active=True, pbf_path=str(FIXTURE_OSM), content_hash="fixture")


def walk(client, language="fi", **body):
    response = client.post("/api/v1/plans", {"from": METRO, "to": JUNONKATU, "modes": ["walk"],
                                             "departure": DEPARTURE, **body},
                           format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    (it,) = response.json()["itineraries"]
    (leg,) = it["legs"]
    return leg


def test_walk_leg_follows_the_streets(streets_active, resident_client):
    leg = walk(resident_client)
    coords = leg["geometry"]["coordinates"]
    assert leg["crow_fly"] is False and leg["geometry"]["type"] == "LineString" and len(coords) > 2
    assert abs(length(coords) - leg["distance_m"]) <= 0.02 * leg["distance_m"]
    straight = crow((METRO["lon"], METRO["lat"]), (JUNONKATU["lon"], JUNONKATU["lat"]))
    assert leg["distance_m"] >= straight
    assert leg["duration_s"] == round(leg["distance_m"] / street.PROFILES["walk"][1])
    decoded = decode_polyline(leg["polyline"])
    assert len(decoded) == len(coords)
    assert all(abs(a - c) <= 1e-5 and abs(b - d) <= 1e-5 for (a, b), (c, d) in zip(decoded, coords))
    names = [s["street_name"] for s in leg["steps"] if not s["bogus_name"]]
    assert set(names) & KALASATAMA_STREETS and set(names) <= KALASATAMA_STREETS | {"Sörnäisten rantatie"}
    assert leg["steps"][0]["relative_direction"] == "depart"
    assert {s["relative_direction"] for s in leg["steps"][1:]} <= {
        "continue", "slightly_left", "left", "hard_left", "slightly_right", "right", "hard_right",
        "uturn_left", "uturn_right"}
    assert abs(sum(s["distance_m"] for s in leg["steps"]) - leg["distance_m"]) <= len(leg["steps"])


def test_steps_in_the_request_language(streets_active, resident_client):
    sv = {s["street_name"] for s in walk(resident_client, "sv")["steps"] if not s["bogus_name"]}
    assert "Leogatan" in sv and "Leonkatu" not in sv


def test_max_walk_m_filters_but_never_changes_a_leg(streets_active, resident_client):
    free = walk(resident_client)
    assert walk(resident_client, max_walk_m=5000) == free
    response = resident_client.post("/api/v1/plans", {"from": METRO, "to": JUNONKATU, "modes": ["walk"],
                                                      "departure": DEPARTURE, "max_walk_m": 100}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["required_max_walk_m"] == free["distance_m"]


@pytest.mark.django_db
def test_without_a_street_network_legs_say_crow_fly():
    leg = street.leg("walk", street.point("a", **METRO), street.point("b", **JUNONKATU),
                     datetime(2022, 3, 2, 6, tzinfo=timezone.utc))
    assert leg["crow_fly"] is True and len(leg["geometry"]["coordinates"]) == 2
    assert leg["polyline"] == encode_polyline([tuple(c) for c in leg["geometry"]["coordinates"]])


def test_co2_is_computed_on_the_street_distance(streets_active, resident_client):
    from planner.emissions import leg_co2_g

    response = resident_client.post("/api/v1/plans", {"from": METRO, "to": JUNONKATU, "modes": ["car"],
                                                      "departure": DEPARTURE}, format="json")
    (it,) = response.json()["itineraries"]
    (leg,) = it["legs"]
    straight = crow((METRO["lon"], METRO["lat"]), (JUNONKATU["lon"], JUNONKATU["lat"]))
    assert leg["crow_fly"] is False and leg["distance_m"] > 1.5 * straight  # the car goes round the blocks
    assert abs(leg["co2_g"] - leg_co2_g("car", leg["distance_m"])) <= 1  # distance_m is the rounded metres
    assert leg["co2_g"] > leg_co2_g("car", straight * 1.4) + 10
    assert "steps" not in leg


@pytest.mark.django_db
def test_without_a_street_network_long_walks_are_not_offered(resident_client, settings, tmp_path, fresh_engine):
    settings.NETWORK_DIR = tmp_path
    kauppatori, korkeasaari = {"lat": 60.1675, "lon": 24.9525}, {"lat": 60.1790, "lon": 24.9830}  # across the sea
    body = resident_client.post("/api/v1/plans", {"from": kauppatori, "to": korkeasaari, "modes": ["walk", "bike"],
                                                  "departure": DEPARTURE}, format="json").json()
    assert body["itineraries"] == []
    assert [(e["mode"], e["code"], e["details"]) for e in body["routing_errors"]] == [
        ("bike", "too_far_without_street_network", {"max_distance_m": 1500}),
        ("walk", "too_far_without_street_network", {"max_distance_m": 1500})]


def test_a_wider_street_search_cut_to_a_bound_answers_as_that_bounded_search():
    """street_legs.tree reuses a plan's wider search for a later, narrower one through Tree.within."""
    import numpy as np

    from planner.osm.street_graph import StreetGraph

    g = StreetGraph.from_pbf(FIXTURE_OSM)
    root = (METRO["lat"], METRO["lon"])
    narrow, cut = g.tree("bike", root, 1000, reverse=True), g.tree("bike", root, 3000, reverse=True).within(1000)
    assert np.isfinite(narrow.dist).sum() > 50
    assert np.array_equal(np.isfinite(cut.dist), np.isfinite(narrow.dist))
    assert np.allclose(cut.dist[np.isfinite(cut.dist)], narrow.dist[np.isfinite(narrow.dist)])
    assert cut.metres(JUNONKATU["lat"], JUNONKATU["lon"]) == narrow.metres(JUNONKATU["lat"], JUNONKATU["lon"])
    assert cut.metres(60.2050, 24.9600) is None  # beyond 1 km: out of both
