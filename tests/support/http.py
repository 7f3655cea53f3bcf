"""Loopback HTTP servers for tests: the only servers tests talk to (127.0.0.1, a free port)."""
import socket
import threading
from http.server import ThreadingHTTPServer


class LoopbackServer:
    """Serves `handler_class` on 127.0.0.1 from a daemon thread; `base` is its root URL."""

    def __init__(self, handler_class):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers started in a subprocess)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
