"""manage.py import_gtfs PATH_OR_URL [--name hsl] [--activate] [--repair --reference-stops FILE]"""
from django.core.management.base import BaseCommand, CommandError

from planner.gtfs.guarded import import_feed
from planner.gtfs.issues import FeedInvalid, format_report


class Command(BaseCommand):
    help = ("Validate a GTFS feed (zip, directory or URL) and import it as a new feed version. A feed with "
            "errors is rejected whole (file/row/field report) and nothing is written.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="GTFS zip, directory or http(s) URL")
        parser.add_argument("--name", default="hsl", help="feed name (versions are numbered per name)")
        parser.add_argument("--activate", action="store_true", help="make the new version the active one")
        parser.add_argument("--repair", action="store_true",
                            help="restore missing stops from --reference-stops and drop rows that can't be fixed")
        parser.add_argument("--reference-stops", help="stops.txt-like CSV to restore missing stops from")
        parser.add_argument("--max-errors", type=int, default=20, help="errors listed before the counts")
        parser.add_argument("--skip-if-unchanged", action="store_true",
                            help="do nothing when the active version was imported from identical content")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--chunk-rows", type=int, default=None,
                            help="rows of stop_times/shapes per streamed chunk "
                                 "(default settings.GTFS_IMPORT_CHUNK_ROWS "
                                 "or 50000)")

    def handle(self, *args, source, name, activate, repair, reference_stops, max_errors, skip_if_unchanged,
               no_progress, chunk_rows=None, **options):
        if chunk_rows is not None and chunk_rows < 1:
            raise CommandError("--chunk-rows must be a positive number")
        if reference_stops and not repair:
            raise CommandError("--reference-stops needs --repair")
        try:
            result = import_feed(source, name=name, activate=activate, repair_feed=repair,
                                 reference_stops=reference_stops, skip_if_active_same=skip_if_unchanged,
                                 progress=not no_progress, chunk_rows=chunk_rows)
        except FeedInvalid as exc:
            raise CommandError(f"{source}: feed rejected, nothing was written.\n"
                               + format_report(exc.issues, max_errors)) from exc
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise CommandError(f"{source}: {exc}") from exc
        if result.skipped:
            self.stdout.write(f"{result.feed} already active with identical content; nothing imported.")
            return
        for change in result.changes:
            self.stdout.write(f"repair: {change}")
        if result.warnings:
            self.stdout.write(self.style.WARNING("warnings:\n" + format_report(result.warnings, max_errors)))
        stats = ", ".join(f"{k} {v}" for k, v in result.feed.stats.items())
        state = "active" if result.feed.is_active else "inactive (use --activate or the admin action)"
        self.stdout.write(self.style.SUCCESS(f"Imported {result.feed.name} v{result.feed.version} "
                                             f"(id {result.feed.pk}, {state}): {stats}"))
