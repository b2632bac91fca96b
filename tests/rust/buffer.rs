//! The buffer protocol, both ways.
//!
//! Reading: `PyBuffer<T>` over `bytes`, `bytearray`, `array.array`,
//! non-contiguous and multi-dimensional `memoryview`s, formats that do not
//! match (error type and message), from several threads at once, released
//! on a thread that is not attached; and over NumPy arrays (one array
//! filled by 4 threads, Fortran-order and strided arrays), imported from
//! the test venv that `cargo xtask test` prepares (`target/venv-{ft,gil}`,
//! or `PYO3FT_TEST_VENV`). Without a venv the NumPy tests say SKIPPED; with
//! one that lacks NumPy they fail.
//!
//! Exporting: `__getbuffer__` / `__releasebuffer__` in `#[pymethods]`, in
//! the safe form and PyO3's raw form, read back through `memoryview`,
//! `bytes()` and NumPy; errors and panics leave `view->obj` null and the
//! reference count as it was; a `mutable` class refuses `&mut` borrows
//! while exported.

use std::ffi::{c_int, CString};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Once};

use pyo3_ft::buffer::{ElementType, PyBuffer, ReadOnlyCell, SharedCell};
use pyo3_ft::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3_ft::prelude::*;
use pyo3_ft::runtime::ffi;
use pyo3_ft::type_info::PyTypeInfo;
use pyo3_ft::types::{PyDict, PyMemoryView};
use pyo3_ft::{pyclass, pymethods};

const THREADS: usize = 4;

/// The venv with NumPy: `PYO3FT_TEST_VENV`, else the one `cargo xtask
/// test` prepares for this interpreter.
fn test_venv() -> PathBuf {
    std::env::var_os("PYO3FT_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let kind = if pyo3_ft::runtime::build_info::GIL_DISABLED {
                "ft"
            } else {
                "gil"
            };
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap()
                .join("target")
                .join(format!("venv-{kind}"))
        })
}

/// Starts the interpreter once per process, in the test venv if there is
/// one. Every test calls it before it attaches.
fn start() {
    static START: Once = Once::new();
    START.call_once(|| {
        let venv = test_venv();
        let mut config = pyo3_ft::embed::Config::new();
        if venv.join("pyvenv.cfg").is_file() {
            config = config.venv(venv);
        }
        config.start().unwrap_or_else(|err| panic!("{err}"));
    });
}

