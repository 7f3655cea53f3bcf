"""Bad feeds are rejected with file/row/field; >24:00 times, H:MM:SS, frequencies and translations load."""
import io

import pytest
from django.core.management import CommandError, call_command

from planner import selectors
from planner.models import FeedVersion, Stop, StopTime, Trip

from .conftest import KALASATAMA, MINI, read_members, write_feed


def run(*args):
    out = io.StringIO()
    call_command("import_gtfs", *map(str, args), "--no-progress", stdout=out)
    return out.getvalue()


def rejected(path) -> str:
    with pytest.raises(CommandError) as exc:
        run(path)
    assert FeedVersion.objects.count() == 0 and StopTime.objects.count() == 0 and Stop.objects.count() == 0
    return str(exc.value)


@pytest.mark.django_db
def test_times_beyond_24h_and_single_digit_hours_load_as_seconds(mini_feed):
    path = mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                     "late1,23:58:00,23:58:00,1100602,1\nlate1,24:00:30,24:00:30,1121602,2\n"
                                     "late1,,,1111602,3\nlate1,25:02:00,25:02:00,1111602,4\n")
    run(path, "--activate")
    times = list(StopTime.objects.order_by("stop_sequence").values_list("arrival_s", "departure_s"))
    assert times == [(86280, 86280), (86430, 86430), (None, None), (90120, 90120)]
    path = mini_feed("early.zip", stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                                  "late1,5:42:00,5:42:00,1100602,1\nlate1,5:44:00,5:45:00,1121602,2\n")
    run(path)
    assert sorted(StopTime.objects.filter(feed__version=2).values_list("arrival_s", flat=True)) == [20520, 20640]


@pytest.mark.django_db
def test_bad_times_are_reported_by_file_row_and_field(mini_feed):
    path = mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                     "late1,23:58:00,23:58:00,1100602,1\nlate1,24:61:00,24:61:00,1121602,2\n"
                                     "late1,noon,12:00:00,1111602,3\n")
    message = rejected(path)
    assert "stop_times.txt row 3 field arrival_time: '24:61:00' is not a GTFS time" in message
    assert "stop_times.txt row 3 field departure_time: '24:61:00' is not a GTFS time" in message
    assert "stop_times.txt row 4 field arrival_time: 'noon' is not a GTFS time" in message


@pytest.mark.django_db
def test_times_going_backwards_and_untimed_last_stop_are_rejected(mini_feed):
    path = mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                     "late1,08:10:00,08:10:00,1100602,1\nlate1,08:05:00,08:06:00,1121602,2\n"
                                     "late1,,,1111602,3\n")
    message = rejected(path)
    assert "stop_times.txt row 3 field arrival_time: arrival '08:05:00' is earlier than the previous" in message
    assert "stop_times.txt row 4 field arrival_time: first and last stop of a trip must have times" in message


@pytest.mark.django_db
def test_missing_column_and_missing_file_are_named(mini_feed):
    message = rejected(mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id\n"
                                                 "late1,08:10:00,08:10:00,1100602\n"))
    assert "stop_times.txt row 1 field stop_sequence: required column is missing" in message
    message = rejected(mini_feed("nocal.zip", calendar__txt=None))
    assert "calendar.txt: neither calendar.txt nor calendar_dates.txt is present" in message
    message = rejected(mini_feed("noroutes.zip", routes__txt=None))
    assert "routes.txt: required file is missing or empty" in message


@pytest.mark.django_db
def test_non_numeric_cell_is_located(mini_feed):
    message = rejected(mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                                 "late1,08:10:00,08:10:00,1100602,1\n"
                                                 "late1,08:12:00,08:12:00,1121602,two\n"))
    assert "stop_times.txt row 3 field stop_sequence: 'two' is not a valid" in message


@pytest.mark.django_db
def test_bad_references_route_type_and_coordinates(mini_feed):
    message = rejected(mini_feed(
        trips__txt="route_id,service_id,trip_id\n31M1,NOPE,late1\n",
        routes__txt="route_id,agency_id,route_short_name,route_long_name,route_type\n31M1,HSL,M1,Metro,99\n",
        stops__txt=MINI["stops.txt"].replace("60.187414", "160.187414")))
    assert "trips.txt row 2 field service_id: unknown service_id 'NOPE'" in message
    assert "routes.txt row 2 field route_type: '99' is not a GTFS (basic or extended) route_type" in message
    assert "stops.txt row 2 field stop_lat: '160.187414' is not a coordinate" in message


