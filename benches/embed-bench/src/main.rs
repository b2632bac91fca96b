//! Embedding benchmark: pyo3-ft vs PyO3 in one process, on one interpreter.
//!
//! Measures what an embedding program (a server handing Python work to
//! worker threads) pays:
//! - a warm attach + detach round trip on a Rust worker thread that has
//!   attached before (pyo3-ft keeps the thread's `PyThreadState`; PyO3
//!   creates and destroys one per outermost attach);
//! - a detach + re-attach inside an attach (`py.detach(|| ())`);
//! - calls per second of a small Python function `f(x) = x + 1` from 1 and
//!   2 Rust threads, attaching once per thread and attaching per call.
//!
//! Both bindings link the same `libpython3.13t`. pyo3-ft initializes the
//! interpreter; PyO3 then finds it initialized. Each binding's work runs on
//! threads of its own, so that the two never share a thread state.
//!
//! ```text
//! embed-bench [--quick] [--tsv PATH] [--json PATH]
//! ```
//! Prints a table; `--tsv` also writes the thread-scaling rows
//! (`group<TAB>impl<TAB>threads<TAB>calls_per_sec`) for the plot, and
//! `--json` all the numbers (for `run_bench.py summary`).
//! Numbers are best-of-N wall-clock times: no assertion depends on them.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// The Python function both bindings call.
const SCRIPT: &str = "def f(x):\n    return x + 1\n";

/// How the measurements are sized.
#[derive(Clone, Copy)]
struct Budget {
    /// Target wall time of one timed batch.
    batch: Duration,
    /// Timed batches per measurement (the best one counts).
    repeats: usize,
}

/// When a worker's timed loop started and ended.
type Span = (Instant, Instant);

/// One binding's implementation of the workloads.
trait Binding: Sync {
    const NAME: &'static str;
    /// Attaches once (warming the thread), then times `n` attach+detach
    /// round trips on this (worker) thread.
    fn attach_round_trips(&self, n: usize) -> Duration;
    /// Inside one attach, times `n` detach + re-attach round trips.
    fn detach_round_trips(&self, n: usize) -> Duration;
    /// Calls `f(i)` `n` times inside one attach, after waiting at `barrier`
    /// detached; returns when the calls started and ended.
    fn calls_attached(&self, n: usize, barrier: &Barrier) -> Span;
    /// Calls `f(i)` `n` times, attaching for each call, after `barrier`.
    fn calls_attach_each(&self, n: usize, barrier: &Barrier) -> Span;
}

mod ft_side {
    use super::*;
    use pyo3_ft::prelude::*;
    use pyo3_ft::types::PyDict;

    pub struct Ft {
        f: Py<PyAny>,
    }

    impl Ft {
        pub fn new() -> Self {
            let f = Python::attach(|py| {
                let globals = PyDict::new(py);
                py.run(SCRIPT, Some(&globals), None).expect("define f");
                globals
                    .get_item("f")
                    .expect("lookup f")
                    .expect("SCRIPT defines f")
                    .unbind()
            });
            Ft { f }
        }

        pub fn describe() -> String {
            Python::attach(|py| {
                let text: String = py
                    .eval(
                        "'CPython %s, GIL %s' % (__import__('sys').version.split()[0], \
                         'enabled' if __import__('sys')._is_gil_enabled() else 'disabled')",
                        None,
                        None,
                    )
                    .and_then(|v| v.extract())
                    .expect("describe the interpreter");
                text
            })
        }
    }

    #[inline(never)]
    fn call(f: &Bound<'_, PyAny>, i: i64) {
        let r: i64 = f
            .call1((i,))
            .and_then(|r| r.extract())
            .expect("f(x) failed");
        debug_assert_eq!(r, i + 1);
        black_box(r);
    }

    impl Binding for Ft {
        const NAME: &'static str = "pyo3-ft";

        fn attach_round_trips(&self, n: usize) -> Duration {
            Python::attach(|py| {
                black_box(py);
            });
            let start = Instant::now();
            for _ in 0..n {
                Python::attach(|py| {
                    black_box(py);
                });
            }
            start.elapsed()
        }

        fn detach_round_trips(&self, n: usize) -> Duration {
            Python::attach(|py| {
                let start = Instant::now();
                for _ in 0..n {
                    py.detach(|| black_box(()));
                }
                start.elapsed()
            })
        }

        fn calls_attached(&self, n: usize, barrier: &Barrier) -> Span {
            Python::attach(|py| {
                let f = self.f.bind(py);
                py.detach(|| barrier.wait());
                let start = Instant::now();
                for i in 0..n as i64 {
                    call(f, i);
                }
                (start, Instant::now())
            })
        }

        fn calls_attach_each(&self, n: usize, barrier: &Barrier) -> Span {
            // Warm this thread first: a worker of a pool attaches many times.
            Python::attach(|_| ());
            barrier.wait();
            let start = Instant::now();
            for i in 0..n as i64 {
                Python::attach(|py| call(self.f.bind(py), i));
            }
            (start, Instant::now())
        }
    }
}

