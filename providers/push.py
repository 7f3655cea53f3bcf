"""Push availability: validate a provider's body (plain or GBFS-shaped) and swap its snapshot.

A push is the full current state of each section it contains ("vehicles" and/or "stations");
sections it leaves out are carried over from the current snapshot.
"""
import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from maas.api.errors import ApiError, Conflict
from providers import gbfs
from providers.models import Station
from providers.push_schema import schemas
from providers.snapshots import Section, swap_snapshot


def _field(error):
    parts = []
    for p in error.absolute_path:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(f".{p}" if parts else str(p))
    path = "".join(parts)
    m = re.search(r"'(.+?)' is a required property", error.message) if error.validator == "required" else None
    if m is None and error.validator == "additionalProperties":
        m = re.search(r"\('(.+?)'", error.message)
    if m:
        path = f"{path}.{m.group(1)}" if path else m.group(1)
    return path or "(body)"


def validate(body):
    """Schema-check a push body. Returns "plain" or "gbfs"; raises ApiError 400 naming the fields."""
    max_items = int(getattr(settings, "PROVIDERS_PUSH_MAX_ITEMS", 20000))
    plain, shaped = schemas(max_items)
    if not isinstance(body, dict):
        raise ApiError(_("The body must be a JSON object."), code="invalid_body", details={"errors": [
            {"field": "(body)", "message": _("expected an object")}]})
    kind = "gbfs" if "data" in body else "plain"
    validator = Draft202012Validator(shaped if kind == "gbfs" else plain)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))[:50]
    if errors:
        listed = [{"field": _field(e), "message": e.message[:300]} for e in errors]
        raise ApiError(_("Invalid availability: %(field)s: %(message)s") % listed[0], code="schema_error",
                       details={"errors": listed})
    return kind


def _time(value, field):
    try:
        return gbfs.parse_time(value)
    except gbfs.GbfsError:
        raise ApiError(_("Invalid availability: %(field)s: not a POSIX time or RFC 3339 string") % {"field": field},
                       code="schema_error", details={"errors": [{"field": field, "message": "invalid timestamp"}]})


def _plain_sections(body):
    sections = {}
    if "vehicles" in body:
        sections["vehicles"] = [
            {"vehicle_id": v["vehicle_id"], "lat": v["lat"], "lon": v["lon"],
             "vehicle_type_id": v.get("vehicle_type_id", ""), "station_id": v.get("station_id", ""),
             "is_reserved": v.get("is_reserved", False), "is_disabled": v.get("is_disabled", False),
             "range_m": int(v["current_range_meters"]) if "current_range_meters" in v else None,
             "last_reported": _time(v.get("last_reported"), f"vehicles[{i}].last_reported")}
            for i, v in enumerate(body["vehicles"])]
    if "stations" in body:
        sections["stations"] = [
            {"station_id": s["station_id"], "name": s.get("name"), "lat": s.get("lat"), "lon": s.get("lon"),
             "capacity": s.get("capacity"), "bikes_available": s["num_bikes_available"],
             "docks_available": s["num_docks_available"], "is_installed": s.get("is_installed", True),
             "is_renting": s.get("is_renting", True), "is_returning": s.get("is_returning", True),
             "last_reported": _time(s.get("last_reported"), f"stations[{i}].last_reported")}
            for i, s in enumerate(body["stations"])]
    return sections


def _gbfs_sections(body):
    data, sections = body["data"], {}
    key = "vehicles" if "vehicles" in data else "bikes" if "bikes" in data else None
    if key:
        rows, _lu, report = gbfs.parse_vehicles(body, file="body")
        bad = [r for r in report if not r.get("kept")]
        if bad:
            fields = [{"field": f"data.{key}[{r['index']}]", "message": r["reason"]} for r in bad]
            code = "duplicate_id" if bad[0]["reason"].startswith("duplicate") else "schema_error"
            raise ApiError(_("Invalid availability: %(field)s: %(message)s") % fields[0], code=code,
                           details={"errors": fields})
        sections["vehicles"] = rows
    if "stations" in data:
        sections["stations"] = [
            {"station_id": str(s["station_id"]), "name": gbfs.localized(s.get("name"))[:200] or None,
             "lat": s.get("lat"), "lon": s.get("lon"), "capacity": s.get("capacity"),
             "bikes_available": s.get("num_vehicles_available", s.get("num_bikes_available")),
             "docks_available": s["num_docks_available"],
             "is_installed": bool(s.get("is_installed", True)), "is_renting": bool(s.get("is_renting", True)),
             "is_returning": bool(s.get("is_returning", True)),
             "last_reported": _time(s.get("last_reported"), f"data.stations[{i}].last_reported")}
            for i, s in enumerate(data["stations"])]
    return sections


def _complete_stations(provider, rows, prefix):
    """Fill name/lat/lon/capacity of status-only station rows from the current snapshot."""
    known = {s.station_id: s for s in Station.objects.filter(snapshot_id=provider.current_snapshot_id)} \
        if provider.current_snapshot_id else {}
    errors = []
    for i, row in enumerate(rows):
        prev = known.get(row["station_id"])
        for attr in ("lat", "lon"):
            if row[attr] is None:
                if prev is None:
                    errors.append({"field": f"{prefix}[{i}].{attr}",
                                   "message": "required for a station not in the current snapshot"})
                else:
                    row[attr] = getattr(prev, attr)
        if row["name"] is None:
            row["name"] = prev.name if prev else ""
        if row["capacity"] is None and prev:
            row["capacity"] = prev.capacity
    if errors:
        raise ApiError(_("Invalid availability: %(field)s: %(message)s") % errors[0], code="unknown_station",
                       details={"errors": errors})
    return rows


def _refuse_duplicates(rows, name, id_key):
    """400 schema_error naming the first row whose id was already seen (one pass, a set)."""
    seen = set()
    for i, row in enumerate(rows):
        ident = row[id_key]
        if ident in seen:
            raise ApiError(_("Invalid availability: %(field)s: duplicate id %(id)s") % {"field": name, "id": ident},
                           code="duplicate_id",
                           details={"errors": [{"field": f"{name}[{i}].{id_key}", "message": f"duplicate {ident}"}]})
        seen.add(ident)


def push_availability(provider, body, now=None):
    """Validate `body` and swap the provider's snapshot; returns the SwapResult.

    Raises ApiError 400 (schema_error), 409 (stale_update) when not newer than the data we hold.
    """
    now = now or timezone.now()
    kind = validate(body)
    last_updated = _time(body.get("last_updated"), "last_updated") or now
    if last_updated > now + timedelta(minutes=5):
        raise ApiError(_("last_updated is in the future."), code="last_updated_in_future",
                       details={"errors": [{"field": "last_updated", "message": "more than 5 minutes ahead"}]})
    raw = _plain_sections(body) if kind == "plain" else _gbfs_sections(body)
    if "stations" in raw:
        _complete_stations(provider, raw["stations"], "stations" if kind == "plain" else "data.stations")
    for name in ("stations", "vehicles"):
        _refuse_duplicates(raw.get(name, []), name, name[:-1] + "_id")
    sections = {name: Section(rows, last_updated) for name, rows in raw.items()}
    result = swap_snapshot(provider, source="push", sections=sections, ttl=body.get("ttl"),
                           version=body.get("version") if kind == "gbfs" else None, now=now)
    if result.snapshot is None:
        raise Conflict(_("This availability is not newer than the data already held."), code="stale_update",
                       details={"last_updated": last_updated.isoformat(), "ignored": result.ignored})
    return result
