use super::*;

#[test]
fn sex_accepts_the_documented_spellings_only() {
    for (text, sex) in [
        ("male", Sex::Male),
        ("M", Sex::Male),
        ("1", Sex::Male),
        ("Female", Sex::Female),
        ("2", Sex::Female),
        ("9", Sex::Indeterminate),
        ("", Sex::Unknown),
        ("0", Sex::Unknown),
        ("X", Sex::Unknown),
    ] {
        assert_eq!(Sex::parse(text.as_bytes()), Some(sex), "{text}");
    }
    for bad in ["man", "3", "mal", "femalee"] {
        assert_eq!(Sex::parse(bad.as_bytes()), None, "{bad}");
    }
}

#[test]
fn bitsets_iterate_in_order() {
    let mut b = BitSet::default();
    for i in [5, 0, 63, 17] {
        b.insert(i);
    }
    b.insert(64);
    assert_eq!(b.iter().collect::<Vec<_>>(), [0, 5, 17, 63]);
    assert_eq!(b.len(), 4);
    assert!(b.contains(63) && !b.contains(64) && !b.contains(1));
}

#[test]
fn age_band_labels_and_lookup() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap_or_else(|e| panic!("{e}"));
    let labels: Vec<String> = (0..=c.definition().age_bands.len())
        .map(|i| c.definition().age_band_label(i))
        .collect();
    assert_eq!(labels.first().map(String::as_str), Some("0-4"));
    assert_eq!(labels[labels.len() - 2], "85+");
    assert_eq!(labels[labels.len() - 1], "unknown");
    for (age, band) in [
        (0u8, "0-4"),
        (4, "0-4"),
        (17, "10-17"),
        (18, "18-24"),
        (120, "85+"),
    ] {
        let r = CompactRecord {
            age: Some(age),
            ..CompactRecord::default()
        };
        let m = c.classify_compact(&r);
        assert_eq!(c.describe(&m).age_band, band, "{age}");
    }
}

/// PLUS group rules, the new ones included (`sex`, `at_least`) and a group's age and sex
/// qualifiers, as the classifier compiles them, against a plain reading of the rule.
mod rules {
    use proptest::prelude::*;

    use super::*;
    use crate::catalogue::{AgeRange, Catalogue};

    fn reference(c: &Classifier<'_>, rule: &Rule, r: &CompactRecord) -> bool {
        let cat = Catalogue::builtin();
        let flag = |id: &str| {
            cat.groups
                .record_flags
                .iter()
                .position(|f| f.id == id)
                .is_some_and(|i| r.flags.contains(i))
        };
        let cond = |id: &str| {
            cat.conditions
                .conditions
                .iter()
                .position(|x| x.id == id)
                .is_some_and(|i| r.conditions.contains(i))
        };
        let category = &cat.ethnicity.categories[usize::from(r.ethnic)];
        match rule {
            Rule::AnyFlag(ids) => ids.iter().any(|i| flag(i)),
            Rule::AnyCondition(ids) => ids.iter().any(|i| cond(i)),
            Rule::EthnicMinority => category.minority,
            Rule::EthnicCategories(codes) => codes.contains(&category.code),
            Rule::LongTermConditionsAtLeast(n) => {
                let ltc = cat
                    .conditions
                    .conditions
                    .iter()
                    .enumerate()
                    .filter(|(i, x)| x.long_term && r.conditions.contains(*i))
                    .count();
                ltc >= usize::from(*n)
            }
            Rule::Age(a) => r.age.is_some_and(|x| a.min <= x && x <= a.max),
            Rule::Cyp => r
                .age
                .is_some_and(|x| c.definition().cyp_age_range.contains(x)),
            Rule::Sex(s) => s.contains(&r.sex),
            Rule::AtLeast(a) => {
                a.of.iter().filter(|x| reference(c, x, r)).count() >= usize::from(a.count)
            }
            Rule::AnyOf(rs) => rs.iter().any(|x| reference(c, x, r)),
            Rule::AllOf(rs) => rs.iter().all(|x| reference(c, x, r)),
            Rule::Not(x) => !reference(c, x, r),
        }
    }

