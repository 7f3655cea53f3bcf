"""A small TOMP-API transport operator on 127.0.0.1: the booking tests' operator and the demo's taxi operator.

In-memory assets and bookings, synthesized (no real operator behind it). Knobs a test can turn: `available`
(asset id -> bool), `delays` ("METHOD /path" prefix -> seconds slept before answering, to provoke client
timeouts), `conditional` (answer CONDITIONAL_CONFIRMED instead of CONFIRMED), `book_state` (answer this state
to a booking),
`estimate_eur` / `final_eur` (prices), `fail_next` (HTTP status to answer the next request with),
`raw_next` ({"METHOD /path" prefix: (status, body bytes)} answered once instead of the real thing).
`requests` logs (method, path, body).
"""
import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TompState:
    def __init__(self):
        self.lock = threading.Lock()
        self.available = {}
        self.options = {}
        self.bookings = {}
        self.legs = {}
        self.delays = {}
        self.conditional = False
        self.book_state = None  # e.g. "PENDING": the operator confirms later (flip the booking's state)
        self.estimate_eur = "2.50"
        self.final_eur = "3.45"
        self.fail_next = None
        self.raw_next = {}
        self.requests = []


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalTOMP/1.3"

    def log_message(self, *args):
        pass

    def _reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass

    def _error(self, status, errorcode, title):
        self._reply(status, {"errorcode": errorcode, "title": title, "status": status,
                             "type": f"https://tomp.example/errors/{errorcode}"})

    def _handle(self, method):
        state: TompState = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null") if length else None
        parts = [p for p in self.path.split("?")[0].split("/") if p][1:]  # drop the "/tomp" base
        route = f"{method} /{'/'.join(parts)}"
        with state.lock:
            state.requests.append((method, "/" + "/".join(parts), body))
            delay = next((s for prefix, s in state.delays.items() if route.startswith(prefix)), 0)
            fail, state.fail_next = state.fail_next, None
            raw_key = next((prefix for prefix in state.raw_next if route.startswith(prefix)), None)
            raw = state.raw_next.pop(raw_key) if raw_key else None
        if raw is not None:
            status, payload = raw
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return None
        if delay:
            time.sleep(delay)
        if fail:
            return self._error(fail, 9999, "Injected failure")
        with state.lock:
            return self._route(state, method, parts, body)

    def _route(self, state, method, parts, body):
        if method == "POST" and parts == ["plannings"]:
            assets = body.get("useAssets") or ["any"]
            if not all(state.available.get(a, False) for a in assets):
                return self._reply(200, {"validUntil": None, "options": []})
            option_id = str(uuid.uuid4())
            leg_id = str(uuid.uuid4())
            state.options[option_id] = {"asset": assets[0], "leg_id": leg_id}
            valid = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
            return self._reply(200, {"validUntil": valid, "options": [{"id": option_id, "legs": [{
                "id": leg_id, "asset": {"id": assets[0]},
                "pricing": {"estimated": True, "parts": [{"amount": float(state.estimate_eur),
                                                          "currencyCode": "EUR", "type": "FIXED"}]},
            }]}]})
        if method == "POST" and parts == ["bookings"]:
            option_id = body.get("id")
            if option_id in state.bookings:  # idempotent on the option id
                return self._reply(201, state.bookings[option_id])
            option = state.options.get(option_id)
            if option is None:
                return self._error(404, 3001, "Unknown planning option")
            if not state.available.get(option["asset"], False):
                return self._error(409, 3101, "Asset not available")
            state.available[option["asset"]] = False
            booking = {"id": option_id,
                       "state": state.book_state or ("CONDITIONAL_CONFIRMED" if state.conditional else "CONFIRMED"),
                       "externalReference": body.get("externalReference"),
                       "legs": [{"id": option["leg_id"], "asset": {"id": option["asset"]}, "state": "NOT_STARTED"}]}
            state.bookings[option_id] = booking
            state.legs[option["leg_id"]] = option_id
            return self._reply(201, booking)
        if method == "GET" and len(parts) == 2 and parts[0] == "bookings":
            booking = state.bookings.get(parts[1])
            return self._reply(200, booking) if booking else self._error(404, 3002, "Unknown booking")
        if method == "POST" and len(parts) == 3 and parts[0] == "bookings" and parts[2] == "events":
            booking = state.bookings.get(parts[1])
            if booking is None:
                return self._error(404, 3002, "Unknown booking")
            operation = body.get("operation")
            allowed = {"COMMIT": ({"CONDITIONAL_CONFIRMED", "CONFIRMED"}, "CONFIRMED"),
                       "CANCEL": ({"PENDING", "CONDITIONAL_CONFIRMED", "CONFIRMED"}, "CANCELLED"),
                       "DENY": ({"CONDITIONAL_CONFIRMED"}, "RELEASED")}
            if operation not in allowed or booking["state"] not in allowed[operation][0]:
                return self._error(400, 3201, f"{operation} not allowed in {booking['state']}")
            booking["state"] = allowed[operation][1]
            if booking["state"] in {"CANCELLED", "RELEASED"}:
                state.available[booking["legs"][0]["asset"]["id"]] = True
            return self._reply(200, booking)
        if method == "POST" and len(parts) == 3 and parts[0] == "legs" and parts[2] == "events":
            booking = state.bookings.get(state.legs.get(parts[1]))
            if booking is None:
                return self._error(404, 3003, "Unknown leg")
            leg = booking["legs"][0]
            if body.get("event") == "SET_IN_USE" and booking["state"] == "CONFIRMED":
                booking["state"], leg["state"] = "STARTED", "IN_USE"
                return self._reply(200, leg)
            if body.get("event") == "FINISH" and booking["state"] == "STARTED":
                booking["state"], leg["state"] = "FINISHED", "FINISHED"
                state.available[leg["asset"]["id"]] = True
                return self._reply(200, leg | {"distance": 1830, "pricing": {"estimated": False, "parts": [
                    {"amount": float(state.final_eur), "currencyCode": "EUR", "type": "FIXED"}]}})
            return self._error(400, 3202, f"{body.get('event')} not allowed in {booking['state']}")
        return self._error(404, 1000, "Not found")

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


class TompServer:
    """Runs the operator on 127.0.0.1:<port, default a free one> in a daemon thread; `url` is its base URL."""

    def __init__(self, port=0):
        self.state = TompState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tomp"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class AlwaysAvailable(dict):
    """Every asset available, also right after a booking (a taxi company always has another car)."""

    def get(self, key, default=None):
        return True


def serve_demo_taxi(port):
    """The demo's taxi operator on 127.0.0.1:port until interrupted (scripts/tomp_loopback.py)."""
    server = TompServer(port=port)
    server.state.available = AlwaysAvailable()
    print(f"TOMP taxi operator listening on {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    finally:
        server.httpd.server_close()
