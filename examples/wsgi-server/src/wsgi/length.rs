//! The `Content-Length` an application declared, held against the bytes it
//! yields. No more than the declared length goes out: the excess would be
//! read as the start of the next response on a kept-alive connection. A
//! body that ends short is cut off with the connection, so that the client
//! neither waits for the rest nor takes the next response for it.

use bytes::Bytes;

/// A response body's declared length and the bytes produced so far.
#[derive(Debug, Default)]
pub(crate) struct BodyLength {
    /// `None`: the body is framed by hyper (chunked, or none at all).
    declared: Option<u64>,
    produced: u64,
}

impl BodyLength {
    pub(crate) fn new(declared: Option<u64>) -> BodyLength {
        BodyLength {
            declared,
            produced: 0,
        }
    }

    /// Counts `data` and returns the part of it that may go out.
    pub(crate) fn admit(&mut self, mut data: Bytes) -> Bytes {
        let before = self.produced;
        self.produced += data.len() as u64;
        if let Some(declared) = self.declared {
            let room = declared.saturating_sub(before);
            if (data.len() as u64) > room {
                // `room` < `data.len()`, a usize.
                data.truncate(room as usize);
            }
        }
        data
    }

    /// Whether the declared length has been produced (nothing more may go).
    pub(crate) fn reached(&self) -> bool {
        self.declared
            .is_some_and(|declared| self.produced >= declared)
    }

    /// Whether the body, if it ended now, would be short of its length.
    pub(crate) fn is_short(&self) -> bool {
        self.declared
            .is_some_and(|declared| self.produced < declared)
    }

    /// The body bytes sent (or being sent).
    pub(crate) fn sent(&self) -> u64 {
        self.declared
            .map_or(self.produced, |declared| self.produced.min(declared))
    }

    /// What the application got wrong, once its body ended.
    pub(crate) fn mismatch(&self) -> Option<String> {
        let declared = self.declared?;
        let produced = self.produced;
        match produced.cmp(&declared) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(format!(
                "declared Content-Length: {declared} but produced {produced} bytes; \
                 only the first {declared} were sent"
            )),
            std::cmp::Ordering::Less => Some(format!(
                "declared Content-Length: {declared} but produced only {produced} bytes; \
                 the response was cut off after them"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excess_is_dropped_and_reported() {
        let mut length = BodyLength::new(Some(4));
        assert_eq!(length.admit(Bytes::from_static(b"caf")), &b"caf"[..]);
        assert!(!length.reached());
        assert_eq!(length.admit(Bytes::from_static(b"\xc3\xa9")), &b"\xc3"[..]);
        assert!(length.reached());
        assert_eq!(length.admit(Bytes::from_static(b"more")), &b""[..]);
        assert_eq!(length.sent(), 4);
        assert!(length.mismatch().unwrap().contains("produced 9 bytes"));
    }

    #[test]
    fn a_short_body_is_reported() {
        let mut length = BodyLength::new(Some(10));
        length.admit(Bytes::from_static(b"ab"));
        assert!(length.is_short());
        assert!(length.mismatch().unwrap().contains("only 2 bytes"));
    }

    #[test]
    fn undeclared_lengths_pass_everything() {
        let mut length = BodyLength::new(None);
        assert_eq!(length.admit(Bytes::from_static(b"abc")), &b"abc"[..]);
        assert!(!length.reached() && !length.is_short());
        assert_eq!((length.sent(), length.mismatch()), (3, None));
    }
}
