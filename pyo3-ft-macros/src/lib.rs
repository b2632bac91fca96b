//! Procedural macros of pyo3-ft, re-exported by the `pyo3-ft` crate; see
//! its documentation for how to use them.
//!
//! Each macro works in three steps, each its own module: parse the input
//! and its attribute options into a plain model (`model`), check the
//! model's rules and report every violation at its token (`validate`), then
//! generate code from the model alone (`expand`).

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![doc(test(attr(deny(warnings))))]

mod attrs;
mod ctxt;
mod expand;
mod model;
mod validate;

use proc_macro::TokenStream;
use syn::parse_macro_input;

use attrs::AttrOptions;
use ctxt::{into_tokens, Ctxt};
use model::class::ClassModel;
use model::derive::{DeriveKind, DeriveModel};
use model::function::{FnModel, FnOptions};
use model::methods::MethodsModel;
use model::module::ModuleModel;

/// Makes a Rust function callable from Python. See the `pyo3_ft` crate.
#[proc_macro_attribute]
pub fn pyfunction(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = parse_macro_input!(attr as AttrOptions);
    let mut item = parse_macro_input!(item as syn::ItemFn);
    into_tokens((|| {
        let cx = Ctxt::default();
        let mut options = options.0;
        match attrs::take_py_attrs(&mut item.attrs) {
            Ok(more) => options.extend(more),
            Err(err) => cx.syn_error(err),
        }
        let options = FnOptions::from_options(&cx, options, |_| false);
        let model = FnModel::new(&cx, &mut item.sig, &item.attrs, options, None);
        validate::signature(&cx, &model, &item.sig);
        validate::pyfunction(&cx, &model);
        cx.check()?;
        Ok(expand::function::expand(&model, &item))
    })())
}

/// Defines the `PyInit_` entry point of an extension module: on a function
/// that fills the module, or on an inline `mod` whose `#[pymodule_export]`
/// items, `#[pyfunction]`s, `#[pyclass]`es and nested `#[pymodule]`s it
/// holds (PyO3's declarative form). See the `pyo3_ft` crate.
#[proc_macro_attribute]
pub fn pymodule(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = parse_macro_input!(attr as AttrOptions);
    let item = parse_macro_input!(item as syn::Item);
    into_tokens((|| {
        let cx = Ctxt::default();
        match item {
            syn::Item::Fn(item) => {
                let model = ModuleModel::from_fn(&cx, &item, options.0);
                validate::pymodule(&cx, &item);
                cx.check()?;
                Ok(expand::module::expand_fn(&model, &item))
            }
            syn::Item::Mod(mut item) => {
                let model = ModuleModel::from_mod(&cx, &mut item, options.0);
                cx.check()?;
                Ok(expand::module::expand_mod(&model, &item))
            }
            other => Err(syn::Error::new_spanned(
                other,
                "`#[pymodule]` goes on a function or an inline `mod`",
            )),
        }
    })())
}

/// Derives `FromPyObject` for a struct or enum: fields from attributes,
/// mapping items or tuple items; enum variants tried in order. See the
/// `pyo3_ft` crate.
#[proc_macro_derive(FromPyObject, attributes(pyo3_ft))]
pub fn derive_from_pyobject(input: TokenStream) -> TokenStream {
    derive(
        input,
        DeriveKind::FromPyObject,
        expand::derive::from::expand,
    )
}

/// Derives `IntoPyObject` for a struct or enum: named fields become a
/// `dict`, tuple fields a `tuple`. See the `pyo3_ft` crate.
#[proc_macro_derive(IntoPyObject, attributes(pyo3_ft))]
pub fn derive_into_pyobject(input: TokenStream) -> TokenStream {
    derive(
        input,
        DeriveKind::IntoPyObject,
        expand::derive::into::expand,
    )
}

/// Runs one of the two conversion derives.
fn derive(
    input: TokenStream,
    kind: DeriveKind,
    expand: fn(&DeriveModel) -> proc_macro2::TokenStream,
) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    into_tokens((|| {
        let cx = Ctxt::default();
        let model = DeriveModel::new(&cx, &input, kind);
        cx.check()?;
        Ok(expand(
            &model.expect("a missing model has its error reported"),
        ))
    })())
}

/// Exposes a Rust struct or fieldless enum as a Python class. See the
/// `pyo3_ft` crate.
#[proc_macro_attribute]
pub fn pyclass(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = parse_macro_input!(attr as AttrOptions);
    let mut item = parse_macro_input!(item as syn::Item);
    into_tokens((|| {
        let cx = Ctxt::default();
        let model = ClassModel::new(&cx, &mut item, options.0);
        if let Some(model) = &model {
            validate::pyclass(&cx, model);
        }
        cx.check()?;
        let model = model.expect("errors were reported above");
        Ok(expand::class::expand(&model, &item))
    })())
}

/// Exposes the methods of a `#[pyclass]` to Python. See the `pyo3_ft`
/// crate.
#[proc_macro_attribute]
pub fn pymethods(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(item as syn::ItemImpl);
    into_tokens((|| {
        let cx = Ctxt::default();
        if !attr.is_empty() {
            cx.syn_error(syn::Error::new(
                proc_macro2::Span::call_site(),
                "`#[pymethods]` takes no options",
            ));
        }
        let model = MethodsModel::new(&cx, &mut item);
        validate::pymethods(&cx, &model);
        cx.check()?;
        Ok(expand::methods::expand(&model, &item))
    })())
}

/// Registers a `#[pymodule]` as a built-in module of the interpreter this
/// program embeds, importable by its name from any thread once it starts.
/// See the `pyo3_ft` crate.
#[proc_macro]
pub fn append_to_inittab(input: TokenStream) -> TokenStream {
    let module = parse_macro_input!(input as syn::Path);
    into_tokens(expand::inittab::expand(&module))
}
