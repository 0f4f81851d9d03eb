//! A whole report's disclosure control against an attacker who knows how every published count
//! is made: each is a sum of the finest cells (decile × sex here), so a suppressed count can be
//! worked out exactly when its cells' indicator is a combination of the published counts'
//! (zeros published tell that their cells are empty). The attacker is written apart from the
//! code under test: it knows nothing of tables, margins or nesting.

use proptest::prelude::*;

use super::*;
use crate::cohort::{Breakdown, Classifier, CohortCounts, CohortDefinition, CompactRecord, Sex};
use crate::deprivation::ImdDecile;

mod before_split;
mod oracle;

/// The finest cells: decile slot (0..10, 10 unknown) × sex (0..4).
const ATOMS: usize = 11 * 4;

fn atom(decile: usize, sex: usize) -> usize {
    decile * 4 + sex
}

/// The atoms a published count covers: its deprivation labels × its sex labels.
fn atoms(dep: &BTreeSet<String>, sex: &BTreeSet<String>) -> Vec<usize> {
    let sexes = ["male", "female", "indeterminate", "unknown"];
    let mut out = Vec::new();
    for d in 0..11 {
        let dl = if d == 10 {
            "unknown".to_owned()
        } else {
            (d + 1).to_string()
        };
        if !dep.contains(&dl) {
            continue;
        }
        for (s, sl) in sexes.iter().enumerate() {
            if sex.contains(*sl) {
                out.push(atom(d, s));
            }
        }
    }
    out
}

/// Whether `target` is a combination of `rows` (over the atoms not known to be empty),
/// modulo a prime of its own.
fn in_span(rows: &[Vec<usize>], zero: &[bool], target: &[usize]) -> bool {
    const Q: i64 = 1_000_000_007;
    let live: Vec<usize> = (0..ATOMS).filter(|&a| !zero[a]).collect();
    let vec_of = |atoms: &[usize]| -> Vec<i64> {
        live.iter().map(|a| i64::from(atoms.contains(a))).collect()
    };
    let pow = |mut b: i64, mut e: i64| {
        let mut r = 1i64;
        b %= Q;
        while e > 0 {
            if e & 1 == 1 {
                r = r * b % Q;
            }
            b = b * b % Q;
            e >>= 1;
        }
        r
    };
    // Reduce the rows to echelon form, then reduce the target by them.
    let mut basis: Vec<(usize, Vec<i64>)> = Vec::new();
    let reduce = |mut v: Vec<i64>, basis: &[(usize, Vec<i64>)]| {
        for (p, b) in basis {
            if v[*p] != 0 {
                let f = v[*p];
                for (x, y) in v.iter_mut().zip(b) {
                    *x = ((*x - f * y) % Q + Q) % Q;
                }
            }
        }
        v
    };
    for r in rows {
        let v = reduce(vec_of(r), &basis);
        if let Some(p) = v.iter().position(|&x| x != 0) {
            let inv = pow(v[p], Q - 2);
            let v: Vec<i64> = v.iter().map(|x| x * inv % Q).collect();
            // Keep the basis reduced at the new pivot.
            for (_, b) in &mut basis {
                if b[p] != 0 {
                    let f = b[p];
                    for (x, y) in b.iter_mut().zip(&v) {
                        *x = ((*x - f * y) % Q + Q) % Q;
                    }
                }
            }
            basis.push((p, v));
        }
    }
    let t = reduce(vec_of(target), &basis);
    t.iter().all(|&x| x == 0) && !target.iter().all(|a| zero[*a])
}

fn labels(d: &DimensionCellsRef<'_>, i: usize) -> BTreeSet<String> {
    d.0.parts_of(i).into_iter().collect()
}

struct DimensionCellsRef<'a>(&'a crate::cohort::DimensionCells);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every suppressed count of the report (its lines by quintile and every breakdown over
    /// deprivation and sex, with their margins) stays out of reach of the attacker.
    #[test]
    fn no_suppressed_count_of_a_report_can_be_worked_out(
        people in proptest::collection::vec((proptest::option::of(1u8..=10), 0usize..4), 0..120),
        picks in proptest::sample::subsequence(
            vec!["imd-decile", "imd-quintile", "core20", "sex", "sex:imd-quintile",
                 "imd-decile:sex", "core20:sex"], 1..5),
        rule in prop_oneof![Just(Rule::NhsDigital), (2u64..6).prop_map(Rule::Below)],
    ) {
        let list = Breakdown::parse_list(&picks.join(",")).unwrap_or_else(|e| panic!("{e}"));
        let c = Classifier::new(CohortDefinition::national(), None)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_breakdowns(&list)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut counts = CohortCounts::new(&c);
        for (decile, sex) in &people {
            let r = CompactRecord {
                age: Some(40),
                sex: Sex::ALL[*sex],
                deprivation: decile
                    .and_then(|d| ImdDecile::new(d).ok())
                    .map_or(crate::cohort::compact::Deprivation::None, crate::cohort::compact::Deprivation::Known),
                ethnic: c.ethnic_index(b"A").unwrap_or(0),
                ..CompactRecord::default()
            };
            counts.count(&c, &r);
        }
        let rep = crate::cohort::report(&counts, &c);
        let protected = ProtectedReport::new(&rep, rule);
        // Every published people count, as (atoms, shown).
        let all_dep: BTreeSet<String> = deprivation_all();
        let all_sex: BTreeSet<String> = ["male", "female", "indeterminate", "unknown"]
            .iter().map(|s| (*s).to_owned()).collect();
        let mut published: Vec<(Vec<usize>, Shown, u64)> = Vec::new();
        let (people, q) = protected.line("people", &rep.total);
        published.push((atoms(&all_dep, &all_sex), people, rep.total.people));
        for (k, s) in q.iter().enumerate() {
            published.push((atoms(&quintile_parts(k), &all_sex), *s, rep.total.by_quintile[k]));
        }
        for b in &rep.breakdowns {
            for cell in &b.cells {
                let (mut dep, mut sex) = (all_dep.clone(), all_sex.clone());
                for (d, l) in b.dimensions.iter().zip(&cell.key) {
                    if l == "all" {
                        continue;
                    }
                    let i = d.cells.iter().position(|x| x == l).unwrap_or(0);
                    let set = labels(&DimensionCellsRef(d), i);
                    if d.family() == "sex" {
                        sex = sex.intersection(&set).cloned().collect();
                    } else {
                        dep = dep.intersection(&set).cloned().collect();
                    }
                }
                let shown = protected.cell(b, cell);
                published.push((atoms(&dep, &sex), shown[0], cell.people));
            }
        }
        // Zeros published tell their atoms are empty.
        let mut zero = vec![false; ATOMS];
        for (a, s, _) in &published {
            if *s == Shown::Value(0) {
                for &x in a {
                    zero[x] = true;
                }
            }
        }
        let rows: Vec<Vec<usize>> = published
            .iter()
            .filter(|(_, s, _)| !s.is_suppressed())
            .map(|(a, _, _)| a.clone())
            .collect();
        for (a, s, v) in &published {
            if s.is_suppressed() {
                prop_assert!(
                    !in_span(&rows, &zero, a),
                    "a suppressed count ({v} people, atoms {a:?}) can be worked out under {rule}"
                );
            } else if rule.is_small(*v) {
                prop_assert!(false, "a small count ({v}) is published under {rule}");
            }
        }
    }
}
