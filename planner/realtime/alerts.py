"""GTFS-Realtime service alerts: parsed into plain dicts; selected by entity, activity and language."""
from __future__ import annotations

from datetime import datetime, timezone

from google.transit import gtfs_realtime_pb2 as rt

CAUSES = {v.number: v.name for v in rt.Alert.DESCRIPTOR.enum_types_by_name["Cause"].values}
EFFECTS = {v.number: v.name for v in rt.Alert.DESCRIPTOR.enum_types_by_name["Effect"].values}


def _translations(ts) -> dict:
    return {(t.language or "").lower(): t.text for t in ts.translation}


def parse(message) -> list[dict]:
    out = []
    for entity in message.entity:
        if not entity.HasField("alert") or entity.is_deleted:
            continue
        a = entity.alert
        out.append({
            "id": entity.id,
            "cause": CAUSES.get(a.cause, "UNKNOWN_CAUSE"), "effect": EFFECTS.get(a.effect, "UNKNOWN_EFFECT"),
            "header": _translations(a.header_text), "description": _translations(a.description_text),
            "url": _translations(a.url),
            "active_periods": [[p.start or None, p.end or None] for p in a.active_period],
            "informed": [{"agency_id": e.agency_id or None, "route_id": e.route_id or None,
                          "stop_id": e.stop_id or None, "trip_id": e.trip.trip_id or None,
                          "trip_route_id": e.trip.route_id or None} for e in a.informed_entity],
        })
    return out


def is_active(alert: dict, now_ts: int) -> bool:
    periods = alert["active_periods"]
    return not periods or any((s is None or s <= now_ts) and (e is None or now_ts < e) for s, e in periods)


def informs(alert: dict, *, agency=None, route=None, stop=None, trip=None) -> bool:
    """True when an informed entity names one of the given ids and none of its ids contradicts them."""
    query = {"agency_id": agency, "route_id": route, "stop_id": stop, "trip_id": trip}
    for e in alert["informed"]:
        ids = {"agency_id": e["agency_id"], "route_id": e["route_id"] or e["trip_route_id"],
               "stop_id": e["stop_id"], "trip_id": e["trip_id"]}
        named = [k for k, v in query.items() if v and ids[k]]
        if named and all(ids[k] == query[k] for k in named):
            return True
    return False


def pick(texts: dict, language: str) -> str | None:
    """The text in `language`, else the untagged one, else fi, en, sv, else any."""
    if not texts:
        return None
    for lang in (language, "", "fi", "en", "sv"):
        if lang in texts:
            return texts[lang]
    return next(iter(texts.values()))


def _iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).isoformat() if ts else None


def present(alert: dict, feed: str, language: str) -> dict:
    """An alert as the API shows it, texts in `language`; ids are feed-qualified."""
    def q(x):
        return f"{feed}:{x}" if x else None

    return {
        "id": f"{feed}:{alert['id']}", "feed": feed, "cause": alert["cause"], "effect": alert["effect"],
        "header": pick(alert["header"], language), "description": pick(alert["description"], language),
        "url": pick(alert["url"], language), "language": language,
        "active_periods": [{"start": _iso(s), "end": _iso(e)} for s, e in alert["active_periods"]],
        "informed_entities": [{"agency_id": q(e["agency_id"]), "route_id": q(e["route_id"] or e["trip_route_id"]),
                               "stop_id": q(e["stop_id"]), "trip_id": q(e["trip_id"])} for e in alert["informed"]],
    }
