"""GTFS time strings (H:MM:SS, HH:MM:SS, beyond 24:00:00) <-> seconds since service-day midnight."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

_TIME_RE = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")


def parse_time(value) -> int | None:
    """Seconds for one GTFS time string; None for blank; ValueError when malformed."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value)
    if not text.strip():
        return None
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(f"not a GTFS time (H:MM:SS): {text!r}")
    h, m, s = (int(g) for g in match.groups())
    return h * 3600 + m * 60 + s


def parse_times(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorized parse: (seconds as float64 with NaN for blank, blank mask, malformed mask).

    The common HH:MM:SS case is decoded from fixed-width bytes; other widths go through the regex.
    """
    n = len(series)
    seconds = np.full(n, np.nan)
    blank = series.isna().to_numpy().copy()
    text = series.fillna("").astype(str)
    if n == 0:
        return seconds, blank, np.zeros(0, dtype=bool)
    blank |= (text.str.strip() == "").to_numpy()
    lengths = text.str.len().to_numpy()
    fixed = (lengths == 8) & ~blank
    bad = np.zeros(n, dtype=bool)
    if fixed.any():
        raw = np.frombuffer(np.array(text.to_numpy()[fixed], dtype="S8").tobytes(), dtype=np.uint8).reshape(-1, 8)
        digits = raw.astype(np.int64) - 48
        digit_cols = [0, 1, 3, 4, 6, 7]
        ok = ((digits[:, digit_cols] >= 0) & (digits[:, digit_cols] <= 9)).all(axis=1)
        ok &= (raw[:, 2] == 58) & (raw[:, 5] == 58) & (digits[:, 3] <= 5) & (digits[:, 6] <= 5)
        value = (digits[:, 0] * 10 + digits[:, 1]) * 3600 + (digits[:, 3] * 10 + digits[:, 4]) * 60 \
            + digits[:, 6] * 10 + digits[:, 7]
        idx = np.flatnonzero(fixed)
        seconds[idx[ok]] = value[ok]
        bad[idx[~ok]] = True
    other = np.flatnonzero(~fixed & ~blank)
    for i in other:
        try:
            seconds[i] = parse_time(text.iat[i])
        except ValueError:
            bad[i] = True
    return seconds, blank, bad


def format_time(seconds) -> str:
    """HH:MM:SS (hours may exceed 23) for seconds; '' for None/NaN."""
    if seconds is None or (isinstance(seconds, float) and np.isnan(seconds)):
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def format_times(seconds: pd.Series) -> pd.Series:
    """Vectorized format_time over a numeric series (NaN -> '')."""
    s = pd.Series(seconds)
    valid = s.notna()
    v = s[valid].astype("int64")
    out = pd.Series("", index=s.index, dtype=object)
    h = (v // 3600).astype(str).str.zfill(2)
    m = (v % 3600 // 60).astype(str).str.zfill(2)
    sec = (v % 60).astype(str).str.zfill(2)
    out[valid] = h + ":" + m + ":" + sec
    return out
