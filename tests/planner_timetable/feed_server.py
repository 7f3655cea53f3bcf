"""A GTFS download server on 127.0.0.1 for refresh tests: serves bytes with an ETag and Last-Modified,
answers 304 to a matching conditional GET, records the requests' headers. With `gate` set (an Event), a download
announces itself (`arrived`) and waits for the gate before sending its body."""
import hashlib
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FeedServer:
    def __init__(self):
        self.body = b""
        self.status = 200
        self.etag = ""
        self.last_modified = ""
        self.requests: list[dict] = []
        self.use_etag = True
        self.gate: threading.Event | None = None
        self.arrived = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(dict(self.headers))
                if server.status != 200:
                    self.send_response(server.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if (server.use_etag and self.headers.get("If-None-Match") == server.etag) or (
                        not server.use_etag and self.headers.get("If-Modified-Since") == server.last_modified):
                    self.send_response(304)
                    self.end_headers()
                    return
                if server.gate is not None:
                    server.arrived.set()
                    server.gate.wait(60)
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(server.body)))
                if server.use_etag:
                    self.send_header("ETag", server.etag)
                self.send_header("Last-Modified", server.last_modified)
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/gtfs.zip"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, body: bytes, when: float):
        self.body = body
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        self.last_modified = formatdate(when, usegmt=True)
        self.status = 200

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
