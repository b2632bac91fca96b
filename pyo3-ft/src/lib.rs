//! Safe Rust bindings for free-threaded CPython.
//!
//! pyo3-ft writes native extension modules for, and embeds, CPython 3.13+
//! built without the GIL. Its types encode the sharing rules: [`Python`],
//! [`Bound`] and [`Borrowed`] are tied to the attached thread (neither
//! `Send` nor `Sync`); [`Py`] can be stored and shared anywhere.
//!
//! ```
//! use pyo3_ft::prelude::*;
//!
//! let doubled = Python::attach(|py| -> PyResult<Vec<i64>> {
//!     py.eval("[2 * x for x in range(4)]", None, None)?.extract()
//! })?;
//! assert_eq!(doubled, [0, 2, 4, 6]);
//! # Ok::<(), PyErr>(())
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "asyncio")]
pub mod asyncio;
pub mod buffer;
pub mod conversion;
#[cfg(feature = "embed")]
pub mod embed;
pub mod err;
pub mod exceptions;
#[cfg(feature = "executor")]
pub mod executor;
pub mod gil_sentinel;
mod immortal;
#[doc(hidden)]
pub mod impl_;
mod instance;
mod intern;
pub mod panic;
pub mod pyclass;
mod python;
pub mod stubs;
pub mod sync;
pub mod testing;
mod thread_bound;
pub mod type_info;
pub mod types;

pub use conversion::{FromPyObject, IntoPyObject, IntoPyTuple};
pub use err::{PyErr, PyResult};
pub use instance::{Borrowed, Bound, Py};
pub use python::{AttachError, Python, Ungil};

pub use pyo3_ft_macros::{pyclass, pyfunction, pymethods, pymodule};

/// Registers a `#[pymodule]` of this program as a built-in module of the
/// interpreter it embeds (`PyImport_AppendInittab`), so that scripts on any
/// thread can `import` it by name. Feature `embed`.
///
/// Name the module by its path; the path's last segment must be the
/// module's Python name (the function's name, or its `#[pyo3(name = ...)]`).
/// Call it before the interpreter starts. It evaluates to
/// `Result<(), `[`EmbedError`](embed::EmbedError)`>`:
/// [`EmbedError::AlreadyStarted`](embed::EmbedError::AlreadyStarted) once
/// the interpreter runs.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// mod api {
///     use pyo3_ft::prelude::*;
///
///     #[pymodule]
///     pub fn host_api(m: &Bound<'_, PyModule>) -> PyResult<()> {
///         m.add("version", 3)
///     }
/// }
///
/// pyo3_ft::append_to_inittab!(api::host_api)?;
/// let version: i64 = Python::attach(|py| py.import("host_api")?.getattr("version")?.extract())?;
/// assert_eq!(version, 3);
/// assert!(pyo3_ft::append_to_inittab!(api::host_api).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "embed")]
pub use pyo3_ft_macros::append_to_inittab;

/// Derives [`FromPyObject`](trait@FromPyObject): extracts a struct or enum
/// from a Python object, field by field.
///
/// | Rust | extracted from |
/// |---|---|
/// | `struct S { a: A, b: B }` | any object: `a` from `obj.a` (from `obj["a"]` with `item`) |
/// | `struct S(A, B, ...)` | a `tuple` of exactly that length |
/// | `struct S(A)` | whatever `A` extracts from: the newtype is transparent |
/// | `enum E { ... }` | the first variant, in order, that extracts; each variant is one of the shapes above, and a unit variant `V` is the `str` `"V"` |
///
/// Options, written `#[pyo3_ft(...)]`:
/// - `item` on a struct, enum or variant: its named fields are read as
///   mapping items rather than attributes.
/// - `attribute`, `attribute = "name"`, `item`, `item = "key"` on a named
///   field: where that field is read, under its own name or another.
/// - `default` or `default = expr` on a named field: the value to use when
///   the attribute is missing (`AttributeError`) or the key is
///   (`KeyError`); other errors still propagate.
/// - `annotation = "text"` on a variant: how the enum's error names it.
///
/// Errors say where extraction failed. A field whose value does not
/// extract re-raises the same exception type, prefixed with
/// `failed to extract field Point.y:`, with the original as `__cause__`. A
/// missing attribute or key raises Python's own `AttributeError` or
/// `KeyError`. An enum none of whose variants matches raises a `TypeError`
/// that lists why each one failed.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// #[derive(FromPyObject)]
/// struct Point {
///     x: i64,
///     #[pyo3_ft(attribute = "vertical")]
///     y: i64,
/// }
///
/// #[derive(Debug, FromPyObject)]
/// #[pyo3_ft(item)]
/// struct Config {
///     name: String,
///     #[pyo3_ft(item = "max-size", default = 64)]
///     max_size: usize,
/// }
///
/// #[derive(FromPyObject)]
/// struct Pair(i64, String);
///
/// Python::attach(|py| {
///     let p: Point = py.eval("__import__('types').SimpleNamespace(x=1, vertical=2)", None, None)?.extract()?;
///     assert_eq!((p.x, p.y), (1, 2));
///
///     let config: Config = py.eval("{'name': 'cache'}", None, None)?.extract()?;
///     assert_eq!((config.name.as_str(), config.max_size), ("cache", 64));
///
///     let Pair(n, s) = py.eval("(3, 'three')", None, None)?.extract()?;
///     assert_eq!((n, s.as_str()), (3, "three"));
///
///     let err = py.eval("{'name': 5}", None, None)?.extract::<Config>().unwrap_err();
///     assert_eq!(
///         err.to_string(),
///         "TypeError: failed to extract field Config.name: 'int' object cannot be converted to 'str'"
///     );
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
///
/// An enum tries its variants in order:
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// #[derive(Debug, PartialEq, FromPyObject)]
/// enum Shape {
///     Circle { radius: f64 },
///     #[pyo3_ft(item)]
///     Rect { width: f64, height: f64 },
///     #[pyo3_ft(annotation = "list[tuple[float, float]]")]
///     Polygon(Vec<(f64, f64)>),
///     Empty,
/// }
///
/// Python::attach(|py| {
///     let shape: Shape = py.eval("{'width': 2, 'height': 1}", None, None)?.extract()?;
///     assert_eq!(shape, Shape::Rect { width: 2.0, height: 1.0 });
///     let shape: Shape = py.eval("'Empty'", None, None)?.extract()?;
///     assert_eq!(shape, Shape::Empty);
///
///     let err = py.eval("{'width': 2}", None, None)?.extract::<Shape>().unwrap_err();
///     assert_eq!(
///         err.to_string(),
///         "TypeError: failed to extract enum Shape ('Circle | Rect | list[tuple[float, float]] | \"Empty\"')\n\
///          - variant Circle (Circle): AttributeError: 'dict' object has no attribute 'radius'\n\
///          - variant Rect (Rect): KeyError: 'height'\n\
///          - variant Polygon (list[tuple[float, float]]): TypeError: 'str' object cannot be converted to 'tuple'\n\
///          - variant Empty (\"Empty\"): TypeError: 'dict' object cannot be converted to 'str'"
///     );
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
///
/// Lifetimes and generics: `'py` is the attached thread's lifetime (for
/// fields like `Bound<'py, PyAny>`); one other lifetime may be declared, the
/// one the value borrows from the object for, which tuple and newtype fields
/// such as `&'a str` use. Named fields are read into temporaries, so they
/// must own their data. Each type parameter `T` is required to be
/// `for<'a> FromPyObject<'a, 'py>`.
pub use pyo3_ft_macros::FromPyObject;

