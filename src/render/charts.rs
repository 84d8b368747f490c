//! Line charts of a measure over period ends against its baseline, as a panel paper would
//! show them: a hand-built SVG (deterministic, accessible) and the same SVG as a PNG.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate};
use resvg::{tiny_skia, usvg};

/// Width of every chart, in SVG user units (= PNG pixels).
pub const WIDTH: u32 = 960;
/// Height of every chart, in SVG user units (= PNG pixels).
pub const HEIGHT: u32 = 540;
/// The only family the SVG names; the PNG renderer embeds exactly this font so that the
/// PNG looks the same on a machine with no fonts installed.
pub const FONT_FAMILY: &str = "DejaVu Sans";
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Larger SVGs are refused by [`png`] rather than allocating an enormous pixmap.
const MAX_PNG_SIDE: u32 = 4096;

/// A chart: one or more series over period ends, each with an optional baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    /// Under the title, e.g. the area and the measure definition.
    pub subtitle: String,
    /// Beside the y axis, e.g. "Repeat-missing children".
    pub y_label: String,
    /// Small print at the bottom (wrapped to three lines), e.g. the definition and
    /// baseline versions and sources.
    pub footnote: String,
    pub series: Vec<Series>,
}

/// One line: a value per period end (any order; drawn in date order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(NaiveDate, u64)>,
    /// Drawn as a dashed horizontal line in the series' colour.
    pub baseline: Option<Baseline>,
}

