use proptest::prelude::*;

use super::*;

/// A two-way table of `cells` (rows × columns) with its row margins, column margins and total,
/// as the reports publish them; the indices are (cells row-major, rows, columns, total).
fn two_way(cells: &[Vec<u64>]) -> Table {
    let (m, n) = (cells.len(), cells.first().map_or(0, Vec::len));
    let mut t = Table::default();
    let ids: Vec<Vec<usize>> = cells
        .iter()
        .map(|row| row.iter().map(|&v| t.push(v)).collect())
        .collect();
    let rows: Vec<usize> = cells.iter().map(|row| t.push(row.iter().sum())).collect();
    let cols: Vec<usize> = (0..n)
        .map(|j| t.push(cells.iter().map(|row| row[j]).sum()))
        .collect();
    let total = t.push(cells.iter().flatten().sum());
    for i in 0..m {
        t.sum(rows[i], ids[i].clone());
    }
    for j in 0..n {
        t.sum(cols[j], ids.iter().map(|r| r[j]));
    }
    t.sum(total, rows.iter().copied());
    t.sum(total, cols.iter().copied());
    t
}

/// A one-way table: cells and their total.
fn one_way(cells: &[u64]) -> Table {
    let mut t = Table::default();
    let ids: Vec<usize> = cells.iter().map(|&v| t.push(v)).collect();
    let total = t.push(cells.iter().sum());
    t.sum(total, ids);
    t
}

