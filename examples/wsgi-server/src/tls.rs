//! TLS (`--certfile`, `--keyfile`): the server's certificate and key, read
//! once at start-up, and the handshake of each connection, which also
//! settles (by ALPN) whether the connection speaks HTTP/2 or HTTP/1.1.
//!
//! rustls with the `ring` crypto provider; TLS 1.2 and 1.3; no client
//! certificates.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::listener::PeerName;
use crate::protocol::Protocol;

/// The ALPN names offered, preferred first.
const ALPN_H2: &[u8] = b"h2";
const ALPN_HTTP1: &[u8] = b"http/1.1";

/// A server's TLS settings, ready for handshakes.
#[derive(Clone)]
pub struct Tls(TlsAcceptor);

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls")
    }
}

impl Tls {
    /// Reads the certificate chain (the server's first, then its
    /// intermediates) and the private key (PKCS#8, PKCS#1 or SEC1) from PEM
    /// files.
    ///
    /// # Errors
    /// A message naming the file and what is wrong with it: missing,
    /// unreadable, not PEM, no certificate or key in it, or a key that
    /// does not match the certificate.
    pub fn load(files: &TlsFiles) -> Result<Tls, String> {
        let (certfile, keyfile) = (&files.certfile, &files.keyfile);
        let certs = read_chain(certfile)?;
        let key = PrivateKeyDer::from_pem_file(keyfile)
            .map_err(|err| pem_error("--keyfile", keyfile, "private key", err))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|builder| builder.with_no_client_auth().with_single_cert(certs, key))
            .map_err(|err| {
                format!(
                    "--certfile {} with --keyfile {}: {err}",
                    certfile.display(),
                    keyfile.display()
                )
            })?;
        config.alpn_protocols = vec![ALPN_H2.to_vec(), ALPN_HTTP1.to_vec()];
        Ok(Tls::from_config(Arc::new(config)))
    }

    /// Settings made elsewhere (by a program that embeds the server).
    /// Offer `h2` in its ALPN protocols for HTTP/2.
    pub fn from_config(config: Arc<ServerConfig>) -> Tls {
        Tls(TlsAcceptor::from(config))
    }

    /// The handshake with `peer` on `stream`, at most `limit`, and the
    /// protocol ALPN chose (`None`: the client offered none). A failure (a
    /// client speaking plain HTTP, a scanner, a timeout) is one line in the
    /// log and `None`: it concerns that connection alone.
    pub(crate) async fn handshake<S>(
        &self,
        stream: S,
        limit: Duration,
        peer: PeerName,
    ) -> Option<(TlsStream<S>, Option<Protocol>)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let stream = match tokio::time::timeout(limit, self.0.accept(stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(err)) => {
                crate::info!("TLS handshake with {peer} failed: {err}");
                return None;
            }
            Err(_) => {
                crate::info!(
                    "TLS handshake with {peer} failed: not done within {:.1}s (--header-timeout)",
                    limit.as_secs_f64()
                );
                return None;
            }
        };
        let protocol = match stream.get_ref().1.alpn_protocol() {
            Some(ALPN_H2) => Some(Protocol::Http2),
            Some(_) => Some(Protocol::Http1),
            None => None,
        };
        Some((stream, protocol))
    }
}

/// The certificates of the PEM file `path` (at least one).
fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|err| pem_error("--certfile", path, "certificate", err))?;
    if certs.is_empty() {
        return Err(pem_error(
            "--certfile",
            path,
            "certificate",
            pem::Error::NoItemsFound,
        ));
    }
    Ok(certs)
}

fn pem_error(flag: &str, path: &Path, what: &str, err: pem::Error) -> String {
    let why = match err {
        pem::Error::Io(err) => err.to_string(),
        pem::Error::NoItemsFound => format!("no PEM {what} found in it"),
        other => format!("not valid PEM ({other})"),
    };
    format!("{flag} {}: {why}", path.display())
}
