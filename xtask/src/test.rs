//! `cargo xtask test`: every test stage, on the free-threaded interpreter and
//! then on its GIL twin.
//!
//! Stage 1 (cargo): the xtask's own unit tests; the FFI layout check
//! (`runtime/tests/layout.rs`) once per configuration, 3.13 from the
//! interpreters and 3.14 / 3.15 from their headers, free-threaded and GIL
//! (see [`crate::layout`]); then `cargo test --workspace` once per
//! interpreter. Stage 2 (Python): per interpreter, the venv, the
//! helper packages (`python/*`) and example modules built into it, and pytest
//! over `tests/python`. Stage 3 (maturin): per interpreter, a user's
//! extension crate built by the real maturin and tested by plain
//! `cargo test` (see [`crate::maturin`]). Output is streamed; counts are read from it; a stage
//! that fails without reporting a failed test (a build error, a crash) counts
//! as one failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::develop;
use crate::interpreters::Interpreter;
use crate::layout;
use crate::maturin;
use crate::provision;
use crate::summary::{self, Counts};
use crate::util::{self, Result};
use crate::venv;

/// pytest's exit status when it collected no tests.
const PYTEST_NO_TESTS: i32 = 5;

/// The subcommand. Ends with one summary line per interpreter and the line
/// `N passed, M failed`; fails if anything failed.
pub fn run(ft_only: bool) -> Result<ExitCode> {
    let root = util::workspace_root();
    let found = provision::interpreters(&provision::Options::default(), !ft_only)?;

    banner("cargo test -p xtask");
    let mut xtask = util::cargo();
    let xtask = cargo_stage(xtask.args(["test", "-p", "xtask"]).current_dir(&root));
    let mut lines = vec![format!("xtask: cargo {xtask}")];
    let mut total = xtask;

    let (layout_lines, layout) = layout::stage(&root, &found, ft_only);
    lines.extend(layout_lines);
    total += layout;

    // The venvs exist before the cargo stage: the WSGI server's tests
    // import Flask from them.
    for interpreter in found.iter() {
        if let Err(e) = venv::ensure(&root, interpreter) {
            total += stage_error(&e);
        }
    }

    let cargo: Vec<Counts> = found
        .iter()
        .map(|interpreter| {
            banner(&format!("cargo test on {}", interpreter.label()));
            let mut cmd = util::cargo();
            cmd.args([
                "test",
                "--workspace",
                "--exclude",
                "xtask",
                "--no-fail-fast",
            ])
            .current_dir(&root);
            cargo_stage(interpreter.cargo_env(&mut cmd, &root))
        })
        .collect();

    for (interpreter, cargo) in found.iter().zip(cargo) {
        banner(&format!("Python tests on {}", interpreter.label()));
        let pytest = python_stage(&root, interpreter);
        lines.push(format!(
            "{}: cargo {cargo}; pytest {pytest}",
            interpreter.label()
        ));
        total += cargo + pytest;
    }
    let (maturin_lines, maturin) = maturin::stage(&root, &found);
    lines.extend(maturin_lines);
    total += maturin;

    Ok(summary::report(&lines, total))
}

fn banner(title: &str) {
    println!("\n==== {title} ====");
}

/// Runs a `cargo test` command and counts its results.
pub fn cargo_stage(cmd: &mut Command) -> Counts {
    match util::run_tee(cmd) {
        Ok((status, output)) => {
            let counts = summary::cargo_counts(&output);
            if status.success() {
                counts
            } else {
                eprintln!("error: `{}` failed ({status})", util::describe(cmd));
                counts.with_stage_failure()
            }
        }
        Err(e) => stage_error(&e),
    }
}

/// Venv, example modules, pytest: for one interpreter.
fn python_stage(root: &Path, interpreter: &Interpreter) -> Counts {
    let venv = match venv::ensure(root, interpreter) {
        Ok(venv) => venv,
        Err(e) => return stage_error(&e),
    };
    let mut counts = Counts::default();
    // The helper packages (`python/*`) first: the tests import them.
    for project in develop::projects(root) {
        if let Err(e) = develop::install_project(root, interpreter, &venv, &project) {
            counts += stage_error(&e);
        }
    }
    // `tests/python`, and the suites of the test extensions
    // (`tests/<crate>/tests`, e.g. `tests/pyo3-style/tests`).
    let tests: Vec<PathBuf> = std::iter::once(Path::new("tests").join("python"))
        .chain(
            develop::test_extensions(root)
                .into_iter()
                .filter_map(|dir| dir.strip_prefix(root).ok().map(|d| d.join("tests"))),
        )
        .filter(|dir| has_python_tests(&root.join(dir)))
        .collect();
    if tests.is_empty() {
        println!("no Python tests under tests/");
        return counts;
    }
    let mut pytest = venv.command();
    pytest
        .args(["-m", "pytest", "-q"])
        .args(&tests)
        .current_dir(root);
    counts
        + pytest_stage(interpreter.library_env(&mut pytest))
        + crate::stubs::stage(root, interpreter, &venv)
}

/// Runs pytest and counts its results; "no tests collected" is zero tests.
fn pytest_stage(cmd: &mut Command) -> Counts {
    match util::run_tee(cmd) {
        Ok((status, _)) if status.code() == Some(PYTEST_NO_TESTS) => Counts::default(),
        Ok((status, output)) => {
            let counts = summary::pytest_counts(&output).unwrap_or_default();
            if status.success() {
                counts
            } else {
                eprintln!("error: `{}` failed ({status})", util::describe(cmd));
                counts.with_stage_failure()
            }
        }
        Err(e) => stage_error(&e),
    }
}

/// Reports a stage that could not run, counted as one failure.
pub fn stage_error(message: &str) -> Counts {
    eprintln!("error: {message}");
    Counts::default().with_stage_failure()
}

/// Whether `dir` holds pytest files (`test_*.py` or `*_test.py`) at any depth.
fn has_python_tests(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(|entry| entry.ok()).any(|entry| {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            has_python_tests(&path)
        } else {
            name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
        }
    })
}
