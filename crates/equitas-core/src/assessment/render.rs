//! Reports as Markdown and as a self-contained, print-ready HTML page (inline styles, no
//! external resources; every piece of user text escaped).

use std::fmt::Write as _;

use super::score::Report;
use super::summary::Summary;

/// Escape text for HTML element content and attribute values.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text for a Markdown table cell or line (pipes, newlines, leading markup).
fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
        .replace('<', "&lt;")
}

/// A measure's name as the report prints it.
fn measure_name(m: crate::measures::MeasureId) -> String {
    match m {
        crate::measures::MeasureId::Sii => "SII (slope index of inequality)".into(),
        crate::measures::MeasureId::D => "D (difference between the extreme subgroups)".into(),
        other => other.as_str().to_uppercase(),
    }
}

fn pts(x: f64) -> String {
    format!("{x:.1}")
}

/// The report as Markdown.
#[must_use]
pub fn report_markdown(r: &Report) -> String {
    let mut s = String::new();
    let title = r.title.as_deref().unwrap_or("Untitled assessment");
    let _ = writeln!(s, "# {}\n", md(title));
    let _ = writeln!(
        s,
        "{} (`{}` v{})\n",
        md(&r.instrument_title),
        r.instrument.id,
        r.instrument.version
    );
    let _ = writeln!(s, "> {}\n", md(&r.rubric));
    let band = r.band.as_ref().map_or("no band", |b| b.label.as_str());
    let _ = writeln!(s, "**Overall: {:.1} / 100, {}**", r.overall, md(band));
    if let Some(b) = &r.band {
        let _ = writeln!(s, "\n{}", md(&b.meaning));
    }
    let _ = writeln!(
        s,
        "\n## Sections\n\n| Section | Progress | Score |\n|---|---|---|"
    );
    for sec in &r.sections {
        let _ = writeln!(
            s,
            "| {} | {} ({} of {} answered) | {} |",
            md(&sec.title),
            sec.progress.status.label(),
            sec.progress.answered,
            sec.progress.visible,
            sec.score.map_or_else(|| "–".into(), |x| format!("{x:.1}"))
        );
    }
    if !r.profile.is_empty() {
        let _ = writeln!(
            s,
            "\n## Maturity profile\n\n| Theme | Level | Rated | Levels |\n|---|---|---|---|"
        );
        for t in &r.profile {
            let levels: Vec<String> = t
                .levels
                .iter()
                .map(|(_, l, n)| format!("{} {n}", md(l)))
                .collect();
            let _ = writeln!(
                s,
                "| {} | {} | {} of {} | {} |",
                md(&t.title),
                t.level.as_deref().map_or_else(|| "not rated".into(), md),
                t.rated,
                t.statements,
                levels.join(", ")
            );
        }
    }
    if !r.objectives.is_empty() {
        let _ = writeln!(s, "\n## Next objectives\n");
        for (i, o) in r.objectives.iter().enumerate() {
            let _ = writeln!(
                s,
                "{}. **{}** (now {}): {}",
                i + 1,
                md(&o.statement),
                md(&o.level),
                md(&o.next_step)
            );
        }
    }
    if !r.quantified.is_empty() {
        let _ = writeln!(
            s,
            "\n## The gap, quantified\n\n| Indicator | Dimension | Subgroups | Measure | Value | 95% CI |\n|---|---|---|---|---|---|"
        );
        for q in &r.quantified {
            for m in &q.measures {
                let (value, ci) = match (&m.value, &m.reason) {
                    (Some(v), _) => (
                        format!("{:.3}", v.value),
                        match (v.lower, v.upper) {
                            (Some(l), Some(u)) => format!("{l:.3} to {u:.3}"),
                            _ => "–".into(),
                        },
                    ),
                    (None, Some(reason)) => (format!("not computed: {}", md(reason)), "–".into()),
                    (None, None) => ("–".into(), "–".into()),
                };
                let _ = writeln!(
                    s,
                    "| {} | {} | {}{} | {} | {value} | {ci} |",
                    md(q.indicator.as_deref().unwrap_or("–")),
                    md(&q.dimension),
                    q.subgroups,
                    if q.ordered { ", ordered" } else { "" },
                    measure_name(m.measure)
                );
            }
        }
    }
    let _ = writeln!(s, "\n## Gaps and recommendations\n");
    if r.gaps.is_empty() {
        let _ = writeln!(s, "No gaps found by the rubric's rules.");
    }
    for g in &r.gaps {
        let _ = writeln!(s, "- **{}**: {}", md(&g.title), md(&g.recommendation));
    }
    let _ = writeln!(s, "\n## How the score was reached\n");
    for c in &r.criteria {
        let _ = writeln!(
            s,
            "### {}: {} of {} points\n",
            md(&c.label),
            pts(c.earned),
            pts(c.available)
        );
        for l in &c.lines {
            let sign = if l.lost > 0.0 && l.earned == 0.0 {
                format!("−{}", pts(l.lost))
            } else if l.lost > 0.0 {
                format!("+{} / −{}", pts(l.earned), pts(l.lost))
            } else {
                format!("+{}", pts(l.earned))
            };
            let _ = writeln!(s, "- {sign}: {}", md(&l.text));
        }
        let _ = writeln!(s);
    }
    if !r.problems.is_empty() {
        let _ = writeln!(s, "## Problems to fix\n");
        for p in &r.problems {
            let _ = writeln!(s, "- `{}`: {}", p.question, md(&p.message));
        }
    }
    s
}

