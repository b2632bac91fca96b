//! `pyo3_ft::asyncio`: Python awaitables awaited from tokio, Rust futures
//! awaited from Python, cancellation both ways, contextvars across, panics,
//! and loops that run in parallel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pyo3_ft::asyncio::{future_into_py, into_future, EventLoops};
use pyo3_ft::exceptions::PyValueError;
use pyo3_ft::prelude::*;
use pyo3_ft::types::{PyCFunction, PyDict};

/// Runs `code` in a fresh namespace holding `extra`, returns the namespace.
fn namespace<'py>(
    py: Python<'py>,
    code: &str,
    extra: &[(&str, Bound<'py, PyAny>)],
) -> Bound<'py, PyDict> {
    let globals = PyDict::new(py);
    for (name, value) in extra {
        globals.set_item(*name, value).unwrap();
    }
    py.run(code, Some(&globals), None).unwrap();
    globals
}

fn call<'py>(globals: &Bound<'py, PyDict>, name: &str) -> Bound<'py, PyAny> {
    globals.get_item(name).unwrap().unwrap().call0().unwrap()
}

/// An asyncio future of `future`'s value; its error becomes `RuntimeError`.
fn awaitable_of<T, E>(
    py: Python<'_>,
    future: impl std::future::Future<Output = Result<T, E>> + Send + 'static,
) -> PyResult<Py<PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
    E: std::fmt::Display,
{
    let future = async move {
        future
            .await
            .map_err(|e| pyo3_ft::exceptions::PyRuntimeError::new_err(e.to_string()))
    };
    future_into_py(py, future).map(Bound::unbind)
}

