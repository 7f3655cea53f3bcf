"""Celery tasks to send, written in the transaction of the change that needs them."""
from django.db import models


class OutboxMessage(models.Model):
    """One task to hand to the broker: sent once its transaction has committed, retried until it is."""

    task = models.CharField(max_length=200, help_text="Celery task name, e.g. bookings.expire_booking")
    args = models.JSONField(default=list, blank=True)
    eta = models.DateTimeField(help_text="When the task is due (a countdown becomes an ETA at write time)")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="Earliest next send attempt")
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="outbox_unsent_due",
                                condition=models.Q(sent_at__isnull=True))]

    def __str__(self):
        return f"{self.task}{tuple(self.args)} ({'sent' if self.sent_at else 'unsent'})"
