//! The assessment engine: instruments and their schemas, the example reports (snapshots), every
//! user-facing error message (snapshots), migration of frozen fixtures, and the invariants
//! (property tests): scores in 0–100, adding an answer never lowers completeness, save → load is
//! the identity, an old file migrates and saves as the current version.
//!
//! Regenerate the schemas with `UPDATE_SCHEMAS=1 cargo test -p equitas-tests assessment` and the
//! snapshots with `cargo insta review`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use approx::{abs_diff_eq, assert_abs_diff_eq};
use equitas_core::assessment::answers::{Answer, ChecklistEntry, Evidence, EvidenceRow, Impact};
use equitas_core::assessment::instrument::{CatalogueList, ColumnKind, Kind, Rule};
use equitas_core::assessment::{
    Assessment, Date, Instrument, LoadError, MigrationNote, QuestionId, Registry, ReportModel,
    SCHEMA_VERSION, SavedFile, evidence_strata, load, progress, render, score, summary, validate,
};
use equitas_core::measures::sii_line::FINGERTIPS_SII;
use equitas_core::read::ReadErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

fn path(rel: &str) -> PathBuf {
    crate::root().join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn registry() -> Registry {
    Registry::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn instrument(id: &str) -> Instrument {
    registry().latest(id).unwrap().clone()
}

const EXAMPLES: &[&str] = &[
    "heat-thorough",
    "heat-thin",
    "heat-gaps",
    "maturity-thorough",
    "maturity-thin",
    "maturity-gaps",
];

fn example(name: &str) -> Assessment {
    let text = read(&format!("tests/fixtures/assessments/examples/{name}.json"));
    let loaded = load(&text, &registry()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(loaded.notes.is_empty(), "{name}: {:?}", loaded.notes);
    loaded.assessment
}

// ---------------------------------------------------------------------------------------------
// Schemas: generated from the types, committed, drift-checked; the seeds and fixtures match.

fn check_schema<T: schemars::JsonSchema>(rel: &str) -> Value {
    let p = path(rel);
    let mut generated = serde_json::to_string_pretty(&schemars::schema_for!(T)).unwrap();
    generated.push('\n');
    if std::env::var("UPDATE_SCHEMAS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &generated).unwrap();
    } else {
        let committed = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is missing or out of date; regenerate with \
             `UPDATE_SCHEMAS=1 cargo test -p equitas-tests assessment` and commit it",
            p.display()
        );
    }
    serde_json::from_str(&generated).unwrap()
}

fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let v = jsonschema::validator_for(schema).unwrap();
    v.iter_errors(instance)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect()
}

#[test]
fn assessment_instrument_seeds_match_schema_and_round_trip() {
    let schema = check_schema::<Instrument>("seeds/schema/instrument.schema.json");
    for (file, text) in equitas_core::assessment::envelope::INSTRUMENT_FILES {
        assert_eq!(
            *text,
            read(&format!("seeds/instruments/{file}")),
            "embedded {file} differs from the file"
        );
        let v: Value = serde_json::from_str(text).unwrap();
        let errors = schema_errors(&schema, &v);
        assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
        let typed = Instrument::from_json(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            serde_json::to_value(&typed).unwrap(),
            v,
            "{file} does not survive a typed round trip"
        );
        assert_eq!(
            file.to_string(),
            format!("{}-v{}.json", typed.id, typed.version)
        );
    }
}

#[test]
fn assessment_registry_keeps_each_instruments_json() {
    let mut reg = registry();
    for (file, text) in equitas_core::assessment::envelope::INSTRUMENT_FILES {
        let v: Value = serde_json::from_str(text).unwrap();
        let (id, version) = (v["id"].as_str().unwrap(), v["version"].as_u64().unwrap());
        let kept = reg.json(id, u32::try_from(version).unwrap());
        assert_eq!(
            kept,
            Some(&v),
            "{file}: the registry's JSON is not the file"
        );
    }
    assert_eq!(reg.json("heat", 99), None);

    // Added from text: kept as written, nulls and all, and it reads back as the same instrument.
    let mut v: Value = serde_json::from_str(&read("seeds/instruments/heat-v1.json")).unwrap();
    v["id"] = json!("heat-nulls");
    v["sections"][0]["help"] = Value::Null;
    v["sections"][0]["questions"][0]["next_step"] = Value::Null;
    reg.add_json(&v.to_string()).unwrap();
    let kept = reg.json("heat-nulls", 1).unwrap();
    assert_eq!(kept, &v);
    let again = Instrument::from_json(&kept.to_string()).unwrap();
    assert_eq!(Some(&again), reg.get("heat-nulls", 1));
    assert_eq!(again.sections[0].help, None);

    // Added as a value: its own serialisation, which reads back the same.
    let v2 = heat_v2();
    reg.add(v2.clone()).unwrap();
    let kept = reg.json("heat", 2).unwrap();
    assert_eq!(kept, &serde_json::to_value(&v2).unwrap());
    assert_eq!(Instrument::from_json(&kept.to_string()).unwrap(), v2);
}

#[test]
fn assessment_saved_files_match_schema() {
    let schema = check_schema::<SavedFile>("seeds/schema/assessment.schema.json");
    let mut files: Vec<String> = EXAMPLES
        .iter()
        .map(|n| format!("tests/fixtures/assessments/examples/{n}.json"))
        .collect();
    for f in std::fs::read_dir(path("tests/fixtures/assessments/frozen")).unwrap() {
        let name = f.unwrap().file_name().to_string_lossy().into_owned();
        files.push(format!("tests/fixtures/assessments/frozen/{name}"));
    }
    for f in &files {
        let v: Value = serde_json::from_str(&read(f)).unwrap();
        let errors = schema_errors(&schema, &v);
        assert!(errors.is_empty(), "{f}:\n{}", errors.join("\n"));
    }
    // A draft from `new` matches too.
    let draft = Assessment::new(&instrument("heat"), "2026-01-01T00:00:00Z");
    let v: Value = serde_json::from_str(&draft.to_json()).unwrap();
    assert!(schema_errors(&schema, &v).is_empty());
    // And the schema can fail.
    let mut bad = v;
    bad["instrument"]["version"] = json!("one");
    assert!(!schema_errors(&schema, &bad).is_empty());
}

#[test]
fn assessment_catalogue_ids_exist_and_heat_covers_the_frameworks() {
    let cat = equitas_core::catalogue::Catalogue::builtin();
    let heat = instrument("heat");
    let mut seen = BTreeMap::<CatalogueList, BTreeSet<String>>::new();
    for reg in [registry()] {
        for i in reg.iter() {
            for (_, q) in i.questions() {
                for c in q.kind.choices() {
                    if let Some(list) = c.catalogue {
                        assert!(list.contains(&c.id), "{}: {} {:?}", i.id, q.id, c.id);
                        seen.entry(list).or_default().insert(c.id.clone());
                    }
                }
            }
        }
    }
    // Every protected characteristic, inclusion health group and clinical area is offered.
    let all = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<BTreeSet<_>>();
    assert_eq!(
        seen[&CatalogueList::ProtectedCharacteristics],
        all(cat
            .protected_characteristics
            .items
            .iter()
            .map(|x| x.id.as_str())
            .collect())
    );
    assert_eq!(
        seen[&CatalogueList::InclusionHealthGroups],
        all(cat
            .groups
            .inclusion_health_groups
            .iter()
            .map(|x| x.id.as_str())
            .collect())
    );
    assert_eq!(
        seen[&CatalogueList::ClinicalAreas],
        all(cat
            .clinical_areas
            .areas
            .iter()
            .map(|x| x.id.as_str())
            .collect())
    );
    // The four families of HEAT, the four stages, the three PSED aims, the four breakdowns.
    let dims = heat.question("assess.dimensions").unwrap();
    let families: BTreeSet<&str> = dims
        .kind
        .choices()
        .iter()
        .filter_map(|c| c.family.as_deref())
        .collect();
    assert_eq!(
        families,
        BTreeSet::from([
            "protected_characteristics",
            "socioeconomic",
            "geography",
            "inclusion_health"
        ])
    );
    for g in ["urban", "rural", "coastal", "area_deprivation"] {
        assert!(dims.kind.choices().iter().any(|c| c.id == g), "{g}");
    }
    let stages: Vec<&str> = heat.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(stages, ["Prepare", "Assess", "Refine and apply", "Review"]);
    let psed: Vec<&str> = heat
        .question("assess.psed")
        .unwrap()
        .kind
        .choices()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        psed,
        [
            "psed_eliminate_discrimination",
            "psed_advance_equality",
            "psed_foster_good_relations"
        ]
    );
    let weights: f64 = heat.rubric.criteria.iter().map(|c| c.weight).sum();
    assert!(
        abs_diff_eq!(weights, 100.0, epsilon = 1e-9),
        "heat weights sum to {weights}"
    );
    let breakdowns = heat
        .rubric
        .criteria
        .iter()
        .find(|c| c.id == "breakdowns")
        .unwrap();
    match &breakdowns.rule {
        Rule::Credit { credit, .. } => {
            let keys: BTreeSet<&str> = credit.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["age", "deprivation", "ethnicity", "sex"])
            );
        }
        other => panic!("breakdowns rule is {other:?}"),
    }
    // The maturity instrument: four themes, three levels, a next step for every statement.
    let m = instrument("hi-maturity");
    let themes: Vec<&str> = m.sections.iter().skip(1).map(|s| s.id.as_str()).collect();
    assert_eq!(themes, ["capacity", "data", "leadership", "partnerships"]);
    for (s, q) in m.questions().filter(|(s, _)| s.id != "about") {
        match &q.kind {
            Kind::Rating { levels } => {
                let ids: Vec<&str> = levels.iter().map(|l| l.id.as_str()).collect();
                assert_eq!(ids, ["emerging", "developing", "maturing"], "{}", q.id);
            }
            other => panic!("{}/{}: {other:?}", s.id, q.id),
        }
        assert!(q.next_step.is_some(), "{} has no next step", q.id);
    }
}