/// Runs `task(0..tasks)` as tokio tasks released together by a barrier,
/// and sums what they return. Bounded: a task that never ends (a lost
/// wake-up) fails the test instead of hanging it.
fn summed_over_tasks<F, Fut>(tasks: u64, task: F) -> u64
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = u64> + Send + 'static,
{
    let all = async {
        let barrier = Arc::new(tokio::sync::Barrier::new(tasks as usize));
        let handles: Vec<_> = (0..tasks)
            .map(|t| {
                let (barrier, work) = (barrier.clone(), task(t));
                tokio::spawn(async move {
                    barrier.wait().await;
                    work.await
                })
            })
            .collect();
        let mut total = 0;
        for handle in handles {
            total += handle.await.unwrap();
        }
        total
    };
    runtime()
        .block_on(async { tokio::time::timeout(Duration::from_secs(60), all).await })
        .expect("a task never finished")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn tokio_awaits_python_coroutines_results_and_exceptions() {
    let loops = EventLoops::new(2).unwrap();
    let (ok, err) = Python::attach(|py| {
        let g = namespace(
            py,
            "import asyncio\n\
             async def ok():\n    await asyncio.sleep(0.01)\n    return [1, 2, 3]\n\
             async def bad():\n    await asyncio.sleep(0)\n    raise ValueError('no good')\n",
            &[],
        );
        (
            loops.into_future(&call(&g, "ok")).unwrap(),
            loops.into_future(&call(&g, "bad")).unwrap(),
        )
    });
    let (ok, err) = runtime().block_on(async { (ok.await, err.await) });
    Python::attach(|py| {
        assert_eq!(
            ok.unwrap().bind(py).extract::<Vec<i64>>().unwrap(),
            [1, 2, 3]
        );
        let err = err.unwrap_err();
        assert!(err.is_instance_of::<PyValueError>(py), "{err}");
        assert!(err.to_string().contains("no good"));
        let not_awaitable = loops
            .into_future(&py.eval("42", None, None).unwrap())
            .unwrap_err();
        assert_eq!(
            not_awaitable.to_string(),
            "TypeError: 'int' object can't be awaited"
        );
    });
}

#[test]
fn dropping_the_rust_future_cancels_the_python_task() {
    let loops = EventLoops::new(1).unwrap();
    let (future, g) = Python::attach(|py| {
        let g = namespace(
            py,
            "import asyncio, threading\n\
             started = threading.Event()\ncancelled = threading.Event()\n\
             async def forever():\n    started.set()\n    try:\n        await asyncio.sleep(3600)\n    except asyncio.CancelledError:\n        cancelled.set()\n        raise\n",
            &[],
        );
        (loops.into_future(&call(&g, "forever")).unwrap(), g.unbind())
    });
    runtime().block_on(async {
        let timed_out = tokio::time::timeout(Duration::from_millis(200), future).await;
        assert!(timed_out.is_err(), "a sleep of an hour finished");
    });
    Python::attach(|py| {
        let g = g.bind(py);
        let wait = |name: &str| {
            let event = g.get_item(name).unwrap().unwrap();
            event
                .call_method1("wait", (5.0,))
                .unwrap()
                .is_truthy()
                .unwrap()
        };
        assert!(wait("started"));
        assert!(wait("cancelled"), "the task never saw CancelledError");
    });
}

#[test]
fn python_awaits_rust_futures_with_values_errors_and_panics() {
    let loops = EventLoops::new(1).unwrap();
    let future = Python::attach(|py| {
        let twice = PyCFunction::new_closure(py, None, None, |args, _| {
            let n: i64 = args.get_item(0)?.extract()?;
            future_into_py(args.py(), async move {
                if n < 0 {
                    return Err(PyValueError::new_err(format!("negative: {n}")));
                }
                assert!(n != 13, "unlucky number");
                Ok(n * 2)
            })
            .map(Bound::unbind)
        })
        .unwrap();
        let g = namespace(
            py,
            "async def main():\n\
             \x20   out = [await twice(21)]\n\
             \x20   try:\n        await twice(-1)\n    except ValueError as e:\n        out.append(str(e))\n\
             \x20   try:\n        await twice(13)\n    except BaseException as e:\n        out.append(type(e).__name__ + ': ' + str(e))\n\
             \x20   return tuple(out)\n",
            &[("twice", twice.into_any())],
        );
        loops.into_future(&call(&g, "main")).unwrap()
    });
    let out = pyo3_ft::executor::block_on(future).unwrap();
    Python::attach(|py| {
        let out: (i64, String, String) = out.bind(py).extract().unwrap();
        assert_eq!(out.0, 42);
        assert_eq!(out.1, "negative: -1");
        assert_eq!(out.2, "PanicException: unlucky number");
    });
}

/// Counts drops of the Rust future that Python cancelled.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn cancelling_the_python_task_drops_the_rust_future() {
    let loops = EventLoops::new(1).unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&drops);
    let future = Python::attach(|py| {
        let never = PyCFunction::new_closure(py, None, None, move |args, _| {
            let guard = DropCounter(Arc::clone(&counter));
            future_into_py(args.py(), async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                Ok(())
            })
            .map(Bound::unbind)
        })
        .unwrap();
        let g = namespace(
            py,
            "import asyncio\n\
             async def main():\n\
             \x20   task = asyncio.ensure_future(never())\n\
             \x20   await asyncio.sleep(0.01)\n\
             \x20   task.cancel()\n\
             \x20   try:\n        await task\n    except asyncio.CancelledError:\n        return 'cancelled'\n\
             \x20   return 'finished'\n",
            &[("never", never.into_any())],
        );
        loops.into_future(&call(&g, "main")).unwrap()
    });
    let out = pyo3_ft::executor::block_on(future).unwrap();
    Python::attach(|py| assert_eq!(out.bind(py).to_string(), "cancelled"));
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the Rust future was not dropped"
    );
}

#[test]
fn contextvars_and_the_loop_carry_across_both_directions() {
    let loops = EventLoops::new(2).unwrap();
    let future = Python::attach(|py| {
        let g = namespace(
            py,
            "import contextvars, threading\n\
             request = contextvars.ContextVar('request')\n\
             async def inner():\n    return (request.get(), threading.get_ident())\n",
            &[],
        );
        let inner = g.get_item("inner").unwrap().unwrap().unbind();
        // A Rust future that awaits a Python coroutine: it runs on the
        // awaiting loop, in the awaiting task's context.
        let hop = PyCFunction::new_closure(py, None, None, move |args, _| {
            let py = args.py();
            let awaited = into_future(&inner.bind(py).call0()?)?;
            future_into_py(py, awaited).map(Bound::unbind)
        })
        .unwrap();
        g.set_item("hop", hop).unwrap();
        py.run(
            "async def outer():\n\
             \x20   request.set('req-7')\n\
             \x20   value, ident = await hop()\n\
             \x20   return value, ident == threading.get_ident()\n",
            Some(&g),
            None,
        )
        .unwrap();
        loops.into_future(&call(&g, "outer")).unwrap()
    });
    let out = pyo3_ft::executor::block_on(future).unwrap();
    Python::attach(|py| {
        let (value, same_thread): (String, bool) = out.bind(py).extract().unwrap();
        assert_eq!(value, "req-7");
        assert!(same_thread, "the inner coroutine ran on another loop");
    });
}

