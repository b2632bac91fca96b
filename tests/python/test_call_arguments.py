"""Arguments read after Python code ran stay alive: a C caller's keyword
dict may be emptied by an earlier argument's ``__index__`` while later
arguments are still to be extracted."""

from __future__ import annotations

#: Run in a child interpreter: before the fix, the freed values crashed it.
#: ``PyObject_Call`` (through ctypes) hands the callee the caller's own dict,
#: as C callers do; Python's ``f(**d)`` would pass a private copy.
KWARGS_CLEARED_DURING_EXTRACTION = """
import ctypes

import ftbench

call = ctypes.pythonapi.PyObject_Call
call.restype = ctypes.py_object
call.argtypes = [ctypes.py_object, ctypes.py_object, ctypes.py_object]


class ClearsKwargs:
    # An index that empties the dict it was passed in, then allocates, so
    # that the memory of a freed value is soon reused.
    def __init__(self, kwargs, value):
        self.kwargs = kwargs
        self.value = value

    def __index__(self):
        self.kwargs.clear()
        self.junk = [[-7] * len(self.kwargs_items) for _ in range(200)]
        return self.value


def clearing_kwargs(times, items):
    kwargs = {}
    kwargs["times"] = index = ClearsKwargs(kwargs, times)
    index.kwargs_items = items
    kwargs["items"] = list(items)  # the dict holds its only reference
    return kwargs


class Sub(ftbench.Repeat):
    # A subclass is constructed through tp_new (the class itself through
    # its vectorcall function).
    pass


repeat = ftbench.Repeat(1, [9])
for i in range(300):
    items = [i, i + 1, i + 2]
    built = call(Sub, (), clearing_kwargs(2, items))  # tp_new
    assert built.items == items * 2, (i, built.items)
    got = call(repeat, (), clearing_kwargs(2, items))  # tp_call: __call__
    assert got == [9] + items * 2, (i, got)
    built = call(ftbench.Repeat, (), clearing_kwargs(3, items))  # vectorcall
    assert built.items == items * 3, (i, built.items)
print("ok")
"""


def test_keyword_values_survive_the_callers_dict_being_cleared(run_python):
    done = run_python(KWARGS_CLEARED_DURING_EXTRACTION)
    assert done.stdout == "ok\n"


def test_keyword_arguments_of_tp_new_and_tp_call(ftbench):
    class Sub(ftbench.Repeat):
        pass

    assert Sub(2, items=[1, 2]).items == [1, 2, 1, 2]
    assert Sub(times=1, items=[3]).items == [3]
    repeat = ftbench.Repeat(items=[0], times=1)
    assert repeat(items=[5], times=2) == [0, 5, 5]
    assert repeat(3, [1]) == [0, 1, 1, 1]
