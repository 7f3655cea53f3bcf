"""The conditional download of a feed source (ETag / If-Modified-Since), to a file.

Through `maas.outbound`: the URL and every redirect are checked (public addresses only, unless
OUTBOUND_ALLOWED_NETWORKS names them) before any connection; the body is bounded in size and time.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from maas import outbound

MAX_FEED_BYTES = 512 << 20  # the whole HSL feed zip is ~100 MB
TIMEOUT_S = 600


class DownloadFailed(Exception):
    """The source could not be fetched; the message names the URL and the reason, never the remote's body."""


@dataclass
class Download:
    changed: bool  # False: the server answered 304 Not Modified
    etag: str
    last_modified: str
    path: Path | None = None
    size: int = 0


def download(url: str, dest: Path, *, etag: str = "", last_modified: str = "") -> Download:
    """GET `url` into `dest` unless the server says it is unchanged since `etag` / `last_modified`."""
    try:
        got = outbound.fetch(url, max_bytes=int(getattr(settings, "GTFS_REFRESH_MAX_BYTES", MAX_FEED_BYTES)),
                             timeout=float(getattr(settings, "GTFS_REFRESH_TIMEOUT_S", TIMEOUT_S)),
                             etag=etag or None, last_modified=last_modified or None,
                             accept="application/zip, */*")
    except outbound.OutboundError as exc:
        message = str(exc)
        raise DownloadFailed(message if message.startswith(url) else f"{url}: {message}") from exc
    if got.not_modified:
        return Download(False, got.etag or etag, got.last_modified or last_modified)
    dest.write_bytes(got.body)
    return Download(True, got.etag or "", got.last_modified or "", dest, len(got.body))


def check_source_url(url: str) -> None:
    """Raise DownloadFailed when `url` may not be fetched (scheme, host, address)."""
    try:
        outbound.check_url(url)
    except outbound.UrlRefused as exc:
        raise DownloadFailed(f"{url}: {exc}") from exc
