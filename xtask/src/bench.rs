//! `cargo xtask bench`: pyo3-ft against PyO3 and a hand-written C extension,
//! side by side, on the free-threaded interpreter.
//!
//! 1. Builds the three implementations of the ftbench API into the
//!    free-threaded venv (`target/venv-ft`): `examples/ftbench` (pyo3-ft,
//!    through the same path as `cargo xtask develop`), `benches/ftbench-pyo3`
//!    (PyO3) and `benches/ftbench-c` (C), and the two Rust programs of the
//!    `benches/` workspace (`embed-bench`, `scaling-plot`).
//! 2. Runs `benches/run_bench.py timing` (ns per call, thread scaling,
//!    contention; all three modules in one process), `run_bench.py
//!    callgrind` (instructions per call), and `embed-bench` (attach/detach
//!    and calls from Rust threads, pyo3-ft vs PyO3 in one process).
//! 3. Draws the thread scaling to `target/bench/scaling.svg` (copied to
//!    `guide/src/scaling.svg`) and prints which performance targets the run
//!    meets.
//!
//! Nothing here fails on a number: the benchmarks print, they do not assert.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::develop;
use crate::interpreters::Interpreter;
use crate::provision;
use crate::util::{self, Result};
use crate::venv::{self, Venv};

const USAGE: &str = "\
usage: cargo xtask bench [--quick] [--no-callgrind] [--no-plot-copy]
  --quick         short measurements (a smoke test of the whole pipeline)
  --no-callgrind  skip the instruction counts under valgrind
  --no-plot-copy  do not copy the plot to guide/src/scaling.svg";

#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    quick: bool,
    callgrind: bool,
    copy_plot: bool,
}

fn parse(args: &[String]) -> Result<Option<Options>> {
    let mut options = Options {
        quick: false,
        callgrind: true,
        copy_plot: true,
    };
    for arg in args {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--no-callgrind" => options.callgrind = false,
            "--no-plot-copy" => options.copy_plot = false,
            "-h" | "--help" => return Ok(None),
            other => {
                return Err(format!(
                    "unexpected argument `{other}` for `cargo xtask bench`\n\n{USAGE}"
                ))
            }
        }
    }
    Ok(Some(options))
}

/// Entry point: `cargo xtask bench [options]` (the arguments after `bench`).
pub fn main(args: &[String]) -> ExitCode {
    util::subcommand(args, USAGE, parse, run)
}

/// Where the outputs go.
struct Paths {
    root: PathBuf,
    out: PathBuf,
    benches: PathBuf,
    cargo_target: PathBuf,
}

