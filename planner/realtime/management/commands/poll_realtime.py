"""manage.py poll_realtime [--feed FEED]: poll the real-time sources once (what the beat tasks do)."""
from django.core.management.base import BaseCommand, CommandError

from planner.realtime import services
from planner.realtime.models import RealtimeSource


class Command(BaseCommand):
    help = "Poll GTFS-Realtime sources once and swap in the new state."

    def add_arguments(self, parser):
        parser.add_argument("--feed", help="only this feed's sources")

    def handle(self, *args, **opts):
        sources = RealtimeSource.objects.filter(enabled=True)
        if opts["feed"]:
            sources = RealtimeSource.objects.filter(feed_name=opts["feed"])
            if not sources.exists():
                raise CommandError(f"no real-time source for feed {opts['feed']!r} (manage.py realtime_source)")
        failed = False
        for source in sources:
            results = services.poll_feed(source.feed_name)
            failed |= not all(r.get("ok") for r in results.values())
            self.stdout.write(f"{source.feed_name}: {services.describe(results)}")
        if failed:
            raise CommandError("some sources failed; the previous state of each stays in use")