/// Derives [`IntoPyObject`](trait@IntoPyObject): converts a struct or enum
/// into a Python object, consuming it.
///
/// | Rust | becomes |
/// |---|---|
/// | `struct S { a: A, b: B }` | a `dict` `{"a": a, "b": b}` in field order |
/// | `struct S(A, B, ...)` | a `tuple` |
/// | `struct S(A)` | the field's object: the newtype is transparent |
/// | `enum E { ... }` | the variant's fields, by the same rules; a unit variant `V` is the `str` `"V"` |
///
/// A field renamed with `#[pyo3_ft(item = "key")]` or
/// `#[pyo3_ft(attribute = "name")]` uses that name as its key, so a struct
/// that derives both traits with `#[pyo3_ft(item)]` round-trips through a
/// `dict`. The other [`FromPyObject`](macro@FromPyObject) options are
/// accepted and ignored. Each type parameter `T` is required to be
/// `IntoPyObject<'py>`.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// #[derive(Debug, PartialEq, FromPyObject, IntoPyObject)]
/// #[pyo3_ft(item)]
/// struct Config {
///     name: String,
///     #[pyo3_ft(item = "max-size")]
///     max_size: usize,
/// }
///
/// #[derive(IntoPyObject)]
/// enum Value {
///     Pair(i64, i64),
///     Missing,
/// }
///
/// Python::attach(|py| {
///     let config = Config { name: "cache".into(), max_size: 64 };
///     let obj = config.into_pyobject(py)?;
///     assert_eq!(obj.repr()?.to_str()?, "{'name': 'cache', 'max-size': 64}");
///     assert_eq!(obj.extract::<Config>()?, Config { name: "cache".into(), max_size: 64 });
///
///     assert_eq!(Value::Pair(1, 2).into_pyobject(py)?.repr()?.to_str()?, "(1, 2)");
///     assert_eq!(Value::Missing.into_pyobject(py)?.repr()?.to_str()?, "'Missing'");
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
pub use pyo3_ft_macros::IntoPyObject;

/// The raw C API and the runtime, for what the safe API does not cover.
pub use pyo3_ft_runtime as runtime;
/// The raw C API (`runtime::ffi`), where PyO3 code looks for it
/// (`pyo3::ffi::Py_buffer`, ...).
pub use pyo3_ft_runtime::ffi;

/// Registers `#[pymethods]` blocks; used by the generated code.
#[doc(hidden)]
pub use inventory;

#[doc(hidden)]
pub mod __private {
    pub use crate::intern::Interned;
}

/// The names almost every user of pyo3-ft needs.
pub mod prelude {
    pub use crate::conversion::{FromPyObject, IntoPyObject};
    pub use crate::err::{PyErr, PyResult};
    pub use crate::instance::{Borrowed, Bound, Py};
    pub use crate::intern;
    pub use crate::pyclass::{PyRef, PyRefMut};
    pub use crate::python::Python;
    pub use crate::types::PyAny;
    pub use crate::types::PyModule;
    pub use crate::wrap_pyfunction;
    pub use pyo3_ft_macros::{pyclass, pyfunction, pymethods, pymodule};
    pub use pyo3_ft_macros::{FromPyObject, IntoPyObject};
}
