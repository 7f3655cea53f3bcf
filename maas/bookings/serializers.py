"""Booking API shapes."""
from rest_framework import serializers

from maas.bookings.models import Booking, BookingEvent


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


class LegInputSerializer(serializers.Serializer):
    """The parts of an itinerary leg (docs/interfaces.md) a booking needs; other keys are kept."""

    mode = serializers.CharField()
    transit = serializers.BooleanField(required=False, default=False)
    start_time = serializers.CharField(required=False, allow_null=True)
    end_time = serializers.CharField(required=False, allow_null=True)
    duration_s = serializers.IntegerField(required=False, min_value=0)
    distance_m = serializers.IntegerField(required=False, min_value=0)
    booking = serializers.DictField(allow_null=True, required=False)
    # "from" is a Python keyword: declared in __init__.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = PlaceSerializer()
        self.fields["to"] = PlaceSerializer()

    def validate_booking(self, value):
        if value is not None:
            provider_id = value.get("provider_id")
            if isinstance(provider_id, bool) or not isinstance(provider_id, int):
                raise serializers.ValidationError("provider_id must be an integer.")
        return value


class BookingCreateSerializer(serializers.Serializer):
    leg = serializers.JSONField()

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


class BookingSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id", "user", "state", "mode", "provider_id", "vehicle_id", "station_id", "end_station_id",
            "external_id", "provider_attempts", "expires_at", "confirmed_at", "started_at", "finished_at",
            "created_at", "updated_at", "price", "leg",
        ]

    def get_price(self, booking) -> dict:
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
