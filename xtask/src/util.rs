//! Running child processes, and small helpers shared by the subcommands.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Errors are messages for the user.
pub type Result<T> = std::result::Result<T, String>;

/// How often a long build prints that it is still alive.
const HEARTBEAT: Duration = Duration::from_secs(30);

/// Lines of a log shown when the step that wrote it failed.
const TAIL_LINES: usize = 40;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// A `cargo` command: the cargo that runs us, else the one on PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The number of CPUs available to this process.
pub fn cpus() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

/// `program arg arg ...`, for messages.
pub fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `cmd` with inherited stdio; fails unless it exits successfully.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().map_err(|e| spawn_error(cmd, &e))?;
    check(cmd, status)
}

/// Runs `cmd` and returns its stdout; on failure the error carries its stderr.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(cmd, &e))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "`{}` failed ({}):\n{}",
            describe(cmd),
            out.status,
            stderr.trim_end()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `cmd`, copying its stdout to ours as it comes, and returns its exit
/// status together with everything it wrote to stdout. Stderr is inherited.
pub fn run_tee(cmd: &mut Command) -> Result<(ExitStatus, String)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(cmd, &e))?;
    let mut captured = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        tee(&mut pipe, &mut captured)
            .map_err(|e| format!("reading from `{}`: {e}", describe(cmd)))?;
    }
    let status = child.wait().map_err(|e| spawn_error(cmd, &e))?;
    Ok((status, String::from_utf8_lossy(&captured).into_owned()))
}

fn tee(pipe: &mut impl Read, captured: &mut Vec<u8>) -> io::Result<()> {
    let mut stdout = io::stdout();
    let mut buf = [0u8; 8192];
    loop {
        let n = pipe.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        captured.extend_from_slice(&buf[..n]);
        stdout.write_all(&buf[..n])?;
        stdout.flush()?;
    }
}

/// Runs `cmd` with its output appended to `log`, printing a heartbeat while
/// it runs (measured from `started`). On failure the error shows the log's tail.
pub fn run_logged(cmd: &mut Command, log: &Path, started: Instant) -> Result<()> {
    let file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| format!("cannot open log {}: {e}", log.display()))?;
    let file2 = file
        .try_clone()
        .map_err(|e| format!("cannot open log {}: {e}", log.display()))?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(file2)
        .spawn()
        .map_err(|e| spawn_error(cmd, &e))?;
    let mut next_beat = started.elapsed() + HEARTBEAT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| spawn_error(cmd, &e))? {
            break status;
        }
        thread::sleep(Duration::from_millis(200));
        if started.elapsed() >= next_beat {
            eprintln!("      still building… {}s", started.elapsed().as_secs());
            next_beat += HEARTBEAT;
        }
    };
    check(cmd, status).map_err(|e| {
        format!(
            "{e}\n--- last lines of {} ---\n{}",
            log.display(),
            tail(log)
        )
    })
}

/// The last lines of a text file (empty if it cannot be read).
pub fn tail(path: &Path) -> String {
    let text = fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

/// The path list in the environment variable `var` (`PATH`,
/// `LD_LIBRARY_PATH`) with `dir` put first.
pub fn prepended(var: &str, dir: &Path) -> OsString {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(old) = std::env::var_os(var) {
        paths.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(paths).unwrap_or_else(|_| dir.as_os_str().to_owned())
}

/// Creates a directory and its parents, with a message naming it on failure.
pub fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Removes a directory tree if it exists.
pub fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(format!("cannot remove {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Writes a file, with a message naming it on failure.
pub fn write(path: &Path, contents: &str) -> Result<()> {
    fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `1m05s`-style duration for progress messages.
pub fn minutes(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    format!("{}m{:02}s", secs / 60, secs % 60)
}

fn check(cmd: &Command, status: ExitStatus) -> Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

fn spawn_error(cmd: &Command, error: &io::Error) -> String {
    format!("could not run `{}`: {error}", describe(cmd))
}

/// Runs a subcommand that parses its own arguments: `parse` returns `None`
/// for `--help` (then `usage` is printed); an error is printed as one line.
pub fn subcommand<O>(
    args: &[String],
    usage: &str,
    parse: impl FnOnce(&[String]) -> Result<Option<O>>,
    run: impl FnOnce(&O) -> Result<()>,
) -> std::process::ExitCode {
    let result = parse(args).and_then(|options| match options {
        Some(options) => run(&options),
        None => {
            println!("{usage}");
            Ok(())
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
