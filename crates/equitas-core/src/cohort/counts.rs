//! `CohortCounts`: exact, mergeable counts of people by cohort.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::breakdown::{self, BreakdownLabels, CellLayout, Contribution, Table};
use super::{
    Classifier, CompactRecord, MAX_BREAKDOWN_ENTRIES, MAX_BREAKDOWNS, Membership, Missing, Sex,
};

/// Counts of people by IMD quintile (Core20 is quintile 1; unknown kept apart) × broad ethnic
/// group × sex × age band × clinical area × PLUS group, plus each metric's numerator and
/// denominator by quintile and the number of people with each [`Missing`] reason.
///
/// The area and PLUS dimensions each have an `all` slot, so a person is counted once in
/// `(all, all)`, once in `(area, all)` for each of their areas, once in `(all, group)` for each
/// PLUS group and once in `(area, group)` for each pair: every marginal is exact. The smoking
/// cessation thread is the area slot after the clinical areas.
///
/// Counts are `u64` and [`CohortCounts::merge`] adds them cell by cell, so merging is exact,
/// associative and commutative: any split of the records counted in parts and merged gives the
/// same counts as counting them at once. Memory is fixed by the definition, not the row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortCounts {
    labels: Labels,
    /// Demographic cells: quintile × ethnic group × sex × age band.
    n_cells: usize,
    /// Strides cached from the labels for the hot path.
    n_ethnic: usize,
    n_bands: usize,
    n_areas: usize,
    n_plus: usize,
    cells: Vec<u64>,
    metric_num: Vec<u64>,
    metric_den: Vec<u64>,
    missing: [u64; Missing::ALL.len()],
    people: u64,
    /// One table per breakdown, in the order of the labels' breakdowns.
    breakdowns: Vec<Table>,
    /// People under each LSOA 2011-2021 bridge rule (empty when not bridging).
    bridge: Vec<u64>,
    /// Where things are among a breakdown cell's counts.
    layout: CellLayout,
}

/// What each index of each dimension means; two counts merge only when these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    definition: String,
    version: u32,
    #[serde(deserialize_with = "label_list")]
    ethnic: Vec<String>,
    #[serde(deserialize_with = "label_list")]
    bands: Vec<String>,
    #[serde(deserialize_with = "label_list")]
    areas: Vec<String>,
    #[serde(deserialize_with = "label_list")]
    plus: Vec<String>,
    #[serde(deserialize_with = "label_list")]
    metrics: Vec<String>,
    /// The breakdowns counted (none in counts made without any, which then save as before).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "breakdown_list"
    )]
    breakdowns: Vec<BreakdownLabels>,
    /// The LSOA 2011-2021 bridge rules counted (none when not bridging): their ids.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "label_list"
    )]
    bridge: Vec<String>,
}

const QUINTILES: usize = 6;
const SEXES: usize = 4;

/// Quintile slot `q` as the rows call it: `1`..`5`, or `unknown`.
fn quintile_label(q: usize) -> String {
    if q + 1 >= QUINTILES {
        "unknown".to_owned()
    } else {
        (q + 1).to_string()
    }
}

/// The most labels one dimension of a saved counts file may list (ethnic groups, age bands,
/// areas, PLUS groups or metrics). Counts come from a [`Classifier`], whose bitsets hold at most
/// 64 ethnic categories, metrics and events, 63 clinical areas (with `all` and the smoking
/// thread, 65 slots), [`MAX_PLUS_GROUPS`](super::MAX_PLUS_GROUPS) PLUS groups and [`MAX_AGE_BANDS`](super::MAX_AGE_BANDS) age bands (each with
/// one more slot), so a real file never has more; a file that does is refused before anything
/// is allocated for it. Changing it means changing those limits.
pub const MAX_LABELS: usize = 65;

/// The most cells (quintiles × ethnic groups × sexes × age bands × area slots × PLUS slots) a
/// saved counts file may describe: 4,194,304 (32 MiB of counts). The largest table the built-in
/// catalogue allows is 6 × 6 × 4 × 33 × 12 × 33 = 1,881,792 cells ([`MAX_AGE_BANDS`](super::MAX_AGE_BANDS) bands and
/// [`MAX_PLUS_GROUPS`](super::MAX_PLUS_GROUPS) PLUS groups), so every file equitas writes fits; the limit stops a file
/// whose labels describe a larger table from making equitas allocate it.
pub const MAX_COUNT_CELLS: usize = 1 << 22;

/// The largest saved counts file read, in bytes: 256 MiB. A file of [`MAX_COUNT_CELLS`] cells,
/// every one non-zero and as long as a count can be written, is about 130 MB, so every file
/// equitas writes fits; a larger one is refused before it is parsed.
pub const MAX_COUNTS_FILE_BYTES: usize = 256 << 20;

/// A list of labels, refused as soon as it has more than [`MAX_LABELS`] items.
fn label_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    at_most(d, MAX_LABELS, "labels in one dimension", "MAX_LABELS")
}

