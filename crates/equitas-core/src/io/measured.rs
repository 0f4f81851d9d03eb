//! The data page's model: a HEAT Plus file measured, as a reader sees it. Each table
//! (setting × date × source × indicator × dimension) has all 21 measures with their names and
//! what they tell you, and a chart of its subgroups (whiskers, ridits, the SII line, the D
//! bracket, the notes under it); the file has the method and confidence level named and the
//! glossary of the measures. The browser's data page draws it (`measureHeatPlus` returns it)
//! and works nothing out again: numbers are formatted by the drawing, everything else is here.
//!
//! ```
//! use equitas_core::io::heat_plus;
//! use equitas_core::io::measured::measure_file;
//! use equitas_core::measures::Options;
//!
//! let csv = "setting,date,source,indicator_abbr,indicator_name,dimension,subgroup,estimate,\
//!            se,population,favourable_indicator,indicator_scale,ordered_dimension,\
//!            subgroup_order,reference_subgroup\n\
//!            Area,2024,Synthetic,smk,Smoking %,IMD quintile,Q1,24,1.2,1000,0,100,1,1,0\n\
//!            Area,2024,Synthetic,smk,Smoking %,IMD quintile,Q2,19,1.1,1200,0,100,1,2,0\n\
//!            Area,2024,Synthetic,smk,Smoking %,IMD quintile,Q3,12,0.9,1100,0,100,1,3,0\n";
//! let strata = heat_plus::read(csv.as_bytes())?;
//! let file = measure_file(&strata, &Options::default());
//! assert_eq!((file.method, file.level, file.glossary.len()), ("WHO HEAT version 6", 95.0, 21));
//! let table = &file.tables[0];
//! assert_eq!(table.indicator, "Smoking %");
//! assert_eq!(table.measures.len(), 21);
//! // Ordered, with every population: each subgroup sits at the middle of its population share.
//! let ridits: Vec<f64> = table.chart.points.iter().filter_map(|p| p.ridit).collect();
//! assert_eq!(ridits.len(), 3);
//! assert!(ridits[0] < ridits[1] && ridits[1] < ridits[2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::heat_plus::{HeatPlusStratum, StratumKey};
use super::series::{SeriesTable, time_series};
use crate::assessment::Evidence;
use crate::measures::chart::part::{label, text};
use crate::measures::chart::{Chart, ChartMeasures, ChartPoint, Note, Whisker};
use crate::measures::names::{MEASURES, MeasureInfo, MeasureLine};
use crate::measures::sii_line::{FingertipsInput, SiiLine, drawn, line_note};
use crate::measures::{Compat, Estimate, MeasureId, Options, compute_many};

/// A HEAT Plus file measured, as the data page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasuredFile {
    /// The method the measures follow, named: `"WHO HEAT version 6"`, `"WHO healthequal"` or
    /// `"corrected"`.
    pub method: &'static str,
    /// The confidence level of the measures' intervals, in per cent to one decimal place (95,
    /// say).
    pub level: f64,
    /// Every measure's names and what it tells you, in HEAT's order.
    pub glossary: Vec<MeasureInfo>,
    /// One per stratum, in the order read.
    pub tables: Vec<MeasuredTable>,
    /// The time series: each setting × source × indicator × dimension with tables for two or
    /// more dates, over its dates ([`super::series`]); empty when every one has a single date.
    pub series: Vec<SeriesTable>,
}

/// One stratum measured: its 21 measures with their names, and a chart of its subgroups.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct MeasuredTable {
    /// Which stratum.
    pub key: StratumKey,
    /// The indicator's name (its first subgroup's), or its short id when it has none.
    pub indicator: String,
    /// Whether the dimension has a natural order.
    pub ordered: bool,
    /// Whether higher values are better.
    pub favourable: bool,
    /// The 21 measures, in HEAT's order, each with its value or why there is none.
    pub measures: Vec<MeasureLine>,
    /// Every subgroup as a chart draws it: by order for an ordered dimension, in the file's
    /// order otherwise (numbered from 1), with whiskers (95%: the limits given, else from the
    /// standard error), and the setting average.
    pub chart: Chart,
    /// The stratum as an assessment's evidence table holds it, for the data page's "Use these
    /// numbers": the indicator, which way is better and the scale, and per subgroup in the
    /// file's order its dimension, label, order (0 for an unordered dimension), estimate,
    /// population, standard error, the limits as the file gives them, and the reference flag.
    pub evidence: Evidence,
    /// The SII by both methods, for an ordered dimension (empty otherwise): the Fingertips
    /// method first, the default in England, then WHO HEAT's as chosen (`sii_method`), each
    /// naming its method and saying what its interval includes.
    pub sii: Vec<SiiLine>,
}

