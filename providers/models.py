"""Mobility providers, their API keys and their availability snapshots.

Availability (stations, vehicles, vehicle types, pricing plans, geofencing zones) belongs to a
Snapshot. A sync or push builds a complete new Snapshot and then flips `Provider.current_snapshot`
in the same transaction, so readers always see one whole snapshot and a failed sync changes nothing.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.grid import cell_of


class Provider(models.Model):
    """A transport operator publishing (GBFS pull) or pushing availability."""

    class Kind(models.TextChoices):
        BIKE_SHARE = "bike_share", _("Bike share")
        SCOOTER = "scooter", _("E-scooter")
        CAR_SHARE = "car_share", _("Car share")
        TAXI = "taxi", _("Taxi")
        TRANSIT = "transit", _("Transit")

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    gbfs_url = models.URLField(blank=True, max_length=500,
                               help_text=_("GBFS auto-discovery (gbfs.json or manifest.json) URL; blank = push-only."))
    booking_api_url = models.URLField(blank=True, max_length=500, help_text=_("TOMP endpoint; blank if none."))
    active = models.BooleanField(default=True)
    current_snapshot = models.ForeignKey("Snapshot", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    # Feed's own `last_updated` of the newest data we hold (not our fetch time).
    last_updated = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    ttl_s = models.PositiveIntegerField(default=60)
    stale_after_s = models.PositiveIntegerField(
        null=True, blank=True,
        help_text=_("Seconds after the feed's last_updated before the provider counts as stale. Blank: "
                    "max(PROVIDERS_STALE_AFTER_S, 3 × ttl). 0: never (static data such as the demo seed)."))
    gbfs_version = models.CharField(max_length=10, blank=True)
    stale = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def push_only(self) -> bool:
        return not self.gbfs_url


class ProviderApiKey(models.Model):
    """A provider's push key. Only `prefix` and a SHA-256 `key_hash` are stored; the key is shown once."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="api_keys")
    label = models.CharField(max_length=80, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.provider})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Snapshot(models.Model):
    """One complete availability state of a provider."""

    class Source(models.TextChoices):
        PULL = "pull", _("GBFS pull")
        PUSH = "push", _("Push API")
        IMPORT = "import", _("Import")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="snapshots")
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Feed last_updated per section ("stations", "vehicles", "vehicle_types", "pricing_plans",
    # "geofencing_zones") as ISO strings; a section is never replaced by older data.
    sections = models.JSONField(default=dict, blank=True)
    last_updated = models.DateTimeField(null=True, blank=True)
    station_count = models.PositiveIntegerField(default=0)
    vehicle_count = models.PositiveIntegerField(default=0)
    global_rules = models.JSONField(default=list, blank=True)  # GBFS 3.0 geofencing global_rules
    # Rows skipped as invalid, e.g. [{"file": "station_information", "index": 5, "reason": "..."}].
    report = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.provider} snapshot {self.pk}"


class Station(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="stations")
    station_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    capacity = models.IntegerField(null=True, blank=True)
    bikes_available = models.IntegerField(default=0)
    docks_available = models.IntegerField(default=0)
    is_installed = models.BooleanField(default=True)
    is_renting = models.BooleanField(default=True)
    is_returning = models.BooleanField(default=True)
    last_reported = models.DateTimeField(null=True, blank=True)
    cell = models.BigIntegerField(null=True, blank=True)  # providers.grid cell of (lat, lon)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "station_id"], name="providers_station_uniq")]
        indexes = [models.Index(fields=["snapshot", "lat", "lon"], name="providers_station_geo"),
                   models.Index(fields=["snapshot", "cell"], name="providers_station_cell")]

    def save(self, *args, **kwargs):
        self.cell = cell_of(self.lat, self.lon)
        super().save(*args, **kwargs)


class Vehicle(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="vehicles")
    vehicle_id = models.CharField(max_length=100)
    lat = models.FloatField(null=True, blank=True)  # null when docked at a station
    lon = models.FloatField(null=True, blank=True)
    vehicle_type_id = models.CharField(max_length=100, blank=True)
    station_id = models.CharField(max_length=100, blank=True)
    is_reserved = models.BooleanField(default=False)
    is_disabled = models.BooleanField(default=False)
    range_m = models.IntegerField(null=True, blank=True)
    last_reported = models.DateTimeField(null=True, blank=True)
    cell = models.BigIntegerField(null=True, blank=True)  # providers.grid cell of (lat, lon)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "vehicle_id"], name="providers_vehicle_uniq")]
        indexes = [models.Index(fields=["snapshot", "lat", "lon"], name="providers_vehicle_geo"),
                   models.Index(fields=["snapshot", "cell"], name="providers_vehicle_cell")]

    def save(self, *args, **kwargs):
        self.cell = cell_of(self.lat, self.lon)
        super().save(*args, **kwargs)


class VehicleType(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="vehicle_types")
    vehicle_type_id = models.CharField(max_length=100)
    form_factor = models.CharField(max_length=30, blank=True)
    propulsion_type = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=200, blank=True)
    max_range_m = models.IntegerField(null=True, blank=True)


class PricingPlan(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="pricing_plans")
    plan_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    price_cents = models.IntegerField(default=0)  # base price in integer cents
    data = models.JSONField(default=dict, blank=True)  # the plan as published (per_min/per_km pricing)


class GeofencingZone(models.Model):
    """A GBFS geofencing zone; `position` keeps feed order (earlier zones take precedence)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="geofencing_zones")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200, blank=True)
    geometry = models.JSONField()  # GeoJSON (Multi)Polygon, lon/lat
    rules = models.JSONField(default=list, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    min_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lat = models.FloatField()
    max_lon = models.FloatField()

    class Meta:
        ordering = ["position"]


class VehicleHold(models.Model):
    """A vehicle reserved through our bookings; survives snapshot swaps until released."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="holds")
    vehicle_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "vehicle_id"], name="providers_hold_uniq")]