/// Breakdowns, refused as soon as there are more than [`MAX_BREAKDOWNS`].
fn breakdown_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<BreakdownLabels>, D::Error> {
    at_most(d, MAX_BREAKDOWNS, "breakdowns", "MAX_BREAKDOWNS")
}

/// Sparse breakdown counts, refused as soon as there are more than [`MAX_BREAKDOWN_ENTRIES`].
fn entry_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(usize, u64)>, D::Error> {
    at_most(
        d,
        MAX_BREAKDOWN_ENTRIES,
        "breakdown counts",
        "MAX_BREAKDOWN_ENTRIES",
    )
}

/// Sparse cells, refused as soon as there are more than [`MAX_COUNT_CELLS`].
fn cell_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(usize, u64)>, D::Error> {
    at_most(d, MAX_COUNT_CELLS, "cells", "MAX_COUNT_CELLS")
}

/// Sparse metric entries, refused as soon as there are more than a table of [`MAX_LABELS`]
/// metrics has.
fn metric_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(usize, u64)>, D::Error> {
    at_most(
        d,
        MAX_LABELS * QUINTILES,
        "metric entries",
        "MAX_LABELS × 6 quintile slots",
    )
}

/// The missing-reason counts, refused past a few more than there are reasons.
fn missing_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    at_most(d, MAX_LABELS, "missing counts", "MAX_LABELS")
}

/// A JSON list read item by item that stops with an error at item `limit + 1`, so a hostile
/// file cannot make the list grow past the limit.
pub(super) fn at_most<'de, D, T>(
    d: D,
    limit: usize,
    what: &'static str,
    name: &'static str,
) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T> {
        limit: usize,
        what: &'static str,
        name: &'static str,
        item: PhantomData<T>,
    }
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {} {}", self.limit, self.what)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                if out.len() == self.limit {
                    return Err(de::Error::custom(format_args!(
                        "more than {} {} (the limit, {}: no counts equitas writes have more)",
                        self.limit, self.what, self.name
                    )));
                }
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded {
        limit,
        what,
        name,
        item: PhantomData,
    })
}

/// Counts that cannot be added together. Either way nothing is added: the receiver is as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// Counts built for different definitions or catalogues.
    #[error(
        "cannot merge counts for {left} with counts for {right}: they were made with different definitions or catalogues"
    )]
    Different {
        /// Definition id and version of the receiver.
        left: String,
        /// Definition id and version of the argument.
        right: String,
    },
    /// A sum that does not fit a count (`u64`, at most 18446744073709551615): only a damaged or
    /// forged file can hold counts that large.
    #[error(
        "cannot merge counts: {cell} would be {left} + {right}, more than a count can hold (18446744073709551615)"
    )]
    Overflow {
        /// Which count, in words (`people`, `cell (area all, PLUS group all, …)`).
        cell: String,
        /// The receiver's count.
        left: u64,
        /// The argument's count.
        right: u64,
    },
}

/// One non-zero cell of [`CohortCounts`], with labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountRow {
    /// `yes`, `no` or `unknown`.
    pub core20: &'static str,
    /// `1`..`5` or `unknown`.
    pub imd_quintile: String,
    /// Broad ethnic group id.
    pub ethnic_group: String,
    /// Sex id.
    pub sex: &'static str,
    /// Age band label (`0-4`, `85+`, `unknown`).
    pub age_band: String,
    /// `all`, a clinical area id, or `smoking_cessation`.
    pub area: String,
    /// `all` or a PLUS group id.
    pub plus_group: String,
    /// Number of people.
    pub people: u64,
}

impl CohortCounts {
    /// Empty counts shaped for `classifier`'s definition and catalogue.
    #[must_use]
    pub fn new(classifier: &Classifier<'_>) -> Self {
        let def = classifier.definition();
        let cat = classifier.catalogue();
        let mut bands: Vec<String> = (0..def.age_bands.len())
            .map(|i| def.age_band_label(i))
            .collect();
        bands.push("unknown".to_owned());
        let mut areas = vec!["all".to_owned()];
        areas.extend(classifier.areas().iter().cloned());
        // The smoking cessation thread (current smokers) follows the clinical areas.
        areas.push("smoking_cessation".to_owned());
        let mut plus = vec!["all".to_owned()];
        plus.extend(classifier.plus_groups().map(str::to_owned));
        let labels = Labels {
            definition: def.id.clone(),
            version: def.version,
            ethnic: cat
                .ethnicity
                .broad_groups
                .iter()
                .map(|b| b.id.clone())
                .collect(),
            bands,
            areas,
            plus,
            metrics: classifier.metrics().iter().map(|m| m.id.clone()).collect(),
            breakdowns: classifier.breakdown_labels(),
            bridge: if classifier.bridged_from().is_some() {
                super::BridgeRule::ALL
                    .iter()
                    .map(|r| r.id().to_owned())
                    .collect()
            } else {
                Vec::new()
            },
        };
        let n_cells = QUINTILES * labels.ethnic.len() * SEXES * labels.bands.len();
        let n = n_cells * labels.areas.len() * labels.plus.len();
        let m = labels.metrics.len() * QUINTILES;
        let layout = layout(&labels);
        // The classifier checked the breakdowns against these very labels and limits.
        let breakdowns = breakdown::kinds(&labels.breakdowns, &labels.plus)
            .unwrap_or_default()
            .into_iter()
            .map(|dims| Table::new(dims, layout.stride))
            .collect();
        Self {
            n_cells,
            n_ethnic: labels.ethnic.len(),
            n_bands: labels.bands.len(),
            n_areas: labels.areas.len(),
            n_plus: labels.plus.len(),
            cells: vec![0; n],
            metric_num: vec![0; m],
            metric_den: vec![0; m],
            missing: [0; Missing::ALL.len()],
            people: 0,
            breakdowns,
            bridge: vec![0; labels.bridge.len()],
            layout,
            labels,
        }
    }

