"""Trip-updates ingest: matching, stop relationships, propagation, counting; stale and malformed feeds."""
import time
from datetime import date

import pytest

from planner.realtime import feed, selectors, services, static_index
from tests.realtime.conftest import DAY
from tests.realtime.rtfeeds import message, trip_update

NOW = None


def _index(small_feed):
    return static_index.index_for(small_feed)


def _base(small_feed):
    return _index(small_feed).epoch_base(date(2024, 3, 6))


def _ingest(small_feed, entities, *, header_age=0):
    now = time.time()
    body = message(entities, timestamp=now - header_age).SerializeToString()
    return services.ingest("small", "trip_updates", body, now=now, index=_index(small_feed))


def test_five_minute_delay_propagates_to_later_stops_only(small_feed, rt_store):
    out = _ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY,
                                           stops=[(20, None, 300, None, None)])])
    assert out["ok"] and out["counts"]["matched"] == 1
    state = selectors.trip_estimates("small")["R1-0800|20240306"]
    # A (08:00) unchanged; B 08:03:00/08:03:30 -> +5 min; C and D inherit the delay.
    assert state["dep"][0] == 8 * 3600
    assert state["arr"][1:] == [8 * 3600 + 180 + 300, 8 * 3600 + 360 + 300, 8 * 3600 + 540 + 300]
    assert state["dep"][1] == 8 * 3600 + 210 + 300
    assert state["known"] == [1, 2, 3]


def test_never_earlier_than_the_previous_stop(small_feed, rt_store):
    # B is 10 min late; C reports an absolute time earlier than B's estimated departure.
    c_time = _base(small_feed) + 8 * 3600 + 300
    e = trip_update(1, trip_id="R1-0800", start_date=DAY, stops=[(20, None, 600, None, None)])
    u = e.trip_update.stop_time_update.add()
    u.stop_sequence = 30
    u.arrival.time = c_time
    _ingest(small_feed, [e])
    state = selectors.trip_estimates("small")["R1-0800|20240306"]
    assert state["arr"][2] == state["dep"][1] == 8 * 3600 + 210 + 600
    assert state["dep"][3] >= state["arr"][3] >= state["dep"][2]


def test_matching_without_trip_id_hsl_style(small_feed, rt_store):
    out = _ingest(small_feed, [trip_update(1, route_id="R1", direction_id=0, start_date=DAY, start_time="08:10:00",
                                           stops=[(None, "C", 120, 120, None)])])
    assert out["counts"]["matched"] == 1 and out["counts"]["unmatched"] == 0
    state = selectors.trip_estimates("small")
    assert list(state) == ["R1-0810|20240306"]
    assert state["R1-0810|20240306"]["arr"][2] == 8 * 3600 + 600 + 360 + 120


def test_frequency_based_trip_by_trip_id_and_start_time(small_feed, rt_store):
    out = _ingest(small_feed, [trip_update(1, trip_id="F-T", start_date=DAY, start_time="09:30:00",
                                           stops=[(1, None, None, 60, None)])])
    assert out["counts"]["matched"] == 1
    (key, state), = selectors.trip_estimates("small").items()
    trip = _index(small_feed).trips[key.split("|")[0]]
    assert trip.trip_id.startswith("F-T-freq-") and int(trip.dep[0]) == 9 * 3600 + 1800
    assert state["dep"][0] == 9 * 3600 + 1800 + 60 and state["arr"][1] == 9 * 3600 + 1800 + 300 + 60


def test_canceled_skipped_added_and_unmatched_are_counted(small_feed, rt_store):
    out = _ingest(small_feed, [
        trip_update(1, trip_id="R1-0810", start_date=DAY, relationship="CANCELED"),
        trip_update(2, trip_id="R1-0820", start_date=DAY, stops=[(20, None, None, None, "SKIPPED"),
                                                                  (30, None, 60, 60, None)]),
        trip_update(3, route_id="R1", direction_id=0, start_date=DAY, start_time="08:00:00", relationship="ADDED"),
        trip_update(4, trip_id="no-such-trip", start_date=DAY, stops=[(1, None, 60, 60, None)]),
        trip_update(5, route_id="R1", direction_id=1, start_date=DAY, start_time="08:00:00"),
    ])
    c = out["counts"]
    assert (c["matched"], c["canceled"], c["added"], c["unmatched"]) == (2, 1, 1, 2)
    assert {u["reason"] for u in out["unmatched"]} == {"unknown_trip_id", "no_matching_trip"}
    state = selectors.trip_estimates("small")
    assert state["R1-0810|20240306"] == {"canceled": True}
    assert state["R1-0820|20240306"]["skipped"] == [1]


def test_stale_header_is_treated_as_absent_and_flagged(small_feed, rt_store):
    _ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, stops=[(20, None, 300, None, None)])])
    assert selectors.trip_estimates("small")
    with pytest.raises(feed.FeedError) as err:
        _ingest(small_feed, [trip_update(1, trip_id="R1-0810", start_date=DAY, relationship="CANCELED")],
                header_age=301)
    assert err.value.code == "stale_feed" and "301 s old" in str(err.value)
    assert selectors.trip_estimates("small") == {}
    status = selectors.status("small")
    assert status["realtime"] is False and status["trip_updates"]["stale"] is True