// ---------------------------------------------------------------------------------------------
// Reports of the examples.

#[test]
fn assessment_example_reports() {
    let reg = registry();
    for name in EXAMPLES {
        let a = example(name);
        let i = reg.for_assessment(&a).unwrap();
        let r = ReportModel::score(i, &a.answers);
        insta::assert_snapshot!(
            format!("assessment_report_{name}"),
            render::report_markdown(&r)
        );
    }
    let a = example("heat-thorough");
    let r = score(reg.for_assessment(&a).unwrap(), &a.answers);
    crate::with_rounded_floats(|| {
        insta::assert_json_snapshot!("assessment_report_heat_thorough_json", r);
    });
    let a = example("heat-gaps");
    let r = ReportModel::score(reg.for_assessment(&a).unwrap(), &a.answers);
    insta::assert_snapshot!("assessment_report_heat_gaps_html", render::report_html(&r));
}

#[test]
fn assessment_examples_rank_as_their_names_say() {
    let reg = registry();
    let overall = |n: &str| {
        let a = example(n);
        score(reg.for_assessment(&a).unwrap(), &a.answers).overall
    };
    for family in ["heat", "maturity"] {
        let t = overall(&format!("{family}-thorough"));
        let g = overall(&format!("{family}-gaps"));
        let th = overall(&format!("{family}-thin"));
        assert!(
            t > g && g > th,
            "{family}: thorough {t}, gaps {g}, thin {th}"
        );
    }
    let heat = instrument("heat");
    let a = example("heat-gaps");
    let r = score(&heat, &a.answers);
    let ids: Vec<&str> = r.gaps.iter().map(|g| g.id.as_str()).collect();
    for want in [
        "no_inclusion_health",
        "negative_without_action",
        "no_ethnicity_breakdown",
        "not_quantified",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    // Every criterion's lines add up to its points.
    for c in &r.criteria {
        let earned: f64 = c.lines.iter().map(|l| l.earned).sum();
        let lost: f64 = c.lines.iter().map(|l| l.lost).sum();
        assert!(
            abs_diff_eq!(earned, c.earned, epsilon = 1e-9),
            "{}: lines earn {earned}, criterion {}",
            c.id,
            c.earned
        );
        assert!(
            abs_diff_eq!(earned + lost, c.available, epsilon = 1e-9),
            "{}: {earned} + {lost} != {}",
            c.id,
            c.available
        );
    }
}

/// The model's report is the scored report, for every example: the CLI's JSON and the page's
/// report are one.
#[test]
fn assessment_report_model_holds_the_scored_report() {
    let reg = registry();
    for name in EXAMPLES {
        let a = example(name);
        let i = reg.for_assessment(&a).unwrap();
        let model = ReportModel::score(i, &a.answers);
        assert_eq!(model.report, score(i, &a.answers), "{name}");
        assert_eq!(model.charts.len(), model.report.quantified.len(), "{name}");
    }
}

/// The model the results page draws, for the thorough example: the measures' names, the chart
/// of the evidence (floats rounded, as every JSON snapshot here).
#[test]
fn assessment_report_model_of_the_thorough_example() {
    let a = example("heat-thorough");
    let m = ReportModel::score(registry().for_assessment(&a).unwrap(), &a.answers);
    crate::with_rounded_floats(|| {
        insta::assert_json_snapshot!("assessment_report_model_heat_thorough_json", m);
    });
}

#[test]
fn assessment_report_model_charts_the_evidence_with_the_engines_measures() {
    use equitas_core::measures::MeasureId;
    use equitas_core::measures::chart::{RIDIT_AXIS, Whisker};
    let heat = instrument("heat");
    let a = example("heat-thorough");
    let m = ReportModel::score(&heat, &a.answers);
    let i = m
        .report
        .quantified
        .iter()
        .position(|q| q.ordered)
        .expect("an ordered dimension");
    let q = &m.report.quantified[i];
    // Every measure the report quantifies with is named, with what it tells you.
    for line in &q.measures {
        let info = m.measure(line.measure).expect("named");
        assert_eq!(info.abbr, line.measure.as_str().to_uppercase());
        assert!(!info.name.is_empty() && !info.about.is_empty());
    }
    assert_eq!(
        m.measure(MeasureId::Sii).unwrap().name,
        "Slope index of inequality"
    );
    let value = |id: MeasureId| {
        q.measures
            .iter()
            .find(|l| l.measure == id)
            .unwrap()
            .value
            .unwrap()
    };
    let (sii, rii, d) = (
        value(MeasureId::Sii),
        value(MeasureId::Rii),
        value(MeasureId::D),
    );
    let c = &m.charts[i];
    // Every row of the dimension, by order, each with its ridit: the middle of its share.
    let orders: Vec<u32> = c.points.iter().map(|p| p.order).collect();
    assert_eq!(orders, [1, 2, 3, 4, 5]);
    let total: f64 = c.points.iter().map(|p| p.population.unwrap()).sum();
    let mut below = 0.0;
    for p in &c.points {
        let share = p.population.unwrap() / total;
        assert_abs_diff_eq!(p.ridit.unwrap(), below + share / 2.0, epsilon = 1e-12);
        below += share;
        // Whiskers: the interval given, else from the standard error.
        let e = p.estimate.unwrap();
        let (lower, upper, from) = match p.se {
            Some(se) => (
                e - 1.959_963_984_540_054 * se,
                e + 1.959_963_984_540_054 * se,
                Whisker::Se,
            ),
            None => (54.8, 61.8, Whisker::Given),
        };
        assert_eq!(p.whisker, Some(from), "{}", p.label);
        assert_abs_diff_eq!(p.lower.unwrap(), lower, epsilon = 1e-12);
        assert_abs_diff_eq!(p.upper.unwrap(), upper, epsilon = 1e-12);
    }
    assert_eq!(c.points[4].whisker, Some(Whisker::Given));
    assert_eq!(c.ridit_axis, Some(RIDIT_AXIS));
    assert_eq!(c.edges.len(), 4);
    // Issue 16: the SII by both methods, the Fingertips method first and named, then HEAT's
    // logistic SII (the one in the measures), each saying what its interval includes.
    let [fingertips, heat_line] = &q.sii[..] else {
        panic!("two SII lines: {:?}", q.sii)
    };
    assert_eq!(fingertips.method, FINGERTIPS_SII);
    assert!(
        fingertips
            .interval
            .contains("each subgroup's own confidence interval")
    );
    assert_eq!(heat_line.method, "WHO HEAT: logistic regression");
    assert!(
        heat_line
            .interval
            .contains("not from the subgroups' own intervals")
    );
    assert_eq!(
        (
            heat_line.value,
            heat_line.lower,
            heat_line.upper,
            heat_line.rii
        ),
        (Some(sii.value), sii.lower, sii.upper, Some(rii.value))
    );
    let f = fingertips.value.unwrap();
    let (fl, fu) = (fingertips.lower.unwrap(), fingertips.upper.unwrap());
    assert!(fl < f && f < fu, "{fl} {f} {fu}");
    // The chart draws the Fingertips line: its slope is that SII, its ends' ratio that RII.
    let label = c.sii.unwrap();
    let (at0, at1) = label.line().unwrap();
    assert_abs_diff_eq!(at1 - at0, f, epsilon = 1e-9);
    assert_abs_diff_eq!(at1 / at0, fingertips.rii.unwrap(), epsilon = 1e-9);
    assert_eq!(
        (label.value, label.lower, label.upper),
        (f, Some(fl), Some(fu))
    );
    assert_eq!(label.level, 95.0);
    let bracket = c.difference.unwrap();
    assert_eq!((bracket.value, bracket.from, bracket.to), (d.value, 0, 4));
    // The notes: where whiskers come from, the bracket, and the line with its numbers.
    let text: Vec<String> = c
        .notes
        .iter()
        .map(|n| c.words(n, |v, dp| format!("{v:.*}", usize::from(dp))))
        .collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(text[0].contains("± 1.96 × the standard error"), "{text:?}");
    assert!(
        text[1].ends_with("between Quintile 1 (most deprived) and Quintile 5 (least deprived)."),
        "{text:?}"
    );
    assert!(
        text[2].contains(&format!("{at0:.2} and {at1:.2}")),
        "{text:?}"
    );
    assert!(
        text[2].contains(&format!("the SII by {FINGERTIPS_SII}.")),
        "{text:?}"
    );
}

#[test]
fn assessment_html_is_self_contained_and_escaped() {
    let heat = instrument("heat");
    let mut a = example("heat-thorough");
    a.answers.insert(
        QuestionId::new("prepare.title"),
        Answer::Text("<script>alert('x')</script> & \"co\"".into()),
    );
    let html = render::report_html(&ReportModel::score(&heat, &a.answers));
    assert!(!html.contains("<script"), "user text not escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<link"));
    assert!(html.contains("@media print"));
    assert!(html.contains("not an official OHID score"));
}

