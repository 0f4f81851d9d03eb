//! The split of `ProtectedReport::new` and `ProtectedReport::report_json` into named steps
//! changed nothing: the two functions as they were before the split, kept here, publish the
//! same counts and write the same JSON, on random reports (random definitions, records, place
//! lookups and breakdowns, one- and two-way) under every kind of rule. When disclosure control
//! is changed on purpose, change these copies with it or delete this check.

use proptest::prelude::*;

use super::*;
use crate::cohort::breakdown::tests::{breakdowns, definition, random_report, record};

#[allow(
    clippy::too_many_lines,
    reason = "the function as it was before it was split, kept whole to compare with"
)]
fn new_before_split(report: &CohortReport, rule: Rule) -> ProtectedReport {
    let families = Families::of(report);
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    // The entry of a count of kind `kind` restricted by `parts`; `None` for a cell no one
    // can be in.
    let entry = |kinds: &mut BTreeMap<String, Kind>,
                 kind: &str,
                 parts: Vec<(String, BTreeSet<String>)>,
                 value: u64|
     -> Option<(String, usize)> {
        let (name, extra) = canonical_kind(kind);
        let key = families.key(parts.into_iter().chain(extra))?;
        let k = kinds.entry(name.clone()).or_default();
        Some((name, k.entry(key, value)))
    };
    // `total` is the sum of `parts`, all of one kind (cells no one can be in left out).
    let sum = |kinds: &mut BTreeMap<String, Kind>,
               total: Option<(String, usize)>,
               parts: Vec<Option<(String, usize)>>| {
        if let Some((name, t)) = total {
            let parts: Vec<usize> = parts.into_iter().flatten().map(|(_, i)| i).collect();
            if let Some(k) = kinds.get_mut(&name) {
                k.table.sum(t, parts);
            }
        }
    };
    let dep = |q: usize| vec![("deprivation".to_owned(), quintile_parts(q))];
    // The report's lines: everyone, each area and the smoking thread, each PLUS group; a
    // line's people are the sum of its quintiles (unknown included).
    let lines = std::iter::once(("people".to_owned(), &report.total))
        .chain(report.areas.iter().map(|l| (format!("area:{}", l.id), l)))
        .chain(
            report
                .plus_groups
                .iter()
                .map(|l| (format!("plus:{}", l.id), l)),
        );
    for (kind, l) in lines {
        let total = entry(&mut kinds, &kind, Vec::new(), l.people);
        let parts = (0..6)
            .map(|q| entry(&mut kinds, &kind, dep(q), l.by_quintile[q]))
            .collect();
        sum(&mut kinds, total, parts);
    }
    // Each ambition: its quintiles and unknown add up to everyone; the rest (quintiles 2 to
    // 5) is the people not in Core20 with deprivation known.
    for a in &report.ambitions {
        for side in ["denominator", "numerator"] {
            let pick = |e: &RateEstimate| {
                if side == "numerator" {
                    e.numerator
                } else {
                    e.denominator
                }
            };
            let kind = format!("metric:{}:{side}", a.metric);
            let total = entry(&mut kinds, &kind, Vec::new(), pick(&a.overall));
            let mut parts: Vec<_> = (0..5)
                .map(|q| entry(&mut kinds, &kind, dep(q), pick(&a.by_quintile[q])))
                .collect();
            parts.push(entry(
                &mut kinds,
                &kind,
                dep(5),
                pick(&a.unknown_deprivation),
            ));
            let rest_parts = vec![(
                "deprivation".to_owned(),
                (3..=10u8).map(|d| d.to_string()).collect(),
            )];
            let rest = entry(&mut kinds, &kind, rest_parts, pick(&a.rest));
            sum(&mut kinds, rest, parts[1..5].to_vec());
            sum(&mut kinds, total, parts);
        }
    }
    // Each breakdown: its cells, and the sums that make its margins.
    for b in &report.breakdowns {
        let names = cell_kinds(b);
        let entries: Vec<Vec<Option<(String, usize)>>> = b
            .cells
            .iter()
            .map(|c| {
                let parts = cell_parts(b, c);
                cell_counts(c)
                    .into_iter()
                    .zip(&names)
                    .map(|(v, n)| entry(&mut kinds, n, parts.clone(), v))
                    .collect()
            })
            .collect();
        let find = |key: &[&str]| {
            b.cells
                .iter()
                .position(|c| c.key.iter().map(String::as_str).eq(key.iter().copied()))
        };
        for (k, _) in names.iter().enumerate() {
            let at = |i: Option<usize>| i.and_then(|i| entries[i][k].clone());
            match b.dimensions.as_slice() {
                [a] => {
                    let parts = a.cells.iter().map(|l| at(find(&[l]))).collect();
                    sum(&mut kinds, at(find(&["all"])), parts);
                }
                [a, d] => {
                    for la in &a.cells {
                        let parts = d.cells.iter().map(|l| at(find(&[la, l]))).collect();
                        sum(&mut kinds, at(find(&[la, "all"])), parts);
                    }
                    for lb in &d.cells {
                        let parts = a.cells.iter().map(|l| at(find(&[l, lb]))).collect();
                        sum(&mut kinds, at(find(&["all", lb])), parts);
                    }
                    let rows = a.cells.iter().map(|l| at(find(&[l, "all"]))).collect();
                    sum(&mut kinds, at(find(&["all", "all"])), rows);
                    let cols = d.cells.iter().map(|l| at(find(&["all", l]))).collect();
                    sum(&mut kinds, at(find(&["all", "all"])), cols);
                }
                _ => {}
            }
        }
    }
    // Across tables: a cell made of finer cells published elsewhere is their sum (a
    // quintile its two deciles, a Place its local authorities, a broad ethnic group its
    // categories).
    for kind in kinds.values_mut() {
        nest(kind, &families);
    }
    let mut shown = BTreeMap::new();
    for (name, kind) in kinds {
        let published = protect(&kind.table, rule, &BTreeMap::new());
        for (key, i) in kind.index {
            shown.insert((name.clone(), key), published[i]);
        }
    }
    ProtectedReport {
        rule,
        shown,
        families,
    }
}

