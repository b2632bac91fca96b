//! Code generation from validated models. Every path is fully qualified
//! through `::pyo3_ft`, and generated names start with `__` so they cannot
//! collide with the user's.

pub mod args;
pub mod class;
pub mod derive;
pub mod enums;
pub mod function;
pub mod inittab;
pub mod methods;
pub mod module;
pub mod operators;
pub mod text_signature;

use std::ffi::CString;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// A `c"..."` literal for `text`.
pub fn c_str(text: &str) -> TokenStream {
    let text = CString::new(text.replace('\0', "")).expect("NULs removed");
    let literal = Literal::c_string(&text);
    quote!(#literal)
}
