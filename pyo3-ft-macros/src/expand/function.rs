//! `#[pyfunction]` expansion: the original function, plus a hidden type of
//! the same name (types and functions live in different namespaces) whose
//! `__pyo3_ft_function_def()` returns the static definition.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use super::args::{extraction, Convention, Extraction};
use super::c_str;
use super::text_signature::docstring;
use crate::model::function::FnModel;

/// The `METH_FASTCALL | METH_KEYWORDS` C function that calls `call`; a
/// method binds `self` with `receiver` (code, then the argument to pass).
pub fn fastcall_wrapper(
    model: &FnModel,
    func_name: &str,
    call: TokenStream,
    receiver: (TokenStream, Option<TokenStream>),
) -> TokenStream {
    let Extraction { body, call_args } = extraction(model, func_name, Convention::Fastcall);
    let (self_binding, self_arg) = receiver;
    let call_args = self_arg.into_iter().chain(call_args);
    let result = if model.is_async {
        // The arguments move into the future, which Python awaits.
        quote! {
            let __future = async move { #call(#(#call_args),*).await };
            let __result = ::pyo3_ft::impl_::coroutine::awaitable(py, __future);
        }
    } else {
        quote!(let __result = #call(#(#call_args),*);)
    };
    quote! {
        unsafe extern "C" fn __wrap(
            __slf: *mut ::pyo3_ft::runtime::ffi::PyObject,
            __args: *const *mut ::pyo3_ft::runtime::ffi::PyObject,
            __nargs: ::pyo3_ft::runtime::ffi::Py_ssize_t,
            __kwnames: *mut ::pyo3_ft::runtime::ffi::PyObject,
        ) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
            // SAFETY: CPython calls this on an attached thread.
            unsafe {
                ::pyo3_ft::impl_::trampoline(|py| {
                    #self_binding
                    #body
                    #result
                    ::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py)
                })
            }
        }
    }
}

pub fn expand(model: &FnModel, item: &ItemFn) -> TokenStream {
    let ident = &model.rust_name;
    let vis = &item.vis;
    let name = &model.python_name;
    let wrapper = fastcall_wrapper(model, name, quote!(#ident), (quote!(), None));
    let doc = c_str(&docstring(model, None));
    let c_name = c_str(name);
    let stub = super::stubs::function(model);
    let companion = super::companion_struct(
        vis,
        ident,
        quote! {
            #[doc(hidden)]
            #vis fn __pyo3_ft_function_def() -> &'static ::pyo3_ft::impl_::PyFunctionDef {
                #wrapper
                static __DEF: ::pyo3_ft::impl_::PyFunctionDef = ::pyo3_ft::impl_::PyFunctionDef::new(#c_name, __wrap, #doc);
                #stub
                &__DEF
            }

            #[doc(hidden)]
            #vis fn __pyo3_ft_add_to_module(module: &::pyo3_ft::Bound<'_, ::pyo3_ft::types::PyModule>) -> ::pyo3_ft::PyResult<()> {
                module.add_function(Self::__pyo3_ft_function_def())
            }
        },
    );
    quote! {
        #item

        #companion
    }
}
