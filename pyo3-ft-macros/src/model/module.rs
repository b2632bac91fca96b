//! The model of a `#[pymodule]` function.

use syn::{Ident, ItemFn, LitStr};

use crate::attrs::{doc_text, AttrOption};
use crate::ctxt::Ctxt;

/// A module initializer.
pub struct ModuleModel {
    /// The Rust function that fills the module.
    pub rust_name: Ident,
    /// The module's Python name (`PyInit_<name>`).
    pub python_name: String,
    pub doc: String,
    /// `#[pymodule(gil_used)]`: the module declares that it needs the GIL.
    pub gil_used: bool,
}

impl ModuleModel {
    pub fn new(cx: &Ctxt, item: &ItemFn, options: Vec<AttrOption>) -> Self {
        let mut name: Option<LitStr> = None;
        let mut gil_used = false;
        for option in options {
            match option {
                AttrOption::Str(key, value) if key == "name" => name = Some(value),
                AttrOption::Flag(key) if key == "gil_used" => gil_used = true,
                other => cx.error_spanned_by(
                    other.key(),
                    format!(
                        "unknown option `{}`; expected `name = \"...\"` or `gil_used`",
                        other.key()
                    ),
                ),
            }
        }
        ModuleModel {
            rust_name: item.sig.ident.clone(),
            python_name: name.map_or_else(|| item.sig.ident.to_string(), |n| n.value()),
            doc: doc_text(&item.attrs),
            gil_used,
        }
    }
}
