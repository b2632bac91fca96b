"""Modules of the PyO3-style extension (src/modules.rs, src/lib.rs)."""

import importlib
import subprocess
import sys

import pytest

import pyo3_style
from pyo3_style import modules


def test_import_warns_nothing():
    # Every class carries its module: no "builtin type X has no __module__".
    code = "import pyo3_style, pyo3_style.classes, pyo3_style.enums, pyo3_style.modules"
    subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code], check=True
    )


def test_gil_stays_disabled():
    if hasattr(sys, "_is_gil_enabled") and sysconfig_free_threaded():
        assert not sys._is_gil_enabled()


def sysconfig_free_threaded():
    import sysconfig

    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def test_declarative_exports():
    assert modules.parse("12") == 12
    assert modules.VERSION == "1.0"
    assert modules.triple(2) == 6
    assert modules.initialized is True


def test_wrap_pyfunction_with_module():
    assert modules.double(21) == 42
    assert modules.double.__module__ == "pyo3_style.modules"


def test_doc_from_include_str():
    assert modules.__doc__.startswith("Declarative modules, submodules and exceptions.")
    assert modules.__doc__.endswith("This docstring comes from a file.")
    assert pyo3_style.__doc__ == "The PyO3-style test extension."


@pytest.mark.parametrize(
    "name",
    [
        "pyo3_style.classes",
        "pyo3_style.enums",
        "pyo3_style.modules",
        "pyo3_style.modules.nested",
        "pyo3_style.modules.legacy",
    ],
)
def test_submodules_import_by_dotted_name(name):
    module = importlib.import_module(name)
    assert module.__name__ == name
    assert sys.modules[name] is module


def test_nested_declarative_module():
    from pyo3_style.modules.nested import inner

    assert inner() == "inner"


def test_add_submodule():
    from pyo3_style.modules.legacy import answer

    assert answer == 42


def test_created_exception_with_dotted_module():
    with pytest.raises(modules.ParseError, match="cannot parse 'x'|cannot parse \"x\""):
        modules.parse("x")
    assert issubclass(modules.ParseError, ValueError)
    assert modules.ParseError.__module__ == "pyo3_style.modules"
    assert modules.ParseError.__doc__ == "The text is not a number."


def test_imported_exception():
    import socket

    with pytest.raises(socket.gaierror, match="unknown host h"):
        modules.lookup("h")