    /// Add one classified person. `metric_bits` comes from [`Classifier::metric_bits`].
    #[inline]
    pub fn add(&mut self, m: &Membership, metric_bits: (u64, u64)) {
        let q = m
            .imd_quintile
            .map_or(QUINTILES - 1, |q| usize::from(q.get()) - 1);
        let b = m.age_band.map_or(self.n_bands - 1, usize::from);
        let cell = ((q * self.n_ethnic + usize::from(m.ethnic_group)) * SEXES + m.sex.index())
            * self.n_bands
            + b;
        // Layout is [area][plus][cell], so the (all, all) block that every person hits is small
        // and stays in cache. Area slots: 0 = all, 1..=A clinical areas, A+1 = smoking thread.
        let mut areas = (m.areas().0 << 1) | 1;
        if m.smoking_thread {
            areas |= 1 << (self.n_areas - 1);
        }
        let plus = (m.plus_groups.0 << 1) | 1;
        if areas == 1 && plus == 1 {
            // Most people are in no area and no PLUS group: one increment.
            self.cells[cell] += 1;
        } else {
            self.add_pairs(areas, plus, cell);
        }
        let (mut den, num) = metric_bits;
        while den != 0 {
            let i = den.trailing_zeros() as usize;
            den &= den - 1;
            self.metric_den[i * QUINTILES + q] += 1;
            if num & (1 << i) != 0 {
                self.metric_num[i * QUINTILES + q] += 1;
            }
        }
        let mut missing = m.missing_bits();
        while missing != 0 {
            let i = missing.trailing_zeros() as usize;
            missing &= missing - 1;
            self.missing[i] += 1;
        }
        self.people += 1;
        if let Some(slot) = self.bridge.get_mut(usize::from(m.bridge)) {
            *slot += 1;
        }
        if !self.breakdowns.is_empty() {
            self.add_breakdowns(m, metric_bits);
        }
    }

    /// Add one person to every breakdown: what they contribute is worked out once.
    fn add_breakdowns(&mut self, m: &Membership, (den, num): (u64, u64)) {
        // Clinical areas, then the smoking thread after them.
        let n_clinical = self.n_areas - 2;
        let c = Contribution {
            core20: u64::from(m.core20 == Some(true)),
            known: u64::from(m.core20.is_some()),
            areas: m.areas().0 | (u64::from(m.smoking_thread) << n_clinical),
            plus: m.plus_groups.0,
            den,
            num,
        };
        for t in &mut self.breakdowns {
            t.add(m, &c, self.layout);
        }
    }

    /// Increment every (area, PLUS) pair of a person who is in more than the alls.
    fn add_pairs(&mut self, areas: u64, plus: u64, cell: usize) {
        let (n_plus, n_cells) = (self.n_plus, self.n_cells);
        let mut a_bits = areas;
        while a_bits != 0 {
            let a = a_bits.trailing_zeros() as usize;
            a_bits &= a_bits - 1;
            let mut p_bits = plus;
            while p_bits != 0 {
                let p = p_bits.trailing_zeros() as usize;
                p_bits &= p_bits - 1;
                self.cells[(a * n_plus + p) * n_cells + cell] += 1;
            }
        }
    }

    /// Classify a compact record and count it.
    #[inline]
    pub fn count(&mut self, classifier: &Classifier<'_>, r: &CompactRecord) {
        let m = classifier.classify_compact(r);
        self.add(&m, classifier.metric_bits(r, &m));
    }

