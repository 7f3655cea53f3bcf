"""The demo timetable moved to the current weeks: calendar dates shifted by whole weeks, times untouched.

The Kalasatama fixture is the real HSL timetable of 2022-02-22 … 2022-04-07. For the demo, a copy of the
zip is written whose calendar.txt / calendar_dates.txt / feed_info.txt dates are moved by a whole number of
weeks (so every service keeps its weekdays) such that the period starts one to two weeks before today.
"""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

DATE_COLUMNS = {"calendar.txt": ("start_date", "end_date"), "calendar_dates.txt": ("date",),
                "feed_info.txt": ("feed_start_date", "feed_end_date")}


def _parse(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def service_start(zip_path: Path) -> date:
    """The earliest calendar start_date (or calendar_dates date) of a GTFS zip."""
    days = []
    with zipfile.ZipFile(zip_path) as archive:
        for name, columns in DATE_COLUMNS.items():
            if name == "feed_info.txt" or name not in archive.namelist():
                continue
            rows = csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8-sig"))
            days += [_parse(row[columns[0]]) for row in rows if row.get(columns[0])]
    return min(days)


def shift_days_for(start: date, today: date) -> int:
    """Whole weeks that move `start` to 7..13 days before `today` (0 if it is already there)."""
    weeks = (today - start).days // 7 - 1
    return 7 * weeks


def _shift_csv(data: bytes, columns, days: int) -> bytes:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for row in reader:
        for column in columns:
            if row.get(column):
                row[column] = (_parse(row[column]) + timedelta(days=days)).strftime("%Y%m%d")
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def write_shifted(src: Path, dest: Path, days: int) -> Path:
    """Copy GTFS zip `src` to `dest` with its calendar dates moved by `days` (a multiple of 7)."""
    if days % 7:
        raise ValueError("the shift must be whole weeks so that services keep their weekdays")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as archive, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as shifted:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename in DATE_COLUMNS:
                data = _shift_csv(data, DATE_COLUMNS[info.filename], days)
            shifted.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return dest
