//! Disclosure control of a cohort report: every count it publishes, protected as one set of
//! linked tables.
//!
//! The same count can appear in several places: a person in the smoking thread in IMD quintile 1
//! is counted in the report's smoking line, in the quintile breakdown's cell, and in a margin of
//! every two-way breakdown with the quintile. So the counts of each kind (people, Core20, people
//! whose deprivation is known, each clinical area, each PLUS group, each metric's numerator and
//! denominator) are one table: an entry per distinct cell (its labels in each dimension), with
//! every sum the report implies (each breakdown's rows, columns and total, each line's
//! quintiles, each ambition's "rest"), and [`crate::disclosure::protect`] suppresses enough of
//! them that none suppressed can be worked out from the rest, whichever part of the report it is
//! read from.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{AmbitionRow, BreakdownCell, BreakdownReport, CohortLine, CohortReport, RateEstimate};
use crate::disclosure::{Reason, Rule, Shown, Table, protect};

/// A cell's identity: for each family of dimensions it is restricted in, the finest labels
/// it covers (`deprivation: 1, 2` for Core20); everyone is the empty key. Cells of different
/// tables with the same identity are the same people, so the same count.
type Key = Vec<(String, Vec<String>)>;

/// The entries and sums of one kind of count.
#[derive(Default)]
struct Kind {
    table: Table,
    index: BTreeMap<Key, usize>,
}

impl Kind {
    fn entry(&mut self, key: Key, value: u64) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.table.push(value);
        self.index.insert(key, i);
        i
    }
}

/// Every label of each family (what "everyone" covers), so a restriction to all of them can be
/// dropped from a key.
struct Families(BTreeMap<String, BTreeSet<String>>);

impl Families {
    fn of(report: &CohortReport) -> Self {
        let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        all.insert("deprivation".to_owned(), deprivation_all());
        for b in &report.breakdowns {
            for d in &b.dimensions {
                let set = all.entry(d.family().to_owned()).or_default();
                for i in 0..d.cells.len() {
                    set.extend(d.parts_of(i));
                }
            }
        }
        Self(all)
    }

    /// The canonical key of cells restricted by `parts` (family, labels): restrictions of one
    /// family intersected, those covering the whole family dropped; `None` when some family's
    /// restriction is empty (a cell no one can be in, such as decile 3 of quintile 1).
    fn key(&self, parts: impl IntoIterator<Item = (String, BTreeSet<String>)>) -> Option<Key> {
        let mut by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (f, set) in parts {
            match by.get_mut(&f) {
                Some(have) => *have = have.intersection(&set).cloned().collect(),
                None => {
                    by.insert(f, set);
                }
            }
        }
        let mut key = Key::new();
        for (f, set) in by {
            if set.is_empty() {
                return None;
            }
            let whole = self.0.get(&f).is_some_and(|all| *all == set)
                || (f.starts_with("plus=") && set.len() == 2);
            if !whole {
                key.push((f, set.into_iter().collect()));
            }
        }
        Some(key)
    }
}

/// Every deprivation label: deciles 1 to 10 and unknown.
fn deprivation_all() -> BTreeSet<String> {
    (1..=10)
        .map(|d: u8| d.to_string())
        .chain(std::iter::once("unknown".to_owned()))
        .collect()
}

