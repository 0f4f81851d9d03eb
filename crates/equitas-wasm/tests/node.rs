//! The wasm exports as JS sees them, run by wasm-bindgen-test-runner in Node (its default; the
//! same tests run in headless Chromium with `WASM_BINDGEN_USE_BROWSER=1`, see README.md).
//!
//! Inputs are built with `JSON.parse`, as a page would pass them, and errors are read back as JS
//! `Error` messages.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, reason = "tests")]

use equitas_core::assessment::{self, Registry};
use equitas_wasm::{
    add_instrument, assessment_progress, classify_person as classify_with, imd_quintile,
    instrument, instruments, is_core20_decile, load_assessment, measure_heat_plus, new_assessment,
    read_evidence, score_assessment, summarise_assessments, validate_assessment, visible_questions,
};
use serde_json::{Value, json as j};
use tsify::Ts;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A JS value from JSON text, like an object a page passes in.
fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// A JS string, as a page passes JSON text.
fn js_text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

/// A typed JS value (`Ts<T>`) from JSON text.
fn ts<T: tsify::Tsify>(json: &str) -> Ts<T> {
    Ts::new_unchecked(js(json))
}

/// A returned JS value read back as JSON.
fn json(value: &JsValue) -> serde_json::Value {
    let text: String = js_sys::JSON::stringify(value).unwrap().into();
    serde_json::from_str(&text).unwrap()
}

/// The message of the JS `Error` a `JsError` becomes.
fn message(error: JsError) -> String {
    let error: js_sys::Error = JsValue::from(error).dyn_into().unwrap();
    error.message().into()
}

/// `classifyPerson` with no options: the national definition.
fn classify_person(
    record: Ts<equitas_core::cohort::PersonRecord>,
) -> Result<Ts<equitas_core::cohort::MembershipReport>, JsError> {
    classify_with(record, None)
}

/// Whether `number` appears in `text` as a whole number (so 0 is not found in "10").
fn names_number(text: &str, number: u32) -> bool {
    let number = number.to_string();
    text.split(|c: char| !c.is_ascii_digit())
        .any(|token| token == number)
}

