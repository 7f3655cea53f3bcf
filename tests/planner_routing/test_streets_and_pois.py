"""The network built with the fixture OSM: street walking times to stops, and OSM POIs as destinations."""
import json

from planner.engines.base import PlanRequest
from planner.engines.embedded.artifacts import pois_path
from tests.planner_routing.conftest import at

KAMPPI_SHOPPING = (60.16920, 24.93250)  # next to Kamppi (M), inside the OSM centre clip
HAKANIEMI = (60.17880, 24.95090)


def test_street_walks_replace_crow_fly_inside_the_osm_extract(kalasatama_streets):
    assert kalasatama_streets.meta.has_streets
    access = kalasatama_streets.access(*KAMPPI_SHOPPING, 1500)
    assert access and not any(crow for _, _, crow in access.values())
    its = kalasatama_streets.plan(PlanRequest(origin=KAMPPI_SHOPPING, destination=HAKANIEMI, departure=at(8, 30)))
    legs = its[0]["legs"]
    assert any(leg["mode"] == "metro" for leg in legs)
    assert legs[0]["mode"] == "walk" and legs[0]["crow_fly"] is False
    # Far outside the street network (the sea off Suomenlinna) the access falls back to crow-fly stops.
    offshore = kalasatama_streets.access(60.1450, 24.9850, 5000)
    assert all(crow for _, _, crow in offshore.values())


def test_pois_are_extracted_per_category(built_dir_osm):
    pois = json.loads(pois_path(built_dir_osm / "kalasatama.cafein").read_text())
    categories = {p["category"] for p in pois}
    assert {"schools", "health", "shops"} <= categories
    assert all(isinstance(p["lat"], float) and p["id"].startswith("osm:") for p in pois)


def test_accessibility_of_osm_schools(routed_feed_osm, resident_client):
    body = {"origin": {"lat": KAMPPI_SHOPPING[0], "lon": KAMPPI_SHOPPING[1]}, "minutes": 15,
            "departure": "2022-03-02T08:30:00+02:00", "category": "schools", "radius_m": 3000}
    result = resident_client.post("/api/v1/accessibility", body, format="json").json()
    assert result["total"] > 0 and 0 < result["reachable_count"] <= result["total"]
    reachable = [d for d in result["destinations"] if d["reachable"]]
    assert all(d["category"] == "schools" and d["travel_time_s"] <= 15 * 60 for d in reachable)
    assert result["geojson"]["features"][0]["geometry"]["type"] == "Point"
