"""stop_times partitioned by feed version on PostgreSQL (planner.gtfs.partitions); SQLite keeps one table.

The index on feed_id goes (a version's rows are its partition). The primary key becomes (feed_id, trip_id, stop_sequence): a partitioned table's keys must hold the
partition column; (trip_id, stop_sequence) stays unique since a trip belongs to one version.
"""
import django.db.models.deletion
from django.db import migrations, models

INDEXES = ("planner_stoptime_pkey", "planner_stoptime_board", "planner_stoptime_feed_id_06504136")

FORWARD = [
    "ALTER TABLE planner_stoptime RENAME TO planner_stoptime_plain",
    *[f"ALTER INDEX IF EXISTS {name} RENAME TO {name}_plain" for name in INDEXES],
    "CREATE TABLE planner_stoptime (LIKE planner_stoptime_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
    "PARTITION BY LIST (feed_id)",
    "ALTER TABLE planner_stoptime ADD CONSTRAINT planner_stoptime_pkey PRIMARY KEY (feed_id, trip_id, stop_sequence)",
    "CREATE INDEX planner_stoptime_board ON planner_stoptime (stop_id, departure_s)",
    "CREATE INDEX planner_stoptime_feed_id_06504136 ON planner_stoptime (feed_id)",
    """DO $$ DECLARE f bigint; BEGIN
         FOR f IN SELECT DISTINCT feed_id FROM planner_stoptime_plain LOOP
           EXECUTE 'CREATE TABLE planner_stoptime_f' || f || ' PARTITION OF planner_stoptime FOR VALUES IN ('
                   || f || ')';
         END LOOP;
       END $$""",
    "INSERT INTO planner_stoptime SELECT * FROM planner_stoptime_plain",
    "DROP TABLE planner_stoptime_plain",
]
BACKWARD = [
    "ALTER TABLE planner_stoptime RENAME TO planner_stoptime_parted",
    *[f"ALTER INDEX IF EXISTS {name} RENAME TO {name}_parted" for name in INDEXES],
    "CREATE TABLE planner_stoptime (LIKE planner_stoptime_parted INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
    "INSERT INTO planner_stoptime SELECT * FROM planner_stoptime_parted",
    "DROP TABLE planner_stoptime_parted",
    "ALTER TABLE planner_stoptime ADD CONSTRAINT planner_stoptime_pkey PRIMARY KEY (trip_id, stop_sequence)",
    "CREATE INDEX planner_stoptime_board ON planner_stoptime (stop_id, departure_s)",
    "CREATE INDEX planner_stoptime_feed_id_06504136 ON planner_stoptime (feed_id)",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("planner", "0006_feed_source"),
    ]

    operations = [
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
        migrations.AlterField(  # partitions replace the feed_id index
            model_name="stoptime",
            name="feed",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="stop_times",
                                    to="planner.feedversion"),
        ),
    ]