const STYLE: &str = "body{font-family:system-ui,Arial,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#212b32;line-height:1.45}\
h1{font-size:1.8rem}h2{border-bottom:2px solid #005eb8;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d8dde0;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.score{font-size:1.4rem;font-weight:bold}.notice{background:#fff9c4;padding:.5rem;border-left:4px solid #ffeb3b}\
.lost{color:#b00020}.earned{color:#006435}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,li{break-inside:avoid}}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape_html(title)
    )
}

/// The report as a self-contained HTML page, ready to print.
#[must_use]
pub fn report_html(r: &Report) -> String {
    let e = escape_html;
    let mut b = String::new();
    let title = r.title.as_deref().unwrap_or("Untitled assessment");
    let _ = writeln!(b, "<h1>{}</h1>", e(title));
    let _ = writeln!(
        b,
        "<p>{} ({} v{})</p>",
        e(&r.instrument_title),
        e(&r.instrument.id),
        r.instrument.version
    );
    let _ = writeln!(b, "<p class=\"notice\">{}</p>", e(&r.rubric));
    let band = r.band.as_ref().map_or("no band", |x| x.label.as_str());
    let _ = writeln!(
        b,
        "<p class=\"score\">Overall: {:.1} / 100, {}</p>",
        r.overall,
        e(band)
    );
    if let Some(x) = &r.band {
        let _ = writeln!(b, "<p>{}</p>", e(&x.meaning));
    }
    let _ = writeln!(
        b,
        "<h2>Sections</h2>\n<table><thead><tr><th>Section</th><th>Progress</th><th>Score</th></tr></thead><tbody>"
    );
    for s in &r.sections {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{} ({} of {} answered)</td><td>{}</td></tr>",
            e(&s.title),
            s.progress.status.label(),
            s.progress.answered,
            s.progress.visible,
            s.score.map_or_else(|| "–".into(), |x| format!("{x:.1}"))
        );
    }
    let _ = writeln!(b, "</tbody></table>");
    if !r.profile.is_empty() {
        let _ = writeln!(
            b,
            "<h2>Maturity profile</h2>\n<table><thead><tr><th>Theme</th><th>Level</th><th>Rated</th><th>Levels</th></tr></thead><tbody>"
        );
        for t in &r.profile {
            let levels: Vec<String> = t
                .levels
                .iter()
                .map(|(_, l, n)| format!("{} {n}", e(l)))
                .collect();
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{} of {}</td><td>{}</td></tr>",
                e(&t.title),
                t.level.as_deref().map_or_else(|| "not rated".into(), e),
                t.rated,
                t.statements,
                levels.join(", ")
            );
        }
        let _ = writeln!(b, "</tbody></table>");
    }
    if !r.objectives.is_empty() {
        let _ = writeln!(b, "<h2>Next objectives</h2>\n<ol>");
        for o in &r.objectives {
            let _ = writeln!(
                b,
                "<li><strong>{}</strong> (now {}): {}</li>",
                e(&o.statement),
                e(&o.level),
                e(&o.next_step)
            );
        }
        let _ = writeln!(b, "</ol>");
    }
    if !r.quantified.is_empty() {
        let _ = writeln!(
            b,
            "<h2>The gap, quantified</h2>\n<table><thead><tr><th>Indicator</th><th>Dimension</th><th>Measure</th><th>Value</th><th>95% CI</th></tr></thead><tbody>"
        );
        for q in &r.quantified {
            for m in &q.measures {
                let (value, ci) = match (&m.value, &m.reason) {
                    (Some(v), _) => (
                        format!("{:.3}", v.value),
                        match (v.lower, v.upper) {
                            (Some(l), Some(u)) => format!("{l:.3} to {u:.3}"),
                            _ => "–".into(),
                        },
                    ),
                    (None, Some(reason)) => (format!("not computed: {}", e(reason)), "–".into()),
                    (None, None) => ("–".into(), "–".into()),
                };
                let _ = writeln!(
                    b,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{value}</td><td>{ci}</td></tr>",
                    e(q.indicator.as_deref().unwrap_or("–")),
                    e(&q.dimension),
                    measure_name(m.measure)
                );
            }
        }
        let _ = writeln!(b, "</tbody></table>");
    }
    let _ = writeln!(b, "<h2>Gaps and recommendations</h2>");
    if r.gaps.is_empty() {
        let _ = writeln!(b, "<p>No gaps found by the rubric's rules.</p>");
    } else {
        let _ = writeln!(b, "<ul>");
        for g in &r.gaps {
            let _ = writeln!(
                b,
                "<li><strong>{}</strong>: {}</li>",
                e(&g.title),
                e(&g.recommendation)
            );
        }
        let _ = writeln!(b, "</ul>");
    }
    let _ = writeln!(b, "<h2>How the score was reached</h2>");
    for c in &r.criteria {
        let _ = writeln!(
            b,
            "<h3>{}: {} of {} points</h3>\n<ul>",
            e(&c.label),
            pts(c.earned),
            pts(c.available)
        );
        for l in &c.lines {
            let class = if l.lost > 0.0 { "lost" } else { "earned" };
            let sign = if l.lost > 0.0 && l.earned == 0.0 {
                format!("−{}", pts(l.lost))
            } else if l.lost > 0.0 {
                format!("+{} / −{}", pts(l.earned), pts(l.lost))
            } else {
                format!("+{}", pts(l.earned))
            };
            let _ = writeln!(b, "<li class=\"{class}\">{sign}: {}</li>", e(&l.text));
        }
        let _ = writeln!(b, "</ul>");
    }
    if !r.problems.is_empty() {
        let _ = writeln!(b, "<h2>Problems to fix</h2>\n<ul>");
        for p in &r.problems {
            let _ = writeln!(
                b,
                "<li><code>{}</code>: {}</li>",
                e(p.question.as_str()),
                e(&p.message)
            );
        }
        let _ = writeln!(b, "</ul>");
    }
    page(title, &b)
}

