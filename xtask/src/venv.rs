//! The per-interpreter virtual environments: `target/venv-ft`, `target/venv-gil`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::interpreters::Interpreter;
use crate::util::{self, Result};

/// What the tests need: the test runner, the build backends of the example
/// projects (setuptools-rust, used with `--no-build-isolation`, and
/// maturin), Flask for the WSGI server's tests, NumPy for the buffer
/// protocol's, and the type checkers that check the generated stubs.
const PACKAGES: [&str; 10] = [
    "flask",
    "maturin",
    "mypy",
    "numpy",
    "pyright",
    "pytest",
    "pytest-run-parallel",
    "setuptools",
    "setuptools-rust",
    "wheel",
];

/// Records which interpreter made the venv (recreated when that changes).
const INTERPRETER_STAMP: &str = ".pyo3-ft-interpreter";

/// Records the installed packages, so that reruns do not ask PyPI again.
const PACKAGES_STAMP: &str = ".pyo3-ft-packages";

/// A virtual environment.
pub struct Venv {
    /// Its directory.
    pub dir: PathBuf,
    /// Its `bin/python`.
    pub python: PathBuf,
}

impl Venv {
    /// A command running the venv's python.
    pub fn command(&self) -> Command {
        Command::new(&self.python)
    }
}

/// The venv of `interpreter` under `<root>/target`, created if missing or made
/// by another interpreter, with [`PACKAGES`] installed.
pub fn ensure(root: &Path, interpreter: &Interpreter) -> Result<Venv> {
    let dir = root
        .join("target")
        .join(format!("venv-{}", interpreter.kind.suffix()));
    let venv = Venv {
        python: dir.join("bin").join("python"),
        dir,
    };
    let identity = format!("{} {}\n", interpreter.python.display(), interpreter.version);
    if !venv.python.is_file() || !stamp_is(&venv.dir.join(INTERPRETER_STAMP), &identity) {
        create(&venv, interpreter)?;
        util::write(&venv.dir.join(INTERPRETER_STAMP), &identity)?;
    }
    install_packages(&venv, interpreter)?;
    Ok(venv)
}

fn create(venv: &Venv, interpreter: &Interpreter) -> Result<()> {
    eprintln!(
        "venv: creating {} with {}",
        venv.dir.display(),
        interpreter.label()
    );
    util::remove_dir(&venv.dir)?;
    let mut cmd = Command::new(&interpreter.python);
    cmd.args(["-m", "venv"]).arg(&venv.dir);
    util::run(interpreter.library_env(&mut cmd))
}

fn install_packages(venv: &Venv, interpreter: &Interpreter) -> Result<()> {
    let stamp = venv.dir.join(PACKAGES_STAMP);
    let wanted = format!("{}\n", PACKAGES.join(" "));
    if stamp_is(&stamp, &wanted) {
        return Ok(());
    }
    eprintln!("venv: installing {}", PACKAGES.join(" "));
    let mut pip = venv.command();
    // Wheels only: the newest release of a package may have no wheel for a
    // free-threaded version (NumPy 2.5 has none for 3.13t, nor has mypy
    // 2's `ast-serialize`), and building it from source is slow or fails
    // (PyO3 refuses 3.13t); pip then picks the newest release with one.
    pip.args(["-m", "pip", "install", "--only-binary", ":all:"])
        .args(PACKAGES);
    util::run(interpreter.library_env(&mut pip))?;
    util::write(&stamp, &wanted)
}

fn stamp_is(path: &Path, expected: &str) -> bool {
    fs::read_to_string(path).is_ok_and(|text| text == expected)
}
