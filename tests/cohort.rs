//! The cohort model: classification, streaming records with their errors, merge, ambitions.

use approx::{abs_diff_eq, assert_abs_diff_eq};
use equitas_core::catalogue::Catalogue;
use equitas_core::cohort::records::{RecordsError, count_records};
use equitas_core::cohort::{
    Classifier, CohortCounts, CohortDefinition, DefinitionError, Missing, PersonRecord, Sex,
    ambitions,
};
use equitas_core::deprivation::{DeprivationIndex, ImdDecile, ImdEdition};
use proptest::prelude::*;

pub(crate) fn index19() -> DeprivationIndex {
    DeprivationIndex::from_path(&crate::shared("data/imd/imd2019_england_lsoa11.csv")).unwrap()
}

fn person(age: u8, decile: u8) -> PersonRecord {
    let mut p = PersonRecord::new("t");
    p.age = Some(age);
    p.imd_decile = Some(ImdDecile::new(decile).unwrap());
    p.sex = Sex::Female;
    p.ethnicity = Some("A".into());
    p
}

#[test]
fn adults_and_children_get_their_own_areas() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap();
    let area = |id| c.area_index(id).unwrap();
    let mut p = person(47, 2);
    p.conditions = vec!["asthma".into(), "smi".into()];
    let m = c.classify(&p).unwrap();
    assert_eq!(
        (m.core20, m.imd_quintile.map(|q| q.get())),
        (Some(true), Some(1))
    );
    assert!(
        m.adult_areas.contains(area("smi")) && m.adult_areas.contains(area("chronic_respiratory"))
    );
    assert!(m.cyp_areas.is_empty());

    // A 20-year-old is both adult (18+) and CYP (0-25 by default).
    let mut p = person(20, 3);
    p.conditions = vec!["asthma".into(), "mental_health_condition".into()];
    let m = c.classify(&p).unwrap();
    assert_eq!(m.core20, Some(false));
    assert!(m.cyp_areas.contains(area("cyp_asthma")));
    // CYP mental health is for 0-17 only.
    assert!(!m.cyp_areas.contains(area("cyp_mental_health")));
    assert!(m.adult_areas.contains(area("chronic_respiratory")));

    // Oral health is for the under-11s.
    let mut p = person(9, 10);
    p.conditions = vec!["dental_caries".into()];
    assert!(
        c.classify(&p)
            .unwrap()
            .cyp_areas
            .contains(area("cyp_oral_health"))
    );
    p.age = Some(11);
    assert!(c.classify(&p).unwrap().cyp_areas.is_empty());
}

#[test]
fn icd10_codes_map_through_the_indicative_lists() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap();
    let mut p = person(60, 5);
    p.conditions = vec!["J44.1".into(), "I10".into(), "F20".into()];
    let m = c.classify(&p).unwrap();
    for a in ["chronic_respiratory", "hypertension_lipids", "smi"] {
        assert!(m.adult_areas.contains(c.area_index(a).unwrap()), "{a}");
    }
    p.conditions = vec!["Z99.9".into()];
    let err = c.classify(&p).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("conditions \"Z99.9\" is not a known condition id or ICD-10 code"),
        "{err}"
    );
}

#[test]
fn plus_groups_follow_the_definition_rules() {
    let national = Classifier::new(CohortDefinition::national(), None).unwrap();
    let cw = Classifier::new(CohortDefinition::coventry_warwickshire(), None).unwrap();
    let ids =
        |c: &Classifier<'_>, p: &PersonRecord| c.describe(&c.classify(p).unwrap()).plus_groups;

    let mut p = person(34, 4);
    p.groups = vec!["boaters".into()];
    assert_eq!(ids(&cw, &p), ["transient_communities"]);
    assert!(
        ids(&national, &p).is_empty(),
        "boaters are not an NHS England inclusion health group"
    );
    p.groups = vec!["homelessness".into()];
    assert_eq!(ids(&cw, &p), ["transient_communities"]);
    assert_eq!(ids(&national, &p), ["inclusion_health"]);

    let mut p = person(15, 1);
    p.ethnicity = Some("N".into());
    p.groups = vec!["young_carer".into(), "learning_disability".into()];
    p.conditions = vec!["epilepsy".into(), "asthma".into()];
    assert_eq!(
        ids(&national, &p),
        [
            "ethnic_minority",
            "ld_autism",
            "multimorbidity",
            "young_carers"
        ]
    );
    // Young carers is a CYP group: not at 40.
    p.age = Some(40);
    assert_eq!(
        ids(&national, &p),
        ["ethnic_minority", "ld_autism", "multimorbidity"]
    );
}

#[test]
fn missing_information_has_a_reason() {
    let ix = index19();
    let c = Classifier::new(CohortDefinition::national(), Some(&ix)).unwrap();
    let mut p = PersonRecord::new("x");
    p.area = Some("E01099999".into());
    let m = c.classify(&p).unwrap();
    let missing: Vec<Missing> = m.missing().collect();
    assert_eq!(
        missing,
        [
            Missing::UnknownArea,
            Missing::NoAge,
            Missing::EthnicityNotKnown,
            Missing::SexNotKnown
        ]
    );
    assert_eq!(m.core20, None);
    p.area = None;
    assert!(c.classify(&p).unwrap().is_missing(Missing::NoDeprivation));
    p.area = Some("E01021988".into());
    assert_eq!(c.classify(&p).unwrap().core20, Some(true));
}

#[test]
fn ages_from_dates_of_birth_need_a_reference_date() {
    use equitas_core::cohort::Date;
    let c = Classifier::new(CohortDefinition::national(), None).unwrap();
    let mut p = PersonRecord::new("d");
    p.date_of_birth = Some(Date::parse("2010-06-30").unwrap());
    assert!(c.classify(&p).unwrap().is_missing(Missing::NoAge));
    let c = c.with_reference_date(Date::parse("2026-06-29").unwrap());
    assert_eq!(c.describe(&c.classify(&p).unwrap()).age_band, "10-17");
    let c = c.with_reference_date(Date::parse("2026-06-30").unwrap());
    assert_eq!(c.describe(&c.classify(&p).unwrap()).age_band, "10-17");
    let c = c.with_reference_date(Date::parse("2001-01-01").unwrap());
    assert_eq!(
        c.classify(&p).unwrap_err().to_string(),
        "date of birth 2010-06-30 is after the reference date 2001-01-01"
    );
    // One date type for the crate since issue 13: the assessment's message, with an example.
    assert_eq!(
        Date::parse("2023-02-29").unwrap_err().to_string(),
        "\"2023-02-29\" is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31"
    );
}

#[test]
fn definitions_are_checked_against_the_catalogue_and_the_index() {
    let mut d = CohortDefinition::national();
    d.plus_groups[1].rule = equitas_core::cohort::Rule::AnyFlag(vec!["narrowboat".into()]);
    assert_eq!(
        Classifier::new(d, None).unwrap_err().to_string(),
        "cohort definition national at /plus_groups/1/rule/any_flag/0: PLUS group \"ld_autism\" refers to unknown group flag \"narrowboat\""
    );
    let mut d = CohortDefinition::national();
    d.imd_edition = ImdEdition::Wales2019;
    assert!(matches!(
        Classifier::new(d, None),
        Err(DefinitionError::NotEngland { .. })
    ));
    let ix = index19();
    let mut d = CohortDefinition::national();
    d.imd_edition = ImdEdition::England2025;
    let err = Classifier::new(d, Some(&ix)).unwrap_err();
    assert!(err.to_string().contains("--edition"), "{err}");
    let mut d = CohortDefinition::national();
    d.age_bands = vec![5, 10];
    assert!(matches!(
        Classifier::new(d, None),
        Err(DefinitionError::BadAgeBands { .. })
    ));
}

const HEADER: &str = "person_id,age,sex,ethnicity,lsoa,conditions,groups\n";

fn count(
    csv: &str,
    strict: bool,
) -> Result<(CohortCounts, equitas_core::cohort::records::ReadSummary), RecordsError> {
    let ix = Box::leak(Box::new(index19()));
    let c = Box::leak(Box::new(
        Classifier::new(CohortDefinition::national(), Some(ix)).unwrap(),
    ));
    let mut counts = CohortCounts::new(c);
    let s = count_records(csv.as_bytes(), c, &mut counts, strict)?;
    Ok((counts, s))
}

fn first_problem(body: &str) -> String {
    let (_, s) = count(&format!("{HEADER}{body}"), false).unwrap();
    assert_eq!(s.rejected, 1, "{s:?}");
    s.problems[0].to_string()
}

#[test]
fn each_bad_input_names_row_column_and_value() {
    assert_eq!(
        first_problem("p1,47,female,A,E01000001,,\np2,47.5,female,A,E01000001,,\n"),
        "row 3, column \"age\": \"47.5\" is not a whole number of years from 0 to 120"
    );
    assert_eq!(
        first_problem("p1,121,male,A,E01000001,,\n"),
        "row 2, column \"age\": 121 is not a whole number of years from 0 to 120"
    );
    assert_eq!(
        first_problem("p1,-3,male,A,E01000001,,\n"),
        "row 2, column \"age\": \"-3\" is not a whole number of years from 0 to 120"
    );
    let msg = first_problem("p1,30,male,A,E01000001,smi;diabetic,\n");
    assert!(
        msg.starts_with(
            "row 2, column \"conditions\": conditions \"diabetic\" is not a known condition id"
        ),
        "{msg}"
    );
    let msg = first_problem("p1,30,male,A,E01000001,,homeless\n");
    assert!(msg.starts_with("row 2, column \"groups\": groups \"homeless\" is not a known group flag; flags are homelessness"), "{msg}");
    let msg = first_problem("p1,30,male,Q,E01000001,,\n");
    assert!(
        msg.starts_with(
            "row 2, column \"ethnicity\": ethnicity \"Q\" is not a known NHS ethnic category code"
        ),
        "{msg}"
    );
    let msg = first_problem("p1,30,man,A,E01000001,,\n");
    assert!(
        msg.starts_with("row 2, column \"sex\": \"man\" is not a recorded sex"),
        "{msg}"
    );
    let msg = first_problem("p1,30,male,A,e01000001,,\n");
    assert_eq!(
        msg,
        "row 2, column \"lsoa\": area area code \"e01000001\" has 'e' at position 1; codes use only 0-9 and A-Z"
    );
    let msg = first_problem("p1,30,male,A,E01000001,,,extra\n");
    assert_eq!(msg, "row 2, column \"\": has 8 fields but the header has 7");
}

#[test]
fn a_missing_required_column_lists_what_is_needed() {
    let err = count(
        "person_id,age,sex,lsoa,groups\np1,3,male,E01000001,\n",
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "record file is missing the column(s) ethnicity, conditions; it needs person_id,age,sex,ethnicity,lsoa,conditions,groups (header was: person_id,age,sex,lsoa,groups)"
    );
}

#[test]
fn unknown_areas_are_counted_and_reported_and_strict_makes_them_fatal() {
    let body = format!("{HEADER}p1,30,male,A,E01099999,,\np2,30,male,A,E01021988,,\n");
    let (counts, s) = count(&body, false).unwrap();
    assert_eq!(
        (s.rows, s.counted, s.rejected, s.unknown_areas),
        (2, 2, 0, 1)
    );
    assert_eq!(
        s.unknown_area_examples[0].to_string(),
        "row 2, column \"lsoa\": area E01099999 is not in the england-2019 index (counted with deprivation unknown)"
    );
    assert_eq!(counts.missing(Missing::UnknownArea), 1);
    assert_eq!(counts.core20_people(), 1);
    let err = count(&body, true).unwrap_err();
    assert!(
        matches!(err, RecordsError::Row(ref e) if e.row == 2 && e.value == "E01099999"),
        "{err}"
    );
    // Strict also stops at the first bad row.
    let err = count(
        &format!("{HEADER}p1,30,male,A,E01021988,,\np2,x,male,A,E01021988,,\n"),
        true,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "row 3, column \"age\": \"x\" is not a whole number of years from 0 to 120"
    );
}

