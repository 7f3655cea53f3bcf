"""Request shapes of the planner API (semantic checks with specific error codes live in planner.routing)."""
from rest_framework import serializers

LANGUAGES = ("fi", "sv", "en")


class PointSerializer(serializers.Serializer):
    """A coordinate {"lat","lon"} or a GTFS stop {"stop_id"}."""

    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    stop_id = serializers.CharField(required=False, max_length=64)

    def validate(self, attrs):
        if not attrs.get("stop_id") and ("lat" not in attrs or "lon" not in attrs):
            raise serializers.ValidationError("Give lat and lon, or stop_id.")
        return attrs


class PlanRequestSerializer(serializers.Serializer):
    locals()["from"] = PointSerializer()
    to = PointSerializer()
    departure = serializers.DateTimeField(required=False)
    arrival = serializers.DateTimeField(required=False)
    modes = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=6)
    wheelchair = serializers.BooleanField(required=False, default=False)
    max_walk_m = serializers.IntegerField(required=False, min_value=0, max_value=5000, default=1500)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    num_itineraries = serializers.IntegerField(required=False, min_value=1, max_value=5, default=3)


class DestinationSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=100)
    name = serializers.CharField(required=False, max_length=200)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    category = serializers.CharField(required=False, max_length=32)


class AccessibilityRequestSerializer(serializers.Serializer):
    origin = PointSerializer()
    minutes = serializers.IntegerField(min_value=1, max_value=120)
    modes = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=6)
    departure = serializers.DateTimeField(required=False)
    wheelchair = serializers.BooleanField(required=False, default=False)
    destinations = DestinationSerializer(many=True, required=False, max_length=2000)
    category = serializers.CharField(required=False, max_length=32)
    radius_m = serializers.IntegerField(required=False, min_value=100, max_value=20000, default=3000)
    format = serializers.ChoiceField(choices=("json", "geojson"), required=False, default="json")
