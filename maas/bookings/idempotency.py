"""Idempotency-Key handling: one answer per (user, key), however many times or concurrently it's sent.

The key is claimed in a short transaction of its own (a unique row without an answer yet: "in
progress"); the work -- Stripe and provider calls -- runs outside it; the answer is stored after.
Concurrent requests with the same key poll for that answer and replay it, or get 409
`idempotency_in_progress` (with Retry-After) when it takes longer than BOOKING_IDEMPOTENCY_WAIT_SECONDS.
"""
import hashlib
import json
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, Conflict
from maas.bookings.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
RETRY_AFTER_S = 1


class IdempotencyInProgress(Conflict):
    """409: the first request with this key hasn't answered yet (the view adds Retry-After)."""

    default_code = "idempotency_in_progress"

    def __init__(self, retry_after=RETRY_AFTER_S):
        super().__init__(_("A request with this Idempotency-Key is still being processed; retry shortly."),
                         code="idempotency_in_progress", details={"retry_after_s": retry_after})
        self.retry_after = retry_after


def wait_seconds():
    """How long a repeated request waits for the first one's answer before answering 409."""
    return float(getattr(settings, "BOOKING_IDEMPOTENCY_WAIT_SECONDS", 15))


def request_hash(data):
    """SHA-256 of the request body in canonical JSON (key order and spacing don't matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key):
    """Validate the Idempotency-Key header value; 400 when missing or malformed."""
    if not key or not key.strip():
        raise ApiError(_("The Idempotency-Key header is required."), code="idempotency_key_required")
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(_("The Idempotency-Key header is too long."), code="idempotency_key_invalid",
                       details={"max_length": MAX_KEY_LENGTH})
    if not key.isprintable():
        raise ApiError(_("The Idempotency-Key header must be printable text."), code="idempotency_key_invalid")
    return key


def _claim(user, key, body_hash):
    """(record, True) when this request now owns the key; (existing record or None, False) otherwise."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, request_hash=body_hash), True
    except IntegrityError:
        return IdempotencyRecord.objects.filter(user=user, key=key).first(), False


def _store(record, status, body, booking):
    record.response_status, record.response_body, record.booking = status, body, booking
    record.save(update_fields=["response_status", "response_body", "booking"])
    record.refresh_from_db(fields=["response_body"])  # the stored form: first answer == replays, byte for byte
    return status, record.response_body


def _recover(record, on_error):
    """Settle a claim whose request died (never answered): answer with `on_error(record)` if it gives one
    (e.g. the booking it made), else drop the claim. Returns the answer, or None when dropped."""
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().filter(pk=record.pk).first()
        if record is None:
            return None
        if record.response_status is not None:
            return record.response_status, record.response_body
        answer = on_error(record) if on_error else None
        if answer is None:
            record.delete()
            return None
        return _store(record, *answer)


def run_once(user, key, body_hash, handler, *, on_error=None, stale_after=None):
    """Run `handler(record)` -> (status, body, booking) once per (user, key); replay its answer afterwards.

    A used key with a different body is a 409 `idempotency_key_reused`. When the handler raises, the
    key is released so the client may retry -- unless `on_error(record)` gives an answer to keep
    instead (e.g. the booking already exists), which is stored before the exception propagates.
    A claim still unanswered after `stale_after` seconds is taken for dead and settled the same way.
    """
    deadline = time.monotonic() + wait_seconds()
    pause = 0.02
    while True:
        record, claimed = _claim(user, key, body_hash)
        if claimed:
            break
        if record is not None:
            if record.request_hash != body_hash:
                raise Conflict(_("This Idempotency-Key was already used with a different request."),
                               code="idempotency_key_reused")
            if record.response_status is not None:
                return record.response_status, record.response_body
            if stale_after is not None and record.created_at <= timezone.now() - timedelta(seconds=stale_after):
                answer = _recover(record, on_error)
                if answer is not None:
                    return answer
                continue  # the abandoned claim is gone: claim the key afresh
        if time.monotonic() >= deadline:
            raise IdempotencyInProgress()
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    try:
        status, body, booking = handler(record)
    except BaseException:
        answer = on_error(record) if on_error else None
        if answer is None:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        else:
            _store(record, *answer)
        raise
    return _store(record, status, body, booking)
