//! The Fingertips CSVs: `io::columns::Table` read, then each of `equitas sii|lifetable|
//! proportion|rate|dsr|le-gap` through the same core readers the CLI calls (`io::fingertips`,
//! `io::legap`), grouped by an `area` column when there is one.

use equitas_core::io::columns::Table;
use equitas_core::io::fingertips::{self, Crude};
use equitas_core::io::legap;
use equitas_core::measures;
use equitas_core::measures::legap::{LeGapInput, LeGapOptions};
use equitas_core::measures::lifetable::OpenBand;
use equitas_core::measures::phe::Estimate;
use equitas_core::measures::phe::sii::{
    SiiOptions, SiiResult, SiiRow, SwapRule, ValueType, phe_sii_many,
};

/// Confidence levels asked for: the CLI's default and Fingertips' 99.8%.
const LEVELS: [f64; 2] = [0.95, 0.998];

/// A CSV with named columns, as the five Fingertips commands read it; each command whose
/// columns are there runs on it.
///
/// Checks:
/// - nothing panics, in the table, the readers or the methods;
/// - every result holds a value or the reason it has none, and no NaN (the methods' promise:
///   "they never hold NaN"; issue 12, finding 11);
/// - `phe_sii_many` gives the same answers on one thread (one reused workspace) as on a thread
///   per area (a fresh workspace each);
/// - `le-gap` leaves no number blank without a reason, and none NaN or infinite.
pub fn fingertips(data: &[u8]) {
    let Ok(t) = Table::read(data) else {
        return;
    };
    let by: Vec<String> = t
        .optional_column("area")
        .map(|_| "area".to_owned())
        .into_iter()
        .collect();
    sii(&t, &by);
    for open in [OpenBand::Ninety, OpenBand::EightyFive] {
        let Ok(groups) = fingertips::lifetable(&t, &by, &LEVELS, open) else {
            continue;
        };
        for (_, table) in groups {
            for e in table {
                assert!(
                    e.value.is_some() || e.reason.is_some(),
                    "life expectancy at {}: no value and no reason: {e:?}",
                    e.start_age
                );
                crate::not_nan("a life expectancy", e.value);
                crate::not_nan("a life expectancy's se", e.se);
                for i in &e.intervals {
                    crate::not_nan("a life expectancy limit", i.lower);
                    crate::not_nan("a life expectancy limit", i.upper);
                }
            }
        }
    }
    for (kind, multiplier, what) in [
        (Crude::Proportion, 1.0, "a proportion"),
        (Crude::Rate, 100_000.0, "a rate"),
    ] {
        if let Ok(groups) = fingertips::crude(&t, &by, kind, &LEVELS, multiplier) {
            for g in groups {
                check(what, &g.estimate);
            }
        }
    }
    if let Ok(groups) = fingertips::dsr(&t, &by, &LEVELS, 100_000.0) {
        for g in groups {
            check("a DSR", &g.estimate);
        }
    }
    le_gap(&t, &by);
}

/// `equitas le-gap` on every analysis, with the open band at 90 and at 85 (the minimum 1,000
/// draws for the SII): every number finite or missing with its reason.
fn le_gap(t: &Table, by: &[String]) {
    let Ok((kind, analyses)) = legap::analyses(t, by) else {
        return;
    };
    let options = LeGapOptions {
        repetitions: 1000,
        ..LeGapOptions::default()
    };
    for open in [OpenBand::Ninety, OpenBand::EightyFive] {
        for a in &analyses {
            let Ok(input) = LeGapInput::from_rows(&a.rows, kind, open) else {
                continue;
            };
            if let Ok(r) = measures::legap::le_gap(&input, &options) {
                check_le_gap(&r);
            }
        }
    }
}

/// An le-gap estimate: finite numbers, and a reason for any that is missing.
fn check_gap_estimate(what: &str, e: &measures::legap::Estimate) {
    for x in [e.value, e.se, e.lower, e.upper] {
        crate::not_nan(what, x);
        assert!(x.is_none_or(f64::is_finite), "{what}: {e:?}");
    }
    if [e.value, e.lower, e.upper].iter().any(Option::is_none) {
        assert!(
            e.reason.is_some(),
            "{what}: a blank without a reason: {e:?}"
        );
    }
}

