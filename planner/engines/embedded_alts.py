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
