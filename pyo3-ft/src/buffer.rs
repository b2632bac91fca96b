//! The buffer protocol: read and write the memory of `bytes`, `bytearray`,
//! `array.array`, `memoryview`, NumPy arrays and any other exporter
//! ([`PyBuffer`]), and export a class's own memory with `__getbuffer__` in
//! `#[pymethods]` ([`ExportSlice`] for the safe form, [`export_bytes`] for
//! PyO3's raw form).
//!
//! # What is guaranteed when other threads use the same memory
//!
//! A buffer is shared memory. On free-threaded Python, other threads write
//! NumPy arrays and `bytearray`s while this one reads them, with no lock; on
//! a GIL build, a [`PyBuffer`] is read without attaching, so the same holds.
//! pyo3-ft therefore never creates a `&T`, `&[T]` or `&mut [T]` to buffer
//! memory (which would promise that nothing else changes it), and reads and
//! writes elements as follows:
//!
//! - Every element access from Rust ([`ReadOnlyCell::get`],
//!   [`SharedCell::set`], [`PyBuffer::to_vec`], [`PyBuffer::copy_to_slice`],
//!   [`PyBuffer::copy_from_slice`], ...) is a *relaxed atomic* load or store
//!   of the whole element. [`PyBuffer::get`] refuses a buffer whose elements
//!   are not aligned for that (`BufferError`), so every access is aligned.
//! - Among Rust threads, this is free of data races: any number of threads
//!   may read and write one buffer through `PyBuffer`s (one shared handle,
//!   or one each) at once. Each element read returns a value some thread
//!   wrote, whole; nothing orders accesses to *different* elements, so
//!   synchronize (join the threads, a `Barrier`, a lock) before relying on
//!   what other threads wrote. (This holds for one item type: writing
//!   memory as `f64` while another thread reads it as `u8`, through a
//!   `memoryview.cast`, is a mixed-size race, as it would be in C.)
//! - Python code and C extensions (NumPy) write with plain stores. A Rust
//!   access that races with one is outside any language's memory model, and
//!   no library can prevent it; what pyo3-ft guarantees is that the
//!   compiler neither splits, repeats nor elides the Rust side, and on every
//!   platform CPython supports an aligned load or store of at most 8 bytes
//!   is a single instruction: a racing read sees the old or the new value
//!   of the element, never a mix. Avoid the race itself as you would in C:
//!   do not let Python write an array while Rust threads work on it.
//! - Loads of read-only memory (a `bytes`, a read-only `mmap`) are plain
//!   atomic loads of at most 8 bytes, which the standard library allows on
//!   read-only memory; stores are only offered for writable buffers.
//!
//! The memory itself stays valid while a `PyBuffer` exists: that is the
//! protocol's promise (a `bytearray` or `array.array` refuses to resize
//! while exported, NumPy refuses to resize an array with live views).
//!
//! ```
//! use pyo3_ft::buffer::PyBuffer;
//! use pyo3_ft::prelude::*;
//!
//! Python::attach(|py| {
//!     let array = py.eval("__import__('array').array('d', [1.0, 2.0, 3.0])", None, None)?;
//!     let buffer = PyBuffer::<f64>::get(&array)?;
//!     // `PyBuffer` is `Send + Sync`: read it on another thread, detached.
//!     let sum = py.detach(|| std::thread::scope(|s| {
//!         s.spawn(|| buffer.to_vec().iter().sum::<f64>()).join().unwrap()
//!     }));
//!     assert_eq!(sum, 6.0);
//!     Ok::<_, PyErr>(())
//! })?;
//! # Ok::<(), PyErr>(())
//! ```

use std::cell::UnsafeCell;
use std::ffi::{c_int, c_void, CStr};
use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;
use std::ptr::NonNull;

use pyo3_ft_runtime::{ffi, thread_state};

use crate::conversion::FromPyObject;
use crate::err::{PyErr, PyResult};
use crate::exceptions::PyBufferError;
use crate::instance::{Borrowed, Bound};
use crate::pyclass::{ClassStorage, PyClass, PyClassObject};
use crate::python::Python;
use crate::types::PyAny;

/// What the items of a buffer are, as its `format` string says.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ElementType {
    /// A signed integer of `bytes` bytes (`b`, `h`, `i`, `l`, `q`, `n`).
    SignedInteger {
        /// Its size.
        bytes: usize,
    },
    /// An unsigned integer of `bytes` bytes (`B`, `c`, `H`, `I`, `L`, `Q`, `N`).
    UnsignedInteger {
        /// Its size.
        bytes: usize,
    },
    /// `?`: a one-byte boolean.
    Bool,
    /// An IEEE float of `bytes` bytes (`e`, `f`, `d`).
    Float {
        /// Its size.
        bytes: usize,
    },
    /// A format pyo3-ft does not read: a struct, several items, a pointer,
    /// or a byte order other than this machine's.
    Unknown,
}

impl ElementType {
    /// Reads a `struct`-module format string of one item: an optional
    /// prefix (`@`, `=`, `<`, `>`, `!`) and one type code. Native sizes
    /// (no prefix, `@`) are the C types' on this machine, standard sizes
    /// (the other prefixes) those of the `struct` module; a byte order that
    /// is not this machine's, or anything else, is [`ElementType::Unknown`].
    ///
    /// ```
    /// use pyo3_ft::buffer::ElementType;
    ///
    /// assert_eq!(ElementType::from_format(c"d"), ElementType::Float { bytes: 8 });
    /// assert_eq!(ElementType::from_format(c"<i"), ElementType::SignedInteger { bytes: 4 });
    /// assert_eq!(ElementType::from_format(c"=q"), ElementType::SignedInteger { bytes: 8 });
    /// assert_eq!(ElementType::from_format(c"T{d:x:}"), ElementType::Unknown);
    /// ```
    pub fn from_format(format: &CStr) -> ElementType {
        Self::parse(format.to_bytes()).0
    }

