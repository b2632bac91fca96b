//! `cargo xtask develop`: build the example extension modules into a venv,
//! with the pure-Python test helpers (`python/*`) the Python tests import.

use std::fs;
use std::path::{Path, PathBuf};

use crate::interpreters::Interpreter;
use crate::provision;
use crate::util::{self, Result};
use crate::venv::{self, Venv};

/// The subcommand: builds every example project into the venv of the
/// free-threaded interpreter (or of the GIL twin), then prints the venv's
/// python as the last line. The helper packages under `python/` are
/// installed first.
pub fn run(gil: bool) -> Result<()> {
    let root = util::workspace_root();
    let found = provision::interpreters(&provision::Options::default(), gil)?;
    let interpreter = found.gil.filter(|_| gil).unwrap_or(found.free_threaded);
    let venv = venv::ensure(&root, &interpreter)?;
    for project in projects(&root) {
        install_project(&root, &interpreter, &venv, &project)?;
    }
    println!("{}", venv.python.display());
    Ok(())
}

/// Everything the Python tests need in the venv, in install order: the
/// pure-Python helper packages (`python/*/pyproject.toml`, e.g.
/// `pyo3-ft-testing`), then the example extension modules, then the test
/// extensions (`tests/*/pyproject.toml`, e.g. `tests/pyo3-style`).
pub fn projects(root: &Path) -> Vec<PathBuf> {
    let mut all = python_packages(root);
    all.extend(example_projects(root));
    all.extend(test_extensions(root));
    all
}

/// The extension crates of the test suite (`tests/*/pyproject.toml`), each
/// with its pytest suite under `tests/`.
pub fn test_extensions(root: &Path) -> Vec<PathBuf> {
    projects_under(&root.join("tests"))
}

/// The pure-Python helper packages (`python/*/pyproject.toml`).
fn python_packages(root: &Path) -> Vec<PathBuf> {
    projects_under(&root.join("python"))
}

/// The example crates that are Python projects (`examples/*/pyproject.toml`).
pub fn example_projects(root: &Path) -> Vec<PathBuf> {
    projects_under(&root.join("examples"))
}

/// The directories directly under `dir` that hold a `pyproject.toml`, sorted.
fn projects_under(dir: &Path) -> Vec<PathBuf> {
    let mut projects: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("pyproject.toml").is_file())
        .collect();
    projects.sort();
    projects
}

/// `pip install --no-build-isolation <project>` into `venv`: the project's
/// backend (setuptools-rust, or maturin for `examples/hello`) builds the
/// cdylib against `interpreter`, in `target/wheels-<ft|gil>` so that
/// rebuilds are incremental. A pure-Python project (see
/// [`python_packages`]) goes through the same command: setuptools builds
/// it and the Rust variables are simply unused.
pub fn install_project(
    root: &Path,
    interpreter: &Interpreter,
    venv: &Venv,
    project: &Path,
) -> Result<()> {
    eprintln!(
        "develop: building {} into {}",
        project.display(),
        venv.dir.display()
    );
    let mut pip = venv.command();
    pip.args(["-m", "pip", "install", "--no-build-isolation"])
        .arg(project)
        .env("PYO3FT_PYTHON", &interpreter.python)
        .env("CARGO_TARGET_DIR", wheels_target_dir(root, interpreter));
    util::run(interpreter.library_env(&mut pip))
        .map_err(|e| format!("building {} failed: {e}", project.display()))
}

/// The cargo target directory of the wheel builds for `interpreter`
/// (`target/wheels-<ft|gil>`): pip's here, maturin's in the test stage.
pub fn wheels_target_dir(root: &Path, interpreter: &Interpreter) -> PathBuf {
    root.join("target")
        .join(format!("wheels-{}", interpreter.kind.suffix()))
}
