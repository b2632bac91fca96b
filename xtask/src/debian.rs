//! Fetching from Debian's archive: CPython's source with `apt-get source`,
//! and the development headers of newer versions with `apt-get download`.
//!
//! Uses private apt configurations under the cache (their own sources list,
//! package lists and download cache), so the system's apt setup is never
//! touched. Debian's `python3.13` source package carries the unmodified
//! upstream tarball as its `.orig.tar.xz`; `sid`'s `libpython3.X-dev`
//! binary packages carry the headers of versions whose sources the archive
//! does not serve here.

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{self, Result};

/// The source package that carries the CPython tarball.
pub const PACKAGE: &str = "python3.13";

/// Suites whose source lists are searched (3.13 lives in trixie and sid).
const SUITES: [&str; 2] = ["trixie", "sid"];

/// The archive's keyring, shipped by `debian-archive-keyring`.
const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";

/// Used when the system's apt configuration names no Debian mirror.
const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";

/// Downloads the newest downloadable `python3.13` source into `dest` and
/// returns the path of its upstream tarball. `work` holds apt's state.
pub fn fetch_source(work: &Path, dest: &Path, log: &Path) -> Result<PathBuf> {
    let apt = PrivateApt::create(work, &sources_list(&system_mirror()))?;
    util::create_dir(dest)?;
    eprintln!(
        "    updating the source lists of Debian's archive ({})",
        SUITES.join(", ")
    );
    util::run_logged(apt.command("apt-get").arg("update"), log, Instant::now())?;
    let listing = util::output(apt.command("apt-cache").args(["showsrc", PACKAGE]))?;
    let versions = versions_newest_first(&listing);
    if versions.is_empty() {
        return Err(format!(
            "Debian's archive lists no `{PACKAGE}` source package"
        ));
    }
    for version in &versions {
        eprintln!("    downloading {PACKAGE}={version}");
        let mut download = apt.command("apt-get");
        download
            .args(["source", "--download-only"])
            .arg(format!("{PACKAGE}={version}"))
            .current_dir(dest);
        match util::run_logged(&mut download, log, Instant::now()) {
            Ok(()) => return orig_tarball(dest, version),
            Err(_) => {
                eprintln!("    {PACKAGE}={version} is not downloadable, trying the next version")
            }
        }
    }
    Err(format!(
        "none of the listed {PACKAGE} source versions ({}) could be downloaded; see {}",
        versions.join(", "),
        log.display()
    ))
}

/// The suite whose binary packages carry the development headers of the
/// CPython versions newer than 3.13 (`libpython3.14-dev`, ...).
const BINARY_SUITE: &str = "sid";

/// Binary packages of Debian's archive, through a private apt configuration
/// whose package lists are updated once, when it is opened.
pub struct BinaryArchive {
    apt: PrivateApt,
}

impl BinaryArchive {
    /// Sets up the configuration in `work` and updates its package lists.
    pub fn open(work: &Path, log: &Path) -> Result<Self> {
        let apt = PrivateApt::create(work, &binary_sources_list(&system_mirror()))?;
        eprintln!("    updating the package lists of Debian's archive ({BINARY_SUITE})");
        util::run_logged(apt.command("apt-get").arg("update"), log, Instant::now())?;
        Ok(Self { apt })
    }

    /// Downloads the newest `package` into `dest` (`apt-get download`) and
    /// returns the `.deb` file.
    pub fn download(&self, package: &str, dest: &Path, log: &Path) -> Result<PathBuf> {
        util::create_dir(dest)?;
        let mut download = self.apt.command("apt-get");
        download.arg("download").arg(package).current_dir(dest);
        util::run_logged(&mut download, log, Instant::now())?;
        let prefix = format!("{package}_");
        fs::read_dir(dest)
            .map_err(|e| format!("cannot read {}: {e}", dest.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .find(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with(&prefix) && name.ends_with(".deb"))
            })
            .ok_or_else(|| {
                format!(
                    "apt-get download left no {prefix}*.deb in {}",
                    dest.display()
                )
            })
    }
}

/// The Debian version in the name of a downloaded binary package:
/// `libpython3.14-dev_3.14.10-1_amd64.deb` -> `3.14.10-1` (apt writes an
/// epoch's `:` as `%3a`).
pub fn deb_version(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".deb")?;
    let mut parts = stem.split('_');
    let (_package, version, _arch) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || version.is_empty() {
        return None;
    }
    Some(version.replace("%3a", ":"))
}

/// An apt configuration private to the cache.
struct PrivateApt {
    options: Vec<String>,
}

