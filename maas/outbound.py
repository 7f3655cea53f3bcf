"""Outbound HTTP to URLs that someone else chose (provider feeds, provider APIs, remote GTFS).

Only http(s); the host must resolve to public addresses only, unless a network in the setting
OUTBOUND_ALLOWED_NETWORKS (CIDR list) names it. The check runs before every connection (each
redirect, each URL found inside a fetched document, DNS answers that change between check and
connect), so nothing is ever sent to a refused address. Bodies are bounded in size and time, and
error messages never carry what the remote answered.

    check_url(url)                              -> url, or raises UrlRefused
    fetch(url, *, max_bytes, timeout, ...)      -> Fetched, or raises OutboundError
    session()                                   -> requests.Session whose connections are guarded
"""
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class OutboundError(Exception):
    """The URL could not be fetched; the message is safe to store and show (no remote content)."""


class UrlRefused(OutboundError):
    """The URL is not allowed (scheme, host, or an address that is not public)."""


@dataclass
class Fetched:
    url: str                    # the final URL (after redirects)
    status: int                 # 200, or 304 when etag/last_modified matched
    body: bytes                 # b"" for 304
    etag: str | None
    last_modified: str | None
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _allowed_networks():
    return [ipaddress.ip_network(n, strict=False) for n in getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", [])]


def _kind(ip):
    """Why an address is refused ("loopback", "private", ...), or None for a public address."""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if ip.version == 6 and ip.sixtofour is not None and _kind(ip.sixtofour):
        return "6to4-non-public"
    return None if ip.is_global else "non-public"


def check_address(address):
    """Raise UrlRefused unless `address` (str or ip_address) is public or in OUTBOUND_ALLOWED_NETWORKS."""
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])
    kind = _kind(ip)
    if kind and not any(ip in net for net in _allowed_networks() if net.version == ip.version):
        raise UrlRefused(f"address not allowed ({kind})")


def resolve(host, port):
    """Every address `host` resolves to, each checked; [(family, sockaddr)]."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"{host}: name does not resolve") from exc
    if not infos:
        raise OutboundError(f"{host}: name does not resolve")
    for *_, sockaddr in infos:
        try:
            check_address(sockaddr[0])
        except UrlRefused as exc:
            raise UrlRefused(f"{host}: {exc}") from None
    return [(family, sockaddr) for family, _t, _p, _c, sockaddr in infos]


def _split(url):
    if not isinstance(url, str) or any(c in url for c in "\r\n\t\x00 "):
        raise UrlRefused("not a valid URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("only http and https URLs are allowed")
    if not parts.hostname:
        raise UrlRefused("the URL has no host")
    if parts.username or parts.password:
        raise UrlRefused("credentials in the URL are not allowed")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_url(url):
    """Validate `url` (scheme, host, every resolved address); return it unchanged or raise UrlRefused.

    A name that does not resolve raises OutboundError (not UrlRefused): it may resolve later.
    """
    host, port = _split(url)
    resolve(host, port)
    return url


def _guarded_connect(conn):
    """Resolve, check and connect to a checked address (no second lookup for a rebinding DNS)."""
    last = None
    for family, sockaddr in resolve(conn._dns_host, conn.port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if isinstance(conn.timeout, (int, float)):
                sock.settimeout(conn.timeout)
            for opt in conn.socket_options or []:
                sock.setsockopt(*opt)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError("no address to connect to")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _guarded_connect(self)


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        return _guarded_connect(self)


class _PeerChecked:
    """A pooled connection is handed out again only while its peer address is still allowed (no new lookup)."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout=timeout)
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                peer = sock.getpeername()[0]
            except OSError:  # closed meanwhile: urllib3 reconnects through _guarded_connect
                return conn
            try:
                check_address(peer)
            except UrlRefused as exc:
                conn.close()
                self._put_conn(conn)
                raise UrlRefused(f"{self.host}: {exc}") from None
        return conn


class _GuardedHTTPPool(_PeerChecked, HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(_PeerChecked, HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def send(self, request, *args, **kwargs):
        _split(request.url)  # scheme, host, no credentials; addresses are checked at connect (one lookup)
        return super().send(request, *args, **kwargs)

    def proxy_manager_for(self, *args, **kwargs):
        raise OutboundError("proxies are not used for outbound URLs")


def session():
    """A requests.Session whose every connection (redirects too) goes only to allowed addresses.

    Proxies, .netrc and other environment settings are ignored.
    """
    s = requests.Session()
    s.trust_env = False
    adapter = _GuardedAdapter(max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def _reason(exc):
    """A short, safe description of a requests/urllib3 failure."""
    for inner in _chain(exc):
        if isinstance(inner, OutboundError):
            return str(inner)
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return exc.__class__.__name__


def _chain(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        for arg in getattr(exc, "args", ()):
            if isinstance(arg, BaseException):
                yield from _chain(arg)
            reason = getattr(arg, "reason", None)
            if isinstance(reason, BaseException):
                yield from _chain(reason)
        exc = exc.__cause__ or exc.__context__


def _read(resp, url, max_bytes, deadline):
    body = bytearray()
    while chunk := resp.raw.read1(_CHUNK, decode_content=True):  # returns what has arrived: no stalling
        body += chunk
        if len(body) > max_bytes:
            raise OutboundError(f"{url}: larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise OutboundError(f"{url}: timed out")
    return bytes(body)


def fetch(url, *, max_bytes, timeout, etag=None, last_modified=None, accept="application/json",
          max_redirects=MAX_REDIRECTS, http=None):
    """GET `url` → Fetched (200, or 304 for a matching etag/last_modified).

    Every hop is checked as in check_url; the whole exchange (all redirects, the body) must finish
    within `timeout` seconds and the body within `max_bytes`. Any other status raises OutboundError
    ("<url>: HTTP 500"); the remote's body is never part of a message. `http` may be a session().
    """
    deadline = time.monotonic() + timeout
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own = http is None
    http = http or session()
    try:
        for _hop in range(max_redirects + 1):
            _split(url)  # scheme and shape here; the session's adapter resolves and checks the addresses
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OutboundError(f"{url}: timed out")
            try:
                with http.get(url, headers=headers, timeout=(min(remaining, 10), remaining), stream=True,
                              allow_redirects=False) as resp:
                    if resp.is_redirect:
                        url = urljoin(url, resp.headers["Location"])
                        continue
                    if resp.status_code == 304 and (etag or last_modified):
                        return Fetched(url, 304, b"", resp.headers.get("ETag") or etag,
                                       resp.headers.get("Last-Modified") or last_modified,
                                       resp.headers.get("Content-Type", ""))
                    if resp.status_code != 200:
                        raise OutboundError(f"{url}: HTTP {resp.status_code}")
                    declared = resp.headers.get("Content-Length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise OutboundError(f"{url}: larger than {max_bytes} bytes")
                    body = _read(resp, url, max_bytes, deadline)
                    return Fetched(url, 200, body, resp.headers.get("ETag"), resp.headers.get("Last-Modified"),
                                   resp.headers.get("Content-Type", ""))
            except requests.RequestException as exc:
                raise OutboundError(f"{url}: {_reason(exc)}") from exc
        raise OutboundError(f"{url}: more than {max_redirects} redirects")
    finally:
        if own:
            http.close()