/// A fixed figure the series is measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub value: u64,
    /// What the figure is, e.g. "12 months to 31 Dec 2019".
    pub label: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the SVG could not be parsed")]
    Svg(#[from] usvg::Error),
    #[error("the image would be {width}×{height} pixels (at most {MAX_PNG_SIDE} a side)")]
    TooLarge { width: u32, height: u32 },
    #[error("the PNG could not be encoded")]
    Encode(#[source] Box<dyn std::error::Error + Send + Sync>),
}

// Okabe–Ito colours: distinguishable with colour-blindness and in greyscale print
// (with the marker shapes).
const COLOURS: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MARGIN: f64 = 24.0;
const TITLE_SIZE: f64 = 20.0;
const SUBTITLE_SIZE: f64 = 14.0;
const LEGEND_SIZE: f64 = 13.0;
const AXIS_SIZE: f64 = 12.0;
const FOOT_SIZE: f64 = 11.0;
const LEGEND_ROWS: usize = 4;
const LEGEND_GAP: f64 = 22.0;
const FOOT_LINES: usize = 3;
/// Space inside the plot before the first and after the last period end.
const X_INSET: f64 = 14.0;

/// The chart as a standalone SVG document of [`WIDTH`] × [`HEIGHT`].
pub fn svg(chart: &Chart) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let w = f64::from(WIDTH);
    let h = f64::from(HEIGHT);
    let text_w = w - 2.0 * MARGIN;
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" font-family="{FONT_FAMILY}">"##
    );
    let _ = write!(
        out,
        r##"<title id="chart-title">{}</title><desc id="chart-desc">{}</desc><rect width="100%" height="100%" fill="#ffffff"/>"##,
        esc(&clean(&chart.title)),
        esc(&description(chart))
    );

    // Header: title, subtitle, legend.
    let mut y = MARGIN + TITLE_SIZE - 4.0;
    text(
        &mut out,
        MARGIN,
        y,
        TITLE_SIZE,
        "#111111",
        "start",
        &fit(&chart.title, TITLE_SIZE, text_w),
        "title",
    );
    let subtitle = fit(&chart.subtitle, SUBTITLE_SIZE, text_w);
    if !subtitle.is_empty() {
        y += SUBTITLE_SIZE + 10.0;
        text(
            &mut out,
            MARGIN,
            y,
            SUBTITLE_SIZE,
            "#444444",
            "start",
            &subtitle,
            "subtitle",
        );
    }
    y += 12.0;
    let legend = legend_rows(chart, text_w);
    for (row, entries) in legend.iter().enumerate() {
        let cy = y + 10.0 + 20.0 * row as f64;
        let mut x = MARGIN;
        for entry in entries {
            legend_entry(&mut out, x, cy, entry);
            x += entry.width + LEGEND_GAP;
        }
    }
    let plot_top = y + 20.0 * legend.len() as f64 + 22.0;

    // Footer: footnote, then the x axis labels above it.
    let foot = wrap(&chart.footnote, FOOT_SIZE, text_w, FOOT_LINES);
    let foot_top = h - MARGIN + 6.0 - 14.0 * foot.len() as f64;
    for (i, line) in foot.iter().enumerate() {
        let fy = foot_top + FOOT_SIZE + 14.0 * i as f64;
        text(
            &mut out, MARGIN, fy, FOOT_SIZE, "#555555", "start", line, "footnote",
        );
    }
    let plot_bottom = foot_top - if foot.is_empty() { 30.0 } else { 38.0 };

    // Y scale, and the left margin its labels need.
    let values = chart.series.iter().flat_map(|s| {
        s.points
            .iter()
            .map(|p| p.1)
            .chain(s.baseline.as_ref().map(|b| b.value))
    });
    let max_value = values.max();
    let ticks = nice_ticks(max_value.unwrap_or(0));
    let top = ticks.last().copied().unwrap_or(1).max(1) as f64;
    // With nothing to plot the grid stays but unlabelled, so it cannot read as zeros.
    let tick_labels: Vec<String> = match max_value {
        Some(_) => ticks.iter().map(|t| thousands(*t)).collect(),
        None => vec![String::new(); ticks.len()],
    };
    let label_w = tick_labels
        .iter()
        .map(|l| text_width(l, AXIS_SIZE))
        .fold(0.0, f64::max);
    let y_label = clean(&chart.y_label);
    let axis_title_w = if y_label.is_empty() { 0.0 } else { 22.0 };
    let plot_left = (MARGIN + axis_title_w + label_w + 10.0).max(MARGIN + 32.0);
    let plot_right = w - MARGIN - 14.0;
    let plot_h = (plot_bottom - plot_top).max(1.0);
    let y_of = |v: f64| plot_bottom - v / top * plot_h;

    if !y_label.is_empty() {
        let cx = MARGIN + 8.0;
        let cy = (plot_top + plot_bottom) / 2.0;
        let _ = write!(
            out,
            r##"<text class="axis-title" x="{cx:.1}" y="{cy:.1}" font-size="{AXIS_SIZE}" fill="#444444" text-anchor="middle" transform="rotate(-90 {cx:.1} {cy:.1})">{}</text>"##,
            esc(&fit(&y_label, AXIS_SIZE, plot_h))
        );
    }
    for (tick, label) in ticks.iter().zip(&tick_labels) {
        let ty = y_of(*tick as f64);
        let colour = if *tick == 0 { "#333333" } else { "#e3e3e3" };
        let _ = write!(
            out,
            r##"<line class="grid" x1="{plot_left:.1}" y1="{ty:.1}" x2="{plot_right:.1}" y2="{ty:.1}" stroke="{colour}" stroke-width="1"/>"##
        );
        if label.is_empty() {
            continue;
        }
        text(
            &mut out,
            plot_left - 8.0,
            ty + 4.0,
            AXIS_SIZE,
            "#333333",
            "end",
            label,
            "y-tick",
        );
    }

    // X scale over every period end in the chart.
    let mut dates: Vec<NaiveDate> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let (first, last) = (dates.first().copied(), dates.last().copied());
    let span = match (first, last) {
        (Some(a), Some(b)) => (b - a).num_days() as f64,
        _ => 0.0,
    };
    let x_of = |d: NaiveDate| match first {
        Some(a) if span > 0.0 => {
            plot_left
                + X_INSET
                + (d - a).num_days() as f64 / span * (plot_right - plot_left - 2.0 * X_INSET)
        }
        _ => (plot_left + plot_right) / 2.0,
    };
    let _ = write!(
        out,
        r##"<line class="axis" x1="{plot_left:.1}" y1="{plot_top:.1}" x2="{plot_left:.1}" y2="{plot_bottom:.1}" stroke="#333333" stroke-width="1"/>"##
    );
    let xs: Vec<f64> = dates.iter().map(|d| x_of(*d)).collect();
    for i in x_label_indices(&dates, &xs, plot_right - plot_left) {
        let (Some(d), Some(x)) = (dates.get(i), xs.get(i)) else {
            continue;
        };
        let _ = write!(
            out,
            r##"<line class="x-tick" x1="{x:.1}" y1="{plot_bottom:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333333" stroke-width="1"/>"##,
            plot_bottom + 5.0
        );
        text(
            &mut out,
            *x,
            plot_bottom + 20.0,
            AXIS_SIZE,
            "#333333",
            "middle",
            &period(*d),
            "x-label",
        );
    }

    // Baselines under the lines, then lines, then markers on top.
    for (i, series) in chart.series.iter().enumerate() {
        if let Some(b) = &series.baseline {
            let by = y_of(b.value as f64);
            let _ = write!(
                out,
                r##"<line class="baseline" x1="{plot_left:.1}" y1="{by:.1}" x2="{plot_right:.1}" y2="{by:.1}" stroke="{}" stroke-width="2" stroke-dasharray="9 6"/>"##,
                colour(i)
            );
        }
    }
    let marker_r = match dates.len() {
        0..=1 => 4.0,
        n => ((plot_right - plot_left - 2.0 * X_INSET) / (n - 1) as f64 * 0.4).clamp(1.8, 4.0),
    };
    for (i, series) in chart.series.iter().enumerate() {
        let mut points = series.points.clone();
        points.sort_by_key(|p| p.0);
        if points.len() >= 2 {
            let coords: Vec<String> = points
                .iter()
                .map(|(d, v)| format!("{:.1},{:.1}", x_of(*d), y_of(*v as f64)))
                .collect();
            let _ = write!(
                out,
                r##"<polyline class="series-line" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round" points="{}"/>"##,
                colour(i),
                coords.join(" ")
            );
        }
        for (d, v) in &points {
            let tip = format!(
                "{}: {} {}",
                clean(&series_label(series, i)),
                period(*d),
                thousands(u128::from(*v))
            );
            marker(&mut out, i, x_of(*d), y_of(*v as f64), marker_r, &tip);
        }
    }
    if dates.is_empty() {
        let cx = (plot_left + plot_right) / 2.0;
        let cy = (plot_top + plot_bottom) / 2.0;
        text(
            &mut out, cx, cy, 16.0, "#666666", "middle", "No data", "no-data",
        );
    }
    out.push_str("</svg>");
    out
}

