"""`--repair`: restore what a named reference can restore, drop what nothing can fix, list every change."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_COLUMNS = ("stop_id", "stop_code", "stop_name", "stop_desc", "stop_lat", "stop_lon", "zone_id",
                     "location_type", "parent_station", "wheelchair_boarding", "platform_code")


def read_reference_stops(path: str | Path) -> pd.DataFrame:
    """A reference stop list (GTFS stops.txt layout, e.g. the 2016 HSL hastus2gtfs stops.txt)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    if "stop_id" not in df.columns:
        raise ValueError(f"{path}: reference stop list has no stop_id column")
    return df.drop_duplicates("stop_id").set_index("stop_id", drop=False)


def _row(i) -> int:
    return int(i) + 2  # line number in the original file (header = line 1)


def repair(tables: dict, reference_stops: pd.DataFrame | None = None, reference_name: str = "reference"
           ) -> tuple[dict, list[str]]:
    """Return (repaired tables, changes). Input frames are not modified. Each change is one line."""
    t = {k: (v.copy() if v is not None else None) for k, v in tables.items()}
    changes: list[str] = []
    known = restore_stops(t, reference_stops, reference_name, changes)
    clear_dangling_parents(t, known, changes)
    infer_trip_routes(t, changes)
    drop_unrunnable_trips(t, changes)
    drop_orphan_stop_times(t, known, reference_name, changes)
    drop_short_trips(t, changes)
    drop_dangling_transfers_and_frequencies(t, known, changes)
    clear_unknown_shapes(t, changes)
    return t, changes


def restore_stops(t: dict, reference_stops, reference_name: str, changes: list[str]) -> set:
    """Stops referenced by stop_times restored from the reference list (transfers alone don't restore);
    returns the stop ids now known."""
    stops, st = t["stops"], t["stop_times"]
    known = set(stops["stop_id"].dropna())
    missing = sorted(set(st["stop_id"].dropna().unique()) - known)
    restorable = [s for s in missing if reference_stops is not None and s in reference_stops.index]
    if not restorable:
        return known
    ref = reference_stops.loc[restorable]
    new = stops.iloc[:0].reindex(range(len(ref)))
    for column in REFERENCE_COLUMNS:
        if column in ref.columns and column in stops.columns:
            values = ref[column].replace("", pd.NA).str.strip().replace("", pd.NA).reset_index(drop=True)
            if column in ("stop_lat", "stop_lon"):
                values = pd.to_numeric(values)
            new[column] = values.astype(stops[column].dtype).to_numpy()
    if "location_type" in new.columns:
        new["location_type"] = new["location_type"].fillna(0)
    for _, r in new.iterrows():
        changes.append(f"stops.txt: restored stop {r['stop_id']} {r.get('stop_name')!s} "
                       f"({r['stop_lat']}, {r['stop_lon']}) from {reference_name}")
    t["stops"] = pd.concat([stops, new], ignore_index=True)
    return known | set(restorable)


def clear_dangling_parents(t: dict, known: set, changes: list[str]) -> None:
    """parent_station references to no stop are cleared."""
    stops = t["stops"]
    if "parent_station" not in stops.columns:
        return
    dangling = stops["parent_station"].notna() & ~stops["parent_station"].isin(known)
    for i in dangling[dangling].index:
        changes.append(f"stops.txt row {_row(i)}: cleared parent_station {stops.at[i, 'parent_station']} "
                       f"of stop {stops.at[i, 'stop_id']} (no such stop)")
    stops.loc[dangling, "parent_station"] = pd.NA


def _services(t: dict) -> set:
    services = set()
    for table in ("calendar", "calendar_dates"):
        if t.get(table) is not None:
            services |= set(t[table]["service_id"].dropna())
    return services


def infer_trip_routes(t: dict, changes: list[str]) -> None:
    """An unknown route_id is inferred from the other trips on the same shape, else from the HSL trip_id
    convention "<route_id>_..."; left as it is when neither says one route."""
    trips, routes = t["trips"], set(t["routes"]["route_id"].dropna())
    unknown_route = ~trips["route_id"].isin(routes)
    if not unknown_route.any():
        return
    trips = trips.copy()
    good = trips[~unknown_route]
    for i in unknown_route[unknown_route].index:
        trip_id, shape_id = trips.at[i, "trip_id"], trips.at[i, "shape_id"] if "shape_id" in trips else None
        siblings = set(good.loc[good["shape_id"] == shape_id, "route_id"]) if pd.notna(shape_id) else set()
        prefixed = {r for r in routes if str(trip_id).startswith(f"{r}_")}
        if len(siblings) == 1:
            new, why = siblings.pop(), f"all other trips on shape {shape_id} run it"
        elif len(prefixed) == 1 and not siblings:
            new, why = prefixed.pop(), "trip_id starts with it (HSL convention)"
        else:
            continue
        changes.append(f"trips.txt row {_row(i)}: trip {trip_id} route_id {trips.at[i, 'route_id']} -> "
                       f"{new} ({why})")
        trips.at[i, "route_id"] = new
    t["trips"] = trips


