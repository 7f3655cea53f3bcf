"""Streamed import (stop_times/shapes in chunks): same rows as one chunk and as the whole-table path; an error in
a late chunk still leaves nothing written; first-N + counts across chunks."""
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from planner.gtfs import stream
from planner.gtfs.loader import load_tables
from planner.gtfs.reader import read_tables
from planner.gtfs.validate import validate
from planner.models import Agency, Calendar, FeedVersion, Route, Shape, Stop, StopTime, Trip

from .conftest import write_feed

N_TRIPS, STOPS_PER_TRIP, N_SHAPES, POINTS_PER_SHAPE = 300, 20, 10, 250  # 6 000 stop_times, 2 500 shape points


def members(bad_stop_row: int | None = None, duplicate_row: int | None = None, bad_times: int = 0) -> dict:
    """A generated feed; optional faults at given stop_times data rows (0-based)."""
    stops = ["stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding"] + [
        f"S{i},Stop {i},{60.15 + i * 0.001:.6f},{24.90 + i * 0.002:.6f},{i % 3}" for i in range(40)]
    trips = ["route_id,service_id,trip_id,trip_headsign,direction_id,shape_id"] + [
        f"R{t % 3},WD,T{t},Kalasatama,{t % 2},SH{t % N_SHAPES}" for t in range(N_TRIPS)]
    st = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence,stop_headsign,pickup_type,timepoint"]
    row = 0
    for t in range(N_TRIPS):
        start = 5 * 3600 + t * 240
        for k in range(STOPS_PER_TRIP):
            secs = start + k * 90
            time = f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
            if t == 7 and k == 0:
                time = f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"  # H:MM:SS
            if t == 9 and k == 5:
                time = ""  # an untimed intermediate stop
            if row < bad_times * 50 and row % 50 == 0:
                time = "9x:00:00"
            stop = f"S{(t + k) % 40}" if row != bad_stop_row else "NOPE"
            seq = k + 1 if row != duplicate_row else k  # k == sequence of the previous row
            headsign = "Itäkeskus" if k == 0 else ""
            st.append(f"T{t},{time},{time},{stop},{seq},{headsign},{k % 2},{1 if time else ''}")
            row += 1
    shapes = ["shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,shape_dist_traveled"] + [
        f"SH{s},{60.15 + p * 1e-4:.6f},{24.9 + s * 1e-3:.6f},{p + 1},{p * 0.011:.3f}"
        for s in range(N_SHAPES) for p in range(POINTS_PER_SHAPE)]
    return {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nHSL,HSL,https://www.hsl.fi/,Europe/Helsinki\n",
        "stops.txt": "\n".join(stops) + "\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nR0,HSL,1,0\nR1,HSL,55,3\nR2,HSL,M1,401\n",
        "trips.txt": "\n".join(trips) + "\n",
        "stop_times.txt": "\n".join(st) + "\n",
        "shapes.txt": "\n".join(shapes) + "\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WD,1,1,1,1,1,0,0,20220222,20220407\n",
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_gtfs", *map(str, args), "--no-progress", stdout=out)
    return out.getvalue()


def rows_of(feed: FeedVersion) -> tuple[set, set, set]:
    stop_times = set(StopTime.objects.filter(feed=feed).values_list(
        "trip__trip_id", "stop__stop_id", "stop_sequence", "arrival_s", "departure_s", "stop_headsign",
        "pickup_type", "drop_off_type", "timepoint"))
    shapes = set(Shape.objects.filter(feed=feed).values_list("shape_id", "pt_sequence", "lat", "lon", "dist_traveled"))
    trips = set(Trip.objects.filter(feed=feed).values_list("trip_id", "route__route_id", "shape_id", "direction_id"))
    return stop_times, shapes, trips


def assert_nothing_written(feed_dirs):
    for model in (FeedVersion, Agency, Stop, Route, Trip, StopTime, Shape, Calendar):
        assert model.objects.count() == 0, model
    feeds = feed_dirs / "feeds"
    assert not feeds.exists() or not any(feeds.iterdir())


@pytest.mark.django_db
def test_chunks_of_1000_give_the_same_rows_as_one_chunk_and_as_the_whole_table_path(tmp_path, monkeypatch):
    path = write_feed(tmp_path / "gen.zip", members())
    seen = []
    real = stream.read_chunks

    def spy(fh, rows, text=None):
        for offset, chunk in real(fh, rows, text):
            seen.append(len(chunk))
            yield offset, chunk

    monkeypatch.setattr(stream, "read_chunks", spy)
    run(path, "--name", "chunked", "--chunk-rows", 1000)
    # stop_times, shapes, then stop_times again to rewrite the H:MM:SS time in the normalized zip.
    assert seen == [1000] * 6 + [1000, 1000, 500] + [1000] * 6
    seen.clear()
    run(path, "--name", "whole", "--chunk-rows", 10 ** 6)
    assert seen == [6000, 2500, 6000]

    chunked, whole = FeedVersion.objects.get(name="chunked"), FeedVersion.objects.get(name="whole")
    assert chunked.stats == whole.stats
    assert chunked.stats["stop_times"] == 6000 and chunked.stats["shape_points"] == 2500
    assert chunked.stats["trips"] == 300 and chunked.stats["stops"] == 40
    assert StopTime.objects.filter(feed=chunked).count() == 6000 == StopTime.objects.filter(feed=whole).count()
    assert Shape.objects.filter(feed=chunked).count() == 2500
    chunked_rows = rows_of(chunked)
    assert chunked_rows == rows_of(whole)
    # H:MM:SS parsed, blank intermediate time kept NULL, text column loaded.
    assert (("T7", "S7", 1, 5 * 3600 + 7 * 240, 5 * 3600 + 7 * 240, "Itäkeskus", 0, 0, 1) in chunked_rows[0])
    assert StopTime.objects.get(feed=chunked, trip__trip_id="T9", stop_sequence=6).arrival_s is None

    # The whole-table path (gtfs-kit read_feed of everything, used for --repair/frequencies) loads the same rows.
    tables = read_tables(path)
    parsed = {}
    errors, _ = validate(tables, parsed)
    assert errors == []
    legacy = load_tables(tables, parsed, name="legacy", source=str(path), digest="0" * 64, changes=[],
                         activate=False, source_path=path)
    assert rows_of(legacy) == chunked_rows
    assert legacy.stats == chunked.stats

    # The normalized zip has every time as HH:MM:SS (the H:MM:SS row rewritten) and all the rows.
    with zipfile.ZipFile(chunked.gtfs_path) as zf:
        text = zf.read("stop_times.txt").decode()
    assert text.count("\n") == 6001 and f"T7,{'%02d' % 5}:28:00," in text


@pytest.mark.django_db
def test_unknown_stop_in_the_last_chunk_rejects_everything(tmp_path, feed_dirs):
    path = write_feed(tmp_path / "late.zip", members(bad_stop_row=5950))
    with pytest.raises(CommandError) as exc:
        run(path, "--chunk-rows", 1000)
    message = str(exc.value)
    assert "nothing was written" in message
    assert "stop_times.txt row 5952 field stop_id: unknown stop_id 'NOPE'" in message
    assert_nothing_written(feed_dirs)


@pytest.mark.django_db
def test_duplicate_stop_sequence_after_its_first_row_was_loaded_is_reported_and_rolled_back(tmp_path, feed_dirs):
    # Data row 4950 (first of a 990-row chunk) repeats row 4949's (trip, stop_sequence): the first one was
    # COPYed with the previous chunk, the primary key stops the COPY, yet the report names the row and
    # nothing stays.
    path = write_feed(tmp_path / "dup.zip", members(duplicate_row=4950))
    with pytest.raises(CommandError) as exc:
        run(path, "--chunk-rows", 990)
    assert "stop_times.txt row 4952 field stop_sequence: duplicate trip_id/stop_sequence (value '10')" \
        in str(exc.value)
    assert_nothing_written(feed_dirs)


@pytest.mark.django_db
def test_bad_rows_across_chunks_are_listed_first_n_then_counted(tmp_path, feed_dirs):
    path = write_feed(tmp_path / "bad.zip", members(bad_times=80))  # rows 0, 50, ..., 3950
    with pytest.raises(CommandError) as exc:
        call_command("import_gtfs", str(path), "--chunk-rows", "1000", "--no-progress", "--max-errors", "200")
    message = str(exc.value)
    assert "stop_times.txt row 2 field arrival_time: '9x:00:00' is not a GTFS time" in message
    assert "stop_times.txt row 2452 field arrival_time: '9x:00:00'" in message  # the 50th
    assert "row 2502 field arrival_time: 30 more rows like the above (30 rows)" in message
    assert "stop_times.txt arrival_time bad_time: 80 rows" in message
    assert "stop_times.txt departure_time bad_time: 80 rows" in message
    assert_nothing_written(feed_dirs)


def reversed_stop_times(m: dict, edit=None) -> dict:
    header, *rows = m["stop_times.txt"].splitlines()
    if edit:
        rows = [edit(r) for r in rows]
    return {**m, "stop_times.txt": "\n".join([header, *reversed(rows)]) + "\n"}


@pytest.mark.django_db
def test_unsorted_stop_times_load_the_same_and_time_travel_is_found_at_its_line(tmp_path, feed_dirs):
    run(write_feed(tmp_path / "sorted.zip", members()), "--name", "sorted", "--chunk-rows", 1000)
    run(write_feed(tmp_path / "reversed.zip", reversed_stop_times(members())), "--name", "rev", "--chunk-rows", 700)
    assert rows_of(FeedVersion.objects.get(name="rev")) == rows_of(FeedVersion.objects.get(name="sorted"))

    # T3's 5th stop (data row 64, line 5937 once reversed) arrives before the 4th left.
    def edit(row):
        return row.replace("05:18:00,05:18:00", "04:00:00,04:00:00") if row.startswith("T3,") else row

    assert sum("05:18:00,05:18:00" in r and r.startswith("T3,") for r in members()["stop_times.txt"].splitlines()) == 1
    with pytest.raises(CommandError) as exc:
        run(write_feed(tmp_path / "back.zip", reversed_stop_times(members(), edit)), "--chunk-rows", 700)
    message = str(exc.value)
    assert "stop_times.txt row 5937 field arrival_time: arrival '04:00:00' is earlier than the previous" in message
    assert "stop_times.txt arrival_time time_travel: 1 rows" in message
    assert FeedVersion.objects.filter(name="hsl").count() == 0


def test_uniform_rows_fast_copy_encoding_matches_the_general_encoder(monkeypatch):
    import numpy as np

    from planner.gtfs import pgcopy

    n = 7
    columns = [("int8", np.arange(n) + 10 ** 10, None), ("int4", np.arange(n) * 3, np.zeros(n, bool)),
               ("text", np.array([""] * n, dtype=object), None), ("float8", np.linspace(0, 1, n), None),
               ("int2", np.zeros(n), np.ones(n, bool)), ("bool", np.ones(n, bool), None)]
    assert pgcopy._encode_uniform(columns, n) is not None
    fast = pgcopy.encode(columns, n)
    monkeypatch.setattr(pgcopy, "_encode_uniform", lambda columns, n: None)
    assert pgcopy.encode(columns, n) == fast
    # Mixed NULLs or non-empty text fall back to the general encoder.
    monkeypatch.undo()
    assert pgcopy._encode_uniform([("int4", np.arange(n), np.arange(n) == 3)], n) is None
    assert pgcopy._encode_uniform([("text", np.array(["a"] * n, dtype=object), None)], n) is None
