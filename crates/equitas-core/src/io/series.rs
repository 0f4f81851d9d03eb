//! A HEAT Plus file over time (issue 15): when one setting × source × indicator × dimension has
//! tables for several `date`s, it is a time series. Per series: each subgroup's estimate per
//! date, each summary measure per date, the change of each measure from the first date to the
//! last with its interval and the verdict "the gap narrowed / widened / no significant change"
//! ([`crate::measures::gap`]), and the recent trend where Fingertips' method applies
//! ([`crate::measures::trend`]). Built from the measured tables ([`MeasuredFile`]), so nothing
//! is computed twice and the numbers are the tables' own.
//!
//! Decisions:
//! - **Dates in time order.** Dates that are all years or ranges of years
//!   (`legap::period_year`) are put in time order; otherwise they stay in the order the file
//!   gives them, and no trend is tested (the test needs years).
//! - **The change from the first date to the last** is the difference of independent estimates
//!   (different years of data), ± z·√(SE² + SE₀²), each SE the measure's own or, without one,
//!   half its interval's width over z; for the ratio measures (R, RII) the ratio of the two on
//!   the log scale, where no gap is 1. A measure without an interval at either end has no
//!   verdict ("cannot tell").
//! - **The headline** is the SII for an ordered dimension and D otherwise: its verdict is the
//!   sentence the page says ("the gap narrowed").
//! - **Trends** are tested on the SII (value type SII), D (gap), R and RII (ratios), with their
//!   limits, as Fingertips does for those types; the other summary measures have no published
//!   method, and say so. The measures carry no polarity (whether a rise is better depends on the
//!   measure's sign), so a trend is "increasing" or "decreasing" without better or worse; the
//!   verdict says whether the gap narrowed.

use serde::Serialize;

use super::measured::{MeasuredFile, MeasuredTable};
use crate::measures::gap::{Change, Estimate as GapEstimate, Verdict, change, relative_change};
use crate::measures::intervals::z_for;
use crate::measures::legap::period_year;
use crate::measures::trend::{Point, Polarity, RecentTrend, ValueType, recent_trend};
use crate::measures::{Estimate, MeasureId};

/// One setting × source × indicator × dimension over its dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SeriesTable {
    /// Country, region or area.
    pub setting: String,
    /// Data source.
    pub source: String,
    /// Short indicator id.
    pub indicator_abbr: String,
    /// The indicator's name (as its tables give it).
    pub indicator: String,
    /// Dimension of inequality.
    pub dimension: String,
    /// Whether the dimension has a natural order.
    pub ordered: bool,
    /// Whether higher values are better.
    pub favourable: bool,
    /// The dates, in time order (or the file's, when they are not all years).
    pub dates: Vec<String>,
    /// Each subgroup's estimate per date (in the order of `dates`).
    pub subgroups: Vec<SubgroupSeries>,
    /// Each summary measure per date, its change and its trend.
    pub measures: Vec<MeasureSeries>,
    /// The measure whose verdict is the series' headline: SII (ordered) or D.
    pub headline: MeasureId,
    /// The headline's verdict from the first date to the last.
    pub verdict: Verdict,
    /// The verdict in words, e.g. "the gap narrowed".
    pub verdict_words: &'static str,
}

/// One subgroup over the dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SubgroupSeries {
    /// The subgroup's label.
    pub label: String,
    /// Its estimate per date (`None` where the date has no such subgroup or no estimate).
    pub values: Vec<Option<f64>>,
    /// Its whisker's lower end per date (the limits given, or from the SE).
    pub lower: Vec<Option<f64>>,
    /// Its whisker's upper end per date.
    pub upper: Vec<Option<f64>>,
}

/// One summary measure over the dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasureSeries {
    /// Which measure.
    pub measure: MeasureId,
    /// Its short name.
    pub abbr: &'static str,
    /// Its full name.
    pub name: &'static str,
    /// Its value per date, or `None` (see `reasons`).
    pub values: Vec<Option<Estimate>>,
    /// Why a date has no value.
    pub reasons: Vec<Option<String>>,
    /// Whether no gap is 1 (R, RII): the change is then the ratio of the last value to the
    /// first.
    pub ratio: bool,
    /// The last date's value against the first's, with its interval and verdict.
    pub change: Change,
    /// The verdict in words ("the gap narrowed", "cannot tell"…).
    pub verdict_words: &'static str,
    /// The recent trend, or why it cannot be calculated.
    pub trend: RecentTrend,
    /// The trend's marker in words ("decreasing", "cannot be calculated"…).
    pub trend_words: String,
}

