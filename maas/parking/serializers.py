"""Request and response shapes of the parking API."""
import copy

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from maas.api.fields import StrictStringsMixin
from maas.parking import selectors
from maas.parking.models import Facility, ParkAndRideReservation, Permit
from maas.parking.services import PLATE_INPUT_PATTERN

DB_ID = {"min_value": 1, "max_value": 2**63 - 1}  # bigint primary keys


@extend_schema_field({"type": "string", "maxLength": 20, "pattern": PLATE_INPUT_PATTERN,
                      "description": "A vehicle registration plate such as ABC-123 (any case; a space for the "
                                     "hyphen). Another value: 400 invalid_plate."})
class PlateField(serializers.CharField):
    """The format is checked by services.normalize_plate (400 invalid_plate)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)


class PermitApplySerializer(StrictStringsMixin, serializers.Serializer):
    area_id = serializers.IntegerField(**DB_ID)
    plate = PlateField()
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)


class PermitSerializer(serializers.ModelSerializer):
    """A permit as the resident sees it. The model's fields are worked out once per process (ModelSerializer
    otherwise inspects the model for every permit answered) and copied per serializer, as declared fields are."""

    area = serializers.CharField(source="area_code")
    facility_id = serializers.IntegerField(allow_null=True)
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Permit
        fields = ["id", "area_id", "area", "facility_id", "plate", "status", "waitlist_position",
                  "valid_from", "valid_until", "requested_at", "granted_at", "ended_at"]

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)

    def get_waitlist_position(self, permit) -> int | None:
        ahead = getattr(permit, "queue_ahead_at_application", None)  # the answer to an application
        if ahead is not None and permit.status == Permit.WAITLISTED:
            return ahead + 1
        return selectors.waitlist_position(permit)


class AreaSerializer(serializers.Serializer):
    area_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    rule = serializers.CharField()
    households = serializers.IntegerField()
    cap = serializers.IntegerField()
    used = serializers.IntegerField()
    waitlist = serializers.IntegerField()
    free = serializers.IntegerField()
    over_cap = serializers.IntegerField()


class ParkAndRideQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    radius_m = serializers.IntegerField(min_value=1, max_value=50_000, default=2000)
    day = serializers.DateField(required=False)


class ParkAndRideOptionSerializer(serializers.Serializer):
    facility_id = serializers.IntegerField()
    name = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    free_spaces = serializers.IntegerField()
    capacity = serializers.IntegerField()
    distance_m = serializers.IntegerField()


class ReservationRequestSerializer(StrictStringsMixin, serializers.Serializer):
    facility_id = serializers.IntegerField(**DB_ID)
    day = serializers.DateField()
    plate = PlateField()


class ReservationSerializer(serializers.ModelSerializer):
    facility_id = serializers.IntegerField()
    facility_name = serializers.CharField(source="facility.name")

    class Meta:
        model = ParkAndRideReservation
        fields = ["id", "facility_id", "facility_name", "capacity_type", "day", "plate", "status", "created_at"]


class FacilitySerializer(serializers.ModelSerializer):
    capacities = serializers.SerializerMethodField()

    class Meta:
        model = Facility
        fields = ["id", "liipi_id", "name", "name_fi", "name_sv", "lat", "lon", "status", "usages", "capacities"]

    @extend_schema_field({"type": "object", "description": "capacity type (CAR, ...) -> counts",
                          "additionalProperties": {"type": "object", "properties": {
                              "capacity": {"type": "integer"},
                              "spaces_available": {"type": "integer", "nullable": True},
                              "reported_at": {"type": "string", "format": "date-time", "nullable": True}}}})
    def get_capacities(self, facility):
        return {c.capacity_type: {"capacity": c.capacity, "spaces_available": c.spaces_available,
                                  "reported_at": c.reported_at} for c in facility.capacities.all()}
