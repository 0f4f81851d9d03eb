//! A portfolio view for a board: assessments per rating band, the most common gaps, the
//! dimensions least often considered, and the reviews overdue as of a given date.

use std::collections::BTreeMap;

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
#[must_use]
pub fn summary<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a Instrument, &'a Assessment)>,
    as_of: Date,
) -> Summary {
    let mut bands: BTreeMap<(String, usize), BandCount> = BTreeMap::new();
    let mut gaps: BTreeMap<(String, String), GapCount> = BTreeMap::new();
    let mut dims: BTreeMap<(String, usize, usize), DimensionCount> = BTreeMap::new();
    let mut per_instrument: BTreeMap<String, usize> = BTreeMap::new();
    let mut instruments: BTreeMap<&str, &Instrument> = BTreeMap::new();
    let mut overdue = Vec::new();
    let mut no_review_date = Vec::new();
    let mut n = 0;
    for (name, instrument, assessment) in items {
        n += 1;
        let answers = &assessment.answers;
        *per_instrument.entry(instrument.id.clone()).or_default() += 1;
        instruments.entry(&instrument.id).or_insert(instrument);
        // Bands and gaps only: the measures are not needed for a portfolio view.
        let report = score_with(instrument, answers, None);
        if let Some(b) = &report.band {
            let i = instrument
                .rubric
                .bands
                .iter()
                .position(|x| x.id == b.id)
                .unwrap_or(0);
            bands
                .entry((instrument.id.clone(), i))
                .or_insert_with(|| BandCount {
                    instrument: instrument.id.clone(),
                    band: b.id.clone(),
                    label: b.label.clone(),
                    count: 0,
                })
                .count += 1;
        }
        for g in report.gaps {
            gaps.entry((instrument.id.clone(), g.id.clone()))
                .or_insert_with(|| GapCount {
                    instrument: instrument.id.clone(),
                    id: g.id,
                    title: g.title,
                    count: 0,
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
                let d = dims
                    .entry((instrument.id.clone(), qi, ii))
                    .or_insert_with(|| DimensionCount {
                        instrument: instrument.id.clone(),
                        question: q.id.clone(),
                        item: item.id.clone(),
                        label: item.label.clone(),
                        family: item.family.clone().unwrap_or_default(),
                        considered: 0,
                        of: 0,
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
    for i in instruments.values() {
        for (n, b) in i.rubric.bands.iter().enumerate() {
            bands.entry((i.id.clone(), n)).or_insert_with(|| BandCount {
                instrument: i.id.clone(),
                band: b.id.clone(),
                label: b.label.clone(),
                count: 0,
            });
        }
    }
    let mut dimensions: Vec<DimensionCount> = dims
        .into_values()
        .map(|mut d| {
            d.of = per_instrument.get(&d.instrument).copied().unwrap_or(0);
            d
        })
        .collect();
    // Least considered first (as a share), then in form order (the sort is stable).
    crate::sort::sort_by(&mut dimensions, |a, b| {
        let share = |d: &DimensionCount| d.considered as f64 / d.of.max(1) as f64;
        share(a).total_cmp(&share(b))
    });
    let mut gaps: Vec<GapCount> = gaps.into_values().collect();
    crate::sort::sort_by_key(&mut gaps, |g| std::cmp::Reverse(g.count));
    crate::sort::sort_by(&mut overdue, |a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.name.cmp(&b.name))
    });
    Summary {
        as_of,
        assessments: n,
        bands: bands.into_values().collect(),
        gaps,
        dimensions,
        overdue,
        no_review_date,
    }
}
