"""GBFS pull: fetch a provider's feeds and swap its snapshot."""
import json
import logging
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone

from maas import outbound
from providers import gbfs
from providers.models import Provider
from providers.snapshots import Section, swap_snapshot

logger = logging.getLogger(__name__)


class FeedError(Exception):
    """A feed could not be fetched or read (network, HTTP status, JSON, size)."""


class FeedRefused(FeedError):
    """The feed URL (or one inside its documents) is not allowed: retrying won't help."""


def fetch_json(url, http=None):
    """GET a GBFS document through maas.outbound (public addresses only, size- and time-bounded)."""
    limit = int(getattr(settings, "PROVIDERS_FEED_MAX_BYTES", 50 * 1024 * 1024))
    timeout = float(getattr(settings, "PROVIDERS_FEED_TIMEOUT_S", 10))
    try:
        body = outbound.fetch(url, max_bytes=limit, timeout=timeout, http=http).body
    except outbound.UrlRefused as exc:
        raise FeedRefused(f"{url}: {exc}") from exc
    except outbound.OutboundError as exc:
        raise FeedError(str(exc)) from exc
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FeedError(f"{url}: invalid JSON") from exc
    except RecursionError as exc:
        raise FeedError(f"{url}: JSON nested too deeply") from exc


def _stations_section(docs, report):
    info = docs.get("station_information")
    if info is None:
        return None
    rows, lu, rep = gbfs.parse_stations(info, docs.get("station_status"))
    report.extend(rep)
    return Section(rows, lu)


def build_sections(docs):
    """Parse fetched documents {feed name: doc} into (sections, report, global_rules)."""
    sections, report, global_rules = {}, [], None
    stations = _stations_section(docs, report)
    if stations is not None:
        sections["stations"] = stations
    for name in ("vehicle_status", "free_bike_status"):
        if name in docs:
            rows, lu, rep = gbfs.parse_vehicles(docs[name], file=name)
            sections["vehicles"] = Section(rows, lu)
            report.extend(rep)
            break
    if "vehicle_types" in docs:
        rows, lu, rep = gbfs.parse_vehicle_types(docs["vehicle_types"])
        sections["vehicle_types"] = Section(rows, lu)
        report.extend(rep)
    if "system_pricing_plans" in docs:
        rows, lu, rep = gbfs.parse_pricing_plans(docs["system_pricing_plans"])
        sections["pricing_plans"] = Section(rows, lu)
        report.extend(rep)
    if "geofencing_zones" in docs:
        rows, lu, rep, global_rules = gbfs.parse_geofencing(docs["geofencing_zones"])
        sections["geofencing_zones"] = Section(rows, lu)
        report.extend(rep)
    return sections, report, global_rules


def fetch_feeds(url, http=None):
    """Follow auto-discovery (manifest -> gbfs.json -> feeds). Returns (docs, version, ttl).

    Every URL found in a document goes through the same outbound check as the provider's own URL.
    """
    doc = fetch_json(url, http)
    if gbfs.is_manifest(doc):
        url = urljoin(url, gbfs.manifest_gbfs_url(doc))
        doc = fetch_json(url, http)
    feeds, version, ttl, _ = gbfs.discover(doc)
    docs = {}
    for name in gbfs.KNOWN_FEEDS:
        if name in feeds:
            docs[name] = fetch_json(urljoin(url, str(feeds[name])), http)
    return docs, version, _dynamic_ttl(docs, ttl)


def sync_provider(provider: Provider):
    """Pull the provider's GBFS feed and swap its snapshot. Raises FeedError / GbfsError on failure.

    Returns the SwapResult (snapshot None when nothing was newer than what we hold).
    """
    if not provider.gbfs_url:
        raise FeedError(f"{provider}: push-only provider has no GBFS URL")
    try:
        with outbound.session() as http:
            docs, version, ttl = fetch_feeds(provider.gbfs_url, http)
    except (FeedError, gbfs.GbfsError) as exc:
        Provider.objects.filter(pk=provider.pk).update(last_error=str(exc)[:2000], last_checked_at=timezone.now())
        raise
    return apply_documents(provider, docs, version, ttl)


def read_feed_directory(directory):
    """GBFS documents saved as files (gbfs.json + <feed name>.json): (docs, version, ttl) like fetch_feeds."""
    directory = Path(directory)

    def load(name):
        try:
            return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FeedError(f"{directory}: no {name}.json") from None
        except ValueError as exc:
            raise FeedError(f"{directory / (name + '.json')}: invalid JSON ({exc})") from exc

    feeds, version, ttl, _ = gbfs.discover(load("gbfs"))
    docs = {name: load(name) for name in gbfs.KNOWN_FEEDS if name in feeds}
    return docs, version, _dynamic_ttl(docs, ttl)


def _dynamic_ttl(docs, ttl):
    """The first dynamic feed's ttl (the one that matters), else the discovery document's `ttl`."""
    for name in gbfs.DYNAMIC_FEEDS:
        if name in docs and gbfs.header(docs[name])[1] is not None:
            return gbfs.header(docs[name])[1]
    return ttl


def apply_documents(provider: Provider, docs, version, ttl, source="pull"):
    """Parse fetched GBFS documents and swap the provider's snapshot (the part of a sync after the fetch)."""
    from providers.services import schedule_sync

    try:
        sections, report, global_rules = build_sections(docs)
        if not sections:
            raise gbfs.GbfsError("feed lists none of station_information, vehicle_status, free_bike_status")
    except (FeedError, gbfs.GbfsError) as exc:
        Provider.objects.filter(pk=provider.pk).update(last_error=str(exc)[:2000], last_checked_at=timezone.now())
        raise
    old_ttl = provider.ttl_s
    result = swap_snapshot(provider, source=source, sections=sections, report=report, global_rules=global_rules,
                           ttl=ttl, version=version)
    Provider.objects.filter(pk=provider.pk).update(last_error="")
    provider.refresh_from_db()
    if provider.ttl_s != old_ttl:
        schedule_sync(provider)
    if report:
        logger.warning("GBFS sync %s: %d rows skipped or defective: %s", provider, len(report), report[:20])
    if result.stale:
        logger.warning("GBFS sync %s: feed is stale (last_updated %s)", provider, provider.last_updated)
    return result
