"""Active feeds and feed-qualified ids (`FEED:ID`, e.g. `hsl:1100602`), as OpenTripPlanner writes them."""
from __future__ import annotations

from django.utils.translation import gettext as _

from maas.api.errors import ApiError, ServiceUnavailable
from planner.models import FeedVersion, Stop


def active_feeds() -> dict[str, FeedVersion]:
    """{feed name: its active version}, every feed that has one."""
    return {f.name: f for f in FeedVersion.objects.filter(is_active=True).order_by("name")}


def require_active_feeds() -> dict[str, FeedVersion]:
    feeds = active_feeds()
    if not feeds:
        raise ServiceUnavailable(_("No timetable is active yet."), code="no_active_feed")
    return feeds


def qualify(feed_name: str, gtfs_id: str) -> str:
    return f"{feed_name}:{gtfs_id}"


def split_ref(ref: str, feeds: dict[str, FeedVersion]) -> tuple[str | None, str]:
    """(feed name or None, id): `hsl:1100602` -> ("hsl", "1100602"); an id whose prefix names no active feed is
    unqualified (GTFS ids may themselves contain colons)."""
    name, sep, rest = ref.partition(":")
    if sep and name in feeds and rest:
        return name, rest
    return None, ref


def resolve_stop(ref: str, feeds: dict[str, FeedVersion]) -> Stop:
    """The Stop that `ref` names in the active feeds; 404 `stop_not_found`, 400 `ambiguous_stop_id`."""
    name, stop_id = split_ref(ref, feeds)
    candidates = [feeds[name]] if name else list(feeds.values())
    stops = list(Stop.objects.filter(feed__in=candidates, stop_id=stop_id).select_related("feed"))
    if not stops:
        raise ApiError(_("No stop %(stop)s in the active timetables.") % {"stop": ref}, code="stop_not_found",
                       status_code=404)
    if len(stops) > 1:
        ids = sorted(qualify(s.feed.name, s.stop_id) for s in stops)
        raise ApiError(_("Stop id %(stop)s is in several feeds: give one of %(ids)s.") % {
            "stop": ref, "ids": ", ".join(ids)}, code="ambiguous_stop_id", details={"candidates": ids})
    return stops[0]
