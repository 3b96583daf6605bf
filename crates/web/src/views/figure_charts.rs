//! The figures page's charts (issue 7), drawn like the dashboard's
//! ([`super::charts`]): the Pareto of root causes (columns and the running
//! share), and the touchpoint × project satisfaction heatmap.

use super::charts::{
    AMBER, BLUE, GREEN, GREY, GRID, INK, LIGHT_GREY, MUTED, RED, Slots, draw, font, label_at, label_positions,
    nice_max, short,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Columns of counts, most first, with the running share as a line over
/// them (its scale, 0–100 %, on the right): the few causes that make most
/// complaints stand out.
pub fn pareto(labels: &[String], counts: &[i64], cumulative: &[f64], size: (u32, u32)) -> Result<String, String> {
    let n = labels.len();
    let top = nice_max(counts.iter().copied().max().unwrap_or(0));
    let x_label = |v: &f64| short(&label_at(labels, *v), 8);
    draw(size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(48)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(Slots::new(n, label_positions(n, n)), 0f64..top as f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(LIGHT_GREY)
            .y_labels(6)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .label_style(font(13, MUTED))
            .draw()
            .map_err(|e| e.to_string())?;
        let bars = (0..n).filter(|i| counts[*i] > 0).map(|i| {
            let x = i as f64;
            Rectangle::new([(x + 0.15, 0.0), (x + 0.85, counts[i] as f64)], BLUE.filled())
        });
        chart.draw_series(bars).map_err(|e| e.to_string())?;
        // The running share, scaled to the count axis (100 % at its top).
        let scale = top as f64;
        let points: Vec<(f64, f64)> = cumulative.iter().enumerate().map(|(i, c)| (i as f64 + 0.5, c * scale)).collect();
        chart.draw_series(LineSeries::new(points.iter().copied(), RED.stroke_width(2))).map_err(|e| e.to_string())?;
        let marks = points.iter().zip(cumulative).map(|((x, y), c)| {
            let style = font(12, INK).pos(Pos::new(HPos::Center, VPos::Bottom));
            EmptyElement::at((*x, *y))
                + Circle::new((0, 0), 3, RED.filled())
                + Text::new(format!("{:.0}%", c * 100.0), (0, -6), style)
        });
        chart.draw_series(marks).map_err(|e| e.to_string())?;
        // The 80 % line of the 80/20 rule.
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.8 * scale), (n as f64, 0.8 * scale)],
                6,
                4,
                GREY.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The colour of a satisfaction index: red below 0.9, amber to 1, green above.
fn index_color(index: f64) -> RGBColor {
    if index < 0.9 {
        RED
    } else if index < 1.0 {
        AMBER
    } else {
        GREEN
    }
}

/// A grid of cells (rows × columns), each the mean satisfaction index of
/// its callbacks, coloured by it and written in it; empty where there are none.
pub fn heatmap(rows: &[String], columns: &[String], cells: &[Vec<Option<(f64, u64)>>]) -> Result<String, String> {
    let (label_w, head_h, cell_w, cell_h) = (120i32, 34i32, 88i32, 40i32);
    let width = (label_w + cell_w * columns.len().max(1) as i32 + 12) as u32;
    let height = (head_h + cell_h * rows.len().max(1) as i32 + 12) as u32;
    draw((width, height), |root| {
        let draw_err = |e: DrawingAreaErrorKind<_>| e.to_string();
        for (j, col) in columns.iter().enumerate() {
            let x = label_w + cell_w * j as i32 + cell_w / 2;
            let style = font(13, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new(short(col, 6), (x, head_h / 2), style)).map_err(draw_err)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let y = head_h + cell_h * i as i32;
            let style = font(14, INK).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(short(row, 8), (4, y + cell_h / 2), style)).map_err(draw_err)?;
            for j in 0..columns.len() {
                let x = label_w + cell_w * j as i32;
                let cell = cells.get(i).and_then(|r| r.get(j)).copied().flatten();
                let (fill, label) = match cell {
                    Some((index, callbacks)) => {
                        (index_color(index).mix(0.35 + 0.65 * (callbacks.min(20) as f64 / 20.0)), format!("{index:.2}"))
                    }
                    None => (LIGHT_GREY.mix(0.25), String::new()),
                };
                root.draw(&Rectangle::new([(x + 2, y + 2), (x + cell_w - 2, y + cell_h - 2)], fill.filled()))
                    .map_err(draw_err)?;
                if !label.is_empty() {
                    let style = font(14, INK).pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new(label, (x + cell_w / 2, y + cell_h / 2), style)).map_err(draw_err)?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pareto_chart_has_a_column_per_cause_and_the_running_share() {
        let labels = vec!["屋面渗漏".to_string(), "电梯".to_string()];
        let svg = pareto(&labels, &[3, 1], &[0.75, 1.0], (600, 300)).expect("drawn");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("屋面渗漏") && svg.contains("75%") && svg.contains("100%"), "{svg}");
        assert!(svg.contains("<polyline"), "the running share is a line");
    }

    #[test]
    fn a_heatmap_writes_each_index_in_its_cell_and_escapes_names() {
        let svg = heatmap(
            &["丽景<花园>".to_string()],
            &["维修".to_string(), "交付".to_string()],
            &[vec![Some((1.25, 2)), None]],
        )
        .expect("drawn");
        assert!(svg.contains("1.25"), "{svg}");
        assert!(!svg.contains("<花园>"), "escaped: {svg}");
    }
}
