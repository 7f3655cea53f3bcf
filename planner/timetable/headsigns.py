"""Headsigns in the request's language, from the feed's translations.txt.

Headsigns name a destination, so a headsign without its own translation takes the translation of the
stop name it equals (HSL: "Vuosaari" -> sv "Nordsjö"). Read once per feed version from its normalized zip.
"""
from __future__ import annotations

import zipfile
from functools import lru_cache

import pandas as pd

from planner.models import FeedVersion

HEADSIGN_FIELDS = {("trips", "trip_headsign"), ("stop_times", "stop_headsign")}


@lru_cache(maxsize=16)
def _tables(feed_pk: int) -> tuple[dict, dict]:
    """({(trip_id) : {lang: text}}, {text: {lang: text}}) for feed version `feed_pk`."""
    path = FeedVersion.objects.filter(pk=feed_pk).values_list("gtfs_path", flat=True).first()
    by_trip: dict[str, dict[str, str]] = {}
    by_text: dict[str, dict[str, str]] = {}
    if not path:
        return by_trip, by_text
    try:
        with zipfile.ZipFile(path) as zf:
            if "translations.txt" not in zf.namelist():
                return by_trip, by_text
            with zf.open("translations.txt") as fh:
                tr = pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, zipfile.BadZipFile):
        return by_trip, by_text
    columns = set(tr.columns)
    stop_names: dict[str, dict[str, str]] = {}
    if {"table_name", "field_name", "language", "translation"} <= columns:
        for row in tr.itertuples(index=False):
            key = (row.table_name, row.field_name)
            value = getattr(row, "field_value", "")
            if key in HEADSIGN_FIELDS:
                if value:
                    by_text.setdefault(value, {})[row.language] = row.translation
                elif key[0] == "trips" and getattr(row, "record_id", ""):
                    by_trip.setdefault(row.record_id, {})[row.language] = row.translation
            elif key == ("stops", "stop_name") and value:
                stop_names.setdefault(value, {})[row.language] = row.translation
    elif {"trans_id", "lang", "translation"} <= columns:  # HSL's older layout: every text by its value
        for row in tr.itertuples(index=False):
            by_text.setdefault(row.trans_id, {})[row.lang] = row.translation
    for text, names in stop_names.items():
        by_text.setdefault(text, names)
    return by_trip, by_text


def headsign(feed_pk: int, text: str, language: str | None, trip_id: str | None = None) -> str:
    """`text` in `language` when the feed translates it (or a stop name it equals), else as given."""
    if not text or not language:
        return text
    by_trip, by_text = _tables(feed_pk)
    names = (by_trip.get(trip_id) if trip_id else None) or by_text.get(text) or {}
    return names.get(language) or text
