"""maas.outbound: URLs are validated (resolved and refused) before any connection; size and time bounds.

Refused addresses are never connected to: the tests check the validation, and the only server any
test talks to is one on 127.0.0.1 (allowed through OUTBOUND_ALLOWED_NETWORKS where a test needs it).
"""
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from maas import outbound
from tests.support.http import LoopbackServer

REFUSED = [
    ("http://127.0.0.1:5432/", "loopback"),
    ("http://localhost/gbfs.json", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://2130706433/", "loopback"),                    # 127.0.0.1 as one decimal number
    ("http://[::ffff:127.0.0.1]/", "loopback"),            # IPv4-mapped IPv6
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://224.0.0.1/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://240.0.0.1/", "reserved"),
    ("http://100.64.0.1/", "non-public"),                  # carrier-grade NAT
]


@pytest.fixture
def no_allow_list(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []


@pytest.mark.parametrize("url,kind", REFUSED)
def test_non_public_addresses_refused(no_allow_list, url, kind):
    with pytest.raises(outbound.UrlRefused, match=rf"address not allowed \({kind}\)"):
        outbound.check_url(url)


@pytest.mark.parametrize("url,reason", [
    ("file:///etc/passwd", "only http and https"),
    ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
    ("ftp://example.org/x", "only http and https"),
    ("http:///nohost", "no host"),
    ("http://user:pw@93.184.216.34/", "credentials"),
    ("http://93.184.216.34:99999/", "not a valid URL"),
    ("http://93.184.216.34/a b", "not a valid URL"),
    ("http://93.184.216.34/\r\nHost: x", "not a valid URL"),
])
def test_bad_urls_refused(no_allow_list, url, reason):
    with pytest.raises(outbound.UrlRefused, match=reason):
        outbound.check_url(url)


def test_public_address_passes_and_allow_list_names_networks(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    assert outbound.check_url("https://93.184.216.34/gbfs.json") == "https://93.184.216.34/gbfs.json"
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert outbound.check_url("http://127.0.0.1:8000/gbfs.json")
    for url in ("http://169.254.169.254/", "http://10.0.0.1/", "http://[::1]/"):  # only what is named
        with pytest.raises(outbound.UrlRefused):
            outbound.check_url(url)


def fake_dns(monkeypatch, answers):
    """Name resolution for made-up names (no DNS here); `answers` maps host -> list of address lists."""
    real = socket.getaddrinfo
    calls = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        n = calls[host] = calls.get(host, 0) + 1
        addrs = answers[host][min(n, len(answers[host])) - 1]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port) if ":" not in a else (a, port, 0, 0)) for a in addrs]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_names_are_resolved_and_every_address_checked(no_allow_list, monkeypatch):
    fake_dns(monkeypatch, {"feeds.internal.test": [["10.20.30.40"]],
                           "mixed.example.test": [["93.184.216.34", "192.168.0.10"]],
                           "public.example.test": [["93.184.216.34"]]})
    with pytest.raises(outbound.UrlRefused, match=r"feeds.internal.test: address not allowed \(private\)"):
        outbound.check_url("http://feeds.internal.test/gbfs.json")
    with pytest.raises(outbound.UrlRefused, match="private"):
        outbound.check_url("http://mixed.example.test/gbfs.json")
    assert outbound.check_url("http://public.example.test/gbfs.json")
    with pytest.raises(outbound.OutboundError, match="does not resolve") as err:
        outbound.check_url("http://no-such-host.invalid/")
    assert not isinstance(err.value, outbound.UrlRefused)


def test_dns_rebinding_checked_again_at_connect(no_allow_list, monkeypatch):
    """The address connected to is the one checked at connect time, not an earlier answer (check_url when the
    URL was saved); a fetch resolves once."""
    calls = fake_dns(monkeypatch, {"rebind.example.test": [["93.184.216.34"], ["169.254.169.254"]]})
    connects = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connects.append(addr))
    assert outbound.check_url("http://rebind.example.test/")
    with pytest.raises(outbound.UrlRefused, match="link-local"):
        outbound.fetch("http://rebind.example.test/", max_bytes=100, timeout=2)
    assert calls["rebind.example.test"] == 2 and connects == []


def test_a_fetch_resolves_its_host_once(server, monkeypatch):
    server.routes["/one"] = (200, {}, b"{}")
    lookups = []
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: lookups.append(host) or real(host, *a, **k))
    assert outbound.fetch(f"{server.base}/one", max_bytes=100, timeout=5).body == b"{}"
    assert lookups == ["127.0.0.1"]


