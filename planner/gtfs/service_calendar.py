"""Which services run on a date, from calendar.txt + calendar_dates.txt held in memory.

`calendar`: {service_id: (weekdays tuple of 7 bools, start date, end date)}; `added` / `removed`:
{date: {service_id}} (calendar_dates exception types 1 and 2). Shared by the embedded engine's side-car
and the real-time static index.
"""
from __future__ import annotations

from datetime import date


def runs_on(calendar: dict, added: dict, removed: dict, service_id: str, day: date) -> bool:
    """Whether `service_id` runs on `day` (an exception date overrides the weekly pattern)."""
    if service_id in removed.get(day, ()):
        return False
    if service_id in added.get(day, ()):
        return True
    pattern = calendar.get(service_id)
    return bool(pattern and pattern[1] <= day <= pattern[2] and pattern[0][day.weekday()])


def services_on(calendar: dict, added: dict, removed: dict, day: date) -> set:
    """service_ids running on `day`."""
    weekday = day.weekday()
    running = {sid for sid, (weekdays, start, end) in calendar.items() if start <= day <= end and weekdays[weekday]}
    return (running | added.get(day, set())) - removed.get(day, set())
