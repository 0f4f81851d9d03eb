//! `equitas cohorts` reading person records as a user runs it: nothing lost on any thread count,
//! bad ids reported, rows numbered as an editor shows them (issue 12, findings 1, 9 and 12).
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};

use common::{equitas, text};

fn imd() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/imd/imd2019_england_lsoa11.csv");
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

const HEADER: &str = "person_id,age,sex,ethnicity,lsoa,conditions,groups\n";

fn cohorts(records: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["cohorts", "--records", records.to_str().unwrap()];
    args.extend_from_slice(extra);
    equitas(&args)
}

/// Finding 1: with a stray quote in the middle of a field (`S"YN…`, which a CSV parser keeps as
/// text) at data line 100,000 or 100,001 of 200,000 synthetic people, `--threads 2` read only
/// the first half (and exited 0). Now its JSON report is byte for byte `--threads 1`'s, and every
/// person is read and counted.
#[test]
fn issue12_f1_a_stray_quote_gives_the_same_report_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("people.csv");
    let imd = imd();
    let out = equitas(&[
        "synth",
        "--people",
        "200000",
        "--seed",
        "12",
        "--imd",
        &imd,
        "--out",
        clean.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let clean = std::fs::read(&clean).unwrap();
    for data_line in [100_000, 100_001] {
        let start = clean
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(data_line - 1)
            .unwrap()
            .0
            + 1;
        assert!(clean[start..].starts_with(b"SYN"));
        let mut csv = clean[..=start].to_vec();
        csv.push(b'"');
        csv.extend_from_slice(&clean[start + 1..]);
        let path = dir.path().join(format!("quote-{data_line}.csv"));
        std::fs::write(&path, &csv).unwrap();
        let one = cohorts(
            &path,
            &["--imd", &imd, "--format", "json", "--threads", "1"],
        );
        let two = cohorts(
            &path,
            &["--imd", &imd, "--format", "json", "--threads", "2"],
        );
        assert!(one.status.success(), "{}", text(&one.stderr));
        assert!(two.status.success(), "{}", text(&two.stderr));
        let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
        assert_eq!(v["read"]["rows"], 200_000);
        assert_eq!(v["read"]["counted"], 200_000);
        assert!(
            one.stdout == two.stdout,
            "--threads 2 differs from --threads 1"
        );
    }
}

/// Finding 1: a field opened with a quote and never closed swallowed the rest of the file; now
/// the run stops with an error naming the row and the limit, on any thread count.
#[test]
fn issue12_f1_an_unclosed_quote_is_an_error_naming_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open-quote.csv");
    let mut csv = HEADER.to_owned();
    csv.push_str("p1,30,male,A,E01000001,,\np2,30,\"male,A,E01000001,,\n");
    let mut i = 3;
    while csv.len() < (1 << 20) + 100_000 {
        csv.push_str(&format!("p{i},30,male,A,E01000001,,\n"));
        i += 1;
    }
    std::fs::write(&path, csv).unwrap();
    for threads in ["1", "2"] {
        let out = cohorts(&path, &["--threads", threads]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("open-quote.csv: row 3: the record that starts here is longer than 1048576 bytes, the most one record may be (a fixed limit); this is almost always a field opened with a quote (\") that is never closed"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// Finding 9: a row of empty fields and a repeated person_id are bad rows, reported and not
/// counted; `--strict` stops at them, naming the row of the first use.
#[test]
fn issue12_f9_blank_and_repeated_person_ids_are_reported_and_strict_stops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids.csv");
    let csv = format!(
        "{HEADER}p1,30,male,A,E01000001,,\n,,,,,,\np2,40,female,A,E01000001,,\np1,30,male,A,E01000001,,\n"
    );
    std::fs::write(&path, csv).unwrap();
    for threads in ["1", "2"] {
        let out = cohorts(&path, &["--format", "json", "--threads", threads]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let read = &v["read"];
        assert_eq!(
            (&read["rows"], &read["counted"], &read["rejected"]),
            (&4.into(), &2.into(), &2.into())
        );
        assert_eq!(
            read["problems"][1]["problem"],
            "person_id \"p1\" is repeated: it was first used at row 2, and each person may appear only once"
        );
        assert_eq!(read["problems"][0]["row"], 3);
        assert!(text(&out.stderr).contains("2 row(s) not counted"));
    }
    let out = cohorts(&path, &["--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "ids.csv: row 3, column \"person_id\": person_id is empty; every person needs an id"
        ),
        "{}",
        text(&out.stderr)
    );
}

/// Finding 12: in a file whose lines end with a lone `\r`, problems were all reported at "row 1".
#[test]
fn issue12_f12_cr_only_files_name_the_right_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cr.csv");
    let csv = HEADER.replace('\n', "\r")
        + "p1,30,male,A,E01000001,,\rp2,abc,male,A,E01000001,,\r\rp3,30,man,A,E01000001,,\r";
    std::fs::write(&path, csv).unwrap();
    for threads in ["1", "2"] {
        let out = cohorts(&path, &["--threads", threads]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s = text(&out.stdout);
        assert!(s.contains("row 3, column \"age\": \"abc\""), "{s}");
        assert!(s.contains("row 5, column \"sex\": \"man\""), "{s}");
    }
}

/// The help keeps its promise, now true for every input, and states the new rules and limits
/// with the library's numbers.
#[test]
fn issue12_f1_f9_help_states_the_promise_the_rules_and_the_limits() {
    use equitas_core::cohort::records::{MAX_PERSON_ID_BYTES, MAX_RECORD_BYTES};
    let out = equitas(&["cohorts", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needed in [
        "the counts are the same for any N".to_owned(),
        "an empty or repeated person_id".to_owned(),
        "names the row where it was first used".to_owned(),
        format!("(at most {MAX_PERSON_ID_BYTES} bytes)"),
        format!("1 MiB ({MAX_RECORD_BYTES} bytes;"),
        "a lone \\r".to_owned(),
    ] {
        assert!(help.contains(&needed), "{needed:?} is not in:\n{help}");
    }
}
