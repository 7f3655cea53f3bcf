"""Versioned GTFS feeds and the OSM street networks the planner routes over.

GTFS text (ids, names, headsigns, URLs, descriptions) is stored whole in text columns: a valid feed has
no length limits, and PostgreSQL and SQLite then accept exactly the same values.

Every GTFS row belongs to one FeedVersion; a re-import creates a new version and activation
swaps which version is live (at most one active version per feed name).
Times in StopTime are seconds since service-day midnight (may exceed 24 h).
"""
from django.db import models
from django.db.models import Q

# GTFS basic route types and HSL's extended ones -> the itinerary leg mode (docs/interfaces.md).
BASIC_ROUTE_MODES = {0: "tram", 1: "metro", 2: "rail", 3: "bus", 4: "ferry", 5: "tram", 6: "bus",
                     7: "rail", 11: "bus", 12: "rail"}


def route_type_mode(route_type: int) -> str:
    """The leg mode for a GTFS route_type, including extended types (109 rail, 700s bus, 900 tram...)."""
    if route_type in BASIC_ROUTE_MODES:
        return BASIC_ROUTE_MODES[route_type]
    family = route_type // 100
    return {1: "rail", 2: "bus", 4: "metro", 7: "bus", 8: "bus", 9: "tram", 10: "ferry", 11: "ferry",
            12: "ferry", 13: "rail", 14: "rail", 15: "taxi"}.get(family, "bus")


class FeedVersion(models.Model):
    """One import of a GTFS feed. `gtfs_path` is a normalized zip of exactly what was imported."""

    name = models.CharField(max_length=64, default="hsl")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=False)
    service_start = models.DateField(null=True, blank=True)
    service_end = models.DateField(null=True, blank=True)
    gtfs_path = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=500, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    stats = models.JSONField(default=dict, blank=True)
    repairs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="planner_feed_name_version_uniq"),
            models.UniqueConstraint(fields=["name"], condition=Q(is_active=True),
                                    name="planner_feed_one_active_per_name"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}{' (active)' if self.is_active else ''}"


class Agency(models.Model):
    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="agencies")
    agency_id = models.TextField(blank=True)
    name = models.TextField()
    url = models.TextField(blank=True)
    timezone = models.TextField()
    lang = models.TextField(blank=True)
    phone = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "agency_id"], name="planner_agency_uniq")]

    def __str__(self):
        return self.name


class Stop(models.Model):
    """A GTFS stop/platform/station. `names` holds translations {"sv": "...", ...} from translations.txt."""

    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="stops")
    stop_id = models.TextField()
    code = models.TextField(blank=True)
    name = models.TextField(blank=True)
    desc = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    zone_id = models.TextField(blank=True)
    location_type = models.PositiveSmallIntegerField(default=0)
    parent_station = models.TextField(blank=True)
    wheelchair_boarding = models.PositiveSmallIntegerField(default=0)  # 0 unknown, 1 accessible, 2 not
    platform_code = models.TextField(blank=True)
    names = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "stop_id"], name="planner_stop_uniq")]

    def __str__(self):
        return f"{self.name} ({self.stop_id})"


class Route(models.Model):
    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="routes")
    route_id = models.TextField()
    agency_id = models.TextField(blank=True)
    short_name = models.TextField(blank=True)
    long_name = models.TextField(blank=True)
    desc = models.TextField(blank=True)
    route_type = models.PositiveIntegerField()
    url = models.TextField(blank=True)
    color = models.CharField(max_length=6, blank=True)
    text_color = models.CharField(max_length=6, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "route_id"], name="planner_route_uniq")]

    def __str__(self):
        return f"{self.short_name or self.route_id} {self.long_name}"

    @property
    def mode(self) -> str:
        return route_type_mode(self.route_type)


class Calendar(models.Model):
    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="calendars")
    service_id = models.TextField()
    monday = models.BooleanField()
    tuesday = models.BooleanField()
    wednesday = models.BooleanField()
    thursday = models.BooleanField()
    friday = models.BooleanField()
    saturday = models.BooleanField()
    sunday = models.BooleanField()
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "service_id"], name="planner_calendar_uniq")]


class CalendarDate(models.Model):
    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="calendar_dates")
    service_id = models.TextField()
    date = models.DateField()
    exception_type = models.PositiveSmallIntegerField()  # 1 added, 2 removed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "service_id", "date"],
                                               name="planner_calendar_date_uniq")]


