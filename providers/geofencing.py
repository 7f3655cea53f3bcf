"""What a provider's GBFS geofencing says about a ride along a path (GBFS 2.x and 3.0 rules).

`ride_check(provider_id, coordinates, vehicle_type_id)` reads the current snapshot's zones once and
answers, for a ride drawn as [(lon, lat)]: may it pass every zone it crosses (`ride_through_allowed`),
and how many metres of it lie in each zone with a `maximum_speed_kph`, so the planner can time it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from maas.geo import distance_m
from providers.models import GeofencingZone, Provider, Snapshot


def rule_applies(rule, vehicle_type_id):
    """Whether a GBFS zone/global rule covers the vehicle type (every rule applies without a type)."""
    types = rule.get("vehicle_type_ids") or rule.get("vehicle_type_id")
    if not types or vehicle_type_id is None:
        return True
    return vehicle_type_id in (types if isinstance(types, list) else [types])


def zone_active(zone, now) -> bool:
    """Whether a geofencing zone's optional start/end period contains `now`."""
    return not ((zone.start and now < zone.start) or (zone.end and now > zone.end))


@dataclass
class RideCheck:
    through_allowed: bool = True
    blocked_by: list = field(default_factory=list)    # names of zones the ride may not cross
    slow_m: list = field(default_factory=list)        # [(metres inside, maximum_speed_kph)]

    def duration_s(self, total_m, speed_mps):
        """Ride time at speed_mps, slower where a zone's maximum_speed_kph is lower."""
        slow_total = sum(m for m, _ in self.slow_m)
        secs = max(0.0, total_m - slow_total) / speed_mps
        for metres, kph in self.slow_m:
            secs += metres / min(speed_mps, kph / 3.6)
        return int(round(secs))


_SNAPSHOT_ZONES: dict = {}  # (snapshot id, created_at) -> (global rules, [(zone, geometry)]): a snapshot never changes


def current_zones(provider_id):
    """(global_rules, [(zone, shapely geometry)] in feed order) of a provider's current snapshot, None without one;
    read and parsed once per snapshot and process (a sync writes a new snapshot, never changes one)."""
    from shapely.geometry import shape

    key = Provider.objects.filter(pk=provider_id, current_snapshot__isnull=False).values_list(
        "current_snapshot_id", "current_snapshot__created_at").first()
    if key is None:
        return None
    if key not in _SNAPSHOT_ZONES:
        if len(_SNAPSHOT_ZONES) >= 32:
            _SNAPSHOT_ZONES.clear()
        rules = Snapshot.objects.filter(pk=key[0]).values_list("global_rules", flat=True).first()
        _SNAPSHOT_ZONES[key] = (rules or [], [(z, shape(z.geometry)) for z in
                                              GeofencingZone.objects.filter(snapshot_id=key[0]).order_by("position")])
    return _SNAPSHOT_ZONES[key]


def _zones(provider_id, now):
    """[(zone, geometry)] of the provider's current zones active at `now`."""
    return [(z, g) for z, g in (current_zones(provider_id) or ((), ()))[1] if zone_active(z, now)]


def ride_check(provider_id, coordinates, vehicle_type_id=None, now=None) -> RideCheck:
    """Check a ride along [(lon, lat)] against the provider's zones (first zone with a rule for the type wins)."""
    from shapely.geometry import LineString

    now = now or timezone.now()
    check = RideCheck()
    if len(coordinates) < 2:
        return check
    line = LineString(coordinates)
    total_deg = line.length
    total_m = _length_m(coordinates)
    claimed = None  # parts of the line already decided by an earlier zone
    for zone, area in _zones(provider_id, now):
        rules = [r for r in zone.rules if rule_applies(r, vehicle_type_id)]
        if not rules:
            continue
        if not area.intersects(line):
            continue
        inside = area.intersection(line)
        if claimed is not None:
            inside = inside.difference(claimed)
        if inside.is_empty:
            continue
        claimed = inside if claimed is None else claimed.union(inside)
        if any(r.get("ride_through_allowed") is False for r in rules):
            check.through_allowed = False
            check.blocked_by.append(zone.name)
        speeds = [r["maximum_speed_kph"] for r in rules if isinstance(r.get("maximum_speed_kph"), (int, float))]
        if speeds and total_deg > 0:
            check.slow_m.append((total_m * inside.length / total_deg, min(speeds)))
    return check


def _length_m(coordinates):
    return sum(distance_m(a[1], a[0], b[1], b[0]) for a, b in zip(coordinates, coordinates[1:]))


def no_ride_through_zones(provider_id, vehicle_type_id=None, now=None) -> list:
    """Shapely geometries of the provider's active zones a ride of this vehicle type may not enter."""
    now = now or timezone.now()
    return [g for z, g in _zones(provider_id, now)
            if any(r.get("ride_through_allowed") is False for r in z.rules if rule_applies(r, vehicle_type_id))]