/// `numpy`, or `None` after saying SKIPPED when there is no test venv.
fn numpy(py: Python<'_>) -> Option<Bound<'_, PyModule>> {
    match py.import("numpy") {
        Ok(numpy) => Some(numpy),
        Err(err) if !test_venv().join("pyvenv.cfg").is_file() => {
            eprintln!(
                "SKIPPED (NumPy): no test venv at {} ({err}); `cargo xtask test` makes one \
                 with NumPy, and PYO3FT_TEST_VENV selects another",
                test_venv().display()
            );
            None
        }
        Err(err) => panic!(
            "the test venv {} has no importable NumPy: {err}",
            test_venv().display()
        ),
    }
}

/// A namespace with `numpy` (if importable), `array` and the test classes.
fn globals(py: Python<'_>) -> Bound<'_, PyDict> {
    let globals = PyDict::new(py);
    globals
        .set_item("array", py.import("array").unwrap())
        .unwrap();
    if let Ok(numpy) = py.import("numpy") {
        globals.set_item("np", numpy).unwrap();
    }
    for (name, class) in [
        ("Blob", Blob::type_object(py)),
        ("Floats", Floats::type_object(py)),
        ("Growable", Growable::type_object(py)),
        ("Raw", Raw::type_object(py)),
        ("Failing", Failing::type_object(py)),
        ("Formatted", Formatted::type_object(py)),
    ] {
        globals.set_item(name, class).unwrap();
    }
    globals
}

fn eval<'py>(py: Python<'py>, globals: &Bound<'py, PyDict>, code: &str) -> Bound<'py, PyAny> {
    py.eval(code, Some(globals), None)
        .unwrap_or_else(|err| panic!("{code}: {err}"))
}

fn run(py: Python<'_>, globals: &Bound<'_, PyDict>, code: &str) {
    py.run(code, Some(globals), None)
        .unwrap_or_else(|err| panic!("{code}: {err}"));
}

fn values<T: pyo3_ft::buffer::Element>(cells: &[ReadOnlyCell<T>]) -> Vec<T> {
    cells.iter().map(ReadOnlyCell::get).collect()
}

/// The message of a `BufferError` (anything else fails).
fn buffer_error<T: std::fmt::Debug>(py: Python<'_>, result: PyResult<T>) -> String {
    let err = result.expect_err("a BufferError");
    assert!(err.is_instance_of::<PyBufferError>(py), "{err}");
    err.value(py).to_string()
}

// ---- exporters -----------------------------------------------------------

/// The safe form: a read-only export of bytes.
#[pyclass]
struct Blob {
    bytes: Vec<u8>,
}

#[pymethods]
impl Blob {
    #[new]
    fn new(bytes: Vec<u8>) -> Self {
        Blob { bytes }
    }

    fn __getbuffer__(&self) -> &[u8] {
        &self.bytes
    }
}

/// The safe form, typed: format `d`, shape `(n,)`.
#[pyclass]
struct Floats {
    values: Vec<f64>,
}

#[pymethods]
impl Floats {
    #[new]
    fn new(values: Vec<f64>) -> Self {
        Floats { values }
    }

    fn __getbuffer__(&self) -> PyResult<&Vec<f64>> {
        if self.values.is_empty() {
            return Err(PyValueError::new_err("nothing to export"));
        }
        Ok(&self.values)
    }
}

/// A `mutable` class: `&mut self` methods raise `BufferError` while an
/// export lives.
#[pyclass(mutable)]
struct Growable {
    data: Vec<u8>,
}

#[pymethods]
impl Growable {
    #[new]
    fn new() -> Self {
        Growable { data: Vec::new() }
    }

    fn push(&mut self, byte: u8) {
        self.data.push(byte);
    }

    fn __len__(&self) -> usize {
        self.data.len()
    }

    fn __getbuffer__(&self) -> &[u8] {
        &self.data
    }
}

/// PyO3's raw form, with the bytes helper and a `__releasebuffer__` that
/// counts.
#[pyclass]
struct Raw {
    bytes: Vec<u8>,
    releases: AtomicUsize,
}

#[pymethods]
impl Raw {
    #[new]
    fn new(bytes: Vec<u8>) -> Self {
        Raw {
            bytes,
            releases: AtomicUsize::new(0),
        }
    }

    #[getter]
    fn releases(&self) -> usize {
        self.releases.load(Ordering::SeqCst)
    }

    unsafe fn __getbuffer__(
        slf: &Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        // SAFETY: the view and flags CPython passed.
        unsafe { pyo3_ft::buffer::export_bytes(slf, view, flags, |raw| &raw.bytes) }
    }

    unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
        assert!(!view.is_null());
        self.releases.fetch_add(1, Ordering::SeqCst);
    }
}

/// A raw `__getbuffer__` that fails in each of the ways there are.
#[pyclass]
struct Failing {
    mode: u8,
}

#[pymethods]
impl Failing {
    #[new]
    fn new(mode: u8) -> Self {
        Failing { mode }
    }

    unsafe fn __getbuffer__(
        slf: &Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        static BYTES: [u8; 4] = *b"fail";
        match slf.get().mode {
            // An error before touching the view.
            0 => Err(PyValueError::new_err("no buffer today")),
            // An error after filling the view (with its reference).
            1 => {
                // SAFETY: CPython's view; a static, read-only block.
                let status = unsafe {
                    ffi::PyBuffer_FillInfo(
                        view,
                        slf.as_ptr(),
                        BYTES.as_ptr().cast_mut().cast(),
                        4,
                        1,
                        flags,
                    )
                };
                assert_eq!(status, 0);
                Err(PyValueError::new_err("filled, then failed"))
            }
            // A panic after filling the view.
            2 => {
                // SAFETY: as above.
                unsafe {
                    ffi::PyBuffer_FillInfo(
                        view,
                        slf.as_ptr(),
                        BYTES.as_ptr().cast_mut().cast(),
                        4,
                        1,
                        flags,
                    )
                };
                panic!("boom in __getbuffer__")
            }
            // Success without setting `view->obj`: the slot sets it.
            _ => {
                // SAFETY: as above; then `obj` cleared again (and its
                // reference dropped) to test the slot's default.
                unsafe {
                    ffi::PyBuffer_FillInfo(
                        view,
                        slf.as_ptr(),
                        BYTES.as_ptr().cast_mut().cast(),
                        4,
                        1,
                        flags,
                    );
                    let obj = (*view).obj;
                    (*view).obj = std::ptr::null_mut();
                    ffi::Py_DECREF(obj);
                }
                Ok(())
            }
        }
    }
}

/// A raw exporter of any format string and item size over 16 bytes, to
/// test how `PyBuffer::get` reads formats.
#[pyclass]
struct Formatted {
    data: [u64; 2],
    format: CString,
    itemsize: isize,
    shape: [isize; 1],
}

#[pymethods]
impl Formatted {
    #[new]
    fn new(format: &str, itemsize: isize) -> Self {
        Formatted {
            data: [0x0102_0304_0506_0708, 0x1112_1314_1516_1718],
            format: CString::new(format).unwrap(),
            itemsize,
            shape: [16 / itemsize],
        }
    }

    unsafe fn __getbuffer__(
        slf: &Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let this = slf.get();
        // SAFETY: CPython's view; the fields live as long as the object,
        // which the view keeps alive, and never change (default storage).
        unsafe {
            if ffi::PyBuffer_FillInfo(
                view,
                slf.as_ptr(),
                this.data.as_ptr().cast_mut().cast(),
                16,
                1,
                flags,
            ) != 0
            {
                return Err(PyErr::fetch(slf.py()));
            }
            (*view).itemsize = this.itemsize;
            (*view).format = this.format.as_ptr().cast_mut();
            (*view).shape = this.shape.as_ptr().cast_mut();
        }
        Ok(())
    }
}

// ---- reading -------------------------------------------------------------

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PyBuffer<f64>>();
    send_sync::<PyBuffer<u8>>();
    send_sync::<PyBuffer<bool>>();
    send_sync::<ReadOnlyCell<f64>>();
    send_sync::<SharedCell<i32>>();
}

