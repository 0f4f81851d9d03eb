//! The `equitas` binary as a user runs it: exit codes, messages, outputs.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use approx::assert_abs_diff_eq;
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
    // Clap's messages (issue 13): the argument, the value and what is allowed.
    common::assert_missing(&equitas(&["cohorts"]), "--records <FILE>");
    let out = equitas(&["demo", "--format", "xml"]);
    common::assert_bad_value(
        &out,
        "--format",
        "xml",
        "[possible values: table, csv, json]",
    );
    let out = equitas(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: unrecognized subcommand 'frobnicate'"));
    let out = equitas(&["synth", "--people", "ten", "--out", "-"]);
    common::assert_bad_value(
        &out,
        "--people",
        "ten",
        "not a whole number from 1 to 1000000000",
    );
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
    // --areas requires --imd: clap names the missing flag, with --areas in the usage line.
    common::assert_missing(&out, "--imd <FILE>");
    assert!(text(&out.stderr).contains("--areas <FILE>"));
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
    // Both are published under the default disclosure rule: a suppressed count is an empty
    // field in the CSV and null in the JSON.
    let json_field = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        v => v.to_string(),
    };
    assert_eq!(v["disclosure"]["rule"], "nhs-digital");
    for (row, a) in rows.iter().zip(ambitions) {
        assert_eq!(row[col("metric")], a["metric"].as_str().unwrap());
        assert_eq!(
            row[col("core20_denominator")],
            json_field(&a["core20"]["denominator"])
        );
        assert_eq!(
            row[col("q3_numerator")],
            json_field(&a["by_quintile"][2]["numerator"])
        );
        assert_eq!(row[col("disclosure")], "nhs-digital");
        if let Some(rate) = a["rest"]["rate"].as_f64() {
            let printed: f64 = row[col("rest_rate")].parse().unwrap();
            // The CSV prints the rate rounded; the JSON has it in full.
            assert_abs_diff_eq!(printed, rate, epsilon = 1e-6);
        }
    }
    let out = equitas(&["demo", "--format", "csv", "--csv-table", "gaps"]);
    common::assert_bad_value(
        &out,
        "--csv-table",
        "gaps",
        "[possible values: counts, ambitions, heat-plus, breakdowns, changes]",
    );
}

/// Issue 12: hostile flags, inputs and outputs end with a clean error (exit 1 or 2) or quietly
/// (exit 0), never a panic (101) or an abort (134).
mod issue12 {
    use std::fs::File;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    use super::imd;
    use crate::common::{equitas, text};

    const BIN: &str = env!("CARGO_BIN_EXE_equitas");
    /// The values a hostile user tries for a whole number: zero, negative, the largest 64-bit
    /// number, one more, and far more.
    const HOSTILE: [&str; 6] = [
        "0",
        "-1",
        "18446744073709551615",
        "18446744073709551616",
        "1e30",
        "99999999999999999999999999999",
    ];

    /// Runs `equitas args` under `sh -c` with `limits` (`ulimit …`) applied first.
    fn limited(limits: &str, args: &[&str]) -> Output {
        Command::new("sh")
            .arg("-c")
            .arg(format!("{limits} && exec \"$0\" \"$@\""))
            .arg(BIN)
            .args(args)
            .output()
            .unwrap()
    }

