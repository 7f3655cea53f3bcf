"""Real-time sources: per GTFS feed name, up to three GTFS-Realtime URLs and a polling interval."""
from django.db import models

DEFAULT_INTERVAL_S = 15


class RealtimeSource(models.Model):
    """GTFS-Realtime URLs of one feed (`feed_name` = planner FeedVersion.name, e.g. "hsl")."""

    feed_name = models.CharField(max_length=64, unique=True)
    trip_updates_url = models.URLField(max_length=1000, blank=True)
    alerts_url = models.URLField(max_length=1000, blank=True)
    vehicle_positions_url = models.URLField(max_length=1000, blank=True)
    interval_s = models.PositiveIntegerField(default=DEFAULT_INTERVAL_S)
    enabled = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_status = models.JSONField(default=dict, blank=True)  # kind -> {"ok", "error", "counts", ...}

    class Meta:
        ordering = ["feed_name"]

    def __str__(self):
        return f"real time of {self.feed_name}"

    def urls(self) -> dict:
        """{kind: url} of the configured sources."""
        pairs = {"trip_updates": self.trip_updates_url, "alerts": self.alerts_url,
                 "vehicle_positions": self.vehicle_positions_url}
        return {kind: url for kind, url in pairs.items() if url}
