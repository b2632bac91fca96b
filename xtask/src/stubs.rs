//! The type-stub check of `cargo xtask test`, per interpreter: the stub
//! shipped in the `ftbench` wheel (`examples/ftbench/ftbench-stubs`) is
//! what the built module gives, and `mypy --strict` and `pyright` accept
//! `tests/stubs/uses_ftbench.py` and report exactly the lines marked
//! `# error:` in `tests/stubs/misuses_ftbench.py`. Five checks, counted
//! like tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::interpreters::Interpreter;
use crate::summary::Counts;
use crate::util;
use crate::venv::Venv;

/// The checks, on the venv where `ftbench` and `pyo3-ft-stubgen` are
/// installed.
pub fn stage(root: &Path, interpreter: &Interpreter, venv: &Venv) -> Counts {
    let scripts = root.join("tests").join("stubs");
    let (uses, misuses) = (
        scripts.join("uses_ftbench.py"),
        scripts.join("misuses_ftbench.py"),
    );
    let expected = marked_lines(&misuses);
    let mut counts = Counts::default();
    let mut check = |name: &str, ok: bool| {
        println!("stubs: {name}: {}", if ok { "ok" } else { "FAILED" });
        counts += Counts {
            passed: u64::from(ok),
            failed: u64::from(!ok),
        };
    };
    let mut fresh = venv.command();
    fresh
        .args(["-m", "pyo3_ft_stubgen", "ftbench", "--check", "--out"])
        .arg(root.join("examples").join("ftbench"));
    check("ftbench-stubs up to date", run(interpreter, &mut fresh).0);
    let python = venv.python.display().to_string();
    let mypy = |script: &Path| {
        let mut cmd = venv.command();
        cmd.args(["-m", "mypy", "--strict", "--no-incremental"])
            .arg(script);
        cmd
    };
    let pyright = |script: &Path| {
        let mut cmd = Command::new(venv.dir.join("bin").join("pyright"));
        cmd.args(["--pythonpath", &python]).arg(script);
        cmd
    };
    for (tool, command) in [
        ("mypy --strict", &mypy as &dyn Fn(&Path) -> Command),
        ("pyright", &pyright),
    ] {
        let (passed, _) = run(interpreter, &mut command(&uses));
        check(&format!("{tool} accepts uses_ftbench.py"), passed);
        let (failed, output) = run(interpreter, &mut command(&misuses));
        let reported = reported_lines(&output, "misuses_ftbench.py");
        check(
            &format!("{tool} reports lines {expected:?} of misuses_ftbench.py"),
            !failed && reported == expected,
        );
    }
    counts
}

/// Runs a command with the interpreter's library path; whether it
/// succeeded, and its output.
fn run(interpreter: &Interpreter, cmd: &mut Command) -> (bool, String) {
    match util::run_tee(interpreter.library_env(cmd)) {
        Ok((status, output)) => (status.success(), output),
        Err(e) => {
            eprintln!("error: {e}");
            (false, String::new())
        }
    }
}

/// The line numbers of `path` that carry a `# error:` comment.
fn marked_lines(path: &Path) -> BTreeSet<usize> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains("# error:"))
        .map(|(index, _)| index + 1)
        .collect()
}

/// The line numbers a checker reports errors at in `file`: mypy writes
/// `file:LINE: error:`, pyright `file:LINE:COLUMN - error:`.
fn reported_lines(output: &str, file: &str) -> BTreeSet<usize> {
    output
        .lines()
        .filter(|line| line.contains("error"))
        .filter_map(|line| {
            let rest = &line[line.find(file)? + file.len()..];
            let number = rest.strip_prefix(':')?.split([':', ' ']).next()?;
            number.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::reported_lines;

    #[test]
    fn reads_mypy_and_pyright_lines() {
        let mypy = "t/misuses_ftbench.py:5: error: Argument 1 [arg-type]\n\
                    x/__init__.pyi:22: note: defined here\n";
        let pyright = "  /w/misuses_ftbench.py:7:20 - error: Expected 1 more positional argument\n";
        assert_eq!(reported_lines(mypy, "misuses_ftbench.py"), [5].into());
        assert_eq!(reported_lines(pyright, "misuses_ftbench.py"), [7].into());
    }
}
