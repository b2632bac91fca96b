//! `X-Forwarded-For` and `X-Forwarded-Proto`, believed only from the
//! proxies `--forwarded-allow-ips` names: behind a reverse proxy they give
//! the application the client's address and the scheme it used.

use std::net::IpAddr;

use hyper::HeaderMap;

/// The peers whose forwarding headers are believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustedProxies {
    /// `*`: any peer (only when nothing else can reach the server).
    Any,
    /// These addresses (none: the headers are ignored).
    Only(Vec<IpAddr>),
}

impl Default for TrustedProxies {
    /// Loopback, as gunicorn: a proxy on the same machine.
    fn default() -> Self {
        TrustedProxies::Only(vec![
            [127, 0, 0, 1].into(),
            std::net::Ipv6Addr::LOCALHOST.into(),
        ])
    }
}

impl TrustedProxies {
    /// `*`, or addresses separated by commas (empty: trust none).
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        if text.trim() == "*" {
            return Ok(TrustedProxies::Any);
        }
        let addresses = text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse()
                    .map_err(|_| format!("`{item}` is not an IP address"))
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies::Only(addresses))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        match self {
            TrustedProxies::Any => true,
            TrustedProxies::Only(addresses) => addresses.contains(&ip.to_canonical()),
        }
    }
}

/// What a trusted proxy says about the client.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Forwarded {
    /// `REMOTE_ADDR`: the nearest address in `X-Forwarded-For` that is not
    /// itself a trusted proxy.
    pub client: Option<String>,
    /// `wsgi.url_scheme`, if `X-Forwarded-Proto` is `http` or `https`.
    pub https: Option<bool>,
}

/// Reads the forwarding headers of a request from `peer`, if it is trusted.
pub(crate) fn read(headers: &HeaderMap, peer: IpAddr, trusted: &TrustedProxies) -> Forwarded {
    if !trusted.trusts(peer) {
        return Forwarded::default();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let untrusted = hops
        .iter()
        .rev()
        .find(|hop| hop.parse().map_or(true, |ip| !trusted.trusts(ip)));
    let client = untrusted.or(hops.first()).map(|hop| (*hop).to_owned());
    let https = headers
        .get_all("x-forwarded-proto")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|proto| match proto.trim().to_ascii_lowercase().as_str() {
            "https" => Some(true),
            "http" => Some(false),
            _ => None,
        });
    Forwarded { client, https }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_trusted_peers_are_believed() {
        let sent = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let proxy: IpAddr = [127, 0, 0, 1].into();
        let stranger: IpAddr = [198, 51, 100, 1].into();
        let trusted = TrustedProxies::default();
        assert_eq!(
            read(&sent, proxy, &trusted),
            Forwarded {
                client: Some("203.0.113.9".to_owned()),
                https: Some(true),
            }
        );
        assert_eq!(read(&sent, stranger, &trusted), Forwarded::default());
        assert_eq!(
            read(&sent, proxy, &TrustedProxies::parse("").unwrap()),
            Forwarded::default()
        );
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let trusted = TrustedProxies::parse("127.0.0.1, 10.0.0.2").unwrap();
        let sent = headers(&[
            ("x-forwarded-for", "198.51.100.7, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.2"),
        ]);
        let client = read(&sent, [127, 0, 0, 1].into(), &trusted).client;
        assert_eq!(client.as_deref(), Some("203.0.113.9"));
        assert_eq!(TrustedProxies::parse("*"), Ok(TrustedProxies::Any));
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
