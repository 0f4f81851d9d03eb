//! A synthetic population for demos and benchmarks: **not real people**.
//!
//! Deterministic from a seed (ChaCha8, the same stream on every platform). Areas are drawn
//! uniformly from a real IMD index (optionally from a given list of codes), or, with no index,
//! deciles are drawn uniformly. Age and sex follow a pyramid, ethnicity a distribution, and the
//! probability of each condition, group flag and current smoking scales with deprivation by a
//! ratio between decile 1 and decile 10 (geometric in between). Metric events (e.g. an SMI health
//! check) are drawn for people in the metric's denominator, with their own gradient. Every number
//! is in a parameter file (`seeds/synth/default.json`), labelled synthetic.

use std::io::{self, Write};
use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::cohort::{PersonRecord, Sex, Smoking};
use crate::deprivation::{AreaCode, DeprivationIndex, ImdDecile};

/// The most people one run synthesises: 1,000,000,000, seventeen times England's population and
/// about 60 GB of CSV. The limit stops a typing slip (`--people 1e30`-sized numbers) from
/// starting a run that would never end; for more, run again with another seed.
pub const MAX_PEOPLE: u64 = 1_000_000_000;

/// The largest parameter file read, in bytes: 1 MiB (the built-in one is about 10 KB).
pub const MAX_PARAMS_BYTES: usize = 1 << 20;

/// The parameter file of a synthetic population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SynthParams {
    /// Always says the data are synthetic.
    pub label: String,
    /// Version of these parameters.
    pub version: u32,
    /// Age bands with relative weights.
    pub age_pyramid: Vec<AgeWeight>,
    /// Share of people recorded female (the rest male, less `sex_unknown`).
    pub female_share: f64,
    /// Share with sex not recorded.
    pub sex_unknown: f64,
    /// Ethnic category codes with relative weights (`99` for not known).
    pub ethnicity: Vec<CodeWeight>,
    /// Conditions and their prevalence.
    pub conditions: Vec<Prevalence>,
    /// Group flags and their prevalence.
    pub groups: Vec<Prevalence>,
    /// Current smoking.
    pub current_smoking: Prevalence,
    /// Share of non-smokers recorded as ex-smokers (the rest never; none unknown).
    pub ex_smoker_share: f64,
    /// Metric events, drawn for people in the metric's denominator.
    pub events: Vec<Prevalence>,
}

/// An age band and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AgeWeight {
    /// Youngest age.
    pub min: u8,
    /// Oldest age.
    pub max: u8,
    /// Relative weight.
    pub weight: f64,
}

/// A code and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeWeight {
    /// The code.
    pub code: String,
    /// Relative weight.
    pub weight: f64,
}

/// The probability of a condition, flag or event, by age and deprivation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Prevalence {
    /// Condition, flag or event id (empty for smoking).
    pub id: String,
    /// Probability at the geometric middle of the deprivation scale.
    pub p: f64,
    /// Probability in decile 1 divided by probability in decile 10.
    pub deprivation_ratio: f64,
    /// Ages it applies to.
    pub min_age: u8,
    /// Ages it applies to.
    pub max_age: u8,
    /// Sex it applies to, if only one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// For events: the condition whose register is the denominator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
}

/// Parameters or areas that cannot make a population.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// The parameter file does not parse.
    #[error("synthetic population parameters are not valid: {0}")]
    Params(String),
    /// An area code in the chosen list that the index does not have.
    #[error("area {code} (item {position} of the area list) is not in the {edition} index")]
    UnknownArea {
        /// The code.
        code: String,
        /// 1-based position in the list.
        position: usize,
        /// The index edition.
        edition: String,
    },
    /// An empty list of areas.
    #[error("the list of areas to draw from is empty")]
    NoAreas,
}

