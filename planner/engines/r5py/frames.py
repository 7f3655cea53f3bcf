"""Translate r5py's output frames into the project's itinerary model (docs/interfaces.md).

Pure functions, no Django and no r5py: the worker process turns r5py's DetailedItineraries /
TravelTimeMatrix (Geo)DataFrames into JSON-able *records* (`detailed_records`, `matrix_records`),
sends them over the pipe, and the Django process turns records into itineraries
(`itineraries_from_records`) and matrix rows (`matrix_rows`).

What r5py's frames say and what we make of it:
- One row per leg (`segment`) of one `option` of one (`from_id`, `to_id`) pair; `travel_time` and
  `wait_time` are timedeltas (seconds when read back from a GeoPackage), times are naive local times.
- A transit leg's `departure_time` is its boarding time, and its `wait_time` is the wait at the stop
  before boarding: both are exact. r5py caches access/egress leg objects per stop and re-stamps them
  for every option, so a walk leg's `departure_time` may belong to another option (and egress legs
  carry a fixed +1 min slack). We therefore derive walk/bike leg times from the transit legs: the
  access leg ends when the wait before the first ride begins; later legs follow the previous leg.
- Within r5py's departure-time window the same rides are reported once per departure minute with
  different waits at the first stop: we keep the shortest of each distinct ride sequence.
- An origin equal to the destination gives one zero-length leg (`TRANSIT` or the street mode): no itinerary.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy
import pandas
import shapely

from planner.emissions import G_PER_PKM

# r5py TransportMode names -> leg modes of the itinerary model.
R5_MODES = {
    "WALK": "walk",
    "BICYCLE": "bike",
    "CAR": "car",
    "TRAM": "tram",
    "SUBWAY": "metro",
    "RAIL": "rail",
    "BUS": "bus",
    "FERRY": "ferry",
    "FUNICULAR": "rail",
    "CABLE_CAR": "tram",
    "GONDOLA": "rail",
}
TRANSIT_MODES = frozenset({"tram", "metro", "rail", "bus", "ferry"})

UNPRICED = {"total_cents": None, "reason": "not priced yet"}


class FrameError(ValueError):
    """An r5py frame this module cannot translate (unknown mode, no time to anchor on...)."""


# -- worker side: (Geo)DataFrame -> JSON-able records ------------------------------------------

def _seconds(value) -> float | None:
    if value is None:
        return None
    if hasattr(value, "total_seconds"):  # datetime.timedelta, pandas.Timedelta
        seconds = value.total_seconds()
    elif isinstance(value, numpy.timedelta64):
        seconds = float(value / numpy.timedelta64(1, "s"))
    else:  # plain seconds (GeoPackage round-trip)
        seconds = float(value)
    return None if math.isnan(seconds) else seconds


def _float(value) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _naive_iso(value) -> str | None:
    if value is None:
        return None
    if pandas.isna(value):
        return None
    value = pandas.Timestamp(value).to_pydatetime()
    return value.replace(tzinfo=None).isoformat()


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text if text and text.lower() != "nan" else None


def _coords(geometry) -> list[list[float]]:
    """[[lon, lat], ...] of a (Multi)LineString, parts joined in order, repeated points dropped."""
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "MultiLineString":
        merged = shapely.line_merge(geometry)
        parts = shapely.get_parts(merged if not merged.is_empty else geometry)
    else:
        parts = [geometry]
    xy = numpy.round(shapely.get_coordinates(list(parts)), 7)
    if len(xy) > 1:  # drop repeated points (where parts join, or degenerate segments)
        keep = numpy.ones(len(xy), dtype=bool)
        keep[1:] = (xy[1:] != xy[:-1]).any(axis=1)
        xy = xy[keep]
    return xy.tolist()


def detailed_records(frame) -> list[dict]:
    """JSON-able leg records of a DetailedItineraries frame (from r5py or read from a file)."""
    records = []
    for row in frame.itertuples(index=False):
        mode = row.transport_mode
        records.append({
            "from_id": str(row.from_id),
            "to_id": str(row.to_id),
            "option": int(row.option),
            "segment": int(row.segment),
            "transport_mode": getattr(mode, "name", str(mode)),
            "departure_time": _naive_iso(row.departure_time),
            "distance": _float(row.distance),
            "travel_time_s": _seconds(row.travel_time),
            "wait_time_s": _seconds(row.wait_time),
            "feed": _text(row.feed),
            "agency_id": _text(row.agency_id),
            "route_id": _text(row.route_id),
            "start_stop_id": _text(row.start_stop_id),
            "end_stop_id": _text(row.end_stop_id),
            "coordinates": _coords(row.geometry),
        })
    return records


def matrix_records(frame) -> list[dict]:
    """JSON-able rows of a TravelTimeMatrix frame; unreachable pairs (NaN) keep travel_time None."""
    rows = []
    for row in frame.itertuples(index=False):
        minutes = row.travel_time
        minutes = None if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)) else minutes
        rows.append({"from_id": str(row.from_id), "to_id": str(row.to_id),
                     "travel_time": None if minutes is None else int(minutes)})
    return rows


# -- Django side: records -> itineraries ------------------------------------------------------

def matrix_rows(records: Iterable[dict], *, max_time_s: int) -> list[dict]:
    """RoutingEngine.travel_time_matrix rows: reachable pairs within max_time_s (r5py counts minutes)."""
    rows = []
    for record in records:
        if record["travel_time"] is None:
            continue
        seconds = int(record["travel_time"]) * 60
        if seconds <= max_time_s:
            rows.append({"from_id": record["from_id"], "to_id": record["to_id"], "travel_time_s": seconds})
    return rows


def _leg_mode(record) -> str:
    try:
        return R5_MODES[record["transport_mode"]]
    except KeyError:
        raise FrameError(
            f"r5py leg {record['from_id']}->{record['to_id']} option {record['option']} segment "
            f"{record['segment']}: unknown transport_mode {record['transport_mode']!r}"
        ) from None


def _is_placeholder(legs: list[dict]) -> bool:
    """r5py's answer for an origin equal to the destination: one leg, no distance, no time."""
    return len(legs) == 1 and not legs[0]["distance"] and not legs[0]["travel_time_s"]