/// Rasterises an SVG (normally from [`svg`]) to PNG with the embedded font. External
/// images are never loaded. CPU-bound: call it off the async workers.
pub fn png(svg: &str) -> Result<Vec<u8>, ChartError> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_owned(),
        fontdb: font_db(),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    if width > MAX_PNG_SIDE || height > MAX_PNG_SIDE {
        return Err(ChartError::TooLarge { width, height });
    }
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(ChartError::TooLarge { width, height })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ChartError::Encode(Box::new(e)))
}

/// The font database, built once: just the embedded DejaVu Sans, also as sans-serif.
fn font_db() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(FONT)));
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Y ticks from 0 in steps of 1, 2 or 5 × 10ⁿ (at least 1: counts are whole), the last
/// at or above `max` (and at least 5, so small counts are not stretched); at most six.
fn nice_ticks(max: u64) -> Vec<u128> {
    let max = u128::from(max.max(5));
    let raw = max.div_ceil(5);
    let mut magnitude: u128 = 1;
    while magnitude * 10 <= raw {
        magnitude *= 10;
    }
    let step = [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10 * magnitude);
    let top = max.div_ceil(step) * step;
    (0..=top / step).map(|i| i * step).collect()
}

/// Which period ends get a label: every k-th counting back from the latest (k in whole
/// quarters or years when there are many), then any that would still collide dropped.
fn x_label_indices(dates: &[NaiveDate], xs: &[f64], plot_w: f64) -> Vec<usize> {
    let n = dates.len();
    if n == 0 {
        return Vec::new();
    }
    let label_w = text_width("May 2025", AXIS_SIZE) + 14.0;
    let fits = ((plot_w / label_w).floor() as usize).max(1);
    let step = [1, 2, 3, 4, 6, 12, 24, 36, 60, 120]
        .into_iter()
        .find(|k| n.div_ceil(*k) <= fits)
        .unwrap_or_else(|| n.div_ceil(fits).max(1));
    let mut chosen = Vec::new();
    let mut left_edge = f64::INFINITY;
    for i in (0..n).rev().filter(|i| (n - 1 - i) % step == 0) {
        let Some(x) = xs.get(i) else { continue };
        if x + label_w / 2.0 <= left_edge {
            chosen.push(i);
            left_edge = x - label_w / 2.0;
        }
    }
    chosen.reverse();
    chosen
}

struct LegendEntry {
    /// The series and whether this is its baseline; `None` for the "+N more" note.
    swatch: Option<(usize, bool)>,
    text: String,
    width: f64,
}

const SWATCH: f64 = 28.0;

