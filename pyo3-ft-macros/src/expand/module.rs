//! `#[pymodule]` expansion: the `PyInit_<name>` entry point with a
//! multi-phase module definition.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ItemFn;

use super::c_str;
use crate::model::module::ModuleModel;

pub fn expand(model: &ModuleModel, item: &ItemFn) -> TokenStream {
    let init = format_ident!("PyInit_{}", model.python_name);
    let body = &model.rust_name;
    let name = c_str(&model.python_name);
    let doc = c_str(&model.doc);
    let gil_used = model.gil_used;
    quote! {
        #item

        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn #init() -> *mut ::pyo3_ft::runtime::ffi::PyObject {
            unsafe extern "C" fn __exec(module: *mut ::pyo3_ft::runtime::ffi::PyObject) -> ::std::ffi::c_int {
                // SAFETY: CPython runs the exec slot with the new module.
                unsafe { ::pyo3_ft::impl_::module::exec_module(module, #body) }
            }
            static __SLOTS: ::pyo3_ft::impl_::module::ModuleSlots = ::pyo3_ft::impl_::module::ModuleSlots::new(__exec, #gil_used);
            static __DEF: ::pyo3_ft::impl_::ModuleDef = ::pyo3_ft::impl_::ModuleDef::new(#name, #doc, &__SLOTS);
            // SAFETY: called by the import machinery.
            unsafe { __DEF.init() }
        }
    }
}
