"""Decoration: transit legs drawn along the feed's shapes.txt between the boarding and alighting stops (else
the stop-to-stop line through the trip's stops), with the stops passed in between; every transit leg gets its
polyline here (draw leaves them to this step, which runs after the filters).

Reads the imported tables of the active feeds in three queries per plan (trips, their stop times with
stops, their shapes), whatever engine found the legs. A leg whose trip is not in an active feed keeps
the engine's geometry and gets `intermediate_stops: None`.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Q

from maas.geo import distances_m
from planner.emissions import leg_co2_g
from planner.models import FeedVersion, Shape, StopTime, Trip
from planner.osm.path_legs import encode_polyline
from planner.plan.plan import Plan
from planner.timetable.feeds import split_ref

HELSINKI = ZoneInfo("Europe/Helsinki")


def draw_transit_legs(plan: Plan) -> None:
    legs = [leg for it in plan.itineraries for leg in it["legs"] if leg["transit"] and leg.get("trip_id")]
    if legs:
        _draw_legs(plan, legs)
    for it in plan.itineraries:  # a transit leg not redrawn keeps the engine's line, encoded once here
        for leg in it["legs"]:
            if "polyline" not in leg:
                leg["polyline"] = encode_polyline([tuple(c) for c in leg["geometry"]["coordinates"]])


def _draw_legs(plan: Plan, legs) -> None:
    feeds = {f.name: f.pk for f in FeedVersion.objects.filter(is_active=True).only("pk", "name")}
    keys = {leg["trip_id"]: split_ref(leg["trip_id"], feeds) for leg in legs}
    trips = _trips({raw for _, raw in keys.values()}, list(feeds.values()))
    calls = _calls([(t["feed_id"], t["pk"]) for t in trips.values()])
    shapes = _shapes({(t["feed_id"], t["shape_id"]) for t in trips.values() if t["shape_id"]})
    language = plan.request.language
    for leg in legs:
        feed_name, raw = keys[leg["trip_id"]]
        trip = trips.get((feeds[feed_name], raw)) if feed_name else next(
            (t for (_, trip_id), t in trips.items() if trip_id == raw), None)
        stops = calls.get(trip["pk"]) if trip else None
        span = _span(leg, stops, feeds) if stops else None
        if span is None:
            leg.setdefault("intermediate_stops", None)
            continue
        i, j = span
        _draw(leg, stops, i, j, shapes.get((trip["feed_id"], trip["shape_id"])))
        prefix = f"{feed_name}:" if feed_name else ""
        leg["intermediate_stops"] = [_stop_passed(leg, stops, i, k, language, prefix) for k in range(i + 1, j)]
    for it in plan.itineraries:
        it["co2_g"] = sum(leg["co2_g"] for leg in it["legs"])


def _trips(trip_ids, feed_pks) -> dict:
    rows = Trip.objects.filter(feed_id__in=feed_pks, trip_id__in=list(trip_ids)).values(
        "pk", "feed_id", "trip_id", "shape_id")
    return {(r["feed_id"], r["trip_id"]): r for r in rows}


def _calls(trips) -> dict:
    """{trip pk: [stop time with its stop, in stop_sequence order]} of [(feed pk, trip pk)]."""
    out = defaultdict(list)
    by_feed = Q()
    for feed_pk in {f for f, _ in trips}:  # feed_id: its partition (PostgreSQL), the primary key's first column
        by_feed |= Q(feed_id=feed_pk, trip_id__in=[t for f, t in trips if f == feed_pk])
    if not trips:
        return out
    rows = StopTime.objects.filter(by_feed).order_by("trip_id", "stop_sequence").values_list(
        "trip_id", "arrival_s", "departure_s", "shape_dist_traveled",
        "stop__stop_id", "stop__name", "stop__names", "stop__lat", "stop__lon")
    for trip, arr, dep, dist, stop_id, name, names, lat, lon in rows:
        out[trip].append({"arr": arr, "dep": dep, "dist": dist, "stop_id": stop_id, "name": name,
                          "names": names or {}, "lat": lat, "lon": lon})
    return out


def _shapes(keys) -> dict:
    """{(feed pk, shape_id): (points as [[lon, lat], ...] ndarray, dist_traveled list or None)}."""
    if not keys:
        return {}
    points = defaultdict(list)
    rows = Shape.objects.filter(feed_id__in={f for f, _ in keys}, shape_id__in={s for _, s in keys}).order_by(
        "feed_id", "shape_id", "pt_sequence").values_list("feed_id", "shape_id", "lon", "lat", "dist_traveled")
    for feed, shape, lon, lat, dist in rows:
        points[(feed, shape)].append((lon, lat, dist))
    return {key: (np.array([p[:2] for p in pts]), [p[2] for p in pts] if all(p[2] is not None for p in pts)
                  else None) for key, pts in points.items() if key in keys and len(pts) >= 2}


def _span(leg, stops, feeds):
    """(board index, alight index) in the trip's stops: the pair of the leg's stops whose scheduled ride time
    is the leg's (a trip may call at a stop twice), else the first pair in order."""
    board = split_ref(leg["from"].get("stop_id") or "", feeds)[1]
    alight = split_ref(leg["to"].get("stop_id") or "", feeds)[1]
    start, end = (leg.get(k, {}).get("scheduled_time") or leg[f"{k}_time"] for k in ("start", "end"))
    ride_s = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    pairs = [(i, j) for i in range(len(stops)) if stops[i]["stop_id"] == board
             for j in range(i + 1, len(stops)) if stops[j]["stop_id"] == alight]
    timed = [(i, j) for i, j in pairs if None not in (_time(stops[j], "arr"), _time(stops[i], "dep"))
             and _time(stops[j], "arr") - _time(stops[i], "dep") == ride_s]
    return (timed or pairs or [None])[0]


