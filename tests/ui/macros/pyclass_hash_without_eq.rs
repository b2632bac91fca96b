// Rule: `#[pyclass(hash)]` needs `eq` (or `ord`): equal objects must hash alike.
use pyo3_ft::pyclass;

#[pyclass(hash)]
#[derive(Hash)]
struct Key {
    id: u64,
}

fn main() {}
