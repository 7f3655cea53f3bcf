"""Refresh feed sources: download when changed, import as a new version, build its network, activate.

Activation is the last step, so the active version keeps serving until a complete new one is ready; the
routing engines notice the new active version on their next request (no restart). A failure at any step
is recorded on the FeedSource (`last_error` names the step) and nothing else changes.
"""
from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from maas.advisory import try_lock
from planner import services
from planner.gtfs.issues import FeedInvalid
from planner.models import FeedSource, FeedVersion
from planner.refresh.fetch import DownloadFailed, download

logger = logging.getLogger(__name__)
KEEP_VERSIONS = 3
_EVERY = re.compile(r"^(\d+)\s*([smhd])$")


def parse_every(text: str) -> timedelta:
    """"24h", "30m", "1d", "90s" -> timedelta; ValueError otherwise."""
    match = _EVERY.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not an interval like 30m, 24h or 7d")
    return timedelta(seconds=int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)])


def set_source(name: str, url: str, every: timedelta, keep_versions: int | None = None) -> FeedSource:
    """Create or update feed `name`'s source; a new URL forgets the old one's ETag/Last-Modified."""
    source, created = FeedSource.objects.get_or_create(name=name, defaults={"url": url, "refresh_every": every,
                                                                            "keep_versions": keep_versions})
    if not created:
        if source.url != url:
            source.etag = source.last_modified = ""
        source.url, source.refresh_every, source.keep_versions = url, every, keep_versions
        source.save()
    return source


@dataclass
class Outcome:
    name: str
    outcome: str  # unchanged | updated | failed | busy (another process is refreshing this feed)
    feed: FeedVersion | None = None
    error: str = ""

    def __str__(self):
        detail = {"updated": f"{self.feed} is now active", "unchanged": "unchanged",
                  "failed": f"failed: {self.error}",
                  "busy": "skipped: another refresh of this feed is running"}[self.outcome]
        return f"{self.name}: {detail}"


def _record(source: FeedSource, outcome: Outcome, **fields) -> Outcome:
    now = timezone.now()
    fields.update(last_checked_at=now, last_outcome=outcome.outcome)
    if outcome.outcome == "failed":
        fields.update(last_error=outcome.error, last_error_at=now)
        logger.warning("feed refresh %s", outcome)
    else:
        fields["last_error"] = ""
        if outcome.outcome == "updated":
            fields["last_changed_at"] = now
    FeedSource.objects.filter(pk=source.pk).update(**fields)
    for key, value in fields.items():
        setattr(source, key, value)
    return outcome


def _build(feed: FeedVersion) -> None:
    """The routing network of the active feeds with `feed` in place of its name's active version (embedded
    engine: one network over all active feeds); r5py reads the feed zips itself."""
    if getattr(settings, "ROUTING_ENGINE", "embedded") != "embedded":
        return
    from planner.engines.embedded.build import build_with

    build_with(feed)


def refresh_source(source: FeedSource, *, force: bool = False) -> Outcome:
    """One refresh of `source` (force: download even if the server would answer 304). One at a time per feed
    across processes (PostgreSQL advisory lock): while another refresh of the feed runs, this one is skipped
    ("busy", nothing recorded), so a feed is never imported twice at once."""
    with try_lock("planner:feed_refresh", source.name) as held:
        if held is False:
            logger.info("feed refresh %s: skipped, another refresh of it is running", source.name)
            return Outcome(source.name, "busy")
        source.refresh_from_db()  # what a refresh that just finished recorded (ETag, Last-Modified)
        return _refresh(source, force=force)


