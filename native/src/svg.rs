//! Two small SVG charts for the experiment report: line charts (loss curves, with marked
//! steps) and grouped points with error bars. Hand-written rather than plotters: the report
//! needs two charts, and plotters' text layout pulls in a font stack for what SVG's own
//! `<text>` does.

use std::fmt::Write;

const W: f64 = 720.0;
const H: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 64.0;
const COLORS: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// Line patterns (SVG `stroke-dasharray`), index 0 solid.
const DASHES: [&str; 4] = ["", "8 3", "2 2", "10 3 2 3"];

/// One line of a line chart, with x positions to mark (e.g. the CM-GEMS switch).
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub marks: Vec<f64>,
    /// Palette index: the runs of one variant share a colour...
    pub color: usize,
    /// ... and differ in pattern (0 solid, then dashed, dotted, dash-dot), so that more
    /// lines than colours stay apart.
    pub dash: usize,
}

fn stroke(color: usize, dash: usize) -> String {
    let mut s = format!(r#"stroke="{}""#, COLORS[color % COLORS.len()]);
    let pattern = DASHES[dash % DASHES.len()];
    if !pattern.is_empty() {
        s += &format!(r#" stroke-dasharray="{pattern}""#);
    }
    s
}

struct Frame {
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0).max(1e-12) * (W - LEFT - RIGHT)
    }
    fn py(&self, y: f64) -> f64 {
        H - BOTTOM - (y - self.y.0) / (self.y.1 - self.y.0).max(1e-12) * (H - TOP - BOTTOM)
    }
}

fn header(title: &str, x_label: &str, y_label: &str, f: &Frame) -> String {
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="22" font-size="15" text-anchor="middle">{title}</text>
<text x="{}" y="{}" text-anchor="middle">{x_label}</text>
<text x="16" y="{}" text-anchor="middle" transform="rotate(-90 16 {})">{y_label}</text>
<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="none" stroke="black"/>
"#,
        (LEFT + W - RIGHT) / 2.0,
        (LEFT + W - RIGHT) / 2.0,
        H - 12.0,
        (TOP + H - BOTTOM) / 2.0,
        (TOP + H - BOTTOM) / 2.0,
        W - LEFT - RIGHT,
        H - TOP - BOTTOM
    );
    let (ys, step) = ticks(f.y);
    for y in ys {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 6.0,
            f.py(y) + 4.0,
            tick_label(y, step)
        );
    }
    s
}

/// Round values inside `range` to label an axis with: a step of 1, 2 or 5 × 10^k giving
/// three to six ticks (as d3 and matplotlib pick them), so that an axis reads 1000, 2000,
/// 3000 rather than the padded frame's 60.00, 830.00, ...
fn ticks((lo, hi): (f64, f64)) -> (Vec<f64>, f64) {
    let raw = (hi - lo) / 5.0;
    if !raw.is_finite() || raw <= 0.0 {
        return (vec![lo], 1.0);
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
    ((first..=last).map(|i| i as f64 * step).collect(), step)
}

/// As many decimals as the step between ticks needs: `1400`, `0.85`.
fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil() as usize
    };
    format!("{v:.decimals$}")
}

/// One entry per `(name, colour, pattern)`.
fn legend(s: &mut String, entries: &[(&str, usize, usize)]) {
    for (i, &(name, color, dash)) in entries.iter().enumerate() {
        let y = TOP + 10.0 + 18.0 * i as f64;
        let x = W - RIGHT + 12.0;
        let _ = writeln!(
            s,
            r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" {} stroke-width="3"/><text x="{}" y="{}">{name}</text>"#,
            x + 18.0,
            stroke(color, dash),
            x + 24.0,
            y + 4.0
        );
    }
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    }
}

