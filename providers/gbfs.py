"""Parse GBFS documents (v1 without `version`, 2.x, 3.0) into snapshot section rows.

Pure functions: documents in, (rows, last_updated, report) out. Invalid rows are skipped and
reported as {"file", "index", "id", "reason"}; rows kept with a defect carry "kept": True.
"""
from datetime import datetime
from datetime import timezone as dt_timezone

from shapely.geometry import shape

DYNAMIC_FEEDS = ("station_status", "vehicle_status", "free_bike_status")
KNOWN_FEEDS = ("station_information", "station_status", "free_bike_status", "vehicle_status",
               "vehicle_types", "system_pricing_plans", "geofencing_zones", "system_information")


class GbfsError(ValueError):
    """A document that is not usable GBFS (missing data, wrong shape)."""


def parse_time(value):
    """Aware UTC datetime from a POSIX timestamp (v1/v2) or an RFC 3339 string (v3); None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise GbfsError(f"invalid timestamp {value!r}")
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=dt_timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise GbfsError(f"invalid timestamp {value!r}") from None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            # Stored in UTC: PostgreSQL refuses offsets beyond +-15:59 that RFC 3339 strings may carry.
            return parsed.astimezone(dt_timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=dt_timezone.utc)
        except (ValueError, OverflowError):
            raise GbfsError(f"invalid timestamp {value!r}") from None
    raise GbfsError(f"invalid timestamp {value!r}")


def localized(value, language="en"):
    """A plain string from a v1/v2 string or a v3 list of {"text", "language"}."""
    if isinstance(value, list):
        texts = {t.get("language"): t.get("text") for t in value
                 if isinstance(t, dict) and isinstance(t.get("text"), str)}
        value = texts.get(language) or next((t for t in texts.values() if t), "") or ""
    return value.replace("\x00", "") if isinstance(value, str) else ""  # NUL: PostgreSQL text refuses it


def _flag(value, default=True):
    if value is None:
        return default
    return bool(value)  # v1 uses 0/1, v2+ booleans


def _data(doc, name):
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise GbfsError(f"{name}: no 'data' object")
    return doc["data"]


def header(doc, name="document"):
    """(version or "1.0", ttl, last_updated) of a GBFS document."""
    if not isinstance(doc, dict):
        raise GbfsError(f"{name}: not a JSON object")
    ttl = doc.get("ttl")
    return str(doc.get("version") or "1.0"), (int(ttl) if isinstance(ttl, (int, float)) else None), \
        parse_time(doc.get("last_updated"))


def is_manifest(doc) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("data"), dict) and "datasets" in doc["data"]


def manifest_gbfs_url(doc, system_id=None):
    """The gbfs.json URL of the newest supported version of a dataset in a v3 manifest."""
    datasets = _data(doc, "manifest").get("datasets") or []
    if system_id:
        datasets = [d for d in datasets if d.get("system_id") == system_id]
    if not datasets:
        raise GbfsError(f"manifest: no dataset{' ' + system_id if system_id else ''}")

    def key(v):
        try:
            return tuple(int(p) for p in str(v.get("version", "0")).split("."))
        except ValueError:
            return (0,)

    versions = [v for v in datasets[0].get("versions") or [] if v.get("url") and key(v) < (4,)]
    if not versions:
        raise GbfsError("manifest: dataset has no usable version")
    return max(versions, key=key)["url"]


def discover(doc, language="en"):
    """Feeds of a gbfs.json: ({name: url}, version, ttl, last_updated)."""
    version, ttl, last_updated = header(doc, "gbfs")
    data = _data(doc, "gbfs")
    if "feeds" in data:  # v3: data.feeds
        feeds = data["feeds"]
    else:  # v1/v2: data.<language>.feeds
        lang = data.get(language) or next(iter(data.values()), None)
        if not isinstance(lang, dict):
            raise GbfsError("gbfs: no feeds")
        feeds = lang.get("feeds")
    if not isinstance(feeds, list):
        raise GbfsError("gbfs: feeds is not a list")
    urls = {f["name"]: f["url"] for f in feeds if isinstance(f, dict) and f.get("name") and f.get("url")}
    return urls, version, ttl, last_updated


MAX_ID_LEN = 100
MAX_COUNT = 1_000_000          # docks / bikes at one station
MAX_RANGE_M = 10_000_000       # 10,000 km


def _valid_id(value):
    return (isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip() != ""
            and len(str(value)) <= MAX_ID_LEN)


def _int(value, maximum, default=None):
    """An int in 0..maximum from a JSON number, else `default`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return default
    return int(value) if 0 <= value <= maximum else default