/// The portfolio summary as Markdown.
#[must_use]
pub fn summary_markdown(s: &Summary) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Assessment portfolio, as of {}\n\n{} assessments.\n",
        s.as_of, s.assessments
    );
    let _ = writeln!(
        o,
        "## Rating bands\n\n| Instrument | Band | Assessments |\n|---|---|---|"
    );
    for b in &s.bands {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            md(&b.instrument),
            md(&b.label),
            b.count
        );
    }
    let _ = writeln!(
        o,
        "\n## Most common gaps\n\n| Instrument | Gap | Assessments |\n|---|---|---|"
    );
    for g in &s.gaps {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            md(&g.instrument),
            md(&g.title),
            g.count
        );
    }
    let _ = writeln!(
        o,
        "\n## Dimensions least often considered\n\n| Instrument | Dimension | Family | Considered |\n|---|---|---|---|"
    );
    for d in s.dimensions.iter().take(15) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} of {} |",
            md(&d.instrument),
            md(&d.label),
            md(&d.family.replace('_', " ")),
            d.considered,
            d.of
        );
    }
    let _ = writeln!(o, "\n## Reviews overdue\n");
    if s.overdue.is_empty() {
        let _ = writeln!(o, "None.");
    } else {
        let _ = writeln!(
            o,
            "| Assessment | Title | Review date | Days overdue |\n|---|---|---|---|"
        );
        for r in &s.overdue {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md(&r.name),
                md(r.title.as_deref().unwrap_or("–")),
                r.review_date,
                r.days_overdue
            );
        }
    }
    if !s.no_review_date.is_empty() {
        let _ = writeln!(
            o,
            "\nNo review date set: {}.",
            s.no_review_date
                .iter()
                .map(|n| md(n))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    o
}

/// The portfolio summary as a self-contained HTML page.
#[must_use]
pub fn summary_html(s: &Summary) -> String {
    let e = escape_html;
    let mut b = String::new();
    let title = format!("Assessment portfolio, as of {}", s.as_of);
    let _ = writeln!(
        b,
        "<h1>{}</h1>\n<p>{} assessments.</p>",
        e(&title),
        s.assessments
    );
    let _ = writeln!(
        b,
        "<h2>Rating bands</h2>\n<table><thead><tr><th>Instrument</th><th>Band</th><th>Assessments</th></tr></thead><tbody>"
    );
    for x in &s.bands {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&x.instrument),
            e(&x.label),
            x.count
        );
    }
    let _ = writeln!(
        b,
        "</tbody></table>\n<h2>Most common gaps</h2>\n<table><thead><tr><th>Instrument</th><th>Gap</th><th>Assessments</th></tr></thead><tbody>"
    );
    for g in &s.gaps {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&g.instrument),
            e(&g.title),
            g.count
        );
    }
    let _ = writeln!(
        b,
        "</tbody></table>\n<h2>Dimensions least often considered</h2>\n<table><thead><tr><th>Instrument</th><th>Dimension</th><th>Family</th><th>Considered</th></tr></thead><tbody>"
    );
    for d in s.dimensions.iter().take(15) {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} of {}</td></tr>",
            e(&d.instrument),
            e(&d.label),
            e(&d.family.replace('_', " ")),
            d.considered,
            d.of
        );
    }
    let _ = writeln!(b, "</tbody></table>\n<h2>Reviews overdue</h2>");
    if s.overdue.is_empty() {
        let _ = writeln!(b, "<p>None.</p>");
    } else {
        let _ = writeln!(
            b,
            "<table><thead><tr><th>Assessment</th><th>Title</th><th>Review date</th><th>Days overdue</th></tr></thead><tbody>"
        );
        for r in &s.overdue {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e(&r.name),
                e(r.title.as_deref().unwrap_or("–")),
                r.review_date,
                r.days_overdue
            );
        }
        let _ = writeln!(b, "</tbody></table>");
    }
    if !s.no_review_date.is_empty() {
        let names: Vec<String> = s.no_review_date.iter().map(|n| e(n)).collect();
        let _ = writeln!(b, "<p>No review date set: {}.</p>", names.join(", "));
    }
    page(&title, &b)
}
