//! The wasm exports as JS sees them, run by wasm-bindgen-test-runner in Node (its default; the
//! same tests run in headless Chromium with `WASM_BINDGEN_USE_BROWSER=1`, see README.md).
//!
//! Inputs are built with `JSON.parse`, as a page would pass them, and errors are read back as JS
//! `Error` messages.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, reason = "tests")]

use equitas_wasm::{classify_person, imd_quintile, is_core20_decile};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A JS value from JSON text, like an object a page passes in.
fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// A returned JS value read back as JSON.
fn json(value: &JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value.clone()).unwrap()
}

/// The message of the JS `Error` a `JsError` becomes.
fn message(error: JsError) -> String {
    let error: js_sys::Error = JsValue::from(error).dyn_into().unwrap();
    error.message().into()
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

#[wasm_bindgen_test]
fn adult_with_smi_in_decile_two_is_core20_with_the_smi_area() {
    let record = js(r#"{"id": "p1", "age": 47, "imd_decile": 2, "conditions": ["smi"]}"#);
    let result = classify_person(record).unwrap();

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
    let first = json(&classify_person(js(record)).unwrap());
    let second = json(&classify_person(js(record)).unwrap());
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
        let text = match classify_person(js(record)) {
            Ok(report) => panic!("{record} was accepted: {}", json(&report)),
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
    let text = message(classify_person(js(r#"{"id": "p7", "age": 130}"#)).unwrap_err());
    assert!(names_number(&text, 130), "{text}");
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
