"""Import and activate the Kalasatama transit fixture (GTFS as feed "hsl") and OSM network; idempotent."""
from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.utils import timezone

from planner.gtfs.demo_calendar import service_start, shift_days_for, write_shifted

GTFS = "fixtures/gtfs/kalasatama.zip"
OSM = "fixtures/osm/kalasatama.osm.pbf"


class Command(BaseCommand):
    help = "Load fixtures/gtfs/kalasatama.zip and fixtures/osm/kalasatama.osm.pbf (skipped when unchanged)."

    def add_arguments(self, parser):
        parser.add_argument("--shift-to-today", action="store_true",
                            help="move the timetable's service calendar by whole weeks so that it covers "
                                 "the current weeks (same weekdays, times untouched)")

    def handle(self, *args, shift_to_today=False, **options):
        base = settings.BASE_DIR
        gtfs = base / GTFS
        if shift_to_today:
            start = service_start(gtfs)
            days = shift_days_for(start, timezone.localdate())
            gtfs = write_shifted(gtfs, base / "var" / "demo" / "kalasatama-shifted.zip", days)
            self.stdout.write(
                f"Demo timetable: the fixture's service calendar ({start} …) is moved by {days} days "
                f"({days // 7} weeks) to cover the current weeks: same weekdays, times untouched "
                "(see fixtures/SOURCES.md).")
        call_command("import_gtfs", str(gtfs), "--name", "hsl", "--activate", "--skip-if-unchanged",
                     "--no-progress", stdout=self.stdout)
        call_command("import_osm", str(base / OSM), "--name", "kalasatama", "--activate", "--skip-if-unchanged",
                     stdout=self.stdout)