/// The deprivation labels of quintile slot `q` (0..5; 5 is unknown).
fn quintile_parts(q: usize) -> BTreeSet<String> {
    if q >= 5 {
        return std::iter::once("unknown".to_owned()).collect();
    }
    [2 * q + 1, 2 * q + 2]
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A count kind as an entry kind and any restriction it adds: people in Core20 are the people
/// of deciles 1 and 2, those whose deprivation is known the people of deciles 1 to 10, the people
/// in PLUS group g the people of its `member` cell.
fn canonical_kind(kind: &str) -> (String, Option<(String, BTreeSet<String>)>) {
    let deciles = |r: std::ops::RangeInclusive<u8>| r.map(|d| d.to_string()).collect();
    match kind {
        "core20" => (
            "people".to_owned(),
            Some(("deprivation".to_owned(), deciles(1..=2))),
        ),
        "known" => (
            "people".to_owned(),
            Some(("deprivation".to_owned(), deciles(1..=10))),
        ),
        k => match k.strip_prefix("plus:") {
            Some(g) => (
                "people".to_owned(),
                Some((
                    format!("plus={g}"),
                    std::iter::once("member".to_owned()).collect(),
                )),
            ),
            None => (k.to_owned(), None),
        },
    }
}

/// The kinds of count in a breakdown cell, in order: people, Core20, deprivation known, each
/// area, each PLUS group, and each metric's denominator then numerator.
fn cell_kinds(b: &BreakdownReport) -> Vec<String> {
    let mut out = vec!["people".to_owned(), "core20".to_owned(), "known".to_owned()];
    out.extend(b.areas.iter().map(|a| format!("area:{a}")));
    out.extend(b.plus_groups.iter().map(|g| format!("plus:{g}")));
    for m in &b.metrics {
        out.push(format!("metric:{}:denominator", m.id));
        out.push(format!("metric:{}:numerator", m.id));
    }
    out
}

/// The counts of a breakdown cell, in the order of [`cell_kinds`].
fn cell_counts(c: &BreakdownCell) -> Vec<u64> {
    let mut out = vec![c.people, c.core20.numerator, c.core20.denominator];
    out.extend(&c.areas);
    out.extend(&c.plus_groups);
    for m in &c.metrics {
        out.push(m.estimate.denominator);
        out.push(m.estimate.numerator);
    }
    out
}

/// A breakdown cell's restrictions: for each dimension it is not a margin of, its family and
/// what the cell is made of.
fn cell_parts(b: &BreakdownReport, c: &BreakdownCell) -> Vec<(String, BTreeSet<String>)> {
    b.dimensions
        .iter()
        .zip(&c.key)
        .filter(|(_, l)| l.as_str() != "all")
        .filter_map(|(d, l)| {
            let i = d.cells.iter().position(|x| x == l)?;
            Some((d.family().to_owned(), d.parts_of(i).into_iter().collect()))
        })
        .collect()
}

/// The published form of every count of a cohort report under a disclosure rule.
#[derive(Debug, Clone)]
pub struct ProtectedReport {
    rule: Rule,
    shown: BTreeMap<(String, Key), Shown>,
    families: Families,
}

impl std::fmt::Debug for Families {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Families")
            .field(&self.0.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Clone for Families {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl ProtectedReport {
    /// Protect every count `report` publishes under `rule`.
    ///
    /// ```
    /// use equitas_core::cohort::{Breakdown, Classifier, CohortCounts, CohortDefinition, PersonRecord, ProtectedReport, report};
    /// use equitas_core::disclosure::{Reason, Rule, Shown};
    ///
    /// let c = Classifier::new(CohortDefinition::national(), None)?
    ///     .with_breakdowns(&Breakdown::parse_list("sex")?)?;
    /// let mut counts = CohortCounts::new(&c);
    /// for i in 0..40 {
    ///     let sex = if i < 3 { "male" } else { "female" };
    ///     let p = PersonRecord::from_json(&format!(r#"{{"id": "p{i}", "age": 30, "sex": "{sex}", "imd_decile": 5}}"#))?;
    ///     counts.count(&c, &c.compact(&p)?);
    /// }
    /// let rep = report(&counts, &c);
    /// let protected = ProtectedReport::new(&rep, Rule::NhsDigital);
    /// let b = &rep.breakdowns[0];
    /// let people = |key: &str| protected.cell(b, b.cell(&[key]).unwrap())[0];
    /// // Three men: suppressed; the women, 37, would give them away (40 - 37): suppressed too.
    /// assert_eq!(people("male"), Shown::Suppressed(Reason::Small));
    /// assert_eq!(people("female"), Shown::Suppressed(Reason::Secondary));
    /// assert_eq!(people("all"), Shown::Value(40));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(report: &CohortReport, rule: Rule) -> Self {
        Self::with(report, rule, nest, protect)
    }

    /// [`Self::new`] with the nesting of tables and their protection given (the tests give
    /// the simple versions they are checked against).
    fn with(
        report: &CohortReport,
        rule: Rule,
        nest: fn(&mut Kind, &Families),
        protect: fn(&Table, Rule, &BTreeMap<usize, Reason>) -> Vec<Shown>,
    ) -> Self {
        let families = Families::of(report);
        let mut linked = Linked {
            families: &families,
            kinds: BTreeMap::new(),
        };
        linked.add_lines(report);
        for a in &report.ambitions {
            linked.add_ambition(a);
        }
        for b in &report.breakdowns {
            linked.add_breakdown(b);
        }
        let shown = linked.publish(rule, nest, protect);
        Self {
            rule,
            shown,
            families,
        }
    }

    /// The rule applied.
    #[must_use]
    pub fn rule(&self) -> Rule {
        self.rule
    }

    fn get(&self, kind: &str, parts: Vec<(String, BTreeSet<String>)>, value: u64) -> Shown {
        let (name, extra) = canonical_kind(kind);
        let Some(key) = self.families.key(parts.into_iter().chain(extra)) else {
            // A cell no one can be in: 0, and known to be.
            return Shown::Value(0);
        };
        self.shown
            .get(&(name, key))
            .copied()
            .unwrap_or_else(|| self.alone(value))
    }

    /// A breakdown cell's counts as published, in the order: people, Core20, deprivation known,
    /// each area, each PLUS group, each metric's denominator then numerator.
    #[must_use]
    pub fn cell(&self, b: &BreakdownReport, c: &BreakdownCell) -> Vec<Shown> {
        let parts = cell_parts(b, c);
        cell_kinds(b)
            .iter()
            .zip(cell_counts(c))
            .map(|(n, v)| self.get(n, parts.clone(), v))
            .collect()
    }

    /// The names of a breakdown cell's counts, in the order of [`Self::cell`].
    #[must_use]
    pub fn cell_names(b: &BreakdownReport) -> Vec<String> {
        cell_kinds(b)
    }

    /// A line's people and quintiles (1-5, unknown) as published; `kind` is `people` (the
    /// total line), `area:ID` or `plus:ID`.
    #[must_use]
    pub fn line(&self, kind: &str, l: &CohortLine) -> (Shown, [Shown; 6]) {
        let q: [Shown; 6] = std::array::from_fn(|i| {
            self.get(
                kind,
                vec![("deprivation".to_owned(), quintile_parts(i))],
                l.by_quintile[i],
            )
        });
        (self.get(kind, Vec::new(), l.people), q)
    }

    /// An ambition's numerator and denominator for a group as published: `group` is `overall`,
    /// `core20` (quintile 1), `rest`, `q1`..`q5` or `unknown`.
    #[must_use]
    pub fn ambition(&self, metric: &str, group: &str, e: &RateEstimate) -> (Shown, Shown) {
        let dep = |set: BTreeSet<String>| vec![("deprivation".to_owned(), set)];
        let key = match group {
            "overall" => Vec::new(),
            "core20" => dep(quintile_parts(0)),
            "rest" => dep((3..=10u8).map(|d| d.to_string()).collect()),
            "unknown" => dep(quintile_parts(5)),
            q => q
                .strip_prefix('q')
                .and_then(|n| n.parse::<usize>().ok())
                .map_or_else(Vec::new, |n| dep(quintile_parts(n.saturating_sub(1)))),
        };
        (
            self.get(
                &format!("metric:{metric}:numerator"),
                key.clone(),
                e.numerator,
            ),
            self.get(&format!("metric:{metric}:denominator"), key, e.denominator),
        )
    }

    /// Every suppressed count, as (kind, cell labels, reason), for a list in the output.
    pub fn suppressed(&self) -> impl Iterator<Item = (&str, String, Reason)> + '_ {
        self.shown.iter().filter_map(|((kind, key), s)| match s {
            Shown::Suppressed(r) => Some((
                kind.as_str(),
                if key.is_empty() {
                    "all".to_owned()
                } else {
                    key.iter()
                        .map(|(f, l)| format!("{f}: {}", l.join(" ")))
                        .collect::<Vec<_>>()
                        .join("; ")
                },
                *r,
            )),
            Shown::Value(_) => None,
        })
    }

    /// The report as JSON with every count as published: a suppressed count is null, and so is
    /// every rate, limit, share, gap and target flag made from one; `disclosure` states the rule
    /// and lists every suppressed count with its reason.
    #[must_use]
    pub fn report_json(&self, report: &CohortReport) -> Value {
        let mut v = serde_json::to_value(report).unwrap_or(Value::Null);
        self.line_json(&mut v["total"], "people", &report.total);
        for (i, l) in report.areas.iter().enumerate() {
            self.line_json(&mut v["areas"][i], &format!("area:{}", l.id), l);
        }
        for (i, l) in report.plus_groups.iter().enumerate() {
            self.line_json(&mut v["plus_groups"][i], &format!("plus:{}", l.id), l);
        }
        for (i, a) in report.ambitions.iter().enumerate() {
            self.ambition_json(&mut v["ambitions"][i], a);
        }
        for (i, b) in report.breakdowns.iter().enumerate() {
            self.breakdown_json(&mut v["breakdowns"][i]["cells"], b);
        }
        self.alone_json(&mut v);
        v["disclosure"] = self.disclosure_json();
        v
    }

    /// A line of the report JSON (`slot`) as published: its people, Core20 and quintiles, and
    /// no Core20 share when its Core20 count is suppressed or the people whose deprivation is
    /// known are few.
    fn line_json(&self, slot: &mut Value, kind: &str, l: &CohortLine) {
        let (people, q) = self.line(kind, l);
        put(&mut slot["people"], people);
        put(&mut slot["core20"], q[0]);
        for (k, s) in q.iter().enumerate() {
            put(&mut slot["by_quintile"][k], *s);
        }
        let known: u64 = l.by_quintile[..5].iter().sum();
        if q[0].is_suppressed() || self.rule.is_small(known) {
            slot["core20_share"] = Value::Null;
        }
    }

    /// An ambition of the report JSON (`slot`) as published: each group's estimate, and no gap
    /// or target flag made from a suppressed count.
    fn ambition_json(&self, slot: &mut Value, a: &AmbitionRow) {
        // Puts a group's estimate; whether a count of it is suppressed.
        let hidden = |group: &str, e: &RateEstimate, slot: &mut Value| {
            let pair = self.ambition(&a.metric, group, e);
            put_estimate(slot, pair);
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

    /// The cells of breakdown `b` in the report JSON (`cells`) as published, with no rate or
    /// target flag made from a suppressed count.
    fn breakdown_json(&self, cells: &mut Value, b: &BreakdownReport) {
        let n_areas = b.areas.len();
        let n_plus = b.plus_groups.len();
        for (ci, c) in b.cells.iter().enumerate() {
            let s = self.cell(b, c);
            let slot = &mut cells[ci];
            put(&mut slot["people"], s[0]);
            put_estimate(&mut slot["core20"], (s[1], s[2]));
            for a in 0..n_areas {
                put(&mut slot["areas"][a], s[3 + a]);
            }
            for g in 0..n_plus {
                put(&mut slot["plus_groups"][g], s[3 + n_areas + g]);
            }
            for m in 0..b.metrics.len() {
                let at = 3 + n_areas + n_plus + 2 * m;
                let (den, num) = (s[at], s[at + 1]);
                put_estimate(&mut slot["metrics"][m]["estimate"], (num, den));
                if num.is_suppressed() || den.is_suppressed() {
                    slot["metrics"][m]["meets_target"] = Value::Null;
                }
            }
        }
    }

    /// The counts of the report JSON `v` not in any sum, each as published on its own: the
    /// missing reasons (a person may have several) and the people each bridging rule moved.
    fn alone_json(&self, v: &mut Value) {
        if let Some(list) = v["missing"].as_array_mut() {
            for pair in list {
                if let Some(n) = pair[1].as_u64() {
                    pair[1] = self.alone(n).value().map_or(Value::Null, Value::from);
                }
            }
        }
        if let Some(rules) = v["bridging"]["rules"].as_array_mut() {
            for line in rules {
                if let Some(n) = line["people"].as_u64() {
                    line["people"] = self.alone(n).value().map_or(Value::Null, Value::from);
                }
            }
        }
    }

    /// The report JSON's `disclosure`: the rule, and every suppressed count with its reason.
    fn disclosure_json(&self) -> Value {
        let suppressed: Vec<Value> = self
            .suppressed()
            .map(|(kind, cell, reason)| {
                serde_json::json!({"count": kind, "cell": cell, "reason": reason.describe(self.rule)})
            })
            .collect();
        serde_json::json!({
            "rule": self.rule.id(),
            "description": self.rule.describe(),
            "suppressed": suppressed,
        })
    }

    /// A count in no sum, as published: small ones suppressed, the rest as the rule shows them.
    #[must_use]
    pub fn alone(&self, v: u64) -> Shown {
        if self.rule.is_small(v) {
            Shown::Suppressed(Reason::Small)
        } else {
            Shown::Value(self.rule.shown(v))
        }
    }
}

/// A count as published in the report JSON: null when suppressed.
fn put(slot: &mut Value, s: Shown) {
    *slot = s.value().map_or(Value::Null, Value::from);
}

/// A rate estimate in the report JSON: its counts as published, and its rate and limits only
/// when both are.
fn put_estimate(slot: &mut Value, (num, den): (Shown, Shown)) {
    put(&mut slot["numerator"], num);
    put(&mut slot["denominator"], den);
    if num.is_suppressed() || den.is_suppressed() {
        for f in ["rate", "lower", "upper"] {
            slot[f] = Value::Null;
        }
    }
}

/// An entry of a kind's table: the kind's name and the entry's index; `None` for a cell no one
/// can be in.
type Entry = Option<(String, usize)>;

/// The linked tables of a report's counts as they are built: for each kind of count, an entry
/// per distinct cell and every sum between them.
struct Linked<'a> {
    families: &'a Families,
    kinds: BTreeMap<String, Kind>,
}

impl Linked<'_> {
    /// The entry of a count of kind `kind` restricted by `parts`.
    fn entry(&mut self, kind: &str, parts: Vec<(String, BTreeSet<String>)>, value: u64) -> Entry {
        let (name, extra) = canonical_kind(kind);
        let key = self.families.key(parts.into_iter().chain(extra))?;
        let k = self.kinds.entry(name.clone()).or_default();
        Some((name, k.entry(key, value)))
    }

    /// `total` is the sum of `parts`, all of one kind (cells no one can be in left out).
    fn sum(&mut self, total: Entry, parts: Vec<Entry>) {
        if let Some((name, t)) = total {
            let parts: Vec<usize> = parts.into_iter().flatten().map(|(_, i)| i).collect();
            if let Some(k) = self.kinds.get_mut(&name) {
                k.table.sum(t, parts);
            }
        }
    }

    /// The report's lines: everyone, each area and the smoking thread, each PLUS group; a
    /// line's people are the sum of its quintiles (unknown included).
    fn add_lines(&mut self, report: &CohortReport) {
        let lines = std::iter::once(("people".to_owned(), &report.total))
            .chain(report.areas.iter().map(|l| (format!("area:{}", l.id), l)))
            .chain(
                report
                    .plus_groups
                    .iter()
                    .map(|l| (format!("plus:{}", l.id), l)),
            );
        for (kind, l) in lines {
            let total = self.entry(&kind, Vec::new(), l.people);
            let parts = (0..6)
                .map(|q| self.entry(&kind, quintile(q), l.by_quintile[q]))
                .collect();
            self.sum(total, parts);
        }
    }

    /// An ambition: its quintiles and unknown add up to everyone; the rest (quintiles 2 to 5)
    /// is the people not in Core20 with deprivation known. Denominators, then numerators.
    fn add_ambition(&mut self, a: &AmbitionRow) {
        for side in ["denominator", "numerator"] {
            let pick = |e: &RateEstimate| {
                if side == "numerator" {
                    e.numerator
                } else {
                    e.denominator
                }
            };
            let kind = format!("metric:{}:{side}", a.metric);
            let total = self.entry(&kind, Vec::new(), pick(&a.overall));
            let mut parts: Vec<_> = (0..5)
                .map(|q| self.entry(&kind, quintile(q), pick(&a.by_quintile[q])))
                .collect();
            parts.push(self.entry(&kind, quintile(5), pick(&a.unknown_deprivation)));
            let rest_parts = vec![(
                "deprivation".to_owned(),
                (3..=10u8).map(|d| d.to_string()).collect(),
            )];
            let rest = self.entry(&kind, rest_parts, pick(&a.rest));
            self.sum(rest, parts[1..5].to_vec());
            self.sum(total, parts);
        }
    }

    /// A breakdown: its cells, and the sums that make its margins.
    fn add_breakdown(&mut self, b: &BreakdownReport) {
        let names = cell_kinds(b);
        let entries: Vec<Vec<Entry>> = b
            .cells
            .iter()
            .map(|c| {
                let parts = cell_parts(b, c);
                cell_counts(c)
                    .into_iter()
                    .zip(&names)
                    .map(|(v, n)| self.entry(n, parts.clone(), v))
                    .collect()
            })
            .collect();
        // Each cell's place by its key (the first, as a search would find it), looked up once
        // per cell and kind of count: a search through the cells made this quadratic.
        let mut positions: BTreeMap<Vec<&str>, usize> = BTreeMap::new();
        for (i, c) in b.cells.iter().enumerate() {
            positions
                .entry(c.key.iter().map(String::as_str).collect())
                .or_insert(i);
        }
        let find = |key: &[&str]| positions.get(key).copied();
        for (k, _) in names.iter().enumerate() {
            self.add_margins(b, &find, |i: Option<usize>| {
                i.and_then(|i| entries[i][k].clone())
            });
        }
    }

    /// The margins of breakdown `b` for one kind of count, whose entry for the cell at an index
    /// `at` gives: a one-way table's total is the sum of its cells; a two-way table's rows and
    /// columns are sums of their cells, and its total the sum of its rows and of its columns.
    /// `find` gives the index of the cell with a key.
    fn add_margins(
        &mut self,
        b: &BreakdownReport,
        find: &dyn Fn(&[&str]) -> Option<usize>,
        at: impl Fn(Option<usize>) -> Entry,
    ) {
        match b.dimensions.as_slice() {
            [a] => {
                let parts = a.cells.iter().map(|l| at(find(&[l]))).collect();
                self.sum(at(find(&["all"])), parts);
            }
            [a, d] => {
                for la in &a.cells {
                    let parts = d.cells.iter().map(|l| at(find(&[la, l]))).collect();
                    self.sum(at(find(&[la, "all"])), parts);
                }
                for lb in &d.cells {
                    let parts = a.cells.iter().map(|l| at(find(&[l, lb]))).collect();
                    self.sum(at(find(&["all", lb])), parts);
                }
                let rows = a.cells.iter().map(|l| at(find(&[l, "all"]))).collect();
                self.sum(at(find(&["all", "all"])), rows);
                let cols = d.cells.iter().map(|l| at(find(&["all", l]))).collect();
                self.sum(at(find(&["all", "all"])), cols);
            }
            _ => {}
        }
    }

    /// Every count as published under `rule`, once the sums across tables are added: a cell
    /// made of finer cells published elsewhere is their sum (a quintile its two deciles, a
    /// Place its local authorities, a broad ethnic group its categories).
    fn publish(
        mut self,
        rule: Rule,
        nest: fn(&mut Kind, &Families),
        protect: fn(&Table, Rule, &BTreeMap<usize, Reason>) -> Vec<Shown>,
    ) -> BTreeMap<(String, Key), Shown> {
        for kind in self.kinds.values_mut() {
            nest(kind, self.families);
        }
        let mut shown = BTreeMap::new();
        for (name, kind) in self.kinds {
            let published = protect(&kind.table, rule, &BTreeMap::new());
            for (key, i) in kind.index {
                shown.insert((name.clone(), key), published[i]);
            }
        }
        shown
    }
}

/// The restriction to quintile slot `q` (0..5; 5 is unknown).
fn quintile(q: usize) -> Vec<(String, BTreeSet<String>)> {
    vec![("deprivation".to_owned(), quintile_parts(q))]
}

/// The sums across tables of one kind: for each family, every entry whose restriction in it is
/// exactly covered, without overlap, by the largest finer entries otherwise the same (a quintile
/// by its deciles, Core20's "no" by quintiles 2 to 5, a Place by its local authorities, everyone
/// by the cells of any one-way table) is their sum. Sets of labels are bit sets over the
/// family's labels, so a Place of 300 local authorities costs a few words per comparison.
fn nest(kind: &mut Kind, families: &Families) {
    let mut sums: Vec<(usize, Vec<usize>)> = Vec::new();
    for (family, all) in &families.0 {
        let labels = Labels::of(family, all, kind.index.keys());
        let whole_family = labels.set(all.iter().map(String::as_str));
        // Entries grouped by their key without this family; each with its set in the family.
        let mut groups: Groups<'_> = BTreeMap::new();
        for (key, &i) in &kind.index {
            let rest: Vec<&(String, Vec<String>)> =
                key.iter().filter(|(f, _)| f != family).collect();
            let set = key.iter().find(|(f, _)| f == family).map_or_else(
                || whole_family.clone(),
                |(_, l)| labels.set(l.iter().map(String::as_str)),
            );
            groups.entry(rest).or_default().push((set, i));
        }
        for members in groups.values() {
            nest_group(members, &mut sums);
        }
    }
    for (whole, parts) in sums {
        kind.table.sum(whole, parts);
    }
}

/// Entries grouped by their restrictions in every family but one, each with its set of labels
/// in that one.
type Groups<'a> = BTreeMap<Vec<&'a (String, Vec<String>)>, Vec<(Bits, usize)>>;

/// The sums of one group of entries that differ in one family only (see [`nest`]), in the
/// order of the entries.
fn nest_group(members: &[(Bits, usize)], sums: &mut Vec<(usize, Vec<usize>)>) {
    for (set, whole) in members {
        let finer: Vec<&(Bits, usize)> = members
            .iter()
            .filter(|(s, _)| s.len < set.len && s.is_subset(set))
            .collect();
        let largest: Vec<&&(Bits, usize)> = finer
            .iter()
            .filter(|(s, _)| !finer.iter().any(|(t, _)| t.len > s.len && s.is_subset(t)))
            .collect();
        let covered: usize = largest.iter().map(|(s, _)| s.len).sum();
        let union = largest
            .iter()
            .fold(Bits::empty(set.words.len()), |mut u, (s, _)| {
                u.union_with(s);
                u
            });
        if !largest.is_empty() && covered == set.len && union.len == set.len {
            sums.push((*whole, largest.iter().map(|(_, i)| *i).collect()));
        }
    }
}

/// The labels of one family (every one it has, and any a key names), each with a bit.
struct Labels<'a>(BTreeMap<&'a str, usize>);

impl<'a> Labels<'a> {
    fn of(family: &str, all: &'a BTreeSet<String>, keys: impl Iterator<Item = &'a Key>) -> Self {
        let mut bits: BTreeMap<&'a str, usize> = BTreeMap::new();
        let named = keys
            .flat_map(|k| k.iter())
            .filter(|(f, _)| f == family)
            .flat_map(|(_, l)| l.iter());
        for label in all.iter().chain(named) {
            let next = bits.len();
            bits.entry(label.as_str()).or_insert(next);
        }
        Self(bits)
    }

    /// The bit set of some of the labels.
    fn set<'b>(&self, labels: impl Iterator<Item = &'b str>) -> Bits {
        let mut out = Bits::empty(self.0.len().div_ceil(64));
        for l in labels {
            if let Some(&b) = self.0.get(l) {
                out.insert(b);
            }
        }
        out
    }
}

/// A set of labels as bits, with its size.
#[derive(Clone)]
struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    fn empty(words: usize) -> Self {
        Self {
            words: vec![0; words],
            len: 0,
        }
    }

    fn insert(&mut self, b: usize) {
        let (w, m) = (b / 64, 1u64 << (b % 64));
        if self.words[w] & m == 0 {
            self.words[w] |= m;
            self.len += 1;
        }
    }

    fn is_subset(&self, of: &Self) -> bool {
        self.words.iter().zip(&of.words).all(|(a, b)| a & !b == 0)
    }

    fn union_with(&mut self, other: &Self) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
        self.len = self.words.iter().map(|w| w.count_ones() as usize).sum();
    }
}

#[cfg(test)]
mod tests;
