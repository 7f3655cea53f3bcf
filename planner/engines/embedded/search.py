"""Departure and arrive-by searches over cafein, with minimum change times checked.

- Minimum transfer times: cafein allows 0-second same-stop changes and ignores transfers.txt. Each
  feed version gets two cafein networks: the plain one (fast; its answers are lower bounds) and one
  where every stop is split into per-pattern copies joined by footpaths that carry the minimum change
  time (transfers.txt min_transfer_time, else 2 min), so cafein itself respects it. Every journey is
  checked (`csa.transfer_violations`); the plain answer is used when it is feasible and meets
  the bound, else the split network searches, and the exact Python Connection Scan is the last resort
  (overtaking within a pattern).
- Past midnight: the previous service day's trips (GTFS times > 24:00:00) serve early departures.
  cafein includes them shifted by a fixed 24 h; on DST days (23 h / 25 h between the two days'
  "noon minus 12 h") the exact scan answers instead, its table holding them at their true times.
- Arrive-by: the latest door departure whose earliest arrival is <= the deadline, found by binary
  search over departure searches within ARRIVE_WINDOW_S; its journeys that arrive in time.
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

CAFEIN_ORIGINS = 4
DETAILED_PAIRS = 3
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

    def _excluding(self, kw, ex_trips, wheelchair):
        """cafein keyword arguments leaving out `ex_trips` too (e.g. cancelled trips), beyond the profile's."""
        extra = frozenset(ex_trips) - self._exclusions[wheelchair][1]
        if not extra:
            return kw
        return dict(kw, exclude_trips=[*kw.get("exclude_trips", ()), *sorted(extra)])

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

    def _journeys(self, net, co, cd, kw, **when):
        """Feasible journeys (our leg tuples) between two network stops, with their ride counts."""
        out = []
        for journey in net.route_between_stops(co, cd, **when, **kw):
            legs = self._cafein_legs(journey)
            if legs and self._feasible(legs):
                out.append((sum(1 for leg in legs if leg[0] == "ride"), legs))
        return out

    def _depart(self, day, t0, acc, egr, ex_stops, ex_trips, wheelchair):
        """[(door_arrival_s, rides, door_departure_s, legs)] for a departure at t0.

        1. The plain network: one-to-all from the best origin stops gives, per (origin, destination)
           stop pair, a lower bound on the arrival (cafein allows 0 s changes); the best pairs are
           detailed and checked. If the best checked journey meets the lowest bound it is optimal.
        2. Otherwise the split network (exact minimum change times) searches the origins whose bound
           is still below the best feasible arrival. 3. If that is not conclusive (no split network,
           or overtaking within a pattern), the exact Python scan decides.
        """
        if t0 < 0 or (t0 <= self.overnight_until(day) and self.previous_shift(day) != 86400):
            # Before the day's start, or previous-day trips still running on a DST day (cafein moves
            # them by a fixed 24 h): the exact scan, whose table holds them at their true times.
            return self._exact(day, t0, acc, egr, ex_stops, ex_trips, [])
        kw = self._excluding(self._cafein_kw[wheelchair], ex_trips, wheelchair)
        bounds = {}  # (o, d) -> lower bound on the door arrival
        origins = sorted(acc.items(), key=lambda kv: kv[1][0])[:CAFEIN_ORIGINS]
        for o, (a_s, _, _) in origins:
            times = self.net.travel_times_from_stop(o, departure=self._when(day, t0 + a_s), **kw)
            for d, (e_s, _, _) in egr.items():
                if d != o and d in times:
                    bounds[(o, d)] = t0 + a_s + int(times[d]) + e_s
        if not bounds:
            return []
        ranked = sorted(bounds.items(), key=lambda kv: kv[1])
        found = []
        for (o, d), _ in ranked[:DETAILED_PAIRS]:
            for rides, legs in self._journeys(self.net, o, d, kw, departure=self._when(day, t0 + acc[o][0])):
                found.append((self._end(legs)[1] + egr[d][0], rides, legs[0][3] - acc[o][0], legs))
        best = min((f[0] for f in found), default=float("inf"))
        if best <= ranked[0][1]:
            return found
        if self.split_net is not None:
            self.stats["split_searches"] += 1
            skw = self._excluding(self._split_kw[wheelchair], ex_trips, wheelchair)
            origin_bound = {}
            for (o, _), bound in ranked:
                origin_bound.setdefault(o, bound)
            exact = []  # (door arrival, origin copy, destination copy)
            for o, bound in sorted(origin_bound.items(), key=lambda kv: kv[1]):
                if bound >= best:
                    break
                a_s = acc[o][0]
                for co in self.copies.get(o, ()):
                    times = self.split_net.travel_times_from_stop(co, departure=self._when(day, t0 + a_s), **skw)
                    for d, (e_s, _, _) in egr.items():
                        for cd in self.copies.get(d, ()):
                            if d != o and cd in times:
                                exact.append((t0 + a_s + int(times[cd]) + e_s, co, cd))
                if exact:
                    best = min(best, min(exact)[0])
            for _, co, cd in sorted(exact)[:2]:
                o, d = physical(co), physical(cd)
                for rides, legs in self._journeys(self.split_net, co, cd, skw,
                                                  departure=self._when(day, t0 + acc[o][0])):
                    found.append((self._end(legs)[1] + egr[d][0], rides, legs[0][3] - acc[o][0], legs))
            # Exact unless a later trip of the same pattern overtakes an earlier one (then cafein may
            # change between them in 0 s at one stop copy and the check above rejects it).
            if found and min(f[0] for f in found) <= min(exact, default=(float("inf"),))[0]:
                return found
        # No split network (an artifact from an older build), or overtaking: the exact scan decides.
        return self._exact(day, t0, acc, egr, ex_stops, ex_trips, found)

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
        """Journeys for an arrive-by query: those of the latest door departure τ (within ARRIVE_WINDOW_S
        before the deadline) whose earliest arrival is <= the deadline, arriving by it.

        The earliest arrival from the door is non-decreasing in the departure time, so an integer
        binary search over τ with the (exact) departure search finds that latest τ (jumping to the
        departure of each journey found); the answer is the departure search's journeys from τ that
        arrive in time. Empty if nothing arrives in time when leaving ARRIVE_WINDOW_S before the deadline.
        """
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

