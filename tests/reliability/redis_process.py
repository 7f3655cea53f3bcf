"""A private redis-server on a free loopback port, for tests that kill and restart the broker."""
import shutil
import subprocess
import tempfile
import time

import redis

from tests.support.http import free_port


class RedisProcess:
    """start() / kill() / start() again on the same port; `url(db)` for clients."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed (the test command installs it)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="maas-redis-")
        self.process = None

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 20
        while True:  # the server's own readiness answer, not a fixed sleep
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def kill(self):
        """SIGKILL: the broker vanishes without closing connections."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
