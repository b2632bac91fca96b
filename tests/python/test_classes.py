"""The `#[pyclass]`es of `ftbench`: `Point` (immutable, frozen fields),
`Counter` (`#[pyclass(mutable)]`, behind the class's lock) and
`AtomicCounter` (interior mutability, no lock).

Not covered: a reference cycle through a pyclass holding `Py<T>` collected by
`gc.collect()`: no example class implements `__traverse__`/`__clear__`.
"""

from __future__ import annotations

import inspect
import math
import re

import pytest

import ftbench
from ftbench import AtomicCounter, Counter, Point

I64_MAX = 2**63 - 1
I64_MIN = -(2**63)


def raises_exactly(exc: type[BaseException], message: str):
    return pytest.raises(exc, match=rf"\A{re.escape(message)}\Z")


# ================================================================ Point


@pytest.mark.force_parallel_threads(4)
def test_point_fields_and_repr():
    p = Point(3.0, 4.0)
    assert p.x == 3.0 and p.y == 4.0
    assert type(p.x) is float and type(p.y) is float
    assert repr(p) == "Point(x=3.0, y=4.0)"
    assert str(p) == "Point(x=3.0, y=4.0)"
    assert repr(Point(-1.5, 0.25)) == "Point(x=-1.5, y=0.25)"
    assert repr(Point(-0.0, 0.0)) == "Point(x=-0.0, y=0.0)"


def test_point_accepts_ints_and_keywords():
    p = Point(3, 4)
    assert type(p.x) is float and p.x == 3.0
    assert repr(p) == "Point(x=3.0, y=4.0)"
    assert Point(y=2, x=1) == Point(1.0, 2.0)


def test_point_constructor_errors():
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'y'\Z"):
        Point(1.0)
    with pytest.raises(TypeError, match=r"takes 2 positional arguments but 3 were given\Z"):
        Point(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match=r"got an unexpected keyword argument 'z'\Z"):
        Point(1.0, 2.0, z=3.0)
    with pytest.raises(TypeError, match=r"\Aargument 'x': "):
        Point("1", 2.0)
    with pytest.raises(TypeError, match=r"\Aargument 'y': "):
        Point(1.0, None)


def test_point_fields_are_read_only():
    p = Point(3.0, 4.0)
    with pytest.raises(AttributeError):
        p.x = 1.0
    with pytest.raises(AttributeError):
        p.y = 1.0
    with pytest.raises(AttributeError):
        del p.x
    with pytest.raises(AttributeError):
        p.z = 1.0  # no __dict__
    assert (p.x, p.y) == (3.0, 4.0)


@pytest.mark.force_parallel_threads(4)
def test_point_norm():
    assert Point(3.0, 4.0).norm() == 5.0
    assert Point(0.0, 0.0).norm() == 0.0
    assert Point(-3.0, -4.0).norm() == 5.0
    assert Point(5.0, 12.0).norm() == 13.0
    # hypot: no overflow in the intermediate squares.
    assert Point(1e300, 1e300).norm() == pytest.approx(math.hypot(1e300, 1e300))
    assert math.isinf(Point(math.inf, 1.0).norm())
    with pytest.raises(TypeError):
        Point(3.0, 4.0).norm(1)


def test_point_equality():
    assert Point(1.0, 2.0) == Point(1.0, 2.0)
    assert not (Point(1.0, 2.0) != Point(1.0, 2.0))
    assert Point(1.0, 2.0) != Point(2.0, 1.0)
    assert not (Point(1.0, 2.0) == Point(1.0, 2.5))
    assert Point(0.0, 0.0) == Point(-0.0, -0.0)
    nan = Point(math.nan, 0.0)
    assert nan != Point(math.nan, 0.0)


def test_point_equality_with_other_types():
    p = Point(1.0, 2.0)
    assert (p == (1.0, 2.0)) is False
    assert (p != (1.0, 2.0)) is True
    assert (p == None) is False  # noqa: E711
    assert (p == "Point(x=1.0, y=2.0)") is False
    assert p != object()


def test_point_has_no_ordering():
    with pytest.raises(TypeError):
        Point(1.0, 2.0) < Point(2.0, 3.0)  # noqa: B015