mod pyo3_side {
    use super::*;
    use pyo3::prelude::*;
    use pyo3::types::PyDict;

    pub struct PyO3 {
        f: Py<PyAny>,
    }

    impl PyO3 {
        pub fn new() -> Self {
            // pyo3-ft initialized the interpreter already; PyO3 finds it so.
            let f = std::thread::spawn(|| {
                Python::attach(|py| {
                    let globals = PyDict::new(py);
                    let code = std::ffi::CString::new(SCRIPT).expect("no NUL in SCRIPT");
                    py.run(&code, Some(&globals), None).expect("define f");
                    globals
                        .get_item("f")
                        .expect("lookup f")
                        .expect("SCRIPT defines f")
                        .unbind()
                })
            })
            .join()
            .expect("PyO3 setup thread");
            PyO3 { f }
        }
    }

    #[inline(never)]
    fn call(f: &Bound<'_, PyAny>, i: i64) {
        let r: i64 = f
            .call1((i,))
            .and_then(|r| r.extract())
            .expect("f(x) failed");
        debug_assert_eq!(r, i + 1);
        black_box(r);
    }

    impl Binding for PyO3 {
        const NAME: &'static str = "PyO3";

        fn attach_round_trips(&self, n: usize) -> Duration {
            Python::attach(|py| {
                black_box(py);
            });
            let start = Instant::now();
            for _ in 0..n {
                Python::attach(|py| {
                    black_box(py);
                });
            }
            start.elapsed()
        }

        fn detach_round_trips(&self, n: usize) -> Duration {
            Python::attach(|py| {
                let start = Instant::now();
                for _ in 0..n {
                    py.detach(|| black_box(()));
                }
                start.elapsed()
            })
        }

        fn calls_attached(&self, n: usize, barrier: &Barrier) -> Span {
            Python::attach(|py| {
                let f = self.f.bind(py);
                py.detach(|| barrier.wait());
                let start = Instant::now();
                for i in 0..n as i64 {
                    call(f, i);
                }
                (start, Instant::now())
            })
        }

        fn calls_attach_each(&self, n: usize, barrier: &Barrier) -> Span {
            Python::attach(|_| ());
            barrier.wait();
            let start = Instant::now();
            for i in 0..n as i64 {
                Python::attach(|py| call(self.f.bind(py), i));
            }
            (start, Instant::now())
        }
    }
}

/// Runs `work(n)` on a fresh worker thread and returns what it measured.
fn on_worker<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(work).join().expect("worker thread panicked"))
}

/// The smallest `n` (doubling) for which `time(n)` reaches the batch time.
fn calibrate(budget: Budget, mut time: impl FnMut(usize) -> Duration) -> usize {
    let mut n = 1;
    loop {
        let t = time(n);
        if t >= budget.batch / 4 || n >= 1 << 30 {
            let scaled = n as f64 * budget.batch.as_secs_f64() / t.as_secs_f64().max(1e-9);
            return (scaled as usize).max(1);
        }
        n *= 2;
    }
}

/// Best ns per operation of a round-trip workload run on worker threads.
fn ns_per_op(budget: Budget, time: impl Fn(usize) -> Duration + Sync) -> f64 {
    let n = on_worker(|| calibrate(budget, &time));
    (0..budget.repeats)
        .map(|_| on_worker(|| time(n)).as_secs_f64() * 1e9 / n as f64)
        .fold(f64::INFINITY, f64::min)
}

/// Best calls/s of `threads` threads each running `work(n, barrier)`,
/// timed by the workers themselves: from the first start to the last end
/// (the main thread would see the release late when the workers fill every
/// CPU, and overstate the rate).
fn calls_per_sec<B: Binding>(
    budget: Budget,
    binding: &B,
    threads: usize,
    work: fn(&B, usize, &Barrier) -> Span,
) -> f64 {
    let run = |threads: usize, n: usize| -> Duration {
        let barrier = Barrier::new(threads);
        let spans: Vec<Span> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| s.spawn(|| work(binding, n, &barrier)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("worker thread panicked"))
                .collect()
        });
        let first = spans.iter().map(|s| s.0).min().expect("a thread ran");
        let last = spans.iter().map(|s| s.1).max().expect("a thread ran");
        last - first
    };
    let n = calibrate(budget, |n| run(1, n));
    (0..budget.repeats)
        .map(|_| (threads * n) as f64 / run(threads, n).as_secs_f64())
        .fold(0.0, f64::max)
}

struct Results {
    name: &'static str,
    attach_ns: f64,
    detach_ns: f64,
    attached: [f64; 2],
    attach_each: [f64; 2],
}

