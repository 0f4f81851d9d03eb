//! The cohort model's readers: definitions, person records (JSON and the CSV stream, read
//! sequentially and in parallel) and saved counts.

use std::sync::LazyLock;

use equitas_core::cohort::records::{
    RecordsError, RowError, count_records, count_records_parallel,
};
use equitas_core::cohort::{
    Classifier, CohortCounts, CohortDefinition, Date, PersonRecord, ambitions, report,
};
use equitas_core::deprivation::DeprivationIndex;

/// A small made-up England 2019 index ([`crate::imd::SYNTHETIC_ENGLAND_2019`]), so that person
/// records have areas to find (and to miss).
static INDEX: LazyLock<DeprivationIndex> = LazyLock::new(|| {
    DeprivationIndex::from_csv(crate::imd::SYNTHETIC_ENGLAND_2019.as_bytes())
        .expect("the synthetic index loads")
});

/// A small definition with every kind of rule and three age bands. The counts table grows with
/// the product of age bands and PLUS groups; the built-in definitions' tables (1.6 MB) made the
/// records target fifty times slower, zeroing and comparing them on every input.
const SMALL_DEFINITION: &str = r#"{
  "id": "fuzz", "label": "A small definition for fuzzing", "version": 1,
  "imd_edition": "england-2019", "adult_min_age": 18,
  "cyp_age_range": {"min": 0, "max": 25}, "cyp_age_range_status": "unconfirmed",
  "age_bands": [0, 18, 65],
  "plus_groups": [
    {"id": "transient", "label": "Transient communities",
     "rule": {"any_of": [{"any_flag": ["homelessness", "boaters"]},
                         {"all_of": ["cyp", {"any_flag": ["young_carer"]}]}]}},
    {"id": "multimorbid_minority", "label": "Ethnic minority with several conditions",
     "rule": {"all_of": ["ethnic_minority", {"long_term_conditions_at_least": 2},
                         {"not": {"age": {"min": 0, "max": 17}}}]}},
    {"id": "listed", "label": "Listed categories or conditions",
     "rule": {"any_of": [{"ethnic_categories": ["H", "N"]}, {"any_condition": ["smi", "copd"]}]}}
  ]
}"#;

/// [`SMALL_DEFINITION`] over the synthetic index, with a reference date for dates of birth.
static CLASSIFIER: LazyLock<Classifier<'static>> = LazyLock::new(|| {
    let definition =
        CohortDefinition::from_json(SMALL_DEFINITION).expect("the small definition reads");
    Classifier::new(definition, Some(&*INDEX))
        .expect("the small definition compiles")
        .with_reference_date(Date::parse("2026-01-01").expect("a date"))
});

/// The national definition without an index, as `equitas merge` builds its total.
static NATIONAL: LazyLock<Classifier<'static>> = LazyLock::new(|| {
    Classifier::new(CohortDefinition::national(), None).expect("the built-in definition compiles")
});

/// People the definition target classifies: every age edge, every kind of field, some unknown.
fn people() -> Vec<PersonRecord> {
    let mut out = Vec::new();
    for (i, age) in [
        None,
        Some(0),
        Some(5),
        Some(17),
        Some(18),
        Some(25),
        Some(26),
        Some(64),
        Some(120),
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = PersonRecord::new(format!("p{i}"));
        p.age = age;
        p.area = Some(["E01099901", "E01099905", "E01099910", "E01000000"][i % 4].to_owned());
        p.ethnicity = ["A", "N", "99", "Z"].get(i % 5).map(|s| (*s).to_owned());
        p.conditions = [
            vec![],
            vec!["smi".to_owned()],
            vec!["copd".to_owned(), "hypertension".to_owned()],
            vec![
                "asthma".to_owned(),
                "epilepsy".to_owned(),
                "diabetes_type2".to_owned(),
            ],
            vec![
                "dental_caries".to_owned(),
                "mental_health_condition".to_owned(),
            ],
        ][i % 5]
            .clone();
        p.groups = [
            vec![],
            vec!["homelessness".to_owned()],
            vec!["learning_disability".to_owned(), "autism".to_owned()],
            vec!["boaters".to_owned(), "young_carer".to_owned()],
        ][i % 4]
            .clone();
        out.push(p);
    }
    out
}