impl PrivateApt {
    /// An apt configuration in `work` whose only sources are `sources`.
    fn create(work: &Path, sources_text: &str) -> Result<Self> {
        let lists = work.join("lists");
        let cache = work.join("cache");
        util::create_dir(&lists.join("partial"))?;
        util::create_dir(&cache.join("archives").join("partial"))?;
        let sources = work.join("sources.list");
        util::write(&sources, sources_text)?;
        let mut options = vec![
            format!("Dir::Etc::SourceList={}", sources.display()),
            "Dir::Etc::SourceParts=/dev/null".to_string(),
            format!("Dir::State::Lists={}", lists.display()),
            format!("Dir::Cache={}", cache.display()),
            "Debug::NoLocking=1".to_string(),
        ];
        if util::is_root() {
            // The private directories are not readable by apt's `_apt` user.
            options.push("APT::Sandbox::User=root".to_string());
        }
        Ok(Self { options })
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        for option in &self.options {
            cmd.arg("-o").arg(option);
        }
        cmd
    }
}

/// The `deb-src` lines of the private sources list.
fn sources_list(mirror: &str) -> String {
    SUITES
        .iter()
        .map(|suite| format!("deb-src [signed-by={KEYRING}] {mirror} {suite} main\n"))
        .collect()
}

/// The `deb` line of the private sources list for binary packages.
fn binary_sources_list(mirror: &str) -> String {
    format!("deb [signed-by={KEYRING}] {mirror} {BINARY_SUITE} main\n")
}

/// The Debian mirror the system's apt uses, else the default one.
fn system_mirror() -> String {
    let read = |path: &str| fs::read_to_string(path).unwrap_or_default();
    mirror_from_deb822(&read("/etc/apt/sources.list.d/debian.sources"))
        .or_else(|| mirror_from_one_line(&read("/etc/apt/sources.list")))
        .unwrap_or_else(|| DEFAULT_MIRROR.to_string())
}

/// The first non-security `URIs:` of a deb822 `.sources` file.
fn mirror_from_deb822(text: &str) -> Option<String> {
    text.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza
                .lines()
                .filter(|line| !line.starts_with('#'))
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
                .map(str::trim)
        };
        let uri = field("URIs")?.split_whitespace().next()?;
        let suites = field("Suites").unwrap_or_default();
        (!uri.contains("security") && !suites.contains("security")).then(|| uri.to_string())
    })
}

/// The first non-security URI of a one-line-style `sources.list`.
fn mirror_from_one_line(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if !matches!(words.next(), Some("deb" | "deb-src")) {
            return None;
        }
        let mut uri = words.next()?;
        if uri.starts_with('[') {
            while !uri.ends_with(']') {
                uri = words.next()?;
            }
            uri = words.next()?;
        }
        let suite = words.next().unwrap_or_default();
        (!uri.contains("security") && !suite.contains("security")).then(|| uri.to_string())
    })
}

/// The distinct `Version:`s of an `apt-cache showsrc` listing, newest first.
fn versions_newest_first(listing: &str) -> Vec<String> {
    let mut versions: Vec<String> = listing
        .lines()
        .filter_map(|line| line.strip_prefix("Version:"))
        .map(|v| v.trim().to_string())
        .collect();
    versions.sort_by(|a, b| compare_versions(b, a));
    versions.dedup();
    versions
}

/// The upstream part of a Debian version: `1:3.13.15-1` -> `3.13.15`.
pub fn upstream(version: &str) -> &str {
    let without_epoch = version.split_once(':').map_or(version, |(_, rest)| rest);
    without_epoch
        .rsplit_once('-')
        .map_or(without_epoch, |(upstream, _)| upstream)
}

/// The `.orig.tar.*` that `apt-get source` put into `dest` for `version`.
fn orig_tarball(dest: &Path, version: &str) -> Result<PathBuf> {
    let prefix = format!("{PACKAGE}_{}.orig.tar.", upstream(version));
    fs::read_dir(dest)
        .map_err(|e| format!("cannot read {}: {e}", dest.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| is_named_like(path, &prefix))
        .ok_or_else(|| format!("apt-get source left no {prefix}* in {}", dest.display()))
}

/// Upstream tarballs downloaded earlier into `dir`, newest first.
pub fn downloaded_tarballs(dir: &Path) -> Vec<PathBuf> {
    let prefix = format!("{PACKAGE}_");
    let mut found: Vec<(String, PathBuf)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| is_named_like(path, &prefix))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let version = name.strip_prefix(&prefix)?.split_once(".orig.tar.")?.0;
            Some((version.to_string(), path))
        })
        .collect();
    found.sort_by(|(a, _), (b, _)| compare_versions(b, a));
    found.into_iter().map(|(_, path)| path).collect()
}

fn is_named_like(path: &Path, prefix: &str) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(prefix) && name.contains(".orig.tar."))
}

/// Compares two Debian version strings the way dpkg does
/// (epoch, then upstream version, then revision).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (epoch_a, upstream_a, revision_a) = split_version(a);
    let (epoch_b, upstream_b, revision_b) = split_version(b);
    epoch_a
        .cmp(&epoch_b)
        .then_with(|| compare_part(upstream_a, upstream_b))
        .then_with(|| compare_part(revision_a, revision_b))
}

