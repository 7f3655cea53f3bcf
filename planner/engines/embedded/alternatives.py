"""Which alternative itineraries are worth showing: no dominated ones, no rides away and back.

Pure functions over plain values, so they are testable without a network:
- `dominated`: B is dominated when another A leaves no earlier (A.start >= B.start), arrives no later
  and changes no more often; of exact ties (same start, end, transfers) the first one listed stays.
- `revisits`: a journey whose rides pass the same station twice (same stop id or stop name; the
  side-car keeps no parent stations), e.g. M2 Kalasatama -> Kulosaari and back west through
  Kalasatama, apart from the change itself (alighting and boarding at one station is one visit).
"""
from __future__ import annotations


def dominated(items: list[tuple]) -> set[int]:
    """Indexes of the (start, end, transfers) tuples that another tuple in `items` dominates."""
    out = set()
    for b, (bs, be, bt) in enumerate(items):
        for a, (as_, ae, at) in enumerate(items):
            if a == b or a in out:
                continue
            if as_ >= bs and ae <= be and at <= bt and ((as_, ae, at) != (bs, be, bt) or a < b):
                out.add(b)
                break
    return out


def revisits(rides: list[list[frozenset]]) -> bool:
    """True when a journey visits one station twice. `rides`: per ride, the stations it passes from
    boarding to alighting, each station a set of keys (stop id, parent station, name)."""
    visits: list[set] = []
    for k, stations in enumerate(rides):
        for i, keys in enumerate(stations):
            if k and i == 0 and visits:
                visits[-1] = visits[-1] | set(keys)  # the change: alighting and boarding are one visit
            else:
                visits.append(set(keys))
    seen: set = set()
    for keys in visits:
        if keys & seen:
            return True
        seen |= keys
    return False


class Alternatives:
    """The alternatives filter of EmbeddedNetwork (mixed in; uses its meta)."""

    def _alternatives(self, found):
        """`found` ([(door_arrival, rides, door_departure, legs)]) as itineraries worth showing: one per
        sequence of trips, none dominated by another, no ride away and back unless it is the quickest."""
        unique, seen = [], set()
        for f in sorted(found, key=lambda f: (f[0], f[1], -f[2])):
            key = tuple(leg[1] for leg in f[3] if leg[0] == "ride")  # one itinerary per sequence of trips
            if key not in seen:
                seen.add(key)
                unique.append(f)
        # A ride away and back stays only while it is strictly the quickest (no straight journey
        # arrives as early): then it is the earliest arrival, not a detour.
        loops = [revisits(self._stations(f[3])) for f in unique]
        first_straight = min((f[0] for f, loop in zip(unique, loops) if not loop), default=float("inf"))
        straight = [f for f, loop in zip(unique, loops) if not loop or f[0] < first_straight]
        drop = dominated([(f[2], f[0], f[1]) for f in straight])
        return [f for k, f in enumerate(straight) if k not in drop]

    def _stations(self, legs) -> list[list[frozenset]]:
        """Per ride, the stations it passes (board to alight), each as its keys: stop id and name."""
        out = []
        for leg in legs:
            if leg[0] != "ride":
                continue
            _, trip_id, board, board_s, alight, alight_s, extra = leg
            extra = extra or {}
            if extra.get("positions"):  # a late or ADDED first ride (realtime_rides): its stops and positions
                i, j = extra["positions"]
                stops = extra["added"]["stops"] if extra.get("added") else self.meta.trip_stops[trip_id][0]
            else:
                stops, arr, dep = self.meta.trip_stops[trip_id]
                offset = extra.get("offset") or 0
                i = next((k for k in range(len(stops)) if stops[k] == board and int(dep[k]) - offset == int(board_s)),
                         None)
                i = stops.index(board) if i is None else i
                j = next((k for k in range(i + 1, len(stops)) if stops[k] == alight), len(stops) - 1)
            out.append([frozenset({("id", s), ("name", self.meta.stops[s]["name"].casefold())})
                        for s in stops[i:j + 1]])
        return out

