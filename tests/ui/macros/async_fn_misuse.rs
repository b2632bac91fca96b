// An `async fn` exposed to Python takes owned arguments, no `py`, no
// `&mut self`, and only plain methods may be async: every misuse reported
// at once, at its token.
use pyo3_ft::{pyclass, pyfunction, pymethods};

#[pyfunction]
async fn with_py(py: Python<'_>, n: i64) -> i64 {
    let _ = py;
    n
}

#[pyfunction]
async fn borrowed(text: &str) -> usize {
    text.len()
}

#[pyclass(mutable)]
struct Counter {
    n: i64,
}

#[pymethods]
impl Counter {
    async fn bump(&mut self) -> i64 {
        self.n += 1;
        self.n
    }

    #[getter]
    async fn value(&self) -> i64 {
        self.n
    }
}

fn main() {}