class Server(LoopbackServer):
    """A loopback HTTP server whose routes are (status, headers, body or callable(wfile))."""

    def __init__(self):
        self.routes, self.hits = {}, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                server.hits.append((self.path, dict(self.headers)))
                status, headers, body = server.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if callable(body):
                    self.send_header("Connection", "close")
                    self.end_headers()
                    body(self.wfile)
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(Handler)


@pytest.fixture
def server(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    s = Server()
    yield s
    s.close()


def test_fetch_follows_allowed_redirects_and_refuses_internal_ones(server):
    server.routes["/ok"] = (200, {"ETag": '"v1"'}, b'{"ok": true}')
    server.routes["/hop"] = (302, {"Location": "/ok"}, b"")
    server.routes["/meta"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    server.routes["/private"] = (307, {"Location": "http://10.0.0.1:6379/"}, b"")
    server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    got = outbound.fetch(f"{server.base}/hop", max_bytes=100, timeout=5)
    assert (got.status, got.body, got.etag, got.url) == (200, b'{"ok": true}', '"v1"', f"{server.base}/ok")
    for path, kind in (("/meta", "link-local"), ("/private", "private")):
        with pytest.raises(outbound.UrlRefused, match=kind):
            outbound.fetch(f"{server.base}{path}", max_bytes=100, timeout=5)
    with pytest.raises(outbound.OutboundError, match="more than 5 redirects"):
        outbound.fetch(f"{server.base}/loop", max_bytes=100, timeout=5)
    assert [p for p, _ in server.hits].count("/loop") == 6


def test_fetch_bounds_size_even_without_content_length(server):
    server.routes["/big"] = (200, {}, b"x" * 5000)
    server.routes["/chunked"] = (200, {}, lambda w: [w.write(b"y" * 1000) for _ in range(50)])
    for path in ("/big", "/chunked"):
        with pytest.raises(outbound.OutboundError, match="larger than 2000 bytes"):
            outbound.fetch(f"{server.base}{path}", max_bytes=2000, timeout=5)
    assert outbound.fetch(f"{server.base}/big", max_bytes=5000, timeout=5).body == b"x" * 5000


def test_fetch_bounds_total_time_of_a_trickling_answer(server):
    stop = threading.Event()

    def trickle(w):
        while not stop.wait(0.1):
            w.write(b" ")
            w.flush()

    server.routes["/slow"] = (200, {}, trickle)
    started = time.monotonic()
    try:
        with pytest.raises(outbound.OutboundError, match="timed out"):
            outbound.fetch(f"{server.base}/slow", max_bytes=10**6, timeout=1)
    finally:
        stop.set()
    assert time.monotonic() - started < 3


def test_errors_never_carry_the_remote_answer(server):
    server.routes["/fail"] = (500, {}, b"SECRET internal admin page")
    with pytest.raises(outbound.OutboundError) as err:
        outbound.fetch(f"{server.base}/fail", max_bytes=1000, timeout=5)
    assert str(err.value) == f"{server.base}/fail: HTTP 500"


def test_conditional_get(server):
    server.routes["/feed"] = (304, {"ETag": '"v2"'}, b"")
    got = outbound.fetch(f"{server.base}/feed", max_bytes=1000, timeout=5, etag='"v2"',
                         last_modified="Sun, 29 Nov 2026 10:00:00 GMT")
    assert got.not_modified and got.body == b"" and got.etag == '"v2"'
    sent = server.hits[-1][1]
    assert sent["If-None-Match"] == '"v2"' and sent["If-Modified-Since"] == "Sun, 29 Nov 2026 10:00:00 GMT"


def test_session_guards_every_connection(server, settings):
    """session() (used by the TOMP adapter) refuses at connect time, redirects included."""
    server.routes["/ok"] = (200, {}, b"{}")
    server.routes["/meta"] = (302, {"Location": "http://169.254.169.254/"}, b"")
    with outbound.session() as http:
        assert http.get(f"{server.base}/ok", timeout=5).status_code == 200
        with pytest.raises(outbound.UrlRefused, match="link-local"):
            http.get(f"{server.base}/meta", timeout=5)
        settings.OUTBOUND_ALLOWED_NETWORKS = []
        with pytest.raises(outbound.UrlRefused, match="loopback"):
            http.get(f"{server.base}/ok", timeout=5)