#[test]
fn bytes_are_read_only() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        // Not a constant (constants are immortal: no reference count).
        let data = eval(py, &g, "bytes(bytearray(b'hello world'))");
        let buffer = PyBuffer::<u8>::get(&data).unwrap();
        assert!(buffer.readonly());
        assert_eq!(buffer.dimensions(), 1);
        assert_eq!(buffer.shape(), [11]);
        assert_eq!(buffer.strides(), [1]);
        assert_eq!(
            (buffer.item_size(), buffer.item_count(), buffer.len_bytes()),
            (1, 11, 11)
        );
        assert_eq!(buffer.format().to_str().unwrap(), "B");
        assert!(buffer.is_c_contiguous() && buffer.is_fortran_contiguous());
        assert_eq!(values(buffer.as_slice().unwrap()), b"hello world");
        assert_eq!(buffer.to_vec(), b"hello world");
        assert_eq!(buffer.item(&[4]).unwrap().get(), b'o');
        assert!(buffer.item(&[11]).is_none());
        assert!(buffer.item(&[0, 0]).is_none());
        assert!(buffer.as_mut_slice().is_none());
        assert!(buffer.item_mut(&[0]).is_none());
        assert_eq!(
            buffer_error(py, buffer.copy_from_slice(b"HELLO WORLD")),
            "cannot write into a read-only buffer"
        );
        let mut short = [0u8; 3];
        assert_eq!(
            buffer_error(py, buffer.copy_to_slice(&mut short)),
            "cannot copy a buffer of 11 items into a slice of length 3"
        );
        let mut target = [0u8; 11];
        buffer.copy_to_slice(&mut target).unwrap();
        assert_eq!(&target, b"hello world");
        assert_eq!(buffer.get_ptr(&[0]), buffer.buf_ptr());
        // The exporter stays alive while the buffer does.
        let before = data.get_refcnt();
        drop(buffer);
        assert_eq!(data.get_refcnt(), before - 1);
    });
}

#[test]
fn bytearray_is_written_and_cannot_resize_while_exported() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        let data = eval(py, &g, "bytearray(b'abcd')");
        let buffer = PyBuffer::<u8>::get(&data).unwrap();
        assert!(!buffer.readonly());
        buffer.copy_from_slice(b"wxyz").unwrap();
        buffer.as_mut_slice().unwrap()[0].set(b'W');
        buffer.item_mut(&[3]).unwrap().set(b'Z');
        assert_eq!(data.extract::<Vec<u8>>().unwrap(), b"WxyZ");
        // The protocol's promise: the memory stays put while exported.
        let err = data.call_method1("append", (1,)).unwrap_err();
        assert!(err.is_instance_of::<PyBufferError>(py), "{err}");
        // Released on a thread that never attached: it attaches to release.
        py.detach(|| std::thread::spawn(move || drop(buffer)).join().unwrap());
        data.call_method1("append", (1,)).unwrap();
        assert_eq!(data.extract::<Vec<u8>>().unwrap(), b"WxyZ\x01");
        // An explicit release.
        let buffer = PyBuffer::<u8>::get(&data).unwrap();
        buffer.release(py);
        data.call_method1("append", (2,)).unwrap();
    });
}

#[test]
fn array_module_formats() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        macro_rules! check {
            ($($code:literal => $ty:ty),* $(,)?) => {$({
                let array = eval(py, &g, concat!("array.array('", $code, "', [1, 2, 3])"));
                let buffer = PyBuffer::<$ty>::get(&array)
                    .unwrap_or_else(|err| panic!("{} as {}: {err}", $code, stringify!($ty)));
                assert_eq!(buffer.to_vec(), [1 as $ty, 2 as $ty, 3 as $ty], "{}", $code);
                assert_eq!(buffer.format().to_str().unwrap(), $code);
                buffer.as_mut_slice().unwrap()[1].set(7 as $ty);
                assert_eq!(array.get_item(1).unwrap().extract::<f64>().unwrap(), 7.0);
            })*};
        }
        check!(
            "b" => i8, "B" => u8, "h" => i16, "H" => u16, "i" => i32, "I" => u32,
            "q" => i64, "Q" => u64, "f" => f32, "d" => f64,
        );
        #[cfg(all(target_pointer_width = "64", not(windows)))]
        check!("l" => i64, "L" => u64);
        // `l` is a native C long: read as `isize` too where that is 8 bytes.
        #[cfg(all(target_pointer_width = "64", not(windows)))]
        check!("l" => isize, "L" => usize);
    });
}

#[test]
fn bool_items() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        let view = eval(py, &g, "memoryview(bytearray([0, 1, 2, 0])).cast('?')");
        let buffer = PyBuffer::<bool>::get(&view).unwrap();
        // A byte other than 0 or 1 reads as `true`, never as an invalid bool.
        assert_eq!(buffer.to_vec(), [false, true, true, false]);
        buffer.copy_from_slice(&[true, false, false, true]).unwrap();
        let raw = view.call_method0("tobytes").unwrap();
        assert_eq!(raw.extract::<Vec<u8>>().unwrap(), [1, 0, 0, 1]);
    });
}

