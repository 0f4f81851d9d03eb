//! A portfolio view for a board: assessments per rating band, the most common gaps, the
//! dimensions least often considered, and the reviews overdue as of a given date.

use serde::Serialize;

use super::answers::{Answer, Answers};
use super::date::Date;
use super::envelope::Assessment;
use super::instrument::{Band, Instrument, Kind, QuestionId};
use super::score::{Gap, score_with};

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
    let mut tally = Tally::default();
    for (name, instrument, assessment) in items {
        tally.add(name, instrument, assessment, as_of);
    }
    tally.finish(as_of)
}

/// The portfolio counted so far, one assessment at a time.
///
/// Keyed lists, sorted by key at the end: the same order as B-tree maps, without a copy of the
/// B-tree code for each of five key and value types in the wasm build (a portfolio has a few
/// instruments, bands, gaps and dimensions, so the linear lookups cost nothing).
#[derive(Default)]
struct Tally<'a> {
    /// By instrument and the band's place in its rubric.
    bands: Vec<((String, usize), BandCount)>,
    /// By instrument and gap id.
    gaps: Vec<((String, String), GapCount)>,
    /// By instrument, the checklist's place in the form and the item's in the checklist.
    dims: Vec<((String, usize, usize), DimensionCount)>,
    /// Assessments per instrument id.
    per_instrument: Vec<(String, usize)>,
    /// Every instrument seen, once each, in first-seen order.
    instruments: Vec<&'a Instrument>,
    overdue: Vec<Overdue>,
    no_review_date: Vec<String>,
    /// Assessments counted.
    n: usize,
}

impl<'a> Tally<'a> {
    /// Count one named assessment: its band, its gaps, its checklists and its review date.
    fn add(
        &mut self,
        name: &str,
        instrument: &'a Instrument,
        assessment: &Assessment,
        as_of: Date,
    ) {
        self.n += 1;
        let answers = &assessment.answers;
        *slot(&mut self.per_instrument, instrument.id.clone(), || 0) += 1;
        if !self.instruments.iter().any(|i| i.id == instrument.id) {
            self.instruments.push(instrument);
        }
        // Bands and gaps only: the measures are not needed for a portfolio view.
        let report = score_with(instrument, answers, None);
        if let Some(b) = &report.band {
            self.count_band(instrument, b);
        }
        self.count_gaps(instrument, report.gaps);
        self.count_dimensions(instrument, answers);
        if let Some(q) = &instrument.roles.review_date {
            self.check_review(name, report.title, answers.answered(q.as_str()), as_of);
        }
    }

    fn count_band(&mut self, instrument: &Instrument, b: &Band) {
        let i = instrument
            .rubric
            .bands
            .iter()
            .position(|x| x.id == b.id)
            .unwrap_or(0);
        slot(&mut self.bands, (instrument.id.clone(), i), || BandCount {
            instrument: instrument.id.clone(),
            band: b.id.clone(),
            label: b.label.clone(),
            count: 0,
        })
        .count += 1;
    }

    fn count_gaps(&mut self, instrument: &Instrument, gaps: Vec<Gap>) {
        for g in gaps {
            slot(
                &mut self.gaps,
                (instrument.id.clone(), g.id.clone()),
                || GapCount {
                    instrument: instrument.id.clone(),
                    id: g.id,
                    title: g.title,
                    count: 0,
                },
            )
            .count += 1;
        }
    }

    /// Every item of every dimension checklist the instrument has, counted whether or not it
    /// was considered (so `of` can be filled in at the end).
    fn count_dimensions(&mut self, instrument: &Instrument, answers: &Answers) {
        for (qi, (_, q)) in instrument.questions().enumerate() {
            let Kind::DimensionChecklist { items } = &q.kind else {
                continue;
            };
            let answer = match answers.get(q.id.as_str()) {
                Some(Answer::Checklist(m)) => Some(m),
                _ => None,
            };
            for (ii, item) in items.iter().enumerate() {
                let d = slot(&mut self.dims, (instrument.id.clone(), qi, ii), || {
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
    }

    /// The answer to the instrument's review date question: overdue when before `as_of`, not
    /// set when missing or not a date.
    fn check_review(
        &mut self,
        name: &str,
        title: Option<String>,
        review_date: Option<&Answer>,
        as_of: Date,
    ) {
        match review_date
            .and_then(Answer::text)
            .and_then(|t| Date::parse(t).ok())
        {
            Some(d) if d < as_of => self.overdue.push(Overdue {
                name: name.to_owned(),
                title,
                review_date: d,
                days_overdue: as_of.days() - d.days(),
            }),
            Some(_) => {}
            None => self.no_review_date.push(name.to_owned()),
        }
    }

    /// The summary: every band of every instrument seen (empty ones too, so a board sees the
    /// whole scale), dimensions least considered first, gaps most common first, reviews most
    /// overdue first.
    fn finish(mut self, as_of: Date) -> Summary {
        for i in &self.instruments {
            for (n, b) in i.rubric.bands.iter().enumerate() {
                slot(&mut self.bands, (i.id.clone(), n), || BandCount {
                    instrument: i.id.clone(),
                    band: b.id.clone(),
                    label: b.label.clone(),
                    count: 0,
                });
            }
        }
        let per_instrument = &self.per_instrument;
        let mut dimensions: Vec<DimensionCount> = by_key(self.dims)
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
        let mut gaps: Vec<GapCount> = by_key(self.gaps).collect();
        crate::sort::sort_by_key(&mut gaps, |g| std::cmp::Reverse(g.count));
        let mut overdue = self.overdue;
        crate::sort::sort_by(&mut overdue, |a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(a.name.cmp(&b.name))
        });
        Summary {
            as_of,
            assessments: self.n,
            bands: by_key(self.bands).collect(),
            gaps,
            dimensions,
            overdue,
            no_review_date: self.no_review_date,
        }
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
