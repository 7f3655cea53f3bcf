"""Searches at the edges of a service day (mixed into EmbeddedNetwork).

- A departure late in the evening also searches the next service day (its first trips, and the
  trips of the day itself past 24:00 again, found once): 23:50 finds the 00:00 departure.
- Arrive-by gives several distinct departures, latest first: each further search asks to arrive
  strictly before the previous answer's arrival, so every answer leaves earlier than the last.
Results are (service day, (door_arrival_s, rides, door_departure_s, legs)) with times in that day's frame.
"""
from __future__ import annotations

from datetime import date, timedelta

LATE_EVENING_S = 18 * 3600  # from here on a departure search reads on into the next service day


class ServiceDayEdges:
    def _key(self, day: date, found: tuple) -> tuple:
        """One journey, whichever day's frame found it: its trips and its door departure instant."""
        trips = tuple(leg[1] for leg in found[3] if leg[0] == "ride")
        return trips, self.day_base(day) + timedelta(seconds=int(found[2]))

    def _instant(self, day: date, seconds) -> float:
        return (self.day_base(day) + timedelta(seconds=int(seconds))).timestamp()

    def departures_across_days(self, day, secs, acc, egr, ex_stops, ex_trips, wheelchair, want) -> list:
        found = [(day, f) for f in self._next_departures(day, secs, acc, egr, ex_stops, ex_trips, wheelchair, want)]
        if len(found) < want and secs >= LATE_EVENING_S:
            following = day + timedelta(days=1)
            seen = {self._key(d, f) for d, f in found}
            for f in self._next_departures(following, secs - self.previous_shift(following), acc, egr, ex_stops,
                                           ex_trips, wheelchair, want):
                if self._key(following, f) not in seen:
                    found.append((following, f))
        found.sort(key=lambda item: (self._instant(item[0], item[1][0]), item[1][1]))
        return found

    def arrivals_latest_first(self, day, deadline, acc, egr, ex_stops, ex_trips, wheelchair, want) -> list:
        out, seen = [], set()
        for _ in range(want):
            found = self._alternatives(self._arrive(day, deadline, acc, egr, ex_stops, ex_trips, wheelchair))
            found = [f for f in sorted(found, key=lambda f: (-f[2], f[1], f[0])) if self._key(day, f) not in seen]
            if not found:
                break
            best = found[0]
            out.append((day, best))
            seen.add(self._key(day, best))
            deadline = best[0] - 1  # the next one arrives earlier, so it leaves earlier
        return out
