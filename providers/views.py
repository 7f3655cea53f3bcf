"""Provider API: authenticated availability push, and residents' vehicles/stations read API."""
import base64
import binascii
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response

from maas.api import parsers, query
from maas.api.errors import ApiError
from maas.api.schema import EnvelopeAPIView, refusals
from providers import push, push_schema, selectors, services
from providers.api_shapes import PushResultSerializer, StationListSerializer, VehicleListSerializer
from providers.models import Provider


def _raw_key(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


def _json_body(request):
    """The request body parsed as JSON, after the size limit and content-type checks."""
    limit = int(getattr(settings, "PROVIDERS_PUSH_MAX_BYTES", 1024 * 1024))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise ApiError(_("The body is larger than %(limit)d bytes.") % {"limit": limit}, code="payload_too_large",
                       details={"max_bytes": limit, "content_length": length}, status_code=413)
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(_("Send the availability as application/json."), code="unsupported_media_type",
                       status_code=415)
    stream = request.stream  # read directly: our limit applies, not DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise ApiError(_("The body is larger than %(limit)d bytes.") % {"limit": limit}, code="payload_too_large",
                       details={"max_bytes": limit}, status_code=413)
    try:
        return parsers.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(_("The body is not valid JSON."), code="invalid_json", details={"error": str(exc)[:200]})


