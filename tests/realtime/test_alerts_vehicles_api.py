"""GET /alerts and GET /transit/vehicles over ingested GTFS-Realtime feeds."""
import time

import pytest

from planner.realtime import services
from tests.realtime.rtfeeds import alert, message, vehicle

TEXTS = {"fi": "Linja 1 poikkeusreitillä", "sv": "Linje 1 kör en annan rutt", "en": "Route 1 is diverted"}


@pytest.fixture
def alerts_feed(small_feed, rt_store, feed_server):
    now = time.time()
    feed = message([
        alert("a1", texts=TEXTS, descriptions={"fi": "Katutyöt", "en": "Street works"}, routes=["R1"]),
        alert("a2", texts={"en": "Stop C closed"}, stops=["C"], cause="MAINTENANCE", effect="NO_SERVICE"),
        alert("old", texts={"en": "Over"}, routes=["R1"], periods=[(now - 7200, now - 3600)]),
        alert("later", texts={"en": "Tomorrow"}, routes=["R1"], periods=[(now + 86400, None)]),
    ])
    services.configure_source("small", alerts_url=feed_server.serve("/alerts", feed),
                              vehicle_positions_url=feed_server.serve("/vp", message([
                                  vehicle("bus-7", lat=60.1811, lon=24.9551, trip_id="R1-0800", bearing=92.5,
                                          occupancy="FEW_SEATS_AVAILABLE", timestamp=now - 12, label="7"),
                                  vehicle("tram-2", lat=60.2500, lon=25.1000, trip_id="R1-0810"),
                                  vehicle("ghost", lat=60.1812, lon=24.9552, trip_id="unknown"),
                              ])))
    result = services.poll_feed("small")
    assert result["alerts"]["ok"] and result["vehicle_positions"]["ok"], result
    return result


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_route_alert_in_the_requested_language(alerts_feed, resident_client, language):
    resp = resident_client.get("/api/v1/alerts", {"route": "small:R1"}, HTTP_ACCEPT_LANGUAGE=language)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert [a["id"] for a in body["results"]] == ["small:a1"]
    a = body["results"][0]
    assert a["header"] == TEXTS[language] and a["language"] == language
    assert a["description"] == {"fi": "Katutyöt", "sv": "Katutyöt", "en": "Street works"}[language]
    assert (a["cause"], a["effect"]) == ("CONSTRUCTION", "DETOUR")
    assert a["informed_entities"] == [{"agency_id": None, "route_id": "small:R1", "stop_id": None, "trip_id": None}]
    assert body["realtime"]["small"]["realtime"] is True


def test_alerts_by_stop_and_all_active(alerts_feed, resident_client):
    resp = resident_client.get("/api/v1/alerts", {"stop": "C"})
    assert [a["id"] for a in resp.json()["results"]] == ["small:a2"]
    assert resp.json()["results"][0]["effect"] == "NO_SERVICE"
    every = resident_client.get("/api/v1/alerts").json()["results"]
    assert sorted(a["id"] for a in every) == ["small:a1", "small:a2"]  # expired and future ones are not shown
    assert resident_client.get("/api/v1/alerts", {"route": "other:R1"}).json()["count"] == 0


def test_alerts_bad_input(alerts_feed, resident_client):
    resp = resident_client.get("/api/v1/alerts", {"line": "1"}, HTTP_ACCEPT_LANGUAGE="fi")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "unknown_parameter"
    assert resp.json()["error"]["details"]["field"] == "line"
    assert resp.json()["error"]["message"] == "Tuntematon kyselyparametri: line."


def test_vehicles_near_with_bearing_occupancy_and_age(alerts_feed, resident_client):
    resp = resident_client.get("/api/v1/transit/vehicles", {"near": "60.1810,24.9550", "radius": 300})
    assert resp.status_code == 200, resp.content
    found = {v["vehicle_id"]: v for v in resp.json()["results"]}
    assert set(found) == {"small:bus-7", "small:ghost"}
    bus = found["small:bus-7"]
    assert (bus["trip_id"], bus["route_id"], bus["bearing"], bus["occupancy"]) == (
        "small:R1-0800", "small:R1", 92.5, "FEW_SEATS_AVAILABLE")
    assert 11 <= bus["age_s"] <= 60 and bus["distance_m"] < 20 and bus["label"] == "7"
    assert found["small:ghost"]["trip_id"] is None and found["small:ghost"]["occupancy"] is None
    assert alerts_feed["vehicle_positions"]["counts"]["unmatched"] == 1


def test_vehicles_by_trip(alerts_feed, resident_client):
    resp = resident_client.get("/api/v1/transit/vehicles", {"trip": "small:R1-0810"})
    assert [v["vehicle_id"] for v in resp.json()["results"]] == ["small:tram-2"]
    assert resident_client.get("/api/v1/transit/vehicles", {"trip": "other:R1-0810"}).json()["count"] == 0


SV_MESSAGES = {"near_or_trip_required": "Ange near=lat,lon (och radius) eller trip=FLÖDE:TUR.",
               "invalid_near": "near måste ha formen 'lat,lon'.", "invalid_radius": "radius måste vara 1..5000 meter.",
               "unknown_parameter": "Okänd frågeparameter: bbox."}


@pytest.mark.parametrize("params, code", [
    ({}, "near_or_trip_required"), ({"near": "60.1"}, "invalid_near"), ({"near": "95,24"}, "invalid_near"),
    ({"near": "60.1,24.9", "radius": "0"}, "invalid_radius"), ({"near": "60.1,24.9", "radius": "x"}, "invalid_radius"),
    ({"trip": "small:x", "bbox": "1"}, "unknown_parameter"),
])
def test_vehicles_bad_input(db, resident_client, params, code):
    resp = resident_client.get("/api/v1/transit/vehicles", params, HTTP_ACCEPT_LANGUAGE="sv")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == code
    assert resp.json()["error"]["message"] == SV_MESSAGES[code]


def test_vehicles_without_sources_say_realtime_is_absent(db, rt_store, resident_client):
    resp = resident_client.get("/api/v1/transit/vehicles", {"near": "60.18,24.95"})
    assert resp.status_code == 200 and resp.json() == {"count": 0, "results": [], "realtime": {}}


def test_alert_and_vehicle_answers_match_the_openapi_schema(alerts_feed, resident_client):
    """Real alerts and vehicles (near and by trip) are exactly what the schema documents: no key left out."""
    from tests.api_contract.openapi_check import Contract

    contract = Contract()
    alerts = contract.check("GET", "/api/v1/alerts", resident_client.get("/api/v1/alerts"), 200)
    assert alerts["count"] == 2 and alerts["realtime"]["small"]["alerts"]["stale"] is False
    near = contract.check("GET", "/api/v1/transit/vehicles", resident_client.get(
        "/api/v1/transit/vehicles", {"near": "60.1810,24.9550", "radius": 300}), 200)
    assert near["count"] >= 1 and "distance_m" in near["results"][0]
    by_trip = contract.check("GET", "/api/v1/transit/vehicles", resident_client.get(
        "/api/v1/transit/vehicles", {"trip": "small:R1-0810"}), 200)
    assert by_trip["count"] == 1 and "distance_m" not in by_trip["results"][0]
