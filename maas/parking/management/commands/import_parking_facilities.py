"""Import HSL Liipi park-and-ride facilities (and their last utilization) from JSON files."""
from django.conf import settings
from django.core.management import BaseCommand

from maas.parking.importers import import_liipi

FIXTURES = settings.BASE_DIR / "fixtures" / "parking"


class Command(BaseCommand):
    help = "Import HSL Liipi facilities.json (+ utilizations.json); atomic, idempotent (upsert by Liipi id)."

    def add_arguments(self, parser):
        parser.add_argument("--facilities", default=str(FIXTURES / "facilities.json"))
        parser.add_argument("--utilizations", default=str(FIXTURES / "utilizations.json"),
                            help="Liipi utilizations JSON; pass an empty string to skip")

    def handle(self, *args, **options):
        stats = import_liipi(options["facilities"], options["utilizations"] or None)
        self.stdout.write(self.style.SUCCESS(
            f"Imported {stats['facilities']} facilities, {stats['capacities']} capacities, "
            f"{stats['utilizations']} utilization readings"))
