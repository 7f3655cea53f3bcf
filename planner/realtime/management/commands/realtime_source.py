"""manage.py realtime_source FEED --trip-updates URL [--alerts URL] [--vehicle-positions URL] [--every 15s]"""
import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from planner.realtime import feed, services

UNITS = {"s": 1, "m": 60, "h": 3600}


def interval(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text or "")
    if not m or int(m[1]) < 1:
        raise CommandError(f"--every {text!r}: give a positive interval such as 15s, 5m or 1h")
    return int(m[1]) * UNITS[m[2] or "s"]


def _option(field):
    return "--" + field.removesuffix("_url").replace("_", "-")


class Command(BaseCommand):
    help = "Configure the GTFS-Realtime sources of a feed and schedule their polling."

    def add_arguments(self, parser):
        parser.add_argument("feed", help="feed name (as imported: import_gtfs --name)")
        parser.add_argument("--trip-updates", default="", help="trip updates URL")
        parser.add_argument("--alerts", default="", help="service alerts URL")
        parser.add_argument("--vehicle-positions", default="", help="vehicle positions URL")
        parser.add_argument("--every", default="15s", help="polling interval (15s, 5m, 1h)")
        parser.add_argument("--disable", action="store_true", help="keep the URLs but stop polling")

    def handle(self, *args, **opts):
        urls = {"trip_updates_url": opts["trip_updates"], "alerts_url": opts["alerts"],
                "vehicle_positions_url": opts["vehicle_positions"]}
        if not any(urls.values()):
            raise CommandError("give at least one of --trip-updates, --alerts, --vehicle-positions")
        every = interval(opts["every"])
        check = URLValidator(schemes=["http", "https"])
        for field, url in urls.items():
            if url:
                try:
                    check(url)
                except ValidationError:
                    raise CommandError(f"{_option(field)} {url!r}: not an http(s) URL")
                try:
                    feed.check_url(url)
                except feed.FeedError as exc:
                    raise CommandError(f"{_option(field)}: {exc}")
        source = services.configure_source(opts["feed"], interval_s=every,
                                           enabled=not opts["disable"], **urls)
        kinds = ", ".join(source.urls()) or "none"
        self.stdout.write(f"{source.feed_name}: {kinds}, every {source.interval_s} s"
                          f"{'' if source.enabled else ' (disabled)'}")
