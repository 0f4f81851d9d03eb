//! `equitas measures` as a user runs it.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use approx::assert_abs_diff_eq;
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
    assert_abs_diff_eq!(ratio, 1000.0, epsilon = 1e-9);
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
    common::assert_missing(&equitas(&["measures"]), "--input <FILE>");
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

/// Issue 14: every breakdown goes to the measures as HEAT Plus dimensions, each with the 21
/// measures, ordered where the dimension is ordered: `cohorts --by … --csv-table heat-plus`
/// and then `measures`, end to end.
#[test]
fn every_breakdown_feeds_the_measures() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("people.csv");
    let synth = equitas(&[
        "synth",
        "--people",
        "30000",
        "--seed",
        "14",
        "--out",
        records.to_str().unwrap(),
    ]);
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    let cohorts = equitas(&[
        "cohorts",
        "--records",
        records.to_str().unwrap(),
        "--by",
        "ethnicity:imd-quintile,age-band",
        "--by",
        "sex,imd-quintile",
        "--format",
        "csv",
        "--csv-table",
        "heat-plus",
    ]);
    assert!(cohorts.status.success(), "{}", text(&cohorts.stderr));
    let out = equitas_stdin(
        &["measures", "--input", "-", "--format", "json"],
        &cohorts.stdout,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut per_stratum = std::collections::BTreeMap::<(String, String), Vec<String>>::new();
    for r in &rows {
        per_stratum
            .entry((r["indicator_abbr"].to_string(), r["dimension"].to_string()))
            .or_default()
            .push(r["measure"].as_str().unwrap().to_owned());
    }
    let dimensions: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["dimension"].as_str().unwrap())
        .collect();
    for want in [
        "IMD quintile",
        "IMD quintile (Ethnic group: white)",
        "IMD quintile (Ethnic group: asian)",
        "Age band",
        "Sex",
    ] {
        assert!(dimensions.contains(want), "{want} not in {dimensions:?}");
    }
    // The one-way imd-quintile breakdown is the ambitions' own stratum, not a second copy.
    assert_eq!(
        dimensions.iter().filter(|d| **d == "IMD quintile").count(),
        1
    );
    for (key, measures) in &per_stratum {
        assert_eq!(measures.len(), 21, "{key:?}: {measures:?}");
    }
    let sii = |dimension: &str| {
        rows.iter()
            .find(|r| {
                r["dimension"] == dimension
                    && r["measure"] == "sii"
                    && r["indicator_abbr"] == "htn_treated_to_target"
            })
            .unwrap()
            .clone()
    };
    // Ordered dimensions get the ordered measures; unordered ones say why not.
    assert!(
        sii("Age band")["estimate"].is_number(),
        "{}",
        sii("Age band")
    );
    assert!(
        sii("IMD quintile (Ethnic group: white)")["estimate"].is_number(),
        "{}",
        sii("IMD quintile (Ethnic group: white)")
    );
    assert_eq!(sii("Sex")["reason"], "the dimension is not ordered");
}

/// Issue 12 finding 6 (and 11 for `--confidence`): every numeric option has a range, from core's
/// named limits, and a value outside it is a usage error (exit 2) that says the range; none
/// panics (2^64 − 1 simulations did, exit 101), tries to hold a billion simulated datasets
/// (which grew to 24 GB), or gives blank limits with no reason (a confidence of
/// 0.9999999999999999).
#[test]
fn numeric_options_have_ranges_and_say_them() {
    use equitas_core::measures::{MAX_CONFIDENCE, MAX_SEED, MAX_SIMULATIONS, MIN_SIMULATIONS};
    let run = |flag: &str, value: &str| {
        let out = equitas(&["measures", "--input", &example(), flag, value]);
        (out.status.code(), text(&out.stderr))
    };
    // Clap's messages since issue 13: the flag, the value and the range.
    let bad = |flag: &str, value: &str, allowed: &str| {
        let out = equitas(&["measures", "--input", &example(), flag, value]);
        common::assert_bad_value(&out, flag, value, allowed);
    };
    let simulations = format!("not a whole number from {MIN_SIMULATIONS} to {MAX_SIMULATIONS}");
    for v in [
        "1000000000",
        "18446744073709551615",
        "18446744073709551616",
        "1",
        "1e9",
        "-5",
    ] {
        bad("--simulations", v, &simulations);
    }
    let confidence = format!(
        "the confidence level must be greater than 0 and at most {MAX_CONFIDENCE} (a fixed limit)"
    );
    for v in ["0.9999999999999999", "1", "0", "-0.5", "NaN", "inf", "95%"] {
        bad("--confidence", v, &confidence);
    }
    let seed = format!("not a whole number from 0 to {MAX_SEED}");
    for v in ["18446744073709551616", "-1", "1.5"] {
        bad("--seed", v, &seed);
    }
    // The ends of each range work.
    for (flag, v) in [
        ("--seed", "18446744073709551615"),
        ("--seed", "0"),
        ("--confidence", "0.999999"),
        ("--simulations", "2"),
    ] {
        let (code, err) = run(flag, v);
        assert_eq!(code, Some(0), "{flag} {v}: {err}");
    }
    // The help says the ranges.
    let help = text(&equitas(&["measures", "--help"]).stdout);
    for range in [
        format!("0 to {MAX_SEED}"),
        format!("{MIN_SIMULATIONS} to {MAX_SIMULATIONS}"),
        format!("at most {MAX_CONFIDENCE}"),
    ] {
        assert!(help.contains(&range), "{range}: {help}");
    }
}

