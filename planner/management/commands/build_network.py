"""Build the embedded routing network over every active feed (or with a given version in place of its feed's
active one), once per set of versions."""
from django.core.management import BaseCommand, CommandError

from planner.models import FeedVersion


class Command(BaseCommand):
    help = "Build and save the routing network (cafein) over the active GTFS feeds and the active OSM extract."

    def add_arguments(self, parser):
        parser.add_argument("--feed-version", type=int,
                            help="FeedVersion pk to route in place of its feed's active version (default: the active)")
        parser.add_argument("--osm", help="OSM .pbf to use instead of the active OSM network")
        parser.add_argument("--no-osm", action="store_true", help="no street network: crow-fly access/egress")
        parser.add_argument("--force", action="store_true", help="rebuild even if this set of versions is built")
        parser.add_argument("--async", dest="run_async", action="store_true", help="queue a Celery task")

    def handle(self, *args, feed_version=None, osm=None, no_osm=False, force=False, run_async=False, **options):
        from planner.engines.embedded.build import build_for_feeds, build_with
        from planner.tasks import build_network

        feed = None
        if feed_version:
            feed = FeedVersion.objects.filter(pk=feed_version).first()
            if feed is None:
                raise CommandError(f"--feed-version {feed_version}: no such FeedVersion")
        if run_async:
            result = build_network.delay(feed.pk if feed else None, force=force, use_osm=not no_osm)
            self.stdout.write(f"queued planner.build_network ({result.id})")
            return
        try:
            if feed is None:
                stats = build_for_feeds(osm_path=osm, use_osm=not no_osm, force=force)
            else:
                stats = build_with(feed, osm_path=osm, use_osm=not no_osm, force=force)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if stats.get("skipped"):
            self.stdout.write(f"network already built: {stats['network']} (use --force to rebuild)")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"built {stats['network']}: {stats['stops']} stops, {stats['trips']} trips, "
                f"{stats['footpaths']} footpaths, streets={'yes' if stats['streets'] else 'no'}, "
                f"{stats['pois']} POIs, service {stats['service_start']}..{stats['service_end']} "
                f"in {stats['seconds']} s"))
