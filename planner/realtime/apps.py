from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "planner.realtime"
    label = "realtime"
    verbose_name = "Real time (GTFS-Realtime)"
    default_auto_field = "django.db.models.BigAutoField"
