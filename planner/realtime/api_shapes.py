"""OpenAPI shapes of the real-time answers (GET /alerts, GET /transit/vehicles, the alerts of a departure
board): documentation for generated clients; tests/api_contract checks real answers against them."""
from rest_framework import serializers

from planner.realtime.alerts import CAUSES, EFFECTS
from planner.realtime.store import KINDS


class FeedKindStatusSerializer(serializers.Serializer):
    stale = serializers.BooleanField()
    header_ts = serializers.IntegerField(help_text="The feed message's header timestamp (Unix seconds).")
    age_s = serializers.IntegerField()


class FeedRealtimeStatusSerializer(serializers.Serializer):
    """Real-time state of one feed; a kind is present only when the feed has been polled for it."""

    realtime = serializers.BooleanField(help_text="Some kind is present and not stale.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in KINDS:
            self.fields[kind] = FeedKindStatusSerializer(required=False)


class ActivePeriodSerializer(serializers.Serializer):
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)


class InformedEntitySerializer(serializers.Serializer):
    """Feed-qualified ids (FEED:ID) the alert informs; null where the feed gives none."""

    agency_id = serializers.CharField(allow_null=True)
    route_id = serializers.CharField(allow_null=True)
    stop_id = serializers.CharField(allow_null=True)
    trip_id = serializers.CharField(allow_null=True)


class AlertSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="FEED:ALERT_ID")
    feed = serializers.CharField()
    cause = serializers.ChoiceField(choices=sorted(set(CAUSES.values())))
    effect = serializers.ChoiceField(choices=sorted(set(EFFECTS.values())))
    header = serializers.CharField(allow_null=True, allow_blank=True, help_text="In `language` where the feed has it.")
    description = serializers.CharField(allow_null=True, allow_blank=True)
    url = serializers.CharField(allow_null=True, allow_blank=True)
    language = serializers.CharField(help_text="The language asked for (fi, sv, en).")
    active_periods = ActivePeriodSerializer(many=True, help_text="Empty: always active.")
    informed_entities = InformedEntitySerializer(many=True)


class AlertListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = AlertSerializer(many=True)
    realtime = serializers.DictField(child=FeedRealtimeStatusSerializer(), help_text="By feed name.")


class TransitVehicleSerializer(serializers.Serializer):
    vehicle_id = serializers.CharField(help_text="FEED:VEHICLE_ID")
    feed = serializers.CharField()
    label = serializers.CharField(allow_null=True, allow_blank=True)
    trip_id = serializers.CharField(allow_null=True, help_text="FEED:TRIP_ID when matched to the timetable.")
    route_id = serializers.CharField(allow_null=True, help_text="FEED:ROUTE_ID")
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    bearing = serializers.FloatField(allow_null=True)
    speed_mps = serializers.FloatField(allow_null=True)
    occupancy = serializers.CharField(allow_null=True)
    current_status = serializers.CharField(allow_null=True)
    stop_id = serializers.CharField(allow_null=True, help_text="As the feed gives it (not feed-qualified).")
    timestamp = serializers.IntegerField(help_text="Position time (Unix seconds).")
    age_s = serializers.IntegerField()
    distance_m = serializers.IntegerField(required=False, help_text="With near=: from that point.")


class TransitVehicleListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = TransitVehicleSerializer(many=True)
    realtime = serializers.DictField(child=FeedRealtimeStatusSerializer(), help_text="By feed name.")