/// Issue 12 finding 6: under a 2 GB address-space limit, `--simulations 1000000000` ends with a
/// clean usage error (it grew to 24 GB and was killed), and the largest number allowed runs
/// within the limit, because simulated copies are drawn one at a time.
#[cfg(unix)]
#[test]
fn simulations_stay_within_two_gigabytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("three.csv");
    std::fs::write(
        &file,
        "setting,date,source,indicator_abbr,dimension,subgroup,estimate,se,population,favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup\n\
         A,2024,s,x,Sex,a,10,6,1000,1,100,0,0,0\n\
         A,2024,s,x,Sex,b,20,6,1000,1,100,0,0,0\n\
         A,2024,s,x,Sex,c,30,6,1000,1,100,0,0,0\n",
    )
    .unwrap();
    let limited = |simulations: &str| {
        std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(r#"ulimit -v 2000000 && exec "$0" measures --input "$1" --measures idisu,bgsd --simulations "$2""#)
            .arg(env!("CARGO_BIN_EXE_equitas"))
            .arg(&file)
            .arg(simulations)
            .output()
            .unwrap()
    };
    let out = limited("1000000000");
    common::assert_bad_value(
        &out,
        "--simulations",
        "1000000000",
        "not a whole number from 2 to 1000000",
    );
    let most = equitas_core::measures::MAX_SIMULATIONS.to_string();
    let out = limited(&most);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // Both measures have limits (columns ci_lb and ci_ub).
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(!cells[8].is_empty() && !cells[9].is_empty(), "{line}");
    }
}

/// Issue 12 findings 12 and 7: a bad row after a blank line is reported at the row a spreadsheet
/// shows; a file of many bad rows lists the first 1,000 problems by row and counts the rest
/// (`heat_plus::MAX_LISTED_PROBLEMS`), so the list cannot take more memory than the file.
#[test]
fn bad_rows_are_numbered_as_a_spreadsheet_shows_them_and_listed_up_to_a_limit() {
    let header = "setting,date,source,indicator_abbr,dimension,subgroup,estimate,favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup";
    let csv = format!(
        "{header}\r\nA,2024,s,x,Sex,F,3,1,100,0,0,0\r\n\r\nA,2024,s,x,Sex,M,abc,1,100,0,0,0\r\n"
    );
    let out = equitas_stdin(&["measures", "--input", "-"], csv);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("1 problem in the HEAT Plus file:\n  row 4, column estimate: is not a number (value \"abc\")"),
        "{err}"
    );

    let mut many = String::from(header);
    for j in 0..1500 {
        many.push_str(&format!("\nA,2024,s,x,Sex,g{j},abc,1,100,0,0,0"));
    }
    let out = equitas_stdin(&["measures", "--input", "-"], many);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("1500 problems in the HEAT Plus file:"),
        "{err}"
    );
    assert!(err.contains("  row 1001, column estimate"), "{err}");
    assert!(!err.contains("  row 1002, column estimate"), "{err}");
    assert!(
        err.contains("… and 500 more, not listed: only the first 1000 by row are (a fixed limit)"),
        "{err}"
    );
}

fn over_time_example() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../seeds/examples/heat-plus-over-time.csv");
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

