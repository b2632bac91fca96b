//! `--processes N`: a supervisor process that binds the listening sockets,
//! starts N server processes that inherit them (each runs this same program
//! and serves in the usual way), starts a new one whenever one exits
//! unasked (a crash, `os._exit`, `--max-requests`), and on SIGTERM or
//! SIGINT stops them all gracefully.
//!
//! The supervisor runs no Python. The kernel spreads new connections over
//! the processes accepting on the shared socket; a process that dies loses
//! only the connections it had accepted.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::os::fd::RawFd;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::process::Command;
use tokio::signal::unix::{signal, SignalKind};
use tokio::task::JoinSet;

use crate::config::Config;
use crate::listener::{self, StdListener};

/// The variable that tells a server process which inherited descriptors
/// are its listening sockets (`tcp:3,unix:4`).
const LISTEN_FDS: &str = "WSGI_SERVER_LISTEN_FDS";

/// A process that exits sooner than this after its start is restarted only
/// after this long, so that one that cannot start does not spin.
const QUICK_EXIT: Duration = Duration::from_secs(1);

/// How long after the graceful timeout the processes may take to exit
/// before they are killed.
const EXIT_SLACK: Duration = Duration::from_secs(5);

/// In a server process started by the supervisor: the listening sockets
/// it inherited. `None` in any other process. Only the first call takes
/// them; later ones fail.
pub fn inherited_listeners() -> Result<Option<Vec<StdListener>>, String> {
    static TAKEN: AtomicBool = AtomicBool::new(false);
    let Ok(text) = std::env::var(LISTEN_FDS) else {
        return Ok(None);
    };
    if TAKEN.swap(true, Ordering::SeqCst) {
        return Err("the inherited listening sockets were already taken".to_owned());
    }
    let mut listeners = Vec::new();
    for item in text.split(',') {
        let parsed = item
            .split_once(':')
            .and_then(|(kind, fd)| Some((kind, fd.parse::<RawFd>().ok()?)));
        let Some((kind, fd)) = parsed else {
            return Err(format!("{LISTEN_FDS} has a bad entry `{item}`"));
        };
        // (Were a descriptor not a socket of that kind, using it would fail
        // with an error, not misbehave.)
        // SAFETY: LISTEN_FDS names the listening sockets the supervisor left
        // open across `exec`; nothing else here owns them, and TAKEN keeps
        // this the only taker.
        listeners.push(unsafe { StdListener::inherit(kind, fd) }?);
    }
    Ok(Some(listeners))
}

/// The requests after which this server process is recycled: the
/// configured number plus a random share of the jitter (0: never).
pub fn request_limit(config: &Config) -> u64 {
    if config.max_requests == 0 {
        return 0;
    }
    // A hasher seeded from the OS's randomness is enough of a die here.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let jitter = random % config.max_requests_jitter.saturating_add(1);
    config.max_requests.saturating_add(jitter)
}

/// Runs the supervisor until SIGTERM or SIGINT, then stops the server
/// processes gracefully. `args` are the command-line arguments the server
/// processes get (this process's own).
pub fn run(config: &Config, args: Vec<String>) -> Result<(), String> {
    let listeners = listener::bind_all(&config.binds)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the supervisor's runtime: {err}"))?;
    let places = listener::places(
        listeners.iter().map(StdListener::describe),
        config.tls.is_some(),
    );
    crate::info!(
        "supervisor {}: listening on {places} for {} server process(es)",
        std::process::id(),
        config.processes
    );
    let mut pool = Pool {
        program: std::env::current_exe().map_err(|err| err.to_string())?,
        args,
        listeners,
        running: HashMap::new(),
        exits: JoinSet::new(),
    };
    runtime.block_on(async {
        let stop = stop_signal().map_err(|err| format!("cannot watch signals: {err}"))?;
        for slot in 0..config.processes {
            pool.start(slot)?;
        }
        pool.supervise(stop).await?;
        pool.stop(config.graceful_timeout + EXIT_SLACK).await;
        Ok(())
    })
}

/// Completes at the first SIGTERM or SIGINT, with its name.
fn stop_signal() -> io::Result<impl std::future::Future<Output = &'static str>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        }
    })
}

/// The server processes.
struct Pool {
    program: std::path::PathBuf,
    args: Vec<String>,
    listeners: Vec<StdListener>,
    /// Process ids by slot.
    running: HashMap<usize, u32>,
    /// Each process's exit: its slot, start and status.
    exits: JoinSet<(usize, Instant, io::Result<ExitStatus>)>,
}