    /// Add `other` into `self`, cell by cell. Every sum is checked first, so on an error nothing
    /// has been added.
    ///
    /// ```
    /// use equitas_core::cohort::{Classifier, CohortCounts, CohortDefinition, PersonRecord};
    ///
    /// let classifier = Classifier::new(CohortDefinition::national(), None)?;
    /// let count = |ages: &[u8]| -> Result<CohortCounts, Box<dyn std::error::Error>> {
    ///     let mut counts = CohortCounts::new(&classifier);
    ///     for &age in ages {
    ///         let mut p = PersonRecord::new("p");
    ///         p.age = Some(age);
    ///         counts.count(&classifier, &classifier.compact(&p)?);
    ///     }
    ///     Ok(counts)
    /// };
    /// // Counted in two parts (two files, two machines) and merged: the same as counted at once.
    /// let mut part = count(&[5, 40])?;
    /// part.merge(&count(&[67, 90])?)?;
    /// assert_eq!(part, count(&[5, 40, 67, 90])?);
    /// // Saved and read back, nothing changes.
    /// assert_eq!(CohortCounts::from_json(&part.to_json()?)?, part);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The two were made for different definitions or catalogues ([`MergeError::Different`]), or
    /// a sum does not fit a `u64` ([`MergeError::Overflow`], naming the first such count).
    pub fn merge(&mut self, other: &Self) -> Result<(), MergeError> {
        if self.labels != other.labels {
            return Err(MergeError::Different {
                left: format!("{} v{}", self.labels.definition, self.labels.version),
                right: format!("{} v{}", other.labels.definition, other.labels.version),
            });
        }
        self.check_sums(other)?;
        let add = |a: &mut [u64], b: &[u64]| {
            for (a, b) in a.iter_mut().zip(b) {
                *a = a.saturating_add(*b);
            }
        };
        add(&mut self.cells, &other.cells);
        add(&mut self.metric_num, &other.metric_num);
        add(&mut self.metric_den, &other.metric_den);
        add(&mut self.missing, &other.missing);
        for (a, b) in self.breakdowns.iter_mut().zip(&other.breakdowns) {
            add(&mut a.data, &b.data);
        }
        add(&mut self.bridge, &other.bridge);
        self.people = self.people.saturating_add(other.people);
        Ok(())
    }

    /// The first count whose sum with `other`'s would not fit, as a [`MergeError::Overflow`].
    /// (With every sum checked here, the additions in [`Self::merge`] cannot saturate.)
    fn check_sums(&self, other: &Self) -> Result<(), MergeError> {
        let first = |a: &[u64], b: &[u64]| {
            a.iter()
                .zip(b)
                .position(|(x, y)| x.checked_add(*y).is_none())
        };
        let overflow =
            |cell: String, left: u64, right: u64| MergeError::Overflow { cell, left, right };
        if self.people.checked_add(other.people).is_none() {
            return Err(overflow("people".into(), self.people, other.people));
        }
        if let Some(i) = first(&self.cells, &other.cells) {
            return Err(overflow(self.cell_name(i), self.cells[i], other.cells[i]));
        }
        for (name, a, b) in [
            ("numerator", &self.metric_num, &other.metric_num),
            ("denominator", &self.metric_den, &other.metric_den),
        ] {
            if let Some(i) = first(a, b) {
                return Err(overflow(self.metric_name(i, name), a[i], b[i]));
            }
        }
        if let Some(i) = first(&self.missing, &other.missing) {
            let reason = Missing::ALL.get(i).map_or("?", |m| m.id());
            return Err(overflow(
                format!("people missing {reason}"),
                self.missing[i],
                other.missing[i],
            ));
        }
        if let Some(i) = first(&self.bridge, &other.bridge) {
            let rule = self.labels.bridge.get(i).map_or("?", String::as_str);
            return Err(overflow(
                format!("people bridged by rule {rule}"),
                self.bridge[i],
                other.bridge[i],
            ));
        }
        for (k, (a, b)) in self.breakdowns.iter().zip(&other.breakdowns).enumerate() {
            if let Some(i) = first(&a.data, &b.data) {
                let id = self.labels.breakdowns.get(k).map_or("?", |l| l.id.as_str());
                return Err(overflow(
                    format!("breakdown {id} count {i}"),
                    a.data[i],
                    b.data[i],
                ));
            }
        }
        Ok(())
    }

    /// Cell `i` in words: `cell (area all, PLUS group all, IMD quintile 1, ethnic group white,
    /// sex female, age band 40-44)`.
    fn cell_name(&self, i: usize) -> String {
        let l = &self.labels;
        let (cell, ap) = (i % self.n_cells, i / self.n_cells);
        let (a, p) = (ap / self.n_plus, ap % self.n_plus);
        let b = cell % self.n_bands;
        let s = (cell / self.n_bands) % SEXES;
        let e = (cell / (self.n_bands * SEXES)) % self.n_ethnic;
        let q = cell / (self.n_bands * SEXES * self.n_ethnic);
        let label = |v: &[String], k: usize| v.get(k).cloned().unwrap_or_default();
        format!(
            "cell {i} (area {}, PLUS group {}, IMD quintile {}, ethnic group {}, sex {}, age band {})",
            label(&l.areas, a),
            label(&l.plus, p),
            quintile_label(q),
            label(&l.ethnic, e),
            Sex::ALL.get(s).map_or("?", |s| s.id()),
            label(&l.bands, b)
        )
    }