    /// The element type, and whether the format failed only for its byte
    /// order (for the error message).
    fn parse(format: &[u8]) -> (ElementType, bool) {
        let (prefix, code) = match format {
            [code] => (b'@', *code),
            [prefix @ (b'@' | b'=' | b'<' | b'>' | b'!'), code] => (*prefix, *code),
            _ => return (ElementType::Unknown, false),
        };
        let element = if prefix == b'@' {
            native_element(code)
        } else {
            standard_element(code)
        };
        let native_order = match prefix {
            b'<' => cfg!(target_endian = "little"),
            b'>' | b'!' => cfg!(target_endian = "big"),
            _ => true,
        };
        // One byte has no order.
        let one_byte = matches!(
            element,
            ElementType::Bool
                | ElementType::SignedInteger { bytes: 1 }
                | ElementType::UnsignedInteger { bytes: 1 }
        );
        if native_order || one_byte || element == ElementType::Unknown {
            (element, false)
        } else {
            (ElementType::Unknown, true)
        }
    }

    /// A description for messages: `8-byte float`, `bool`.
    fn describe(self) -> String {
        match self {
            ElementType::SignedInteger { bytes } => format!("{bytes}-byte signed integer"),
            ElementType::UnsignedInteger { bytes } => format!("{bytes}-byte unsigned integer"),
            ElementType::Bool => "bool".to_owned(),
            ElementType::Float { bytes } => format!("{bytes}-byte float"),
            ElementType::Unknown => "a format pyo3-ft does not read".to_owned(),
        }
    }
}

impl fmt::Display for ElementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

fn native_element(code: u8) -> ElementType {
    use std::ffi::{c_long, c_longlong, c_short};
    use ElementType::*;
    let signed = |bytes| SignedInteger { bytes };
    let unsigned = |bytes| UnsignedInteger { bytes };
    // The unsigned C types have the sizes of the signed ones.
    match code {
        b'c' | b'B' => unsigned(1),
        b'b' => signed(1),
        b'?' => Bool,
        b'h' => signed(size_of::<c_short>()),
        b'H' => unsigned(size_of::<c_short>()),
        b'i' => signed(size_of::<c_int>()),
        b'I' => unsigned(size_of::<c_int>()),
        b'l' => signed(size_of::<c_long>()),
        b'L' => unsigned(size_of::<c_long>()),
        b'q' => signed(size_of::<c_longlong>()),
        b'Q' => unsigned(size_of::<c_longlong>()),
        b'n' => signed(size_of::<isize>()),
        b'N' => unsigned(size_of::<usize>()),
        b'e' => Float { bytes: 2 },
        b'f' => Float { bytes: 4 },
        b'd' => Float { bytes: 8 },
        _ => Unknown,
    }
}

fn standard_element(code: u8) -> ElementType {
    use ElementType::*;
    match code {
        b'c' | b'B' => UnsignedInteger { bytes: 1 },
        b'b' => SignedInteger { bytes: 1 },
        b'?' => Bool,
        b'h' => SignedInteger { bytes: 2 },
        b'H' => UnsignedInteger { bytes: 2 },
        b'i' | b'l' => SignedInteger { bytes: 4 },
        b'I' | b'L' => UnsignedInteger { bytes: 4 },
        b'q' => SignedInteger { bytes: 8 },
        b'Q' => UnsignedInteger { bytes: 8 },
        b'e' => Float { bytes: 2 },
        b'f' => Float { bytes: 4 },
        b'd' => Float { bytes: 8 },
        _ => Unknown,
    }
}

mod sealed {
    use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering};

    /// The unsigned integer an element is stored as, and its relaxed
    /// atomic load and store.
    pub trait Repr: Copy + Send + Sync + 'static {
        /// The alignment its atomic access needs.
        const ALIGN: usize;

        /// A relaxed atomic load.
        ///
        /// # Safety
        /// `ptr` must be valid for reads and aligned to `ALIGN`, for the
        /// duration of the call.
        unsafe fn load(ptr: *const Self) -> Self;

        /// A relaxed atomic store.
        ///
        /// # Safety
        /// `ptr` must be valid for writes and aligned to `ALIGN`.
        unsafe fn store(ptr: *mut Self, value: Self);
    }

    macro_rules! repr {
        ($($int:ty => $atomic:ty),*) => {$(
            impl Repr for $int {
                const ALIGN: usize = std::mem::align_of::<$atomic>();

                #[inline(always)]
                unsafe fn load(ptr: *const Self) -> Self {
                    // SAFETY: the caller's contract (valid and aligned); the
                    // atomic is only used for this load, which the standard
                    // library allows on read-only memory too.
                    unsafe { <$atomic>::from_ptr(ptr.cast_mut()) }.load(Ordering::Relaxed)
                }

                #[inline(always)]
                unsafe fn store(ptr: *mut Self, value: Self) {
                    // SAFETY: the caller's contract (valid and aligned).
                    unsafe { <$atomic>::from_ptr(ptr) }.store(value, Ordering::Relaxed)
                }
            }
        )*};
    }

    repr!(u8 => AtomicU8, u16 => AtomicU16, u32 => AtomicU32, u64 => AtomicU64);

    /// Only pyo3-ft's element types.
    pub trait Sealed {}
}

