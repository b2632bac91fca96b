//! Procedural macros of pyo3-ft, re-exported by the `pyo3-ft` crate; see
//! its documentation for how to use them.
//!
//! Each macro works in three steps, each its own module: parse the input
//! and its attribute options into a plain model (`model`), check the
//! model's rules and report every violation at its token (`validate`), then
//! generate code from the model alone (`expand`).

mod attrs;
mod ctxt;
mod expand;
mod model;
mod validate;

use proc_macro::TokenStream;
use syn::parse_macro_input;

use attrs::AttrOptions;
use ctxt::{into_tokens, Ctxt};
use model::function::{FnModel, FnOptions};
use model::module::ModuleModel;

/// Makes a Rust function callable from Python. See the `pyo3_ft` crate.
#[proc_macro_attribute]
pub fn pyfunction(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = parse_macro_input!(attr as AttrOptions);
    let item = parse_macro_input!(item as syn::ItemFn);
    into_tokens((|| {
        let cx = Ctxt::default();
        let options = FnOptions::from_options(&cx, options.0, |_| false);
        let model = FnModel::new(&cx, &item.sig, &item.attrs, options);
        validate::signature(&cx, &model, &item.sig);
        validate::pyfunction(&cx, &model);
        cx.check()?;
        Ok(expand::function::expand(&model, &item))
    })())
}

/// Defines the `PyInit_` entry point of an extension module. See the
/// `pyo3_ft` crate.
#[proc_macro_attribute]
pub fn pymodule(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = parse_macro_input!(attr as AttrOptions);
    let item = parse_macro_input!(item as syn::ItemFn);
    into_tokens((|| {
        let cx = Ctxt::default();
        let model = ModuleModel::new(&cx, &item, options.0);
        validate::pymodule(&cx, &item);
        cx.check()?;
        Ok(expand::module::expand(&model, &item))
    })())
}