fn check_le_gap(r: &measures::legap::LeGap) {
    for p in &r.periods {
        for g in &p.groups {
            check_gap_estimate("a group's life expectancy", &g.le);
        }
        check_gap_estimate("a gap", &p.gap);
        check_gap_estimate("an SII", &p.sii);
        for c in [&p.gap_change, &p.sii_change].into_iter().flatten() {
            check_gap_estimate("a change", &c.difference);
        }
        match &p.decomposition {
            Some(d) => {
                for a in &d.by_age {
                    assert!(a.years.is_finite(), "a contribution: {a:?}");
                    assert!(a.by_cause.iter().all(|x| x.is_finite()), "{a:?}");
                }
            }
            None => assert!(
                p.decomposition_reason.is_some(),
                "no decomposition, no reason"
            ),
        }
    }
    for t in [&r.gap_trajectory, &r.sii_trajectory] {
        check_gap_estimate("a trend", &t.observed_annual_change);
        check_gap_estimate("a projection", &t.projected);
        if t.status == measures::legap::Status::CannotTellYet {
            assert!(t.reason.is_some(), "cannot tell, without saying why: {t:?}");
        }
    }
}

/// `equitas sii` under several option sets (Monte Carlo with the minimum 1,000 draws), with
/// the closed-form limits where they apply.
fn sii(t: &Table, by: &[String]) {
    let sets = [
        SiiOptions::default(),
        SiiOptions {
            value_type: ValueType::Rate,
            transform: true,
            multiplier: -100.0,
            swap_rule: SwapRule::Reference,
            ..SiiOptions::default()
        },
        SiiOptions {
            value_type: ValueType::Proportion,
            transform: true,
            reliability: true,
            ..SiiOptions::default()
        },
        SiiOptions {
            value_type: ValueType::Proportion,
            multiplier: 100.0,
            ..SiiOptions::default()
        },
    ];
    for o in sets {
        let o = SiiOptions {
            repetitions: 1000,
            confidence: LEVELS.to_vec(),
            ..o
        };
        let Ok(areas) = fingertips::sii_areas(t, by, o.value_type) else {
            continue;
        };
        let slices: Vec<&[SiiRow]> = areas.iter().map(|a| a.rows.as_slice()).collect();
        let one = phe_sii_many(&slices, &o, 1);
        let each = phe_sii_many(&slices, &o, slices.len().max(1));
        assert_eq!(
            one, each,
            "phe_sii_many: one thread and a thread per area differ"
        );
        for r in one.iter().flatten() {
            check_sii(r);
        }
        let analytic = !o.transform && o.value_type == ValueType::Normal;
        if let Ok(groups) = fingertips::sii(t, by, &o, 1, analytic) {
            for g in groups {
                check_sii(&g.result);
                for i in g.analytic.iter().flatten() {
                    crate::not_nan("an analytic SII limit", i.lower);
                    crate::not_nan("an analytic SII limit", i.upper);
                }
            }
        }
    }
}

fn check_sii(r: &SiiResult) {
    assert!(
        r.sii.is_some() || r.reason.is_some(),
        "no SII and no reason: {r:?}"
    );
    for (what, v) in [("SII", r.sii), ("RII", r.rii), ("intercept", r.intercept)] {
        crate::not_nan(what, v);
    }
    for i in &r.intervals {
        for v in [
            i.sii_lower,
            i.sii_upper,
            i.rii_lower,
            i.rii_upper,
            i.sii_lower_mad,
            i.sii_upper_mad,
            i.rii_lower_mad,
            i.rii_upper_mad,
        ] {
            crate::not_nan("an SII or RII limit", v);
        }
    }
}

fn check(what: &str, e: &Estimate) {
    assert!(
        e.value.is_some() || e.reason.is_some(),
        "{what}: no value and no reason: {e:?}"
    );
    crate::not_nan(what, e.value);
    for i in &e.intervals {
        crate::not_nan(what, i.lower);
        crate::not_nan(what, i.upper);
    }
}