#[test]
fn assessment_progress_and_visibility() {
    let heat = instrument("heat");
    let empty = Assessment::new(&heat, "t");
    let p = progress(&heat, &empty.answers);
    assert!(
        p.iter()
            .all(|s| s.status == equitas_core::assessment::Status::NotStarted)
    );
    let mut a = empty.answers.clone();
    // Hidden required questions are not required; showing one makes it required.
    let plan = "prepare.coproduction_plan";
    let has = |a: &equitas_core::assessment::Answers| {
        validate(&heat, a)
            .iter()
            .any(|e| e.question.as_str() == plan)
    };
    assert!(!has(&a));
    let shown = |a: &equitas_core::assessment::Answers| {
        equitas_core::assessment::visible_questions(&heat, a)
            .iter()
            .any(|q| q.as_str() == plan)
    };
    assert!(!shown(&a));
    a.insert(
        QuestionId::new("prepare.coproduction"),
        Answer::Text("not_involved".into()),
    );
    assert!(has(&a));
    assert!(shown(&a));
    a.insert(
        QuestionId::new("prepare.coproduction"),
        Answer::Text("consulted".into()),
    );
    assert!(!has(&a));
    let p = progress(&heat, &a);
    assert_eq!(p[0].status, equitas_core::assessment::Status::InProgress);
    let thorough = example("heat-thorough");
    let p = progress(&heat, &thorough.answers);
    assert!(
        p.iter()
            .all(|s| s.status == equitas_core::assessment::Status::Completed),
        "{p:?}"
    );
}

