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
//! which [`protect`] checks exactly (elimination modulo a large prime, exact for these 0/±1
//! systems, kept up to date as counts are suppressed rather than redone), and it suppresses
//! one more count of an equation of each recoverable one until none is. Under every rule,
//! secondary suppression is applied (with rounding it is a second line of defence: NHS Digital
//! rely on rounding alone).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
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

/// `a · b` modulo [`P`], for `a`, `b` below it: as P is a Mersenne prime, 2^61 ≡ 1, so the
/// product's high bits add to its low ones (no 128-bit division).
fn mul(a: u64, b: u64) -> u64 {
    let x = u128::from(a) * u128::from(b);
    // x < 2^122: its low 61 bits plus the rest (each below 2^61), then once more.
    let s = (x as u64 & P) + (x >> 61) as u64;
    let s = (s & P) + (s >> 61);
    if s >= P { s - P } else { s }
}

/// `a + b` modulo [`P`], for `a`, `b` below it.
fn add(a: u64, b: u64) -> u64 {
    let s = a + b;
    if s >= P { s - P } else { s }
}

/// `a − b` modulo [`P`], for `a`, `b` below it.
fn sub(a: u64, b: u64) -> u64 {
    if a >= b { a - b } else { a + P - b }
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
/// an unknown is determined exactly when its unit vector is in the row space of the equations
/// restricted to the unknowns, that is, when every solution of the restricted equations with
/// right-hand side zero is zero at it, worked out one count at a time.
#[must_use]
pub fn determined(equations: &[Vec<(usize, i8)>], unknown: &[usize]) -> Vec<usize> {
    // Each count's column: its last place in `unknown` (an earlier repeat is a column that no
    // equation touches, so never determined).
    let col: BTreeMap<usize, usize> = unknown.iter().enumerate().map(|(i, &u)| (u, i)).collect();
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); unknown.len()];
    let local: Vec<Vec<(usize, i8)>> = equations
        .iter()
        .enumerate()
        .map(|(e, eq)| {
            let row: Vec<(usize, i8)> = eq
                .iter()
                .filter_map(|(k, s)| col.get(k).map(|&c| (c, *s)))
                .collect();
            for &(c, _) in &row {
                of[c].push(e);
            }
            row
        })
        .collect();
    let mut solver = Solver::new(unknown.len(), equations.len());
    for c in 0..unknown.len() {
        solver.add(&local, &of, c);
    }
    // In the order of the columns.
    solver.exposed.iter().map(|&c| unknown[c]).collect()
}

/// A sparse vector modulo [`P`]: (index, non-zero value), by index.
type Sparse = BTreeMap<usize, u64>;

/// `x − f · y` into `x`, for the entries of `y`; `touched` hears of each index left non-zero.
fn axpy(x: &mut Sparse, f: u64, y: &[(usize, u64)], mut touched: impl FnMut(usize)) {
    for &(i, v) in y {
        let slot = x.entry(i).or_insert(0);
        *slot = sub(*slot, mul(f, v));
        if *slot == 0 {
            x.remove(&i);
        } else {
            touched(i);
        }
    }
}

/// A reduced column of [`Solver`]: its pivot equation, its entries by equation (1 at the
/// pivot), and the combination of suppressed counts' columns it is, by count.
type Reduced = (usize, Vec<(usize, u64)>, Vec<(usize, u64)>);

/// The suppressed counts that the equations determine, kept up to date as counts are suppressed
/// one at a time, exactly (modulo the prime [`P`], exact for these systems).
///
/// A suppressed count is determined exactly when its unit vector is in the row space of the
/// equations restricted to the suppressed counts, that is, when every vector of their null
/// space is zero at it. Suppressing a count adds a column; the null space of the old columns
/// stays, and gains one vector if and only if the new column is a combination of the old ones.
/// So the solver keeps the columns in echelon form (each reduced column with its pivot
/// equation and the combination of counts' columns it is) and a basis of the null space that
/// only ever grows: a new column reduced to zero gives a null vector (its combination), and
/// each count remembers how many null vectors are non-zero at it. A count is determined while
/// none is. The answer is that of reducing the whole system again, as the null space is the
/// same whichever way it is found.
struct Solver {
    /// For each equation, the reduced column whose pivot it is.
    pivot: Vec<Option<usize>>,
    /// The reduced columns.
    columns: Vec<Reduced>,
    /// For each count, how many null vectors are non-zero at it.
    free: Vec<u32>,
    /// The suppressed counts no null vector touches: the determined ones.
    exposed: BTreeSet<usize>,
}

impl Solver {
    fn new(counts: usize, equations: usize) -> Self {
        Self {
            pivot: vec![None; equations],
            columns: Vec::new(),
            free: vec![0; counts],
            exposed: BTreeSet::new(),
        }
    }

    /// Count `k` becomes suppressed: its column is reduced against the others.
    fn add(&mut self, equations: &[Vec<(usize, i8)>], of: &[Vec<usize>], k: usize) {
        // The column: k's coefficient in each of its equations (once each).
        let mut w = Sparse::new();
        let mut last = None;
        for &e in &of[k] {
            if last == Some(e) {
                continue;
            }
            last = Some(e);
            let c = equations[e]
                .iter()
                .filter(|(j, _)| *j == k)
                .fold(0, |c, &(_, s)| add(c, if s > 0 { 1 } else { P - 1 }));
            if c != 0 {
                w.insert(e, c);
            }
        }
        let mut combination = Sparse::from([(k, 1)]);
        // Eliminate the pivots in the order their columns came: a reduced column is zero at
        // the pivots of those before it, so each pivot is cleared once and stays so.
        let mut due: BinaryHeap<Reverse<usize>> = w
            .keys()
            .filter_map(|&e| self.pivot[e])
            .map(Reverse)
            .collect();
        while let Some(Reverse(b)) = due.pop() {
            let (p, ref entries, ref comb) = self.columns[b];
            let Some(&f) = w.get(&p) else {
                continue;
            };
            let pivot = &self.pivot;
            axpy(&mut w, f, entries, |e| {
                if let Some(c) = pivot[e].filter(|&c| c > b) {
                    due.push(Reverse(c));
                }
            });
            axpy(&mut combination, f, comb, |_| {});
        }
        match w.first_key_value() {
            None => {
                // A null vector: the counts of the combination are no longer determined.
                for &j in combination.keys() {
                    if self.free[j] == 0 {
                        self.exposed.remove(&j);
                    }
                    self.free[j] += 1;
                }
            }
            Some((&p, &v)) => {
                let f = inv(v);
                let scale = |m: &Sparse| m.iter().map(|(&i, &x)| (i, mul(x, f))).collect();
                self.pivot[p] = Some(self.columns.len());
                self.columns.push((p, scale(&w), scale(&combination)));
                // No null vector is non-zero at a new count: it is determined.
                self.exposed.insert(k);
            }
        }
    }
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
    let mut solver = Solver::new(n, table.equations.len());
    for (k, s) in state.iter().enumerate() {
        if s.is_some() {
            solver.add(&table.equations, &of, k);
        }
    }
    loop {
        let exposed: Vec<usize> = solver.exposed.iter().copied().collect();
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
        let Some(j) = pick else {
            break;
        };
        state[j] = Some(Reason::Secondary);
        solver.add(&table.equations, &of, j);
    }
    (0..n)
        .map(|i| match state[i] {
            Some(r) => Shown::Suppressed(r),
            None => Shown::Value(rule.shown(table.values[i])),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod oracle;
#[cfg(test)]
mod tests;