def test_state_goes_absent_when_polling_stops(small_feed, rt_store, settings):
    _ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, stops=[(20, None, 300, None, None)])])
    header = selectors.status("small")["trip_updates"]["header_ts"]
    assert selectors.trip_estimates("small", now=header + 299)
    assert selectors.trip_estimates("small", now=header + 301) == {}
    settings.REALTIME_MAX_AGE_S = 600
    assert selectors.trip_estimates("small", now=header + 301)


@pytest.mark.parametrize("damage", ["truncated_end", "truncated_middle", "garbage", "empty"])
def test_malformed_feed_is_rejected_and_previous_state_stays(small_feed, rt_store, feed_server, damage):
    good = message([trip_update(1, trip_id="R1-0800", start_date=DAY, stops=[(20, None, 300, None, None)])])
    services.configure_source("small", trip_updates_url=feed_server.serve("/tu", good))
    assert services.poll_feed("small")["trip_updates"]["ok"]
    before = selectors.trip_estimates("small")
    bad = message([trip_update(k, trip_id="R1-0810", start_date=DAY, stops=[(20, None, 900, None, None)])
                   for k in range(40)]).SerializeToString()
    feed_server.serve("/tu", {"truncated_end": bad[:-1], "truncated_middle": bad[:len(bad) // 2],
                              "garbage": b"\xff\x00<html>nope</html>", "empty": b""}[damage])
    result = services.poll_feed("small")["trip_updates"]
    assert result["ok"] is False and result["error"] == "malformed_feed"
    assert "not a GTFS-Realtime FeedMessage" in result["message"] or "without a header" in result["message"]
    assert selectors.trip_estimates("small") == before
    from planner.realtime.models import RealtimeSource

    assert RealtimeSource.objects.get(feed_name="small").last_status["trip_updates"]["error"] == "malformed_feed"


def test_transfer_cut_short_is_rejected_and_previous_state_stays(small_feed, rt_store, feed_server):
    """A body that stops early can still parse (at an entity boundary): the announced length catches it."""
    good = message([trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED")])
    services.configure_source("small", trip_updates_url=feed_server.serve("/tu", good))
    services.poll_feed("small")
    entities = [trip_update(k, trip_id="R1-0810", start_date=DAY, relationship="CANCELED") for k in range(40)]
    full = message(entities).SerializeToString()
    feed_server.serve("/tu", full)
    feed_server.cuts["/tu"] = len(full) // 2
    result = services.poll_feed("small")["trip_updates"]
    assert result["ok"] is False and result["error"] in ("truncated_feed", "fetch_failed"), result
    assert result["message"].startswith(feed_server.url("/tu")), result
    assert selectors.trip_estimates("small") == {"R1-0800|20240306": {"canceled": True}}


def test_fetch_failure_keeps_state_and_names_the_url(small_feed, rt_store, feed_server):
    good = message([trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED")])
    services.configure_source("small", trip_updates_url=feed_server.serve("/tu", good))
    services.poll_feed("small")
    services.configure_source("small", trip_updates_url=feed_server.url("/missing"))
    result = services.poll_feed("small")["trip_updates"]
    assert result["error"] == "fetch_failed" and result["message"] == feed_server.url("/missing") + ": HTTP 404"
    assert selectors.trip_estimates("small") == {"R1-0800|20240306": {"canceled": True}}


def test_unreachable_store_reads_as_schedule_only(small_feed, rt_store, settings):
    _ingest(small_feed, [trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED")])
    settings.REALTIME_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    assert selectors.trip_estimates("small") == {}
    assert selectors.status("small") == {"realtime": False}
    del settings.REALTIME_REDIS_URL
    assert selectors.trip_estimates("small") == {"R1-0800|20240306": {"canceled": True}}


def test_file_store_without_redis(small_feed, rt_store, settings, tmp_path):
    settings.REALTIME_REDIS_URL = ""
    settings.REALTIME_DIR = tmp_path / "rt"
    _ingest(small_feed, [trip_update(1, trip_id="R1-0810", start_date=DAY, relationship="CANCELED")])
    assert [p.name for p in (tmp_path / "rt").iterdir()] == ["small.trip_updates.json"]
    assert selectors.trip_estimates("small") == {"R1-0810|20240306": {"canceled": True}}
    del settings.REALTIME_REDIS_URL


def test_source_at_a_refused_address_is_not_fetched(small_feed, rt_store, feed_server, settings):
    good = message([trip_update(1, trip_id="R1-0800", start_date=DAY, relationship="CANCELED")])
    services.configure_source("small", trip_updates_url=feed_server.serve("/tu", good))
    services.poll_feed("small")
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # loopback is not public: refused before connecting
    feed_server.serve("/tu", message([]))
    result = services.poll_feed("small")["trip_updates"]
    assert result["error"] == "fetch_failed" and "loopback" in result["message"], result
    assert selectors.trip_estimates("small") == {"R1-0800|20240306": {"canceled": True}}