/// A Rust type a [`PyBuffer`] reads its items as: `u8`, `i8`, `u16`,
/// `i16`, `u32`, `i32`, `u64`, `i64`, `usize`, `isize`, `f32`, `f64` and
/// `bool`. Sealed: the element access must be a lock-free atomic.
pub trait Element: Copy + Send + Sync + 'static + sealed::Sealed {
    /// The buffer item type this Rust type reads.
    const TYPE: ElementType;

    /// The format code an export of this type announces (`"d"` for `f64`).
    const FORMAT: &'static CStr;

    #[doc(hidden)]
    type Repr: sealed::Repr;

    #[doc(hidden)]
    fn from_repr(repr: Self::Repr) -> Self;

    #[doc(hidden)]
    fn into_repr(self) -> Self::Repr;

    /// Whether a buffer of `format` holds items of this type (with the
    /// buffer's item size equal to `size_of::<Self>()`, which
    /// [`PyBuffer::get`] checks too).
    fn is_compatible_format(format: &CStr) -> bool {
        ElementType::from_format(format) == Self::TYPE
    }
}

macro_rules! int_element {
    ($($ty:ty => $repr:ty, $kind:ident, $format:literal;)*) => {$(
        impl sealed::Sealed for $ty {}

        impl Element for $ty {
            const TYPE: ElementType = ElementType::$kind { bytes: size_of::<$ty>() };
            const FORMAT: &'static CStr = $format;
            type Repr = $repr;

            #[inline(always)]
            fn from_repr(repr: $repr) -> Self {
                repr as $ty
            }

            #[inline(always)]
            fn into_repr(self) -> $repr {
                self as $repr
            }
        }
    )*};
}

int_element! {
    u8 => u8, UnsignedInteger, c"B";
    i8 => u8, SignedInteger, c"b";
    u16 => u16, UnsignedInteger, c"H";
    i16 => u16, SignedInteger, c"h";
    u32 => u32, UnsignedInteger, c"I";
    i32 => u32, SignedInteger, c"i";
    u64 => u64, UnsignedInteger, c"Q";
    i64 => u64, SignedInteger, c"q";
}

#[cfg(target_pointer_width = "64")]
int_element! {
    usize => u64, UnsignedInteger, c"N";
    isize => u64, SignedInteger, c"n";
}

#[cfg(target_pointer_width = "32")]
int_element! {
    usize => u32, UnsignedInteger, c"N";
    isize => u32, SignedInteger, c"n";
}

impl sealed::Sealed for f32 {}

impl Element for f32 {
    const TYPE: ElementType = ElementType::Float { bytes: 4 };
    const FORMAT: &'static CStr = c"f";
    type Repr = u32;

    #[inline(always)]
    fn from_repr(repr: u32) -> Self {
        f32::from_bits(repr)
    }

    #[inline(always)]
    fn into_repr(self) -> u32 {
        self.to_bits()
    }
}

impl sealed::Sealed for f64 {}

impl Element for f64 {
    const TYPE: ElementType = ElementType::Float { bytes: 8 };
    const FORMAT: &'static CStr = c"d";
    type Repr = u64;

    #[inline(always)]
    fn from_repr(repr: u64) -> Self {
        f64::from_bits(repr)
    }

    #[inline(always)]
    fn into_repr(self) -> u64 {
        self.to_bits()
    }
}

impl sealed::Sealed for bool {}

/// A byte other than 0 reads as `true` (a `bool` built from any other byte
/// than 0 or 1 would be undefined behaviour).
impl Element for bool {
    const TYPE: ElementType = ElementType::Bool;
    const FORMAT: &'static CStr = c"?";
    type Repr = u8;

    #[inline(always)]
    fn from_repr(repr: u8) -> Self {
        repr != 0
    }

    #[inline(always)]
    fn into_repr(self) -> u8 {
        u8::from(self)
    }
}

/// Loads the element at `ptr`.
///
/// # Safety
/// `ptr` must point into a live buffer, aligned for `T::Repr`'s atomic.
#[inline(always)]
unsafe fn load<T: Element>(ptr: *const u8) -> T {
    // SAFETY: the caller's contract.
    T::from_repr(unsafe { <T::Repr as sealed::Repr>::load(ptr.cast()) })
}

/// Stores `value` at `ptr`.
///
/// # Safety
/// `ptr` must point into a live writable buffer, aligned for `T::Repr`'s
/// atomic.
#[inline(always)]
unsafe fn store<T: Element>(ptr: *mut u8, value: T) {
    // SAFETY: the caller's contract.
    unsafe { <T::Repr as sealed::Repr>::store(ptr.cast(), value.into_repr()) }
}

/// One element of a buffer, read-only: [`get`](Self::get) copies it out
/// with a relaxed atomic load. `Sync`: other threads may read and write the
/// element at the same time (see the [module docs](self)).
#[repr(transparent)]
pub struct ReadOnlyCell<T: Element>(UnsafeCell<T::Repr>, PhantomData<T>);

// SAFETY: every access to the cell is atomic.
unsafe impl<T: Element> Sync for ReadOnlyCell<T> {}

impl<T: Element> ReadOnlyCell<T> {
    /// The element's current value.
    #[inline(always)]
    pub fn get(&self) -> T {
        // SAFETY: a cell exists only in a live buffer, aligned (checked by
        // `PyBuffer::get`).
        unsafe { load(self.0.get().cast()) }
    }

    /// Its address.
    pub fn as_ptr(&self) -> *const T {
        self.0.get().cast()
    }
}

impl<T: Element + fmt::Debug> fmt::Debug for ReadOnlyCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReadOnlyCell").field(&self.get()).finish()
    }
}