    fn clean(out: &Output, what: &str) {
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{what}: exit {:?} (signal or panic)\n{}",
            out.status,
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{what}: {}",
            text(&out.stderr)
        );
    }

    fn records_file(dir: &Path) -> PathBuf {
        let f = dir.join("r.csv");
        std::fs::write(
            &f,
            "person_id,age,sex,ethnicity,lsoa,conditions,groups,imd_decile\np1,40,female,A,,smi,,1\n",
        )
        .unwrap();
        f
    }

    /// Finding 6: every numeric option of demo, cohorts, synth and merge has a range; outside it
    /// is a usage error naming the option, the value and the range. `--threads` of 2^64−1
    /// panicked and `--threads 100000` aborted spawning threads.
    #[test]
    fn hostile_flag_values_are_usage_errors_naming_flag_value_and_range() {
        let dir = tempfile::tempdir().unwrap();
        let records = records_file(dir.path());
        let records = records.to_str().unwrap();
        let csv = dir.path().join("out.csv");
        let csv = csv.to_str().unwrap();
        let cases: [(&[&str], &str, (u64, u64)); 5] = [
            (&["demo", "--seed", "1"], "--people", (1, 1_000_000_000)),
            (&["demo", "--people", "500"], "--seed", (0, u64::MAX)),
            (&["cohorts", "--records", records], "--threads", (1, 64)),
            (
                &["synth", "--out", csv, "--seed", "1"],
                "--people",
                (1, 1_000_000_000),
            ),
            (
                &["synth", "--out", csv, "--people", "5"],
                "--seed",
                (0, u64::MAX),
            ),
        ];
        for (base, flag, (lo, hi)) in cases {
            for v in HOSTILE
                .iter()
                .chain(&["100000", "5000000000", "ten", "", " 7 x"])
            {
                let mut args = base.to_vec();
                args.extend([flag, v]);
                let out = equitas(&args);
                let what = args.join(" ");
                clean(&out, &what);
                if v.parse::<u64>().is_ok_and(|n| (lo..=hi).contains(&n)) {
                    assert_eq!(out.status.code(), Some(0), "{what}: {}", text(&out.stderr));
                    continue;
                }
                // Clap's message (issue 13): the flag, the value, the range, on one line.
                assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out.stderr));
                let first = text(&out.stderr).lines().next().unwrap_or("").to_owned();
                assert!(
                    first.starts_with(&format!("error: invalid value '{v}' for '{flag} <"))
                        && first.ends_with(&format!(">': not a whole number from {lo} to {hi}")),
                    "{what}: {first}"
                );
            }
        }
        // The help shows each range.
        for (cmd, shown) in [
            ("demo", "people to synthesise, 1 to 1000000000"),
            ("cohorts", "threads to count on, 1 to 64"),
            ("synth", "how many people, 1 to 1000000000"),
        ] {
            let out = equitas(&[cmd, "--help"]);
            assert!(text(&out.stdout).contains(shown), "{cmd}");
        }
        // --threads at its limit runs.
        let out = equitas(&["cohorts", "--records", records, "--threads", "64"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    /// The other commands' numeric options, with the same hostile values: whatever they say,
    /// they end cleanly. (`measures --simulations` is in the test below.)
    #[test]
    fn every_other_command_survives_hostile_flag_values() {
        let ex = |f: &str| format!("../../seeds/examples/{f}");
        let (heat, sii, life, prop, rate, dsr) = (
            ex("heat-plus-synthetic.csv"),
            ex("sii-deciles.csv"),
            ex("lifetable.csv"),
            ex("proportion.csv"),
            ex("rate.csv"),
            ex("dsr.csv"),
        );
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["measures", "--input", &heat], "--seed"),
            (vec!["measures", "--input", &heat], "--confidence"),
            (
                vec!["sii", "--input", &sii, "--group-by", "area"],
                "--repetitions",
            ),
            (vec!["sii", "--input", &sii, "--group-by", "area"], "--seed"),
            (
                vec![
                    "sii",
                    "--input",
                    &sii,
                    "--group-by",
                    "area",
                    "--repetitions",
                    "1000",
                ],
                "--threads",
            ),
            (
                vec!["sii", "--input", &sii, "--group-by", "area"],
                "--multiplier",
            ),
            (
                vec!["lifetable", "--input", &life, "--group-by", "area"],
                "--confidence",
            ),
            (
                vec!["proportion", "--input", &prop, "--group-by", "area"],
                "--multiplier",
            ),
            (
                vec!["rate", "--input", &rate, "--group-by", "area"],
                "--confidence",
            ),
            (
                vec!["dsr", "--input", &dsr, "--group-by", "area"],
                "--multiplier",
            ),
            (vec!["assess", "summary", "../../seeds/examples"], "--as-of"),
        ];
        for (base, flag) in cases {
            for v in HOSTILE {
                let mut args = base.clone();
                args.extend([flag, v]);
                let out = equitas(&args);
                clean(&out, &args.join(" "));
                if out.status.code() != Some(0) {
                    let e = text(&out.stderr);
                    assert!(e.starts_with("error: "), "{}: {e}", args.join(" "));
                }
            }
        }
    }

    /// `measures --simulations` of 2^64−1 panicked and 10^9 exhausted memory; its flags belong
    /// to the measures fixes of issue 12, made in another branch.
    #[test]
    fn measures_simulations_survive_hostile_values() {
        for v in HOSTILE.iter().chain(&["1000000000"]) {
            let args = [
                "measures",
                "--input",
                "../../seeds/examples/heat-plus-synthetic.csv",
                "--simulations",
                v,
            ];
            let out = limited("ulimit -v 2000000", &args);
            clean(&out, &args.join(" "));
        }
    }

    /// Finding 8: `--help > /dev/full` panicked (101), and so did any message with
    /// `2> /dev/full`. Now a full disk is an error naming standard output, and a message that
    /// cannot be written is dropped with the exit status kept.
    #[test]
    fn a_full_disk_on_either_output_is_not_a_panic() {
        let full = Path::new("/dev/full");
        assert!(full.exists(), "this test needs /dev/full (Linux)");
        for args in [
            &["--help"][..],
            &["--version"],
            &["demo", "--help"],
            &["cohorts", "--help"],
            &["synth", "--help"],
            &["merge", "--help"],
            // Issue 13: clap's help, for every kind of command, and with no arguments.
            &[],
            &["sii", "--help"],
            &["measures", "-h"],
            &["assess"],
            &["assess", "--help"],
            &["assess", "migrate", "--help"],
            &["help", "dsr"],
            &["demo", "--people", "1000"],
            &["demo", "--people", "1000", "--format", "json"],
            &["synth", "--people", "1000", "--out", "-"],
        ] {
            let out = Command::new(BIN)
                .args(args)
                .stdout(File::create(full).unwrap())
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(1),
                "{args:?}: {}",
                text(&out.stderr)
            );
            assert!(
                text(&out.stderr).starts_with("error: cannot write to standard output: No space")
                    || text(&out.stderr).contains("No space left on device"),
                "{args:?}: {}",
                text(&out.stderr)
            );
        }
        for (args, code) in [
            (&["demo", "--people", "x"][..], 2),
            (&["cohorts", "--records", "/nonexistent/x.csv"], 1),
            (&["merge"], 2),
        ] {
            let out = Command::new(BIN)
                .args(args)
                .stderr(File::create(full).unwrap())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(code), "{args:?}");
        }
    }

    /// Finding 8: `| head -1` printed "error: Broken pipe" and exited 1. A reader that stops
    /// early ends the command quietly, with status 0 (documented in `equitas --help`).
    #[test]
    fn a_closed_pipe_ends_quietly_with_status_0() {
        for args in [
            &["synth", "--people", "300000", "--out", "-"][..],
            &["demo", "--people", "2000", "--format", "csv"],
            &["demo", "--people", "2000", "--format", "json"],
        ] {
            let mut child = Command::new(BIN)
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // Read one line, as `head -1` does, then close the pipe.
            let mut stdout = child.stdout.take().unwrap();
            let mut first = [0u8; 64];
            let n = std::io::Read::read(&mut stdout, &mut first).unwrap();
            assert!(n > 0);
            drop(stdout);
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {}",
                text(&out.stderr)
            );
            assert_eq!(text(&out.stderr), "", "{args:?}");
        }
        assert!(text(&equitas(&["--help"]).stdout).contains("as `| head` does"));
    }

    /// Finding 8: a `synth` stopped part-way left a CSV cut mid-row, and `--save-counts` was
    /// written in place. Both now write a temporary file beside the target and rename it at the
    /// end. A file-size limit (`ulimit -f`) stops each run part-way, deterministically.
    #[test]
    fn outputs_stopped_part_way_leave_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("people.csv");
        std::fs::write(&target, "the previous file\n").unwrap();
        let path = target.to_str().unwrap();
        // 64 KiB at most (ulimit -f counts 1,024-byte blocks in dash and bash): the run stops.
        let out = limited(
            "trap '' XFSZ; ulimit -f 64",
            &["synth", "--people", "100000", "--out", path],
        );
        assert_ne!(out.status.code(), Some(0));
        clean(&out, "synth under ulimit -f");
        assert!(
            text(&out.stderr).contains(&format!("cannot write {path}")),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "the previous file\n"
        );
        let strays: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            strays.len(),
            1,
            "no temporary file left after an error: {strays:?}"
        );
        // Unlimited, the file is replaced whole.
        let out = equitas(&["synth", "--people", "3000", "--out", path]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let body = std::fs::read_to_string(&target).unwrap();
        assert_eq!(body.lines().count(), 3001);
        assert!(body.ends_with('\n'));

        // --save-counts, the same way.
        let records = records_file(dir.path());
        let saved = dir.path().join("counts.json");
        std::fs::write(&saved, "previous counts").unwrap();
        let out = limited(
            "trap '' XFSZ; ulimit -f 1",
            &[
                "cohorts",
                "--records",
                records.to_str().unwrap(),
                "--save-counts",
                saved.to_str().unwrap(),
                "--format",
                "csv",
            ],
        );
        clean(&out, "cohorts --save-counts under ulimit -f");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_eq!(std::fs::read_to_string(&saved).unwrap(), "previous counts");
        let out = equitas(&[
            "cohorts",
            "--records",
            records.to_str().unwrap(),
            "--save-counts",
            saved.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = equitas(&["merge", saved.to_str().unwrap(), "--format", "json"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    /// A link is followed (the file it names is replaced whole, the link kept), and a path that
    /// is not a file, such as `/dev/stdout`, is written directly rather than replaced.
    #[test]
    fn links_are_followed_and_devices_written_directly() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let out = equitas(&["synth", "--people", "4", "--out", link.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap().lines().count(), 5);
        let out = equitas(&["synth", "--people", "4", "--out", "/dev/stdout"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).lines().count(), 5);
    }

    /// A saved counts file from a real run, as JSON to tamper with.
    fn saved_counts(dir: &Path) -> serde_json::Value {
        let records = records_file(dir);
        let saved = dir.join("good.json");
        let out = equitas(&[
            "cohorts",
            "--records",
            records.to_str().unwrap(),
            "--save-counts",
            saved.to_str().unwrap(),
            "--format",
            "csv",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap()
    }

    /// Finding 4: under `ulimit -v 2000000`, hostile counts files end with a clean error: a
    /// 42 KB file whose labels describe terabytes (it aborted), longer label lists (they
    /// panicked, "capacity overflow"), huge indices, and cells that overflow when merged (they
    /// wrapped round and were accepted).
    #[test]
    fn hostile_counts_files_end_with_a_clean_error_in_bounded_memory() {
        let dir = tempfile::tempdir().unwrap();
        let good = saved_counts(dir.path());
        let write = |name: &str, v: &serde_json::Value| {
            let p = dir.path().join(name);
            std::fs::write(&p, v.to_string()).unwrap();
            p.to_str().unwrap().to_owned()
        };
        let labels = |n: usize| -> Vec<String> { (0..n).map(|i| format!("l{i}")).collect() };

        let mut huge = good.clone();
        for k in ["ethnic", "bands", "areas", "plus"] {
            huge["labels"][k] = serde_json::json!(labels(60));
        }
        let huge = write("huge.json", &huge);
        assert!(std::fs::metadata(&huge).unwrap().len() < 50_000);

        let mut overflowing = good.clone();
        for k in ["ethnic", "bands", "areas", "plus"] {
            overflowing["labels"][k] = serde_json::json!(labels(40_000));
        }
        let overflowing = write("overflowing.json", &overflowing);

        let mut index = good.clone();
        index["cells"] = serde_json::json!([[u64::MAX, 1]]);
        let index = write("index.json", &index);

        let mut max = good.clone();
        let first = max["cells"][0][0].clone();
        max["cells"] = serde_json::json!([[first, u64::MAX]]);
        max["people"] = serde_json::json!(u64::MAX);
        max["metric_num"] = serde_json::json!([]);
        max["metric_den"] = serde_json::json!([]);
        let max = write("max.json", &max);
        let good = write("good.json", &good);

        let sparse = dir.path().join("sparse.json");
        File::create(&sparse).unwrap().set_len(300 << 20).unwrap();
        let sparse = sparse.to_str().unwrap().to_owned();

        for (files, expected) in [
            (
                vec![&huge],
                "saved counts file is too large: its labels describe a table",
            ),
            (vec![&overflowing], "more than 65 labels in one dimension"),
            (
                vec![&index],
                "cells index 18446744073709551615 is past the end",
            ),
            (
                vec![&max, &good],
                "cannot merge counts: people would be 18446744073709551615 + 1",
            ),
            (
                vec![&good, &max, &max],
                "cannot merge counts: people would be",
            ),
            (
                vec![&sparse],
                "the file is larger than 268435456 bytes, the most read (MAX_COUNTS_FILE_BYTES",
            ),
        ] {
            let mut args = vec!["merge"];
            args.extend(files.iter().map(|f| f.as_str()));
            let out = limited("ulimit -v 2000000", &args);
            clean(&out, &args.join(" "));
            assert_eq!(
                out.status.code(),
                Some(1),
                "{args:?}: {}",
                text(&out.stderr)
            );
            let e = text(&out.stderr);
            assert!(e.contains(expected), "{args:?}: {e}");
            assert!(
                e.starts_with(&format!("error: {}", files.last().unwrap()))
                    || e.contains(files[0].as_str()),
                "{e}"
            );
        }
    }

    /// Finding 5: an IMD file with 100,000 `*_decile` columns scanned its header for 11 s and
    /// then aborted allocating 26 GB.
    #[test]
    fn an_imd_file_of_100000_decile_columns_is_a_clean_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("imd.csv");
        let mut t = String::from("lsoa11_code,IMD_decile,IMD_rank");
        for i in 0..100_000 {
            t.push_str(&format!(",D{i}_decile"));
        }
        t.push_str("\nE01021988,1,1");
        t.push_str(&",1".repeat(100_000));
        t.push('\n');
        std::fs::write(&f, t).unwrap();
        let out = limited(
            "ulimit -v 2000000",
            &["demo", "--people", "10", "--imd", f.to_str().unwrap()],
        );
        clean(&out, "demo --imd wide.csv");
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("MAX_IMD_ROW_BYTES"),
            "{}",
            text(&out.stderr)
        );
    }

    /// Finding 14: definition errors name the file (and the JSON pointer); an IMD file whose
    /// deciles contradict its ranks is refused naming the row, code, rank and decile.
    #[test]
    fn definition_and_imd_contradictions_name_the_file_and_place() {
        let dir = tempfile::tempdir().unwrap();
        let def = dir.path().join("def.json");
        let national = std::fs::read_to_string("../../seeds/definitions/national.json").unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&national).unwrap();
        v["plus_groups"][1]["id"] = v["plus_groups"][0]["id"].clone();
        std::fs::write(&def, v.to_string()).unwrap();
        let out = equitas(&[
            "demo",
            "--people",
            "10",
            "--definition",
            def.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).starts_with(&format!(
                "error: {}: cohort definition national at /plus_groups/1/id: PLUS group id",
                def.display()
            )),
            "{}",
            text(&out.stderr)
        );
        // An unknown id is found when the definition is compiled; the file is named too.
        let mut v: serde_json::Value = serde_json::from_str(&national).unwrap();
        v["plus_groups"][0]["rule"] = serde_json::json!({"any_flag": ["narrowboat"]});
        std::fs::write(&def, v.to_string()).unwrap();
        let out = equitas(&[
            "demo",
            "--people",
            "10",
            "--definition",
            def.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).starts_with(&format!(
                "error: {}: cohort definition national at /plus_groups/0/rule/any_flag/0:",
                def.display()
            )),
            "{}",
            text(&out.stderr)
        );

        let ix = dir.path().join("imd.csv");
        std::fs::write(
            &ix,
            "lsoa11_code,IMD_decile,IMD_rank\nE01021988,1,1\nE01000001,2,29199\n",
        )
        .unwrap();
        let out = equitas(&["demo", "--people", "10", "--imd", ix.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr),
            format!(
                "error: {}: IMD file line 3: area E01000001 has IMD_decile 2 but IMD_rank \
                 29199; of the 32844 areas of england-2019, decile 2 covers ranks 3285 to 6569\n",
                ix.display()
            )
        );
        // An area list for synth: one code per line, lines of a sensible length.
        let list = dir.path().join("areas.txt");
        std::fs::write(&list, format!("E01021988\n{}\n", "E".repeat(5_000))).unwrap();
        let out = equitas(&[
            "synth",
            "--people",
            "5",
            "--out",
            "-",
            "--imd",
            &imd("imd2019_england_lsoa11.csv"),
            "--areas",
            list.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("line 2: longer than 1024 bytes"),
            "{}",
            text(&out.stderr)
        );
        // The real files load.
        let out = equitas(&[
            "demo",
            "--people",
            "10",
            "--imd",
            &imd("imd2019_england_lsoa11.csv"),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

fn geography(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/geography")
        .join(name);
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

fn seed(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../seeds")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// Issue 14: `--place-lookup`, `--place-column` and `--places` put people in Places; the
/// report counts per Place (a `place` breakdown is added), and the lookup's problems are named.
#[test]
fn places_from_the_ons_lookup_and_a_grouping() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    let lookup = geography("lsoa11_subicb22_icb22_lad22.csv");
    // A two-column lookup of our own: three LSOAs to two PCNs.
    let own = dir.path().join("pcn.csv");
    std::fs::write(
        &own,
        "lsoa,pcn\nE01009569,Central PCN\nE01009570,Central PCN\nE01031321,South PCN\n",
    )
    .unwrap();
    let codes = dir.path().join("areas.txt");
    std::fs::write(&codes, "E01009569\nE01009570\nE01031321\n").unwrap();
    let out = equitas(&[
        "synth",
        "--people",
        "2000",
        "--imd",
        &imd("imd2019_england_lsoa11.csv"),
        "--areas",
        codes.to_str().unwrap(),
        "--out",
        people.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let definition = seed("definitions/coventry-warwickshire.json");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "cohorts",
            "--records",
            people.to_str().unwrap(),
            "--definition",
            &definition,
        ];
        args.extend_from_slice(extra);
        equitas(&args)
    };
    let places = seed("places/coventry-warwickshire.json");
    let out = run(&[
        "--place-lookup",
        &lookup,
        "--place-column",
        "ltla22_code",
        "--places",
        &places,
        "--format",
        "json",
        "--suppress",
        "none",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = &v["report"]["breakdowns"][0];
    assert_eq!(b["id"], "place");
    let people_in = |key: &str| {
        b["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"][0] == key)
            .unwrap()["people"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        people_in("coventry") + people_in("south_warwickshire"),
        2000
    );
    assert_eq!(
        people_in("rugby") + people_in("other") + people_in("unknown"),
        0
    );

    // Our own two-column file: no column needed (with the national definition: Coventry and
    // Warwickshire's is scoped to its own Places, which a PCN file does not have).
    let out = run(&["--place-lookup", own.to_str().unwrap()]);
    assert!(
        text(&out.stderr).contains(
            "at /plus_groups/1/places/0: PLUS group \"long_term_sickness\" is scoped to Place \"coventry\", which is not one of the Places in use (Central PCN, South PCN)"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = equitas(&[
        "cohorts",
        "--records",
        people.to_str().unwrap(),
        "--place-lookup",
        own.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["report"]["breakdowns"][0]["dimensions"][0]["cells"],
        serde_json::json!(["Central PCN", "South PCN", "unknown"])
    );

    // The ONS file has nine columns: which one is the Place must be said.
    let out = run(&["--place-lookup", &lookup]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("place lookup has 9 columns (lsoa11_code,sicbl22_code"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--place-lookup", &lookup, "--place-column", "ward"]);
    assert!(
        text(&out.stderr).contains("place lookup has no column \"ward\""),
        "{}",
        text(&out.stderr)
    );
    // --places needs a lookup to group.
    let out = run(&["--places", &places]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // Without a lookup, the Place-scoped PLUS groups are named on standard error.
    let out = run(&[]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains(
            "note: PLUS group(s) long_term_sickness, inadequate_housing, rural_poverty, older_people are scoped to Places"
        ),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 14: `--lsoa-bridge` reads 2021 LSOAs against IMD 2019 and says how many people each
/// rule of the ONS lookup touched, and why an area has no decile.
#[test]
fn records_on_2021_lsoas_are_bridged_to_imd_2019() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("people.csv");
    // Unchanged (E01000001), split from one 2011 area (E01035637 is irregular, X), and a 2021
    // area merged from 2011 areas of different deciles (E01033879).
    std::fs::write(
        &records,
        "person_id,age,sex,ethnicity,lsoa,conditions,groups\n\
         a,40,female,A,E01000001,,\n\
         b,40,female,A,E01035637,,\n\
         c,40,female,A,E01033879,,\n",
    )
    .unwrap();
    let out = equitas(&[
        "cohorts",
        "--records",
        records.to_str().unwrap(),
        "--imd",
        &imd("imd2019_england_lsoa11.csv"),
        "--lsoa-bridge",
        &geography("lsoa11_lsoa21_lad22.csv"),
        "--format",
        "json",
        // Three people: every count is small; this test is about the bridge.
        "--suppress",
        "none",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<(String, u64)> = v["report"]["bridging"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["people"].as_u64() > Some(0))
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_owned(),
                r["people"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("unchanged".to_owned(), 1),
            ("merged_deciles_differ".to_owned(), 1),
            ("irregular".to_owned(), 1)
        ]
    );
    assert_eq!(v["report"]["total"]["by_quintile"][5], 2);
    let problems = v["read"]["unknown_area_examples"].to_string();
    assert!(
        problems.contains("area E01035637 (an LSOA of 2021, bridged to the england-2019 index): irregular change (X)"),
        "{problems}"
    );
    // The bridge needs the IMD file it bridges to.
    let out = equitas(&[
        "cohorts",
        "--records",
        records.to_str().unwrap(),
        "--lsoa-bridge",
        &geography("lsoa11_lsoa21_lad22.csv"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// Issue 14: a local definition file changes the report without a rebuild, and the report
/// names what it changed.
#[test]
fn a_local_definition_file_changes_the_report_and_says_so() {
    let local = seed("definitions/coventry-warwickshire-local.json");
    let out = equitas(&["demo", "--people", "20000", "--definition", &local]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for want in [
        "definition:  coventry-warwickshire-local v1",
        "definition coventry-warwickshire-local: coventry-warwickshire-local v1 is layered on the built-in definition coventry-warwickshire v1",
        "target smi_health_check: target 60% in the catalogue, 75% in coventry-warwickshire-local",
        "plus_group multiple_complex_needs: PLUS group \"People with multiple complex needs\" added by coventry-warwickshire-local",
        "Annual physical health check [smi_health_check] - target 75% (local target)",
        "  multiple_complex_needs ",
    ] {
        assert!(s.contains(want), "{want:?} not in\n{s}");
    }
    // A bad local file is named, with the JSON pointer.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&local)
            .unwrap()
            .replace("\"at_least\": 0.75", "\"at_least\": 75"),
    )
    .unwrap();
    let out = equitas(&[
        "demo",
        "--people",
        "10",
        "--definition",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "bad.json: cohort definition coventry-warwickshire-local at /targets/0/at_least: the target 75 is not a proportion from 0 to 1"
        ),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 14: CSV and JSON exports are protected by default (NHS Digital's rule), state the rule,
/// and show each suppressed count with the reason; `--suppress none` turns it off and says so.
#[test]
fn exports_are_disclosure_controlled_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    // 203 people: 200 women, 3 men, all in IMD decile 5.
    let mut csv = String::from("person_id,age,sex,ethnicity,lsoa,conditions,groups,imd_decile\n");
    for i in 0..203 {
        let sex = if i < 3 { "male" } else { "female" };
        csv.push_str(&format!("p{i},40,{sex},A,,,,5\n"));
    }
    std::fs::write(&people, csv).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "cohorts",
            "--records",
            people.to_str().unwrap(),
            "--by",
            "sex",
        ];
        args.extend_from_slice(extra);
        equitas(&args)
    };
    let out = run(&["--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["disclosure"]["rule"], "nhs-digital");
    let cells = &v["report"]["breakdowns"][0]["cells"];
    let cell = |key: &str| {
        cells
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"][0] == key)
            .unwrap()
            .clone()
    };
    // Three men: suppressed; the women would give them away (203 - 200): suppressed too; the
    // total is published, rounded to the nearest 5.
    assert!(cell("male")["people"].is_null());
    assert!(cell("female")["people"].is_null());
    assert_eq!(cell("all")["people"], 205);
    let listed = v["report"]["disclosure"]["suppressed"].to_string();
    assert!(listed.contains("suppressed: from 1 to 7"), "{listed}");
    assert!(
        listed.contains("suppressed: would reveal a suppressed count from the published totals"),
        "{listed}"
    );
    // The breakdowns as CSV: each count with its status and the rule.
    let out = run(&["--format", "csv", "--csv-table", "breakdowns"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body = text(&out.stdout);
    assert!(
        body.lines().next().unwrap().ends_with(",status,disclosure"),
        "{body}"
    );
    assert!(
        body.contains("sex,sex,male,,,people,,,,suppressed: from 1 to 7,nhs-digital"),
        "{body}"
    );
    assert!(
        body.contains("sex,sex,all,,,people,205,,,rounded,nhs-digital"),
        "{body}"
    );
    // Turned off: exact, and said so.
    let out = run(&["--format", "json", "--suppress", "none"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["disclosure"]["rule"], "none");
    assert_eq!(v["report"]["breakdowns"][0]["cells"][0]["people"], 3);
    // The full cross-classification cannot be protected by a threshold alone.
    let out = run(&["--format", "csv", "--suppress", "below:5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--csv-table counts with --suppress below:5"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "--format",
        "csv",
        "--csv-table",
        "breakdowns",
        "--suppress",
        "below:5",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("sex,sex,all,,,people,203,,,shown,below:5"));
    let out = run(&["--suppress", "below:1"]);
    common::assert_bad_value(&out, "--suppress", "below:1", "is not a disclosure rule");
}

/// Issue 14, step 7: what `equitas cohorts --by … --place-lookup … --place-column …
/// --places … --definition … --suppress …` does, a Rust caller does through the library: the
/// same definition file (a local one layered on the built-in), lookup, Places, breakdowns and
/// disclosure rule give the same protected report, value for value.
#[test]
fn the_cohorts_flags_have_library_equivalents() {
    use equitas_core::cohort::records::count_records;
    use equitas_core::cohort::{
        Breakdown, Classifier, CohortCounts, CohortDefinition, ProtectedReport, report,
    };
    use equitas_core::deprivation::DeprivationIndex;
    use equitas_core::disclosure::Rule;
    use equitas_core::geography::{PlaceLookup, Places};

    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    let imd_file = imd("imd2019_england_lsoa11.csv");
    let lookup_file = geography("lsoa11_subicb22_icb22_lad22.csv");
    let places_file = seed("places/coventry-warwickshire.json");
    let definition_file = seed("definitions/coventry-warwickshire-local.json");
    // People in Coventry (E01009569, E01009570) and South Warwickshire (E01031321).
    let codes = dir.path().join("areas.txt");
    std::fs::write(&codes, "E01009569\nE01009570\nE01031321\n").unwrap();
    let out = equitas(&[
        "synth",
        "--people",
        "3000",
        "--imd",
        &imd_file,
        "--areas",
        codes.to_str().unwrap(),
        "--out",
        people.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for rule in ["nhs-digital", "below:10", "none"] {
        let out = equitas(&[
            "cohorts",
            "--records",
            people.to_str().unwrap(),
            "--imd",
            &imd_file,
            "--definition",
            &definition_file,
            "--by",
            "ethnicity,imd-quintile",
            "--place-lookup",
            &lookup_file,
            "--place-column",
            "ltla22_code",
            "--places",
            &places_file,
            "--suppress",
            rule,
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

        // The library: each flag is one call.
        let definition =
            CohortDefinition::from_json(&std::fs::read_to_string(&definition_file).unwrap())
                .unwrap();
        let index = DeprivationIndex::from_path(std::path::Path::new(&imd_file)).unwrap();
        let lookup = PlaceLookup::from_path(
            std::path::Path::new(&lookup_file),
            None,
            Some("ltla22_code"),
        )
        .unwrap();
        let places = Places::from_json(&std::fs::read_to_string(&places_file).unwrap()).unwrap();
        // With a lookup the CLI counts per Place first, as `--by place,…` would.
        let by = Breakdown::parse_list("place,ethnicity,imd-quintile").unwrap();
        let classifier = Classifier::new(definition, Some(&index))
            .unwrap()
            .with_places(&lookup, Some(&places))
            .unwrap()
            .with_breakdowns(&by)
            .unwrap();
        let mut counts = CohortCounts::new(&classifier);
        let file = std::fs::File::open(&people).unwrap();
        let read = count_records(file, &classifier, &mut counts, false).unwrap();
        assert_eq!(read.counted, 3000);
        let rep = report(&counts, &classifier);
        let rule = Rule::parse(rule).unwrap();
        let protected = ProtectedReport::new(&rep, rule).report_json(&rep);
        assert_eq!(protected, cli["report"], "--suppress {}", rule.id());
        // The local definition's overrides are in the report's provenance, Places counted.
        let provenance = protected["provenance"].to_string();
        assert!(provenance.contains("75"), "{provenance}");
        assert_eq!(protected["breakdowns"][0]["id"], "place");
    }
}