impl Paths {
    fn new(root: &Path) -> Self {
        Paths {
            root: root.to_path_buf(),
            out: root.join("target").join("bench"),
            benches: root.join("benches"),
            cargo_target: root.join("target").join("bench").join("cargo"),
        }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
}

fn run(options: &Options) -> Result<()> {
    let started = Instant::now();
    let root = util::workspace_root();
    let paths = Paths::new(&root);
    util::create_dir(&paths.out)?;
    let found = provision::interpreters(&provision::Options::default(), false)?;
    let interpreter = found.free_threaded;
    eprintln!("bench: {}", interpreter.label());
    let venv = venv::ensure(&root, &interpreter)?;

    section("building the three ftbench modules and the bench programs");
    develop::install_project(&root, &interpreter, &venv, &root.join("examples/ftbench"))?;
    pip_install(&paths, &interpreter, &venv, "ftbench-pyo3")?;
    pip_install(&paths, &interpreter, &venv, "ftbench-c")?;
    build_programs(&paths, &interpreter)?;
    eprintln!("bench: built in {}", util::minutes(started.elapsed()));

    let measuring = Instant::now();
    let quick: &[&str] = if options.quick { &["--quick"] } else { &[] };

    section("ns per call, thread scaling, contention (one Python process)");
    let mut timing = run_bench(&paths, &interpreter, &venv, "timing");
    timing
        .args(quick)
        .arg("--json")
        .arg(paths.out("timing.json"))
        .arg("--tsv")
        .arg(paths.out("scaling-python.tsv"));
    util::run(&mut timing)?;

    let callgrind_json = paths.out("callgrind.json");
    let _ = fs::remove_file(&callgrind_json);
    if options.callgrind {
        section("instructions per call (valgrind --tool=callgrind)");
        let mut callgrind = run_bench(&paths, &interpreter, &venv, "callgrind");
        callgrind
            .args(["--n", if options.quick { "5000" } else { "20000" }])
            .arg("--out-dir")
            .arg(paths.out("callgrind"))
            .arg("--json")
            .arg(&callgrind_json);
        util::run(&mut callgrind)?;
    }

    section("embedding: Rust threads calling into Python (pyo3-ft vs PyO3)");
    let mut embed = Command::new(program(&paths, "embed-bench"));
    embed
        .args(quick)
        .arg("--tsv")
        .arg(paths.out("scaling-embed.tsv"))
        .arg("--json")
        .arg(paths.out("embed.json"));
    util::run(interpreter.library_env(&mut embed))?;

    section("thread scaling plot");
    plot(&paths, options)?;

    section("targets (issue 5) on this run");
    let mut summary = run_bench(&paths, &interpreter, &venv, "summary");
    summary
        .arg("--timing")
        .arg(paths.out("timing.json"))
        .arg("--callgrind")
        .arg(&callgrind_json)
        .arg("--embed")
        .arg(paths.out("embed.json"));
    util::run(&mut summary)?;
    eprintln!(
        "bench: measured in {}, {} in all",
        util::minutes(measuring.elapsed()),
        util::minutes(started.elapsed())
    );
    Ok(())
}

fn section(title: &str) {
    println!("\n==== {title} ====");
}

/// `pip install` one of the `benches/` projects into the venv, built for
/// `interpreter` (PyO3's build script reads `PYO3_PYTHON`).
fn pip_install(paths: &Paths, interpreter: &Interpreter, venv: &Venv, name: &str) -> Result<()> {
    let project = paths.benches.join(name);
    eprintln!(
        "bench: building {} into {}",
        project.display(),
        venv.dir.display()
    );
    let mut pip = venv.command();
    pip.args(["-m", "pip", "install", "--quiet", "--no-build-isolation"])
        .arg(&project)
        .env("PYO3_PYTHON", &interpreter.python)
        .env("PYO3FT_PYTHON", &interpreter.python)
        .env(
            "CARGO_TARGET_DIR",
            paths.root.join("target").join("wheels-ft"),
        );
    util::run(interpreter.library_env(&mut pip))
        .map_err(|e| format!("building {} failed: {e}", project.display()))
}

/// Builds `embed-bench` and `scaling-plot` (the `benches/` workspace).
fn build_programs(paths: &Paths, interpreter: &Interpreter) -> Result<()> {
    eprintln!("bench: building embed-bench and scaling-plot");
    let mut cargo = util::cargo();
    cargo
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(paths.benches.join("Cargo.toml"))
        .args(["-p", "embed-bench", "-p", "scaling-plot"])
        .env("PYO3_PYTHON", &interpreter.python)
        .env("PYO3FT_PYTHON", &interpreter.python)
        .env("CARGO_TARGET_DIR", &paths.cargo_target);
    util::run(interpreter.library_env(&mut cargo))
}

fn program(paths: &Paths, name: &str) -> PathBuf {
    paths.cargo_target.join("release").join(name)
}

/// `python benches/run_bench.py <command>` in the venv.
fn run_bench(paths: &Paths, interpreter: &Interpreter, venv: &Venv, command: &str) -> Command {
    let mut cmd = venv.command();
    cmd.arg(paths.benches.join("run_bench.py"))
        .arg(command)
        .env("PYTHONHASHSEED", "0");
    interpreter.library_env(&mut cmd);
    cmd
}

/// Joins the scaling rows and draws them; copies the SVG into the guide.
fn plot(paths: &Paths, options: &Options) -> Result<()> {
    let mut rows = String::new();
    for name in ["scaling-python.tsv", "scaling-embed.tsv"] {
        let path = paths.out(name);
        rows.push_str(
            &fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        );
    }
    let tsv = paths.out("scaling.tsv");
    util::write(&tsv, &rows)?;
    let svg = paths.out("scaling.svg");
    let title = format!(
        "Thread scaling on free-threaded CPython, {} CPUs: pyo3-ft vs PyO3 vs C",
        util::cpus()
    );
    let mut draw = Command::new(program(paths, "scaling-plot"));
    draw.arg(&tsv).arg(&svg).arg(title);
    util::run(&mut draw)?;
    println!("plot: {}", svg.display());
    if options.copy_plot {
        let guide = paths.root.join("guide").join("src").join("scaling.svg");
        fs::copy(&svg, &guide)
            .map_err(|e| format!("cannot copy the plot to {}: {e}", guide.display()))?;
        println!("plot: copied to {}", guide.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_options() {
        assert_eq!(
            parse(&args("")),
            Ok(Some(Options {
                quick: false,
                callgrind: true,
                copy_plot: true
            }))
        );
        assert_eq!(
            parse(&args("--quick --no-callgrind --no-plot-copy")),
            Ok(Some(Options {
                quick: true,
                callgrind: false,
                copy_plot: false
            }))
        );
        assert_eq!(parse(&args("--help")), Ok(None));
        assert!(parse(&args("--fast")).is_err());
    }
}
