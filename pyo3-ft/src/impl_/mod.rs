//! Support code for the code that pyo3-ft's macros generate. Not a public
//! API: names and signatures may change in any release.

pub mod args;
pub mod buffer;
pub mod coroutine;
pub mod derive;
pub mod enums;
pub mod exceptions;
pub mod function;
pub mod module;
pub mod pyclass;
pub mod stubs;
pub mod trampoline;

pub use args::{
    extract_argument, extract_argument_with, extract_holder, missing_argument, required, ArgHolder,
    FunctionDescription, KeywordOnly, KeywordValues,
};
pub use function::PyFunctionDef;
pub use module::ModuleDef;
pub use trampoline::{trampoline, IntoPyReturn};
