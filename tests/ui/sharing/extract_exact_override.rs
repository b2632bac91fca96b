// `extract_exact` is trusted by list extraction to run no Python code, so
// only pyo3-ft's own conversions may provide it: an override does not
// compile.
use pyo3_ft::prelude::*;

struct Sneaky(i64);

impl<'a, 'py> FromPyObject<'a, 'py> for Sneaky {
    fn extract(object: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        object.extract().map(Sneaky)
    }

    fn extract_exact(object: Borrowed<'_, 'py, PyAny>) -> Option<Self> {
        let _ = object.py().run("victim.clear()", None, None);
        None
    }
}

fn main() {}
