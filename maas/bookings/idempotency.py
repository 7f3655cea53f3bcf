"""Idempotency-Key handling: one answer per (user, key), however many times or concurrently it's sent."""
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, Conflict
from maas.bookings.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


def request_hash(data):
    """SHA-256 of the request body in canonical JSON (key order and spacing don't matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key):
    """Validate the Idempotency-Key header value; 400 when missing or malformed."""
    if not key or not key.strip():
        raise ApiError(_("The Idempotency-Key header is required."), code="idempotency_key_required")
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(_("The Idempotency-Key header is too long."), code="idempotency_key_invalid",
                       details={"max_length": MAX_KEY_LENGTH})
    return key.strip()


def run_once(user, key, body_hash, handler):
    """Run `handler(record)` once per (user, key) and replay its (status, body) answer afterwards.

    The key row is inserted first inside the same transaction as the handler's writes: a concurrent
    request with the same key blocks on the unique index until this one commits, then replays the
    stored answer. A rolled-back attempt leaves no key behind, so the client may retry. A used key
    with a different body is a 409.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=user, key=key, request_hash=body_hash)
        except IntegrityError:
            record = None
        if record is None:
            existing = IdempotencyRecord.objects.get(user=user, key=key)
            if existing.request_hash != body_hash:
                raise Conflict(_("This Idempotency-Key was already used with a different request."),
                               code="idempotency_key_reused")
            return existing.response_status, existing.response_body
        status, body, booking = handler(record)
        record.response_status, record.response_body, record.booking = status, body, booking
        record.save(update_fields=["response_status", "response_body", "booking"])
        record.refresh_from_db(fields=["response_body"])  # the stored form: first answer == replays, byte for byte
        return status, record.response_body
