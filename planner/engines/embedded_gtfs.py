"""The timetable side-car of an embedded network: what the itineraries need beyond cafein's core.

Read once from the same GTFS zip/dir the network was built from and pickled beside it
(`<network>.meta.pickle`): stop names and translations, wheelchair flags, fare zones, route
names/colours/modes, per-trip scheduled times, the service calendar, transfers.txt minimum times,
and the footpaths we install into cafein (so our exact fallback search uses the very same walks).
"""
from __future__ import annotations

import io
import math
import pickle
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planner.models import route_type_mode

WALK_SPEED_MPS = 1.2  # 4.3 km/h, a little under HSL's journey planner default
WALK_DETOUR = 1.3  # crow-fly metres -> street metres, for stop-to-stop footpaths
FOOTPATH_RADIUS_M = 400.0
DEFAULT_MIN_TRANSFER_S = 120


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (numpy-friendly)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371008.8 * 2 * np.arcsin(np.sqrt(a))


def _gtfs_seconds(series: pd.Series) -> np.ndarray:
    parts = series.fillna("").astype(str).str.strip().str.split(":", expand=True)
    if parts.shape[1] < 3:
        raise ValueError("stop_times.txt: times must be HH:MM:SS")
    h, m, s = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    return (h * 3600 + m * 60 + s).to_numpy(dtype="float64")


class _Source:
    """A GTFS zip or directory, read table by table as strings."""

    def __init__(self, path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path) if self.path.is_file() else None
        if self.zip:
            self.names = {Path(n).name: n for n in self.zip.namelist()}
        else:
            self.names = {p.name: p for p in self.path.iterdir()}

    def table(self, name, required=True):
        if name not in self.names:
            if required:
                raise ValueError(f"{self.path}: {name} is missing")
            return None
        raw = self.zip.read(self.names[name]) if self.zip else Path(self.names[name]).read_bytes()
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame.columns = [c.strip() for c in frame.columns]
        return frame


def _col(frame, name, default=""):
    return frame[name] if name in frame.columns else pd.Series([default] * len(frame), index=frame.index)