def _time(stop, which):
    other = "dep" if which == "arr" else "arr"
    return stop[which] if stop[which] is not None else stop[other]


def _draw(leg, stops, i, j, shape):
    """Geometry, polyline, distance along it and CO2 of the ride from stops[i] to stops[j]."""
    line = _cut(shape, stops, i, j) if shape else None
    if line is None or len(line) < 2:
        line = np.array([[s["lon"], s["lat"]] for s in stops[i:j + 1]])
    coords = [(round(float(lon), 6), round(float(lat), 6)) for lon, lat in line]
    distance = float(distances_m(line[:-1, 1], line[:-1, 0], line[1:, 1], line[1:, 0]).sum())
    leg.update(geometry={"type": "LineString", "coordinates": [list(c) for c in coords]},
               polyline=encode_polyline(coords), distance_m=int(round(distance)),
               co2_g=leg_co2_g(leg["mode"], distance))


def _cut(shape, stops, i, j):
    """The shape's points from the boarding stop's place on it to the alighting stop's: by shape_dist_traveled
    when both files have it, else each of the trip's stops matched in order to its nearest point onward."""
    points, dist = shape
    if dist is not None and stops[i]["dist"] is not None and stops[j]["dist"] is not None:
        a = int(np.searchsorted(dist, stops[i]["dist"], side="left"))
        b = int(np.searchsorted(dist, stops[j]["dist"], side="right"))
        return points[min(a, len(points) - 1):b]
    at = 0
    places = []
    for stop in stops[:j + 1]:
        rest = points[at:]
        near = distances_m(np.full(len(rest), stop["lat"]), np.full(len(rest), stop["lon"]), rest[:, 1], rest[:, 0])
        at += int(np.argmin(near))
        places.append(at)
    return points[places[i]:places[j] + 1]


def _stop_passed(leg, stops, i, k, language, prefix):
    """The stop passed, its times None where the feed leaves them blank (untimed stops)."""
    stop = stops[k]
    base = datetime.fromisoformat(leg.get("start", {}).get("scheduled_time") or leg["start_time"])
    board_s = _time(stops[i], "dep")

    def at(which):
        if _time(stop, which) is None or board_s is None:
            return None
        return (base + timedelta(seconds=_time(stop, which) - board_s)).astimezone(HELSINKI).isoformat()

    return {"stop_id": prefix + stop["stop_id"], "name": stop["names"].get(language or "") or stop["name"],
            "lat": stop["lat"], "lon": stop["lon"], "arrival": at("arr"), "departure": at("dep")}