#[test]
fn non_contiguous_and_reversed_memoryviews() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        let every_other = eval(py, &g, "memoryview(bytes(range(10)))[::2]");
        let buffer = PyBuffer::<u8>::get(&every_other).unwrap();
        assert_eq!((buffer.shape(), buffer.strides()), (&[5][..], &[2][..]));
        assert!(!buffer.is_c_contiguous() && !buffer.is_fortran_contiguous());
        assert!(buffer.as_slice().is_none() && buffer.as_fortran_slice().is_none());
        assert_eq!(buffer.to_vec(), [0, 2, 4, 6, 8]);
        assert_eq!(buffer.to_fortran_vec(), [0, 2, 4, 6, 8]);
        assert_eq!(buffer.item(&[2]).unwrap().get(), 4);

        let reversed = eval(py, &g, "memoryview(bytes(range(10)))[::-3]");
        let buffer = PyBuffer::<u8>::get(&reversed).unwrap();
        assert_eq!(buffer.strides(), [-3]);
        assert_eq!(buffer.to_vec(), [9, 6, 3, 0]);

        // Writing through a strided view of a bytearray.
        run(py, &g, "target = bytearray(10)");
        let view = eval(py, &g, "memoryview(target)[1::3]");
        let buffer = PyBuffer::<u8>::get(&view).unwrap();
        buffer.copy_from_slice(&[7, 8, 9]).unwrap();
        drop(buffer);
        run(
            py,
            &g,
            "assert target == bytes([0, 7, 0, 0, 8, 0, 0, 9, 0, 0]), target",
        );

        // A contiguous view reversed is one block, but not in index order.
        let reversed = eval(py, &g, "memoryview(bytes(range(4)))[::-1]");
        let buffer = PyBuffer::<u8>::get(&reversed).unwrap();
        assert!(buffer.as_slice().is_none());
        assert_eq!(buffer.to_vec(), [3, 2, 1, 0]);
    });
}

#[test]
fn two_dimensional_and_scalar_views() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        let matrix = eval(py, &g, "memoryview(bytes(range(6))).cast('B', [2, 3])");
        let buffer = PyBuffer::<u8>::get(&matrix).unwrap();
        assert_eq!(buffer.dimensions(), 2);
        assert_eq!(
            (buffer.shape(), buffer.strides()),
            (&[2, 3][..], &[3, 1][..])
        );
        assert!(buffer.is_c_contiguous() && !buffer.is_fortran_contiguous());
        assert_eq!(buffer.to_vec(), [0, 1, 2, 3, 4, 5]);
        assert_eq!(buffer.to_fortran_vec(), [0, 3, 1, 4, 2, 5]);
        let mut fortran = [0u8; 6];
        buffer.copy_to_fortran_slice(&mut fortran).unwrap();
        assert_eq!(fortran, [0, 3, 1, 4, 2, 5]);
        assert_eq!(buffer.item(&[1, 2]).unwrap().get(), 5);
        assert!(buffer.item(&[2, 0]).is_none());
        assert!(buffer.as_fortran_slice().is_none());
        assert_eq!(values(buffer.as_slice().unwrap()), [0, 1, 2, 3, 4, 5]);

        let scalar = eval(py, &g, "memoryview(bytes([42])).cast('B', [])");
        let buffer = PyBuffer::<u8>::get(&scalar).unwrap();
        assert_eq!((buffer.dimensions(), buffer.item_count()), (0, 1));
        assert_eq!(buffer.to_vec(), [42]);
        assert_eq!(buffer.item(&[]).unwrap().get(), 42);

        let empty = eval(py, &g, "array.array('d')");
        let buffer = PyBuffer::<f64>::get(&empty).unwrap();
        assert_eq!(buffer.item_count(), 0);
        assert!(buffer.to_vec().is_empty());
        assert!(buffer.as_slice().unwrap().is_empty());
    });
}

#[test]
fn formats_that_do_not_match() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        let bytes = eval(py, &g, "b'abcdefgh'");
        assert_eq!(
            buffer_error(py, PyBuffer::<f64>::get(&bytes)),
            "cannot read a buffer of format 'B' (1-byte unsigned integer) as f64 (8-byte float): \
             the buffer's item type must match"
        );
        assert_eq!(
            buffer_error(py, PyBuffer::<i8>::get(&bytes)),
            "cannot read a buffer of format 'B' (1-byte unsigned integer) as i8 (1-byte signed \
             integer): the buffer's item type must match"
        );
        let doubles = eval(py, &g, "array.array('d', [1.0])");
        assert_eq!(
            buffer_error(py, PyBuffer::<i64>::get(&doubles)),
            "cannot read a buffer of format 'd' (8-byte float) as i64 (8-byte signed integer): \
             the buffer's item type must match"
        );
        let ints = eval(py, &g, "array.array('i', [1])");
        assert_eq!(
            buffer_error(py, PyBuffer::<u32>::get(&ints)),
            "cannot read a buffer of format 'i' (4-byte signed integer) as u32 (4-byte unsigned \
             integer): the buffer's item type must match"
        );
        assert!(PyBuffer::<i32>::get(&ints).is_ok());

        // Not a buffer at all: CPython's TypeError.
        let err = PyBuffer::<u8>::get(&eval(py, &g, "42")).unwrap_err();
        assert!(err.is_instance_of::<PyTypeError>(py), "{err}");
        assert_eq!(
            err.value(py).to_string(),
            "a bytes-like object is required, not 'int'"
        );

        // Items that are not aligned for an atomic access.
        let misaligned = eval(py, &g, "memoryview(bytearray(24))[1:9].cast('d')");
        assert_eq!(
            buffer_error(py, PyBuffer::<f64>::get(&misaligned)),
            "cannot read the buffer as f64: its items are not aligned to 8 bytes"
        );
        assert!(PyBuffer::<u8>::get(&misaligned).is_err());
        let bytes_of_it = eval(py, &g, "memoryview(bytearray(24))[1:9]");
        assert!(PyBuffer::<u8>::get(&bytes_of_it).is_ok());
    });
}

