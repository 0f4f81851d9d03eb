//! The `equitas` binary as a user runs it: exit codes, messages, outputs.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::PathBuf;

use common::{equitas, text};

fn imd(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/imd")
        .join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

#[test]
fn demo_runs_on_built_in_defaults() {
    let out = equitas(&["demo", "--people", "20000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("SYNTHETIC demo population: 20000 people"), "{s}");
    assert!(s.contains("20,000 read, 20,000 counted"), "{s}");
    assert!(s.contains("smi_health_check"), "{s}");
}

#[test]
fn synth_then_cohorts_agree_with_demo_and_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    let file = imd("imd2019_england_lsoa11.csv");
    for p in [&a, &b] {
        let out = equitas(&[
            "synth",
            "--people",
            "3000",
            "--seed",
            "7",
            "--imd",
            &file,
            "--out",
            p.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("SYNTHETIC"));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let out = equitas(&[
        "cohorts",
        "--records",
        a.to_str().unwrap(),
        "--imd",
        &file,
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"]["counted"], 3000);
    assert_eq!(v["report"]["total"]["people"], 3000);
    // The same seed through demo gives the same report.
    let demo = equitas(&[
        "demo", "--people", "3000", "--seed", "7", "--imd", &file, "--format", "json",
    ]);
    let d: serde_json::Value = serde_json::from_slice(&demo.stdout).unwrap();
    assert_eq!(d["report"], v["report"]);
    assert_eq!(d["counts"], v["counts"]);
}

#[test]
fn bad_rows_are_listed_and_strict_makes_them_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.csv");
    std::fs::write(
        &f,
        "person_id,age,sex,ethnicity,lsoa,conditions,groups\np1,40,female,A,E01021988,smi,\np2,abc,female,A,E01021988,,\np3,40,male,A,E01099999,,\n",
    )
    .unwrap();
    let file = imd("imd2019_england_lsoa11.csv");
    let out = equitas(&["cohorts", "--records", f.to_str().unwrap(), "--imd", &file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("3 read, 2 counted, 1 not counted (problems), 1 with unknown area codes"),
        "{s}"
    );
    assert!(
        s.contains("row 3, column \"age\": \"abc\" is not a whole number of years from 0 to 120"),
        "{s}"
    );
    assert!(
        s.contains("row 4, column \"lsoa\": area E01099999 is not in the england-2019 index"),
        "{s}"
    );
    assert!(text(&out.stderr).contains("warning: 1 row(s) not counted"));

    let out = equitas(&[
        "cohorts",
        "--records",
        f.to_str().unwrap(),
        "--imd",
        &file,
        "--strict",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "row 3, column \"age\": \"abc\" is not a whole number of years from 0 to 120"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_welsh_index_is_refused_for_core20() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.csv");
    std::fs::write(&f, "person_id,age,sex,ethnicity,lsoa,conditions,groups\n").unwrap();
    let out = equitas(&[
        "cohorts",
        "--records",
        f.to_str().unwrap(),
        "--imd",
        &imd("imd2019_wales_lsoa11.csv"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("Core20 is defined on the English IMD only; this index is wales-2019")
    );
}

#[test]
fn the_2025_file_needs_the_2025_edition() {
    let file = imd("imd2025_england_lsoa21.csv");
    let out = equitas(&["demo", "--people", "100", "--imd", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("the IMD file is england-2025, but the cohort definition uses england-2019")
    );
    let out = equitas(&[
        "demo",
        "--people",
        "100",
        "--imd",
        &file,
        "--edition",
        "england-2025",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("national IMD deciles 1-2 of england-2025"));
}

#[test]
fn usage_errors_exit_2_with_help() {
    let out = equitas(&["cohorts"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--records is required"));
    let out = equitas(&["demo", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--format must be table, csv or json, got \"xml\""));
    let out = equitas(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = equitas(&["synth", "--people", "ten", "--out", "-"]);
    assert!(text(&out.stderr).contains("--people must be a whole number, got \"ten\""));
    for cmd in ["demo", "cohorts", "synth"] {
        let out = equitas(&[cmd, "--help"]);
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Example:"), "{cmd}");
    }
}

#[test]
fn missing_files_are_named() {
    let out = equitas(&["cohorts", "--records", "/nonexistent/x.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot open /nonexistent/x.csv"));
}

#[test]
fn synth_draws_only_from_a_given_list_of_areas() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("areas.txt");
    // Two real 2019 LSOAs: Tendring 018A (decile 1) and City of London 001A (decile 9).
    std::fs::write(
        &list,
        "# one local authority's LSOAs\nE01021988\n\nE01000001\n",
    )
    .unwrap();
    let out_csv = dir.path().join("p.csv");
    let file = imd("imd2019_england_lsoa11.csv");
    let out = equitas(&[
        "synth",
        "--people",
        "500",
        "--imd",
        &file,
        "--areas",
        list.to_str().unwrap(),
        "--out",
        out_csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body = std::fs::read_to_string(&out_csv).unwrap();
    let areas: std::collections::BTreeSet<&str> = body
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap())
        .collect();
    assert_eq!(
        areas.into_iter().collect::<Vec<_>>(),
        ["E01000001", "E01021988"]
    );

    std::fs::write(&list, "E01021988\nE01099999\n").unwrap();
    let out = equitas(&[
        "synth",
        "--people",
        "5",
        "--imd",
        &file,
        "--areas",
        list.to_str().unwrap(),
        "--out",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("area E01099999 (item 2 of the area list) is not in the england-2019 index"),
        "{}",
        text(&out.stderr)
    );
    let out = equitas(&[
        "synth",
        "--people",
        "5",
        "--areas",
        list.to_str().unwrap(),
        "--out",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--areas needs --imd"));
}

#[test]
fn counts_saved_per_part_merge_to_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = imd("imd2019_england_lsoa11.csv");
    let all = dir.path().join("all.csv");
    let out = equitas(&[
        "synth",
        "--people",
        "2000",
        "--seed",
        "3",
        "--imd",
        &file,
        "--out",
        all.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let body = std::fs::read_to_string(&all).unwrap();
    let mut lines = body.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (north, south) = rows.split_at(700);
    let mut saved = Vec::new();
    for (name, part) in [("north", north), ("south", south)] {
        let csv = dir.path().join(format!("{name}.csv"));
        std::fs::write(&csv, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        let counts = dir.path().join(format!("{name}.json"));
        let out = equitas(&[
            "cohorts",
            "--records",
            csv.to_str().unwrap(),
            "--imd",
            &file,
            "--save-counts",
            counts.to_str().unwrap(),
            "--format",
            "csv",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        saved.push(counts.to_str().unwrap().to_owned());
    }
    let whole = equitas(&[
        "cohorts",
        "--records",
        all.to_str().unwrap(),
        "--imd",
        &file,
        "--format",
        "json",
    ]);
    let merged = equitas(&["merge", &saved[0], &saved[1], "--format", "json"]);
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    let (w, m): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&whole.stdout).unwrap(),
        serde_json::from_slice(&merged.stdout).unwrap(),
    );
    assert_eq!(w["report"], m["report"]);
    assert_eq!(w["counts"], m["counts"]);

    // Counts made with another definition are refused, naming the file.
    let out = equitas(&[
        "merge",
        &saved[0],
        "--definition",
        "../../seeds/definitions/coventry-warwickshire.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "cannot merge counts for coventry-warwickshire v1 with counts for national v1"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_ambition_table_as_csv_matches_the_json_report() {
    let csv = equitas(&[
        "demo",
        "--people",
        "5000",
        "--format",
        "csv",
        "--csv-table",
        "ambitions",
    ]);
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    let json = equitas(&["demo", "--people", "5000", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let body = text(&csv.stdout);
    let mut lines = body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let ambitions = v["report"]["ambitions"].as_array().unwrap();
    assert_eq!(rows.len(), ambitions.len());
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (row, a) in rows.iter().zip(ambitions) {
        assert_eq!(row[col("metric")], a["metric"].as_str().unwrap());
        assert_eq!(
            row[col("core20_denominator")],
            a["core20"]["denominator"].to_string()
        );
        assert_eq!(
            row[col("q3_numerator")],
            a["by_quintile"][2]["numerator"].to_string()
        );
        if let Some(rate) = a["rest"]["rate"].as_f64() {
            let printed: f64 = row[col("rest_rate")].parse().unwrap();
            assert!((printed - rate).abs() < 1e-6);
        }
    }
    let out = equitas(&["demo", "--format", "csv", "--csv-table", "gaps"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("--csv-table must be counts, ambitions or heat-plus, got \"gaps\"")
    );
}