/// A line per series; each mark is a dashed vertical line in the series' colour.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let f = Frame {
        x: bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.0))),
        y: bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.1))),
    };
    let mut s = header(title, x_label, y_label, &f);
    let (xs, step) = ticks(f.x);
    for x in xs {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            f.px(x),
            H - BOTTOM + 16.0,
            tick_label(x, step)
        );
    }
    for ser in series {
        let path: Vec<String> = ser
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", f.px(x), f.py(y)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" {} stroke-width="1.5" points="{}"/>"#,
            stroke(ser.color, ser.dash),
            path.join(" ")
        );
        for &m in &ser.marks {
            let _ = writeln!(
                s,
                r#"<line x1="{x}" y1="{TOP}" x2="{x}" y2="{}" {} stroke-dasharray="4 3"/>"#,
                H - BOTTOM,
                stroke(ser.color, 0),
                x = f.px(m)
            );
        }
    }
    let entries: Vec<(&str, usize, usize)> = series
        .iter()
        .map(|x| (x.name.as_str(), x.color, x.dash))
        .collect();
    legend(&mut s, &entries);
    s + "</svg>\n"
}

/// Groups along x (e.g. strategies), one coloured point per member (e.g. shot count) with an
/// error bar of ± `err`.
pub fn error_bar_chart(
    title: &str,
    y_label: &str,
    groups: &[String],
    members: &[String],
    values: &[Vec<(f64, f64)>],
) -> String {
    let f = Frame {
        x: (-0.5, groups.len() as f64 - 0.5),
        y: bounds(values.iter().flatten().flat_map(|&(m, e)| [m - e, m + e])),
    };
    let mut s = header(title, "", y_label, &f);
    for (g, name) in groups.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" transform="rotate(-30 {} {})" font-size="10">{name}</text>"#,
            f.px(g as f64),
            H - BOTTOM + 14.0,
            f.px(g as f64),
            H - BOTTOM + 14.0
        );
        for (m, &(mean, err)) in values[g].iter().enumerate() {
            let color = COLORS[m % COLORS.len()];
            let x = f.px(g as f64) + (m as f64 - (members.len() as f64 - 1.0) / 2.0) * 10.0;
            let _ = writeln!(
                s,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{color}"/><circle cx="{x}" cy="{}" r="3.5" fill="{color}"/>"#,
                f.py(mean - err),
                f.py(mean + err),
                f.py(mean)
            );
        }
    }
    let entries: Vec<(&str, usize, usize)> = members
        .iter()
        .enumerate()
        .map(|(m, name)| (name.as_str(), m, 0))
        .collect();
    legend(&mut s, &entries);
    s + "</svg>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_chart_maps_the_data_range_onto_the_plot_area() {
        let svg = line_chart(
            "t",
            "x",
            "y",
            &[Series {
                name: "a".into(),
                points: vec![(0.0, 0.0), (10.0, 1.0)],
                marks: vec![5.0],
                color: 0,
                dash: 0,
            }],
        );
        // x 0..10 padded by 5% to -0.5..10.5; x = 0 lands at LEFT + 0.5/11 of the width.
        let x0 = LEFT + 0.5 / 11.0 * (W - LEFT - RIGHT);
        assert!(svg.contains(&format!("{x0:.1},")), "{svg}");
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }

    #[test]
    fn ticks_are_round_values_inside_the_frame() {
        let labels = |range| {
            let (values, step) = ticks(range);
            values
                .iter()
                .map(|&v| tick_label(v, step))
                .collect::<Vec<_>>()
        };
        // A 200..3000 step axis padded by 5%: no "60.00" at the padded edge.
        assert_eq!(labels((60.0, 3140.0)), ["1000", "2000", "3000"]);
        assert_eq!(labels((0.0, 10.0)), ["0", "2", "4", "6", "8", "10"]);
        assert_eq!(labels((0.851, 0.902)), ["0.86", "0.88", "0.90"]);
        assert_eq!(labels((-0.5, 3.5)), ["0", "1", "2", "3"]);
        assert_eq!(labels((5.0, 5.0)), ["5"]);
    }
}