#[test]
fn a_tokio_future_awaited_from_python_through_its_join_handle() {
    let rt = runtime();
    let handle = rt.handle().clone();
    let loops = EventLoops::new(1).unwrap();
    let future = Python::attach(|py| {
        let slow_square = PyCFunction::new_closure(py, None, None, move |args, _| {
            let n: u64 = args.get_item(0)?.extract()?;
            let job = handle.spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                n * n
            });
            awaitable_of(args.py(), job)
        })
        .unwrap();
        let g = namespace(
            py,
            "import asyncio\nasync def main():\n    return await asyncio.gather(*(slow_square(n) for n in range(10)))\n",
            &[("slow_square", slow_square.into_any())],
        );
        loops.into_future(&call(&g, "main")).unwrap()
    });
    let out = rt.block_on(future).unwrap();
    Python::attach(|py| {
        let squares: Vec<u64> = out.bind(py).extract().unwrap();
        assert_eq!(squares, (0..10).map(|n| n * n).collect::<Vec<_>>());
    });
}

#[test]
fn every_worker_runs_its_own_loop_at_the_same_time() {
    const LOOPS: usize = 4;
    let loops = EventLoops::new(LOOPS).unwrap();
    let futures = Python::attach(|py| {
        // Each coroutine blocks its loop in a barrier that needs all four:
        // it passes only if four loops run at once, on four threads.
        let g = namespace(
            py,
            "import threading\n\
             barrier = threading.Barrier(4, timeout=20)\n\
             async def meet():\n    barrier.wait()\n    return threading.get_ident()\n",
            &[],
        );
        (0..LOOPS)
            .map(|_| loops.into_future(&call(&g, "meet")).unwrap())
            .collect::<Vec<_>>()
    });
    let idents = runtime().block_on(async {
        let mut idents = Vec::new();
        for future in futures {
            idents.push(future.await);
        }
        idents
    });
    Python::attach(|py| {
        let mut idents: Vec<u64> = idents
            .into_iter()
            .map(|ident| ident.unwrap().bind(py).extract().unwrap())
            .collect();
        idents.sort_unstable();
        idents.dedup();
        assert_eq!(idents.len(), LOOPS);
    });
}

#[test]
fn many_tokio_tasks_share_the_loops_and_every_result_arrives() {
    const TASKS: u64 = 8;
    const CALLS: u64 = 100;
    let loops = Arc::new(EventLoops::new(4).unwrap());
    let coroutine = Python::attach(|py| {
        let g = namespace(
            py,
            "import asyncio\nasync def add(a, b):\n    await asyncio.sleep(0)\n    return a + b\n",
            &[],
        );
        Arc::new(g.get_item("add").unwrap().unwrap().unbind())
    });
    let total = summed_over_tasks(TASKS, move |t| {
        let (loops, coroutine) = (loops.clone(), coroutine.clone());
        async move {
            let mut sum = 0u64;
            for i in 0..CALLS {
                let future = Python::attach(|py| {
                    loops
                        .into_future(&coroutine.bind(py).call1((t, i)).unwrap())
                        .unwrap()
                });
                let value = future.await.unwrap();
                sum += Python::attach(|py| value.bind(py).extract::<u64>().unwrap());
            }
            sum
        }
    });
    let expected: u64 = (0..TASKS)
        .map(|t| (0..CALLS).map(|i| t + i).sum::<u64>())
        .sum();
    assert_eq!(total, expected);
}

#[test]
fn future_into_py_needs_a_running_loop() {
    Python::attach(|py| {
        let err = future_into_py(py, async { Ok(1) }).unwrap_err();
        assert!(err.to_string().contains("no running event loop"), "{err}");
    });
}

/// Sleeps on a plain thread (no runtime needed), then answers.
#[pyo3_ft::pyfunction]
async fn later(value: String, millis: u64) -> String {
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&done);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(millis));
        flag.store(true, Ordering::SeqCst);
    });
    // A future woken from another thread until the flag is set.
    std::future::poll_fn(|cx| {
        if done.load(Ordering::SeqCst) {
            return std::task::Poll::Ready(());
        }
        let waker = cx.waker().clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1));
            waker.wake();
        });
        std::task::Poll::Pending
    })
    .await;
    format!("{value} after {millis} ms")
}

