"""Load a GBFS feed saved as files (gbfs.json + feeds) as a provider's snapshot, through the sync's parser."""
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from providers import gbfs, services
from providers.models import Provider
from providers.sync import FeedError, apply_documents, read_feed_directory


class Command(BaseCommand):
    help = ("Import a GBFS 1.x-3.0 feed directory (gbfs.json and the feeds it lists, as <name>.json) as the "
            "named provider's snapshot, parsed and swapped by the same code as a GBFS pull.")

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--name", required=True, help="provider name (created if new)")
        parser.add_argument("--kind", required=True, choices=Provider.Kind.values)
        parser.add_argument("--stale-after", type=int, default=0,
                            help="provider's stale_after_s; 0 (default) = static data that never goes stale")

    def handle(self, *args, directory, name, kind, stale_after, **options):
        if stale_after < 0:
            raise CommandError("--stale-after must be >= 0")
        path = Path(directory)
        if not path.is_absolute() and not path.exists():
            path = Path(settings.BASE_DIR) / path
        try:
            docs, version, ttl = read_feed_directory(path)
        except (FeedError, gbfs.GbfsError) as exc:
            raise CommandError(f"{directory}: {exc}") from exc
        provider = services.register_provider(name=name, kind=kind)
        Provider.objects.filter(pk=provider.pk).update(stale_after_s=stale_after)
        provider.refresh_from_db()
        try:
            result = apply_documents(provider, docs, version, ttl, source="import")
        except (FeedError, gbfs.GbfsError) as exc:
            raise CommandError(f"{directory}: {exc}") from exc
        snap = Provider.objects.get(pk=provider.pk).current_snapshot
        state = "loaded" if result.snapshot else "unchanged (not newer than the data held)"
        self.stdout.write(self.style.SUCCESS(
            f"{name}: GBFS {version} {state}: {snap.vehicle_count} vehicles, {snap.station_count} stations, "
            f"{snap.geofencing_zones.count()} geofencing zones"))
