"""Import HSL Liipi API v1 facilities and utilizations (JSON) into Facility / FacilityCapacity."""
import json
from datetime import datetime
from pathlib import Path

from django.core.management import CommandError
from django.db import transaction
from django.db.models import Q

from maas.parking.models import CAPACITY_TYPES, Facility, FacilityCapacity

KNOWN_TYPES = {code for code, _label in CAPACITY_TYPES}
KNOWN_STATUSES = {code for code, _label in Facility.STATUSES}


def _load(path):
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: file not found")
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not valid JSON ({exc})")


def _centroid(path, row, location):
    """Point of a GeoJSON Point, or the vertex mean of a Polygon's outer ring."""
    if not isinstance(location, dict):
        raise CommandError(f"{path} row {row}: field 'location' missing")
    coords = location.get("coordinates")
    try:
        if location.get("type") == "Point":
            lon, lat = float(coords[0]), float(coords[1])
        elif location.get("type") == "Polygon":
            ring = coords[0][:-1] if coords[0][0] == coords[0][-1] else coords[0]
            lon = sum(float(p[0]) for p in ring) / len(ring)
            lat = sum(float(p[1]) for p in ring) / len(ring)
        else:
            raise CommandError(f"{path} row {row}: field 'location.type' must be Point or Polygon")
    except (TypeError, IndexError, ValueError, ZeroDivisionError):
        raise CommandError(f"{path} row {row}: field 'location.coordinates' is malformed")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CommandError(f"{path} row {row}: field 'location.coordinates' out of range")
    return lat, lon


def _usages(item, capacities):
    """The facility's usages; the older Liipi schema has no `usages`: CAR capacity then means park-and-ride."""
    if "usages" in item:
        return list(item.get("usages") or [])
    return ["PARK_AND_RIDE"] if capacities.get("CAR", 0) > 0 else []


def _parse_facility(path, row, item):
    if not isinstance(item, dict):
        raise CommandError(f"{path} row {row}: not an object")
    fid = item.get("id")
    if not isinstance(fid, int):
        raise CommandError(f"{path} row {row}: field 'id' must be an integer (got {fid!r})")
    names = item.get("name") or {}
    name = names.get("fi") or names.get("en") if isinstance(names, dict) else None
    if not name:
        raise CommandError(f"{path} row {row} (id {fid}): field 'name' missing")
    lat, lon = _centroid(path, row, item.get("location"))
    status = item.get("status") or "IN_OPERATION"
    if status not in KNOWN_STATUSES:
        raise CommandError(f"{path} row {row} (id {fid}): field 'status' unknown: {status!r}")
    capacities = item.get("builtCapacity")
    if not isinstance(capacities, dict) or not capacities:
        raise CommandError(f"{path} row {row} (id {fid}): field 'builtCapacity' missing")
    for ctype, value in capacities.items():
        if ctype not in KNOWN_TYPES:
            raise CommandError(f"{path} row {row} (id {fid}): field 'builtCapacity.{ctype}' unknown type")
        if not isinstance(value, int) or value < 0:
            raise CommandError(f"{path} row {row} (id {fid}): field 'builtCapacity.{ctype}' must be >= 0")
    return {
        "liipi_id": fid, "name": name, "name_fi": names.get("fi") or "", "name_sv": names.get("sv") or "",
        "lat": lat, "lon": lon,
        "polygon": item["location"] if item["location"].get("type") == "Polygon" else None,
        "status": status, "usages": _usages(item, capacities), "capacities": capacities,
    }


def _parse_utilization(path, row, item, known_ids):
    try:
        fid, ctype = int(item["facilityId"]), item["capacityType"]
        available = int(item["spacesAvailable"])
        when = datetime.fromisoformat(item["timestamp"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandError(f"{path} row {row}: field {exc} missing or malformed")
    if available < 0:
        raise CommandError(f"{path} row {row}: field 'spacesAvailable' must be >= 0")
    if when.tzinfo is None:
        raise CommandError(f"{path} row {row}: field 'timestamp' has no UTC offset")
    if fid not in known_ids:
        raise CommandError(f"{path} row {row}: field 'facilityId' {fid} is not an imported facility")
    return fid, ctype, available, when


def import_liipi(facilities_path, utilizations_path=None):
    """Validate the files' contents first, then upsert in one transaction.

    Returns {"facilities", "capacities", "utilizations"}."""
    utilizations = _load(utilizations_path) if utilizations_path else None
    return import_liipi_data(_load(facilities_path), utilizations, facilities_path, utilizations_path)


def import_liipi_data(data, utilization_rows=None, facilities_name="facilities", utilizations_name="utilizations"):
    """Facilities (+ utilization readings) as Liipi API v1 JSON values; errors name source, row and field."""
    items = data.get("results") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise CommandError(f"{facilities_name}: expected a list under 'results'")
    parsed = [_parse_facility(facilities_name, i, item) for i, item in enumerate(items, start=1)]
    ids = [p["liipi_id"] for p in parsed]
    if len(set(ids)) != len(ids):
        raise CommandError(f"{facilities_name}: duplicate facility ids")
    utilizations = []
    if utilization_rows is not None:
        utilizations = parse_utilizations(utilization_rows, utilizations_name, set(ids))
    stats = {"facilities": 0, "capacities": 0, "utilizations": 0}
    with transaction.atomic():
        for p in parsed:
            capacities = p.pop("capacities")
            facility, _created = Facility.objects.update_or_create(liipi_id=p["liipi_id"], defaults=p)
            facility.capacities.exclude(capacity_type__in=list(capacities)).delete()
            for ctype, value in capacities.items():
                FacilityCapacity.objects.update_or_create(
                    facility=facility, capacity_type=ctype, defaults={"capacity": value})
                stats["capacities"] += 1
            stats["facilities"] += 1
        stats["utilizations"] = apply_utilizations(utilizations)
    return stats


def parse_utilizations(rows, name, known_ids):
    """[(facility id, capacity type, spaces available, timestamp)]; a reading of an unknown facility is an error."""
    if not isinstance(rows, list):
        raise CommandError(f"{name}: expected a JSON list")
    return [_parse_utilization(name, i, r, known_ids) for i, r in enumerate(rows, 1)]


def apply_utilizations(readings):
    """Store readings on the capacity rows (never replacing a newer one); returns how many rows changed."""
    changed = 0
    with transaction.atomic():
        for fid, ctype, available, when in readings:
            rows = FacilityCapacity.objects.filter(facility__liipi_id=fid, capacity_type=ctype)
            changed += rows.filter(Q(reported_at__isnull=True) | Q(reported_at__lte=when)).update(
                spaces_available=available, reported_at=when)
    return changed
