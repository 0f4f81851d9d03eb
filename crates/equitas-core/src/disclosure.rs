//! Small-number disclosure control for tables that leave the analyst's machine.
//!
//! A [`Rule`] says which counts are too small to publish and how the others are shown:
//!
//! - [`Rule::NhsDigital`] (the default): NHS Digital's rule for Hospital Episode Statistics and
//!   the Emergency Care Data Set since September 2018, also used for its other secondary-care
//!   and SRHAD outputs: below national level, a count from 1 to 7 is suppressed (`*`), every
//!   other count is rounded to the nearest 5, and 0 is shown as 0 (NHS Digital, "Disclosure
//!   control methodology for Hospital Episode Statistics (HES) and Emergency Care Data Set
//!   (ECDS)",
//!   <https://digital.nhs.uk/data-and-information/data-tools-and-services/data-services/hospital-episode-statistics/change-to-disclosure-control-methodology-for-hes-and-ecds-from-september-2018>).
//! - [`Rule::Below`]`(n)`: counts from 1 to n − 1 suppressed, the others shown exactly; the
//!   threshold rules of the ONS's confidentiality guidance for health statistics (2006: counts
//!   of 1 and 2 unsafe, 3 and 4 for small areas and sensitive data; summarised by Cambridgeshire
//!   Insight, "Maintaining confidentiality in disseminated data", 2013,
//!   <https://paperzz.com/doc/8181728/public---cambridgeshire-insight>). OHID publishes no
//!   small-number rule of its own that we could find, so none is offered under its name.
//! - [`Rule::None`]: nothing suppressed; outputs say so.
//!
//! Suppressing a small count is not enough when the table's margins are published too: a
//! suppressed cell would be the margin minus the other cells. [`protect`] adds *secondary*
//! suppression until no suppressed count can be worked out from the published ones by any
//! combination of the table's sums (not only one subtraction): a suppressed count is
//! recoverable exactly when it is determined by the linear equations the table satisfies,
//! which [`protect`] checks exactly (row reduction modulo a large prime, exact for these 0/±1
//! systems), and it suppresses one more count of an equation of each recoverable one until
//! none is. Under every rule, secondary suppression is applied (with rounding it is a second
//! line of defence: NHS Digital rely on rounding alone).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// The largest threshold [`Rule::Below`] takes: 1,000.
pub const MAX_THRESHOLD: u64 = 1_000;

/// A small-number disclosure rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Rule {
    /// NHS Digital (HES, ECDS): 1 to 7 suppressed, other counts rounded to the nearest 5.
    #[default]
    NhsDigital,
    /// Counts from 1 to n − 1 suppressed (`below:n`), others shown exactly.
    Below(u64),
    /// No disclosure control.
    None,
}