class Trip(models.Model):
    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="trips")
    # Integrity is checked by the importer before the bulk load (COPY); no per-row FK trigger.
    route = models.ForeignKey(Route, on_delete=models.DO_NOTHING, related_name="trips", db_constraint=False)
    trip_id = models.TextField()
    service_id = models.TextField()
    headsign = models.TextField(blank=True)
    short_name = models.TextField(blank=True)
    direction_id = models.PositiveSmallIntegerField(null=True, blank=True)
    block_id = models.TextField(blank=True)
    shape_id = models.TextField(blank=True)
    wheelchair_accessible = models.PositiveSmallIntegerField(default=0)
    bikes_allowed = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "trip_id"], name="planner_trip_uniq")]

    def __str__(self):
        return self.trip_id


class StopTime(models.Model):
    """arrival_s/departure_s: seconds since service-day midnight (noon minus 12 h), may exceed 86400."""

    # PostgreSQL: one partition per feed version (planner.gtfs.partitions), so no index on feed either.
    feed = models.ForeignKey(FeedVersion, on_delete=models.DO_NOTHING, related_name="stop_times",
                             db_constraint=False, db_index=False)
    trip = models.ForeignKey(Trip, on_delete=models.DO_NOTHING, related_name="stop_times",
                             db_constraint=False, db_index=False)
    # Departure boards read by (stop, departure_s): that index is the only one besides the primary key.
    stop = models.ForeignKey(Stop, on_delete=models.DO_NOTHING, related_name="stop_times", db_constraint=False,
                             db_index=False)
    stop_sequence = models.PositiveIntegerField()
    arrival_s = models.IntegerField(null=True, blank=True)
    departure_s = models.IntegerField(null=True, blank=True)
    stop_headsign = models.TextField(blank=True)
    pickup_type = models.PositiveSmallIntegerField(default=0)
    drop_off_type = models.PositiveSmallIntegerField(default=0)
    shape_dist_traveled = models.FloatField(null=True, blank=True)
    timepoint = models.PositiveSmallIntegerField(null=True, blank=True)

    # (trip, stop_sequence) is the primary key: no surrogate id column and index to fill on bulk loads.
    pk = models.CompositePrimaryKey("trip_id", "stop_sequence")

    class Meta:
        indexes = [models.Index(fields=["stop", "departure_s"], name="planner_stoptime_board")]


class Transfer(models.Model):
    feed = models.ForeignKey(FeedVersion, on_delete=models.CASCADE, related_name="transfers")
    from_stop_id = models.TextField()
    to_stop_id = models.TextField()
    transfer_type = models.PositiveSmallIntegerField(default=0)
    min_transfer_time = models.PositiveIntegerField(null=True, blank=True)


class Shape(models.Model):
    """One point of a GTFS shape."""

    feed = models.ForeignKey(FeedVersion, on_delete=models.DO_NOTHING, related_name="shape_points",
                             db_constraint=False, db_index=False)
    shape_id = models.TextField()
    pt_sequence = models.PositiveIntegerField()
    lat = models.FloatField()
    lon = models.FloatField()
    dist_traveled = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "shape_id", "pt_sequence"],
                                               name="planner_shape_point_uniq")]


class OsmNetwork(models.Model):
    """A (merged) OSM extract for walk/bike routing; `pbf_path` is a copy kept under settings' OSM dir."""

    name = models.CharField(max_length=64, default="kalasatama")
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)
    pbf_path = models.CharField(max_length=500)
    content_hash = models.CharField(max_length=64, db_index=True)
    sources = models.JSONField(default=list, blank=True)
    bbox = models.JSONField(null=True, blank=True)  # [min_lon, min_lat, max_lon, max_lat]
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["name"], condition=Q(is_active=True),
                                               name="planner_osm_one_active_per_name")]

    def __str__(self):
        return f"{self.name} #{self.pk}{' (active)' if self.is_active else ''}"


class FeedSource(models.Model):
    """Where feed `name` is downloaded from and how often (manage.py refresh_feeds, the beat task).

    The last check's outcome is kept: a failed download, import or build leaves the active version serving and
    is shown here, in the admin and in /readyz details.
    """

    name = models.CharField(max_length=64, unique=True)
    url = models.URLField(max_length=2000)
    refresh_every = models.DurationField(help_text="e.g. 1 day; the beat task refreshes sources that are due")
    keep_versions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="versions kept (active included); blank: setting GTFS_KEEP_VERSIONS (3)")
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=16, blank=True)  # unchanged | updated | failed
    last_error = models.TextField(blank=True)  # "download: ...", "import: ...", "build: ..."
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <- {self.url}"