    /// Entry `i` of a metric table in words: `metric smi_health_check numerator, IMD quintile 3`.
    fn metric_name(&self, i: usize, which: &str) -> String {
        let metric = self
            .labels
            .metrics
            .get(i / QUINTILES)
            .map_or("?", String::as_str);
        format!(
            "metric {metric} {which}, IMD quintile {}",
            quintile_label(i % QUINTILES)
        )
    }

    /// People counted.
    #[must_use]
    pub fn people(&self) -> u64 {
        self.people
    }

    /// People with a missing reason.
    #[must_use]
    pub fn missing(&self, reason: Missing) -> u64 {
        Missing::ALL
            .iter()
            .position(|r| *r == reason)
            .map_or(0, |i| self.missing[i])
    }

    /// Metric ids, in the order used by [`Self::metric`].
    #[must_use]
    pub fn metric_ids(&self) -> &[String] {
        &self.labels.metrics
    }

    /// Numerator and denominator of metric `i` for quintile index `q` (0..5 = quintiles 1..5,
    /// 5 = unknown).
    #[must_use]
    pub fn metric(&self, i: usize, q: usize) -> (u64, u64) {
        let k = i * QUINTILES + q;
        (
            self.metric_num.get(k).copied().unwrap_or(0),
            self.metric_den.get(k).copied().unwrap_or(0),
        )
    }

    /// People in Core20 (quintile 1), with no area/PLUS filter.
    #[must_use]
    pub fn core20_people(&self) -> u64 {
        self.by_quintile(0, 0)[0]
    }

    /// The people in each (area, PLUS group) pair, summed over the demographic cells.
    /// Index `[a][p]` with slot 0 = all, as in [`Self::area_labels`] and [`Self::plus_labels`].
    #[must_use]
    pub fn area_by_plus(&self) -> Vec<Vec<u64>> {
        let np = self.labels.plus.len();
        self.cells
            .chunks_exact(self.n_cells * np)
            .map(|area| {
                area.chunks_exact(self.n_cells)
                    .map(|block| block.iter().sum())
                    .collect()
            })
            .collect()
    }

    /// People per IMD quintile slot (0..5 = quintiles 1..5, 5 = unknown) for area slot `a` and
    /// PLUS slot `p`.
    #[must_use]
    pub fn by_quintile(&self, a: usize, p: usize) -> [u64; QUINTILES] {
        let np = self.labels.plus.len();
        let start = (a * np + p) * self.n_cells;
        let block = &self.cells[start..start + self.n_cells];
        let per_q = self.n_cells / QUINTILES;
        let mut out = [0; QUINTILES];
        for (q, slot) in out.iter_mut().enumerate() {
            *slot = block[q * per_q..(q + 1) * per_q].iter().sum();
        }
        out
    }

    /// Area slot labels (`all`, area ids, `smoking_cessation`).
    #[must_use]
    pub fn area_labels(&self) -> &[String] {
        &self.labels.areas
    }

    /// PLUS slot labels (`all`, group ids).
    #[must_use]
    pub fn plus_labels(&self) -> &[String] {
        &self.labels.plus
    }

    /// Every non-zero cell with labels, in index order.
    pub fn rows(&self) -> impl Iterator<Item = CountRow> + '_ {
        let l = &self.labels;
        let (ne, nb, na, np) = (l.ethnic.len(), l.bands.len(), l.areas.len(), l.plus.len());
        let n_cells = self.n_cells;
        // Visit in demographic order, then area, then PLUS group.
        (0..n_cells)
            .flat_map(move |cell| (0..na * np).map(move |ap| (cell, ap)))
            .filter_map(move |(cell, ap)| {
                let people = self.cells[ap * n_cells + cell];
                if people == 0 {
                    return None;
                }
                let (a, p) = (ap / np, ap % np);
                let b = cell % nb;
                let s = (cell / nb) % SEXES;
                let e = (cell / (nb * SEXES)) % ne;
                let q = cell / (nb * SEXES * ne);
                Some(CountRow {
                    core20: match q {
                        0 => "yes",
                        5 => "unknown",
                        _ => "no",
                    },
                    imd_quintile: quintile_label(q),
                    ethnic_group: l.ethnic[e].clone(),
                    sex: Sex::ALL[s].id(),
                    age_band: l.bands[b].clone(),
                    area: l.areas[a].clone(),
                    plus_group: l.plus[p].clone(),
                    people,
                })
            })
    }

    /// Bytes held (fixed by the definition and the breakdowns).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        let tables: usize = self.breakdowns.iter().map(|t| t.data.len()).sum();
        (self.cells.len() + self.metric_num.len() + self.metric_den.len() + tables) * 8
    }

    /// People under each LSOA 2011-2021 bridge rule, by rule id (empty when not bridging).
    pub fn bridged(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.labels
            .bridge
            .iter()
            .map(String::as_str)
            .zip(self.bridge.iter().copied())
    }

    /// Each breakdown's labels, table and the counts per cell.
    pub(super) fn breakdown_tables(&self) -> impl Iterator<Item = (&BreakdownLabels, &Table)> + '_ {
        self.labels.breakdowns.iter().zip(&self.breakdowns)
    }

    /// Where things are among a breakdown cell's counts.
    pub(super) fn breakdown_layout(&self) -> CellLayout {
        self.layout
    }
}