impl SynthParams {
    /// The built-in parameters.
    ///
    /// # Panics
    /// Never for a released build: the seed is parsed by the test suite.
    #[must_use]
    #[allow(
        clippy::panic,
        reason = "seed files are compiled in and tested; not user input"
    )]
    pub fn builtin() -> Self {
        match Self::from_json(seed_text!("synth/default.json")) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    /// Parse parameters from JSON.
    ///
    /// # Errors
    /// [`SynthError::Params`] with serde's line and column, a weight or probability out of range,
    /// or text longer than [`MAX_PARAMS_BYTES`].
    pub fn from_json(text: &str) -> Result<Self, SynthError> {
        if text.len() > MAX_PARAMS_BYTES {
            return Err(SynthError::Params(format!(
                "the file is {} bytes; at most {MAX_PARAMS_BYTES} are read (MAX_PARAMS_BYTES)",
                text.len()
            )));
        }
        let p: Self = serde_json::from_str(text).map_err(|e| SynthError::Params(e.to_string()))?;
        let bad_p = p
            .conditions
            .iter()
            .chain(&p.groups)
            .chain(&p.events)
            .chain(std::iter::once(&p.current_smoking))
            .find(|v| {
                !(0.0..=1.0).contains(&v.p)
                    || v.deprivation_ratio <= 0.0
                    || !v.deprivation_ratio.is_finite()
            });
        if let Some(v) = bad_p {
            return Err(SynthError::Params(format!(
                "{:?}: p must be within 0 to 1 and deprivation_ratio above 0, got p = {} and ratio = {}",
                v.id, v.p, v.deprivation_ratio
            )));
        }
        if p.age_pyramid
            .iter()
            .any(|a| a.weight < 0.0 || a.min > a.max)
            || p.age_pyramid.is_empty()
        {
            return Err(SynthError::Params(
                "age_pyramid needs bands with min ≤ max and weights ≥ 0".into(),
            ));
        }
        if p.ethnicity.is_empty() || p.ethnicity.iter().any(|e| e.weight < 0.0) {
            return Err(SynthError::Params(
                "ethnicity needs codes with weights ≥ 0".into(),
            ));
        }
        Ok(p)
    }
}

/// Where people live.
#[derive(Debug, Clone, Copy)]
pub enum Areas<'a> {
    /// No area file: deciles drawn uniformly.
    Deciles,
    /// Every area of an index, drawn uniformly.
    Index(&'a DeprivationIndex),
    /// A chosen list of areas from an index (e.g. one local authority's), drawn uniformly.
    Listed(&'a DeprivationIndex, &'a [AreaCode]),
}

/// One synthetic person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthPerson {
    /// Sequence number from 1.
    pub n: u64,
    /// Age.
    pub age: u8,
    /// Sex.
    pub sex: Sex,
    /// Ethnic category code.
    pub ethnicity: Arc<str>,
    /// Area, when drawn from an index.
    pub area: Option<AreaCode>,
    /// Decile.
    pub decile: ImdDecile,
    /// Condition ids.
    pub conditions: Vec<Arc<str>>,
    /// Group flag ids.
    pub groups: Vec<Arc<str>>,
    /// Smoking.
    pub smoking: Smoking,
    /// Event ids.
    pub events: Vec<Arc<str>>,
}

/// A generator of synthetic people.
#[derive(Debug, Clone)]
pub struct Synth<'a> {
    rng: ChaCha8Rng,
    areas: Areas<'a>,
    ages: Vec<((u8, u8), f64)>,
    ethnicity: Vec<(Arc<str>, f64)>,
    female: f64,
    sex_unknown: f64,
    conditions: Vec<Draw>,
    groups: Vec<Draw>,
    smoking: Draw,
    ex_share: f64,
    events: Vec<Draw>,
    n: u64,
}

#[derive(Debug, Clone)]
struct Draw {
    id: Arc<str>,
    /// Probability per decile (index 0 = decile 1).
    p: [f64; 10],
    min_age: u8,
    max_age: u8,
    sex: Option<Sex>,
    given: Option<Arc<str>>,
}

