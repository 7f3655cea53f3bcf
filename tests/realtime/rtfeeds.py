"""GTFS-Realtime feeds built with the standard bindings, and a loopback HTTP server that serves them."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.transit import gtfs_realtime_pb2 as rt


def message(entities=(), timestamp=None) -> rt.FeedMessage:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.incrementality = rt.FeedHeader.FULL_DATASET
    msg.header.timestamp = int(time.time() if timestamp is None else timestamp)
    for e in entities:
        msg.entity.append(e)
    return msg


def trip_update(entity_id, *, trip_id=None, route_id=None, direction_id=None, start_date=None, start_time=None,
                relationship=None, stops=(), delay=None) -> rt.FeedEntity:
    """stops: [(stop_sequence or None, stop_id or None, arrival_delay, departure_delay, relationship)]."""
    e = rt.FeedEntity(id=str(entity_id))
    tu = e.trip_update
    d = tu.trip
    if trip_id:
        d.trip_id = trip_id
    if route_id:
        d.route_id = route_id
    if direction_id is not None:
        d.direction_id = direction_id
    if start_date:
        d.start_date = start_date
    if start_time:
        d.start_time = start_time
    if relationship is not None:
        d.schedule_relationship = getattr(rt.TripDescriptor, relationship)
    if delay is not None:
        tu.delay = delay
    for seq, stop_id, arr_delay, dep_delay, rel in stops:
        u = tu.stop_time_update.add()
        if seq is not None:
            u.stop_sequence = seq
        if stop_id:
            u.stop_id = stop_id
        if arr_delay is not None:
            u.arrival.delay = arr_delay
        if dep_delay is not None:
            u.departure.delay = dep_delay
        if rel:
            u.schedule_relationship = getattr(rt.TripUpdate.StopTimeUpdate, rel)
    return e


def alert(entity_id, *, texts, descriptions=None, routes=(), stops=(), trips=(), cause="CONSTRUCTION",
          effect="DETOUR", periods=((None, None),)) -> rt.FeedEntity:
    e = rt.FeedEntity(id=str(entity_id))
    a = e.alert
    a.cause = getattr(rt.Alert, cause)
    a.effect = getattr(rt.Alert, effect)
    for lang, text in texts.items():
        a.header_text.translation.add(text=text, language=lang)
    for lang, text in (descriptions or {}).items():
        a.description_text.translation.add(text=text, language=lang)
    for start, end in periods:
        if start or end:
            p = a.active_period.add()
            if start:
                p.start = int(start)
            if end:
                p.end = int(end)
    for r in routes:
        a.informed_entity.add(route_id=r)
    for s in stops:
        a.informed_entity.add(stop_id=s)
    for t in trips:
        a.informed_entity.add().trip.trip_id = t
    return e


def vehicle(entity_id, *, lat, lon, trip_id=None, bearing=None, occupancy=None, timestamp=None, label=None):
    e = rt.FeedEntity(id=str(entity_id))
    v = e.vehicle
    v.vehicle.id = str(entity_id)
    if label:
        v.vehicle.label = label
    if trip_id:
        v.trip.trip_id = trip_id
    v.position.latitude, v.position.longitude = lat, lon
    if bearing is not None:
        v.position.bearing = bearing
    if occupancy:
        v.occupancy_status = getattr(rt.VehiclePosition, occupancy)
    v.timestamp = int(time.time() if timestamp is None else timestamp)
    return e


class FeedServer:
    """Serves bytes per path on 127.0.0.1. `stall(path, at)`: send `at` bytes, announce it, then hang."""

    def __init__(self):
        self.bodies: dict = {}
        self.stalls: dict = {}
        self.cuts: dict = {}
        self.stalled = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body = server.bodies.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                at = server.stalls.get(self.path)
                cut = server.cuts.get(self.path)
                if cut is not None:  # the connection drops after `cut` bytes of a longer announced body
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if at is None:
                    self.wfile.write(body)
                    return
                self.wfile.write(body[:at])
                self.wfile.flush()
                server.stalled.set()
                server.release.wait(30)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path, payload):
        self.bodies[path] = payload if isinstance(payload, bytes) else payload.SerializeToString()
        return self.url(path)

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
