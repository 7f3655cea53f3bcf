"""JSON Schemas of a provider's push body (plain or GBFS-shaped), used to validate it and, converted,
as its OpenAPI request schema, so that the documentation and the server accept exactly the same bodies.

What a schema cannot say is checked after it: duplicate ids (400 duplicate_id), stations pushed
without lat/lon that the current snapshot does not know (400 unknown_station), a last_updated in the
future (400 last_updated_in_future), one not newer than the data held (409 stale_update).
"""
from maas.api import query
from providers import gbfs

MAX_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z as POSIX seconds

# PostgreSQL text can't hold NUL: refused here as a schema error, not a 500 at save
_NO_NUL = r"^[^\x00]*$"
# not only whitespace, no NUL (whitespace spelled out: clients' regex engines read `\s` otherwise)
_ID = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": query.VISIBLE_PATTERN}
_LAT = {"type": "number", "minimum": -90, "maximum": 90}
_LON = {"type": "number", "minimum": -180, "maximum": 180}
_COUNT = {"type": "integer", "minimum": 0, "maximum": gbfs.MAX_COUNT}
_RANGE = {"type": "number", "minimum": 0, "maximum": gbfs.MAX_RANGE_M}
_TIME = {"type": ["integer", "string"], "minimum": 0, "maximum": MAX_TIME, "format": "date-time"}
_FLAG = {"type": ["boolean", "integer"]}

PLAIN_VEHICLE = {
    "type": "object", "required": ["vehicle_id", "lat", "lon"], "additionalProperties": False,
    "properties": {"vehicle_id": _ID, "lat": _LAT, "lon": _LON, "vehicle_type_id": _ID, "station_id": _ID,
                   "is_reserved": {"type": "boolean"}, "is_disabled": {"type": "boolean"},
                   "current_range_meters": _RANGE, "last_reported": _TIME},
}
PLAIN_STATION = {
    "type": "object", "required": ["station_id", "num_bikes_available", "num_docks_available"],
    "additionalProperties": False,
    "properties": {"station_id": _ID, "name": {"type": "string", "maxLength": 200, "pattern": _NO_NUL},
                   "lat": _LAT, "lon": _LON,
                   "capacity": _COUNT, "num_bikes_available": _COUNT, "num_docks_available": _COUNT,
                   "is_installed": {"type": "boolean"}, "is_renting": {"type": "boolean"},
                   "is_returning": {"type": "boolean"}, "last_reported": _TIME},
}
_GBFS_VEHICLE_FIELDS = {"lat": _LAT, "lon": _LON, "is_reserved": _FLAG, "is_disabled": _FLAG, "station_id": _ID,
                        "vehicle_type_id": _ID, "current_range_meters": _RANGE}
_PLACED = [{"required": ["lat", "lon"]}, {"required": ["station_id"]}]  # where the vehicle is


def _gbfs_vehicle(id_key):
    return {"type": "object", "required": [id_key], "anyOf": _PLACED,
            "properties": {**_GBFS_VEHICLE_FIELDS, id_key: _ID}}


def schemas(max_items):
    """(plain, gbfs_shaped) JSON Schemas (draft 2020-12) for at most `max_items` rows per section."""
    plain = {
        "type": "object", "additionalProperties": False,
        "properties": {"last_updated": _TIME, "ttl": _COUNT,
                       "vehicles": {"type": "array", "maxItems": max_items, "items": PLAIN_VEHICLE},
                       "stations": {"type": "array", "maxItems": max_items, "items": PLAIN_STATION}},
        "anyOf": [{"required": ["vehicles"]}, {"required": ["stations"]}],
    }
    gbfs_station = {"type": "object", "required": ["station_id", "num_docks_available"],
                    "properties": {"station_id": _ID, "lat": _LAT, "lon": _LON, "num_docks_available": _COUNT,
                                   "capacity": _COUNT, "name": {"type": ["string", "array"]},
                                   "num_bikes_available": _COUNT, "num_vehicles_available": _COUNT,
                                   "is_installed": _FLAG, "is_renting": _FLAG, "is_returning": _FLAG},
                    "anyOf": [{"required": ["num_bikes_available"]}, {"required": ["num_vehicles_available"]}]}
    shaped = {
        "type": "object", "required": ["last_updated", "data"],
        "properties": {
            "last_updated": _TIME, "ttl": _COUNT, "version": {"type": "string", "maxLength": 10},
            "data": {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": {
                "vehicles": {"type": "array", "maxItems": max_items, "items": _gbfs_vehicle("vehicle_id")},
                "bikes": {"type": "array", "maxItems": max_items, "items": _gbfs_vehicle("bike_id")},
                "stations": {"type": "array", "maxItems": max_items, "items": gbfs_station},
            }},
        },
    }
    return plain, shaped


def _openapi30(node):
    """A draft 2020-12 schema in OpenAPI 3.0's dialect: a list of types becomes anyOf of single types."""
    if isinstance(node, list):
        return [_openapi30(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi30(v) for k, v in node.items()}
    if isinstance(out.get("type"), list):
        kinds = out.pop("type")
        per_type = {"string": ("minLength", "maxLength", "pattern", "format"), "integer": ("minimum", "maximum"),
                    "number": ("minimum", "maximum"), "array": ("items", "maxItems"), "boolean": ()}
        variants = [{"type": t, **{k: out.pop(k) for k in per_type[t] if k in out}} for t in kinds]
        out = {"anyOf": variants, **out}
    return out


def openapi_request_schema(max_items=20_000):
    """The push body for the OpenAPI document: one of the two shapes."""
    plain, shaped = schemas(max_items)
    return {"oneOf": [_openapi30(plain), _openapi30(shaped)]}
