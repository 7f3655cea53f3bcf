"""Idempotency-Key handling: one answer per (user, key), however many times or concurrently it's sent.

The key is claimed in a short transaction of its own (a unique row without an answer yet: "in
progress"); the work -- Stripe and provider calls -- runs outside it; the answer is stored after.
Concurrent requests with the same key poll for that answer and replay it, or get 409
`idempotency_in_progress` (with Retry-After) when it takes longer than BOOKING_IDEMPOTENCY_WAIT_SECONDS.

On PostgreSQL the request working on a key also holds a session advisory lock on it. The server drops
that lock when the request's connection dies, so a claim whose owner is gone is settled by the next
request at once (not after the stale time, which remains the fallback on other databases).
"""
import hashlib
import json
import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maas.advisory import advisory_lock_id
from maas.api.errors import ApiError, Conflict
from maas.bookings.models import IdempotencyRecord

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"  # printable ASCII, no outer spaces (HTTP drops them)
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
    if not re.fullmatch(KEY_PATTERN, key):
        raise ApiError(_("The Idempotency-Key header must be printable text."), code="idempotency_key_invalid")
    return key


def lock_id(user, key):
    """The PostgreSQL advisory lock id of (user, key)."""
    return advisory_lock_id("bookings:idempotency", user.pk, key)


def _take_lock(user, key):
    """True: this connection now holds the key's advisory lock; False: a live request holds it;
    None: the database has no such locks (claims then count as alive until `stale_after`)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id(user, key)])
        return bool(cursor.fetchone()[0])


def _drop_lock(user, key):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id(user, key)])
    except DatabaseError:  # the connection died: the server has dropped the lock with it
        logger.warning("idempotency lock of key %r: connection lost before unlocking", key)


def _claim(user, key, body_hash):
    """(record, True) when this request now owns the key; (existing record or None, False) otherwise."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, request_hash=body_hash), True
    except IntegrityError:
        return IdempotencyRecord.objects.filter(user=user, key=key).first(), False


def _replay(record, body_hash):
    """The stored answer of an answered key; 409 idempotency_key_reused for another body; else None."""
    if record is None:
        return None
    if record.request_hash != body_hash:
        raise Conflict(_("This Idempotency-Key was already used with a different request."),
                       code="idempotency_key_reused")
    if record.response_status is not None:
        return record.response_status, record.response_body
    return None


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


def _settle_failed(record, on_error):
    """After the handler raised: keep `on_error`'s answer or release the key. A dead database connection
    is reopened once; if that fails too, the next request settles the claim (its lock died)."""
    for attempt in (1, 2):
        try:
            answer = on_error(record) if on_error else None
            if answer is None:
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
            else:
                _store(record, *answer)
            return
        except DatabaseError:
            if attempt == 2 or connection.in_atomic_block:
                logger.exception("idempotency key %r: could not settle the failed request", record.key)
                return
            connection.close()


def _is_stale(record, stale_after):
    return stale_after is not None and record.created_at <= timezone.now() - timedelta(seconds=stale_after)


def _attempt(user, key, body_hash, handler, on_error, stale_after, owner_gone):
    """Claim the key and run the handler: its answer, or None when another live request has the key.
    `owner_gone`: we hold the key's lock, so an unanswered claim belongs to a request that died."""
    record, claimed = _claim(user, key, body_hash)
    if not claimed:
        answer = _replay(record, body_hash)
        if answer is not None or record is None:
            return answer
        if not (owner_gone or _is_stale(record, stale_after)):
            return None
        answer = _recover(record, on_error)
        if answer is not None:
            return answer
        record, claimed = _claim(user, key, body_hash)  # the abandoned claim is gone: claim afresh
        if not claimed:
            return _replay(record, body_hash)
    try:
        status, body, booking = handler(record)
    except BaseException:
        _settle_failed(record, on_error)
        raise
    return _store(record, status, body, booking)


def run_once(user, key, body_hash, handler, *, on_error=None, stale_after=None):
    """Run `handler(record)` -> (status, body, booking) once per (user, key); replay its answer afterwards.

    A used key with a different body is a 409 `idempotency_key_reused`. When the handler raises, the
    key is released so the client may retry -- unless `on_error(record)` gives an answer to keep
    instead (e.g. the booking already exists), which is stored before the exception propagates.
    A claim whose request died is settled the same way: at once on PostgreSQL (its lock is gone),
    after `stale_after` seconds elsewhere.
    """
    deadline = time.monotonic() + wait_seconds()
    pause = 0.02
    while True:
        owned = _take_lock(user, key)
        if owned is False:  # a live request works on this key: replay its answer when there is one
            answer = _replay(IdempotencyRecord.objects.filter(user=user, key=key).first(), body_hash)
        else:
            try:
                answer = _attempt(user, key, body_hash, handler, on_error, stale_after, owner_gone=owned is True)
            finally:
                if owned:
                    _drop_lock(user, key)
        if answer is not None:
            return answer
        if time.monotonic() >= deadline:
            raise IdempotencyInProgress()
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