/// How many items `object`'s buffer holds, read as `T`.
fn items<T: pyo3_ft::buffer::Element>(object: &Bound<'_, PyAny>) -> usize {
    PyBuffer::<T>::get(object).unwrap().item_count()
}

#[test]
fn format_strings_with_prefixes() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        let formatted = |format: &str, itemsize: isize| {
            let object = Bound::new(py, Formatted::new(format, itemsize)).unwrap();
            object.into_any()
        };
        let little = cfg!(target_endian = "little");
        assert_eq!(items::<u32>(&formatted("<I", 4)), 4);
        assert_eq!(items::<i32>(&formatted("<l", 4)), 4);
        assert_eq!(items::<i64>(&formatted("=q", 8)), 2);
        assert_eq!(items::<f64>(&formatted("@d", 8)), 2);
        assert_eq!(items::<u16>(&formatted("=H", 2)), 8);
        let values = PyBuffer::<u64>::get(&formatted("Q", 8)).unwrap().to_vec();
        assert_eq!(values, [0x0102_0304_0506_0708, 0x1112_1314_1516_1718]);
        // One byte has no byte order.
        assert!(PyBuffer::<u8>::get(&formatted(">B", 1)).is_ok());
        assert!(PyBuffer::<i8>::get(&formatted("!b", 1)).is_ok());
        let swapped = if little { ">d" } else { "<d" };
        assert_eq!(
            buffer_error(py, PyBuffer::<f64>::get(&formatted(swapped, 8))),
            format!(
                "cannot read a buffer of format '{swapped}' (8-byte float, in the other byte \
                 order than this machine's) as f64 (8-byte float): the buffer's item type must match"
            )
        );
        assert_eq!(
            buffer_error(py, PyBuffer::<f64>::get(&formatted("2d", 16))),
            "cannot read a buffer of format '2d' (not a single number or bool that pyo3-ft \
             reads) as f64 (8-byte float): the buffer's item type must match"
        );
        // Format and size must agree: an `i` that claims 8 bytes is refused.
        assert_eq!(
            buffer_error(py, PyBuffer::<i32>::get(&formatted("i", 8))),
            "cannot read a buffer of format 'i' (but items of 8 bytes) as i32 (4-byte signed \
             integer): the buffer's item type must match"
        );
        // The exporter reads the same through memoryview.
        let view = PyMemoryView::from(&formatted("<H", 2)).unwrap();
        assert_eq!(view.getattr("format").unwrap().to_string(), "<H");
        drop(g);
    });
}

#[test]
fn element_types_from_formats() {
    use ElementType::*;
    let native_long = std::mem::size_of::<std::ffi::c_long>();
    for (format, expected) in [
        (c"B", UnsignedInteger { bytes: 1 }),
        (c"c", UnsignedInteger { bytes: 1 }),
        (c"b", SignedInteger { bytes: 1 }),
        (c"?", Bool),
        (c"h", SignedInteger { bytes: 2 }),
        (c"H", UnsignedInteger { bytes: 2 }),
        (c"i", SignedInteger { bytes: 4 }),
        (c"I", UnsignedInteger { bytes: 4 }),
        (c"l", SignedInteger { bytes: native_long }),
        (c"@L", UnsignedInteger { bytes: native_long }),
        (c"q", SignedInteger { bytes: 8 }),
        (c"Q", UnsignedInteger { bytes: 8 }),
        (
            c"n",
            SignedInteger {
                bytes: std::mem::size_of::<isize>(),
            },
        ),
        (
            c"N",
            UnsignedInteger {
                bytes: std::mem::size_of::<usize>(),
            },
        ),
        (c"e", Float { bytes: 2 }),
        (c"f", Float { bytes: 4 }),
        (c"d", Float { bytes: 8 }),
        (c"=l", SignedInteger { bytes: 4 }),
        (c"=L", UnsignedInteger { bytes: 4 }),
        (c"=q", SignedInteger { bytes: 8 }),
        (c"=?", Bool),
        (c"=n", Unknown),
        (c"x", Unknown),
        (c"", Unknown),
        (c"dd", Unknown),
        (c"T{d:x:}", Unknown),
        (c"P", Unknown),
    ] {
        assert_eq!(ElementType::from_format(format), expected, "{format:?}");
    }
    let (native, foreign) = if cfg!(target_endian = "little") {
        (c"<i", c">i")
    } else {
        (c">i", c"<i")
    };
    assert_eq!(ElementType::from_format(native), SignedInteger { bytes: 4 });
    assert_eq!(ElementType::from_format(foreign), Unknown);
    assert_eq!(
        ElementType::from_format(c"!i"),
        ElementType::from_format(c">i")
    );
}

