// Rule: a PyO3 option pyo3-ft does not take gets a message that names the
// equivalent or says why it is unsupported, on functions and parameters.
use pyo3_ft::pyfunction;

#[pyfunction(pass_module)]
#[pyo3(crate = "pyo3")]
fn f(#[pyo3(default)] a: i64, #[pyo3(from_py_with = "path")] b: i64) -> i64 {
    a + b
}

#[pyfunction]
#[pyo3(colour = "red")]
fn g() {}

fn main() {}
