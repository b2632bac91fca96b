//! The access log's line format (`--access-log-format`), in gunicorn's
//! notation: `%(h)s` the client, `%(r)s` the request line, `%(m)s` the
//! method, `%(U)s` the path, `%(q)s` the query string, `%(H)s` the
//! protocol, `%(s)s` the status, `%(b)s` the body bytes sent, `%(M)s` the
//! milliseconds and `%(L)s` the seconds the request took, `%(p)s` the
//! process id, `%({name}i)s` a request header (`-` when absent), `%%` a `%`.

use std::fmt::Write as _;
use std::time::Duration;

use hyper::header::{HeaderName, HeaderValue};
use hyper::http::request::Parts;

use crate::listener::PeerName;

/// The format when `--access-log` is given without one.
pub const DEFAULT_FORMAT: &str = r#"%(h)s "%(r)s" %(s)s %(b)s %(M)sms"#;

/// A parsed format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogFormat(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Client,
    RequestLine,
    Method,
    Path,
    Query,
    Protocol,
    Status,
    Bytes,
    Millis,
    Seconds,
    Pid,
    /// The request header's value, captured by its position among the
    /// format's headers.
    Header(HeaderName, usize),
}

/// What a line needs of a request, taken before the request goes to the
/// application.
#[derive(Debug)]
pub struct Captured {
    client: PeerName,
    parts: (hyper::Method, hyper::Uri, hyper::Version),
    headers: Vec<Option<HeaderValue>>,
}

/// How the request ended, for the line.
#[derive(Debug, Clone, Copy)]
pub struct Finished {
    pub status: u16,
    pub body_bytes: u64,
    pub took: Duration,
}

impl Default for AccessLogFormat {
    fn default() -> Self {
        AccessLogFormat::parse(DEFAULT_FORMAT).expect("the default format parses")
    }
}

impl AccessLogFormat {
    pub fn parse(text: &str) -> Result<AccessLogFormat, String> {
        let mut pieces = Vec::new();
        let mut headers = 0;
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            push_text(&mut pieces, &rest[..start]);
            rest = &rest[start + 1..];
            if let Some(after) = rest.strip_prefix('%') {
                push_text(&mut pieces, "%");
                rest = after;
                continue;
            }
            let atom = rest
                .strip_prefix('(')
                .and_then(|inner| inner.split_once(")s"))
                .ok_or_else(|| format!("a `%` not followed by `%` or `(NAME)s` in `{text}`"))?;
            pieces.push(piece(atom.0, &mut headers)?);
            rest = atom.1;
        }
        push_text(&mut pieces, rest);
        Ok(AccessLogFormat(pieces))
    }

    /// Takes what the line needs of the request.
    pub fn capture(&self, parts: &Parts, client: PeerName) -> Captured {
        let headers = self
            .0
            .iter()
            .filter_map(|piece| match piece {
                Piece::Header(name, _) => Some(parts.headers.get(name).cloned()),
                _ => None,
            })
            .collect();
        Captured {
            client,
            parts: (parts.method.clone(), parts.uri.clone(), parts.version),
            headers,
        }
    }

    /// The line.
    pub fn render(&self, captured: &Captured, finished: Finished) -> String {
        let (method, uri, version) = &captured.parts;
        let mut line = String::new();
        for piece in &self.0 {
            let _ = match piece {
                Piece::Text(text) => write!(line, "{text}"),
                Piece::Client => write!(line, "{}", captured.client),
                // The target as sent on HTTP/1.1; HTTP/2's URIs carry the
                // scheme and authority too.
                Piece::RequestLine => {
                    let target = uri.path_and_query().map_or("/", |target| target.as_str());
                    write!(line, "{method} {target} {version:?}")
                }
                Piece::Method => write!(line, "{method}"),
                Piece::Path => write!(line, "{}", uri.path()),
                Piece::Query => write!(line, "{}", uri.query().unwrap_or("")),
                Piece::Protocol => write!(line, "{version:?}"),
                Piece::Status => write!(line, "{}", finished.status),
                Piece::Bytes => write!(line, "{}", finished.body_bytes),
                Piece::Millis => write!(line, "{:.1}", finished.took.as_secs_f64() * 1e3),
                Piece::Seconds => write!(line, "{:.6}", finished.took.as_secs_f64()),
                Piece::Pid => write!(line, "{}", std::process::id()),
                Piece::Header(_, index) => match captured.headers[*index].as_ref() {
                    Some(value) => write!(line, "{}", String::from_utf8_lossy(value.as_bytes())),
                    None => write!(line, "-"),
                },
            };
        }
        line
    }
}

fn push_text(pieces: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(Piece::Text(last)) => last.push_str(text),
        _ => pieces.push(Piece::Text(text.to_owned())),
    }
}

/// The piece `%(atom)s` stands for.
fn piece(atom: &str, headers: &mut usize) -> Result<Piece, String> {
    if let Some(name) = atom
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix("}i"))
    {
        let name = HeaderName::try_from(name.to_ascii_lowercase())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        *headers += 1;
        return Ok(Piece::Header(name, *headers - 1));
    }
    Ok(match atom {
        "h" => Piece::Client,
        "r" => Piece::RequestLine,
        "m" => Piece::Method,
        "U" => Piece::Path,
        "q" => Piece::Query,
        "H" => Piece::Protocol,
        "s" => Piece::Status,
        "b" => Piece::Bytes,
        "M" => Piece::Millis,
        "L" => Piece::Seconds,
        "p" => Piece::Pid,
        other => return Err(format!("unknown access log atom `%({other})s`")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(request: &str) -> Parts {
        let mut builder = hyper::Request::builder().uri(request);
        builder = builder.header("user-agent", "probe/1");
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn renders_every_atom() {
        let format = AccessLogFormat::parse(
            "%(h)s [%(r)s] %(m)s %(U)s ?%(q)s %(H)s %(s)s %(b)s %(M)s %(L)s %({User-Agent}i)s %({Referer}i)s 100%%",
        )
        .unwrap();
        let peer = PeerName(Some("10.0.0.1:5000".parse().unwrap()));
        let captured = format.capture(&parts("/a/b?x=1"), peer);
        let finished = Finished {
            status: 200,
            body_bytes: 12,
            took: Duration::from_micros(1500),
        };
        assert_eq!(
            format.render(&captured, finished),
            "10.0.0.1:5000 [GET /a/b?x=1 HTTP/1.1] GET /a/b ?x=1 HTTP/1.1 200 12 1.5 0.001500 probe/1 - 100%"
        );
    }

    #[test]
    fn http2_requests_show_their_protocol_and_target() {
        let format = AccessLogFormat::parse("%(r)s|%(H)s|%(U)s").unwrap();
        let request = hyper::Request::builder()
            .uri("https://example.org/a?b=1")
            .version(hyper::Version::HTTP_2)
            .body(())
            .unwrap();
        let captured = format.capture(&request.into_parts().0, PeerName(None));
        let finished = Finished {
            status: 200,
            body_bytes: 0,
            took: Duration::ZERO,
        };
        assert_eq!(
            format.render(&captured, finished),
            "GET /a?b=1 HTTP/2.0|HTTP/2.0|/a"
        );
    }

    #[test]
    fn rejects_unknown_atoms() {
        assert!(AccessLogFormat::parse("%(z)s").is_err());
        assert!(AccessLogFormat::parse("%d").is_err());
        assert!(AccessLogFormat::parse("%({bad name}i)s").is_err());
        assert_eq!(
            AccessLogFormat::parse(DEFAULT_FORMAT),
            Ok(AccessLogFormat::default())
        );
    }
}