fn split_version(version: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match version.split_once(':') {
        Some((epoch, rest)) => (epoch.parse().unwrap_or(0), rest),
        None => (0, version),
    };
    let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, ""));
    (epoch, upstream, revision)
}

/// dpkg's `verrevcmp`: alternating non-digit runs (compared by [`weight`])
/// and digit runs (compared numerically).
fn compare_part(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        let (text_a, rest_a) = split_run(a, false);
        let (text_b, rest_b) = split_run(b, false);
        let text_order = compare_text(text_a, text_b);
        if text_order != Ordering::Equal {
            return text_order;
        }
        let (digits_a, rest_a) = split_run(rest_a, true);
        let (digits_b, rest_b) = split_run(rest_b, true);
        let number_order = compare_digits(digits_a, digits_b);
        if number_order != Ordering::Equal {
            return number_order;
        }
        (a, b) = (rest_a, rest_b);
    }
    Ordering::Equal
}

/// Splits off the leading run of digits (or of non-digits).
fn split_run(s: &[u8], digits: bool) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| c.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at(end)
}

fn compare_text(a: &[u8], b: &[u8]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| weight(a.get(i)).cmp(&weight(b.get(i))))
        .find(|order| *order != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// dpkg's character order: `~` before the end of the string, which is before
/// letters, which are before everything else.
fn weight(c: Option<&u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
        Some(c) => i32::from(*c) + 256,
    }
}

fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |s: &[u8]| -> Vec<u8> { s.iter().copied().skip_while(|c| *c == b'0').collect() };
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOWSRC: &str = "\
Package: python3.13
Binary: python3.13, python3.13-venv
Version: 3.13.5-2+deb13u5
Maintainer: Matthias Klose

Package: python3.13
Version: 3.13.18-1
Directory: pool/main/p/python3.13

Package: python3.13
Version: 3.13.15-1

Package: python3.13
Version: 3.13.15-1
";

    #[test]
    fn showsrc_versions_come_out_newest_first_and_distinct() {
        assert_eq!(
            versions_newest_first(SHOWSRC),
            ["3.13.18-1", "3.13.15-1", "3.13.5-2+deb13u5"]
        );
    }

    #[test]
    fn versions_compare_like_dpkg() {
        use Ordering::*;
        assert_eq!(compare_versions("3.13.15-1", "3.13.5-2+deb13u5"), Greater);
        assert_eq!(compare_versions("3.13.5-2+deb13u5", "3.13.5-2"), Greater);
        assert_eq!(compare_versions("3.14.0~rc1-1", "3.14.0-1"), Less);
        assert_eq!(compare_versions("3.13.0~b1-1", "3.13.0~rc1-1"), Less);
        assert_eq!(compare_versions("1:3.12.0-1", "3.13.0-1"), Greater);
        assert_eq!(compare_versions("3.13.015-1", "3.13.15-1"), Equal);
        assert_eq!(compare_versions("3.13.15", "3.13.15-0"), Equal);
    }

    #[test]
    fn upstream_strips_epoch_and_revision() {
        assert_eq!(upstream("3.13.15-1"), "3.13.15");
        assert_eq!(upstream("1:3.13.5-2+deb13u5"), "3.13.5");
        assert_eq!(upstream("3.13.15"), "3.13.15");
    }

    #[test]
    fn mirror_from_deb822_skips_security() {
        let text = "\
Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security

Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
";
        assert_eq!(
            mirror_from_deb822(text).as_deref(),
            Some("http://mirror.example/debian")
        );
        assert_eq!(mirror_from_deb822(""), None);
    }

    #[test]
    fn mirror_from_one_line_handles_options() {
        let text = "\
# deb http://old.example/debian bookworm main
deb http://security.example/debian-security bookworm-security main
deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main
";
        assert_eq!(
            mirror_from_one_line(text).as_deref(),
            Some("http://mirror.example/debian")
        );
    }

    #[test]
    fn binary_sources_list_is_one_deb_line_for_sid() {
        assert_eq!(
            binary_sources_list("http://mirror.example/debian"),
            "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] \
             http://mirror.example/debian sid main\n"
        );
    }

    #[test]
    fn deb_versions_come_from_file_names() {
        assert_eq!(
            deb_version("libpython3.14-dev_3.14.10-1_amd64.deb").as_deref(),
            Some("3.14.10-1")
        );
        assert_eq!(
            deb_version("libpython3.15-dev_1%3a3.15.2-1_arm64.deb").as_deref(),
            Some("1:3.15.2-1")
        );
        assert_eq!(deb_version("libpython3.14-dev_3.14.10-1_amd64.tar"), None);
        assert_eq!(deb_version("libpython3.14-dev.deb"), None);
    }

    #[test]
    fn private_sources_list_names_both_suites() {
        let list = sources_list("http://mirror.example/debian");
        assert!(list.contains("deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie main\n"));
        assert!(list.contains(" sid main\n"));
    }
}