/// Legend entries flowed into at most [`LEGEND_ROWS`] rows; what does not fit is counted
/// in a final "+N more".
fn legend_rows(chart: &Chart, max_w: f64) -> Vec<Vec<LegendEntry>> {
    // A series and its baseline stay together on a row when they fit.
    let groups: Vec<Vec<LegendEntry>> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut label = series_label(s, i);
            if s.points.is_empty() {
                label.push_str(" (No data)");
            }
            let mut group = vec![legend_item(i, false, &label, max_w)];
            if let Some(b) = &s.baseline {
                let mut label = format!(
                    "{} baseline: {}",
                    series_label(s, i),
                    thousands(u128::from(b.value))
                );
                let what = clean(&b.label);
                if !what.is_empty() {
                    let _ = write!(label, " ({what})");
                }
                group.push(legend_item(i, true, &label, max_w));
            }
            group
        })
        .collect();
    let total: usize = groups.iter().map(Vec::len).sum();
    let mut rows: Vec<Vec<LegendEntry>> = Vec::new();
    let mut x = 0.0;
    let mut placed = 0;
    for group in groups {
        let group_w: f64 = group.iter().map(|e| e.width + LEGEND_GAP).sum::<f64>() - LEGEND_GAP;
        let group_fits = x + group_w <= max_w;
        for (j, entry) in group.into_iter().enumerate() {
            if rows.is_empty() || (j == 0 && !group_fits) || x + entry.width > max_w {
                if rows.len() == LEGEND_ROWS {
                    let more = format!("+{} more", total - placed);
                    let more_w = text_width(&more, LEGEND_SIZE);
                    if let Some(row) = rows.last_mut() {
                        while x + more_w > max_w {
                            let Some(e) = row.pop() else { break };
                            x -= e.width + LEGEND_GAP;
                        }
                        row.push(LegendEntry {
                            swatch: None,
                            text: more,
                            width: more_w,
                        });
                    }
                    return rows;
                }
                rows.push(Vec::new());
                x = 0.0;
            }
            x += entry.width + LEGEND_GAP;
            placed += 1;
            if let Some(row) = rows.last_mut() {
                row.push(entry);
            }
        }
    }
    rows
}

fn legend_item(series: usize, dashed: bool, label: &str, max_w: f64) -> LegendEntry {
    let text = fit(label, LEGEND_SIZE, max_w - SWATCH - 8.0);
    let width = SWATCH + 8.0 + text_width(&text, LEGEND_SIZE);
    LegendEntry {
        swatch: Some((series, dashed)),
        text,
        width,
    }
}

fn legend_entry(out: &mut String, x: f64, cy: f64, entry: &LegendEntry) {
    let Some((series, dashed)) = entry.swatch else {
        text(
            out,
            x,
            cy + 4.5,
            LEGEND_SIZE,
            "#333333",
            "start",
            &entry.text,
            "legend-more",
        );
        return;
    };
    let c = colour(series);
    let dash = if dashed {
        r#" stroke-dasharray="9 6""#
    } else {
        ""
    };
    let width = if dashed { 2.0 } else { 2.5 };
    let _ = write!(
        out,
        r#"<line class="legend-swatch" x1="{x:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="{c}" stroke-width="{width}"{dash}/>"#,
        x + SWATCH
    );
    if !dashed {
        legend_marker(out, series, x + SWATCH / 2.0, cy);
    }
    text(
        out,
        x + SWATCH + 8.0,
        cy + 4.5,
        LEGEND_SIZE,
        "#222222",
        "start",
        &entry.text,
        "legend-label",
    );
}

fn legend_marker(out: &mut String, series: usize, x: f64, y: f64) {
    let mut shape = String::new();
    marker_shape(&mut shape, series, x, y, 4.0);
    let _ = write!(
        out,
        r##"<g class="legend-marker" fill="{}" stroke="#ffffff" stroke-width="1">{shape}</g>"##,
        colour(series)
    );
}

/// A point marker (shape varies by series so print in greyscale still reads) with a
/// tooltip for browsers.
fn marker(out: &mut String, series: usize, x: f64, y: f64, r: f64, tip: &str) {
    let _ = write!(
        out,
        r##"<g class="marker" fill="{}" stroke="#ffffff" stroke-width="1"><title>{}</title>"##,
        colour(series),
        esc(tip)
    );
    marker_shape(out, series, x, y, r);
    out.push_str("</g>");
}

fn marker_shape(out: &mut String, series: usize, x: f64, y: f64, r: f64) {
    let _ = match series % 4 {
        0 => write!(out, r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}"/>"#),
        1 => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
            x - r * 0.9,
            y - r * 0.9,
            r * 1.8,
            r * 1.8
        ),
        2 => write!(
            out,
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}"/>"#,
            y - r * 1.25,
            x + r * 1.25,
            y + r * 1.25,
            x - r * 1.25
        ),
        _ => write!(
            out,
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
            y - r * 1.3,
            x + r * 1.2,
            y + r * 0.8,
            x - r * 1.2,
            y + r * 0.8
        ),
    };
}

#[allow(clippy::too_many_arguments)]
fn text(
    out: &mut String,
    x: f64,
    y: f64,
    size: f64,
    fill: &str,
    anchor: &str,
    s: &str,
    class: &str,
) {
    let _ = write!(
        out,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}" font-size="{size}" fill="{fill}" text-anchor="{anchor}">{}</text>"#,
        esc(s)
    );
}

fn colour(series: usize) -> &'static str {
    COLOURS[series % COLOURS.len()]
}

fn series_label(series: &Series, index: usize) -> String {
    let label = clean(&series.label);
    if label.is_empty() {
        format!("Series {}", index + 1)
    } else {
        label
    }
}

