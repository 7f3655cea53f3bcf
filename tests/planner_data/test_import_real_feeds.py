"""import_gtfs on the real HSL files: broken 2022 feed rejected, repaired import, the Kalasatama fixture."""
import io
import zipfile
from pathlib import Path

import gtfs_kit
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from planner import selectors
from planner.models import (
    Agency,
    Calendar,
    CalendarDate,
    FeedVersion,
    Route,
    Shape,
    Stop,
    StopTime,
    Transfer,
    Trip,
)

from .conftest import BROKEN_2022, KALASATAMA, STOPS_2016

ALL_MODELS = (FeedVersion, Agency, Stop, Route, Trip, StopTime, Calendar, CalendarDate, Transfer, Shape)
MISSING_2022 = {"1121436", "1121446", "1121450", "1121482", "1130436", "1130438", "1130440", "1130442", "1140447",
                "1140450", "1140452", "1173416", "1173423", "1220416", "1220418", "1220420", "1220422", "1220424",
                "1220426", "1250425", "1250427", "1250429", "1250431"}


def run(*args):
    out = io.StringIO()
    call_command("import_gtfs", *map(str, args), "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_broken_2022_feed_is_rejected_naming_missing_stops_and_nothing_is_written(feed_dirs):
    with pytest.raises(CommandError) as exc:
        run(BROKEN_2022)
    message = str(exc.value)
    assert "nothing was written" in message
    # First listed issues carry file, row and field; the totals name every missing stop id.
    assert "stop_times.txt row 21 field stop_id: unknown stop_id '1121436' (62 rows)" in message
    totals = message.split("Totals:")[1]
    line = next(t for t in totals.splitlines() if t.strip().startswith("stop_times.txt stop_id unknown_stop_id"))
    assert "23 ids" in line
    assert {i.strip() for i in line.split("ids:")[1].split(",")} == MISSING_2022
    assert "trips.txt route_id unknown_route_id: 1 rows, 1 ids: -1001" in message
    for model in ALL_MODELS:
        assert model.objects.count() == 0, model
    assert not (feed_dirs / "feeds").exists() or not any((feed_dirs / "feeds").iterdir())


@pytest.mark.django_db
def test_repair_restores_22_stops_drops_1121482_and_imports_63_timed_trips():
    out = run(BROKEN_2022, "--repair", "--reference-stops", STOPS_2016)
    restored = [line for line in out.splitlines() if "restored stop" in line]
    assert len(restored) == 22
    assert any("restored stop 1121436 Sörnäinen(M) (60.18806, 24.9629)" in line for line in restored)
    dropped = [line for line in out.splitlines() if line.startswith("repair: stop_times.txt") and "1121482" in line]
    assert len(dropped) == 62
    assert "route_id -1001 -> 1001" in out

    feed = FeedVersion.objects.get()
    assert (feed.version, feed.is_active) == (1, False)  # not activated without --activate
    assert selectors.active_feed() is None
    timed = Trip.objects.filter(feed=feed).annotate(n=Count("stop_times")).filter(n__gte=2)
    assert timed.count() == 63 == Trip.objects.filter(feed=feed).count()
    assert StopTime.objects.filter(feed=feed).count() == 1999 - 62
    assert not StopTime.objects.filter(feed=feed, stop__stop_id="1121482").exists()
    soernainen = Stop.objects.get(feed=feed, stop_id="1121436")
    assert (soernainen.name, soernainen.lat, soernainen.lon) == ("Sörnäinen(M)", 60.18806, 24.9629)
    assert StopTime.objects.filter(feed=feed, stop=soernainen).count() == 62
    # The first trip leaves Eira at 05:42 and reaches Sörnäinen(M) at 06:07.
    first = StopTime.objects.filter(feed=feed, trip__trip_id="1001_20220222_Ke_1_0542")
    assert first.get(stop_sequence=1).departure_s == 5 * 3600 + 42 * 60
    assert first.get(stop__stop_id="1121436").arrival_s == 6 * 3600 + 7 * 60
    assert Route.objects.get(feed=feed, route_id="1001").mode == "tram"
    assert Route.objects.get(feed=feed, route_id="31M1").mode == "metro"
    assert len(feed.repairs) == len([line for line in out.splitlines() if line.startswith("repair: ")])


@pytest.mark.django_db
def test_kalasatama_fixture_imports_activates_and_keeps_a_normalized_zip():
    out = run(KALASATAMA, "--activate")
    assert "Imported hsl v1" in out and "active" in out
    feed = selectors.active_feed()
    assert feed is not None and feed.version == 1
    assert (str(feed.service_start), str(feed.service_end)) == ("2022-02-22", "2022-04-07")
    assert Trip.objects.filter(feed=feed, route__route_id="1001").count() == 63
    assert Trip.objects.filter(feed=feed, route__route_id__in=["31M1", "31M2"]).count() == 3900
    kalasatama = Stop.objects.get(feed=feed, stop_id="1100601")
    assert (kalasatama.name, kalasatama.wheelchair_boarding) == ("Kalasatama", 1)
    assert Stop.objects.get(feed=feed, stop_id="1020602").wheelchair_boarding == 2  # as the 2022 data says
    # Synthesized M1 08:00 from Ruoholahti reaches Kalasatama (stop 7) after 8 min 50 s.
    trip = StopTime.objects.filter(feed=feed, trip__trip_id="31M1_20220222_Ke_1_0800_synth")
    assert trip.get(stop__stop_id="1100601").arrival_s == 8 * 3600 + 8 * 60 + 50
    assert selectors.stop_names(feed, ["1100601", "1121436"], "fi") == {
        "1100601": "Kalasatama", "1121436": "Sörnäinen(M)"}
    # Swedish names come from OSM name:sv (fixture translations.txt); no translation -> the feed's name.
    assert selectors.stop_names(feed, ["1100601", "1121601", "1020601", "1121436"], "sv") == {
        "1100601": "Fiskehamnen", "1121601": "Sörnäs", "1020601": "Järnvägstorget", "1121436": "Sörnäinen(M)"}
    assert feed.stats["translated_stops"] == Stop.objects.filter(feed=feed).exclude(names={}).count() > 200

    path = Path(feed.gtfs_path)
    assert path.is_file() and path.name == f"{feed.pk}-{feed.content_hash[:12]}.zip"
    reread = gtfs_kit.read_feed(path, dist_units="km")
    assert len(reread.stop_times) == StopTime.objects.filter(feed=feed).count() == feed.stats["stop_times"]
    assert len(reread.trips) == 3963 and len(reread.stops) == 249


@pytest.mark.django_db
def test_reimport_of_the_same_feed_is_a_second_version_without_duplicates():
    run(KALASATAMA, "--activate")
    run(KALASATAMA)
    v1, v2 = FeedVersion.objects.filter(name="hsl").order_by("version")
    assert (v1.version, v2.version) == (1, 2)
    assert (v1.is_active, v2.is_active) == (True, False)  # the new version waits for activation
    for feed in (v1, v2):
        assert Stop.objects.filter(feed=feed).count() == 249
        assert Trip.objects.filter(feed=feed).count() == 3963
        assert StopTime.objects.filter(feed=feed).count() == 56537
        dup_st = StopTime.objects.filter(feed=feed).values("trip_id", "stop_sequence").annotate(
            n=Count("*")).filter(n__gt=1)
        assert not dup_st.exists()
        assert not Stop.objects.filter(feed=feed).values("stop_id").annotate(n=Count("id")).filter(n__gt=1).exists()
        # every stop_time points at a trip and stop of its own version
        assert StopTime.objects.filter(feed=feed).exclude(trip__feed=feed).count() == 0
        assert StopTime.objects.filter(feed=feed).exclude(stop__feed=feed).count() == 0
    assert StopTime.objects.count() == 2 * 56537
    with zipfile.ZipFile(v1.gtfs_path) as a, zipfile.ZipFile(v2.gtfs_path) as b:
        assert a.read("stop_times.txt") == b.read("stop_times.txt")


@pytest.mark.django_db
def test_skip_if_unchanged_does_not_add_a_version():
    run(KALASATAMA, "--activate", "--skip-if-unchanged")
    out = run(KALASATAMA, "--activate", "--skip-if-unchanged")
    assert "nothing imported" in out
    assert FeedVersion.objects.count() == 1


@pytest.mark.django_db
def test_import_from_a_url_served_on_loopback():
    import http.server
    import threading
    from functools import partial

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(KALASATAMA.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{KALASATAMA.name}"
        run(url, "--activate", "--name", "fromurl")
    finally:
        server.shutdown()
        server.server_close()
    feed = selectors.active_feed("fromurl")
    assert feed.source == url and feed.stats["stop_times"] == 56537
    assert Path(feed.gtfs_path).is_file()
