"""Enums of the PyO3-style extension (src/enums.rs)."""

import math

import pytest

from pyo3_style import enums
from pyo3_style.enums import Color, Level, Shape


def test_c_like_eq():
    assert Color.Red == Color.Red
    assert Color.Red != Color.Green
    assert repr(Color.Green) == "Color.Green"


def test_eq_int():
    assert Color.Red == 0
    assert Color.Green == 1
    assert Color.BLUE == 10
    assert Color.Red != 1
    assert int(Color.BLUE) == 10
    assert Color.Red != "Red"


def test_variant_name():
    assert repr(Color.BLUE) == "Color.BLUE"
    assert not hasattr(Color, "Blue")


def test_ord_hash_str_rename_all():
    assert Level.LOW < Level.HIGH
    assert sorted([Level.HIGH, Level.LOW]) == [Level.LOW, Level.HIGH]
    assert hash(Level.LOW) == hash(Level.LOW)
    assert {Level.LOW: 1}[Level.LOW] == 1
    assert str(Level.HIGH) == "high"
    assert repr(Level.HIGH) == "Level.HIGH"
    assert Level.__name__ == "Level"


def test_variants_are_subclasses():
    circle = Shape.Circle(radius=2.0)
    assert isinstance(circle, Shape)
    assert isinstance(circle, Shape.Circle)
    assert not isinstance(circle, Shape.Rect)
    assert issubclass(Shape.Pair, Shape)
    assert Shape.Circle.__module__ == "pyo3_style.enums"


def test_constructors_and_getters():
    rect = Shape.Rect(3.0, height=4.0)
    assert (rect.width, rect.height) == (3.0, 4.0)
    pair = Shape.Pair(1, 2)
    assert (pair._0, pair._1) == (1, 2)
    assert isinstance(Shape.Nothing(), Shape)
    with pytest.raises(TypeError):
        Shape.Circle()
    with pytest.raises(TypeError):
        Shape.Circle(radius="big")
    with pytest.raises(TypeError):
        Shape()


def test_fields_are_read_only():
    with pytest.raises(AttributeError):
        Shape.Circle(1.0).radius = 2.0


def test_match_args_and_pattern_matching():
    assert Shape.Rect.__match_args__ == ("width", "height")
    assert Shape.Pair.__match_args__ == ("_0", "_1")

    def describe(shape):
        match shape:
            case Shape.Circle(r):
                return f"circle {r}"
            case Shape.Rect(width=w, height=h):
                return f"rect {w}x{h}"
            case Shape.Pair(a, b):
                return f"pair {a},{b}"
            case Shape.Nothing():
                return "nothing"

    assert describe(Shape.Circle(1.5)) == "circle 1.5"
    assert describe(Shape.Rect(2.0, 3.0)) == "rect 2.0x3.0"
    assert describe(Shape.Pair(4, 5)) == "pair 4,5"
    assert describe(Shape.Nothing()) == "nothing"


def test_rust_values_become_their_variant():
    square = enums.unit_square()
    assert type(square) is Shape.Rect
    assert type(enums.pair(1, 2)) is Shape.Pair
    assert enums.area(square) == 1.0
    assert enums.area(Shape.Circle(1.0)) == pytest.approx(math.pi)


def test_complex_eq():
    assert Shape.Circle(1.0) == Shape.Circle(1.0)
    assert Shape.Circle(1.0) != Shape.Circle(2.0)
    assert Shape.Circle(1.0) != Shape.Pair(1, 1)


def test_tuple_variants_are_sequences():
    pair = Shape.Pair(1, 2)
    assert len(pair) == 2
    assert (pair[0], pair[1], pair[-1]) == (1, 2, 2)
    assert tuple(pair) == (1, 2)
    with pytest.raises(IndexError):
        pair[2]
