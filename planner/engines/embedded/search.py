"""Departure and arrive-by searches over cafein, with minimum change times checked.

- One search per question, on the split network: cafein allows 0-second same-stop changes and ignores
  transfers.txt, so every stop is split into per-pattern copies (patterns without overtaking, see
  `split.fifo_patterns`) joined by footpaths that carry the minimum change time (transfers.txt
  min_transfer_time, else 2 min): change times hold by construction. Access and egress walks are
  computed once per request and seed one multi-source search (`_route_with_access`, cafein's search
  from caller-supplied access/egress tables). Journeys are still checked (`csa.transfer_violations`)
  and counted in stats["rejected_journeys"] if one ever failed.
- Past midnight: the previous service day's trips (GTFS times > 24:00:00) serve early departures.
  cafein includes them shifted by a fixed 24 h; on DST days (23 h / 25 h between the two days'
  "noon minus 12 h") the exact scan answers instead, its table holding them at their true times.
- Arrive-by: one reverse search (`_reverse_route_with_access`) at the deadline: the latest door
  departures within ARRIVE_WINDOW_S that arrive in time.
- Alternatives: "next departures" - after the best journey, search again from just after it left the
  door, until num_itineraries remain once dominated journeys and rides away and back are dropped
  (`alternatives`).

Journeys travel as tuples (door_arrival_s, rides, door_departure_s, legs); legs are
("ride", trip_id, board_stop, board_s, alight_stop, alight_s, extra) or
("walk", from_stop, to_stop, start_s, end_s, metres, geometry).
"""
from __future__ import annotations

from planner.engines.embedded.csa import earliest_arrival, transfer_violations
from planner.engines.embedded.split import physical
from planner.gtfs.times import format_time

ARRIVE_WINDOW_S = 3 * 3600  # arrive-by: the latest departure is searched this long before the deadline
ALTERNATIVES_WINDOW_S = 2 * 3600  # next-departure searches for alternatives start at most this late


