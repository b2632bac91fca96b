//! The executor: values, Python exceptions and panics come back as results
//! and never kill a worker; workers keep one thread state each and run
//! Python at the same time; the queue is bounded and submitters wait for
//! room in order; dropping a future cancels its queued job; shutdown drains
//! or cancels the queue, refuses new work and releases every worker's
//! thread state.
//!
//! Every wait is bounded: blocking waits go through [`within`], async tests
//! through `tokio::time::timeout`. Nothing sleeps to synchronize.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use pyo3_ft::exceptions::PyZeroDivisionError;
use pyo3_ft::executor::{ExecError, Executor, ShutdownMode, Submit, TrySubmitError};
use pyo3_ft::prelude::*;
use pyo3_ft::runtime::ffi;
use pyo3_ft::types::PyDict;

/// How long any single wait may take before the test counts as hung.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs `work` on its own thread; panics if it does not end within
/// [`LIMIT`], passes its panic on.
fn within<R: Send + 'static>(what: &str, work: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        let value = work();
        let _ = done.send(());
        value
    });
    match finished.recv_timeout(LIMIT) {
        Ok(()) | Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(RecvTimeoutError::Timeout) => panic!("hung: {what} did not finish within {LIMIT:?}"),
    }
}

/// A gate a job waits at (detached) until the test opens it, and that tells
/// the test when the job has reached it.
#[derive(Clone)]
struct Gate {
    reached: Arc<(Mutex<usize>, std::sync::Condvar)>,
    open: Arc<(Mutex<bool>, std::sync::Condvar)>,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            reached: Arc::default(),
            open: Arc::default(),
        }
    }

    /// Called by a job: reports arrival, then waits detached until opened.
    fn pass(&self, py: Python<'_>) {
        {
            let (count, changed) = &*self.reached;
            *count.lock().unwrap() += 1;
            changed.notify_all();
        }
        let open = Arc::clone(&self.open);
        py.detach(move || {
            let (flag, changed) = &*open;
            let mut flag = flag.lock().unwrap();
            while !*flag {
                flag = changed.wait_timeout(flag, LIMIT).unwrap().0;
            }
        });
    }

    /// Waits (not attached) until `n` jobs have reached the gate.
    fn wait_reached(&self, n: usize) {
        let (count, changed) = &*self.reached;
        let count = count.lock().unwrap();
        let (count, timeout) = changed
            .wait_timeout_while(count, LIMIT, |count| *count < n)
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "only {} of {n} jobs reached the gate",
            *count
        );
    }

    fn open(&self) {
        let (flag, changed) = &*self.open;
        *flag.lock().unwrap() = true;
        changed.notify_all();
    }
}

/// A waker that counts its wake-ups.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn poll_once<R>(future: &mut Submit<R>, waker: &Arc<CountingWaker>) -> Poll<Result<R, ExecError>> {
    let waker = Waker::from(Arc::clone(waker));
    std::pin::Pin::new(future).poll(&mut Context::from_waker(&waker))
}

use std::future::Future;

/// Sets a flag when dropped: tells whether a job's closure was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn jobs_return_values_exceptions_and_panics_without_losing_the_worker() {
    within("values, exceptions, panics", || {
        let executor = Executor::new(1).unwrap();
        let thread_of = || {
            executor
                .submit(|_| Ok(thread::current().id()))
                .wait()
                .unwrap()
        };
        let worker = thread_of();

        let sum: i64 = executor
            .submit(|py| py.eval("sum(range(10))", None, None)?.extract())
            .wait()
            .unwrap();
        assert_eq!(sum, 45);

        let err = executor
            .submit(|py| py.run("def f():\n    return 1 / 0\nf()\n", None, None))
            .wait()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("Traceback (most recent call last):"),
            "{text}"
        );
        assert!(text.contains("in f"), "{text}");
        assert!(
            text.ends_with("ZeroDivisionError: division by zero"),
            "{text}"
        );
        let py_err = err.into_python_error().unwrap();
        Python::attach(|py| assert!(py_err.is_instance_of::<PyZeroDivisionError>(py)));

        let panicked = executor
            .submit(|_| -> PyResult<()> { panic!("job {} failed", 7) })
            .wait();
        match panicked {
            Err(ExecError::Panicked(panic)) => assert_eq!(panic.message(), "job 7 failed"),
            other => panic!("expected a panic, got {other:?}"),
        }

        // A panic while Python code is on the stack (a callback into Rust).
        let nested = executor
            .submit(|py| -> PyResult<()> {
                let list = py.eval("[3, 1, 2]", None, None)?;
                list.call_method0("sort")?;
                panic!("after sorting")
            })
            .wait();
        assert!(matches!(nested, Err(ExecError::Panicked(_))));

        // Same worker, still healthy.
        assert_eq!(thread_of(), worker);
        let ok: String = executor
            .submit(|py| py.eval("'still ' + 'here'", None, None)?.extract())
            .wait()
            .unwrap();
        assert_eq!(ok, "still here");

        let metrics = executor.metrics();
        assert_eq!(metrics.failed, 1);
        assert_eq!(metrics.panicked, 2);
        assert_eq!(metrics.completed, 7);
        assert_eq!(metrics.busy, 0);
        executor.shutdown_blocking(ShutdownMode::Drain);
    });
}

