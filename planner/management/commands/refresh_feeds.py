"""manage.py refresh_feeds [--name NAME] [--due] [--force]: download changed feeds, import, build, activate."""
from django.core.management.base import BaseCommand, CommandError

from planner.models import FeedSource
from planner.refresh.service import refresh_feeds


class Command(BaseCommand):
    help = ("Refresh feed sources (conditional GET). A changed feed is imported, validated and built, and only "
            "then activated; a failure keeps the active version and is recorded on the source.")

    def add_arguments(self, parser):
        parser.add_argument("--name", help="only this feed (default: every source)")
        parser.add_argument("--due", action="store_true", help="only sources whose interval has passed")
        parser.add_argument("--force", action="store_true", help="download even if the server says unchanged")

    def handle(self, *args, name=None, due=False, force=False, **options):
        if name and not FeedSource.objects.filter(name=name).exists():
            raise CommandError(f"no feed source {name!r}: add one with manage.py feed_source {name} URL")
        outcomes = refresh_feeds(name, only_due=due, force=force)
        for outcome in outcomes:
            style = self.style.ERROR if outcome.outcome == "failed" else self.style.SUCCESS
            self.stdout.write(style(str(outcome)))
        if not outcomes:
            self.stdout.write("no feed source to refresh")
        if any(o.outcome == "failed" for o in outcomes):
            raise CommandError("some feeds failed to refresh (the active versions keep serving)")
