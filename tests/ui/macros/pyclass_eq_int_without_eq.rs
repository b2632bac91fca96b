// Rule: `eq_int` compares with ints in addition to `eq`.
use pyo3_ft::pyclass;

#[pyclass(eq_int)]
#[derive(PartialEq)]
enum Color {
    Red,
    Green,
}

fn main() {}
