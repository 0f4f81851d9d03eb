//! The geometry of a chart of subgroup estimates, computed here so that every drawing of it
//! (the browser's SVG) shows what the engine computed: the subgroups in the order drawn, each
//! one's confidence interval (the one given, or the estimate ± 1.96 standard errors), each one's
//! ridit (the middle of its share of the population, for the SII's axis), the shares' edges,
//! the SII line's ends, the difference (D) bracket and the notes under it. (The measures' names
//! are the model's: [`names`](super::names).)
//!
//! Pixels, axis ticks and number formatting are the drawing's business, not this module's: a
//! [`Note`] holds its numbers as numbers, for the drawing to format, and names points by index.

use serde::Serialize;

use super::intervals::Z95;

/// Where a subgroup's whisker (its 95% interval) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Whisker {
    /// The limits given with the estimate.
    Given,
    /// The estimate ± [`Z95`] standard errors.
    Se,
}

/// One subgroup as a chart draws it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ChartPoint {
    /// The subgroup's label.
    pub label: String,
    /// Its position (1 = most disadvantaged in an ordered dimension), as the chart's table
    /// shows it; the points are in this order.
    pub order: u32,
    /// Its estimate; `None` when missing (no mark is drawn).
    pub estimate: Option<f64>,
    /// Its standard error, as given.
    pub se: Option<f64>,
    /// Its population, as given.
    pub population: Option<f64>,
    /// Whether it is the dimension's reference subgroup.
    pub reference: bool,
    /// The lower end of its whisker.
    pub lower: Option<f64>,
    /// The upper end of its whisker.
    pub upper: Option<f64>,
    /// Where the whisker comes from; `None` when there is none. (The chart's notes say it in
    /// words, so it is not written out.)
    #[serde(skip)]
    pub whisker: Option<Whisker>,
    /// The middle of its share of the population on the ridit scale (0 = the most
    /// disadvantaged end, 1 = the least), when the chart has the SII's axis.
    pub ridit: Option<f64>,
}

impl ChartPoint {
    /// A subgroup with its whisker: the limits given when both are finite, else the estimate ±
    /// [`Z95`] standard errors when both are finite, else none.
    #[must_use]
    pub fn new(
        label: String,
        order: u32,
        estimate: Option<f64>,
        se: Option<f64>,
        population: Option<f64>,
        reference: bool,
        limits: (Option<f64>, Option<f64>),
    ) -> Self {
        let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
        let (lower, upper, whisker) = match (finite(limits.0), finite(limits.1)) {
            (Some(lo), Some(hi)) => (Some(lo), Some(hi), Some(Whisker::Given)),
            _ => match (finite(estimate), finite(se)) {
                (Some(e), Some(s)) => (Some(e - Z95 * s), Some(e + Z95 * s), Some(Whisker::Se)),
                _ => (None, None, None),
            },
        };
        Self {
            label,
            order,
            estimate,
            se,
            population,
            reference,
            lower,
            upper,
            whisker,
            ridit: None,
        }
    }
}

/// How the x axis is labelled when the points sit at their ridits.
pub const RIDIT_AXIS: &str = "Position in the population (ridit), most to least disadvantaged";

/// The difference (D) between the two ends of an ordered dimension, as a bracket between two
/// of the chart's points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Bracket {
    /// D.
    pub value: f64,
    /// The index in [`Chart::points`] of one end (the first point).
    pub from: usize,
    /// The index of the other end (the last point).
    pub to: usize,
}

/// The SII as a chart shows it: written above the plot and, when its ends can be told, drawn
/// as a line. The line joins the values the SII's model fits at the two ends of the ridit
/// scale: v₀ = SII / (RII − 1) at 0 and v₁ = RII · v₀ at 1 (SII = v₁ − v₀ and RII = v₁ / v₀
/// for either fit), so its slope is the SII. (For a logistic fit the model itself is a curve
/// through those ends; the line is the SII, not the curve.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SiiLabel {
    /// The SII.
    pub value: f64,
    /// Its lower confidence limit.
    pub lower: Option<f64>,
    /// Its upper confidence limit.
    pub upper: Option<f64>,
    /// The confidence level of the limits, in per cent (95, say).
    pub level: f64,
    /// The line's fitted value at ridit 0 (the most disadvantaged end); `None`, as is `at1`,
    /// when there is no line: the RII was not computed or is 1 (no gradient), a population is
    /// missing, or the ends overflow.
    pub at0: Option<f64>,
    /// The line's fitted value at ridit 1 (the least disadvantaged end).
    pub at1: Option<f64>,
}

