//! The Fingertips CSVs: `io::columns::Table` read, then each of `equitas sii|lifetable|
//! proportion|rate|dsr` as the CLI (`crates/equitas-cli/src/fingertips.rs`) runs it over the
//! table, grouped by an `area` column when there is one.

use equitas_core::io::columns::{ColumnError, Table};
use equitas_core::measures::lifetable::{AgeBand, life_expectancy};
use equitas_core::measures::phe::Estimate;
use equitas_core::measures::phe::dsr::{StandardPopulation, dsr_esp2013};
use equitas_core::measures::phe::rates::{phe_proportion, phe_rate};
use equitas_core::measures::phe::sii::{
    SiiOptions, SiiResult, SiiRow, SwapRule, ValueType, phe_sii_many, sii_analytic,
};

/// Confidence levels asked for: the CLI's default and Fingertips' 99.8%.
const LEVELS: [f64; 2] = [0.95, 0.998];

/// A CSV with named columns, as the five Fingertips commands read it; each command whose
/// columns are there runs on it.
///
/// Checks:
/// - nothing panics, in the table or in the methods;
/// - every result holds a value or the reason it has none, and no NaN (the methods' promise:
///   "they never hold NaN"; issue 12, finding 11);
/// - `phe_sii_many` gives the same answers on one thread (one reused workspace) as on a thread
///   per area (a fresh workspace each).
pub fn fingertips(data: &[u8]) {
    let Ok(t) = Table::read(data) else {
        return;
    };
    let by: Vec<usize> = t.optional_column("area").into_iter().collect();
    let _ = sii(&t, &by);
    let _ = lifetable(&t, &by);
    let _ = crude(&t, &by, false);
    let _ = crude(&t, &by, true);
    let _ = dsr(&t, &by);
}

/// `equitas sii` under several option sets (Monte Carlo with the minimum 1,000 draws).
fn sii(t: &Table, by: &[usize]) -> Result<(), ColumnError> {
    let quantile = t.column("quantile")?;
    let population = t.column("population")?;
    let value = t.optional_column("value");
    let x = t.optional_column("x");
    let (se, lcl, ucl) = (
        t.optional_column("se"),
        t.optional_column("lower_cl"),
        t.optional_column("upper_cl"),
    );
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
        if value.is_none() && !(x.is_some() && o.value_type == ValueType::Proportion) {
            continue;
        }
        if se.is_none() && (lcl.is_none() || ucl.is_none()) {
            continue;
        }
        let mut areas: Vec<Vec<SiiRow>> = Vec::new();
        for g in t.groups(by) {
            let mut rows = Vec::with_capacity(g.rows.len());
            for &r in &g.rows {
                let q = t.number(r, quantile)?;
                if q.fract() != 0.0 || !(1.0..=1000.0).contains(&q) {
                    return Ok(());
                }
                let pop = t.number(r, population)?;
                let v = match (value, x) {
                    (Some(c), _) => t.number(r, c)?,
                    (None, Some(c)) => {
                        let count = t.number(r, c)?;
                        if count <= 0.0 {
                            return Ok(());
                        }
                        count / pop
                    }
                    (None, None) => 0.0,
                };
                let optional = |c: Option<usize>| -> Result<Option<f64>, ColumnError> {
                    Ok(c.map(|c| t.optional_number(r, c)).transpose()?.flatten())
                };
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked whole, 1..=1000, as the CLI does"
                )]
                rows.push(SiiRow {
                    quantile: q as u32,
                    population: pop,
                    value: v,
                    se: optional(se)?,
                    lower_cl: optional(lcl)?,
                    upper_cl: optional(ucl)?,
                });
            }
            areas.push(rows);
        }
        let slices: Vec<&[SiiRow]> = areas.iter().map(Vec::as_slice).collect();
        let one = phe_sii_many(&slices, &o, 1);
        let each = phe_sii_many(&slices, &o, slices.len().max(1));
        assert_eq!(
            one, each,
            "phe_sii_many: one thread and a thread per area differ"
        );
        for (rows, r) in areas.iter().zip(&one) {
            if let Ok(r) = r {
                check_sii(r);
            }
            if !o.transform
                && o.value_type == ValueType::Normal
                && let Ok(Ok(limits)) = sii_analytic(rows, &o)
            {
                for i in &limits {
                    crate::not_nan("an analytic SII limit", i.lower);
                    crate::not_nan("an analytic SII limit", i.upper);
                }
            }
        }
    }
    Ok(())
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

/// `equitas lifetable`.
fn lifetable(t: &Table, by: &[usize]) -> Result<(), ColumnError> {
    let (age, pop, deaths) = (
        t.column("start_age")?,
        t.column("population")?,
        t.column("deaths")?,
    );
    for g in t.groups(by) {
        let mut bands = Vec::with_capacity(g.rows.len());
        for &r in &g.rows {
            let a = t.number(r, age)?;
            if a.fract() != 0.0 || !(0.0..=150.0).contains(&a) {
                return Ok(());
            }
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked 0..=150, whole, as the CLI does"
            )]
            bands.push(AgeBand {
                start_age: a as u32,
                population: t.number(r, pop)?,
                deaths: t.number(r, deaths)?,
            });
        }
        if let Ok(table) = life_expectancy(&bands, &LEVELS) {
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
    Ok(())
}

/// `equitas proportion` (x, n) or `equitas rate` (x, population): counts summed per group.
fn crude(t: &Table, by: &[usize], rate: bool) -> Result<(), ColumnError> {
    let x = t.column("x")?;
    let d = t.column(if rate { "population" } else { "n" })?;
    for g in t.groups(by) {
        let (mut sx, mut sn) = (0.0, 0.0);
        for &r in &g.rows {
            sx += t.number(r, x)?;
            sn += t.number(r, d)?;
        }
        let e = if rate {
            phe_rate(sx, sn, &LEVELS, 100_000.0)
        } else {
            phe_proportion(sx, sn, &LEVELS, 1.0)
        };
        if let Ok(e) = e {
            check(if rate { "a rate" } else { "a proportion" }, &e);
        }
    }
    Ok(())
}

/// `equitas dsr`: one row per ESP2013 band per group, in order.
fn dsr(t: &Table, by: &[usize]) -> Result<(), ColumnError> {
    let (x, pop) = (t.column("x")?, t.column("population")?);
    let bands = StandardPopulation::esp2013().bands.len();
    for g in t.groups(by) {
        if g.rows.len() != bands {
            continue;
        }
        let xs = g
            .rows
            .iter()
            .map(|&r| t.optional_number(r, x))
            .collect::<Result<Vec<_>, _>>()?;
        let ns = g
            .rows
            .iter()
            .map(|&r| t.number(r, pop))
            .collect::<Result<Vec<_>, _>>()?;
        if let Ok(e) = dsr_esp2013(&xs, &ns, &LEVELS, 100_000.0) {
            check("a DSR", &e);
        }
    }
    Ok(())
}
