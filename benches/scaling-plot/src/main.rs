//! Draws the thread-scaling results of `cargo xtask bench` as an SVG.
//!
//! ```text
//! scaling-plot INPUT.tsv OUTPUT.svg [TITLE]
//! ```
//! Each input line is `group<TAB>implementation<TAB>threads<TAB>calls_per_sec`.
//! Every group gets a panel: calls per second (millions) against the number
//! of threads, one line per implementation, with the ideal linear scaling of
//! the best single-thread rate drawn dashed for reference.

use std::collections::BTreeMap;

use plotters::prelude::*;

/// A fixed colour per implementation, so that every panel agrees.
fn colour(implementation: &str) -> RGBColor {
    match implementation {
        "pyo3-ft" => RGBColor(0xd9, 0x48, 0x1c),
        "PyO3" => RGBColor(0x1f, 0x6f, 0xb4),
        "C" => RGBColor(0x2e, 0x8b, 0x3a),
        _ => RGBColor(0x55, 0x55, 0x55),
    }
}

/// The implementations in the order the legend lists them.
fn rank(implementation: &str) -> usize {
    ["pyo3-ft", "PyO3", "C"]
        .iter()
        .position(|&name| name == implementation)
        .unwrap_or(3)
}

type Series = BTreeMap<(usize, String), Vec<(u32, f64)>>;

fn parse(text: &str) -> Result<BTreeMap<String, Series>, String> {
    let mut groups: Vec<String> = Vec::new();
    let mut data: BTreeMap<String, Series> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [group, implementation, threads, rate] = fields[..] else {
            return Err(format!(
                "line {}: want 4 tab-separated fields: {line:?}",
                number + 1
            ));
        };
        let threads: u32 = threads
            .parse()
            .map_err(|_| format!("line {}: bad thread count {threads:?}", number + 1))?;
        let rate: f64 = rate
            .parse()
            .map_err(|_| format!("line {}: bad rate {rate:?}", number + 1))?;
        if !groups.iter().any(|g| g == group) {
            groups.push(group.to_string());
        }
        // Keep the input order of the groups with a numeric prefix.
        let index = groups.iter().position(|g| g == group).unwrap_or(0);
        data.entry(format!("{index:02}{group}"))
            .or_default()
            .entry((rank(implementation), implementation.to_string()))
            .or_default()
            .push((threads, rate / 1e6));
    }
    if data.is_empty() {
        return Err("no data".into());
    }
    Ok(data)
}

fn draw(
    data: &BTreeMap<String, Series>,
    output: &str,
    title: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    // At most two panels a row.
    let cols = data.len().min(2);
    let rows = data.len().div_ceil(cols);
    let root =
        SVGBackend::new(output, (440 * cols as u32, 30 + 360 * rows as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 20))?;
    for (area, (key, series)) in root.split_evenly((rows, cols)).iter().zip(data) {
        let group = &key[2..];
        let max_threads = series
            .values()
            .flatten()
            .map(|&(t, _)| t)
            .max()
            .unwrap_or(2);
        let best_single = series
            .values()
            .flatten()
            .filter(|&&(t, _)| t == 1)
            .map(|&(_, r)| r)
            .fold(0.0, f64::max);
        let top = series
            .values()
            .flatten()
            .map(|&(_, r)| r)
            .fold(best_single * max_threads as f64, f64::max)
            * 1.1;
        let mut chart = ChartBuilder::on(area)
            .caption(group, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.8f64..(max_threads as f64 + 0.2), 0f64..top.max(1e-9))?;
        chart
            .configure_mesh()
            .x_desc("threads")
            .y_desc("million calls/s")
            .x_labels(max_threads as usize + 1)
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 && *x >= 1.0 {
                    format!("{}", x.round() as u32)
                } else {
                    String::new()
                }
            })
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let ideal = ShapeStyle::from(&BLACK.mix(0.35)).stroke_width(1);
        chart
            .draw_series(DashedLineSeries::new(
                (1..=max_threads).map(|t| (t as f64, best_single * t as f64)),
                6,
                4,
                ideal,
            ))?
            .label("ideal (linear)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], ideal));
        for ((_, implementation), points) in series {
            let mut points = points.clone();
            points.sort_by_key(|&(t, _)| t);
            let c = colour(implementation);
            let style = ShapeStyle::from(&c).stroke_width(2);
            let scaling = match (points.first(), points.last()) {
                (Some(&(1, one)), Some(&(t, last))) if t > 1 && one > 0.0 => {
                    format!(" ({:.2}x)", last / one)
                }
                _ => String::new(),
            };
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|&(t, r)| (t as f64, r)),
                    style,
                ))?
                .label(format!("{implementation}{scaling}"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            chart.draw_series(
                points
                    .iter()
                    .map(|&(t, r)| Circle::new((t as f64, r), 3, c.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 13))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output, title) = match &args[..] {
        [input, output] => (input, output, "Thread scaling"),
        [input, output, title] => (input, output, title.as_str()),
        _ => {
            eprintln!("usage: scaling-plot INPUT.tsv OUTPUT.svg [TITLE]");
            std::process::exit(2);
        }
    };
    let result = std::fs::read_to_string(input)
        .map_err(|e| format!("cannot read {input}: {e}"))
        .and_then(|text| parse(&text))
        .and_then(|data| draw(&data, output, title).map_err(|e| e.to_string()));
    if let Err(message) = result {
        eprintln!("scaling-plot: {message}");
        std::process::exit(1);
    }
}
