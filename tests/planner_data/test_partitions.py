"""On PostgreSQL each feed version's stop_times are one partition, loaded without indexes and attached."""
import io

import pytest
from django.core.management import call_command
from django.db import connection

from planner import services
from planner.gtfs.issues import FeedInvalid
from planner.gtfs.loader import import_feed
from planner.models import FeedVersion, StopTime


def partitions():
    """{partition table: its bounds} of planner_stoptime."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                       "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'planner_stoptime'::regclass")
        return dict(cursor.fetchall())


def indexes(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table])
        return [row[0].split(" USING ")[1] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_each_version_is_its_own_indexed_partition_and_deleting_it_drops_it(mini_feed):
    v1 = import_feed(str(mini_feed()), name="hsl").feed
    v2 = import_feed(str(mini_feed("second.zip")), name="hsl", chunk_rows=2).feed

    assert partitions() == {f"planner_stoptime_f{v1.pk}": f"FOR VALUES IN ('{v1.pk}')",
                            f"planner_stoptime_f{v2.pk}": f"FOR VALUES IN ('{v2.pk}')"}
    assert indexes(f"planner_stoptime_f{v2.pk}") == ["btree (feed_id, trip_id, stop_sequence)",
                                                    "btree (stop_id, departure_s)"]
    assert StopTime.objects.filter(feed=v2).count() == 3
    assert sorted(StopTime.objects.filter(feed=v2).values_list("stop_sequence", flat=True)) == [1, 2, 3]

    services.delete_feed_version(FeedVersion.objects.get(pk=v1.pk))
    assert list(partitions()) == [f"planner_stoptime_f{v2.pk}"]
    assert StopTime.objects.count() == 3


@pytest.mark.django_db
def test_a_feed_found_invalid_after_loading_leaves_no_table_behind(mini_feed):
    broken = mini_feed(stop_times__txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                       "late1,08:00:00,08:00:00,1100602,1\nlate1,08:02:00,08:02:00,1121602,1\n")
    with pytest.raises(FeedInvalid) as exc:  # duplicates are found once every row is in the new table
        import_feed(str(broken), name="hsl")
    assert [i.code for i in exc.value.issues] == ["duplicate"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'planner_stoptime_f%%'")
        assert cursor.fetchone()[0] == 0
    assert partitions() == {}


@pytest.mark.django_db
def test_the_command_imports_into_a_partition(mini_feed):
    call_command("import_gtfs", str(mini_feed()), "--no-progress", stdout=io.StringIO())
    feed = FeedVersion.objects.get()
    assert list(partitions()) == [f"planner_stoptime_f{feed.pk}"]