#[pyo3_ft::pyfunction]
async fn divide(a: i64, b: i64) -> PyResult<i64> {
    if b == 0 {
        return Err(pyo3_ft::exceptions::PyZeroDivisionError::new_err(
            "division by zero",
        ));
    }
    Ok(a / b)
}

#[pyo3_ft::pyclass]
struct Greeter {
    greeting: String,
}

#[pyo3_ft::pymethods]
impl Greeter {
    #[new]
    fn new(greeting: String) -> Self {
        Greeter { greeting }
    }

    async fn greet(&self, name: String) -> String {
        std::future::ready(()).await;
        format!("{}, {name}!", self.greeting)
    }

    #[staticmethod]
    async fn shout(text: String) -> String {
        text.to_uppercase()
    }
}

#[test]
fn async_pyfunctions_and_methods_return_awaitables() {
    let loops = EventLoops::new(2).unwrap();
    let future = Python::attach(|py| {
        let module = pyo3_ft::types::PyModule::new(py, "aio").unwrap();
        module
            .add_function(pyo3_ft::wrap_pyfunction!(later, &module).unwrap())
            .unwrap();
        module
            .add_function(pyo3_ft::wrap_pyfunction!(divide, &module).unwrap())
            .unwrap();
        module.add_class::<Greeter>().unwrap();
        let g = namespace(
            py,
            "import asyncio, inspect\n\
             async def main():\n\
             \x20   a, b = await asyncio.gather(aio.later('a', 30), aio.later('b', 10))\n\
             \x20   out = [a, b, await aio.divide(7, 2)]\n\
             \x20   try:\n        await aio.divide(1, 0)\n    except ZeroDivisionError as e:\n        out.append(str(e))\n\
             \x20   g = aio.Greeter('Hello')\n\
             \x20   out.append(await g.greet('Ada'))\n\
             \x20   out.append(await aio.Greeter.shout('hi'))\n\
             \x20   c = aio.divide(1, 1)\n\
             \x20   out.append(inspect.iscoroutine(c))\n\
             \x20   c.close()\n\
             \x20   try:\n        aio.divide('x', 1)\n    except TypeError as e:\n        out.append('TypeError')\n\
             \x20   return tuple(out)\n",
            &[("aio", module.into_any())],
        );
        loops.into_future(&call(&g, "main")).unwrap()
    });
    let out = pyo3_ft::executor::block_on(future).unwrap();
    Python::attach(|py| {
        let out: (String, String, i64, String, String, String, bool, String) =
            out.bind(py).extract().unwrap();
        assert_eq!(out.0, "a after 30 ms");
        assert_eq!(out.1, "b after 10 ms");
        assert_eq!(out.2, 3);
        assert_eq!(out.3, "division by zero");
        assert_eq!(out.4, "Hello, Ada!");
        assert_eq!(out.5, "HI");
        assert!(out.6);
        assert_eq!(out.7, "TypeError");
    });
}

#[test]
fn a_pool_dropped_by_its_own_worker_does_not_wait_for_itself() {
    let holder = Arc::new(std::sync::Mutex::new(Some(EventLoops::new(2).unwrap())));
    let keep = Arc::clone(&holder);
    // A Rust future, polled on one of the pool's workers, drops the pool:
    // joining that worker from itself would hang.
    let main = Python::attach(|py| {
        let drop_pool = PyCFunction::new_closure(py, None, None, move |args, _| {
            let keep = Arc::clone(&keep);
            future_into_py(args.py(), async move {
                let pool = keep.lock().unwrap().take();
                drop(pool);
                Ok(())
            })
            .map(Bound::unbind)
        })
        .unwrap();
        let g = namespace(
            py,
            "async def main():\n    await drop_pool()\n",
            &[("drop_pool", drop_pool.into_any())],
        );
        g.get_item("main").unwrap().unwrap().unbind()
    });
    // `run` does not attach: the lock on `holder` is never held while this
    // thread waits for Python, so the worker that takes it, attached, cannot
    // deadlock with it (on a GIL build it would: lock, then GIL, in both
    // orders).
    let future = holder
        .lock()
        .unwrap()
        .as_ref()
        .unwrap()
        .run::<(), _>(move |py| main.bind(py).call0());
    // The loop stops under the task: it either finished or was cancelled,
    // and either way the future resolves (within a bound: the bug this
    // guards against is a hang).
    let (done, resolved) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = pyo3_ft::executor::block_on(future);
        let _ = done.send(());
    });
    resolved
        .recv_timeout(Duration::from_secs(60))
        .expect("dropping the pool from its own worker hung");
    assert!(holder.lock().unwrap().is_none());
}