/// Panics when dropped.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("dropped");
    }
}

#[test]
fn a_value_that_panics_when_dropped_does_not_kill_the_worker() {
    within("panicking drop", || {
        let executor = Executor::new(1).unwrap();
        let worker = executor
            .submit(|_| Ok(thread::current().id()))
            .wait()
            .unwrap();
        // A result nobody wants (its future is gone) is dropped by the
        // worker, outside the job.
        let gate = Gate::new();
        let waker = Arc::new(CountingWaker::default());
        let mut unwanted = {
            let gate = gate.clone();
            executor.submit(move |py| {
                gate.pass(py);
                Ok(PanicOnDrop)
            })
        };
        assert!(poll_once(&mut unwanted, &waker).is_pending());
        gate.wait_reached(1);
        drop(unwanted);
        gate.open();
        let after = executor
            .submit(|_| Ok(thread::current().id()))
            .wait()
            .unwrap();
        assert_eq!(after, worker, "the worker was replaced or lost");
        let metrics = executor.metrics();
        assert_eq!((metrics.busy, metrics.workers), (0, 1));
    });
}

#[test]
fn a_job_that_leaves_an_exception_set_does_not_poison_the_next() {
    within("stray exception", || {
        let executor = Executor::new(1).unwrap();
        executor
            .submit(|py| {
                pyo3_ft::exceptions::PyValueError::new_err("left behind").restore(py);
                Ok(())
            })
            .wait()
            .unwrap();
        let fine: i64 = executor
            .submit(|py| py.eval("1 + 1", None, None)?.extract())
            .wait()
            .unwrap();
        assert_eq!(fine, 2);
    });
}

#[test]
fn each_worker_keeps_one_thread_state_for_its_life() {
    within("persistent thread states", || {
        let executor = Executor::new(2).unwrap();
        let seen = Arc::new(Mutex::new(std::collections::HashMap::new()));
        let jobs: Vec<_> = (0..200)
            .map(|_| {
                let seen = Arc::clone(&seen);
                executor.submit(move |_py| {
                    // SAFETY: the worker is attached; this only reads the
                    // current thread state pointer.
                    let tstate = unsafe { ffi::PyThreadState_GetUnchecked() } as usize;
                    let previous = seen.lock().unwrap().insert(thread::current().id(), tstate);
                    Ok(previous.is_none_or(|p| p == tstate))
                })
            })
            .collect();
        for job in jobs {
            assert!(job.wait().unwrap(), "a worker's thread state changed");
        }
        let seen = seen.lock().unwrap();
        assert!((1..=2).contains(&seen.len()));
        let states: std::collections::HashSet<_> = seen.values().collect();
        assert_eq!(
            states.len(),
            seen.len(),
            "two workers shared a thread state"
        );
    });
}

