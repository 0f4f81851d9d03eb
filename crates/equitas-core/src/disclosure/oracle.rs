//! Secondary suppression as it was before it was made fast, kept whole as the simple oracle:
//! a dense row reduction of every equation over every suppressed count, repeated from scratch
//! after each count it suppresses. `protect` and `determined` must give the same answers on
//! every table (`tests::fast_protect_is_the_oracle`).

use std::collections::BTreeMap;

use super::{Reason, Rule, Shown, Table};

/// The prime of the row reduction: 2^61 − 1.
const P: u64 = (1 << 61) - 1;

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(P)) as u64
}

fn inv(a: u64) -> u64 {
    // Fermat: a^(P-2).
    let (mut base, mut e, mut out) = (a, P - 2, 1u64);
    while e > 0 {
        if e & 1 == 1 {
            out = mul(out, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    out
}

/// Which of the `unknown` counts are determined by the equations (given every other count):
/// row reduction of the equations restricted to the unknowns; an unknown is determined exactly
/// when its column is a pivot whose row has no other non-zero entry.
#[must_use]
pub(crate) fn determined(equations: &[Vec<(usize, i8)>], unknown: &[usize]) -> Vec<usize> {
    let col: BTreeMap<usize, usize> = unknown.iter().enumerate().map(|(i, &u)| (u, i)).collect();
    let n = unknown.len();
    let mut rows: Vec<Vec<u64>> = equations
        .iter()
        .filter_map(|eq| {
            let mut row = vec![0u64; n];
            let mut any = false;
            for &(k, s) in eq {
                if let Some(&c) = col.get(&k) {
                    row[c] = (row[c] + if s > 0 { 1 } else { P - 1 }) % P;
                    any = true;
                }
            }
            any.then_some(row)
        })
        .collect();
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    let mut r = 0;
    for c in 0..n {
        let Some(p) = (r..rows.len()).find(|&i| rows[i][c] != 0) else {
            continue;
        };
        rows.swap(r, p);
        let f = inv(rows[r][c]);
        for x in &mut rows[r] {
            *x = mul(*x, f);
        }
        let pivot = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && row[c] != 0 {
                let g = row[c];
                for (x, &y) in row.iter_mut().zip(&pivot) {
                    *x = (*x + P - mul(g, y)) % P;
                }
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    pivots
        .into_iter()
        .filter(|&(r, c)| rows[r].iter().enumerate().all(|(j, &x)| j == c || x == 0))
        .map(|(_, c)| unknown[c])
        .collect()
}

/// The smallest published count of an equation in which `k` is the only suppressed count.
fn alone(table: &Table, of: &[Vec<usize>], state: &[Option<Reason>], k: usize) -> Option<usize> {
    let key = |i: usize| (table.values[i] == 0, table.values[i], i);
    of[k]
        .iter()
        .map(|&e| &table.equations[e])
        .filter(|eq| eq.iter().all(|&(j, _)| j == k || state[j].is_none()))
        .flat_map(|eq| eq.iter().map(|&(j, _)| j))
        .filter(|&j| j != k)
        .min_by_key(|&j| key(j))
}

/// The count to suppress with `k` so it is no longer determined: the smallest published count
/// sharing an equation with it (non-zero first: a suppressed 0 protects less, as zeros are
/// common, but it still protects), or else with a suppressed count it shares one with, and so
/// on outwards.
fn complement(
    table: &Table,
    of: &[Vec<usize>],
    state: &[Option<Reason>],
    k: usize,
) -> Option<usize> {
    let key = |i: usize| (table.values[i] == 0, table.values[i], i);
    let mut seen_counts = vec![false; table.values.len()];
    let mut seen_equations = vec![false; table.equations.len()];
    let mut frontier = vec![k];
    seen_counts[k] = true;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        let mut best: Option<usize> = None;
        for &c in &frontier {
            for &e in &of[c] {
                if std::mem::replace(&mut seen_equations[e], true) {
                    continue;
                }
                for &(j, _) in &table.equations[e] {
                    if std::mem::replace(&mut seen_counts[j], true) {
                        continue;
                    }
                    if state[j].is_none() {
                        if best.is_none_or(|b| key(j) < key(b)) {
                            best = Some(j);
                        }
                    } else {
                        next.push(j);
                    }
                }
            }
        }
        if best.is_some() {
            return best;
        }
        frontier = next;
    }
    None
}

/// The published form of every count of `table` under `rule`: small counts suppressed, then
/// secondary suppression until no suppressed count is determined by the published ones, then
/// the rest shown (rounded under a rounding rule). `fixed` may name counts already suppressed
/// (by another table sharing them), which stay so.
#[must_use]
pub(crate) fn protect(table: &Table, rule: Rule, fixed: &BTreeMap<usize, Reason>) -> Vec<Shown> {
    let n = table.values.len();
    if !rule.is_on() {
        return table.values.iter().map(|&v| Shown::Value(v)).collect();
    }
    let mut state: Vec<Option<Reason>> = (0..n)
        .map(|i| {
            fixed
                .get(&i)
                .copied()
                .or_else(|| rule.is_small(table.values[i]).then_some(Reason::Small))
        })
        .collect();
    // The equations each count is in.
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, eq) in table.equations.iter().enumerate() {
        for &(k, _) in eq {
            if let Some(list) = of.get_mut(k) {
                list.push(e);
            }
        }
    }
    loop {
        let unknown: Vec<usize> = (0..n).filter(|&i| state[i].is_some()).collect();
        if unknown.is_empty() {
            break;
        }
        let exposed = determined(&table.equations, &unknown);
        if exposed.is_empty() {
            break;
        }
        // One complement at a time, as each changes what the rest need: the smallest count of
        // an equation where an exposed count is the only one suppressed (where it leaks by
        // subtraction), or else one reached from an exposed count through the equations.
        let key = |i: usize| (table.values[i] == 0, table.values[i], i);
        let pick = exposed
            .iter()
            .filter_map(|&k| alone(table, &of, &state, k))
            .min_by_key(|&j| key(j))
            .or_else(|| {
                exposed
                    .iter()
                    .find_map(|&k| complement(table, &of, &state, k))
            });
        let changed = if let Some(j) = pick {
            state[j] = Some(Reason::Secondary);
            true
        } else {
            false
        };
        if !changed {
            break;
        }
    }
    (0..n)
        .map(|i| match state[i] {
            Some(r) => Shown::Suppressed(r),
            None => Shown::Value(rule.shown(table.values[i])),
        })
        .collect()
}
