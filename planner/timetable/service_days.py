"""Service days: which service_ids run on a date, and the instant a day's GTFS times count from."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from planner.gtfs.times import service_day_base
from planner.models import Agency, Calendar, CalendarDate, FeedVersion

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=64)
def feed_zone(feed_pk: int) -> ZoneInfo:
    """The feed's timezone (agency.txt; all agencies of a feed share one)."""
    tz = Agency.objects.filter(feed_id=feed_pk).values_list("timezone", flat=True).first()
    return ZoneInfo(tz or "Europe/Helsinki")


day_base = service_day_base


@lru_cache(maxsize=512)
def services_on(feed_pk: int, day: date) -> frozenset[str]:
    """service_ids of feed version `feed_pk` running on `day` (calendar.txt + calendar_dates.txt)."""
    weekday = WEEKDAYS[day.weekday()]
    running = set(Calendar.objects.filter(feed_id=feed_pk, start_date__lte=day, end_date__gte=day,
                                          **{weekday: True}).values_list("service_id", flat=True))
    for service_id, kind in CalendarDate.objects.filter(feed_id=feed_pk, date=day).values_list(
            "service_id", "exception_type"):
        (running.add if kind == 1 else running.discard)(service_id)
    return frozenset(running)


def feed_of(feed: FeedVersion) -> tuple[int, ZoneInfo]:
    return feed.pk, feed_zone(feed.pk)