def _coord(item, key, lo, hi):
    v = item.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi else None


def parse_stations(info_doc, status_doc=None, language="en"):
    """Merge station_information and station_status: (rows, last_updated, report)."""
    report, rows = [], {}
    stations = _data(info_doc, "station_information").get("stations")
    if not isinstance(stations, list):
        raise GbfsError("station_information: data.stations is not a list")
    for i, s in enumerate(stations):
        sid = s.get("station_id") if isinstance(s, dict) else None
        if not _valid_id(sid):
            report.append({"file": "station_information", "index": i, "id": sid,
                           "reason": "station_id is null" if sid is None else f"invalid station_id {sid!r}"})
            continue
        sid = str(sid)
        lat, lon = _coord(s, "lat", -90, 90), _coord(s, "lon", -180, 180)
        if lat is None or lon is None:
            report.append({"file": "station_information", "index": i, "id": sid, "reason": "lat/lon missing"})
            continue
        if sid in rows:
            report.append({"file": "station_information", "index": i, "id": sid, "reason": "duplicate station_id"})
            continue
        name = localized(s.get("name"), language)
        if not name:
            report.append({"file": "station_information", "index": i, "id": sid, "reason": "name missing",
                           "kept": True})
        rows[sid] = {"station_id": sid, "name": name[:200], "lat": lat, "lon": lon,
                     "capacity": _int(s.get("capacity"), MAX_COUNT),
                     "bikes_available": 0, "docks_available": 0, "is_installed": True,
                     "is_renting": False, "is_returning": False, "last_reported": None}
    last_updated = header(info_doc)[2]
    if status_doc is not None:
        last_updated = header(status_doc)[2] or last_updated
        statuses = _data(status_doc, "station_status").get("stations")
        if not isinstance(statuses, list):
            raise GbfsError("station_status: data.stations is not a list")
        seen = set()
        for i, s in enumerate(statuses):
            sid = s.get("station_id") if isinstance(s, dict) else None
            if not _valid_id(sid):
                report.append({"file": "station_status", "index": i, "id": sid,
                               "reason": "station_id is null" if sid is None else f"invalid station_id {sid!r}"})
                continue
            row = rows.get(str(sid))
            if row is None:
                report.append({"file": "station_status", "index": i, "id": str(sid),
                               "reason": "status for a station not in station_information"})
                continue
            seen.add(row["station_id"])
            bikes = s.get("num_vehicles_available", s.get("num_bikes_available"))
            docks = s.get("num_docks_available")
            row.update({
                "bikes_available": _int(bikes, MAX_COUNT, 0),
                "docks_available": _int(docks, MAX_COUNT, 0),
                "is_installed": _flag(s.get("is_installed")), "is_renting": _flag(s.get("is_renting")),
                "is_returning": _flag(s.get("is_returning")),
                "last_reported": _safe_time(s.get("last_reported")),
            })
        for sid in rows.keys() - seen:
            report.append({"file": "station_status", "index": None, "id": sid, "reason": "no status; not renting",
                           "kept": True})
    return list(rows.values()), last_updated, report


def _safe_time(value):
    try:
        return parse_time(value)
    except GbfsError:
        return None


def parse_vehicles(doc, file="vehicle_status"):
    """free_bike_status (v1/v2 `bikes`) or vehicle_status (v3 `vehicles`): (rows, last_updated, report)."""
    data = _data(doc, file)
    items = data.get("vehicles", data.get("bikes"))
    if not isinstance(items, list):
        raise GbfsError(f"{file}: data.vehicles/bikes is not a list")
    rows, report, seen = [], [], set()
    for i, v in enumerate(items):
        vid = (v.get("vehicle_id", v.get("bike_id"))) if isinstance(v, dict) else None
        if not _valid_id(vid):
            report.append({"file": file, "index": i, "id": vid, "reason": "vehicle_id missing"})
            continue
        vid = str(vid)
        if vid in seen:
            report.append({"file": file, "index": i, "id": vid, "reason": "duplicate vehicle_id"})
            continue
        lat, lon = _coord(v, "lat", -90, 90), _coord(v, "lon", -180, 180)
        station_id = v.get("station_id")
        if (lat is None or lon is None) and not _valid_id(station_id):
            report.append({"file": file, "index": i, "id": vid, "reason": "neither lat/lon nor station_id"})
            continue
        vtype = v.get("vehicle_type_id")
        if vtype not in (None, "") and not _valid_id(vtype):
            report.append({"file": file, "index": i, "id": vid, "reason": "invalid vehicle_type_id"})
            continue
        seen.add(vid)
        rows.append({"vehicle_id": vid, "lat": lat, "lon": lon,
                     "vehicle_type_id": str(vtype or ""),
                     "station_id": str(station_id) if _valid_id(station_id) else "",
                     "is_reserved": _flag(v.get("is_reserved"), False),
                     "is_disabled": _flag(v.get("is_disabled"), False),
                     "range_m": _int(v.get("current_range_meters"), MAX_RANGE_M),
                     "last_reported": _safe_time(v.get("last_reported"))})
    return rows, header(doc)[2], report