def _leg_times(legs: list[dict], modes: list[str], departure: datetime | None) -> list[tuple[datetime, datetime]]:
    """(start, end) naive local times of each leg, anchored on the exact transit boarding times."""
    n = len(legs)
    travel = [timedelta(seconds=round(leg["travel_time_s"] or 0)) for leg in legs]
    times: list[tuple[datetime, datetime] | None] = [None] * n
    transit = [i for i, mode in enumerate(modes) if mode in TRANSIT_MODES]
    for i in transit:
        if not legs[i]["departure_time"]:
            raise FrameError(f"r5py transit leg {legs[i]['segment']} has no departure_time")
        start = datetime.fromisoformat(legs[i]["departure_time"])
        times[i] = (start, start + travel[i])
    if transit:
        first = transit[0]
        end = times[first][0] - timedelta(seconds=round(legs[first]["wait_time_s"] or 0))
        for i in range(first - 1, -1, -1):
            times[i] = (end - travel[i], end)
            end = times[i][0]
        start_index = first + 1
    else:
        anchor = legs[0]["departure_time"]
        if anchor:
            start = datetime.fromisoformat(anchor)
        elif departure is not None:
            start = departure.replace(tzinfo=None) if departure.tzinfo is None else departure
        else:
            raise FrameError("r5py itinerary without transit has no departure_time: pass `departure`")
        times[0] = (start, start + travel[0])
        start_index = 1
    for i in range(start_index, n):
        if times[i] is None:
            start = times[i - 1][1]
            times[i] = (start, start + travel[i])
    return times


def _place(stop_id, coordinate, stops, fallback_name):
    stop = stops.get(stop_id) if stop_id else None
    if stop:
        return {"name": stop.get("name") or fallback_name, "stop_id": stop.get("id", stop_id),
                "lat": stop["lat"], "lon": stop["lon"]}
    lon, lat = coordinate
    return {"name": fallback_name, "stop_id": stop_id, "lat": lat, "lon": lon}


