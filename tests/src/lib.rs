//! Cross-crate integration tests live in `tests/rust/`; this library holds
//! what several of them share.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![doc(test(attr(deny(warnings))))]

#[cfg(doctest)]
mod guide;

/// Runs the ignored test `name` of the current test binary alone, in a
/// child process, and returns its stderr. Panics unless the child exited
/// successfully having run exactly that test. For scenarios that could
/// crash or abort the process on a regression: the parent judges the exit
/// status instead of going down with it.
pub fn run_child(name: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = std::process::Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("cannot start the child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child `{name}` ended with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    stderr
}
