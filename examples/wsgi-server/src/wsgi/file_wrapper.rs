//! `wsgi.file_wrapper` (PEP 3333's optional platform-specific file
//! handling): wraps a file-like object into an iterable of its blocks, with
//! the `close()` that closes the file once the response is done.

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyBytes;
use pyo3_ft::{intern, pyclass, pymethods};

/// `environ["wsgi.file_wrapper"](filelike, block_size=8192)`.
#[pyclass(module = "wsgi_server", name = "FileWrapper")]
pub struct FileWrapper {
    filelike: Py<PyAny>,
    block_size: usize,
}

#[pymethods]
impl FileWrapper {
    #[new]
    #[py(signature = (filelike, block_size = 8192))]
    fn new(filelike: Bound<'_, PyAny>, block_size: usize) -> PyResult<Self> {
        if block_size == 0 {
            return Err(pyo3_ft::exceptions::PyValueError::new_err(
                "block_size must be positive",
            ));
        }
        Ok(FileWrapper {
            filelike: filelike.unbind(),
            block_size,
        })
    }

    fn __iter__<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.clone()
    }

    /// The next block; the iteration ends at the first empty read.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let block = self
            .filelike
            .bind(py)
            .call_method1(intern!(py, "read"), (self.block_size,))?;
        let empty = match block.downcast::<PyBytes>() {
            Ok(bytes) => bytes.as_bytes().is_empty(),
            // Not bytes: passed on, for the server to reject as PEP 3333 says.
            Err(_) => false,
        };
        Ok((!empty).then_some(block))
    }

    /// Closes the file-like object, if it can be closed.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let filelike = self.filelike.bind(py);
        if let Some(close) = filelike.getattr_opt(intern!(py, "close"))? {
            close.call0()?;
        }
        Ok(())
    }
}
