//! The edges of a thread's life: a `Py` released by a thread-local
//! destructor after the thread's own thread state is gone. Scenarios that
//! could abort the process run in a child process.

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use pyo3_ft_tests::run_child;

/// A module-level Python class whose instances count their own deaths.
const MORTAL: &str = "
deaths = []
class Mortal:
    def __del__(self):
        deaths.append(1)
";

fn deaths(globals: &Bound<'_, PyDict>) -> usize {
    globals.get_item("deaths").unwrap().unwrap().len().unwrap()
}

thread_local! {
    /// Registered before the thread's pyo3-ft state, so destroyed after it.
    static KEPT: std::cell::RefCell<Option<Py<PyAny>>> = const { std::cell::RefCell::new(None) };
}

#[test]
fn py_dropped_by_a_thread_local_destructor_is_released() {
    run_child("child_py_dropped_by_a_thread_local_destructor");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_py_dropped_by_a_thread_local_destructor() {
    let globals = Python::attach(|py| {
        let globals = PyDict::new(py);
        py.run(MORTAL, Some(&globals), None).unwrap();
        globals.unbind()
    });
    const THREADS: usize = 8;
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let globals = Python::attach(|py| globals.clone_ref(py));
            std::thread::spawn(move || {
                // Touch the thread-local first, so that its destructor is
                // registered before (and runs after) the thread state's.
                KEPT.with_borrow(|kept| assert!(kept.is_none()));
                Python::attach(|py| {
                    let mortal = py.eval("Mortal()", Some(globals.bind(py)), None).unwrap();
                    KEPT.set(Some(mortal.unbind()));
                });
            })
        })
        .collect();
    Python::attach(|py| py.detach(|| handles.into_iter().for_each(|h| h.join().unwrap())));
    Python::attach(|py| {
        py.run("import gc; gc.collect()", None, None).unwrap();
        assert_eq!(deaths(globals.bind(py)), THREADS);
    });
}