/// One element of a writable buffer: [`get`](Self::get) and
/// [`set`](Self::set) are relaxed atomic accesses. `Sync`, unlike
/// `std::cell::Cell`: the memory is shared with other threads anyway (see
/// the [module docs](self)).
#[repr(transparent)]
pub struct SharedCell<T: Element>(UnsafeCell<T::Repr>, PhantomData<T>);

// SAFETY: every access to the cell is atomic.
unsafe impl<T: Element> Sync for SharedCell<T> {}

impl<T: Element> SharedCell<T> {
    /// The element's current value.
    #[inline(always)]
    pub fn get(&self) -> T {
        // SAFETY: a cell exists only in a live buffer, aligned (checked by
        // `PyBuffer::get`).
        unsafe { load(self.0.get().cast()) }
    }

    /// Overwrites the element.
    #[inline(always)]
    pub fn set(&self, value: T) {
        // SAFETY: a `SharedCell` exists only in a live writable buffer,
        // aligned (checked by `PyBuffer::get`).
        unsafe { store(self.0.get().cast(), value) }
    }

    /// Its address.
    pub fn as_ptr(&self) -> *mut T {
        self.0.get().cast()
    }
}

impl<T: Element + fmt::Debug> fmt::Debug for SharedCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedCell").field(&self.get()).finish()
    }
}

/// The order in which a copy visits a multi-dimensional buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Row-major: the last index varies fastest.
    C,
    /// Column-major: the first index varies fastest.
    Fortran,
}

/// An exported buffer of items of type `T`: the memory of `bytes`,
/// `bytearray`, `array.array`, a `memoryview`, a NumPy array, ... with its
/// shape and strides (any number of dimensions, any strides, also
/// negative).
///
/// An owned handle: it keeps the exporter alive and its memory valid, is
/// `Send + Sync`, and is read and written from any thread without
/// attaching, through the atomic element accesses the
/// [module docs](self) describe. Dropping it releases the export
/// (attaching for that if needed; after the interpreter has finalized, the
/// export is left to it), as dropping a [`Py`](crate::Py) does; or release
/// it explicitly with [`release`](Self::release).
///
/// ```
/// use pyo3_ft::buffer::PyBuffer;
/// use pyo3_ft::prelude::*;
///
/// Python::attach(|py| {
///     let data = py.eval("bytearray(b'abcdef')", None, None)?;
///     let buffer = PyBuffer::<u8>::get(&data)?;
///     assert_eq!((buffer.dimensions(), buffer.shape(), buffer.readonly()), (1, &[6][..], false));
///     buffer.copy_from_slice(b"ABCDEF")?;
///     let cells = buffer.as_mut_slice().expect("contiguous and writable");
///     cells[0].set(b'z');
///     assert_eq!(data.extract::<Vec<u8>>()?, b"zBCDEF");
///
///     // The item format must match `T`.
///     let err = PyBuffer::<f64>::get(&data).unwrap_err();
///     assert!(err.is_instance_of::<pyo3_ft::exceptions::PyBufferError>(py));
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
pub struct PyBuffer<T: Element> {
    /// Heap-allocated and never moved: exporters may point `shape` or
    /// `strides` into the struct itself.
    view: NonNull<ffi::Py_buffer>,
    /// Copies of the exporter's shape and strides (in bytes).
    shape: Box<[usize]>,
    strides: Box<[isize]>,
    marker: PhantomData<T>,
}

// SAFETY: the handle owns one export, whose memory stays valid until it is
// released (which attaches, on whichever thread); the element accesses it
// offers are atomic, and the `Py_buffer` itself is only read after `get`.
unsafe impl<T: Element> Send for PyBuffer<T> {}
// SAFETY: as above: shared use only reads the `Py_buffer` and accesses
// elements atomically.
unsafe impl<T: Element> Sync for PyBuffer<T> {}

impl<T: Element> PyBuffer<T> {
    /// Requests `object`'s buffer, strided, read-only or writable (whichever
    /// the exporter gives), and checks that its items are `T`s: the format
    /// ([`ElementType::from_format`]) and item size match, and every item
    /// is aligned for `T`.
    ///
    /// # Errors
    /// `TypeError` if `object` does not support the buffer protocol;
    /// `BufferError` if its items are not `T`s, are misaligned, or the
    /// exporter cannot give a strided view (one that needs `suboffsets`).
    pub fn get(object: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = object.py();
        let view = Box::into_raw(Box::new(ffi::Py_buffer::new()));
        // SAFETY: `view` points to a fresh `Py_buffer`; `object` is alive.
        let status =
            unsafe { ffi::PyObject_GetBuffer(object.as_ptr(), view, ffi::PyBUF_RECORDS_RO) };
        if status != 0 {
            // SAFETY: allocated above; the failed request left nothing to release.
            drop(unsafe { Box::from_raw(view) });
            return Err(PyErr::fetch(py));
        }
        // SAFETY: `view` is a filled export, owned from here on (released by
        // `drop` on the error path too).
        let view = unsafe { NonNull::new_unchecked(view) };
        let mut buffer = PyBuffer {
            view,
            shape: Box::new([]),
            strides: Box::new([]),
            marker: PhantomData,
        };
        buffer.check()?;
        Ok(buffer)
    }

    fn raw(&self) -> &ffi::Py_buffer {
        // SAFETY: the export lives as long as `self`; the struct is only
        // written by the exporter while it fills it.
        unsafe { self.view.as_ref() }
    }

