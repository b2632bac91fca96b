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
pub mod methods_stub;
pub mod module;
pub mod operators;
pub mod stubs;
pub mod text_signature;

use std::ffi::CString;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The hidden struct named like a `#[pyfunction]` or function-form
/// `#[pymodule]` (so `wrap_pyfunction!(name)` and `add_wrapped` find it by
/// the function's path), with `items` as its associated functions.
pub fn companion_struct(
    vis: &syn::Visibility,
    ident: &syn::Ident,
    items: TokenStream,
) -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {}

        impl #ident {
            #items
        }
    }
}

/// A `c"..."` literal for `text`.
pub fn c_str(text: &str) -> TokenStream {
    let text = CString::new(text.replace('\0', "")).expect("NULs removed");
    let literal = Literal::c_string(&text);
    quote!(#literal)
}