#[wasm_bindgen_test]
fn quintile_of_every_decile() {
    let quintiles: Vec<u8> = (1..=10)
        .map(|d| imd_quintile(f64::from(d)).unwrap())
        .collect();
    assert_eq!(quintiles, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
}

#[wasm_bindgen_test]
fn core20_is_deciles_one_and_two() {
    for decile in 1..=10 {
        assert_eq!(
            is_core20_decile(f64::from(decile)).unwrap(),
            decile <= 2,
            "decile {decile}"
        );
    }
}

#[wasm_bindgen_test]
fn deciles_out_of_range_are_errors_naming_the_value() {
    // 257 and 2.7 are what a JS caller can pass: they must not wrap or truncate to a decile.
    for decile in [0, 11, 257] {
        for error in [
            imd_quintile(f64::from(decile)).unwrap_err(),
            is_core20_decile(f64::from(decile)).unwrap_err(),
        ] {
            let text = message(error);
            assert!(text.contains("decile"), "{text}");
            assert!(names_number(&text, decile), "{decile} not named in: {text}");
        }
    }
    let text = message(imd_quintile(2.7).unwrap_err());
    assert!(text.ends_with("got 2.7"), "{text}");
}

/// A stratum number from JavaScript is checked, never wrapped: -1 is not stratum 4294967295,
/// and 1.5 is not stratum 1.
#[wasm_bindgen_test]
fn a_stratum_number_that_is_not_whole_and_positive_is_refused() {
    for (bad, shown) in [(-1.0, "-1"), (0.0, "0"), (1.5, "1.5"), (f64::NAN, "NaN")] {
        let text = message(read_evidence("Q1\t1\t40", None, Some(bad)).unwrap_err());
        assert_eq!(
            text,
            format!("a stratum number is a whole number from 1 up, not {shown}")
        );
    }
}

#[wasm_bindgen_test]
fn adult_with_smi_in_decile_two_is_core20_with_the_smi_area() {
    let record = ts(r#"{"id": "p1", "age": 47, "imd_decile": 2, "conditions": ["smi"]}"#);
    let result = classify_person(record).unwrap();

    let result = JsValue::from(result);
    let report = json(&result);
    assert_eq!(report["core20"], true, "{report}");
    assert_eq!(report["imd_decile"], 2, "{report}");
    assert_eq!(report["imd_quintile"], 1, "{report}");
    let areas = report["adult_areas"].as_array().unwrap();
    assert!(areas.iter().any(|a| a == "smi"), "{report}");

    // JSON-safe: a plain object (an ES Map would stringify as "{}").
    let text: String = js_sys::JSON::stringify(&result).unwrap().into();
    assert!(text.contains(r#""smi""#), "{text}");
}

#[wasm_bindgen_test]
fn the_cached_classifier_gives_the_same_answer_twice() {
    let record = r#"{"id": "p2", "age": 30, "imd_decile": 7}"#;
    let first = json(&classify_person(ts(record)).unwrap().into());
    let second = json(&classify_person(ts(record)).unwrap().into());
    assert_eq!(first, second);
    assert_eq!(first["core20"], false, "{first}");
}

#[wasm_bindgen_test]
fn bad_records_are_errors_saying_what_is_wrong() {
    let cases = [
        (r#"{"id": "p3", "imd_decile": 11}"#, "11"),
        (r#"{"id": "p4", "age": "forty"}"#, "forty"),
        (r#"{"id": "p5", "postcode": "LS1 4AP"}"#, "postcode"),
        (r#""p6""#, "p6"),
    ];
    for (record, named) in cases {
        let text = match classify_person(ts(record)) {
            Ok(report) => panic!("{record} was accepted: {}", json(&report.into())),
            Err(error) => message(error),
        };
        assert!(
            text.starts_with("invalid person record"),
            "{record}: {text}"
        );
        assert!(text.contains(named), "{record}: {named:?} not in {text:?}");
    }
}

#[wasm_bindgen_test]
fn records_core_cannot_classify_are_errors_naming_the_value() {
    let text = message(classify_person(ts(r#"{"id": "p7", "age": 130}"#)).unwrap_err());
    assert!(names_number(&text, 130), "{text}");
}

/// The seeds' local Coventry and Warwickshire definition (a local SMI target, the multiple
/// complex needs cohort), as a page would pass it.
const LOCAL_DEFINITION: &str =
    include_str!("../../../seeds/definitions/coventry-warwickshire-local.json");

/// Issue 14: `classifyPerson` takes a local definition (layered on the built-in one it
/// extends): its multiple complex needs cohort holds for a person with two of its needs, as
/// core's own classifier under the same file says, and not under the national definition.
#[wasm_bindgen_test]
fn a_person_is_classified_under_a_local_definition_as_core_does() {
    use equitas_core::cohort::{Classifier, CohortDefinition, PersonRecord};

    let record = r#"{"id": "p1", "age": 40, "imd_decile": 1, "groups": ["substance_misuse", "domestic_abuse"]}"#;
    let options = j!({"definition": serde_json::from_str::<Value>(LOCAL_DEFINITION).unwrap()});
    let got = json(
        &classify_with(ts(record), Some(js(&options.to_string())))
            .unwrap()
            .into(),
    );
    let classifier =
        Classifier::new(CohortDefinition::from_json(LOCAL_DEFINITION).unwrap(), None).unwrap();
    let membership = classifier
        .classify(&PersonRecord::from_json(record).unwrap())
        .unwrap();
    assert!(got == via_js(&classifier.describe(&membership)), "{got}");
    assert!(got.to_string().contains("multiple_complex_needs"), "{got}");
    let national = json(&classify_person(ts(record)).unwrap().into());
    assert!(
        !national.to_string().contains("multiple_complex_needs"),
        "{national}"
    );
    // No options, null or an empty object: the national definition.
    for none in [JsValue::UNDEFINED, JsValue::NULL, js("{}")] {
        let same = json(&classify_with(ts(record), Some(none)).unwrap().into());
        assert_eq!(same, national);
    }
}

/// Bad options are errors naming the JSON pointer of the value (inside the definition too);
/// unknown fields are refused.
#[wasm_bindgen_test]
fn bad_classify_options_are_errors_naming_the_pointer() {
    let record = r#"{"id": "a", "age": 40, "imd_decile": 3}"#;
    let mut bad_target: Value = serde_json::from_str(LOCAL_DEFINITION).unwrap();
    bad_target["targets"][0]["at_least"] = j!("most");
    let mut unknown_in_definition: Value = serde_json::from_str(LOCAL_DEFINITION).unwrap();
    unknown_in_definition["targets"][0]["atleast"] = j!(0.8);
    let cases = [
        (j!({"defintion": {}}), vec!["defintion"]),
        (
            j!({"definition": bad_target}),
            vec!["/definition/targets/0/at_least", "most"],
        ),
        (
            j!({"definition": unknown_in_definition}),
            vec!["/definition/targets/0", "atleast"],
        ),
        (
            j!({"definition": {"extends": "leeds", "id": "x", "label": "x", "version": 1}}),
            vec!["/extends", "leeds"],
        ),
        (j!({"definition": 3}), vec!["/definition"]),
    ];
    for (options, named) in cases {
        let text = match classify_with(ts(record), Some(js(&options.to_string()))) {
            Ok(v) => panic!("{options} was accepted: {}", json(&v.into())),
            Err(e) => message(e),
        };
        assert!(
            text.starts_with("invalid classify options"),
            "{options}: {text}"
        );
        for n in named {
            assert!(text.contains(n), "{options}: {n:?} not in {text:?}");
        }
    }
}

#[path = "../../../tests/fixtures/portable_simulation.rs"]
mod portable_simulation;

/// The simulations give the same bits in wasm32 as natively (`tests/measures.rs` checks the
/// native side against the same recorded bits).
#[wasm_bindgen_test]
fn simulated_limits_have_the_native_bits() {
    assert_eq!(
        portable_simulation::simulated_bits(),
        portable_simulation::expected_bits()
    );
}

// ---------------------------------------------------------------------------------------------
// Assessments and measures: each export's answer is compared with core's, called natively here.

/// A filled-in assessment (every section answered).
const THOROUGH: &str =
    include_str!("../../../tests/fixtures/assessments/examples/heat-thorough.json");

/// The HEAT Plus example file.
const HEAT_PLUS: &str = include_str!("../../../seeds/examples/heat-plus-synthetic.csv");

/// A native value as JS sees it (numbers are JS numbers: `0.0` and `0` are the same), for
/// comparing an export's answer with core's.
fn via_js(native: &impl serde::Serialize) -> Value {
    json(&js(&serde_json::to_string(native).unwrap()))
}

/// Asserts two JSON values are equal without printing them whole (instruments are long).
fn assert_same(got: &Value, expected: &Value, what: &str) {
    assert!(
        got == expected,
        "{what}: the export's answer differs from core's"
    );
}

fn registry() -> Registry {
    Registry::builtin().unwrap()
}

/// The error message of a result that must be an error.
fn error_of<T>(result: Result<T, JsError>, what: &str) -> String {
    match result {
        Ok(_) => panic!("{what} was accepted"),
        Err(error) => message(error),
    }
}

#[wasm_bindgen_test]
fn instruments_lists_every_builtin_with_its_sections() {
    let listed = json(&instruments().unwrap());
    let registry = registry();
    let expected: Vec<Value> = registry
        .ids()
        .into_iter()
        .map(|id| {
            let i = registry.latest(id).unwrap();
            let sections: Vec<Value> = i
                .sections
                .iter()
                .map(|s| j!({"id": s.id, "title": s.title}))
                .collect();
            j!({"id": i.id, "version": i.version, "title": i.title,
                "description": i.description, "sections": sections})
        })
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    // Other tests may have added instruments of their own ids; the built-ins come first.
    let builtin: Vec<Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| registry.ids().iter().any(|id| i["id"] == *id))
        .cloned()
        .collect();
    assert_same(&Value::Array(builtin), &Value::Array(expected), "listing");
}

#[wasm_bindgen_test]
fn instrument_is_the_whole_instrument_and_an_unknown_id_names_the_known_ones() {
    let heat = json(&instrument("heat").unwrap().into());
    assert_same(
        &heat,
        &via_js(registry().latest("heat").unwrap()),
        "instrument heat",
    );
    assert!(
        heat["rubric"]["criteria"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );

    let text = error_of(instrument("hear"), "instrument hear");
    assert!(text.contains("\"hear\""), "{text}");
    assert!(
        text.contains("heat") && text.contains("hi-maturity"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn a_new_assessment_has_every_required_question_to_answer() {
    let draft = new_assessment("heat", "2026-03-01T09:00:00Z").unwrap();
    let saved = json(&draft.js_value());
    assert_eq!(saved["format"], "equitas-assessment");
    assert_eq!(saved["instrument"], j!({"id": "heat", "version": 1}));
    assert_eq!(saved["created"], "2026-03-01T09:00:00Z");
    assert_eq!(saved["answers"], j!({}));

    let errors = json(&validate_assessment(draft, None).unwrap());
    let registry = registry();
    let heat = registry.latest("heat").unwrap();
    let native = assessment::validate(heat, &assessment::Answers::new());
    assert_same(&errors, &via_js(&native), "validation");
    let errors = errors.as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|e| e["problem"] == "required"),
        "{errors:?}"
    );
    let required: Vec<&str> = heat
        .questions()
        .filter(|(_, q)| q.required && q.visible_if.is_none())
        .map(|(_, q)| q.id.as_str())
        .collect();
    for id in &required {
        assert!(
            errors.iter().any(|e| e["question"] == *id),
            "{id} not reported"
        );
    }
}

#[wasm_bindgen_test]
fn a_loaded_file_scores_as_core_scores_it() {
    let loaded = json(&load_assessment(js_text(THOROUGH)).unwrap().into());
    assert_eq!(loaded["notes"], j!([]));

    let registry = registry();
    let native = assessment::load(THOROUGH, &registry).unwrap().assessment;
    let heat = registry.for_assessment(&native).unwrap();
    let native_report = assessment::score(heat, &native.answers);
    assert!(native_report.overall > 0.0);

    let saved: Ts<assessment::SavedFile> = Ts::new_unchecked(js(&loaded["assessment"].to_string()));
    let model = json(&score_assessment(saved).unwrap().into());
    // The report model, the same in wasm as natively: the scored report (what `assess score
    // --format json` writes) with the measures' names and a chart of each quantified dimension.
    let native_model = assessment::ReportModel::score(heat, &native.answers);
    assert_same(&model, &via_js(&native_model), "report model");
    let report = &model["report"];
    assert_same(report, &via_js(&native_report), "report");
    assert_eq!(report["overall"], j!(native_report.overall));
    assert_eq!(
        report["band"]["id"],
        j!(native_report.band.as_ref().unwrap().id)
    );
    assert_eq!(model["measures"][0]["abbr"], "SII");
    assert!(model["charts"][0]["sii"]["at0"].is_number());

    // Progress and visibility as core sees them.
    let progress = json(&assessment_progress(ts(THOROUGH), None).unwrap());
    let native_progress = assessment::progress(heat, &native.answers);
    assert_same(&progress, &via_js(&native_progress), "progress");
    assert_eq!(progress.as_array().unwrap().len(), heat.sections.len());
    let visible = json(&visible_questions(ts(THOROUGH)).unwrap());
    let native_visible = assessment::visible_questions(heat, &native.answers);
    assert!(!native_visible.is_empty());
    assert_same(&visible, &via_js(&native_visible), "visible questions");
}

#[wasm_bindgen_test]
fn an_added_instrument_comes_back_as_written_without_its_nulls() {
    let mut mine = json(&instrument("heat").unwrap().into());
    mine["id"] = j!("heat-with-nulls");
    mine["sections"][0]["help"] = Value::Null;
    mine["sections"][1]["questions"][0]["next_step"] = Value::Null;
    add_instrument(js_text(&mine.to_string())).unwrap();

    let back = json(&instrument("heat-with-nulls").unwrap().into());
    let mut expected = mine.clone();
    expected["sections"][0]
        .as_object_mut()
        .unwrap()
        .remove("help");
    expected["sections"][1]["questions"][0]
        .as_object_mut()
        .unwrap()
        .remove("next_step");
    assert_same(&back, &expected, "instrument heat-with-nulls");
    fn has_null(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(items) => items.iter().any(has_null),
            Value::Object(members) => members.values().any(has_null),
            _ => false,
        }
    }
    assert!(has_null(&mine) && !has_null(&back));
}

#[wasm_bindgen_test]
fn a_file_from_an_older_instrument_version_is_migrated_with_notes() {
    // A copy of heat under its own id (so other tests keep the built-in registry), then its v2
    // with `prepare.title` renamed.
    let heat: String = js_sys::JSON::stringify(&instrument("heat").unwrap().into())
        .unwrap()
        .into();
    let v1 = heat.replacen(r#""id":"heat""#, r#""id":"heat-copy""#, 1);
    assert_ne!(v1, heat);
    let added = json(&add_instrument(js_text(&v1)).unwrap().into());
    assert_eq!(added, j!({"id": "heat-copy", "version": 1}));
    let v2 = v1
        .replacen(r#""version":1"#, r#""version":2"#, 1)
        .replace(r#""prepare.title""#, r#""prepare.name""#)
        .replacen(
            r#""id":"prepare.name""#,
            r#""id":"prepare.name","previous_ids":["prepare.title"]"#,
            1,
        );
    let added = json(&add_instrument(js_text(&v2)).unwrap().into());
    assert_eq!(added, j!({"id": "heat-copy", "version": 2}));

    let listed = json(&instruments().unwrap());
    let copy = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "heat-copy");
    assert_eq!(copy.map(|i| &i["version"]), Some(&j!(2)), "{listed}");

    let file = THOROUGH.replacen(r#""id": "heat""#, r#""id": "heat-copy""#, 1);
    assert_ne!(file, THOROUGH);
    let loaded = json(&load_assessment(js_text(&file)).unwrap().into());
    assert_eq!(
        loaded["assessment"]["instrument"],
        j!({"id": "heat-copy", "version": 2})
    );
    let answers = &loaded["assessment"]["answers"];
    let original: Value = serde_json::from_str(THOROUGH).unwrap();
    assert_eq!(
        answers["prepare.name"],
        original["answers"]["prepare.title"]
    );
    assert!(answers.get("prepare.title").is_none(), "{answers}");
    let notes = loaded["notes"].as_array().unwrap();
    let renamed = notes
        .iter()
        .find(|n| n.get("Renamed").is_some())
        .unwrap_or_else(|| panic!("no rename note in {notes:?}"));
    assert_eq!(
        renamed["Renamed"],
        j!({"from": "prepare.title", "to": "prepare.name"})
    );
    let message = renamed["message"].as_str().unwrap();
    assert!(
        message.contains("prepare.title") && message.contains("prepare.name"),
        "{message}"
    );
    // Each note is `message` first, then its variant and fields, in that order in the text.
    let text: String = js_sys::JSON::stringify(&load_assessment(js_text(&file)).unwrap().into())
        .unwrap()
        .into();
    let upgraded = notes
        .iter()
        .find(|n| n.get("Instrument").is_some())
        .unwrap_or_else(|| panic!("no instrument note in {notes:?}"));
    for expected in [
        format!(
            r#"{{"message":{},"Instrument":{{"from":1,"to":2}}}}"#,
            upgraded["message"]
        ),
        format!(
            r#"{{"message":{},"Renamed":{{"from":"prepare.title","to":"prepare.name"}}}}"#,
            renamed["message"]
        ),
    ] {
        assert!(text.contains(&expected), "{expected} not in {text}");
    }

    // An instrument that does not hold together is refused, naming what is wrong.
    let broken = v1
        .replacen(r#""version":1"#, r#""version":3"#, 1)
        .replace(r#""prepare.title""#, r#""prepare.scope""#);
    let text = error_of(add_instrument(js_text(&broken)), "broken instrument");
    assert!(text.contains("prepare.scope"), "{text}");
}

#[wasm_bindgen_test]
fn a_malformed_file_is_an_error_naming_the_json_path() {
    let mut file: Value = serde_json::from_str(THOROUGH).unwrap();
    file["answers"]["prepare.title"] = j!(42);
    let text = error_of(
        load_assessment(js_text(&file.to_string())),
        "a number as a title",
    );
    assert!(text.contains("/answers/prepare.title"), "{text}");
    // The same object passed to the per-keystroke functions fails the same way.
    let text = error_of(validate_assessment(ts(&file.to_string()), None), "validate");
    assert!(text.contains("/answers/prepare.title"), "{text}");

    let text = error_of(load_assessment(js_text("{\"format\": ")), "truncated JSON");
    assert!(text.contains("line 1"), "{text}");
}

#[wasm_bindgen_test]
fn heat_plus_gives_all_21_measures_per_stratum() {
    let measured = json(&measure_heat_plus(HEAT_PLUS, None).unwrap().into());
    let tables = measured["tables"].as_array().unwrap();
    let native = equitas_core::io::heat_plus::read(HEAT_PLUS.as_bytes()).unwrap();
    assert_eq!(tables.len(), native.len());
    assert!(tables.len() >= 2);
    // The same model as natively, names and charts included.
    let options = equitas_core::measures::Options::default();
    let model = equitas_core::io::measured::measure_file(&native, &options);
    assert_same(&measured, &via_js(&model), "measured file");
    assert_eq!(measured["glossary"].as_array().unwrap().len(), 21);
    assert_eq!(measured["method"], "WHO HEAT version 6");
    for table in tables {
        let measures: std::collections::BTreeSet<&str> = table["measures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["measure"].as_str().unwrap())
            .collect();
        assert_eq!(measures.len(), 21, "{}", table["key"]);
    }
    // Options are applied: another seed changes only simulated measures, the same one nothing.
    let again = json(&measure_heat_plus(HEAT_PLUS, Some(ts("{}"))).unwrap().into());
    assert_same(&again, &measured, "default options");
}

#[wasm_bindgen_test]
fn a_bad_heat_plus_file_lists_every_bad_row_and_column() {
    let mut lines: Vec<String> = HEAT_PLUS.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replacen(",72.5,", ",seventy,", 1);
    lines[4] = lines[4].replacen(",GBR,1,100,", ",GBR,1,lots,", 1);
    assert!(
        lines[2].contains("seventy") && lines[4].contains("lots"),
        "edits missed"
    );
    let bad = lines.join("\n");
    let text = error_of(measure_heat_plus(&bad, None), "bad HEAT Plus file");
    assert!(text.contains("seventy"), "{text}");
    assert!(text.contains("lots"), "{text}");
    assert!(
        text.contains("estimate") && text.contains("indicator_scale"),
        "{text}"
    );
    assert!(
        names_number(&text, 3) && names_number(&text, 5),
        "rows not named: {text}"
    );
}

#[wasm_bindgen_test]
fn bad_measure_options_are_errors_naming_the_value() {
    for (options, named) in [
        (r#"{"compat": "nope"}"#, "nope"),
        (r#"{"colour": "blue"}"#, "colour"),
        (r#"{"simulations": "many"}"#, "many"),
        // Issue 12 findings 11 and 6: out of range, refused with the range, not blank limits.
        (r#"{"confidence": 0.9999999999999999}"#, "at most 0.999999"),
        (r#"{"simulations": 1000000000}"#, "from 2 to 1000000"),
    ] {
        let text = error_of(measure_heat_plus(HEAT_PLUS, Some(ts(options))), options);
        assert!(
            text.starts_with("invalid measure options"),
            "{options}: {text}"
        );
        assert!(text.contains(named), "{options}: {named:?} not in {text:?}");
    }
}

#[wasm_bindgen_test]
fn summaries_count_assessments_and_name_a_bad_item() {
    let good: Value = serde_json::from_str(THOROUGH).unwrap();
    let list = Value::Array(vec![good.clone(), good.clone()]);
    let summary = json(
        &summarise_assessments(js(&list.to_string()), "2026-06-01")
            .unwrap()
            .into(),
    );
    assert_eq!(summary["assessments"], 2);
    assert_eq!(summary["as_of"], "2026-06-01");

    let mut bad = good.clone();
    bad["answers"]["prepare.title"] = j!(["not", "text"]);
    let list = Value::Array(vec![good.clone(), good, bad]);
    let text = error_of(
        summarise_assessments(js(&list.to_string()), "2026-06-01"),
        "bad item",
    );
    assert!(text.starts_with("assessment 3:"), "{text}");
    assert!(text.contains("/answers/prepare.title"), "{text}");

    let text = error_of(summarise_assessments(js("[]"), "2026-13-01"), "bad date");
    assert!(text.contains("2026-13-01"), "{text}");
    let text = error_of(
        summarise_assessments(js(r#"{"a": 1}"#), "2026-06-01"),
        "not a list",
    );
    assert!(text.starts_with("invalid list of assessments"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Issue 12: failures at the boundary fail one call, say why and where, and never the next call.

/// A JS object `{key: value}`.
fn object_with(key: &str, value: &JsValue) -> JsValue {
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    object.into()
}

/// The thorough example as a saved-file object, with `answers[question]` set to `value`.
fn thorough_with_answer(question: &str, value: &JsValue) -> JsValue {
    let file = js(THOROUGH);
    let answers = js_sys::Reflect::get(&file, &JsValue::from_str("answers")).unwrap();
    js_sys::Reflect::set(&answers, &JsValue::from_str(question), value).unwrap();
    file
}

/// Issue 12, finding 3: a call that traps (here, runs out of memory inside the engine, part-way
/// through reading a file) must not break the next call. wasm does not unwind on a trap, so
/// nothing the trapped call held is released: a `RefCell` borrow of the registry stayed
/// borrowed, and every later call, even `instruments()`, trapped too.
#[wasm_bindgen_test]
fn after_a_trap_the_engine_answers_the_next_call() {
    use wasm_bindgen::closure::Closure;
    instruments().unwrap(); // the registry is loaded before memory runs short
    // A file with a 4 MiB answer, as a JS string (not in the module's memory). All ASCII, so
    // wasm-bindgen copies it into one block of exactly its length.
    const LEN: usize = 4 << 20;
    let text: JsValue = js_sys::JsString::from(
        r#"{"format": "equitas-assessment", "schema_version": 2, "instrument": {"id": "heat", "version": 1}, "created": "t", "updated": "t", "answers": {"prepare.scope": ""#,
    )
    .concat(&js_sys::JsString::from("x").repeat(i32::try_from(LEN).unwrap()).into())
    .concat(&JsValue::from_str("\"}}"))
    .into();
    let call = Closure::<dyn FnMut() -> bool>::new(move || load_assessment(text.clone()).is_ok());
    let call: &js_sys::Function = call.as_ref().unchecked_ref();
    // Fill the module's memory (`try_reserve` fails cleanly), but for one block of twice the
    // file's length: the text can be copied in (the allocator, TLSF, looks for a free block in
    // a size class above the request), and reading it then runs out of memory, because what is
    // left of the block is just under the text's length.
    let mut room = Vec::<u8>::new();
    room.try_reserve_exact(2 * LEN).unwrap();
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    hoard.try_reserve(1 << 16).unwrap();
    let mut chunk = 1_usize << 30;
    while chunk >= 1 << 10 && hoard.len() < hoard.capacity() {
        let mut block = Vec::<u8>::new();
        if block.try_reserve_exact(chunk).is_ok() {
            hoard.push(block);
        } else {
            chunk /= 2;
        }
    }
    drop(room);
    let trapped = call.call0(&JsValue::NULL);
    drop(hoard);
    let thrown = trapped.expect_err("the load was meant to run out of memory and trap");
    assert!(
        thrown.is_instance_of::<js_sys::WebAssembly::RuntimeError>(),
        "expected a trap, got {thrown:?}"
    );
    // The next calls work: the listing, a load, and the per-keystroke functions.
    assert!(json(&instruments().unwrap()).as_array().unwrap().len() >= 2);
    let loaded = json(&load_assessment(js_text(THOROUGH)).unwrap().into());
    assert_eq!(loaded["notes"], j!([]));
    assert!(validate_assessment(ts(THOROUGH), None).is_ok());
    // Given a today before its assessment date (2026-01-12), the engine says it is in the
    // future, and the task list agrees; a today that is not a date is refused by name.
    let early = json(&validate_assessment(ts(THOROUGH), Some("2026-01-11".into())).unwrap());
    assert_eq!(early[0]["question"], "prepare.assessment_date", "{early}");
    let progress = json(&assessment_progress(ts(THOROUGH), Some("2026-01-11".into())).unwrap());
    assert_eq!(progress[0]["status"], "in_progress", "{progress}");
    let text = error_of(
        validate_assessment(ts(THOROUGH), Some("11/01/2026".into())),
        "today",
    );
    assert!(
        text.contains("today: \"11/01/2026\" is not a date"),
        "{text}"
    );
    assert!(score_assessment(ts(THOROUGH)).is_ok());
}

/// Issue 12, findings 3 and 12: input over the engine's limit is an error naming its size and
/// the limit (before it is copied into the module's memory), not a trap, and not "not a JSON
/// value"; the next call works.
#[wasm_bindgen_test]
fn input_over_the_limit_is_an_error_naming_the_size_and_the_limit() {
    let limit = equitas_wasm::MAX_INPUT_BYTES;
    let over = u32::try_from(limit + 1).unwrap();
    let long = js_sys::JsString::from("x").repeat(i32::try_from(over).unwrap());
    // As an answer in an assessment object.
    let text = error_of(
        validate_assessment(
            Ts::new_unchecked(thorough_with_answer("prepare.scope", &long)),
            None,
        ),
        "an answer over the limit",
    );
    assert!(text.starts_with("invalid assessment: at least "), "{text}");
    assert!(
        text.contains(&format!(
            "bytes of JSON, over the limit of {limit} bytes (64 MiB)"
        )),
        "the limit is not named: {text}"
    );
    // As the text of a file.
    let text = error_of(load_assessment(long.clone().into()), "text over the limit");
    assert!(
        text.contains(&limit.to_string()) && names_number(&text, over),
        "{text}"
    );
    let text = error_of(add_instrument(long.into()), "an instrument over the limit");
    assert!(text.contains(&limit.to_string()), "{text}");
    // Too long for JSON.stringify itself (V8 strings stop near 2^29 characters): refused by
    // the first string's length, before it is copied (values no longer go through
    // JSON.stringify, which said "JSON.stringify cannot write it (RangeError: Invalid string
    // length)" here).
    let huge = js_sys::JsString::from("x").repeat(280_000_000);
    let both = object_with("a", &huge);
    js_sys::Reflect::set(&both, &JsValue::from_str("b"), &huge).unwrap();
    let text = error_of(
        summarise_assessments(both, "2026-06-01"),
        "a value too long to write",
    );
    assert!(
        text.starts_with("invalid list of assessments: at least 28000"),
        "{text}"
    );
    assert!(text.contains(&limit.to_string()), "{text}");
    assert!(!text.contains("not a JSON value"), "{text}");
    assert!(instruments().is_ok());
}

/// Issue 13: values cross with serde-wasm-bindgen, not as `JSON.stringify`'s text. What JSON
/// cannot hold is refused with the JSON pointer of the value, where `JSON.stringify` dropped it
/// (a function), emptied it (a `Map`, a `Set`, which became `{}`), refused it without saying
/// where (a `BigInt`, a value that holds itself) or rounded it (a whole number past 2^53).
#[wasm_bindgen_test]
fn js_values_json_cannot_hold_are_refused_naming_the_pointer() {
    let map = js_sys::Map::new();
    map.set(&JsValue::from_str("smi"), &JsValue::TRUE);
    let set = js_sys::Set::new(&js(r#"["smi"]"#));
    let refused = |field: &str, value: &JsValue| {
        error_of(
            classify_person(Ts::new_unchecked(object_with(field, value))),
            field,
        )
    };
    for (field, value, problem) in [
        (
            "age",
            JsValue::from(js_sys::BigInt::from(40_u32)),
            "a BigInt is not a number JSON can hold",
        ),
        (
            "conditions",
            map.into(),
            "a Map is not an object JSON can hold",
        ),
        (
            "conditions",
            set.into(),
            "an iterable that is not an array (a Set, say) is not something JSON can hold",
        ),
        (
            "sex",
            js_sys::Function::new_no_args("return 'F'").into(),
            "a function is not something JSON can hold",
        ),
        (
            "sex",
            JsValue::symbol(Some("F")),
            "a symbol is not something JSON can hold",
        ),
        (
            "conditions",
            js_sys::Uint8Array::new_with_length(2).into(),
            "binary data (a typed array or an ArrayBuffer) is not something JSON can hold",
        ),
    ] {
        let text = refused(field, &value);
        assert!(
            text.starts_with(&format!("invalid person record: at /{field}: {problem}")),
            "{field}: {text}"
        );
    }
    // Deep in an assessment, the pointer goes all the way down.
    let file = thorough_with_answer(
        "prepare.title",
        &object_with("x", &js_sys::Function::new_no_args("").into()),
    );
    let text = error_of(
        validate_assessment(Ts::new_unchecked(file), None),
        "a function",
    );
    assert!(
        text.starts_with("invalid assessment: at /answers/prepare.title/x: a function"),
        "{text}"
    );
    // Lists and objects past core's nesting limit, and a value that holds itself.
    // The record is one object, so 126 lists inside it are 127 deep, and 127 are one too many.
    let deep = js(&format!("{}0{}", "[".repeat(127), "]".repeat(127)));
    let text = refused("conditions", &deep);
    let pointer = format!("/conditions{}", "/0".repeat(126));
    assert!(
        text.starts_with(&format!(
            "invalid person record: at {pointer}: lists and objects nested more than 127 deep"
        )),
        "{text}"
    );
    let fine = js(&format!("{}0{}", "[".repeat(126), "]".repeat(126)));
    assert!(!refused("conditions", &fine).contains("nested"));
    let itself = js_sys::Object::new();
    js_sys::Reflect::set(&itself, &JsValue::from_str("me"), &itself).unwrap();
    let text = refused("conditions", &itself);
    assert!(
        text.starts_with("invalid person record: at /conditions/me/me/me/")
            && text.contains("(or a value that holds itself)"),
        "{text}"
    );
    // A whole number past 2^53 is a float (it may not be the number written), so a field
    // that takes a whole number refuses it; 2^53 - 1 is exact.
    let options = object_with("seed", &JsValue::from_f64(9_007_199_254_740_994.0));
    let text = error_of(
        measure_heat_plus(HEAT_PLUS, Some(Ts::new_unchecked(options))),
        "a seed past 2^53",
    );
    assert!(
        text.starts_with(
            "invalid measure options: at /seed: expected a whole number from 0 to \
             18446744073709551615, found the number 9007199254740994"
        ),
        "{text}"
    );
    let options = object_with("seed", &JsValue::from_f64(9_007_199_254_740_991.0));
    assert!(measure_heat_plus(HEAT_PLUS, Some(Ts::new_unchecked(options))).is_ok());
    assert!(instruments().is_ok());
}

/// Issue 13: a `"__proto__"` key is refused where it comes in, at its pointer: serde-wasm-bindgen
/// writes a result's members as `object[key] = value`, which for `"__proto__"` sets the
/// object's prototype instead (a member lost, or another object's members showing through),
/// where `JSON.parse` made it a member.
#[wasm_bindgen_test]
fn a_proto_key_is_refused_naming_where() {
    // In a JS value (an own member, as JSON.parse makes it).
    let text = error_of(
        classify_person(ts(r#"{"age": 40, "__proto__": {"age": 3}}"#)),
        "a __proto__ member",
    );
    assert!(
        text.starts_with(
            "invalid person record: at /__proto__: the key \"__proto__\" cannot cross"
        ),
        "{text}"
    );
    // In a file: an answer to a question the instrument does not have (kept, as `retained`),
    // and a key inside an answer.
    for (key, pointer) in [
        ("__proto__", "/answers/__proto__"),
        ("q", "/answers/q/__proto__"),
    ] {
        let mut file: Value = serde_json::from_str(THOROUGH).unwrap();
        file["answers"][key] = if key == "q" {
            j!({"__proto__": {"prepare.title": "not the title"}})
        } else {
            j!({"prepare.title": "not the title"})
        };
        let text = error_of(load_assessment(js_text(&file.to_string())), pointer);
        assert!(
            text.starts_with(&format!("at {pointer}: the key \"__proto__\" cannot cross")),
            "{text}"
        );
    }
    assert!(load_assessment(js_text(THOROUGH)).is_ok());
}

/// Issue 13: a whole number past 2^53 in a file's text is refused at its pointer: it would
/// come back in the loaded file, and serde-wasm-bindgen will not write a number JavaScript
/// cannot hold exactly (`JSON.parse` rounded it to 9007199254740992).
#[wasm_bindgen_test]
fn a_whole_number_past_2_53_in_a_file_is_refused_naming_where() {
    for (number, fine) in [
        ("9007199254740993", false),
        ("-9007199254740993", false),
        ("18446744073709551615", false),
        ("9007199254740991", true),
        ("-9007199254740991", true),
        ("9007199254740993.0", true),
    ] {
        let mut file: Value = serde_json::from_str(THOROUGH).unwrap();
        file["answers"]["assess.evidence"]["rows"][0]["estimate"] =
            serde_json::from_str(number).unwrap();
        let loaded = load_assessment(js_text(&file.to_string()));
        if fine {
            assert!(loaded.is_ok(), "{number}");
        } else {
            let message = error_of(loaded, number);
            assert!(
                message.starts_with(&format!(
                    "at /answers/assess.evidence/rows/0/estimate: {number} is a whole number \
                     past 2^53"
                )),
                "{message}"
            );
        }
    }
}

/// Issue 13: what JSON can hold reads as `JSON.stringify` wrote it: a member that is
/// `undefined` is absent, an `undefined` item is `null`, `-0` is `0`.
#[wasm_bindgen_test]
fn undefined_and_minus_zero_read_as_json_stringify_wrote_them() {
    // `{sex: undefined, conditions: undefined}` is a record without them.
    let record = object_with("age", &JsValue::from_f64(47.0));
    for field in ["sex", "conditions", "imd_decile"] {
        js_sys::Reflect::set(&record, &JsValue::from_str(field), &JsValue::UNDEFINED).unwrap();
    }
    let with = json(&classify_person(Ts::new_unchecked(record)).unwrap().into());
    let without = json(&classify_person(ts(r#"{"age": 47}"#)).unwrap().into());
    assert_eq!(with, without);
    // An answer that is `undefined` is no answer.
    let file = thorough_with_answer("prepare.title", &JsValue::UNDEFINED);
    let problems = json(&validate_assessment(Ts::new_unchecked(file), None).unwrap());
    let mut absent: Value = serde_json::from_str(THOROUGH).unwrap();
    absent["answers"]
        .as_object_mut()
        .unwrap()
        .remove("prepare.title");
    let expected = json(&validate_assessment(ts(&absent.to_string()), None).unwrap());
    assert_eq!(problems, expected);
    // An `undefined` item is `null` (refused where the list takes text, at its index).
    let list = js_sys::Array::of2(&JsValue::from_str("smi"), &JsValue::UNDEFINED);
    let text = error_of(
        classify_person(Ts::new_unchecked(object_with("conditions", &list))),
        "an undefined item",
    );
    assert!(text.contains("at /conditions/1:"), "{text}");
    assert!(text.contains("null"), "{text}");
    // -0 is 0 (as JSON.stringify writes it): the same seed.
    let measured = |seed: f64| {
        json(
            &measure_heat_plus(
                HEAT_PLUS,
                Some(Ts::new_unchecked(object_with(
                    "seed",
                    &JsValue::from_f64(seed),
                ))),
            )
            .unwrap()
            .into(),
        )
    };
    assert_eq!(measured(-0.0), measured(0.0));
}

/// Issue 12, finding 13: a lone surrogate in a JS string fails that call only, with the JSON
/// pointer of the text (or line and column of a file's text) that holds it.
#[wasm_bindgen_test]
fn a_lone_surrogate_fails_only_that_call_and_says_where() {
    let lone = js_sys::JsString::from("Smoking ")
        .concat(&js_sys::JsString::from_char_code1(0xD83D).into())
        .concat(&JsValue::from_str(" cessation"));
    let file = thorough_with_answer("prepare.title", &lone);
    for (what, result) in [
        (
            "validate",
            validate_assessment(Ts::new_unchecked(file.clone()), None).map(drop),
        ),
        (
            "progress",
            assessment_progress(Ts::new_unchecked(file.clone()), None).map(drop),
        ),
        (
            "score",
            score_assessment(Ts::new_unchecked(file.clone())).map(drop),
        ),
    ] {
        let text = error_of(result, what);
        assert!(
            text.starts_with(
                "invalid assessment: at /answers/prepare.title: the text holds a lone surrogate"
            ),
            "{what}: {text}"
        );
    }
    // In a key, the pointer is the key's.
    let answers = js_sys::Object::new();
    js_sys::Reflect::set(&answers, &lone, &JsValue::from_str("x")).unwrap();
    let file = js(THOROUGH);
    js_sys::Reflect::set(&file, &JsValue::from_str("answers"), &answers).unwrap();
    let text = error_of(
        validate_assessment(Ts::new_unchecked(file), None),
        "a lone surrogate in a key",
    );
    assert!(text.contains("at /answers/Smoking"), "{text}");
    assert!(text.contains("the key holds a lone surrogate"), "{text}");
    // In the text of a file: its line and column (bytes, as core's JSON errors count them).
    let file_text = js_sys::JsString::from("{\n  \"format\": \"")
        .concat(&lone)
        .concat(&JsValue::from_str("\"\n}"));
    let text = error_of(
        load_assessment(file_text.into()),
        "a lone surrogate in a file",
    );
    assert!(
        text.starts_with("invalid saved assessment: at line 2 column 22: a lone surrogate"),
        "{text}"
    );
    // And every other call still works.
    assert!(validate_assessment(ts(THOROUGH), None).is_ok());
    assert!(load_assessment(js_text(THOROUGH)).is_ok());
    assert!(instruments().is_ok());
}

/// Issue 12, finding 13: `NaN` and `Infinity`, which `JSON.stringify` writes as `null`, are
/// errors naming the field and the value, not an unknown age or decile.
#[wasm_bindgen_test]
fn non_finite_numbers_are_errors_naming_the_field_and_value() {
    for (field, value, shown) in [
        ("age", f64::NAN, "NaN"),
        ("imd_decile", f64::INFINITY, "Infinity"),
        ("age", f64::NEG_INFINITY, "-Infinity"),
    ] {
        let record = object_with(field, &JsValue::from_f64(value));
        let text = error_of(classify_person(Ts::new_unchecked(record)), shown);
        assert_eq!(
            text,
            format!(
                "invalid person record: at /{field}: {shown} is not a number JSON can hold; \
                 give a finite number, or leave the field out"
            )
        );
    }
    // Deeper in an assessment, the pointer goes all the way down.
    let file = js(THOROUGH);
    let rows = js_sys::Reflect::get(&file, &JsValue::from_str("answers"))
        .and_then(|a| js_sys::Reflect::get(&a, &JsValue::from_str("assess.evidence")))
        .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str("rows")))
        .and_then(|r| js_sys::Reflect::get(&r, &JsValue::from_f64(2.0)))
        .unwrap();
    js_sys::Reflect::set(
        &rows,
        &JsValue::from_str("estimate"),
        &JsValue::from_f64(f64::NAN),
    )
    .unwrap();
    let text = error_of(score_assessment(Ts::new_unchecked(file)), "NaN estimate");
    assert!(
        text.starts_with("invalid assessment: at /answers/assess.evidence/rows/2/estimate: NaN"),
        "{text}"
    );
    // A real null is still null (a cleared answer), and a record without the field is fine.
    let file = thorough_with_answer("prepare.data_gaps", &JsValue::NULL);
    assert!(validate_assessment(Ts::new_unchecked(file), None).is_ok());
    assert!(
        classify_person(Ts::new_unchecked(object_with(
            "age",
            &JsValue::from_f64(40.0)
        )))
        .is_ok()
    );
}

/// Issue 12, finding 12: a file saved with a byte order mark (as some editors write) loads.
#[wasm_bindgen_test]
fn a_file_with_a_byte_order_mark_loads() {
    let loaded = json(
        &load_assessment(js_text(&format!("\u{FEFF}{THOROUGH}")))
            .unwrap()
            .into(),
    );
    assert_eq!(loaded["notes"], j!([]));
}

/// Issue 12, finding 2, as the browser's `loadAssessment` sees it: two questions merged into one
/// keep both answers (one in the question, one in `retained`), and the notes say which.
#[wasm_bindgen_test]
fn load_assessment_keeps_both_answers_of_merged_questions() {
    let mut v1 = json(&instrument("heat").unwrap().into());
    v1["id"] = j!("heat-merge");
    add_instrument(js_text(&v1.to_string())).unwrap();
    let mut v2: Value = serde_json::from_str(
        &v1.to_string()
            .replace("\"assess.inequalities\"", "\"assess.merged\""),
    )
    .unwrap();
    v2["version"] = j!(2);
    for section in v2["sections"].as_array_mut().unwrap() {
        let questions = section["questions"].as_array_mut().unwrap();
        questions.retain(|q| q["id"] != "assess.intersections");
        for q in questions.iter_mut().filter(|q| q["id"] == "assess.merged") {
            q["previous_ids"] = j!(["assess.inequalities", "assess.intersections"]);
        }
    }
    add_instrument(js_text(&v2.to_string())).unwrap();

    // A file from before this build's layout (version 1), as an older equitas saved it.
    let frozen =
        include_str!("../../../tests/fixtures/assessments/frozen/heat-schema1-instrument1.json");
    let file = frozen.replacen(r#""id": "heat""#, r#""id": "heat-merge""#, 1);
    assert_ne!(file, frozen);
    let original: Value = serde_json::from_str(frozen).unwrap();
    let loaded = json(&load_assessment(js_text(&file)).unwrap().into());
    let saved = &loaded["assessment"];
    assert_eq!(
        saved["answers"]["assess.merged"],
        original["answers"]["assess.inequalities"]
    );
    let kept = &saved["retained"]["assess.intersections"];
    assert_eq!(
        kept[0]["value"], original["answers"]["assess.intersections"],
        "{saved}"
    );
    let messages: Vec<&str> = loaded["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"answer to assess.inequalities moved to assess.merged"),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with(
            "answer to assess.intersections kept aside in retained: assess.intersections is now \
             part of question assess.merged in heat-merge v2, which took the answer to \
             assess.inequalities"
        )),
        "{messages:?}"
    );
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("assess.intersections moved")),
        "{messages:?}"
    );
    // The saved object loads again as it is: nothing left to migrate, nothing lost.
    let again = json(&load_assessment(js_text(&saved.to_string())).unwrap().into());
    assert_eq!(again["notes"], j!([]));
    assert_eq!(&again["assessment"], saved);
}

/// A PNG file of one white pixel.
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xFF, 0xFF, 0x3F,
    0x00, 0x05, 0xFE, 0x02, 0xFE, 0xDC, 0xCC, 0x59, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A picture object as the page passes it: `{index, png: Uint8Array, width, height}`.
fn picture(index: u32, png: &[u8], width: u32) -> JsValue {
    let p = js(&format!(
        r#"{{"index": {index}, "width": {width}, "height": 10}}"#
    ));
    js_sys::Reflect::set(&p, &"png".into(), &js_sys::Uint8Array::from(png)).unwrap();
    p
}

#[wasm_bindgen_test]
fn the_word_document_is_written_with_its_pictures_and_bad_ones_are_named() {
    let pictures = js_sys::Array::of1(&picture(0, PIXEL, 10));
    let bytes = equitas_wasm::assessment_docx(ts(THOROUGH), pictures.into(), js("[]")).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip file");
    // The same as the library writes natively for the same file and picture.
    let registry = registry();
    let loaded = assessment::load(THOROUGH, &registry).unwrap();
    let a = loaded.assessment;
    let inst = registry.for_assessment(&a).unwrap();
    let model = assessment::ReportModel::score(inst, &a.answers);
    let native = equitas_docx::assessment(
        &model,
        inst,
        &a.answers,
        &[equitas_docx::Picture {
            index: 0,
            png: PIXEL.to_vec(),
            width: 10,
            height: 10,
        }],
    )
    .unwrap();
    assert_eq!(bytes, native);

    let bad = |pictures: JsValue, instruments: JsValue| {
        message(equitas_wasm::assessment_docx(ts(THOROUGH), pictures, instruments).unwrap_err())
    };
    assert_eq!(
        bad(
            js_sys::Array::of1(&picture(0, b"GIF89a", 10)).into(),
            js("[]")
        ),
        "picture 0 (chart 0): not a PNG file (it does not start as one)"
    );
    assert_eq!(
        bad(js_sys::Array::of1(&picture(7, PIXEL, 10)).into(), js("[]")),
        "picture 0: chart 7 is not in this report (it has 1 chart(s), numbered from 0)"
    );
    let e = bad(
        js(r#"[{"index": 0, "png": [], "width": 1, "height": 1, "alt": "x"}]"#),
        js("[]"),
    );
    assert!(
        e.starts_with("invalid picture 0: unknown field `alt`"),
        "{e}"
    );
    let e = bad(
        js(r#"[{"index": 0, "png": [137, 80], "width": 1, "height": 1}]"#),
        js("[]"),
    );
    assert_eq!(
        e,
        "invalid picture 0: png: expected a Uint8Array of the PNG file's bytes"
    );
    assert_eq!(
        bad(js("{}"), js("[]")),
        "invalid pictures: expected an array"
    );
    assert!(bad(js("[]"), js(r#"["{}"]"#)).contains("instrument"));
}

#[wasm_bindgen_test]
fn compare_lists_changed_answers_in_words_and_refuses_two_instruments() {
    let gaps = include_str!("../../../tests/fixtures/assessments/examples/heat-gaps.json");
    let maturity = include_str!("../../../tests/fixtures/assessments/examples/maturity-gaps.json");
    let changes =
        json(&equitas_wasm::compare_assessments(ts(gaps), ts(THOROUGH), js("[]")).unwrap());
    let changes = changes.as_array().unwrap();
    // The same questions core's compare finds, in the same order.
    let registry = registry();
    let a = assessment::load(gaps, &registry).unwrap().assessment;
    let b = assessment::load(THOROUGH, &registry).unwrap().assessment;
    let inst = registry.for_assessment(&a).unwrap();
    let native = assessment::compare::compare(inst, &a, &b).unwrap();
    assert_eq!(changes.len(), native.len());
    for (c, n) in changes.iter().zip(&native) {
        assert_eq!(c["question"], n.question.as_str());
        assert_eq!(c["label"], n.label.as_str());
    }
    let title = changes
        .iter()
        .find(|c| c["question"] == "prepare.title")
        .unwrap();
    assert_eq!(
        title["after"],
        b.answers.get("prepare.title").unwrap().text().unwrap()
    );
    let e =
        message(equitas_wasm::compare_assessments(ts(gaps), ts(maturity), js("[]")).unwrap_err());
    assert!(
        e.starts_with("cannot compare an assessment of heat version 1 with one of hi-maturity"),
        "{e}"
    );
    let e =
        message(equitas_wasm::compare_assessments(ts("{}"), ts(THOROUGH), js("[]")).unwrap_err());
    assert!(e.starts_with("first assessment: "), "{e}");
}
