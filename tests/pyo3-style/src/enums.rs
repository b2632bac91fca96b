//! Enums, PyO3 0.28 style: C-like enums with `eq`, `eq_int`, `ord`,
//! `hash`, `str`, `name` and `rename_all`; enums with data (struct and
//! tuple variants as subclasses).

use std::fmt;

use pyo3_ft::prelude::*;

/// A C-like enum compared by value and with ints.
#[pyclass(eq, eq_int)]
#[derive(PartialEq)]
pub enum Color {
    Red,
    Green,
    #[pyo3(name = "BLUE")]
    Blue = 10,
}

/// Ordered, hashable, printable, renamed.
#[pyclass(eq, ord, hash, str, rename_all = "UPPERCASE", name = "Level")]
#[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Clone, Copy)]
pub enum RustLevel {
    Low,
    High,
}

impl fmt::Display for RustLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RustLevel::Low => "low",
            RustLevel::High => "high",
        })
    }
}

/// An enum with data: each variant is a subclass of `Shape`.
#[pyclass(eq)]
#[derive(PartialEq, Clone)]
pub enum Shape {
    Circle { radius: f64 },
    Rect { width: f64, height: f64 },
    Pair(i64, i64),
    Nothing {},
}

#[pyfunction]
fn area(shape: PyRef<'_, Shape>) -> f64 {
    match &*shape {
        Shape::Circle { radius } => std::f64::consts::PI * radius * radius,
        Shape::Rect { width, height } => width * height,
        Shape::Pair(..) | Shape::Nothing {} => 0.0,
    }
}

#[pyfunction]
fn unit_square() -> Shape {
    Shape::Rect {
        width: 1.0,
        height: 1.0,
    }
}

#[pyfunction]
fn pair(a: i64, b: i64) -> Shape {
    Shape::Pair(a, b)
}

/// The `enums` submodule.
#[pymodule(submodule)]
pub mod enums {
    #[pymodule_export]
    use super::{area, pair, unit_square, Color, RustLevel, Shape};
}
