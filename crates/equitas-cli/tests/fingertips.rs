//! `equitas sii|lifetable|proportion|rate|dsr` as a user runs them: outputs on the example
//! inputs, exit codes and messages that name the row, column and value.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{equitas, equitas_stdin, text};

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../seeds/examples")
        .join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

/// A reference vector from `../shared/reference/vectors/` (beside the clone).
fn vector(name: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/vectors")
        .join(name);
    let text = std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (../shared must be beside the clone)", p.display()));
    serde_json::from_str(&text).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// An example input with a group `reference` put first, built from a reference vector's inputs
/// (the project does not keep copies of them), written to a file for the command to read.
fn with_reference(example_name: &str, reference_rows: &[String]) -> String {
    let example = std::fs::read_to_string(example(example_name)).unwrap();
    let (header, rest) = example.split_once('\n').unwrap();
    let mut csv = format!("{header}\n");
    for row in reference_rows {
        csv.push_str(&format!("reference,{row}\n"));
    }
    csv.push_str(rest);
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("reference-{example_name}"));
    std::fs::write(&p, csv).unwrap();
    p.to_string_lossy().into_owned()
}

/// `sii-deciles.csv` with PHE's Area1 (`phe_sii_deciles.json`) as group `reference`.
fn sii_input() -> String {
    let v = vector("phe_sii_deciles.json");
    let a = &v["areas"][0];
    let (pop, val, se) = (
        numbers(&a["population"]),
        numbers(&a["value"]),
        numbers(&a["se"]),
    );
    let rows: Vec<String> = (0..pop.len())
        .map(|i| format!("{},{},{},{}", i + 1, pop[i], val[i], se[i]))
        .collect();
    with_reference("sii-deciles.csv", &rows)
}

/// `lifetable.csv` with PHE's df1 (`chiang_life_table.json`) as group `reference`.
fn lifetable_input() -> String {
    let v = vector("chiang_life_table.json");
    let i = &v["input"];
    let (ages, pop, deaths) = (
        numbers(&i["start_age"]),
        numbers(&i["population"]),
        numbers(&i["deaths"]),
    );
    let rows: Vec<String> = (0..ages.len())
        .map(|k| format!("{},{},{}", ages[k], pop[k], deaths[k]))
        .collect();
    with_reference("lifetable.csv", &rows)
}

