//! The pyo3-ft demo: calls a CPU-bound pure-Python function from 1, 2 and
//! N Rust threads at once and prints calls per second and the speedup over
//! one thread. On a free-threaded interpreter the threads run in parallel;
//! on a GIL build they take turns.
//!
//! ```text
//! cargo run --release -p demo -- --threads 4 --calls 200
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::sync::Barrier;
use std::time::{Duration, Instant};

use pyo3_ft::prelude::*;
use pyo3_ft::types::PyDict;

/// The Python work each call does: pure bytecode, no I/O, no shared state.
const SCRIPT: &str = r#"
def work(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total
"#;

/// Loop length of one `work` call.
const WORK_SIZE: i64 = 20_000;

struct Options {
    max_threads: usize,
    calls_per_thread: usize,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        max_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        calls_per_thread: 300,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let raw = args.next().ok_or(format!("{name} needs a value"))?;
            match raw.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} takes a positive whole number, not {raw:?}")),
            }
        };
        match arg.as_str() {
            "--threads" => options.max_threads = value("--threads")?,
            "--calls" => options.calls_per_thread = value("--calls")?,
            "-h" | "--help" => {
                println!("usage: demo [--threads N] [--calls PER_THREAD]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(options)
}

/// Loads `SCRIPT` into a fresh namespace and returns its `work`.
///
/// Every worker thread loads its own copy, as a server's workers each load
/// their application. On 3.13t a function defined after the first extra
/// thread started keeps a reference count that every calling thread
/// updates; threads sharing one such function contend on it. (3.14
/// defers those counts.)
fn load_work(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let globals = PyDict::new(py);
    py.run(SCRIPT, Some(&globals), None)?;
    Ok(globals.get_item("work")?.expect("SCRIPT defines work"))
}

/// Runs `calls` calls of `work` on each of `threads` Rust threads, started
/// together; returns the wall time and checks every result.
fn run(threads: usize, calls: usize, expected: i64) -> Duration {
    let barrier = Barrier::new(threads + 1);
    let mut start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                Python::attach(|py| {
                    let work = load_work(py).expect("loading the script failed");
                    // Wait detached so the others can attach meanwhile.
                    py.detach(|| barrier.wait());
                    for _ in 0..calls {
                        let result: i64 = work
                            .call1((WORK_SIZE,))
                            .and_then(|r| r.extract())
                            .expect("work() failed");
                        assert_eq!(result, expected, "work() returned a wrong result");
                    }
                });
            });
        }
        barrier.wait();
        start = Instant::now();
        // Leaving the scope joins every thread.
    });
    start.elapsed()
}

/// The interpreter this demo was built against, e.g. `3.13.15 free-threaded`.
fn describe_interpreter() -> PyResult<String> {
    Python::attach(|py| {
        let version: String = py
            .eval(
                "'%d.%d.%d' % __import__('sys').version_info[:3]",
                None,
                None,
            )?
            .extract()?;
        let build = if pyo3_ft::runtime::build_info::GIL_DISABLED {
            "free-threaded"
        } else {
            "GIL build"
        };
        let gil = if py.is_gil_enabled()? {
            "GIL enabled"
        } else {
            "GIL disabled"
        };
        Ok(format!("CPython {version} {build} ({gil})"))
    })
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("demo: {message}");
            std::process::exit(2);
        }
    };
    let checked =
        Python::attach(|py| load_work(py).map(drop)).and_then(|()| describe_interpreter());
    let interpreter = match checked {
        Ok(found) => found,
        Err(err) => {
            eprintln!("demo: Python failed:\n{err}");
            std::process::exit(1);
        }
    };
    let expected: i64 = (0..WORK_SIZE).map(|i| (i * i) % 7).sum();
    let mut counts = vec![1, 2, options.max_threads];
    counts.sort_unstable();
    counts.dedup();

    println!("pyo3-ft demo: a pure-Python function called from Rust threads");
    println!("interpreter: {interpreter}");
    println!(
        "each thread makes {} calls of work({WORK_SIZE})\n",
        options.calls_per_thread
    );
    println!("{:>7} {:>12} {:>10}", "threads", "calls/s", "speedup");
    let mut single = None;
    for threads in counts {
        let elapsed = run(threads, options.calls_per_thread, expected);
        let rate = (threads * options.calls_per_thread) as f64 / elapsed.as_secs_f64();
        let base = *single.get_or_insert(rate);
        println!("{threads:>7} {rate:>12.0} {:>9.2}x", rate / base);
    }
}