@pytest.mark.force_parallel_threads(4)
def test_point_hash_is_consistent_with_eq():
    pairs = [
        (Point(1.0, 2.0), Point(1.0, 2.0)),
        (Point(0.0, 0.0), Point(-0.0, 0.0)),
        (Point(0.0, 0.0), Point(0.0, -0.0)),
        (Point(0.0, 0.0), Point(-0.0, -0.0)),
        (Point(-0.0, 7.5), Point(0.0, 7.5)),
        (Point(-1.5e300, 2.5), Point(-1.5e300, 2.5)),
        (Point(-1.0, -1.0), Point(-1.0, -1.0)),
    ]
    for a, b in pairs:
        assert a == b
        assert hash(a) == hash(b), (a, b)
        assert type(hash(a)) is int
        assert hash(a) != -1
        assert hash(a) == hash(a)


def test_point_hash_distinguishes_some_points():
    hashes = {hash(Point(float(x), float(y))) for x in range(10) for y in range(10)}
    assert len(hashes) > 50


def test_point_in_sets_and_dicts():
    points = {Point(1.0, 2.0), Point(1.0, 2.0), Point(2.0, 1.0)}
    assert len(points) == 2
    assert Point(1.0, 2.0) in points
    assert Point(3.0, 3.0) not in points

    zeros = {Point(0.0, 0.0), Point(-0.0, 0.0), Point(0.0, -0.0), Point(-0.0, -0.0)}
    assert len(zeros) == 1

    names = {Point(0.0, 0.0): "origin", Point(1.0, 0.0): "east"}
    assert names[Point(-0.0, -0.0)] == "origin"
    assert names[Point(1, 0)] == "east"
    assert names.get(Point(0.0, 1.0)) is None
    grid = {Point(float(i), float(-i)): i for i in range(1000)}
    assert all(grid[Point(float(i), float(-i))] == i for i in range(1000))


def test_point_introspection():
    assert str(inspect.signature(Point)) == "(x, y)"
    assert str(inspect.signature(Point.norm)) == "(self, /)"
    assert Point.__name__ == "Point"
    assert Point.__qualname__ == "Point"
    assert Point.__module__ == "ftbench"
    assert inspect.cleandoc(Point.__doc__) == (
        "A point in the plane: immutable, shared freely between threads."
    )
    assert inspect.cleandoc(Point.norm.__doc__) == "The distance from the origin."
    assert isinstance(Point(1.0, 2.0), Point)
    assert type(Point(1.0, 2.0)) is Point


# ================================================================ Counter


@pytest.mark.force_parallel_threads(4)
def test_counter_start():
    assert Counter().value == 0
    assert Counter(5).value == 5
    assert Counter(start=-3).value == -3
    assert Counter(I64_MAX).value == I64_MAX
    assert Counter(I64_MIN).value == I64_MIN
    with pytest.raises(OverflowError):
        Counter(I64_MAX + 1)
    with pytest.raises(TypeError, match=r"\Aargument 'start': "):
        Counter("1")


@pytest.mark.force_parallel_threads(4)
def test_counter_incr_and_reset():
    c = Counter()
    assert c.incr() is None
    assert c.value == 1
    c.incr(10)
    assert c.value == 11
    c.incr(by=-4)
    assert c.value == 7
    c.incr(0)
    assert c.value == 7
    assert c.reset() is None
    assert c.value == 0
    c.incr()
    assert c.value == 1


def test_counter_incr_errors():
    c = Counter(I64_MAX)
    with raises_exactly(OverflowError, "Counter overflowed a 64-bit integer"):
        c.incr()
    assert c.value == I64_MAX  # unchanged by the failed call
    c = Counter(I64_MIN)
    with raises_exactly(OverflowError, "Counter overflowed a 64-bit integer"):
        c.incr(-1)
    assert c.value == I64_MIN
    with pytest.raises(TypeError, match=r"\Aargument 'by': "):
        c.incr("1")
    with pytest.raises(TypeError, match=r"got an unexpected keyword argument 'step'\Z"):
        c.incr(step=1)
    with pytest.raises(TypeError, match=r"takes from 0 to 1 positional arguments but 2 were given\Z"):
        c.incr(1, 2)


def test_counter_value_is_read_only():
    c = Counter(3)
    with pytest.raises(AttributeError):
        c.value = 10
    with pytest.raises(AttributeError):
        c.count  # the Rust field is not exposed  # noqa: B018
    assert c.value == 3


def test_counter_incr_with():
    c = Counter(1)
    assert c.incr_with(lambda: 41) is None
    assert c.value == 42
    c.incr_with(lambda: -2)
    assert c.value == 40
    calls = []
    c.incr_with(lambda: calls.append("called") or 0)
    assert calls == ["called"]
    assert c.value == 40


