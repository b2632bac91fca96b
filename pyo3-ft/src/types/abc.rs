//! The `collections.abc` classes behind [`PyMapping`](super::PyMapping) and
//! [`PySequence`](super::PySequence) type checks, imported once.

use crate::instance::{Bound, Py};
use crate::sync::PyOnceLock;
use crate::types::PyAny;

/// Whether `object` is an instance of `collections.abc.<name>`; an import
/// or `isinstance` failure counts as "no".
pub(crate) fn is_instance_of_abc(
    object: &Bound<'_, PyAny>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> bool {
    cell.import(object.py(), "collections.abc", name)
        .and_then(|class| object.is_instance(class))
        .unwrap_or(false)
}