/// "Mar 2025".
fn period(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize % 12], d.year())
}

/// 1234567 → "1,234,567".
fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The chart in words, for screen readers: each series' span, latest value and baseline.
fn description(chart: &Chart) -> String {
    let mut parts = vec![clean(&chart.subtitle)];
    for (i, s) in chart.series.iter().enumerate() {
        let label = series_label(s, i);
        let first = s.points.iter().min_by_key(|p| p.0);
        let latest = s.points.iter().max_by_key(|p| p.0);
        let mut part = match (first, latest) {
            (Some(f), Some(l)) => format!(
                "{label}: {} period ends from {} to {}, latest {} ({})",
                s.points.len(),
                period(f.0),
                period(l.0),
                thousands(u128::from(l.1)),
                period(l.0)
            ),
            _ => format!("{label}: no data"),
        };
        if let Some(b) = &s.baseline {
            let _ = write!(part, ", baseline {}", thousands(u128::from(b.value)));
            let what = clean(&b.label);
            if !what.is_empty() {
                let _ = write!(part, " ({what})");
            }
        }
        parts.push(part);
    }
    parts.push(clean(&chart.footnote));
    parts.retain(|p| !p.is_empty());
    parts.join(". ")
}

/// Display text: control characters (including line breaks) become spaces, runs of
/// white space collapse, ends trimmed.
fn clean(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// XML-escapes text that has been through [`clean`] (so it holds only XML characters).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// DejaVu Sans advance widths of ASCII 32..=126, in units of 1/2048 em (from its hmtx).
const ADVANCES: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];

/// Width of `s` in DejaVu Sans at `size`; characters outside ASCII count as wide ones.
fn text_width(s: &str, size: f64) -> f64 {
    let units: u32 = s
        .chars()
        .map(|c| {
            let i = (c as usize).wrapping_sub(32);
            ADVANCES.get(i).map_or(1400, |a| u32::from(*a))
        })
        .sum();
    f64::from(units) / 2048.0 * size
}