/// The Fingertips SII of an ordered stratum ([`SiiLine::fingertips`]), from its subgroups'
/// values, populations, standard errors and the limits the file gives.
fn fingertips_sii(h: &HeatPlusStratum, options: &Options) -> SiiLine {
    SiiLine::fingertips(
        h.stratum.subgroups.iter().enumerate().map(|(j, g)| {
            let extras = h.extras.get(j);
            FingertipsInput {
                label: &g.label,
                order: g.order,
                estimate: g.estimate,
                population: g.population,
                se: g.se,
                lower: extras.and_then(|x| x.ci_lb),
                upper: extras.and_then(|x| x.ci_ub),
            }
        }),
        options.confidence,
    )
}

/// The method `compat` follows, as the page names it.
const fn method(compat: Compat) -> &'static str {
    match compat {
        Compat::HeatV6 => "WHO HEAT version 6",
        Compat::Healthequal => "WHO healthequal",
        Compat::Corrected => "corrected",
    }
}

/// All 21 measures of every stratum, with names and a chart each.
#[must_use]
pub fn measure_file(strata: &[HeatPlusStratum], options: &Options) -> MeasuredFile {
    let level = (options.confidence * 1000.0).round() / 10.0;
    let mut file = MeasuredFile {
        method: method(options.compat),
        level,
        glossary: MEASURES.to_vec(),
        tables: strata
            .iter()
            .map(|h| measure_table(h, options, level))
            .collect(),
        series: Vec::new(),
    };
    file.series = time_series(&file, options.confidence);
    file
}

/// One stratum's measures and chart; `level` is the measures' confidence level in per cent.
fn measure_table(h: &HeatPlusStratum, options: &Options, level: f64) -> MeasuredTable {
    let s = &h.stratum;
    let measures: Vec<MeasureLine> = compute_many(s, &MeasureId::ALL, options)
        .into_iter()
        .map(|(m, r)| match r {
            Ok(e) => MeasureLine::new(m.info(), Some(e), None),
            Err(reason) => MeasureLine::new(m.info(), None, Some(reason.to_string())),
        })
        .collect();
    let mut points = Vec::with_capacity(s.subgroups.len());
    for (j, g) in s.subgroups.iter().enumerate() {
        let extras = h.extras.get(j);
        let order = if s.ordered {
            g.order
        } else {
            u32::try_from(j + 1).unwrap_or(u32::MAX)
        };
        points.push(ChartPoint::new(
            g.label.clone(),
            order,
            g.estimate,
            g.se,
            g.population,
            g.reference,
            (extras.and_then(|x| x.ci_lb), extras.and_then(|x| x.ci_ub)),
        ));
    }
    crate::sort::sort_by_key(&mut points, |p| p.order);
    let value = |id: MeasureId| -> Option<Estimate> {
        measures
            .iter()
            .find(|m| m.measure == id)
            .and_then(|m| m.value)
    };
    let sii = if s.ordered {
        sii_lines(h, options, &measures)
    } else {
        Vec::new()
    };
    let line = drawn(&sii);
    let (sii_value, rii) = line.map_or((None, None), SiiLine::for_chart);
    let mut chart = Chart::new(
        points,
        ChartMeasures {
            ordered: s.ordered,
            d: value(MeasureId::D).map(|e| e.value),
            sii: sii_value,
            level,
            rii,
            average: s.setting_average,
        },
    );
    chart.notes = notes(&chart, s.ordered, line.map_or("", |l| l.method));
    let indicator = h
        .extras
        .first()
        .map(|x| x.indicator_name.as_str())
        .filter(|name| !name.is_empty())
        .unwrap_or(&h.key.indicator_abbr)
        .to_owned();
    let evidence = evidence_of(h, &indicator);
    MeasuredTable {
        key: h.key.clone(),
        evidence,
        sii,
        indicator,
        ordered: s.ordered,
        favourable: s.favourable,
        measures,
        chart,
    }
}