#[test]
fn one_buffer_written_by_threads_at_once() {
    start();
    const N: usize = 1 << 14;
    Python::attach(|py| {
        let g = globals(py);
        let data = eval(py, &g, &format!("bytearray({N})"));
        let buffer = PyBuffer::<u8>::get(&data).unwrap();
        let barrier = Barrier::new(THREADS);
        // One shared handle, used detached by every thread.
        py.detach(|| {
            std::thread::scope(|s| {
                for t in 0..THREADS {
                    let (buffer, barrier) = (&buffer, &barrier);
                    s.spawn(move || {
                        let cells = buffer.as_mut_slice().unwrap();
                        barrier.wait();
                        for (i, cell) in cells.iter().enumerate().skip(t).step_by(THREADS) {
                            cell.set((i % 251) as u8);
                        }
                    });
                }
            })
        });
        drop(buffer);
        g.set_item("data", &data).unwrap();
        run(
            py,
            &g,
            &format!("assert data == bytes(i % 251 for i in range({N})), 'lost writes'"),
        );
    });
}

// ---- exporting -----------------------------------------------------------

#[test]
fn safe_exports_read_back_from_python() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        run(
            py,
            &g,
            r#"
blob = Blob(b"exported")
assert bytes(blob) == b"exported"
with memoryview(blob) as view:
    assert view.readonly and view.format == "B" and view.shape == (8,)
    assert view.tobytes() == b"exported" and view[2] == ord("p")
    try:
        view[0] = 0
    except TypeError as err:
        assert "read-only" in str(err), err
    else:
        raise AssertionError("a read-only export was written")
assert bytearray(blob) == bytearray(b"exported")
floats = Floats([0.5, 1.5, 2.5])
with memoryview(floats) as view:
    assert (view.format, view.itemsize, view.shape, view.strides) == ("d", 8, (3,), (8,))
    assert view.tolist() == [0.5, 1.5, 2.5] and view.nbytes == 24
    assert view.c_contiguous and view.contiguous
    assert view[::2].tolist() == [0.5, 2.5]
try:
    memoryview(Floats([]))
except ValueError as err:
    assert str(err) == "nothing to export", err
else:
    raise AssertionError("expected the error of __getbuffer__")
"#,
        );
        // And from Rust, through the same protocol.
        let floats = eval(py, &g, "Floats([1.0, 2.0])");
        let buffer = PyBuffer::<f64>::get(&floats).unwrap();
        assert!(buffer.readonly());
        assert_eq!(buffer.to_vec(), [1.0, 2.0]);
        // A consumer that asks for a writable view is refused, and the
        // view's `obj` is null, as CPython requires.
        let mut view = ffi::Py_buffer::new();
        view.obj = std::ptr::dangling_mut();
        // SAFETY: a live object and a view to fill.
        let status =
            unsafe { ffi::PyObject_GetBuffer(floats.as_ptr(), &mut view, ffi::PyBUF_WRITABLE) };
        assert_eq!(status, -1);
        assert!(view.obj.is_null());
        let err = PyErr::fetch(py);
        assert!(err.is_instance_of::<PyBufferError>(py));
        assert_eq!(
            err.value(py).to_string(),
            "Floats exports a read-only buffer"
        );
        // A simple request (no shape, no format) of the typed export.
        let mut view = ffi::Py_buffer::new();
        // SAFETY: as above; released below.
        let status =
            unsafe { ffi::PyObject_GetBuffer(floats.as_ptr(), &mut view, ffi::PyBUF_SIMPLE) };
        assert_eq!(status, 0);
        assert!(view.shape.is_null() && view.format.is_null() && view.strides.is_null());
        assert_eq!(
            (view.len, view.readonly, view.obj),
            (16, 1, floats.as_ptr())
        );
        // SAFETY: filled above.
        unsafe { ffi::PyBuffer_Release(&mut view) };
        assert!(view.obj.is_null());
    });
}

#[test]
fn mutable_class_refuses_mut_borrows_while_exported() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        run(
            py,
            &g,
            r#"
g = Growable()
g.push(1)
view = memoryview(g)
assert view.tobytes() == b"\x01"
try:
    g.push(2)
except BufferError as err:
    assert str(err) == (
        "Growable.push() cannot borrow the object mutably while a buffer export of it is "
        "live (a memoryview or another consumer of its buffer); release them first"
    ), err
else:
    raise AssertionError("pushed while exported")
second = memoryview(g)
try:
    g.push(2)
except BufferError as err:
    assert "while 2 buffer exports of it are live" in str(err), err
else:
    raise AssertionError("pushed while exported twice")
assert len(g) == 1  # `&self` methods still run
view.release()
second.release()
g.push(2)
assert bytes(g) == b"\x01\x02" and len(g) == 2
"#,
        );
        // From Rust: `try_borrow_mut` gets the same error while a
        // `PyBuffer` lives.
        let object = eval(py, &g, "g");
        let growable = object.cast::<Growable>().unwrap();
        let buffer = PyBuffer::<u8>::get(&object).unwrap();
        let err = growable.try_borrow_mut().map(drop).unwrap_err();
        assert!(err.is_instance_of::<PyBufferError>(py), "{err}");
        assert_eq!(growable.borrow().data, [1, 2]);
        drop(buffer);
        growable.try_borrow_mut().unwrap().data.push(3);
        assert_eq!(growable.borrow().data, [1, 2, 3]);
    });
}

