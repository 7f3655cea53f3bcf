"""Booking API shapes."""
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from maas.api.fields import StrictStringsMixin
from maas.bookings.models import Booking, BookingEvent

MAX_LEG_SECONDS = 7 * 24 * 3600
MAX_LEG_METRES = 1_000_000
MAX_REF_LENGTH = 200  # Booking.vehicle_id / station_id / end_station_id
MAX_TEXT = 200  # names, route and trip ids
MAX_POINTS = 5000  # geometry vertices
MAX_POLYLINE = 50_000
MAX_STEPS = 500
LEG_MODES = {"walk", "bike", "city_bike", "scooter", "car", "tram", "metro", "bus", "rail", "ferry", "taxi"}
LEG_MODE_CHOICES = sorted(LEG_MODES)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not declare (400 `unknown_field` at the key), so nothing unchecked is stored."""

    openapi_input = True  # a booking's leg echoes it: the same shape in answers
    openapi_extra = {"additionalProperties": False}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key)[:64] for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: [serializers.ErrorDetail("Unknown field.", "unknown_field")]
                                                   for key in unknown})
        return super().to_internal_value(data)


class Text(serializers.CharField):
    """A JSON string (numbers are not turned into text); NUL characters refused by CharField."""

    def __init__(self, max_length=MAX_TEXT, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Expected a string.", code="invalid")
        return super().to_internal_value(data)


class PlaceSerializer(StrictSerializer):
    name = Text()
    stop_id = Text()
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


@extend_schema_field({"type": "string", "format": "date-time"})
class IsoDateTimeText(Text):
    """An ISO-8601 date-time string, kept as sent."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise serializers.ValidationError("Expected an ISO-8601 date-time.", code="invalid_time")
        return value


class GeometrySerializer(StrictSerializer):
    """A GeoJSON LineString."""

    type = serializers.ChoiceField(choices=["LineString"])
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(min_value=-180, max_value=180),
                                    min_length=2, max_length=3),
        max_length=MAX_POINTS)


class StepSerializer(StrictSerializer):
    """A turn-by-turn step of a street leg (as POST /plans gives it)."""

    street_name = Text()
    bogus_name = serializers.BooleanField(required=False)
    relative_direction = Text(max_length=32)
    absolute_direction = Text(max_length=32)
    distance_m = serializers.IntegerField(required=False, min_value=0, max_value=MAX_LEG_METRES)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2 ** 31 - 1})
class ProviderIdField(serializers.IntegerField):
    """A JSON integer in 1 .. 2**31-1 (not a numeric string, not a boolean)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2 ** 31:
            raise serializers.ValidationError("provider_id must be a positive integer.", code="invalid")
        return data


class RefText(Text):
    """A vehicle or station id: a string of at most MAX_REF_LENGTH characters, or null."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > MAX_REF_LENGTH:
            raise serializers.ValidationError(
                f"{self.field_name} must be a string of at most {MAX_REF_LENGTH} characters, or null.",
                code="invalid")
        return super().to_internal_value(data)


class BookingRefSerializer(StrictSerializer):
    provider_id = ProviderIdField(error_messages={"null": "provider_id must be a positive integer.",
                                                  "required": "provider_id must be a positive integer."})
    vehicle_id = RefText(max_length=MAX_REF_LENGTH)
    station_id = RefText(max_length=MAX_REF_LENGTH)
    end_station_id = RefText(max_length=MAX_REF_LENGTH)


@extend_schema_field({"type": "string", "enum": LEG_MODE_CHOICES})
class ModeText(Text):
    """A leg's mode; another is answered by creation.bookable_provider (400 unknown_mode)."""


class LegInputSerializer(StrictSerializer):
    """An itinerary leg as POST /plans gives it (docs/interfaces.md); unknown keys are refused."""

    mode = ModeText(max_length=32, required=True, allow_null=False, allow_blank=False)
    transit = serializers.BooleanField(required=False, default=False)
    route_id = Text()
    route_short_name = Text()
    route_color = Text(max_length=16)
    trip_id = Text()
    start_time = IsoDateTimeText()
    end_time = IsoDateTimeText()
    duration_s = serializers.IntegerField(required=False, min_value=0, max_value=MAX_LEG_SECONDS)
    distance_m = serializers.IntegerField(required=False, min_value=0, max_value=MAX_LEG_METRES)
    geometry = GeometrySerializer(required=False, allow_null=True)
    polyline = Text(max_length=MAX_POLYLINE)
    steps = StepSerializer(many=True, required=False, max_length=MAX_STEPS)
    co2_g = serializers.IntegerField(required=False, min_value=0, max_value=10 ** 9)
    crow_fly = serializers.BooleanField(required=False)
    booking = BookingRefSerializer(allow_null=True, required=False)
    zones = serializers.ListField(child=Text(max_length=8, allow_null=False), max_length=10, required=False,
                                  allow_null=True)
    # "from" is a Python keyword: declared in __init__.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = PlaceSerializer()
        self.fields["to"] = PlaceSerializer()


@extend_schema_field(LegInputSerializer)
class LegField(serializers.JSONField):
    """An itinerary leg as POST /plans returned it (other keys are kept)."""


class BookingCreateSerializer(serializers.Serializer):
    leg = LegField(help_text="A leg of an itinerary from POST /plans, as returned (its `booking` says what to book).")

    def validate_leg(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Expected an itinerary leg object.")
        checked = LegInputSerializer(data=value)
        checked.is_valid(raise_exception=True)
        return value  # as sent (every key now checked): replays compare and echo exactly this


class ActionSerializer(StrictStringsMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class BookingEventSerializer(serializers.ModelSerializer):
    from_state = serializers.CharField(help_text='"" for the creation event')
    to_state = serializers.CharField()

    class Meta:
        model = BookingEvent
        fields = ["from_state", "to_state", "actor_label", "reason", "details", "created_at"]


class BookingPriceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    quoted_cents = serializers.IntegerField(allow_null=True)
    charge_cents = serializers.IntegerField(allow_null=True)
    covered = serializers.BooleanField()
    authorized_cents = serializers.IntegerField(allow_null=True)
    final_cents = serializers.IntegerField(allow_null=True)
    captured_cents = serializers.IntegerField(allow_null=True)


class BookingSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()
    leg = LegField(read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id", "user", "state", "mode", "provider_id", "vehicle_id", "station_id", "end_station_id",
            "external_id", "provider_attempts", "expires_at", "confirmed_at", "started_at", "finished_at",
            "created_at", "updated_at", "price", "leg",
        ]

    @extend_schema_field(BookingPriceSerializer)
    def get_price(self, booking):
        return {
            "currency": booking.currency, "quoted_cents": booking.quoted_cents,
            "charge_cents": booking.charge_cents, "covered": booking.covered,
            "authorized_cents": booking.authorized_cents, "final_cents": booking.final_cents,
            "captured_cents": booking.captured_cents,
        }


class BookingDetailSerializer(BookingSerializer):
    events = BookingEventSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "events"]
