//! The summary's SVG bar chart, for a service planner's report.
//!
//! One horizontal bar per treatment, split into the share of cases for which
//! it is usual, possible, depends or unlikely, with the case count, a legend
//! and the knowledge-base version. After `--validate-only` the chart shows the
//! cases by primary site instead. Text stays text in the SVG (no embedded
//! fonts), so it is sharp at any size and can be searched and edited.

use hepatica_engine::{PrimarySite, Suitability};
use hepatica_knowledge::{Knowledge, TREATMENT_IDS};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::summary::Tally;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;
const FOOTER: u32 = 70;

/// Fill colours for usual, possible, depends, unlikely (a colour-blind-safe blue-grey-orange scale).
const COLOURS: [RGBColor; 4] = [RGBColor(33, 102, 172), RGBColor(103, 169, 207), RGBColor(189, 189, 189), RGBColor(239, 138, 98)];
/// Text colour on top of each fill.
const INK: [RGBColor; 4] = [WHITE, BLACK, BLACK, BLACK];

/// Renders the chart as an SVG document.
pub fn svg(tally: &Tally, kb: &Knowledge) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (main, footer) = root.split_vertically(HEIGHT - FOOTER);
        if tally.assessed {
            suitability_chart(&main, tally).map_err(|e| e.to_string())?;
            legend(&footer).map_err(|e| e.to_string())?;
        } else {
            sites_chart(&main, tally).map_err(|e| e.to_string())?;
        }
        let stamp = format!(
            "Hepatica, knowledge base {} (published {}). An information aid for planning; it does not make treatment decisions.",
            kb.meta.version, kb.meta.published
        );
        footer
            .draw(&Text::new(stamp, (20, FOOTER as i32 - 18), ("sans-serif", 13).into_font().color(&RGBColor(80, 80, 80))))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn title(kb_cases: u64, what: &str) -> String {
    format!("{what} ({} {})", group_digits(kb_cases), if kb_cases == 1 { "case" } else { "cases" })
}

/// `1234567` as `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn treatment_title(id: &str) -> String {
    let mut t = id.replace('_', " ");
    if let Some(first) = t.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    t
}

fn site_title(site: PrimarySite) -> String {
    match site {
        PrimarySite::Gist => "GIST".into(),
        PrimarySite::Unknown => "Unknown primary".into(),
        PrimarySite::Neuroendocrine => "Neuroendocrine (NET)".into(),
        other => treatment_title(other.as_str()),
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn suitability_chart(area: &Area<'_>, tally: &Tally) -> Result<(), Box<dyn std::error::Error>> {
    let g = &tally.overall;
    let n = TREATMENT_IDS.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title(g.cases, "How suitable each treatment was across the cohort"), ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..100f64, (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .y_labels(n)
        .x_labels(11)
        .x_label_formatter(&|x| format!("{x:.0}%"))
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) if *i < n => treatment_title(TREATMENT_IDS[n - 1 - i]),
            _ => String::new(),
        })
        .x_desc("Share of cases")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    let total = g.cases.max(1) as f64;
    for (row, id) in TREATMENT_IDS.iter().enumerate() {
        let y = n - 1 - row;
        let mut x0 = 0.0;
        for (l, _) in Suitability::ALL.iter().enumerate() {
            let share = g.counts[TREATMENT_IDS.iter().position(|t| t == id).unwrap_or(row)][l] as f64 * 100.0 / total;
            if share <= 0.0 {
                continue;
            }
            let x1 = (x0 + share).min(100.0);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, SegmentValue::Exact(y)), (x1, SegmentValue::Exact(y + 1))],
                COLOURS[l].filled(),
            )))?;
            if share >= 7.0 {
                let style = ("sans-serif", 13).into_font().color(&INK[l]).pos(Pos::new(HPos::Center, VPos::Center));
                chart.draw_series(std::iter::once(Text::new(
                    format!("{share:.0}%"),
                    ((x0 + x1) / 2.0, SegmentValue::CenterOf(y)),
                    style,
                )))?;
            }
            x0 = x1;
        }
    }
    Ok(())
}

fn legend(area: &Area<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let mut x = 170;
    let y = 14;
    for (l, level) in Suitability::ALL.iter().enumerate() {
        area.draw(&Rectangle::new([(x, y), (x + 16, y + 16)], COLOURS[l].filled()))?;
        let label = match level {
            Suitability::Usual => "Usual: commonly used",
            Suitability::Possible => "Possible: the team decides",
            Suitability::Depends => "Depends: information missing",
            Suitability::Unlikely => "Unlikely: not usually used",
        };
        area.draw(&Text::new(label, (x + 22, y + 2), ("sans-serif", 14)))?;
        x += 200;
    }
    Ok(())
}

fn sites_chart(area: &Area<'_>, tally: &Tally) -> Result<(), Box<dyn std::error::Error>> {
    let sites: Vec<(PrimarySite, u64)> = PrimarySite::ALL.iter().map(|s| (*s, tally.site(*s).cases)).filter(|(_, c)| *c > 0).collect();
    let n = sites.len().max(1);
    let max = sites.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(title(tally.valid, "Valid cases by primary site"), ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..max, (0..n - 1).into_segmented())?;
    let names: Vec<String> = sites.iter().map(|(s, _)| site_title(*s)).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .y_labels(n)
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) if *i < names.len() => names[names.len() - 1 - i].clone(),
            _ => String::new(),
        })
        .x_label_formatter(&|x| group_digits(*x as u64))
        .x_desc("Valid cases")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 15))
        .draw()?;
    for (i, (_, c)) in sites.iter().enumerate() {
        let y = n - 1 - i;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, SegmentValue::Exact(y)), (*c as f64, SegmentValue::Exact(y + 1))],
            COLOURS[0].filled(),
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(1234567), "1,234,567");
    }

    #[test]
    fn titles_read_well() {
        assert_eq!(treatment_title("hormonal_therapy"), "Hormonal therapy");
    }
}