#[test]
fn mutable_exports_and_pushes_from_threads() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        run(
            py,
            &g,
            r#"
import threading
g = Growable()
for i in range(16):
    g.push(i)
barrier = threading.Barrier(4)
refused = []
def reader():
    barrier.wait()
    for _ in range(300):
        data = bytes(g)
        assert data[:16] == bytes(range(16)), data
def writer():
    barrier.wait()
    for i in range(300):
        try:
            g.push(i % 256)
        except BufferError:
            refused.append(i)
threads = [threading.Thread(target=reader) for _ in range(3)]
threads.append(threading.Thread(target=writer))
for t in threads: t.start()
for t in threads: t.join()
assert len(g) == 16 + 300 - len(refused)
g.push(0)  # no export is left counted
"#,
        );
    });
}

#[test]
fn raw_exports_and_release() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        run(
            py,
            &g,
            r#"
raw = Raw(b"raw bytes")
assert bytes(raw) == b"raw bytes"
assert raw.releases == 1
with memoryview(raw) as view:
    assert view.readonly and view.tobytes() == b"raw bytes"
    assert raw.releases == 1
assert raw.releases == 2
"#,
        );
        let raw = eval(py, &g, "raw");
        let before = raw.get_refcnt();
        let buffer = PyBuffer::<u8>::get(&raw).unwrap();
        assert_eq!(raw.get_refcnt(), before + 1);
        assert_eq!(buffer.to_vec(), b"raw bytes");
        drop(buffer);
        assert_eq!(raw.get_refcnt(), before);
        // Released on a thread that never attached. (Its reference is
        // dropped there too, though on a free-threaded build the owning
        // thread may merge that count later, so it is not compared here.)
        let buffer = PyBuffer::<u8>::get(&raw).unwrap();
        py.detach(|| std::thread::spawn(move || drop(buffer)).join().unwrap());
        assert_eq!(
            raw.getattr("releases").unwrap().extract::<usize>().unwrap(),
            4
        );
    });
}

#[test]
fn failed_exports_leave_no_reference() {
    start();
    Python::attach(|py| {
        let g = globals(py);
        for (mode, message) in [
            (0, "ValueError: no buffer today"),
            (1, "ValueError: filled, then failed"),
            (2, "boom in __getbuffer__"),
        ] {
            let object = Bound::new(py, Failing { mode }).unwrap();
            let before = object.get_refcnt();
            let mut view = ffi::Py_buffer::new();
            // Garbage a consumer might leave there: the slot clears it.
            view.obj = std::ptr::dangling_mut();
            // SAFETY: a live object and a view to fill.
            let status =
                unsafe { ffi::PyObject_GetBuffer(object.as_ptr(), &mut view, ffi::PyBUF_SIMPLE) };
            assert_eq!(status, -1, "mode {mode}");
            assert!(view.obj.is_null(), "mode {mode}");
            let err = PyErr::fetch(py);
            assert!(err.to_string().contains(message), "mode {mode}: {err}");
            assert_eq!(object.get_refcnt(), before, "mode {mode}");
        }
        // Success without `obj`: the slot fills it in, so release works.
        let object = Bound::new(py, Failing { mode: 3 }).unwrap();
        let before = object.get_refcnt();
        let buffer = PyBuffer::<u8>::get(object.as_any()).unwrap();
        assert_eq!(buffer.to_vec(), b"fail");
        assert_eq!(object.get_refcnt(), before + 1);
        drop(buffer);
        assert_eq!(object.get_refcnt(), before);
        // From Python: the exception as raised.
        run(
            py,
            &g,
            "try:\n    memoryview(Failing(0))\nexcept ValueError as e:\n    assert str(e) == 'no buffer today'\nelse:\n    raise AssertionError",
        );
    });
}

// ---- NumPy ---------------------------------------------------------------

#[test]
fn numpy_array_filled_by_four_threads() {
    start();
    const N: usize = 1 << 16;
    Python::attach(|py| {
        let Some(_numpy) = numpy(py) else { return };
        let g = globals(py);
        let array = eval(py, &g, &format!("np.zeros({N})"));
        g.set_item("a", &array).unwrap();

        // One handle shared by four detached threads, each writing its own
        // stripe; the barrier makes them write at the same time.
        let buffer = PyBuffer::<f64>::get(&array).unwrap();
        assert_eq!(buffer.shape(), [N]);
        let barrier = Barrier::new(THREADS);
        py.detach(|| {
            std::thread::scope(|s| {
                for t in 0..THREADS {
                    let (buffer, barrier) = (&buffer, &barrier);
                    s.spawn(move || {
                        let cells = buffer.as_mut_slice().expect("a contiguous writable array");
                        let stripe = N / THREADS;
                        barrier.wait();
                        let mine = &cells[t * stripe..(t + 1) * stripe];
                        for (i, cell) in (t * stripe..).zip(mine) {
                            cell.set(i as f64 * 0.5 + 1.0);
                        }
                    });
                }
            })
        });
        drop(buffer);
        run(
            py,
            &g,
            &format!("assert (a == np.arange({N}) * 0.5 + 1.0).all(), a"),
        );

        // Four handles, one per thread, each taken while attached (NumPy's
        // `__getbuffer__` from four threads at once).
        let array = array.unbind();
        let barrier = Barrier::new(THREADS);
        py.detach(|| {
            std::thread::scope(|s| {
                for t in 0..THREADS {
                    let (array, barrier) = (&array, &barrier);
                    s.spawn(move || {
                        let buffer = Python::attach(|py| {
                            PyBuffer::<f64>::get(array.bind(py).as_any()).unwrap()
                        });
                        barrier.wait();
                        let indices: Vec<usize> = (t..N).step_by(THREADS).collect();
                        for i in indices {
                            buffer.item_mut(&[i]).unwrap().set(-(i as f64));
                        }
                        // Dropped detached: released by attaching.
                        drop(buffer);
                    });
                }
            })
        });
        run(py, &g, &format!("assert (a == -np.arange({N})).all(), a"));
    });
}

