"""Stations and vehicles near a point, nearest first, read ring by ring on the grid index (providers.grid).

Results are ordered by (distance in metres unrounded, provider id, station/vehicle id); `after` is such a
key (page_key() of the previous page's last result), so pages never repeat or skip a row of an unchanged
snapshot.
"""

from django.utils import timezone

from maas.geo import distance_m
from providers import grid
from providers.freshness import is_stale
from providers.models import Provider, Station, Vehicle, VehicleHold, VehicleType


def _providers(kind):
    qs = Provider.objects.filter(active=True, current_snapshot__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def search(fetch, lat, lon, radius_m, limit=None, after=None):
    """[(sort key, row)] nearest first within radius_m, at most `limit` (+1 to tell whether more exist).

    `fetch(q)` yields (key tuple, lat, lon, row) for the rows matching the grid condition `q`.
    """
    want = None if limit is None else limit + 1
    found = {}
    # Without a limit every row within radius_m is wanted: the covering square in one read, not ring by ring.
    squares = grid.rings(lat, lon, radius_m) if want is not None else [(grid.square(lat, lon, radius_m), radius_m)]
    for q, covered in squares:
        for key, row_lat, row_lon, row in fetch(q):
            if key in found:
                continue
            d = distance_m(lat, lon, row_lat, row_lon)
            sort_key = (d, *key)
            if d > radius_m or (after is not None and sort_key <= after):
                continue
            found[key] = (sort_key, row)
        if want is not None and sum(1 for sk, _ in found.values() if sk[0] <= covered) >= want:
            break
    ordered = sorted(found.values(), key=lambda item: item[0])
    return ordered if want is None else ordered[:want]


def stations_near(lat, lon, radius_m, *, kind="bike_share", min_bikes=0, min_docks=0, limit=None, after=None):
    """Installed stations within radius_m of (lat, lon), nearest first, with availability and freshness."""
    now = timezone.now()
    providers = {p.current_snapshot_id: p for p in _providers(kind)}
    if not providers:
        return []
    fresh = {sid: not is_stale(p, now) for sid, p in providers.items()}
    filters = {"snapshot_id__in": list(providers), "is_installed": True, "bikes_available__gte": min_bikes,
               "docks_available__gte": min_docks}
    if min_bikes:
        filters["is_renting"] = True
    if min_docks:
        filters["is_returning"] = True

    def fetch(q):
        for r in Station.objects.filter(q, **filters).values(
                "snapshot_id", "station_id", "name", "lat", "lon", "bikes_available", "docks_available"):
            pid = providers[r["snapshot_id"]].pk
            yield (pid, r["station_id"]), r["lat"], r["lon"], r

    out = []
    for sort_key, r in search(fetch, lat, lon, radius_m, limit, after):
        out.append({"provider_id": sort_key[1], "station_id": r["station_id"], "name": r["name"],
                    "lat": r["lat"], "lon": r["lon"], "bikes_available": r["bikes_available"],
                    "docks_available": r["docks_available"], "distance_m": round(sort_key[0]),
                    "fresh": fresh[r["snapshot_id"]]})
    return out


def vehicles_near(lat, lon, radius_m, *, kind="scooter", include_stale=False, limit=None, after=None):
    """Available (not reserved, not disabled, not held) free-floating vehicles, nearest first.

    Stale providers' vehicles only with include_stale (then "fresh": False: not bookable)."""
    now = timezone.now()
    candidates = _providers(kind)
    fresh = {p.current_snapshot_id: not is_stale(p, now) for p in candidates}
    providers = {p.current_snapshot_id: p for p in candidates if include_stale or fresh[p.current_snapshot_id]}
    if not providers:
        return []
    held = set(VehicleHold.objects.filter(provider_id__in=[p.pk for p in providers.values()])
               .values_list("provider_id", "vehicle_id"))

    def fetch(q):
        rows = Vehicle.objects.filter(q, snapshot_id__in=list(providers), is_reserved=False,
                                      is_disabled=False, lat__isnull=False).values_list(
            "snapshot_id", "vehicle_id", "lat", "lon", "vehicle_type_id", "range_m")
        for snap_id, vid, vlat, vlon, vtype, range_m in rows:
            pid = providers[snap_id].pk
            if (pid, vid) not in held:
                yield (pid, vid), vlat, vlon, (snap_id, vid, vlat, vlon, vtype, range_m)

    found = search(fetch, lat, lon, radius_m, limit, after)
    untyped = {(row[0], row[4]) for _, row in found if row[5] is None and row[4]}
    types = {}
    if untyped:  # range from the vehicle type only where the vehicle reports none
        types = {(t.snapshot_id, t.vehicle_type_id): t.max_range_m for t in VehicleType.objects.filter(
            snapshot_id__in={s for s, _ in untyped}, vehicle_type_id__in={t for _, t in untyped})}
    out = []
    for sort_key, (snap_id, vid, vlat, vlon, vtype, range_m) in found:
        out.append({"provider_id": sort_key[1], "vehicle_id": vid, "lat": vlat, "lon": vlon,
                    "vehicle_type": vtype or None,
                    "range_m": range_m if range_m is not None else types.get((snap_id, vtype)),
                    "distance_m": round(sort_key[0]), "fresh": fresh[snap_id]})
    return out


def page_key(lat, lon, item):
    """The sort key of a result of stations_near / vehicles_near searched from (lat, lon)."""
    return (distance_m(lat, lon, item["lat"], item["lon"]), item["provider_id"],
            item.get("vehicle_id", item.get("station_id")))


def stale_providers(kind=None, now=None):
    """Active providers (of `kind`) whose data is stale: [{"provider_id", "name", "kind", "last_updated"}]."""
    now = now or timezone.now()
    qs = Provider.objects.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return [{"provider_id": p.pk, "name": p.name, "kind": p.kind,
             "last_updated": p.last_updated.isoformat() if p.last_updated else None}
            for p in qs if is_stale(p, now)]
