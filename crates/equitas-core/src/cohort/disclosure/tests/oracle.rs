//! The fast disclosure control of a whole report publishes exactly what the simple one did:
//! the nesting of tables as it was (kept here whole) and `crate::disclosure::oracle::protect`
//! (the dense row reduction, repeated from scratch after every suppression) give the same
//! counts and the same JSON, byte for byte, on random reports (random definitions, records,
//! place lookups and breakdowns, one- and two-way, nested) under every kind of rule.

use proptest::prelude::*;

use super::*;
use crate::cohort::breakdown::tests::{breakdowns, definition, random_report, record};

/// The sums across tables of one kind: for each family, every entry whose restriction in it is
/// exactly covered, without overlap, by the largest finer entries otherwise the same (a quintile
/// by its deciles, Core20's "no" by quintiles 2 to 5, a Place by its local authorities, everyone
/// by the cells of any one-way table) is their sum.
pub(super) fn nest(kind: &mut Kind, families: &Families) {
    let entries: Vec<(Key, usize)> = kind.index.iter().map(|(k, &i)| (k.clone(), i)).collect();
    for (family, all) in &families.0 {
        // Entries grouped by their key without this family; each with its set in the family.
        let mut groups: BTreeMap<Key, Vec<(BTreeSet<String>, usize)>> = BTreeMap::new();
        for (key, i) in &entries {
            let rest: Key = key.iter().filter(|(f, _)| f != family).cloned().collect();
            let set: BTreeSet<String> = key
                .iter()
                .find(|(f, _)| f == family)
                .map_or_else(|| all.clone(), |(_, l)| l.iter().cloned().collect());
            groups.entry(rest).or_default().push((set, *i));
        }
        for members in groups.values() {
            for (set, whole) in members {
                let finer: Vec<&(BTreeSet<String>, usize)> = members
                    .iter()
                    .filter(|(s, _)| s.len() < set.len() && s.is_subset(set))
                    .collect();
                let largest: Vec<&&(BTreeSet<String>, usize)> = finer
                    .iter()
                    .filter(|(s, _)| {
                        !finer
                            .iter()
                            .any(|(t, _)| t.len() > s.len() && s.is_subset(t))
                    })
                    .collect();
                let covered: usize = largest.iter().map(|(s, _)| s.len()).sum();
                let union: BTreeSet<&String> = largest.iter().flat_map(|(s, _)| s.iter()).collect();
                if !largest.is_empty() && covered == set.len() && union.len() == set.len() {
                    kind.table.sum(*whole, largest.iter().map(|(_, i)| *i));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn fast_disclosure_control_of_a_report_is_the_oracle(
        rows in proptest::collection::vec((1u8..=10, 1u8..=10, 1u8..=10), 6..30),
        def in definition(),
        picks in (1usize..6).prop_flat_map(breakdowns),
        raw in prop_oneof![
            proptest::collection::vec(record(30), 0..40),
            proptest::collection::vec(record(30), 0..400),
        ],
        grouped in any::<bool>(),
        rule in prop_oneof![
            Just(Rule::NhsDigital),
            Just(Rule::None),
            (2u64..12).prop_map(Rule::Below),
            Just(Rule::Below(crate::disclosure::MAX_THRESHOLD)),
        ],
    ) {
        let rep = random_report(&rows, def, picks, raw, grouped);
        let fast = ProtectedReport::new(&rep, rule);
        let simple = ProtectedReport::with(&rep, rule, nest, crate::disclosure::oracle::protect);
        prop_assert!(fast.shown == simple.shown, "the published counts differ");
        let (a, b) = (fast.report_json(&rep), simple.report_json(&rep));
        prop_assert_eq!(
            serde_json::to_string(&a).unwrap_or_default(),
            serde_json::to_string(&b).unwrap_or_default()
        );
    }
}
