"""Booking API shapes."""
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from maas.bookings.models import Booking, BookingEvent


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


MAX_LEG_SECONDS = 7 * 24 * 3600
MAX_LEG_METRES = 1_000_000
MAX_REF_LENGTH = 200  # Booking.vehicle_id / station_id / end_station_id


class IsoDateTimeText(serializers.CharField):
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


@extend_schema_field({"type": "object", "nullable": True, "required": ["provider_id"], "properties": {
    "provider_id": {"type": "integer", "minimum": 1},
    **{name: {"type": "string", "nullable": True, "maxLength": MAX_REF_LENGTH}
       for name in ("vehicle_id", "station_id", "end_station_id")}}})
class LegBookingField(serializers.DictField):
    """The leg's `booking` as POST /plans returned it (provider_id, vehicle_id, station_id, end_station_id)."""


class LegInputSerializer(serializers.Serializer):
    """The parts of an itinerary leg (docs/interfaces.md) a booking needs; other keys are kept."""

    mode = serializers.CharField(max_length=32)
    transit = serializers.BooleanField(required=False, default=False)
    start_time = IsoDateTimeText(required=False, allow_null=True)
    end_time = IsoDateTimeText(required=False, allow_null=True)
    duration_s = serializers.IntegerField(required=False, min_value=0, max_value=MAX_LEG_SECONDS)
    distance_m = serializers.IntegerField(required=False, min_value=0, max_value=MAX_LEG_METRES)
    booking = LegBookingField(allow_null=True, required=False)
    # "from" is a Python keyword: declared in __init__.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = PlaceSerializer()
        self.fields["to"] = PlaceSerializer()

    def validate_booking(self, value):
        if value is None:
            return value
        errors = {}
        provider_id = value.get("provider_id")
        if isinstance(provider_id, bool) or not isinstance(provider_id, int) or not 0 < provider_id < 2 ** 31:
            errors["provider_id"] = ["provider_id must be a positive integer."]
        for name in ("vehicle_id", "station_id", "end_station_id"):
            ref = value.get(name)
            if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_LENGTH):
                errors[name] = [f"{name} must be a string of at most {MAX_REF_LENGTH} characters, or null."]
        if errors:
            raise serializers.ValidationError(errors)
        return value


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
        return value


class ActionSerializer(serializers.Serializer):
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