#[test]
fn workers_run_python_at_the_same_time() {
    within("parallel workers", || {
        const N: usize = 2;
        let executor = Executor::new(N).unwrap();
        // A Python barrier: both jobs must be inside Python at once to pass.
        let barrier: Py<PyAny> = Python::attach(|py| {
            py.eval(&format!("__import__('threading').Barrier({N})"), None, None)
                .unwrap()
                .unbind()
        });
        let free_threaded = Python::attach(|py| !py.is_gil_enabled().unwrap());
        let jobs: Vec<_> = (0..N)
            .map(|_| {
                let barrier = barrier.clone();
                executor.submit(move |py| {
                    let globals = PyDict::new(py);
                    globals.set_item("barrier", barrier.bind(py))?;
                    // CPU-bound Python on both sides of the barrier.
                    py.run(
                        "total = sum(i * i for i in range(20_000))\n\
                         barrier.wait(timeout=60)\n\
                         total += sum(i * i for i in range(20_000))\n",
                        Some(&globals),
                        None,
                    )?;
                    let total: u64 = globals.get_item("total")?.unwrap().extract()?;
                    Ok((thread::current().id(), total))
                })
            })
            .collect();
        let results: Vec<_> = jobs.into_iter().map(|job| job.wait().unwrap()).collect();
        let threads: std::collections::HashSet<_> = results.iter().map(|(t, _)| *t).collect();
        assert_eq!(threads.len(), N, "the jobs did not run on {N} workers");
        assert!(results
            .iter()
            .all(|(_, total)| *total == 2 * 2_666_466_670_000));
        if pyo3_ft::runtime::build_info::GIL_DISABLED {
            assert!(free_threaded, "the GIL was re-enabled");
        }
    });
}

#[test]
fn a_full_queue_makes_submitters_wait_in_order() {
    within("backpressure", || {
        let executor = Executor::builder()
            .workers(1)
            .queue_capacity(2)
            .build()
            .unwrap();
        let gate = Gate::new();
        let order = Arc::new(Mutex::new(Vec::new()));
        let job = |tag: u32| {
            let order = Arc::clone(&order);
            move |_: Python<'_>| {
                order.lock().unwrap().push(tag);
                Ok(tag)
            }
        };

        // Occupy the worker.
        let blocker = {
            let gate = gate.clone();
            executor.try_submit(move |py| {
                gate.pass(py);
                Ok(0)
            })
        }
        .unwrap();
        gate.wait_reached(1);

        // Fill the queue.
        let mut queued: Vec<_> = (1..=2).map(|tag| executor.submit(job(tag))).collect();
        let wakers: Vec<_> = (0..4).map(|_| Arc::new(CountingWaker::default())).collect();
        for (future, waker) in queued.iter_mut().zip(&wakers) {
            assert!(poll_once(future, waker).is_pending());
        }
        assert_eq!(executor.metrics().queued, 2);

        // Two more wait for room, in order; try_submit refuses meanwhile.
        let mut waiting: Vec<_> = (3..=4).map(|tag| executor.submit(job(tag))).collect();
        for (future, waker) in waiting.iter_mut().zip(&wakers[2..]) {
            assert!(poll_once(future, waker).is_pending());
        }
        let metrics = executor.metrics();
        assert_eq!((metrics.queued, metrics.waiting_submitters), (2, 2));
        assert!(matches!(
            executor.try_submit(job(99)),
            Err(TrySubmitError::Full(_))
        ));

        gate.open();
        assert_eq!(blocker.wait().unwrap(), 0);
        for future in queued {
            future.wait().unwrap();
        }
        // Room freed: the waiting submitters were woken and can enqueue.
        for waker in &wakers[2..] {
            assert!(
                waker.0.load(Ordering::SeqCst) >= 1,
                "a waiting submitter was never woken"
            );
        }
        for future in waiting {
            future.wait().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [1, 2, 3, 4]);
        let metrics = executor.metrics();
        assert_eq!((metrics.queued, metrics.waiting_submitters), (0, 0));
        assert_eq!(metrics.completed, 5);
    });
}

