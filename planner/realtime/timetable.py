"""The real-time timetable as the planner and the departure boards read it: per feed, which trips are
cancelled on a service day and the estimated times of the others (decoded once per poll and process)."""
from __future__ import annotations

from datetime import date

from planner.realtime import selectors


class RealtimeTimetable:
    """One feed's current trip estimates. Empty (and `active` False) when the feed has none usable."""

    def __init__(self, feed: str, trips: dict, added: dict | None = None):
        self.feed, self.trips, self.added = feed, trips, added or {}
        self.active = bool(trips or self.added)
        self._canceled: dict = {}
        self._memo: dict = {}
        self._suffix: dict = {}

    @classmethod
    def current(cls, feed: str) -> "RealtimeTimetable":
        return cls.of_document(feed, selectors.current(feed, "trip_updates"))

    @classmethod
    def of_document(cls, feed: str, doc: dict | None) -> "RealtimeTimetable":
        """The table of a usable trip-updates document (empty for None)."""
        doc = doc or {}
        return cls.of(feed, doc.get("trips", {}), doc.get("added", {}))

    @classmethod
    def of(cls, feed: str, trips: dict, added: dict | None = None) -> "RealtimeTimetable":
        """The table of `trips` (a current document's "trips"), built once per document per process."""
        cached = _latest.get(feed)
        if cached is not None and cached.trips is trips and (added is None or cached.added is added):
            return cached
        _latest[feed] = table = cls(feed, trips, added)
        return table

    def memo(self, key, build):
        """`build()` once per key for this table (derived indexes of readers, e.g. the planner's)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def max_late(self, day: date) -> int:
        """The largest delay (s) of a trip on service day `day`: how far back to look for late vehicles."""
        suffix = f"|{day:%Y%m%d}"
        return self.memo(("late", day), lambda: max(
            (v.get("late_s", 0) for k, v in self.trips.items() if k.endswith(suffix)), default=0))

    def added_on(self, day: date) -> list[tuple[str, dict]]:
        """[(key, entry)] of the ADDED trips (planner.realtime.added) of service day `day`."""
        suffix = f"|{day:%Y%m%d}"
        return self.memo(("added", day), lambda: [(k, v) for k, v in self.added.items() if k.endswith(suffix)])

    def state(self, trip_id: str, day: date) -> dict | None:
        suffix = self._suffix.get(day)
        if suffix is None:
            suffix = self._suffix[day] = f"|{day:%Y%m%d}"
        return self.trips.get(trip_id + suffix)

    def canceled(self, day: date) -> frozenset:
        """Trip ids cancelled on service day `day`."""
        if day not in self._canceled:
            suffix = f"|{day:%Y%m%d}"
            self._canceled[day] = frozenset(k[:-len(suffix)] for k, v in self.trips.items()
                                            if v.get("canceled") and k.endswith(suffix))
        return self._canceled[day]

    def at_stop(self, trip_id: str, day: date, stop_sequence: int) -> dict | None:
        """{"canceled"} or {"arrival_s", "departure_s", "skipped", "known"} at one stop of a trip, or None."""
        st = self.state(trip_id, day)
        if st is None:
            return None
        if st.get("canceled"):
            return {"canceled": True}
        try:
            i = st["seqs"].index(stop_sequence)
        except ValueError:
            return None
        return {"canceled": False, "arrival_s": st["arr"][i], "departure_s": st["dep"][i],
                "skipped": i in st["skipped"], "known": i in st["known"]}


_latest: dict = {}


class FeedsTimetable:
    """The real-time timetables of several feeds as one, every trip, route and stop id feed-qualified (`FEED:ID`),
    as the network routing over all active feeds names them. `active` when any feed has usable estimates.
    Built once per set of feed tables per process (so `memo` holds across requests, as a feed table's does)."""

    def __init__(self, tables: dict):
        self.tables = {name: table for name, table in tables.items() if table.active}
        self.active = bool(self.tables)
        self._canceled: dict = {}
        self._memo: dict = {}

    @classmethod
    def current(cls, feeds) -> "FeedsTimetable":
        tables = {name: RealtimeTimetable.current(name) for name in feeds}
        tables = {name: table for name, table in tables.items() if table.active}
        key = tuple((name, id(table)) for name, table in sorted(tables.items()))  # the set holds them: ids stay
        cached = _latest_sets.get(key)
        if cached is None:
            _latest_sets.clear()  # one live set per process: older documents are not kept
            _latest_sets[key] = cached = cls(tables)
        return cached

    def _table(self, trip_id: str):
        feed, sep, local = trip_id.partition(":")
        table = self.tables.get(feed) if sep else None
        return (table, local) if table is not None else (None, trip_id)

    def memo(self, key, build):
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def trips(self) -> dict:
        """{"FEED:TRIP|YYYYMMDD": state} of every feed."""
        return self.memo("trips", lambda: {f"{name}:{key}": state for name, table in self.tables.items()
                                           for key, state in table.trips.items()})

    def state(self, trip_id: str, day: date) -> dict | None:
        table, local = self._table(trip_id)
        return table.state(local, day) if table is not None else None

    def canceled(self, day: date) -> frozenset:
        """Feed-qualified trip ids cancelled on service day `day`."""
        if day not in self._canceled:
            self._canceled[day] = frozenset(f"{name}:{trip}" for name, table in self.tables.items()
                                            for trip in table.canceled(day))
        return self._canceled[day]

    def max_late(self, day: date) -> int:
        return max((table.max_late(day) for table in self.tables.values()), default=0)

    def added_on(self, day: date) -> list[tuple[str, dict]]:
        """ADDED trips of every feed on service day `day`, their trip, route and stop ids feed-qualified."""
        def qualified(name, entry):
            q = f"{name}:".__add__
            return dict(entry, trip_id=q(entry["trip_id"]), route_id=q(entry["route_id"]),
                        of=q(entry["of"]) if entry.get("of") else entry.get("of"), stops=[q(s) for s in entry["stops"]])

        return self.memo(("added", day), lambda: [(f"{name}:{key}", qualified(name, entry))
                                                  for name, table in self.tables.items()
                                                  for key, entry in table.added_on(day)])

    def at_stop(self, trip_id: str, day: date, stop_sequence: int) -> dict | None:
        table, local = self._table(trip_id)
        return table.at_stop(local, day, stop_sequence) if table is not None else None


_latest_sets: dict = {}
