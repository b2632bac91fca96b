//! `#[pymethods]` expansion: a `PyClassItems` table of methods, properties,
//! class attributes and type slots, found by `#[pyclass]` through
//! `ItemsCollector`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{ItemImpl, Type};

use super::args::{bind_params, extraction, Convention, Extraction};
use super::c_str;
use super::class::slot_def;
use super::function::fastcall_wrapper;
use super::text_signature::{docstring, parameters};
use crate::model::function::{ParamKind, Receiver};
use crate::model::methods::{Dunder, MethodModel, MethodRole, MethodsModel};

/// `PyObject` pointer type, spelled once.
fn obj() -> TokenStream {
    quote!(*mut ::pyo3_ft::runtime::ffi::PyObject)
}

/// Binds `self` for a method of `self_ty` called with `__slf`: code, and
/// the argument to pass as the receiver.
fn receiver(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
) -> (TokenStream, Option<TokenStream>) {
    let this = quote! {
        // SAFETY: CPython passes an instance of this class as `self`.
        let __this = unsafe { ::pyo3_ft::impl_::pyclass::slf::<#self_ty>(py, __slf) };
    };
    match &method.function.receiver {
        Receiver::Shared(_) => (
            quote!(#this let __guard = ::pyo3_ft::impl_::pyclass::borrow_slf(&__this, #qualname)?;),
            Some(quote!(&*__guard)),
        ),
        // Spanned at `&mut self`, so a class without `mutable` gets its error there.
        Receiver::Exclusive(span) => (
            quote_spanned!(*span=> #this let mut __guard = ::pyo3_ft::impl_::pyclass::borrow_slf_mut(&__this, #qualname)?;),
            Some(quote!(&mut *__guard)),
        ),
        Receiver::Typed(ty) if matches!(**ty, Type::Reference(_)) => (this, Some(quote!(&*__this))),
        Receiver::Typed(ty) => (
            quote!(#this let __slf_arg: #ty = ::pyo3_ft::impl_::pyclass::FromSlf::from_slf(&__this, #qualname)?;),
            Some(quote!(__slf_arg)),
        ),
        Receiver::None | Receiver::Unsupported(_) => (quote!(), None),
    }
}

/// `<Type>::method(receiver, args...)`.
fn call(
    method: &MethodModel,
    self_ty: &Type,
    self_arg: Option<TokenStream>,
    args: Vec<TokenStream>,
) -> TokenStream {
    let ident = &method.function.rust_name;
    let args = self_arg.into_iter().chain(args);
    quote!(<#self_ty>::#ident(#(#args),*))
}

/// A slot function: C parameters, return type, body statements ending in
/// a `PyResult` of the C return value, and how to convert the result.
fn slot_fn(name: &str, params: TokenStream, ret: TokenStream, body: TokenStream) -> TokenStream {
    let ident = format_ident!("__{}", name);
    quote!({
        unsafe extern "C" fn #ident(#params) -> #ret {
            // SAFETY: CPython calls type slots with an instance of the class.
            unsafe { ::pyo3_ft::impl_::trampoline(|py| { #body }) }
        }
        #ident
    })
}

/// `__slots` holding the given raw arguments, for `bind_params`.
fn slots_from(args: &[TokenStream]) -> TokenStream {
    let n = args.len();
    quote! {
        #[allow(unused_variables)]
        let __slots: [::std::option::Option<::pyo3_ft::Borrowed<'_, '_, ::pyo3_ft::types::PyAny>>; #n] =
            [#(::std::option::Option::Some(unsafe { ::pyo3_ft::Borrowed::from_ptr(py, #args) })),*];
        #[allow(unused_variables)]
        let __extras = ::pyo3_ft::impl_::args::Extras::none();
    }
}

/// Receiver, arguments from `raw_args`, the call; the result in `__result`.
fn slot_call(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
    raw_args: &[TokenStream],
) -> TokenStream {
    let (bind_self, self_arg) = receiver(method, self_ty, qualname);
    let slots = slots_from(raw_args);
    let (binds, args) = bind_params(&method.function);
    let call = call(method, self_ty, self_arg, args);
    quote! {
        #bind_self
        #slots
        #binds
        let __result = #call;
    }
}

/// The collected pieces of one `#[pymethods]` block.
#[derive(Default)]
struct Items {
    methods: Vec<TokenStream>,
    getsets: BTreeMap<String, (Option<TokenStream>, Option<TokenStream>, String)>,
    slots: Vec<TokenStream>,
    class_attrs: Vec<TokenStream>,
    new_signature: Option<String>,
    new_vectorcall: Option<TokenStream>,
    compare: Vec<(&'static str, usize)>,
    richcmp: Option<usize>,
    binary: BTreeMap<&'static str, (Option<usize>, Option<usize>)>,
    setitem: Option<usize>,
    delitem: Option<usize>,
}

fn method_def(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let f = &method.function;
    let qualname = format!("{class}.{}", f.python_name);
    let (binding, kind, first) = match method.role {
        MethodRole::ClassMethod => (
            // SAFETY: CPython passes the class as `self` of a class method.
            (
                quote!(let __cls = unsafe { ::pyo3_ft::impl_::pyclass::cls(py, __slf) };),
                None,
            ),
            quote!(Class),
            Some("$type"),
        ),
        MethodRole::StaticMethod => ((quote!(), None), quote!(Static), None),
        _ => (
            receiver(method, self_ty, &qualname),
            quote!(Instance),
            Some("$self"),
        ),
    };
    let ident = &f.rust_name;
    let wrapper = fastcall_wrapper(f, &qualname, quote!(<#self_ty>::#ident), binding);
    let name = c_str(&f.python_name);
    let doc = c_str(&docstring(
        &f.python_name,
        &parameters(&f.signature, first),
        &f.doc,
    ));
    quote! {
        ::pyo3_ft::pyclass::MethodDef {
            name: #name,
            meth: { #wrapper __wrap },
            kind: ::pyo3_ft::pyclass::MethodKind::#kind,
            doc: #doc,
        }
    }
}

fn new_slot(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let f = &method.function;
    let Extraction { body, call_args } = extraction(f, class, Convention::TupleDict);
    let call = call(method, self_ty, None, call_args);
    let o = obj();
    slot_def(
        "Py_tp_new",
        quote!(::pyo3_ft::runtime::ffi::newfunc),
        slot_fn(
            "new",
            quote!(__subtype: *mut ::pyo3_ft::runtime::ffi::PyTypeObject, __args: #o, __kwargs: #o),
            o.clone(),
            quote! {
                #body
                let __result = #call;
                ::pyo3_ft::impl_::pyclass::new_object::<#self_ty>(py, __subtype, __result)
            },
        ),
    )
}

/// `#[new]` as the class's vectorcall function.
fn new_vectorcall(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let Extraction { body, call_args } = extraction(&method.function, class, Convention::Fastcall);
    let call = call(method, self_ty, None, call_args);
    let o = obj();
    slot_fn(
        "new_vectorcall",
        quote!(__callable: #o, __args: *const #o, __nargsf: usize, __kwnames: #o),
        o,
        quote! {
            let __nargs = ::pyo3_ft::runtime::ffi::PyVectorcall_NARGS(__nargsf);
            #body
            let __result = #call;
            ::pyo3_ft::impl_::pyclass::new_object::<#self_ty>(py, __callable.cast(), __result)
        },
    )
}

fn getter(method: &MethodModel, self_ty: &Type, qualname: &str) -> TokenStream {
    let o = obj();
    let body = slot_call(method, self_ty, qualname, &[]);
    slot_fn(
        "get",
        quote!(__slf: #o, _closure: *mut ::std::ffi::c_void),
        o,
        quote!(#body ::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py)),
    )
}

fn setter(method: &MethodModel, self_ty: &Type, qualname: &str) -> TokenStream {
    let o = obj();
    let body = slot_call(method, self_ty, qualname, &[quote!(__value)]);
    slot_fn(
        "set",
        quote!(__slf: #o, __value: #o, _closure: *mut ::std::ffi::c_void),
        quote!(::std::ffi::c_int),
        quote! {
            if __value.is_null() {
                return ::std::result::Result::Err(::pyo3_ft::exceptions::PyAttributeError::new_err(
                    concat!("cannot delete attribute ", #qualname)));
            }
            #body
            ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result)
        },
    )
}

fn class_attr(method: &MethodModel, self_ty: &Type, name: &str) -> TokenStream {
    let (binds, args) = bind_params(&method.function);
    let call = call(method, self_ty, None, args);
    quote! {
        ::pyo3_ft::pyclass::ClassAttrDef {
            name: #name,
            make: |ty| {
                let py = ty.py();
                #binds
                let __result = #call;
                let __object = ::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py)?;
                // SAFETY: `into_py_return` returns an owned reference.
                ::std::result::Result::Ok(unsafe { ::pyo3_ft::Bound::from_owned_ptr(py, __object) })
            },
        }
    }
}

/// The C shape of a simple slot: its parameters, the raw arguments passed
/// to the Rust method, the C return type, and how `__result` converts.
struct Shape {
    c_type: TokenStream,
    params: TokenStream,
    raw: Vec<TokenStream>,
    ret: TokenStream,
    convert: TokenStream,
}

fn shape(dunder: Dunder) -> Option<Shape> {
    let o = obj();
    let ffi = quote!(::pyo3_ft::runtime::ffi);
    let int = quote!(::std::ffi::c_int);
    let unary = |convert: TokenStream, c_type: TokenStream, ret: TokenStream| Shape {
        c_type,
        params: quote!(__slf: #o),
        raw: vec![],
        ret,
        convert,
    };
    let into_object = quote!(::pyo3_ft::impl_::IntoPyReturn::into_py_return(__result, py));
    Some(match dunder {
        Dunder::Unary(_) => unary(into_object, quote!(#ffi::unaryfunc), o.clone()),
        Dunder::Next => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoIterNext::into_iter_next(
                __result, py
            )),
            quote!(#ffi::iternextfunc),
            o.clone(),
        ),
        Dunder::Hash => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoPyHash::into_py_hash(
                __result
            )),
            quote!(#ffi::hashfunc),
            quote!(#ffi::Py_hash_t),
        ),
        Dunder::Bool => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoPyBool::into_py_bool(
                __result
            )),
            quote!(#ffi::inquiry),
            int.clone(),
        ),
        Dunder::Clear => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result)),
            quote!(#ffi::inquiry),
            int.clone(),
        ),
        Dunder::Len => unary(
            quote!(::pyo3_ft::impl_::pyclass::IntoPyLen::into_py_len(__result)),
            quote!(#ffi::lenfunc),
            quote!(#ffi::Py_ssize_t),
        ),
        Dunder::GetItem => Shape {
            c_type: quote!(#ffi::binaryfunc),
            params: quote!(__slf: #o, __arg: #o),
            raw: vec![quote!(__arg)],
            ret: o.clone(),
            convert: into_object,
        },
        Dunder::Contains => Shape {
            c_type: quote!(#ffi::objobjproc),
            params: quote!(__slf: #o, __arg: #o),
            raw: vec![quote!(__arg)],
            ret: int,
            convert: quote!(::pyo3_ft::impl_::pyclass::IntoPyBool::into_py_bool(
                __result
            )),
        },
        _ => return None,
    })
}

/// The slot names a simple dunder fills.
fn slot_names(dunder: Dunder) -> &'static [&'static str] {
    match dunder {
        Dunder::Unary(slot) => match slot {
            "Py_tp_repr" => &["Py_tp_repr"],
            "Py_tp_str" => &["Py_tp_str"],
            "Py_tp_iter" => &["Py_tp_iter"],
            "Py_nb_negative" => &["Py_nb_negative"],
            "Py_nb_positive" => &["Py_nb_positive"],
            "Py_nb_absolute" => &["Py_nb_absolute"],
            "Py_nb_invert" => &["Py_nb_invert"],
            "Py_nb_int" => &["Py_nb_int"],
            "Py_nb_float" => &["Py_nb_float"],
            _ => &["Py_nb_index"],
        },
        Dunder::Next => &["Py_tp_iternext"],
        Dunder::Hash => &["Py_tp_hash"],
        Dunder::Bool => &["Py_nb_bool"],
        Dunder::Clear => &["Py_tp_clear"],
        Dunder::Len => &["Py_mp_length", "Py_sq_length"],
        Dunder::GetItem => &["Py_mp_subscript"],
        Dunder::Contains => &["Py_sq_contains"],
        _ => &[],
    }
}

fn simple_slot(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
    dunder: Dunder,
) -> Option<Vec<TokenStream>> {
    let Shape {
        c_type,
        params,
        raw,
        ret,
        convert,
    } = shape(dunder)?;
    let body = slot_call(method, self_ty, qualname, &raw);
    let func = slot_fn("slot", params, ret, quote!(#body #convert));
    Some(
        slot_names(dunder)
            .iter()
            .map(|slot| slot_def(slot, c_type.clone(), func.clone()))
            .collect(),
    )
}

/// Extraction of the one "other" argument of an operator: a value that
/// does not convert makes the operator return `NotImplemented`.
fn operator_call(
    method: &MethodModel,
    self_ty: &Type,
    qualname: &str,
    slf: TokenStream,
    other: TokenStream,
    extra: Option<TokenStream>,
) -> TokenStream {
    let (bind_self, self_arg) = receiver(method, self_ty, qualname);
    let mut args = Vec::new();
    let mut binds = Vec::new();
    let mut first_arg = true;
    for param in &method.function.params {
        let ty = &param.ty;
        match param.kind {
            ParamKind::Python => args.push(quote!(py)),
            ParamKind::Arg(_) if first_arg => {
                first_arg = false;
                binds.push(quote! {
                    // SAFETY: CPython passes a live operand.
                    let __other = unsafe { ::pyo3_ft::Borrowed::<::pyo3_ft::types::PyAny>::from_ptr(py, #other) };
                    let __other: #ty = match ::pyo3_ft::FromPyObject::extract(__other) {
                        ::std::result::Result::Ok(value) => value,
                        ::std::result::Result::Err(_) => return ::std::result::Result::Ok(::pyo3_ft::impl_::pyclass::not_implemented(py)),
                    };
                });
                args.push(quote!(__other));
            }
            _ => args.push(extra.clone().unwrap_or_default()),
        }
    }
    let call = call(method, self_ty, self_arg, args);
    quote! {{
        let __slf = #slf;
        #bind_self
        #(#binds)*
        ::pyo3_ft::impl_::IntoPyReturn::into_py_return(#call, py)
    }}
}

/// `tp_richcompare` from `__richcmp__` or the individual comparisons.
fn richcmp_slot(
    items: &Items,
    methods: &[MethodModel],
    self_ty: &Type,
    class: &str,
) -> Option<TokenStream> {
    let o = obj();
    let body = if let Some(index) = items.richcmp {
        let m = &methods[index];
        let op =
            quote!(::pyo3_ft::types::CompareOp::from_raw(__op)
                .expect("CPython passes a valid comparison"));
        operator_call(
            m,
            self_ty,
            &format!("{class}.__richcmp__"),
            quote!(__slf),
            quote!(__other),
            Some(op),
        )
    } else if !items.compare.is_empty() {
        let arms = items.compare.iter().map(|(op, index)| {
            let m = &methods[*index];
            let op = format_ident!("{}", op);
            let call = operator_call(
                m,
                self_ty,
                &format!("{class}.{}", m.function.python_name),
                quote!(__slf),
                quote!(__other),
                None,
            );
            quote!(::std::option::Option::Some(::pyo3_ft::types::CompareOp::#op) => #call,)
        });
        let ne_from_eq = match (
            items.compare.iter().find(|(op, _)| *op == "Eq"),
            items.compare.iter().any(|(op, _)| *op == "Ne"),
        ) {
            (Some((_, index)), false) => {
                let m = &methods[*index];
                let call = operator_call(
                    m,
                    self_ty,
                    &format!("{class}.__eq__"),
                    quote!(__slf),
                    quote!(__other),
                    None,
                );
                quote! {
                    ::std::option::Option::Some(::pyo3_ft::types::CompareOp::Ne) => {
                        let __eq: ::pyo3_ft::PyResult<*mut ::pyo3_ft::runtime::ffi::PyObject> = #call;
                        ::std::result::Result::Ok(::pyo3_ft::impl_::pyclass::invert_eq(py, __eq?))
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

/// One binary operator slot from `__op__` and/or `__rop__`: CPython calls
/// it with the operands in source order, either of which may be ours.
fn binary_slot(
    slot: &str,
    forward: Option<&MethodModel>,
    reflected: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> TokenStream {
    let o = obj();
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
    let qual = |m: &MethodModel| format!("{class}.{}", m.function.python_name);
    let reflected_call = match reflected {
        Some(m) => {
            let call = operator_call(m, self_ty, &qual(m), quote!(__b), quote!(__a), None);
            quote!(if #b_ours { #call } else { #not_implemented })
        }
        None => not_implemented.clone(),
    };
    let body = match forward {
        Some(m) => {
            let call = operator_call(m, self_ty, &qual(m), quote!(__a), quote!(__b), None);
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
    let func = slot_fn("binary", quote!(__a: #o, __b: #o), o, body);
    slot_def(slot, quote!(::pyo3_ft::runtime::ffi::binaryfunc), func)
}

/// `mp_ass_subscript` from `__setitem__` and/or `__delitem__`.
fn ass_subscript_slot(
    set: Option<&MethodModel>,
    del: Option<&MethodModel>,
    self_ty: &Type,
    class: &str,
) -> TokenStream {
    let unsupported = |what: &str| {
        let message = format!("'{class}' object does not support item {what}");
        quote!(::std::result::Result::Err(::pyo3_ft::exceptions::PyTypeError::new_err(#message)))
    };
    let branch = |m: Option<&MethodModel>, raw: &[TokenStream], what: &str| match m {
        Some(m) => {
            let body = slot_call(
                m,
                self_ty,
                &format!("{class}.{}", m.function.python_name),
                raw,
            );
            quote!({ #body ::pyo3_ft::impl_::pyclass::IntoUnit::into_unit(__result) })
        }
        None => unsupported(what),
    };
    let set_branch = branch(set, &[quote!(__key), quote!(__value)], "assignment");
    let del_branch = branch(del, &[quote!(__key)], "deletion");
    let o = obj();
    let func = slot_fn(
        "ass_subscript",
        quote!(__slf: #o, __key: #o, __value: #o),
        quote!(::std::ffi::c_int),
        quote!(if __value.is_null() #del_branch else #set_branch),
    );
    slot_def(
        "Py_mp_ass_subscript",
        quote!(::pyo3_ft::runtime::ffi::objobjargproc),
        func,
    )
}

/// `tp_call` from `__call__(self, ...)`, with full argument parsing.
fn call_slot(method: &MethodModel, self_ty: &Type, class: &str) -> TokenStream {
    let qualname = format!("{class}.__call__");
    let (bind_self, self_arg) = receiver(method, self_ty, &qualname);
    let Extraction { body, call_args } =
        extraction(&method.function, &qualname, Convention::TupleDict);
    let call = call(method, self_ty, self_arg, call_args);
    let o = obj();
    let func = slot_fn(
        "call",
        quote!(__slf: #o, __args: #o, __kwargs: #o),
        o,
        quote!(#bind_self #body ::pyo3_ft::impl_::IntoPyReturn::into_py_return(#call, py)),
    );
    slot_def(
        "Py_tp_call",
        quote!(::pyo3_ft::runtime::ffi::ternaryfunc),
        func,
    )
}

/// `tp_traverse` from `__traverse__(&self, visit: PyVisit<'_>)`.
fn traverse_slot(method: &MethodModel, self_ty: &Type) -> TokenStream {
    let ident = &method.function.rust_name;
    let o = obj();
    quote!({
        unsafe extern "C" fn __traverse(
            __slf: #o,
            __visit: ::pyo3_ft::runtime::ffi::visitproc,
            __arg: *mut ::std::ffi::c_void,
        ) -> ::std::ffi::c_int {
            // SAFETY: the collector calls it with an instance of the class.
            unsafe { ::pyo3_ft::impl_::pyclass::traverse::<#self_ty>(__slf, __visit, __arg, <#self_ty>::#ident) }
        }
        __traverse
    })
}

/// Sorts each method of the block into `items`.
fn collect(model: &MethodsModel) -> Items {
    let self_ty = &model.self_ty;
    let class = &model.class_name;
    let mut items = Items::default();
    for (index, method) in model.methods.iter().enumerate() {
        let qualname = format!("{class}.{}", method.function.python_name);
        match &method.role {
            MethodRole::Instance | MethodRole::ClassMethod | MethodRole::StaticMethod => {
                items.methods.push(method_def(method, self_ty, class));
            }
            MethodRole::New => {
                items.new_signature = Some(parameters(&method.function.signature, None));
                items.slots.push(new_slot(method, self_ty, class));
                items.new_vectorcall = Some(new_vectorcall(method, self_ty, class));
            }
            MethodRole::Getter(name) => {
                let entry = items.getsets.entry(name.clone()).or_default();
                entry.0 = Some(getter(method, self_ty, &format!("{class}.{name}")));
                entry.2 = method.function.doc.clone();
            }
            MethodRole::Setter(name) => {
                items.getsets.entry(name.clone()).or_default().1 =
                    Some(setter(method, self_ty, &format!("{class}.{name}")));
            }
            MethodRole::ClassAttr(name) => {
                items.class_attrs.push(class_attr(method, self_ty, name))
            }
            MethodRole::Slot(dunder) => match dunder {
                Dunder::RichCmp => items.richcmp = Some(index),
                Dunder::Compare(op) => items.compare.push((op, index)),
                Dunder::Binary(slot, reflected) => {
                    let entry = items.binary.entry(slot).or_default();
                    if *reflected {
                        entry.1 = Some(index);
                    } else {
                        entry.0 = Some(index);
                    }
                }
                Dunder::SetItem => items.setitem = Some(index),
                Dunder::DelItem => items.delitem = Some(index),
                Dunder::Call => items.slots.push(call_slot(method, self_ty, class)),
                Dunder::Traverse => {
                    items.slots.push(slot_def(
                        "Py_tp_traverse",
                        quote!(::pyo3_ft::runtime::ffi::traverseproc),
                        traverse_slot(method, self_ty),
                    ));
                }
                simple => items
                    .slots
                    .extend(simple_slot(method, self_ty, &qualname, *simple).unwrap_or_default()),
            },
        }
    }
    items
}

pub fn expand(model: &MethodsModel, item: &ItemImpl) -> TokenStream {
    let self_ty = &model.self_ty;
    let class = &model.class_name;
    let mut items = collect(model);
    let at = |index: Option<usize>| index.map(|i| &model.methods[i]);
    if let Some(slot) = richcmp_slot(&items, &model.methods, self_ty, class) {
        items.slots.push(slot);
    }
    for (slot, (forward, reflected)) in &items.binary {
        let slot = binary_slot(slot, at(*forward), at(*reflected), self_ty, class);
        items.slots.push(slot);
    }
    if items.setitem.is_some() || items.delitem.is_some() {
        items.slots.push(ass_subscript_slot(
            at(items.setitem),
            at(items.delitem),
            self_ty,
            class,
        ));
    }
    let getsets = items.getsets.iter().map(|(name, (get, set, doc))| {
        let none = quote!(::std::option::Option::None);
        let get = get
            .as_ref()
            .map_or(none.clone(), |g| quote!(::std::option::Option::Some(#g)));
        let set = set
            .as_ref()
            .map_or(none, |s| quote!(::std::option::Option::Some(#s)));
        let (name, doc) = (c_str(name), c_str(doc));
        quote!(::pyo3_ft::pyclass::GetSetDef { name: #name, get: #get, set: #set, doc: #doc })
    });
    let Items {
        methods,
        slots,
        class_attrs,
        new_signature,
        new_vectorcall,
        ..
    } = &items;
    let new_vectorcall = match new_vectorcall {
        Some(f) => quote!(::std::option::Option::Some(#f)),
        None => quote!(::std::option::Option::None),
    };
    let new_signature = match new_signature {
        Some(sig) => quote!(::std::option::Option::Some(#sig)),
        None => quote!(::std::option::Option::None),
    };
    quote! {
        #item

        impl ::pyo3_ft::pyclass::PyMethodsItems<#self_ty> for ::pyo3_ft::pyclass::ItemsCollector<#self_ty> {
            fn methods_items(self) -> &'static ::pyo3_ft::pyclass::PyClassItems {
                static __ITEMS: ::pyo3_ft::pyclass::PyClassItems = ::pyo3_ft::pyclass::PyClassItems {
                    methods: &[#(#methods),*],
                    getsets: &[#(#getsets),*],
                    slots: &[#(#slots),*],
                    class_attrs: &[#(#class_attrs),*],
                    new_text_signature: #new_signature,
                    new_vectorcall: #new_vectorcall,
                };
                &__ITEMS
            }
        }
    }
}
