"""The HSL fixture and the (synthesized) ferries fixture active together in the timetable API."""
from pathlib import Path

import pytest
from django.conf import settings

from planner.gtfs.guarded import import_feed

FERRIES = Path(settings.BASE_DIR) / "fixtures" / "gtfs" / "ferries.zip"


@pytest.fixture
def two_feeds(kalasatama_feed):
    return kalasatama_feed, import_feed(str(FERRIES), name="ferries", activate=True, progress=False).feed


@pytest.mark.django_db
def test_boards_and_stop_search_span_both_active_feeds(api_client, two_feeds):
    # 23:50 on a Wednesday: the next ferry is the next service day's 00:00 departure.
    r = api_client.get("/api/v1/stops/ferries:9571/departures", {"time": "2022-03-02T23:50:00", "limit": 2},
                       HTTP_ACCEPT_LANGUAGE="sv")
    assert r.status_code == 200, r.content
    board = r.json()
    assert board["stop"] == {"id": "ferries:9571", "name": "Salutorget", "location_type": 0}
    rows = [(d["trip_id"], d["scheduled_departure"], d["service_date"], d["headsign"]) for d in board["departures"]]
    assert rows == [
        ("ferries:F19_out_00", "2022-03-03T00:00:00+02:00", "2022-03-03", "Sveaborg"),
        ("ferries:F19_out_01", "2022-03-03T06:00:00+02:00", "2022-03-03", "Sveaborg"),
    ]
    assert board["departures"][0]["route"] == {"id": "ferries:F19", "short_name": "19",
                                               "long_name": "Kauppatori - Suomenlinna", "mode": "ferry",
                                               "color": None}
    # Unqualified ids resolve in whichever feed has them; the metro board is unaffected by the second feed.
    assert api_client.get("/api/v1/stops/9572/departures").status_code == 200
    metro = api_client.get("/api/v1/stops/1100602/departures", {"time": "2022-03-02T08:00:00", "limit": 3}).json()
    assert {d["route"]["mode"] for d in metro["departures"]} == {"metro"}
    # Nearby stops come from both feeds, each id qualified by its feed.
    near = api_client.get("/api/v1/stops", {"near": "60.16750,24.95320", "radius": 400}).json()["stops"]
    assert near[0]["id"] == "ferries:9571" and near[0]["distance_m"] == 0
    assert {s["feed"] for s in near} == {"ferries", "hsl"}
    sv = api_client.get("/api/v1/stops", {"q": "sveaborg"}, HTTP_ACCEPT_LANGUAGE="sv").json()["stops"]
    assert [(s["id"], s["name"]) for s in sv] == [("ferries:9572", "Sveaborg")]
