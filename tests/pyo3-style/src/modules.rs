//! Modules, PyO3 0.28 style: the declarative form with exports, an init
//! function, constants and nested submodules; `add_submodule`;
//! `wrap_pyfunction!(f, m)`; `create_exception!` with a dotted module and
//! `import_exception!`.

use pyo3_ft::exceptions::PyValueError;
use pyo3_ft::prelude::*;
use pyo3_ft::{create_exception, import_exception};

create_exception!(
    pyo3_style.modules,
    ParseError,
    PyValueError,
    "The text is not a number."
);
import_exception!(socket, gaierror);

#[pyfunction]
fn parse(text: &str) -> PyResult<i64> {
    text.parse()
        .map_err(|_| ParseError::new_err(format!("cannot parse {text:?}")))
}

#[pyfunction]
fn lookup(host: &str) -> PyResult<()> {
    Err(gaierror::new_err(format!("unknown host {host}")))
}

#[pyfunction]
fn double(x: i64) -> i64 {
    2 * x
}

#[doc = include_str!("modules.txt")]
#[pymodule(submodule)]
pub mod modules {
    use pyo3_ft::prelude::*;

    #[pymodule_export]
    use super::{lookup, parse, ParseError};

    #[pymodule_export]
    const VERSION: &str = "1.0";

    /// Defined in the module: added without `#[pymodule_export]`.
    #[pyfunction]
    fn triple(x: i64) -> i64 {
        3 * x
    }

    /// A nested declarative module: `pyo3_style.modules.nested`.
    #[pymodule]
    mod nested {
        use pyo3_ft::prelude::*;

        #[pyfunction]
        fn inner() -> &'static str {
            "inner"
        }
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_function(wrap_pyfunction!(super::double, m)?)?;
        let legacy = PyModule::new(m.py(), "legacy")?;
        legacy.add("answer", 42)?;
        m.add_submodule(&legacy)?;
        m.add("initialized", true)
    }
}