/// The time series of `file`: every setting × source × indicator × dimension with tables for
/// two or more dates, in the order each first appears. `confidence` is the measures' level (as
/// a proportion), which the changes' intervals use too.
#[must_use]
pub fn time_series(file: &MeasuredFile, confidence: f64) -> Vec<SeriesTable> {
    let mut groups: Vec<Vec<&MeasuredTable>> = Vec::new();
    for t in &file.tables {
        let same = |g: &&mut Vec<&MeasuredTable>| {
            g.first().is_some_and(|f| {
                f.key.setting == t.key.setting
                    && f.key.source == t.key.source
                    && f.key.indicator_abbr == t.key.indicator_abbr
                    && f.key.dimension == t.key.dimension
            })
        };
        match groups.iter_mut().find(same) {
            Some(g) => g.push(t),
            None => groups.push(vec![t]),
        }
    }
    let z = z_for(confidence);
    groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            let years: Option<Vec<f64>> = g.iter().map(|t| period_year(&t.key.date)).collect();
            if years.is_some() {
                crate::sort::sort_by(&mut g, |a, b| {
                    let y = |t: &MeasuredTable| period_year(&t.key.date).unwrap_or(0.0);
                    y(a).total_cmp(&y(b))
                });
            }
            series_table(&g, z, confidence, years.is_some())
        })
        .collect()
}

fn series_table(g: &[&MeasuredTable], z: f64, confidence: f64, years: bool) -> SeriesTable {
    let first = g.first().copied();
    let key = first
        .map(|t| {
            let k = &t.key;
            (
                k.setting.clone(),
                k.source.clone(),
                k.indicator_abbr.clone(),
                k.dimension.clone(),
            )
        })
        .unwrap_or_default();
    let ordered = first.is_some_and(|t| t.ordered);
    let dates: Vec<String> = g.iter().map(|t| t.key.date.clone()).collect();
    // Subgroups in the order of the first date's chart, then any new ones as they appear.
    let mut labels: Vec<String> = Vec::new();
    for t in g {
        for p in &t.chart.points {
            if !labels.contains(&p.label) {
                labels.push(p.label.clone());
            }
        }
    }
    let subgroups = labels
        .into_iter()
        .map(|label| {
            let at = |f: &dyn Fn(&crate::measures::chart::ChartPoint) -> Option<f64>| {
                g.iter()
                    .map(|t| t.chart.points.iter().find(|p| p.label == label).and_then(f))
                    .collect()
            };
            SubgroupSeries {
                values: at(&|p| p.estimate),
                lower: at(&|p| p.lower),
                upper: at(&|p| p.upper),
                label,
            }
        })
        .collect();
    let ids: Vec<MeasureId> = first
        .map(|t| t.measures.iter().map(|m| m.measure).collect())
        .unwrap_or_default();
    let measures: Vec<MeasureSeries> = ids
        .iter()
        .map(|&id| measure_series(g, id, z, confidence, years, &dates))
        .collect();
    let headline = if ordered {
        MeasureId::Sii
    } else {
        MeasureId::D
    };
    let verdict = measures
        .iter()
        .find(|m| m.measure == headline)
        .map_or(Verdict::Unknown, |m| m.change.verdict);
    SeriesTable {
        setting: key.0,
        source: key.1,
        indicator_abbr: key.2,
        indicator: first.map(|t| t.indicator.clone()).unwrap_or_default(),
        dimension: key.3,
        ordered,
        favourable: first.is_some_and(|t| t.favourable),
        dates,
        subgroups,
        measures,
        headline,
        verdict,
        verdict_words: verdict.words(),
    }
}

/// The columns of [`write_series_csv`].
pub const SERIES_COLUMNS: [&str; 16] = [
    "setting",
    "source",
    "indicator_abbr",
    "dimension",
    "measure",
    "first_date",
    "last_date",
    "first",
    "last",
    "change",
    "change_lb",
    "change_ub",
    "verdict",
    "trend",
    "trend_reason",
    "dates",
];

