//! `append_to_inittab!(path::to::module)`: registers the `PyInit_<name>`
//! entry point that `#[pymodule]` generates next to the module, under the
//! module's Python name (the path's last segment).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::c_str;

pub fn expand(module: &syn::Path) -> syn::Result<TokenStream> {
    let mut init = module.clone();
    let Some(last) = init.segments.last_mut() else {
        return Err(syn::Error::new_spanned(module, "expected a `#[pymodule]`"));
    };
    if !last.arguments.is_none() {
        return Err(syn::Error::new_spanned(
            &last.arguments,
            "a `#[pymodule]` takes no generic arguments",
        ));
    }
    let name = last.ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
    last.ident = format_ident!("PyInit_{}", name, span = last.ident.span());
    let c_name = c_str(&name);
    Ok(quote! {
        // SAFETY: `PyInit_<name>` is the entry point `#[pymodule]`
        // generates for the module named `name`.
        unsafe { ::pyo3_ft::embed::__append_to_inittab(#c_name, #init) }
    })
}