    fn rule(depth: u32) -> BoxedStrategy<Rule> {
        let cat = Catalogue::builtin();
        let flags: Vec<String> = cat
            .groups
            .record_flags
            .iter()
            .map(|f| f.id.clone())
            .collect();
        let conds: Vec<String> = cat
            .conditions
            .conditions
            .iter()
            .map(|x| x.id.clone())
            .collect();
        let codes: Vec<String> = cat
            .ethnicity
            .categories
            .iter()
            .map(|x| x.code.clone())
            .collect();
        let leaf = prop_oneof![
            proptest::sample::subsequence(flags, 1..4).prop_map(Rule::AnyFlag),
            proptest::sample::subsequence(conds, 1..4).prop_map(Rule::AnyCondition),
            proptest::sample::subsequence(codes, 1..4).prop_map(Rule::EthnicCategories),
            Just(Rule::EthnicMinority),
            (0u8..4).prop_map(Rule::LongTermConditionsAtLeast),
            (0u8..100, 0u8..40).prop_map(|(min, d)| Rule::Age(AgeRange {
                min,
                max: min.saturating_add(d).min(120)
            })),
            Just(Rule::Cyp),
            proptest::sample::subsequence(Sex::ALL.to_vec(), 1..3).prop_map(Rule::Sex),
        ];
        if depth == 0 {
            return leaf.boxed();
        }
        prop_oneof![
            3 => leaf,
            1 => rule(depth - 1).prop_map(|r| Rule::Not(Box::new(r))),
            1 => proptest::collection::vec(rule(depth - 1), 1..4).prop_map(Rule::AnyOf),
            1 => proptest::collection::vec(rule(depth - 1), 1..4).prop_map(Rule::AllOf),
            2 => proptest::collection::vec(rule(depth - 1), 1..5)
                .prop_flat_map(|of| {
                    let n = of.len() as u8;
                    (1..=n).prop_map(move |count| Rule::AtLeast(AtLeast { count, of: of.clone() }))
                }),
        ]
        .boxed()
    }

    fn record() -> impl Strategy<Value = CompactRecord> {
        let cat = Catalogue::builtin();
        let (nc, nf, ne) = (
            cat.conditions.conditions.len(),
            cat.groups.record_flags.len(),
            cat.ethnicity.categories.len() as u8,
        );
        (
            proptest::option::of(0u8..=120),
            0usize..4,
            0..ne,
            any::<u64>(),
            any::<u64>(),
        )
            .prop_map(move |(age, sex, ethnic, c, f)| CompactRecord {
                age,
                sex: Sex::ALL[sex],
                ethnic,
                conditions: BitSet(c & ((1 << nc) - 1)),
                flags: BitSet(f & ((1 << nf) - 1)),
                ..CompactRecord::default()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn compiled_rules_and_qualifiers_match_a_plain_reading(
            rules in proptest::collection::vec(rule(3), 1..6),
            ages in proptest::collection::vec(proptest::option::of((0u8..90, 0u8..50)), 6),
            sexes in proptest::collection::vec(proptest::sample::subsequence(Sex::ALL.to_vec(), 0..3), 6),
            records in proptest::collection::vec(record(), 1..40),
        ) {
            let mut d = CohortDefinition::national();
            d.plus_groups = rules
                .iter()
                .zip(&ages)
                .zip(&sexes)
                .enumerate()
                .map(|(i, ((rule, age), sex))| PlusGroup {
                    id: format!("g{i}"),
                    label: format!("G{i}"),
                    rule: rule.clone(),
                    age: age.map(|(min, d)| AgeRange { min, max: min.saturating_add(d).min(120) }),
                    sex: sex.clone(),
                    places: Vec::new(),
                    note: None,
                })
                .collect();
            let c = Classifier::new(d, None).unwrap_or_else(|e| panic!("{e}"));
            for r in &records {
                let m = c.classify_compact(r);
                for (i, g) in c.definition().plus_groups.iter().enumerate() {
                    let want = reference(&c, &g.rule, r)
                        && g.age.is_none_or(|a| r.age.is_some_and(|x| a.contains(x)))
                        && (g.sex.is_empty() || g.sex.contains(&r.sex));
                    prop_assert_eq!(m.plus_groups.contains(i), want, "group {} {:?}", i, g);
                }
            }
        }
    }

    #[test]
    fn at_least_counts_must_be_decidable() {
        let mut d = CohortDefinition::national();
        d.plus_groups[0].rule = Rule::AtLeast(AtLeast {
            count: 3,
            of: vec![Rule::Cyp, Rule::EthnicMinority],
        });
        let err = d.check().unwrap_err().to_string();
        assert_eq!(
            err,
            "cohort definition national at /plus_groups/0/rule/at_least/count: at least 3 of 2 rules can never be decided that way; the count must be from 1 to the number of rules"
        );
    }
}
