// Rule: `#[pyclass]` goes only on a struct or a fieldless enum, not a type alias.
use pyo3_ft::pyclass;

#[pyclass]
type Meters = f64;

fn main() {}
