//! Where the server listens: TCP addresses and Unix-domain sockets
//! (`--bind HOST:PORT`, `--bind unix:PATH`, repeatable), bound before the
//! runtime starts (the supervisor binds them for its server processes).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;

/// An address to listen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl Bind {
    /// `HOST:PORT` or `unix:PATH`.
    pub fn parse(text: &str) -> Result<Bind, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("--bind unix: needs a path".to_owned());
            }
            return Ok(Bind::Unix(PathBuf::from(path)));
        }
        text.parse()
            .map(Bind::Tcp)
            .map_err(|_| format!("--bind wants HOST:PORT or unix:PATH, got `{text}`"))
    }
}

impl fmt::Display for Bind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bind::Tcp(address) => address.fmt(f),
            Bind::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Binds every address of `binds`.
pub fn bind_all(binds: &[Bind]) -> Result<Vec<StdListener>, String> {
    binds
        .iter()
        .map(|bind| {
            StdListener::bind(bind).map_err(|err| format!("cannot listen on {bind}: {err}"))
        })
        .collect()
}

/// A bound, listening socket, not yet registered with a runtime.
#[derive(Debug)]
pub enum StdListener {
    Tcp(std::net::TcpListener),
    Unix(std::os::unix::net::UnixListener),
}

impl StdListener {
    /// Binds `bind`. A Unix socket file left by an earlier run is replaced;
    /// any other file at the path is an error.
    pub fn bind(bind: &Bind) -> io::Result<StdListener> {
        match bind {
            Bind::Tcp(address) => std::net::TcpListener::bind(address).map(StdListener::Tcp),
            Bind::Unix(path) => {
                if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_socket()) {
                    std::fs::remove_file(path)?;
                }
                std::os::unix::net::UnixListener::bind(path).map(StdListener::Unix)
            }
        }
    }

    /// Where it listens, for the log: `http://HOST:PORT` or `unix:PATH`.
    pub fn describe(&self) -> String {
        match self {
            StdListener::Tcp(listener) => describe_tcp(listener.local_addr()),
            StdListener::Unix(listener) => describe_unix(
                listener
                    .local_addr()
                    .map(|address| address.as_pathname().map(PathBuf::from)),
            ),
        }
    }

    /// The descriptor, and its kind as [`StdListener::inherit`] reads it.
    pub(crate) fn describe_fd(&self) -> String {
        match self {
            StdListener::Tcp(listener) => format!("tcp:{}", listener.as_raw_fd()),
            StdListener::Unix(listener) => format!("unix:{}", listener.as_raw_fd()),
        }
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        match self {
            StdListener::Tcp(listener) => listener.as_raw_fd(),
            StdListener::Unix(listener) => listener.as_raw_fd(),
        }
    }

    /// Takes ownership of the inherited descriptor `fd` of `kind` (`tcp`
    /// or `unix`).
    ///
    /// # Safety
    /// `fd` must be an open listening socket of that kind that nothing else
    /// in this process owns or will close.
    pub(crate) unsafe fn inherit(kind: &str, fd: RawFd) -> Result<StdListener, String> {
        use std::os::fd::FromRawFd;
        match kind {
            // SAFETY: the caller hands over sole ownership of `fd`.
            "tcp" => Ok(StdListener::Tcp(unsafe {
                std::net::TcpListener::from_raw_fd(fd)
            })),
            // SAFETY: as above.
            "unix" => Ok(StdListener::Unix(unsafe {
                std::os::unix::net::UnixListener::from_raw_fd(fd)
            })),
            other => Err(format!("unknown kind of inherited socket `{other}`")),
        }
    }

    /// Registers the socket with the current tokio runtime.
    pub fn into_tokio(self) -> io::Result<Listener> {
        match self {
            StdListener::Tcp(listener) => {
                listener.set_nonblocking(true)?;
                tokio::net::TcpListener::from_std(listener).map(Listener::Tcp)
            }
            StdListener::Unix(listener) => {
                listener.set_nonblocking(true)?;
                tokio::net::UnixListener::from_std(listener).map(Listener::Unix)
            }
        }
    }
}

/// A listening socket the server accepts connections on.
#[derive(Debug)]
pub enum Listener {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

impl From<tokio::net::TcpListener> for Listener {
    fn from(listener: tokio::net::TcpListener) -> Listener {
        Listener::Tcp(listener)
    }
}

/// An accepted connection.
pub(crate) enum Accepted {
    Tcp(tokio::net::TcpStream, SocketAddr),
    Unix(tokio::net::UnixStream),
}

impl Listener {
    pub(crate) async fn accept(&self) -> io::Result<Accepted> {
        match self {
            Listener::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                let _ = stream.set_nodelay(true);
                Ok(Accepted::Tcp(stream, peer))
            }
            Listener::Unix(listener) => Ok(Accepted::Unix(listener.accept().await?.0)),
        }
    }

    /// Where it listens, for the log: `http://HOST:PORT` or `unix:PATH`.
    pub fn describe(&self) -> String {
        match self {
            Listener::Tcp(listener) => describe_tcp(listener.local_addr()),
            Listener::Unix(listener) => describe_unix(
                listener
                    .local_addr()
                    .map(|address| address.as_pathname().map(PathBuf::from)),
            ),
        }
    }
}

/// The listeners `described` (by their `describe`), for the start-up log:
/// `https://` and `(TLS)` when they serve TLS.
pub fn places(described: impl IntoIterator<Item = String>, tls: bool) -> String {
    let places: Vec<String> = described
        .into_iter()
        .map(|place| {
            if tls {
                place.replacen("http://", "https://", 1) + " (TLS)"
            } else {
                place
            }
        })
        .collect();
    places.join(" and ")
}

fn describe_tcp(address: io::Result<SocketAddr>) -> String {
    match address {
        Ok(address) => format!("http://{address}"),
        Err(err) => format!("a TCP socket ({err})"),
    }
}

fn describe_unix(path: io::Result<Option<PathBuf>>) -> String {
    match path {
        Ok(Some(path)) => format!("unix:{}", path.display()),
        Ok(None) => "an unnamed Unix socket".to_owned(),
        Err(err) => format!("a Unix socket ({err})"),
    }
}

/// A connection's peer for the log: its address, or `unix` on a Unix
/// socket.
#[derive(Debug, Clone, Copy)]
pub struct PeerName(pub Option<SocketAddr>);

impl fmt::Display for PeerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(address) => address.fmt(f),
            None => f.write_str("unix"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_parse() {
        assert_eq!(
            Bind::parse("127.0.0.1:80"),
            Ok(Bind::Tcp("127.0.0.1:80".parse().unwrap()))
        );
        assert_eq!(
            Bind::parse("unix:/run/app.sock"),
            Ok(Bind::Unix("/run/app.sock".into()))
        );
        assert!(Bind::parse("unix:").is_err());
        assert!(Bind::parse("nowhere").is_err());
    }
}