#[test]
fn assessment_evidence_becomes_strata_for_the_measures_engine() {
    let a = example("heat-thorough");
    let Some(Answer::Evidence(e)) = a.answers.get("assess.evidence") else {
        panic!()
    };
    let strata = evidence_strata(e);
    assert_eq!(strata.len(), 1);
    let (dim, s) = &strata[0];
    assert_eq!(dim, "IMD quintile");
    assert!(s.ordered && s.favourable);
    assert_eq!(s.scale, 100.0);
    let orders: Vec<u32> = s.subgroups.iter().map(|g| g.order).collect();
    assert_eq!(orders, [1, 2, 3, 4, 5]);
    assert_eq!(s.subgroups[0].se, Some(1.1));
    // The last row gives only an interval: the SE is derived from it (95%, normal).
    let se = s.subgroups[4].se.unwrap();
    assert_abs_diff_eq!(se, 7.0 / (2.0 * 1.959_963_984_540_054), epsilon = 1e-12);
    // A non-ordered dimension mixed in stays separate and unordered.
    let mut e2 = e.clone();
    e2.rows.push(EvidenceRow {
        dimension: "Sex".into(),
        subgroup: "Female".into(),
        order: 0,
        estimate: Some(50.0),
        population: None,
        se: None,
        lower: None,
        upper: None,
        reference: true,
    });
    let strata = evidence_strata(&e2);
    assert_eq!(strata.len(), 2);
    assert!(!strata[1].1.ordered);
    // score() runs the equitas measures engine: D is the least minus the most deprived
    // quintile's uptake, and SII (favourable indicator, rising with advantage) is positive.
    let heat = instrument("heat");
    let r = score(&heat, &a.answers);
    let q = &r.quantified[0];
    assert_eq!(q.dimension, "IMD quintile");
    let m = |id: equitas_core::measures::MeasureId| {
        q.measures
            .iter()
            .find(|m| m.measure == id)
            .unwrap()
            .value
            .unwrap()
    };
    let d = m(equitas_core::measures::MeasureId::D);
    assert!(abs_diff_eq!(d.value, 58.3 - 41.2, epsilon = 1e-9), "{d:?}");
    let sii = m(equitas_core::measures::MeasureId::Sii);
    assert!(
        sii.value > 0.0 && sii.lower.unwrap() < sii.value && sii.value < sii.upper.unwrap(),
        "{sii:?}"
    );
    // RII is there too, so a chart can join the fitted ends v0 = SII/(RII - 1) and v1 = RII v0;
    // for these uptakes (41.2% to 58.3%) both ends lie within 30-70%.
    let rii = m(equitas_core::measures::MeasureId::Rii);
    assert!(rii.value > 1.0, "{rii:?}");
    let v0 = sii.value / (rii.value - 1.0);
    let v1 = rii.value * v0;
    assert!(
        (30.0..50.0).contains(&v0) && (50.0..70.0).contains(&v1),
        "{v0} {v1}"
    );
    // With a measures engine, the report carries its values; without, the reason.
    let heat = instrument("heat");
    let engine = |s: &equitas_core::measures::Stratum, m: equitas_core::measures::MeasureId| {
        if m == equitas_core::measures::MeasureId::Sii {
            Ok(equitas_core::assessment::MeasureValue {
                value: s.subgroups.len() as f64,
                se: None,
                lower: Some(1.0),
                upper: Some(9.0),
            })
        } else {
            Err(format!("no reference for {m}"))
        }
    };
    let r = equitas_core::assessment::score_with(&heat, &a.answers, Some(&engine));
    assert_eq!(r.quantified.len(), 1);
    assert_eq!(r.quantified[0].measures[0].value.unwrap().value, 5.0);
    assert_eq!(
        r.quantified[0].measures[1].reason.as_deref(),
        Some("no reference for rii")
    );
    assert_eq!(
        r.quantified[0].measures[2].reason.as_deref(),
        Some("no reference for d")
    );
}

#[test]
fn assessment_summary_of_the_examples() {
    let reg = registry();
    let all: Vec<(String, Assessment)> = EXAMPLES
        .iter()
        .map(|n| (format!("{n}.json"), example(n)))
        .collect();
    let items: Vec<_> = all
        .iter()
        .map(|(n, a)| (n.as_str(), reg.for_assessment(a).unwrap(), a))
        .collect();
    let s = summary(items, Date::parse("2026-04-01").unwrap());
    assert_eq!(s.assessments, 6);
    let overdue: Vec<&str> = s.overdue.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(overdue, ["heat-gaps.json", "maturity-gaps.json"]);
    assert_eq!(s.overdue[0].days_overdue, 274);
    assert_eq!(s.no_review_date, ["heat-thin.json", "maturity-thin.json"]);
    insta::assert_snapshot!("assessment_summary_examples", render::summary_markdown(&s));
}

// ---------------------------------------------------------------------------------------------
// Every user-facing error message.

/// A named change to a JSON document.
type Edit = Box<dyn Fn(&mut Value)>;

fn thorough_value() -> Value {
    serde_json::from_str(&read(
        "tests/fixtures/assessments/examples/heat-thorough.json",
    ))
    .unwrap()
}

