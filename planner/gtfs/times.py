"""GTFS time strings (H:MM:SS, HH:MM:SS, beyond 24:00:00) <-> seconds since service-day midnight, and the
instant a service day's times count from."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

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
    values = series.to_numpy(dtype=object, na_value="")
    if n == 0:
        return seconds, np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    blank = lengths == 0
    fixed = lengths == 8
    bad = np.zeros(n, dtype=bool)
    try:
        encoded = np.array(values[fixed], dtype="S8") if fixed.any() else None
    except UnicodeEncodeError:  # non-ASCII text somewhere: let the regex path judge every row
        encoded, fixed = None, np.zeros(n, dtype=bool)
    if encoded is not None:
        raw = np.frombuffer(encoded.tobytes(), dtype=np.uint8).reshape(-1, 8)
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
        if not values[i].strip():
            blank[i] = True
            continue
        try:
            seconds[i] = parse_time(values[i])
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
    """Vectorized format_time over a numeric series (NaN -> ''); HH:MM:SS built from digits in numpy."""
    s = pd.Series(seconds)
    values = s.to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(values)
    v = np.where(valid, values, 0).astype(np.int64)
    h, m, sec = v // 3600, v % 3600 // 60, v % 60
    digits = np.empty((len(v), 8), dtype=np.uint8)
    digits[:, 0], digits[:, 1] = 48 + h // 10 % 10, 48 + h % 10
    digits[:, 3], digits[:, 4] = 48 + m // 10, 48 + m % 10
    digits[:, 6], digits[:, 7] = 48 + sec // 10, 48 + sec % 10
    digits[:, 2] = digits[:, 5] = 58
    text = digits.view("S8").ravel().astype("U8")
    text[~valid] = ""
    result = pd.Series(text.astype(object), index=s.index)
    wide = valid & (h >= 100)  # 100+ hours: rare, formatted one by one
    if wide.any():
        result[wide] = [format_time(x) for x in v[wide]]
    return result


def service_day_base(day: date, tz: ZoneInfo) -> datetime:
    """The instant (UTC) service day `day`'s GTFS times count from: local noon minus 12 h (midnight except on
    DST days). In UTC because aware datetimes sharing a tzinfo subtract as wall-clock times."""
    return datetime.combine(day, time(12), tzinfo=tz).astimezone(timezone.utc) - timedelta(hours=12)
