"""Read-side queries over the planner's feed data (docs/interfaces.md)."""
from __future__ import annotations

from planner.models import FeedVersion, OsmNetwork, Stop


def active_feed(name: str = "hsl") -> FeedVersion | None:
    """The active version of feed `name`, or None when none is active."""
    return FeedVersion.objects.filter(name=name, is_active=True).first()


def latest_feed(name: str = "hsl") -> FeedVersion | None:
    """The newest imported version of feed `name` (active or not)."""
    return FeedVersion.objects.filter(name=name).order_by("-version").first()


def stop_names(feed: FeedVersion, stop_ids, language: str | None = None) -> dict[str, str]:
    """{stop_id: name} in `language` when translations.txt had it, else the feed's default name."""
    rows = Stop.objects.filter(feed=feed, stop_id__in=list(stop_ids)).values_list("stop_id", "name", "names")
    return {stop_id: (names or {}).get(language or "", "") or name for stop_id, name, names in rows}


def active_osm_network(name: str = "kalasatama") -> OsmNetwork | None:
    """The active OSM street network record (its `pbf_path` is what cafein/pyrosm read)."""
    return OsmNetwork.objects.filter(name=name, is_active=True).first()