#[test]
fn assessment_load_errors() {
    let reg = registry();
    let mut cases: Vec<(&str, String)> = vec![
        ("not json", "{\"format\": \"equitas-assessment\",".into()),
        ("not an object", "[1, 2]".into()),
    ];
    let edits: Vec<(&str, Edit)> = vec![
        (
            "wrong format",
            Box::new(|v| v["format"] = json!("equitas-cohort-counts")),
        ),
        (
            "no format",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("format");
            }),
        ),
        (
            "newer schema",
            Box::new(|v| v["schema_version"] = json!(SCHEMA_VERSION + 1)),
        ),
        ("schema zero", Box::new(|v| v["schema_version"] = json!(0))),
        (
            "schema not a number",
            Box::new(|v| v["schema_version"] = json!("1")),
        ),
        (
            "unknown instrument",
            Box::new(|v| v["instrument"]["id"] = json!("eqia")),
        ),
        (
            "newer instrument",
            Box::new(|v| v["instrument"]["version"] = json!(3)),
        ),
        (
            // Issue 12, finding 12: the message gives the range, not just "a whole number".
            "instrument version past u32",
            Box::new(|v| v["instrument"]["version"] = json!(u64::MAX)),
        ),
        (
            "instrument version not a number",
            Box::new(|v| v["instrument"]["version"] = json!("1")),
        ),
        (
            "unknown top-level field",
            Box::new(|v| v["notes"] = json!("x")),
        ),
        (
            "created missing",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("created");
            }),
        ),
        (
            "answers not an object",
            Box::new(|v| v["answers"] = json!([])),
        ),
        (
            "unknown question",
            Box::new(|v| v["answers"]["prepare.budget"] = json!("£1m")),
        ),
        (
            "text given a number",
            Box::new(|v| v["answers"]["prepare.scope"] = json!(42)),
        ),
        (
            "choices given text",
            Box::new(|v| v["answers"]["assess.psed"] = json!("psed_advance_equality")),
        ),
        (
            "choice list holds a number",
            Box::new(|v| v["answers"]["assess.psed"] = json!(["psed_advance_equality", 3])),
        ),
        (
            "checklist impact unknown",
            Box::new(|v| v["answers"]["assess.dimensions"]["race"]["impact"] = json!("bad")),
        ),
        (
            "checklist considered not a bool",
            Box::new(|v| v["answers"]["assess.dimensions"]["race"]["considered"] = json!("yes")),
        ),
        (
            "checklist unknown field",
            Box::new(|v| v["answers"]["assess.dimensions"]["race"]["score"] = json!(1)),
        ),
        (
            "table row not an object",
            Box::new(|v| v["answers"]["refine.actions"][1] = json!("call them")),
        ),
        (
            "table cell a number",
            Box::new(|v| v["answers"]["refine.actions"][0]["due"] = json!(20260630)),
        ),
        (
            "evidence estimate text",
            Box::new(|v| v["answers"]["assess.evidence"]["rows"][2]["estimate"] = json!("52%")),
        ),
        (
            "evidence order negative",
            Box::new(|v| v["answers"]["assess.evidence"]["rows"][0]["order"] = json!(-1)),
        ),
        (
            "evidence unknown field",
            Box::new(|v| v["answers"]["assess.evidence"]["rows"][0]["ci"] = json!("1-2")),
        ),
        (
            "evidence scale zero",
            Box::new(|v| v["answers"]["assess.evidence"]["scale"] = json!(0)),
        ),
        (
            "key needing escape",
            Box::new(|v| v["answers"]["a/b~c"] = json!(1)),
        ),
    ];
    for (name, edit) in &edits {
        let mut v = thorough_value();
        edit(&mut v);
        cases.push((name, v.to_string()));
    }
    let mut out = String::new();
    for (name, text) in &cases {
        match load(text, &reg) {
            Ok(_) => panic!("{name}: loaded"),
            Err(e) => out.push_str(&format!("{name}: {e}\n")),
        }
    }
    insta::assert_snapshot!("assessment_load_errors", out);
    // Issue 12, finding 12: a file saved with a byte order mark (Notepad's "UTF-8 with BOM")
    // loads as the same file without one.
    let text = read("tests/fixtures/assessments/examples/heat-thorough.json");
    assert_eq!(
        load(&format!("\u{FEFF}{text}"), &reg).unwrap(),
        load(&text, &reg).unwrap()
    );
    // A null answer is no answer, not an error.
    let mut v = thorough_value();
    v["answers"]["prepare.data_gaps"] = Value::Null;
    let a = load(&v.to_string(), &reg).unwrap().assessment;
    assert!(a.answers.get("prepare.data_gaps").is_none());
    // Answers alone, as a form sends them, read the same way.
    let v = thorough_value();
    let heat = instrument("heat");
    let answers = equitas_core::assessment::Answers::from_value(&heat, &v["answers"]).unwrap();
    assert_eq!(answers, example("heat-thorough").answers);
    let err = equitas_core::assessment::Answers::from_value(&heat, &json!({"review.date": 5}));
    assert_eq!(
        err.unwrap_err().to_string(),
        "at /answers/review.date: expected text, found the number 5"
    );
    // The path is structured data too, for the form to point at.
    let mut v = thorough_value();
    v["answers"]["assess.evidence"]["rows"][2]["estimate"] = json!("52%");
    match load(&v.to_string(), &reg) {
        Err(LoadError::Read(e)) => match e.kind() {
            ReadErrorKind::WrongType { path, .. } => {
                assert_eq!(path, "/answers/assess.evidence/rows/2/estimate")
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn assessment_field_errors() {
    let heat = instrument("heat");
    let mut a = example("heat-thorough").answers;
    let set = |a: &mut equitas_core::assessment::Answers, id: &str, v: Answer| {
        a.insert(QuestionId::new(id), v);
    };
    set(
        &mut a,
        "prepare.coproduction",
        Answer::Text("sometimes".into()),
    );
    set(
        &mut a,
        "prepare.assessment_date",
        Answer::Text("12/01/2026".into()),
    );
    set(
        &mut a,
        "assess.psed",
        Answer::Choices(vec!["psed_advance_equality".into(), "be_nice".into()]),
    );
    set(&mut a, "assess.inequalities", Answer::Text("   ".into()));
    set(&mut a, "review.date", Answer::Number(3.0));
    set(&mut a, "prepare.unknown", Answer::Text("x".into()));
    if let Some(Answer::Checklist(m)) = a.0.get_mut("assess.dimensions") {
        m.insert(
            "left_handed".into(),
            ChecklistEntry {
                considered: true,
                impact: None,
                note: None,
            },
        );
        m.insert(
            "rural".into(),
            ChecklistEntry {
                considered: false,
                impact: Some(Impact::Negative),
                note: None,
            },
        );
    }
    if let Some(Answer::Table(rows)) = a.0.get_mut("refine.actions") {
        rows[0].insert("action".into(), String::new());
        rows[1].insert("due".into(), "2026-02-30".into());
        rows[1].insert("status".into(), "maybe".into());
        rows[2].insert("inequality".into(), "left_handed".into());
        rows[2].insert("cost".into(), "£5".into());
    }
    if let Some(Answer::Evidence(e)) = a.0.get_mut("assess.evidence") {
        e.rows[0].subgroup = String::new();
        e.rows[1].order = 1;
        e.rows[2].se = Some(-1.0);
        e.rows[3].lower = Some(60.0);
        e.rows[3].upper = Some(50.0);
        e.rows[4].estimate = Some(70.0);
        e.rows[0].reference = true;
        e.rows[1].reference = true;
        e.rows.push(EvidenceRow {
            dimension: String::new(),
            subgroup: "Unknown".into(),
            order: 0,
            estimate: None,
            population: Some(-5.0),
            se: None,
            lower: None,
            upper: None,
            reference: false,
        });
    }
    let errors = validate(&heat, &a);
    let text: String = errors
        .iter()
        .map(|e| format!("{} [{:?}]: {}\n", e.question, e.problem, e.message))
        .collect();
    insta::assert_snapshot!("assessment_field_errors", text);
    // A number question out of range, in an organisation's own instrument.
    let mut custom: Value = serde_json::from_str(&read("seeds/instruments/heat-v1.json")).unwrap();
    custom["id"] = json!("local-heat");
    custom["sections"][0]["questions"].as_array_mut().unwrap().push(json!({
        "id": "prepare.budget", "label": "Budget", "kind": {"type": "number", "min": 0.0, "max": 100.0, "unit": "£k"}
    }));
    let custom = Instrument::from_json(&custom.to_string()).unwrap();
    let mut b = equitas_core::assessment::Answers::new();
    b.insert(QuestionId::new("prepare.budget"), Answer::Number(250.0));
    let e: Vec<String> = validate(&custom, &b)
        .into_iter()
        .filter(|e| e.question.as_str() == "prepare.budget")
        .map(|e| e.message)
        .collect();
    assert_eq!(
        e,
        ["250£k is above the maximum 100£k"]
            .map(|s| s.replace("250£k", "250 £k").replace("100£k", "100 £k"))
    );
}

#[test]
fn assessment_instrument_errors() {
    let base: Value = serde_json::from_str(&read("seeds/instruments/heat-v1.json")).unwrap();
    let edits: Vec<(&str, Edit)> = vec![
        (
            "duplicate question",
            Box::new(|v| v["sections"][0]["questions"][1]["id"] = json!("prepare.title")),
        ),
        (
            "condition names unknown question",
            Box::new(|v| {
                v["sections"][0]["questions"][7]["visible_if"] =
                    json!({"equals": {"question": "prepare.nope", "option": "x"}})
            }),
        ),
        (
            "condition names unknown option",
            Box::new(|v| {
                v["sections"][0]["questions"][7]["visible_if"] =
                    json!({"equals": {"question": "prepare.coproduction", "option": "never"}})
            }),
        ),
        (
            "condition on wrong kind",
            Box::new(|v| {
                v["sections"][0]["questions"][7]["visible_if"] =
                    json!({"includes": {"question": "prepare.coproduction", "option": "informed"}})
            }),
        ),
        (
            "rubric names unknown question",
            Box::new(|v| v["rubric"]["criteria"][3]["rule"]["question"] = json!("assess.groups")),
        ),
        (
            "rubric credit unknown option",
            Box::new(|v| v["rubric"]["criteria"][1]["rule"]["credit"]["always"] = json!(1.0)),
        ),
        (
            "rubric share above 1",
            Box::new(|v| v["rubric"]["criteria"][5]["rule"]["partial"] = json!(1.5)),
        ),
        (
            "rubric unknown section",
            Box::new(|v| v["rubric"]["criteria"][0]["section"] = json!("plan")),
        ),
        (
            "rubric zero weight",
            Box::new(|v| v["rubric"]["criteria"][0]["weight"] = json!(0.0)),
        ),
        (
            "bands not from 0",
            Box::new(|v| v["rubric"]["bands"][0]["min"] = json!(10.0)),
        ),
        (
            "bands not ascending",
            Box::new(|v| v["rubric"]["bands"][2]["min"] = json!(30.0)),
        ),
        (
            "catalogue id unknown",
            Box::new(|v| {
                v["sections"][1]["questions"][0]["kind"]["items"][0]["id"] = json!("height")
            }),
        ),
        (
            "checklist item without family",
            Box::new(|v| {
                v["sections"][1]["questions"][0]["kind"]["items"][9]
                    .as_object_mut()
                    .unwrap()
                    .remove("family");
            }),
        ),
        (
            "table column item_of unknown",
            Box::new(|v| {
                v["sections"][2]["questions"][0]["kind"]["columns"][4]["kind"]["question"] =
                    json!("assess.missing")
            }),
        ),
        (
            "gap names unknown family",
            Box::new(
                |v| v["gaps"][0]["when"] = json!({"family_considered": {"question": "assess.dimensions", "family": "weather"}}),
            ),
        ),
        (
            "role is not a date",
            Box::new(|v| v["roles"]["review_date"] = json!("prepare.title")),
        ),
        (
            "previous id listed by two questions",
            Box::new(|v| {
                v["sections"][0]["questions"][0]["previous_ids"] = json!(["prepare.name"]);
                v["sections"][0]["questions"][1]["previous_ids"] = json!(["prepare.name"]);
            }),
        ),
        (
            "previous id listed twice",
            Box::new(|v| {
                v["sections"][0]["questions"][0]["previous_ids"] =
                    json!(["prepare.name", "prepare.old", "prepare.name"])
            }),
        ),
        (
            "previous id still in use",
            Box::new(|v| {
                v["sections"][0]["questions"][0]["previous_ids"] = json!(["prepare.scope"])
            }),
        ),
        (
            "unknown kind",
            Box::new(|v| v["sections"][0]["questions"][0]["kind"] = json!({"type": "slider"})),
        ),
    ];
    let mut out = String::new();
    for (name, edit) in &edits {
        let mut v = base.clone();
        edit(&mut v);
        match Instrument::from_json(&v.to_string()) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => out.push_str(&format!("{name}: {e}\n")),
        }
    }
    insta::assert_snapshot!("assessment_instrument_errors", out);
}

// ---------------------------------------------------------------------------------------------
// Migration: frozen fixtures, and a notional next version of the instrument.

/// heat v2 as an organisation might publish it: `prepare.sponsor` renamed, `assess.intersections`
/// removed, `assess.plus_local` changed from text to a number, wording changed.
fn heat_v2() -> Instrument {
    let mut v: Value = serde_json::from_str(&read("seeds/instruments/heat-v1.json")).unwrap();
    v["version"] = json!(2);
    let prepare = v["sections"][0]["questions"].as_array_mut().unwrap();
    let sponsor = prepare
        .iter_mut()
        .find(|q| q["id"] == "prepare.sponsor")
        .unwrap();
    sponsor["id"] = json!("prepare.senior_sponsor");
    sponsor["previous_ids"] = json!(["prepare.sponsor"]);
    sponsor["label"] = json!("Who is the senior sponsor?");
    let assess = v["sections"][1]["questions"].as_array_mut().unwrap();
    assess.retain(|q| q["id"] != "assess.intersections");
    let local = assess
        .iter_mut()
        .find(|q| q["id"] == "assess.plus_local")
        .unwrap();
    local["kind"] = json!({"type": "number"});
    for g in v["gaps"].as_array_mut().unwrap() {
        if g["id"] == "no_sponsor" {
            g["when"] = json!({"not": {"answered": "prepare.senior_sponsor"}});
            g["question"] = json!("prepare.senior_sponsor");
        }
    }
    Instrument::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn assessment_frozen_fixtures_load_and_resave() {
    let reg = registry();
    for f in std::fs::read_dir(path("tests/fixtures/assessments/frozen")).unwrap() {
        let p = f.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let loaded = load(&text, &reg).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        // A frozen file of an older layout says so, and nothing else changes.
        let raw: Value = serde_json::from_str(&text).unwrap();
        let layout = u32::try_from(raw["schema_version"].as_u64().unwrap()).unwrap();
        let expected = if layout == SCHEMA_VERSION {
            vec![]
        } else {
            vec![MigrationNote::Schema {
                from: layout,
                to: SCHEMA_VERSION,
            }]
        };
        assert_eq!(loaded.notes, expected, "{}", p.display());
        let again = load(&loaded.assessment.to_json(), &reg).unwrap();
        assert_eq!(again.assessment, loaded.assessment, "{}", p.display());
        // Nothing in the file was lost: every answer in the file is in the assessment, and
        // every entry set aside is still set aside.
        let entries = |retained: &Value| -> usize {
            retained.as_object().map_or(0, |r| {
                r.values().map(|e| e.as_array().map_or(1, Vec::len)).sum()
            })
        };
        assert_eq!(
            entries(&raw["retained"]),
            loaded
                .assessment
                .retained
                .values()
                .map(Vec::len)
                .sum::<usize>(),
            "{}",
            p.display()
        );
        assert_eq!(
            raw["answers"].as_object().unwrap().len(),
            loaded.assessment.answers.len()
        );
    }
}

#[test]
fn assessment_migrates_to_a_new_instrument_version_without_losing_work() {
    let mut reg = registry();
    reg.add(heat_v2()).unwrap();
    let text = read("tests/fixtures/assessments/frozen/heat-schema1-instrument1.json");
    let loaded = load(&text, &reg).unwrap();
    let a = &loaded.assessment;
    assert_eq!(a.instrument.version, 2);
    let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("assessment_migration_notes", notes.join("\n"));
    assert_eq!(
        a.answers
            .get("prepare.senior_sponsor")
            .and_then(Answer::text),
        Some("Director of Mental Health Commissioning")
    );
    assert!(a.answers.get("prepare.sponsor").is_none());
    assert!(a.retained.contains_key("assess.intersections"));
    assert_eq!(
        a.retained
            .get("assess.intersections")
            .map(|list| list.iter().map(|r| r.from_version).collect::<Vec<_>>()),
        Some(vec![1])
    );
    // Saved, it is the current version, and loads again with nothing left to migrate.
    let saved = a.to_json();
    let v: Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(v["instrument"]["version"], 2);
    assert_eq!(v["schema_version"], SCHEMA_VERSION);
    assert_eq!(
        v["retained"]["assess.intersections"][0]["value"],
        json!("Deprivation and ethnicity overlap in the two wards with the lowest uptake.")
    );
    let again = load(&saved, &reg).unwrap();
    assert!(again.notes.is_empty());
    assert_eq!(&again.assessment, a);
    // The v2 report still scores it, and says no sponsor gap.
    let r = score(&heat_v2(), &a.answers);
    assert!(r.gaps.iter().all(|g| g.id != "no_sponsor"));
}

/// heat v1 with question `from` renamed `to` everywhere (conditions, rubric, gaps), and `to`'s
/// `previous_ids` set; the questions in `remove` are dropped. As text, then read.
fn heat_v2_with(from: &str, to: &str, previous: &[&str], remove: &[&str]) -> Instrument {
    let text = read("seeds/instruments/heat-v1.json")
        .replace(&format!("\"{from}\""), &format!("\"{to}\""));
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["version"] = json!(2);
    for section in v["sections"].as_array_mut().unwrap() {
        let questions = section["questions"].as_array_mut().unwrap();
        questions.retain(|q| !remove.iter().any(|r| q["id"] == *r));
        for q in questions.iter_mut().filter(|q| q["id"] == to) {
            q["previous_ids"] = json!(previous);
        }
    }
    Instrument::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every answer value a saved file holds, in `answers` or set aside in `retained` (as one entry
/// per id, or as a list of entries per id).
fn kept_values(saved: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = saved["answers"]
        .as_object()
        .unwrap()
        .values()
        .cloned()
        .collect();
    if let Some(retained) = saved.get("retained").and_then(Value::as_object) {
        for entry in retained.values() {
            match entry {
                Value::Array(list) => out.extend(list.iter().map(|r| r["value"].clone())),
                one => out.push(one["value"].clone()),
            }
        }
    }
    out
}

/// Issue 12, finding 2: two old questions merged into one. The first of `previous_ids` whose
/// answer fits goes in; the other answer is set aside in `retained`, and the notes say which.
#[test]
fn assessment_merged_questions_keep_both_answers_and_say_which_went_in() {
    let mut reg = registry();
    let merged = heat_v2_with(
        "assess.inequalities",
        "assess.inequalities_merged",
        &["assess.inequalities", "assess.intersections"],
        &["assess.intersections"],
    );
    reg.add(merged).unwrap();
    let text = read("tests/fixtures/assessments/frozen/heat-schema1-instrument1.json");
    let original: Value = serde_json::from_str(&text).unwrap();
    let loaded = load(&text, &reg).unwrap();
    let saved: Value = serde_json::from_str(&loaded.assessment.to_json()).unwrap();
    assert_eq!(
        saved["answers"]["assess.inequalities_merged"], original["answers"]["assess.inequalities"],
        "the first previous id's answer goes in"
    );
    let kept = kept_values(&saved);
    // Text is saved as it was read (other kinds may be written back in a normal form).
    for (id, value) in original["answers"].as_object().unwrap() {
        assert!(
            !value.is_string() || kept.contains(value),
            "the answer to {id} was lost"
        );
    }
    assert_eq!(kept.len(), original["answers"].as_object().unwrap().len());
    let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    assert!(
        !notes
            .iter()
            .any(|n| n.contains("assess.intersections moved to")),
        "a note says an answer moved where it did not: {notes:?}"
    );
    insta::assert_snapshot!("assessment_merge_notes", notes.join("\n"));
}

/// Issue 12, finding 2: the rule that picks the answer that goes in. The question's own id
/// first, then its previous ids in the order the instrument lists them, skipping an answer that
/// does not fit the question's kind.
#[test]
fn assessment_merge_rule_own_id_first_then_listed_order_skipping_misfits() {
    let text = read("tests/fixtures/assessments/frozen/heat-schema1-instrument1.json");
    let original: Value = serde_json::from_str(&text).unwrap();
    // The question keeps its id: its own answer stays, the merged one is set aside.
    let mut reg = registry();
    reg.add(heat_v2_with(
        "prepare.scope",
        "prepare.scope",
        &["prepare.population"],
        &["prepare.population"],
    ))
    .unwrap();
    let loaded = load(&text, &reg).unwrap();
    let saved: Value = serde_json::from_str(&loaded.assessment.to_json()).unwrap();
    assert_eq!(
        saved["answers"]["prepare.scope"],
        original["answers"]["prepare.scope"]
    );
    assert!(kept_values(&saved).contains(&original["answers"]["prepare.population"]));
    let mut notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    // A list does not fit a text question: the next previous id's answer goes in instead.
    let mut reg = registry();
    reg.add(heat_v2_with(
        "prepare.population",
        "prepare.people",
        &["prepare.involvement", "prepare.population"],
        &["prepare.involvement"],
    ))
    .unwrap();
    let loaded = load(&text, &reg).unwrap();
    let saved: Value = serde_json::from_str(&loaded.assessment.to_json()).unwrap();
    assert_eq!(
        saved["answers"]["prepare.people"],
        original["answers"]["prepare.population"]
    );
    assert!(kept_values(&saved).contains(&original["answers"]["prepare.involvement"]));
    assert_eq!(
        kept_values(&saved).len(),
        original["answers"].as_object().unwrap().len()
    );
    notes.push(String::new());
    notes.extend(loaded.notes.iter().map(ToString::to_string));
    insta::assert_snapshot!("assessment_merge_rule_notes", notes.join("\n"));
}

/// Issue 12, finding 2: an answer set aside under an id that `retained` already holds is kept
/// beside the earlier one, never over it.
#[test]
fn assessment_retained_never_overwrites_an_entry() {
    let mut reg = registry();
    reg.add(heat_v2()).unwrap();
    let mut file: Value = serde_json::from_str(&read(
        "tests/fixtures/assessments/frozen/heat-schema1-instrument1.json",
    ))
    .unwrap();
    let earlier = json!("An earlier answer, set aside by hand.");
    file["retained"] = json!({
        "assess.intersections": {"value": earlier, "from_version": 1, "reason": "kept by hand"}
    });
    let loaded = load(&file.to_string(), &reg).unwrap();
    let saved: Value = serde_json::from_str(&loaded.assessment.to_json()).unwrap();
    let kept = kept_values(&saved);
    assert!(kept.contains(&earlier), "the earlier entry was overwritten");
    assert!(kept.contains(&file["answers"]["assess.intersections"]));
    // And it stays so when loaded and saved again.
    let again = load(&saved.to_string(), &reg).unwrap();
    assert!(again.notes.is_empty(), "{:?}", again.notes);
    assert_eq!(again.assessment, loaded.assessment);
}

// ---------------------------------------------------------------------------------------------
// Property tests.

/// A small deterministic generator so that one `u64` gives one answer of a kind.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, ids: &[&'a str]) -> &'a str {
        ids[self.below(ids.len())]
    }
    fn number(&mut self) -> f64 {
        (self.next() % 100_000) as f64 / 7.0
    }
}

fn answer_for(instrument: &Instrument, kind: &Kind, seed: u64) -> Answer {
    let mut g = Lcg(seed);
    let choices: Vec<&str> = kind
        .choices()
        .iter()
        .map(|c| c.id.as_str())
        .chain(["not_an_option"])
        .collect();
    let texts = [
        "",
        "  ",
        "a note",
        "<b>bold</b> & \"quoted\"",
        "2026-07-01",
        "2025-13-01",
        "Größe ✓",
    ];
    match kind {
        Kind::SingleChoice { .. } | Kind::Rating { .. } => Answer::Text(g.pick(&choices).into()),
        Kind::Text { .. } | Kind::Date => Answer::Text(g.pick(&texts).into()),
        Kind::Number { .. } => Answer::Number(g.number()),
        Kind::MultipleChoice { .. } => {
            let n = g.below(choices.len() + 1);
            Answer::Choices((0..n).map(|_| g.pick(&choices).to_owned()).collect())
        }
        Kind::DimensionChecklist { .. } => {
            let impacts = [
                None,
                Some(Impact::Positive),
                Some(Impact::Negative),
                Some(Impact::Neutral),
                Some(Impact::NotKnown),
            ];
            let n = g.below(choices.len() + 1);
            Answer::Checklist(
                (0..n)
                    .map(|_| {
                        let e = ChecklistEntry {
                            considered: g.below(3) > 0,
                            impact: impacts[g.below(impacts.len())],
                            note: (g.below(2) == 0).then(|| g.pick(&texts).to_owned()),
                        };
                        (g.pick(&choices).to_owned(), e)
                    })
                    .collect(),
            )
        }
        Kind::Table { columns } => {
            let rows = g.below(4);
            Answer::Table(
                (0..rows)
                    .map(|_| {
                        let keep: Vec<bool> = columns.iter().map(|_| g.below(4) > 0).collect();
                        columns
                            .iter()
                            .zip(keep)
                            .filter(|(_, k)| *k)
                            .map(|(c, _)| {
                                let v = match &c.kind {
                                    ColumnKind::ItemOf { question } => {
                                        let items: Vec<&str> = instrument
                                            .question(question.as_str())
                                            .map(|q| {
                                                q.kind
                                                    .choices()
                                                    .iter()
                                                    .map(|c| c.id.as_str())
                                                    .collect()
                                            })
                                            .unwrap_or_default();
                                        if items.is_empty() {
                                            String::new()
                                        } else {
                                            g.pick(&items).to_owned()
                                        }
                                    }
                                    _ => g.pick(&texts).to_owned(),
                                };
                                (c.id.clone(), v)
                            })
                            .collect()
                    })
                    .collect(),
            )
        }
        Kind::EvidenceTable => {
            let rows = g.below(7);
            let opt = |g: &mut Lcg| (g.below(3) > 0).then(|| g.number());
            Answer::Evidence(Evidence {
                indicator: (g.below(2) == 0).then(|| "indicator".to_owned()),
                favourable: g.below(2) == 0,
                scale: [1.0, 100.0, 1000.0][g.below(3)],
                rows: (0..rows)
                    .map(|i| EvidenceRow {
                        dimension: ["IMD quintile", "Sex", ""][g.below(3)].into(),
                        subgroup: format!("g{i}"),
                        order: u32::try_from(g.below(6)).unwrap(),
                        estimate: opt(&mut g),
                        population: opt(&mut g),
                        se: opt(&mut g),
                        lower: opt(&mut g),
                        upper: opt(&mut g),
                        reference: g.below(5) == 0,
                    })
                    .collect(),
            })
        }
        other => panic!("no generator for {other:?}"),
    }
}

fn random_answers(
    instrument: &Instrument,
    seeds: &[Option<u64>],
) -> equitas_core::assessment::Answers {
    let mut a = equitas_core::assessment::Answers::new();
    for ((_, q), seed) in instrument.questions().zip(seeds) {
        if let Some(s) = seed {
            a.insert(q.id.clone(), answer_for(instrument, &q.kind, *s));
        }
    }
    a
}

fn completeness(instrument: &Instrument, a: &equitas_core::assessment::Answers) -> Vec<f64> {
    score(instrument, a)
        .criteria
        .iter()
        .filter(|c| {
            instrument
                .rubric
                .criteria
                .iter()
                .any(|r| r.id == c.id && matches!(r.rule, Rule::Completeness))
        })
        .map(|c| c.earned)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn assessment_scores_stay_in_range(
        which in 0usize..2,
        seeds in prop::collection::vec(any::<Option<u64>>(), 60),
    ) {
        let i = instrument(["heat", "hi-maturity"][which]);
        let a = random_answers(&i, &seeds);
        let r = score(&i, &a);
        prop_assert!((0.0..=100.0).contains(&r.overall), "overall {}", r.overall);
        prop_assert!(r.band.is_some());
        for s in &r.sections {
            if let Some(x) = s.score {
                prop_assert!((0.0..=100.0).contains(&x), "{} {x}", s.id);
            }
        }
        for c in &r.criteria {
            prop_assert!(c.earned >= 0.0 && c.earned <= c.available, "{} {} of {}", c.id, c.earned, c.available);
        }
        // Rendering never fails, whatever the answers.
        prop_assert!(!render::report_html(&ReportModel::score(&i, &a)).is_empty());
    }

    #[test]
    fn assessment_adding_an_answer_never_lowers_completeness(
        which in 0usize..2,
        seeds in prop::collection::vec(any::<Option<u64>>(), 60),
        pick in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let i = instrument(["heat", "hi-maturity"][which]);
        let mut a = random_answers(&i, &seeds);
        let unanswered: Vec<_> = i.questions().map(|(_, q)| q).filter(|q| a.get(q.id.as_str()).is_none()).collect();
        prop_assume!(!unanswered.is_empty());
        let q = unanswered[pick.index(unanswered.len())];
        let before = completeness(&i, &a);
        a.insert(q.id.clone(), answer_for(&i, &q.kind, seed));
        let after = completeness(&i, &a);
        for (b, x) in before.iter().zip(&after) {
            prop_assert!(x + 1e-9 >= *b, "adding {} lowered completeness {b} -> {x}", q.id);
        }
    }

    #[test]
    fn assessment_save_then_load_is_identity(
        which in 0usize..2,
        seeds in prop::collection::vec(any::<Option<u64>>(), 60),
    ) {
        let i = instrument(["heat", "hi-maturity"][which]);
        let mut a = Assessment::new(&i, "2026-01-01T00:00:00Z");
        a.answers = random_answers(&i, &seeds);
        let loaded = load(&a.to_json(), &registry()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(loaded.notes.is_empty());
        prop_assert_eq!(loaded.assessment, a);
    }

    #[test]
    fn assessment_old_files_migrate_and_save_as_current(
        seeds in prop::collection::vec(any::<Option<u64>>(), 60),
    ) {
        let v1 = instrument("heat");
        let mut a = Assessment::new(&v1, "2026-01-01T00:00:00Z");
        a.answers = random_answers(&v1, &seeds);
        let mut reg = registry();
        reg.add(heat_v2()).unwrap();
        let loaded = load(&a.to_json(), &reg).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = &loaded.assessment;
        prop_assert_eq!(m.instrument.version, 2);
        // Nothing lost: every answer is kept, moved or retained.
        let set_aside: usize = m.retained.values().map(Vec::len).sum();
        prop_assert_eq!(m.answers.len() + set_aside, a.answers.len());
        let saved: Value = serde_json::from_str(&m.to_json()).unwrap();
        prop_assert_eq!(&saved["instrument"], &json!({"id": "heat", "version": 2}));
        let again = load(&m.to_json(), &reg).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(again.notes.is_empty());
        prop_assert_eq!(&again.assessment, m);
    }
}
