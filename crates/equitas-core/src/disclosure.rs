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

use std::collections::{BTreeMap, BTreeSet};
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

/// The determined columns of `rows` (dense, modulo [`P`]): full row reduction; a column is
/// determined exactly when it is a pivot whose row has no other non-zero entry (its unit
/// vector is in the row space). The reduced form is unique, so neither the order of the rows
/// nor splitting them into blocks with no column in common changes the answer.
fn determined_columns(mut rows: Vec<Vec<u64>>, n: usize) -> Vec<usize> {
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    let mut r = 0;
    for c in 0..n {
        let Some(p) = (r..rows.len()).find(|&i| rows[i][c] != 0) else {
            continue;
        };
        rows.swap(r, p);
        let f = inv(rows[r][c]);
        // Columns before c are zero in the pivot row: earlier pivots were cleared from it and
        // earlier columns without a pivot are zero from row r on.
        for x in &mut rows[r][c..] {
            *x = mul(*x, f);
        }
        let pivot = rows[r][c..].to_vec();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && row[c] != 0 {
                let g = row[c];
                for (x, &y) in row[c..].iter_mut().zip(&pivot) {
                    if y != 0 {
                        *x = sub(*x, mul(g, y));
                    }
                }
            }
        }
        pivots.push((r, c));
        r += 1;
        if r == rows.len() {
            break;
        }
    }
    pivots
        .into_iter()
        .filter(|&(r, c)| rows[r].iter().enumerate().all(|(j, &x)| j == c || x == 0))
        .map(|(_, c)| c)
        .collect()
}

/// The counts of `members` (sorted) determined by the equations `eqs` (those with a member),
/// given every other count: the equations restricted to the members, row reduced. `slot` is
/// scratch of one entry per count, all `usize::MAX`, and is left so.
fn determined_block(
    equations: &[Vec<(usize, i8)>],
    eqs: &[usize],
    members: &[usize],
    slot: &mut [usize],
) -> Vec<usize> {
    for (c, &m) in members.iter().enumerate() {
        slot[m] = c;
    }
    let n = members.len();
    let rows: Vec<Vec<u64>> = eqs
        .iter()
        .map(|&e| {
            let mut row = vec![0u64; n];
            for &(k, s) in &equations[e] {
                if let Some(&c) = slot.get(k).filter(|&&c| c != usize::MAX) {
                    row[c] = add(row[c], if s > 0 { 1 } else { P - 1 });
                }
            }
            row
        })
        .collect();
    for &m in members {
        slot[m] = usize::MAX;
    }
    determined_columns(rows, n)
        .into_iter()
        .map(|c| members[c])
        .collect()
}

/// Which of the `unknown` counts are determined by the equations (given every other count):
/// row reduction of the equations restricted to the unknowns; an unknown is determined exactly
/// when its column is a pivot whose row has no other non-zero entry. The unknowns fall into
/// blocks that share no equation, each reduced on its own.
#[must_use]
pub fn determined(equations: &[Vec<(usize, i8)>], unknown: &[usize]) -> Vec<usize> {
    // Each count's column: its last place in `unknown` (an earlier repeat is a column that no
    // equation touches, so never determined).
    let col: BTreeMap<usize, usize> = unknown.iter().enumerate().map(|(i, &u)| (u, i)).collect();
    let mut blocks = Blocks::new(unknown.len());
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
    blocks.start(&local, |_| true);
    // In the order of the columns, as they are worked out.
    blocks
        .refresh(&local, &of)
        .into_iter()
        .map(|c| unknown[c])
        .collect()
}

/// The suppressed counts of a table in blocks that share no equation (a union-find that only
/// grows, as counts are only ever added to the suppressed), with the counts each block's
/// equations determine, kept until a count joins the block.
struct Blocks {
    parent: Vec<usize>,
    /// At each root: the block's counts.
    members: Vec<Vec<usize>>,
    /// At each root: the block's determined counts, as last worked out.
    exposed: Vec<Vec<usize>>,
    /// Roots whose blocks changed since.
    dirty: Vec<usize>,
    /// Every determined count.
    all: BTreeSet<usize>,
    /// Scratch for [`determined_block`].
    slot: Vec<usize>,
}

impl Blocks {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
            members: vec![Vec::new(); n],
            exposed: vec![Vec::new(); n],
            dirty: Vec::new(),
            all: BTreeSet::new(),
            slot: vec![usize::MAX; n],
        }
    }

    fn find(&mut self, mut k: usize) -> usize {
        let mut root = k;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        while self.parent[k] != root {
            k = std::mem::replace(&mut self.parent[k], root);
        }
        root
    }

    /// Forget what a block's equations determined: it is to be worked out again.
    fn stale(&mut self, root: usize) {
        for k in std::mem::take(&mut self.exposed[root]) {
            self.all.remove(&k);
        }
        self.dirty.push(root);
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.members[a].len() < self.members[b].len() {
            std::mem::swap(&mut a, &mut b);
        }
        self.stale(a);
        self.stale(b);
        let moved = std::mem::take(&mut self.members[b]);
        self.members[a].extend(moved);
        self.parent[b] = a;
    }

    /// A count becomes suppressed: it joins the blocks of the suppressed counts it shares an
    /// equation with (`state` says which are suppressed).
    fn add(
        &mut self,
        equations: &[Vec<(usize, i8)>],
        of: &[Vec<usize>],
        k: usize,
        suppressed: impl Fn(usize) -> bool,
    ) {
        self.members[k].push(k);
        self.stale(k);
        for &e in &of[k] {
            for &(j, _) in &equations[e] {
                if j < self.parent.len() && suppressed(j) {
                    self.union(k, j);
                }
            }
        }
    }

    /// The first suppressed counts (`suppressed` says which), each a block, joined through
    /// their equations.
    fn start(&mut self, equations: &[Vec<(usize, i8)>], suppressed: impl Fn(usize) -> bool) {
        for k in 0..self.parent.len() {
            if suppressed(k) {
                self.members[k].push(k);
                self.dirty.push(k);
            }
        }
        for eq in equations {
            let mut first = None;
            for &(j, _) in eq {
                if j < self.parent.len() && suppressed(j) {
                    match first {
                        None => first = Some(j),
                        Some(f) => self.union(f, j),
                    }
                }
            }
        }
    }

    /// Work out again the blocks that changed; every determined count, in order.
    fn refresh(&mut self, equations: &[Vec<(usize, i8)>], of: &[Vec<usize>]) -> Vec<usize> {
        let dirty: Vec<usize> = std::mem::take(&mut self.dirty);
        let roots: BTreeSet<usize> = dirty.into_iter().map(|r| self.find(r)).collect();
        for root in roots {
            let mut members = std::mem::take(&mut self.members[root]);
            equitas_lean::sort::sort_by_key(&mut members, |&m| m);
            let eqs: Vec<usize> = members
                .iter()
                .flat_map(|&m| of[m].iter().copied())
                .collect::<BTreeSet<usize>>()
                .into_iter()
                .collect();
            let exposed = determined_block(equations, &eqs, &members, &mut self.slot);
            self.all.extend(exposed.iter().copied());
            self.exposed[root] = exposed;
            self.members[root] = members;
        }
        self.all.iter().copied().collect()
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
    let mut blocks = Blocks::new(n);
    blocks.start(&table.equations, |k| state[k].is_some());
    loop {
        // Only the blocks a new suppressed count joined are worked out again.
        let exposed = blocks.refresh(&table.equations, &of);
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
        blocks.add(&table.equations, &of, j, |k| state[k].is_some());
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
