//! Each kind of rule, both halves: what its check refuses, and what it earns with a line for
//! every point (or, for a condition, when it holds), on one small instrument and one set of
//! answers.

use approx::assert_abs_diff_eq;
use serde_json::json;

use super::{Scoring, check, evaluate};
use crate::SortedMap;
use crate::assessment::answers::{Answer, Answers, ChecklistEntry, Evidence, EvidenceRow, Impact};
use crate::assessment::instrument::{Instrument, QuestionId, Rule};
use crate::read::FromJson;

/// Section `s`: a single and a multiple choice, a checklist, a rating, an evidence table, an
/// actions table, two dates and a text.
fn instrument() -> Instrument {
    let options = json!([{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]);
    let q = |id: &str, kind: serde_json::Value| json!({"id": id, "label": id.to_uppercase(), "kind": kind});
    let text = json!({
        "id": "t", "version": 1, "title": "T", "description": "D", "provenance": "P",
        "sections": [{"id": "s", "title": "S", "questions": [
            q("choice", json!({"type": "single_choice", "options": options})),
            q("multi", json!({"type": "multiple_choice", "options": options})),
            q("list", json!({"type": "dimension_checklist", "items": [
                {"id": "x", "label": "X", "family": "family_one"},
                {"id": "y", "label": "Y", "family": "family_two"},
                {"id": "z", "label": "Z", "family": "family_two"}]})),
            q("rate", json!({"type": "rating", "levels": [
                {"id": "low", "label": "Low"}, {"id": "mid", "label": "Mid"},
                {"id": "high", "label": "High"}]})),
            q("evidence", json!({"type": "evidence_table"})),
            q("actions", json!({"type": "table", "columns": [
                {"id": "what", "label": "What", "kind": {"type": "text"}},
                {"id": "owner", "label": "Owner", "kind": {"type": "text"}},
                {"id": "due", "label": "Due", "kind": {"type": "date"}},
                {"id": "item", "label": "Item", "kind": {"type": "item_of", "question": "list"}}]})),
            q("review", json!({"type": "date"})),
            q("from", json!({"type": "date"})),
            q("note", json!({"type": "text"}))
        ]}],
        "rubric": {"label": "R", "bands": [{"id": "b", "label": "B", "min": 0, "meaning": "M"}],
            "criteria": []}
    });
    Instrument::from_json(&text.to_string()).unwrap()
}

/// Eight of the nine questions answered (not `note`); the review date in its window.
fn answers() -> Answers {
    let mut a = Answers::new();
    let mut put = |id: &str, answer: Answer| a.insert(QuestionId::new(id), answer);
    put("choice", Answer::Text("a".into()));
    put("multi", Answer::Choices(vec!["a".into(), "b".into()]));
    let entry = |considered, impact| ChecklistEntry {
        considered,
        impact,
        note: None,
    };
    put(
        "list",
        Answer::Checklist(SortedMap::from_iter([
            ("x".to_owned(), entry(true, Some(Impact::Negative))),
            ("y".to_owned(), entry(false, None)),
        ])),
    );
    put("rate", Answer::Text("mid".into()));
    let row = |subgroup: &str, order, estimate| EvidenceRow {
        dimension: "IMD quintile".into(),
        subgroup: subgroup.into(),
        order,
        estimate: Some(estimate),
        population: None,
        se: None,
        lower: None,
        upper: None,
        reference: false,
    };
    put(
        "evidence",
        Answer::Evidence(Evidence {
            indicator: None,
            favourable: true,
            scale: 100.0,
            rows: vec![row("Q1", 1, 40.0), row("Q5", 5, 60.0)],
        }),
    );
    let cells = [
        ("what", "Clinic"),
        ("owner", "Ana"),
        ("due", "2026-13-01"),
        ("item", "y"),
    ];
    put(
        "actions",
        Answer::Table(vec![
            cells
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ]),
    );
    put("review", Answer::Text("2026-09-01".into()));
    put("from", Answer::Text("2026-01-05".into()));
    a
}

fn rule(v: serde_json::Value) -> Rule {
    Rule::from_json(&v, "").unwrap()
}

/// The rule's check on [`instrument`].
fn checked(v: serde_json::Value) -> Result<(), String> {
    check(&instrument(), &rule(v))
}

/// The rule evaluated on [`answers`] with a weight of 6: its share and its lines as
/// (earned, lost, text).
fn evaluated(v: serde_json::Value) -> (f64, Vec<(f64, f64, String)>) {
    let (i, a) = (instrument(), answers());
    let s = Scoring {
        instrument: &i,
        answers: &a,
        section: "s",
        weight: 6.0,
    };
    let (share, lines) = evaluate(&s, &rule(v));
    let lines = lines
        .into_iter()
        .map(|l| (l.earned, l.lost, l.text))
        .collect();
    (share, lines)
}

/// Compares a share and lines with what was expected, points to 1e-12.
fn expect(got: (f64, Vec<(f64, f64, String)>), share: f64, lines: &[(f64, f64, &str)]) {
    assert_abs_diff_eq!(got.0, share, epsilon = 1e-12);
    let texts: Vec<&str> = got.1.iter().map(|l| l.2.as_str()).collect();
    let expected: Vec<&str> = lines.iter().map(|l| l.2).collect();
    assert_eq!(texts, expected);
    for ((earned, lost, _), want) in got.1.iter().zip(lines) {
        assert_abs_diff_eq!(*earned, want.0, epsilon = 1e-12);
        assert_abs_diff_eq!(*lost, want.1, epsilon = 1e-12);
    }
}

#[test]
fn completeness() {
    assert_eq!(checked(json!({"type": "completeness"})), Ok(()));
    let got = evaluated(json!({"type": "completeness"}));
    let each = 6.0 / 9.0;
    expect(
        got,
        8.0 / 9.0,
        &[
            (8.0 * each, 0.0, "8 of 9 questions shown are answered"),
            (0.0, each, "not answered: NOTE"),
        ],
    );
}

#[test]
fn breadth() {
    assert_eq!(
        checked(json!({"type": "breadth", "question": "rate"})),
        Err("question rate is rating, expected dimension_checklist".into())
    );
    let got = evaluated(json!({"type": "breadth", "question": "list"}));
    expect(
        got,
        1.0 / 3.0,
        &[
            (2.0, 0.0, "1 of 3 dimensions considered"),
            (0.0, 4.0, "not considered (family two): Y, Z"),
        ],
    );
}

#[test]
fn strength() {
    assert_eq!(
        checked(json!({"type": "strength", "question": "nope"})),
        Err("unknown question nope".into())
    );
    let got = evaluated(json!({"type": "strength", "question": "rate"}));
    expect(got, 0.5, &[(3.0, 3.0, "evidence rated Mid (level 2 of 3)")]);
}

#[test]
fn credit() {
    assert_eq!(
        checked(json!({"type": "credit", "question": "choice", "credit": {"c": 1.0}})),
        Err("question choice has no option \"c\"".into())
    );
    assert_eq!(
        checked(json!({"type": "credit", "question": "multi", "credit": {"a": 1.5}})),
        Err("share 1.5 must lie in 0..=1".into())
    );
    let got = evaluated(json!({"type": "credit", "question": "multi",
        "credit": {"a": 0.5, "b": 0.25}}));
    expect(
        got,
        0.75,
        &[
            (3.0, 0.0, "chosen: A"),
            (1.5, 0.0, "chosen: B"),
            (0.0, 1.5, "short of full credit"),
        ],
    );
}

#[test]
fn quantified() {
    assert_eq!(
        checked(json!({"type": "quantified", "question": "evidence", "partial": -0.5})),
        Err("share -0.5 must lie in 0..=1".into())
    );
    let got = evaluated(json!({"type": "quantified", "question": "evidence", "partial": 0.25}));
    expect(
        got,
        1.0,
        &[(6.0, 0.0, "gap quantified by IMD quintile (2 subgroups)")],
    );
}

#[test]
fn actions() {
    let rule = |fields: serde_json::Value| {
        json!({"type": "actions", "table": "actions", "fields": fields, "link": "item",
            "checklist": "list"})
    };
    assert_eq!(
        checked(rule(json!(["owner", "when"]))),
        Err("table actions has no column \"when\"".into())
    );
    // Two fields of one action and one negative impact: three checks of 2 points each. The due
    // date is not a date, and the action names y, not the negative impact x.
    let got = evaluated(rule(json!(["owner", "due"])));
    expect(
        got,
        1.0 / 3.0,
        &[
            (2.0, 0.0, "1 action(s): 1 of 2 of Owner, Due filled in"),
            (0.0, 2.0, "action 1 (\"Clinic\") has no Due"),
            (0.0, 0.0, "0 of 1 negative impacts have an action"),
            (0.0, 2.0, "negative impact on X has no action"),
        ],
    );
}

#[test]
fn review_date() {
    let rule = |from: &str, min: u32, max: u32| {
        json!({"type": "review_date", "question": "review", "from": from, "min_months": min,
            "max_months": max, "outside": 0.5})
    };
    assert_eq!(
        checked(rule("from", 12, 6)),
        Err("min_months 12 is after max_months 6".into())
    );
    assert_eq!(
        checked(rule("note", 6, 12)),
        Err("question note is text, expected date".into())
    );
    let got = evaluated(rule("from", 6, 12));
    expect(
        got,
        1.0,
        &[(
            6.0,
            0.0,
            "review on 2026-09-01, 6–12 months after 2026-01-05",
        )],
    );
    let got = evaluated(rule("from", 9, 12));
    expect(
        got,
        0.5,
        &[(
            3.0,
            3.0,
            "review on 2026-09-01 is not 9–12 months after 2026-01-05",
        )],
    );
}

#[test]
fn maturity() {
    assert_eq!(checked(json!({"type": "maturity"})), Ok(()));
    let got = evaluated(json!({"type": "maturity"}));
    expect(
        got,
        0.5,
        &[(
            3.0,
            3.0,
            "mean maturity of 1 statements: 50% of the top level",
        )],
    );
}

#[test]
fn conditions() {
    use crate::assessment::instrument::Condition;
    use crate::assessment::rules::condition;
    let (i, a) = (instrument(), answers());
    let c = |v: serde_json::Value| Condition::from_json(&v, "").unwrap();
    let holds = |v| condition::holds(&i, &a, &c(v));
    let checked = |v| condition::check(&i, &c(v));
    // Each kind: what its check refuses, then when it holds.
    assert_eq!(
        checked(json!({"answered": "nope"})),
        Err("unknown question nope".into())
    );
    assert!(holds(json!({"answered": "choice"})) && !holds(json!({"answered": "note"})));
    assert_eq!(
        checked(json!({"equals": {"question": "multi", "option": "a"}})),
        Err("question multi is multiple_choice, expected single_choice or rating".into())
    );
    assert!(holds(
        json!({"equals": {"question": "choice", "option": "a"}})
    ));
    assert!(!holds(
        json!({"equals": {"question": "choice", "option": "b"}})
    ));
    assert_eq!(
        checked(json!({"includes": {"question": "multi", "option": "c"}})),
        Err("question multi has no option \"c\"".into())
    );
    assert!(holds(
        json!({"includes": {"question": "multi", "option": "b"}})
    ));
    assert_eq!(
        checked(json!({"item_considered": {"question": "list", "item": "w"}})),
        Err("question list has no option \"w\"".into())
    );
    assert!(holds(
        json!({"item_considered": {"question": "list", "item": "x"}})
    ));
    assert!(!holds(
        json!({"item_considered": {"question": "list", "item": "y"}})
    ));
    assert_eq!(
        checked(json!({"family_considered": {"question": "list", "family": "family_three"}})),
        Err("question list has no family \"family_three\"".into())
    );
    assert!(holds(
        json!({"family_considered": {"question": "list", "family": "family_one"}})
    ));
    assert!(!holds(
        json!({"family_considered": {"question": "list", "family": "family_two"}})
    ));
    let negative = |column: &str| {
        json!({"negative_impact_without_action": {"checklist": "list", "table": "actions",
            "column": column}})
    };
    assert_eq!(
        checked(negative("nope")),
        Err("table actions has no column \"nope\"".into())
    );
    // x is a negative impact; the only action names y.
    assert!(holds(negative("item")));
    assert_eq!(
        checked(json!({"not_quantified": "note"})),
        Err("question note is text, expected evidence_table".into())
    );
    assert!(!holds(json!({"not_quantified": "evidence"})));
    assert!(holds(json!({"not_quantified": "note"})));
    // The combinations check and evaluate each part.
    assert_eq!(
        checked(json!({"any_of": [{"answered": "choice"}, {"not": {"answered": "nope"}}]})),
        Err("unknown question nope".into())
    );
    assert!(holds(
        json!({"all_of": [{"answered": "choice"}, {"not": {"answered": "note"}}]})
    ));
    assert!(!holds(
        json!({"any_of": [{"answered": "note"}, {"not": {"answered": "choice"}}]})
    ));
}
