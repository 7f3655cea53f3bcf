"""Reads of the real-time state (from the shared store, never the database): trip estimates, active
alerts, vehicle positions, and whether a feed has usable real time at all."""
from __future__ import annotations

import logging
import time

from maas.geo import distance_m
from planner.realtime import alerts as alert_rules
from planner.realtime import store

logger = logging.getLogger(__name__)


def _max_age():
    from planner.realtime.services import max_age_s

    return max_age_s()


def current(feed: str, kind: str, now: float | None = None) -> dict | None:
    """The usable document of (feed, kind): None when absent, flagged stale, or its header too old (or the
    store cannot be read: plans and boards then run on the schedule)."""
    return usable(_load(feed, kind), now)


def usable(doc: dict | None, now: float | None = None) -> dict | None:
    """`doc` unless it is absent, flagged stale or its header too old."""
    if not doc or doc.get("stale"):
        return None
    now = time.time() if now is None else now
    if now - doc["header_ts"] > _max_age():
        return None
    return doc


def _load(feed, kind):
    try:
        return store.load(feed, kind)
    except (OSError, ValueError, store.StoreUnavailable) as exc:
        logger.warning("real-time state of %s %s unreadable: %s", feed, kind, exc)
        return None


def documents(feed: str) -> dict:
    """{kind: document or None} of every kind of `feed` in one store read (None for all when unreadable)."""
    try:
        return store.load_many(feed)
    except (OSError, ValueError, store.StoreUnavailable) as exc:
        logger.warning("real-time state of %s unreadable: %s", feed, exc)
        return dict.fromkeys(store.KINDS)


def status(feed: str, now: float | None = None, docs: dict | None = None) -> dict:
    """{"realtime": bool, kind: {"present", "stale", "header_ts", "age_s"}} for the API answers
    (`docs`: the feed's documents when already read)."""
    now = time.time() if now is None else now
    out = {"realtime": False}
    docs = documents(feed) if docs is None else docs
    for kind in store.KINDS:
        doc = docs[kind]
        if doc is None:
            continue
        age = int(now - doc["header_ts"])
        stale = bool(doc.get("stale")) or age > _max_age()
        out[kind] = {"stale": stale, "header_ts": doc["header_ts"], "age_s": age}
        out["realtime"] |= not stale
    return out


def trip_estimates(feed: str, now: float | None = None) -> dict:
    """{"<trip_id>|<YYYYMMDD>": {"canceled"} | {"arr", "dep", "skipped", "known"}} of the current poll."""
    doc = current(feed, "trip_updates", now)
    return doc["trips"] if doc else {}


def _split(qualified: str | None):
    if not qualified:
        return None, None
    feed, sep, local = qualified.partition(":")
    return (feed, local) if sep else (None, qualified)


def active_alerts(feeds, *, route=None, stop=None, trip=None, agency=None, language="fi",
                  now: float | None = None) -> list[dict]:
    """Active alerts of `feeds` informing the given (feed-qualified or plain) ids, texts in `language`."""
    now = time.time() if now is None else now
    out = []
    for feed in feeds:
        out += alerts_in(current(feed, "alerts", now), feed, route=route, stop=stop, trip=trip, agency=agency,
                         language=language, now=now)
    return out


def alerts_in(doc: dict | None, feed: str, *, route=None, stop=None, trip=None, agency=None, language="fi",
              now: float | None = None) -> list[dict]:
    """Active alerts of one feed's (already read, usable) alerts document informing the given ids."""
    now = time.time() if now is None else now
    ids = {"route": _split(route), "stop": _split(stop), "trip": _split(trip), "agency": _split(agency)}
    if any(f and f != feed for f, _ in ids.values()):
        return []
    return [alert_rules.present(alert, feed, language) for alert in (doc or {}).get("alerts", ())
            if alert_rules.is_active(alert, int(now)) and (
                not any(local for _, local in ids.values())
                or alert_rules.informs(alert, **{k: v[1] for k, v in ids.items()}))]


def vehicles(feeds, *, near=None, radius_m=None, trip=None, now: float | None = None) -> list[dict]:
    """Vehicle positions near (lat, lon) within radius_m, or of one (feed-qualified) trip; nearest first."""
    now = time.time() if now is None else now
    tfeed, tlocal = _split(trip)
    out = []
    for feed in feeds:
        if tfeed and tfeed != feed:
            continue
        doc = current(feed, "vehicle_positions", now)
        for v in (doc or {}).get("vehicles", ()):
            if tlocal and v["trip_id"] != tlocal:
                continue
            item = dict(v, feed=feed, vehicle_id=f"{feed}:{v['vehicle_id']}",
                        trip_id=f"{feed}:{v['trip_id']}" if v["trip_id"] else None,
                        route_id=f"{feed}:{v['route_id']}" if v["route_id"] else None,
                        age_s=max(0, int(now - v["timestamp"])))
            if near is not None:
                item["distance_m"] = int(round(distance_m(near[0], near[1], v["lat"], v["lon"])))
                if item["distance_m"] > radius_m:
                    continue
            out.append(item)
    out.sort(key=lambda v: v.get("distance_m", 0))
    return out


def feeds_with_sources() -> list[str]:
    from planner.realtime.models import RealtimeSource

    return list(RealtimeSource.objects.filter(enabled=True).values_list("feed_name", flat=True))


def realtime_available() -> bool:
    """True when some active feed has current trip updates (plans answer `realtime: false` otherwise)."""
    from planner.timetable.feeds import active_feeds

    return any(status(name)["realtime"] for name in active_feeds())