impl Draw {
    fn new(v: &Prevalence) -> Self {
        let mut p = [0.0; 10];
        for (d, slot) in p.iter_mut().enumerate() {
            #[allow(clippy::cast_precision_loss, reason = "d < 10")]
            let x = (5.5 - (d as f64 + 1.0)) / 9.0;
            *slot = (v.p * v.deprivation_ratio.powf(x)).clamp(0.0, 1.0);
        }
        Self {
            id: Arc::from(v.id.as_str()),
            p,
            min_age: v.min_age,
            max_age: v.max_age,
            sex: v.sex,
            given: v.given.as_deref().map(Arc::from),
        }
    }

    fn applies(&self, age: u8, sex: Sex) -> bool {
        (self.min_age..=self.max_age).contains(&age) && self.sex.is_none_or(|s| s == sex)
    }
}

fn cumulative<T>(items: impl Iterator<Item = (T, f64)>) -> Vec<(T, f64)> {
    let mut acc = 0.0;
    items
        .map(|(t, w)| {
            acc += w;
            (t, acc)
        })
        .collect()
}

impl<'a> Synth<'a> {
    /// A generator from parameters, a seed and where people live.
    ///
    /// ```
    /// use equitas_core::synth::{Areas, Synth, SynthParams};
    ///
    /// let params = SynthParams::builtin();
    /// let mut synth = Synth::new(&params, 2026, Areas::Deciles)?;
    /// let first = synth.next_person().to_record();
    /// assert!(first.id.starts_with("SYN")); // synthetic people say so in their ids
    /// // The same seed gives the same people.
    /// let mut again = Synth::new(&params, 2026, Areas::Deciles)?;
    /// assert_eq!(again.next_person().to_record(), first);
    /// # Ok::<(), equitas_core::synth::SynthError>(())
    /// ```
    ///
    /// # Errors
    /// A listed area not in the index, or an empty list.
    pub fn new(params: &SynthParams, seed: u64, areas: Areas<'a>) -> Result<Self, SynthError> {
        if let Areas::Listed(ix, codes) = areas {
            if codes.is_empty() {
                return Err(SynthError::NoAreas);
            }
            if let Some((i, c)) = codes
                .iter()
                .enumerate()
                .find(|(_, c)| ix.lookup(**c).is_none())
            {
                return Err(SynthError::UnknownArea {
                    code: c.to_string(),
                    position: i + 1,
                    edition: ix.edition().to_string(),
                });
            }
        }
        if let Areas::Index(ix) = areas
            && ix.is_empty()
        {
            return Err(SynthError::NoAreas);
        }
        let ages = cumulative(
            params
                .age_pyramid
                .iter()
                .map(|a| ((a.min, a.max), a.weight)),
        );
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            areas,
            ages,
            ethnicity: cumulative(
                params
                    .ethnicity
                    .iter()
                    .map(|e| (Arc::from(e.code.as_str()), e.weight)),
            ),
            female: params.female_share,
            sex_unknown: params.sex_unknown,
            conditions: params.conditions.iter().map(Draw::new).collect(),
            groups: params.groups.iter().map(Draw::new).collect(),
            smoking: Draw::new(&params.current_smoking),
            ex_share: params.ex_smoker_share,
            events: params.events.iter().map(Draw::new).collect(),
            n: 0,
        })
    }

    /// The next person.
    pub fn next_person(&mut self) -> SynthPerson {
        self.n += 1;
        let rng = &mut self.rng;
        let (area, decile) = match self.areas {
            Areas::Deciles => (
                None,
                ImdDecile::new(u8::try_from(below(rng, 10) + 1).unwrap_or(10)),
            ),
            Areas::Index(ix) => {
                let code = ix.codes()[below(rng, ix.len())];
                (
                    Some(code),
                    Ok(ix.lookup(code).map_or(TEN, |id| ix.decile(id))),
                )
            }
            Areas::Listed(ix, codes) => {
                let code = codes[below(rng, codes.len())];
                (
                    Some(code),
                    Ok(ix.lookup(code).map_or(TEN, |id| ix.decile(id))),
                )
            }
        };
        // Draws are 1..=10 and listed areas were checked in `new`, so neither fallback is used.
        let decile = decile.unwrap_or(TEN);
        let d = usize::from(decile.get() - 1);
        let (lo, hi) = pick(rng, &self.ages).copied().unwrap_or((0, 0));
        let age =
            lo + u8::try_from(below(rng, usize::from(hi.saturating_sub(lo)) + 1)).unwrap_or(0);
        let s = unit(rng);
        let sex = if s < self.sex_unknown {
            Sex::Unknown
        } else if s < self.sex_unknown + self.female * (1.0 - self.sex_unknown) {
            Sex::Female
        } else {
            Sex::Male
        };
        let ethnicity = pick(rng, &self.ethnicity)
            .cloned()
            .unwrap_or_else(|| Arc::from("99"));
        let mut draw_all = |which: &[Draw], given: &[Arc<str>]| -> Vec<Arc<str>> {
            which
                .iter()
                .filter(|dr| {
                    dr.applies(age, sex)
                        && dr.given.as_ref().is_none_or(|g| given.contains(g))
                        && unit(rng) < dr.p[d]
                })
                .map(|dr| dr.id.clone())
                .collect()
        };
        let conditions = draw_all(&self.conditions, &[]);
        let groups = draw_all(&self.groups, &[]);
        let events = draw_all(&self.events, &conditions);
        let smoking = if self.smoking.applies(age, sex) && unit(rng) < self.smoking.p[d] {
            Smoking::Current
        } else if age >= 16 && unit(rng) < self.ex_share {
            Smoking::Ex
        } else {
            Smoking::Never
        };
        SynthPerson {
            n: self.n,
            age,
            sex,
            ethnicity,
            area,
            decile,
            conditions,
            groups,
            smoking,
            events,
        }
    }
}

