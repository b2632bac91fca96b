// Rule: a `__name__` method that pyo3-ft does not map onto a slot (nor
// knows as a plain method Python looks up by name) is a compile error at
// its name, never silently a plain method.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Number {
    value: i64,
}

#[pymethods]
impl Number {
    fn __pwo__(&self, other: i64) -> i64 {
        self.value + other
    }

    fn __del__(&self) {}

    fn __get__(&self) -> i64 {
        self.value
    }
}

fn main() {}
