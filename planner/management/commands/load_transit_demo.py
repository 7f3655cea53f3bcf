"""Import and activate the Kalasatama transit fixture (GTFS as feed "hsl") and OSM network; idempotent."""
from django.conf import settings
from django.core.management import BaseCommand, call_command

GTFS = "fixtures/gtfs/kalasatama.zip"
OSM = "fixtures/osm/kalasatama.osm.pbf"


class Command(BaseCommand):
    help = "Load fixtures/gtfs/kalasatama.zip and fixtures/osm/kalasatama.osm.pbf (skipped when unchanged)."

    def handle(self, *args, **options):
        base = settings.BASE_DIR
        call_command("import_gtfs", str(base / GTFS), "--name", "hsl", "--activate", "--skip-if-unchanged",
                     "--no-progress", stdout=self.stdout)
        call_command("import_osm", str(base / OSM), "--name", "kalasatama", "--activate", "--skip-if-unchanged",
                     stdout=self.stdout)
