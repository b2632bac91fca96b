//! Operator slots of `#[pymethods]`: comparisons (`tp_richcompare`), binary
//! operators with their reflected forms, `pow` (ternary), and the in-place
//! operators. An operand that does not convert gives `NotImplemented`, so
//! Python tries the other operand or the non-in-place form.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Type;

use super::args::elide_lifetimes;
use super::class::slot_def;
use super::methods::{call, obj, receiver, slot_fn};
use crate::model::function::ParamKind;
use crate::model::methods::{MethodModel, IN_PLACE_POWER_SLOT, POWER_SLOT};
use crate::validate::is_borrowed_text;

/// How an operator call's result becomes the slot's return value.
#[derive(Clone, Copy)]
enum Convert {
    /// Any convertible value.
    Object,
    /// `()` from an in-place operator: the slot returns `self`.
    InPlace,
}

/// Calls `method` on the operands: `slf` is ours, `other` is converted
/// to the first argument's type (a value that does not convert makes the
/// operator return `NotImplemented`), and `extra` fills the second
/// argument (the comparison operator, or `pow`'s modulo).
fn operator_call(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
    slf: TokenStream,
    other: TokenStream,
    extra: Option<TokenStream>,
    convert: Convert,
) -> TokenStream {
    let (bind_self, self_arg) = receiver(method, self_ty, qualname);
    let mut args = Vec::new();
    let mut binds = Vec::new();
    let mut first_arg = true;
    let not_implemented =
        quote!(return ::std::result::Result::Ok(::pyo3_ft::impl_::pyclass::not_implemented(py)));
    for param in &method.function.params {
        let ty = elide_lifetimes(&param.ty);
        match param.kind {
            ParamKind::Python => args.push(quote!(py)),
            ParamKind::Arg(_) if first_arg => {
                first_arg = false;
                let borrowed = quote! {
                    // SAFETY: CPython passes a live operand.
                    let __other = unsafe { ::pyo3_ft::Borrowed::<::pyo3_ft::types::PyAny>::from_ptr(py, #other) };
                };
                let bind = match &ty {
                    // `other: &Self`, `&Bound<'_, T>`: borrowed from a holder.
                    Type::Reference(reference) if !is_borrowed_text(&ty) => {
                        let target = &reference.elem;
                        quote! {
                            #borrowed
                            let __other_holder = match <#target as ::pyo3_ft::impl_::ArgHolder<'_, '_>>::extract_holder(__other) {
                                ::std::result::Result::Ok(holder) => holder,
                                ::std::result::Result::Err(_) => #not_implemented,
                            };
                            let __other: #ty = &*__other_holder;
                        }
                    }
                    _ => quote! {
                        #borrowed
                        let __other: #ty = match ::pyo3_ft::FromPyObject::extract(__other) {
                            ::std::result::Result::Ok(value) => value,
                            ::std::result::Result::Err(_) => #not_implemented,
                        };
                    },
                };
                binds.push(bind);
                args.push(quote!(__other));
            }
            _ => args.push(extra.clone().unwrap_or_default()),
        }
    }
    let call = call(method, self_ty, self_arg, args);
    let result = match convert {
        Convert::Object => quote!(::pyo3_ft::impl_::IntoPyReturn::into_py_return(#call, py)),
        Convert::InPlace => quote!(::pyo3_ft::impl_::pyclass::in_place_return(#call, &__this)),
    };
    quote! {{
        let __slf = #slf;
        #bind_self
        #(#binds)*
        #result
    }}
}

/// Comparison methods and binary operators of one block, by method index.
#[derive(Default)]
pub struct Operators {
    pub compare: Vec<(&'static str, usize)>,
    pub richcmp: Option<usize>,
    /// Each binary slot: the forward and the reflected method.
    pub binary: std::collections::BTreeMap<&'static str, (Option<usize>, Option<usize>)>,
}

/// `tp_richcompare` from `__richcmp__` or the individual comparisons.
pub fn richcmp_slot(
    ops: &Operators,
    methods: &[MethodModel],
    self_ty: &Type,
    class: &str,
) -> Option<TokenStream> {
    let o = obj();
    let compare_call = |m: &MethodModel, extra: Option<TokenStream>| {
        let qualname = format!("{class}.{}", m.function.python_name);
        let (slf, other) = (quote!(__slf), quote!(__other));
        operator_call(m, self_ty, &qualname, slf, other, extra, Convert::Object)
    };
    let body = if let Some(index) = ops.richcmp {
        let op =
            quote!(::pyo3_ft::types::CompareOp::from_raw(__op)
                .expect("CPython passes a valid comparison"));
        compare_call(&methods[index], Some(op))
    } else if !ops.compare.is_empty() {
        let arms = ops.compare.iter().map(|(op, index)| {
            let call = compare_call(&methods[*index], None);
            let op = format_ident!("{}", op);
            quote!(::std::option::Option::Some(::pyo3_ft::types::CompareOp::#op) => #call,)
        });
        let ne_from_eq = match (
            ops.compare.iter().find(|(op, _)| *op == "Eq"),
            ops.compare.iter().any(|(op, _)| *op == "Ne"),
        ) {
            (Some((_, index)), false) => {
                let call = compare_call(&methods[*index], None);
                quote! {
                    ::std::option::Option::Some(::pyo3_ft::types::CompareOp::Ne) => {
                        let __eq: ::pyo3_ft::PyResult<*mut ::pyo3_ft::runtime::ffi::PyObject> = #call;
                        // SAFETY: `__eq` is an owned reference.
                        ::std::result::Result::Ok(unsafe { ::pyo3_ft::impl_::pyclass::invert_eq(py, __eq?) })
                    }
                }
            }
            _ => quote!(),
        };
        quote! {
            match ::pyo3_ft::types::CompareOp::from_raw(__op) {
                #(#arms)*
                #ne_from_eq
                _ => ::std::result::Result::Ok(::pyo3_ft::impl_::pyclass::not_implemented(py)),
            }
        }
    } else {
        return None;
    };
    let func = slot_fn(
        "richcmp",
        quote!(__slf: #o, __other: #o, __op: ::std::ffi::c_int),
        o,
        body,
    );
    Some(slot_def(
        "Py_tp_richcompare",
        quote!(::pyo3_ft::runtime::ffi::richcmpfunc),
        func,
    ))
}

/// The C parameters and function type of a binary slot, or of the ternary
/// `pow` slots, whose third operand is `__c`.
fn operand_params(ternary: bool, first: TokenStream) -> (TokenStream, TokenStream) {
    let o = obj();
    if ternary {
        (
            quote!(#first: #o, __b: #o, __c: #o),
            quote!(::pyo3_ft::runtime::ffi::ternaryfunc),
        )
    } else {
        (
            quote!(#first: #o, __b: #o),
            quote!(::pyo3_ft::runtime::ffi::binaryfunc),
        )
    }
}

/// `pow()`'s modulo for a method that takes it (`None` when Python passes
/// none); for one that does not, a modulo makes the operator unsupported.
fn modulo(method: &MethodModel) -> (TokenStream, Option<TokenStream>) {
    let args = method
        .function
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Arg(_)))
        .count();
    if args == 2 {
        let extract = quote! {
            // SAFETY: CPython passes a live modulo (`None` when absent).
            ::pyo3_ft::impl_::extract_argument(unsafe { ::pyo3_ft::Borrowed::<::pyo3_ft::types::PyAny>::from_ptr(py, __c) }, "mod")?
        };
        (quote!(), Some(extract))
    } else {
        let check = quote! {
            if __c != ::pyo3_ft::runtime::ffi::Py_None() {
                return ::std::result::Result::Ok(::pyo3_ft::impl_::pyclass::not_implemented(py));
            }
        };
        (check, None)
    }
}

/// One binary operator slot from `__op__` and/or `__rop__`: CPython calls
/// it with the operands in source order, either of which may be ours.
pub fn binary_slot(
    slot: &str,
    forward: Option<&MethodModel>,
    reflected: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> TokenStream {
    let o = obj();
    let ternary = slot == POWER_SLOT;
    let is_ours = |operand: TokenStream| {
        quote! {
            // SAFETY: CPython passes live operands.
            <#self_ty as ::pyo3_ft::type_info::PyTypeInfo>::is_type_of(&*unsafe { ::pyo3_ft::Borrowed::<::pyo3_ft::types::PyAny>::from_ptr(py, #operand) })
        }
    };
    let (a_ours, b_ours) = (is_ours(quote!(__a)), is_ours(quote!(__b)));
    let not_implemented = quote!(::std::result::Result::Ok(
        ::pyo3_ft::impl_::pyclass::not_implemented(py)
    ));
    let operator = |m: &MethodModel, slf: TokenStream, other: TokenStream| {
        let qualname = format!("{class}.{}", m.function.python_name);
        let (check, extra) = if ternary { modulo(m) } else { (quote!(), None) };
        let call = operator_call(m, self_ty, &qualname, slf, other, extra, Convert::Object);
        quote!({ #check #call })
    };
    let reflected_call = match reflected {
        Some(m) => {
            let call = operator(m, quote!(__b), quote!(__a));
            quote!(if #b_ours #call else { #not_implemented })
        }
        None => not_implemented.clone(),
    };
    let body = match forward {
        Some(m) => {
            let call = operator(m, quote!(__a), quote!(__b));
            quote! {
                if #a_ours {
                    let __forward: ::pyo3_ft::PyResult<#o> = #call;
                    let __forward = __forward?;
                    if __forward != ::pyo3_ft::runtime::ffi::Py_NotImplemented() {
                        return ::std::result::Result::Ok(__forward);
                    }
                    // SAFETY: `__forward` is an owned reference to NotImplemented.
                    unsafe { ::pyo3_ft::runtime::ffi::Py_DECREF(__forward) };
                }
                #reflected_call
            }
        }
        None => reflected_call,
    };
    let (params, c_type) = operand_params(ternary, quote!(__a));
    let func = slot_fn("binary", params, o, body);
    slot_def(slot, c_type, func)
}

/// An in-place operator slot (`__iadd__`, ...; `__ipow__` is ternary):
/// the method updates `self` and returns `()`; the slot returns `self`.
pub fn in_place_slot(slot: &str, method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let ternary = slot == IN_PLACE_POWER_SLOT;
    let qualname = format!("{class}.{}", method.function.python_name);
    let (check, extra) = if ternary {
        modulo(method)
    } else {
        (quote!(), None)
    };
    let call = operator_call(
        method,
        self_ty,
        &qualname,
        quote!(__slf),
        quote!(__b),
        extra,
        Convert::InPlace,
    );
    let (params, c_type) = operand_params(ternary, quote!(__slf));
    let func = slot_fn("in_place", params, obj(), quote!(#check #call));
    slot_def(slot, c_type, func)
}