#[test]
fn dropping_a_queued_future_cancels_its_job_and_frees_room() {
    within("cancellation", || {
        let executor = Executor::builder()
            .workers(1)
            .queue_capacity(1)
            .build()
            .unwrap();
        let gate = Gate::new();
        let blocker = {
            let gate = gate.clone();
            executor.submit(move |py| {
                gate.pass(py);
                Ok(())
            })
        };
        let waker = Arc::new(CountingWaker::default());
        let mut blocker = blocker;
        assert!(poll_once(&mut blocker, &waker).is_pending());
        gate.wait_reached(1);

        let (ran, dropped) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let mut doomed = {
            let (ran, flag) = (Arc::clone(&ran), DropFlag(Arc::clone(&dropped)));
            executor.submit(move |_| {
                let _flag = flag;
                ran.store(true, Ordering::SeqCst);
                Ok(())
            })
        };
        assert!(poll_once(&mut doomed, &waker).is_pending());
        assert_eq!(executor.metrics().queued, 1);

        // A submitter waits for the one slot...
        let later_waker = Arc::new(CountingWaker::default());
        let mut later = executor.submit(|_| Ok("later"));
        assert!(poll_once(&mut later, &later_waker).is_pending());
        assert_eq!(executor.metrics().waiting_submitters, 1);

        // ... and gets it when the queued job is dropped.
        drop(doomed);
        assert!(
            dropped.load(Ordering::SeqCst),
            "the cancelled closure was not dropped"
        );
        assert_eq!(later_waker.0.load(Ordering::SeqCst), 1);
        assert!(poll_once(&mut later, &later_waker).is_pending());
        let metrics = executor.metrics();
        assert_eq!(
            (
                metrics.queued,
                metrics.waiting_submitters,
                metrics.cancelled
            ),
            (1, 0, 1)
        );

        // A submitter that gives up while waiting leaves no trace either.
        let mut quitter = executor.submit(|_| Ok("quitter"));
        assert!(poll_once(&mut quitter, &later_waker).is_pending());
        drop(quitter);
        assert_eq!(executor.metrics().waiting_submitters, 0);

        gate.open();
        blocker.wait().unwrap();
        assert_eq!(later.wait().unwrap(), "later");
        assert!(!ran.load(Ordering::SeqCst), "a cancelled job ran");
    });
}

#[test]
fn a_woken_submitter_that_gives_up_passes_the_room_on() {
    within("passing on room", || {
        let executor = Executor::builder()
            .workers(1)
            .queue_capacity(1)
            .build()
            .unwrap();
        let gate = Gate::new();
        let waker = Arc::new(CountingWaker::default());
        let mut blocker = {
            let gate = gate.clone();
            executor.submit(move |py| {
                gate.pass(py);
                Ok(0)
            })
        };
        assert!(poll_once(&mut blocker, &waker).is_pending());
        gate.wait_reached(1);
        let mut queued = executor.submit(|_| Ok(1));
        assert!(poll_once(&mut queued, &waker).is_pending());

        let (first_waker, second_waker) = (
            Arc::new(CountingWaker::default()),
            Arc::new(CountingWaker::default()),
        );
        let mut first = executor.submit(|_| Ok(2));
        let mut second = executor.submit(|_| Ok(3));
        assert!(poll_once(&mut first, &first_waker).is_pending());
        assert!(poll_once(&mut second, &second_waker).is_pending());

        // The queued job leaves: room is promised to `first`...
        drop(queued);
        assert_eq!(first_waker.0.load(Ordering::SeqCst), 1);
        assert_eq!(second_waker.0.load(Ordering::SeqCst), 0);
        // ... which gives up without using it: `second` gets it.
        drop(first);
        assert_eq!(second_waker.0.load(Ordering::SeqCst), 1);
        assert!(poll_once(&mut second, &second_waker).is_pending());
        assert_eq!(executor.metrics().queued, 1);

        gate.open();
        assert_eq!(blocker.wait().unwrap(), 0);
        assert_eq!(second.wait().unwrap(), 3);
    });
}

#[test]
fn dropping_the_future_of_a_running_job_lets_it_finish() {
    within("running job", || {
        let executor = Executor::new(1).unwrap();
        let gate = Gate::new();
        let finished = Arc::new(AtomicBool::new(false));
        let waker = Arc::new(CountingWaker::default());
        let mut running = {
            let (gate, finished) = (gate.clone(), Arc::clone(&finished));
            executor.submit(move |py| {
                gate.pass(py);
                py.eval("[1] * 10", None, None)?;
                finished.store(true, Ordering::SeqCst);
                // A Python object in the dropped result.
                Ok(py.eval("object()", None, None)?.unbind())
            })
        };
        assert!(poll_once(&mut running, &waker).is_pending());
        gate.wait_reached(1);
        drop(running);
        gate.open();
        // The next job runs after it on the one worker.
        executor.submit(|_| Ok(())).wait().unwrap();
        assert!(finished.load(Ordering::SeqCst));
        assert_eq!(executor.metrics().cancelled, 0);
    });
}