/// Where the PLUS and metric counts start in a breakdown's cell, and how many counts a cell has.
fn layout(l: &Labels) -> CellLayout {
    // Area labels are `all`, the clinical areas and the smoking thread; PLUS labels `all` and
    // the groups.
    let plus_at = breakdown::COHORTS + l.areas.len().saturating_sub(1);
    let metrics_at = plus_at + l.plus.len().saturating_sub(1);
    CellLayout {
        plus_at,
        metrics_at,
        stride: metrics_at + 2 * l.metrics.len(),
    }
}

/// The identifier of a saved counts file.
pub const COUNTS_FORMAT: &str = "equitas-cohort-counts";
/// The newest version of the saved counts format this build reads and writes: 2, counts kept
/// apart by period ([`super::period::PeriodCounts`]). Counts without periods are still written
/// as version 1 ([`COUNTS_VERSION_WITHOUT_PERIODS`]), and a version 1 file reads as one unnamed
/// period.
pub const COUNTS_VERSION: u32 = 2;

/// The version of a saved counts file of one set of counts, without periods: 1. Each period of
/// a version 2 file is one of these.
pub const COUNTS_VERSION_WITHOUT_PERIODS: u32 = 1;

/// A saved counts file: sparse, labelled, versioned JSON, so counts made on different machines
/// can be merged later.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CountsFile {
    format: String,
    version: u32,
    labels: Labels,
    people: u64,
    #[serde(deserialize_with = "missing_list")]
    missing: Vec<u64>,
    /// (index, count) for every non-zero cell.
    #[serde(deserialize_with = "cell_list")]
    cells: Vec<(usize, u64)>,
    #[serde(deserialize_with = "metric_list")]
    metric_num: Vec<(usize, u64)>,
    #[serde(deserialize_with = "metric_list")]
    metric_den: Vec<(usize, u64)>,
    /// People under each bridge rule (absent when not bridging).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "missing_list"
    )]
    bridge: Vec<u64>,
    /// Each breakdown's non-zero counts (absent when there are no breakdowns).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "sparse_tables"
    )]
    breakdowns: Vec<SparseTable>,
}

/// One breakdown's non-zero counts: (index, count).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SparseTable {
    #[serde(deserialize_with = "entry_list")]
    entries: Vec<(usize, u64)>,
}

/// Breakdown tables, refused as soon as there are more than [`MAX_BREAKDOWNS`].
fn sparse_tables<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SparseTable>, D::Error> {
    at_most(d, MAX_BREAKDOWNS, "breakdown tables", "MAX_BREAKDOWNS")
}

/// The two fields read before the rest, to refuse another format or a newer version before
/// reading a shape this build may not know. Other fields are skipped unread.
#[derive(Deserialize)]
pub(super) struct Probe {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

impl Probe {
    /// Read the format and version of a saved counts file of at most [`MAX_COUNTS_FILE_BYTES`]:
    /// the version, when the format is right and the version not newer than this build's.
    pub(super) fn version_of(text: &str) -> Result<Option<u64>, CountsFileError> {
        if text.len() > MAX_COUNTS_FILE_BYTES {
            return Err(CountsFileError::TooLarge(format!(
                "{} bytes; at most {MAX_COUNTS_FILE_BYTES} are read (MAX_COUNTS_FILE_BYTES: \
                 every file equitas writes is smaller)",
                text.len()
            )));
        }
        let probe: Self =
            serde_json::from_str(text).map_err(|e| CountsFileError::Malformed(e.to_string()))?;
        match probe.format.as_ref().map(|f| f.as_str()) {
            Some(Some(COUNTS_FORMAT)) => {}
            Some(Some(other)) => return Err(CountsFileError::WrongFormat(other.to_owned())),
            Some(None) => return Err(CountsFileError::WrongFormat("not text".to_owned())),
            None => return Err(CountsFileError::WrongFormat("missing".to_owned())),
        }
        let v = probe.version.as_ref().and_then(serde_json::Value::as_u64);
        if let Some(v) = v
            && v > u64::from(COUNTS_VERSION)
        {
            return Err(CountsFileError::TooNew(
                u32::try_from(v).unwrap_or(u32::MAX),
            ));
        }
        Ok(v)
    }
}

/// A saved counts file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CountsFileError {
    /// Not JSON of the right shape; serde's message has the line and column.
    #[error("not a saved counts file: {0}")]
    Malformed(String),
    /// Another kind of file.
    #[error("not a saved counts file: format is {0:?}, expected {COUNTS_FORMAT:?}")]
    WrongFormat(String),
    /// Written by a newer equitas.
    #[error(
        "saved counts file version {0} is newer than this equitas reads ({COUNTS_VERSION}); upgrade equitas"
    )]
    TooNew(u32),
    /// A file of counts by period (version 2) read as one set of counts.
    #[error(
        "saved counts file has counts by period (version {COUNTS_VERSION}); read it as counts by period (PeriodCounts::from_json; equitas merge does)"
    )]
    ByPeriod,
    /// An index or length that does not fit the labels.
    #[error("saved counts file is inconsistent: {0}")]
    Inconsistent(String),
    /// Larger than any file equitas writes ([`MAX_COUNTS_FILE_BYTES`], [`MAX_COUNT_CELLS`]).
    #[error("saved counts file is too large: {0}")]
    TooLarge(String),
}

