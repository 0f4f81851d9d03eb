//! The whole assessment as one document, laid out like the annex of an equality impact
//! assessment: the answers, section by section, then the scored report with a place for each
//! evidence chart. The Word output (crates/equitas-docx) writes it; it is built here once, as
//! [`Block`]s, so the words and the order are the same wherever it is written.

use equitas_lean::SortedMap;

use super::answers::{Answer, Answers, ChecklistEntry, Evidence, Impact};
use super::doc::{Block, Inline, Item};
use super::instrument::{Choice, ColumnKind, Instrument, Kind, Question};
use super::render;
use super::report::ReportModel;
use super::validate::visible_questions;

/// What an unanswered question shows.
const NOT_ANSWERED: &str = "Not answered.";

/// The assessment's answers and its scored report, for a document a team can edit and paste
/// into its own papers: the title, the instrument and the rubric's caveat, each section's
/// visible questions with their answers (questions the form hides are left out, as on the
/// form), then the report as the Markdown and HTML reports have it, with a [`Block::Chart`]
/// after the table of quantified measures for each chart of the model.
///
/// ```
/// use equitas_core::assessment::{Answers, Registry, ReportModel, annex};
/// use equitas_core::assessment::doc::Block;
///
/// let registry = Registry::builtin()?;
/// let heat = registry.latest("heat").unwrap();
/// let answers = Answers::new();
/// let doc = annex::annex(&ReportModel::score(heat, &answers), heat, &answers);
/// assert!(doc.iter().any(|b| matches!(b, Block::Heading(2, t) if t == "Prepare")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn annex(model: &ReportModel, instrument: &Instrument, answers: &Answers) -> Vec<Block> {
    let visible = visible_questions(instrument, answers);
    let mut d = render::overview_blocks(model);
    d.push(Block::Heading(2, "The assessment".into()));
    d.push(Block::Para(vec![Inline::Text(format!(
        "{} The answers follow in the form's order; questions the form did not show for \
         these answers are left out.",
        instrument.description
    ))]));
    for section in &instrument.sections {
        d.push(Block::Heading(2, section.title.clone()));
        for q in &section.questions {
            if !visible.contains(&&q.id) {
                continue;
            }
            d.push(Block::Heading(3, q.label.clone()));
            match answers.answered(q.id.as_str()) {
                Some(a) => answer_blocks(&mut d, instrument, q, a),
                None => d.push(para(NOT_ANSWERED)),
            }
        }
    }
    d.push(Block::Heading(2, "The report".into()));
    d.extend(render::report_body(model));
    d
}

