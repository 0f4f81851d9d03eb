//! A portfolio view for a board: assessments per rating band, the most common gaps, the
//! dimensions least often considered, and the reviews overdue as of a given date.

use serde::Serialize;

use super::answers::Answer;
use super::date::Date;
use super::envelope::Assessment;
use super::instrument::{Instrument, Kind, QuestionId};
use super::score::score_with;

/// How many assessments fall in a band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct BandCount {
    /// Instrument id (bands belong to an instrument's rubric).
    pub instrument: String,
    /// Band id.
    pub band: String,
    /// Band label.
    pub label: String,
    /// Assessments in it.
    pub count: usize,
}

/// How often a gap was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GapCount {
    /// Instrument id.
    pub instrument: String,
    /// Gap id.
    pub id: String,
    /// The gap.
    pub title: String,
    /// Assessments with it.
    pub count: usize,
}

/// How often a dimension was considered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DimensionCount {
    /// Instrument id.
    pub instrument: String,
    /// The checklist question.
    pub question: QuestionId,
    /// Item id.
    pub item: String,
    /// Item label.
    pub label: String,
    /// Its family.
    pub family: String,
    /// Assessments that considered it.
    pub considered: usize,
    /// Assessments of this instrument.
    pub of: usize,
}

/// A review past its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Overdue {
    /// The name the caller gave the assessment (e.g. its file name).
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// The planned review date.
    #[cfg_attr(feature = "ts", tsify(type = "IsoDate"))]
    pub review_date: Date,
    /// Days past it on the as-of date.
    pub days_overdue: i64,
}

/// The portfolio summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Summary {
    /// The date overdue reviews are judged against.
    #[cfg_attr(feature = "ts", tsify(type = "IsoDate"))]
    pub as_of: Date,
    /// Assessments summarised.
    pub assessments: usize,
    /// Per band, in each instrument's band order.
    pub bands: Vec<BandCount>,
    /// Gaps, most common first.
    pub gaps: Vec<GapCount>,
    /// Checklist dimensions, least often considered first.
    pub dimensions: Vec<DimensionCount>,
    /// Reviews overdue, most overdue first.
    pub overdue: Vec<Overdue>,
    /// Assessments of instruments with a review date question that have none set.
    pub no_review_date: Vec<String>,
}

