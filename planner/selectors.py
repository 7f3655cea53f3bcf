"""Read-side queries over the planner's feed data (docs/interfaces.md)."""
from __future__ import annotations

from maas.geo import distance_m
from planner.models import FeedVersion, OsmNetwork, Stop


def active_feed(name: str = "hsl") -> FeedVersion | None:
    """The active version of feed `name`, or None when none is active."""
    return FeedVersion.objects.filter(name=name, is_active=True).first()


def stop_names(feed: FeedVersion, stop_ids, language: str | None = None) -> dict[str, str]:
    """{stop_id: name} in `language` when translations.txt had it, else the feed's default name."""
    rows = Stop.objects.filter(feed=feed, stop_id__in=list(stop_ids)).values_list("stop_id", "name", "names")
    return {stop_id: (names or {}).get(language or "", "") or name for stop_id, name, names in rows}


def active_osm_network(name: str = "kalasatama") -> OsmNetwork | None:
    """The active OSM street network record (its `pbf_path` is what cafein/pyrosm read)."""
    return OsmNetwork.objects.filter(name=name, is_active=True).first()


def stop_location(feed: FeedVersion, stop_id: str) -> tuple[float, float] | None:
    """(lat, lon) of a stop of `feed`, or None when the feed has no such stop (or it has no coordinates)."""
    row = Stop.objects.filter(feed=feed, stop_id=stop_id).values_list("lat", "lon").first()
    return row if row and row[0] is not None else None


def pois(category: str, origin: tuple[float, float], radius_m: float = 3000) -> list[dict] | None:
    """Accessibility destinations of a category near `origin`: "stops" (the active feeds' stops, ids `FEED:ID`)
    or "schools"/"health"/"shops" (OSM POIs extracted with the routing network). None for an unknown category.
    """
    import json

    from planner.engines.embedded.artifacts import artifact_paths, pois_path
    from planner.engines.embedded.pois import POI_CATEGORIES
    from planner.timetable.feeds import active_feeds, qualify

    feeds = list(active_feeds().values())
    if category == "stops":
        rows = Stop.objects.filter(feed__in=feeds, location_type=0, lat__isnull=False).values_list(
            "feed__name", "stop_id", "name", "lat", "lon")
        found = [{"id": qualify(feed, sid), "name": name, "category": "stops", "lat": lat, "lon": lon}
                 for feed, sid, name, lat, lon in rows]
    elif category in POI_CATEGORIES:
        path = pois_path(artifact_paths(feeds)[0]) if feeds else None
        found = [p for p in json.loads(path.read_text()) if p["category"] == category] if path and path.exists() else []
    else:
        return None
    return [p for p in found if distance_m(origin[0], origin[1], p["lat"], p["lon"]) <= radius_m]


def realtime_static_rows(feed: FeedVersion) -> dict:
    """What real-time matching reads of a feed version (planner.realtime.static_index.build_index)."""
    from planner.models import Agency, Calendar, CalendarDate, StopTime, Trip

    trips = list(Trip.objects.filter(feed=feed).values_list("pk", "trip_id", "route__route_id", "direction_id",
                                                            "service_id"))
    by_pk = {pk: trip_id for pk, trip_id, *_ in trips}
    stop_times = ((by_pk.get(t), seq, stop, a, d) for t, seq, stop, a, d in StopTime.objects.filter(feed=feed)
                  .order_by("trip_id", "stop_sequence")
                  .values_list("trip_id", "stop_sequence", "stop__stop_id", "arrival_s", "departure_s")
                  .iterator(chunk_size=20000))
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    calendar = [(c["service_id"], [c[d] for d in days], c["start_date"], c["end_date"])
                for c in Calendar.objects.filter(feed=feed).values("service_id", "start_date", "end_date", *days)]
    tz = Agency.objects.filter(feed=feed).values_list("timezone", flat=True).first() or "Europe/Helsinki"
    return {"timezone": tz, "trips": [t[1:] for t in trips], "stop_times": stop_times, "calendar": calendar,
            "calendar_dates": list(CalendarDate.objects.filter(feed=feed).values_list(
                "service_id", "date", "exception_type"))}