    /// Copies the shape and strides and checks the items against `T`.
    fn check(&mut self) -> PyResult<()> {
        let raw = *self.raw();
        let format = self.format();
        let (element, wrong_order) = ElementType::parse(format.to_bytes());
        let shown = format.to_string_lossy();
        if element != T::TYPE || raw.itemsize != size_of::<T>() as isize {
            let what = if wrong_order {
                format!(
                    "{}, in the other byte order than this machine's",
                    element_name(format)
                )
            } else if element == ElementType::Unknown {
                "not a single number or bool that pyo3-ft reads".to_owned()
            } else if raw.itemsize != size_of::<T>() as isize && element == T::TYPE {
                format!("but items of {} bytes", raw.itemsize)
            } else {
                element.describe()
            };
            return Err(PyBufferError::new_err(format!(
                "cannot read a buffer of format '{shown}' ({what}) as {} ({}): \
                 the buffer's item type must match",
                std::any::type_name::<T>(),
                T::TYPE.describe(),
            )));
        }
        if !raw.suboffsets.is_null() {
            return Err(PyBufferError::new_err(
                "cannot read a buffer with suboffsets (an array of pointers to sub-arrays)",
            ));
        }
        let ndim = usize::try_from(raw.ndim).unwrap_or(0);
        let shape: Box<[usize]> = if ndim == 0 {
            Box::new([])
        } else if raw.shape.is_null() {
            // Only a request without `PyBUF_ND` may leave the shape out: the
            // buffer is then one dimension of `len` bytes.
            Box::new([(raw.len / raw.itemsize.max(1)) as usize])
        } else {
            // SAFETY: the exporter gives `ndim` dimensions, valid while exported.
            unsafe { std::slice::from_raw_parts(raw.shape, ndim) }
                .iter()
                .map(|&d| d.max(0) as usize)
                .collect()
        };
        let strides: Box<[isize]> = if raw.strides.is_null() {
            // No strides: C-contiguous.
            let mut strides = vec![0isize; shape.len()];
            let mut step = raw.itemsize;
            for (stride, dim) in strides.iter_mut().zip(shape.iter()).rev() {
                *stride = step;
                step *= *dim as isize;
            }
            strides.into()
        } else {
            // SAFETY: as for the shape.
            unsafe { std::slice::from_raw_parts(raw.strides, shape.len()) }.into()
        };
        let align = <T::Repr as sealed::Repr>::ALIGN;
        let misaligned = raw.buf as usize % align != 0
            || strides
                .iter()
                .zip(shape.iter())
                .any(|(&stride, &dim)| dim > 1 && stride % align as isize != 0);
        self.shape = shape;
        self.strides = strides;
        if misaligned && self.item_count() > 0 {
            return Err(PyBufferError::new_err(format!(
                "cannot read the buffer as {}: its items are not aligned to {align} bytes",
                std::any::type_name::<T>()
            )));
        }
        Ok(())
    }

    /// The address of the first item (of index `[0, 0, ...]`; with negative
    /// strides, not the lowest address).
    pub fn buf_ptr(&self) -> *mut c_void {
        self.raw().buf
    }

    /// The address of the item at `index` (one index per dimension).
    ///
    /// # Panics
    /// If `index` has the wrong length or an index is out of range.
    pub fn get_ptr(&self, index: &[usize]) -> *mut c_void {
        match self.offset(index) {
            Some(offset) => self.raw().buf.cast::<u8>().wrapping_offset(offset).cast(),
            None => panic!(
                "index {index:?} is out of range for a buffer of shape {:?}",
                self.shape
            ),
        }
    }

    /// The byte offset of `index` from `buf`, if in range.
    fn offset(&self, index: &[usize]) -> Option<isize> {
        if index.len() != self.shape.len() {
            return None;
        }
        let mut offset = 0isize;
        for ((&i, &dim), &stride) in index.iter().zip(self.shape.iter()).zip(self.strides.iter()) {
            if i >= dim {
                return None;
            }
            offset += i as isize * stride;
        }
        Some(offset)
    }

    /// Whether Python may not write it (Rust neither: the writing methods
    /// fail or return `None`).
    pub fn readonly(&self) -> bool {
        self.raw().readonly != 0
    }

    /// The size of one item: `size_of::<T>()`.
    pub fn item_size(&self) -> usize {
        self.raw().itemsize as usize
    }

    /// The number of items: the product of the shape.
    pub fn item_count(&self) -> usize {
        self.shape.iter().product()
    }

    /// `item_size() * item_count()`: the length the data would have if
    /// copied contiguously.
    pub fn len_bytes(&self) -> usize {
        self.raw().len as usize
    }

    /// The number of dimensions; 0 for a single scalar.
    pub fn dimensions(&self) -> usize {
        self.shape.len()
    }

    /// The length of each dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The step in bytes between consecutive items of each dimension (may
    /// be negative).
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// The item format the exporter gave (`"B"` if it gave none).
    pub fn format(&self) -> &CStr {
        let format = self.raw().format;
        if format.is_null() {
            c"B"
        } else {
            // SAFETY: the exporter's NUL-terminated format, valid while exported.
            unsafe { CStr::from_ptr(format) }
        }
    }

    /// Whether the items lie in one block in C (row-major) order, as
    /// `PyBuffer_IsContiguous(view, 'C')` says.
    pub fn is_c_contiguous(&self) -> bool {
        self.contiguous(Order::C)
    }

    /// Whether the items lie in one block in Fortran (column-major) order,
    /// as `PyBuffer_IsContiguous(view, 'F')` says.
    pub fn is_fortran_contiguous(&self) -> bool {
        self.contiguous(Order::Fortran)
    }

    fn contiguous(&self, order: Order) -> bool {
        if self.item_count() == 0 {
            return true;
        }
        let mut expected = self.item_size() as isize;
        let dims: Box<dyn Iterator<Item = usize>> = match order {
            Order::C => Box::new((0..self.shape.len()).rev()),
            Order::Fortran => Box::new(0..self.shape.len()),
        };
        for d in dims {
            if self.shape[d] > 1 && self.strides[d] != expected {
                return false;
            }
            expected *= self.shape[d] as isize;
        }
        true
    }

