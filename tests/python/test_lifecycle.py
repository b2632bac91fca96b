"""The interpreter's end, seen from Rust threads an extension started.

A Rust thread that attaches while the interpreter finalizes, or after, is
refused (``Python::try_attach`` returns an error, ``Python::attach``
panics): the interpreter is never initialized a second time and the
process exits normally.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SUBPROCESS_TIMEOUT, clean_env

#: Each script exits while background threads keep attaching.
SCRIPTS = {
    "exit at once": "import ftbench\nftbench.start_background_attachers([1, 2, 3], 4)\n",
    "exit after work": (
        "import ftbench, time\n"
        "ftbench.start_background_attachers({'k': object()}, 2)\n"
        "ftbench.start_background_attachers(ftbench.Point(1.0, 2.0), 2)\n"
        "time.sleep(0.01)\n"
    ),
    "sys.exit": (
        "import ftbench, sys\n"
        "ftbench.start_background_attachers('kept', 3)\n"
        "sys.exit(0)\n"
    ),
}

RUNS = 100


@pytest.mark.thread_unsafe
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_background_attachers_at_exit_never_reinitialize(script: str) -> None:
    failures = []
    for run in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPTS[script]],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            env=clean_env(),
        )
        if done.returncode != 0 or "Fatal Python error" in done.stderr:
            failures.append((run, done.returncode, done.stderr[-2000:]))
    assert not failures, f"{len(failures)} of {RUNS} runs failed; first: {failures[0]}"


REIMPORT = """
import gc, importlib, sys

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

import ftbench
first = ftbench.noop
for _ in range(50):
    del sys.modules["ftbench"]
    importlib.import_module("ftbench")
gc.collect()
before = rss()
for _ in range(1000):
    del sys.modules["ftbench"]
    module = importlib.import_module("ftbench")
    assert module.add(2, 3) == 5
gc.collect()
print((rss() - before) // 1024)
assert module.noop is first, "a module imported again got new function objects"
"""


@pytest.mark.thread_unsafe
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_reimporting_a_module_does_not_pin_it(run_python) -> None:
    """Module functions are shared by every import of the module and keep
    no module object alive: 1 000 imports grow RSS by less than 2 MiB."""
    growth_kib = int(run_python(REIMPORT).stdout.strip())
    assert growth_kib < 2048, f"RSS grew by {growth_kib} KiB over 1000 imports"
