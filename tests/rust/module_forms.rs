//! PyO3's module spellings: `add_submodule` registering dotted names,
//! `wrap_pyfunction!(f, m)`, `create_exception!` with a dotted module,
//! `import_exception!`, and a declarative `#[pymodule] mod` (its submodules
//! reached through the parent, as `import parent.child` does).

use pyo3_ft::exceptions::PyRuntimeError;
use pyo3_ft::prelude::*;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::{create_exception, import_exception};

create_exception!(forms.errors, LimitError, PyRuntimeError, "Over the limit.");
import_exception!(json, JSONDecodeError);

#[pyfunction]
fn twice(x: i64) -> i64 {
    2 * x
}

#[pyclass]
struct Token {}

/// The declarative module under test.
#[pymodule]
mod forms {
    use pyo3_ft::prelude::*;

    #[pymodule_export]
    use super::{twice, LimitError, Token};

    #[pymodule_export]
    const LIMIT: u32 = 10;

    #[pyfunction]
    fn thrice(x: i64) -> i64 {
        3 * x
    }

    #[pymodule]
    mod inner {
        #[pymodule_export]
        const NAME: &str = "inner";
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("ready", true)
    }
}

/// A `forms` module created as a submodule of a fresh `host` package in
/// `sys.modules`, as the declarative form makes it.
fn host(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    let host = PyModule::new(py, "host")?;
    py.import("sys")?
        .getattr("modules")?
        .set_item("host", &host)?;
    forms::__pyo3_ft_add_to_module(&host)?;
    Ok(host)
}

#[test]
fn a_declarative_module_adds_exports_constants_functions_submodules_and_runs_init() {
    Python::attach(|py| {
        host(py)?;
        let globals = pyo3_ft::types::PyDict::new(py);
        py.run(
            "import host.forms, host.forms.inner\n\
             from host.forms import twice, thrice, LIMIT, ready, Token, LimitError\n\
             assert (twice(2), thrice(2), LIMIT, ready) == (4, 6, 10, True)\n\
             assert host.forms.inner.NAME == 'inner'\n\
             assert host.forms.inner.__name__ == 'host.forms.inner'\n\
             assert Token.__module__ == 'host.forms'\n\
             assert twice.__module__ == 'host.forms'\n",
            Some(&globals),
            None,
        )
    })
    .unwrap();
}

#[test]
fn wrap_pyfunction_with_a_module_gives_the_module_function() {
    Python::attach(|py| {
        let m = PyModule::new(py, "wrapping")?;
        let f = wrap_pyfunction!(twice, &m)?;
        assert_eq!(f.call1((21,))?.extract::<i64>()?, 42);
        assert_eq!(f.getattr("__module__")?.extract::<String>()?, "wrapping");
        m.add_function(f)?;
        // The same shared object as the definition gives this module.
        m.add_function(wrap_pyfunction!(twice))?;
        assert_eq!(m.get("twice")?.call1((1,))?.extract::<i64>()?, 2);
        Ok::<_, PyErr>(())
    })
    .unwrap();
}

#[test]
fn exceptions_take_dotted_modules_and_can_be_imported() {
    Python::attach(|py| {
        let ty = LimitError::type_object(py);
        assert_eq!(
            ty.getattr("__module__")?.extract::<String>()?,
            "forms.errors"
        );
        assert!(LimitError::new_err("x").is_instance_of::<PyRuntimeError>(py));
        let decode = py
            .import("json")?
            .getattr("loads")?
            .call1(("{",))
            .unwrap_err();
        assert!(decode.is_instance_of::<JSONDecodeError>(py));
        Ok::<_, PyErr>(())
    })
    .unwrap();
}