    /// The items as one slice of read-only cells, in C order: `Some` if the
    /// buffer is C-contiguous.
    pub fn as_slice(&self) -> Option<&[ReadOnlyCell<T>]> {
        self.is_c_contiguous().then(|| self.cells())
    }

    /// The items as one slice of writable cells, in C order: `Some` if the
    /// buffer is C-contiguous and writable.
    pub fn as_mut_slice(&self) -> Option<&[SharedCell<T>]> {
        (!self.readonly() && self.is_c_contiguous()).then(|| self.cells())
    }

    /// As [`as_slice`](Self::as_slice), in Fortran order.
    pub fn as_fortran_slice(&self) -> Option<&[ReadOnlyCell<T>]> {
        self.is_fortran_contiguous().then(|| self.cells())
    }

    /// As [`as_mut_slice`](Self::as_mut_slice), in Fortran order.
    pub fn as_fortran_mut_slice(&self) -> Option<&[SharedCell<T>]> {
        (!self.readonly() && self.is_fortran_contiguous()).then(|| self.cells())
    }

    /// The contiguous items as cells (`ReadOnlyCell` or `SharedCell`, both
    /// `repr(transparent)` over the element's representation).
    fn cells<C>(&self) -> &[C] {
        let count = self.item_count();
        if count == 0 {
            return &[];
        }
        // The lowest address: with negative strides, `buf` is not it.
        let start = self
            .shape
            .iter()
            .zip(self.strides.iter())
            .filter(|(_, &stride)| stride < 0)
            .fold(0isize, |lowest, (&dim, &stride)| {
                lowest + (dim as isize - 1) * stride
            });
        // SAFETY: contiguous (checked by the callers), so the `count` items
        // from the lowest address are the buffer's, valid and aligned while
        // `self` lives; cells allow concurrent changes and are accessed only
        // atomically.
        unsafe {
            std::slice::from_raw_parts(self.raw().buf.cast::<u8>().offset(start).cast::<C>(), count)
        }
    }

    /// The item at `index` (one index per dimension) as a read-only cell;
    /// `None` if out of range.
    pub fn item(&self, index: &[usize]) -> Option<&ReadOnlyCell<T>> {
        let offset = self.offset(index)?;
        // SAFETY: in range, so inside the buffer; aligned (checked by `get`).
        Some(unsafe { &*self.raw().buf.cast::<u8>().offset(offset).cast() })
    }

    /// The item at `index` as a writable cell; `None` if out of range or
    /// the buffer is read-only.
    pub fn item_mut(&self, index: &[usize]) -> Option<&SharedCell<T>> {
        if self.readonly() {
            return None;
        }
        let offset = self.offset(index)?;
        // SAFETY: as in `item`, and writable.
        Some(unsafe { &*self.raw().buf.cast::<u8>().offset(offset).cast() })
    }

    /// Calls `f` with the byte offset of every item, in `order`.
    fn for_each_offset(&self, order: Order, mut f: impl FnMut(isize)) {
        let n = self.shape.len();
        if self.item_count() == 0 {
            return;
        }
        if self.contiguous(order) && self.strides.iter().all(|&s| s >= 0) {
            let size = self.item_size() as isize;
            for i in 0..self.item_count() as isize {
                f(i * size);
            }
            return;
        }
        let mut index = vec![0usize; n];
        let mut offset = 0isize;
        loop {
            f(offset);
            let mut k = 0;
            loop {
                if k == n {
                    return;
                }
                let d = match order {
                    Order::C => n - 1 - k,
                    Order::Fortran => k,
                };
                index[d] += 1;
                offset += self.strides[d];
                if index[d] < self.shape[d] {
                    break;
                }
                offset -= self.strides[d] * self.shape[d] as isize;
                index[d] = 0;
                k += 1;
            }
        }
    }

    fn copy_out(&self, order: Order, target: &mut [T]) -> PyResult<()> {
        if target.len() != self.item_count() {
            return Err(PyBufferError::new_err(format!(
                "cannot copy a buffer of {} items into a slice of length {}",
                self.item_count(),
                target.len()
            )));
        }
        let base = self.raw().buf.cast::<u8>();
        let mut slots = target.iter_mut();
        self.for_each_offset(order, |offset| {
            if let Some(slot) = slots.next() {
                // SAFETY: every offset is an item of the buffer, aligned.
                *slot = unsafe { load(base.offset(offset)) };
            }
        });
        Ok(())
    }

    fn collect(&self, order: Order) -> Vec<T> {
        let base = self.raw().buf.cast::<u8>();
        let mut out = Vec::with_capacity(self.item_count());
        self.for_each_offset(order, |offset| {
            // SAFETY: every offset is an item of the buffer, aligned.
            out.push(unsafe { load(base.offset(offset)) })
        });
        out
    }

    fn copy_in(&self, order: Order, source: &[T]) -> PyResult<()> {
        if self.readonly() {
            return Err(PyBufferError::new_err(
                "cannot write into a read-only buffer",
            ));
        }
        if source.len() != self.item_count() {
            return Err(PyBufferError::new_err(format!(
                "cannot copy a slice of length {} into a buffer of {} items",
                source.len(),
                self.item_count()
            )));
        }
        let base = self.raw().buf.cast::<u8>();
        let mut values = source.iter();
        self.for_each_offset(order, |offset| {
            if let Some(&value) = values.next() {
                // SAFETY: every offset is an item of the writable buffer, aligned.
                unsafe { store(base.offset(offset), value) };
            }
        });
        Ok(())
    }