#[allow(
    clippy::too_many_lines,
    reason = "the function as it was before it was split, kept whole to compare with"
)]
fn report_json_before_split(p: &ProtectedReport, report: &CohortReport) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or(Value::Null);
    let put = |slot: &mut Value, s: Shown| {
        *slot = s.value().map_or(Value::Null, Value::from);
    };
    // A rate estimate: counts as published, and its rate and limits only when both are.
    let estimate = |slot: &mut Value, (num, den): (Shown, Shown)| {
        put(&mut slot["numerator"], num);
        put(&mut slot["denominator"], den);
        if num.is_suppressed() || den.is_suppressed() {
            for f in ["rate", "lower", "upper"] {
                slot[f] = Value::Null;
            }
        }
    };
    let lines =
        |v: &mut Value, name: &str, list: &[CohortLine], kind: &dyn Fn(&CohortLine) -> String| {
            for (i, l) in list.iter().enumerate() {
                let (people, q) = p.line(&kind(l), l);
                let slot = &mut v[name][i];
                put(&mut slot["people"], people);
                put(&mut slot["core20"], q[0]);
                for (k, s) in q.iter().enumerate() {
                    put(&mut slot["by_quintile"][k], *s);
                }
                let known: u64 = l.by_quintile[..5].iter().sum();
                if q[0].is_suppressed() || p.rule.is_small(known) {
                    slot["core20_share"] = Value::Null;
                }
            }
        };
    {
        let (people, q) = p.line("people", &report.total);
        let slot = &mut v["total"];
        put(&mut slot["people"], people);
        put(&mut slot["core20"], q[0]);
        for (k, s) in q.iter().enumerate() {
            put(&mut slot["by_quintile"][k], *s);
        }
        let known: u64 = report.total.by_quintile[..5].iter().sum();
        if q[0].is_suppressed() || p.rule.is_small(known) {
            slot["core20_share"] = Value::Null;
        }
    }
    lines(&mut v, "areas", &report.areas, &|l| {
        format!("area:{}", l.id)
    });
    lines(&mut v, "plus_groups", &report.plus_groups, &|l| {
        format!("plus:{}", l.id)
    });
    for (i, a) in report.ambitions.iter().enumerate() {
        let slot = &mut v["ambitions"][i];
        let hidden = |group: &str, e: &RateEstimate, slot: &mut Value| {
            let pair = p.ambition(&a.metric, group, e);
            estimate(slot, pair);
            pair.0.is_suppressed() || pair.1.is_suppressed()
        };
        let c = hidden("core20", &a.core20, &mut slot["core20"]);
        let r = hidden("rest", &a.rest, &mut slot["rest"]);
        let o = hidden("overall", &a.overall, &mut slot["overall"]);
        hidden(
            "unknown",
            &a.unknown_deprivation,
            &mut slot["unknown_deprivation"],
        );
        for q in 0..5 {
            hidden(
                &format!("q{}", q + 1),
                &a.by_quintile[q],
                &mut slot["by_quintile"][q],
            );
        }
        if c || r {
            slot["gap_pp"] = Value::Null;
        }
        if c {
            slot["core20_meets_target"] = Value::Null;
        }
        if o {
            slot["overall_meets_target"] = Value::Null;
        }
    }
    for (bi, b) in report.breakdowns.iter().enumerate() {
        let n_areas = b.areas.len();
        let n_plus = b.plus_groups.len();
        for (ci, c) in b.cells.iter().enumerate() {
            let s = p.cell(b, c);
            let slot = &mut v["breakdowns"][bi]["cells"][ci];
            put(&mut slot["people"], s[0]);
            estimate(&mut slot["core20"], (s[1], s[2]));
            for a in 0..n_areas {
                put(&mut slot["areas"][a], s[3 + a]);
            }
            for g in 0..n_plus {
                put(&mut slot["plus_groups"][g], s[3 + n_areas + g]);
            }
            for m in 0..b.metrics.len() {
                let at = 3 + n_areas + n_plus + 2 * m;
                let (den, num) = (s[at], s[at + 1]);
                estimate(&mut slot["metrics"][m]["estimate"], (num, den));
                if num.is_suppressed() || den.is_suppressed() {
                    slot["metrics"][m]["meets_target"] = Value::Null;
                }
            }
        }
    }
    // Counts not in any sum: each on its own (a person may have several missing reasons).
    if let Some(list) = v["missing"].as_array_mut() {
        for pair in list {
            if let Some(n) = pair[1].as_u64() {
                pair[1] = p.alone(n).value().map_or(Value::Null, Value::from);
            }
        }
    }
    if let Some(rules) = v["bridging"]["rules"].as_array_mut() {
        for line in rules {
            if let Some(n) = line["people"].as_u64() {
                line["people"] = p.alone(n).value().map_or(Value::Null, Value::from);
            }
        }
    }
    let suppressed: Vec<Value> = p
            .suppressed()
            .map(|(kind, cell, reason)| {
                serde_json::json!({"count": kind, "cell": cell, "reason": reason.describe(p.rule)})
            })
            .collect();
    v["disclosure"] = serde_json::json!({
        "rule": p.rule.id(),
        "description": p.rule.describe(),
        "suppressed": suppressed,
    });
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn protected_reports_are_as_before_the_split(
        rows in proptest::collection::vec((1u8..=10, 1u8..=10, 1u8..=10), 6..30),
        def in definition(),
        picks in (1usize..6).prop_flat_map(breakdowns),
        raw in proptest::collection::vec(record(30), 0..200),
        grouped in any::<bool>(),
        rule in prop_oneof![
            Just(Rule::NhsDigital),
            Just(Rule::None),
            (2u64..12).prop_map(Rule::Below),
        ],
    ) {
        let rep = random_report(&rows, def, picks, raw, grouped);
        let now = ProtectedReport::new(&rep, rule);
        let before = new_before_split(&rep, rule);
        prop_assert_eq!(now.rule, before.rule);
        prop_assert_eq!(&now.families.0, &before.families.0);
        prop_assert!(now.shown == before.shown, "the published counts differ");
        prop_assert_eq!(now.report_json(&rep), report_json_before_split(&before, &rep));
    }
}
