# StopTime gets the primary key (trip, stop_sequence) instead of a surrogate id: one index less to fill
# on bulk loads. Django cannot migrate a table to a composite primary key, so the table is recreated
# (stop_times of existing feed versions are dropped: re-import those feeds; their normalized zips remain).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("planner", "0002_stoptime_stop_no_index"),
    ]

    operations = [
        migrations.DeleteModel(name="StopTime"),
        migrations.CreateModel(
            name="StopTime",
            fields=[
                ("pk", models.CompositePrimaryKey("trip_id", "stop_sequence", blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ("stop_sequence", models.PositiveIntegerField()),
                ("arrival_s", models.IntegerField(blank=True, null=True)),
                ("departure_s", models.IntegerField(blank=True, null=True)),
                ("stop_headsign", models.CharField(blank=True, max_length=200)),
                ("pickup_type", models.PositiveSmallIntegerField(default=0)),
                ("drop_off_type", models.PositiveSmallIntegerField(default=0)),
                ("shape_dist_traveled", models.FloatField(blank=True, null=True)),
                ("timepoint", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("feed", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                           related_name="stop_times", to="planner.feedversion")),
                ("stop", models.ForeignKey(db_constraint=False, db_index=False,
                                           on_delete=django.db.models.deletion.DO_NOTHING,
                                           related_name="stop_times", to="planner.stop")),
                ("trip", models.ForeignKey(db_constraint=False, db_index=False,
                                           on_delete=django.db.models.deletion.DO_NOTHING,
                                           related_name="stop_times", to="planner.trip")),
            ],
        ),
    ]
