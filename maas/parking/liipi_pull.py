"""Scheduled pulls from a Liipi-compatible park-and-ride API (PARKING_LIIPI_URL, e.g. HSL's .../api/v1/).

Facilities hourly, utilizations every 10 minutes (what HSL's OpenTripPlanner polls), fetched through
maas.outbound (public addresses only, bounded size and time) like GBFS feeds. A reading is held with its
timestamp; selectors.utilization_fresh says whether it is recent enough to trust (PARKING_UTILIZATION_STALE_S).
"""
import json
import logging
from urllib.parse import urljoin

from django.conf import settings
from django.core.management import CommandError

from maas import outbound
from maas.parking.importers import apply_utilizations, import_liipi_data, parse_utilizations
from maas.parking.models import Facility

logger = logging.getLogger(__name__)


class LiipiError(Exception):
    """The Liipi API could not be fetched or its answer was not usable (message names the URL)."""


def _get(path):
    base = settings.PARKING_LIIPI_URL
    url = urljoin(base if base.endswith("/") else base + "/", path)
    try:
        body = outbound.fetch(url, max_bytes=int(getattr(settings, "PARKING_LIIPI_MAX_BYTES", 10 * 1024 * 1024)),
                              timeout=float(getattr(settings, "PARKING_LIIPI_TIMEOUT_S", 10))).body
        return url, json.loads(body)
    except outbound.OutboundError as exc:
        raise LiipiError(str(exc)) from exc
    except (ValueError, RecursionError) as exc:
        raise LiipiError(f"{url}: invalid JSON") from exc


def pull_facilities():
    """Upsert every facility the API lists; returns the import stats (None when no URL is configured)."""
    if not getattr(settings, "PARKING_LIIPI_URL", ""):
        return None
    url, data = _get("facilities")
    try:
        return import_liipi_data(data, None, url)
    except CommandError as exc:
        raise LiipiError(str(exc)) from exc


def pull_utilizations():
    """Store the API's current readings of the facilities we know (others are skipped and counted).

    Returns {"utilizations": rows changed, "skipped": readings of unknown facilities} (None when off)."""
    if not getattr(settings, "PARKING_LIIPI_URL", ""):
        return None
    url, rows = _get("utilizations")
    if not isinstance(rows, list):
        raise LiipiError(f"{url}: expected a JSON list")
    known = set(Facility.objects.filter(liipi_id__isnull=False).values_list("liipi_id", flat=True))
    mine = [r for r in rows if isinstance(r, dict) and _facility_id(r) in known]
    try:
        readings = parse_utilizations(mine, url, known)
    except CommandError as exc:
        raise LiipiError(str(exc)) from exc
    return {"utilizations": apply_utilizations(readings), "skipped": len(rows) - len(mine)}


def _facility_id(row):
    try:
        return int(row.get("facilityId"))
    except (TypeError, ValueError):
        return None
