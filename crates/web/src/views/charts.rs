//! The dashboard's charts, drawn on the server as SVG with plotters and
//! embedded in the page (no script, no CDN, readable without JavaScript).
//!
//! plotters runs with its default features off: no font or image system
//! libraries. Its SVG backend writes text as `<text>` elements and leaves
//! the glyphs to the browser; without the `ttf` feature it only *estimates*
//! text sizes (which the layouts here do not rely on: label areas are
//! sized explicitly). Every text carries the page's CJK font stack
//! ([`FONT`]) as its `font-family`, and the stylesheet sets the same stack
//! on `.chart svg text`. plotters escapes text and attributes, so names an
//! administrator typed (buildings, projects) cannot break out of the SVG.
//!
//! Labels come in already translated: the callers take them from the
//! message catalogues.

use super::i18n::{Locale, text};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;
use tousu_app::dashboard::Dashboard;

/// The page's font stack (app.css), for SVG text.
pub const FONT: &str = "PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, sans-serif";

pub(super) const INK: RGBColor = RGBColor(0x1f, 0x29, 0x33);
pub(super) const MUTED: RGBColor = RGBColor(0x6b, 0x77, 0x85);
pub(super) const GRID: RGBColor = RGBColor(0xe3, 0xe7, 0xeb);
pub(super) const BLUE: RGBColor = RGBColor(0x15, 0x52, 0xa8);
pub(super) const GREEN: RGBColor = RGBColor(0x1e, 0x7b, 0x34);
pub(super) const AMBER: RGBColor = RGBColor(0xb2, 0x6a, 0x00);
pub(super) const RED: RGBColor = RGBColor(0xb3, 0x26, 0x1e);
pub(super) const GREY: RGBColor = RGBColor(0x8a, 0x94, 0xa0);
pub(super) const LIGHT_GREY: RGBColor = RGBColor(0xc3, 0xc9, 0xd1);
pub(super) const PURPLE: RGBColor = RGBColor(0x6a, 0x3f, 0xa0);

/// Size of the full-width chart; the SVG scales with the page (viewBox).
pub const WIDE: (u32, u32) = (1100, 320);
/// Size of the charts in a half-width card (about their size on a desktop,
/// so that their text reads at the page's size).
pub const CARD: (u32, u32) = (560, 300);

/// One chart: its SVG and the legend shown under it (in HTML, so that it
/// wraps and reads like the page).
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub svg: String,
    pub legend: Vec<LegendItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendItem {
    pub label: String,
    /// `#rrggbb`.
    pub color: String,
}

/// A series of a stacked column chart.
pub struct Series<'a> {
    pub label: String,
    pub color: RGBColor,
    pub values: &'a [i64],
}

pub(super) fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

pub(super) fn font(size: u32, color: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color)
}

/// A round upper bound for counts, above the maximum: 5 at least, then
/// 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ (so that bars fill most of the axis).
pub fn nice_max(max: i64) -> i64 {
    if max < 5 {
        return 5;
    }
    let mut step = 1i64;
    while step * 10 <= max {
        step *= 10;
    }
    [10, 15, 20, 25, 30, 40, 50, 60, 80, 100]
        .into_iter()
        .map(|k: i64| (k * step + 9) / 10)
        .find(|v| *v > max)
        .unwrap_or(step * 10)
}

/// At most `max_labels` evenly spaced label positions among `n` (the last one always shown).
pub(super) fn label_positions(n: usize, max_labels: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let every = n.div_ceil(max_labels.max(1)).max(1);
    let mut at: Vec<usize> = (0..n).rev().step_by(every).collect();
    at.reverse();
    at.into_iter().map(|i| i as f64 + 0.5).collect()
}

/// A categorical axis of `n` slots, slot `i` spanning `[i, i + 1)`, with
/// its labels at the given slot centres (`i + 0.5`). plotters' own key-point
/// combinator cannot be labelled on f64 axes, and its segmented axes have
/// no room for bars narrower than a slot.
#[derive(Debug, Clone)]
pub(super) struct Slots {
    n: f64,
    labelled: Vec<f64>,
}

impl Slots {
    pub(super) fn new(n: usize, labelled: Vec<f64>) -> Slots {
        Slots { n: n.max(1) as f64, labelled }
    }
}

impl Ranged for Slots {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = f64::from(limit.1 - limit.0);
        limit.0 + (value / self.n * span).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.labelled.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n
    }
}

pub(super) fn label_at(labels: &[String], v: f64) -> String {
    let i = (v - 0.5).round();
    if i < 0.0 { String::new() } else { labels.get(i as usize).cloned().unwrap_or_default() }
}

