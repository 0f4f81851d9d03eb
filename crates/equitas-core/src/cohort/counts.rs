//! `CohortCounts`: exact, mergeable counts of people by cohort.

use serde::{Deserialize, Serialize};

use super::{Classifier, CompactRecord, Membership, Missing, Sex};

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
}

/// What each index of each dimension means; two counts merge only when these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    definition: String,
    version: u32,
    ethnic: Vec<String>,
    bands: Vec<String>,
    areas: Vec<String>,
    plus: Vec<String>,
    metrics: Vec<String>,
}

const QUINTILES: usize = 6;
const SEXES: usize = 4;

/// Counts built for different definitions or catalogues.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot merge counts for {left} with counts for {right}: they were made with different definitions or catalogues"
)]
pub struct MergeError {
    /// Definition id and version of the receiver.
    pub left: String,
    /// Definition id and version of the argument.
    pub right: String,
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
            metrics: cat.metrics().map(|(_, m)| m.id.clone()).collect(),
        };
        let n_cells = QUINTILES * labels.ethnic.len() * SEXES * labels.bands.len();
        let n = n_cells * labels.areas.len() * labels.plus.len();
        let m = labels.metrics.len() * QUINTILES;
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

    /// Add `other` into `self`, cell by cell.
    ///
    /// # Errors
    /// The two were made for different definitions or catalogues.
    pub fn merge(&mut self, other: &Self) -> Result<(), MergeError> {
        if self.labels != other.labels {
            return Err(MergeError {
                left: format!("{} v{}", self.labels.definition, self.labels.version),
                right: format!("{} v{}", other.labels.definition, other.labels.version),
            });
        }
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            *a += b;
        }
        for (a, b) in self.metric_num.iter_mut().zip(&other.metric_num) {
            *a += b;
        }
        for (a, b) in self.metric_den.iter_mut().zip(&other.metric_den) {
            *a += b;
        }
        for (a, b) in self.missing.iter_mut().zip(&other.missing) {
            *a += b;
        }
        self.people += other.people;
        Ok(())
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
                    imd_quintile: if q == 5 {
                        "unknown".to_owned()
                    } else {
                        (q + 1).to_string()
                    },
                    ethnic_group: l.ethnic[e].clone(),
                    sex: Sex::ALL[s].id(),
                    age_band: l.bands[b].clone(),
                    area: l.areas[a].clone(),
                    plus_group: l.plus[p].clone(),
                    people,
                })
            })
    }

    /// Bytes held (fixed by the definition).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        (self.cells.len() + self.metric_num.len() + self.metric_den.len()) * 8
    }
}

/// The identifier of a saved counts file.
pub const COUNTS_FORMAT: &str = "equitas-cohort-counts";
/// The version of the saved counts format this build writes and reads.
pub const COUNTS_VERSION: u32 = 1;

/// A saved counts file: sparse, labelled, versioned JSON, so counts made on different machines
/// can be merged later.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountsFile {
    format: String,
    version: u32,
    labels: Labels,
    people: u64,
    missing: Vec<u64>,
    /// (index, count) for every non-zero cell.
    cells: Vec<(usize, u64)>,
    metric_num: Vec<(usize, u64)>,
    metric_den: Vec<(usize, u64)>,
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
    /// An index or length that does not fit the labels.
    #[error("saved counts file is inconsistent: {0}")]
    Inconsistent(String),
}

fn sparse(v: &[u64]) -> Vec<(usize, u64)> {
    v.iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| (i, *c))
        .collect()
}

fn dense(name: &str, pairs: &[(usize, u64)], len: usize) -> Result<Vec<u64>, CountsFileError> {
    let mut out = vec![0; len];
    for &(i, c) in pairs {
        let slot = out.get_mut(i).ok_or_else(|| {
            CountsFileError::Inconsistent(format!("{name} index {i} is past the end ({len})"))
        })?;
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
        let file = CountsFile {
            format: COUNTS_FORMAT.to_owned(),
            version: COUNTS_VERSION,
            labels: self.labels.clone(),
            people: self.people,
            missing: self.missing.to_vec(),
            cells: sparse(&self.cells),
            metric_num: sparse(&self.metric_num),
            metric_den: sparse(&self.metric_den),
        };
        serde_json::to_string(&file)
    }

    /// Read a saved counts file. Nothing is half-loaded: any problem refuses the whole file.
    ///
    /// # Errors
    /// Malformed JSON, another format, a newer version, or indices that do not fit the labels.
    pub fn from_json(text: &str) -> Result<Self, CountsFileError> {
        let probe: serde_json::Value =
            serde_json::from_str(text).map_err(|e| CountsFileError::Malformed(e.to_string()))?;
        match probe.get("format").and_then(|f| f.as_str()) {
            Some(COUNTS_FORMAT) => {}
            other => {
                return Err(CountsFileError::WrongFormat(
                    other.unwrap_or("missing").to_owned(),
                ));
            }
        }
        if let Some(v) = probe.get("version").and_then(serde_json::Value::as_u64)
            && v > u64::from(COUNTS_VERSION)
        {
            return Err(CountsFileError::TooNew(
                u32::try_from(v).unwrap_or(u32::MAX),
            ));
        }
        let f: CountsFile =
            serde_json::from_value(probe).map_err(|e| CountsFileError::Malformed(e.to_string()))?;
        let l = &f.labels;
        if l.ethnic.is_empty() || l.bands.is_empty() || l.areas.len() < 2 || l.plus.is_empty() {
            return Err(CountsFileError::Inconsistent(
                "a dimension has no labels".into(),
            ));
        }
        let n_cells = QUINTILES * l.ethnic.len() * SEXES * l.bands.len();
        let n = n_cells * l.areas.len() * l.plus.len();
        let m = l.metrics.len() * QUINTILES;
        let missing: [u64; Missing::ALL.len()] = f.missing.as_slice().try_into().map_err(|_| {
            CountsFileError::Inconsistent(format!(
                "missing has {} entries, expected {}",
                f.missing.len(),
                Missing::ALL.len()
            ))
        })?;
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
            labels: f.labels,
        };
        let all: u64 = counts.cells[..n_cells].iter().sum();
        if all != counts.people {
            return Err(CountsFileError::Inconsistent(format!(
                "people is {} but the (all, all) cells add up to {all}",
                counts.people
            )));
        }
        Ok(counts)
    }

    /// The definition id and version the counts were made with.
    #[must_use]
    pub fn definition(&self) -> (&str, u32) {
        (&self.labels.definition, self.labels.version)
    }
}
