"""manage.py deactivate_feed NAME: take a feed out of service; the other active feeds keep routing."""
from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Deactivate feed NAME's active version. The routing network of the other active feeds is built "
            "first, so plans are served throughout.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="feed name, e.g. ferries")

    def handle(self, *args, name, **options):
        from planner.refresh.service import deactivate_feed

        try:
            feed = deactivate_feed(name)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if feed is None:
            raise CommandError(f"feed {name!r} has no active version")
        self.stdout.write(self.style.SUCCESS(f"{feed.name} v{feed.version} deactivated"))
