"""Transit legs drawn along shapes.txt (else through the trip's stops) with the stops passed in between."""
import math

import pytest

from planner.models import Shape, Stop, StopTime, Trip
from planner.osm.path_legs import decode_polyline

KALASATAMA = {"lat": 60.18761, "lon": 24.97721}
KAMPPI = {"lat": 60.16885, "lon": 24.93118}
DEPARTURE = "2022-03-02T08:30:00+02:00"


def crow(a, b):
    """Metres between two [lon, lat] points."""
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def metro_leg(client, language="fi"):
    response = client.post("/api/v1/plans", {"from": KALASATAMA, "to": KAMPPI, "departure": DEPARTURE,
                                             "modes": ["transit"], "language": language}, format="json")
    assert response.status_code == 200, response.json()
    leg = next(leg for leg in response.json()["itineraries"][0]["legs"] if leg["transit"])
    assert (leg["mode"], leg["from"]["name"], leg["to"]["name"])[0] == "metro"
    return leg


def assert_drawn(leg):
    coords = leg["geometry"]["coordinates"]
    assert leg["geometry"]["type"] == "LineString" and len(coords) > 2
    assert crow(coords[0], [leg["from"]["lon"], leg["from"]["lat"]]) < 100
    assert crow(coords[-1], [leg["to"]["lon"], leg["to"]["lat"]]) < 100
    decoded = decode_polyline(leg["polyline"])
    assert len(decoded) == len(coords)
    assert all(abs(a - c) <= 1e-5 and abs(b - d) <= 1e-5 for (a, b), (c, d) in zip(decoded, coords))
    along = sum(crow(a, b) for a, b in zip(coords, coords[1:]))
    assert abs(along - leg["distance_m"]) <= 1
    return coords


def test_metro_leg_through_the_stations_passed(routed_feed, resident_client):
    leg = metro_leg(resident_client)
    coords = assert_drawn(leg)
    passed = leg["intermediate_stops"]
    assert [s["name"] for s in passed] == ["Sörnäinen", "Hakaniemi", "Helsingin yliopisto", "Rautatientori"]
    # No shapes.txt in the fixture: the line runs through the stations themselves.
    assert coords[1:-1] == [[round(s["lon"], 6), round(s["lat"], 6)] for s in passed]
    assert leg["start_time"] < passed[0]["departure"] and passed[-1]["arrival"] < leg["end_time"]
    assert all(s["arrival"] <= s["departure"] for s in passed)
    assert [s["arrival"] for s in passed] == sorted(s["arrival"] for s in passed)
    assert all(s["stop_id"].startswith("hsl:") for s in passed)  # feed-qualified, as the leg's own stops
    rows = Stop.objects.filter(feed=routed_feed, stop_id__in=[s["stop_id"].removeprefix("hsl:") for s in passed])
    assert {(f"hsl:{r.stop_id}", r.lat, r.lon) for r in rows} == {(s["stop_id"], s["lat"], s["lon"]) for s in passed}


def test_stop_names_in_the_request_language(routed_feed, resident_client):
    names = [s["name"] for s in metro_leg(resident_client, "sv")["intermediate_stops"]]
    assert names[0] == "Sörnäs" and names[1] == "Hagnäs"


@pytest.mark.parametrize("with_dist", [False, True])
def test_metro_leg_follows_the_shape_cut_between_its_stops(routed_feed, resident_client, with_dist):
    """A shape (made up here, offset from the stations) on the trips: the leg is its part from Kalasatama to
    Kamppi, the shape's points before and after left out; cut by shape_dist_traveled when the feed has it,
    else by matching the stops to the shape in order."""
    trip_id = metro_leg(resident_client)["trip_id"]
    assert trip_id.startswith("hsl:")
    trip = Trip.objects.get(feed=routed_feed, trip_id=trip_id.removeprefix("hsl:"))
    calls = list(StopTime.objects.filter(trip=trip).order_by("stop_sequence").select_related("stop"))
    points = []
    for a, b in zip(calls, calls[1:]):
        points += [(a.stop.lon, a.stop.lat), ((a.stop.lon + b.stop.lon) / 2, (a.stop.lat + b.stop.lat) / 2 + 0.001)]
    points.append((calls[-1].stop.lon, calls[-1].stop.lat))
    Shape.objects.bulk_create(Shape(feed=routed_feed, shape_id="M-test", pt_sequence=n, lon=lon, lat=lat,
                                    dist_traveled=100.0 * n if with_dist else None)
                              for n, (lon, lat) in enumerate(points))
    if with_dist:
        for n, call in enumerate(calls):
            StopTime.objects.filter(trip=trip, stop_sequence=call.stop_sequence).update(shape_dist_traveled=200.0 * n)
    Trip.objects.filter(feed=routed_feed, route=trip.route).update(shape_id="M-test")
    leg = metro_leg(resident_client)
    coords = assert_drawn(leg)
    names = [c.stop.name for c in calls]
    i, j = names.index("Kalasatama"), names.index("Kamppi")
    expected = [[round(lon, 6), round(lat, 6)] for lon, lat in points[2 * i:2 * j + 1]]
    assert coords == expected and len(coords) == 2 * (j - i) + 1
    assert len(leg["intermediate_stops"]) == j - i - 1


def test_shape_dist_traveled_wins_over_nearest_points():
    """Both files give shape_dist_traveled: the cut follows it, not the stops' nearest shape points."""
    import numpy as np

    from planner.plan.transit_shapes import _cut

    points = np.array([[24.0, 60.0], [24.01, 60.0], [24.02, 60.0], [24.03, 60.0]])
    stops = [{"lat": 60.0, "lon": 24.0, "dist": 10.0}, {"lat": 60.0, "lon": 24.03, "dist": 20.0}]
    assert _cut((points, [0.0, 10.0, 20.0, 30.0]), stops, 0, 1).tolist() == [[24.01, 60.0], [24.02, 60.0]]
    assert _cut((points, None), stops, 0, 1).tolist() == points.tolist()


def test_a_leg_whose_trip_is_not_in_the_tables_keeps_the_engines_line_with_its_polyline(routed_feed,
                                                                                        resident_client):
    """draw leaves transit legs to transit_shapes, which encodes the engine's line when it cannot redraw it."""
    trip_id = metro_leg(resident_client)["trip_id"]
    route = Trip.objects.get(feed=routed_feed, trip_id=trip_id.removeprefix("hsl:")).route
    Trip.objects.filter(feed=routed_feed, route=route).delete()
    leg = metro_leg(resident_client)
    assert leg["intermediate_stops"] is None
    coords = leg["geometry"]["coordinates"]
    decoded = decode_polyline(leg["polyline"])
    assert len(decoded) == len(coords) >= 2
    assert all(abs(a - c) <= 1e-5 and abs(b - d) <= 1e-5 for (a, b), (c, d) in zip(decoded, coords))