/// The attacker: every count it can work out exactly from the published (unrounded) counts,
/// by subtraction repeated until nothing more falls out, and then by solving the equations
/// jointly (exact rational elimination, written apart from the code under test).
fn recoverable(table: &Table, shown: &[Shown]) -> Vec<usize> {
    let mut known: Vec<Option<i128>> = shown
        .iter()
        .zip(&table.values)
        .map(|(s, &v)| (!s.is_suppressed()).then_some(i128::from(v)))
        .collect();
    let mut out = Vec::new();
    // Subtraction: an equation with one unknown left gives it.
    loop {
        let mut progress = false;
        for eq in &table.equations {
            let unknown: Vec<&(usize, i8)> =
                eq.iter().filter(|(k, _)| known[*k].is_none()).collect();
            if let [(k, s)] = unknown.as_slice() {
                let rest: i128 = eq
                    .iter()
                    .filter(|(j, _)| j != k)
                    .map(|(j, t)| i128::from(*t) * known[*j].unwrap_or(0))
                    .sum();
                known[*k] = Some(-rest / i128::from(*s));
                out.push(*k);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    // Jointly: Gaussian elimination over the rationals on what is left.
    let unknown: Vec<usize> = (0..known.len()).filter(|&k| known[k].is_none()).collect();
    let mut rows: Vec<Vec<(i128, i128)>> = table
        .equations
        .iter()
        .map(|eq| {
            let mut row = vec![(0i128, 1i128); unknown.len()];
            for &(k, s) in eq {
                if let Some(c) = unknown.iter().position(|&u| u == k) {
                    row[c].0 += i128::from(s);
                }
            }
            row
        })
        .collect();
    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 {
            a.abs().max(1)
        } else {
            gcd(b, a % b)
        }
    }
    let norm = |(a, b): (i128, i128)| {
        let g = gcd(a, b);
        let s = if b < 0 { -1 } else { 1 };
        (s * a / g, s * b / g)
    };
    let mut r = 0;
    let mut pivots = Vec::new();
    for c in 0..unknown.len() {
        let Some(p) = (r..rows.len()).find(|&i| rows[i][c].0 != 0) else {
            continue;
        };
        rows.swap(r, p);
        let (pa, pb) = rows[r][c];
        for x in &mut rows[r] {
            *x = norm((x.0 * pb, x.1 * pa));
        }
        let pivot = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && row[c].0 != 0 {
                let (ga, gb) = row[c];
                for (x, &(ra, rb)) in row.iter_mut().zip(&pivot) {
                    let (xa, xb) = *x;
                    // x - g * r
                    *x = norm((xa * gb * rb - ga * ra * xb, xb * gb * rb));
                }
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    for (r, c) in pivots {
        if rows[r].iter().enumerate().all(|(j, x)| j == c || x.0 == 0) {
            out.push(unknown[c]);
        }
    }
    out
}

fn small_table() -> impl Strategy<Value = Vec<Vec<u64>>> {
    (1usize..6, 1usize..6).prop_flat_map(|(m, n)| {
        proptest::collection::vec(
            proptest::collection::vec(prop_oneof![3 => 0u64..10, 1 => 0u64..60], n),
            m,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No suppressed count of a two-way table (cells, margins, total) can be worked out from the
    /// published ones, by subtraction or by solving the sums together; every small count is
    /// suppressed; the rest are shown as the rule shows them.
    #[test]
    fn suppressed_two_way_tables_cannot_be_unsuppressed(
        cells in small_table(),
        rule in prop_oneof![Just(Rule::NhsDigital), (2u64..12).prop_map(Rule::Below)],
    ) {
        let t = two_way(&cells);
        let shown = protect(&t, rule, &BTreeMap::new());
        let leaks: Vec<usize> = recoverable(&t, &shown)
            .into_iter()
            .filter(|&k| shown[k].is_suppressed())
            .collect();
        prop_assert!(leaks.is_empty(), "{cells:?} under {rule}: {shown:?} leaks {leaks:?}");
        for (k, s) in shown.iter().enumerate() {
            let v = t.values[k];
            if rule.is_small(v) {
                prop_assert_eq!(*s, Shown::Suppressed(Reason::Small));
            }
            if let Shown::Value(p) = s {
                prop_assert_eq!(*p, rule.shown(v));
            }
        }
    }

    #[test]
    fn suppressed_one_way_tables_cannot_be_unsuppressed(
        cells in proptest::collection::vec(prop_oneof![3 => 0u64..10, 1 => 0u64..60], 1..12),
        rule in prop_oneof![Just(Rule::NhsDigital), (2u64..12).prop_map(Rule::Below)],
    ) {
        let t = one_way(&cells);
        let shown = protect(&t, rule, &BTreeMap::new());
        let leaks: Vec<usize> = recoverable(&t, &shown)
            .into_iter()
            .filter(|&k| shown[k].is_suppressed())
            .collect();
        prop_assert!(leaks.is_empty(), "{cells:?}: {shown:?} leaks {leaks:?}");
    }
}

#[test]
fn the_attacker_finds_what_primary_suppression_alone_leaves() {
    // Without secondary suppression, one small cell in a row is the margin minus the others.
    let t = two_way(&[vec![3, 20], vec![15, 30]]);
    let primary: Vec<Shown> = t
        .values
        .iter()
        .map(|&v| {
            if Rule::Below(5).is_small(v) {
                Shown::Suppressed(Reason::Small)
            } else {
                Shown::Value(v)
            }
        })
        .collect();
    assert_eq!(recoverable(&t, &primary), [0]);
    let protected = protect(&t, Rule::Below(5), &BTreeMap::new());
    assert!(
        recoverable(&t, &protected)
            .iter()
            .all(|&k| !protected[k].is_suppressed())
    );
    // The 3, its row's other cell or margin, its column's, and one more to close the square.
    assert_eq!(protected.iter().filter(|s| s.is_suppressed()).count(), 4);
}

#[test]
fn rules_read_and_round_as_documented() {
    assert_eq!(Rule::parse("nhs-digital"), Ok(Rule::NhsDigital));
    assert_eq!(Rule::parse("below:5"), Ok(Rule::Below(5)));
    assert_eq!(Rule::parse("none"), Ok(Rule::None));
    for bad in ["below:1", "below:x", "nhs", "below:1001"] {
        assert!(
            Rule::parse(bad)
                .unwrap_err()
                .contains("is not a disclosure rule"),
            "{bad}"
        );
    }
    let r = Rule::NhsDigital;
    assert_eq!(
        [0, 1, 7, 8, 10, 12, 13, 17, 18].map(|v| (r.is_small(v), r.shown(v))),
        [
            (false, 0),
            (true, 0),
            (true, 5),
            (false, 10),
            (false, 10),
            (false, 10),
            (false, 15),
            (false, 15),
            (false, 20)
        ]
    );
}

/// A count as hostile inputs have them: mostly zeros and small counts, some at the rules'
/// thresholds, some large.
fn hostile_count() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => Just(0u64),
        4 => 1u64..8,
        2 => 5u64..13,
        2 => 0u64..60,
        1 => 1_000u64..1_000_000_000_000,
    ]
}

/// A table of any shape: random counts and random equations over them (any signs, counts
/// repeated within an equation, equations repeated or empty), as a hostile caller might give.
fn any_table() -> impl Strategy<Value = Table> {
    (1usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec(hostile_count(), n),
            proptest::collection::vec(
                proptest::collection::vec((0..n, prop_oneof![Just(1i8), Just(-1i8)]), 0..8),
                0..30,
            ),
        )
            .prop_map(|(values, equations)| Table { values, equations })
    })
}

/// Nested linked tables as a report makes them: a two-way table of deciles × a second
/// dimension, its one-way margins, and quintiles as the sums of their deciles in each row and
/// in the margin.
fn nested_table() -> impl Strategy<Value = Table> {
    (1usize..5).prop_flat_map(|groups| {
        proptest::collection::vec(proptest::collection::vec(hostile_count(), 10), groups).prop_map(
            |cells| {
                let mut t = two_way(&cells);
                let (m, n) = (cells.len(), 10);
                // Indices: cells row-major, then row margins, column margins, total.
                let column = |j: usize| m * n + m + j;
                let quintiles = |t: &mut Table, deciles: &dyn Fn(usize) -> usize| {
                    for q in 0..5 {
                        let v = t.values[deciles(2 * q)] + t.values[deciles(2 * q + 1)];
                        let at = t.push(v);
                        t.sum(at, [deciles(2 * q), deciles(2 * q + 1)]);
                    }
                };
                for i in 0..m {
                    quintiles(&mut t, &|d| i * n + d);
                }
                quintiles(&mut t, &column);
                t
            },
        )
    })
}

fn any_rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        Just(Rule::NhsDigital),
        Just(Rule::None),
        (2u64..12).prop_map(Rule::Below),
        Just(Rule::Below(MAX_THRESHOLD)),
    ]
}

/// Counts already suppressed by another table, with their reasons.
fn any_fixed(n: usize) -> impl Strategy<Value = BTreeMap<usize, Reason>> {
    proptest::collection::btree_map(
        0..n.max(1),
        prop_oneof![Just(Reason::Small), Just(Reason::Secondary)],
        0..4,
    )
    .prop_map(move |m| m.into_iter().filter(|(k, _)| *k < n).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The fast secondary suppression publishes exactly what the simple one kept in `oracle`
    /// does, on tables of any shape, and finds the same determined counts.
    #[test]
    fn fast_protect_is_the_oracle_on_any_table(
        (t, fixed) in any_table().prop_flat_map(|t| {
            let n = t.values.len();
            (Just(t), any_fixed(n))
        }),
        rule in any_rule(),
        unknown in proptest::collection::vec(0usize..45, 0..20),
    ) {
        prop_assert_eq!(protect(&t, rule, &fixed), oracle::protect(&t, rule, &fixed));
        prop_assert_eq!(
            determined(&t.equations, &unknown),
            oracle::determined(&t.equations, &unknown)
        );
    }

    #[test]
    fn fast_protect_is_the_oracle_on_one_and_two_way_tables(
        cells in proptest::collection::vec(proptest::collection::vec(hostile_count(), 1..9), 1..9),
        rule in any_rule(),
    ) {
        let width = cells.iter().map(Vec::len).min().unwrap_or(1);
        let cells: Vec<Vec<u64>> = cells.into_iter().map(|r| r[..width].to_vec()).collect();
        let t = two_way(&cells);
        prop_assert_eq!(protect(&t, rule, &BTreeMap::new()), oracle::protect(&t, rule, &BTreeMap::new()));
        let t = one_way(&cells[0]);
        prop_assert_eq!(protect(&t, rule, &BTreeMap::new()), oracle::protect(&t, rule, &BTreeMap::new()));
    }

    #[test]
    fn fast_protect_is_the_oracle_on_nested_tables(t in nested_table(), rule in any_rule()) {
        prop_assert_eq!(protect(&t, rule, &BTreeMap::new()), oracle::protect(&t, rule, &BTreeMap::new()));
    }
}

#[test]
fn modular_products_are_as_by_division() {
    let edge = [
        0,
        1,
        2,
        P - 2,
        P - 1,
        1 << 60,
        (1 << 60) + 12_345,
        987_654_321_987,
    ];
    for &a in &edge {
        for &b in &edge {
            let want = ((u128::from(a) * u128::from(b)) % u128::from(P)) as u64;
            assert_eq!(mul(a, b), want, "{a} * {b}");
            assert_eq!(
                add(a, b),
                ((u128::from(a) + u128::from(b)) % u128::from(P)) as u64
            );
            assert_eq!(
                sub(a, b),
                ((u128::from(a) + u128::from(P) - u128::from(b)) % u128::from(P)) as u64
            );
        }
    }
}
