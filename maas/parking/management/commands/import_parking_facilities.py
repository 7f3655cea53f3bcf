"""Import HSL Liipi park-and-ride facilities (and their last utilization) from JSON files."""
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from maas.parking.importers import import_liipi

FIXTURES = settings.BASE_DIR / "fixtures" / "parking"


def resolve_paths(directory, facilities, utilizations):
    """(facilities path, utilizations path or None) from the command's arguments.

    DIR means DIR/facilities.json (+ DIR/utilizations.json when present). Without DIR and without
    --facilities the bundled fixtures are used. A --facilities file never gets the fixtures'
    utilizations: they belong to other facilities. --utilizations "" skips utilizations.
    """
    if directory and facilities:
        raise CommandError("give either DIR or --facilities, not both")
    if directory:
        base = Path(directory)
        if not base.is_dir():
            raise CommandError(f"{base}: not a directory")
        facilities = base / "facilities.json"
        if not facilities.exists():
            raise CommandError(f"{base}: no facilities.json in it")
        default_util = base / "utilizations.json"
        default_util = default_util if default_util.exists() else None
    elif facilities:
        default_util = None
    else:
        facilities, default_util = FIXTURES / "facilities.json", FIXTURES / "utilizations.json"
    if utilizations is None:
        utilizations = default_util
    return str(facilities), (str(utilizations) if utilizations else None)


class Command(BaseCommand):
    help = ("Import HSL Liipi facilities.json (+ utilizations.json) from DIR, from --facilities/--utilizations "
            "files, or the bundled fixtures; atomic, idempotent (upsert by Liipi id).")

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="folder holding facilities.json [and utilizations.json]")
        parser.add_argument("--facilities", default=None, help="Liipi facilities JSON file")
        parser.add_argument("--utilizations", default=None,
                            help="Liipi utilizations JSON; pass an empty string to skip")

    def handle(self, *args, **options):
        facilities, utilizations = resolve_paths(options["directory"], options["facilities"],
                                                 options["utilizations"])
        stats = import_liipi(facilities, utilizations)
        self.stdout.write(self.style.SUCCESS(
            f"Imported {stats['facilities']} facilities, {stats['capacities']} capacities, "
            f"{stats['utilizations']} utilization readings"))
