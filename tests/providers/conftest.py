"""A real GBFS HTTP server on 127.0.0.1 serving the copied feeds in tests/providers/data/."""
import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
FEED_NAMES = ("system_information", "station_information", "station_status", "free_bike_status",
              "vehicle_status", "vehicle_types", "system_pricing_plans", "geofencing_zones")


class GbfsServer:
    """Serves one data directory. Only gbfs.json/manifest.json feed URLs are rewritten to this server.

    `overrides[name]` replaces a document; `status[name]` forces an HTTP status; `hits` counts requests.
    """

    def __init__(self):
        self.directory = None
        self.overrides, self.status, self.hits = {}, {}, {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, directory):
        self.directory = DATA / directory
        self.overrides.clear(), self.status.clear(), self.hits.clear()
        return f"{self.base}/gbfs.json"

    def load(self, name):
        return json.loads((self.directory / f"{name}.json").read_text())

    def document(self, name):
        if name in self.overrides:
            return self.overrides[name]
        if not (self.directory / f"{name}.json").exists():
            return None
        doc = self.load(name)
        if name == "gbfs":
            doc = copy.deepcopy(doc)
            feeds = [{"name": n, "url": f"{self.base}/{n}.json"} for n in FEED_NAMES
                     if (self.directory / f"{n}.json").exists()]
            if "feeds" in doc["data"]:  # v3
                doc["data"]["feeds"] = feeds
            else:  # v1/v2: per language
                doc["data"] = {lang: {"feeds": feeds} for lang in doc["data"]}
        elif name == "manifest":
            for ds in doc["data"]["datasets"]:
                for v in ds["versions"]:
                    v["url"] = f"{self.base}/gbfs.json" if v["version"] == "3.0" else f"{self.base}/missing"
        return doc

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                name = self.path.strip("/").removesuffix(".json")
                server.hits[name] = server.hits.get(name, 0) + 1
                code = server.status.get(name)
                doc = server.document(name) if code is None else None
                if code is None and doc is None:
                    code = 404
                body = json.dumps(doc).encode() if code is None else b"{}"
                self.send_response(code or 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def _gbfs_server():
    server = GbfsServer()
    yield server
    server.close()


@pytest.fixture
def gbfs_server(_gbfs_server):
    yield _gbfs_server
    _gbfs_server.overrides.clear(), _gbfs_server.status.clear()
