"""manage.py poll_realtime [--feed FEED] [--loop [--cycles N]]: poll the real-time sources once (what the beat
tasks do), or keep polling each at its interval without drift (planner.realtime.polling)."""
from django.core.management.base import BaseCommand, CommandError

from planner.realtime import services
from planner.realtime.models import RealtimeSource


class Command(BaseCommand):
    help = "Poll GTFS-Realtime sources once and swap in the new state."

    def add_arguments(self, parser):
        parser.add_argument("--feed", help="only this feed's sources")
        parser.add_argument("--loop", action="store_true", help="poll one feed's sources every interval (--feed)")
        parser.add_argument("--cycles", type=int, default=None, help="with --loop: stop after this many polls")

    def handle(self, *args, **opts):
        sources = RealtimeSource.objects.filter(enabled=True)
        if opts["feed"]:
            sources = RealtimeSource.objects.filter(feed_name=opts["feed"])
            if not sources.exists():
                raise CommandError(f"no real-time source for feed {opts['feed']!r} (manage.py realtime_source)")
        if opts["loop"]:
            return self.loop(sources, opts["cycles"])
        failed = False
        for source in sources:
            results = services.poll_feed(source.feed_name)
            failed |= not all(r.get("ok") for r in results.values())
            self.stdout.write(f"{source.feed_name}: {services.describe(results)}")
        if failed:
            raise CommandError("some sources failed; the previous state of each stays in use")

    def loop(self, sources, cycles):
        from planner.realtime import polling

        if len(sources) != 1:
            raise CommandError("--loop polls one feed: name it with --feed")
        source = sources[0]

        def poll():
            self.stdout.write(f"{source.feed_name}: {services.describe(services.poll_feed(source.feed_name))}")

        polling.run(poll, source.interval_s, cycles)
