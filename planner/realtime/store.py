"""Where the latest real-time state lives: one JSON document per (feed, kind), swapped atomically.

Backends: Redis (`REALTIME_REDIS_URL`, default the Celery broker when it is Redis) - the document and its
version are written in one MULTI transaction; or files under `REALTIME_DIR` (demo, no Redis) - written to a
temporary file and renamed over the old one. Readers keep the decoded document per process and re-read it
only when the version changed (one small GET or stat per read, no database query).
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from pathlib import Path

KINDS = ("trip_updates", "alerts", "vehicle_positions")
_cache: dict = {}  # (backend id, feed, kind) -> (version, document)
_lock = threading.Lock()


def _settings():
    from django.conf import settings

    return settings


class StoreUnavailable(Exception):
    """The shared store cannot be reached (Redis down): readers fall back to the schedule."""


def redis_url() -> str:
    s = _settings()
    url = getattr(s, "REALTIME_REDIS_URL", None)
    if url is None:
        url = s.CELERY_BROKER_URL if str(s.CELERY_BROKER_URL or "").startswith("redis") else ""
    return url


class RedisStore:
    def __init__(self, url):
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    @staticmethod
    def _key(feed, kind):
        return f"maas:realtime:{feed}:{kind}"

    def write(self, feed, kind, blob: bytes, version: str):
        key = self._key(feed, kind)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(key, blob)
            pipe.set(key + ":v", version)
            pipe.execute()

    def version(self, feed, kind):
        import redis

        try:
            v = self.client.get(self._key(feed, kind) + ":v")
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return v.decode() if v else None

    def read(self, feed, kind):
        import redis

        try:
            return self.client.get(self._key(feed, kind))
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def versions(self, feed, kinds):
        """The versions of several kinds of one feed in one MGET."""
        import redis

        try:
            values = self.client.mget([self._key(feed, kind) + ":v" for kind in kinds])
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return [v.decode() if v else None for v in values]

    def delete(self, feed, kind):
        self.client.delete(self._key(feed, kind), self._key(feed, kind) + ":v")


class FileStore:
    def __init__(self, directory):
        self.url = str(directory)
        self.dir = Path(directory)

    def _path(self, feed, kind):
        return self.dir / f"{feed}.{kind}.json"

    def write(self, feed, kind, blob: bytes, version: str):
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=f".{feed}.{kind}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(feed, kind))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def version(self, feed, kind):
        try:
            st = self._path(feed, kind).stat()
        except FileNotFoundError:
            return None
        return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"

    def versions(self, feed, kinds):
        return [self.version(feed, kind) for kind in kinds]

    def read(self, feed, kind):
        try:
            return self._path(feed, kind).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, feed, kind):
        self._path(feed, kind).unlink(missing_ok=True)


def backend():
    url = redis_url()
    if url:
        key = ("redis", url)
        if _cache.get(key) is None:
            _cache[key] = RedisStore(url)
        return _cache[key]
    s = _settings()
    return FileStore(getattr(s, "REALTIME_DIR", Path(s.BASE_DIR) / "var" / "realtime"))


def swap(feed: str, kind: str, document: dict) -> str:
    """Replace the state of (feed, kind) by `document` in one atomic write; returns its version."""
    assert kind in KINDS
    version = uuid.uuid4().hex
    document = dict(document, version=version)
    backend().write(feed, kind, json.dumps(document, separators=(",", ":")).encode(), version)
    return version


def load(feed: str, kind: str) -> dict | None:
    """The current document of (feed, kind), or None. Decoded once per version per process."""
    store = backend()
    return _decoded(store, feed, kind, store.version(feed, kind))


def load_many(feed: str, kinds=KINDS) -> dict:
    """{kind: document or None} of one feed: every version in one store read (a Redis MGET), then only the
    documents whose version changed since this process decoded them."""
    store = backend()
    return {kind: _decoded(store, feed, kind, version)
            for kind, version in zip(kinds, store.versions(feed, list(kinds)))}


def _decoded(store, feed, kind, version):
    if version is None:
        return None
    key = (store.url, feed, kind)
    cached = _cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    blob = store.read(feed, kind)
    if blob is None:
        return None
    document = json.loads(blob)
    with _lock:
        _cache[key] = (version, document)
    return document


def clear(feed: str, kind: str | None = None):
    for k in ([kind] if kind else KINDS):
        backend().delete(feed, k)
        _cache.pop((backend().url, feed, k), None)
