"""OpenAPI shapes of the providers API answers (vehicles, stations, push result): documentation for
generated clients; tests/api_contract checks real answers against them."""
from rest_framework import serializers

from providers.models import Provider


class ProviderFreshnessSerializer(serializers.Serializer):
    provider_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Provider.Kind.values)
    last_updated = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="The feed is older than the provider's stale-after limit.")


class _Freshness(serializers.Serializer):
    provider_name = serializers.CharField()
    last_updated = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField()
    fresh = serializers.BooleanField()
    distance_m = serializers.IntegerField()


class VehicleSerializer(_Freshness):
    provider_id = serializers.IntegerField()
    vehicle_id = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    vehicle_type = serializers.CharField(allow_null=True)
    range_m = serializers.IntegerField(allow_null=True)


class StationSerializer(_Freshness):
    provider_id = serializers.IntegerField()
    station_id = serializers.CharField()
    name = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    bikes_available = serializers.IntegerField()
    docks_available = serializers.IntegerField(allow_null=True)


class VehicleListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = VehicleSerializer(many=True)
    providers = ProviderFreshnessSerializer(many=True)


class StationListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = StationSerializer(many=True)
    providers = ProviderFreshnessSerializer(many=True)


class PushResultSerializer(serializers.Serializer):
    provider_id = serializers.IntegerField()
    snapshot_id = serializers.IntegerField()
    replaced = serializers.ListField(child=serializers.ChoiceField(choices=["vehicles", "stations"]),
                                     help_text="The sections this push replaced.")
    stations = serializers.IntegerField()
    vehicles = serializers.IntegerField()
    last_updated = serializers.DateTimeField()
    stale = serializers.BooleanField()
