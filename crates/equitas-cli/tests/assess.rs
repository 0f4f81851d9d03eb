//! `equitas assess` as a user runs it: new, validate, score, summary, their errors and help.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::PathBuf;

use common::{equitas, text};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> String {
    root()
        .join("tests/fixtures/assessments/examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn assess_new_prints_a_draft_that_validates_and_scores() {
    let out = equitas(&["assess", "new", "heat", "--now", "2026-03-01T09:00:00Z"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let draft = text(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&draft).unwrap();
    assert_eq!(v["format"], "equitas-assessment");
    assert_eq!(v["instrument"]["id"], "heat");
    assert_eq!(v["created"], "2026-03-01T09:00:00Z");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("draft.json");
    std::fs::write(&f, &draft).unwrap();
    let f = f.to_str().unwrap();
    // An empty draft loads; it has required questions to answer, so validate exits 1.
    let out = equitas(&["assess", "validate", f]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("Prepare") && s.contains("not started"), "{s}");
    assert!(
        s.contains("prepare.title: this question needs an answer"),
        "{s}"
    );
    assert!(text(&out.stderr).contains("problem(s) to fix"));
    let out = equitas(&["assess", "score", f, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["overall"], 0.0);
    // Without --now the time is the clock's, in UTC.
    let out = equitas(&["assess", "new", "hi-maturity"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let created = v["created"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
}

#[test]
fn assess_validate_and_score_the_examples() {
    let out = equitas(&["assess", "validate", &example("heat-thorough.json")]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("no problems found"));
    let out = equitas(&["assess", "validate", &example("heat-gaps.json")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout)
            .contains("refine.actions: row 1, Due date: \"next spring\" is not a date"),
        "{}",
        text(&out.stdout)
    );

    // Judged as of a day before it was made, the thorough example's assessment date
    // (2026-01-12) is in the future (issue 16).
    let thorough = example("heat-thorough.json");
    let out = equitas(&["assess", "validate", &thorough, "--as-of", "2026-01-11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains(
            "prepare.assessment_date: the assessment date 2026-01-12 is in the future (today is 2026-01-11)"
        ),
        "{}",
        text(&out.stdout)
    );
    let out = equitas(&["assess", "validate", &thorough, "--as-of", "2026-01-12"]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    let out = equitas(&["assess", "score", &example("heat-gaps.json")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(md.contains("not an official OHID score"), "{md}");
    assert!(md.contains("No inclusion health group considered"), "{md}");
    assert!(md.contains("## How the score was reached"), "{md}");

    let out = equitas(&[
        "assess",
        "score",
        &example("maturity-gaps.json"),
        "--format",
        "html",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = text(&out.stdout);
    assert!(
        html.starts_with("<!doctype html>") && html.contains("Next objectives"),
        "{html}"
    );
    assert!(!html.contains("http"), "the page must not load anything");
}

#[test]
fn assess_summary_of_a_folder() {
    let dir = root().join("tests/fixtures/assessments/examples");
    let out = equitas(&[
        "assess",
        "summary",
        dir.to_str().unwrap(),
        "--as-of",
        "2026-04-01",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["assessments"], 6);
    assert_eq!(s["overdue"][0]["name"], "heat-gaps.json");
    let out = equitas(&[
        "assess",
        "summary",
        dir.to_str().unwrap(),
        "--as-of",
        "2026-04-01",
    ]);
    assert!(text(&out.stdout).contains("## Reviews overdue"));
}

#[test]
fn assess_own_instrument_with_instrument_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut inst: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("seeds/instruments/heat-v1.json")).unwrap(),
    )
    .unwrap();
    inst["id"] = "riverside-heat".into();
    inst["sections"][0]["questions"][0]["label"] = "Name of the scheme".into();
    let ipath = dir.path().join("riverside.json");
    std::fs::write(&ipath, inst.to_string()).unwrap();
    let ipath = ipath.to_str().unwrap();
    let out = equitas(&[
        "assess",
        "new",
        "riverside-heat",
        "--instrument",
        ipath,
        "--now",
        "t",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let f = dir.path().join("a.json");
    std::fs::write(&f, &out.stdout).unwrap();
    let out = equitas(&[
        "assess",
        "score",
        f.to_str().unwrap(),
        "--instrument",
        ipath,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Without the instrument file the assessment cannot be read, and the error says what to do.
    let out = equitas(&["assess", "score", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("at /instrument/id: unknown instrument \"riverside-heat\"")
            && err.contains("--instrument"),
        "{err}"
    );
    // A broken instrument file is refused, naming the problem.
    inst["rubric"]["criteria"][3]["rule"]["question"] = "assess.groups".into();
    std::fs::write(dir.path().join("bad.json"), inst.to_string()).unwrap();
    let bad = dir.path().join("bad.json");
    let out = equitas(&[
        "assess",
        "new",
        "heat",
        "--instrument",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("criterion breadth: unknown question assess.groups"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn assess_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("broken.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("heat-thorough.json")).unwrap())
            .unwrap();
    v["answers"]["assess.evidence"]["rows"][2]["estimate"] = "52%".into();
    std::fs::write(&f, v.to_string()).unwrap();
    let out = equitas(&["assess", "score", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "at /answers/assess.evidence/rows/2/estimate: expected a number, found the text \"52%\""
        ),
        "{}",
        text(&out.stderr)
    );
    v["schema_version"] = 9.into();
    std::fs::write(&f, v.to_string()).unwrap();
    let out = equitas(&["assess", "validate", f.to_str().unwrap()]);
    assert!(text(&out.stderr).contains("update equitas to open it"));

    // Usage errors are clap's (issue 13): each names the argument, the value and what is
    // allowed or expected.
    for (args, want) in [
        (
            vec!["assess", "new"],
            "error: the following required arguments were not provided:\n  <ID>",
        ),
        (
            vec!["assess", "new", "eqia"],
            "unknown instrument \"eqia\"; known: heat, hi-maturity",
        ),
        (
            vec!["assess", "frobnicate"],
            "error: unrecognized subcommand 'frobnicate'",
        ),
        (
            vec!["assess", "score", "x.json", "--format", "pdf"],
            "error: invalid value 'pdf' for '--format <F>'\n  [possible values: md, html, json, docx]",
        ),
        (
            vec!["assess", "score", "x.json", "--as-of", "2026-01-01"],
            "error: unexpected argument '--as-of' found",
        ),
        (
            vec!["assess", "summary", ".", "--as-of", "1/4/2026"],
            "error: invalid value '1/4/2026' for '--as-of <DATE>': \"1/4/2026\" is not a date",
        ),
        (
            vec!["assess", "validate"],
            "error: the following required arguments were not provided:\n  <FILE>",
        ),
        (
            vec!["assess", "validate", "a.json", "b.json"],
            "error: unexpected argument 'b.json' found",
        ),
    ] {
        let out = equitas(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(want),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = equitas(&["assess", "validate", "/no/such/file.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read /no/such/file.json"));
}

#[test]
fn assess_help_for_each_command_has_an_example() {
    for args in [
        vec!["assess", "--help"],
        vec!["assess", "new", "--help"],
        vec!["assess", "validate", "--help"],
        vec!["assess", "score", "--help"],
        vec!["assess", "summary", "--help"],
        vec!["assess", "migrate", "--help"],
    ] {
        let out = equitas(&args);
        assert!(out.status.success(), "{args:?}");
        let s = text(&out.stdout);
        assert!(s.contains("equitas assess"), "{args:?}: {s}");
        if args.len() > 2 {
            assert!(s.contains("Example:"), "{args:?}: {s}");
        }
    }
}

#[test]
fn assess_old_file_migrates_through_a_newer_instrument_and_reports_what_moved() {
    let dir = tempfile::tempdir().unwrap();
    let mut inst: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("seeds/instruments/heat-v1.json")).unwrap(),
    )
    .unwrap();
    inst["version"] = 2.into();
    inst["sections"][1]["questions"]
        .as_array_mut()
        .unwrap()
        .retain(|q| q["id"] != "assess.intersections");
    let v2 = dir.path().join("heat-v2.json");
    std::fs::write(&v2, inst.to_string()).unwrap();
    let frozen = root().join("tests/fixtures/assessments/frozen/heat-schema1-instrument1.json");
    let out = equitas(&[
        "assess",
        "validate",
        frozen.to_str().unwrap(),
        "--instrument",
        v2.to_str().unwrap(),
    ]);
    let s = text(&out.stdout);
    assert!(out.status.success(), "{s}{}", text(&out.stderr));
    assert!(
        s.contains("migrated: instrument upgraded from version 1 to 2"),
        "{s}"
    );
    assert!(
        s.contains("kept aside: the answer to assess.intersections (given under v1): question removed in heat v2"),
        "{s}"
    );
}

/// heat v1 as text with `assess.inequalities` and `assess.intersections` merged into one new
/// question, `assess.inequalities_merged` (issue 12, finding 2), as heat v2.
fn merged_heat_v2(dir: &std::path::Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("seeds/instruments/heat-v1.json"))
        .unwrap()
        .replace("\"assess.inequalities\"", "\"assess.inequalities_merged\"");
    let mut inst: serde_json::Value = serde_json::from_str(&text).unwrap();
    inst["version"] = 2.into();
    let questions = inst["sections"][1]["questions"].as_array_mut().unwrap();
    questions.retain(|q| q["id"] != "assess.intersections");
    for q in questions.iter_mut() {
        if q["id"] == "assess.inequalities_merged" {
            q["previous_ids"] = serde_json::json!(["assess.inequalities", "assess.intersections"]);
        }
    }
    let path = dir.join("heat-v2-merged.json");
    std::fs::write(&path, inst.to_string()).unwrap();
    path
}

/// Issue 12, finding 2 and "must show": `assess migrate` on the merge case keeps both answers,
/// one in the merged question and one in `retained`, and says which.
#[test]
fn assess_migrate_keeps_both_answers_of_a_merge_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = merged_heat_v2(dir.path());
    let frozen = root().join("tests/fixtures/assessments/frozen/heat-schema1-instrument1.json");
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&frozen).unwrap()).unwrap();
    let out_path = dir.path().join("migrated.json");
    let out = equitas(&[
        "assess",
        "migrate",
        frozen.to_str().unwrap(),
        "--instrument",
        v2.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "with --out, stdout stays empty");
    for line in [
        "instrument upgraded from version 1 to 2",
        "answer to assess.inequalities moved to assess.inequalities_merged",
        "answer to assess.intersections kept aside in retained: assess.intersections is now \
         part of question assess.inequalities_merged in heat v2, which took the answer to \
         assess.inequalities",
        "1 moved to a renamed question, 1 newly kept aside in retained",
    ] {
        assert!(err.contains(line), "{line:?} not in:\n{err}");
    }
    let migrated: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    assert_eq!(migrated["format"], "equitas-assessment");
    assert_eq!(
        migrated["instrument"],
        serde_json::json!({"id": "heat", "version": 2})
    );
    assert_eq!(
        migrated["answers"]["assess.inequalities_merged"],
        original["answers"]["assess.inequalities"]
    );
    let kept = &migrated["retained"]["assess.intersections"];
    assert_eq!(
        kept[0]["value"],
        original["answers"]["assess.intersections"]
    );
    assert_eq!(kept[0]["from_version"], 1);
    // The migrated file is current: validate and migrate again report nothing to move.
    let out = equitas(&[
        "assess",
        "migrate",
        out_path.to_str().unwrap(),
        "--instrument",
        v2.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("(it was up to date)"),
        "{}",
        text(&out.stderr)
    );
    // Without --out the file goes to stdout, byte for byte what --out wrote.
    assert_eq!(
        text(&out.stdout),
        std::fs::read_to_string(&out_path).unwrap()
    );
    let out = equitas(&[
        "assess",
        "validate",
        out_path.to_str().unwrap(),
        "--instrument",
        v2.to_str().unwrap(),
    ]);
    let s = text(&out.stdout);
    assert!(
        s.contains("kept aside: the answer to assess.intersections (given under v1)"),
        "{s}"
    );
    assert!(!s.contains("migrated:"), "{s}");
}

#[test]
fn assess_migrate_in_place_and_refusing_a_bad_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = merged_heat_v2(dir.path());
    let file = dir.path().join("a.json");
    std::fs::copy(
        root().join("tests/fixtures/assessments/frozen/heat-schema1-instrument1.json"),
        &file,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let out = equitas(&[
        "assess",
        "migrate",
        f,
        "--instrument",
        v2.to_str().unwrap(),
        "--out",
        f,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["instrument"]["version"], 2);
    assert_eq!(v["schema_version"], 2);
    // A file that does not load leaves --out as it was, and says why.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"format\": \"equitas-assessment\", \"schema_version\": 9}",
    )
    .unwrap();
    let before = std::fs::read(&file).unwrap();
    let out = equitas(&["assess", "migrate", bad.to_str().unwrap(), "--out", f]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("update equitas to open it"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // Usage errors.
    let out = equitas(&["assess", "migrate"]);
    common::assert_missing(&out, "<FILE>");
    let out = equitas(&["assess", "migrate", f, "--format", "md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error: unexpected argument '--format' found"));
}

#[test]
fn assess_score_writes_a_word_document_with_the_answers_and_the_report() {
    let out = equitas(&[
        "assess",
        "score",
        &example("heat-thorough.json"),
        "--format",
        "docx",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A zip file (the .docx container) holding the document, and the same bytes each time
    // (the library's tests read it back paragraph by paragraph).
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    let again = equitas(&[
        "assess",
        "score",
        &example("heat-thorough.json"),
        "--format",
        "docx",
    ]);
    assert_eq!(out.stdout, again.stdout);
    let help = text(&equitas(&["assess", "score", "--help"]).stdout);
    assert!(help.contains("--format docx > assessment.docx"), "{help}");
}