/// An answer to question `q` in words, as the document writes it, flattened to text: option
/// labels, dates in UK prose, a list's items joined with "; ", a table's rows one to a line with
/// their cells joined with ", ". What compare shows in the browser (`compareAssessments`).
#[must_use]
pub fn answer_words(instrument: &Instrument, q: &Question, a: &Answer) -> String {
    let mut blocks = Vec::new();
    answer_blocks(&mut blocks, instrument, q, a);
    let inline = |text: &[Inline]| -> String {
        text.iter()
            .map(|i| match i {
                Inline::Text(t) | Inline::Strong(t) | Inline::Code(t) | Inline::MdCode(t) => {
                    t.as_str()
                }
            })
            .collect()
    };
    let lines: Vec<String> = blocks
        .iter()
        .map(|b| match b {
            Block::Para(text) => inline(text),
            Block::List { items, .. } => items
                .iter()
                .map(|i| inline(&i.text))
                .collect::<Vec<_>>()
                .join("; "),
            Block::Table { rows, .. } => rows
                .iter()
                .map(|r| {
                    r.iter()
                        .filter(|c| !c.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Heading(_, t) | Block::Notice(t) | Block::Headline(t) => t.clone(),
            Block::Chart { title, .. } => title.clone(),
        })
        .collect();
    lines.join("\n")
}

fn para(s: impl Into<String>) -> Block {
    Block::Para(vec![Inline::Text(s.into())])
}

/// The label of the option `id` among `choices`, or the id itself when it is none of them (an
/// answer kept from another version reads as it was saved, never dropped).
fn label<'a>(choices: &'a [Choice], id: &'a str) -> &'a str {
    choices
        .iter()
        .find(|c| c.id == id)
        .map_or(id, |c| c.label.as_str())
}

/// A date as UK readers write it in prose, "12 January 2026"; text that is not a date reads
/// as saved.
fn uk_date(t: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match crate::date::Date::parse(t) {
        Ok(d) => format!(
            "{} {} {}",
            d.day(),
            MONTHS[usize::from(d.month() - 1)],
            d.year()
        ),
        Err(_) => t.to_owned(),
    }
}

/// A number as the form shows it: whole numbers without a decimal point.
fn number(x: f64) -> String {
    equitas_lean::Num(x).to_string()
}

/// The blocks of one answered question. The answer decides the layout and the question's kind
/// gives the words (an option's label, a unit, a column's heading); what the kind does not
/// name reads as saved, never dropped.
fn answer_blocks(d: &mut Vec<Block>, instrument: &Instrument, q: &Question, a: &Answer) {
    let choices = q.kind.choices();
    match a {
        Answer::Text(t) if !choices.is_empty() => d.push(para(label(choices, t))),
        Answer::Text(t) if matches!(q.kind, Kind::Date) => d.push(para(uk_date(t))),
        Answer::Text(t) => d.extend(t.lines().filter(|l| !l.trim().is_empty()).map(para)),
        Answer::Choices(ids) => d.push(Block::List {
            ordered: false,
            items: ids
                .iter()
                .map(|id| Item {
                    class: None,
                    text: vec![Inline::Text(label(choices, id).to_owned())],
                })
                .collect(),
        }),
        Answer::Number(x) => d.push(para(match &q.kind {
            Kind::Number { unit: Some(u), .. } => format!("{} {u}", number(*x)),
            _ => number(*x),
        })),
        Answer::Checklist(entries) => d.push(checklist(choices, entries)),
        Answer::Table(rows) => d.push(table(instrument, &q.kind, rows)),
        Answer::Evidence(e) => evidence(d, e),
    }
}

/// A table answer under its columns' headings (the saved column ids when the question is not
/// a table), options and other questions' items by their labels.
fn table(instrument: &Instrument, kind: &Kind, rows: &[SortedMap<String, String>]) -> Block {
    let columns: Vec<(String, String, Option<&[Choice]>)> = match kind {
        Kind::Table { columns } => columns
            .iter()
            .map(|c| {
                let options = match &c.kind {
                    ColumnKind::Choice { options } => Some(options.as_slice()),
                    ColumnKind::ItemOf { question } => instrument
                        .question(question.as_str())
                        .map(|q| q.kind.choices()),
                    _ => None,
                };
                (c.id.clone(), c.label.clone(), options)
            })
            .collect(),
        _ => {
            let mut ids: Vec<&String> = rows.iter().flat_map(|r| r.keys()).collect();
            equitas_lean::sort::sort_by(&mut ids, |a, b| a.cmp(b));
            ids.dedup();
            ids.into_iter()
                .map(|id| (id.clone(), id.clone(), None))
                .collect()
        }
    };
    Block::Table {
        head: columns.iter().map(|(_, l, _)| l.clone()).collect(),
        rows: rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .map(|(id, _, options)| {
                        let cell = row.get(id).map_or("", String::as_str);
                        match options {
                            Some(o) if !cell.is_empty() => label(o, cell).to_owned(),
                            _ => cell.to_owned(),
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

/// An impact as words.
const fn impact(i: Impact) -> &'static str {
    match i {
        Impact::Positive => "positive",
        Impact::Negative => "negative",
        Impact::Neutral => "neutral",
        Impact::NotKnown => "not known",
    }
}

/// A dimension checklist: every group considered, in the instrument's order (then any saved
/// under an id the instrument does not list), with its family, impact and note.
fn checklist(items: &[Choice], entries: &SortedMap<String, ChecklistEntry>) -> Block {
    let row = |name: &str, family: &str, e: &ChecklistEntry| {
        vec![
            name.to_owned(),
            family.to_owned(),
            e.impact.map_or("", impact).to_owned(),
            e.note.clone().unwrap_or_default(),
        ]
    };
    let mut rows: Vec<Vec<String>> = items
        .iter()
        .filter_map(|item| {
            let e = entries.get(&item.id).filter(|e| e.considered)?;
            Some(row(&item.label, item.family.as_deref().unwrap_or(""), e))
        })
        .collect();
    rows.extend(
        entries
            .iter()
            .filter(|(id, e)| e.considered && !items.iter().any(|i| &i.id == *id))
            .map(|(id, e)| row(id, "", e)),
    );
    Block::Table {
        head: ["Group considered", "Family", "Likely impact", "Note"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    }
}

/// Quantitative evidence: the indicator, then one row per subgroup.
fn evidence(d: &mut Vec<Block>, e: &Evidence) {
    d.push(para(format!(
        "Indicator: {} (scale {}; {} is better).",
        e.indicator.as_deref().unwrap_or("not named"),
        number(e.scale),
        if e.favourable { "higher" } else { "lower" }
    )));
    let opt = |x: Option<f64>| x.map_or_else(String::new, number);
    d.push(Block::Table {
        head: [
            "Dimension",
            "Subgroup",
            "Order",
            "Estimate",
            "Lower",
            "Upper",
            "Standard error",
            "Population",
            "Reference",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: e
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.dimension.clone(),
                    r.subgroup.clone(),
                    r.order.to_string(),
                    opt(r.estimate),
                    opt(r.lower),
                    opt(r.upper),
                    opt(r.se),
                    opt(r.population),
                    if r.reference { "yes" } else { "" }.to_owned(),
                ]
            })
            .collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::{Kind, uk_date};

    #[test]
    fn answers_in_words_use_labels_and_uk_dates() {
        use crate::assessment::{Answer, Registry};
        let registry = Registry::builtin().unwrap();
        let heat = registry.latest("heat").unwrap();
        let (_, date_q) = heat
            .questions()
            .find(|(_, q)| matches!(q.kind, Kind::Date))
            .unwrap();
        let words = super::answer_words(heat, date_q, &Answer::Text("2026-01-12".into()));
        assert_eq!(words, "12 January 2026");
        let (_, multi) = heat
            .questions()
            .find(|(_, q)| matches!(q.kind, Kind::MultipleChoice { .. }))
            .unwrap();
        let options = multi.kind.choices();
        let ids = vec![
            options[0].id.clone(),
            options[1].id.clone(),
            "not-an-option".into(),
        ];
        assert_eq!(
            super::answer_words(heat, multi, &Answer::Choices(ids)),
            format!("{}; {}; not-an-option", options[0].label, options[1].label)
        );
    }

    #[test]
    fn dates_read_as_uk_prose_and_anything_else_as_saved() {
        assert_eq!(uk_date("2026-01-12"), "12 January 2026");
        assert_eq!(uk_date("2028-12-31"), "31 December 2028");
        assert_eq!(uk_date("2026-02-30"), "2026-02-30");
        assert_eq!(uk_date("soon"), "soon");
    }
}
