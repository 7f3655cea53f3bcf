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
        self.table = RealtimeTimetable.of_document(feed, selectors.usable(docs.get("trip_updates"), self.now))

    @classmethod
    def read(cls, feed: str, now: float | None = None) -> "BoardRealtime":
        return cls(feed, selectors.documents(feed), now)

    def departure_fields(self, trip_id: str, day: date, stop_sequence: int, scheduled: datetime,
                         day_base: datetime, added: dict | None = None) -> dict:
        """{"realtime", "estimated_departure", "delay_s", "canceled", "skipped", "added"} for one board row
        (`day_base`: the instant service day `day`'s times count from; `added`: a row of `added_rows`)."""
        if added is not None:
            estimated = (day_base + timedelta(seconds=added["estimated_s"])).astimezone(scheduled.tzinfo)
            return {"realtime": True, "estimated_departure": estimated.isoformat(),
                    "delay_s": int((estimated - scheduled).total_seconds()), "canceled": False, "skipped": False,
                    "added": True}
        return dict(self._scheduled_row(trip_id, day, stop_sequence, scheduled, day_base), added=False)

    def _scheduled_row(self, trip_id, day, stop_sequence, scheduled, day_base):
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

    def looks_back(self, day: date) -> int:
        """Seconds before the board's time to read scheduled rows of `day` from: a late vehicle whose scheduled
        time has passed still departs (`departure_fields` then tells whether it is still to come)."""
        return self.table.max_late(day) if self.table.active else 0

    def added_rows(self, stop_ids, day: date, lo: int, hi: int) -> list[dict]:
        """Rows of ADDED trips (extra vehicles, new trips) departing from `stop_ids` on service day `day` with an
        estimated departure in [lo, hi) s: {"stop_id", "departure_s" (scheduled, or the estimate of a new trip),
        "estimated_s", "stop_sequence", "trip_id", "of", "route_id"}; a trip's last stop is no departure."""
        out = []
        for key, entry in (self.table.added_on(day) if self.table.active else ()):
            for i, stop in enumerate(entry["stops"][:-1]):
                if stop in stop_ids and lo <= entry["dep"][i] < hi and i not in entry["skipped"]:
                    scheduled = entry["sdep"][i] if entry.get("sdep") else entry["dep"][i]
                    out.append({"stop_id": stop, "departure_s": scheduled, "estimated_s": entry["dep"][i],
                                "stop_sequence": entry["seqs"][i], "trip_id": entry["trip_id"], "of": entry["of"],
                                "route_id": entry["route_id"], "key": key})
        return out

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