def test_counter_incr_with_errors_leave_it_unchanged():
    c = Counter(5)

    def fails():
        raise ValueError("no number today")

    with raises_exactly(ValueError, "no number today"):
        c.incr_with(fails)
    assert c.value == 5
    with pytest.raises(TypeError):
        c.incr_with(lambda: "seven")
    assert c.value == 5
    with pytest.raises(TypeError):
        c.incr_with(42)  # not callable
    assert c.value == 5
    with pytest.raises(OverflowError):
        c.incr_with(lambda: I64_MAX)
    assert c.value == 5
    with pytest.raises(OverflowError):
        c.incr_with(lambda: 2**64)
    assert c.value == 5
    # The lock was released after every failure.
    c.incr()
    assert c.value == 6


def test_counter_reentrant_incr_raises():
    c = Counter(10)
    with pytest.raises(RuntimeError) as info:
        c.incr_with(lambda: c.incr())
    message = str(info.value)
    assert "Counter.incr" in message
    assert "Counter.incr_with" in message
    assert c.value == 10
    # Still usable, from this thread, afterwards.
    c.incr()
    c.incr_with(lambda: 5)
    assert c.value == 16


def test_counter_reentrant_read_raises():
    c = Counter(10)
    with pytest.raises(RuntimeError) as info:
        c.incr_with(lambda: c.value)
    message = str(info.value)
    assert "Counter.value" in message
    assert "Counter.incr_with" in message
    assert c.value == 10
    c.incr()
    assert c.value == 11


def test_counter_reentrant_reset_raises():
    c = Counter(3)
    with pytest.raises(RuntimeError, match="Counter"):
        c.incr_with(lambda: c.reset())
    assert c.value == 3


def test_counter_reentry_error_is_not_swallowed_by_nesting():
    c = Counter()
    d = Counter()
    # Holding `d` while using another counter is fine...
    d.incr_with(lambda: (c.incr(3), c.value)[1])
    assert (c.value, d.value) == (3, 3)
    # ...and a re-entry two levels down still raises.
    with pytest.raises(RuntimeError):
        d.incr_with(lambda: c.incr_with(lambda: d.value))
    assert (c.value, d.value) == (3, 3)


def test_counter_introspection():
    assert str(inspect.signature(Counter)) == "(start=0)"
    assert str(inspect.signature(Counter.incr)) == "(self, /, by=1)"
    assert str(inspect.signature(Counter.incr_with)) == "(self, /, f)"
    assert str(inspect.signature(Counter.reset)) == "(self, /)"
    assert inspect.cleandoc(Counter.incr_with.__doc__) == (
        "Calls `f()` while holding the counter and adds its result."
    )
    assert Counter.__module__ == "ftbench"
    assert isinstance(Counter.value, property) or inspect.isdatadescriptor(Counter.value)


# ================================================================ AtomicCounter


@pytest.mark.force_parallel_threads(4)
def test_atomic_counter():
    c = AtomicCounter()
    assert c.value == 0
    assert c.incr() is None
    c.incr(9)
    c.incr(by=-3)
    assert c.value == 7
    assert AtomicCounter(100).value == 100
    assert AtomicCounter(start=-5).value == -5


def test_atomic_counter_errors():
    c = AtomicCounter()
    with pytest.raises(TypeError, match=r"\Aargument 'by': "):
        c.incr(1.5)
    with pytest.raises(OverflowError):
        c.incr(2**63)
    with pytest.raises(AttributeError):
        c.value = 3
    with pytest.raises(AttributeError):
        c.reset()
    assert c.value == 0


def test_atomic_counter_introspection():
    assert str(inspect.signature(AtomicCounter)) == "(start=0)"
    assert str(inspect.signature(AtomicCounter.incr)) == "(self, /, by=1)"
    assert AtomicCounter.__module__ == "ftbench"


def test_classes_are_distinct_types():
    assert ftbench.Point is Point
    assert not issubclass(Counter, AtomicCounter)
    assert not isinstance(AtomicCounter(), Counter)
    with pytest.raises(TypeError):
        Counter().incr_with(AtomicCounter)  # returns an AtomicCounter, not an int


def test_point_repr_writes_floats_as_python_does():
    assert repr(Point(1e20, float("nan"))) == "Point(x=1e+20, y=nan)"
    assert repr(Point(1e-7, float("-inf"))) == "Point(x=1e-07, y=-inf)"


def test_atomic_counter_overflow_raises_and_leaves_the_value():
    c = AtomicCounter(I64_MAX)
    with pytest.raises(OverflowError, match="AtomicCounter overflowed"):
        c.incr()
    assert c.value == I64_MAX
