//! The buffer protocol from Python: functions that read and write NumPy
//! arrays (or any buffer of float64) without copying, detached, and classes
//! whose memory Python reads through `memoryview`.

use pyo3_ft::buffer::PyBuffer;
use pyo3_ft::exceptions::PyValueError;
use pyo3_ft::prelude::*;
use pyo3_ft::{pyclass, pyfunction, pymethods};

/// The sum of a buffer of float64 (any shape and strides), computed
/// detached.
#[pyfunction]
pub fn sum_f64(py: Python<'_>, values: PyBuffer<f64>) -> f64 {
    py.detach(|| match values.as_slice() {
        Some(cells) => cells.iter().map(|cell| cell.get()).sum(),
        None => values.to_vec().iter().sum(),
    })
}

/// Writes `value` into items `start..stop` of a one-dimensional buffer of
/// float64, detached; Python threads call it on stripes of one array.
#[pyfunction]
pub fn fill_range(
    py: Python<'_>,
    values: PyBuffer<f64>,
    start: usize,
    stop: usize,
    value: f64,
) -> PyResult<()> {
    if values.dimensions() != 1 || stop > values.item_count() || start > stop {
        return Err(PyValueError::new_err(format!(
            "fill_range() needs a one-dimensional buffer and 0 <= start <= stop <= {}",
            values.item_count()
        )));
    }
    if values.readonly() {
        return Err(pyo3_ft::exceptions::PyBufferError::new_err(
            "fill_range() cannot write into a read-only buffer",
        ));
    }
    py.detach(|| {
        for i in start..stop {
            if let Some(cell) = values.item_mut(&[i]) {
                cell.set(value);
            }
        }
    });
    Ok(())
}

/// Sets item `i` of a one-dimensional buffer of float64 to `i * scale`,
/// from `threads` Rust threads at once, each writing every `threads`-th
/// item.
#[pyfunction]
pub fn fill_parallel(
    py: Python<'_>,
    values: PyBuffer<f64>,
    threads: usize,
    scale: f64,
) -> PyResult<()> {
    if values.dimensions() != 1 || values.readonly() || threads == 0 {
        return Err(PyValueError::new_err(
            "fill_parallel() needs a writable one-dimensional buffer and threads >= 1",
        ));
    }
    let n = values.item_count();
    let start = std::sync::Barrier::new(threads);
    py.detach(|| {
        std::thread::scope(|s| {
            for t in 0..threads {
                let (values, start) = (&values, &start);
                s.spawn(move || {
                    start.wait();
                    for i in (t..n).step_by(threads) {
                        if let Some(cell) = values.item_mut(&[i]) {
                            cell.set(i as f64 * scale);
                        }
                    }
                });
            }
        })
    });
    Ok(())
}

/// Immutable bytes that Python reads through the buffer protocol:
/// `memoryview(b)`, `bytes(b)`, `numpy.frombuffer(b, numpy.uint8)`.
#[pyclass(module = "ftbench")]
pub struct Bytes {
    data: Vec<u8>,
}

#[pymethods]
impl Bytes {
    #[new]
    fn new(data: Vec<u8>) -> Self {
        Bytes { data }
    }

    fn __len__(&self) -> usize {
        self.data.len()
    }

    fn __getbuffer__(&self) -> &[u8] {
        &self.data
    }
}

/// Float64 samples that grow: `push` raises `BufferError` while a
/// `memoryview` (or NumPy array) of them is alive.
#[pyclass(module = "ftbench", mutable)]
pub struct Samples {
    values: Vec<f64>,
}

#[pymethods]
impl Samples {
    #[new]
    fn new() -> Self {
        Samples { values: Vec::new() }
    }

    fn push(&mut self, value: f64) {
        self.values.push(value);
    }

    fn __len__(&self) -> usize {
        self.values.len()
    }

    fn __getbuffer__(&self) -> &[f64] {
        &self.values
    }
}
