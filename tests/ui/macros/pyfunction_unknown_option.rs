// Rule: `#[pyfunction]` reports an unknown option at the option's name.
use pyo3_ft::pyfunction;

#[pyfunction(name = "twice", text_sig = "(x)")]
fn double(x: i64) -> i64 {
    2 * x
}

fn main() {}