/// One row per series × measure in `measures` (all when empty): the first and last dates'
/// values, the change (a ratio of the two for R and RII) with its limits, the verdict, the
/// recent trend with its reason, and how many dates.
///
/// # Errors
/// Writing fails.
pub fn write_series_csv<W: std::io::Write>(
    series: &[SeriesTable],
    measures: &[MeasureId],
    writer: W,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(SERIES_COLUMNS)?;
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for t in series {
        for m in &t.measures {
            if !measures.is_empty() && !measures.contains(&m.measure) {
                continue;
            }
            let value = |k: usize| num(m.values.get(k).copied().flatten().map(|e| e.value));
            let last = t.dates.len().saturating_sub(1);
            let d = &m.change.difference;
            w.write_record([
                t.setting.as_str(),
                &t.source,
                &t.indicator_abbr,
                &t.dimension,
                m.abbr,
                t.dates.first().map_or("", String::as_str),
                t.dates.last().map_or("", String::as_str),
                &value(0),
                &value(last),
                &num(d.value),
                &num(d.lower),
                &num(d.upper),
                m.change.verdict.words(),
                &m.trend.words(),
                &m.trend.reason,
                &t.dates.len().to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Whether no gap is 1 (a ratio) rather than 0.
const fn is_ratio(id: MeasureId) -> bool {
    matches!(id, MeasureId::R | MeasureId::Rii)
}

/// The Fingertips value type of a summary measure, for its trend.
const fn value_type(id: MeasureId) -> ValueType {
    match id {
        MeasureId::Sii => ValueType::Sii,
        MeasureId::D => ValueType::Gap,
        MeasureId::R | MeasureId::Rii => ValueType::Ratio,
        _ => ValueType::Other,
    }
}

fn measure_series(
    g: &[&MeasuredTable],
    id: MeasureId,
    z: f64,
    confidence: f64,
    years: bool,
    dates: &[String],
) -> MeasureSeries {
    let info = id.info();
    let lines: Vec<Option<&crate::measures::names::MeasureLine>> = g
        .iter()
        .map(|t| t.measures.iter().find(|m| m.measure == id))
        .collect();
    let values: Vec<Option<Estimate>> = lines.iter().map(|l| l.and_then(|l| l.value)).collect();
    let reasons = lines
        .iter()
        .map(|l| match l {
            Some(l) => l.reason.clone(),
            None => Some("not computed for this date".to_owned()),
        })
        .collect();
    let end = |k: usize| as_gap_estimate(values.get(k).copied().flatten(), z, is_ratio(id));
    let change = match (end(0), end(values.len().saturating_sub(1))) {
        (base, now) if is_ratio(id) => relative_change(&now, &base, z),
        (base, now) => change(&now, &base, z),
    };
    let trend = if years {
        let points: Vec<Point<'_>> = dates
            .iter()
            .zip(&values)
            .map(|(d, v)| Point {
                period: d,
                value: v.map(|e| e.value),
                lower: v.and_then(|e| e.lower),
                upper: v.and_then(|e| e.upper),
                numerator: None,
                denominator: None,
            })
            .collect();
        recent_trend(&points, value_type(id), Polarity::NoJudgement, confidence)
            .unwrap_or_else(|e| RecentTrend::cannot(e.to_string()))
    } else {
        RecentTrend::cannot("the dates are not all years or ranges of years, so no trend is tested")
    };
    MeasureSeries {
        measure: id,
        abbr: info.abbr,
        name: info.name,
        values,
        reasons,
        ratio: is_ratio(id),
        verdict_words: change.verdict.words(),
        change,
        trend_words: trend.words(),
        trend,
    }
}

/// A measure's estimate as the gap module takes it: its SE, or half its interval's width over
/// `z` (on the log scale for a ratio, whose `se` [`relative_change`] reads as log-scale).
fn as_gap_estimate(e: Option<Estimate>, z: f64, ratio: bool) -> GapEstimate {
    let Some(e) = e else {
        return GapEstimate::missing("no value".to_owned());
    };
    let se = if ratio {
        match (e.lower, e.upper) {
            (Some(l), Some(u)) if l > 0.0 && u > 0.0 => {
                Some((libm::log(u) - libm::log(l)) / (2.0 * z))
            }
            _ => e.se.filter(|_| e.value > 0.0).map(|s| s / e.value),
        }
    } else {
        e.se.or_else(|| Some((e.upper? - e.lower?) / (2.0 * z)))
    };
    match se.filter(|s| s.is_finite() && *s >= 0.0) {
        Some(se) => GapEstimate {
            value: Some(e.value),
            se: Some(se),
            lower: e.lower,
            upper: e.upper,
            reason: None,
        },
        None => GapEstimate::missing("no standard error or interval".to_owned()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::io::heat_plus;
    use crate::io::measured::measure_file;
    use crate::measures::Options;
    use crate::measures::trend::Marker;

    const HEADER: &str = "setting,date,source,indicator_abbr,indicator_name,dimension,subgroup,\
                          estimate,se,population,favourable_indicator,indicator_scale,\
                          ordered_dimension,subgroup_order,reference_subgroup";

    /// SYNTHETIC: one ordered table per date, quintile q's estimate `base + step·q`, SE `se`.
    fn rows(date: &str, base: f64, step: f64, se: f64) -> Vec<String> {
        (1..=5)
            .map(|q| {
                let v = base + step * f64::from(q);
                format!("A,{date},S,x,Uptake %,IMD quintile,Q{q},{v},{se},1000,1,100,1,{q},0")
            })
            .collect()
    }

    fn series(tables: &[Vec<String>]) -> Vec<SeriesTable> {
        let body: Vec<String> = tables.iter().flatten().cloned().collect();
        let csv = format!("{HEADER}\n{}\n", body.join("\n"));
        let strata = heat_plus::read(csv.as_bytes()).unwrap();
        measure_file(&strata, &Options::default().with_seed(3)).series
    }

    fn measure(t: &SeriesTable, id: MeasureId) -> &MeasureSeries {
        t.measures.iter().find(|m| m.measure == id).unwrap()
    }

    /// Two dates, the later first in the file: time order; each subgroup's values per date;
    /// D from 20 (5 × 4) to 8 (5 × 1.6) with SEs about 0.7: the gap narrowed, by D and by SII.
    #[test]
    fn two_dates_say_the_gap_narrowed() {
        let s = series(&[rows("2023", 28.0, 1.6, 0.5), rows("2019", 16.0, 4.0, 0.5)]);
        assert_eq!(s.len(), 1);
        let t = &s[0];
        assert_eq!(t.dates, ["2019", "2023"]);
        assert_eq!(t.indicator, "Uptake %");
        assert_eq!(t.subgroups.len(), 5);
        assert_eq!(t.subgroups[0].label, "Q1");
        assert_eq!(t.subgroups[0].values, [Some(20.0), Some(29.6)]);
        let d = measure(t, MeasureId::D);
        let (first, last) = (d.values[0].unwrap().value, d.values[1].unwrap().value);
        assert!((first.abs() - 16.0).abs() < 1e-9 && (last.abs() - 6.4).abs() < 1e-9);
        assert_eq!(d.change.verdict, Verdict::Narrowed);
        assert_eq!(t.headline, MeasureId::Sii);
        assert_eq!(
            t.verdict,
            Verdict::Narrowed,
            "{:?}",
            measure(t, MeasureId::Sii).change
        );
        assert_eq!(t.verdict_words, "the gap narrowed");
        // The change is the last date's value minus the first's.
        assert!((d.change.difference.value.unwrap() - (last - first)).abs() < 1e-9);
        // Two dates are too few for a trend: said so.
        assert_eq!(d.trend.marker, Marker::CannotBeCalculated);
        assert!(d.trend.reason.starts_with("fewer than 5 points"));
        // RII's change is a ratio of ratios.
        let rii = measure(t, MeasureId::Rii);
        let (a, b) = (rii.values[0].unwrap().value, rii.values[1].unwrap().value);
        assert!((rii.change.difference.value.unwrap() - b / a).abs() < 1e-9);
    }

    /// Five years of a shrinking gradient with tight SEs: the SII's recent trend is tested
    /// (weighted regression on its limits) and is significant; an unchanged gradient is not.
    #[test]
    fn five_years_give_a_trend() {
        let years = ["2019", "2020", "2021", "2022", "2023"];
        let shrinking: Vec<Vec<String>> = years
            .iter()
            .zip([4.0, 3.5, 3.0, 2.5, 2.0])
            .map(|(y, step)| rows(y, 20.0, step, 0.1))
            .collect();
        let t = &series(&shrinking)[0];
        let sii = measure(t, MeasureId::Sii);
        assert_ne!(
            sii.trend.marker,
            Marker::CannotBeCalculated,
            "{:?}",
            sii.trend
        );
        let rising = sii.values[4].unwrap().value > sii.values[0].unwrap().value;
        assert_eq!(
            sii.trend.marker,
            if rising {
                Marker::Increasing
            } else {
                Marker::Decreasing
            }
        );
        assert_eq!(t.verdict, Verdict::Narrowed);
        // A measure Fingertips has no method for says so.
        let ti = measure(t, MeasureId::Ti);
        assert_eq!(
            ti.trend.reason,
            "Fingertips publishes no recent-trend method for this value type"
        );
        let flat: Vec<Vec<String>> = years.iter().map(|y| rows(y, 20.0, 3.0, 0.1)).collect();
        let t = &series(&flat)[0];
        let sii = measure(t, MeasureId::Sii);
        assert_eq!(
            sii.trend.marker,
            Marker::NoSignificantChange,
            "{:?}",
            sii.trend
        );
        assert_eq!(t.verdict, Verdict::NoSignificantChange);
    }

    #[test]
    fn one_date_is_no_series_and_other_dates_keep_the_files_order() {
        assert!(series(&[rows("2019", 16.0, 4.0, 0.5)]).is_empty());
        let s = series(&[
            rows("Wave 2", 28.0, 1.6, 0.5),
            rows("Wave 1", 16.0, 4.0, 0.5),
        ]);
        assert_eq!(s[0].dates, ["Wave 2", "Wave 1"]);
        assert_eq!(
            measure(&s[0], MeasureId::Sii).trend.reason,
            "the dates are not all years or ranges of years, so no trend is tested"
        );
    }
}