/// Shortens a label to `max` characters with an ellipsis.
pub(super) fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        label.chars().take(max.saturating_sub(1)).chain(['…']).collect()
    }
}

pub(super) fn draw(size: (u32, u32), paint: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        paint(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Columns per label, stacked by series (complaints per day by category,
/// deadlines per week by outcome).
pub fn stacked_columns(labels: &[String], series: &[Series<'_>], max_labels: usize, size: (u32, u32)) -> Result<String, String> {
    let n = labels.len();
    let totals: Vec<i64> = (0..n).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0)).sum()).collect();
    let top = nice_max(totals.iter().copied().max().unwrap_or(0));
    let x_label = |v: &f64| label_at(labels, *v);
    draw(size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(Slots::new(n, label_positions(n, max_labels)), 0i64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(LIGHT_GREY)
            .y_labels(6)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v: &i64| v.to_string())
            .label_style(font(14, MUTED))
            .draw()
            .map_err(|e| e.to_string())?;
        let mut base = vec![0i64; n];
        for s in series {
            let bars: Vec<Rectangle<(f64, i64)>> = (0..n)
                .filter_map(|i| {
                    let v = s.values.get(i).copied().unwrap_or(0);
                    if v <= 0 {
                        return None;
                    }
                    let (x0, y0) = (i as f64, base[i]);
                    base[i] += v;
                    Some(Rectangle::new([(x0 + 0.15, y0), (x0 + 0.85, y0 + v)], s.color.filled()))
                })
                .collect();
            chart.draw_series(bars).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Horizontal bars, the first label on top, each with its count (open
/// complaints by state, top projects and buildings).
pub fn horizontal_bars(labels: &[String], values: &[i64], color: RGBColor, label_width: u32) -> Result<String, String> {
    let n = labels.len();
    let height = 40 + 30 * n.max(1) as u32;
    let top = nice_max(values.iter().copied().max().unwrap_or(0));
    // Row 0 is drawn at the top: y = n - 1 - i.
    let row_of = |i: usize| (n - 1 - i) as f64;
    let y_label = |v: &f64| {
        let row = (v - 0.5).round();
        if row < 0.0 || row as usize >= n { String::new() } else { short(&labels[n - 1 - row as usize], 14) }
    };
    draw((CARD.0, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(40)
            .x_label_area_size(24)
            .y_label_area_size(label_width)
            .build_cartesian_2d(0i64..top, Slots::new(n, label_positions(n, n)))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(LIGHT_GREY)
            .x_labels(6)
            .x_label_formatter(&|v: &i64| v.to_string())
            .y_label_formatter(&y_label)
            .label_style(font(14, MUTED))
            .y_label_style(font(15, INK))
            .draw()
            .map_err(|e| e.to_string())?;
        let bars = (0..n).filter(|i| values[*i] > 0).map(|i| {
            let y = row_of(i);
            Rectangle::new([(0, y + 0.2), (values[i], y + 0.8)], color.filled())
        });
        chart.draw_series(bars).map_err(|e| e.to_string())?;
        let counts = (0..n).map(|i| {
            let style = font(14, INK).pos(Pos::new(HPos::Left, VPos::Center));
            EmptyElement::at((values[i], row_of(i) + 0.5)) + Text::new(values[i].to_string(), (5, 0), style)
        });
        chart.draw_series(counts).map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// A line over labelled points (months), broken where a value is missing,
/// with a dashed reference line (the index 1: content).
pub fn line(labels: &[String], values: &[Option<f64>], reference: f64, color: RGBColor, size: (u32, u32)) -> Result<String, String> {
    let n = labels.len();
    let high = values.iter().flatten().copied().fold(reference, f64::max);
    let top = ((high * 1.15) * 10.0).ceil() / 10.0;
    let x_label = |v: &f64| label_at(labels, *v);
    draw(size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(Slots::new(n, label_positions(n, 6)), 0f64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(LIGHT_GREY)
            .y_labels(6)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v: &f64| format!("{v:.1}"))
            .label_style(font(14, MUTED))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(DashedLineSeries::new([(0.0, reference), (n as f64, reference)], 6, 4, GREY.stroke_width(1)))
            .map_err(|e| e.to_string())?;
        // Contiguous runs of months with a value.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => run.push((i as f64 + 0.5, *v)),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in runs.iter().filter(|r| r.len() > 1) {
            chart.draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(2))).map_err(|e| e.to_string())?;
        }
        let points = runs.iter().flatten().map(|(x, y)| {
            let style = font(13, INK).pos(Pos::new(HPos::Center, VPos::Bottom));
            EmptyElement::at((*x, *y)) + Circle::new((0, 0), 4, color.filled()) + Text::new(format!("{y:.2}"), (0, -7), style)
        });
        chart.draw_series(points).map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The dashboard's six charts.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardCharts {
    pub received: Chart,
    pub open: Chart,
    pub deadlines: Chart,
    pub satisfaction: Chart,
    pub top_projects: Chart,
    pub top_buildings: Chart,
}

fn category_color(category: &str) -> RGBColor {
    match category {
        "facilities" => BLUE,
        "service" => GREEN,
        "fees" => AMBER,
        "emergency" => RED,
        "consultation" => GREY,
        _ => LIGHT_GREY,
    }
}

/// A project (and building) as ranking labels show it.
pub fn ranked_label(r: &tousu_app::dashboard::Ranked) -> String {
    match &r.building {
        Some(b) => format!("{} {b}", r.project_name),
        None => r.project_name.clone(),
    }
}

/// Draws every chart of `d` with labels in `locale`.
pub fn dashboard_charts(d: &Dashboard, locale: Locale) -> Result<DashboardCharts, String> {
    let t = |key: &str| text(locale, key);

    let days: Vec<String> = d.received.days.iter().map(|d| d.format("%m-%d").to_string()).collect();
    let series: Vec<Series<'_>> = d
        .received
        .series
        .iter()
        .map(|s| Series {
            label: t(&format!("dashboard.category.{}", s.category)),
            color: category_color(&s.category),
            values: &s.counts,
        })
        .collect();
    let received = Chart {
        svg: stacked_columns(&days, &series, 15, WIDE)?,
        legend: series.iter().map(|s| LegendItem { label: s.label.clone(), color: hex(s.color) }).collect(),
    };

    let states: Vec<String> = d.open_by_status.iter().map(|s| t(&format!("status.{}", s.status))).collect();
    let counts: Vec<i64> = d.open_by_status.iter().map(|s| s.count).collect();
    let open = Chart { svg: horizontal_bars(&states, &counts, BLUE, 120)?, legend: Vec::new() };

    let weeks: Vec<String> = d.deadlines.iter().map(|w| w.week.format("%m-%d").to_string()).collect();
    let met: Vec<i64> = d.deadlines.iter().map(|w| w.met).collect();
    let late: Vec<i64> = d.deadlines.iter().map(|w| w.met_late).collect();
    let breached: Vec<i64> = d.deadlines.iter().map(|w| w.breached).collect();
    let outcomes = [
        Series { label: t("dashboard.met"), color: GREEN, values: &met },
        Series { label: t("dashboard.met_late"), color: AMBER, values: &late },
        Series { label: t("dashboard.breached"), color: RED, values: &breached },
    ];
    let deadlines = Chart {
        svg: stacked_columns(&weeks, &outcomes, 6, CARD)?,
        legend: outcomes.iter().map(|s| LegendItem { label: s.label.clone(), color: hex(s.color) }).collect(),
    };

    let months: Vec<String> = d.satisfaction.iter().map(|m| m.month.format("%Y-%m").to_string()).collect();
    let index: Vec<Option<f64>> = d.satisfaction.iter().map(|m| m.index).collect();
    let satisfaction = Chart {
        svg: line(&months, &index, 1.0, PURPLE, CARD)?,
        legend: vec![
            LegendItem { label: t("dashboard.index"), color: hex(PURPLE) },
            LegendItem { label: t("dashboard.index_reference"), color: hex(GREY) },
        ],
    };

    let project_labels: Vec<String> = d.top_projects.iter().map(ranked_label).collect();
    let project_counts: Vec<i64> = d.top_projects.iter().map(|r| r.count).collect();
    let building_labels: Vec<String> = d.top_buildings.iter().map(ranked_label).collect();
    let building_counts: Vec<i64> = d.top_buildings.iter().map(|r| r.count).collect();
    Ok(DashboardCharts {
        received,
        open,
        deadlines,
        satisfaction,
        top_projects: Chart { svg: horizontal_bars(&project_labels, &project_counts, BLUE, 170)?, legend: Vec::new() },
        top_buildings: Chart { svg: horizontal_bars(&building_labels, &building_counts, PURPLE, 170)?, legend: Vec::new() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("L{i}")).collect()
    }

    /// The texts of an SVG's `<text>` elements, in order.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")))
            .map(|(s, _)| s.trim().to_string())
            .collect()
    }

    #[test]
    fn round_upper_bounds() {
        assert_eq!([0, 3, 4, 5, 9, 10, 11, 19, 20, 24, 49, 50, 79, 99, 100, 241, 730].map(nice_max), [5, 5, 5, 6, 10, 15, 15, 20, 25, 25, 50, 60, 80, 100, 150, 250, 800]);
    }

    #[test]
    fn labels_are_thinned_evenly_and_the_last_is_kept() {
        assert_eq!(label_positions(30, 10), [2.5, 5.5, 8.5, 11.5, 14.5, 17.5, 20.5, 23.5, 26.5, 29.5]);
        assert_eq!(label_positions(3, 10), [0.5, 1.5, 2.5]);
        assert!(label_positions(0, 10).is_empty());
    }

    #[test]
    fn stacked_columns_draw_one_rectangle_per_non_zero_value_with_labels_in_the_cjk_font() {
        let a = [1, 0, 2];
        let b = [3, 1, 0];
        let series = [
            Series { label: "设施设备".into(), color: BLUE, values: &a },
            Series { label: "管理服务".into(), color: GREEN, values: &b },
        ];
        let names = vec!["11-23".to_string(), "11-24".into(), "11-25".into()];
        let svg = stacked_columns(&names, &series, 10, CARD).expect("drawn");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 560 300\""), "scales with the page");
        assert_eq!(svg.matches(&format!("fill=\"{}\"", hex(BLUE))).count(), 2);
        assert_eq!(svg.matches(&format!("fill=\"{}\"", hex(GREEN))).count(), 2);
        let texts = texts(&svg);
        for day in &names {
            assert!(texts.contains(day), "{texts:?}");
        }
        assert!(svg.contains(&format!("font-family=\"{FONT}\"")), "the page's CJK font stack");
    }

    #[test]
    fn horizontal_bars_put_the_first_label_on_top_and_escape_names() {
        let names = vec!["锦园华苑 <b>".to_string(), "丽湖湾 A座".into()];
        let svg = horizontal_bars(&names, &[7, 3], BLUE, 170).expect("drawn");
        assert!(!svg.contains("<b>"), "escaped");
        assert!(svg.contains("锦园华苑 &lt;b&gt;"), "{svg}");
        let texts = texts(&svg);
        assert!(texts.iter().any(|t| t == "丽湖湾 A座"), "{texts:?}");
        assert!(texts.contains(&"7".to_string()) && texts.contains(&"3".to_string()), "counts on the bars: {texts:?}");
        // The first row is drawn above the second (smaller y).
        let y_of = |label: &str| -> i32 {
            let at = svg.find(&format!(">\n{label}\n</text>")).expect("label drawn");
            let tag = &svg[svg[..at].rfind("<text").expect("a text tag")..at];
            let y = tag.split("y=\"").nth(1).and_then(|s| s.split('"').next()).expect("a y");
            y.parse().expect("a number")
        };
        assert!(y_of("锦园华苑 &lt;b&gt;") < y_of("丽湖湾 A座"), "{svg}");
    }

    #[test]
    fn a_line_is_broken_where_a_month_has_no_value_and_every_point_is_labelled() {
        let svg = line(&labels(4), &[Some(0.8), None, Some(1.25), Some(1.0)], 1.0, PURPLE, CARD).expect("drawn");
        // Two runs: one of one point (no line drawn for it), one of two points.
        assert_eq!(svg.matches(&format!("stroke=\"{}\"", hex(PURPLE))).count(), 1, "one line, for the run of two: {svg}");
        assert_eq!(svg.matches("<circle").count(), 3, "a point per month with a value");
        assert!(svg.matches(&format!("stroke=\"{}\"", hex(GREY))).count() > 1, "the dashed reference line");
        let texts = texts(&svg);
        for v in ["0.80", "1.25", "1.00"] {
            assert!(texts.contains(&v.to_string()), "{texts:?}");
        }
    }

    #[test]
    fn empty_figures_still_draw_axes() {
        let zeros = [0i64; 3];
        let svg = stacked_columns(&labels(3), &[Series { label: "x".into(), color: BLUE, values: &zeros }], 10, WIDE).expect("drawn");
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        let svg = horizontal_bars(&[], &[], BLUE, 100).expect("drawn");
        assert!(svg.contains("</svg>"));
        let svg = line(&labels(12), &[None; 12], 1.0, PURPLE, CARD).expect("drawn");
        assert!(svg.contains("</svg>"));
    }
}
