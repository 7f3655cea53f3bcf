"""translations.txt: stop names in other languages, from either layout (GTFS 2019 or HSL's older one)."""
from __future__ import annotations

import pandas as pd


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value is not pd.NA \
        and str(value) != ""


def stop_translations(tables: dict) -> dict[str, dict[str, str]]:
    """{stop_id: {language: name}} from tables["translations"] for tables["stops"].

    GTFS 2019 layout: rows of table_name "stops", field_name "stop_name", keyed by record_id (a stop id)
    or field_value (a stop name). HSL's older layout: trans_id (a stop name), lang, translation.
    A translation keyed by the stop's id wins over one keyed by its name.
    """
    tr, stops = tables.get("translations"), tables["stops"]
    if tr is None or not len(tr):
        return {}
    by_id: dict[str, dict[str, str]] = {}
    by_name: dict[str, dict[str, str]] = {}
    columns = set(tr.columns)
    if {"table_name", "field_name", "translation"} <= columns and columns & {"language", "lang"}:
        lang_col = "language" if "language" in columns else "lang"
        rows = tr[(tr["table_name"] == "stops") & (tr["field_name"] == "stop_name")]
        records = rows["record_id"] if "record_id" in columns else [None] * len(rows)
        values = rows["field_value"] if "field_value" in columns else [None] * len(rows)
        for record, value, lang, text in zip(records, values, rows[lang_col], rows["translation"]):
            if _present(record):
                by_id.setdefault(str(record), {})[str(lang)] = str(text)
            elif _present(value):
                by_name.setdefault(str(value), {})[str(lang)] = str(text)
    elif {"trans_id", "lang", "translation"} <= columns:
        for trans_id, lang, text in zip(tr["trans_id"], tr["lang"], tr["translation"]):
            by_name.setdefault(str(trans_id), {})[str(lang)] = str(text)
    names: dict[str, dict[str, str]] = {}
    stop_names = stops["stop_name"] if "stop_name" in stops.columns else [None] * len(stops)
    for stop_id, stop_name in zip(stops["stop_id"], stop_names):
        found = dict(by_name.get(stop_name, {})) if _present(stop_name) else {}
        found.update(by_id.get(str(stop_id), {}))
        if found:
            names[str(stop_id)] = found
    return names
