//! Explicit finalization of the embedded interpreter
//! (`pyo3_ft::embed::finalize`) with threads racing it. Finalization happens
//! once per process, so every scenario runs in a child process; a crash or
//! a hang there fails the parent.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyo3_ft::embed::{finalize, Config, EmbedError};
use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;
use pyo3_ft::AttachError;
use pyo3_ft_tests::run_child;

/// How long a parked thread is given to show it is not coming back.
const PARKED_GRACE: Duration = Duration::from_millis(300);

#[test]
fn finalize_is_defined_for_every_caller() {
    run_child("child_finalize_errors");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_finalize_errors() {
    assert_eq!(finalize(), Err(EmbedError::NotStarted));
    let kept: Py<PyAny> = Python::attach(|py| {
        // Finalizing from an attached thread would wait for itself.
        assert_eq!(finalize(), Err(EmbedError::CalledWhileAttached));
        py.eval("{'kept': [1, 2, 3]}", None, None).unwrap().unbind()
    });
    finalize().unwrap();
    assert_eq!(finalize(), Err(EmbedError::Finalized));
    assert_eq!(Config::new().start(), Err(EmbedError::Finalized));
    assert_eq!(Python::try_attach(|_| ()), Err(AttachError::Finalizing));
    let attach = std::panic::catch_unwind(|| Python::attach(|_| ()));
    let message = attach.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("finalizing or has finalized"), "{message}");
    // Neither freed nor a crash.
    drop(kept);
}

/// What a racing thread saw when it stopped.
#[derive(Debug)]
struct Outcome {
    /// Attaches that ran Python code.
    attached: usize,
    /// The error that ended the loop.
    error: AttachError,
}

#[test]
fn threads_racing_finalize_get_the_defined_outcome() {
    run_child("child_threads_race_finalize");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_threads_race_finalize() {
    Config::new().start().unwrap();
    const RACERS: usize = 4;
    // Readiness signals: sent without waiting, received detached.
    let (ready, readiness) = mpsc::channel::<()>();
    let (report, outcomes) = mpsc::channel::<Outcome>();

    // Racers attach over and over, running Python and keeping the objects
    // they made; they drop those after the interpreter is gone. Each either
    // comes back with `AttachError::Finalizing` or, caught running Python
    // when the world stopped, stays parked inside CPython.
    for racer in 0..RACERS {
        let (ready, report) = (ready.clone(), report.clone());
        std::thread::spawn(move || {
            let mut kept: Vec<Py<PyAny>> = Vec::new();
            let mut attached = 0;
            let error = loop {
                let result = Python::try_attach(|py| {
                    let list = py.eval("[i * i for i in range(100)]", None, None).unwrap();
                    kept.push(list.unbind());
                });
                match result {
                    Ok(()) => attached += 1,
                    Err(error) => break error,
                }
                if attached == 1 {
                    ready.send(()).unwrap();
                }
                if kept.len() > 64 {
                    kept.clear();
                }
                // Half of them spend most of their time detached.
                if racer % 2 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            };
            drop(kept);
            report.send(Outcome { attached, error }).unwrap();
        });
    }

    // Running Python code when the world stops: parked by CPython for good.
    let state = Python::attach(|py| PyDict::new(py).unbind());
    let looping_returned = Arc::new(AtomicBool::new(false));
    {
        let (state, returned) = (
            Python::attach(|py| state.clone_ref(py)),
            looping_returned.clone(),
        );
        std::thread::spawn(move || {
            let _ = Python::try_attach(|py| {
                let code = "looping = True\nwhile True: pass";
                let _ = py.run(code, Some(state.bind(py)), None);
            });
            returned.store(true, SeqCst);
        });
    }
    for _ in 0..RACERS {
        readiness.recv().unwrap();
    }
    while !Python::attach(|py| state.bind(py).contains("looping").unwrap()) {
        assert!(!looping_returned.load(SeqCst), "the looping script failed");
        std::thread::sleep(Duration::from_millis(1));
    }

    let kept = Python::attach(|py| py.eval("object()", None, None).unwrap().unbind());

    // Attached, running Rust code when finalization starts: finalization
    // waits until it detaches (on GIL builds it holds the GIL), and then it
    // cannot attach again. It waits attached for a flag that is set without
    // attaching, so a collection stopping the world meanwhile cannot
    // deadlock.
    let finalizing = Arc::new(AtomicBool::new(false));
    let held = Arc::new(AtomicBool::new(false));
    {
        let (report, held, finalizing) = (report.clone(), held.clone(), finalizing.clone());
        std::thread::spawn(move || {
            Python::attach(|_py| {
                ready.send(()).unwrap();
                while !finalizing.load(SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::sleep(Duration::from_millis(100));
                held.store(true, SeqCst);
            });
            // Until the door closes (another thread's collection may have
            // stopped the world, and with it finalization, meanwhile).
            let mut attached = 1;
            let error = loop {
                match Python::try_attach(|_| ()) {
                    Ok(()) => attached += 1,
                    Err(error) => break error,
                }
            };
            report.send(Outcome { attached, error }).unwrap();
        });
    }
    readiness.recv().unwrap();

    finalizing.store(true, SeqCst);
    finalize().unwrap();
    assert!(
        held.load(SeqCst),
        "finalization completed while a thread was still attached"
    );

    // Every thread that comes back saw the door closed; a racer caught
    // running Python stays parked inside CPython.
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut came_back = Vec::new();
    while let Ok(outcome) =
        outcomes.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        came_back.push(outcome);
        if came_back.len() == RACERS + 1 {
            break;
        }
    }
    // The attached-in-Rust thread always comes back.
    assert!(!came_back.is_empty());
    for outcome in &came_back {
        assert_eq!(outcome.error, AttachError::Finalizing, "{came_back:?}");
        assert!(outcome.attached >= 1, "{came_back:?}");
    }
    eprintln!(
        "{} of {RACERS} racers came back; the others were parked by CPython",
        came_back.len() - 1
    );

    std::thread::sleep(PARKED_GRACE);
    assert!(
        !looping_returned.load(SeqCst),
        "a thread running Python during finalization must stay parked"
    );
    assert_eq!(Python::try_attach(|_| ()), Err(AttachError::Finalizing));
    drop(kept);
}

#[test]
fn finalize_after_an_implicit_start() {
    run_child("child_finalize_after_implicit_start");
}

#[test]
#[ignore = "run in a child process by its parent test"]
fn child_finalize_after_implicit_start() {
    // Thread states kept by threads that have exited, and by threads that
    // are still alive, detached.
    let (stop, stopped) = mpsc::channel::<()>();
    let alive = std::thread::spawn(move || {
        let kept = Python::attach(|py| py.eval("'alive'", None, None).unwrap().unbind());
        stopped.recv().unwrap();
        // After finalization: left alone.
        drop(kept);
        Python::try_attach(|_| ()).unwrap_err()
    });
    std::thread::spawn(|| Python::attach(|py| py.run("x = 1", None, None).unwrap()))
        .join()
        .unwrap();
    // Python's own atexit callbacks run on finalization.
    let marker = std::env::temp_dir().join(format!("pyo3-ft-atexit-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    Python::attach(|py| {
        let code = format!(
            "import atexit, pathlib\natexit.register(pathlib.Path({:?}).write_text, 'ran')",
            marker.to_str().unwrap()
        );
        py.run(&code, None, None).unwrap();
    });
    finalize().unwrap();
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran");
    let _ = std::fs::remove_file(&marker);
    stop.send(()).unwrap();
    assert_eq!(alive.join().unwrap(), AttachError::Finalizing);
}