class AvailabilityPushView(EnvelopeAPIView):
    """POST /providers/{id}/availability — a provider pushes its availability with its API key."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = []

    @extend_schema(request={"application/json": push_schema.openapi_request_schema(
                       int(getattr(settings, "PROVIDERS_PUSH_MAX_ITEMS", 20000)))},
                   responses={200: PushResultSerializer, 400: refusals(
                       "schema_error: the body does not match this schema; what a schema cannot say: duplicate_id "
                       "(an id twice in one list), unknown_station (a station without lat/lon that the current "
                       "snapshot does not know), last_updated_in_future.")},
                   description="Plain body {last_updated?, ttl?, vehicles?, stations?} or a GBFS-shaped body "
                               "{last_updated, ttl, version, data: {vehicles|bikes|stations}}. Authenticate with "
                               "`Authorization: Bearer <key>` or `X-Api-Key: <key>`.")
    def post(self, request, provider_id):
        raw_key = _raw_key(request)
        if not raw_key:
            raise ApiError(_("A provider API key is required."), code="api_key_required", status_code=401)
        key = services.authenticate_key(raw_key)
        if key is None:
            raise ApiError(_("Invalid or revoked API key."), code="invalid_api_key", status_code=401)
        if key.provider_id != provider_id:
            raise ApiError(_("This key cannot write another provider's availability."), code="wrong_provider",
                           status_code=403)
        if not key.provider.active:
            raise ApiError(_("This provider is deactivated."), code="provider_inactive", status_code=403)
        result = push.push_availability(key.provider, _json_body(request))
        snap = result.snapshot
        return Response({"provider_id": provider_id, "snapshot_id": snap.pk, "replaced": result.replaced,
                         "stations": snap.station_count, "vehicles": snap.vehicle_count,
                         "last_updated": snap.last_updated.isoformat(), "stale": result.stale})


CURSOR_PATTERN = r"^[A-Za-z0-9_-]*=*$"  # urlsafe base64, as next_cursor gives it


def _near(request):
    try:
        lat, lon = query.near(request.query_params.get("near"))
    except ValueError as exc:
        message = _("near is out of range.") if exc.args == ("range",) else _("near must be 'lat,lon'.")
        raise ApiError(message, code="invalid_near", details={"field": "near"})
    try:
        radius = int(request.query_params.get("radius", 500))
    except ValueError:
        radius = -1
    max_radius = int(getattr(settings, "PROVIDERS_MAX_RADIUS_M", 5000))
    if not 1 <= radius <= max_radius:
        raise ApiError(_("radius must be 1..%(max)d metres.") % {"max": max_radius}, code="invalid_radius",
                       details={"field": "radius"})
    kind = request.query_params.get("kind")
    if kind is not None and kind not in Provider.Kind.values:  # "?kind=" too: not a kind
        raise ApiError(_("Unknown provider kind."), code="invalid_kind",
                       details={"field": "kind", "allowed": Provider.Kind.values})
    return lat, lon, radius, kind


def _page(request):
    """(limit, after) from ?limit= (1..500, default 50) and ?cursor= (opaque, from next_cursor)."""
    max_limit = int(getattr(settings, "PROVIDERS_MAX_LIMIT", 500))
    try:
        limit = int(request.query_params.get("limit", 50))
    except ValueError:
        limit = -1
    if not 1 <= limit <= max_limit:
        raise ApiError(_("limit must be 1..%(max)d.") % {"max": max_limit}, code="invalid_limit",
                       details={"field": "limit"})
    raw = request.query_params.get("cursor")
    if not raw:
        return limit, None
    try:
        if not re.fullmatch(CURSOR_PATTERN, raw):
            raise ValueError(raw)
        d, provider_id, item_id = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==="))
        after = (float(d), int(provider_id), str(item_id))
    except (ValueError, TypeError, binascii.Error):
        raise ApiError(_("cursor is not one this API returned."), code="invalid_cursor", details={"field": "cursor"})
    return limit, after


def _paged(items, limit, providers_kind, origin):
    """The response body: a page of nearest-first results, next_cursor, providers and stale_providers."""
    more = len(items) > limit
    items = items[:limit]
    next_cursor = None
    if more:
        key = selectors.page_key(*origin, items[-1])
        next_cursor = base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")
    items, providers = _with_freshness(items)
    return {"count": len(items), "results": items, "next_cursor": next_cursor, "providers": providers,
            "stale_providers": selectors.stale_providers(providers_kind)}


def _with_freshness(items):
    fresh = selectors.providers_freshness(i["provider_id"] for i in items)
    for item in items:
        f = fresh[item["provider_id"]]
        item.update(provider_name=f["name"], last_updated=f["last_updated"], stale=f["stale"])
    return items, list(fresh.values())


CURSOR_REFUSAL = refusals("invalid_cursor: a cursor this API did not return (one of the pattern's form that "
                          "decodes to no position); invalid_near, invalid_radius, invalid_kind, invalid_limit.")
NEAR_PARAMS = [
    OpenApiParameter("near", str, required=True, description="lat,lon (WGS84 decimal degrees, -90..90, -180..180)",
                     pattern=query.NEAR_PATTERN),
    OpenApiParameter("radius", {"type": "integer", "minimum": 1,
                                "maximum": int(getattr(settings, "PROVIDERS_MAX_RADIUS_M", 5000))},
                     description="metres, default 500"),
    OpenApiParameter("kind", str, enum=Provider.Kind.values, description="provider kind"),
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 500},
                     description="results per page, nearest first (default 50)"),
    OpenApiParameter("cursor", str, pattern=CURSOR_PATTERN,
                     description="next_cursor of the previous page (another value: 400 invalid_cursor)"),
]


class VehicleListView(EnvelopeAPIView):
    """GET /vehicles?near=lat,lon&radius=m[&kind=&limit=&cursor=] — available shared vehicles, nearest first.

    Vehicles of stale providers are listed with "stale": true (not bookable); stale_providers names them."""

    @extend_schema(parameters=NEAR_PARAMS, responses={200: VehicleListSerializer, 400: CURSOR_REFUSAL})
    def get(self, request):
        lat, lon, radius, kind = _near(request)
        limit, after = _page(request)
        items = selectors.vehicles_near(lat, lon, radius, kind=kind, include_stale=True, limit=limit, after=after)
        return Response(_paged(items, limit, kind, (lat, lon)))


class StationListView(EnvelopeAPIView):
    """GET /stations?near=lat,lon&radius=m[&kind=bike_share&limit=&cursor=] — stations, nearest first."""

    @extend_schema(parameters=NEAR_PARAMS, responses={200: StationListSerializer, 400: CURSOR_REFUSAL})
    def get(self, request):
        lat, lon, radius, kind = _near(request)
        limit, after = _page(request)
        kind = kind or Provider.Kind.BIKE_SHARE
        items = selectors.stations_near(lat, lon, radius, kind=kind, limit=limit, after=after)
        return Response(_paged(items, limit, kind, (lat, lon)))
