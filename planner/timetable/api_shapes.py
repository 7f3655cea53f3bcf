"""OpenAPI shapes of the timetable answers (GET /stops, GET /stops/{stop_id}/departures): documentation
for generated clients; tests/api_contract checks real answers against them."""
from rest_framework import serializers

from planner.realtime.api_shapes import AlertSerializer


class StopSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="FEED:STOP_ID")
    feed = serializers.CharField()
    stop_id = serializers.CharField(help_text="The GTFS stop_id in its feed.")
    name = serializers.CharField(help_text="In the request's language when the feed translates it.")
    names = serializers.DictField(child=serializers.CharField(), help_text="Translations by language.")
    code = serializers.CharField(allow_null=True)
    platform = serializers.CharField(allow_null=True)
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    location_type = serializers.IntegerField(help_text="GTFS: 0 stop/platform, 1 station, ...")
    parent_station = serializers.CharField(allow_null=True, help_text="FEED:STOP_ID")
    wheelchair_boarding = serializers.BooleanField(allow_null=True, help_text="null: unknown")
    distance_m = serializers.IntegerField(required=False, help_text="With near=: from that point.")


class StopListSerializer(serializers.Serializer):
    stops = StopSerializer(many=True)


class BoardStopSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="FEED:STOP_ID")
    name = serializers.CharField()
    location_type = serializers.IntegerField()


class BoardRouteSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="FEED:ROUTE_ID")
    short_name = serializers.CharField(allow_blank=True)
    long_name = serializers.CharField(allow_blank=True)
    mode = serializers.CharField(help_text="tram, metro, bus, rail, ferry, ...")
    color = serializers.CharField(allow_null=True, help_text="#RRGGBB")


class DepartureSerializer(serializers.Serializer):
    stop_id = serializers.CharField(help_text="FEED:STOP_ID of the platform.")
    platform = serializers.CharField(allow_null=True)
    route = BoardRouteSerializer()
    trip_id = serializers.CharField(help_text="FEED:TRIP_ID")
    headsign = serializers.CharField(allow_null=True, allow_blank=True)
    scheduled_departure = serializers.DateTimeField()
    service_date = serializers.DateField()
    wheelchair_accessible = serializers.BooleanField(allow_null=True, help_text="null: unknown")
    realtime = serializers.BooleanField(help_text="A current real-time estimate exists for this row.")
    estimated_departure = serializers.DateTimeField(allow_null=True)
    delay_s = serializers.IntegerField(allow_null=True)
    canceled = serializers.BooleanField()
    skipped = serializers.BooleanField(help_text="The vehicle will not stop here.")
    added = serializers.BooleanField(help_text="An ADDED trip of real time: an extra vehicle (trip_id: the trip it "
                                               "doubles) or a trip the schedule does not have.")


class DepartureBoardSerializer(serializers.Serializer):
    stop = BoardStopSerializer()
    time = serializers.DateTimeField(help_text="The board's time in the feed's zone.")
    departures = DepartureSerializer(many=True)
    canceled = DepartureSerializer(many=True, help_text="Cancelled rows (not counted towards limit).")
    alerts = AlertSerializer(many=True, help_text="Active alerts of the stop and of the routes on the board.")
    realtime = serializers.BooleanField(help_text="The feed has usable real time.")
