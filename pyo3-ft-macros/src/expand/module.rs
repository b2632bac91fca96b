//! `#[pymodule]` expansion: the `PyInit_<name>` entry point with a
//! multi-phase module definition, and the hidden
//! `__pyo3_ft_add_to_module` that adds the module to a parent as a
//! submodule.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::c_str;
use crate::model::module::{ModuleBody, ModuleModel};

/// `PyInit_<name>`, running `exec` (a path to a `ModuleExec`).
fn entry_point(model: &ModuleModel, exec: &TokenStream) -> TokenStream {
    if model.submodule {
        return quote!();
    }
    let init = format_ident!("PyInit_{}", model.python_name);
    let stub = format_ident!("pyo3_ft_stub_{}", model.python_name);
    let name = c_str(&model.python_name);
    let doc = &model.doc;
    let gil_used = model.gil_used;
    quote! {
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn #init() -> *mut ::pyo3_ft::runtime::ffi::PyObject {
            unsafe extern "C" fn __exec(module: *mut ::pyo3_ft::runtime::ffi::PyObject) -> ::std::ffi::c_int {
                // SAFETY: CPython runs the exec slot with the new module.
                unsafe { ::pyo3_ft::impl_::module::exec_module(module, #exec) }
            }
            static __SLOTS: ::pyo3_ft::impl_::module::ModuleSlots = ::pyo3_ft::impl_::module::ModuleSlots::new(__exec, #gil_used);
            static __DEF: ::pyo3_ft::impl_::ModuleDef = ::pyo3_ft::impl_::ModuleDef::new(#name, ::pyo3_ft::impl_::module::doc(#doc), &__SLOTS);
            // SAFETY: called by the import machinery.
            unsafe { __DEF.init() }
        }

        /// The module's type stub (see `pyo3_ft::stubs`), for tools that
        /// call it through `ctypes` with the module object.
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn #stub(module: *mut ::pyo3_ft::runtime::ffi::PyObject) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
            // SAFETY: the caller (`ctypes.PyDLL`) is attached and passes a module.
            unsafe { ::pyo3_ft::impl_::stubs::export(module) }
        }
    }
}

/// `__pyo3_ft_add_to_module(parent)`: creates the module as a submodule of
/// `parent` and runs `exec` on it.
fn add_to_module(model: &ModuleModel, exec: &TokenStream) -> TokenStream {
    let name = &model.python_name;
    let doc = &model.doc;
    quote! {
        #[doc(hidden)]
        pub fn __pyo3_ft_add_to_module(parent: &::pyo3_ft::Bound<'_, ::pyo3_ft::types::PyModule>) -> ::pyo3_ft::PyResult<()> {
            ::pyo3_ft::impl_::module::add_submodule(parent, #name, ::pyo3_ft::impl_::module::doc(#doc), #exec)
        }
    }
}

/// The function form: the function, a hidden type of the same name
/// carrying `__pyo3_ft_add_to_module` (so `#[pymodule_export] use` finds
/// it), and the entry point.
pub fn expand_fn(model: &ModuleModel, item: &syn::ItemFn) -> TokenStream {
    let ident = &model.rust_name;
    let vis = &item.vis;
    let exec = quote!(#ident);
    let entry = entry_point(model, &exec);
    let companion = super::companion_struct(vis, ident, add_to_module(model, &exec));
    quote! {
        #item

        #companion

        #entry
    }
}

/// The declarative form: the `mod` with its `__pyo3_ft_exec` (adding each
/// export, then running the `#[pymodule_init]` function) and
/// `__pyo3_ft_add_to_module`, and the entry point next to it.
pub fn expand_mod(model: &ModuleModel, item: &syn::ItemMod) -> TokenStream {
    let ModuleBody::Declarative {
        exports,
        constants,
        init,
    } = &model.body
    else {
        unreachable!("the mod form has a declarative body")
    };
    let ident = &model.rust_name;
    let names = constants.iter().map(|c| c.to_string());
    let init = init.iter();
    let exec_fn = quote! {
        #[doc(hidden)]
        pub fn __pyo3_ft_exec(module: &::pyo3_ft::Bound<'_, ::pyo3_ft::types::PyModule>) -> ::pyo3_ft::PyResult<()> {
            #(#exports::__pyo3_ft_add_to_module(module)?;)*
            #(module.add(#names, #constants)?;)*
            #(#init(module)?;)*
            ::std::result::Result::Ok(())
        }
    };
    let add = add_to_module(model, &quote!(__pyo3_ft_exec));
    let entry = entry_point(model, &quote!(#ident::__pyo3_ft_exec));
    let mut item = item.clone();
    let (_, items) = item.content.as_mut().expect("checked by the model");
    items.push(syn::Item::Verbatim(exec_fn));
    items.push(syn::Item::Verbatim(add));
    quote! {
        #item

        #entry
    }
}
