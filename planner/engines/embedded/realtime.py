"""Real time in the embedded search, without rebuilding the network per update.

cafein routes on the scheduled timetable and can leave out trips (`exclude_trips`); everything else is
done on the journeys it returns:
- cancelled trips of the service day are excluded from every search;
- each journey found is re-timed with the estimated times (`planner.realtime`): a ride's board and alight
  times become the estimates, walks move with the ride before them, the door arrival is the estimated one;
- a journey that real time breaks (a change now shorter than the minimum change time, a skipped board or
  alight stop, a first vehicle leaving before the rider can reach it) is dropped, and the search runs again
  without the trip that can no longer be caught: the next feasible journey;
- when delays make the best journey arrive LATE_REPAIR_S or more later than the search's scheduled best,
  one more search without its late trips may find a better one; both are kept and the usual filter
  (dominated, alternatives) chooses.
- a journey's first ride is taken on the real-time timetable where real time moves it (a late vehicle whose
  scheduled time has passed, an early, cancelled or skipped one) and from ADDED trips: the stops those rides reach
  enter the same cafein search as access points (`realtime_rides`).
At most 1 + MAX_REPAIRS searches for the request's first departure time of a service day (the best journey); its
later searches (the next-departure alternatives, the arrive-by probes) drop what real time breaks and search again
only when nothing is left, and a broken journey already matched by a kept one (as early, as few rides) is not
searched again: a replacement found without its trips would arrive no earlier on the schedule. Trips ruled out
stay out of the request's later searches. A change onto a late or ADDED vehicle after a
ride (its schedule says it has left) is found when that vehicle then reaches the destination (`late_changes`) and,
in the day's first search, when the journey changes again after it: one more search from the stops that vehicle
reaches (`_continued`; only when it gets ahead of the journey on its own way), the journey's rides up to the change
and the late ride prepended.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

from maas.geo import distance_m
from planner.engines.embedded import realtime_rides
from planner.engines.embedded.csa import transfer_violations
from planner.gtfs.times import format_time

MAX_REPAIRS = 2
LATE_REPAIR_S = 120  # search again without late trips only when they cost at least this much
_PER_REQUEST = ("table", "excluded", "searched", "alerts")  # thread-local state of one realtime() block


class RealtimeSearch:
    """Mixed into EmbeddedNetwork ahead of DepartureSearch and LegBuilder."""

    feed_names = ()  # set by the engine: the feeds routed (ids are `FEED:ID`); each one's real time applies
    feed_versions = ()  # set by the engine: (name, version) of each feed version the network was built from

    @property
    def _rt(self):
        local = self.__dict__.setdefault("_rt_local", threading.local())
        return getattr(local, "table", None)

    @contextmanager
    def realtime(self, table):
        """Apply `table` (planner.realtime.timetable.RealtimeTimetable or None) to searches in this thread."""
        local = self.__dict__.setdefault("_rt_local", threading.local())
        previous = tuple(getattr(local, name, None) for name in _PER_REQUEST)
        local.table = table if table is not None and table.active else None
        local.excluded = {}  # service day -> trips real time ruled out, kept for the request's later searches
        local.searched = set()  # service days searched: only a day's first search repairs what real time broke
        local.alerts = {}  # each feed's alerts document, read at the first leg that needs it
        try:
            yield
        finally:
            for name, value in zip(_PER_REQUEST, previous):
                setattr(local, name, value)

    def _depart(self, day, t0, acc, egr, ex_stops, ex_trips, wheelchair):
        rt = self._rt
        if rt is None:
            return super()._depart(day, t0, acc, egr, ex_stops, ex_trips, wheelchair)
        base_ex = frozenset(ex_trips) | rt.canceled(day)
        # Trips whose change is broken or stop skipped stay out for the request's later searches; a first
        # vehicle running early is out of reach only from this departure time (an earlier one may catch it).
        excluded, early, out = self._rt_local.excluded.setdefault(day, set()), set(), []
        first = day not in self._rt_local.searched  # the request's first search of the day: the best journey
        self._rt_local.searched.add(day)
        for _ in range(1 + MAX_REPAIRS):
            self._rt_local.first = realtime_rides.FirstRides()
            found = super()._depart(day, t0, acc, egr, ex_stops, base_ex | excluded | early, wheelchair)
            found += realtime_rides.direct(self._rt_local.first, egr)
            broken, late = [], set()
            for f in found:
                g, bad, only_now = self._retimed(rt, day, t0, acc, egr, f)
                if bad:
                    (early if only_now else excluded).update(bad)
                    broken.append(f)
                    continue
                out.append(g)
                out += realtime_rides.late_changes(self._rides(rt, day), g, egr, self._change_s, base_ex | excluded)
                if g[0] > f[0]:
                    late |= {leg[1] for leg in g[3] if leg[0] == "ride" and leg[6]["rt"]["delay_s"] > 0}
            # A journey found without a broken one's trips arrives (on the schedule) no earlier than it did: search
            # again only when some broken journey was not already matched by a kept one (as early, as few rides).
            if (first or not out) and any(not any(g[0] <= f[0] and g[1] <= f[1] for g in out) for f in broken):
                self._count_repair("broken")
                continue
            best_found = min((f[0] for f in found), default=None)
            best_out = min((g[0] for g in out), default=None)
            if (first and best_found is not None and best_out is not None and best_out - best_found >= LATE_REPAIR_S
                    and late - early):
                early |= late
                self._count_repair("late")
                continue
            break
        if first:
            out += self._continued(rt, day, t0, acc, egr, out, base_ex | excluded, wheelchair)
        return out

    def _continued(self, rt, day, t0, acc, egr, journeys, excluded, wheelchair):
        """Journeys that change onto a late or ADDED vehicle after one of `journeys`' rides (the schedule says it
        has left) and go on from the stops it reaches: one more search seeded there (`continuation_seeds`)."""
        reach = realtime_rides.continuation_seeds(self._rides(rt, day), journeys, self._change_s, excluded, t0,
                                                  self._to_go(egr))
        if not reach or self._needs_exact(day, t0):
            return []
        self.stats["searches"] += 1
        self._count_repair("continued")
        found = self.split_net._core._route_with_access(
            self._seeds(reach), self._seeds(egr), day.isoformat(), format_time(t0), self.max_rides - 2,
            [], *self._split_exclusions(wheelchair, excluded), True, transfer_mode=None)
        out = []
        for journey in found:
            legs = super()._cafein_legs(journey)
            got = reach.get(legs[0][2] if legs and legs[0][0] == "ride" else legs[0][1]) if legs else None
            if got is None:
                continue
            _, before, ride, i, k, door_departure = got
            before = [(*x[:6], {**x[6], "fixed": True}) if x[0] == "ride" else x for x in before]
            legs = [*before, realtime_rides.leg(ride, i, k), *legs]
            rides = sum(1 for x in legs if x[0] == "ride")
            if rides <= self.max_rides:
                g, bad, _ = self._retimed(rt, day, t0, acc, egr, (int(journey["arrival_s"]), rides, door_departure,
                                                                  legs))
                if not bad:
                    out.append(g)
        if out and min(g[0] for g in out) < min((g[0] for g in journeys), default=1 << 30):
            self._count_repair("continued_better")
        return out

    def _to_go(self, egr):
        """stop -> a lower bound of the seconds from there to the destination (crow-fly at the network's top speed
        to an egress stop, plus its walk), memoised per stop."""
        if "_rt_speed" not in self.__dict__:
            self._rt_speed = realtime_rides.top_speed_mps(self.meta)
        stops, speed, memo = self.meta.stops, self._rt_speed, {}
        ends = [(stops[e]["lat"], stops[e]["lon"], v[0]) for e, v in egr.items()]

        def to_go(stop):
            if stop not in memo:
                s = stops[stop]
                memo[stop] = min((distance_m(s["lat"], s["lon"], lat, lon) / speed + walk for lat, lon, walk in ends),
                                 default=0)
            return memo[stop]
        return to_go

    def _count_repair(self, why):
        for key in ("realtime_repairs", f"realtime_repairs_{why}"):
            self.stats[key] = self.stats.get(key, 0) + 1

    def _rides(self, rt, day) -> realtime_rides.RideIndex:
        return rt.memo(("rides", id(self.meta), day),
                       lambda: realtime_rides.RideIndex(self.meta, rt, day, self.previous_shift(day)))

    def _patterns(self):
        """The split network's routing patterns per stop (realtime_rides.PatternTimetable), None without one."""
        if "_rt_patterns" not in self.__dict__:
            table = realtime_rides.PatternTimetable(self.meta) if self.split_net is not None else None
            self._rt_patterns = table if table is not None and table.valid else None
        return self._rt_patterns

    def _change_s(self, stop) -> int:
        """The minimum change time at `stop` (memoised: the first rides ask for it per stop they reach)."""
        memo = self.__dict__.setdefault("_rt_change_s", {})
        if stop not in memo:
            memo[stop] = self.meta.required_transfer_s(stop, stop)
        return memo[stop]

    def _access_seeds(self, day, t0, acc, ex_trips):
        """Without the stop copies whose first rides real time moves, plus the stops those rides and ADDED trips
        reach (realtime_rides), remembered for `_cafein_legs` and the direct rides."""
        seeds = super()._access_seeds(day, t0, acc, ex_trips)
        rt = self._rt
        if rt is None:
            return seeds
        first = realtime_rides.first_rides(self._rides(rt, day), self._patterns(), rt, day, t0, acc, ex_trips,
                                           self._change_s)
        self._rt_local.first = first
        return [s for s in seeds if s[0] not in first.unseeded] + self._seeds(first.reach)

    def _cafein_legs(self, journey):
        legs = super()._cafein_legs(journey)
        first = getattr(self._rt_local, "first", None) if self._rt is not None else None
        if legs and first is not None and first.reach:
            start = legs[0][2] if legs[0][0] == "ride" else legs[0][1]
            if start in first.reach:
                legs.insert(0, first.leg_to(start))
        return legs

    def _retimed(self, rt, day, t0, acc, egr, journey):
        """(journey with estimated times, set(), False) or (None, {trips that break it}, only from t0?)."""
        door_arrival, rides, door_departure, legs = journey
        new, last_end = [], None
        for leg in legs:
            if leg[0] != "ride":
                _, s1, s2, t1, t2, metres, geometry = leg
                start = last_end if last_end is not None else t1
                new.append(("walk", s1, s2, start, start + (t2 - t1), metres, geometry))
                continue
            if (leg[6] or {}).get("fixed"):  # a late or ADDED first ride: already in estimated times
                new.append(leg)
                last_end = leg[5]
                continue
            _, trip_id, board, board_s, alight, alight_s, extra = leg
            extra = dict(extra or {})
            offset = extra.get("offset") or 0
            state = rt.state(trip_id, day - timedelta(days=1) if offset else day)
            est_board, est_alight, info = board_s, alight_s, {"delay_s": 0, "realtime": False,
                                                             "scheduled": (board_s, alight_s)}
            if state is not None:
                if state.get("canceled"):
                    return None, {trip_id}, False
                stops, arr, dep = self.meta.trip_stops[trip_id]
                i = next((k for k in range(len(stops)) if stops[k] == board and int(dep[k]) - offset == board_s),
                         None)
                j = next((k for k in range(i + 1, len(stops)) if stops[k] == alight
                          and int(arr[k]) - offset == alight_s), None) if i is not None else None
                if i is not None and j is not None:
                    if i in state["skipped"] or j in state["skipped"]:
                        return None, {trip_id}, False
                    est_board, est_alight = state["dep"][i] - offset, state["arr"][j] - offset
                    info = {"delay_s": est_alight - alight_s, "start_delay_s": est_board - board_s,
                            "realtime": True, "scheduled": (board_s, alight_s)}
            extra["rt"] = info
            new.append(("ride", trip_id, board, est_board, alight, est_alight, extra))
            last_end = est_alight
        first = next(leg for leg in new if leg[0] == "ride")
        head = new[0]
        door_departure = head[3] - acc[head[2] if head[0] == "ride" else head[1]][0]
        reach = t0 + acc[head[2]][0] if head[0] == "ride" else head[4]
        if first[3] < reach:
            return None, {first[1]}, True  # running early: it leaves before the rider can be there
        bad = transfer_violations(self.meta, new, self.footpaths)
        if bad:
            stops = {b["stop"] for b in bad}
            return None, {leg[1] for leg in new if leg[0] == "ride" and leg[2] in stops}, False
        end_stop, end_s = self._end(new)
        return (end_s + egr[end_stop][0], rides, door_departure, new), set(), False

    def ride_leg(self, day, leg, language):
        """The leg with OpenTripPlanner-style times: start/end {"scheduled_time", "estimated": {"time",
        "delay_s"} | None}, `realtime`, `delay_s`; start_time/end_time are the expected (estimated) ones."""
        extra = leg[6] or {}
        info = extra.get("rt")
        scheduled = info["scheduled"] if info else (leg[3], leg[5])
        if leg[1] not in self.meta.trips and extra.get("added"):
            out = realtime_rides.new_trip_leg(self, day, leg, language)
        else:
            out = super().ride_leg(day, (*leg[:3], scheduled[0], leg[4], scheduled[1], extra), language)
        realtime = bool(info and info["realtime"])
        for end, sched_s, est_s in (("start", scheduled[0], leg[3]), ("end", scheduled[1], leg[5])):
            out[end] = {"scheduled_time": out[f"{end}_time"],
                        "estimated": {"time": self.iso(day, est_s), "delay_s": int(est_s - sched_s)}
                        if realtime else None}
        if realtime:
            out["start_time"], out["end_time"] = self.iso(day, leg[3]), self.iso(day, leg[5])
            out["duration_s"] = int(leg[5] - leg[3])
        out["realtime"] = realtime
        out["delay_s"] = int(leg[5] - scheduled[1]) if realtime else 0
        out["alerts"] = self._leg_alerts(out, language)
        return out

    def _leg_alerts(self, leg, language):
        """Active alerts of the leg's feed (the one its trip's `FEED:` names) on its route, trip and stops."""
        feed = leg["trip_id"].partition(":")[0] if ":" in (leg["trip_id"] or "") else None
        if feed not in self.feed_names:
            return []
        from planner.realtime.selectors import alerts_in, current

        local = self.__dict__.setdefault("_rt_local", threading.local())
        docs = getattr(local, "alerts", None)  # within realtime(): {feed: its alerts document}, once per request
        doc = docs.get(feed) if docs is not None else None
        if doc is None:
            doc = current(feed, "alerts") or {}
            if docs is not None:
                docs[feed] = doc
        found = alerts_in(doc, feed, route=leg["route_id"], trip=leg["trip_id"], language=language)
        for stop in (leg["from"]["stop_id"], leg["to"]["stop_id"]):
            found += alerts_in(doc, feed, stop=stop, language=language)
        unique = {a["id"]: a for a in found}
        return list(unique.values())
