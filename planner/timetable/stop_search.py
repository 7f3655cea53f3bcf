"""Finding stops of the active feeds: near a point, or by name (any language the feed names them in).

Each active feed version's stops are held in memory once per process (a few thousand rows; versions
never change after import), so both searches are array scans, the same on PostgreSQL and SQLite.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from maas.geo import distances_m
from planner.models import FeedVersion, Stop
from planner.timetable.feeds import qualify


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching ("Sörnäinen" ~ "sornainen")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class FeedStops:
    feed_name: str
    rows: list[dict]
    lat: np.ndarray
    lon: np.ndarray
    folded: list[list[str]]  # per stop: its names (every language), folded
    text: str  # every stop's folded names, "\x00"-joined, stops "\x01"-separated: one find() per query
    starts: np.ndarray  # offset of each stop's part in `text`

    def candidates(self, query: str) -> list[int]:
        """Indices of the stops whose names contain `query` (one scan of `text`)."""
        found, at = [], self.text.find(query)
        while at >= 0:
            i = int(np.searchsorted(self.starts, at, side="right")) - 1
            found.append(i)
            at = self.text.find(query, int(self.starts[i + 1]) if i + 1 < len(self.starts) else len(self.text))
        return found


@lru_cache(maxsize=16)
def _feed_stops(feed_pk: int, feed_name: str) -> FeedStops:
    rows = list(Stop.objects.filter(feed_id=feed_pk).order_by("stop_id").values(
        "stop_id", "code", "name", "names", "lat", "lon", "location_type", "parent_station", "platform_code",
        "wheelchair_boarding"))
    lat = np.array([r["lat"] if r["lat"] is not None else np.nan for r in rows], dtype=float)
    lon = np.array([r["lon"] if r["lon"] is not None else np.nan for r in rows], dtype=float)
    folded = [sorted({fold(n) for n in [r["name"], *(r["names"] or {}).values()] if n}) for r in rows]
    parts = ["\x00".join(names) for names in folded]
    starts = np.cumsum([0] + [len(p) + 1 for p in parts[:-1]]) if parts else np.zeros(0, dtype=int)
    return FeedStops(feed_name, rows, lat, lon, folded, "\x01".join(parts), np.asarray(starts, dtype=np.int64))


def _stop(fs: FeedStops, row: dict, language: str | None) -> dict:
    return {
        "id": qualify(fs.feed_name, row["stop_id"]), "feed": fs.feed_name, "stop_id": row["stop_id"],
        "name": (row["names"] or {}).get(language or "") or row["name"], "names": row["names"] or {},
        "code": row["code"] or None, "platform": row["platform_code"] or None,
        "lat": row["lat"], "lon": row["lon"], "location_type": row["location_type"],
        "parent_station": qualify(fs.feed_name, row["parent_station"]) if row["parent_station"] else None,
        "wheelchair_boarding": {1: True, 2: False}.get(row["wheelchair_boarding"]),
    }


def stops_near(feeds: dict[str, FeedVersion], lat: float, lon: float, radius_m: float, limit: int,
               language: str | None) -> list[dict]:
    """Stops within `radius_m` of (lat, lon), nearest first, each with `distance_m`."""
    found = []
    for name, feed in feeds.items():
        fs = _feed_stops(feed.pk, name)
        if not fs.rows:
            continue
        dist = distances_m(lat, lon, fs.lat, fs.lon)
        for i in np.flatnonzero(dist <= radius_m):
            found.append((float(dist[i]), name, fs, int(i)))
    found.sort(key=lambda item: (item[0], item[1], item[3]))
    return [{**_stop(fs, fs.rows[i], language), "distance_m": round(d)} for d, _, fs, i in found[:limit]]


def _rank(names: list[str], query: str) -> int | None:
    """0 exact, 1 prefix, 2 a word's prefix, 3 anywhere; None: no name matches."""
    best = None
    for name in names:
        if name == query:
            return 0
        if name.startswith(query):
            rank = 1
        elif any(word.startswith(query) for word in name.replace("(", " ").replace("-", " ").split()):
            rank = 2
        elif query in name:
            rank = 3
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


def stops_matching(feeds: dict[str, FeedVersion], text: str, limit: int, language: str | None) -> list[dict]:
    """Stops whose name in any language contains `text`: exact, then prefix, word prefix, anywhere;
    stations before their platforms, then by name."""
    query = "".join(c for c in fold(text.strip()) if c.isprintable())
    found = []
    for name, feed in feeds.items():
        fs = _feed_stops(feed.pk, name)
        for i in fs.candidates(query):
            rank = _rank(fs.folded[i], query)
            if rank is not None:
                row = fs.rows[i]
                found.append((rank, 0 if row["location_type"] == 1 else 1, fold(row["name"]), name, i, fs))
    found.sort(key=lambda item: item[:5])
    return [_stop(fs, fs.rows[i], language) for *_, i, fs in found[:limit]]
