"""Real-time API: active service alerts and transit vehicle positions (thin views over selectors)."""
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from maas.api import query
from maas.api.errors import ApiError
from maas.api.schema import EnvelopeAPIView, refusals
from planner.realtime import selectors
from planner.realtime.api_shapes import AlertListSerializer, TransitVehicleListSerializer

LANGUAGES = ("fi", "sv", "en")
MAX_RADIUS_M = 5000
ID_SCHEMA = {"type": "string", "maxLength": 200, "pattern": query.VISIBLE_PATTERN}


def request_language(request) -> str:
    lang = request.query_params.get("lang")
    if lang is not None and lang not in LANGUAGES:  # "?lang=" too: the schema's enum
        raise ApiError(_("lang must be one of fi, sv, en."), code="unsupported_language",
                       details={"field": "lang", "allowed": list(LANGUAGES)})
    lang = (lang or get_language() or "fi")[:2].lower()
    return lang if lang in LANGUAGES else "fi"


def _unknown_params(request, allowed):
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ApiError(_("Unknown query parameter: %(name)s.") % {"name": unknown[0]}, code="unknown_parameter",
                       details={"field": unknown[0], "allowed": sorted(allowed)})


def _id_param(request, name):
    value = request.query_params.get(name)
    if value is not None and (not query.matches(query.VISIBLE_PATTERN, value) or len(value) > 200):
        raise ApiError(_("%(field)s must be an id such as hsl:1234.") % {"field": name}, code="invalid_id",
                       details={"field": name})
    return value


class AlertListView(EnvelopeAPIView):
    """GET /alerts?route=&stop=&trip=&agency= — active service alerts, in the request's language."""

    PARAMS = ("route", "stop", "trip", "agency", "lang")

    @extend_schema(parameters=[OpenApiParameter(p, ID_SCHEMA, description="feed-qualified id (FEED:ID) or plain id")
                               for p in PARAMS[:4]] + [OpenApiParameter("lang", str, enum=LANGUAGES)],
                   responses={200: AlertListSerializer})
    def get(self, request):
        _unknown_params(request, self.PARAMS)
        ids = {p: _id_param(request, p) for p in self.PARAMS[:4]}
        feeds = selectors.feeds_with_sources()
        items = selectors.active_alerts(feeds, language=request_language(request), **ids)
        return Response({"count": len(items), "results": items,
                         "realtime": {f: selectors.status(f) for f in feeds}})


class TransitVehicleListView(EnvelopeAPIView):
    """GET /transit/vehicles?near=lat,lon&radius=m or ?trip=FEED:TRIP_ID — live vehicle positions."""

    PARAMS = ("near", "radius", "trip")

    @extend_schema(parameters=[
        OpenApiParameter("near", str, pattern=query.NEAR_PATTERN,
                         description="lat,lon (WGS84 decimal degrees, -90..90, -180..180)"),
        OpenApiParameter("radius", {"type": "integer", "minimum": 1, "maximum": MAX_RADIUS_M},
                         description="metres, default 500"),
        OpenApiParameter("trip", ID_SCHEMA, description="FEED:TRIP_ID")],
        responses={200: TransitVehicleListSerializer, 400: refusals(
            "near_or_trip_required: give near or trip (a rule between parameters no schema can state).")})
    def get(self, request):
        _unknown_params(request, self.PARAMS)
        trip = _id_param(request, "trip")
        near = None
        max_radius = int(getattr(settings, "REALTIME_MAX_RADIUS_M", MAX_RADIUS_M))
        try:  # checked whenever given (it was ignored with trip)
            radius = int(request.query_params.get("radius", 500))
        except ValueError:
            radius = -1
        if not 1 <= radius <= max_radius:
            raise ApiError(_("radius must be 1..%(max)d metres.") % {"max": max_radius}, code="invalid_radius",
                           details={"field": "radius"})
        if "near" in request.query_params:
            try:
                near = query.near(request.query_params["near"])
            except ValueError:
                raise ApiError(_("near must be 'lat,lon'."), code="invalid_near", details={"field": "near"})
        elif trip is None:
            raise ApiError(_("Give near=lat,lon (and radius) or trip=FEED:TRIP_ID."), code="near_or_trip_required",
                           details={"fields": ["near", "trip"]})
        feeds = selectors.feeds_with_sources()
        items = selectors.vehicles(feeds, near=near, radius_m=radius, trip=trip)[:500]
        return Response({"count": len(items), "results": items,
                         "realtime": {f: selectors.status(f) for f in feeds}})