const TEN: ImdDecile = ImdDecile::LEAST_DEPRIVED;

/// A uniform draw in [0, 1).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "53 bits")]
    let v = (rng.next_u64() >> 11) as f64;
    v / (1u64 << 53) as f64
}

/// A uniform index below `n`.
fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Pick from cumulative weights.
fn pick<'c, T>(rng: &mut ChaCha8Rng, cum: &'c [(T, f64)]) -> Option<&'c T> {
    let total = cum.last()?.1;
    let x = unit(rng) * total;
    cum.iter()
        .find(|(_, c)| x < *c)
        .or(cum.last())
        .map(|(t, _)| t)
}

/// The header written by [`SynthPerson::write_csv_row`].
pub const CSV_HEADER: &str =
    "person_id,age,sex,ethnicity,lsoa,conditions,groups,smoking,events,imd_decile\n";

impl SynthPerson {
    /// The person as a [`PersonRecord`]: the area when drawn from an index, else the decile.
    #[must_use]
    pub fn to_record(&self) -> PersonRecord {
        PersonRecord {
            id: format!("SYN{:08}", self.n),
            age: Some(self.age),
            date_of_birth: None,
            sex: self.sex,
            ethnicity: Some(self.ethnicity.to_string()),
            area: self.area.map(|a| a.to_string()),
            imd_decile: self.area.is_none().then_some(self.decile),
            conditions: self.conditions.iter().map(ToString::to_string).collect(),
            groups: self.groups.iter().map(ToString::to_string).collect(),
            smoking: self.smoking,
            events: self.events.iter().map(ToString::to_string).collect(),
        }
    }

    /// Write the person as one CSV row (see [`CSV_HEADER`]).
    ///
    /// # Errors
    /// The writer's error.
    pub fn write_csv_row<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let smoking = match self.smoking {
            Smoking::Current => "current",
            Smoking::Ex => "ex",
            Smoking::Never => "never",
            _ => "unknown",
        };
        let area = self.area.map(|a| a.to_string()).unwrap_or_default();
        let decile = if self.area.is_none() {
            self.decile.to_string()
        } else {
            String::new()
        };
        writeln!(
            w,
            "SYN{:08},{},{},{},{},{},{},{},{},{}",
            self.n,
            self.age,
            self.sex.id(),
            self.ethnicity,
            area,
            self.conditions.join(";"),
            self.groups.join(";"),
            smoking,
            self.events.join(";"),
            decile
        )
    }
}
