//! `equitas cohorts --period-by` and `equitas merge` of counts by period (issue 15): the cohort
//! report per period, each ambition over time, saved counts that carry their period, and
//! disclosure control of the exports.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::{equitas, text};

const HEADER: &str = "person_id,age,sex,ethnicity,lsoa,conditions,groups,events,imd_decile,date\n";

/// People with SMI, `n` per decile in each of `dates`, the first `checked[i]` of each decile
/// with a health check in period i.
fn records(dates: &[&str], n: usize, checked: &[usize]) -> String {
    let mut csv = HEADER.to_owned();
    for (i, date) in dates.iter().enumerate() {
        for d in 1..=10 {
            for k in 0..n {
                let event = if k < checked[i] {
                    "smi_health_check"
                } else {
                    ""
                };
                writeln!(csv, "p{d}-{k},40,female,A,,smi,,{event},{d},{date}").unwrap();
            }
        }
    }
    csv
}

fn tmp(name: &str, body: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("periods");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn run(args: &[&str]) -> String {
    let out = equitas(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run(args)).unwrap()
}

#[test]
fn two_financial_years_give_each_ambitions_change() {
    // 100 per decile; 50 then 70 checked: 50% -> 70% everywhere, so no gap either time.
    let p = tmp(
        "two.csv",
        &records(&["2023-06-01", "2024-06-01"], 100, &[50, 70]),
    );
    let p = p.to_str().unwrap();
    let v = json(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--format",
        "json",
        "--suppress",
        "none",
    ]);
    assert_eq!(v["period_by"], "fy");
    assert_eq!(
        (v["baseline"].as_str(), v["latest"].as_str()),
        (Some("2023/24"), Some("2024/25"))
    );
    let periods = v["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[1]["report"]["total"]["people"], 1000);
    let smi = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "smi_health_check")
        .unwrap();
    let d = smi["change"]["difference"]["value"].as_f64().unwrap();
    assert!((d - 20.0).abs() < 1e-9, "{d}");
    assert_eq!(smi["change"]["direction"], "increased");
    assert_eq!(smi["trend"]["marker"], "cannot_be_calculated");
    assert!(
        smi["trend"]["reason"]
            .as_str()
            .unwrap()
            .contains("fewer than 5 points (2)")
    );
    assert_eq!(smi["gap_change"]["verdict"], "no_significant_change");
    // The catalogue's SMI target (60%) has no date: no status, and why.
    assert_eq!(smi["status_reason"], "the target has no date");

    let csv = run(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--format",
        "csv",
        "--csv-table",
        "changes",
        "--suppress",
        "none",
    ]);
    let row = csv
        .lines()
        .find(|l| l.starts_with("smi_health_check,"))
        .unwrap();
    assert!(
        row.contains(",2023/24,2024/25,50.000000,70.000000,20.000000,"),
        "{row}"
    );
    let table = run(&["cohorts", "--records", p, "--period-by", "fy"]);
    assert!(
        table.contains("=== Period 2023/24 (--period-by fy) ==="),
        "{table}"
    );
    assert!(table.contains("Ambitions over time: 2023/24 (baseline) to 2024/25, 2 periods"));
    // Every table meant to leave the machine gets a period column.
    let amb = run(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--format",
        "csv",
        "--csv-table",
        "ambitions",
    ]);
    assert!(amb.starts_with("period,metric,"), "{amb}");
    assert!(
        amb.lines()
            .any(|l| l.starts_with("2024/25,smi_health_check,"))
    );
}

