//! How `noaber kpi` prints figures: an aligned table for reading, CSV with one figure per line
//! for spreadsheets, or JSON; suppressed figures are shown as such, never as zero.

use std::fmt::Write as _;

use noaber_projections::kpi::{
    Figure, FigureChange, FigureValue, FunderComparison, FunderFigures, FunderReport, ReportScope,
    Shown,
};

use super::{Format, KpiCommandError};

fn show(value: Shown<FigureValue>) -> String {
    match value {
        Shown::Suppressed => "suppressed".to_owned(),
        Shown::Value(v) => show_value(v),
    }
}

fn show_value(v: FigureValue) -> String {
    match v {
        FigureValue::Count(c) => c.to_string(),
        FigureValue::Share(Some(s)) => format!("{:.1}%", s * 100.0),
        FigureValue::Seconds(Some(s)) => format!("{:.1} h", s as f64 / 3600.0),
        FigureValue::Hours(h) => format!("{h:.1}"),
        FigureValue::Share(None) | FigureValue::Seconds(None) => "n/a".to_owned(),
    }
}

fn raw_value(value: Shown<FigureValue>) -> String {
    match value {
        Shown::Suppressed => "suppressed".to_owned(),
        Shown::Value(v) => v.number().map_or_else(String::new, |n| n.to_string()),
    }
}

fn header(out: &mut String, scope: &ReportScope, threshold: u64, title: &str) {
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "  period: requests posted from {} up to (not including) {}",
        scope.from.format("%Y-%m-%d %H:%M UTC"),
        scope.to.format("%Y-%m-%d %H:%M UTC")
    );
    match scope.as_of {
        Some(t) => {
            let _ = writeln!(
                out,
                "  as of: the log as recorded up to {}",
                t.format("%Y-%m-%d %H:%M:%S UTC")
            );
        }
        None => {
            let _ = writeln!(out, "  as of: everything recorded so far");
        }
    }
    let _ = writeln!(
        out,
        "  statuses at: {}",
        scope.report_date.format("%Y-%m-%d %H:%M UTC")
    );
    let mut filters = Vec::new();
    if !scope.neighbourhoods.is_empty() {
        filters.push(format!(
            "neighbourhoods {}",
            scope.neighbourhoods.join(", ")
        ));
    }
    if !scope.categories.is_empty() {
        filters.push(format!("categories {}", scope.categories.join(", ")));
    }
    if !scope.channels.is_empty() {
        filters.push(format!("channels {}", scope.channels.join(", ")));
    }
    if !filters.is_empty() {
        let _ = writeln!(out, "  only: {}", filters.join("; "));
    }
    let _ = writeln!(
        out,
        "  counts below {threshold} are suppressed (shown as \"suppressed\", never as 0)"
    );
}

/// A table: one line per figure, one column per entry of `columns`.
fn table(out: &mut String, columns: &[(String, &FunderFigures)]) {
    let rows: Vec<Vec<(Figure, Shown<FigureValue>)>> =
        columns.iter().map(|(_, f)| f.rows()).collect();
    let mut cells: Vec<Vec<String>> = vec![std::iter::once("figure".to_owned())
        .chain(columns.iter().map(|(k, _)| k.clone()))
        .collect()];
    for (i, figure) in Figure::ALL.iter().enumerate() {
        let mut line = vec![figure.label().to_owned()];
        line.extend(
            rows.iter()
                .map(|r| r.get(i).map_or_else(String::new, |(_, v)| show(*v))),
        );
        cells.push(line);
    }
    write_cells(out, &cells);
}

