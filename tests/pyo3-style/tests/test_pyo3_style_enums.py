"""Enums of the PyO3-style extension (src/enums.rs)."""

from pyo3_style import enums


def test_simple_enum_eq():
    assert enums.Color.Red == enums.Color.Red
    assert enums.Color.Red != enums.Color.Green
    assert repr(enums.Color.Green) == "Color.Green"