#[test]
fn drain_shutdown_runs_queued_jobs_and_refuses_new_ones() {
    within("drain shutdown", || {
        let executor = Executor::builder()
            .workers(1)
            .queue_capacity(8)
            .build()
            .unwrap();
        let gate = Gate::new();
        let waker = Arc::new(CountingWaker::default());
        let mut blocker = {
            let gate = gate.clone();
            executor.submit(move |py| {
                gate.pass(py);
                Ok(0)
            })
        };
        assert!(poll_once(&mut blocker, &waker).is_pending());
        gate.wait_reached(1);
        let mut queued: Vec<_> = (1..=3).map(|i| executor.submit(move |_| Ok(i))).collect();
        for future in &mut queued {
            assert!(poll_once(future, &waker).is_pending());
        }

        let shutdown = executor.shutdown(ShutdownMode::Drain);
        assert!(matches!(
            executor.submit(|_| Ok(9)).wait(),
            Err(ExecError::ShutDown)
        ));
        assert!(matches!(
            executor.try_submit(|_| Ok(9)),
            Err(TrySubmitError::ShutDown(_))
        ));
        gate.open();
        shutdown.wait();
        assert_eq!(blocker.wait().unwrap(), 0);
        let values: Vec<i32> = queued.into_iter().map(|f| f.wait().unwrap()).collect();
        assert_eq!(values, [1, 2, 3]);
        assert_eq!(executor.metrics().completed, 4);
        // Shutting down again is harmless.
        executor.shutdown_blocking(ShutdownMode::CancelQueued);
    });
}

#[test]
fn cancelling_shutdown_drops_queued_jobs_and_finishes_running_ones() {
    within("cancelling shutdown", || {
        let executor = Executor::builder()
            .workers(1)
            .queue_capacity(1)
            .build()
            .unwrap();
        let gate = Gate::new();
        let waker = Arc::new(CountingWaker::default());
        let mut running = {
            let gate = gate.clone();
            executor.submit(move |py| {
                gate.pass(py);
                Ok("finished")
            })
        };
        assert!(poll_once(&mut running, &waker).is_pending());
        gate.wait_reached(1);

        let ran = Arc::new(AtomicBool::new(false));
        let mut queued = {
            let ran = Arc::clone(&ran);
            executor.submit(move |_| {
                ran.store(true, Ordering::SeqCst);
                Ok("queued")
            })
        };
        assert!(poll_once(&mut queued, &waker).is_pending());
        let mut waiting = executor.submit(|_| Ok("waiting"));
        assert!(poll_once(&mut waiting, &waker).is_pending());

        let shutdown = executor.shutdown(ShutdownMode::CancelQueued);
        assert!(matches!(queued.wait(), Err(ExecError::Cancelled)));
        assert!(matches!(waiting.wait(), Err(ExecError::ShutDown)));
        gate.open();
        assert_eq!(running.wait().unwrap(), "finished");
        shutdown.wait();
        assert!(!ran.load(Ordering::SeqCst));
        assert_eq!(executor.metrics().cancelled, 1);
    });
}

#[test]
fn shutdown_releases_every_workers_thread_state() {
    within("thread states released", || {
        const N: usize = 3;
        // Each worker stores an object in a `threading.local`: CPython
        // frees it when that worker's thread state is cleared.
        let (local, refs) = Python::attach(|py| {
            let local = py
                .eval("__import__('threading').local()", None, None)
                .unwrap()
                .unbind();
            let refs = py.eval("[]", None, None).unwrap().unbind();
            (local, refs)
        });
        let executor = Executor::new(N).unwrap();
        let gate = Gate::new();
        let jobs: Vec<_> = (0..N)
            .map(|_| {
                let (local, refs, gate) = (local.clone(), refs.clone(), gate.clone());
                executor.submit(move |py| {
                    let globals = PyDict::new(py);
                    globals.set_item("local", local.bind(py))?;
                    globals.set_item("refs", refs.bind(py))?;
                    py.run(
                        "import weakref\n\
                         class Marker:\n    pass\n\
                         local.marker = Marker()\n\
                         refs.append(weakref.ref(local.marker))\n",
                        Some(&globals),
                        None,
                    )?;
                    // Hold every worker until all have a marker.
                    gate.pass(py);
                    Ok(())
                })
            })
            .collect();
        let waiters: Vec<_> = jobs
            .into_iter()
            .map(|job| thread::spawn(move || job.wait().unwrap()))
            .collect();
        gate.wait_reached(N);
        gate.open();
        for waiter in waiters {
            waiter.join().unwrap();
        }
        let alive = |py: Python<'_>| -> usize {
            py.import("gc").unwrap().call_method0("collect").unwrap();
            let globals = PyDict::new(py);
            globals.set_item("refs", refs.bind(py)).unwrap();
            py.eval("sum(r() is not None for r in refs)", Some(&globals), None)
                .unwrap()
                .extract()
                .unwrap()
        };
        assert_eq!(
            Python::attach(alive),
            N,
            "markers died while the workers lived"
        );
        executor.shutdown_blocking(ShutdownMode::Drain);
        assert_eq!(
            Python::attach(alive),
            0,
            "a worker's thread state outlived the shutdown"
        );
    });
}

