//! Saved assessments and instruments: the files the browser's assessment engine and
//! `equitas assess` read.

use std::sync::LazyLock;

use equitas_core::assessment::render::{report_html, report_markdown, summary_html};
use equitas_core::assessment::{
    Answers, Assessment, Date, Instrument, Registry, ReportModel, load, progress, score, summary,
    validate,
};
use serde_json::{Value, json};

/// The built-in instruments and a notional `heat` version 2 ([`heat_v2`]), so that files saved
/// under `heat` v1 are migrated on load.
static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry::builtin().expect("the built-in instruments check");
    let v2 = heat_v2(&registry);
    registry
        .add_json(&v2.to_string())
        .expect("the notional heat v2 checks");
    registry
});

/// `heat` version 2 as an organisation might publish it, touching every kind of migration:
/// `prepare.sponsor` renamed to `prepare.senior_sponsor`; `assess.intersections` removed;
/// `assess.plus_local` changed from text to a number; and `assess.inequalities` and
/// `assess.impacts` merged into one question `assess.findings` that names both as previous ids.
fn heat_v2(registry: &Registry) -> Value {
    let mut v = registry
        .json("heat", 1)
        .expect("heat v1 is built in")
        .clone();
    v["version"] = json!(2);
    let question = |v: &mut Value, section: usize, id: &str| -> usize {
        v["sections"][section]["questions"]
            .as_array()
            .and_then(|qs| qs.iter().position(|q| q["id"] == id))
            .unwrap_or_else(|| panic!("heat v1 has no question {id} in section {section}"))
    };
    let at = question(&mut v, 0, "prepare.sponsor");
    let sponsor = &mut v["sections"][0]["questions"][at];
    sponsor["id"] = json!("prepare.senior_sponsor");
    sponsor["previous_ids"] = json!(["prepare.sponsor"]);
    sponsor["label"] = json!("Who is the senior sponsor?");
    for gap in v["gaps"].as_array_mut().into_iter().flatten() {
        if gap["id"] == "no_sponsor" {
            gap["when"] = json!({"not": {"answered": "prepare.senior_sponsor"}});
            gap["question"] = json!("prepare.senior_sponsor");
        }
    }
    let at = question(&mut v, 1, "assess.plus_local");
    v["sections"][1]["questions"][at]["kind"] = json!({"type": "number"});
    let at = question(&mut v, 1, "assess.inequalities");
    let findings = &mut v["sections"][1]["questions"][at];
    findings["id"] = json!("assess.findings");
    findings["previous_ids"] = json!(["assess.inequalities", "assess.impacts"]);
    findings["label"] = json!("What inequalities did you find, and what could the work change?");
    if let Some(qs) = v["sections"][1]["questions"].as_array_mut() {
        qs.retain(|q| q["id"] != "assess.intersections" && q["id"] != "assess.impacts");
    }
    v
}

/// A saved assessment (`equitas-assessment` envelope), loaded as the browser and
/// `equitas assess` load it, against the built-in instruments and a `heat` v2 that renames,
/// removes, retypes and merges questions, so old files are migrated.
///
/// Checks, when the file loads:
/// - nothing is lost: every non-null answer in the file, and every entry of its `retained`, is
///   in the loaded assessment's answers or its `retained` (issue 12, finding 2);
/// - saving and loading again gives the same assessment with nothing left to migrate, and
///   saving that gives the same text (the round trip);
/// - scoring, validation, progress, the Markdown and HTML reports and the portfolio summary do
///   not panic.
pub fn envelope(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    let Ok(loaded) = load(text, &REGISTRY) else {
        return;
    };
    let a = &loaded.assessment;

    let raw = equitas_core::read::parse(text).expect("it loaded, so it parses");
    let given = raw["answers"]
        .as_object()
        .map_or(0, |m| m.values().filter(|v| !v.is_null()).count())
        + raw["retained"].as_object().map_or(0, |m| {
            // Layout 1 keeps one entry per id, layout 2 a list of them.
            m.values().map(|v| v.as_array().map_or(1, Vec::len)).sum()
        });
    let retained: usize = a.retained.iter().map(|(_, list)| list.len()).sum();
    assert_eq!(
        a.answers.len() + retained,
        given,
        "answers lost on load: the file has {given} answers and retained entries, the \
         assessment {} answers and {} retained; notes: {:?}",
        a.answers.len(),
        retained,
        loaded.notes
    );

    let saved = a.to_json();
    let again = load(&saved, &REGISTRY).unwrap_or_else(|e| panic!("saved file fails: {e}"));
    assert!(
        again.notes.is_empty(),
        "a saved file migrates again: {:?}",
        again.notes
    );
    assert_eq!(&again.assessment, a, "changed on save and load");
    assert_eq!(again.assessment.to_json(), saved, "saved text changed");

    let instrument = REGISTRY
        .for_assessment(a)
        .expect("a loaded assessment's instrument is registered");
    exercise(instrument, a);
}

/// An instrument file, read and checked as `Registry::add_json` does for an organisation's own.
///
/// Checks, when it is accepted:
/// - the JSON the registry hands back for it (what the browser's `instrument()` returns) and
///   the instrument's own serialisation both read back as the same instrument;
/// - an empty assessment of it saves and loads back unchanged;
/// - scoring, validation, progress, the reports and the summary do not panic.
pub fn instrument(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    let Ok(instrument) = Instrument::from_json(text) else {
        return;
    };
    let mut registry = Registry::empty();
    let r = registry
        .add_json(text)
        .unwrap_or_else(|e| panic!("Instrument::from_json accepts it but add_json refuses: {e}"));
    assert_eq!(
        (r.id.as_str(), r.version),
        (instrument.id.as_str(), instrument.version)
    );
    let handed_back = registry
        .json(&r.id, r.version)
        .expect("an added instrument has its JSON")
        .to_string();
    let back = Instrument::from_json(&handed_back)
        .unwrap_or_else(|e| panic!("the registry's JSON fails: {e}"));
    assert_eq!(back, instrument, "changed through the registry's JSON");
    let written = serde_json::to_string(&instrument).expect("an instrument serialises");
    let back = Instrument::from_json(&written)
        .unwrap_or_else(|e| panic!("the instrument as serialised fails: {e}\n{written}"));
    assert_eq!(back, instrument, "changed through serialisation");

    let a = Assessment::new(&instrument, "2026-01-01T00:00:00Z");
    let loaded = load(&a.to_json(), &registry).unwrap_or_else(|e| panic!("empty draft: {e}"));
    assert!(loaded.notes.is_empty(), "notes: {:?}", loaded.notes);
    assert_eq!(loaded.assessment, a, "empty draft changed on save and load");
    exercise(&instrument, &a);
    let _ = score(&instrument, &Answers::new());
}

/// Everything the browser does with an assessment, for panics only.
fn exercise(instrument: &Instrument, a: &Assessment) {
    let _ = validate(instrument, &a.answers);
    let _ = progress(instrument, &a.answers);
    let report = score(instrument, &a.answers);
    assert!(
        (0.0..=100.0).contains(&report.overall),
        "overall score {} is not from 0 to 100",
        report.overall
    );
    let model = ReportModel::score(instrument, &a.answers);
    assert_eq!(model.report, report, "the model holds the scored report");
    let _ = report_markdown(&model);
    let _ = report_html(&model);
    let as_of = Date::parse("2026-06-01").expect("a date");
    let s = summary([("fuzzed", instrument, a)], as_of);
    let _ = summary_html(&s);
}
