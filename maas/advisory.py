"""PostgreSQL advisory locks named by text: one id per name, shared by every process on the database."""
from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


def advisory_lock_id(*parts) -> int:
    """A PostgreSQL advisory lock id (signed 64-bit) named by `parts`, e.g. ("bookings:station", 3, "s1")."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def try_lock(*parts):
    """Hold the session-level advisory lock named by `parts` for the block, without waiting: yields True when
    this connection holds it, False when another session does, None on a database without such locks."""
    if connection.vendor != "postgresql":
        yield None
        return
    lock = advisory_lock_id(*parts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
            except DatabaseError:  # the connection died: the server dropped the lock with it
                logger.warning("advisory lock %s: connection lost before unlocking", parts)
