"""Read-side queries over providers' current snapshots (see docs/interfaces.md)."""
from django.utils import timezone

from maas.geo import bbox_around, covers, distance_m
from providers.freshness import is_stale
from providers.models import GeofencingZone, Provider, Station, Vehicle, VehicleHold, VehicleType


def _providers(kind):
    qs = Provider.objects.filter(active=True, current_snapshot__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def provider_freshness(provider, now=None) -> dict:
    """{"provider_id", "name", "kind", "last_updated", "stale"} for API responses."""
    return {"provider_id": provider.pk, "name": provider.name, "kind": provider.kind,
            "last_updated": provider.last_updated.isoformat() if provider.last_updated else None,
            "stale": is_stale(provider, now)}


def stations_near(lat, lon, radius_m, *, kind="bike_share", min_bikes=0, min_docks=0):
    """Installed stations within radius_m of (lat, lon), nearest first, with availability and freshness."""
    now = timezone.now()
    providers = {p.current_snapshot_id: p for p in _providers(kind)}
    if not providers:
        return []
    lat0, lon0, lat1, lon1 = bbox_around(lat, lon, radius_m)
    rows = Station.objects.filter(
        snapshot_id__in=providers, lat__range=(lat0, lat1), lon__range=(lon0, lon1), is_installed=True,
        bikes_available__gte=min_bikes, docks_available__gte=min_docks,
    ).values("snapshot_id", "station_id", "name", "lat", "lon", "bikes_available", "docks_available",
             "is_renting", "is_returning")
    fresh = {sid: not is_stale(p, now) for sid, p in providers.items()}
    out = []
    for r in rows:
        if min_bikes and not r["is_renting"] or min_docks and not r["is_returning"]:
            continue
        d = distance_m(lat, lon, r["lat"], r["lon"])
        if d <= radius_m:
            out.append({"provider_id": providers[r["snapshot_id"]].pk, "station_id": r["station_id"],
                        "name": r["name"], "lat": r["lat"], "lon": r["lon"],
                        "bikes_available": r["bikes_available"], "docks_available": r["docks_available"],
                        "distance_m": round(d), "fresh": fresh[r["snapshot_id"]]})
    out.sort(key=lambda s: s["distance_m"])
    return out


def vehicles_near(lat, lon, radius_m, *, kind="scooter"):
    """Available (not reserved, not disabled, not held) free-floating vehicles of non-stale providers."""
    now = timezone.now()
    providers = {p.current_snapshot_id: p for p in _providers(kind) if not is_stale(p, now)}
    if not providers:
        return []
    lat0, lon0, lat1, lon1 = bbox_around(lat, lon, radius_m)
    rows = list(Vehicle.objects.filter(
        snapshot_id__in=providers, lat__range=(lat0, lat1), lon__range=(lon0, lon1),
        is_reserved=False, is_disabled=False,
    ).values_list("snapshot_id", "vehicle_id", "lat", "lon", "vehicle_type_id", "range_m"))
    provider_ids = {p.pk for p in providers.values()}
    held = set(VehicleHold.objects.filter(provider_id__in=provider_ids).values_list("provider_id", "vehicle_id"))
    types = {(t.snapshot_id, t.vehicle_type_id): t.max_range_m
             for t in VehicleType.objects.filter(snapshot_id__in=providers)}
    out = []
    for snap_id, vid, vlat, vlon, vtype, range_m in rows:
        pid = providers[snap_id].pk
        if (pid, vid) in held:
            continue
        d = distance_m(lat, lon, vlat, vlon)
        if d <= radius_m:
            out.append({"provider_id": pid, "vehicle_id": vid, "lat": vlat, "lon": vlon,
                        "vehicle_type": vtype or None,
                        "range_m": range_m if range_m is not None else types.get((snap_id, vtype)),
                        "distance_m": round(d), "fresh": True})
    out.sort(key=lambda v: v["distance_m"])
    return out


def _rule_applies(rule, vehicle_type_id):
    types = rule.get("vehicle_type_ids") or rule.get("vehicle_type_id")
    if not types or vehicle_type_id is None:
        return True
    return vehicle_type_id in (types if isinstance(types, list) else [types])


def _end_allowed(rule):
    if "ride_end_allowed" in rule:  # GBFS 3.0
        return bool(rule["ride_end_allowed"])
    if "ride_allowed" in rule:  # GBFS 2.x: ride_allowed = may start/end a ride here
        return bool(rule["ride_allowed"])
    return True


def parking_allowed_at(provider_id, lat, lon, *, vehicle_type_id=None, now=None) -> bool:
    """False when the provider's geofencing forbids ending a ride at (lat, lon).

    The first active zone (feed order) containing the point with a rule for the vehicle type decides;
    outside every zone, GBFS 3.0 global_rules apply; otherwise parking is allowed. Without a
    vehicle_type_id every rule applies (the conservative answer).
    """
    provider = Provider.objects.filter(pk=provider_id).select_related("current_snapshot").first()
    if provider is None or provider.current_snapshot_id is None:
        return True
    now = now or timezone.now()
    zones = GeofencingZone.objects.filter(
        snapshot_id=provider.current_snapshot_id, min_lat__lte=lat, max_lat__gte=lat,
        min_lon__lte=lon, max_lon__gte=lon,
    ).order_by("position")
    for zone in zones:
        if (zone.start and now < zone.start) or (zone.end and now > zone.end):
            continue
        if not covers(zone.geometry, lat, lon):
            continue
        rules = [r for r in zone.rules if _rule_applies(r, vehicle_type_id)]
        if rules:
            return all(_end_allowed(r) for r in rules)
    rules = [r for r in provider.current_snapshot.global_rules or [] if _rule_applies(r, vehicle_type_id)]
    return all(_end_allowed(r) for r in rules) if rules else True


def vehicle_available(provider_id, vehicle_id) -> bool:
    """True when the vehicle is in the provider's current snapshot, free and not held by a booking."""
    provider = Provider.objects.filter(pk=provider_id, active=True).first()
    if provider is None or provider.current_snapshot_id is None or is_stale(provider):
        return False
    if VehicleHold.objects.filter(provider_id=provider_id, vehicle_id=vehicle_id).exists():
        return False
    return Vehicle.objects.filter(snapshot_id=provider.current_snapshot_id, vehicle_id=vehicle_id,
                                  is_reserved=False, is_disabled=False).exists()


def provider_by_id(provider_id, *, active_only=True):
    """The provider with this id (None when unknown, or inactive and `active_only`)."""
    providers = Provider.objects.filter(pk=provider_id)
    return (providers.filter(active=True) if active_only else providers).first()


def _installed_station(provider_id, station_id):
    """The station in an active provider's current snapshot, as a queryset (empty when there is none)."""
    snapshot_id = (Provider.objects.filter(pk=provider_id, active=True)
                   .values_list("current_snapshot_id", flat=True).first())
    if snapshot_id is None:
        return Station.objects.none()
    return Station.objects.filter(snapshot_id=snapshot_id, station_id=station_id, is_installed=True)


def station_has_bike(provider_id, station_id) -> bool:
    """True when the station (current snapshot) is renting and has at least one bike available."""
    return _installed_station(provider_id, station_id).filter(is_renting=True, bikes_available__gt=0).exists()


def station_has_dock(provider_id, station_id) -> bool:
    """True when the station (current snapshot) is returning and has at least one free dock."""
    return _installed_station(provider_id, station_id).filter(is_returning=True, docks_available__gt=0).exists()


def station_bike_count(provider_id, station_id) -> dict:
    """{"bikes_available": int, "as_of": datetime | None} of a station in the provider's current snapshot
    (0 when it is unknown, not installed or not renting); `as_of` is when that count was reported.

    Bookings subtract their own live holds at the station from this count so two people can't book the
    last bike.
    """
    provider = Provider.objects.filter(pk=provider_id, active=True).select_related("current_snapshot").first()
    if provider is None or provider.current_snapshot is None:
        return {"bikes_available": 0, "as_of": None}
    row = Station.objects.filter(snapshot_id=provider.current_snapshot_id, station_id=station_id,
                                 is_installed=True, is_renting=True).values("bikes_available", "last_reported").first()
    if row is None:
        return {"bikes_available": 0, "as_of": None}
    return {"bikes_available": max(0, row["bikes_available"]),
            "as_of": row["last_reported"] or provider.current_snapshot.last_updated}
