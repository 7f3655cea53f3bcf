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
    """The complete body at `url` (at most REALTIME_MAX_BYTES), or FeedError("fetch_failed"/"truncated_feed").

    Through maas.outbound: the URL and every redirect are checked (public addresses only, unless
    OUTBOUND_ALLOWED_NETWORKS names them) before any connection.
    """
    from django.conf import settings
    from urllib3.exceptions import HTTPError as Urllib3Error

    from maas import outbound

    try:
        got = outbound.fetch(url, max_bytes=int(getattr(settings, "REALTIME_MAX_BYTES", MAX_BYTES)),
                             timeout=float(getattr(settings, "REALTIME_FETCH_TIMEOUT_S", TIMEOUT_S)),
                             accept="application/x-protobuf, application/octet-stream")
    except outbound.OutboundError as exc:
        message = str(exc)
        raise FeedError("fetch_failed", message if message.startswith(url) else f"{url}: {message}") from exc
    except Urllib3Error as exc:  # the connection ended before the announced Content-Length
        raise FeedError("truncated_feed", f"{url}: the body ended early ({type(exc).__name__})") from exc
    return got.body


def check_url(url: str) -> None:
    """Raise FeedError("url_refused") when maas.outbound would refuse to fetch `url`."""
    from maas import outbound

    try:
        outbound.check_url(url)
    except outbound.UrlRefused as exc:
        raise FeedError("url_refused", f"{url}: {exc}") from exc


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