fn measure<B: Binding>(budget: Budget, binding: &B) -> Results {
    eprintln!("embed-bench: measuring {}", B::NAME);
    Results {
        name: B::NAME,
        attach_ns: ns_per_op(budget, |n| binding.attach_round_trips(n)),
        detach_ns: ns_per_op(budget, |n| binding.detach_round_trips(n)),
        attached: [1, 2].map(|t| calls_per_sec(budget, binding, t, B::calls_attached)),
        attach_each: [1, 2].map(|t| calls_per_sec(budget, binding, t, B::calls_attach_each)),
    }
}

fn main() {
    let mut quick = false;
    let mut tsv = None;
    let mut json = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--tsv" => tsv = Some(args.next().expect("--tsv needs a path")),
            "--json" => json = Some(args.next().expect("--json needs a path")),
            other => {
                eprintln!("usage: embed-bench [--quick] [--tsv PATH] [--json PATH] (unknown argument {other:?})");
                std::process::exit(2);
            }
        }
    }
    let budget = if quick {
        Budget {
            batch: Duration::from_millis(20),
            repeats: 2,
        }
    } else {
        Budget {
            batch: Duration::from_millis(50),
            repeats: 9,
        }
    };

    // pyo3-ft initializes the embedded interpreter (main thread parked).
    let ft = ft_side::Ft::new();
    let interpreter = ft_side::Ft::describe();
    let pyo3 = pyo3_side::PyO3::new();

    let results = [measure(budget, &ft), measure(budget, &pyo3)];
    let [ft_r, p3_r] = &results;

    println!("== embedding: Rust threads calling into Python ({interpreter}) ==");
    println!(
        "{:<46} {:>14} {:>14} {:>9}",
        "workload", ft_r.name, p3_r.name, "ft/PyO3"
    );
    let ns_row = |label: &str, a: f64, b: f64| {
        println!("{:<46} {:>11.1} ns {:>11.1} ns {:>9.4}", label, a, b, a / b);
    };
    ns_row(
        "attach+detach round trip, warm worker thread",
        ft_r.attach_ns,
        p3_r.attach_ns,
    );
    ns_row(
        "detach+re-attach inside an attach",
        ft_r.detach_ns,
        p3_r.detach_ns,
    );
    // For rates, ft/PyO3 is a time ratio too (PyO3 rate / pyo3-ft rate).
    let rate_row = |label: &str, a: f64, b: f64| {
        println!("{:<46} {:>12.0}/s {:>12.0}/s {:>9.3}", label, a, b, b / a);
    };
    let scale_row = |label: &str, a: [f64; 2], b: [f64; 2]| {
        println!(
            "{:<46} {:>13.2}x {:>13.2}x",
            label,
            a[1] / a[0],
            b[1] / b[0]
        );
    };
    rate_row(
        "f(x) calls/s, attached once, 1 thread",
        ft_r.attached[0],
        p3_r.attached[0],
    );
    rate_row(
        "f(x) calls/s, attached once, 2 threads",
        ft_r.attached[1],
        p3_r.attached[1],
    );
    scale_row("  scaling 1 -> 2 threads", ft_r.attached, p3_r.attached);
    rate_row(
        "f(x) calls/s, attach per call, 1 thread",
        ft_r.attach_each[0],
        p3_r.attach_each[0],
    );
    rate_row(
        "f(x) calls/s, attach per call, 2 threads",
        ft_r.attach_each[1],
        p3_r.attach_each[1],
    );
    scale_row(
        "  scaling 1 -> 2 threads",
        ft_r.attach_each,
        p3_r.attach_each,
    );
    println!(
        "warm attach+detach: pyo3-ft takes {:.4}x PyO3's time (target <= 0.2)",
        ft_r.attach_ns / p3_r.attach_ns
    );

    if let Some(path) = tsv {
        // The plot shows calls from threads that stay attached; attaching per
        // call is in the table (PyO3's rate there is too small to draw).
        let mut text = String::new();
        for r in &results {
            for (threads, rate) in [1, 2].into_iter().zip(r.attached) {
                text.push_str(&format!(
                    "embedding: f(x) from Rust threads\t{}\t{threads}\t{rate:.0}\n",
                    r.name
                ));
            }
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
    if let Some(path) = json {
        let field = |pick: fn(&Results) -> String| {
            results
                .iter()
                .map(|r| format!("\"{}\": {}", r.name, pick(r)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = format!(
            "{{\n \"attach_ns\": {{{}}},\n \"detach_ns\": {{{}}},\n \"attached\": {{{}}},\n \"attach_each\": {{{}}}\n}}\n",
            field(|r| format!("{:.3}", r.attach_ns)),
            field(|r| format!("{:.3}", r.detach_ns)),
            field(|r| format!("[{:.0}, {:.0}]", r.attached[0], r.attached[1])),
            field(|r| format!("[{:.0}, {:.0}]", r.attach_each[0], r.attach_each[1])),
        );
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
}