/// A cohort definition file, as `equitas cohorts|merge --definition` reads it.
///
/// Checks, when it reads:
/// - its serialisation reads back as the same definition;
/// - when it compiles (`Classifier::new`), people of every age edge classify and count, and the
///   counts, the report and the saved counts file's round trip do not panic or change.
pub fn definition(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    let Ok(def) = CohortDefinition::from_json(text) else {
        return;
    };
    let written = serde_json::to_string(&def).expect("a definition serialises");
    let back = CohortDefinition::from_json(&written)
        .unwrap_or_else(|e| panic!("the definition as serialised fails: {e}\n{written}"));
    assert_eq!(back, def, "changed through serialisation");

    let Ok(classifier) = Classifier::new(def, Some(&*INDEX)) else {
        return;
    };
    let classifier = classifier.with_reference_date(Date::parse("2026-01-01").expect("a date"));
    let mut counts = CohortCounts::new(&classifier);
    for p in people() {
        // Unknown ids in the person are the person's problem, not the definition's.
        if let Ok(r) = classifier.compact(&p) {
            let m = classifier.classify_compact(&r);
            let _ = classifier.describe(&m);
            counts.count(&classifier, &r);
        }
    }
    let _ = report(&counts, &classifier);
    round_trip(&counts);
}

/// A person record as JSON, as the cohort classifier's wasm export (`classifyPerson`) reads it.
///
/// Checks, when it reads: its serialisation reads back as the same record; classifying it
/// (under a small definition with every kind of rule, over the synthetic index) does not
/// panic, and agrees with classifying its compact form.
pub fn person(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    let Ok(p) = PersonRecord::from_json(text) else {
        return;
    };
    let written = serde_json::to_string(&p).expect("a record serialises");
    let back = PersonRecord::from_json(&written)
        .unwrap_or_else(|e| panic!("the record as serialised fails: {e}\n{written}"));
    assert_eq!(back, p, "changed through serialisation");
    let c = &*CLASSIFIER;
    match (c.classify(&p), c.compact(&p)) {
        (Ok(m), Ok(r)) => {
            assert_eq!(
                m,
                c.classify_compact(&r),
                "classify and its compact form differ"
            );
            let _ = c.describe(&m);
            let _ = c.metric_bits(&r, &m);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("classify gives {a:?} but compact gives {b:?}"),
    }
}

/// Block sizes and thread counts the parallel reader is compared at: blocks far smaller than
/// the default 4 MiB, so that block ends fall inside short inputs.
const PARALLEL: [(usize, usize); 2] = [(2, 64), (3, 257)];

/// A person-record CSV, as `equitas cohorts` reads it: the sequential reader
/// (`count_records`, `--threads 1`) and the parallel one (`count_records_parallel`, the default)
/// with small blocks.
///
/// Checks:
/// - the parallel reader gives the same counts, the same summary (rows, problems, unknown
///   areas) and the same error as the sequential one (issue 12, finding 1);
/// - strict reading (`--strict`) succeeds exactly when the lenient one finds no problem and no
///   unknown area, with the same counts; when it fails, it is with the first such row;
/// - the counts survive the saved counts file's round trip, and the report does not panic.
pub fn records(data: &[u8]) {
    let c = &*CLASSIFIER;
    let mut seq = CohortCounts::new(c);
    let sequential = count_records(data, c, &mut seq, false);
    for (threads, block) in PARALLEL {
        let mut par = CohortCounts::new(c);
        let parallel = count_records_parallel(data, c, &mut par, threads, block);
        match (&sequential, &parallel) {
            (Ok(s), Ok(p)) => {
                assert_eq!(
                    s, p,
                    "summaries differ, sequential vs {threads} threads with {block}-byte blocks"
                );
                assert_eq!(
                    seq, par,
                    "counts differ, sequential vs {threads} threads with {block}-byte blocks"
                );
            }
            (Err(s), Err(p)) => assert_eq!(
                s.to_string(),
                p.to_string(),
                "errors differ, sequential vs {threads} threads with {block}-byte blocks"
            ),
            (s, p) => panic!(
                "sequential gives {s:?} but {threads} threads with {block}-byte blocks give {p:?}"
            ),
        }
    }

    let mut strict_counts = CohortCounts::new(c);
    let strict = count_records(data, c, &mut strict_counts, true);
    match (strict, &sequential) {
        (Ok(st), Ok(s)) => {
            assert!(
                s.problems.is_empty() && s.unknown_areas == 0,
                "strict reading passed a file with problems: {s:?}"
            );
            assert_eq!(&st, s, "strict and lenient summaries differ");
            assert_eq!(strict_counts, seq, "strict and lenient counts differ");
        }
        (Err(RecordsError::Row(e)), Ok(s)) => {
            let first = [s.problems.first(), s.unknown_area_examples.first()]
                .into_iter()
                .flatten()
                .min_by_key(|p| p.row);
            // The same row, column and value; the words differ for an unknown area, which
            // strict reading stops at and lenient reading counts (finding 12).
            let place = |p: &RowError| (p.row, p.column.clone(), p.value.clone());
            assert_eq!(
                Some(place(&e)),
                first.map(place),
                "strict reading stopped at a row the lenient one did not report"
            );
        }
        (Err(st), Err(s)) => assert_eq!(st.to_string(), s.to_string()),
        (st, s) => panic!("strict reading gives {st:?} but lenient gives {s:?}"),
    }

    if sequential.is_ok() {
        let _ = report(&seq, c);
        round_trip(&seq);
    }
}

/// Counts saved and read back are the same counts, and saving them again gives the same text.
fn round_trip(counts: &CohortCounts) {
    let saved = counts.to_json().expect("counts serialise");
    let back = CohortCounts::from_json(&saved)
        .unwrap_or_else(|e| panic!("saved counts fail to read back: {e}"));
    assert_eq!(&back, counts, "counts changed on save and read");
    assert_eq!(back.to_json().expect("counts serialise"), saved);
}

/// A saved counts file, as `equitas merge` reads it.
///
/// Checks, when it reads:
/// - saving it again reads back the same counts (and the same text);
/// - `equitas merge` of the file with itself under the national definition either refuses
///   cleanly or gives exactly twice every total, never a total that wrapped past `u64::MAX`
///   (issue 12, finding 4); its report and rows do not panic;
/// - a file of counts by period (version 2) written again reads back the same, and merges
///   with itself or refuses cleanly.
pub fn counts(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    if let Ok(by_period) = equitas_core::cohort::period::PeriodCounts::from_json(text) {
        let saved = by_period.to_json().expect("counts by period serialise");
        let back = equitas_core::cohort::period::PeriodCounts::from_json(&saved)
            .unwrap_or_else(|e| panic!("saved counts by period do not read back: {e}"));
        assert_eq!(
            back, by_period,
            "counts by period changed on the round trip"
        );
        let mut twice = by_period.clone();
        let _ = twice.merge(&by_period);
    }
    let Ok(part) = CohortCounts::from_json(text) else {
        return;
    };
    round_trip(&part);
    let _ = part.rows().count();
    let _ = ambitions(&part, equitas_core::catalogue::Catalogue::builtin());

    let national = &*NATIONAL;
    let mut total = CohortCounts::new(national);
    if total.merge(&part).is_err() || total.merge(&part).is_err() {
        return;
    }
    let twice = part.people().checked_mul(2).unwrap_or_else(|| {
        panic!(
            "merging {} people twice was accepted, past u64::MAX",
            part.people()
        )
    });
    assert_eq!(total.people(), twice, "people merged twice");
    assert_eq!(total.core20_people(), 2 * part.core20_people());
    let _ = report(&total, national);
    let _ = total.rows().count();
}