def drop_unrunnable_trips(t: dict, changes: list[str]) -> None:
    """Trips whose route or service is still unknown are dropped."""
    trips, routes, services = t["trips"], set(t["routes"]["route_id"].dropna()), _services(t)
    bad_trip = ~trips["route_id"].isin(routes) | ~trips["service_id"].isin(services)
    for i in bad_trip[bad_trip].index:
        what = "route_id" if trips.at[i, "route_id"] not in routes else "service_id"
        changes.append(f"trips.txt row {_row(i)}: dropped trip {trips.at[i, 'trip_id']} "
                       f"(unknown {what} {trips.at[i, what]})")
    t["trips"] = trips[~bad_trip]


def drop_orphan_stop_times(t: dict, known: set, reference_name: str, changes: list[str]) -> None:
    """stop_times at stops still unknown, or of unknown trips, are dropped."""
    st = t["stop_times"]
    drop = ~st["stop_id"].isin(known) | ~st["trip_id"].isin(set(t["trips"]["trip_id"]))
    for i in drop[drop].index:
        reason = (f"stop {st.at[i, 'stop_id']} is in neither the feed nor {reference_name}"
                  if st.at[i, "stop_id"] not in known else f"trip {st.at[i, 'trip_id']} was dropped or is unknown")
        changes.append(f"stop_times.txt row {_row(i)}: dropped (trip {st.at[i, 'trip_id']}, "
                       f"stop_sequence {st.at[i, 'stop_sequence']}): {reason}")
    t["stop_times"] = st[~drop]


def drop_short_trips(t: dict, changes: list[str]) -> None:
    """Trips left with fewer than two stop_times are dropped (with their stop_times)."""
    trips, st = t["trips"], t["stop_times"]
    counts = st["trip_id"].value_counts()
    short = trips["trip_id"].map(counts).fillna(0) < 2
    for i in short[short].index:
        n = int(counts.get(trips.at[i, "trip_id"], 0))
        changes.append(f"trips.txt row {_row(i)}: dropped trip {trips.at[i, 'trip_id']} ({n} stop_times)")
    t["trips"] = trips = trips[~short]
    t["stop_times"] = st[st["trip_id"].isin(set(trips["trip_id"]))]


def drop_dangling_transfers_and_frequencies(t: dict, known: set, changes: list[str]) -> None:
    """Transfers and frequencies pointing at removed things are dropped."""
    if t.get("transfers") is not None:
        tr = t["transfers"]
        bad = ~tr["from_stop_id"].isin(known) | ~tr["to_stop_id"].isin(known)
        for i in bad[bad].index:
            changes.append(f"transfers.txt row {_row(i)}: dropped transfer {tr.at[i, 'from_stop_id']} -> "
                           f"{tr.at[i, 'to_stop_id']} (unknown stop)")
        t["transfers"] = tr[~bad]
    if t.get("frequencies") is not None:
        fr = t["frequencies"]
        bad = ~fr["trip_id"].isin(set(t["trips"]["trip_id"]))
        for i in bad[bad].index:
            changes.append(f"frequencies.txt row {_row(i)}: dropped (trip {fr.at[i, 'trip_id']} unknown)")
        t["frequencies"] = fr[~bad]


def clear_unknown_shapes(t: dict, changes: list[str]) -> None:
    """A shape_id pointing at no shape is cleared (a warning otherwise)."""
    trips = t["trips"]
    shape_ids = set(t["shapes"]["shape_id"].dropna()) if t.get("shapes") is not None else set()
    if "shape_id" not in trips.columns:
        return
    bad = trips["shape_id"].notna() & ~trips["shape_id"].isin(shape_ids)
    if bad.any():
        for shape_id, n in trips.loc[bad, "shape_id"].value_counts().items():
            changes.append(f"trips.txt: cleared shape_id {shape_id} on {n} trips (not in shapes.txt)")
        trips = trips.copy()
        trips.loc[bad, "shape_id"] = pd.NA
        t["trips"] = trips
