"""Real time on departure boards: estimated departure, delay, cancellation and skipped stops per row, and
the active alerts of the stop and of the routes on the board.

A board reads the feed's real-time state once (`BoardRealtime.read`: one store read for every kind) and looks
each row up in memory."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from planner.realtime import selectors
from planner.realtime.timetable import RealtimeTimetable


class BoardRealtime:
    """One feed's real-time state as one board sees it."""

    def __init__(self, feed: str, docs: dict, now: float | None = None):
        self.feed, self.docs = feed, docs
        self.now = time.time() if now is None else now
        trips = selectors.usable(docs.get("trip_updates"), self.now)
        self.table = RealtimeTimetable.of(feed, trips["trips"] if trips else {})

    @classmethod
    def read(cls, feed: str, now: float | None = None) -> "BoardRealtime":
        return cls(feed, selectors.documents(feed), now)

    def departure_fields(self, trip_id: str, day: date, stop_sequence: int, scheduled: datetime,
                         day_base: datetime) -> dict:
        """{"realtime", "estimated_departure", "delay_s", "canceled", "skipped"} for one board row
        (`day_base`: the instant service day `day`'s times count from)."""
        table = self.table
        state = table.at_stop(trip_id, day, stop_sequence) if table.active else None
        if state is None:
            return {"realtime": False, "estimated_departure": None, "delay_s": None, "canceled": False,
                    "skipped": False}
        if state["canceled"]:
            return {"realtime": True, "estimated_departure": None, "delay_s": None, "canceled": True,
                    "skipped": False}
        if not state["known"]:
            return {"realtime": False, "estimated_departure": None, "delay_s": None, "canceled": False,
                    "skipped": state["skipped"]}
        estimated = (day_base + timedelta(seconds=state["departure_s"])).astimezone(scheduled.tzinfo)
        return {"realtime": True, "estimated_departure": estimated.isoformat(),
                "delay_s": int((estimated - scheduled).total_seconds()), "canceled": False,
                "skipped": state["skipped"]}

    def canceled_near(self, day: date) -> frozenset:
        """Trips cancelled on `day` or the days around it (how many more rows a board should read)."""
        if not self.table.active:
            return frozenset()
        return frozenset().union(*(self.table.canceled(day + timedelta(days=k)) for k in (-1, 0, 1)))

    def alerts(self, stop_ids, route_ids, language: str) -> list[dict]:
        """Active alerts of the board's stops and routes, each once."""
        doc = selectors.usable(self.docs.get("alerts"), self.now)
        found = []
        for stop in stop_ids:
            found += selectors.alerts_in(doc, self.feed, stop=stop, language=language, now=self.now)
        for route in route_ids:
            found += selectors.alerts_in(doc, self.feed, route=route, language=language, now=self.now)
        return list({a["id"]: a for a in found}.values())

    def status(self) -> dict:
        return selectors.status(self.feed, self.now, docs=self.docs)
