"""Plans at the edges of the service day, through the API, on the (synthesized) ferries fixture imported
as the routed feed: late evening continues into the next service day; arrive-by gives several departures."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from planner.gtfs.guarded import import_feed

FERRIES = Path(settings.BASE_DIR) / "fixtures" / "gtfs" / "ferries.zip"
KAUPPATORI, SUOMENLINNA = {"stop_id": "9571"}, {"stop_id": "9572"}


@pytest.fixture
def ferry_network(db, settings, tmp_path):
    from planner.engines.base import get_engine

    settings.NETWORK_DIR = tmp_path / "networks"
    settings.ROUTING_FEED_RECHECK_S = 0
    feed = import_feed(str(FERRIES), name="hsl", activate=True, progress=False).feed
    call_command("build_network", "--no-osm", stdout=io.StringIO())
    engine = get_engine()
    type(engine)._instance = None
    yield feed
    type(engine)._instance = None


def plan(client, **body):
    return client.post("/api/v1/plans", {"from": KAUPPATORI, "to": SUOMENLINNA, "modes": ["walk", "transit"],
                                         **body}, format="json")


def starts(response):
    assert response.status_code == 200, response.content
    return [(it["start_time"], it["end_time"]) for it in response.json()["itineraries"]]


def test_a_late_evening_query_finds_the_next_service_days_first_departure(ferry_network, resident_client):
    got = starts(plan(resident_client, departure="2022-03-02T23:50:00+02:00", num_itineraries=2))
    assert got == [("2022-03-03T00:00:00+02:00", "2022-03-03T00:20:00+02:00"),
                   ("2022-03-03T06:00:00+02:00", "2022-03-03T06:20:00+02:00")]
    # Asking from 00:00 itself finds the same first ferry (as before).
    assert starts(plan(resident_client, departure="2022-03-03T00:00:00+02:00"))[0] == (
        "2022-03-03T00:00:00+02:00", "2022-03-03T00:20:00+02:00")


def test_arrive_by_gives_num_itineraries_distinct_departures_latest_first(ferry_network, resident_client):
    got = starts(plan(resident_client, arrival="2022-03-02T10:00:00+02:00", num_itineraries=3))
    assert got == [("2022-03-02T09:20:00+02:00", "2022-03-02T09:40:00+02:00"),
                   ("2022-03-02T08:40:00+02:00", "2022-03-02T09:00:00+02:00"),
                   ("2022-03-02T08:00:00+02:00", "2022-03-02T08:20:00+02:00")]


def test_an_empty_transit_answer_says_why_in_the_request_language(ferry_network, resident_client):
    # The last service day's last ferry has left and the feed has no next day: outside service hours.
    r = plan(resident_client, departure="2022-04-07T23:30:00+03:00", language="sv", modes=["transit"])
    assert r.status_code == 200, r.content
    assert r.json()["itineraries"] == []
    assert r.json()["routing_errors"] == [{
        "mode": "transit", "code": "outside_service_hours", "details": {"window_s": 10800},
        "message": "Ingen kollektivtrafik avgår nära startpunkten vid den här tiden (utanför trafiktiden)."}]
    # Found itineraries: no routing error for transit.
    errors = plan(resident_client, departure="2022-03-02T12:00:00+02:00").json()["routing_errors"]
    assert [e for e in errors if e["mode"] == "transit"] == []