@dataclass
class FeedMeta:
    """Everything the embedded engine reads besides cafein's routing core."""

    stops: dict  # stop_id -> {"name","names","lat","lon","wheelchair","zone"}
    routes: dict  # route_id -> {"short_name","long_name","color","mode","route_type"}
    trips: dict  # trip_id -> {"route_id","service_id","headsign","wheelchair"}
    trip_stops: dict  # trip_id -> (tuple of stop_ids, arrival np.int32[], departure np.int32[])
    calendar: dict  # service_id -> (weekday tuple of 7 bools, start date, end date)
    added: dict  # date -> set(service_id)
    removed: dict  # date -> set(service_id)
    service_start: date
    service_end: date
    min_transfer_s: dict  # stop_id -> seconds (same-stop minimum change time from transfers.txt)
    pair_transfer_s: dict  # (from, to) -> seconds (transfers.txt, different stops)
    footpaths: list  # (from_stop, to_stop, seconds, meters): one walking hop between rides
    default_min_transfer_s: int = DEFAULT_MIN_TRANSFER_S
    feed_lang: str = "fi"
    timezone: str = "Europe/Helsinki"
    has_streets: bool = False  # built with an OSM extract: cafein answers walking access/egress
    copies: dict = field(default_factory=dict)  # stop_id -> its per-pattern copies in the cafein network
    _stop_index: dict = field(default=None, repr=False)

    # --- calendar -------------------------------------------------------
    def services_on(self, day: date) -> set:
        """service_ids running on `day` (calendar.txt + calendar_dates.txt)."""
        active = {
            sid for sid, (weekdays, start, end) in self.calendar.items()
            if start <= day <= end and weekdays[day.weekday()]
        }
        active |= self.added.get(day, set())
        active -= self.removed.get(day, set())
        return active

    def has_service(self, day: date) -> bool:
        return self.service_start <= day <= self.service_end and bool(self.services_on(day))

    # --- stops ----------------------------------------------------------
    def stop_arrays(self):
        if self._stop_index is None:
            served = {s for stops, _, _ in self.trip_stops.values() for s in stops}
            ids = [s for s in self.stops if s in served and self.stops[s]["lat"] is not None]
            self._stop_index = {
                "ids": ids,
                "lat": np.array([self.stops[s]["lat"] for s in ids]),
                "lon": np.array([self.stops[s]["lon"] for s in ids]),
            }
        return self._stop_index

    def bbox(self):
        idx = self.stop_arrays()
        return float(idx["lat"].min()), float(idx["lon"].min()), float(idx["lat"].max()), float(idx["lon"].max())

    def stops_near(self, lat, lon, radius_m, limit=8, exclude=()):
        """[(stop_id, crow-fly metres)] of served stops, nearest first within radius_m."""
        idx = self.stop_arrays()
        dist = haversine_m(lat, lon, idx["lat"], idx["lon"])
        order = np.argsort(dist)
        out = []
        for i in order:
            if dist[i] > radius_m or len(out) >= limit:
                break
            if idx["ids"][i] not in exclude:
                out.append((idx["ids"][i], float(dist[i])))
        return out

    def stop_name(self, stop_id, language=None):
        stop = self.stops.get(stop_id)
        if not stop:
            return stop_id
        return (stop["names"].get(language) if language else None) or stop["name"]

    def required_transfer_s(self, from_stop, to_stop, walk_s=0):
        """Minimum time between alighting at from_stop and boarding at to_stop."""
        if from_stop == to_stop:
            return self.min_transfer_s.get(from_stop, self.default_min_transfer_s)
        return max(int(walk_s), self.pair_transfer_s.get((from_stop, to_stop), 0))

    def save(self, path):
        self._stop_index = None
        Path(path).write_bytes(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def load(path) -> "FeedMeta":
        # Trusted input: written by our own build_network next to the network artifact.
        return pickle.loads(Path(path).read_bytes())


def _translations(src: _Source) -> dict:
    """{stop_id: {lang: name}} from either translations.txt layout (GTFS-2019 or HSL's older one)."""
    frame = src.table("translations.txt", required=False)
    out: dict = {}
    if frame is None or frame.empty:
        return out
    if "table_name" in frame.columns:
        rows = frame[(frame["table_name"] == "stops") & (_col(frame, "field_name") == "stop_name")]
        lang_col = "language" if "language" in frame.columns else "lang"
        for rec, fval, lang, text in zip(_col(rows, "record_id"), _col(rows, "field_value"), rows[lang_col],
                                         rows["translation"]):
            out.setdefault(("id", rec) if rec else ("name", fval), {})[lang] = text
    elif {"trans_id", "lang", "translation"} <= set(frame.columns):
        for trans_id, lang, text in zip(frame["trans_id"], frame["lang"], frame["translation"]):
            out.setdefault(("name", trans_id), {})[lang] = text
    return out


def read_feed(path, *, default_min_transfer_s=DEFAULT_MIN_TRANSFER_S) -> FeedMeta:
    """Read a GTFS zip/dir into a FeedMeta (raises ValueError naming the file on bad input)."""
    src = _Source(path)
    agency = src.table("agency.txt")
    feed_info = src.table("feed_info.txt", required=False)
    feed_lang = (feed_info["feed_lang"].iloc[0] if feed_info is not None and "feed_lang" in feed_info
                 and len(feed_info) else "") or (_col(agency, "agency_lang").iloc[0] if len(agency) else "") or "fi"
    tz = agency["agency_timezone"].iloc[0] if "agency_timezone" in agency and len(agency) else "Europe/Helsinki"

    st = src.table("stops.txt")
    trans = _translations(src)
    stops = {}
    for sid, name, lat, lon, wc, zone in zip(st["stop_id"], _col(st, "stop_name"), _col(st, "stop_lat"),
                                             _col(st, "stop_lon"), _col(st, "wheelchair_boarding"),
                                             _col(st, "zone_id")):
        names = dict(trans.get(("name", name), {}))
        names.update(trans.get(("id", sid), {}))
        stops[sid] = {
            "name": name, "names": names,
            "lat": float(lat) if lat.strip() else None, "lon": float(lon) if lon.strip() else None,
            "wheelchair": int(wc) if wc.strip().isdigit() else 0, "zone": zone.strip() or None,
        }

    rt = src.table("routes.txt")
    routes = {}
    for rid, short, long_, rtype, color in zip(rt["route_id"], _col(rt, "route_short_name"),
                                               _col(rt, "route_long_name"), rt["route_type"],
                                               _col(rt, "route_color")):
        rtype = int(rtype)
        routes[rid] = {"short_name": short or None, "long_name": long_ or None, "route_type": rtype,
                       "mode": route_type_mode(rtype), "color": f"#{color.upper()}" if color.strip() else None}

    tr = src.table("trips.txt")
    trips = {
        tid: {"route_id": rid, "service_id": sid, "headsign": hs or None,
              "wheelchair": int(wc) if wc.strip().isdigit() else 0}
        for tid, rid, sid, hs, wc in zip(tr["trip_id"], tr["route_id"], tr["service_id"],
                                         _col(tr, "trip_headsign"), _col(tr, "wheelchair_accessible"))
    }

    stt = src.table("stop_times.txt")
    arr = _gtfs_seconds(stt["arrival_time"].where(stt["arrival_time"].str.strip() != "", stt["departure_time"]))
    dep = _gtfs_seconds(stt["departure_time"].where(stt["departure_time"].str.strip() != "", stt["arrival_time"]))
    frame = pd.DataFrame({"trip_id": stt["trip_id"], "stop_id": stt["stop_id"],
                          "seq": pd.to_numeric(stt["stop_sequence"]), "arr": arr, "dep": dep})
    frame = frame[frame["trip_id"].isin(trips.keys()) & frame["stop_id"].isin(stops.keys())]
    frame = frame.dropna(subset=["arr", "dep"]).sort_values(["trip_id", "seq"], kind="stable")
    trip_stops = {}
    for tid, group in frame.groupby("trip_id", sort=False):
        if len(group) >= 2:
            trip_stops[tid] = (tuple(group["stop_id"]), group["arr"].to_numpy("int32"),
                               group["dep"].to_numpy("int32"))

    calendar, added, removed = {}, {}, {}
    cal = src.table("calendar.txt", required=False)
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    parse = lambda s: date(int(s[:4]), int(s[4:6]), int(s[6:8]))  # noqa: E731
    if cal is not None:
        for row in cal.to_dict("records"):
            calendar[row["service_id"]] = (tuple(row[d] == "1" for d in days), parse(row["start_date"]),
                                           parse(row["end_date"]))
    cd = src.table("calendar_dates.txt", required=False)
    if cd is not None:
        for sid, day, kind in zip(cd["service_id"], cd["date"], cd["exception_type"]):
            (added if kind.strip() == "1" else removed).setdefault(parse(day), set()).add(sid)
    used = {trips[t]["service_id"] for t in trip_stops}
    starts = [v[1] for k, v in calendar.items() if k in used] + [d for d, s in added.items() if s & used]
    ends = [v[2] for k, v in calendar.items() if k in used] + [d for d, s in added.items() if s & used]
    if not starts:
        raise ValueError(f"{path}: no service dates for any timed trip (calendar.txt/calendar_dates.txt)")

    min_transfer, pair_transfer = {}, {}
    tf = src.table("transfers.txt", required=False)
    if tf is not None:
        for a, b, kind, secs in zip(tf["from_stop_id"], tf["to_stop_id"], _col(tf, "transfer_type", "0"),
                                    _col(tf, "min_transfer_time")):
            if kind.strip() == "2" and secs.strip():
                (min_transfer.__setitem__(a, int(float(secs))) if a == b
                 else pair_transfer.__setitem__((a, b), int(float(secs))))

    meta = FeedMeta(stops=stops, routes=routes, trips=trips, trip_stops=trip_stops, calendar=calendar,
                    added=added, removed=removed, service_start=min(starts), service_end=max(ends),
                    min_transfer_s=min_transfer, pair_transfer_s=pair_transfer, footpaths=[],
                    default_min_transfer_s=default_min_transfer_s, feed_lang=feed_lang, timezone=tz)
    meta.footpaths = compute_footpaths(meta)
    return meta


def compute_footpaths(meta: FeedMeta, radius_m=FOOTPATH_RADIUS_M):
    """Stop-to-stop walks within radius_m (crow-fly x detour), with transfers.txt minimums applied.

    One hop between rides. Seconds are max(walk, minimum change time): walking to another platform
    is never quicker than changing at the same one (and cafein, which gets these edges, agrees).
    """
    served = {s for stops, _, _ in meta.trip_stops.values() for s in stops}
    ids = [s for s in served if meta.stops[s]["lat"] is not None]
    if not ids:
        return []
    lat = np.array([meta.stops[s]["lat"] for s in ids])
    lon = np.array([meta.stops[s]["lon"] for s in ids])
    # Grid bucketing keeps this O(n) for HSL-sized feeds.
    cell_lat = radius_m / 111_000
    cell_lon = radius_m / (111_000 * max(0.1, math.cos(math.radians(float(lat.mean())))))
    keys = list(zip((lat // cell_lat).astype(int), (lon // cell_lon).astype(int)))
    buckets: dict = {}
    for i, k in enumerate(keys):
        buckets.setdefault(k, []).append(i)
    out = []
    for i, (ki, kj) in enumerate(keys):
        near = [j for di in (-1, 0, 1) for dj in (-1, 0, 1) for j in buckets.get((ki + di, kj + dj), ()) if j != i]
        if not near:
            continue
        near = np.array(near)
        dist = haversine_m(lat[i], lon[i], lat[near], lon[near])
        for j, d in zip(near[dist <= radius_m], dist[dist <= radius_m]):
            meters = float(d) * WALK_DETOUR
            walk_s = int(math.ceil(meters / WALK_SPEED_MPS))
            need = meta.pair_transfer_s.get((ids[i], ids[j]), meta.default_min_transfer_s)
            out.append((ids[i], ids[j], max(walk_s, need), meters))
    for (a, b), secs in meta.pair_transfer_s.items():
        if a in served and b in served and not any(f[0] == a and f[1] == b for f in out):
            out.append((a, b, secs, 0.0))
    return out

