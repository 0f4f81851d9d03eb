//! `equitas measures` as a user runs it.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::PathBuf;

use common::{equitas, equitas_stdin, text};

fn example() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../seeds/examples/heat-plus-synthetic.csv");
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

#[test]
fn json_has_one_object_per_stratum_and_measure() {
    let out = equitas(&[
        "measures",
        "--input",
        &example(),
        "--measures",
        "d,r,sii,mdru",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4 * 4);
    // The objects' keys, in the order written.
    let first = text(&out.stdout);
    let first = &first[..first.find('}').unwrap()];
    let expected = [
        "setting",
        "date",
        "source",
        "indicator_abbr",
        "dimension",
        "measure",
        "estimate",
        "se",
        "ci_lb",
        "ci_ub",
        "reason",
    ];
    let positions: Vec<usize> = expected
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(rows[0].as_object().unwrap().len(), expected.len());
    assert_eq!(rows[0]["measure"], "d");
    assert_eq!(rows[0]["dimension"], "IMD quintile");
    assert!(rows[0]["estimate"].is_number() && rows[0]["reason"].is_null());
    // MDRU on the IMD quintiles: no reference subgroup, so a reason and no estimate.
    assert_eq!(rows[3]["measure"], "mdru");
    assert!(rows[3]["estimate"].is_null());
    assert_eq!(rows[3]["reason"], "no reference subgroup is flagged");
}

#[test]
fn csv_by_default_and_seed_changes_simulated_intervals_only() {
    let run = |seed: &str| {
        let out = equitas(&["measures", "--input", &example(), "--seed", seed]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let (a, b, c) = (run("123456"), run("123456"), run("9"));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.starts_with(
        "setting,date,source,indicator_abbr,dimension,measure,estimate,se,ci_lb,ci_ub,reason\n"
    ));
    assert_eq!(a.lines().count(), 1 + 4 * 21);
    // Analytic measures do not depend on the seed.
    let line = |s: &str, m: &str| {
        s.lines()
            .find(|l| l.contains(&format!("Ethnicity,{m},")))
            .unwrap()
            .to_owned()
    };
    assert_eq!(line(&a, "bgv"), line(&c, "bgv"));
    assert_ne!(line(&a, "bgsd"), line(&c, "bgsd"));
}

#[test]
fn compat_corrected_scales_theil_se() {
    let get = |compat: &str| {
        let out = equitas(&[
            "measures",
            "--input",
            &example(),
            "--measures",
            "ti",
            "--compat",
            compat,
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v[1]["se"].as_f64().unwrap()
    };
    let ratio = get("corrected") / get("heat-v6");
    assert!((ratio - 1000.0).abs() < 1e-9, "{ratio}");
}

#[test]
fn reads_standard_input() {
    let data = std::fs::read(example()).unwrap();
    let out = equitas_stdin(&["measures", "--input", "-", "--measures", "d"], data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 5);
}

#[test]
fn bad_input_and_options_fail_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "setting,date,source,indicator_abbr,dimension,subgroup,estimate,favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup\n\
         A,2024,s,x,Sex,F,abc,1,100,0,0,0\n\
         A,2024,s,x,Sex,M,3,yes,100,0,0,0\n",
    )
    .unwrap();
    let out = equitas(&["measures", "--input", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("row 2, column estimate: is not a number (value \"abc\")"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column favourable_indicator: must be 0 or 1 (value \"yes\")"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = equitas(&["measures", "--input", &example(), "--measures", "d,gini"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown measure \"gini\""),
        "{}",
        text(&out.stderr)
    );
    let out = equitas(&["measures", "--input", &example(), "--compat", "heat-v5"]);
    assert_eq!(out.status.code(), Some(2));
    let out = equitas(&["measures", "--input", "/nonexistent/file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot open /nonexistent/file.csv"));
    let out = equitas(&["measures"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--input is required"));
}

#[test]
fn help_has_an_example_that_runs() {
    let out = equitas(&["measures", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(
        help.contains("seeds/examples/heat-plus-synthetic.csv"),
        "{help}"
    );
    assert!(help.contains("--compat"));
}

/// The cohort report's ambition rates go straight into the measures: `demo --csv-table
/// heat-plus` writes the HEAT Plus layout, and `measures` reads it.
#[test]
fn cohort_ambitions_feed_the_measures() {
    let demo = equitas(&[
        "demo",
        "--people",
        "20000",
        "--format",
        "csv",
        "--csv-table",
        "heat-plus",
    ]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let csv = text(&demo.stdout);
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("setting,date,source,indicator_abbr,indicator_name,dimension"));
    let first = csv.lines().nth(1).unwrap();
    assert!(
        first.contains(",IMD quintile,Quintile 1 (most deprived),"),
        "{first}"
    );

    let out = equitas_stdin(
        &[
            "measures",
            "--input",
            "-",
            "--measures",
            "sii",
            "--format",
            "json",
        ],
        &demo.stdout,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    // One SII per ambition metric, each on an IMD quintile stratum dated YYYY-MM-DD.
    assert!(rows.len() >= 5, "{rows:?}");
    for r in &rows {
        assert_eq!(r["dimension"], "IMD quintile");
        let date = r["date"].as_str().unwrap();
        assert!(date.len() == 10 && date.as_bytes()[4] == b'-', "{date}");
        assert!(r["estimate"].is_number() || r["reason"].is_string(), "{r}");
    }
}
