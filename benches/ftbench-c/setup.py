"""Builds the hand-written C twin of ftbench against the running interpreter.

The interpreter's own CFLAGS apply (-O3 -g for a source build), so the
module is optimised like CPython itself and callgrind sees its symbols.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ftbench_c",
            sources=["ftbench_c.c"],
            extra_compile_args=["-std=c11", "-Wextra", "-Wno-unused-parameter"],
        )
    ]
)
