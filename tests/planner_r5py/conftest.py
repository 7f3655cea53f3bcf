"""A fake R5 jar (any bytes: its checksum is what the engine verifies) and a clean engine cache."""
import hashlib

import pytest

from planner.engines.r5py.engine import R5pyEngine


@pytest.fixture
def fake_jar(tmp_path):
    jar = tmp_path / "r5-fake-all.jar"
    jar.write_bytes(b"PK\x03\x04 not really an R5 jar")
    return jar, hashlib.sha256(jar.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def fresh_engine():
    """Each test starts without a cached engine, and no worker survives it."""
    R5pyEngine._instance = None
    yield
    if R5pyEngine._instance is not None:
        R5pyEngine._instance.worker.stop()
    R5pyEngine._instance = None