fn sparse(v: &[u64]) -> Vec<(usize, u64)> {
    v.iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| (i, *c))
        .collect()
}

/// The breakdown tables of a saved file: their layout and counts, checked against the labels
/// (one table per breakdown, dimensions the labels can describe, at most
/// [`MAX_BREAKDOWN_ENTRIES`] counts in all) before anything is allocated for them.
fn read_breakdowns(
    l: &Labels,
    tables: &[SparseTable],
) -> Result<(CellLayout, Vec<Table>), CountsFileError> {
    let layout = layout(l);
    if tables.len() != l.breakdowns.len() {
        return Err(CountsFileError::Inconsistent(format!(
            "{} breakdowns are labelled but {} tables given",
            l.breakdowns.len(),
            tables.len()
        )));
    }
    let kinds = breakdown::kinds(&l.breakdowns, &l.plus).map_err(CountsFileError::Inconsistent)?;
    let entries = kinds.iter().try_fold(0usize, |sum, dims| {
        dims.iter()
            .try_fold(layout.stride, |n, (_, cells)| n.checked_mul(*cells))
            .and_then(|n| sum.checked_add(n))
    });
    if entries.is_none_or(|n| n > MAX_BREAKDOWN_ENTRIES) {
        return Err(CountsFileError::TooLarge(format!(
            "its breakdowns describe more than the {MAX_BREAKDOWN_ENTRIES} counts they may hold \
             (MAX_BREAKDOWN_ENTRIES: every file equitas writes has fewer)"
        )));
    }
    let mut out = Vec::with_capacity(kinds.len());
    for ((dims, sparse), b) in kinds.into_iter().zip(tables).zip(&l.breakdowns) {
        let mut t = Table::new(dims, layout.stride);
        t.data = dense(
            &format!("breakdown {}", b.id),
            &sparse.entries,
            t.data.len(),
        )?;
        out.push(t);
    }
    Ok((layout, out))
}

/// The dense table of `len` counts from (index, count) pairs. `len` is at most
/// [`MAX_COUNT_CELLS`] (checked by the caller). Each index may be listed once.
fn dense(name: &str, pairs: &[(usize, u64)], len: usize) -> Result<Vec<u64>, CountsFileError> {
    let mut out = vec![0; len];
    let mut seen = vec![false; len];
    for &(i, c) in pairs {
        let (Some(slot), Some(listed)) = (out.get_mut(i), seen.get_mut(i)) else {
            return Err(CountsFileError::Inconsistent(format!(
                "{name} index {i} is past the end ({len})"
            )));
        };
        if std::mem::replace(listed, true) {
            return Err(CountsFileError::Inconsistent(format!(
                "{name} index {i} is listed twice"
            )));
        }
        *slot = c;
    }
    Ok(out)
}