@pytest.mark.django_db
def test_error_report_lists_first_n_then_counts(tmp_path):
    members = read_members(KALASATAMA)
    lines = members["stop_times.txt"].splitlines()
    header, rows = lines[0], lines[1:]
    broken = [r.replace(",1100601,", ",9999999,") for r in rows]  # every Kalasatama eastbound call
    members["stop_times.txt"] = "\n".join([header, *broken]) + "\n"
    path = write_feed(tmp_path / "k.zip", members)
    with pytest.raises(CommandError) as exc:
        call_command("import_gtfs", str(path), "--max-errors", "1", "--no-progress")
    message = str(exc.value)
    n = sum(",9999999," in r for r in broken)
    assert n > 1000
    assert f"unknown stop_id '9999999' ({n} rows)" in message
    assert f"stop_times.txt stop_id unknown_stop_id: {n} rows, 1 ids: 9999999" in message
    assert FeedVersion.objects.count() == 0


@pytest.mark.django_db
def test_frequencies_are_expanded_into_trips(mini_feed):
    path = mini_feed(frequencies__txt="trip_id,start_time,end_time,headway_secs,exact_times\n"
                                      "late1,06:00:00,07:00:00,600,1\n")
    run(path)
    trips = Trip.objects.order_by("trip_id")
    assert trips.count() == 6  # 06:00, 06:10, ... 06:50
    first_departures = sorted(StopTime.objects.filter(stop_sequence=1).values_list("departure_s", flat=True))
    assert first_departures == [6 * 3600 + i * 600 for i in range(6)]
    assert StopTime.objects.count() == 18


@pytest.mark.django_db
def test_bad_frequency_rows_are_rejected(mini_feed):
    message = rejected(mini_feed(frequencies__txt="trip_id,start_time,end_time,headway_secs\n"
                                                  "late1,06:00:00,07:00:00,0\nghost,06:00:00,07:00:00,600\n"))
    assert "frequencies.txt row 2 field headway_secs: '0' is not a positive number of seconds" in message
    assert "frequencies.txt row 3 field trip_id: unknown trip_id 'ghost'" in message


@pytest.mark.django_db
def test_translated_stop_names(mini_feed):
    path = mini_feed(translations__txt="table_name,field_name,language,translation,record_id\n"
                                       "stops,stop_name,sv,Fiskehamnen,1100602\nstops,stop_name,sv,Sörnäs,1121602\n")
    run(path, "--activate")
    feed = selectors.active_feed()
    assert selectors.stop_names(feed, ["1100602", "1121602", "1111602"], "sv") == {
        "1100602": "Fiskehamnen", "1121602": "Sörnäs", "1111602": "Hakaniemi"}
    assert selectors.stop_names(feed, ["1100602"], "fi") == {"1100602": "Kalasatama"}


@pytest.mark.django_db
def test_shapes_calendar_dates_and_transfers_are_loaded(mini_feed):
    from planner.models import CalendarDate, Shape, Transfer

    path = mini_feed(
        trips__txt="route_id,service_id,trip_id,shape_id,direction_id\n31M1,WD,late1,S1,1\n",
        shapes__txt="shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,shape_dist_traveled\n"
                    "S1,60.187655,24.977233,1,0\nS1,60.187414,24.959904,2,0.96\nS1,60.17934,24.950533,3,\n",
        calendar_dates__txt="service_id,date,exception_type\nWD,20220415,2\n",
        transfers__txt="from_stop_id,to_stop_id,transfer_type,min_transfer_time\n1121602,1121602,2,120\n")
    run(path)
    points = list(Shape.objects.order_by("pt_sequence").values_list("shape_id", "pt_sequence", "lat", "dist_traveled"))
    assert points == [("S1", 1, 60.187655, 0.0), ("S1", 2, 60.187414, 0.96), ("S1", 3, 60.17934, None)]
    trip = Trip.objects.get()
    assert (trip.shape_id, trip.direction_id, trip.route.route_id) == ("S1", 1, "31M1")
    assert str(CalendarDate.objects.get().date) == "2022-04-15"
    assert Transfer.objects.values_list("from_stop_id", "transfer_type", "min_transfer_time").get() == (
        "1121602", 2, 120)


def test_route_type_modes_include_hsl_extended_types():
    from planner.models import route_type_mode

    assert [route_type_mode(t) for t in (0, 1, 3, 4, 109, 401, 700, 704, 900, 1000)] == [
        "tram", "metro", "bus", "ferry", "rail", "metro", "bus", "bus", "tram", "ferry"]


@pytest.mark.django_db
def test_duplicate_stop_sequence_is_rejected(mini_feed):
    message = rejected(mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                                 "late1,08:10:00,08:10:00,1100602,1\n"
                                                 "late1,08:12:00,08:12:00,1121602,2\n"
                                                 "late1,08:14:00,08:14:00,1111602,2\n"))
    assert "stop_times.txt row 4 field stop_sequence: duplicate trip_id/stop_sequence (value '2')" in message