impl SiiLabel {
    /// The line's ends, when it is drawn.
    #[must_use]
    pub fn line(&self) -> Option<(f64, f64)> {
        self.at0.zip(self.at1)
    }
}

/// A piece of a note: text, a number for the drawing to format, or a point's label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(untagged)]
pub enum NotePart {
    /// Text, as it is shown.
    Text(&'static str),
    /// A number, shown with at most `dp` decimal places.
    Number {
        /// The number.
        value: f64,
        /// The most decimal places to show.
        dp: u8,
    },
    /// The label of the chart's point at this index in [`Chart::points`].
    Label {
        /// The point's index.
        point: usize,
    },
}

/// A sentence under a chart saying how to read it, in parts.
pub type Note = Vec<NotePart>;

/// Builders of a note's parts, so that the pages' notes read as the sentences they are.
pub mod part {
    use super::NotePart;

    /// Text, as it is shown.
    #[must_use]
    pub const fn text(s: &'static str) -> NotePart {
        NotePart::Text(s)
    }

    /// A number, shown with at most `dp` decimal places.
    #[must_use]
    pub const fn number(value: f64, dp: u8) -> NotePart {
        NotePart::Number { value, dp }
    }

    /// The label of the chart's point at index `point`.
    #[must_use]
    pub const fn label(point: usize) -> NotePart {
        NotePart::Label { point }
    }
}

/// A chart of a dimension's subgroup estimates with their intervals and the engine's measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Chart {
    /// The subgroups, in the order drawn (left to right).
    pub points: Vec<ChartPoint>,
    /// The x axis's label when the points sit at their ridits ([`RIDIT_AXIS`]); `None` when they
    /// are spaced evenly in their order.
    pub ridit_axis: Option<&'static str>,
    /// Where one subgroup's share of the population ends and the next one's begins, on the
    /// ridit scale (0 to 1), when the points have ridits; subgroups of the same order share
    /// one share.
    pub edges: Vec<f64>,
    /// The difference (D) bracket, for an ordered dimension whose D was computed.
    pub difference: Option<Bracket>,
    /// The SII written above the plot and drawn as a line, for an ordered dimension whose SII
    /// was computed.
    pub sii: Option<SiiLabel>,
    /// The setting's average, drawn as a reference line, when given.
    pub average: Option<f64>,
    /// How to read the chart: where the whiskers come from, what the marks, the bracket and
    /// the line are. Each model words its own (a file's limits, an assessment's interval).
    #[cfg_attr(feature = "ts", tsify(type = "NotePart[][]"))]
    pub notes: Vec<Note>,
}

/// What a chart shows besides its points: the ordered measures, when computed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChartMeasures {
    /// Whether the dimension is ordered (only then are D, the SII and its line drawn).
    pub ordered: bool,
    /// The difference (D).
    pub d: Option<f64>,
    /// The SII with its limits.
    pub sii: Option<(f64, Option<f64>, Option<f64>)>,
    /// The confidence level of the SII's limits, in per cent.
    pub level: f64,
    /// The RII, which with the SII gives the line's ends.
    pub rii: Option<f64>,
    /// The setting's average.
    pub average: Option<f64>,
}

impl Chart {
    /// The chart of `points`, already in the order they are drawn, with the measures of
    /// `measures`: the D bracket from the first point to the last, and, when the SII and RII
    /// allow, every point's ridit, the shares' edges and the SII line. It has no notes yet.
    #[must_use]
    pub fn new(mut points: Vec<ChartPoint>, measures: ChartMeasures) -> Self {
        let ChartMeasures {
            ordered,
            d,
            sii,
            level,
            rii,
            average,
        } = measures;
        let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
        let mut sii = sii
            .filter(|(value, _, _)| ordered && value.is_finite())
            .map(|(value, lower, upper)| SiiLabel {
                value,
                lower,
                upper,
                level,
                at0: None,
                at1: None,
            });
        let difference = match finite(d) {
            Some(value) if ordered && points.len() >= 2 => Some(Bracket {
                value,
                from: 0,
                to: points.len() - 1,
            }),
            _ => None,
        };
        let mut edges = Vec::new();
        let mut ridits = false;
        if let (Some(s), Some(r)) = (&mut sii, finite(rii)) {
            ridits = self::ridits(&mut points, &mut edges, s, r);
        }
        Self {
            points,
            ridit_axis: ridits.then_some(RIDIT_AXIS),
            edges,
            difference,
            sii,
            average: finite(average),
            notes: Vec::new(),
        }
    }

