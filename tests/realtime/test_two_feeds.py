"""Real time per feed when two feeds are routed together: each leg is re-timed (and alerted) by the real time of
the feed its trip belongs to (the HSL fixture as "hsl", the ferries fixture as "ferries")."""
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from planner.realtime import services, static_index, store
from tests.realtime.rtfeeds import alert, message, trip_update

ROOT = Path(settings.BASE_DIR) / "fixtures" / "gtfs"
DAY = "20220302"  # a Wednesday inside both fixtures' service
METRO = "31M1_20220222_Ke_2_0800_synth"  # M1 westbound, Kalasatama 08:15:30 -> Helsingin yliopisto 08:20:20


@pytest.fixture
def two_feeds(db, settings, tmp_path, rt_store):
    from planner.engines.embedded import EmbeddedEngine
    from planner.gtfs.loader import import_feed

    settings.NETWORK_DIR, settings.GTFS_FEED_DIR = tmp_path / "networks", tmp_path / "feeds"
    static_index._indexes.clear()
    EmbeddedEngine._instance = None
    store.clear("ferries")
    import_feed(str(ROOT / "kalasatama.zip"), name="hsl", activate=True)
    import_feed(str(ROOT / "ferries.zip"), name="ferries", activate=True)
    call_command("build_network", "--no-osm", verbosity=0)
    yield
    store.clear("ferries")
    EmbeddedEngine._instance = None
    static_index._indexes.clear()


def ingest(feed, kind, *entities):
    now = time.time()
    services.ingest(feed, kind, message(entities, timestamp=now).SerializeToString(), now=now)


def plan(client):
    body = {"from": {"lat": 60.18761, "lon": 24.97721}, "to": {"stop_id": "ferries:9572"},
            "departure": "2022-03-02T08:00:00+02:00", "modes": ["walk", "transit"], "language": "en"}
    response = client.post("/api/v1/plans", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def rides(itinerary):
    return [leg for leg in itinerary["legs"] if leg["transit"]]


def test_each_leg_takes_the_real_time_of_its_own_feed(two_feeds, resident_client):
    metro, ferry = rides(plan(resident_client)["itineraries"][0])
    assert (metro["trip_id"], metro["realtime"], ferry["trip_id"], ferry["realtime"]) == (
        f"hsl:{METRO}", False, "ferries:F19_out_05", False)
    # hsl's real time cancels that metro; the ferries feed's puts the ferry 5 min late and alerts its route.
    ingest("hsl", "trip_updates", trip_update(1, trip_id=METRO, start_date=DAY, relationship="CANCELED"))
    ingest("ferries", "trip_updates", trip_update(1, trip_id="F19_out_05", start_date=DAY,
                                                  stops=[(1, None, 300, 300, None)]))
    ingest("ferries", "alerts", alert("f1", texts={"en": "Ferry 19 runs late"}, routes=["F19"]))
    body = plan(resident_client)
    assert body["realtime"] is True
    assert f"hsl:{METRO}" not in {leg["trip_id"] for it in body["itineraries"] for leg in rides(it)}
    best = body["itineraries"][0]
    metro, ferry = rides(best)
    assert metro["trip_id"].startswith("hsl:31M") and metro["end_time"] < "2022-03-02T08:35:00+02:00"
    assert (ferry["trip_id"], ferry["realtime"], ferry["delay_s"]) == ("ferries:F19_out_05", True, 300)
    assert ferry["start"] == {"scheduled_time": "2022-03-02T08:40:00+02:00",
                              "estimated": {"time": "2022-03-02T08:45:00+02:00", "delay_s": 300}}
    assert (ferry["start_time"], ferry["end_time"]) == ("2022-03-02T08:45:00+02:00", "2022-03-02T09:05:00+02:00")
    assert best["end_time"] == "2022-03-02T09:05:00+02:00"
    # The ferries feed's alert on its route is on the ferry leg only.
    assert [a["id"] for a in ferry["alerts"]] == ["ferries:f1"] and metro["alerts"] == []


def test_a_cancelled_ferry_is_not_offered_the_next_one_is(two_feeds, resident_client):
    ingest("ferries", "trip_updates", trip_update(1, trip_id="F19_out_05", start_date=DAY, relationship="CANCELED"))
    best = plan(resident_client)["itineraries"][0]
    trips = [leg["trip_id"] for leg in rides(best)]
    assert trips[-1] == "ferries:F19_out_06" and "ferries:F19_out_05" not in trips
    assert best["end_time"] == "2022-03-02T09:40:00+02:00"