    /// Copies the items into `target`, in C order (any strides).
    ///
    /// # Errors
    /// `BufferError` if `target`'s length is not [`item_count`](Self::item_count).
    pub fn copy_to_slice(&self, target: &mut [T]) -> PyResult<()> {
        self.copy_out(Order::C, target)
    }

    /// Copies the items into `target`, in Fortran order.
    ///
    /// # Errors
    /// As [`copy_to_slice`](Self::copy_to_slice).
    pub fn copy_to_fortran_slice(&self, target: &mut [T]) -> PyResult<()> {
        self.copy_out(Order::Fortran, target)
    }

    /// The items, copied in C order (any strides).
    pub fn to_vec(&self) -> Vec<T> {
        self.collect(Order::C)
    }

    /// The items, copied in Fortran order.
    pub fn to_fortran_vec(&self) -> Vec<T> {
        self.collect(Order::Fortran)
    }

    /// Overwrites the items with `source`, in C order (any strides).
    ///
    /// # Errors
    /// `BufferError` if the buffer is read-only or `source`'s length is not
    /// [`item_count`](Self::item_count).
    pub fn copy_from_slice(&self, source: &[T]) -> PyResult<()> {
        self.copy_in(Order::C, source)
    }

    /// Overwrites the items with `source`, in Fortran order.
    ///
    /// # Errors
    /// As [`copy_from_slice`](Self::copy_from_slice).
    pub fn copy_from_fortran_slice(&self, source: &[T]) -> PyResult<()> {
        self.copy_in(Order::Fortran, source)
    }

    /// Releases the export now, on this attached thread (dropping does the
    /// same, attaching if needed).
    pub fn release(self, _py: Python<'_>) {
        drop(self);
    }
}

/// The element a format reads as, for messages.
fn element_name(format: &CStr) -> String {
    let bytes = format.to_bytes();
    let code = bytes.last().copied().unwrap_or(b'B');
    standard_element(code).describe()
}

impl<T: Element> Drop for PyBuffer<T> {
    fn drop(&mut self) {
        let view = self.view.as_ptr();
        let release = || {
            // SAFETY: an export owned by `self`, released once; the thread
            // is attached.
            unsafe { ffi::PyBuffer_Release(view) }
        };
        if thread_state::is_traversing() {
            // As for `Py`: the collector is counting references; leave the
            // export (leaked) and report the `__traverse__` that dropped it.
            if !std::thread::panicking() {
                panic!(
                    "a PyBuffer was dropped inside __traverse__, which may only visit references"
                );
            }
            return;
        }
        if thread_state::is_attached() {
            release();
        } else if let Ok(_guard) = thread_state::try_attach() {
            release();
        }
        // Once the interpreter closes, the export is left to it (as a
        // `Py`'s reference is). The struct is ours either way.
        // SAFETY: allocated by `get` with `Box::new`; nothing points into it
        // any more.
        drop(unsafe { Box::from_raw(view) });
    }
}

impl<T: Element> fmt::Debug for PyBuffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PyBuffer")
            .field("format", &self.format())
            .field("shape", &self.shape)
            .field("strides", &self.strides)
            .field("readonly", &self.readonly())
            .finish()
    }
}

impl<'py, T: Element> FromPyObject<'_, 'py> for PyBuffer<T> {
    const INPUT_TYPE: crate::stubs::TypeHint =
        crate::stubs::TypeHint::Name("collections.abc.Buffer");

    fn extract(object: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        PyBuffer::get(&object.to_owned())
    }
}

/// The storage models whose instances can export their memory: the
/// default one (`Frozen`: the value never changes, so exported memory stays
/// valid and unchanged) and `mutable` (which counts live exports and
/// refuses `&mut` borrows while there are any). Not `unsendable`: the
/// memory of a value tied to one thread would be read, and the export
/// released, on others.
#[diagnostic::on_unimplemented(
    message = "an `unsendable` class cannot export a buffer",
    label = "`__getbuffer__` is defined here",
    note = "the exported memory would be read and released on other threads; use the default storage or `mutable`"
)]
pub trait ExportStorage<T>: ExportCount<T> {}

impl<T> ExportStorage<T> for crate::pyclass::Frozen<T> {}

impl<T> ExportStorage<T> for crate::pyclass::Mutable<T> {}

/// How a storage counts the live exports of an object (only `mutable`
/// does); the generated buffer slots call it.
#[doc(hidden)]
pub trait ExportCount<T>: ClassStorage<T> {
    /// An export of the object's memory was made.
    fn export_started(&self) {}

    /// An export was released.
    fn export_ended(&self) {}
}

impl<T> ExportCount<T> for crate::pyclass::Frozen<T> {}

impl<T> ExportCount<T> for crate::pyclass::Mutable<T> {
    fn export_started(&self) {
        self.exports().start();
    }

    fn export_ended(&self) {
        self.exports().end();
    }
}

/// Never called: an `unsendable` class's `__getbuffer__` does not compile
/// (`ExportStorage`).
impl<T> ExportCount<T> for crate::pyclass::Unsendable<T> {}

