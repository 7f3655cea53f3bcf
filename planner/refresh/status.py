"""Read side of the refresh: what each feed serves and how its last refresh went (admin, /readyz)."""
from __future__ import annotations

from planner.models import FeedSource, FeedVersion


def feed_status() -> dict[str, dict]:
    """{feed name: {"active_version", "service_start", "service_end", "source", "last_outcome",
    "last_checked_at", "last_error", "last_error_at"}} for every feed with a version or a source."""
    out: dict[str, dict] = {}
    for feed in FeedVersion.objects.filter(is_active=True):
        out[feed.name] = {"active_version": feed.version, "service_start": _iso(feed.service_start),
                          "service_end": _iso(feed.service_end)}
    for source in FeedSource.objects.all():
        entry = out.setdefault(source.name, {"active_version": None})
        entry.update(source=source.url, last_outcome=source.last_outcome or None,
                     last_checked_at=_iso(source.last_checked_at), last_error=source.last_error or None,
                     last_error_at=_iso(source.last_error_at))
    return dict(sorted(out.items()))


def _iso(value):
    return value.isoformat() if value else None
