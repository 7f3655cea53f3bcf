"""Shared vehicles and taxis to and from transit: access / egress tables for the engine, and the legs behind them.

Each builder answers a Link or None. `Link.table` is ((stop_id, seconds, metres), ...) as a PlanRequest
takes it for `access` (origin -> stop) or `egress` (stop -> destination), over RoutingEngine.stops_near's
stops; `Link.specs(stop_point)` gives the street.chain leg specs for the stop the engine chose. One street
search serves every stop: a tree from the vehicle, station or origin (for egress a reversed tree to where
the ride ends), so a ride is routed once. Geofencing holds as for direct rides (planner.shared_rides): rides
avoid no-ride-through zones, end only where the provider allows it, and are slowed in max-speed zones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from django.utils.translation import gettext as _

from maas.geo import distances_m
from planner import street
from planner.osm import street_legs
from planner.shared_rides import SHARED_RADIUS_M, end_point
from providers import selectors as provider_selectors

RIDE_M = {"scooter": 3000, "city_bike": 4000, "taxi": 8000}  # longest ride to or from transit worth offering
NEAR_STOP_M = 300  # a vehicle or station this close to a stop serves it
CANDIDATE_STOPS = 40  # stops tried per ride (the engine keeps those adding a line)


@dataclass
class Link:
    table: tuple
    specs: Callable[[dict], list]


def _walk_s(a, b, walk_mps) -> float:
    return street.crow_m(a, b) * street.PROFILES["walk"][0] / walk_mps


def _ll(p) -> tuple:
    return (p["lat"], p["lon"])


def _tree(g, mode, p, limit_m, avoid=(), reverse=False):
    return street_legs.tree(street_legs.GRAPH_MODE[mode], _ll(p), limit_m, avoid=avoid, reverse=reverse) if g else None


def _metres(tree, mode, a, b):
    """Street metres a -> b from a tree rooted at a (reversed: at b); crow-fly x detour without a graph."""
    if tree is None:
        return street.crow_m(_ll(a), _ll(b)) * street.PROFILES[mode][0]
    far = b if not tree.reverse else a
    return tree.metres(far["lat"], far["lon"])


def _ride(tree, g, mode, a, b, booking, check=None):
    """A ride spec a -> b with its path taken from the tree (timed through `check`'s zones when given)."""
    routing = {}
    if tree is not None:
        far = b if not tree.reverse else a
        path = street_legs.drawn(mode, tree.path(far["lat"], far["lon"]), g)
        if path is not None:
            routing["path"] = path
            if check is not None:
                routing["ride_s"] = check(path)
    return (mode, a, b, booking, 0, routing)


def _zone_timer(fence):
    """Ride seconds of a scooter path, slowed in the geofence's max-speed zones."""
    speed = street.PROFILES["scooter"][1]
    return lambda path: fence.ride_check(path["geometry"]["coordinates"]).duration_s(path["distance_m"], speed)


class Nearest:
    """The item (dict with lat/lon) nearest to a point within `within_m`, over items read once."""

    def __init__(self, items, within_m):
        self.items, self.within_m = items, within_m
        self.lat, self.lon = np.array([x["lat"] for x in items]), np.array([x["lon"] for x in items])

    def __call__(self, p):
        if not self.items:
            return None
        dist = distances_m(p["lat"], p["lon"], self.lat, self.lon)
        i = int(np.argmin(dist))
        return self.items[i] if dist[i] <= self.within_m else None


def _reach_m(stops):
    """How far vehicles or stations serving these stops may be from where the stops were searched."""
    return max((s["metres"] for s in stops), default=0.0) + NEAR_STOP_M


def _booking(pid, vehicle_id=None, station_id=None, end_station_id=None):
    return {"provider_id": pid, "vehicle_id": vehicle_id, "station_id": station_id, "end_station_id": end_station_id}


# --- scooter --------------------------------------------------------------------------------------
def scooter_access(req, o, engine, g):
    """Walk to the nearest scooter with enough range, ride to where parking is allowed next to a stop."""
    vehicles = provider_selectors.vehicles_near(*req.origin, SHARED_RADIUS_M, kind="scooter", limit=1)
    if not vehicles:
        return None
    v = vehicles[0]
    pid, vtype = v["provider_id"], v.get("vehicle_type")
    reach = min(RIDE_M["scooter"], v["range_m"] or RIDE_M["scooter"])
    sv = street.point(_("Scooter"), v["lat"], v["lon"])
    fence = provider_selectors.geofence(pid, vtype)
    tree = _tree(g, "scooter", sv, reach, avoid=fence.no_ride_through)
    walk = street_legs.routed("walk", o, sv)
    walk_s = walk["distance_m"] / req.walk_speed_mps if walk else _walk_s(_ll(o), _ll(sv), req.walk_speed_mps)
    table, ends = [], {}
    for stop in engine.stops_near(v["lat"], v["lon"], reach, CANDIDATE_STOPS):
        end = end_point(fence.parking_allowed, stop, g)
        metres = _metres(tree, "scooter", sv, end) if end is not None else None
        if metres is None or metres > reach:
            continue
        ends[stop["stop_id"]] = end
        secs = walk_s + metres / street.PROFILES["scooter"][1] + _walk_s(_ll(end), _ll(stop), req.walk_speed_mps)
        table.append((stop["stop_id"], int(secs + 0.5), metres))

    def specs(stop_point):
        end = ends[stop_point["stop_id"]]
        end = stop_point if end.get("stop_id") == stop_point["stop_id"] else end
        out = [("walk", o, sv, None, 0, {"path": walk} if walk else {}),
               _ride(tree, g, "scooter", sv, end, _booking(pid, vehicle_id=v["vehicle_id"]), _zone_timer(fence))]
        return out + ([("walk", end, stop_point, None, 0)] if end is not stop_point else [])
    return Link(tuple(table), specs)


def scooter_egress(req, d, engine, g):
    """From a stop walk to a scooter next to it, ride to the destination (or the nearest point where parking
    is allowed), walk on."""
    stops = engine.stops_near(*req.destination, RIDE_M["scooter"], CANDIDATE_STOPS)
    nearest = Nearest(provider_selectors.vehicles_near(*req.destination, _reach_m(stops), kind="scooter"), NEAR_STOP_M)
    table, picked, trees = [], {}, {}
    for stop in stops:
        v = nearest(stop)
        if v is None:
            continue
        key = (v["provider_id"], v.get("vehicle_type"))
        if key not in trees:
            fence = provider_selectors.geofence(*key)
            end = end_point(fence.parking_allowed, d, g)
            tree = _tree(g, "scooter", end, RIDE_M["scooter"], fence.no_ride_through, reverse=True) if end else None
            trees[key] = (end, tree, fence)
        end, tree = trees[key][:2]
        sv = street.point(_("Scooter"), v["lat"], v["lon"])
        metres = _metres(tree, "scooter", sv, end) if end is not None else None
        if metres is None or metres > min(RIDE_M["scooter"], v["range_m"] or RIDE_M["scooter"]):
            continue
        picked[stop["stop_id"]] = (v, sv, end, tree)
        secs = (_walk_s(_ll(stop), _ll(sv), req.walk_speed_mps) + metres / street.PROFILES["scooter"][1]
                + _walk_s(_ll(end), _ll(d), req.walk_speed_mps))
        table.append((stop["stop_id"], int(secs + 0.5), metres))

    def specs(stop_point):
        v, sv, end, tree = picked[stop_point["stop_id"]]
        fence = trees[v["provider_id"], v.get("vehicle_type")][2]
        out = [("walk", stop_point, sv, None, 0),
               _ride(tree, g, "scooter", sv, end, _booking(v["provider_id"], vehicle_id=v["vehicle_id"]),
                     _zone_timer(fence))]
        return out + ([("walk", end, d, None, 0)] if end is not d else [])
    return Link(tuple(table), specs)


# --- city bike ------------------------------------------------------------------------------------
def _fresh_stations(p, radius_m, **available):
    return [s for s in provider_selectors.stations_near(p["lat"], p["lon"], radius_m, kind="bike_share", **available)
            if s["fresh"]]


def _station_point(s):
    return street.point(s["name"], s["lat"], s["lon"])


def city_bike_access(req, o, engine, g):
    """Walk to the nearest station with a bike, ride to a station with a free dock next to a stop, walk to it."""
    pick = _fresh_stations(o, SHARED_RADIUS_M, min_bikes=1)[:1]
    if not pick:
        return None
    a = pick[0]
    stops = engine.stops_near(a["lat"], a["lon"], RIDE_M["city_bike"], CANDIDATE_STOPS)
    nearest = Nearest([s for s in _fresh_stations(a, _reach_m(stops), min_docks=1)
                       if s["provider_id"] == a["provider_id"] and s["station_id"] != a["station_id"]], NEAR_STOP_M)
    sa = _station_point(a)
    tree = _tree(g, "city_bike", sa, RIDE_M["city_bike"])
    table, drops = [], {}
    walk_s = _walk_s(_ll(o), _ll(a), req.walk_speed_mps)
    for stop in stops:
        b = nearest(stop)
        metres = _metres(tree, "city_bike", sa, _station_point(b)) if b is not None else None
        if metres is None or metres > RIDE_M["city_bike"]:
            continue
        drops[stop["stop_id"]] = b
        secs = walk_s + metres / street.PROFILES["city_bike"][1] + _walk_s(_ll(b), _ll(stop), req.walk_speed_mps)
        table.append((stop["stop_id"], int(secs + 0.5), metres))

    def specs(stop_point):
        b = drops[stop_point["stop_id"]]
        sb = _station_point(b)
        booking = _booking(a["provider_id"], station_id=a["station_id"], end_station_id=b["station_id"])
        return [("walk", o, sa, None, 0), _ride(tree, g, "city_bike", sa, sb, booking),
                ("walk", sb, stop_point, None, 0)]
    return Link(tuple(table), specs)


def city_bike_egress(req, d, engine, g):
    """From a stop walk to a station with a bike next to it, ride to the station with a free dock nearest the
    destination, walk on."""
    drop = _fresh_stations(d, SHARED_RADIUS_M, min_docks=1)[:1]
    if not drop:
        return None
    b = drop[0]
    stops = engine.stops_near(*req.destination, RIDE_M["city_bike"], CANDIDATE_STOPS)
    nearest = Nearest([s for s in _fresh_stations(d, _reach_m(stops), min_bikes=1)
                       if s["provider_id"] == b["provider_id"] and s["station_id"] != b["station_id"]], NEAR_STOP_M)
    sb = _station_point(b)
    tree = _tree(g, "city_bike", sb, RIDE_M["city_bike"], reverse=True)
    table, picks = [], {}
    for stop in stops:
        a = nearest(stop)
        metres = _metres(tree, "city_bike", _station_point(a), sb) if a is not None else None
        if metres is None or metres > RIDE_M["city_bike"]:
            continue
        picks[stop["stop_id"]] = a
        secs = (_walk_s(_ll(stop), _ll(a), req.walk_speed_mps) + metres / street.PROFILES["city_bike"][1]
                + _walk_s(_ll(b), _ll(d), req.walk_speed_mps))
        table.append((stop["stop_id"], int(secs + 0.5), metres))

    def specs(stop_point):
        a = picks[stop_point["stop_id"]]
        sa = _station_point(a)
        booking = _booking(a["provider_id"], station_id=a["station_id"], end_station_id=b["station_id"])
        return [("walk", stop_point, sa, None, 0), _ride(tree, g, "city_bike", sa, sb, booking),
                ("walk", sb, d, None, 0)]
    return Link(tuple(table), specs)


# --- taxi -----------------------------------------------------------------------------------------
def _taxi(req, p, engine, g, reverse):
    provider = provider_selectors.bookable_taxi_provider()
    if provider is None:
        return None
    tree = _tree(g, "taxi", p, RIDE_M["taxi"], reverse=reverse)
    table = []
    for stop in engine.stops_near(p["lat"], p["lon"], RIDE_M["taxi"], CANDIDATE_STOPS):
        metres = _metres(tree, "taxi", stop, p) if reverse else _metres(tree, "taxi", p, stop)
        if metres is not None and metres <= RIDE_M["taxi"]:
            table.append((stop["stop_id"], int(metres / street.PROFILES["taxi"][1] + 0.5), metres))

    def specs(stop_point):
        a, b = (stop_point, p) if reverse else (p, stop_point)
        return [_ride(tree, g, "taxi", a, b, _booking(provider.pk))]
    return Link(tuple(table), specs)


def taxi_access(req, o, engine, g):
    """A taxi from the origin to a stop."""
    return _taxi(req, o, engine, g, reverse=False)


def taxi_egress(req, d, engine, g):
    """A taxi from a stop to the destination."""
    return _taxi(req, d, engine, g, reverse=True)