fn write_cells(out: &mut String, cells: &[Vec<String>]) {
    let width = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..width)
        .map(|c| {
            cells
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in cells {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(0);
            if c == 0 {
                let _ = write!(line, "{cell:<w$}");
            } else {
                let _ = write!(line, "  {cell:>w$}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv_rows(out: &mut String, period: &str, section: &str, key: &str, f: &FunderFigures) {
    for (figure, value) in f.rows() {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            csv_field(period),
            section,
            csv_field(key),
            figure.name(),
            raw_value(value)
        );
    }
}

fn render_report_into(out: &mut String, r: &FunderReport, format: Format, period: &str) {
    match format {
        Format::Csv => {
            csv_rows(out, period, "total", "", &r.total);
            for row in &r.breakdown {
                let section = r.scope.by.as_deref().unwrap_or("group");
                csv_rows(out, period, section, &row.key, &row.figures);
            }
            for p in &r.series {
                let key = format!("{}/{}", p.from.to_rfc3339(), p.to.to_rfc3339());
                csv_rows(out, period, "series", &key, &p.figures);
            }
        }
        Format::Table | Format::Json => {
            header(
                out,
                &r.scope,
                r.suppression_threshold,
                "Noaber funder figures",
            );
            let _ = writeln!(out);
            table(out, &[("total".to_owned(), &r.total)]);
            if !r.breakdown.is_empty() {
                let by = r.scope.by.as_deref().unwrap_or("group");
                let _ = writeln!(out, "\nBy {by}:");
                let cols: Vec<(String, &FunderFigures)> = r
                    .breakdown
                    .iter()
                    .map(|row| (row.key.clone(), &row.figures))
                    .collect();
                table(out, &cols);
            }
            if !r.series.is_empty() {
                let step = r.scope.series.as_deref().unwrap_or("step");
                let _ = writeln!(out, "\nPer {step} (columns start on the date shown):");
                let cols: Vec<(String, &FunderFigures)> = r
                    .series
                    .iter()
                    .map(|p| (p.from.format("%Y-%m-%d").to_string(), &p.figures))
                    .collect();
                table(out, &cols);
            }
        }
    }
}

/// Renders one report as a funder receives it.
pub fn render_report(r: &FunderReport, format: Format) -> Result<String, KpiCommandError> {
    let mut out = String::new();
    match format {
        Format::Json => {
            out = serde_json::to_string_pretty(r)?;
            out.push('\n');
        }
        Format::Csv => {
            out.push_str("period,section,key,figure,value\n");
            let period = format!("{}/{}", r.scope.from.to_rfc3339(), r.scope.to.to_rfc3339());
            render_report_into(&mut out, r, format, &period);
        }
        Format::Table => render_report_into(&mut out, r, format, ""),
    }
    Ok(out)
}

fn change_cell(c: &FigureChange, kind: Option<FigureValue>, relative: bool) -> String {
    if c.suppressed {
        return "suppressed".to_owned();
    }
    let v = if relative { c.relative } else { c.absolute };
    match (v, kind) {
        (None, _) => "n/a".to_owned(),
        (Some(v), _) if relative => format!("{:+.1}%", v * 100.0),
        (Some(v), Some(FigureValue::Share(_))) => format!("{:+.1} pp", v * 100.0),
        (Some(v), Some(FigureValue::Seconds(_))) => format!("{:+.1} h", v / 3600.0),
        (Some(v), Some(FigureValue::Hours(_))) => format!("{v:+.1}"),
        (Some(v), _) => format!("{v:+}"),
    }
}

/// Renders a comparison (A is the baseline, B the period asked for) as a funder receives it.
pub fn render_comparison(c: &FunderComparison, format: Format) -> Result<String, KpiCommandError> {
    let mut out = String::new();
    match format {
        Format::Json => {
            out = serde_json::to_string_pretty(c)?;
            out.push('\n');
        }
        Format::Csv => {
            out.push_str("period,section,key,figure,value\n");
            render_report_into(&mut out, &c.a, format, "baseline");
            render_report_into(&mut out, &c.b, format, "period");
            out.push_str("\nfigure,baseline,period,absolute_change,relative_change\n");
            for ch in &c.changes {
                let num = |v: Option<f64>| {
                    if ch.suppressed {
                        "suppressed".to_owned()
                    } else {
                        v.map_or_else(|| "n/a".to_owned(), |v| v.to_string())
                    }
                };
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    ch.figure,
                    num(ch.a),
                    num(ch.b),
                    num(ch.absolute),
                    num(ch.relative)
                );
            }
        }
        Format::Table => {
            header(
                &mut out,
                &c.b.scope,
                c.suppression_threshold,
                "Noaber funder figures: comparison",
            );
            let _ = writeln!(
                out,
                "  baseline: requests posted from {} up to (not including) {}\n",
                c.a.scope.from.format("%Y-%m-%d %H:%M UTC"),
                c.a.scope.to.format("%Y-%m-%d %H:%M UTC")
            );
            let a_rows = c.a.total.rows();
            let b_rows = c.b.total.rows();
            let mut cells = vec![vec![
                "figure".to_owned(),
                "baseline".to_owned(),
                "period".to_owned(),
                "change".to_owned(),
                "relative".to_owned(),
            ]];
            for ((figure, a), ((_, b), ch)) in a_rows.iter().zip(b_rows.iter().zip(&c.changes)) {
                cells.push(vec![
                    figure.label().to_owned(),
                    show(*a),
                    show(*b),
                    change_cell(ch, a.value().or(b.value()), false),
                    change_cell(ch, None, true),
                ]);
            }
            write_cells(&mut out, &cells);
        }
    }
    Ok(out)
}
