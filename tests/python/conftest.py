"""Shared fixtures of the Python tests of the example extension modules.

The suite runs unchanged on the free-threaded interpreter (``target/venv-ft``)
and on its GIL-enabled twin (``target/venv-gil``); tests branch on
``FREE_THREADED_BUILD`` / ``gil_enabled()`` only where CPython itself behaves
differently.

Parallel runs: every test not marked ``thread_unsafe`` must also pass when
pytest-run-parallel runs it in several threads at once
(``python -m pytest tests/python --parallel-threads=4``); a few tests carry
``force_parallel_threads`` so that they always do. A test that measures
process-wide state (reference counts, timings, its own thread pool) is
marked ``thread_unsafe``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from typing import Callable

import pytest

#: The interpreter was built with ``--disable-gil`` (PEP 703).
FREE_THREADED_BUILD: bool = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))

#: Bound on every subprocess the tests start (seconds).
SUBPROCESS_TIMEOUT = 120.0

#: Bound on every thread the tests start (seconds). Generous: a deadlock is
#: reported as a failure after this long instead of hanging the run.
THREAD_TIMEOUT = 120.0


def gil_enabled() -> bool:
    """Whether the GIL is enabled right now (always true on GIL builds)."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def pytest_configure(config: pytest.Config) -> None:
    # pytest-run-parallel registers these; declare them too so that the suite
    # still runs (single-threaded) without the plugin.
    for marker in (
        "thread_unsafe: the test must not run in several threads at once",
        "force_parallel_threads(n): always run the test in n threads",
        "parallel_threads_limit(n): at most n threads",
        "iterations(n): run the test n times in each thread",
    ):
        config.addinivalue_line("markers", marker)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"pyo3-ft: {sys.executable} {sys.version.split()[0]}, "
        f"free-threaded build: {FREE_THREADED_BUILD}, GIL enabled: {gil_enabled()}"
    ]


@pytest.fixture(scope="session")
def free_threaded() -> bool:
    """True on a free-threaded build (whether or not the GIL got enabled)."""
    return FREE_THREADED_BUILD


@pytest.fixture(scope="session")
def ftbench():
    import ftbench

    return ftbench


@pytest.fixture(scope="session")
def wordcount():
    import wordcount

    return wordcount


def clean_env() -> dict[str, str]:
    """The environment for a child interpreter: without the variables that
    would force the GIL on or off or turn warnings into errors."""
    env = dict(os.environ)
    for name in ("PYTHON_GIL", "PYTHONWARNINGS", "PYTHONDEVMODE"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def run_python() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_python(code, **env)`` runs ``code`` in a fresh ``sys.executable``
    (bounded by a timeout; ``env`` added to a clean environment) and returns
    the completed process; fails the test if it exits non-zero."""

    def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            env={**clean_env(), **env},
        )
        assert done.returncode == 0, (
            f"child exited with {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
        return done

    return run
