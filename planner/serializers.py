"""Request shapes of the planner API (semantic checks with specific error codes live in planner.plan.validate).

`validated(serializer_class, data)` turns a shape error into a 400 with a code naming the field and the
problem (e.g. `invalid_coordinates`, `unsupported_language`, `too_many_destinations`,
`minutes_out_of_range`) instead of the generic `validation_error`; `details` keeps DRF's field errors.
"""
import math

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from maas.api.errors import ApiError
from maas.api.fields import StrictStringsMixin
from maas.api.schema import requires_any
from planner.engines.base import MODES, WALK_SPEEDS_MPS

LANGUAGES = ("fi", "sv", "en")
MAX_DESTINATIONS = 2000

# field -> (code, message); a (field, DRF error code) key overrides the field's entry.
FIELD_CODES = {
    "from": ("invalid_coordinates", "from: give numeric lat (-90..90) and lon (-180..180), or a stop_id."),
    "to": ("invalid_coordinates", "to: give numeric lat (-90..90) and lon (-180..180), or a stop_id."),
    "origin": ("invalid_coordinates", "origin: give numeric lat (-90..90) and lon (-180..180), or a stop_id."),
    "departure": ("invalid_time", "departure must be an ISO-8601 date and time."),
    "arrival": ("invalid_time", "arrival must be an ISO-8601 date and time."),
    ("departure", "overflow"): ("time_out_of_range", "departure is out of the supported range."),
    ("arrival", "overflow"): ("time_out_of_range", "arrival is out of the supported range."),
    "modes": ("invalid_modes", "modes must be a list of at most 7 mode names."),
    "wheelchair": ("invalid_wheelchair", "wheelchair must be true or false."),
    "max_walk_m": ("invalid_max_walk_m", "max_walk_m must be a whole number of metres, 0..5000."),
    "walk_speed": ("invalid_walk_speed", gettext_noop("walk_speed must be one of slow, normal, fast.")),
    "language": ("unsupported_language", "language must be one of fi, sv, en."),
    "num_itineraries": ("invalid_num_itineraries", "num_itineraries must be a whole number, 1..5."),
    "minutes": ("invalid_minutes", "minutes must be a whole number, 1..120."),
    ("minutes", "min_value"): ("minutes_out_of_range", "minutes must be between 1 and 120."),
    ("minutes", "max_value"): ("minutes_out_of_range", "minutes must be between 1 and 120."),
    "destinations": ("invalid_destinations", "destinations must be a list of {id, name, lat, lon}."),
    ("destinations", "max_length"): ("too_many_destinations",
                                     f"At most {MAX_DESTINATIONS} destinations per request."),
    "category": ("invalid_category", "category must be a short name (stops, schools, health, shops)."),
    "radius_m": ("invalid_radius_m", "radius_m must be a whole number of metres, 100..20000."),
    "format": ("invalid_format", "format must be json or geojson."),
    "non_field_errors": ("invalid_body", "The request body must be a JSON object."),
}


def _first_code(errors):
    """The DRF code of the first error in a (nested) error structure."""
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_code(value)
    if isinstance(errors, list) and errors:
        return _first_code(errors[0])
    return getattr(errors, "code", None)


def validated(serializer_class, data) -> dict:
    """Validated data, or ApiError(400) with a specific code for the first bad field."""
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    errors = serializer.errors
    field = next(iter(errors))
    drf_code = _first_code(errors[field])
    code, message = FIELD_CODES.get((field, drf_code)) or FIELD_CODES.get(field) or (f"invalid_{field}", None)
    raise ApiError(_(message) if message else _("Invalid value for %(field)s.") % {"field": field}, code=code,
                   details={"field": field, "errors": errors})


@extend_schema_field({"type": "string", "enum": sorted(MODES)})
class ModeField(serializers.CharField):
    """A request mode; unknown names are answered by planner.plan.validate (400 unknown_mode, details.allowed)."""


class PointSerializer(StrictStringsMixin, serializers.Serializer):
    """A coordinate {"lat","lon"} or a GTFS stop {"stop_id"}: `FEED:ID`, or a bare id that one active feed has."""

    openapi_extra = requires_any(["lat", "lon"], ["stop_id"])

    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    stop_id = serializers.CharField(required=False, max_length=74)

    def validate(self, attrs):
        if not attrs.get("stop_id") and ("lat" not in attrs or "lon" not in attrs):
            raise serializers.ValidationError("Give lat and lon, or stop_id.")
        if any(k in attrs and not math.isfinite(attrs[k]) for k in ("lat", "lon")):
            raise serializers.ValidationError("lat and lon must be finite numbers.")
        return attrs


class PlanRequestSerializer(serializers.Serializer):
    openapi_extra = {"not": {"required": ["departure", "arrival"]}}  # 400 time_required

    locals()["from"] = PointSerializer()
    to = PointSerializer()
    departure = serializers.DateTimeField(
        required=False, help_text="Leave at (ISO-8601; naive = Helsinki time). Give departure or arrival, not "
                                  "both; neither means leaving now.")
    arrival = serializers.DateTimeField(required=False, help_text="Arrive by (instead of departure).")
    modes = serializers.ListField(child=ModeField(max_length=32), required=False, max_length=7,
                                  help_text="Default [walk, transit].")
    wheelchair = serializers.BooleanField(required=False, default=False)
    max_walk_m = serializers.IntegerField(
        required=False, min_value=0, max_value=5000,
        help_text="Longest walk leg, metres, in every itinerary (transit access/egress/transfer walks, the walk "
                  "to a shared vehicle and walk-only trips). When given, itineraries with a longer walk leg are "
                  "left out, and if that leaves none the answer is 400 no_itinerary_within_limits. When "
                  "omitted, transit access/egress use 1500 m each and walk-only trips are offered as before.")
    walk_speed = serializers.ChoiceField(
        choices=list(WALK_SPEEDS_MPS), required=False,
        help_text="Walking pace for walk legs to, from and without transit (slow 0.9, normal 1.2, fast 1.6 m/s). "
                  "Default: the resident profile's walking_speed, else normal. Transfers between stops inside "
                  "the transit network keep the network's 1.2 m/s.")
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    num_itineraries = serializers.IntegerField(required=False, min_value=1, max_value=5, default=3)


@extend_schema_field({"type": "string", "enum": ["transit", "walk"]})
class AccessibilityModeField(serializers.CharField):
    """walk or transit; other modes are answered by planner.plan.accessibility (400 unsupported_mode)."""


class DestinationSerializer(StrictStringsMixin, serializers.Serializer):
    id = serializers.CharField(required=False, max_length=100)
    name = serializers.CharField(required=False, max_length=200)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    category = serializers.CharField(required=False, max_length=32)

    def validate(self, attrs):
        if not (math.isfinite(attrs["lat"]) and math.isfinite(attrs["lon"])):
            raise serializers.ValidationError("lat and lon must be finite numbers.")
        return attrs


class AccessibilityRequestSerializer(StrictStringsMixin, serializers.Serializer):
    origin = PointSerializer()
    minutes = serializers.IntegerField(min_value=1, max_value=120)
    modes = serializers.ListField(child=AccessibilityModeField(max_length=32), required=False, max_length=7)
    departure = serializers.DateTimeField(required=False)
    wheelchair = serializers.BooleanField(required=False, default=False)
    destinations = DestinationSerializer(many=True, required=False, max_length=MAX_DESTINATIONS)
    category = serializers.CharField(required=False, max_length=32)
    radius_m = serializers.IntegerField(required=False, min_value=100, max_value=20000, default=3000)
    format = serializers.ChoiceField(choices=("json", "geojson"), required=False, default="json")