    /// A note of this chart in words, its numbers written by `number` (`value`, decimal
    /// places): what a drawing shows.
    #[must_use]
    pub fn words(&self, note: &[NotePart], number: impl Fn(f64, u8) -> String) -> String {
        let mut out = String::new();
        for part in note {
            match *part {
                NotePart::Text(t) => out.push_str(t),
                NotePart::Number { value, dp } => out.push_str(&number(value, dp)),
                NotePart::Label { point } => {
                    out.push_str(self.points.get(point).map_or("", |p| p.label.as_str()));
                }
            }
        }
        out
    }

    /// Whether any point's whisker comes from `whisker` (`None`: any point has none).
    #[must_use]
    pub fn any_whisker(&self, whisker: Option<Whisker>) -> bool {
        self.points.iter().any(|p| p.whisker == whisker)
    }
}

/// Sets each point's ridit, lists the shares' edges and sets the SII line's ends in `sii`;
/// `false`, with no ridits, when the RII is 1 (no gradient: the ends cannot be told apart), a
/// population is missing or negative, or they add up to nothing. Points of the same order (next
/// to each other, as they are sorted) share one share and one ridit. The line is left out when
/// its ends overflow.
fn ridits(points: &mut [ChartPoint], edges: &mut Vec<f64>, sii: &mut SiiLabel, rii: f64) -> bool {
    if (rii - 1.0).abs() < 1e-12 {
        return false;
    }
    let mut total = 0.0;
    for p in points.iter() {
        match p.population {
            Some(n) if n.is_finite() && n >= 0.0 => total += n,
            _ => return false,
        }
    }
    if total <= 0.0 {
        return false;
    }
    let mut below = 0.0;
    let mut previous: Option<f64> = None;
    let mut i = 0;
    while i < points.len() {
        let order = points[i].order;
        let mut j = i;
        let mut share = 0.0;
        while j < points.len() && points[j].order == order {
            share += points[j].population.unwrap_or(0.0) / total;
            j += 1;
        }
        let ridit = below + share / 2.0;
        // An edge between two shares, unless both are empty and so sit at one ridit.
        if previous.is_some_and(|p| p != ridit) {
            edges.push(below);
        }
        for p in &mut points[i..j] {
            p.ridit = Some(ridit);
        }
        previous = Some(ridit);
        below += share;
        i = j;
    }
    let at0 = sii.value / (rii - 1.0);
    let at1 = rii * at0;
    if at0.is_finite() && at1.is_finite() {
        sii.at0 = Some(at0);
        sii.at1 = Some(at1);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(order: u32, estimate: f64, population: Option<f64>) -> ChartPoint {
        ChartPoint::new(
            format!("Q{order}"),
            order,
            Some(estimate),
            Some(1.0),
            population,
            false,
            (None, None),
        )
    }

    fn ordered(sii: f64, rii: f64) -> ChartMeasures {
        ChartMeasures {
            ordered: true,
            d: Some(3.0),
            sii: Some((sii, None, None)),
            level: 95.0,
            rii: Some(rii),
            average: None,
        }
    }

    #[test]
    fn whiskers_are_the_limits_given_else_from_the_standard_error_else_none() {
        let given = ChartPoint::new(
            "a".into(),
            1,
            Some(10.0),
            Some(1.0),
            None,
            false,
            (Some(8.0), Some(12.5)),
        );
        assert_eq!(
            (given.lower, given.upper, given.whisker),
            (Some(8.0), Some(12.5), Some(Whisker::Given))
        );
        let se = ChartPoint::new(
            "b".into(),
            1,
            Some(10.0),
            Some(2.0),
            None,
            false,
            (Some(8.0), None),
        );
        assert_eq!(se.lower, Some(10.0 - Z95 * 2.0));
        assert_eq!(se.upper, Some(10.0 + Z95 * 2.0));
        assert_eq!(se.whisker, Some(Whisker::Se));
        let none = ChartPoint::new("c".into(), 1, Some(10.0), None, None, false, (None, None));
        assert_eq!((none.lower, none.upper, none.whisker), (None, None, None));
        // Limits without an estimate are still the whisker given (no mark is drawn for it).
        let no_estimate = ChartPoint::new(
            "d".into(),
            1,
            None,
            None,
            None,
            false,
            (Some(1.0), Some(2.0)),
        );
        assert_eq!(no_estimate.whisker, Some(Whisker::Given));
    }

    #[test]
    fn ridits_are_the_middles_of_the_shares_and_the_line_joins_the_fitted_ends() {
        let points = vec![
            point(1, 40.0, Some(100.0)),
            point(2, 45.0, Some(300.0)),
            point(3, 50.0, Some(600.0)),
        ];
        let c = Chart::new(points, ordered(20.0, 1.5));
        let r: Vec<f64> = c.points.iter().map(|p| p.ridit.unwrap()).collect();
        assert!((r[0] - 0.05).abs() < 1e-15 && (r[1] - 0.25).abs() < 1e-15);
        assert!((r[2] - 0.7).abs() < 1e-15, "{r:?}");
        assert_eq!(c.edges.len(), 2);
        assert!((c.edges[0] - 0.1).abs() < 1e-15 && (c.edges[1] - 0.4).abs() < 1e-15);
        let (at0, at1) = c.sii.unwrap().line().unwrap();
        assert_eq!((at0, at1), (40.0, 60.0));
        assert_eq!(at1 - at0, 20.0, "the line's slope is the SII");
        let d = c.difference.unwrap();
        assert_eq!((d.value, d.from, d.to), (3.0, 0, 2));
        assert_eq!(c.ridit_axis, Some(RIDIT_AXIS));
    }

    /// Tied orders share one share: one ridit, and no edge between them. (The browser used to
    /// work the edges out from the ridits, and with a tie it drew the second edge where the
    /// first was and left the true one out.)
    #[test]
    fn tied_orders_share_one_share_and_the_edges_fall_between_shares() {
        let points = vec![
            point(1, 40.0, Some(100.0)),
            point(2, 45.0, Some(100.0)),
            point(2, 46.0, Some(200.0)),
            point(3, 50.0, Some(400.0)),
            point(4, 52.0, Some(200.0)),
        ];
        let c = Chart::new(points, ordered(20.0, 1.5));
        let r: Vec<f64> = c.points.iter().map(|p| p.ridit.unwrap()).collect();
        assert_eq!(r[1], r[2]);
        assert!((r[1] - 0.25).abs() < 1e-15, "{r:?}");
        let want = [0.1, 0.4, 0.8];
        assert_eq!(c.edges.len(), want.len(), "{:?}", c.edges);
        for (e, w) in c.edges.iter().zip(want) {
            assert!((e - w).abs() < 1e-15, "{:?}", c.edges);
        }
    }

    #[test]
    fn no_ridits_and_no_line_without_every_population_or_a_gradient() {
        let cases: [(Vec<ChartPoint>, ChartMeasures); 5] = [
            (
                vec![point(1, 1.0, Some(1.0)), point(2, 2.0, None)],
                ordered(1.0, 2.0),
            ),
            (
                vec![point(1, 1.0, Some(1.0)), point(2, 2.0, Some(-1.0))],
                ordered(1.0, 2.0),
            ),
            (
                vec![point(1, 1.0, Some(0.0)), point(2, 2.0, Some(0.0))],
                ordered(1.0, 2.0),
            ),
            (
                vec![point(1, 1.0, Some(1.0)), point(2, 2.0, Some(1.0))],
                ordered(1.0, 1.0),
            ),
            (
                vec![point(1, 1.0, Some(1.0)), point(2, 2.0, Some(1.0))],
                ChartMeasures {
                    ordered: false,
                    ..ordered(1.0, 2.0)
                },
            ),
        ];
        for (points, measures) in cases {
            let c = Chart::new(points, measures);
            assert!(c.sii.and_then(|s| s.line()).is_none(), "{c:?}");
            assert!(c.edges.is_empty(), "{c:?}");
            assert!(c.ridit_axis.is_none(), "{c:?}");
            assert!(c.points.iter().all(|p| p.ridit.is_none()), "{c:?}");
        }
    }

    /// When the ends overflow the line is left out, but the points keep their ridits, as the
    /// page always drew them.
    #[test]
    fn ends_that_overflow_leave_the_ridits_and_no_line() {
        let points = vec![point(1, 1.0, Some(1.0)), point(2, 2.0, Some(1.0))];
        let c = Chart::new(points, ordered(1e300, 1.0 + 1e-11));
        assert!(c.sii.unwrap().line().is_none());
        assert!(c.points.iter().all(|p| p.ridit.is_some()));
        assert_eq!(c.ridit_axis, Some(RIDIT_AXIS));
    }

    #[test]
    fn a_non_ordered_dimension_has_no_difference_and_no_sii() {
        let points = vec![point(0, 1.0, Some(1.0)), point(0, 2.0, Some(1.0))];
        let c = Chart::new(
            points,
            ChartMeasures {
                ordered: false,
                ..ordered(1.0, 2.0)
            },
        );
        assert!(c.difference.is_none() && c.sii.is_none());
    }
}
