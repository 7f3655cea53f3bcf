"""Fetching and parsing one GTFS-Realtime feed (protobuf over HTTP)."""
from __future__ import annotations

from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt

MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_S = 10


class FeedError(Exception):
    """A feed that cannot be used: `code` says why (fetch_failed, malformed_feed, stale_feed, ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def fetch(url: str) -> bytes:
    """The body at `url` (complete, at most MAX_BYTES), or FeedError("fetch_failed").

    The one place real-time feeds are downloaded: the outbound-URL checks go here.
    """
    import requests

    try:
        with requests.get(url, timeout=TIMEOUT_S, stream=True, allow_redirects=False,
                          headers={"Accept": "application/x-protobuf, application/octet-stream"}) as resp:
            if resp.status_code != 200:
                raise FeedError("fetch_failed", f"{url} answered HTTP {resp.status_code}")
            chunks, size = [], 0
            for chunk in resp.iter_content(65536):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FeedError("fetch_failed", f"{url} is larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            body = b"".join(chunks)
            expected = resp.headers.get("Content-Length")
            if expected and expected.isdigit() and int(expected) != len(body):
                raise FeedError("truncated_feed", f"{url}: got {len(body)} of {expected} bytes")
            return body
    except requests.RequestException as exc:
        raise FeedError("fetch_failed", f"{url}: {type(exc).__name__}: {exc}") from exc


def parse(body: bytes, source: str = "") -> rt.FeedMessage:
    """A FeedMessage, or FeedError("malformed_feed") naming the source and the protobuf error."""
    message = rt.FeedMessage()
    try:
        message.ParseFromString(body)
    except (DecodeError, RuntimeWarning, ValueError) as exc:
        raise FeedError("malformed_feed", f"{source or 'feed'}: not a GTFS-Realtime FeedMessage "
                                          f"({len(body)} bytes): {exc}") from exc
    if not message.IsInitialized() or not message.header.gtfs_realtime_version:
        raise FeedError("malformed_feed", f"{source or 'feed'}: FeedMessage without a header "
                                          f"(gtfs_realtime_version) ({len(body)} bytes)")
    return message