class DepartureSearch:
    """The search half of EmbeddedNetwork (mixed in; uses its meta, nets, footpaths and clock)."""

    def _next_departures(self, day, t0, acc, egr, ex_stops, ex_trips, wheelchair, want):
        """Journeys for a departure at t0 and, while fewer than `want` worth showing, for departures just
        after the previous search's best journey left the door ("next departures"), filtered."""
        found = self._depart(day, t0, acc, egr, ex_stops, ex_trips, wheelchair)
        t, latest = t0, found
        for _ in range(2 * want):
            kept = self._alternatives(found)
            if len(kept) >= want or not latest:
                return kept
            best = min(latest, key=lambda f: (f[0], f[1]))
            t = max(t + 1, best[2] + 1)
            if t > t0 + ALTERNATIVES_WINDOW_S:
                break
            latest = self._depart(day, t, acc, egr, ex_stops, ex_trips, wheelchair)
            found = found + latest
        return self._alternatives(found)


    def _trip_offset(self, trip_id, stop, board_s) -> int:
        """0 for a trip of the queried service day; 86400 for a previous-day trip cafein moved past
        midnight (cafein shifts them by a fixed 24 h; DST days are answered by the exact scan)."""
        stops, _, dep = self.meta.trip_stops[trip_id]
        same_day = any(s == stop and int(d) == int(board_s) for s, d in zip(stops, dep))
        return 0 if same_day else 86400

    def _cafein_legs(self, journey) -> list[tuple]:
        legs = []
        for leg in journey["legs"]:
            if leg["type"] == "transit":
                board = physical(leg["board_stop"])
                legs.append(("ride", leg["trip_id"], board, leg["departure_s"],
                             physical(leg["alight_stop"]), leg["arrival_s"],
                             {"distance_m": leg.get("distance_m"), "geometry": leg.get("geometry"),
                              "offset": self._trip_offset(leg["trip_id"], board, leg["departure_s"])}))
            elif leg["type"] == "transfer" and physical(leg["from_stop"]) != physical(leg["to_stop"]):
                legs.append(("walk", physical(leg["from_stop"]), physical(leg["to_stop"]), leg["departure_s"],
                             leg["arrival_s"], leg.get("distance_m") or 0.0, leg.get("geometry")))
        return legs

    @staticmethod
    def _end(legs):
        last = legs[-1]
        return (last[4], last[5]) if last[0] == "ride" else (last[2], last[4])

    def _feasible(self, legs):
        if not any(leg[0] == "ride" for leg in legs):
            return False
        bad = transfer_violations(self.meta, legs, self.footpaths)
        if bad:
            self.stats["rejected_journeys"] += 1
        return not bad

    def _depart(self, day, t0, acc, egr, ex_stops, ex_trips, wheelchair):
        """[(door_arrival_s, rides, door_departure_s, legs)] for a departure at t0: one search.

        cafein searches the split network (change times hold by construction) from every copy of the
        access stops, seeded with their walk times, to every copy of the egress stops, plus their walk
        times: the Pareto set over (arrival, rides). Before the day's start, without a split network, or
        with previous-day trips still running on a DST day (cafein moves them by a fixed 24 h), the exact
        Connection Scan answers instead.
        """
        if self._needs_exact(day, t0):
            return self._exact(day, t0, acc, egr, ex_stops, ex_trips, [])
        self.stats["searches"] += 1
        journeys = self.split_net._core._route_with_access(
            self._access_seeds(day, t0, acc, ex_trips), self._seeds(egr), day.isoformat(), format_time(t0),
            self.max_rides - 1,
            [], *self._split_exclusions(wheelchair, ex_trips), True, transfer_mode=None)
        return self._found(journeys, acc)

    def _split_exclusions(self, wheelchair, ex_trips) -> tuple[list, list]:
        """(trips, stop copies) the split network's search leaves out: the profile's, plus `ex_trips`
        (e.g. trips real time cancelled)."""
        trips, stops = self._split_excluded[bool(wheelchair)]
        return sorted(set(trips) | set(ex_trips)), stops

    def _needs_exact(self, day, t) -> bool:
        return (t < 0 or self.split_net is None
                or (t <= self.overnight_until(day) and self.previous_shift(day) != 86400))

    def _access_seeds(self, day, t0, acc, ex_trips) -> list[tuple[str, int]]:
        """The departure search's access seeds (real time adds the stops a first ride cafein cannot board
        reaches: planner.engines.embedded.realtime)."""
        return self._seeds(acc)

    def _seeds(self, points: dict) -> list[tuple[str, int]]:
        """[(stop copy, walk seconds)] for {stop: (walk_s, metres, crow_fly)}."""
        return [(copy, int(v[0])) for stop, v in points.items() for copy in self.copies.get(stop, ())]

    def _found(self, journeys, acc) -> list[tuple]:
        """cafein's journeys as (door_arrival_s, rides, door_departure_s, legs), the infeasible left out."""
        out = []
        for journey in journeys:
            legs = self._cafein_legs(journey)
            if legs and self._feasible(legs):
                rides = sum(1 for leg in legs if leg[0] == "ride")
                first = next(leg for leg in legs if leg[0] == "ride")
                out.append((int(journey["arrival_s"]), rides, first[3] - acc[first[2]][0], legs))
        return out

    def _exact(self, day, t0, acc, egr, ex_stops, ex_trips, found):
        """`found` plus the exact Connection Scan's journey (this day's and the previous day's trips)."""
        self.stats["exact_fallbacks"] += 1
        arrival, legs = earliest_arrival(
            self.meta, self.connections.get(day), self.footpaths, t0=t0,
            access={s: v[0] for s, v in acc.items()}, egress={s: v[0] for s, v in egr.items()},
            exclude_stops=ex_stops, exclude_trips=ex_trips, max_rides=self.max_rides)
        if legs:
            legs = [leg if leg[0] == "ride" else (*leg, None) for leg in legs]
            first = legs[0]
            found.append((arrival, sum(1 for leg in legs if leg[0] == "ride"), first[3] - acc[first[2]][0], legs))
        return found

    def _arrive(self, day, deadline, acc, egr, ex_stops, ex_trips, wheelchair):
        """Journeys for an arrive-by query: the latest door departures (within ARRIVE_WINDOW_S before the
        deadline) that arrive by it, from one reverse search over the split network (the latest-departure
        Pareto set over rides). Where the departure search needs the exact scan, a binary search over
        departure searches answers instead (`_arrive_by_bisection`)."""
        earliest = deadline - ARRIVE_WINDOW_S
        if (self._needs_exact(day, earliest) or self._needs_exact(day, deadline)
                or getattr(self, "_rt", None) is not None):  # real time re-times departure searches
            return self._arrive_by_bisection(day, deadline, acc, egr, ex_stops, ex_trips, wheelchair)
        self.stats["searches"] += 1
        journeys = self.split_net._core._reverse_route_with_access(
            self._seeds(acc), self._seeds(egr), day.isoformat(), format_time(deadline), self.max_rides - 1,
            [], *self._split_exclusions(wheelchair, ex_trips), True)
        found = [f for f in self._found(journeys, acc) if f[0] <= deadline and f[2] >= earliest]
        if not found:
            return []
        latest = max(f[2] for f in found)
        return [f for f in found if f[2] == latest] + [f for f in found if f[2] != latest]

    def _arrive_by_bisection(self, day, deadline, acc, egr, ex_stops, ex_trips, wheelchair):
        """Arrive-by over departure searches: the earliest arrival from the door is non-decreasing in the
        departure time, so an integer binary search over τ finds the latest τ within ARRIVE_WINDOW_S whose
        earliest arrival is <= the deadline (jumping to the departure of each journey found)."""

        def probe(tau):
            found = self._depart(day, tau, acc, egr, ex_stops, ex_trips, wheelchair)
            return [f for f in found if f[0] <= deadline]

        best = probe(deadline - ARRIVE_WINDOW_S)
        if not best:
            return []
        # A journey found leaving at d >= the probe time proves d itself arrives in time: jump to it.
        lo = max(f[2] for f in best)
        hi = deadline + 1  # invariant: leaving at lo arrives in time, leaving at hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            got = probe(mid)
            if got:
                lo, best = max(f[2] for f in got), got
            else:
                hi = mid
        return best

