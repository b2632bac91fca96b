"""The GIL stays disabled when pyo3-ft modules are imported into a
free-threaded interpreter, and the GIL sentinel names the module that turned
it back on (`gil_probe`, declared `#[pymodule(gil_used)]`).

Each scenario runs in a fresh interpreter (``sys.executable``, with a
timeout): the GIL, once enabled, stays enabled for the process, and the
pytest process itself must keep it disabled.
"""

from __future__ import annotations

import json
import sys

import pytest

from conftest import FREE_THREADED_BUILD, gil_enabled

#: The RuntimeWarning free-threaded CPython prints when an import enables the GIL.
GIL_WARNING = "has been enabled to load module"

REPORT = """
import json, sys, sysconfig
print(json.dumps({
    "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "gil_enabled": sys._is_gil_enabled(),
    **globals().get("extra", {}),
}))
"""


def child_json(run_python, code: str, **env: str) -> tuple[dict, str]:
    done = run_python(code + REPORT, **env)
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_this_process_keeps_the_gil_disabled(ftbench, wordcount):
    # conftest and the other test modules imported ftbench and wordcount.
    assert gil_enabled() is (not FREE_THREADED_BUILD)
    status = wordcount.gil_status()
    assert status["free_threaded_build"] is FREE_THREADED_BUILD
    assert status["enabled"] is gil_enabled()


def test_importing_ftbench_and_wordcount_keeps_the_gil_disabled(run_python, free_threaded):
    report, stderr = child_json(
        run_python,
        "import ftbench, wordcount\n"
        "assert ftbench.add(1, 2) == 3\n"
        "assert wordcount.count_words('a a') == {'a': 2}\n",
    )
    assert report["free_threaded_build"] is free_threaded
    if free_threaded:
        assert report["gil_enabled"] is False
        assert GIL_WARNING not in stderr
    else:
        assert report["gil_enabled"] is True


def test_threads_using_the_modules_keep_the_gil_disabled(run_python, free_threaded):
    report, stderr = child_json(
        run_python,
        "import threading, ftbench, wordcount\n"
        "c = ftbench.Counter()\n"
        "def work():\n"
        "    for i in range(1000):\n"
        "        c.incr(); ftbench.Point(1.0, 2.0).norm(); wordcount.count_words('x y')\n"
        "ts = [threading.Thread(target=work) for _ in range(4)]\n"
        "[t.start() for t in ts]\n"
        "[t.join(60) for t in ts]\n"
        "assert not any(t.is_alive() for t in ts)\n"
        "assert c.value == 4000, c.value\n",
    )
    assert report["gil_enabled"] is (not free_threaded)
    assert GIL_WARNING not in stderr


def test_sentinel_names_the_module_that_enabled_the_gil(run_python, free_threaded):
    report, stderr = child_json(
        run_python,
        "import wordcount\n"
        "wordcount.install_gil_sentinel()\n"
        "before = wordcount.gil_status()\n"
        "import gil_probe\n"
        "assert gil_probe.ping() == 'pong'\n"
        "extra = {'before': before, 'after': wordcount.gil_status()}\n",
    )
    before, after = report["before"], report["after"]
    assert before["free_threaded_build"] is free_threaded
    assert after["free_threaded_build"] is free_threaded
    if free_threaded:
        assert before == {"free_threaded_build": True, "enabled": False, "enabled_by": []}
        assert after == {"free_threaded_build": True, "enabled": True, "enabled_by": ["gil_probe"]}
        assert report["gil_enabled"] is True
        # The sentinel watches the warning; it must still be shown.
        assert GIL_WARNING in stderr and "gil_probe" in stderr
    else:
        assert before == {"free_threaded_build": False, "enabled": True, "enabled_by": []}
        assert after == {"free_threaded_build": False, "enabled": True, "enabled_by": []}
        assert GIL_WARNING not in stderr


def test_sentinel_install_is_idempotent(run_python, free_threaded):
    report, _ = child_json(
        run_python,
        "import wordcount\n"
        "wordcount.install_gil_sentinel()\n"
        "wordcount.install_gil_sentinel()\n"
        "import gil_probe\n"
        "import gil_probe  # cached: no second warning\n"
        "extra = {'after': wordcount.gil_status()}\n",
    )
    assert report["after"]["enabled"] is True
    assert report["after"]["enabled_by"] == (["gil_probe"] if free_threaded else [])


def test_sentinel_sees_nothing_without_a_gil_used_module(run_python, free_threaded):
    report, _ = child_json(
        run_python,
        "import wordcount\n"
        "wordcount.install_gil_sentinel()\n"
        "import ftbench\n"
        "extra = {'after': wordcount.gil_status()}\n",
    )
    assert report["after"] == {
        "free_threaded_build": free_threaded,
        "enabled": not free_threaded,
        "enabled_by": [],
    }


def test_status_without_the_sentinel(run_python, free_threaded):
    # Not installed: the GIL state is still right, with no attribution.
    report, _ = child_json(
        run_python,
        "import wordcount, gil_probe\n"
        "extra = {'after': wordcount.gil_status()}\n",
    )
    assert report["after"] == {
        "free_threaded_build": free_threaded,
        "enabled": True,
        "enabled_by": [],
    }


@pytest.mark.skipif(not FREE_THREADED_BUILD, reason="PYTHON_GIL=0 is a fatal error on GIL builds")
def test_python_gil_0_keeps_it_disabled_even_for_gil_used(run_python):
    report, stderr = child_json(
        run_python,
        "import wordcount\n"
        "wordcount.install_gil_sentinel()\n"
        "import gil_probe\n"
        "extra = {'after': wordcount.gil_status()}\n",
        PYTHON_GIL="0",
    )
    assert report["gil_enabled"] is False
    assert report["after"] == {"free_threaded_build": True, "enabled": False, "enabled_by": []}
    assert GIL_WARNING not in stderr


def test_gil_probe_declares_that_it_uses_the_gil(run_python, free_threaded):
    # Checked in a child: importing gil_probe here would enable the GIL in
    # the pytest process for the rest of the run.
    report, _ = child_json(
        run_python,
        "import sys\n"
        "before = sys._is_gil_enabled()\n"
        "import gil_probe\n"
        "extra = {'before': before, 'doc': gil_probe.ping.__doc__, 'name': gil_probe.__name__}\n",
    )
    assert report["before"] is (not free_threaded)
    assert report["gil_enabled"] is True
    assert report["name"] == "gil_probe"
    assert report["doc"].strip() == 'Returns `"pong"`.'


def test_gil_probe_is_not_imported_here():
    assert "gil_probe" not in sys.modules
