// Rule: `Bound<'py, T>` is not `Send`: it cannot travel through an `mpsc` channel to another thread.
use std::sync::mpsc;

use pyo3_ft::prelude::*;

fn main() {
    Python::attach(|py| {
        let (tx, rx) = mpsc::channel::<Bound<'_, PyAny>>();
        let worker = std::thread::spawn(move || rx.recv().unwrap().is_none());
        tx.send(py.none()).unwrap();
        worker.join().unwrap();
    });
}