#[test]
fn numpy_fortran_strided_and_other_arrays() {
    start();
    Python::attach(|py| {
        let Some(_numpy) = numpy(py) else { return };
        let g = globals(py);

        let fortran = eval(py, &g, "np.asfortranarray(np.arange(6.0).reshape(2, 3))");
        let buffer = PyBuffer::<f64>::get(&fortran).unwrap();
        assert_eq!(
            (buffer.shape(), buffer.strides()),
            (&[2, 3][..], &[8, 16][..])
        );
        assert!(buffer.is_fortran_contiguous() && !buffer.is_c_contiguous());
        assert!(buffer.as_slice().is_none());
        assert_eq!(buffer.to_vec(), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(buffer.to_fortran_vec(), [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        assert_eq!(
            values(buffer.as_fortran_slice().unwrap()),
            [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
        assert_eq!(buffer.item(&[1, 2]).unwrap().get(), 5.0);
        buffer
            .copy_from_fortran_slice(&[10.0, 13.0, 11.0, 14.0, 12.0, 15.0])
            .unwrap();
        g.set_item("f", &fortran).unwrap();
        run(
            py,
            &g,
            "assert (f == np.arange(10.0, 16.0).reshape(2, 3)).all(), f",
        );

        run(py, &g, "base = np.arange(24.0).reshape(4, 6)");
        let strided = eval(py, &g, "base[::2, 1::2]");
        let buffer = PyBuffer::<f64>::get(&strided).unwrap();
        assert_eq!(
            (buffer.shape(), buffer.strides()),
            (&[2, 3][..], &[96, 16][..])
        );
        assert!(!buffer.is_c_contiguous() && !buffer.is_fortran_contiguous());
        assert_eq!(buffer.to_vec(), [1.0, 3.0, 5.0, 13.0, 15.0, 17.0]);
        buffer
            .copy_from_slice(&[-1.0, -3.0, -5.0, -13.0, -15.0, -17.0])
            .unwrap();
        drop(buffer);
        run(
            py,
            &g,
            "assert base.sum() == sum(range(24)) - 2 * (1 + 3 + 5 + 13 + 15 + 17), base\n\
             assert base[2, 5] == -17.0 and base[1, 1] == 7.0",
        );

        let reversed = eval(py, &g, "np.arange(5.0)[::-1]");
        let buffer = PyBuffer::<f64>::get(&reversed).unwrap();
        assert_eq!(buffer.strides(), [-8]);
        assert_eq!(buffer.to_vec(), [4.0, 3.0, 2.0, 1.0, 0.0]);

        let ints = eval(py, &g, "np.arange(4, dtype=np.int64)");
        assert_eq!(PyBuffer::<i64>::get(&ints).unwrap().to_vec(), [0, 1, 2, 3]);
        let message = buffer_error(py, PyBuffer::<i32>::get(&ints));
        assert!(
            message.contains("as i32 (4-byte signed integer)"),
            "{message}"
        );
        let floats = eval(py, &g, "np.ones(3, dtype=np.float32)");
        assert_eq!(PyBuffer::<f32>::get(&floats).unwrap().to_vec(), [1.0; 3]);
        let bools = eval(py, &g, "np.array([True, False, True])");
        assert_eq!(
            PyBuffer::<bool>::get(&bools).unwrap().to_vec(),
            [true, false, true]
        );
        let scalar = eval(py, &g, "np.array(2.5)");
        let buffer = PyBuffer::<f64>::get(&scalar).unwrap();
        assert_eq!((buffer.dimensions(), buffer.to_vec()), (0, vec![2.5]));

        let swapped = if cfg!(target_endian = "little") {
            ">f8"
        } else {
            "<f8"
        };
        let foreign = eval(py, &g, &format!("np.zeros(2, dtype='{swapped}')"));
        let message = buffer_error(py, PyBuffer::<f64>::get(&foreign));
        assert!(message.contains("in the other byte order"), "{message}");

        let readonly = eval(py, &g, "np.zeros(3)");
        readonly
            .getattr("flags")
            .unwrap()
            .setattr("writeable", false)
            .unwrap();
        let buffer = PyBuffer::<f64>::get(&readonly).unwrap();
        assert!(buffer.readonly() && buffer.as_mut_slice().is_none());

        // NumPy reads a class's export.
        run(
            py,
            &g,
            r#"
exported = np.asarray(Floats([1.0, 2.0, 4.0]))
assert exported.dtype == np.float64 and exported.tolist() == [1.0, 2.0, 4.0]
assert not exported.flags.writeable
assert np.frombuffer(Blob(b"\x01\x02"), dtype=np.uint8).tolist() == [1, 2]
"#,
        );
    });
}
