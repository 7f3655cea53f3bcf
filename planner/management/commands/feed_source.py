"""manage.py feed_source NAME URL [--every 24h] [--keep N]: where feed NAME is refreshed from, and how often."""
from django.core.management.base import BaseCommand, CommandError

from planner.refresh.service import parse_every, set_source


class Command(BaseCommand):
    help = "Set the download URL and refresh interval of a feed (refreshed by refresh_feeds / the beat task)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="feed name, e.g. hsl or ferries")
        parser.add_argument("url", help="http(s) URL of the GTFS zip")
        parser.add_argument("--every", default="24h", help="refresh interval: 30m, 24h, 7d (default 24h)")
        parser.add_argument("--keep", type=int, default=None,
                            help="versions to keep, the active one included (default setting GTFS_KEEP_VERSIONS, 3)")

    def handle(self, *args, name, url, every, keep, **options):
        from django.core.exceptions import ValidationError
        from django.core.validators import URLValidator

        try:
            interval = parse_every(every)
        except ValueError as exc:
            raise CommandError(f"--every: {exc}") from exc
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise CommandError(f"URL {url!r} is not an http(s) URL") from exc
        from planner.refresh.fetch import DownloadFailed, check_source_url

        try:
            check_source_url(url)
        except DownloadFailed as exc:
            raise CommandError(f"URL refused: {exc}") from exc
        if keep is not None and keep < 2:
            raise CommandError("--keep must be at least 2 (the active version and the one it replaced)")
        source = set_source(name, url, interval, keep)
        self.stdout.write(self.style.SUCCESS(f"feed {source.name}: {source.url}, every {source.refresh_every}"))
