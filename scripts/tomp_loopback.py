"""The demo's taxi operator: the small TOMP-API operator of tests/bookings/tomp_server.py on 127.0.0.1, which
always has a taxi (every asset available, also right after a booking) and confirms bookings. Synthesized,
in memory. Usage: python scripts/tomp_loopback.py PORT
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.bookings.tomp_server import TompServer  # noqa: E402


class AlwaysAvailable(dict):
    def get(self, key, default=None):
        return True


server = TompServer(port=int(sys.argv[1]))
server.state.available = AlwaysAvailable()
print(f"TOMP taxi operator listening on {server.url}", flush=True)
server.httpd.serve_forever()