/// `s` cleaned and, if wider than `max_w`, cut with an ellipsis.
fn fit(s: &str, size: f64, max_w: f64) -> String {
    let s = clean(s);
    if text_width(&s, size) <= max_w {
        return s;
    }
    let budget = max_w - text_width("…", size);
    let mut out = String::new();
    let mut used = 0.0;
    for c in s.chars() {
        let cw = text_width(c.encode_utf8(&mut [0; 4]), size);
        if used + cw > budget {
            break;
        }
        used += cw;
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

/// Greedy word wrap to at most `max_lines`; the last line ends in an ellipsis if text
/// was left over.
fn wrap(s: &str, size: f64, max_w: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in clean(s).split(' ').filter(|w| !w.is_empty()) {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, size) <= max_w || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last}…"), size, max_w);
        }
    }
    lines.into_iter().map(|l| fit(&l, size, max_w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use resvg::usvg::roxmltree::{Document, Node};

    fn month_ends(from: NaiveDate, n: usize) -> Vec<NaiveDate> {
        (0..n)
            .filter_map(|i| {
                let first = from
                    .with_day(1)?
                    .checked_add_months(chrono::Months::new(i as u32 + 1))?;
                first.pred_opt()
            })
            .collect()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn series(label: &str, n: usize, base: u64, baseline: Option<u64>) -> Series {
        let points = month_ends(date(2023, 1, 31), n)
            .into_iter()
            .enumerate()
            .map(|(i, d)| (d, base + (i as u64 * 7) % 23))
            .collect();
        Series {
            label: label.into(),
            points,
            baseline: baseline.map(|value| Baseline {
                value,
                label: "12 months to 31 Dec 2019".into(),
            }),
        }
    }

    fn example() -> Chart {
        Chart {
            title: "Repeat-missing children and adults: Northshire Police".into(),
            subtitle: "Force-wide; distinct people with 2+ episodes in the rolling 12 months to each month end".into(),
            y_label: "Repeat-missing people".into(),
            footnote: "Definition v1: 2+ episodes starting in the rolling 12 months, hospital episodes counted. \
                       Baseline v2 (official: Police and Crime Plan 2021-25, figure for the 12 months to 31 Dec 2019). \
                       Counts are of distinct people; a person counts once per period however many episodes they had."
                .into(),
            series: vec![
                trend("Children", 196.0, -1.6, 180),
                trend("Adults", 74.0, -0.5, 70),
            ],
        }
    }

    /// 24 month ends drifting by `slope` a month with a little deterministic wobble.
    fn trend(label: &str, start: f64, slope: f64, baseline: u64) -> Series {
        const WOBBLE: [f64; 6] = [0.0, 3.0, -2.0, 4.0, -1.0, 2.0];
        let points = month_ends(date(2023, 1, 31), 24)
            .into_iter()
            .enumerate()
            .map(|(i, d)| (d, (start + slope * i as f64 + WOBBLE[i % 6]).round() as u64))
            .collect();
        Series {
            label: label.into(),
            points,
            baseline: Some(Baseline {
                value: baseline,
                label: "12 months to 31 Dec 2019".into(),
            }),
        }
    }

    fn by_class<'a>(doc: &'a Document, class: &str) -> Vec<Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .collect()
    }

    fn texts(doc: &Document, class: &str) -> Vec<String> {
        by_class(doc, class)
            .iter()
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect()
    }

    fn polyline_points(node: &Node) -> Vec<(f64, f64)> {
        node.attribute("points")
            .unwrap_or_default()
            .split(' ')
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect()
    }

    fn parse(svg: &str) -> Document<'_> {
        match Document::parse(svg) {
            Ok(doc) => doc,
            Err(e) => panic!("not well-formed XML: {e}\n{svg}"),
        }
    }

    #[test]
    fn svg_is_well_formed_with_a_marker_and_polyline_point_per_value() {
        let mut chart = example();
        chart.series[1].points.truncate(9);
        let out = svg(&chart);
        let doc = parse(&out);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("width"), Some("960"));
        assert_eq!(root.attribute("height"), Some("540"));
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("font-family"), Some(FONT_FAMILY));
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        assert_eq!(title, Some(chart.title.as_str()));
        let desc = doc
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .and_then(|n| n.text())
            .unwrap_or_default();
        assert!(
            desc.contains("Children: 24 period ends from Jan 2023 to Dec 2024"),
            "{desc}"
        );
        assert!(desc.contains("baseline 180"), "{desc}");

        assert_eq!(by_class(&doc, "marker").len(), 24 + 9);
        let lines = by_class(&doc, "series-line");
        assert_eq!(
            lines
                .iter()
                .map(polyline_points)
                .map(|p| p.len())
                .collect::<Vec<_>>(),
            vec![24, 9]
        );
        assert_eq!(by_class(&doc, "baseline").len(), 2);
        let legend = texts(&doc, "legend-label");
        assert_eq!(legend.len(), 4, "{legend:?}");
        assert!(
            legend
                .iter()
                .any(|l| l == "Children baseline: 180 (12 months to 31 Dec 2019)"),
            "{legend:?}"
        );
    }

    #[test]
    fn points_sit_on_the_scale_and_in_date_order() {
        let mut s = series("Children", 6, 10, Some(40));
        s.points.reverse();
        let chart = Chart {
            series: vec![s],
            ..example()
        };
        let out = svg(&chart);
        let doc = parse(&out);
        let ticks: Vec<String> = texts(&doc, "y-tick");
        assert_eq!(ticks, ["0", "10", "20", "30", "40"]);
        let tick_y = |label: &str| {
            by_class(&doc, "grid")
                .iter()
                .zip(&ticks)
                .find(|(_, t)| t.as_str() == label)
                .and_then(|(n, _)| n.attribute("y1")?.parse::<f64>().ok())
        };
        let (Some(y0), Some(y40)) = (tick_y("0"), tick_y("40")) else {
            panic!("ticks missing")
        };
        let line = by_class(&doc, "series-line");
        let points = polyline_points(&line[0]);
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0), "{points:?}");
        // The first value (Jan 2023) is 10: a quarter of the way up.
        assert!(
            (points[0].1 - (y0 + (y40 - y0) / 4.0)).abs() < 0.2,
            "{points:?} {y0} {y40}"
        );
        let baseline_y = by_class(&doc, "baseline")[0]
            .attribute("y1")
            .and_then(|y| y.parse::<f64>().ok());
        assert_eq!(baseline_y, Some(y40));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let nasty = "<script>alert(\"x\")</script> & 'y' ]]> \u{0}\u{1b}\nnext";
        let chart = Chart {
            title: nasty.into(),
            subtitle: nasty.into(),
            y_label: nasty.into(),
            footnote: nasty.into(),
            series: vec![Series {
                label: nasty.into(),
                points: vec![(date(2025, 3, 31), 3)],
                baseline: Some(Baseline {
                    value: 2,
                    label: nasty.into(),
                }),
            }],
        };
        let out = svg(&chart);
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains('\u{0}'));
        let doc = parse(&out);
        let expected = "<script>alert(\"x\")</script> & 'y' ]]> next";
        assert_eq!(texts(&doc, "title"), [expected]);
        assert_eq!(texts(&doc, "subtitle"), [expected]);
        assert!(texts(&doc, "legend-label")
            .iter()
            .any(|l| l.starts_with(expected)));
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("script"))
                .count(),
            0
        );
    }

    #[test]
    fn ticks_are_nice_and_cover_the_max() {
        let nice = |step: u128| {
            let mut s = step;
            while s % 10 == 0 {
                s /= 10;
            }
            matches!(s, 1 | 2 | 5)
        };
        let maxes = (0..=2500u64).chain([9_999, 10_001, 123_456_789, u64::MAX / 3, u64::MAX]);
        for max in maxes {
            let ticks = nice_ticks(max);
            assert!((2..=6).contains(&ticks.len()), "{max}: {ticks:?}");
            assert_eq!(ticks[0], 0);
            let step = ticks[1];
            assert!(nice(step), "{max}: step {step}");
            assert!(
                ticks.windows(2).all(|w| w[1] - w[0] == step),
                "{max}: {ticks:?}"
            );
            let top = *ticks.last().unwrap_or(&0);
            assert!(top >= u128::from(max), "{max}: {ticks:?}");
            assert!(
                top - step < u128::from(max.max(5)),
                "{max}: a tick too many {ticks:?}"
            );
        }
        assert_eq!(nice_ticks(37), [0, 10, 20, 30, 40]);
        assert_eq!(nice_ticks(412), [0, 100, 200, 300, 400, 500]);
        assert_eq!(nice_ticks(0), [0, 1, 2, 3, 4, 5]);
        assert_eq!(nice_ticks(7), [0, 2, 4, 6, 8]);
    }

    #[test]
    fn empty_and_all_zero_charts_render() {
        let zero = Series {
            label: "Adults".into(),
            points: month_ends(date(2024, 1, 31), 5)
                .into_iter()
                .map(|d| (d, 0))
                .collect(),
            baseline: Some(Baseline {
                value: 0,
                label: String::new(),
            }),
        };
        let single = Series {
            label: "One".into(),
            points: vec![(date(2025, 3, 31), 4)],
            baseline: None,
        };
        let empty = Series {
            label: "Children".into(),
            ..Series::default()
        };
        let charts = [
            Chart::default(),
            Chart {
                series: vec![empty.clone()],
                ..Chart::default()
            },
            Chart {
                series: vec![Series {
                    baseline: Some(Baseline {
                        value: 9,
                        label: "x".into(),
                    }),
                    ..empty.clone()
                }],
                ..example()
            },
            Chart {
                series: vec![zero.clone()],
                ..example()
            },
            Chart {
                series: vec![single, empty.clone()],
                ..Chart::default()
            },
        ];
        for chart in &charts {
            let out = svg(chart);
            assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
            parse(&out);
        }
        let out = svg(&charts[1]);
        let doc = parse(&out);
        assert_eq!(texts(&doc, "no-data"), ["No data"]);
        assert_eq!(texts(&doc, "legend-label"), ["Children (No data)"]);
        assert!(
            texts(&doc, "y-tick").is_empty(),
            "an empty chart must not show zeros"
        );
        let out = svg(&charts[3]);
        let doc = parse(&out);
        assert!(texts(&doc, "no-data").is_empty());
        assert_eq!(by_class(&doc, "marker").len(), 5);
        assert_eq!(texts(&doc, "y-tick"), ["0", "1", "2", "3", "4", "5"]);
        let zero_line = by_class(&doc, "grid")[0].attribute("y1");
        let line = by_class(&doc, "series-line");
        assert!(polyline_points(&line[0])
            .iter()
            .all(|p| Some(format!("{:.1}", p.1).as_str()) == zero_line));
        let out = svg(&charts[4]);
        let doc = parse(&out);
        assert_eq!(by_class(&doc, "marker").len(), 1);
        assert!(by_class(&doc, "series-line").is_empty());
        assert_eq!(texts(&doc, "x-label"), ["Mar 2025"]);
    }

    #[test]
    fn many_points_thin_the_labels_without_overlap() {
        let chart = Chart {
            series: vec![series("Children", 120, 300, Some(350))],
            ..example()
        };
        let out = svg(&chart);
        let doc = parse(&out);
        assert_eq!(by_class(&doc, "marker").len(), 120);
        let labels = by_class(&doc, "x-label");
        assert!((4..=12).contains(&labels.len()), "{}", labels.len());
        // Counted back from the latest period end, every k months.
        assert_eq!(labels.last().and_then(|n| n.text()), Some("Dec 2032"));
        let months: Vec<&str> = labels
            .iter()
            .filter_map(|n| n.text()?.split(' ').next())
            .collect();
        assert!(months.iter().all(|m| *m == "Dec"), "{months:?}");
        let xs: Vec<f64> = labels
            .iter()
            .filter_map(|n| n.attribute("x")?.parse().ok())
            .collect();
        let width = text_width("May 2025", AXIS_SIZE);
        assert!(xs.windows(2).all(|w| w[1] - w[0] > width), "{xs:?}");

        let few = Chart {
            series: vec![series("Children", 6, 3, None)],
            ..example()
        };
        assert_eq!(by_class(&parse(&svg(&few)), "x-label").len(), 6);
    }

    #[test]
    fn long_text_is_cut_to_fit() {
        let long = "Repeat missing ".repeat(40);
        let chart = Chart {
            title: long.clone(),
            footnote: long.clone(),
            series: vec![series(&long, 3, 1, Some(2))],
            ..example()
        };
        let out = svg(&chart);
        let doc = parse(&out);
        let title = texts(&doc, "title").concat();
        assert!(
            title.ends_with('…')
                && text_width(&title, TITLE_SIZE) <= f64::from(WIDTH) - 2.0 * MARGIN,
            "{title}"
        );
        let foot = texts(&doc, "footnote");
        assert_eq!(foot.len(), FOOT_LINES);
        assert!(foot.last().is_some_and(|l| l.ends_with('…')), "{foot:?}");
        for label in texts(&doc, "legend-label") {
            assert!(
                text_width(&label, LEGEND_SIZE) <= f64::from(WIDTH) - 2.0 * MARGIN,
                "{label}"
            );
        }
    }

    #[test]
    fn too_many_series_fold_into_a_more_note() {
        let many: Vec<Series> = (0..30)
            .map(|i| series(&format!("District {i}"), 4, i, Some(i + 1)))
            .collect();
        let out = svg(&Chart {
            series: many,
            ..example()
        });
        let doc = parse(&out);
        let more = texts(&doc, "legend-more");
        assert_eq!(more.len(), 1);
        let shown = texts(&doc, "legend-label").len();
        assert_eq!(more[0], format!("+{} more", 60 - shown));
    }

    fn ihdr_size(png: &[u8]) -> Option<(u32, u32)> {
        let ihdr = png.get(8..24)?;
        if ihdr.get(4..8)? != b"IHDR" {
            return None;
        }
        let w = u32::from_be_bytes(ihdr.get(8..12)?.try_into().ok()?);
        let h = u32::from_be_bytes(ihdr.get(12..16)?.try_into().ok()?);
        Some((w, h))
    }

    #[test]
    fn png_is_a_png_of_the_chart_size_with_the_text_drawn() {
        let bytes = png(&svg(&example())).expect("renders");
        assert_eq!(bytes.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]));
        assert_eq!(ihdr_size(&bytes), Some((WIDTH, HEIGHT)));
        // The embedded font is found: the title's band has dark pixels.
        let pixmap = tiny_skia::Pixmap::decode_png(&bytes).expect("decodes");
        let dark = (0..40u32)
            .flat_map(|y| (0..400u32).map(move |x| (x, y)))
            .filter_map(|(x, y)| pixmap.pixel(x, y))
            .filter(|p| p.red() < 80 && p.green() < 80 && p.blue() < 80)
            .count();
        assert!(dark > 200, "title not drawn: {dark} dark pixels");
    }

    #[test]
    fn rendering_is_deterministic() {
        let chart = example();
        assert_eq!(svg(&chart), svg(&chart.clone()));
        let once = png(&svg(&chart)).expect("renders");
        let twice = png(&svg(&chart)).expect("renders");
        assert!(once == twice, "PNG bytes differ");
    }

    #[test]
    fn png_refuses_bad_or_huge_svg() {
        assert!(matches!(png("not svg"), Err(ChartError::Svg(_))));
        let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>"#;
        assert!(matches!(
            png(huge),
            Err(ChartError::TooLarge { width: 100000, .. })
        ));
    }

    /// `cargo test --lib charts::tests::write_example -- --ignored` writes
    /// /tmp/chart-example.svg and .png (plus -many and -empty variants) to look at.
    #[test]
    #[ignore = "writes files to /tmp for a person to look at"]
    fn write_example() {
        let many = Chart {
            title: "Repeat-missing children: Northshire Police & <North> District".into(),
            series: vec![
                series("Force", 120, 1_150, Some(1_240)),
                series("North District", 120, 310, Some(330)),
                Series {
                    label: "South District".into(),
                    ..Series::default()
                },
            ],
            ..example()
        };
        let empty = Chart {
            series: vec![Series {
                label: "Children".into(),
                ..Series::default()
            }],
            ..example()
        };
        for (name, chart) in [("example", example()), ("many", many), ("empty", empty)] {
            let out = svg(&chart);
            let base = if name == "example" {
                "/tmp/chart-example".to_owned()
            } else {
                format!("/tmp/chart-example-{name}")
            };
            std::fs::write(format!("{base}.svg"), &out).expect("write svg");
            std::fs::write(format!("{base}.png"), png(&out).expect("renders")).expect("write png");
        }
    }
}
