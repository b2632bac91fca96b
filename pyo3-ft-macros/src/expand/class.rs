//! `#[pyclass]` expansion: the type's `PyTypeInfo` and `PyClass` impls,
//! field properties, derived comparison and hashing, enum variants.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Item;

use super::c_str;
use crate::model::class::{ClassKind, ClassModel, FieldModel, Storage, StrOption};

/// Per-field `Send + Sync` checks, spanned at each field's type.
fn field_checks(model: &ClassModel) -> TokenStream {
    let ClassKind::Struct { field_types, .. } = &model.kind else {
        return quote!();
    };
    if matches!(model.storage, Storage::Unsendable) {
        return quote!();
    }
    let checks = field_types.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            ::pyo3_ft::impl_::pyclass::assert_shareable_field::<#ty>();
        }
    });
    quote! {
        const _: () = {
            #(#checks)*
        };
    }
}

fn field_getset(model: &ClassModel, field: &FieldModel) -> TokenStream {
    let ident = &model.ident;
    let member = &field.member;
    let ty = &field.ty;
    let qualname = format!("{}.{}", model.python_name, field.python_name);
    let getter = match field.get {
        Some(span) => quote_spanned! {span=>
            ::std::option::Option::Some({
                unsafe extern "C" fn __get(
                    slf: *mut ::pyo3_ft::runtime::ffi::PyObject,
                    _closure: *mut ::std::ffi::c_void,
                ) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                    // SAFETY: CPython calls getters of this class with an instance.
                    unsafe { ::pyo3_ft::impl_::pyclass::get_field::<#ident, #ty>(slf, #qualname, |v| ::std::clone::Clone::clone(&v.#member)) }
                }
                __get
            })
        },
        None => quote!(::std::option::Option::None),
    };
    let setter = match field.set {
        Some(span) => quote_spanned! {span=>
            ::std::option::Option::Some({
                unsafe extern "C" fn __set(
                    slf: *mut ::pyo3_ft::runtime::ffi::PyObject,
                    value: *mut ::pyo3_ft::runtime::ffi::PyObject,
                    _closure: *mut ::std::ffi::c_void,
                ) -> ::std::ffi::c_int {
                    // SAFETY: CPython calls setters of this class with an instance.
                    unsafe { ::pyo3_ft::impl_::pyclass::set_field::<#ident, #ty>(slf, value, #qualname, |v, x| v.#member = x) }
                }
                __set
            })
        },
        None => quote!(::std::option::Option::None),
    };
    let name = c_str(&field.python_name);
    let doc = c_str(&field.doc);
    quote! {
        ::pyo3_ft::pyclass::GetSetDef { name: #name, get: #getter, set: #setter, doc: #doc }
    }
}

/// A slot entry whose function is `func` of C type `ty`.
pub fn slot_def(slot: &str, ty: TokenStream, func: TokenStream) -> TokenStream {
    let slot = syn::Ident::new(slot, proc_macro2::Span::call_site());
    quote! {
        ::pyo3_ft::pyclass::SlotDef {
            slot: ::pyo3_ft::runtime::ffi::#slot,
            // SAFETY: CPython calls the slot with the signature of `#ty`.
            func: unsafe { ::std::mem::transmute::<#ty, unsafe extern "C" fn()>(#func) },
        }
    }
}

/// `eq` / `ord` / `hash` from the Rust trait impls.
fn derived_slots(model: &ClassModel) -> Vec<TokenStream> {
    let ident = &model.ident;
    let mut slots = Vec::new();
    // `eq_int` has its own comparison (see `enums`).
    if (model.eq.is_some() || model.ord.is_some()) && model.eq_int.is_none() {
        let compare = if model.ord.is_some() {
            quote!(::pyo3_ft::impl_::pyclass::compare_ord::<#ident>)
        } else {
            quote!(::pyo3_ft::impl_::pyclass::compare_eq::<#ident>)
        };
        slots.push(richcmp_slot(quote!(
            ::pyo3_ft::impl_::pyclass::derived_richcmp::<#ident>(py, slf, other, op, #compare)
        )));
    }
    if model.hash.is_some() {
        slots.push(slot_def(
            "Py_tp_hash",
            quote!(::pyo3_ft::runtime::ffi::hashfunc),
            quote!({
                unsafe extern "C" fn __hash(slf: *mut ::pyo3_ft::runtime::ffi::PyObject) -> ::pyo3_ft::runtime::ffi::Py_hash_t {
                    // SAFETY: CPython calls it with an instance of the class.
                    unsafe { ::pyo3_ft::impl_::trampoline(|py| ::pyo3_ft::impl_::pyclass::derived_hash::<#ident>(py, slf)) }
                }
                __hash
            }),
        ));
    }
    slots
}

/// `__str__` from `Display` (`str`) or a format string over the fields
/// (`str = "..."`).
fn str_slot(model: &ClassModel) -> Option<TokenStream> {
    let ident = &model.ident;
    let text = match (model.str.as_ref()?, &model.kind) {
        (StrOption::Display(span), _) => {
            quote_spanned!(*span=> ::std::string::ToString::to_string(&*value))
        }
        (StrOption::Format(format), ClassKind::Struct { field_names, .. }) => quote! {{
            #[allow(unused_variables)]
            let #ident { #(#field_names,)* .. } = &*value;
            ::std::format!(#format)
        }},
        (StrOption::Format(_), ClassKind::Enum { .. }) => unreachable!("rejected by validate"),
    };
    Some(slot_def(
        "Py_tp_str",
        quote!(::pyo3_ft::runtime::ffi::reprfunc),
        quote!({
            unsafe extern "C" fn __str(slf: *mut ::pyo3_ft::runtime::ffi::PyObject) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                // SAFETY: CPython calls it with an instance of the class.
                unsafe {
                    ::pyo3_ft::impl_::trampoline(|py| {
                        let this = ::pyo3_ft::impl_::pyclass::slf::<#ident>(py, slf);
                        let value = ::pyo3_ft::impl_::pyclass::borrow_slf(&this, "__str__")?;
                        let text: ::std::string::String = #text;
                        ::pyo3_ft::impl_::IntoPyReturn::into_py_return(text, py)
                    })
                }
            }
            __str
        }),
    ))
}

/// `FromPyObject` by cloning the value (`from_py_object`).
fn from_py_object(model: &ClassModel) -> TokenStream {
    if !model.from_py_object {
        return quote!();
    }
    let ident = &model.ident;
    quote! {
        impl<'a, 'py> ::pyo3_ft::FromPyObject<'a, 'py> for #ident
        where
            #ident: ::std::clone::Clone,
        {
            const INPUT_TYPE: ::pyo3_ft::stubs::TypeHint = <#ident as ::pyo3_ft::type_info::PyTypeInfo>::TYPE_HINT;

            fn extract(object: ::pyo3_ft::Borrowed<'a, 'py, ::pyo3_ft::types::PyAny>) -> ::pyo3_ft::PyResult<Self> {
                let value = object.downcast::<#ident>()?;
                let borrowed = ::pyo3_ft::impl_::pyclass::borrow_slf(&value, "")?;
                ::std::result::Result::Ok(::std::clone::Clone::clone(&*borrowed))
            }
        }
    }
}

fn storage_type(model: &ClassModel) -> TokenStream {
    match model.storage {
        Storage::Frozen => quote!(::pyo3_ft::pyclass::Frozen<Self>),
        Storage::Mutable => quote!(::pyo3_ft::pyclass::Mutable<Self>),
        Storage::Unsendable => quote!(::pyo3_ft::pyclass::Unsendable<Self>),
    }
}

/// `PyClassBaseType` for a class that others may extend.
fn base_impl(model: &ClassModel) -> TokenStream {
    if !model.subclass {
        return quote!();
    }
    let ident = &model.ident;
    quote! {
        // SAFETY: instances of this class have the layout `PyClassObject<Self>`.
        unsafe impl ::pyo3_ft::pyclass::PyClassBaseType for #ident {
            type Layout = ::pyo3_ft::pyclass::PyClassObject<Self>;
            type Initializer = ::pyo3_ft::pyclass::PyClassInitializer<Self>;

            unsafe fn drop_contents(object: *mut ::pyo3_ft::runtime::ffi::PyObject) {
                // SAFETY: forwarded from the caller.
                unsafe { ::pyo3_ft::pyclass::PyClassObject::<Self>::drop_contents(object) }
            }

            fn base_type_object(py: ::pyo3_ft::Python<'_>) -> ::pyo3_ft::PyResult<::std::option::Option<::pyo3_ft::Bound<'_, ::pyo3_ft::types::PyType>>> {
                let ty = <Self as ::pyo3_ft::pyclass::PyClass>::lazy_type_object().get_or_try_init(py)?;
                ::std::result::Result::Ok(::std::option::Option::Some(::std::clone::Clone::clone(ty)))
            }

            unsafe fn allocate(
                py: ::pyo3_ft::Python<'_>,
                subtype: *mut ::pyo3_ft::runtime::ffi::PyTypeObject,
            ) -> ::pyo3_ft::PyResult<*mut ::pyo3_ft::runtime::ffi::PyObject> {
                // SAFETY: forwarded from the caller; this class's instances
                // are allocated as its base's.
                unsafe { <<Self as ::pyo3_ft::pyclass::PyClass>::BaseType as ::pyo3_ft::pyclass::PyClassBaseType>::allocate(py, subtype) }
            }

            unsafe fn deallocate(object: *mut ::pyo3_ft::runtime::ffi::PyObject) {
                // SAFETY: forwarded from the caller.
                unsafe { <<Self as ::pyo3_ft::pyclass::PyClass>::BaseType as ::pyo3_ft::pyclass::PyClassBaseType>::deallocate(object) }
            }
        }
    }
}

pub fn expand(model: &ClassModel, item: &Item) -> TokenStream {
    let ident = &model.ident;
    let python_name = &model.python_name;
    let module = match &model.module {
        Some(module) => quote!(::std::option::Option::Some(#module)),
        None => quote!(::std::option::Option::None),
    };
    let doc = c_str(&model.doc);
    // A complex enum's variants are subclasses.
    let complex = matches!(model.kind, ClassKind::Enum { complex: true, .. });
    let (subclass, dict, weakref) = (model.subclass || complex, model.dict, model.weakref);
    let storage = storage_type(model);
    let base = match &model.extends {
        Some(path) => quote!(#path),
        None => quote!(::pyo3_ft::types::PyAny),
    };
    let getsets = model.fields.iter().map(|f| field_getset(model, f));
    let super::enums::EnumParts {
        class_attrs: enum_attrs,
        slots: mut extra_slots,
        items: enum_items,
        instance_type,
    } = super::enums::expand(model);
    extra_slots.extend(derived_slots(model));
    extra_slots.extend(str_slot(model));
    let from_py_object = from_py_object(model);
    let (sequence, mapping) = (model.sequence, model.mapping);
    let checks = field_checks(model);
    let base_impl = base_impl(model);
    let stub = class_stub(model);
    // A class with a Rust base needs its base's value too: it is created
    // from `(Self, Base)` or an initializer, not converted from `Self`.
    let into_pyobject = match model.extends {
        Some(_) => quote!(),
        None => quote! {
            impl<'py> ::pyo3_ft::IntoPyObject<'py> for #ident {
                const OUTPUT_TYPE: ::pyo3_ft::stubs::TypeHint = <#ident as ::pyo3_ft::type_info::PyTypeInfo>::TYPE_HINT;

                fn into_pyobject(self, py: ::pyo3_ft::Python<'py>) -> ::pyo3_ft::PyResult<::pyo3_ft::Bound<'py, ::pyo3_ft::types::PyAny>> {
                    ::std::result::Result::Ok(::pyo3_ft::Bound::new(py, self)?.into_any())
                }
            }
        },
    };
    quote! {
        #item

        #checks

        // SAFETY: the type object is this class's, created from its spec.
        unsafe impl ::pyo3_ft::type_info::PyTypeInfo for #ident {
            const NAME: &'static str = #python_name;
            const TYPE_HINT: ::pyo3_ft::stubs::TypeHint = ::pyo3_ft::stubs::TypeHint::Class(#python_name);

            #[inline]
            fn type_object_raw(py: ::pyo3_ft::Python<'_>) -> *mut ::pyo3_ft::runtime::ffi::PyTypeObject {
                ::pyo3_ft::impl_::pyclass::type_object_raw::<Self>(py)
            }
        }

        impl ::pyo3_ft::type_info::DerefToPyAny for #ident {}

        impl ::pyo3_ft::pyclass::PyClass for #ident {
            type Storage = #storage;
            type BaseType = #base;

            fn info() -> &'static ::pyo3_ft::pyclass::ClassInfo {
                fn __items() -> &'static ::pyo3_ft::pyclass::PyClassItems {
                    static __ITEMS: ::pyo3_ft::pyclass::ClassItems = ::pyo3_ft::pyclass::ClassItems::new();
                    __ITEMS.get::<#ident>()
                }
                static __INFO: ::pyo3_ft::pyclass::ClassInfo = ::pyo3_ft::pyclass::ClassInfo {
                    name: #python_name,
                    module: #module,
                    doc: #doc,
                    subclass: #subclass,
                    dict: #dict,
                    weakref: #weakref,
                    sequence: #sequence,
                    mapping: #mapping,
                    basicsize: ::std::mem::size_of::<::pyo3_ft::pyclass::PyClassObject<#ident>>(),
                    dealloc: ::pyo3_ft::pyclass::tp_dealloc::<#ident>,
                    field_getsets: &[#(#getsets),*],
                    extra_slots: &[#(#extra_slots),*],
                    extra_class_attrs: &[#(#enum_attrs),*],
                    items: __items,
                };
                &__INFO
            }

            #instance_type

            fn lazy_type_object() -> &'static ::pyo3_ft::pyclass::LazyTypeObject<Self> {
                static __TYPE: ::pyo3_ft::pyclass::LazyTypeObject<#ident> = ::pyo3_ft::pyclass::LazyTypeObject::new();
                &__TYPE
            }
        }

        impl #ident {
            #[doc(hidden)]
            pub fn __pyo3_ft_add_to_module(module: &::pyo3_ft::Bound<'_, ::pyo3_ft::types::PyModule>) -> ::pyo3_ft::PyResult<()> {
                module.add_class::<Self>()
            }
        }

        #into_pyobject

        #enum_items

        #from_py_object

        #base_impl

        #stub
    }
}

/// The class's `ClassStub`: its base, exposed fields, enum variants and
/// derived methods.
fn class_stub(model: &ClassModel) -> TokenStream {
    use super::stubs::{derived_method, input_hint, named, output_hint};
    let ident = &model.ident;
    let hint = super::stubs::hint_path();
    let this = quote!(<#ident as ::pyo3_ft::type_info::PyTypeInfo>::TYPE_HINT);
    let mut members = Vec::new();
    for field in &model.fields {
        if field.get.is_some() {
            members.push(named(
                quote!(Getter),
                &field.python_name,
                output_hint(&field.ty),
            ));
        }
        if field.set.is_some() {
            members.push(named(
                quote!(Setter),
                &field.python_name,
                input_hint(&field.ty, false),
            ));
        }
    }
    if let ClassKind::Enum { variants, complex } = &model.kind {
        for variant in variants {
            let variant_hint = match *complex {
                true => quote!(#hint::Subscript("type", &[#this])),
                false => this.clone(),
            };
            members.push(named(quote!(ClassAttr), &variant.python_name, variant_hint));
        }
        if !complex {
            members.push(derived_method("__int__", None, quote!(#hint::Name("int"))));
        }
    }
    let bool_hint = quote!(#hint::Name("bool"));
    if model.eq.is_some() || model.eq_int.is_some() {
        for name in ["__eq__", "__ne__"] {
            members.push(derived_method(
                name,
                Some(quote!(#hint::Name("object"))),
                bool_hint.clone(),
            ));
        }
    }
    if model.ord.is_some() {
        for name in ["__lt__", "__le__", "__gt__", "__ge__"] {
            members.push(derived_method(name, Some(this.clone()), bool_hint.clone()));
        }
    }
    if model.hash.is_some() {
        members.push(derived_method("__hash__", None, quote!(#hint::Name("int"))));
    }
    let base = match &model.extends {
        Some(path) => {
            quote!(::std::option::Option::Some(<#path as ::pyo3_ft::type_info::PyTypeInfo>::TYPE_HINT))
        }
        None => quote!(::std::option::Option::None),
    };
    quote! {
        ::pyo3_ft::inventory::submit! {
            ::pyo3_ft::impl_::stubs::ClassStub::new::<#ident>(#base, &[#(#members),*])
        }
    }
}

/// The `Py_tp_richcompare` slot running `body` (an expression of `py`,
/// `slf`, `other` and `op` giving a `PyResult` of the result pointer).
pub(super) fn richcmp_slot(body: TokenStream) -> TokenStream {
    slot_def(
        "Py_tp_richcompare",
        quote!(::pyo3_ft::runtime::ffi::richcmpfunc),
        quote!({
            unsafe extern "C" fn __richcmp(
                slf: *mut ::pyo3_ft::runtime::ffi::PyObject,
                other: *mut ::pyo3_ft::runtime::ffi::PyObject,
                op: ::std::ffi::c_int,
            ) -> *mut ::pyo3_ft::runtime::ffi::PyObject {
                // SAFETY: CPython calls it with an instance of the class.
                unsafe { ::pyo3_ft::impl_::trampoline(|py| #body) }
            }
            __richcmp
        }),
    )
}