/// Summarise named assessments with their instruments as of a date.
///
/// ```
/// use equitas_core::assessment::{Assessment, Date, Registry, summary};
///
/// let registry = Registry::builtin()?;
/// let heat = registry.latest("heat").unwrap();
/// let a = Assessment::new(heat, "2026-01-05T09:00:00Z");
/// let b = Assessment::new(heat, "2026-02-05T09:00:00Z");
/// let s = summary(
///     [("clinic-a.json", heat, &a), ("clinic-b.json", heat, &b)],
///     Date::parse("2026-04-01")?,
/// );
/// assert_eq!(s.assessments, 2);
/// assert_eq!(s.no_review_date.len(), 2); // neither has planned its review yet
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn summary<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a Instrument, &'a Assessment)>,
    as_of: Date,
) -> Summary {
    // Keyed lists, sorted by key at the end: the same order as B-tree maps, without a copy of
    // the B-tree code for each of five key and value types in the wasm build (a portfolio has
    // a few instruments, bands, gaps and dimensions, so the linear lookups cost nothing).
    let mut bands: Vec<((String, usize), BandCount)> = Vec::new();
    let mut gaps: Vec<((String, String), GapCount)> = Vec::new();
    let mut dims: Vec<((String, usize, usize), DimensionCount)> = Vec::new();
    let mut per_instrument: Vec<(String, usize)> = Vec::new();
    let mut instruments: Vec<&Instrument> = Vec::new();
    let mut overdue = Vec::new();
    let mut no_review_date = Vec::new();
    let mut n = 0;
    for (name, instrument, assessment) in items {
        n += 1;
        let answers = &assessment.answers;
        *slot(&mut per_instrument, instrument.id.clone(), || 0) += 1;
        if !instruments.iter().any(|i| i.id == instrument.id) {
            instruments.push(instrument);
        }
        // Bands and gaps only: the measures are not needed for a portfolio view.
        let report = score_with(instrument, answers, None);
        if let Some(b) = &report.band {
            let i = instrument
                .rubric
                .bands
                .iter()
                .position(|x| x.id == b.id)
                .unwrap_or(0);
            slot(&mut bands, (instrument.id.clone(), i), || BandCount {
                instrument: instrument.id.clone(),
                band: b.id.clone(),
                label: b.label.clone(),
                count: 0,
            })
            .count += 1;
        }
        for g in report.gaps {
            slot(&mut gaps, (instrument.id.clone(), g.id.clone()), || {
                GapCount {
                    instrument: instrument.id.clone(),
                    id: g.id,
                    title: g.title,
                    count: 0,
                }
            })
            .count += 1;
        }
        for (qi, (_, q)) in instrument.questions().enumerate() {
            let Kind::DimensionChecklist { items } = &q.kind else {
                continue;
            };
            let answer = match answers.get(q.id.as_str()) {
                Some(Answer::Checklist(m)) => Some(m),
                _ => None,
            };
            for (ii, item) in items.iter().enumerate() {
                let d = slot(&mut dims, (instrument.id.clone(), qi, ii), || {
                    DimensionCount {
                        instrument: instrument.id.clone(),
                        question: q.id.clone(),
                        item: item.id.clone(),
                        label: item.label.clone(),
                        family: item.family.clone().unwrap_or_default(),
                        considered: 0,
                        of: 0,
                    }
                });
                if answer
                    .and_then(|m| m.get(&item.id))
                    .is_some_and(|e| e.considered)
                {
                    d.considered += 1;
                }
            }
        }
        if let Some(q) = &instrument.roles.review_date {
            match answers
                .answered(q.as_str())
                .and_then(Answer::text)
                .and_then(|t| Date::parse(t).ok())
            {
                Some(d) if d < as_of => overdue.push(Overdue {
                    name: name.to_owned(),
                    title: report.title,
                    review_date: d,
                    days_overdue: as_of.days() - d.days(),
                }),
                Some(_) => {}
                None => no_review_date.push(name.to_owned()),
            }
        }
    }
    // Every band of every instrument seen, empty ones too, so a board sees the whole scale.
    for i in &instruments {
        for (n, b) in i.rubric.bands.iter().enumerate() {
            slot(&mut bands, (i.id.clone(), n), || BandCount {
                instrument: i.id.clone(),
                band: b.id.clone(),
                label: b.label.clone(),
                count: 0,
            });
        }
    }
    let mut dimensions: Vec<DimensionCount> = by_key(dims)
        .map(|mut d| {
            d.of = per_instrument
                .iter()
                .find(|(id, _)| *id == d.instrument)
                .map_or(0, |(_, n)| *n);
            d
        })
        .collect();
    // Least considered first (as a share), then in form order (the sort is stable).
    crate::sort::sort_by(&mut dimensions, |a, b| {
        let share = |d: &DimensionCount| d.considered as f64 / d.of.max(1) as f64;
        share(a).total_cmp(&share(b))
    });
    let mut gaps: Vec<GapCount> = by_key(gaps).collect();
    crate::sort::sort_by_key(&mut gaps, |g| std::cmp::Reverse(g.count));
    crate::sort::sort_by(&mut overdue, |a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.name.cmp(&b.name))
    });
    Summary {
        as_of,
        assessments: n,
        bands: by_key(bands).collect(),
        gaps,
        dimensions,
        overdue,
        no_review_date,
    }
}

/// The value for `key` in a keyed list, added with `make` when missing.
fn slot<K: PartialEq, V>(list: &mut Vec<(K, V)>, key: K, make: impl FnOnce() -> V) -> &mut V {
    let i = match list.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            list.push((key, make()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

/// The values of a keyed list (keys unique) in key order, as a B-tree map's `into_values`.
fn by_key<K: Ord, V>(mut list: Vec<(K, V)>) -> impl Iterator<Item = V> {
    crate::sort::sort_by(&mut list, |a, b| a.0.cmp(&b.0));
    list.into_iter().map(|(_, v)| v)
}