/// What a safe `fn __getbuffer__(&self) -> ...` may return: the elements
/// to export, borrowed from the value (`&[E]`, `&Vec<E>`, `&[E; N]`, and
/// `&str` / `&String` as bytes), or a `Result` of one.
///
/// ```
/// use pyo3_ft::prelude::*;
///
/// #[pyclass]
/// struct Samples {
///     values: Vec<f64>,
/// }
///
/// #[pymethods]
/// impl Samples {
///     /// A read-only, one-dimensional export of format `d`.
///     fn __getbuffer__(&self) -> &[f64] {
///         &self.values
///     }
/// }
///
/// Python::attach(|py| {
///     let samples = Bound::new(py, Samples { values: vec![0.5, 1.5] })?;
///     let view = pyo3_ft::types::PyMemoryView::from(samples.as_any())?;
///     assert_eq!(view.call_method0("tolist")?.extract::<Vec<f64>>()?, [0.5, 1.5]);
///     assert_eq!(view.getattr("format")?.extract::<String>()?, "d");
///     assert!(view.getattr("readonly")?.extract::<bool>()?);
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`__getbuffer__(&self)` returns the elements to export, borrowed from `self`: `&[E]`, `&Vec<E>`, `&[E; N]`, `&str` or a `PyResult` of one, not `{Self}`",
    label = "not a borrowed slice of buffer elements",
    note = "`E` is one of `u8`, `i8`, `u16`, `i16`, `u32`, `i32`, `u64`, `i64`, `usize`, `isize`, `f32`, `f64`, `bool`"
)]
pub trait ExportSlice<'a> {
    /// The element type, which sets the export's format and item size.
    type Element: Element;

    /// The elements, or the error `__getbuffer__` raises.
    fn into_export(self) -> PyResult<&'a [Self::Element]>;
}

impl<'a, E: Element> ExportSlice<'a> for &'a [E] {
    type Element = E;

    fn into_export(self) -> PyResult<&'a [E]> {
        Ok(self)
    }
}

impl<'a, E: Element> ExportSlice<'a> for &'a Vec<E> {
    type Element = E;

    fn into_export(self) -> PyResult<&'a [E]> {
        Ok(self)
    }
}

impl<'a, E: Element, const N: usize> ExportSlice<'a> for &'a [E; N] {
    type Element = E;

    fn into_export(self) -> PyResult<&'a [E]> {
        Ok(self)
    }
}

impl<'a> ExportSlice<'a> for &'a str {
    type Element = u8;

    fn into_export(self) -> PyResult<&'a [u8]> {
        Ok(self.as_bytes())
    }
}

impl<'a> ExportSlice<'a> for &'a String {
    type Element = u8;

    fn into_export(self) -> PyResult<&'a [u8]> {
        Ok(self.as_bytes())
    }
}

impl<'a, X: ExportSlice<'a>, Er: Into<PyErr>> ExportSlice<'a> for Result<X, Er> {
    type Element = X::Element;

    fn into_export(self) -> PyResult<&'a [X::Element]> {
        self.map_err(Into::into)?.into_export()
    }
}

/// For a raw `__getbuffer__(slf, view, flags)`: fills `view` with a
/// one-dimensional, contiguous, **read-only** export of the bytes `project`
/// picks from the object's value, as `PyBuffer_FillInfo` does, with a
/// strong reference to `slf` in `view->obj`. (A `__getbuffer__(&self)`
/// that returns the slice does the same with no raw pointer at all; see
/// [`ExportSlice`].)
///
/// ```
/// use std::ffi::c_int;
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::runtime::ffi;
///
/// #[pyclass]
/// struct Blob {
///     bytes: Vec<u8>,
/// }
///
/// #[pymethods]
/// impl Blob {
///     unsafe fn __getbuffer__(
///         slf: &Bound<'_, Self>,
///         view: *mut ffi::Py_buffer,
///         flags: c_int,
///     ) -> PyResult<()> {
///         // SAFETY: `view` and `flags` as CPython passed them.
///         unsafe { pyo3_ft::buffer::export_bytes(slf, view, flags, |blob| &blob.bytes) }
///     }
/// }
///
/// Python::attach(|py| {
///     let blob = Bound::new(py, Blob { bytes: b"abc".to_vec() })?;
///     let copy = py.import("builtins")?.getattr("bytes")?.call1((&blob,))?;
///     assert_eq!(copy.extract::<Vec<u8>>()?, b"abc");
///     Ok::<_, PyErr>(())
/// })?;
/// # Ok::<(), PyErr>(())
/// ```
///
/// # Errors
/// `BufferError` if `flags` ask for a writable view.
///
/// # Safety
/// `view` and `flags` must be the ones CPython passed to the
/// `__getbuffer__` of `slf`'s class in `#[pymethods]` (whose generated code
/// counts the export for a `mutable` class, so that no `&mut` borrow can
/// change the bytes while it lives), called on `slf`.
pub unsafe fn export_bytes<T>(
    slf: &Bound<'_, T>,
    view: *mut ffi::Py_buffer,
    flags: c_int,
    project: impl for<'a> FnOnce(&'a T) -> &'a [u8],
) -> PyResult<()>
where
    T: PyClass,
    T::Storage: ExportStorage<T>,
{
    if view.is_null() {
        return Err(PyBufferError::new_err(
            "__getbuffer__ was given no view to fill",
        ));
    }
    // SAFETY: `slf` is an instance of `T`, alive for the call.
    let storage = unsafe { &*PyClassObject::<T>::contents(slf.as_ptr()) };
    let value = storage.borrow(slf.py(), T::NAME)?;
    let bytes = project(&value);
    // SAFETY: `view` is CPython's (the caller's contract). The bytes stay
    // valid and unchanged while exported: the default storage never
    // changes its value, and a `mutable` one refuses `&mut` while the
    // export is counted; `view->obj` keeps the object alive. Read-only, so
    // nobody writes through the export.
    let status = unsafe {
        ffi::PyBuffer_FillInfo(
            view,
            slf.as_ptr(),
            bytes.as_ptr().cast_mut().cast(),
            bytes.len() as ffi::Py_ssize_t,
            1,
            flags,
        )
    };
    drop(value);
    if status != 0 {
        return Err(PyErr::fetch(slf.py()));
    }
    Ok(())
}