#[test]
fn extra_columns_are_ignored_and_optional_ones_read() {
    let csv = "nhs_number,person_id,age,sex,ethnicity,lsoa,conditions,groups,smoking,events,imd_decile\n\
               999,p1,50,2,N,,smi,,current,smi_health_check,1\n";
    let (counts, s) = count(csv, false).unwrap();
    assert_eq!((s.counted, s.rejected), (1, 0));
    assert_eq!(counts.core20_people(), 1);
    let rows = ambitions(&counts, Catalogue::builtin());
    let smi = rows
        .iter()
        .find(|r| r.metric == "smi_health_check")
        .unwrap();
    assert_eq!((smi.core20.numerator, smi.core20.denominator), (1, 1));
    // A decile that disagrees with the area is a row error, not a silent choice.
    let csv =
        "person_id,age,sex,ethnicity,lsoa,conditions,groups,imd_decile\np1,50,2,N,E01021988,,,7\n";
    let (_, s) = count(csv, false).unwrap();
    assert_eq!(
        s.problems[0].to_string(),
        "row 2, column \"lsoa\": imd_decile 7 disagrees with area E01021988, which is decile 1 in england-2019"
    );
}

#[test]
fn ambitions_compare_core20_with_the_rest_against_the_target() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap();
    let mut counts = CohortCounts::new(&c);
    // SMI: Core20 3 of 10 checked, rest 14 of 20.
    for (decile, checked, n) in [(1u8, 3, 10), (6, 14, 20)] {
        for i in 0..n {
            let mut p = person(40, decile);
            p.conditions = vec!["smi".into()];
            if i < checked {
                p.events = vec!["smi_health_check".into()];
            }
            let r = c.compact(&p).unwrap();
            counts.count(&c, &r);
        }
    }
    let rows = ambitions(&counts, Catalogue::builtin());
    let smi = rows
        .iter()
        .find(|r| r.metric == "smi_health_check")
        .unwrap();
    assert_eq!(smi.target, Some(0.6));
    assert_eq!((smi.core20.numerator, smi.core20.denominator), (3, 10));
    assert_eq!((smi.rest.numerator, smi.rest.denominator), (14, 20));
    assert_abs_diff_eq!(smi.gap_pp.unwrap(), 40.0, epsilon = 1e-9);
    assert_eq!(
        (smi.core20_meets_target, smi.overall_meets_target),
        (Some(false), Some(false))
    );
    assert_eq!(smi.by_quintile[2].denominator, 20);
    // Wilson 95% for 3 of 10, computed independently with Python statistics.NormalDist and
    // written to 12 decimals: 1e-10 absolute.
    assert_abs_diff_eq!(
        smi.core20.lower.unwrap(),
        0.107_791_267_406,
        epsilon = 1e-10
    );
    assert_abs_diff_eq!(
        smi.core20.upper.unwrap(),
        0.603_221_852_539,
        epsilon = 1e-10
    );
    let cancer = rows
        .iter()
        .find(|r| r.metric == "cancer_stage_1_2")
        .unwrap();
    assert_eq!((cancer.core20.rate, cancer.gap_pp), (None, None));
}

/// Synthetic records as compact records, for property tests.
fn synthetic(n: usize, seed: u64, c: &Classifier<'_>) -> Vec<equitas_core::cohort::CompactRecord> {
    use equitas_core::synth::{Areas, Synth, SynthParams};
    let mut s = Synth::new(&SynthParams::builtin(), seed, Areas::Deciles).unwrap();
    (0..n)
        .map(|_| c.compact(&s.next_person().to_record()).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merging_any_split_equals_counting_at_once(
        seed in 0u64..1000,
        n in 0usize..600,
        cuts in proptest::collection::vec(0.0f64..1.0, 0..6),
        order in proptest::collection::vec(any::<u32>(), 0..6),
    ) {
        let c = Classifier::new(CohortDefinition::coventry_warwickshire(), None).unwrap();
        let records = synthetic(n, seed, &c);
        let mut whole = CohortCounts::new(&c);
        for r in &records {
            whole.count(&c, r);
        }
        let mut bounds: Vec<usize> = cuts.iter().map(|f| (f * n as f64) as usize).collect();
        bounds.push(0);
        bounds.push(n);
        bounds.sort_unstable();
        let mut parts: Vec<CohortCounts> = bounds.windows(2).map(|w| {
            let mut part = CohortCounts::new(&c);
            for r in &records[w[0]..w[1]] {
                part.count(&c, r);
            }
            part
        }).collect();
        // Merge in a shuffled order, as a tree: associativity and commutativity both matter.
        for (i, k) in order.iter().enumerate() {
            let len = parts.len();
            if len > 1 {
                parts.swap(i % len, *k as usize % len);
            }
        }
        while parts.len() > 1 {
            let b = parts.pop().unwrap();
            let a = parts.pop().unwrap();
            let mut m = b;
            m.merge(&a).unwrap();
            parts.insert(0, m);
        }
        let merged = parts.pop().unwrap();
        prop_assert_eq!(merged.people(), n as u64);
        prop_assert!(merged == whole);
    }
}

#[test]
fn counts_of_different_definitions_refuse_to_merge() {
    let a = Classifier::new(CohortDefinition::national(), None).unwrap();
    let b = Classifier::new(CohortDefinition::coventry_warwickshire(), None).unwrap();
    let mut ca = CohortCounts::new(&a);
    let err = ca.merge(&CohortCounts::new(&b)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot merge counts for national v1 with counts for coventry-warwickshire v1: they were made with different definitions or catalogues"
    );
}

#[test]
fn every_marginal_adds_up() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap();
    let records = synthetic(5_000, 9, &c);
    let mut counts = CohortCounts::new(&c);
    for r in &records {
        counts.count(&c, r);
    }
    let all: u64 = counts
        .rows()
        .filter(|r| r.area == "all" && r.plus_group == "all")
        .map(|r| r.people)
        .sum();
    assert_eq!(all, 5_000);
    let grid = counts.area_by_plus();
    assert_eq!(grid[0][0], 5_000);
    // Each area's people equal those classified into it.
    for (a, id) in counts.area_labels().iter().enumerate().skip(1) {
        let expected = records
            .iter()
            .filter(|r| {
                let m = c.classify_compact(r);
                if id == "smoking_cessation" {
                    m.smoking_thread
                } else {
                    m.areas().contains(c.area_index(id).unwrap())
                }
            })
            .count() as u64;
        assert_eq!(grid[a][0], expected, "{id}");
    }
}

#[test]
fn wilson_matches_the_reference_vectors() {
    let text =
        std::fs::read_to_string(crate::shared("reference/vectors/wilson_byar.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = v["wilson"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let (x, n, conf) = (
            case["x"].as_u64().unwrap(),
            case["n"].as_u64().unwrap(),
            case["confidence"].as_f64().unwrap(),
        );
        let p = equitas_core::measures::intervals::wilson(x, n, conf).unwrap();
        let ci = case["ci"].as_array().unwrap();
        // 1e-9 absolute: tighter for these proportions than the vector's own "1e-8 relative"
        // (tests/phe.rs checks that), and kept.
        assert!(
            abs_diff_eq!(p.lower, ci[0].as_f64().unwrap(), epsilon = 1e-9),
            "{case}: {p:?}"
        );
        assert!(
            abs_diff_eq!(p.upper, ci[1].as_f64().unwrap(), epsilon = 1e-9),
            "{case}: {p:?}"
        );
    }
}

#[test]
fn saved_counts_load_back_identical_and_merge_across_machines() {
    use equitas_core::cohort::CountsFileError;
    let c = Classifier::new(CohortDefinition::coventry_warwickshire(), None).unwrap();
    let records = synthetic(3_000, 5, &c);
    let mut whole = CohortCounts::new(&c);
    let (mut a, mut b) = (CohortCounts::new(&c), CohortCounts::new(&c));
    for (i, r) in records.iter().enumerate() {
        whole.count(&c, r);
        if i % 3 == 0 {
            a.count(&c, r)
        } else {
            b.count(&c, r)
        }
    }
    let saved = whole.to_json().unwrap();
    assert_eq!(CohortCounts::from_json(&saved).unwrap(), whole);
    // "Machine" A and B each save; a third loads both and merges.
    let mut merged = CohortCounts::from_json(&a.to_json().unwrap()).unwrap();
    merged
        .merge(&CohortCounts::from_json(&b.to_json().unwrap()).unwrap())
        .unwrap();
    assert!(merged == whole);

    // Refusals: nothing is half-loaded.
    let newer = saved.replacen("\"version\":1", "\"version\":3", 1);
    assert_eq!(
        CohortCounts::from_json(&newer).unwrap_err(),
        CountsFileError::TooNew(3)
    );
    // Version 2 is counts by period (issue 15): refused as one set of counts, by name.
    let by_period = saved.replacen("\"version\":1", "\"version\":2", 1);
    assert_eq!(
        CohortCounts::from_json(&by_period).unwrap_err(),
        CountsFileError::ByPeriod
    );
    let other = saved.replacen("equitas-cohort-counts", "equitas-assessment", 1);
    assert!(
        matches!(CohortCounts::from_json(&other), Err(CountsFileError::WrongFormat(f)) if f == "equitas-assessment")
    );
    let truncated = &saved[..saved.len() / 2];
    assert!(matches!(
        CohortCounts::from_json(truncated),
        Err(CountsFileError::Malformed(_))
    ));
    let tampered = saved.replacen("\"people\":3000", "\"people\":3001", 1);
    assert_eq!(
        CohortCounts::from_json(&tampered).unwrap_err().to_string(),
        "saved counts file is inconsistent: people is 3001 but the (all, all) cells add up to 3000"
    );
    let past_end = saved.replacen("\"cells\":[[", "\"cells\":[[99999999,1],[", 1);
    assert!(
        CohortCounts::from_json(&past_end)
            .unwrap_err()
            .to_string()
            .contains("cells index 99999999 is past the end")
    );
}