impl CohortCounts {
    /// The counts as a saved counts file (sparse JSON).
    ///
    /// # Errors
    /// Only if serialisation itself fails (it does not for these plain types).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.to_file())
    }

    /// The counts as the saved file's object.
    pub(super) fn to_file(&self) -> CountsFile {
        CountsFile {
            format: COUNTS_FORMAT.to_owned(),
            version: COUNTS_VERSION_WITHOUT_PERIODS,
            labels: self.labels.clone(),
            people: self.people,
            missing: self.missing.to_vec(),
            cells: sparse(&self.cells),
            metric_num: sparse(&self.metric_num),
            metric_den: sparse(&self.metric_den),
            bridge: self.bridge.clone(),
            breakdowns: self
                .breakdowns
                .iter()
                .map(|t| SparseTable {
                    entries: sparse(&t.data),
                })
                .collect(),
        }
    }

    /// Read a saved counts file. Nothing is half-loaded: any problem refuses the whole file.
    /// Nothing is allocated from a size the file states before it is checked against
    /// [`MAX_LABELS`] and [`MAX_COUNT_CELLS`], and text longer than [`MAX_COUNTS_FILE_BYTES`] is
    /// refused unread.
    ///
    /// # Errors
    /// Malformed JSON, another format, a newer version, a file or table larger than the limits
    /// ([`CountsFileError::TooLarge`]), or indices and totals that do not fit the labels.
    pub fn from_json(text: &str) -> Result<Self, CountsFileError> {
        if Probe::version_of(text)? == Some(u64::from(COUNTS_VERSION)) {
            return Err(CountsFileError::ByPeriod);
        }
        let f: CountsFile =
            serde_json::from_str(text).map_err(|e| CountsFileError::Malformed(e.to_string()))?;
        Self::from_file(f)
    }

    /// The counts of a saved file's object, checked (see [`CohortCounts::from_json`]).
    pub(super) fn from_file(f: CountsFile) -> Result<Self, CountsFileError> {
        if f.version > COUNTS_VERSION_WITHOUT_PERIODS {
            return Err(CountsFileError::Inconsistent(format!(
                "a set of counts has version {}, expected {COUNTS_VERSION_WITHOUT_PERIODS}",
                f.version
            )));
        }
        let l = &f.labels;
        if l.ethnic.is_empty() || l.bands.is_empty() || l.areas.len() < 2 || l.plus.is_empty() {
            return Err(CountsFileError::Inconsistent(
                "a dimension has no labels".into(),
            ));
        }
        let n_cells = [l.ethnic.len(), SEXES, l.bands.len()]
            .into_iter()
            .try_fold(QUINTILES, usize::checked_mul);
        let n = [l.areas.len(), l.plus.len()]
            .into_iter()
            .try_fold(n_cells.unwrap_or(usize::MAX), usize::checked_mul)
            .filter(|n| *n <= MAX_COUNT_CELLS);
        let (Some(n_cells), Some(n)) = (n_cells, n) else {
            return Err(CountsFileError::TooLarge(format!(
                "its labels describe a table of 6 quintiles × {} ethnic groups × 4 sexes × {} age \
                 bands × {} area slots × {} PLUS slots, more than the {MAX_COUNT_CELLS} cells \
                 counts can have (MAX_COUNT_CELLS: every file equitas writes has fewer)",
                l.ethnic.len(),
                l.bands.len(),
                l.areas.len(),
                l.plus.len()
            )));
        };
        let m = l.metrics.len() * QUINTILES;
        let missing: [u64; Missing::ALL.len()] = f.missing.as_slice().try_into().map_err(|_| {
            CountsFileError::Inconsistent(format!(
                "missing has {} entries, expected {}",
                f.missing.len(),
                Missing::ALL.len()
            ))
        })?;
        let (layout, breakdowns) = read_breakdowns(l, &f.breakdowns)?;
        let counts = Self {
            n_cells,
            n_ethnic: l.ethnic.len(),
            n_bands: l.bands.len(),
            n_areas: l.areas.len(),
            n_plus: l.plus.len(),
            cells: dense("cells", &f.cells, n)?,
            metric_num: dense("metric_num", &f.metric_num, m)?,
            metric_den: dense("metric_den", &f.metric_den, m)?,
            missing,
            people: f.people,
            breakdowns,
            bridge: f.bridge,
            layout,
            labels: f.labels,
        };
        if counts.bridge.len() != counts.labels.bridge.len() {
            return Err(CountsFileError::Inconsistent(format!(
                "{} bridge rules are labelled but {} counted",
                counts.labels.bridge.len(),
                counts.bridge.len()
            )));
        }
        let all = counts.cells[..n_cells]
            .iter()
            .try_fold(0u64, |sum, c| sum.checked_add(*c));
        if all != Some(counts.people) {
            return Err(CountsFileError::Inconsistent(match all {
                Some(all) => format!(
                    "people is {} but the (all, all) cells add up to {all}",
                    counts.people
                ),
                None => format!(
                    "people is {} but the (all, all) cells add up to more than a count can hold \
                     (18446744073709551615)",
                    counts.people
                ),
            }));
        }
        for (b, t) in counts.labels.breakdowns.iter().zip(&counts.breakdowns) {
            let people = t
                .data
                .chunks_exact(layout.stride)
                .try_fold(0u64, |sum, cell| sum.checked_add(cell[breakdown::PEOPLE]));
            if people != Some(counts.people) {
                return Err(CountsFileError::Inconsistent(format!(
                    "people is {} but the cells of breakdown {} add up to {}",
                    counts.people,
                    b.id,
                    people.map_or_else(
                        || "more than a count can hold".to_owned(),
                        |p| p.to_string()
                    )
                )));
            }
        }
        Ok(counts)
    }

    /// The definition id and version the counts were made with.
    #[must_use]
    pub fn definition(&self) -> (&str, u32) {
        (&self.labels.definition, self.labels.version)
    }
}
