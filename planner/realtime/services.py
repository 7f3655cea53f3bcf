"""Writes of the real-time app: sources and their beat schedules, and polling (fetch, match, swap)."""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone

from planner.realtime import alerts, feed, store, trip_updates, vehicles
from planner.realtime.models import DEFAULT_INTERVAL_S, RealtimeSource

logger = logging.getLogger(__name__)
DEFAULT_MAX_AGE_S = 300


def max_age_s() -> int:
    return int(getattr(settings, "REALTIME_MAX_AGE_S", DEFAULT_MAX_AGE_S))


def task_name(source) -> str:
    return f"realtime.poll:{source.feed_name}"


def schedule_polling(source):
    """Create/update the source's periodic poll at its interval (removed when disabled): at a fixed rate
    (maas.beat), a poll still queued after one interval dropped (the next one is due)."""
    from maas import schedules

    if not source.enabled or not source.urls():
        schedules.remove(task_name(source))
        return None
    every_s = max(1, source.interval_s)
    return schedules.put_interval(task_name(source), "realtime.poll_feed", every_s, args=[source.feed_name],
                                  expire_s=every_s)


def configure_source(feed_name, *, trip_updates_url="", alerts_url="", vehicle_positions_url="",
                     interval_s=DEFAULT_INTERVAL_S, enabled=True) -> RealtimeSource:
    source, _ = RealtimeSource.objects.update_or_create(feed_name=feed_name, defaults={
        "trip_updates_url": trip_updates_url, "alerts_url": alerts_url,
        "vehicle_positions_url": vehicle_positions_url, "interval_s": interval_s, "enabled": enabled})
    schedule_polling(source)
    return source


def remove_source(source):
    from maas import schedules

    schedules.remove(task_name(source))
    store.clear(source.feed_name)
    source.delete()


def _static_index(feed_name):
    from planner.realtime.static_index import index_for
    from planner.selectors import active_feed

    version = active_feed(feed_name)
    if version is None:
        raise feed.FeedError("no_active_feed", f"no active GTFS feed named {feed_name!r} to match against")
    return index_for(version)


def ingest(feed_name: str, kind: str, body: bytes, *, now: float | None = None, index=None) -> dict:
    """Parse, check, match and swap one feed body; returns the outcome. Raises FeedError (state untouched)."""
    now = time.time() if now is None else now
    message = feed.parse(body, f"{feed_name} {kind}")
    header_ts = int(message.header.timestamp or 0) or int(now)
    base = {"feed": feed_name, "kind": kind, "header_ts": header_ts, "fetched_at": now}
    age = now - header_ts
    if age > max_age_s():
        store.swap(feed_name, kind, dict(base, stale=True))
        raise feed.FeedError("stale_feed", f"{feed_name} {kind}: header timestamp is {int(age)} s old "
                                           f"(limit {max_age_s()} s); treated as absent")
    if kind == "alerts":
        document = dict(base, alerts=alerts.parse(message), counts={"alerts": 0})
        document["counts"]["alerts"] = len(document["alerts"])
    else:
        index = index or _static_index(feed_name)
        base["feed_version"] = index.feed_version_id
        if kind == "trip_updates":
            document = dict(base, **trip_updates.apply(index, message, int(now)))
        else:
            positions, counts = vehicles.parse(message, index, int(now))
            document = dict(base, vehicles=positions, counts=counts)
    store.swap(feed_name, kind, document)
    return {"ok": True, "header_ts": header_ts, "counts": document.get("counts", {}),
            "unmatched": document.get("unmatched", [])[:5]}


def poll_feed(feed_name: str, *, kinds=None) -> dict:
    """Fetch and ingest every configured source of a feed once: {kind: outcome}. A failed source keeps its
    previous state (a stale one is replaced by an absent, flagged state) and records the reason."""
    source = RealtimeSource.objects.get(feed_name=feed_name)
    results = {}
    for kind, url in source.urls().items():
        if kinds and kind not in kinds:
            continue
        started = time.perf_counter()
        try:
            results[kind] = ingest(feed_name, kind, feed.fetch(url))
        except feed.FeedError as exc:
            logger.warning("real time %s %s: %s", feed_name, kind, exc)
            results[kind] = {"ok": False, "error": exc.code, "message": str(exc)}
        results[kind]["seconds"] = round(time.perf_counter() - started, 3)
    status = dict(source.last_status or {})
    status.update(results)
    RealtimeSource.objects.filter(pk=source.pk).update(last_polled_at=timezone.now(), last_status=status)
    return results


def describe(results: dict) -> str:
    parts = []
    for kind, r in results.items():
        if r.get("ok"):
            c = r.get("counts", {})
            detail = ", ".join(f"{k} {v}" for k, v in c.items())
            parts.append(f"{kind}: ok ({detail})")
        else:
            parts.append(f"{kind}: {r.get('error')}: {r.get('message')}")
    return "; ".join(parts) or "no sources configured"
