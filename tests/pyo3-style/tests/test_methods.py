"""Functions and methods of the PyO3-style extension (src/methods.rs)."""

import asyncio
import inspect

import pytest

from pyo3_style import methods


def test_function_options():
    assert methods.measure([1, 2, 3]) == 3
    assert methods.measure("ab", scale=5) == 10
    assert str(inspect.signature(methods.measure)) == "(items, scale=1)"
    with pytest.raises(TypeError, match="argument 'items'"):
        methods.measure(5)


def test_owned_varargs_kwargs_and_optional_reference():
    assert methods.count_all(1, 2, a=3) == 3
    assert methods.count_all() == 0
    assert methods.describe() == "nothing"
    assert methods.describe(4) == "some 4"


def test_receivers_under_any_name():
    c = methods.Counter(2)
    assert c.bump(3) is c and c.count == 5
    assert c.peek() == 5 and c.same(c) and not c.same(1)
    c.count = 7
    assert c.doubled() == 14


def test_deleter():
    c = methods.Counter()
    c.label = "x"
    assert c.label == "x"
    del c.label
    assert c.label is None


def test_power_and_in_place_operators():
    c = methods.Counter(3)
    assert c**2 == 9 and pow(c, 2, 5) == 4 and 2**c == 8
    assert c + methods.Counter(4) == 7
    d = c
    d += 4
    assert d is c and c.count == 7
    d -= methods.Counter(2)
    d **= 2
    assert c.count == 25
    with pytest.raises(TypeError):
        d += "x"


def test_classattr_const_and_two_blocks():
    assert methods.Counter.ZERO == 0
    assert methods.Counter(4).doubled() == 8


def test_new_with_classmethod():
    class Child(methods.Made):
        pass

    assert methods.Made().kind == "Made"
    assert Child().kind == "Child"


def test_attribute_methods():
    r = methods.Record()
    r.x = 4
    assert r.x == 4
    del r.x
    with pytest.raises(AttributeError):
        r.x
    assert methods.Shout().hello == "HELLO"


def test_init():
    assert methods.Initialized(4).value == 4
    assert methods.Initialized(4, twice=True).value == 8

    class Sub(methods.Initialized):
        pass

    assert Sub(3).value == 3


def test_next_and_async_iteration():
    assert list(methods.Countdown(3)) == [3, 2, 1]

    async def collect():
        return [v async for v in methods.Countdown(3)]

    assert asyncio.run(collect()) == [3, 2, 1]