impl Rule {
    /// Read a rule: `nhs-digital`, `below:N` (N from 2 to [`MAX_THRESHOLD`]) or `none`.
    ///
    /// # Errors
    /// Anything else, naming what is accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "nhs-digital" => Ok(Self::NhsDigital),
            "none" => Ok(Self::None),
            t => t
                .strip_prefix("below:")
                .and_then(|n| n.trim().parse::<u64>().ok())
                .filter(|n| (2..=MAX_THRESHOLD).contains(n))
                .map(Self::Below)
                .ok_or_else(|| {
                    format!(
                        "{t:?} is not a disclosure rule; use nhs-digital (1 to 7 suppressed, \
                         other counts rounded to the nearest 5), below:N (counts from 1 to N-1 \
                         suppressed, N from 2 to {MAX_THRESHOLD}) or none"
                    )
                }),
        }
    }

    /// The rule's id (`nhs-digital`, `below:5`, `none`).
    #[must_use]
    pub fn id(self) -> String {
        match self {
            Self::NhsDigital => "nhs-digital".to_owned(),
            Self::Below(n) => format!("below:{n}"),
            Self::None => "none".to_owned(),
        }
    }

    /// The rule in words, for the outputs that apply it.
    #[must_use]
    pub fn describe(self) -> String {
        match self {
            Self::NhsDigital => "NHS Digital's rule (HES and ECDS, 2018): counts from 1 to 7 \
                                 suppressed, other counts rounded to the nearest 5, 0 shown; \
                                 secondary suppression so no suppressed count can be worked out \
                                 from the published ones"
                .to_owned(),
            Self::Below(n) => format!(
                "counts from 1 to {} suppressed, others shown exactly; secondary suppression so \
                 no suppressed count can be worked out from the published ones",
                n - 1
            ),
            Self::None => "none: every count is shown exactly (--suppress none)".to_owned(),
        }
    }

    /// Whether a count is too small to publish.
    #[must_use]
    pub fn is_small(self, v: u64) -> bool {
        match self {
            Self::NhsDigital => (1..=7).contains(&v),
            Self::Below(n) => v >= 1 && v < n,
            Self::None => false,
        }
    }

    /// A count as published when not suppressed.
    #[must_use]
    pub fn shown(self, v: u64) -> u64 {
        match self {
            // Nearest 5, halves up (12.5 -> 15): v + 2, down to a multiple of 5.
            Self::NhsDigital => (v.saturating_add(2) / 5) * 5,
            Self::Below(_) | Self::None => v,
        }
    }

    /// Whether shown counts are changed (rounded).
    #[must_use]
    pub fn rounds(self) -> bool {
        matches!(self, Self::NhsDigital)
    }

    /// Whether the rule does anything.
    #[must_use]
    pub fn is_on(self) -> bool {
        !matches!(self, Self::None)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

/// Why a count is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The count itself is small.
    Small,
    /// The count would let a suppressed one be worked out from the published ones.
    Secondary,
}

impl Reason {
    /// The reason in words.
    #[must_use]
    pub fn describe(self, rule: Rule) -> String {
        match (self, rule) {
            (Self::Small, Rule::NhsDigital) => "suppressed: from 1 to 7".to_owned(),
            (Self::Small, Rule::Below(n)) => format!("suppressed: from 1 to {}", n - 1),
            (Self::Small, Rule::None) => "suppressed".to_owned(),
            (Self::Secondary, _) => {
                "suppressed: would reveal a suppressed count from the published totals".to_owned()
            }
        }
    }
}

/// A count as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shown {
    /// Published (rounded, under a rounding rule).
    Value(u64),
    /// Not published, and why.
    Suppressed(Reason),
}

impl Shown {
    /// The published value, if any.
    #[must_use]
    pub fn value(self) -> Option<u64> {
        match self {
            Self::Value(v) => Some(v),
            Self::Suppressed(_) => None,
        }
    }

    /// Whether it is suppressed.
    #[must_use]
    pub fn is_suppressed(self) -> bool {
        matches!(self, Self::Suppressed(_))
    }
}

/// A set of counts and the sums they satisfy: each equation says that the counts with
/// coefficient +1 add up to those with −1 (a margin and its cells, say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The counts.
    pub values: Vec<u64>,
    /// Each equation: (count index, +1 or −1); its counts sum to zero with these signs.
    pub equations: Vec<Vec<(usize, i8)>>,
}

impl Table {
    /// A count; returns its index.
    pub fn push(&mut self, v: u64) -> usize {
        self.values.push(v);
        self.values.len() - 1
    }

    /// `total` is the sum of `parts`.
    pub fn sum(&mut self, total: usize, parts: impl IntoIterator<Item = usize>) {
        let mut eq: Vec<(usize, i8)> = parts.into_iter().map(|p| (p, 1)).collect();
        eq.push((total, -1));
        self.equations.push(eq);
    }
}

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
pub fn determined(equations: &[Vec<(usize, i8)>], unknown: &[usize]) -> Vec<usize> {
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
pub fn protect(table: &Table, rule: Rule, fixed: &BTreeMap<usize, Reason>) -> Vec<Shown> {
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

#[cfg(test)]
mod tests;
