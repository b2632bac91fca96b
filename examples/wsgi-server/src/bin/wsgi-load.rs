//! `wsgi-load`: a small HTTP/1.1 load generator for `cargo xtask
//! bench-server`. Keeps `--connections` keep-alive connections busy with
//! GET requests for `--duration` seconds (after `--warmup` seconds whose
//! results are discarded) on one thread, then prints one line:
//!
//! `requests=N errors=E seconds=S rps=R p50_us=A p99_us=B max_us=C`
//!
//! Loopback only: it refuses any other address.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

const USAGE: &str = "usage: wsgi-load --addr 127.0.0.1:PORT [--path /] [--connections 32] \
                     [--duration 5] [--warmup 1]";

struct Options {
    addr: SocketAddr,
    path: String,
    connections: usize,
    duration: Duration,
    warmup: Duration,
}

fn parse() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
        path: "/".to_owned(),
        connections: 32,
        duration: Duration::from_secs(5),
        warmup: Duration::from_secs(1),
    };
    let seconds = |text: String| {
        text.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 600.0)
            .map(Duration::from_secs_f64)
            .ok_or(format!("expected seconds (at most 600), got `{text}`"))
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or(format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--addr" => {
                options.addr = value
                    .parse()
                    .map_err(|_| format!("bad address `{value}`"))?
            }
            "--path" => options.path = value,
            "--connections" => {
                options.connections = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("bad connection count `{value}`"))?;
            }
            "--duration" => options.duration = seconds(value)?,
            "--warmup" => options.warmup = seconds(value)?,
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    if !options.addr.ip().is_loopback() {
        return Err(format!("{} is not a loopback address", options.addr));
    }
    Ok(options)
}

/// What one connection measured.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
}

/// Sends requests on one keep-alive connection (reconnecting after an
/// error) until `end`, recording latencies of those that start after
/// `measure_from`.
async fn client(options: &Options, measure_from: Instant, end: Instant) -> Tally {
    let mut tally = Tally::default();
    'connect: while Instant::now() < end {
        let Ok(stream) = TcpStream::connect(options.addr).await else {
            tally.errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok((mut sender, connection)) = http1::handshake(TokioIo::new(stream)).await else {
            tally.errors += 1;
            continue;
        };
        tokio::spawn(connection);
        loop {
            let started = Instant::now();
            if started >= end {
                break 'connect;
            }
            let request = Request::get(options.path.as_str())
                .header(hyper::header::HOST, options.addr.to_string())
                .body(Empty::<Bytes>::new())
                .expect("a valid request");
            let ok = match sender.send_request(request).await {
                Ok(response) => {
                    let status = response.status();
                    response.into_body().collect().await.is_ok() && status.is_success()
                }
                Err(_) => false,
            };
            if started >= measure_from {
                if ok {
                    let micros = started.elapsed().as_micros();
                    tally
                        .latencies_us
                        .push(u32::try_from(micros).unwrap_or(u32::MAX));
                } else {
                    tally.errors += 1;
                }
            }
            if !ok {
                continue 'connect;
            }
        }
    }
    tally
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("wsgi-load: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let tallies = runtime.block_on(async {
        let start = Instant::now();
        let measure_from = start + options.warmup;
        let end = measure_from + options.duration;
        let options = std::sync::Arc::new(options);
        let tasks: Vec<_> = (0..options.connections)
            .map(|_| {
                let options = std::sync::Arc::clone(&options);
                tokio::spawn(async move { client(&options, measure_from, end).await })
            })
            .collect();
        let mut tallies = Vec::new();
        for task in tasks {
            tallies.push(task.await.unwrap_or_default());
        }
        (tallies, options.duration)
    });
    let (tallies, duration) = tallies;
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    let mut latencies: Vec<u32> = tallies.into_iter().flat_map(|t| t.latencies_us).collect();
    latencies.sort_unstable();
    let seconds = duration.as_secs_f64();
    println!(
        "requests={} errors={errors} seconds={seconds:.2} rps={:.0} p50_us={} p99_us={} max_us={}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0),
    );
    if latencies.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
