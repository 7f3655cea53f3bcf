"""The conditional download of a feed source (ETag / If-Modified-Since), to a file.

All outbound traffic of the refresh goes through `download` (one place to apply the project's
outbound-URL checks).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings

MAX_FEED_BYTES = 1 << 30  # 1 GiB: the whole HSL feed zip is ~100 MB
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
    max_bytes = int(getattr(settings, "GTFS_REFRESH_MAX_BYTES", MAX_FEED_BYTES))
    timeout = float(getattr(settings, "GTFS_REFRESH_TIMEOUT_S", TIMEOUT_S))
    headers = {"Accept": "application/zip, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if not url.startswith(("http://", "https://")):
        raise DownloadFailed(f"{url}: only http and https URLs are allowed")
    try:
        with requests.Session() as http:
            http.trust_env = False
            with http.get(url, headers=headers, timeout=(10, timeout), stream=True, allow_redirects=False) as resp:
                if resp.status_code == 304 and (etag or last_modified):
                    return Download(False, resp.headers.get("ETag", etag), resp.headers.get("Last-Modified",
                                                                                           last_modified))
                if resp.status_code != 200:
                    raise DownloadFailed(f"{url}: HTTP {resp.status_code}")
                size = 0
                with open(dest, "wb") as fh:
                    for block in resp.iter_content(1 << 20):
                        size += len(block)
                        if size > max_bytes:
                            raise DownloadFailed(f"{url}: larger than {max_bytes} bytes")
                        fh.write(block)
                return Download(True, resp.headers.get("ETag", ""), resp.headers.get("Last-Modified", ""), dest,
                                size)
    except requests.Timeout as exc:
        raise DownloadFailed(f"{url}: timed out") from exc
    except requests.RequestException as exc:
        raise DownloadFailed(f"{url}: connection failed ({exc.__class__.__name__})") from exc
