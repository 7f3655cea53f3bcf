"""Real time on departure boards: estimated departure, delay, cancellation and skipped stops per row, and
the active alerts of the stop and of the routes on the board."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from planner.realtime import selectors
from planner.realtime.timetable import RealtimeTimetable


def departure_fields(feed: str, trip_id: str, day: date, stop_sequence: int, scheduled: datetime,
                     day_base: datetime) -> dict:
    """{"realtime", "estimated_departure", "delay_s", "canceled", "skipped"} for one board row
    (`day_base`: the instant service day `day`'s times count from)."""
    table = RealtimeTimetable.current(feed)
    state = table.at_stop(trip_id, day, stop_sequence) if table.active else None
    if state is None:
        return {"realtime": False, "estimated_departure": None, "delay_s": None, "canceled": False,
                "skipped": False}
    if state["canceled"]:
        return {"realtime": True, "estimated_departure": None, "delay_s": None, "canceled": True, "skipped": False}
    if not state["known"]:
        return {"realtime": False, "estimated_departure": None, "delay_s": None, "canceled": False,
                "skipped": state["skipped"]}
    estimated = (day_base + timedelta(seconds=state["departure_s"])).astimezone(scheduled.tzinfo)
    return {"realtime": True, "estimated_departure": estimated.isoformat(),
            "delay_s": int((estimated - scheduled).total_seconds()), "canceled": False, "skipped": state["skipped"]}


def canceled_near(feed: str, day: date) -> frozenset:
    """Trips of `feed` cancelled on `day` or the days around it (how many more rows a board should read)."""
    table = RealtimeTimetable.current(feed)
    if not table.active:
        return frozenset()
    return frozenset().union(*(table.canceled(day + timedelta(days=k)) for k in (-1, 0, 1)))


def board_alerts(feed: str, stop_ids, route_ids, language: str) -> list[dict]:
    found = []
    for stop in stop_ids:
        found += selectors.active_alerts([feed], stop=stop, language=language)
    for route in route_ids:
        found += selectors.active_alerts([feed], route=route, language=language)
    return list({a["id"]: a for a in found}.values())
