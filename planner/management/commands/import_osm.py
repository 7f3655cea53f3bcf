"""manage.py import_osm PBF [PBF...] [--bbox min_lon,min_lat,max_lon,max_lat] [--name N] [--activate]"""
from django.core.management.base import BaseCommand, CommandError

from planner.osm.importer import import_osm_network


def parse_bbox(text: str):
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not (values[0] < values[2] and values[1] < values[3]):
        raise CommandError(f"--bbox {text!r}: expected min_lon,min_lat,max_lon,max_lat")
    return values


class Command(BaseCommand):
    help = ("Merge OSM PBF extracts (same OSM ids) into the walk/bike street network the planner uses; "
            "the merged PBF is kept under var/osm and recorded as an OsmNetwork.")

    def add_arguments(self, parser):
        parser.add_argument("pbf", nargs="+")
        parser.add_argument("--bbox", help="min_lon,min_lat,max_lon,max_lat to clip to")
        parser.add_argument("--name", default="kalasatama")
        parser.add_argument("--activate", action="store_true")
        parser.add_argument("--skip-if-unchanged", action="store_true")

    def handle(self, *args, pbf, bbox, name, activate, skip_if_unchanged, **options):
        box = parse_bbox(bbox) if bbox else None
        try:
            network, created = import_osm_network(pbf, name=name, bbox=box, activate=activate,
                                                  skip_if_active_same=skip_if_unchanged)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        except RuntimeError as exc:  # pyosmium: unreadable/corrupt PBF
            raise CommandError(f"could not read OSM input: {exc}") from exc
        if not created:
            self.stdout.write(f"{network} already active with identical inputs; nothing imported.")
            return
        self.stdout.write(self.style.SUCCESS(f"OSM network {network}: {network.stats} -> {network.pbf_path}"))