#[test]
fn run_makes_the_coroutine_on_the_loop_and_dropping_cancels_it() {
    let loops = EventLoops::new(2).unwrap();
    let g = Python::attach(|py| {
        namespace(
            py,
            "import asyncio, threading\n\
             made_on = []\ncancelled = threading.Event()\n\
             async def forever():\n    try:\n        await asyncio.sleep(3600)\n    except asyncio.CancelledError:\n        cancelled.set()\n        raise\n\
             def make():\n    made_on.append(threading.get_ident())\n    return forever()\n",
            &[],
        )
        .unbind()
    });
    let make = Python::attach(|py| g.bind(py).get_item("make").unwrap().unwrap().unbind());
    let rt = runtime();
    // From a tokio task, which never attaches for it.
    rt.block_on(async move {
        let future = loops.run::<(), _>(move |py| make.bind(py).call0());
        let timed_out = tokio::time::timeout(Duration::from_millis(200), future).await;
        assert!(timed_out.is_err(), "an hour-long sleep finished");
        drop(loops);
    });
    Python::attach(|py| {
        let g = g.bind(py);
        let cancelled = g.get_item("cancelled").unwrap().unwrap();
        assert!(cancelled
            .call_method1("wait", (10.0,))
            .unwrap()
            .is_truthy()
            .unwrap());
        let made_on: Vec<u64> = g.get_item("made_on").unwrap().unwrap().extract().unwrap();
        let main: u64 = py
            .import("threading")
            .unwrap()
            .call_method0("get_ident")
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(made_on.len(), 1);
        assert_ne!(made_on[0], main, "the coroutine was made off the loop");
    });
}

#[test]
fn run_extracts_the_result_on_the_loop() {
    let loops = EventLoops::new(1).unwrap();
    let total: i64 = pyo3_ft::executor::block_on(
        loops.run(|py| py.eval("__import__('asyncio').sleep(0, 40 + 2)", None, None)),
    )
    .unwrap();
    assert_eq!(total, 42);
    let wrong = pyo3_ft::executor::block_on(
        loops.run::<String, _>(|py| py.eval("__import__('asyncio').sleep(0, 1)", None, None)),
    )
    .unwrap_err();
    Python::attach(|py| assert!(wrong.is_instance_of::<pyo3_ft::exceptions::PyTypeError>(py)));
    let not_awaitable =
        pyo3_ft::executor::block_on(loops.run::<(), _>(|py| py.eval("1", None, None))).unwrap_err();
    assert!(
        not_awaitable.to_string().contains("can't be awaited"),
        "{not_awaitable}"
    );
}

#[test]
fn many_threads_hand_work_to_the_loops_and_every_wake_up_arrives() {
    const TASKS: usize = 8;
    const CALLS: u64 = 200;
    let loops = Arc::new(EventLoops::new(4).unwrap());
    // `later(n)` is a Rust future woken from another thread, so every call
    // goes through a loop's inbox twice: to start the task, and to wake it.
    let work = Python::attach(|py| {
        let later = PyCFunction::new_closure(py, None, None, |args, _| {
            let n: u64 = args.get_item(0)?.extract()?;
            let (sender, value) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || {
                let _ = sender.send(n * 2);
            });
            awaitable_of(args.py(), value)
        })
        .unwrap();
        let g = namespace(
            py,
            "async def work(n):\n    return await later(n) + 1\n",
            &[("later", later.into_any())],
        );
        Arc::new(g.get_item("work").unwrap().unwrap().unbind())
    });
    let total = summed_over_tasks(TASKS as u64, move |t| {
        let (loops, work) = (loops.clone(), work.clone());
        async move {
            let mut sum = 0;
            for i in 0..CALLS {
                let n = t * CALLS + i;
                let work = Arc::clone(&work);
                sum += loops
                    .run::<u64, _>(move |py| work.bind(py).call1((n,)))
                    .await
                    .unwrap();
            }
            sum
        }
    });
    let n = TASKS as u64 * CALLS;
    // Σ (2k + 1) for k < n.
    assert_eq!(total, n * (n - 1) + n);
}