def _refresh(source: FeedSource, *, force: bool) -> Outcome:
    from planner.gtfs.guarded import import_feed
    from planner.gtfs.issues import format_report

    with tempfile.TemporaryDirectory(prefix="feed-refresh-") as tmp:
        try:
            got = download(source.url, Path(tmp) / "feed.zip", etag="" if force else source.etag,
                           last_modified="" if force else source.last_modified)
        except (DownloadFailed, OSError) as exc:
            return _record(source, Outcome(source.name, "failed", error=f"download: {exc}"))
        if not got.changed:
            return _record(source, Outcome(source.name, "unchanged"))
        validators = {"etag": got.etag, "last_modified": got.last_modified}
        try:
            result = import_feed(str(got.path), name=source.name, activate=False, skip_if_active_same=True,
                                 progress=False)
        except FeedInvalid as exc:
            report = format_report(exc.issues, limit=5)
            return _record(source, Outcome(source.name, "failed", error=f"import: feed rejected: {report}"))
        except Exception as exc:  # noqa: BLE001 - any failure keeps the active version; the reason is kept
            return _record(source, Outcome(source.name, "failed", error=f"import: {exc.__class__.__name__}: {exc}"))
    if result.skipped:  # same bytes as the active version (a server without conditional GET)
        return _record(source, Outcome(source.name, "unchanged"), **validators)
    feed = result.feed
    FeedVersion.objects.filter(pk=feed.pk).update(source=source.url[:500])
    try:
        _build(feed)
    except Exception as exc:  # noqa: BLE001
        return _record(source, Outcome(source.name, "failed", feed,
                                       error=f"build: {feed} not activated: {exc.__class__.__name__}: {exc}"))
    services.activate_feed(feed)
    prune(source.name, source.keep_versions or int(getattr(settings, "GTFS_KEEP_VERSIONS", KEEP_VERSIONS)))
    return _record(source, Outcome(source.name, "updated", feed), **validators)


def activate_feed(feed: FeedVersion) -> FeedVersion:
    """Make `feed` its name's active version without disturbing serving: the network of the active feeds with it
    in place is built first (embedded engine), then the versions are swapped."""
    _build(feed)
    return services.activate_feed(feed)


def deactivate_feed(name: str) -> FeedVersion | None:
    """Take feed `name` out of service without disturbing the others: the network of the remaining active feeds
    is built first (embedded engine), then the version is deactivated. None when `name` has no active version."""
    from planner.timetable.feeds import active_feeds

    feeds = active_feeds()
    feed = feeds.pop(name, None)
    if feed is None:
        return None
    if feeds and getattr(settings, "ROUTING_ENGINE", "embedded") == "embedded":
        from planner.engines.embedded.build import build_for_feeds

        build_for_feeds(list(feeds.values()))
    return services.deactivate_feed(feed)


def due_sources(now=None, name: str | None = None):
    """Sources whose interval has passed since their last check (all of them with `name` unset)."""
    now = now or timezone.now()
    sources = FeedSource.objects.all() if name is None else FeedSource.objects.filter(name=name)
    return [s for s in sources if s.last_checked_at is None or s.last_checked_at + s.refresh_every <= now]


def refresh_feeds(name: str | None = None, *, only_due: bool = False, force: bool = False) -> list[Outcome]:
    """Refresh the sources (one by name; the beat task: only those due). Failures do not stop the others."""
    sources = due_sources(name=name) if only_due else list(
        FeedSource.objects.all() if name is None else FeedSource.objects.filter(name=name))
    return [refresh_source(source, force=force) for source in sources]


def prune(name: str, keep: int) -> list[str]:
    """Delete feed `name`'s versions beyond the newest `keep` (at least 2; never the active one), with their
    files."""
    from planner.engines.embedded.artifacts import artifacts_with

    keep = max(2, keep)  # the version just replaced stays: processes still on it finish their requests
    deleted = []
    for feed in FeedVersion.objects.filter(name=name, is_active=False).order_by("-version")[keep - 1:]:
        files = [Path(feed.gtfs_path)] if feed.gtfs_path else []
        files += artifacts_with(feed)  # every network it was part of
        label = str(feed)
        services.delete_feed_version(feed)
        for path in files:
            path.unlink(missing_ok=True)
        deleted.append(label)
    return deleted
