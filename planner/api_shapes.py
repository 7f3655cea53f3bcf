"""OpenAPI shapes of the planner's answers (docs/interfaces.md "Itinerary"): what POST /plans and
POST /accessibility return, typed for generated clients. Documentation only: the views return the
routing dicts as they are; tests/api_contract checks real answers against these shapes."""
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers

from billing.api_shapes import PriceSerializer
from maas.api.schema import ErrorEnvelopeSerializer
from planner.engines.base import MODES
from planner.realtime.api_shapes import AlertSerializer
from planner.routing_errors import MESSAGES as ROUTING_ERROR_CODES

# Modes of a leg in an answer: the request modes expand to these (transit → tram, metro, bus, ...).
LEG_MODES = ("walk", "bike", "city_bike", "scooter", "car", "tram", "metro", "bus", "rail", "ferry", "taxi")
REQUEST_MODES = tuple(sorted(MODES))


class ItineraryPlaceSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Stop name in the request's language, or Origin/Destination.")
    stop_id = serializers.CharField(allow_null=True, help_text="The stop's feed-qualified id `FEED:ID` (e.g. "
                                    "`hsl:1100602`) when the place is a stop.")
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class LineStringSerializer(serializers.Serializer):
    """GeoJSON LineString, coordinates [lon, lat]."""

    type = serializers.ChoiceField(choices=["LineString"])
    coordinates = serializers.ListField(child=serializers.ListField(child=serializers.FloatField(),
                                                                    min_length=2, max_length=3))


class StreetStepSerializer(serializers.Serializer):
    street_name = serializers.CharField(allow_null=True, required=False)
    bogus_name = serializers.BooleanField(required=False)
    relative_direction = serializers.CharField(allow_null=True, required=False)
    absolute_direction = serializers.CharField(allow_null=True, required=False)
    distance_m = serializers.IntegerField(required=False)
    lat = serializers.FloatField(required=False)
    lon = serializers.FloatField(required=False)


class IntermediateStopSerializer(serializers.Serializer):
    """A stop a transit leg passes between boarding and alighting (scheduled times)."""

    stop_id = serializers.CharField(help_text="Feed-qualified, `FEED:ID`.")
    name = serializers.CharField(help_text="In the request's language.")
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    arrival = serializers.DateTimeField(allow_null=True, help_text="Null where the feed leaves the stop untimed.")
    departure = serializers.DateTimeField(allow_null=True, help_text="Null where the feed leaves the stop untimed.")


class LegBookingSerializer(serializers.Serializer):
    """What POST /bookings needs to book this leg (shared vehicles, taxi)."""

    provider_id = serializers.IntegerField()
    vehicle_id = serializers.CharField(allow_null=True, required=False)
    station_id = serializers.CharField(allow_null=True, required=False)
    end_station_id = serializers.CharField(allow_null=True, required=False)


class EstimatedTimeSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="Expected time from the real-time trip updates.")
    delay_s = serializers.IntegerField(help_text="Estimated minus scheduled, seconds (negative: early).")


class LegTimeSerializer(serializers.Serializer):
    """A transit leg's departure or arrival: the timetable time and, with real time, the estimate."""

    scheduled_time = serializers.DateTimeField()
    estimated = EstimatedTimeSerializer(allow_null=True, help_text="Null without real time for the trip.")


class LegSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=LEG_MODES)
    transit = serializers.BooleanField(help_text="True for scheduled public transport.")
    route_id = serializers.CharField(allow_null=True, help_text="Feed-qualified, `FEED:ID` (e.g. `hsl:31M1`).")
    route_short_name = serializers.CharField(allow_null=True)
    route_color = serializers.CharField(allow_null=True, help_text="#RRGGBB")
    trip_id = serializers.CharField(allow_null=True, help_text="Feed-qualified, `FEED:ID` (embedded engine).")
    headsign = serializers.CharField(required=False, allow_null=True)
    intermediate_stops = IntermediateStopSerializer(
        many=True, required=False, allow_null=True,
        help_text="Transit legs: the stops passed between boarding and alighting (null: trip not in an active feed).")
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    duration_s = serializers.IntegerField()
    distance_m = serializers.IntegerField()
    geometry = LineStringSerializer(allow_null=True)
    polyline = serializers.CharField(required=False, allow_null=True,
                                     help_text="The geometry as an encoded polyline (precision 5).")
    steps = StreetStepSerializer(many=True, required=False, help_text="Turn-by-turn steps of a street leg.")
    co2_g = serializers.IntegerField()
    crow_fly = serializers.BooleanField(help_text="Walk approximated without a street network.")
    booking = LegBookingSerializer(allow_null=True, help_text="Set on legs that need a booking.")
    zones = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                  help_text="HSL fare zones touched (transit legs), when known.")
    start = LegTimeSerializer(required=False, help_text="Transit legs: scheduled and estimated departure.")
    end = LegTimeSerializer(required=False, help_text="Transit legs: scheduled and estimated arrival.")
    realtime = serializers.BooleanField(required=False, help_text="Transit legs: times come from real time.")
    delay_s = serializers.IntegerField(required=False, help_text="Transit legs: arrival delay, 0 without real time.")
    alerts = AlertSerializer(many=True, required=False, help_text="Transit legs: active alerts on the route, "
                             "trip, boarding or alighting stop.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = ItineraryPlaceSerializer()
        self.fields["to"] = ItineraryPlaceSerializer()


class ParkAndRideSerializer(serializers.Serializer):
    facility_id = serializers.IntegerField()
    free_spaces = serializers.IntegerField(help_text="Car spaces free on the day of travel.")


class ItinerarySerializer(serializers.Serializer):
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    duration_s = serializers.IntegerField()
    transfers = serializers.IntegerField()
    walk_distance_m = serializers.IntegerField()
    co2_g = serializers.IntegerField()
    legs = LegSerializer(many=True)
    price = PriceSerializer()
    park_and_ride = ParkAndRideSerializer(required=False, help_text="Set on park-and-ride itineraries.")


class RoutingErrorSerializer(serializers.Serializer):
    """Why a requested mode gave no itinerary (planner.routing_errors)."""

    mode = serializers.CharField(help_text="The requested mode that found nothing.")
    code = serializers.ChoiceField(choices=sorted(ROUTING_ERROR_CODES))
    message = serializers.CharField(help_text="In the request's language.")
    details = serializers.DictField()


class FeedVersionRefSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The feed's name, the prefix of its ids (`FEED:ID`).")
    version = serializers.IntegerField()


class PlanResponseSerializer(serializers.Serializer):
    itineraries = ItinerarySerializer(many=True)
    routing_errors = RoutingErrorSerializer(many=True, required=False,
                                            help_text="Requested modes that gave no itinerary, and why.")
    realtime = serializers.BooleanField(help_text="Some active feed has current trip updates.")
    feeds = FeedVersionRefSerializer(many=True, required=False,
                                     help_text="The feed versions of the routing network that answered (empty "
                                               "when no transit network was needed or the engine does not say).")


class DestinationResultSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, required=False)
    name = serializers.CharField(allow_null=True, required=False)
    category = serializers.CharField(allow_null=True, required=False)
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    reachable = serializers.BooleanField()
    travel_time_s = serializers.IntegerField(allow_null=True)
    travel_time_min = serializers.FloatField(allow_null=True, required=False)


class FeatureCollectionSerializer(serializers.Serializer):
    """GeoJSON FeatureCollection of the destinations (Point features, properties as in `destinations`)."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = serializers.ListField(child=serializers.DictField())


class AccessibilityResponseSerializer(serializers.Serializer):
    origin = serializers.DictField(help_text="The origin as requested ({lat, lon} or {stop_id}).")
    minutes = serializers.IntegerField()
    modes = serializers.ListField(child=serializers.CharField())
    departure = serializers.DateTimeField()
    reachable_count = serializers.IntegerField()
    total = serializers.IntegerField()
    destinations = DestinationResultSerializer(many=True)
    geojson = FeatureCollectionSerializer()


ACCESSIBILITY_ANSWER = PolymorphicProxySerializer(
    component_name="AccessibilityAnswer", serializers=[AccessibilityResponseSerializer, FeatureCollectionSerializer],
    resource_type_field_name=None)

PLAN_ERRORS = {
    400: OpenApiResponse(ErrorEnvelopeSerializer, description=(
        "Request shape: `invalid_coordinates`, `invalid_time`, `invalid_modes`, `invalid_wheelchair`, "
        "`invalid_max_walk_m`, `unsupported_language`, `invalid_num_itineraries`, `invalid_body`; routing: "
        "`unknown_mode` (details.allowed), `no_modes`, `time_required` (give exactly one of departure and "
        "arrival), `same_origin_destination`, `unknown_stop`, `ambiguous_stop_id` (a bare stop id several active "
        "feeds have: details.candidates, give one as `FEED:ID`), `outside_network_area` (details.bbox), "
        "`outside_service_dates` (details.service_start/service_end), `no_service_on_date`, "
        "`time_out_of_range`, `no_itinerary_within_limits` (details.max_walk_m, required_max_walk_m).")),
    503: OpenApiResponse(ErrorEnvelopeSerializer, description=(
        "The routing engine cannot answer: `no_active_feed`, `network_not_built`, "
        "`routing_engine_misconfigured`, ...")),
}

KALASATAMA = {"lat": 60.1873, "lon": 24.9770}
KAMPPI = {"lat": 60.1690, "lon": 24.9310}
PLAN_EXAMPLES = [
    OpenApiExample("Kalasatama to Kamppi, leaving now", request_only=True,
                   value={"from": KALASATAMA, "to": KAMPPI, "modes": ["walk", "transit", "city_bike"]}),
    OpenApiExample("Arrive by", request_only=True,
                   value={"from": KAMPPI, "to": KALASATAMA, "arrival": "2022-03-02T09:00:00+02:00",
                          "modes": ["walk", "transit"], "language": "en"}),
]
ACCESSIBILITY_EXAMPLES = [
    OpenApiExample("Stops within 15 minutes of Kalasatama", request_only=True,
                   value={"origin": KALASATAMA, "minutes": 15, "category": "stops", "radius_m": 2000}),
]