/// The stratum as an assessment's evidence table, for the form's "Use these numbers".
fn evidence_of(h: &HeatPlusStratum, indicator: &str) -> Evidence {
    let s = &h.stratum;
    Evidence {
        indicator: Some(indicator.to_owned()),
        favourable: s.favourable,
        scale: s.scale,
        rows: (0..s.subgroups.len())
            .map(|j| super::evidence::stratum_row(h, j))
            .collect(),
    }
}

/// An ordered stratum's SII by both methods: the Fingertips method first, then HEAT's.
fn sii_lines(h: &HeatPlusStratum, options: &Options, measures: &[MeasureLine]) -> Vec<SiiLine> {
    let line = |id| measures.iter().find(|m| m.measure == id);
    let heat = line(MeasureId::Sii).map_or_else(
        || Err("not computed".to_owned()),
        |m| match (m.value, &m.reason) {
            (Some(e), _) => Ok((e.value, e.lower, e.upper)),
            (None, reason) => Err(reason.clone().unwrap_or_default()),
        },
    );
    let rii = line(MeasureId::Rii).and_then(|m| m.value).map(|e| e.value);
    vec![
        fingertips_sii(h, options),
        SiiLine::heat(options.sii_method, heat, rii),
    ]
}

/// How to read a table's chart, in the data page's words.
fn notes(chart: &Chart, ordered: bool, method: &'static str) -> Vec<Note> {
    let mut notes = Vec::new();
    if chart.any_whisker(Some(Whisker::Given)) {
        notes.push(vec![text(
            "Whiskers are the 95% confidence limits given in the file.",
        )]);
    }
    if chart.any_whisker(Some(Whisker::Se)) {
        notes.push(vec![text(
            "Where the file gives a standard error but no limits, the whisker is the estimate \
             ± 1.96 × the standard error (95%).",
        )]);
    }
    if chart.any_whisker(None) {
        notes.push(vec![text(
            "Subgroups without a standard error or limits have no whisker.",
        )]);
    }
    if chart.points.iter().any(|p| p.reference) {
        notes.push(vec![text("The square marks the reference subgroup.")]);
    }
    if let Some(d) = &chart.difference {
        notes.push(vec![
            text("The bracket marks the difference (D) between "),
            label(d.from),
            text(" and "),
            label(d.to),
            text("."),
        ]);
    }
    match chart.sii.map(|s| s.line()) {
        Some(Some(_)) => notes.extend(line_note(chart, method)),
        Some(None) => notes.push(vec![text(
            "The slope index of inequality (SII) is written above the chart but not drawn: the \
             line needs the RII as well, and it could not be computed here (or is 1, no \
             gradient).",
        )]),
        None => {}
    }
    if !ordered {
        notes.push(vec![text(
            "This dimension has no natural order: subgroups are shown in the order of the file.",
        )]);
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::heat_plus;
    use crate::measures::sii_line::FINGERTIPS_SII;

    const HEADER: &str = "setting,date,source,indicator_abbr,indicator_name,dimension,subgroup,\
                          estimate,se,ci_lb,ci_ub,population,favourable_indicator,\
                          indicator_scale,ordered_dimension,subgroup_order,reference_subgroup";

    fn read(rows: &[&str]) -> Vec<HeatPlusStratum> {
        let csv = format!("{HEADER}\n{}\n", rows.join("\n"));
        heat_plus::read(csv.as_bytes()).unwrap()
    }

    fn file(rows: &[&str], options: &Options) -> MeasuredFile {
        measure_file(&read(rows), options)
    }

    fn words(chart: &Chart, note: &Note) -> String {
        chart.words(note, |v, dp| format!("{v:.*}", usize::from(dp)))
    }

    /// "Use these numbers": each subgroup as an evidence row, in the file's order, the limits
    /// as given (none made from the standard error), order 0 when the dimension is unordered.
    #[test]
    fn each_table_carries_its_subgroups_as_evidence_rows() {
        let options = Options::default().with_seed(7);
        let f = file(
            &[
                "A,2024,S,x,Uptake %,IMD,Q2,40,1,38,42,100,1,100,1,2,0",
                "A,2024,S,x,Uptake %,IMD,Q1,30,1.5,,,90,1,100,1,1,0",
                "A,2024,S,x,Uptake %,Sex,Male,14,1,,,120,1,100,0,0,1",
                "A,2024,S,x,Uptake %,Sex,Female,10,1,,,100,1,100,0,0,0",
            ],
            &options,
        );
        let imd = &f.tables[0].evidence;
        assert_eq!(imd.indicator.as_deref(), Some("Uptake %"));
        assert!(imd.favourable);
        assert_eq!(imd.scale, 100.0);
        let row = |e: &Evidence, i: usize| {
            let r = &e.rows[i];
            (
                r.dimension.clone(),
                r.subgroup.clone(),
                r.order,
                r.estimate,
                r.lower,
                r.upper,
            )
        };
        assert_eq!(
            row(imd, 0),
            (
                "IMD".into(),
                "Q2".into(),
                2,
                Some(40.0),
                Some(38.0),
                Some(42.0)
            )
        );
        assert_eq!(
            row(imd, 1),
            ("IMD".into(), "Q1".into(), 1, Some(30.0), None, None)
        );
        assert_eq!(imd.rows[1].se, Some(1.5));
        assert_eq!(imd.rows[1].population, Some(90.0));
        let sex = &f.tables[1].evidence;
        assert_eq!(
            row(sex, 0),
            ("Sex".into(), "Male".into(), 0, Some(14.0), None, None)
        );
        assert!(sex.rows[0].reference && !sex.rows[1].reference);
    }

    /// Issue 16 item 5: an ordered table gives the SII by both methods, Fingertips first, each
    /// named with what its interval includes; HEAT's logistic interval, from the populations
    /// alone, is the narrower for large populations; the Fingertips value is `phe_sii`'s.
    /// Five quintiles, then an unordered dimension.
    const QUINTILES: [&str; 7] = [
        "A,2024,S,x,Uptake %,IMD,Q1,68.2,0.9,,,21400,1,100,1,1,0",
        "A,2024,S,x,Uptake %,IMD,Q2,72.5,0.8,,,23900,1,100,1,2,0",
        "A,2024,S,x,Uptake %,IMD,Q3,76.1,0.7,,,26800,1,100,1,3,0",
        "A,2024,S,x,Uptake %,IMD,Q4,78.9,0.7,,,28100,1,100,1,4,0",
        "A,2024,S,x,Uptake %,IMD,Q5,81.4,0.6,,,29700,1,100,1,5,0",
        "A,2024,S,x,Uptake %,Sex,Male,14,1,,,120,1,100,0,0,1",
        "A,2024,S,x,Uptake %,Sex,Female,10,1,,,100,1,100,0,0,0",
    ];

    #[test]
    fn an_ordered_table_gives_the_sii_by_both_methods() {
        let options = Options::default().with_seed(7);
        let rows = QUINTILES;
        let f = file(&rows, &options);
        let sii = &f.tables[0].sii;
        assert_eq!(sii.len(), 2);
        assert_eq!(sii[0].method, FINGERTIPS_SII);
        assert!(
            sii[0]
                .interval
                .contains("each subgroup's own confidence interval")
        );
        assert_eq!(sii[1].method, "WHO HEAT: logistic regression");
        assert!(
            sii[1]
                .interval
                .contains("not from the subgroups' own intervals")
        );
        let (fv, fl, fu) = (
            sii[0].value.unwrap(),
            sii[0].lower.unwrap(),
            sii[0].upper.unwrap(),
        );
        let (hv, hl, hu) = (
            sii[1].value.unwrap(),
            sii[1].lower.unwrap(),
            sii[1].upper.unwrap(),
        );
        assert!(fl < fv && fv < fu && hl < hv && hv < hu);
        assert!(
            fu - fl > hu - hl,
            "Fingertips {fl}..{fu} vs HEAT {hl}..{hu}"
        );
        // The same as phe_sii on the same rows.
        use crate::measures::phe::sii::{SiiOptions, SiiRow, phe_sii};
        let direct: Vec<SiiRow> = read(&rows)[0]
            .stratum
            .subgroups
            .iter()
            .map(|g| SiiRow {
                quantile: g.order,
                population: g.population.unwrap(),
                value: g.estimate.unwrap(),
                se: g.se,
                lower_cl: None,
                upper_cl: None,
            })
            .collect();
        let r = phe_sii(
            &direct,
            &SiiOptions {
                seed: 7,
                ..SiiOptions::default()
            },
        )
        .unwrap();
        // The closed form: the same SII, and limits within the simulation's error of the
        // Monte Carlo ones (100,000 draws).
        assert!((r.sii.unwrap() - fv).abs() < 1e-9, "{:?} vs {fv}", r.sii);
        let (ml, mu) = (
            r.intervals[0].sii_lower.unwrap(),
            r.intervals[0].sii_upper.unwrap(),
        );
        assert!((ml - fl).abs() < 0.02 * (fu - fl), "{ml} vs {fl}");
        assert!((mu - fu).abs() < 0.02 * (fu - fl), "{mu} vs {fu}");
        // An unordered dimension has no SII; a subgroup without a population has no
        // Fingertips SII, and says why.
        assert!(f.tables[1].sii.is_empty());
        let mut gap = rows[..5].to_vec();
        gap[2] = "A,2024,S,x,Uptake %,IMD,Q3,76.1,0.7,,,,1,100,1,3,0";
        let g = file(&gap, &options);
        assert_eq!(
            g.tables[0].sii[0].reason.as_deref(),
            Some("subgroup \"Q3\" has no estimate or no population")
        );
        let four = file(&rows[..4], &options);
        assert_eq!(
            four.tables[0].sii[0].reason.as_deref(),
            Some("the Fingertips method needs 5 to 100 subgroups; this table has 4")
        );
        let mut no_se = rows[..5].to_vec();
        no_se[0] = "A,2024,S,x,Uptake %,IMD,Q1,68.2,,,,21400,1,100,1,1,0";
        assert_eq!(
            file(&no_se, &options).tables[0].sii[0].reason.as_deref(),
            Some("subgroup \"Q1\" has no standard error or limits")
        );
    }

    /// The chart draws the Fingertips line, the default, and its note names the method; its
    /// ends are the Fingertips fit's, so its slope is that SII.
    #[test]
    fn the_chart_draws_the_fingertips_line_when_it_can() {
        let f = file(&QUINTILES, &Options::default().with_seed(7));
        let fingertips = &f.tables[0].sii[0];
        let chart = &f.tables[0].chart;
        let label = chart.sii.unwrap();
        assert_eq!(
            (Some(label.value), label.lower, label.upper),
            (fingertips.value, fingertips.lower, fingertips.upper)
        );
        let (at0, at1) = label.line().unwrap();
        let fv = fingertips.value.unwrap();
        assert!((at1 - at0 - fv).abs() < 1e-9, "{at0} {at1} {fv}");
        assert!((at1 / at0 - fingertips.rii.unwrap()).abs() < 1e-9);
        let notes: Vec<String> = chart.notes.iter().map(|n| words(chart, n)).collect();
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("the SII by {FINGERTIPS_SII}."))),
            "{notes:?}"
        );
    }

    #[test]
    fn the_measures_are_the_engines_with_their_names() {
        let options = Options::default().with_seed(7);
        let rows = [
            "A,2024,S,x,,Sex,Female,10,1,,,100,1,100,0,0,0",
            "A,2024,S,x,,Sex,Male,14,1,,,120,1,100,0,0,1",
        ];
        let f = file(&rows, &options);
        assert_eq!(f.glossary, MEASURES.to_vec());
        let t = &f.tables[0];
        // No indicator name: its short id.
        assert_eq!(t.indicator, "x");
        let strata = read(&rows);
        let flat = heat_plus::measure_all(&strata, &MeasureId::ALL, &options);
        assert_eq!(t.measures.len(), flat.len());
        for (line, r) in t.measures.iter().zip(&flat) {
            assert_eq!(line.measure, r.measure);
            assert_eq!(
                (line.abbr, line.name),
                (r.measure.info().abbr, r.measure.info().name)
            );
            assert_eq!(line.value.map(|e| e.value), r.estimate, "{:?}", r.measure);
            assert_eq!(line.value.and_then(|e| e.lower), r.ci_lb, "{:?}", r.measure);
            assert_eq!(line.reason, r.reason, "{:?}", r.measure);
        }
        // Not ordered: file order, numbered from 1, no D bracket, and the page says so.
        let c = &t.chart;
        let orders: Vec<u32> = c.points.iter().map(|p| p.order).collect();
        assert_eq!(orders, [1, 2]);
        assert!(c.difference.is_none() && c.sii.is_none() && c.ridit_axis.is_none());
        let notes: Vec<String> = c.notes.iter().map(|n| words(c, n)).collect();
        assert_eq!(
            notes,
            [
                "Where the file gives a standard error but no limits, the whisker is the \
                 estimate ± 1.96 × the standard error (95%).",
                "The square marks the reference subgroup.",
                "This dimension has no natural order: subgroups are shown in the order of the \
                 file.",
            ]
        );
    }

    #[test]
    fn an_ordered_table_is_charted_by_order_with_its_line_and_bracket() {
        let options = Options::default()
            .with_confidence(0.9)
            .with_compat(Compat::Corrected);
        let f = file(
            &[
                "A,2024,S,x,Rate,IMD,Q3,30,,28,32,300,1,100,1,3,0",
                "A,2024,S,x,Rate,IMD,Q1,20,1,,,100,1,100,1,1,0",
                "A,2024,S,x,Rate,IMD,Q2,25,,,,200,1,100,1,2,0",
            ],
            &options,
        );
        assert_eq!((f.method, f.level), ("corrected", 90.0));
        let t = &f.tables[0];
        assert_eq!(t.indicator, "Rate");
        let c = &t.chart;
        let labels: Vec<&str> = c.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["Q1", "Q2", "Q3"]);
        let whiskers: Vec<Option<Whisker>> = c.points.iter().map(|p| p.whisker).collect();
        assert_eq!(whiskers, [Some(Whisker::Se), None, Some(Whisker::Given)]);
        let sii = t
            .measures
            .iter()
            .find(|m| m.measure == MeasureId::Sii)
            .unwrap();
        let label = c.sii.as_ref().unwrap();
        assert_eq!(
            label.level, 90.0,
            "the SII's limits are at the file's level"
        );
        assert_eq!(Some(label.value), sii.value.map(|e| e.value));
        let d = c.difference.as_ref().unwrap();
        assert_eq!((d.from, d.to), (0, 2));
        let notes: Vec<String> = c.notes.iter().map(|n| words(c, n)).collect();
        assert_eq!(notes.len(), 5, "{notes:?}");
        assert_eq!(
            notes[..4],
            [
                "Whiskers are the 95% confidence limits given in the file.",
                "Where the file gives a standard error but no limits, the whisker is the \
                 estimate ± 1.96 × the standard error (95%).",
                "Subgroups without a standard error or limits have no whisker.",
                "The bracket marks the difference (D) between Q1 and Q3.",
            ]
        );
        let (at0, at1) = c.sii.unwrap().line().unwrap();
        // Three subgroups are too few for the Fingertips method, so the line is HEAT's, named.
        assert!(
            notes[4].contains("the SII by WHO HEAT: logistic regression."),
            "{notes:?}"
        );
        assert!(
            notes[4].ends_with(&format!(
                "{:.2} and {:.2} (from its SII and RII), so its slope is the SII ({:.1}).",
                at0, at1, label.value
            )),
            "{notes:?}"
        );
    }
}
