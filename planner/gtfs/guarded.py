"""The import as commands and the refresh run it: archive members checked first, database errors reported.

`import_feed` takes the same arguments as `planner.gtfs.loader.import_feed`; a zip with unsafe or
duplicated members, or a row the database refuses, raises FeedInvalid naming file, row and field
(nothing is written either way).
"""
from __future__ import annotations

import psycopg
from django.db import DatabaseError

from planner.gtfs import dberrors, loader
from planner.gtfs.archive import check_archive
from planner.gtfs.issues import FeedInvalid
from planner.gtfs.reader import local_source
from planner.models import FeedVersion


def import_feed(source: str, **options) -> loader.ImportResult:
    """loader.import_feed behind the archive check; database errors become FeedInvalid findings."""
    with local_source(source) as path:
        check_archive(path)
        try:
            result = loader.import_feed(str(path), **options)
        except (DatabaseError, psycopg.Error) as exc:  # the import's transaction is rolled back
            raise FeedInvalid(dberrors.describe(path, exc)) from exc
    if not result.skipped and str(path) != str(source):  # downloaded: record the URL, not the temp file
        FeedVersion.objects.filter(pk=result.feed.pk).update(source=str(source)[:500])
        result.feed.source = str(source)[:500]
    return result