/// A messy record file: good rows, bad rows, unknown areas, quoted fields with newlines inside.
fn messy_csv(n: usize, seed: u64) -> String {
    let mut out = String::from("person_id,age,sex,ethnicity,lsoa,conditions,groups,smoking\n");
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    for i in 0..n {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let pick = (x >> 33) % 10;
        let line = match pick {
            0 => format!(
                "\"p{i}\nwith a newline\",40,female,N,E01021988,\"smi;copd\",homelessness,current\n"
            ),
            1 => format!("p{i},abc,male,A,E01000001,,,\n"),
            2 => format!("p{i},30,male,A,E01099999,,,never\n"),
            3 => format!("p{i},30,male,A,E01000001,diabetic,,\n"),
            4 => format!("\"p{i} \"\"quoted\"\"\",7,2,H,E01021988,dental_caries,young_carer,\n"),
            _ => format!(
                "p{i},{},{},A,E01000001,hypertension,,ex\n",
                (x >> 40) % 100,
                if x & 1 == 0 { "male" } else { "female" }
            ),
        };
        out.push_str(&line);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn parallel_counting_equals_sequential(
        n in 0usize..400,
        seed in any::<u64>(),
        threads in 1usize..5,
        block in 64usize..3000,
    ) {
        use equitas_core::cohort::records::count_records_parallel;
        let ix = Box::leak(Box::new(index19()));
        let c = Classifier::new(CohortDefinition::national(), Some(ix)).unwrap();
        let csv = messy_csv(n, seed);
        let mut seq = CohortCounts::new(&c);
        let s1 = count_records(csv.as_bytes(), &c, &mut seq, false).unwrap();
        let mut par = CohortCounts::new(&c);
        let s2 = count_records_parallel(csv.as_bytes(), &c, &mut par, threads, block).unwrap();
        prop_assert_eq!(&s1, &s2);
        prop_assert!(seq == par);
    }

    /// With breakdowns (two dimensions crossed, a domain of the IMD file, a PLUS group), the
    /// threaded count is still the one-thread count, table for table and byte for byte.
    #[test]
    fn parallel_counting_with_breakdowns_equals_sequential(
        n in 0usize..400,
        seed in any::<u64>(),
        threads in 2usize..5,
        block in 64usize..3000,
    ) {
        use equitas_core::cohort::Breakdown;
        use equitas_core::cohort::records::count_records_parallel;
        let ix = Box::leak(Box::new(index19()));
        let c = Classifier::new(CohortDefinition::coventry_warwickshire(), Some(ix))
            .unwrap()
            .with_breakdowns(
                &Breakdown::parse_list(
                    "ethnicity:imd-quintile,domain=Income,age-band:sex,plus=transient_communities,ethnic-category",
                )
                .unwrap(),
            )
            .unwrap();
        let csv = messy_csv(n, seed);
        let mut seq = CohortCounts::new(&c);
        let s1 = count_records(csv.as_bytes(), &c, &mut seq, false).unwrap();
        let mut par = CohortCounts::new(&c);
        let s2 = count_records_parallel(csv.as_bytes(), &c, &mut par, threads, block).unwrap();
        prop_assert_eq!(&s1, &s2);
        prop_assert!(seq == par);
        let (r1, r2) = (
            equitas_core::cohort::report(&seq, &c),
            equitas_core::cohort::report(&par, &c),
        );
        prop_assert_eq!(serde_json::to_string(&r1).unwrap(), serde_json::to_string(&r2).unwrap());
        prop_assert_eq!(r1.breakdowns.len(), 5);
    }
}

/// Issue 12, findings 4 (hostile saved counts), 14 (definitions that contradict themselves) and
/// 12 (a whole number too large for its field).
mod issue12 {
    use equitas_core::cohort::{
        Classifier, CohortCounts, CohortDefinition, CountsFileError, DefinitionError,
        MAX_COUNT_CELLS, MAX_COUNTS_FILE_BYTES, MAX_LABELS, MergeError, PlusGroup, Rule,
    };
    use serde_json::{Value, json};

    /// A real saved counts file of a few synthetic people, as JSON to tamper with.
    fn saved() -> (CohortCounts, Value) {
        let c = Classifier::new(CohortDefinition::national(), None).unwrap();
        let mut counts = CohortCounts::new(&c);
        for r in super::synthetic(200, 1, &c) {
            counts.count(&c, &r);
        }
        let v = serde_json::from_str(&counts.to_json().unwrap()).unwrap();
        (counts, v)
    }

    fn load(v: &Value) -> Result<CohortCounts, CountsFileError> {
        CohortCounts::from_json(&v.to_string())
    }

    /// Finding 4: a 42 KB file whose label lists describe a table of terabytes made `merge`
    /// abort allocating it; longer lists overflowed the size ("capacity overflow"). Now the
    /// lists and the table are checked against their limits before anything is allocated.
    #[test]
    fn label_lists_that_describe_a_huge_table_are_refused_before_allocating() {
        let (_, mut v) = saved();
        let many: Vec<String> = (0..60).map(|i| format!("a{i}")).collect();
        v["labels"]["areas"] = json!(many);
        v["labels"]["plus"] = json!(many);
        v["labels"]["bands"] = json!(many);
        let err = load(&v).unwrap_err();
        assert!(matches!(err, CountsFileError::TooLarge(_)), "{err}");
        assert!(
            err.to_string().contains(&format!(
                "more than the {MAX_COUNT_CELLS} cells counts can have (MAX_COUNT_CELLS"
            )),
            "{err}"
        );
        // A list longer than any dimension can be is refused as it is read.
        let long: Vec<String> = (0..=MAX_LABELS).map(|i| format!("a{i}")).collect();
        v["labels"]["areas"] = json!(long);
        let err = load(&v).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "more than {MAX_LABELS} labels in one dimension (the limit, MAX_LABELS"
            )),
            "{err}"
        );
        // So is a list of cells longer than any table.
        let (_, mut v) = saved();
        let cells: Vec<Value> = (0..=MAX_COUNT_CELLS).map(|i| json!([i, 0])).collect();
        v["cells"] = json!(cells);
        let err = load(&v).unwrap_err().to_string();
        assert!(err.contains("more than 4194304 cells"), "{err}");
    }

    #[test]
    fn text_longer_than_any_saved_file_is_refused_unread() {
        let text = " ".repeat(MAX_COUNTS_FILE_BYTES + 1);
        let err = CohortCounts::from_json(&text).unwrap_err();
        assert!(matches!(err, CountsFileError::TooLarge(_)), "{err}");
        assert!(err.to_string().contains("MAX_COUNTS_FILE_BYTES"), "{err}");
    }

    #[test]
    fn huge_or_repeated_indices_are_refused() {
        let (_, mut v) = saved();
        v["cells"] = json!([[u64::MAX, 1]]);
        let err = load(&v).unwrap_err().to_string();
        assert!(
            err.contains("cells index 18446744073709551615 is past the end"),
            "{err}"
        );
        // An index given twice was taken silently (the last won).
        let (_, mut v) = saved();
        let first = v["cells"][0].clone();
        v["cells"].as_array_mut().unwrap().push(first);
        let err = load(&v).unwrap_err().to_string();
        assert!(err.contains("is listed twice"), "{err}");
    }

    /// Cells that add up past `u64::MAX` wrapped around (to 1) and were accepted.
    #[test]
    fn a_total_past_the_largest_count_is_refused() {
        let (_, mut v) = saved();
        // Two (all, all) cells of u64::MAX and 2 "add up" to people = 1 when wrapped.
        let cells = v["cells"].as_array().unwrap();
        let i = cells[0][0].as_u64().unwrap();
        let j = cells[1][0].as_u64().unwrap();
        v["cells"] = json!([[i, u64::MAX], [j, 2]]);
        v["people"] = json!(1);
        let err = load(&v).unwrap_err().to_string();
        assert!(err.contains("more than a count can hold"), "{err}");
    }

    /// Merging cells of u64::MAX and 2 wrapped to 1 and was accepted; now it is an error that
    /// names the count (the cell with its labels), and nothing is added.
    #[test]
    fn merge_overflow_names_the_cell_and_adds_nothing() {
        let (counts, v) = saved();
        // People past the largest count.
        let mut p = v.clone();
        let i = p["cells"][0][0].as_u64().unwrap();
        p["cells"] = json!([[i, u64::MAX]]);
        p["people"] = json!(u64::MAX);
        let mut total = counts.clone();
        let err = total.merge(&load(&p).unwrap()).unwrap_err();
        assert!(matches!(err, MergeError::Overflow { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "cannot merge counts: people would be 200 + 18446744073709551615, more than a count \
             can hold (18446744073709551615)"
        );
        assert_eq!(total, counts, "nothing is added on an error");
        // One cell outside the (all, all) block (the file's last) at u64::MAX: the people add
        // up, that cell does not.
        let mut c = v.clone();
        let last = c["cells"].as_array().unwrap().len() - 1;
        let (index, count) = (
            c["cells"][last][0].as_u64().unwrap(),
            c["cells"][last][1].as_u64().unwrap(),
        );
        c["cells"][last][1] = json!(u64::MAX);
        let mut total = load(&c).unwrap();
        let before = total.clone();
        let err = total.merge(&counts).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cannot merge counts: cell {index} (area ")),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                ") would be 18446744073709551615 + {count}, more than a count can hold"
            )),
            "{err}"
        );
        assert_eq!(total, before, "nothing is added on an error");
    }

    /// Every table the limits allow can be saved and read back: the largest definition (32
    /// age bands, 32 PLUS groups) with every count at its largest.
    #[test]
    fn the_largest_definition_saves_and_loads_within_the_limits() {
        let mut d = CohortDefinition::national();
        d.age_bands = (0..32).map(|b| b * 3).collect();
        d.plus_groups = (0..32)
            .map(|i| PlusGroup {
                places: Vec::new(),
                age: None,
                sex: Vec::new(),
                id: format!("g{i}"),
                label: format!("group {i}"),
                rule: Rule::Cyp,
                note: None,
            })
            .collect();
        let c = Classifier::new(d, None).unwrap();
        let mut counts = CohortCounts::new(&c);
        for r in super::synthetic(500, 2, &c) {
            counts.count(&c, &r);
        }
        assert_eq!(
            CohortCounts::from_json(&counts.to_json().unwrap()).unwrap(),
            counts
        );
        let cells = counts.heap_bytes() / 8;
        assert!(cells <= MAX_COUNT_CELLS, "{cells} cells");
        // The longest text such a file can have: every cell non-zero and u64::MAX.
        let mut v: Value = serde_json::from_str(&counts.to_json().unwrap()).unwrap();
        let n_cells = cells - 2 * 6 * counts.metric_ids().len();
        let big = format!(
            "[{}]",
            (0..n_cells)
                .map(|i| format!("[{i},{}]", u64::MAX))
                .collect::<Vec<_>>()
                .join(",")
        );
        v["cells"] = json!([]);
        let text = v
            .to_string()
            .replace("\"cells\":[]", &format!("\"cells\":{big}"));
        assert!(text.len() <= MAX_COUNTS_FILE_BYTES, "{} bytes", text.len());
    }

    /// Finding 14: duplicate PLUS ids, a CYP range of 30 to 5 and an age rule of 200 to 1 were
    /// accepted, and errors named no place in the file.
    #[test]
    fn definitions_that_contradict_themselves_are_refused_with_their_json_pointer() {
        let national: Value =
            serde_json::from_str(&serde_json::to_string(&CohortDefinition::national()).unwrap())
                .unwrap();
        let err = |v: &Value| CohortDefinition::from_json(&v.to_string()).unwrap_err();

        let mut v = national.clone();
        let first = v["plus_groups"][0]["id"].clone();
        v["plus_groups"][2]["id"] = first.clone();
        let e = err(&v);
        assert!(matches!(e, DefinitionError::BadGroupId { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!(
                "cohort definition national at /plus_groups/2/id: PLUS group id {first} is used \
                 twice (first at /plus_groups/0/id)"
            )
        );

        let mut v = national.clone();
        v["cyp_age_range"] = json!({"min": 30, "max": 5});
        assert_eq!(
            err(&v).to_string(),
            "cohort definition national at /cyp_age_range: the age range 30 to 5 is empty: min \
             is above max"
        );

        let mut v = national.clone();
        v["plus_groups"][1]["rule"] = json!({"any_of": [{"any_flag": ["homeless"]}, {"not": {"age": {"min": 200, "max": 1}}}]});
        assert_eq!(
            err(&v).to_string(),
            "cohort definition national at /plus_groups/1/rule/any_of/1/not/age: the age range \
             200 to 1 is empty: min is above max"
        );
        let mut v = national.clone();
        v["plus_groups"][1]["rule"] = json!({"age": {"min": 150, "max": 200}});
        assert!(err(&v).to_string().contains("starts above 120"));

        let mut v = national.clone();
        v["plus_groups"][0]["id"] = json!("all");
        assert!(err(&v).to_string().contains("is reserved"));

        let mut v = national.clone();
        v["age_bands"] = json!([0, 10, 10, 20]);
        assert!(
            err(&v)
                .to_string()
                .starts_with("cohort definition national at /age_bands/2: age bands must")
        );

        // A catalogue id the rule names is found at its own place in the file.
        let mut d = CohortDefinition::national();
        d.plus_groups[1].rule = Rule::AllOf(vec![
            Rule::Cyp,
            Rule::AnyCondition(vec!["smi".into(), "gout".into()]),
        ]);
        assert_eq!(
            Classifier::new(d, None).unwrap_err().to_string(),
            "cohort definition national at /plus_groups/1/rule/all_of/1/any_condition/1: PLUS \
             group \"ld_autism\" refers to unknown condition \"gout\""
        );

        // Finding 12 (part): a version too large for its field says the range.
        let mut v = national.clone();
        v["version"] = json!(u64::MAX);
        assert_eq!(
            err(&v).to_string(),
            "cohort definition is not valid: at /version: expected a whole number from 0 to \
             4294967295, found the number 18446744073709551615"
        );
    }
}

// The person-record reader: one record stream for every thread count (issue 12, findings 1, 9
// and 12). Each test names the finding it shows.

mod reader {
    use std::io::Read;
    use std::sync::OnceLock;

    use equitas_core::cohort::records::{
        DEFAULT_BLOCK_BYTES, MAX_PERSON_ID_BYTES, MAX_RECORD_BYTES, ReadSummary, RecordsError,
        count_records, count_records_parallel,
    };
    use equitas_core::cohort::{Classifier, CohortCounts, CohortDefinition};
    use equitas_core::synth::{Areas, CSV_HEADER, Synth, SynthParams};
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn classifier() -> &'static Classifier<'static> {
        static C: OnceLock<Classifier<'static>> = OnceLock::new();
        C.get_or_init(|| {
            let ix = Box::leak(Box::new(super::index19()));
            Classifier::new(CohortDefinition::national(), Some(ix)).unwrap()
        })
    }

    /// Hands its bytes out a few at a time (cycling through `sizes`), so that every boundary the
    /// reader meets (a read, a `\r` and its `\n`, a BOM, a quote) falls everywhere.
    struct Trickle<'a> {
        bytes: &'a [u8],
        sizes: &'a [usize],
        next: usize,
    }

    impl<'a> Trickle<'a> {
        fn new(bytes: &'a [u8], sizes: &'a [usize]) -> Self {
            Self {
                bytes,
                sizes,
                next: 0,
            }
        }
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let size = self.sizes[self.next % self.sizes.len()];
            self.next += 1;
            let n = size.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// A reader that fails after `bytes`.
    struct Failing<'a>(&'a [u8]);

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    type Outcome = Result<(ReadSummary, CohortCounts), String>;

    fn sequential(reader: impl Read, strict: bool) -> Outcome {
        let c = classifier();
        let mut counts = CohortCounts::new(c);
        count_records(reader, c, &mut counts, strict)
            .map(|s| (s, counts))
            .map_err(|e| e.to_string())
    }

    fn parallel(reader: impl Read, threads: usize, block: usize) -> Outcome {
        let c = classifier();
        let mut counts = CohortCounts::new(c);
        count_records_parallel(reader, c, &mut counts, threads, block)
            .map(|s| (s, counts))
            .map_err(|e| e.to_string())
    }

    /// Both outcomes equal: the same summary and counts, or the same error.
    fn same(a: &Outcome, b: &Outcome) -> Result<(), TestCaseError> {
        match (a, b) {
            (Ok((sa, ca)), Ok((sb, cb))) => {
                prop_assert_eq!(sa, sb);
                prop_assert!(ca == cb, "the counts differ");
            }
            (Err(ea), Err(eb)) => prop_assert_eq!(ea, eb),
            _ => prop_assert!(
                false,
                "one failed and the other did not: {:?} / {:?}",
                a.as_ref().map(|(s, _)| s),
                b.as_ref().map(|(s, _)| s)
            ),
        }
        Ok(())
    }

    fn check_same(a: &Outcome, b: &Outcome) {
        if let Err(e) = same(a, b) {
            panic!("{e}");
        }
    }

    /// `n` synthetic people (areas drawn from the 2019 index), as a CSV file.
    fn synthetic_csv(n: u64, seed: u64) -> Vec<u8> {
        let params = SynthParams::builtin();
        let ix = classifier().index().unwrap();
        let mut s = Synth::new(&params, seed, Areas::Index(ix)).unwrap();
        let mut csv = CSV_HEADER.as_bytes().to_vec();
        for _ in 0..n {
            s.next_person().write_csv_row(&mut csv).unwrap();
        }
        csv
    }

    /// `csv` with a quote after the first byte of data line `data_line` (`SYN…` becomes `S"YN…`):
    /// a literal quote in the middle of an unquoted field, which a CSV parser keeps as text.
    fn with_stray_quote(csv: &[u8], data_line: usize) -> Vec<u8> {
        let at = csv
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(data_line - 1)
            .unwrap()
            .0
            + 2;
        let mut out = csv[..at].to_vec();
        out.push(b'"');
        out.extend_from_slice(&csv[at..]);
        assert!(out[at - 1..].starts_with(b"S\"YN"));
        out
    }

    /// Finding 1: a stray quote in the middle of a field made the parallel reader throw away the
    /// rest of the file (or hold all of it). 200,000 people with `S"YN` at data line 100,000
    /// (and, separately, 100,001), on 2 to 4 threads with blocks from 4 KiB to the default.
    #[test]
    fn issue12_f1_a_stray_quote_loses_no_record_on_any_thread_count() {
        let clean = synthetic_csv(200_000, 12);
        for data_line in [100_000, 100_001] {
            let csv = with_stray_quote(&clean, data_line);
            let one = sequential(csv.as_slice(), false);
            let (s, _) = one.as_ref().unwrap();
            assert_eq!((s.rows, s.counted, s.rejected), (200_000, 200_000, 0));
            for (threads, block) in [(2, DEFAULT_BLOCK_BYTES), (2, 65_536), (3, 4_099)] {
                check_same(&one, &parallel(csv.as_slice(), threads, block));
            }
        }
    }

    /// Finding 1: a stray quote before a valid quoted field with a line break in it made the
    /// parallel reader cut that record in two invented rows.
    #[test]
    fn issue12_f1_a_quoted_line_break_after_a_stray_quote_stays_one_record() {
        let csv = format!(
            "{}S\"YN1,30,male,A,E01000001,,\n\"p2\nsecond line\",40,female,N,E01021988,smi,\np3,abc,male,A,E01000001,,\np4,30,male,A,E01000001,,\n",
            super::HEADER
        );
        let one = sequential(csv.as_bytes(), false);
        let (s, _) = one.as_ref().unwrap();
        assert_eq!((s.rows, s.counted, s.rejected), (4, 3, 1));
        assert_eq!(
            s.problems[0].to_string(),
            "row 5, column \"age\": \"abc\" is not a whole number of years from 0 to 120"
        );
        for block in [1, 7, 30, 64, 100, 1000] {
            for threads in [1, 2, 3] {
                check_same(&one, &parallel(csv.as_bytes(), threads, block));
            }
        }
    }

    /// Finding 1: a field opened with a quote and never closed makes the rest of the file one
    /// record. Past MAX_RECORD_BYTES that stops the count on every path, naming the row.
    #[test]
    fn issue12_f1_an_unclosed_quote_stops_the_count_naming_its_row() {
        let mut csv = super::HEADER.to_owned();
        for i in 0..10 {
            csv.push_str(&format!("p{i},30,male,A,E01000001,,\n"));
        }
        csv.push_str("p10,30,male,A,\"E01000001,,\n");
        let mut i = 11;
        while csv.len() < MAX_RECORD_BYTES + 200_000 {
            csv.push_str(&format!("p{i},30,male,A,E01000001,,\n"));
            i += 1;
        }
        let expected = format!(
            "row 12: the record that starts here is longer than {MAX_RECORD_BYTES} bytes, the most one record may be (a fixed limit); this is almost always a field opened with a quote (\") that is never closed, which runs on to the end of the file, so nothing after this row can be read reliably and the count stops"
        );
        let one = sequential(csv.as_bytes(), false);
        assert_eq!(one.as_ref().unwrap_err(), &expected);
        check_same(&one, &sequential(csv.as_bytes(), true));
        for (threads, block) in [(1, DEFAULT_BLOCK_BYTES), (2, 4096), (3, 100)] {
            check_same(&one, &parallel(csv.as_bytes(), threads, block));
        }
        // The error is a value the caller can match on.
        let c = classifier();
        let err = count_records(csv.as_bytes(), c, &mut CohortCounts::new(c), false).unwrap_err();
        assert!(matches!(
            err,
            RecordsError::RecordTooLong {
                row: 12,
                limit: MAX_RECORD_BYTES
            }
        ));
        // Strict still stops first at an earlier bad row.
        let early = csv.replacen("p3,30,", "p3,300,", 1);
        assert_eq!(
            sequential(early.as_bytes(), true).unwrap_err(),
            "row 5, column \"age\": 300 is not a whole number of years from 0 to 120"
        );
        // A quote left open that closes before the limit swallows rows into one bad record,
        // which says where it ends.
        let short = format!(
            "{}p1,30,male,A,\"E01000001,,\np2,30,male,A,E01000001,,\np3,30\",male,A,E01000001,,\np4,30,male,A,E01000001,,\n",
            super::HEADER
        );
        let one = sequential(short.as_bytes(), false);
        let (s, _) = one.as_ref().unwrap();
        assert_eq!((s.rows, s.counted, s.rejected), (2, 1, 1));
        assert_eq!(
            s.problems[0].to_string(),
            "row 2, column \"\": has 10 fields but the header has 7; a quoted field makes it run on to row 4, so a quote may be left open"
        );
        check_same(&one, &parallel(short.as_bytes(), 2, 10));
    }

    /// A read that fails part-way stops the count (it used to end the file quietly, with one
    /// "not valid CSV" problem, and exit 0).
    #[test]
    fn issue12_f1_a_failed_read_stops_the_count() {
        let csv = format!(
            "{}p1,30,male,A,E01000001,,\np2,30,male,A,E01000001,,\n",
            super::HEADER
        );
        let expected = "record file could not be read at row 4: the disk went away";
        assert_eq!(
            sequential(Failing(csv.as_bytes()), false).unwrap_err(),
            expected
        );
        assert_eq!(
            parallel(Failing(csv.as_bytes()), 2, 8).unwrap_err(),
            expected
        );
    }

    /// Finding 9: an empty person_id, and the same person_id twice, are bad rows; the repeat
    /// names the row where the id was first used; strict stops at either.
    #[test]
    fn issue12_f9_empty_and_repeated_person_ids_are_bad_rows() {
        let csv = format!(
            "{}\
             ,,,,,,\n\
             p1,30,male,A,E01000001,,\n\
             p2,30,male,A,E01000001,,\n \
             p1 ,31,female,A,E01000001,,\n\
             p3,abc,male,A,E01000001,,\n\
             p3,30,male,A,E01000001,,\n\
             P1,30,male,A,E01000001,,\n",
            super::HEADER
        );
        let one = sequential(csv.as_bytes(), false);
        let (s, counts) = one.as_ref().unwrap();
        assert_eq!((s.rows, s.counted, s.rejected), (7, 3, 4));
        assert_eq!(counts.people(), 3);
        let problems: Vec<String> = s.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "row 2, column \"person_id\": person_id is empty; every person needs an id",
                "row 5, column \"person_id\": person_id \"p1\" is repeated: it was first used at row 3, and each person may appear only once",
                "row 6, column \"age\": \"abc\" is not a whole number of years from 0 to 120",
                "row 7, column \"person_id\": person_id \"p3\" is repeated: it was first used at row 6, and each person may appear only once",
            ]
        );
        for (threads, block) in [(1, 1), (2, 1), (3, 40), (2, DEFAULT_BLOCK_BYTES)] {
            check_same(&one, &parallel(csv.as_bytes(), threads, block));
        }
        assert_eq!(sequential(csv.as_bytes(), true).unwrap_err(), problems[0]);
        let no_blank = csv.replacen(",,,,,,\n", "", 1);
        assert_eq!(
            sequential(no_blank.as_bytes(), true).unwrap_err(),
            "row 4, column \"person_id\": person_id \"p1\" is repeated: it was first used at row 2, and each person may appear only once"
        );
        // An id longer than the limit is a bad row too.
        let long = "x".repeat(MAX_PERSON_ID_BYTES + 1);
        let csv = format!("{}{long},30,male,A,E01000001,,\n", super::HEADER);
        let (s, _) = sequential(csv.as_bytes(), false).unwrap();
        assert_eq!(s.rejected, 1);
        assert_eq!(
            s.problems[0].problem,
            format!(
                "person_id is {} bytes long; an id may be at most {MAX_PERSON_ID_BYTES} bytes (a fixed limit)",
                MAX_PERSON_ID_BYTES + 1
            )
        );
    }

    /// Finding 12: rows are numbered as an editor shows the lines, with `\n`, `\r\n` or a lone
    /// `\r` as a line end, on every path (a CR-only file said "row 1" for every problem).
    #[test]
    fn issue12_f12_rows_are_lines_whatever_ends_them() {
        let cr = "person_id,age,sex,ethnicity,lsoa,conditions,groups\rp1,30,male,A,E01000001,,\rp2,abc,male,A,E01000001,,\r\rp3,30,man,A,E01000001,,\r";
        let one = sequential(cr.as_bytes(), false);
        let rows: Vec<u64> = one
            .as_ref()
            .unwrap()
            .0
            .problems
            .iter()
            .map(|p| p.row)
            .collect();
        assert_eq!(rows, [3, 5]);
        // Every kind of line end, blank lines, a line break inside quotes, a BOM, and no final
        // line end.
        let mixed = "\u{feff}person_id,age,sex,ethnicity,lsoa,conditions,groups\r\n\
                     p1,x,male,A,E01000001,,\n\
                     \n\
                     p2,x,male,A,E01000001,,\r\
                     \r\n\
                     \"p3\r\nsecond\rthird\nfourth\",x,male,A,E01000001,,\r\n\
                     p4,x,male,A,E01000001,,\r\
                     p5,x,male,A,E01000001,,";
        let one = sequential(mixed.as_bytes(), false);
        let rows: Vec<u64> = one
            .as_ref()
            .unwrap()
            .0
            .problems
            .iter()
            .map(|p| p.row)
            .collect();
        assert_eq!(rows, [2, 4, 6, 10, 11]);
        for text in [cr, mixed] {
            let one = sequential(text.as_bytes(), false);
            for sizes in [&[1][..], &[2, 3], &[5, 1, 7]] {
                check_same(
                    &one,
                    &sequential(Trickle::new(text.as_bytes(), sizes), false),
                );
                for block in [1, 3, 50] {
                    check_same(
                        &one,
                        &parallel(Trickle::new(text.as_bytes(), sizes), 2, block),
                    );
                }
            }
        }
    }

    /// Finding 12: under strict an unknown area stops the count, and the message says so (it
    /// said "(counted with deprivation unknown)").
    #[test]
    fn issue12_f12_strict_unknown_area_has_its_own_words() {
        let csv = format!("{}p1,30,male,A,E01099999,,\n", super::HEADER);
        assert_eq!(
            sequential(csv.as_bytes(), true).unwrap_err(),
            "row 2, column \"lsoa\": area E01099999 is not in the england-2019 index; a strict count stops here (without strict, the row would be counted with deprivation unknown)"
        );
    }

    /// Adversarial record files: rows good and bad, quotes at field starts and mid-field, doubled
    /// quotes, every line end, blank lines, long lines, a BOM, wrong field counts, invalid UTF-8,
    /// repeated and empty ids, no final line end.
    fn adversarial() -> impl Strategy<Value = Vec<u8>> {
        let header = prop::sample::select(vec![
            "person_id,age,sex,ethnicity,lsoa,conditions,groups\n",
            "person_id,age,sex,ethnicity,lsoa,conditions,groups\r\n",
            "person_id,age,sex,ethnicity,lsoa,conditions,groups\r",
            "person_id,age,sex,ethnicity,lsoa,conditions,groups",
            "note,person_id,age,sex,ethnicity,lsoa,conditions,groups,smoking\n",
            "\"person_id\",age,sex,ethnicity,lsoa,\"conditions\",groups\n",
            "person_id,age,sex\n",
        ]);
        let token = prop_oneof![
            6 => (0u8..12).prop_map(|i| format!("p{i},40,female,N,E01021988,smi,homelessness").into_bytes()),
            3 => (0u8..12).prop_map(|i| format!("p{i},7,2,H,E01000001,dental_caries,young_carer,,").into_bytes()),
            2 => Just(b"p,30,male,A,E01099999,,".to_vec()),
            2 => Just(b"S\"YN,30,male,A,E01000001,,".to_vec()),
            2 => Just(b"\"p\nq\",30,male,A,E01000001,\"smi;copd\",".to_vec()),
            2 => Just(b"\"p \"\"q\"\"\",3,f,A,,,".to_vec()),
            3 => Just(b"\"".to_vec()),
            1 => Just(b"\"\"".to_vec()),
            3 => Just(b",".to_vec()),
            3 => Just(b"\n".to_vec()),
            3 => Just(b"\r".to_vec()),
            3 => Just(b"\r\n".to_vec()),
            1 => Just(b",,,,,,".to_vec()),
            1 => Just(b"\xef\xbb\xbf".to_vec()),
            1 => Just(vec![0xff, 0xfe, b'"', 0xc3]),
            1 => Just(b"p9,abc,male,A,E01000001,,".to_vec()),
            1 => (1usize..600).prop_map(|n| vec![b'x'; n]),
        ];
        (any::<bool>(), header, vec(token, 0..50)).prop_map(|(bom, header, tokens)| {
            let mut out = Vec::new();
            if bom {
                out.extend_from_slice(b"\xef\xbb\xbf");
            }
            out.extend_from_slice(header.as_bytes());
            for t in tokens {
                out.extend_from_slice(&t);
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Finding 1: on any bytes, cut into reads of any size, on 1 to 4 threads with any block
        /// size, the parallel count equals the sequential one: the same counts, summary and
        /// problems, or the same error.
        #[test]
        fn issue12_f1_parallel_equals_sequential_on_adversarial_bytes(
            bytes in adversarial(),
            sizes in vec(1usize..9, 1..4),
            threads in 1usize..5,
            block in 1usize..400,
            strict in any::<bool>(),
        ) {
            let whole = sequential(bytes.as_slice(), strict);
            same(&whole, &sequential(Trickle::new(&bytes, &sizes), strict))?;
            if !strict {
                same(&whole, &parallel(Trickle::new(&bytes, &sizes), threads, block))?;
                same(&whole, &parallel(bytes.as_slice(), threads, block))?;
            }
        }
    }
}

/// A person record read from JSON names the field and the value that is wrong, as the hand
/// readers it is now derived from did (issue 13: `#[derive(FromJson)]`, `Date` by `try_from`).
#[test]
fn person_records_name_the_field_that_is_wrong() {
    let err = |text: &str| PersonRecord::from_json(text).unwrap_err().to_string();
    assert_eq!(
        err(r#"{"date_of_birth": "2010-02-30"}"#),
        "at /date_of_birth: \"2010-02-30\" is not allowed; expected a date in the form YYYY-MM-DD"
    );
    assert_eq!(
        err(r#"{"date_of_birth": 20100228}"#),
        "at /date_of_birth: expected text, found the number 20100228"
    );
    assert_eq!(
        err(r#"{"sex": "yes"}"#),
        "at /sex: \"yes\" is not allowed; expected male, female, indeterminate or unknown"
    );
    assert_eq!(
        err(r#"{"smoking": 1}"#),
        "at /smoking: expected current, ex, never or unknown, found the number 1"
    );
    assert_eq!(
        err(r#"{"imd_decile": 11}"#),
        "at /imd_decile: expected an IMD decile, a whole number from 1 to 10, found the number 11"
    );
    assert_eq!(
        err(r#"{"conditions": null}"#),
        "at /conditions: expected a list, found null"
    );
    assert!(
        err(r#"{"nhs_number": "1"}"#)
            .starts_with("at /nhs_number: unknown field; expected one of id, age, date_of_birth")
    );
    // Absent fields take their defaults; an optional one may be null.
    let p = PersonRecord::from_json(r#"{"date_of_birth": "2010-02-28", "age": null}"#).unwrap();
    assert_eq!(
        p.date_of_birth.map(|d| d.to_string()).as_deref(),
        Some("2010-02-28")
    );
    assert_eq!((p.age, p.sex, p.id.as_str()), (None, Sex::Unknown, ""));
}

/// Issue 14: Place. A synthetic Coventry and Warwickshire population drawn from the ICB's real
/// LSOAs, put in the four Places by the ONS lookup to local authorities and the shipped
/// grouping.
mod places {
    use equitas_core::cohort::records::count_records;
    use equitas_core::cohort::{Breakdown, Classifier, CohortCounts, CohortDefinition, report};
    use equitas_core::deprivation::{AreaCode, DeprivationIndex};
    use equitas_core::geography::{PlaceLookup, Places};
    use equitas_core::synth::{Areas, CSV_HEADER, Synth, SynthParams};

    /// The ONS lookup of 2011 LSOAs to local authorities (and sub-ICB locations, ICBs).
    pub(crate) fn lad_lookup() -> PlaceLookup {
        PlaceLookup::from_path(
            &crate::shared("data/geography/lsoa11_subicb22_icb22_lad22.csv"),
            None,
            Some("ltla22_code"),
        )
        .unwrap()
    }

    /// The 2011 LSOAs of Coventry and Warwickshire ICB (E54000018), from the same lookup.
    pub(crate) fn cw_lsoas() -> Vec<AreaCode> {
        let text = std::fs::read_to_string(crate::shared(
            "data/geography/lsoa11_subicb22_icb22_lad22.csv",
        ))
        .unwrap();
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f.get(4) == Some(&"E54000018")).then(|| AreaCode::parse(f[0]).unwrap())
            })
            .collect()
    }

    /// `n` synthetic people of Coventry and Warwickshire as a person-record CSV.
    pub(crate) fn cw_population(ix: &DeprivationIndex, n: u64, seed: u64) -> Vec<u8> {
        let lsoas = cw_lsoas();
        let params = SynthParams::builtin();
        let mut s = Synth::new(&params, seed, Areas::Listed(ix, &lsoas)).unwrap();
        let mut csv = CSV_HEADER.as_bytes().to_vec();
        for _ in 0..n {
            s.next_person().write_csv_row(&mut csv).unwrap();
        }
        csv
    }

    #[test]
    fn core20_share_per_place_and_place_scoped_plus_groups() {
        let ix = crate::cohort::index19();
        let lookup = lad_lookup();
        let places = Places::coventry_warwickshire();
        assert_eq!(cw_lsoas().len(), 534, "the ICB's 2011 LSOAs");
        let c = Classifier::new(CohortDefinition::coventry_warwickshire(), Some(&ix))
            .unwrap()
            .with_places(&lookup, Some(&places))
            .unwrap()
            .with_breakdowns(
                &Breakdown::parse_list("place,lookup,place:plus=long_term_sickness").unwrap(),
            )
            .unwrap();
        let csv = cw_population(&ix, 60_000, 14);
        let mut counts = CohortCounts::new(&c);
        let s = count_records(csv.as_slice(), &c, &mut counts, false).unwrap();
        assert_eq!((s.counted, s.rejected), (60_000, 0));
        let rep = report(&counts, &c);
        let place = &rep.breakdowns[0];
        // Everyone is in one of the four Places: no one in "other" or "unknown".
        for empty in ["other", "unknown"] {
            assert_eq!(place.cell(&[empty]).unwrap().people, 0, "{empty}");
        }
        // People are drawn uniformly from the LSOAs, so each Place's Core20 share is close to
        // its share of Core20 LSOAs (the geography README: 25.6%, 3.3%, 16.0%, 0.6%), itself
        // close to the ICB's published population shares.
        for (id, lsoa_share) in [
            ("coventry", 0.256),
            ("rugby", 0.033),
            ("warwickshire_north", 0.160),
            ("south_warwickshire", 0.006),
        ] {
            let cell = place.cell(&[id]).unwrap();
            let share = cell.core20.rate.unwrap();
            assert!(
                (share - lsoa_share).abs() < 0.02,
                "{id}: {share} vs {lsoa_share}"
            );
            assert!(cell.core20.lower.unwrap() <= share && share <= cell.core20.upper.unwrap());
        }
        // Per local authority too: the Places are sums of their authorities.
        let lad = &rep.breakdowns[1];
        let people =
            |b: &equitas_core::cohort::BreakdownReport, k: &str| b.cell(&[k]).unwrap().people;
        assert_eq!(
            people(place, "warwickshire_north"),
            people(lad, "E07000218") + people(lad, "E07000219")
        );
        assert_eq!(
            people(place, "south_warwickshire"),
            people(lad, "E07000221") + people(lad, "E07000222")
        );
        assert_eq!(people(place, "coventry"), people(lad, "E08000026"));
        // Place-scoped PLUS groups apply only to people of their Place.
        let g = |id: &str| place.plus_groups.iter().position(|x| x == id).unwrap();
        for (group, home) in [
            ("long_term_sickness", "coventry"),
            ("inadequate_housing", "warwickshire_north"),
            ("rural_poverty", "south_warwickshire"),
            ("older_people", "south_warwickshire"),
        ] {
            for p in [
                "coventry",
                "rugby",
                "warwickshire_north",
                "south_warwickshire",
            ] {
                let n = place.cell(&[p]).unwrap().plus_groups[g(group)];
                if p == home {
                    assert!(n > 0, "{group} in {p}");
                } else {
                    assert_eq!(n, 0, "{group} in {p}");
                }
            }
        }
        // The ICS-wide groups stay everywhere.
        for p in [
            "coventry",
            "rugby",
            "warwickshire_north",
            "south_warwickshire",
        ] {
            assert!(
                place.cell(&[p]).unwrap().plus_groups[g("ethnic_minority")] > 0,
                "{p}"
            );
        }
        // The long-term sickness group is exactly the Coventry people with the flag: the
        // two-way table's member cells are in Coventry only.
        let x = &rep.breakdowns[2];
        assert_eq!(
            x.cell(&["all", "member"]).unwrap().people,
            x.cell(&["coventry", "member"]).unwrap().people
        );
        let flagged_in_coventry = csv
            .split(|b| *b == b'\n')
            .skip(1)
            .filter(|l| {
                let line = String::from_utf8_lossy(l);
                let f: Vec<&str> = line.split(',').collect();
                f.len() > 6
                    && f[6].split(';').any(|g| g == "long_term_sickness_benefit")
                    && AreaCode::parse(f[4])
                        .ok()
                        .and_then(|a| lookup.get(a))
                        .map(|v| lookup.value(v))
                        == Some("E08000026")
            })
            .count() as u64;
        assert_eq!(
            x.cell(&["coventry", "member"]).unwrap().people,
            flagged_in_coventry
        );
    }

    /// Issue 14, must show: on a synthetic Coventry and Warwickshire population drawn from the
    /// ICB's real LSOAs, with the local definition (SMI target 75%, multiple complex needs),
    /// ambitions per local authority and per Place, and by ethnicity × quintile.
    #[test]
    fn ambitions_per_local_authority_place_and_ethnicity_by_quintile() {
        let ix = crate::cohort::index19();
        let lookup = lad_lookup();
        let places = Places::coventry_warwickshire();
        let local = std::fs::read_to_string(
            crate::root().join("seeds/definitions/coventry-warwickshire-local.json"),
        )
        .unwrap();
        let c = Classifier::new(CohortDefinition::from_json(&local).unwrap(), Some(&ix))
            .unwrap()
            .with_places(&lookup, Some(&places))
            .unwrap()
            .with_breakdowns(
                &Breakdown::parse_list("place,lookup,ethnicity:imd-quintile,place:core20").unwrap(),
            )
            .unwrap();
        let csv = cw_population(&ix, 60_000, 8);
        let mut counts = CohortCounts::new(&c);
        count_records(csv.as_slice(), &c, &mut counts, false).unwrap();
        let rep = report(&counts, &c);
        let (place, lad, eq, pc) = (
            &rep.breakdowns[0],
            &rep.breakdowns[1],
            &rep.breakdowns[2],
            &rep.breakdowns[3],
        );
        let smi = place
            .metrics
            .iter()
            .position(|m| m.id == "smi_health_check")
            .unwrap();
        assert_eq!(place.metrics[smi].target, Some(0.75), "the local target");
        let overall = rep
            .ambitions
            .iter()
            .find(|a| a.metric == "smi_health_check")
            .unwrap();
        // Every metric, per Place and per local authority: each area's denominators add up to
        // the whole, and each cell has its Wilson interval and its verdict against the target.
        for (k, m) in place.metrics.iter().enumerate() {
            let whole = rep
                .ambitions
                .iter()
                .find(|a| a.metric == m.id)
                .unwrap()
                .overall;
            for b in [place, lad] {
                let cells: Vec<_> = b.cells.iter().filter(|c| !c.margin).collect();
                let den: u64 = cells
                    .iter()
                    .map(|c| c.metrics[k].estimate.denominator)
                    .sum();
                let num: u64 = cells.iter().map(|c| c.metrics[k].estimate.numerator).sum();
                assert_eq!(
                    (num, den),
                    (whole.numerator, whole.denominator),
                    "{} {}",
                    b.id,
                    m.id
                );
                for c in cells {
                    let e = c.metrics[k].estimate;
                    if let (Some(r), Some(lo), Some(hi)) = (e.rate, e.lower, e.upper) {
                        assert!(lo <= r && r <= hi, "{} {:?} {}", b.id, c.key, m.id);
                        assert_eq!(c.metrics[k].meets_target, m.target.map(|t| r >= t));
                    }
                }
            }
        }
        assert!(overall.target_is_local);
        // The Core20 gap within each Place: Place × Core20, yes against no.
        for p in ["coventry", "warwickshire_north"] {
            let yes = pc.cell(&[p, "yes"]).unwrap();
            let no = pc.cell(&[p, "no"]).unwrap();
            assert!(yes.people > 0 && no.people > 0, "{p}");
            assert_eq!(
                yes.people + no.people + pc.cell(&[p, "unknown"]).unwrap().people,
                place.cell(&[p]).unwrap().people
            );
        }
        // Ethnicity × quintile: the margins are the one-way tables the report already has.
        for (q, want) in rep.total.by_quintile.iter().enumerate() {
            let label = if q < 5 {
                (q + 1).to_string()
            } else {
                "unknown".to_owned()
            };
            assert_eq!(eq.cell(&["all", &label]).unwrap().people, *want);
        }
        let white = eq.cell(&["white", "all"]).unwrap().people;
        let by_q: u64 = ["1", "2", "3", "4", "5", "unknown"]
            .iter()
            .map(|q| eq.cell(&["white", q]).unwrap().people)
            .sum();
        assert_eq!(white, by_q);
        // 6 ethnic groups × 6 quintile slots, then 6 row margins, 6 column margins, the total.
        assert_eq!(eq.cells.len(), 6 * 6 + 6 + 6 + 1);
        // The multiple complex needs cohort is counted in every Place.
        let mcn = place
            .plus_groups
            .iter()
            .position(|g| g == "multiple_complex_needs")
            .unwrap();
        for p in [
            "coventry",
            "rugby",
            "warwickshire_north",
            "south_warwickshire",
        ] {
            assert!(place.cell(&[p]).unwrap().plus_groups[mcn] > 0, "{p}");
        }
    }

    #[test]
    fn places_and_definitions_that_do_not_fit_the_lookup_are_refused() {
        let lookup = lad_lookup();
        // A Place made of a value the chosen column does not have (ICB codes, not authorities).
        let by_icb = PlaceLookup::from_path(
            &crate::shared("data/geography/lsoa11_subicb22_icb22_lad22.csv"),
            None,
            Some("icb22_code"),
        )
        .unwrap();
        let err = Classifier::new(CohortDefinition::coventry_warwickshire(), None)
            .unwrap()
            .with_places(&by_icb, Some(&Places::coventry_warwickshire()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "places file coventry-warwickshire at /places/0/areas/0: Place \"coventry\" is made of \"E08000026\", which no area of the place lookup has in its column \"icb22_code\"; is the lookup's column the right one?"
        );
        // A group scoped to a Place that is not in use.
        let mut d = CohortDefinition::coventry_warwickshire();
        d.plus_groups[1].places = vec!["nuneaton".into()];
        let err = Classifier::new(d, None)
            .unwrap()
            .with_places(&lookup, Some(&Places::coventry_warwickshire()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "cohort definition coventry-warwickshire at /plus_groups/1/places/0: PLUS group \"long_term_sickness\" is scoped to Place \"nuneaton\", which is not one of the Places in use (coventry, rugby, warwickshire_north, south_warwickshire)"
        );
        // Without a lookup, the scoped groups are named: no one can be in them.
        let c = Classifier::new(CohortDefinition::coventry_warwickshire(), None).unwrap();
        assert_eq!(
            c.unplaced_groups(),
            [
                "long_term_sickness",
                "inadequate_housing",
                "rural_poverty",
                "older_people"
            ]
        );
        // A place breakdown needs a lookup.
        let err = c
            .with_breakdowns(&Breakdown::parse_list("place").unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "breakdown dimension place needs a place lookup (--place-lookup)"
        );
    }
}

/// Issue 14: records on one LSOA vintage, deprivation on the other, joined by the ONS best-fit
/// lookup and its change codes.
mod bridging {
    use std::collections::BTreeMap;

    use equitas_core::cohort::records::count_records;
    use equitas_core::cohort::{
        Breakdown, BridgeRule, Classifier, CohortCounts, CohortDefinition, PersonRecord, report,
    };
    use equitas_core::deprivation::{AreaCode, DeprivationIndex};
    use equitas_core::geography::Bridge;

    fn bridge() -> Bridge {
        Bridge::from_path(&crate::shared("data/geography/lsoa11_lsoa21_lad22.csv")).unwrap()
    }

    /// The lookup read plainly: for each area of vintage `from_2021 ? 2021 : 2011`, the areas of
    /// the other vintage and the change codes.
    fn rows_by(from_2021: bool) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
        let text = std::fs::read_to_string(crate::shared("data/geography/lsoa11_lsoa21_lad22.csv"))
            .unwrap();
        let mut out: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (key, other) = if from_2021 {
                (f[1], f[0])
            } else {
                (f[0], f[1])
            };
            let e = out.entry(key.to_owned()).or_default();
            e.0.push(other.to_owned());
            e.1.push(f[2].to_owned());
        }
        out
    }

    /// The rule and decile the lookup implies for one area, worked out plainly.
    fn expected(
        ix: &DeprivationIndex,
        others: &[String],
        changes: &[String],
    ) -> (&'static str, Option<u8>) {
        if changes.iter().any(|c| c == "X") {
            return ("irregular", None);
        }
        let deciles: Vec<Option<u8>> = others
            .iter()
            .map(|c| {
                ix.lookup(AreaCode::parse(c).unwrap())
                    .map(|id| ix.decile(id).get())
            })
            .collect();
        if deciles.iter().any(Option::is_none) {
            return ("not_in_index", None);
        }
        let d: Vec<u8> = deciles.into_iter().flatten().collect();
        let same = d.iter().all(|x| *x == d[0]);
        let (rule, known) = match (changes[0].as_str(), d.len() == 1, same) {
            ("U", ..) => ("unchanged", true),
            ("S", true, _) => ("split", true),
            ("S", false, true) => ("split_same_decile", true),
            ("S", false, false) => ("split_deciles_differ", false),
            ("M", true, _) => ("merged", true),
            ("M", false, true) => ("merged_same_decile", true),
            _ => ("merged_deciles_differ", false),
        };
        (rule, known.then_some(d[0]))
    }

    /// One synthetic person in every area of a vintage (plus one with no area and one with a
    /// code the lookup does not have), counted against the other vintage's IMD.
    fn check_vintage(ix: &DeprivationIndex, from_2021: bool) -> BTreeMap<String, u64> {
        let bridge = bridge();
        let c = Classifier::new(
            {
                let mut d = CohortDefinition::national();
                d.imd_edition = ix.edition();
                d
            },
            Some(ix),
        )
        .unwrap()
        .with_bridge(&bridge)
        .unwrap()
        .with_breakdowns(&Breakdown::parse_list("imd-decile").unwrap())
        .unwrap();
        assert_eq!(
            c.bridged_from(),
            Some(if from_2021 { "2021" } else { "2011" })
        );
        let rows = rows_by(from_2021);
        let mut csv = String::from("person_id,age,sex,ethnicity,lsoa,conditions,groups\n");
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        let mut want_deciles = [0u64; 11];
        for (i, (code, (others, changes))) in rows.iter().enumerate() {
            csv.push_str(&format!("p{i},40,female,A,{code},,\n"));
            let (rule, decile) = expected(ix, others, changes);
            *want.entry(rule.to_owned()).or_default() += 1;
            want_deciles[decile.map_or(10, |d| usize::from(d) - 1)] += 1;
            // The person's own classification agrees.
            let mut p = PersonRecord::new(format!("p{i}"));
            p.age = Some(40);
            p.area = Some(code.clone());
            let m = c.classify(&p).unwrap();
            assert_eq!(m.imd_decile.map(|d| d.get()), decile, "{code}: {rule}");
            assert_eq!(BridgeRule::from_index(m.bridge).id(), rule, "{code}");
        }
        csv.push_str("nobody-area,40,female,A,,,\n");
        csv.push_str("elsewhere,40,female,A,S01006506,,\n");
        *want.entry("no_area".into()).or_default() += 1;
        *want.entry("not_in_lookup".into()).or_default() += 1;
        want_deciles[10] += 2;
        let mut counts = CohortCounts::new(&c);
        let summary = count_records(csv.as_bytes(), &c, &mut counts, false).unwrap();
        assert_eq!(summary.counted, rows.len() as u64 + 2);
        let rep = report(&counts, &c);
        let bridging = rep.bridging.as_ref().unwrap();
        let got: BTreeMap<String, u64> = bridging
            .rules
            .iter()
            .filter(|l| l.people > 0)
            .map(|l| (l.rule.clone(), l.people))
            .collect();
        assert_eq!(got, want);
        // Every person is counted, in their decile or in "unknown".
        let cells: Vec<u64> = rep.breakdowns[0]
            .cells
            .iter()
            .filter(|c| !c.margin)
            .map(|c| c.people)
            .collect();
        assert_eq!(cells, want_deciles);
        // The areas left unknown are reported with why, row by row.
        assert!(summary.unknown_areas > 0);
        let first = &summary.unknown_area_examples[0];
        assert!(
            first.problem.contains(&format!(
                "(an LSOA of {}",
                if from_2021 { "2021" } else { "2011" }
            )),
            "{first}"
        );
        got
    }

    /// Records on 2021 LSOAs with IMD 2019 (2011 LSOAs): unchanged and split areas get their
    /// decile; merged areas with differing deciles and irregular areas are counted with
    /// deprivation unknown and reported, per rule.
    #[test]
    fn records_on_2021_lsoas_with_imd_2019() {
        let got = check_vintage(&crate::cohort::index19(), true);
        // The lookup's 2021 areas: 33,647 unchanged and 1,900 split from one parent (each
        // exact), 119 merged from several, 6 irregular; Welsh areas are not in the English index.
        assert!(got["unchanged"] > 30_000, "{got:?}");
        assert!(got["split"] > 1_000, "{got:?}");
        assert!(got["merged_deciles_differ"] > 0, "{got:?}");
        assert!(got["irregular"] > 0, "{got:?}");
        assert!(got["not_in_index"] > 0, "{got:?}");
        let merged: u64 = ["merged_same_decile", "merged_deciles_differ"]
            .iter()
            .map(|r| got.get(*r).copied().unwrap_or(0))
            .sum();
        assert!(merged <= 119, "{got:?}");
        // As the shared lookup and IMD 2019 have them (1,917 Welsh 2021 areas are in neither
        // English index).
        let exact: BTreeMap<String, u64> = [
            ("unchanged", 31_810),
            ("split", 1_842),
            ("merged_same_decile", 28),
            ("merged_deciles_differ", 69),
            ("irregular", 6),
            ("not_in_index", 1_917),
            ("no_area", 1),
            ("not_in_lookup", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(got, exact);
    }

    /// Records on 2011 LSOAs with IMD 2025 (2021 LSOAs): a split area's children must agree on
    /// a decile for it to have one; a merged area's one child gives its decile.
    #[test]
    fn records_on_2011_lsoas_with_imd_2025() {
        let ix = DeprivationIndex::from_path(&crate::shared("data/imd/imd2025_england_lsoa21.csv"))
            .unwrap();
        let got = check_vintage(&ix, false);
        assert!(got["merged"] > 0, "{got:?}");
        assert!(got["split_deciles_differ"] > 0, "{got:?}");
        assert_eq!(
            (
                got["merged"],
                got["split_same_decile"],
                got["split_deciles_differ"]
            ),
            (194, 181, 653)
        );
    }

    #[test]
    fn a_bridge_needs_an_english_index_and_a_well_formed_file() {
        let err = Classifier::new(CohortDefinition::national(), None)
            .unwrap()
            .with_bridge(&bridge())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the LSOA 2011-2021 lookup needs an IMD file (--imd) to bridge to"
        );
        for (csv, want) in [
            (
                "lsoa11_code,lsoa21_code\nE01000001,E01000001\n",
                "LSOA 2011-2021 lookup is missing the column(s) change_code; it needs lsoa11_code,lsoa21_code,change_code",
            ),
            (
                "lsoa11_code,lsoa21_code,change_code\nE01000001,E01000001,Q\n",
                "LSOA 2011-2021 lookup row 2, column \"change_code\": \"Q\" is not a change code",
            ),
            (
                "lsoa11_code,lsoa21_code,change_code\nE01000001,E01000001,U\nE01000001,E01000001,U\n",
                "LSOA 2011-2021 lookup row 3: the pair E01000001 -> E01000001 is listed twice (first at row 2)",
            ),
            (
                "lsoa11_code,lsoa21_code,change_code\nE01000001,nope!,U\n",
                "LSOA 2011-2021 lookup row 2, column \"lsoa21_code\": \"nope!\" is not an area code",
            ),
        ] {
            let err = Bridge::from_csv(csv.as_bytes()).unwrap_err().to_string();
            assert!(err.starts_with(want), "{err}\nwant {want}");
        }
    }
}

/// Issue 14: local definitions read at run time, layered on the built-in ones.
mod local_definitions {
    use equitas_core::cohort::{
        Breakdown, Classifier, CohortCounts, CohortDefinition, PersonRecord, report,
    };
    use equitas_core::synth::{Areas, Synth, SynthParams};

    fn local_text() -> String {
        std::fs::read_to_string(
            crate::root().join("seeds/definitions/coventry-warwickshire-local.json"),
        )
        .unwrap()
    }

    fn counted(def: CohortDefinition, n: usize) -> (Classifier<'static>, CohortCounts) {
        let c = Classifier::new(def, None).unwrap();
        let params = SynthParams::builtin();
        let mut s = Synth::new(&params, 14, Areas::Deciles).unwrap();
        let mut counts = CohortCounts::new(&c);
        for _ in 0..n {
            counts.count(&c, &c.compact(&s.next_person().to_record()).unwrap());
        }
        (c, counts)
    }

    /// The shipped local file sets the SMI target to 75% and adds the multiple complex needs
    /// cohort: read at run time, it changes the report, which names both changes.
    #[test]
    fn the_smi_target_and_the_multiple_complex_needs_cohort_change_the_report() {
        let local = CohortDefinition::from_json(&local_text()).unwrap();
        assert_eq!(local.based_on.as_deref(), Some("coventry-warwickshire v1"));
        let (cb, base) = counted(CohortDefinition::coventry_warwickshire(), 50_000);
        let (cl, with) = counted(local, 50_000);
        let (rb, rl) = (report(&base, &cb), report(&with, &cl));
        let smi = |r: &equitas_core::cohort::CohortReport| {
            r.ambitions
                .iter()
                .find(|a| a.metric == "smi_health_check")
                .unwrap()
                .clone()
        };
        assert_eq!(
            (smi(&rb).target, smi(&rb).target_is_local),
            (Some(0.6), false)
        );
        assert_eq!(
            (smi(&rl).target, smi(&rl).target_is_local),
            (Some(0.75), true)
        );
        // The same people, so the same rates; only the judgement against the target moves.
        assert_eq!(smi(&rb).overall, smi(&rl).overall);
        for (r, target) in [(&rb, 0.6), (&rl, 0.75)] {
            let a = smi(r);
            assert_eq!(
                a.overall_meets_target,
                Some(a.overall.rate.unwrap() >= target)
            );
            assert_eq!(
                a.core20_meets_target,
                Some(a.core20.rate.unwrap() >= target)
            );
        }
        // The new cohort, at least two of the four needs.
        assert!(
            rb.plus_groups
                .iter()
                .all(|g| g.id != "multiple_complex_needs")
        );
        let mcn = rl
            .plus_groups
            .iter()
            .find(|g| g.id == "multiple_complex_needs")
            .unwrap();
        assert!(mcn.people > 100, "{}", mcn.people);
        // The report names both changes.
        let named: Vec<(&str, &str)> = rl
            .provenance
            .iter()
            .map(|p| (p.kind.as_str(), p.id.as_str()))
            .collect();
        assert!(named.contains(&("target", "smi_health_check")), "{named:?}");
        assert!(
            named.contains(&("plus_group", "multiple_complex_needs")),
            "{named:?}"
        );
        let target = rl.provenance.iter().find(|p| p.kind == "target").unwrap();
        assert!(
            target
                .change
                .starts_with("target 60% in the catalogue, 75% in coventry-warwickshire-local"),
            "{}",
            target.change
        );
        assert!(
            rb.provenance
                .iter()
                .all(|p| p.kind != "target" && p.kind != "definition")
        );
    }

    /// At least two of the four needs, and the list is data.
    #[test]
    fn multiple_complex_needs_is_at_least_two_of_the_four() {
        let c = Classifier::new(CohortDefinition::from_json(&local_text()).unwrap(), None).unwrap();
        let mcn = |conditions: &[&str], groups: &[&str]| {
            let mut p = PersonRecord::new("p");
            p.age = Some(40);
            p.conditions = conditions.iter().map(|s| (*s).to_owned()).collect();
            p.groups = groups.iter().map(|s| (*s).to_owned()).collect();
            c.describe(&c.classify(&p).unwrap())
                .plus_groups
                .contains(&"multiple_complex_needs".to_owned())
        };
        assert!(!mcn(&[], &["substance_misuse"]));
        assert!(
            !mcn(&["smi", "mental_health_condition"], &[]),
            "one need, twice"
        );
        assert!(mcn(&["smi"], &["domestic_abuse"]));
        assert!(mcn(&["copd"], &["drug_alcohol_dependence"]));
        assert!(mcn(&["copd", "smi"], &[]));
        assert!(
            !mcn(&["hypertension"], &["domestic_abuse"]),
            "hypertension is not on the list"
        );
        // Add homelessness to the list and make it three of five: data, not code.
        let text = local_text()
            .replacen("\"count\": 2,", "\"count\": 3,", 1)
            .replacen(
                "{ \"any_flag\": [\"domestic_abuse\"] }",
                "{ \"any_flag\": [\"domestic_abuse\"] }, { \"any_flag\": [\"homelessness\"] }",
                1,
            );
        let c = Classifier::new(CohortDefinition::from_json(&text).unwrap(), None).unwrap();
        let mut p = PersonRecord::new("p");
        p.age = Some(40);
        p.conditions = vec!["smi".into()];
        p.groups = vec!["domestic_abuse".into(), "homelessness".into()];
        assert!(
            c.describe(&c.classify(&p).unwrap())
                .plus_groups
                .contains(&"multiple_complex_needs".to_owned())
        );
        p.groups.pop();
        assert!(
            !c.describe(&c.classify(&p).unwrap())
                .plus_groups
                .contains(&"multiple_complex_needs".to_owned())
        );
    }

    /// A local metric (a proportion with an age range) and an observed ÷ expected one with its
    /// expected prevalence as data, and a PLUS group qualified by age and sex.
    #[test]
    fn local_metrics_and_qualified_groups() {
        let text = r#"{
            "id": "t", "label": "T", "version": 1, "extends": "national",
            "metrics": [
                {"id": "smi_check_young", "label": "SMI checks, 18-39", "area": "smi",
                 "numerator": {"event": "smi_health_check", "description": "checked"},
                 "denominator": {"condition": "smi", "description": "SMI register"},
                 "age": {"min": 18, "max": 39},
                 "target": {"at_least": 0.7, "status": "unconfirmed"}},
                {"id": "htn_detection", "label": "Hypertension detection", "area": "hypertension_lipids",
                 "observed": {"condition": "hypertension", "description": "on the register"},
                 "expected": {"prevalence": 0.25},
                 "age": {"min": 16, "max": 120},
                 "target": {"at_least": 0.8, "status": "unconfirmed"}},
                {"id": "lipid_check", "label": "Lipid review", "area": "hypertension_lipids",
                 "numerator": {"event": "lipid_review", "description": "reviewed"},
                 "denominator": {"condition": "high_cvd_risk", "description": "high risk"}}
            ],
            "plus_groups": [
                {"id": "working_age_sick", "label": "Working-age people on sickness benefit",
                 "rule": {"any_flag": ["long_term_sickness_benefit"]},
                 "age": {"min": 16, "max": 64}, "sex": ["female", "male"]}
            ]
        }"#;
        let def = CohortDefinition::from_json(text).unwrap();
        let c = Classifier::new(def, None)
            .unwrap()
            .with_breakdowns(&Breakdown::parse_list("sex").unwrap())
            .unwrap();
        let ids: Vec<&str> = c.metrics().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            &ids[ids.len() - 3..],
            ["smi_check_young", "htn_detection", "lipid_check"]
        );
        let person = |age: u8, conds: &[&str], events: &[&str], groups: &[&str]| {
            let mut p = PersonRecord::new("p");
            p.age = Some(age);
            p.sex = equitas_core::cohort::Sex::Female;
            p.conditions = conds.iter().map(|s| (*s).to_owned()).collect();
            p.events = events.iter().map(|s| (*s).to_owned()).collect();
            p.groups = groups.iter().map(|s| (*s).to_owned()).collect();
            c.compact(&p).unwrap()
        };
        let mut counts = CohortCounts::new(&c);
        let people = [
            person(
                25,
                &["smi"],
                &["smi_health_check"],
                &["long_term_sickness_benefit"],
            ),
            person(30, &["smi"], &[], &[]),
            person(
                50,
                &["smi"],
                &["smi_health_check"],
                &["long_term_sickness_benefit"],
            ),
            person(70, &["hypertension"], &[], &["long_term_sickness_benefit"]),
            person(
                40,
                &["hypertension", "high_cvd_risk"],
                &["lipid_review"],
                &[],
            ),
            person(10, &[], &[], &[]),
            person(60, &[], &[], &[]),
            person(45, &[], &[], &[]),
        ];
        for p in &people {
            counts.count(&c, p);
        }
        let rep = report(&counts, &c);
        let row = |id: &str| {
            rep.ambitions
                .iter()
                .find(|a| a.metric == id)
                .unwrap()
                .clone()
        };
        // 18-39 on the SMI register: two, one checked.
        let young = row("smi_check_young");
        assert_eq!((young.overall.numerator, young.overall.denominator), (1, 2));
        assert!(young.local && young.target_is_local);
        // The catalogue's SMI metric still counts all three.
        assert_eq!(row("smi_health_check").overall.denominator, 3);
        // 16 and over: seven people, two on the hypertension register; expected 25% of seven.
        let htn = row("htn_detection");
        assert_eq!((htn.overall.numerator, htn.overall.denominator), (2, 7));
        assert_eq!(htn.expected_prevalence, Some(0.25));
        let ratio = htn.overall.rate.unwrap();
        assert!((ratio - (2.0 / 7.0) / 0.25).abs() < 1e-12, "{ratio}");
        assert_eq!(htn.overall_meets_target, Some(ratio >= 0.8));
        // A new event, read from the records' events.
        let lipid = row("lipid_check");
        assert_eq!((lipid.overall.numerator, lipid.overall.denominator), (1, 1));
        // The group holds only at 16 to 64.
        let g = rep
            .plus_groups
            .iter()
            .find(|g| g.id == "working_age_sick")
            .unwrap();
        assert_eq!(g.people, 2);
        // Breakdown cells show the ratio too.
        let female = rep.breakdowns[0].cell(&["female"]).unwrap();
        let k = rep.breakdowns[0]
            .metrics
            .iter()
            .position(|m| m.id == "htn_detection")
            .unwrap();
        assert_eq!(female.metrics[k].estimate, htn.overall);
        // Both local metrics are in the provenance.
        let metrics: Vec<&str> = rep
            .provenance
            .iter()
            .filter(|p| p.kind == "metric")
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(metrics, ["smi_check_young", "htn_detection", "lipid_check"]);
    }

    /// Every problem in a local file is named by its JSON pointer in that file.
    #[test]
    fn problems_in_local_files_name_their_json_pointer() {
        let base = r#"{"id": "t", "label": "T", "version": 1, "extends": "national""#;
        let err = |rest: &str| {
            let text = format!("{base}{rest}}}");
            match CohortDefinition::from_json(&text) {
                Ok(d) => Classifier::new(d, None)
                    .map(|_| String::new())
                    .unwrap_or_else(|e| e.to_string()),
                Err(e) => e.to_string(),
            }
        };
        for (rest, want) in [
            (
                r#", "targets": [{"metric": "smi_health_check", "at_least": 75}]"#,
                "cohort definition t at /targets/0/at_least: the target 75 is not a proportion from 0 to 1",
            ),
            (
                r#", "targets": [{"metric": "smi_checks", "at_least": 0.75}]"#,
                "cohort definition t at /targets/0/metric: \"smi_checks\" is neither a catalogue metric nor a local one",
            ),
            (
                r#", "targets": [{"metric": "smi_health_check", "at_least": 0.75, "by": "2026-02-30"}]"#,
                "cohort definition t at /targets/0/by: \"2026-02-30\" is not a date (YYYY-MM-DD)",
            ),
            (
                r#", "metrics": [{"id": "x", "label": "X", "area": "smi"}]"#,
                "cohort definition t at /metrics/0: metric \"x\" needs either numerator and denominator",
            ),
            (
                r#", "metrics": [{"id": "x", "label": "X", "area": "smi", "observed": {"condition": "gout", "description": "d"}, "expected": {"prevalence": 0.1}}]"#,
                "cohort definition t at /metrics/0/observed/condition: \"gout\" is not a condition",
            ),
            (
                r#", "metrics": [{"id": "x", "label": "X", "area": "smi", "observed": {"condition": "smi", "description": "d"}, "expected": {"prevalence": 0}}]"#,
                "cohort definition t at /metrics/0/expected/prevalence: the expected prevalence 0 is not a share above 0 and at most 1",
            ),
            (
                r#", "metrics": [{"id": "smi_health_check", "label": "X", "area": "smi", "observed": {"condition": "smi", "description": "d"}, "expected": {"prevalence": 0.1}}]"#,
                "cohort definition t at /metrics/0/id: metric id \"smi_health_check\" is a catalogue metric's",
            ),
            (
                r#", "plus_groups": [{"id": "g", "label": "G", "rule": {"at_least": {"count": 0, "of": ["cyp"]}}}]"#,
                "cohort definition t at /plus_groups/0/rule/at_least/count: at least 0 of 1 rules",
            ),
            (
                r#", "plus_groups": [{"id": "g", "label": "G", "rule": "cyp", "age": {"min": 70, "max": 60}}]"#,
                "cohort definition t at /plus_groups/0/age: the age range 70 to 60 is empty",
            ),
            (
                r#", "plus_groups": [{"id": "g", "label": "G", "rule": {"sex": ["woman"]}}]"#,
                "at /plus_groups/0/rule/sex/0: \"woman\" is not allowed",
            ),
            (r#", "colour": "red""#, "at /colour: unknown field"),
        ] {
            let got = err(rest);
            assert!(got.contains(want), "{got}\nwant {want}");
        }
        let got = CohortDefinition::from_json(
            r#"{"id": "t", "label": "T", "version": 1, "extends": "leeds"}"#,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            got,
            "cohort definition t at /extends: \"leeds\" is not a built-in definition; extend national or coventry-warwickshire"
        );
    }
}