impl Pool {
    /// Starts the server process of `slot`.
    fn start(&mut self, slot: usize) -> Result<(), String> {
        let mut child = self
            .command()
            .spawn()
            .map_err(|err| format!("cannot start a server process: {err}"))?;
        let pid = child.id().unwrap_or_default();
        self.running.insert(slot, pid);
        let started = Instant::now();
        self.exits
            .spawn(async move { (slot, started, child.wait().await) });
        Ok(())
    }

    fn command(&self) -> Command {
        let fds: Vec<RawFd> = self.listeners.iter().map(StdListener::raw_fd).collect();
        let described: Vec<String> = self
            .listeners
            .iter()
            .map(StdListener::describe_fd)
            .collect();
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env(LISTEN_FDS, described.join(","))
            .stdin(std::process::Stdio::null())
            // Its own process group: a terminal's Ctrl-C reaches only the
            // supervisor, which forwards one signal.
            .process_group(0)
            .kill_on_drop(false);
        // SAFETY: the closure runs in the child between fork and exec; it
        // only makes system calls that are async-signal-safe (fcntl,
        // prctl), allocates nothing and takes no lock.
        unsafe {
            command.pre_exec(move || inherit_listeners(&fds));
        }
        command
    }

    /// Restarts processes as they exit, until `stop` completes.
    async fn supervise(
        &mut self,
        stop: impl std::future::Future<Output = &'static str>,
    ) -> Result<(), String> {
        let mut stop = std::pin::pin!(stop);
        // Slots to start again, each when its delay is over.
        let mut restarts = JoinSet::new();
        loop {
            tokio::select! {
                name = &mut stop => {
                    crate::info!("supervisor: {name}: stopping the server processes gracefully");
                    return Ok(());
                }
                Some(exit) = self.exits.join_next() => {
                    let (slot, started, status) = exit.map_err(|err| err.to_string())?;
                    self.exited(slot, &status);
                    let delay = if started.elapsed() < QUICK_EXIT { QUICK_EXIT } else { Duration::ZERO };
                    restarts.spawn(async move {
                        tokio::time::sleep(delay).await;
                        slot
                    });
                }
                Some(slot) = restarts.join_next() => {
                    self.start(slot.map_err(|err| err.to_string())?)?;
                }
            }
        }
    }

    /// Logs the exit of the process of `slot`.
    fn exited(&mut self, slot: usize, status: &io::Result<ExitStatus>) {
        let pid = self.running.remove(&slot).unwrap_or_default();
        let how = describe(status);
        if status.as_ref().is_ok_and(ExitStatus::success) {
            // Recycled (--max-requests), or stopped by someone else.
            crate::info!("supervisor: server process {pid} finished ({how}); starting a new one");
        } else {
            crate::error!("supervisor: server process {pid} died ({how}); starting a new one");
        }
    }

    /// Sends SIGTERM to every process and waits for them to exit; kills
    /// those still running after `limit`.
    async fn stop(&mut self, limit: Duration) {
        for &pid in self.running.values() {
            send_signal(pid, libc::SIGTERM);
        }
        let exited = tokio::time::timeout(limit, async {
            while let Some(Ok((slot, _, _))) = self.exits.join_next().await {
                self.running.remove(&slot);
            }
        })
        .await;
        if exited.is_err() {
            for &pid in self.running.values() {
                crate::error!("supervisor: server process {pid} did not exit in time; killing it");
                send_signal(pid, libc::SIGKILL);
            }
        }
        crate::info!("supervisor: stopped");
    }
}

/// In the child, before `exec`: keeps the listening sockets open across
/// it, and asks for SIGTERM if the supervisor dies.
fn inherit_listeners(fds: &[RawFd]) -> io::Result<()> {
    for &fd in fds {
        // SAFETY: fcntl on a descriptor number has no memory effects; a bad
        // descriptor is reported through the return value.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        // SAFETY: as above.
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_PDEATHSIG takes a signal number and changes only
        // this process's attributes.
        let _ = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) };
    }
    Ok(())
}

fn send_signal(pid: u32, signal: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    if pid > 0 {
        // SAFETY: kill(2) has no memory effects; `pid` is one of our
        // children, not yet reaped (its exit task still holds it).
        unsafe { libc::kill(pid, signal) };
    }
}

fn describe(status: &io::Result<ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("exit code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            _ => status.to_string(),
        },
        Err(err) => format!("cannot wait for it: {err}"),
    }
}