fn json(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn fingertips_help_for_each_command() {
    for cmd in ["sii", "lifetable", "proportion", "rate", "dsr"] {
        let out = equitas(&[cmd, "--help"]);
        assert!(out.status.success());
        let s = text(&out.stdout);
        assert!(
            s.contains("Example:") && s.contains("--input"),
            "{cmd}: {s}"
        );
    }
}

#[test]
fn fingertips_sii_json_matches_reference_and_is_deterministic() {
    let file = sii_input();
    let args = [
        "sii",
        "--input",
        &file,
        "--group-by",
        "area",
        "--format",
        "json",
        "--seed",
        "3",
    ];
    let a = equitas(&args);
    let rows = json(&a);
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(r["area"], "reference");
    assert!((r["sii"].as_f64().unwrap() - 6.934_616_473_668_819).abs() < 1e-8);
    assert!((r["intercept"].as_f64().unwrap() - 78.076_630_8).abs() < 1e-6);
    let lo = r["sii_lower"].as_f64().unwrap();
    assert!(
        (lo - 3.127_594_617_650_817).abs() / 3.127_594_617_650_817 < 0.05,
        "{lo}"
    );
    assert!(r["reason"].is_null());
    assert_eq!(equitas(&args).stdout, a.stdout, "same seed, same output");
    let mut one_thread = args.to_vec();
    one_thread.extend(["--threads", "1"]);
    assert_eq!(
        equitas(&one_thread).stdout,
        a.stdout,
        "the same limits on one thread as on every core"
    );
    // The closed-form limits, as the reference spec prints them (4 decimals).
    let mut with_analytic = args.to_vec();
    with_analytic.push("--analytic");
    let rows = json(&equitas(&with_analytic));
    let lo = rows[0]["sii_lower_analytic"].as_f64().unwrap();
    let hi = rows[0]["sii_upper_analytic"].as_f64().unwrap();
    assert!(
        (lo - 3.0899).abs() < 5e-5 && (hi - 10.7793).abs() < 5e-5,
        "{lo} {hi}"
    );
    // Two levels: suffixed limit names.
    let out = equitas(&[
        "sii",
        "--input",
        &file,
        "--group-by",
        "area",
        "--format",
        "json",
        "--confidence",
        "95,99.8",
        "--repetitions",
        "2000",
    ]);
    let rows = json(&out);
    for key in [
        "sii_lower_95_0",
        "sii_upper_99_8",
        "rii_lower_99_8",
        "rii_upper_95_0",
    ] {
        assert!(rows[1][key].is_number(), "{key} in {}", rows[1]);
    }
}

#[test]
fn fingertips_sii_reports_groups_missing_quantiles() {
    let mut csv = String::from("area,quantile,population,value,se\n");
    for q in 1..=5 {
        csv.push_str(&format!("A,{q},1000,{},1\n", 70 + q));
        if q != 3 {
            csv.push_str(&format!("B,{q},1000,{},1\n", 70 + q));
        }
    }
    let out = equitas_stdin(
        &[
            "sii",
            "--input",
            "-",
            "--group-by",
            "area",
            "--format",
            "json",
            "--repetitions",
            "1000",
        ],
        &csv,
    );
    let rows = json(&out);
    assert!(rows[0]["sii"].is_number());
    assert!(rows[1]["sii"].is_null());
    assert_eq!(
        rows[1]["reason"],
        "quantiles [3] are missing (expected 1 to 5)"
    );
}

#[test]
fn fingertips_bad_input_names_row_column_and_value() {
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["proportion", "--input", "-"],
            "x,n\n3,10\n4,x1\n",
            "row 3, column n: \"x1\" is not a number",
        ),
        (
            &["proportion", "--input", "-"],
            "x,n\n12,10\n",
            "the input (row 2): the numerator 12 is greater than the denominator 10",
        ),
        (
            &["sii", "--input", "-", "--group-by", "area"],
            "area,quantile,population,value,se\nA,1,9,70,1\nA,2,9,71,-1\nA,3,9,72,1\nA,4,9,73,1\nA,5,9,74,1\n",
            "group area=A (row 3): the standard error of quantile 2 must be zero or more, got -1",
        ),
        (
            &["rate", "--input", "-"],
            "x,pop\n3,10\n",
            "the input has no column \"population\"; its columns are x,pop",
        ),
        (
            &["lifetable", "--input", "-"],
            "start_age,population,deaths\n0.5,10,1\n",
            "row 2, column start_age: 0.5 is not a whole number of years",
        ),
    ];
    for (args, input, want) in cases {
        let out = equitas_stdin(args, input);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let out = equitas(&[
        "sii",
        "--confidence",
        "0.5,0.95",
        "--input",
        &example("sii-deciles.csv"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("got 0.5"),
        "{}",
        text(&out.stderr)
    );
    let out = equitas(&["dsr", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fingertips_lifetable_rate_proportion_dsr_outputs() {
    let out = equitas(&[
        "lifetable",
        "--input",
        &lifetable_input(),
        "--group-by",
        "area",
        "--format",
        "json",
    ]);
    let rows = json(&out);
    assert_eq!(rows.len(), 40);
    assert_eq!(rows[0]["start_age"], 0);
    assert!((rows[0]["value"].as_f64().unwrap() - 80.169_608_13).abs() < 5e-5);
    assert!((rows[0]["lower"].as_f64().unwrap() - 79.882_685_48).abs() < 5e-5);
    assert_eq!(rows[20]["reason"], "total population 1971 is 5,000 or less");

    let out = equitas(&[
        "rate",
        "--input",
        &example("rate.csv"),
        "--group-by",
        "area",
        "--format",
        "json",
    ]);
    let rows = json(&out);
    assert!((rows[0]["upper"].as_f64().unwrap() - 34.169_606_902_838_34).abs() < 1e-8);

    let out = equitas(&[
        "proportion",
        "--input",
        &example("proportion.csv"),
        "--group-by",
        "area",
        "--format",
        "json",
        "--confidence",
        "0.95,0.998",
    ]);
    let rows = json(&out);
    assert!((rows[0]["lower_95_0"].as_f64().unwrap() - 0.552_544_432_97).abs() < 1e-9);
    assert!((rows[0]["upper_99_8"].as_f64().unwrap() - 0.778_354_061_4).abs() < 1e-9);
    assert_eq!(rows[1]["x"], 1057, "rows of a group are summed");

    let out = equitas(&["dsr", "--input", &example("dsr.csv"), "--group-by", "area"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.starts_with("area,x,value,lower,upper,reason\n"), "{s}");
    assert!(
        s.contains(
            "synthetic_tiny,3,,,,\"total count 3 is below 10, so the rate is not computed\""
        ),
        "{s}"
    );
}
