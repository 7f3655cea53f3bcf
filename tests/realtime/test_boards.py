"""Departure boards with real time: estimated times, cancellations (left out of the departures, listed
apart) and the stop's alerts."""
import time

from planner.realtime import services
from tests.realtime.conftest import DAY
from tests.realtime.rtfeeds import alert, message, trip_update

URL = "/api/v1/stops/small:A/departures"
WHEN = {"time": "2024-03-06T07:55:00", "limit": 2}


def ingest(small_feed, entities, alerts=()):
    now = time.time()
    services.ingest("small", "trip_updates", message(entities, timestamp=now).SerializeToString(), now=now)
    services.ingest("small", "alerts", message(alerts, timestamp=now).SerializeToString(), now=now)


def test_board_on_the_schedule_without_real_time(small_feed, rt_store, api_client):
    body = api_client.get(URL, WHEN).json()
    assert [d["trip_id"] for d in body["departures"]] == ["small:R1-0800", "small:R1-0810"]
    assert body["realtime"] is False and body["canceled"] == [] and body["alerts"] == []
    first = body["departures"][0]
    assert (first["realtime"], first["estimated_departure"], first["delay_s"], first["canceled"]) == (
        False, None, None, False)


def test_board_shows_estimates_cancellations_and_alerts(small_feed, rt_store, api_client):
    texts = {"fi": "Pysäkki A siirretty", "sv": "Hållplats A flyttad", "en": "Stop A moved"}
    ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED"),
                        trip_update(2, trip_id="R1-0810", start_date=DAY, stops=[(10, None, 120, 120, None)])],
           alerts=[alert("s1", texts=texts, stops=["A"], cause="CONSTRUCTION", effect="STOP_MOVED")])
    resp = api_client.get(URL, WHEN, HTTP_ACCEPT_LANGUAGE="sv")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["realtime"] is True
    assert [d["trip_id"] for d in body["departures"]] == ["small:R1-0810", "small:R1-0820"]
    late, on_time = body["departures"]
    assert late["scheduled_departure"] == "2024-03-06T08:10:00+02:00"
    assert (late["estimated_departure"], late["delay_s"], late["realtime"]) == ("2024-03-06T08:12:00+02:00", 120, True)
    assert (on_time["estimated_departure"], on_time["realtime"]) == (None, False)
    assert [(d["trip_id"], d["canceled"]) for d in body["canceled"]] == [("small:R1-0800", True)]
    assert [(a["id"], a["header"], a["effect"]) for a in body["alerts"]] == [
        ("small:s1", "Hållplats A flyttad", "STOP_MOVED")]


def test_board_with_real_time_matches_the_openapi_schema(small_feed, rt_store, api_client):
    """A board with an estimate, a cancellation and an alert is exactly what the schema documents."""
    from tests.api_contract.openapi_check import Contract

    ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED"),
                        trip_update(2, trip_id="R1-0810", start_date=DAY, stops=[(10, None, 120, 120, None)])],
           alerts=[alert("s1", texts={"en": "Stop A moved"}, stops=["A"])])
    body = Contract().check("GET", "/api/v1/stops/{stop_id}/departures", api_client.get(URL, WHEN), 200)
    assert body["canceled"] and body["alerts"] and body["departures"][0]["delay_s"] == 120


def test_board_reads_the_real_time_store_once_whatever_its_rows(small_feed, rt_store, api_client, monkeypatch):
    """Every row, the cancellations, the alerts and the status come from one batched read of the store
    (plus the documents themselves when a poll changed them)."""
    ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED"),
                        trip_update(2, trip_id="R1-0810", start_date=DAY, stops=[(10, None, 60, 60, None)])],
           alerts=[alert("s1", texts={"en": "Stop A moved"}, stops=["A"])])
    backend = rt_store.backend()
    calls = []
    for name in ("version", "versions", "read"):
        real = getattr(backend, name)
        monkeypatch.setattr(backend, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    params = {"time": "2024-03-06T07:55:00", "limit": 6}
    first = api_client.get(URL, params).json()
    assert calls == ["versions", "read", "read"]  # first board of the poll: versions, then the two documents
    calls.clear()
    body = api_client.get(URL, params).json()
    assert body == first
    assert len(body["departures"]) == 6 and len(body["canceled"]) == 1
    assert body["departures"][0]["delay_s"] == 60 and body["realtime"] is True
    assert [a["id"] for a in body["alerts"]] == ["small:s1"]
    assert calls == ["versions"]


def test_late_vehicle_is_on_the_board_after_its_scheduled_time(small_feed, rt_store, api_client):
    """R1-0800 is 10 min late: at 08:05 (its scheduled time passed) it is the first departure, at 08:10."""
    ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, stops=[(10, None, 600, 600, None)])])
    body = api_client.get(URL, {"time": "2024-03-06T08:05:00", "limit": 3}).json()
    rows = [(d["trip_id"], d["scheduled_departure"], d["estimated_departure"], d["delay_s"])
            for d in body["departures"]]
    assert rows == [("small:R1-0800", "2024-03-06T08:00:00+02:00", "2024-03-06T08:10:00+02:00", 600),
                    ("small:R1-0810", "2024-03-06T08:10:00+02:00", None, None),
                    ("small:R1-0820", "2024-03-06T08:20:00+02:00", None, None)]
    # Once its estimated departure has passed too, it is gone.
    later = api_client.get(URL, {"time": "2024-03-06T08:11:00", "limit": 3}).json()
    assert [d["trip_id"] for d in later["departures"]][:2] == ["small:R1-0820", "small:F-T-freq-0"]


def test_added_trips_are_on_the_board(small_feed, rt_store, api_client):
    """An extra vehicle on R1-0810 (HSL style: route, direction, start time; 3 min behind the first one) and a
    new trip of route F with its own stop times, both from A."""
    from planner.realtime import static_index

    base = static_index.index_for(small_feed).epoch_base(__import__("datetime").date(2024, 3, 6))
    new = trip_update(3, trip_id="F-extra", route_id="F", start_date=DAY, relationship="ADDED")
    for stop, t in (("A", 8 * 3600 + 900), ("C", 8 * 3600 + 1200)):
        u = new.trip_update.stop_time_update.add(stop_id=stop)
        u.arrival.time = u.departure.time = base + t
    ingest(small_feed, [trip_update(2, route_id="R1", direction_id=0, start_date=DAY, start_time="08:10:00",
                                    relationship="ADDED", stops=[(10, None, 180, 180, None)]), new])
    body = api_client.get(URL, {"time": "2024-03-06T08:05:00", "limit": 4}).json()
    rows = [(d["trip_id"], d["route"]["id"], d["scheduled_departure"][11:19],
             (d["estimated_departure"] or "")[11:19], d["added"]) for d in body["departures"]]
    assert rows == [("small:R1-0810", "small:R1", "08:10:00", "", False),
                    ("small:R1-0810", "small:R1", "08:10:00", "08:13:00", True),
                    ("small:F-extra", "small:F", "08:15:00", "08:15:00", True),
                    ("small:R1-0820", "small:R1", "08:20:00", "", False)]
    extra = body["departures"][1]
    assert extra["headsign"] == "Dalen" and extra["delay_s"] == 180 and extra["realtime"] is True
