"""Writes the type stub (``.pyi``) of a pyo3-ft extension module.

Every ``#[pymodule]`` of pyo3-ft exports a C function
``pyo3_ft_stub_<name>`` that renders the stub of the module object it is
given; :func:`stub` imports the module and calls it through :mod:`ctypes`.
"""

import ctypes
import importlib
from pathlib import Path


def stub(module_name: str) -> str:
    """The stub text of the extension module ``module_name``."""
    module = importlib.import_module(module_name)
    last = module_name.rpartition(".")[2]
    library = ctypes.PyDLL(module.__file__)
    render = getattr(library, f"pyo3_ft_stub_{last}")
    render.argtypes = [ctypes.py_object]
    render.restype = ctypes.py_object
    text: str = render(module)
    return text


def stub_path(module_name: str, out: Path) -> Path:
    """Where the stub of ``module_name`` goes under ``out``: a top-level
    module gets a PEP 561 stub-only package (``<name>-stubs/__init__.pyi``),
    which type checkers find in site-packages; a module inside a package
    gets ``<package>/<name>.pyi``, next to the extension."""
    parts = module_name.split(".")
    if len(parts) == 1:
        return out / f"{parts[0]}-stubs" / "__init__.pyi"
    return out.joinpath(*parts[:-1]) / f"{parts[-1]}.pyi"