def parse_vehicle_types(doc, language="en"):
    items = _data(doc, "vehicle_types").get("vehicle_types")
    if not isinstance(items, list):
        raise GbfsError("vehicle_types: data.vehicle_types is not a list")
    rows, report = [], []
    for i, t in enumerate(items):
        tid = t.get("vehicle_type_id") if isinstance(t, dict) else None
        if not _valid_id(tid):
            report.append({"file": "vehicle_types", "index": i, "id": tid, "reason": "vehicle_type_id missing"})
            continue
        rows.append({"vehicle_type_id": str(tid), "form_factor": str(t.get("form_factor") or "")[:30],
                     "propulsion_type": str(t.get("propulsion_type") or "")[:30],
                     "name": localized(t.get("name"), language)[:200],
                     "max_range_m": _int(t.get("max_range_meters"), MAX_RANGE_M)})
    return rows, header(doc)[2], report


def _cents(price):
    if isinstance(price, str):
        price = float(price)
    if isinstance(price, bool) or not isinstance(price, (int, float)):
        return 0
    if not -1e7 <= price <= 1e7:  # also rejects nan/inf
        raise ValueError(price)
    return round(float(price) * 100)


def parse_pricing_plans(doc, language="en"):
    items = _data(doc, "system_pricing_plans").get("plans")
    if not isinstance(items, list):
        raise GbfsError("system_pricing_plans: data.plans is not a list")
    rows, report = [], []
    for i, p in enumerate(items):
        pid = p.get("plan_id") if isinstance(p, dict) else None
        if not _valid_id(pid):
            report.append({"file": "system_pricing_plans", "index": i, "id": pid, "reason": "plan_id missing"})
            continue
        try:
            cents = _cents(p.get("price"))
        except ValueError:
            report.append({"file": "system_pricing_plans", "index": i, "id": pid, "reason": "invalid price"})
            continue
        rows.append({"plan_id": str(pid), "name": localized(p.get("name"), language)[:200],
                     "currency": str(p.get("currency") or "")[:3], "price_cents": cents, "data": p})
    return rows, header(doc)[2], report


def parse_geofencing(doc, language="en"):
    """(rows, last_updated, report, global_rules) from geofencing_zones."""
    data = _data(doc, "geofencing_zones")
    fc = data.get("geofencing_zones")
    if not isinstance(fc, dict) or not isinstance(fc.get("features"), list):
        raise GbfsError("geofencing_zones: data.geofencing_zones is not a FeatureCollection")
    rows, report = [], []
    for i, f in enumerate(fc["features"]):
        geom = f.get("geometry") if isinstance(f, dict) else None
        try:
            g = shape(geom)
            if g.geom_type not in ("Polygon", "MultiPolygon") or g.is_empty:
                raise ValueError(g.geom_type)
        except Exception as exc:  # noqa: BLE001 - any bad geometry is reported, not fatal
            report.append({"file": "geofencing_zones", "index": i, "id": None, "reason": f"invalid geometry: {exc}"})
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        rules = props.get("rules") if isinstance(props.get("rules"), list) else []
        min_lon, min_lat, max_lon, max_lat = g.bounds
        rows.append({"position": i, "name": localized(props.get("name"), language)[:200], "geometry": geom,
                     "rules": [r for r in rules if isinstance(r, dict)], "start": _safe_time(props.get("start")),
                     "end": _safe_time(props.get("end")), "min_lat": min_lat, "min_lon": min_lon,
                     "max_lat": max_lat, "max_lon": max_lon})
    global_rules = data.get("global_rules") if isinstance(data.get("global_rules"), list) else []
    return rows, header(doc)[2], report, [r for r in global_rules if isinstance(r, dict)]