#[test]
fn saved_counts_by_period_merge_to_the_whole_and_refuse_older_files() {
    let dates = ["2022-07-01", "2023-07-01", "2024-07-01"];
    let whole = records(&dates, 12, &[3, 6, 9]);
    let mut lines: Vec<&str> = whole.lines().skip(1).collect();
    // Any split: every third row to one file, the rest to the other.
    let (mut a, mut b) = (HEADER.to_owned(), HEADER.to_owned());
    for (i, l) in lines.drain(..).enumerate() {
        let f = if i % 3 == 0 { &mut a } else { &mut b };
        f.push_str(l);
        f.push('\n');
    }
    let (pw, pa, pb) = (tmp("whole.csv", &whole), tmp("a.csv", &a), tmp("b.csv", &b));
    let save = |p: &PathBuf, name: &str| {
        let out = tmp(name, "");
        run(&[
            "cohorts",
            "--records",
            p.to_str().unwrap(),
            "--period-by",
            "year",
            "--format",
            "json",
            "--save-counts",
            out.to_str().unwrap(),
        ]);
        out
    };
    let (cw, ca, cb) = (
        save(&pw, "whole.json"),
        save(&pa, "a.json"),
        save(&pb, "b.json"),
    );
    let merged = json(&[
        "merge",
        cb.to_str().unwrap(),
        ca.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let counted = json(&["merge", cw.to_str().unwrap(), "--format", "json"]);
    assert_eq!(merged["periods"], counted["periods"]);
    assert_eq!(merged["changes"], counted["changes"]);
    let labels: Vec<&str> = merged["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2022", "2023", "2024"]);

    // A file without periods (version 1) merges with its kind, not with counts by period.
    let old = tmp("old.json", "");
    run(&[
        "cohorts",
        "--records",
        pw.to_str().unwrap(),
        "--format",
        "json",
        "--save-counts",
        old.to_str().unwrap(),
    ]);
    assert!(
        std::fs::read_to_string(&old)
            .unwrap()
            .contains(r#""version":1"#)
    );
    let v = json(&[
        "merge",
        old.to_str().unwrap(),
        old.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // Without --period-by a person is counted once (their rows in later periods are repeats):
    // 120 people, twice.
    assert_eq!(v["report"]["total"]["people"], 2 * 120);
    let out = equitas(&["merge", ca.to_str().unwrap(), old.to_str().unwrap()]);
    assert!(!out.status.success());
    let e = text(&out.stderr);
    assert!(
        e.contains("old.json: counts by period (--period-by year) cannot be merged with counts without periods (counted without --period-by, or an older counts file of version 1)"),
        "{e}"
    );
}

#[test]
fn period_errors_name_the_row_column_value_and_flag() {
    let p = tmp(
        "nodate.csv",
        "person_id,age,sex,ethnicity,lsoa,conditions,groups\np1,4,male,A,,,\n",
    );
    let out = equitas(&[
        "cohorts",
        "--records",
        p.to_str().unwrap(),
        "--period-by",
        "fy",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("has no date column, which --period-by fy reads"));
    let p = tmp(
        "baddate.csv",
        &format!("{HEADER}p1,40,female,A,,smi,,,1,2024-02-30\n"),
    );
    let out = equitas(&[
        "cohorts",
        "--records",
        p.to_str().unwrap(),
        "--period-by",
        "year",
        "--strict",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(
        e.contains(r#"row 2, column "date": "2024-02-30" is not a date"#),
        "{e}"
    );
    let out = equitas(&[
        "cohorts",
        "--records",
        p.to_str().unwrap(),
        "--period-by",
        "month",
    ]);
    common::assert_bad_value(&out, "--period-by", "month", "fy (NHS financial year");
}

#[test]
fn changes_made_from_a_suppressed_count_are_withheld_from_exports() {
    // 10 per decile: Core20 has 20 people with SMI, 2 then 6 of them checked in the two
    // periods (counts of 1 to 7 are suppressed under nhs-digital).
    let p = tmp(
        "small.csv",
        &records(&["2023-06-01", "2024-06-01"], 10, &[1, 3]),
    );
    let p = p.to_str().unwrap();
    let csv = run(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--format",
        "csv",
        "--csv-table",
        "changes",
    ]);
    let row = csv
        .lines()
        .find(|l| l.starts_with("smi_health_check,"))
        .unwrap();
    assert!(row.contains("withheld: a count it is made from (core20, period 2023/24) is suppressed under nhs-digital"), "{row}");
    assert!(!row.contains("10.000000"), "{row}");
    let open = run(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--format",
        "csv",
        "--csv-table",
        "changes",
        "--suppress",
        "none",
    ]);
    let row = open
        .lines()
        .find(|l| l.starts_with("smi_health_check,"))
        .unwrap();
    assert!(row.contains(",10.000000,30.000000,20.000000,"), "{row}");
}

#[test]
fn a_local_dated_target_gives_a_status_and_breakdowns_come_per_period() {
    // 50% then 70% of 1,000 people with SMI; a local target of 80% by 2028-03-31.
    let p = tmp(
        "local.csv",
        &records(&["2023-06-01", "2024-06-01"], 100, &[50, 70]),
    );
    let def = tmp(
        "local.json",
        r#"{"id": "local-smi", "label": "A dated local SMI target", "version": 1,
            "extends": "national",
            "targets": [{"metric": "smi_health_check", "at_least": 0.8, "by": "2028-03-31"}]}"#,
    );
    let (p, def) = (p.to_str().unwrap(), def.to_str().unwrap());
    let v = json(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--definition",
        def,
        "--by",
        "sex",
        "--format",
        "json",
        "--suppress",
        "none",
    ]);
    let smi = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "smi_health_check")
        .unwrap();
    assert_eq!(smi["target_is_local"], true);
    assert_eq!(smi["target_by"], "2028-03-31");
    // 50% (2023.5) to 70% (2024.5): 20 points a year, 80% needs 30/4.5 = 6.67 a year; the line
    // reaches 140% by 2028, far above the target: on track.
    let st = &smi["status"];
    assert_eq!(st["status"], "on_track");
    let need = st["required_annual_change"].as_f64().unwrap();
    assert!((need - 30.0 / 4.5).abs() < 1e-9, "{need}");
    let slope = st["observed_annual_change"]["value"].as_f64().unwrap();
    assert!((slope - 20.0).abs() < 1e-9, "{slope}");
    // Each period's report has the breakdown by sex, its cells adding up to the period.
    for p in v["periods"].as_array().unwrap() {
        let b = &p["report"]["breakdowns"][0];
        assert_eq!(b["id"], "sex", "{b}");
    }
    let csv = run(&[
        "cohorts",
        "--records",
        p,
        "--period-by",
        "fy",
        "--by",
        "sex",
        "--format",
        "csv",
        "--csv-table",
        "breakdowns",
        "--suppress",
        "none",
    ]);
    assert!(csv.starts_with("period,"), "{csv}");
    for period in ["2023/24", "2024/25"] {
        assert!(
            csv.lines()
                .any(|l| l.starts_with(&format!("{period},sex,"))),
            "{period}"
        );
    }
}

#[test]
fn heat_plus_by_period_is_a_time_series_for_measures() {
    let p = tmp(
        "series.csv",
        &records(
            &["2022-06-01", "2023-06-01", "2024-06-01"],
            100,
            &[40, 55, 70],
        ),
    );
    let hp = run(&[
        "cohorts",
        "--records",
        p.to_str().unwrap(),
        "--period-by",
        "fy",
        "--format",
        "csv",
        "--csv-table",
        "heat-plus",
        "--suppress",
        "none",
    ]);
    // One header, then each period's rows with the period as the date.
    assert_eq!(
        hp.lines()
            .filter(|l| l.starts_with("setting,date,"))
            .count(),
        1
    );
    for period in ["2022/23", "2023/24", "2024/25"] {
        assert!(
            hp.lines().any(|l| l.contains(&format!(",{period},"))),
            "{period}"
        );
    }
    let path = tmp("series-heat-plus.csv", &hp);
    let out = run(&["measures", "--input", path.to_str().unwrap(), "--over-time"]);
    // Read as one series of three dates per indicator, dimension and measure.
    let d = out
        .lines()
        .find(|l| l.contains(",smi_health_check,IMD quintile,D,2022/23,2024/25,"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(d.ends_with(",3"), "{d}");
}
