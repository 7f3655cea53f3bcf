from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "maas.outbox"
    label = "outbox"
    verbose_name = "Task outbox"

    def ready(self):
        from maas import schedules

        # after migrate (and after a test database flush) the beat tables hold every fixed schedule
        post_migrate.connect(schedules.sync, sender=self, dispatch_uid="maas.schedules.sync")