#[test]
fn dropping_the_executor_drains_the_queue() {
    within("drop drains", || {
        let executor = Executor::builder().workers(1).build().unwrap();
        let jobs: Vec<_> = (0..10)
            .map(|i| executor.try_submit(move |_| Ok(i)).unwrap())
            .collect();
        drop(executor);
        let values: Vec<i32> = jobs.into_iter().map(|job| job.wait().unwrap()).collect();
        assert_eq!(values, (0..10).collect::<Vec<_>>());
    });
}

#[test]
fn waiting_while_attached_does_not_hold_up_other_threads() {
    within("wait while attached", || {
        let executor = Executor::new(2).unwrap();
        Python::attach(|py| {
            // The jobs collect garbage, which stops the world on
            // free-threaded builds (and needs the GIL on GIL builds): it can
            // only finish if this attached thread is detached while it waits.
            let jobs: Vec<_> = (0..4)
                .map(|_| {
                    executor.submit(|py| {
                        py.import("gc")?.call_method0("collect")?;
                        Ok(())
                    })
                })
                .collect();
            for job in jobs {
                job.wait().unwrap();
            }
            py.eval("1", None, None).unwrap();
        });
        executor.shutdown_blocking(ShutdownMode::Drain);
    });
}

#[test]
fn invalid_configurations_are_refused() {
    assert!(Executor::builder().workers(0).build().is_err());
    assert!(Executor::builder().queue_capacity(0).build().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tokio_tasks_share_a_small_queue() {
    let executor = Arc::new(
        Executor::builder()
            .workers(2)
            .queue_capacity(4)
            .build()
            .unwrap(),
    );
    let tasks: Vec<_> = (0..200u64)
        .map(|i| {
            let executor = Arc::clone(&executor);
            tokio::spawn(async move {
                let value: u64 = executor
                    .submit(move |py| {
                        let globals = PyDict::new(py);
                        globals.set_item("i", i)?;
                        py.eval("sum(range(i + 1))", Some(&globals), None)?
                            .extract()
                    })
                    .await?;
                Ok::<_, ExecError>(value)
            })
        })
        .collect();
    let all = async {
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap().unwrap();
        }
        total
    };
    let total = tokio::time::timeout(LIMIT, all).await.expect("hung");
    assert_eq!(total, (0..200u64).map(|i| i * (i + 1) / 2).sum::<u64>());
    let metrics = executor.metrics();
    assert_eq!(
        (metrics.completed, metrics.queued, metrics.busy),
        (200, 0, 0)
    );

    // A timeout cancels work that is still queued.
    let gate = Gate::new();
    let blockers: Vec<_> = (0..2)
        .map(|_| {
            let gate = gate.clone();
            let executor = Arc::clone(&executor);
            tokio::spawn(async move {
                executor
                    .submit(move |py| {
                        gate.pass(py);
                        Ok(())
                    })
                    .await
            })
        })
        .collect();
    let reached = gate.clone();
    tokio::task::spawn_blocking(move || reached.wait_reached(2))
        .await
        .unwrap();
    let timed_out =
        tokio::time::timeout(Duration::from_millis(10), executor.submit(|_| Ok(()))).await;
    assert!(timed_out.is_err());
    assert_eq!(executor.metrics().cancelled, 1);
    gate.open();
    for blocker in blockers {
        blocker.await.unwrap().unwrap();
    }
    tokio::time::timeout(LIMIT, executor.shutdown(ShutdownMode::Drain))
        .await
        .expect("shutdown hung");
}
