"""Timetable API: departure boards and stop search (thin views over planner.timetable)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from maas.api import query
from maas.api.errors import ApiError
from maas.api.schema import refusals
from planner.realtime import boards as realtime_boards
from planner.timetable import departures as boards
from planner.timetable import service_days, stop_search
from planner.timetable.api_shapes import DepartureBoardSerializer, StopListSerializer
from planner.timetable.feeds import qualify, require_active_feeds, resolve_stop

MAX_RADIUS_M = 5000


def _language() -> str:
    return (get_language() or "en")[:2]


def _int_param(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:  # "?limit=" is not a number (the schema's integer)
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        code = "invalid_radius" if name == "radius" else f"invalid_{name}"
        raise ApiError(_("%(name)s must be a whole number from %(low)s to %(high)s.") % {
            "name": name, "low": low, "high": high}, code=code, details={"field": name})
    return value


def _when(raw: str | None, tz: ZoneInfo) -> datetime:
    """The request time: ISO-8601; without an offset it is the feed's wall time; absent: now."""
    if raw is None:  # "?time=" is not a date-time
        return timezone.now()
    try:
        parsed = parse_datetime(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiError(_("time must be an ISO-8601 date and time."), code="invalid_time", details={"field": "time"})
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


class DeparturesView(APIView):
    """GET /api/v1/stops/{stop_id}/departures: the next scheduled departures at a stop or station."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("time", OpenApiTypes.DATETIME),
                               OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 100})],
                   responses={200: DepartureBoardSerializer})
    def get(self, request, stop_id: str):
        limit = _int_param(request.query_params, "limit", 10, 1, 100)
        stop = resolve_stop(stop_id, require_active_feeds())
        when = _when(request.query_params.get("time"), service_days.feed_zone(stop.feed_id))
        language = _language()
        feed = stop.feed.name
        realtime = realtime_boards.BoardRealtime.read(feed)
        rows = boards.departures(stop, when, limit, language, realtime)
        return Response({
            "stop": {"id": qualify(feed, stop.stop_id), "name": (stop.names or {}).get(language)
                     or stop.name, "location_type": stop.location_type},
            "time": when.astimezone(service_days.feed_zone(stop.feed_id)).isoformat(),
            "departures": [row for row in rows if not row["canceled"]],
            "canceled": [row for row in rows if row["canceled"]],
            "alerts": realtime.alerts({s.stop_id for s in boards.platforms(stop)},
                                      {row["route"]["id"].split(":", 1)[1] for row in rows}, language),
            "realtime": realtime.status()["realtime"],
        })


class StopsView(APIView):
    """GET /api/v1/stops?near=lat,lon&radius=m or ?q=text: stops of the active feeds."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[
        OpenApiParameter("near", str, pattern=query.NEAR_PATTERN,
                         description="lat,lon (WGS84 decimal degrees, -90..90, -180..180)"),
        OpenApiParameter("radius", {"type": "integer", "minimum": 1, "maximum": MAX_RADIUS_M}),
        OpenApiParameter("q", {"type": "string", "maxLength": 100, "pattern": query.TWO_VISIBLE_PATTERN},
                         description="at least 2 characters besides outer spaces"),
        OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 100})],
        responses={200: StopListSerializer, 400: refusals(
            "query_required: give near or q, not both (a rule between parameters no schema can state).")})
    def get(self, request):
        params = request.query_params
        near, text = params.get("near"), params.get("q")
        if (near is None) == (text is None):  # "?near=" is a near (not one), as the schema's pattern says
            raise ApiError(_("Give either near=lat,lon or q=text."), code="query_required")
        limit = _int_param(params, "limit", 20, 1, 100)
        radius = _int_param(params, "radius", 500, 1, MAX_RADIUS_M)  # checked whenever given (ignored with q)
        if text is not None:
            if not query.matches(query.TWO_VISIBLE_PATTERN, text) or len(text) > 100:
                raise ApiError(_("q must be 2 to 100 characters."), code="invalid_q", details={"field": "q"})
            return Response({"stops": stop_search.stops_matching(require_active_feeds(), text, limit, _language())})
        try:
            lat, lon = query.near(near)
        except ValueError:
            raise ApiError(_("near must be lat,lon in degrees."), code="invalid_near", details={"field": "near"})
        feeds = require_active_feeds()
        return Response({"stops": stop_search.stops_near(feeds, lat, lon, radius, limit, _language())})