/// Issue 15: five yearly dates of SYNTHETIC flu uptake by IMD quintile whose gradient shrinks
/// (D from 12.8 to 6.4 points): `--over-time` says the gap narrowed, with D's change and the
/// recent trend (decreasing); smoking by sex, unchanged, says no significant change. A file
/// with one date per stratum gives the header only.
#[test]
fn over_time_says_whether_the_gap_narrowed() {
    let out = equitas(&[
        "measures",
        "--input",
        &over_time_example(),
        "--over-time",
        "--measures",
        "d,sii",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "setting,source,indicator_abbr,dimension,measure,first_date,last_date,first,last,change,change_lb,change_ub,verdict,trend,trend_reason,dates"
    );
    assert_eq!(lines.len(), 1 + 2 * 2);
    let d: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(
        d[..7],
        [
            "Synthetic ICB",
            "SYNTHETIC example",
            "flu65",
            "IMD quintile",
            "D",
            "2021",
            "2025"
        ]
    );
    assert_abs_diff_eq!(d[7].parse::<f64>().unwrap(), 12.8, epsilon = 1e-9);
    assert_abs_diff_eq!(d[8].parse::<f64>().unwrap(), 6.4, epsilon = 1e-9);
    assert_abs_diff_eq!(d[9].parse::<f64>().unwrap(), -6.4, epsilon = 1e-9);
    assert_eq!(d[12..14], ["the gap narrowed", "decreasing"]);
    assert!(lines[2].contains(",SII,") && lines[2].contains("the gap narrowed"));
    assert!(lines[3].starts_with("Synthetic ICB,SYNTHETIC example,smoke,Sex,D,"));
    assert!(lines[3].contains(",no significant change,no significant change,"));
    // JSON: every date's values and each subgroup's series.
    let out = equitas(&[
        "measures",
        "--input",
        &over_time_example(),
        "--over-time",
        "--measures",
        "sii",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let flu = &v[0];
    assert_eq!(flu["dates"].as_array().unwrap().len(), 5);
    assert_eq!(flu["subgroups"].as_array().unwrap().len(), 5);
    assert_eq!(flu["measures"].as_array().unwrap().len(), 1);
    assert_eq!(flu["verdict"], "narrowed");
    assert_eq!(flu["measures"][0]["trend"]["marker"], "decreasing");
    let out = equitas(&["measures", "--input", &example(), "--over-time"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 1);
}

/// The cohort report's HEAT Plus table that the browser test loads into an evidence table
/// (`www/tests/fixtures/cohort-heat-plus.csv`) is what `equitas demo --by sex --csv-table
/// heat-plus` writes, bar the date column (the day it was made), and core's evidence reader
/// takes its strata: listed when none is named, suppressed subgroups without an estimate.
#[test]
fn the_browsers_cohort_heat_plus_fixture_is_the_clis_output() {
    let out = equitas(&[
        "demo",
        "--people",
        "2000",
        "--by",
        "sex",
        "--format",
        "csv",
        "--csv-table",
        "heat-plus",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../www/tests/fixtures/cohort-heat-plus.csv");
    let fixture = std::fs::read_to_string(&path).unwrap();
    // Every line with its second cell (the date) left out: no cell before it holds a comma.
    let undated = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| {
                let (setting, rest) = l.split_once(',').unwrap();
                let (_date, rest) = rest.split_once(',').unwrap();
                format!("{setting},{rest}")
            })
            .collect()
    };
    assert_eq!(
        undated(&text(&out.stdout)),
        undated(&fixture),
        "regenerate the fixture: equitas demo --people 2000 --by sex --format csv --csv-table heat-plus"
    );

    use equitas_core::io::evidence::{EvidenceTextError, read_with};
    let Err(EvidenceTextError::ChooseStratum { strata, more }) = read_with(&fixture, None, None)
    else {
        panic!("a choice of strata");
    };
    assert_eq!((strata.len(), more), (26, 0));
    assert!(
        strata[2]
            .label
            .starts_with("Flu vaccination (COPD) by IMD quintile, national, "),
        "{:?}",
        strata[2]
    );
    let flu = read_with(&fixture, None, Some(3)).unwrap();
    let estimates: Vec<Option<f64>> = flu.rows.iter().map(|r| r.estimate).collect();
    assert!(estimates[0].is_some(), "{estimates:?}");
    assert_eq!(
        estimates[1..],
        [None; 4],
        "suppressed: no estimate, never 0"
    );
    assert_eq!(flu.heat_plus.unwrap().without_estimate.len(), 4);
}
