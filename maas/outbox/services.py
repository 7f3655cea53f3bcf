"""Transactional outbox: work that must follow a commit is written in the same transaction and
handed to Celery after it commits; what the broker refuses is retried by the `outbox.relay` beat task.

A committed change therefore never loses its follow-up task and never answers 500 because the
broker is away. Delivery is at least once: tasks sent through the outbox must be idempotent.
"""
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from maas.celery import app
from maas.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BACKOFF_S = 300
KEEP_SENT = timedelta(days=7)


def enqueue(task, args=(), *, countdown=0):
    """Record Celery task `task(*args)`, due `countdown` seconds from now, in the current transaction.

    It is sent right after the commit (not at all on rollback); if the broker refuses it then, the relay
    sends it later. Returns the OutboxMessage.
    """
    now = timezone.now()
    message = OutboxMessage.objects.create(task=task, args=list(args), next_attempt_at=now,
                                           eta=now + timedelta(seconds=max(0, int(countdown))))
    transaction.on_commit(lambda: relay(ids=[message.pk]), robust=True)
    return message


def _send(message, now):
    if message.task not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovered lazily outside a worker)
    task = app.tasks[message.task]
    eta = message.eta if message.eta > now else None
    task.apply_async(tuple(message.args), eta=eta, retry=False)


def _backoff(attempts):
    return timedelta(seconds=min(MAX_BACKOFF_S, 2 ** min(attempts, 16)))


def relay(*, ids=None, now=None, limit=BATCH):
    """Send due, unsent messages (oldest first; only `ids` when given) to the broker.

    Rows are locked while sent (SKIP LOCKED: concurrent relays never send one message twice). The first
    refused send ends the batch: the broker is away, the rest waits for the next relay. Returns
    {"sent": n, "failed": n}.
    """
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            sent_at__isnull=True, next_attempt_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        for message in due.order_by("id")[:limit]:
            try:
                _send(message, now)
            except Exception as exc:  # noqa: BLE001 - any refusal is retried later, never raised to the caller
                message.attempts += 1
                message.next_attempt_at = now + _backoff(message.attempts)
                message.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
                message.save(update_fields=["attempts", "next_attempt_at", "last_error"])
                logger.warning("outbox: %s not sent (attempt %s): %s", message, message.attempts, exc)
                failed += 1
                break
            message.sent_at = now
            message.attempts += 1
            message.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return {"sent": sent, "failed": failed}


def purge_sent(now=None):
    """Drop messages sent more than a week ago; returns how many."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()[0]
