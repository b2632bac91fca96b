// Rule: `__pow__` takes the exponent and optionally a modulo; in-place
// operators take one operand.
use pyo3_ft::{pyclass, pymethods};

#[pyclass]
struct Number {
    value: i64,
}

#[pymethods]
impl Number {
    fn __pow__(&self, exponent: u32, modulo: Option<i64>, extra: i64) -> i64 {
        let _ = (modulo, extra);
        self.value.pow(exponent)
    }

    fn __iadd__(&self) {}
}

fn main() {}