def _itinerary(legs, *, departure, tz, stops, routes, co2_g_per_km, origin_name, destination_name):
    modes = [_leg_mode(leg) for leg in legs]
    times = _leg_times(legs, modes, departure)
    out = []
    for i, (leg, mode) in enumerate(zip(legs, modes)):
        coords = leg["coordinates"]
        if not coords:
            raise FrameError(f"r5py leg {leg['segment']} of option {leg['option']} has no geometry")
        if len(coords) == 1:  # zero-length leg: GeoJSON LineStrings need two positions
            coords = coords * 2
        # Walk/bike legs touching a stop take its id from the neighbouring transit leg.
        from_stop = leg["start_stop_id"] or (legs[i - 1]["end_stop_id"] if i else None)
        to_stop = leg["end_stop_id"] or (legs[i + 1]["start_stop_id"] if i + 1 < len(legs) else None)
        route = routes.get(leg["route_id"] or "", {})
        start, end = (t.replace(tzinfo=tz) if t.tzinfo is None else t.astimezone(tz) for t in times[i])
        distance_m = round(leg["distance"] or 0)
        out.append({
            "mode": mode,
            "transit": mode in TRANSIT_MODES,
            "route_id": route.get("id", leg["route_id"]),
            "route_short_name": route.get("short_name") or None,
            "route_color": f"#{route['color'].upper()}" if route.get("color") else None,
            "trip_id": None,  # r5py does not report trip ids
            "from": _place(from_stop, coords[0], stops, origin_name if i == 0 else ""),
            "to": _place(to_stop, coords[-1], stops, destination_name if i == len(legs) - 1 else ""),
            "start_time": start.isoformat(),
            "end_time": end.isoformat(),
            "duration_s": int((end - start).total_seconds()),
            "distance_m": distance_m,
            "geometry": {"type": "LineString", "coordinates": coords},
            "co2_g": round(distance_m / 1000 * co2_g_per_km.get(mode, 0)),
            "crow_fly": False,
            "booking": None,
            "zones": None,
        })
    start = datetime.fromisoformat(out[0]["start_time"])
    end = datetime.fromisoformat(out[-1]["end_time"])
    rides = sum(1 for leg in out if leg["transit"])
    return {
        "start_time": out[0]["start_time"],
        "end_time": out[-1]["end_time"],
        "duration_s": int((end - start).total_seconds()),
        "transfers": max(rides - 1, 0),
        "walk_distance_m": sum(leg["distance_m"] for leg in out if leg["mode"] == "walk"),
        "co2_g": sum(leg["co2_g"] for leg in out),
        "legs": out,
        "price": dict(UNPRICED),
    }


def _ride_signature(itinerary) -> tuple:
    return tuple((leg["mode"], leg["route_id"], leg["from"]["stop_id"], leg["to"]["stop_id"],
                  leg["start_time"] if leg["transit"] else None) for leg in itinerary["legs"])


def _rank(itinerary) -> tuple:
    return (datetime.fromisoformat(itinerary["end_time"]), itinerary["duration_s"], itinerary["transfers"])


def itineraries_from_records(
    records: Iterable[dict],
    *,
    departure: datetime | None = None,
    timezone: str = "Europe/Helsinki",
    stops: Mapping[str, dict] | None = None,
    routes: Mapping[str, dict] | None = None,
    co2_g_per_km: Mapping[str, float] | None = None,
    origin_name: str = "Origin",
    destination_name: str = "Destination",
) -> dict[tuple[str, str], list[dict]]:
    """{(from_id, to_id): [itinerary, ...]} best first (earliest arrival, then shortest, fewest transfers).

    `departure`: the requested departure, anchors itineraries without transit legs (r5py leaves
    their departure_time empty). `stops`: {stop_id: {"name", "lat", "lon"}}; `routes`:
    {route_id: {"short_name", "color"}} (colour as GTFS hex without '#'); `co2_g_per_km` defaults
    to planner.emissions.G_PER_PKM.
    """
    tz = ZoneInfo(timezone)
    stops, routes = stops or {}, routes or {}
    factors = G_PER_PKM if co2_g_per_km is None else co2_g_per_km
    options: dict[tuple[str, str, int], list[dict]] = {}
    for record in records:
        options.setdefault((record["from_id"], record["to_id"], record["option"]), []).append(record)
    result: dict[tuple[str, str], dict[tuple, dict]] = {}
    for (from_id, to_id, _option), legs in options.items():
        legs.sort(key=lambda leg: leg["segment"])
        pair = result.setdefault((from_id, to_id), {})
        if _is_placeholder(legs):
            continue
        itinerary = _itinerary(legs, departure=departure, tz=tz, stops=stops, routes=routes,
                               co2_g_per_km=factors, origin_name=origin_name,
                               destination_name=destination_name)
        signature = _ride_signature(itinerary)
        if signature not in pair or itinerary["duration_s"] < pair[signature]["duration_s"]:
            pair[signature] = itinerary
    return {
        key: sorted(found.values(), key=_rank)
        for key, found in result.items()
    }


def arrive_by(itineraries: list[dict], arrival: datetime) -> list[dict]:
    """Arrive-by answer from a departure-window search: trips arriving in time, latest departure first."""
    fits = [it for it in itineraries if datetime.fromisoformat(it["end_time"]) <= arrival]
    return sorted(fits, key=lambda it: (-datetime.fromisoformat(it["start_time"]).timestamp(),
                                        it["duration_s"], it["transfers"]))
