"""stop_times in one PostgreSQL partition per feed version (the table is partitioned by feed_id).

A version's stop_times are COPYed into a new table without indexes, which is attached as its feed_id's
partition once the feed is valid: PostgreSQL then builds the indexes in one sorted pass each (about four
times quicker than inserting millions of rows one by one into the (stop, departure) B-tree), and
attaching takes a lock that neither readers nor other writers wait for. Deleting a version drops its
partition. Other databases (the SQLite demo) keep one plain table: every function here is a no-op there.
"""
from __future__ import annotations

from django.db import connection

PARENT = "planner_stoptime"


def partitioned() -> bool:
    """Whether stop_times is a partitioned table here (PostgreSQL, migrated)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partition_name(feed_pk: int) -> str:
    return f"{PARENT}_f{int(feed_pk)}"


def create(feed_pk: int) -> str:
    """A new, detached, index-less table for the stop_times of feed version `feed_pk`; its name."""
    table = partition_name(feed_pk)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")  # an id used again (a test database's reset sequence)
        cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    return table


def attach(feed_pk: int) -> None:
    """Attach the loaded table as feed `feed_pk`'s partition (its indexes are built now)."""
    table = partition_name(feed_pk)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index sorts in memory
        cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {table} FOR VALUES IN ({int(feed_pk)})")


def drop(feed_pk: int) -> None:
    """Drop feed `feed_pk`'s partition (attached or not) when stop_times is partitioned."""
    if partitioned():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {partition_name(feed_pk)}")
