"""Register the providers a JSON file lists (name, kind, gbfs_url, booking_api_url), e.g. the demo's taxi."""
import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from providers.models import Provider
from providers.services import register_provider

FIELDS = ("name", "kind", "gbfs_url", "booking_api_url")


class Command(BaseCommand):
    help = "Create or update providers from a JSON file {\"providers\": [{name, kind, gbfs_url?, booking_api_url?}]}."

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. fixtures/providers/taxi/kalasatama-taxi.json")

    def handle(self, *args, **options):
        try:
            rows = json.loads(Path(options["path"]).read_text())["providers"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{options['path']}: not a providers file ({exc})") from exc
        kinds = set(Provider.Kind.values)
        for row in rows:
            if not isinstance(row, dict) or not row.get("name") or row.get("kind") not in kinds \
                    or set(row) - set(FIELDS):
                raise CommandError(f"{options['path']}: each provider needs a name and a kind in {sorted(kinds)} "
                                   f"and only {', '.join(FIELDS)}: {row!r}")
        for row in rows:
            provider = register_provider(**row)
            self.stdout.write(f"{provider.name}: {provider.kind}"
                              + (f", bookings at {provider.booking_api_url}" if provider.booking_api_url else ""))
