//! Integration tests for the Fingertips methods (`measures::phe`, `measures::lifetable`,
//! `measures::intervals`) against `../shared/reference/vectors/` at the tolerances stated there,
//! independent special-function values, every reason and error message, and properties.

#![allow(
    clippy::excessive_precision,
    reason = "reference values printed to 17 digits"
)]

use approx::{abs_diff_eq, assert_abs_diff_eq, assert_relative_eq, relative_eq};
use equitas_core::measures::intervals::{
    self, byar, chi_square_quantile, confidence_level, confidence_pair, exact_poisson,
    student_t_quantile, wilson_limits,
};
use serde_json::Value;

use crate::tolerance::{
    CHIANG_ABS, FUNNEL_ABS, FUNNEL_REL, INDEPENDENT_ABS, INDEPENDENT_LOWER_TAIL_ABS,
    INDEPENDENT_LOWER_TAIL_REL, INDEPENDENT_REL, LAST_PLACES_ABS, LAST_PLACES_REL,
    PHE_SII_ANALYTIC_ABS, PHE_SII_INTERCEPT_ABS, PHE_SII_POINT_ABS, PHE_SII_POINT_REL,
    PHE_SII_SIMULATED_ABS, PHE_SII_SIMULATED_REL, SAME_FORMULA_ABS, SAME_FORMULA_REL,
    WILSON_BYAR_ABS, WILSON_BYAR_REL,
};

fn vector(name: &str) -> Value {
    let path = crate::shared(&format!("reference/vectors/{name}"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn fs(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

// ---------------------------------------------------------------------------------------------
// Intervals and special functions.

#[test]
fn phe_wilson_byar_vectors() {
    let v = vector("wilson_byar.json");
    assert_eq!(v["tolerance"], "1e-8 relative");
    for case in v["wilson"].as_array().unwrap() {
        let (x, n, c) = (f(&case["x"]), f(&case["n"]), f(&case["confidence"]));
        let want = fs(&case["ci"]);
        let b = wilson_limits(x, n, c).unwrap();
        let (g, w) = (b.lower.unwrap(), want[0]);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = WILSON_BYAR_REL,
                epsilon = WILSON_BYAR_ABS
            ),
            "wilson {x}/{n} lower: got {g}, want {w}"
        );
        let (g, w) = (b.upper.unwrap(), want[1]);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = WILSON_BYAR_REL,
                epsilon = WILSON_BYAR_ABS
            ),
            "wilson {x}/{n} upper: got {g}, want {w}"
        );
    }
    for case in v["byar"].as_array().unwrap() {
        let (x, c) = (f(&case["x"]), f(&case["confidence"]));
        let want = fs(&case["ci"]);
        let b = byar(x, c).unwrap();
        let (g, w) = (b.lower.unwrap(), want[0]);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = WILSON_BYAR_REL,
                epsilon = WILSON_BYAR_ABS
            ),
            "byar {x} lower: got {g}, want {w}"
        );
        let (g, w) = (b.upper.unwrap(), want[1]);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = WILSON_BYAR_REL,
                epsilon = WILSON_BYAR_ABS
            ),
            "byar {x} upper: got {g}, want {w}"
        );
    }
}

/// Chi-square quantiles: mpmath at 40 digits (bisection on its regularised incomplete gamma);
/// the ones a printed table has agree with it to 4 decimals (e.g. χ²(0.95; 1) = 3.8415,
/// χ²(0.95; 10) = 18.3070, χ²(0.975; 20) = 34.1696, χ²(0.999; 8) = 26.1245).
#[test]
fn phe_chi_square_quantiles_match_independent_values() {
    for (p, df, want) in [
        (0.95, 1.0, 3.841_458_820_694_124_5),
        (0.025, 2.0, 0.050_635_615_968_579_754),
        (0.975, 2.0, 7.377_758_908_227_870_8),
        (0.0005, 2.0, 0.001_000_250_083_364_595_9),
        (0.9995, 20.0, 47.498_451_885_471_999),
        (0.025, 18.0, 8.230_746_194_756_664_9),
        (0.975, 20.0, 34.169_606_902_838_337),
        (0.001, 6.0, 0.381_066_755_136_806_38),
        (0.999, 8.0, 26.124_481_558_376_139),
        (0.95, 10.0, 18.307_038_053_275_144),
        (0.05, 0.5, 8.437_150_840_525_984e-6),
    ] {
        let (g, w) = (chi_square_quantile(p, df), want);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = INDEPENDENT_REL,
                epsilon = INDEPENDENT_ABS
            ),
            "chi2({p}; {df}): got {g}, want {w}"
        );
    }
    // Exact: with 0 degrees of freedom every quantile is 0 by definition, not by arithmetic.
    assert_eq!(chi_square_quantile(0.025, 0.0), 0.0);
}

/// Student t quantiles: mpmath at 40 digits; printed tables agree to 4 decimals
/// (t(0.975; 10) = 2.2281, t(0.975; 3) = 3.1824, t(0.999; 3) = 10.2145, t(0.95; 4) = 2.1318).
#[test]
fn phe_t_quantiles_match_independent_values() {
    for (p, df, want) in [
        (0.975, 10.0, 2.228_138_851_986_274_2),
        (0.975, 3.0, 3.182_446_305_283_708_4),
        (0.999, 3.0, 10.214_531_852_407_383),
        (0.975, 25.0, 2.059_538_552_753_297_3),
        (0.999, 100.0, 3.173_739_493_738_782_7),
        (0.95, 4.0, 2.131_846_786_326_649_5),
        (0.9995, 5.0, 6.868_826_625_881_275_1),
        (0.975, 2.5, 3.574_654_842_003_681_8),
    ] {
        let (g, w) = (student_t_quantile(p, df), want);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = INDEPENDENT_REL,
                epsilon = INDEPENDENT_ABS
            ),
            "t({p}; {df}): got {g}, want {w}"
        );
        let (g, w) = (student_t_quantile(1.0 - p, df), -want);
        assert!(
            relative_eq!(
                g,
                w,
                max_relative = INDEPENDENT_LOWER_TAIL_REL,
                epsilon = INDEPENDENT_LOWER_TAIL_ABS
            ),
            "t({}; {df}): got {g}, want {w}",
            1.0 - p
        );
    }
    assert_relative_eq!(
        student_t_quantile(0.975, 1.0),
        12.706_204_736_174_7,
        max_relative = SAME_FORMULA_REL,
        epsilon = SAME_FORMULA_ABS
    );
    assert_relative_eq!(
        student_t_quantile(0.975, 2.0),
        4.302_652_729_749_464,
        max_relative = SAME_FORMULA_REL,
        epsilon = SAME_FORMULA_ABS
    );
}

#[test]
fn phe_exact_poisson_limits() {
    // x = 0: lower is 0 (χ² with 0 df), upper χ²(0.975; 2)/2 = −ln(0.025).
    let b = exact_poisson(0.0, 0.95).unwrap();
    assert_eq!(b.lower, Some(0.0));
    assert_relative_eq!(
        b.upper.unwrap(),
        -(0.025_f64.ln()),
        max_relative = SAME_FORMULA_REL,
        epsilon = SAME_FORMULA_ABS
    );
    // x = 9 (the largest exact count): χ²(0.025; 18)/2 and χ²(0.975; 20)/2.
    let b = exact_poisson(9.0, 0.95).unwrap();
    assert_relative_eq!(
        b.lower.unwrap(),
        8.230_746_194_756_664_9 / 2.0,
        max_relative = INDEPENDENT_REL,
        epsilon = INDEPENDENT_ABS
    );
    assert_relative_eq!(
        b.upper.unwrap(),
        34.169_606_902_838_337 / 2.0,
        max_relative = INDEPENDENT_REL,
        epsilon = INDEPENDENT_ABS
    );
    let (_, m) = intervals::poisson_limits(9.0, 0.95).unwrap();
    assert_eq!(m, intervals::PoissonMethod::Exact);
    let (_, m) = intervals::poisson_limits(10.0, 0.95).unwrap();
    assert_eq!(m, intervals::PoissonMethod::Byars);
}

#[test]
fn phe_confidence_rule_and_messages() {
    // Exact: a percentage is divided by 100 once (95 / 100 is the double nearest 0.95), and a
    // proportion is passed through.
    assert_eq!(confidence_level(95.0).unwrap(), 0.95);
    assert_eq!(confidence_level(0.9).unwrap(), 0.9);
    assert_eq!(confidence_level(99.9999).unwrap(), 0.999_999);
    // 100% (1) gives infinite limits, so it is refused since issue 12 (finding 11): the
    // reference accepts it and returns ±Inf.
    assert!(confidence_level(100.0).is_err() && confidence_level(1.0).is_err());
    assert_eq!(
        confidence_level(0.8).unwrap_err().to_string(),
        "a confidence level is a proportion from 0.9 to 0.999999 or a percentage from 90 to 99.9999, got 0.8"
    );
    assert_eq!(confidence_pair(&[95.0, 99.8]).unwrap(), [0.95, 0.998]);
    assert_eq!(
        confidence_pair(&[0.95, 0.99]).unwrap_err().to_string(),
        "two confidence levels can only be produced if they are 0.95 and 0.998, got 0.95 and 0.99"
    );
    assert_eq!(
        confidence_pair(&[0.95, 0.99, 0.998])
            .unwrap_err()
            .to_string(),
        "a maximum of two confidence levels can be provided, got 3"
    );
    assert_eq!(
        byar(-1.0, 0.95).unwrap_err().to_string(),
        "observed events must be zero or more, got -1"
    );
}

// ---------------------------------------------------------------------------------------------
// SII (phe_sii).

mod sii {
    use super::*;
    use equitas_core::measures::phe::sii::{
        SiiOptions, SiiRow, SiiWorkspace, SwapRule, ValueType, phe_sii, phe_sii_many, phe_sii_with,
        sii_analytic,
    };

    /// Rows of one area of `phe_sii_deciles.json`; Area2 has no SEs, so it gets a nominal one
    /// (its point estimates need none).
    pub(super) fn area_rows(area: &Value) -> Vec<SiiRow> {
        let pop = fs(&area["population"]);
        let val = fs(&area["value"]);
        let se = area.get("se").map(fs);
        (0..pop.len())
            .map(|i| SiiRow {
                quantile: u32::try_from(i + 1).unwrap(),
                population: pop[i],
                value: val[i],
                se: Some(se.as_ref().map_or(1.0, |s| s[i])),
                lower_cl: None,
                upper_cl: None,
            })
            .collect()
    }

    fn opts(reps: u32) -> SiiOptions {
        SiiOptions {
            repetitions: reps,
            ..SiiOptions::default()
        }
    }

    /// Rows of a transformable indicator: rates (per 100,000) with 95% limits.
    fn rate_rows() -> Vec<SiiRow> {
        (1..=10u32)
            .map(|q| {
                let v = 900.0 - 45.0 * f64::from(q);
                SiiRow {
                    quantile: q,
                    population: 20_000.0 + 500.0 * f64::from(q % 3),
                    value: v,
                    se: None,
                    lower_cl: Some(v * 0.9),
                    upper_cl: Some(v * 1.1),
                }
            })
            .collect()
    }

    #[test]
    fn many_areas_give_the_same_answers_on_any_number_of_threads() {
        let v = vector("phe_sii_deciles.json");
        let base = [area_rows(&v["areas"][0]), area_rows(&v["areas"][1])];
        // Seven areas: the two reference areas, shifted copies, and one with only 3 of the 10
        // quantiles, whose reason must stay in its own place.
        let mut areas: Vec<Vec<SiiRow>> = Vec::new();
        for k in 0..3u32 {
            for rows in &base {
                areas.push(
                    rows.iter()
                        .map(|r| SiiRow {
                            value: r.value + f64::from(k),
                            ..*r
                        })
                        .collect(),
                );
            }
        }
        areas.insert(3, base[0][..3].to_vec());
        let refs: Vec<&[SiiRow]> = areas.iter().map(Vec::as_slice).collect();
        let o = SiiOptions {
            seed: 5,
            ..opts(2000)
        };
        // Across areas a complete one has as many quantiles as the area with most (10): the
        // reference's rule, which phe_sii_many applies when `quantiles` is not given.
        let ten = SiiOptions {
            quantiles: Some(10),
            ..o.clone()
        };
        let alone: Vec<_> = refs.iter().map(|rows| phe_sii(rows, &ten)).collect();
        let reasons: Vec<bool> = alone
            .iter()
            .map(|r| r.as_ref().unwrap().reason.is_some())
            .collect();
        assert_eq!(reasons, [false, false, false, true, false, false, false]);
        // Exact: every area's draws start from the same seed whichever thread runs it, so any
        // thread count must give the very same numbers as one area at a time.
        for threads in [1, 2, 3, 16] {
            assert_eq!(phe_sii_many(&refs, &o, threads), alone, "{threads} threads");
        }
    }

    #[test]
    fn phe_sii_is_deterministic_and_portable() {
        let v = vector("phe_sii_deciles.json");
        let rows = area_rows(&v["areas"][0]);
        let o = SiiOptions {
            seed: 42,
            ..opts(1000)
        };
        let a = phe_sii(&rows, &o).unwrap();
        assert_eq!(a, phe_sii(&rows, &o).unwrap());
        // Exact bits, natively and in wasm32: tests/fixtures/portable-simulation.json, checked by
        // tests/measures.rs and crates/equitas-wasm/tests/node.rs.
        // A reused workspace gives the same answers as fresh calls, area after area: exactly, as
        // it only saves allocations.
        let mut ws = SiiWorkspace::default();
        let area2 = area_rows(&v["areas"][1]);
        for r in [&rows, &area2, &rows] {
            assert_eq!(
                phe_sii_with(r, &o, &mut ws).unwrap(),
                phe_sii(r, &o).unwrap()
            );
        }
        let b = phe_sii(&rows, &SiiOptions { seed: 43, ..o }).unwrap();
        assert_ne!(a.intervals, b.intervals, "another seed gives other draws");
    }

    #[test]
    fn phe_sii_reliability_transform_and_multiplier() {
        let v = vector("phe_sii_deciles.json");
        let rows = area_rows(&v["areas"][0]);
        // Reliability: the first set is the plain run; MADs are small at 100,000 draws.
        let plain = phe_sii(&rows, &opts(20_000)).unwrap();
        let rel = phe_sii(
            &rows,
            &SiiOptions {
                reliability: true,
                ..opts(20_000)
            },
        )
        .unwrap();
        // Exact: the same seed gives the same first set of draws.
        assert_eq!(plain.intervals[0].sii_lower, rel.intervals[0].sii_lower);
        let mad = rel.intervals[0].sii_lower_mad.unwrap();
        assert!(mad > 0.0 && mad < 0.1, "mad {mad}");
        assert_eq!(plain.intervals[0].sii_lower_mad, None);
        // Multiplier −1: SII negates, RII inverts, limits stay ordered.
        let neg = phe_sii(
            &rows,
            &SiiOptions {
                multiplier: -1.0,
                ..opts(20_000)
            },
        )
        .unwrap();
        assert_relative_eq!(
            neg.sii.unwrap(),
            -plain.sii.unwrap(),
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert_relative_eq!(
            neg.rii.unwrap(),
            1.0 / plain.rii.unwrap(),
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        let ci = &neg.intervals[0];
        assert!(ci.sii_lower < ci.sii_upper && ci.rii_lower < ci.rii_upper);
        // Mirrored up to one order statistic: positions round(R·0.025) and round(R·0.975) are not
        // symmetric (the reference's convention), so allow a draw's width.
        const MIRROR_REL: f64 = 1e-2;
        const MIRROR_ABS: f64 = MIRROR_REL * MIRROR_REL;
        assert_relative_eq!(
            ci.sii_upper.unwrap(),
            -plain.intervals[0].sii_lower.unwrap(),
            max_relative = MIRROR_REL,
            epsilon = MIRROR_ABS
        );

        // Log-transformed rates, falling with less deprivation: SII negative, RII below 1.
        let rows = rate_rows();
        let t = SiiOptions {
            value_type: ValueType::Rate,
            transform: true,
            ..opts(20_000)
        };
        let r = phe_sii(&rows, &t).unwrap();
        let ci = r.intervals[0];
        assert!(r.sii.unwrap() < 0.0 && r.rii.unwrap() < 1.0);
        assert!(ci.sii_lower.unwrap() < r.sii.unwrap() && r.sii.unwrap() < ci.sii_upper.unwrap());
        assert!(ci.rii_lower.unwrap() < r.rii.unwrap() && r.rii.unwrap() < ci.rii_upper.unwrap());
        // Not transformed: fitted on the rates, simulated on the log scale and back-transformed.
        let u = phe_sii(
            &rows,
            &SiiOptions {
                transform: false,
                ..t.clone()
            },
        )
        .unwrap();
        assert!(u.intervals[0].sii_lower.unwrap() < u.sii.unwrap());
        // Multiplier 0.5 on a rate: the consistent rule keeps lower < upper; the reference's
        // `< 1` test swaps them.
        let half = SiiOptions {
            multiplier: 0.5,
            ..t.clone()
        };
        let c = phe_sii(&rows, &half).unwrap().intervals[0];
        assert!(c.sii_lower < c.sii_upper);
        let q = phe_sii(
            &rows,
            &SiiOptions {
                swap_rule: SwapRule::Reference,
                ..half
            },
        )
        .unwrap()
        .intervals[0];
        assert_eq!((q.sii_lower, q.sii_upper), (c.sii_upper, c.sii_lower));
        // Proportions on the logit scale with a negative percentage multiplier.
        let prop: Vec<SiiRow> = (1..=5u32)
            .map(|q| {
                let p = 0.1 + 0.05 * f64::from(q);
                SiiRow {
                    quantile: q,
                    population: 5000.0,
                    value: p,
                    se: None,
                    lower_cl: Some(p - 0.02),
                    upper_cl: Some(p + 0.02),
                }
            })
            .collect();
        let o = SiiOptions {
            value_type: ValueType::Proportion,
            transform: true,
            multiplier: -100.0,
            ..opts(10_000)
        };
        let r = phe_sii(&prop, &o).unwrap();
        assert!(
            r.sii.unwrap() < 0.0,
            "rising proportion, negative multiplier"
        );
        let ci = r.intervals[0];
        assert!(ci.sii_lower.unwrap() < r.sii.unwrap() && r.sii.unwrap() < ci.sii_upper.unwrap());
        assert_relative_eq!(
            r.intercept.unwrap(),
            100.0 * r.intercept.unwrap() / 100.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
    }

    /// Every input error and the missing-quantile reason, as a user reads them.
    #[test]
    fn phe_sii_errors_and_reasons() {
        let v = vector("phe_sii_deciles.json");
        let good = area_rows(&v["areas"][0]);
        let edit = |f: &dyn Fn(&mut Vec<SiiRow>)| {
            let mut r = good.clone();
            f(&mut r);
            r
        };
        let rate = SiiOptions {
            value_type: ValueType::Rate,
            ..opts(1000)
        };
        let cases: Vec<(&str, Vec<SiiRow>, SiiOptions)> = vec![
            ("repetitions", good.clone(), opts(999)),
            (
                "repetitions above the limit",
                good.clone(),
                opts(10_000_001),
            ),
            (
                "multiplier above the limit",
                good.clone(),
                SiiOptions {
                    multiplier: -1.1e12,
                    ..opts(1000)
                },
            ),
            (
                "confidence",
                good.clone(),
                SiiOptions {
                    confidence: vec![0.95, 80.0],
                    ..opts(1000)
                },
            ),
            (
                "transform normal",
                good.clone(),
                SiiOptions {
                    transform: true,
                    ..opts(1000)
                },
            ),
            (
                "transform with se",
                good.clone(),
                SiiOptions {
                    transform: true,
                    ..rate.clone()
                },
            ),
            ("population", edit(&|r| r[3].population = 0.0), opts(1000)),
            ("negative se", edit(&|r| r[4].se = Some(-0.5)), opts(1000)),
            (
                "no se or limits",
                edit(&|r| {
                    r[5].se = None;
                    r[5].upper_cl = Some(80.0);
                }),
                opts(1000),
            ),
            (
                "rate not positive",
                edit(&|r| r[6].value = 0.0),
                rate.clone(),
            ),
            (
                "proportion above 1",
                edit(&|r| r[1].value = 1.2),
                SiiOptions {
                    value_type: ValueType::Proportion,
                    ..opts(1000)
                },
            ),
            ("duplicate", edit(&|r| r[9].quantile = 9), opts(1000)),
            ("4 quantiles", good[..4].to_vec(), opts(1000)),
            (
                "101 quantiles",
                (1..=101)
                    .map(|q| SiiRow {
                        quantile: q,
                        ..good[0]
                    })
                    .collect(),
                opts(1000),
            ),
        ];
        let mut report = String::new();
        for (name, rows, o) in cases {
            let msg = phe_sii(&rows, &o)
                .map(|_| "ok".to_owned())
                .unwrap_or_else(|e| e.to_string());
            report.push_str(&format!("{name}: {msg}\n"));
        }
        // A group lacking quantile 4 of 10: a reason, not an error and not silently dropped.
        let missing = edit(&|r| {
            r.remove(3);
        });
        let r = phe_sii(
            &missing,
            &SiiOptions {
                quantiles: Some(10),
                ..opts(1000)
            },
        )
        .unwrap();
        report.push_str(&format!(
            "missing quantile: sii {:?}, reason: {}\n",
            r.sii,
            r.reason.unwrap()
        ));
        insta::assert_snapshot!(report);
    }

    #[test]
    fn phe_sii_deciles_vector() {
        let v = vector("phe_sii_deciles.json");
        assert!(
            v["tolerance"]
                .as_str()
                .unwrap()
                .starts_with("point estimates 1e-9 relative")
        );
        for area in v["areas"].as_array().unwrap() {
            let name = area["area"].as_str().unwrap();
            let want = &area["expected"];
            let rows = area_rows(area);
            let r = phe_sii(&rows, &SiiOptions::default()).unwrap();
            let (g, w) = (r.sii.unwrap(), f(&want["sii"]));
            assert!(
                relative_eq!(
                    g,
                    w,
                    max_relative = PHE_SII_POINT_REL,
                    epsilon = PHE_SII_POINT_ABS
                ),
                "{name} sii: got {g}, want {w}"
            );
            let (g, w) = (r.rii.unwrap(), f(&want["rii"]));
            assert!(
                relative_eq!(
                    g,
                    w,
                    max_relative = PHE_SII_POINT_REL,
                    epsilon = PHE_SII_POINT_ABS
                ),
                "{name} rii: got {g}, want {w}"
            );
            // The intercept is printed to 7 decimals in the vector.
            let (g, w) = (r.intercept.unwrap(), f(&want["intercept"]));
            assert!(
                abs_diff_eq!(g, w, epsilon = PHE_SII_INTERCEPT_ABS),
                "{name} intercept: got {g}, want {w}"
            );
            let analytic = sii_analytic(&rows, &SiiOptions::default())
                .unwrap()
                .unwrap();
            if area.get("se").is_some() {
                let sim = fs(&want["sii_ci95_simulated"]);
                let ci = &r.intervals[0];
                let (g, w) = (ci.sii_lower.unwrap(), sim[0]);
                assert!(
                    relative_eq!(
                        g,
                        w,
                        max_relative = PHE_SII_SIMULATED_REL,
                        epsilon = PHE_SII_SIMULATED_ABS
                    ),
                    "{name} simulated lower: got {g}, want {w}"
                );
                let (g, w) = (ci.sii_upper.unwrap(), sim[1]);
                assert!(
                    relative_eq!(
                        g,
                        w,
                        max_relative = PHE_SII_SIMULATED_REL,
                        epsilon = PHE_SII_SIMULATED_ABS
                    ),
                    "{name} simulated upper: got {g}, want {w}"
                );
                if let Some(rii) = want.get("rii_ci95") {
                    let rii = fs(rii);
                    let (g, w) = (ci.rii_lower.unwrap(), rii[0]);
                    assert!(
                        relative_eq!(
                            g,
                            w,
                            max_relative = PHE_SII_SIMULATED_REL,
                            epsilon = PHE_SII_SIMULATED_ABS
                        ),
                        "{name} rii lower: got {g}, want {w}"
                    );
                    let (g, w) = (ci.rii_upper.unwrap(), rii[1]);
                    assert!(
                        relative_eq!(
                            g,
                            w,
                            max_relative = PHE_SII_SIMULATED_REL,
                            epsilon = PHE_SII_SIMULATED_ABS
                        ),
                        "{name} rii upper: got {g}, want {w}"
                    );
                }
                // The analytic limits are printed to 4 decimals.
                let an = fs(&want["sii_ci95_analytic"]);
                let (g, w) = (analytic[0].lower.unwrap(), an[0]);
                assert!(
                    abs_diff_eq!(g, w, epsilon = PHE_SII_ANALYTIC_ABS),
                    "{name} analytic lower: got {g}, want {w}"
                );
                let (g, w) = (analytic[0].upper.unwrap(), an[1]);
                assert!(
                    abs_diff_eq!(g, w, epsilon = PHE_SII_ANALYTIC_ABS),
                    "{name} analytic upper: got {g}, want {w}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Life tables (Chiang II).

mod lifetable {
    use super::*;
    use equitas_core::measures::lifetable::{AgeBand, START_AGES, life_expectancy};
    use equitas_core::measures::phe::Reason;

    pub(super) fn vector_bands() -> Vec<AgeBand> {
        let v = vector("chiang_life_table.json");
        let input = &v["input"];
        let ages = fs(&input["start_age"]);
        let pop = fs(&input["population"]);
        let deaths = fs(&input["deaths"]);
        (0..ages.len())
            .map(|i| AgeBand {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "ages"
                )]
                start_age: ages[i] as u32,
                population: pop[i],
                deaths: deaths[i],
            })
            .collect()
    }

    #[test]
    fn phe_chiang_vector() {
        let v = vector("chiang_life_table.json");
        assert_eq!(v["tolerance"], "4 decimal places");
        let want = &v["expected"];
        let le = life_expectancy(&vector_bands(), &[0.95]).unwrap();
        let at = |age: u32| le.iter().find(|e| e.start_age == age).unwrap();
        assert_abs_diff_eq!(
            at(0).value.unwrap(),
            f(&want["le_at_birth"]),
            epsilon = CHIANG_ABS
        );
        let ci = fs(&want["le_at_birth_ci95"]);
        assert_abs_diff_eq!(
            at(0).intervals[0].lower.unwrap(),
            ci[0],
            epsilon = CHIANG_ABS
        );
        assert_abs_diff_eq!(
            at(0).intervals[0].upper.unwrap(),
            ci[1],
            epsilon = CHIANG_ABS
        );
        for (age, value) in want["le_by_start_age"].as_object().unwrap() {
            let age: u32 = age.parse().unwrap();
            let (g, w) = (at(age).value.unwrap(), f(value));
            assert!(
                abs_diff_eq!(g, w, epsilon = CHIANG_ABS),
                "le at {age}: got {g}, want {w}"
            );
        }
        let ci = fs(&want["le_at_90_ci95"]);
        assert_abs_diff_eq!(
            at(90).intervals[0].lower.unwrap(),
            ci[0],
            epsilon = CHIANG_ABS
        );
        assert_abs_diff_eq!(
            at(90).intervals[0].upper.unwrap(),
            ci[1],
            epsilon = CHIANG_ABS
        );
        assert!(le.iter().all(|e| e.reason.is_none()));
        assert_eq!(le.len(), START_AGES.len());
    }

    /// Every suppression path, one line each: start age, value, limits and reason.
    #[test]
    fn phe_lifetable_reasons() {
        let base = vector_bands();
        let mut report = String::new();
        let mut case = |name: &str, bands: Vec<AgeBand>, confidence: &[f64]| {
            let le = life_expectancy(&bands, confidence).unwrap();
            let reasons: Vec<String> = le
                .iter()
                .filter_map(|e| e.reason.as_ref().map(|r| format!("{}: {r}", e.start_age)))
                .collect();
            let kept = le
                .iter()
                .filter(|e| e.intervals.iter().all(|i| i.lower.is_some()))
                .count();
            let values = le.iter().filter(|e| e.value.is_some()).count();
            report.push_str(&format!(
                "{name}: {} rows, {values} values, {kept} with limits, {} with a reason; first: {}\n",
                le.len(),
                reasons.len(),
                reasons.first().map_or("none", String::as_str),
            ));
        };
        let edit = |i: usize, pop: f64, deaths: f64| {
            let mut b = base.clone();
            b[i].population = pop;
            b[i].deaths = deaths;
            b
        };
        case("negative deaths", edit(3, 48_489.0, -1.0), &[0.95]);
        case("zero population", edit(4, 0.0, 0.0), &[0.95]);
        case("deaths above population", edit(5, 10.0, 15.0), &[0.95]);
        case("19 bands", base[..19].to_vec(), &[0.95]);
        let mut shifted = base.clone();
        shifted[1].start_age = 2;
        case("start ages not matching", shifted, &[0.95]);
        let small: Vec<AgeBand> = base
            .iter()
            .map(|b| AgeBand {
                population: 250.0,
                deaths: (b.deaths / 200.0).ceil().min(250.0),
                ..*b
            })
            .collect();
        case("total population 5,000", small, &[0.95]);
        case("no deaths at 90+", edit(19, 11_936.0, 0.0), &[0.95]);
        // Few people aged 90+: the 95% interval at 90 (and 85) is wider than 20 years, so those
        // values are suppressed but their 99.8% limits are kept.
        case(
            "wide interval (99.8% asked, 95% rule)",
            edit(19, 20.0, 1.0),
            &[0.998],
        );
        insta::assert_snapshot!(report);
    }

    #[test]
    fn phe_lifetable_row_order_and_levels() {
        let mut bands = vector_bands();
        let straight = life_expectancy(&bands, &[0.95, 0.998, 99.0]).unwrap();
        bands.reverse();
        let reversed = life_expectancy(&bands, &[0.95, 0.998, 99.0]).unwrap();
        assert_eq!(straight, reversed);
        assert_eq!(straight[0].intervals.len(), 3);
        assert!(straight[0].intervals[1].lower < straight[0].intervals[0].lower);
        assert!(matches!(
            life_expectancy(&bands, &[0.5])
                .unwrap_err()
                .to_string()
                .as_str(),
            "a confidence level is a proportion from 0.9 to 0.999999 or a percentage from 90 to 99.9999, got 0.5"
        ));
        let _ = Reason::NoDeathsInOldestBand { start_age: 90 };
    }
}

// ---------------------------------------------------------------------------------------------
// Proportions, rates, DSR, ISR, means, funnels, quantiles.

mod rates_and_more {
    use super::*;
    use equitas_core::measures::phe::Reason;
    use equitas_core::measures::phe::dsr::{
        DsrBand, ESP2013_JSON, FrequencyCount, NonIndependentBand, StandardPopulation,
        calculate_dsr, calculate_dsr_nonindependent, dsr_esp2013,
    };
    use equitas_core::measures::phe::funnel::{
        Sigma, Significance, proportion_limits, proportion_significance, rate_limits, ratio_limits,
        ratio_significance,
    };
    use equitas_core::measures::phe::isr::{IsrBand, calculate_israte, calculate_isratio};
    use equitas_core::measures::phe::mean::phe_mean;
    use equitas_core::measures::phe::quantile::phe_quantile;
    use equitas_core::measures::phe::rates::{phe_proportion, phe_rate};

    #[test]
    fn phe_esp2013_seed_schema_and_content() {
        let path = crate::root().join("seeds/standard-populations/esp2013.json");
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(ESP2013_JSON, on_disk, "the embedded ESP2013 is the file");
        // Schema: generated from the type, committed, drift-checked (UPDATE_SCHEMAS=1 rewrites).
        let schema_path = crate::root().join("seeds/schema/standard-population.schema.json");
        let mut generated =
            serde_json::to_string_pretty(&schemars::schema_for!(StandardPopulation)).unwrap();
        generated.push('\n');
        if std::env::var("UPDATE_SCHEMAS").is_ok_and(|v| v == "1") {
            std::fs::write(&schema_path, &generated).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&schema_path).unwrap_or_default(),
            generated,
            "{} is out of date: UPDATE_SCHEMAS=1 cargo test -p equitas-tests phe",
            schema_path.display()
        );
        let schema: Value = serde_json::from_str(&generated).unwrap();
        let instance: Value = serde_json::from_str(&on_disk).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let typed: StandardPopulation = serde_json::from_value(instance.clone()).unwrap();
        assert_eq!(
            serde_json::to_value(&typed).unwrap(),
            instance,
            "lossless round trip"
        );
        // Content: the 19 ESP2013 weights of §2.5, summing to 100,000, bands contiguous.
        let esp = StandardPopulation::esp2013();
        assert_eq!(esp, &typed);
        assert_eq!(
            esp.weights(),
            [
                5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0,
                7000.0, 6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0
            ]
        );
        assert!(
            esp.bands
                .windows(2)
                .all(|w| w[0].max_age.map(|m| m + 1) == Some(w[1].min_age))
        );
        assert_eq!(esp.bands.last().unwrap().max_age, None);
    }

    #[test]
    fn phe_proportion_and_rate() {
        let p = phe_proportion(65.0, 100.0, &[95.0, 99.8], 100.0).unwrap();
        assert_eq!(p.value, Some(65.0));
        assert_relative_eq!(
            p.intervals[0].lower.unwrap(),
            55.254_443_297,
            max_relative = WILSON_BYAR_REL,
            epsilon = WILSON_BYAR_ABS
        );
        assert_relative_eq!(
            p.intervals[1].upper.unwrap(),
            77.835_406_14,
            max_relative = WILSON_BYAR_REL,
            epsilon = WILSON_BYAR_ABS
        );
        // Below 10 events the rate uses exact limits: χ²(0.025; 18)/2 and χ²(0.975; 20)/2.
        let r = phe_rate(9.0, 50_000.0, &[0.95], 100_000.0).unwrap();
        assert_relative_eq!(
            r.value.unwrap(),
            18.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert_relative_eq!(
            r.intervals[0].lower.unwrap(),
            8.230_746_194_756_665 / 2.0 * 2.0,
            max_relative = INDEPENDENT_REL,
            epsilon = INDEPENDENT_ABS
        );
        assert_relative_eq!(
            r.intervals[0].upper.unwrap(),
            34.169_606_902_838_34,
            max_relative = INDEPENDENT_REL,
            epsilon = INDEPENDENT_ABS
        );
        let r = phe_rate(0.0, 1000.0, &[0.95], 1000.0).unwrap();
        assert_eq!(r.intervals[0].lower, Some(0.0));
        let r = phe_rate(1045.0, 5000.0, &[0.95], 1.0).unwrap();
        assert_relative_eq!(
            r.intervals[0].lower.unwrap(),
            982.593_201_807_33 / 5000.0,
            max_relative = WILSON_BYAR_REL,
            epsilon = WILSON_BYAR_ABS
        );
        let errors = [
            phe_proportion(-1.0, 10.0, &[0.95], 1.0).unwrap_err(),
            phe_proportion(11.0, 10.0, &[0.95], 1.0).unwrap_err(),
            phe_proportion(1.0, 0.0, &[0.95], 1.0).unwrap_err(),
            phe_proportion(1.0, 10.0, &[0.95, 0.99], 1.0).unwrap_err(),
            phe_rate(1.0, 10.0, &[0.95], 0.0).unwrap_err(),
            phe_rate(1.0, -5.0, &[0.95], 1.0).unwrap_err(),
        ];
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!(text.join("\n"));
    }

    /// Dobson limits from the formula written out independently here.
    #[test]
    fn phe_dsr_dobson_and_reason() {
        let x: Vec<Option<f64>> = (0..19)
            .map(|i| {
                if i == 3 {
                    None
                } else {
                    Some(f64::from(i * 3 + 1))
                }
            })
            .collect();
        let n: Vec<f64> = (0..19).map(|i| 4000.0 + 250.0 * f64::from(i)).collect();
        let w = StandardPopulation::esp2013().weights();
        let d = dsr_esp2013(&x, &n, &[0.95, 0.998], 100_000.0).unwrap();
        let xs: Vec<f64> = x.iter().map(|v| v.unwrap_or(0.0)).collect();
        let sw: f64 = w.iter().sum();
        let dsr: f64 = (0..19).map(|i| w[i] * xs[i] / n[i]).sum::<f64>() / sw;
        let var: f64 = (0..19)
            .map(|i| w[i] * w[i] * xs[i] / (n[i] * n[i]))
            .sum::<f64>()
            / (sw * sw);
        let o: f64 = xs.iter().sum();
        assert_relative_eq!(
            d.value.unwrap(),
            dsr * 1e5,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        for (k, c) in [0.95, 0.998].into_iter().enumerate() {
            let z = intervals::normal_quantile(1.0 - (1.0 - c) / 2.0);
            let ol = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3);
            let ou =
                (o + 1.0) * (1.0 - 1.0 / (9.0 * (o + 1.0)) + z / (3.0 * (o + 1.0).sqrt())).powi(3);
            let lo = (dsr + (var / o).sqrt() * (ol - o)) * 1e5;
            let hi = (dsr + (var / o).sqrt() * (ou - o)) * 1e5;
            assert_relative_eq!(
                d.intervals[k].lower.unwrap(),
                lo,
                max_relative = SAME_FORMULA_REL,
                epsilon = SAME_FORMULA_ABS
            );
            assert_relative_eq!(
                d.intervals[k].upper.unwrap(),
                hi,
                max_relative = SAME_FORMULA_REL,
                epsilon = SAME_FORMULA_ABS
            );
        }
        // Fewer than 10 events: suppressed with a reason.
        let few: Vec<DsrBand> = w
            .iter()
            .enumerate()
            .map(|(i, &stdpop)| DsrBand {
                x: Some(if i < 9 { 1.0 } else { 0.0 }),
                n: 1000.0,
                stdpop,
            })
            .collect();
        let d = calculate_dsr(&few, &[0.95], 100_000.0).unwrap();
        assert_eq!(d.value, None);
        assert_eq!(d.intervals[0].lower, None);
        assert_eq!(
            d.reason.as_ref().unwrap().to_string(),
            "total count 9 is below 10, so the rate is not computed"
        );
        assert_eq!(d.reason, Some(Reason::TooFewEvents { total: 9.0 }));
        assert_eq!(
            dsr_esp2013(&x[..18], &n[..18], &[0.95], 1.0)
                .unwrap_err()
                .to_string(),
            "ESP2013 has 19 age bands (0-4 to 90+); got 18 counts and 18 populations"
        );
        // Non-independent events: with every frequency 1 it is the independent DSR; counting
        // the same events as fewer people with two each widens the interval.
        let bands: Vec<DsrBand> = w
            .iter()
            .zip(&xs)
            .zip(&n)
            .map(|((&stdpop, &x), &n)| DsrBand {
                x: Some(x),
                n,
                stdpop,
            })
            .collect();
        let ones: Vec<NonIndependentBand> = bands
            .iter()
            .map(|b| NonIndependentBand {
                n: b.n,
                stdpop: b.stdpop,
                counts: vec![FrequencyCount {
                    events_per_person: 1.0,
                    people: b.x,
                }],
            })
            .collect();
        let indep = calculate_dsr(&bands, &[0.95], 1e5).unwrap();
        let same = calculate_dsr_nonindependent(&ones, &[0.95], 1e5).unwrap();
        assert_relative_eq!(
            same.value.unwrap(),
            indep.value.unwrap(),
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert_relative_eq!(
            same.intervals[0].lower.unwrap(),
            indep.intervals[0].lower.unwrap(),
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        let twos: Vec<NonIndependentBand> = ones
            .iter()
            .map(|b| NonIndependentBand {
                counts: vec![FrequencyCount {
                    events_per_person: 2.0,
                    people: b.counts[0].people.map(|p| p / 2.0),
                }],
                ..b.clone()
            })
            .collect();
        let paired = calculate_dsr_nonindependent(&twos, &[0.95], 1e5).unwrap();
        assert_relative_eq!(
            paired.value.unwrap(),
            indep.value.unwrap(),
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert!(paired.intervals[0].lower.unwrap() < indep.intervals[0].lower.unwrap());
        assert!(paired.intervals[0].upper.unwrap() > indep.intervals[0].upper.unwrap());
        let mut bad = few.clone();
        bad[4].n = 0.0;
        assert_eq!(
            calculate_dsr(&bad, &[0.95], 1.0).unwrap_err().to_string(),
            "the population of band 5 must be greater than zero, got 0"
        );
    }

    #[test]
    fn phe_isr_mean_funnel() {
        let bands = [
            IsrBand {
                x: Some(30.0),
                n: 1000.0,
                x_ref: Some(200.0),
                n_ref: 10_000.0,
            },
            IsrBand {
                x: None,
                n: 2000.0,
                x_ref: Some(50.0),
                n_ref: 10_000.0,
            },
        ];
        // E = 0.02·1000 + 0.005·2000 = 30; O = 30 (Byar's).
        let r = calculate_isratio(&bands, None, &[0.95], 1.0).unwrap();
        assert_relative_eq!(
            r.value.unwrap(),
            1.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        let b = intervals::byar(30.0, 0.95).unwrap();
        assert_relative_eq!(
            r.intervals[0].lower.unwrap(),
            b.lower.unwrap() / 30.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        // Observed given: 5 (< 10, exact); the rate uses ref_rate = 250/20000 × 100000 = 1250.
        let r = calculate_israte(&bands, Some(5.0), &[0.95], 100_000.0).unwrap();
        assert_relative_eq!(
            r.value.unwrap(),
            5.0 / 30.0 * 1250.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        let e = intervals::exact_poisson(5.0, 0.95).unwrap();
        assert_relative_eq!(
            r.intervals[0].upper.unwrap(),
            e.upper.unwrap() / 30.0 * 1250.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );

        // Mean: t(0.975; 4) = 2.776445105197799 (mpmath; tables 2.7764).
        let m = phe_mean(&[2.0, 4.0, 4.0, 5.0, 10.0], &[0.95]).unwrap();
        let sd = (((2.0f64 - 5.0).powi(2) + 1.0 + 1.0 + 0.0 + 25.0) / 4.0).sqrt();
        assert_relative_eq!(
            m.sd,
            sd,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert_relative_eq!(
            m.estimate.intervals[0].upper.unwrap(),
            5.0 + 2.776_445_105_197_799 * sd / 5f64.sqrt(),
            max_relative = INDEPENDENT_REL,
            epsilon = INDEPENDENT_ABS
        );
        assert_eq!(
            phe_mean(&[1.0], &[0.95]).unwrap_err().to_string(),
            "a mean with confidence limits needs at least 2 values, got 1"
        );

        // Funnel limits for proportions are where the Wilson interval touches the average: the
        // Wilson upper limit of the lower control limit (and vice versa) equals p̄.
        for (p, n, sigma, conf) in [
            (0.2, 500.0, Sigma::Two, 0.95),
            (0.07, 12_000.0, Sigma::Three, 0.998),
        ] {
            let (lo, hi) = proportion_limits(p, n, sigma, 1.0).unwrap();
            let w_lo = intervals::wilson_limits(lo * n, n, conf).unwrap();
            let w_hi = intervals::wilson_limits(hi * n, n, conf).unwrap();
            assert_relative_eq!(
                w_lo.upper.unwrap(),
                p,
                max_relative = FUNNEL_REL,
                epsilon = FUNNEL_ABS
            );
            assert_relative_eq!(
                w_hi.lower.unwrap(),
                p,
                max_relative = FUNNEL_REL,
                epsilon = FUNNEL_ABS
            );
        }
        assert_eq!(
            proportion_significance(100.0, 500.0, 0.2).unwrap(),
            Significance::NotSignificant
        );
        assert_eq!(
            proportion_significance(200.0, 500.0, 0.2).unwrap(),
            Significance::High001
        );
        assert_eq!(
            proportion_significance(80.0, 500.0, 0.2).unwrap().label(),
            "Low (0.025)"
        );
        // Ratio funnel limits: the exact interval of the limiting count touches E.
        for (e, sigma, p) in [
            (3.0, Sigma::Two, 0.975),
            (50.0, Sigma::Three, 0.999),
            (400.0, Sigma::Two, 0.975),
        ] {
            let (lo, hi) = ratio_limits(e, sigma).unwrap();
            assert!(lo < 1.0 && hi > 1.0);
            if e < 3.7 {
                // Even 0 events is not significantly low when E is below Γ⁻¹(0.975; 1) = 3.69.
                assert_eq!(lo, 0.0);
            } else {
                let touch = intervals::gamma_quantile(p, lo * e + 1.0);
                assert_relative_eq!(touch, e, max_relative = FUNNEL_REL, epsilon = FUNNEL_ABS);
            }
            assert_relative_eq!(
                intervals::gamma_quantile(1.0 - p, hi * e),
                e,
                max_relative = FUNNEL_REL,
                epsilon = FUNNEL_ABS
            );
        }
        let (lo, hi) = rate_limits(250.0, 40_000.0, Sigma::Two, 100_000.0).unwrap();
        let (rlo, rhi) = ratio_limits(100.0, Sigma::Two).unwrap();
        assert_relative_eq!(
            lo,
            rlo * 250.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert_relative_eq!(
            hi,
            rhi * 250.0,
            max_relative = SAME_FORMULA_REL,
            epsilon = SAME_FORMULA_ABS
        );
        assert_eq!(ratio_significance(1.0, 12.0).unwrap(), Significance::Low001);
        assert_eq!(ratio_significance(3.0, 12.0).unwrap(), Significance::Low025);
        assert_eq!(
            ratio_significance(20.0, 12.0).unwrap(),
            Significance::High025
        );
        assert_eq!(
            ratio_significance(12.0, 12.0).unwrap(),
            Significance::NotSignificant
        );
    }

    /// Real data: national deciles of the English IMD 2025 by count of LSOAs from the scores
    /// reproduce the published deciles (the published ones come from the ranks).
    #[test]
    fn phe_quantile_reproduces_imd_deciles() {
        let path = crate::shared("data/imd/imd2025_england_lsoa21.csv");
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (score_col, decile_col) = (col("IMD_score"), col("IMD_decile"));
        let (mut scores, mut deciles) = (Vec::new(), Vec::new());
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            scores.push(Some(fields[score_col].parse::<f64>().unwrap()));
            deciles.push(fields[decile_col].parse::<u32>().unwrap());
        }
        let got = phe_quantile(&scores, 10, true).unwrap().unwrap();
        let mismatches = got
            .iter()
            .zip(&deciles)
            .filter(|(g, d)| **g != Some(**d))
            .count();
        // Scores are published to 3 decimals, so a handful of ties straddle a decile boundary.
        assert!(
            mismatches <= 10,
            "{mismatches} of {} LSOAs differ",
            deciles.len()
        );
        // Every decile has a tenth of the areas (by count, not population).
        for d in 1..=10 {
            let k = got.iter().filter(|g| **g == Some(d)).count();
            assert!(k.abs_diff(deciles.len() / 10) <= 2, "decile {d} has {k}");
        }
        // Too few areas is a reason; a missing value gets no quantile.
        assert_eq!(
            phe_quantile(&[Some(1.0), Some(2.0)], 5, true)
                .unwrap()
                .unwrap_err()
                .to_string(),
            "2 small areas with values are too few to assign 5 quantiles"
        );
        let q = phe_quantile(&[Some(3.0), None, Some(1.0), Some(2.0)], 3, false)
            .unwrap()
            .unwrap();
        assert_eq!(q, [Some(3), None, Some(1), Some(2)]);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties.

mod properties {
    use approx::{abs_diff_eq, relative_eq};
    use equitas_core::measures::lifetable::{AgeBand, START_AGES, life_expectancy};
    use equitas_core::measures::phe::sii::{SiiOptions, SiiRow, phe_sii};
    use proptest::prelude::*;

    fn area() -> impl Strategy<Value = Vec<SiiRow>> {
        (5usize..=12).prop_flat_map(|k| {
            prop::collection::vec((100.0f64..50_000.0, 20.0f64..90.0, 0.1f64..3.0), k).prop_map(
                |v| {
                    v.into_iter()
                        .enumerate()
                        .map(|(i, (population, value, se))| SiiRow {
                            quantile: u32::try_from(i + 1).unwrap(),
                            population,
                            value,
                            se: Some(se),
                            lower_cl: None,
                            upper_cl: None,
                        })
                        .collect()
                },
            )
        })
    }

    fn opts(seed: u64) -> SiiOptions {
        SiiOptions {
            repetitions: 1000,
            seed,
            ..SiiOptions::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// No inequality: equal values in every quantile give SII 0 and RII 1.
        #[test]
        fn sii_is_zero_when_all_quantiles_are_equal(rows in area(), level in 1.0f64..100.0) {
            let rows: Vec<SiiRow> = rows.into_iter().map(|r| SiiRow { value: level, ..r }).collect();
            let r = phe_sii(&rows, &opts(1)).unwrap();
            // Rounding only: 1e-9 of the level for SII (absolute, its value is 0), 1e-9 for RII.
            prop_assert!(abs_diff_eq!(r.sii.unwrap(), 0.0, epsilon = 1e-9 * level), "sii {:?}", r.sii);
            prop_assert!(abs_diff_eq!(r.rii.unwrap(), 1.0, epsilon = 1e-9), "rii {:?}", r.rii);
        }

        /// SII scales with the values (and their SEs, limits included); RII does not.
        #[test]
        fn sii_scales_rii_does_not(rows in area(), k in 0.1f64..10.0, seed in 0u64..1000) {
            let scaled: Vec<SiiRow> = rows
                .iter()
                .map(|r| SiiRow { value: r.value * k, se: r.se.map(|s| s * k), ..*r })
                .collect();
            let a = phe_sii(&rows, &opts(seed)).unwrap();
            let b = phe_sii(&scaled, &opts(seed)).unwrap();
            // Rounding only: 1e-9 relative, and 1e-15 absolute for values near 0.
            let close = |x: f64, y: f64| relative_eq!(x, y, max_relative = 1e-9, epsilon = 1e-15);
            prop_assert!(close(a.sii.unwrap() * k, b.sii.unwrap()));
            prop_assert!(close(a.rii.unwrap(), b.rii.unwrap()));
            prop_assert!(close(a.intervals[0].sii_lower.unwrap() * k, b.intervals[0].sii_lower.unwrap()));
            prop_assert!(close(a.intervals[0].sii_upper.unwrap() * k, b.intervals[0].sii_upper.unwrap()));
        }

        /// Row order does not matter (quantiles are sorted as numbers), and a seed fixes the
        /// answer.
        #[test]
        fn sii_ignores_row_order_and_repeats_with_a_seed(rows in area(), seed in 0u64..1000, rot in 0usize..12) {
            let mut shuffled = rows.clone();
            shuffled.reverse();
            let n = shuffled.len();
            shuffled.rotate_left(rot % n);
            let a = phe_sii(&rows, &opts(seed)).unwrap();
            // Exact: rows are sorted by quantile before anything is summed.
            prop_assert_eq!(&a, &phe_sii(&shuffled, &opts(seed)).unwrap());
            prop_assert_eq!(&a, &phe_sii(&rows, &opts(seed)).unwrap());
        }

        /// Life expectancy ignores row order, and falls when every death rate rises.
        #[test]
        fn lifetable_row_order_and_monotone(
            pops in prop::collection::vec(2_000.0f64..60_000.0, 20),
            rates in prop::collection::vec(0.0005f64..0.02, 20),
            rot in 0usize..20,
        ) {
            let bands: Vec<AgeBand> = START_AGES
                .iter()
                .zip(pops.iter().zip(&rates))
                .enumerate()
                .map(|(i, (&a, (&p, &r)))| AgeBand {
                    start_age: a,
                    population: p,
                    // Rates rise with age; the 90+ band always has deaths.
                    deaths: (p * r * (1.0 + i as f64 / 2.0)).round().max(1.0),
                })
                .collect();
            let mut rotated = bands.clone();
            rotated.rotate_left(rot);
            let a = life_expectancy(&bands, &[0.95]).unwrap();
            // Exact: bands are put in age order before anything is summed.
            prop_assert_eq!(&a, &life_expectancy(&rotated, &[0.95]).unwrap());
            let worse: Vec<AgeBand> = bands.iter().map(|b| AgeBand { deaths: (b.deaths * 1.5).min(b.population), ..*b }).collect();
            let w = life_expectancy(&worse, &[0.95]).unwrap();
            prop_assert!(w[0].se.is_some() && a[0].se.is_some());
            if let (Some(x), Some(y)) = (a[0].value, w[0].value) {
                prop_assert!(y < x, "e0 {y} with more deaths vs {x}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 12: bad input refused cleanly, nothing blank without a reason, the reference's swaps.

mod issue12 {
    use super::*;
    use equitas_core::measures::intervals::{
        MAX_CONFIDENCE, MAX_CONFIDENCE_LEVELS, MIN_CONFIDENCE, confidence_levels,
    };
    use equitas_core::measures::lifetable::{AgeBand, START_AGES, life_expectancy};
    use equitas_core::measures::phe::dsr::{
        BandError, LabelledBand, StandardPopulation, calculate_dsr_by_label, dsr_esp2013,
    };
    use equitas_core::measures::phe::sii::{
        SiiOptions, SiiRow, SwapRule, ValueType, phe_sii, phe_sii_many, sii_analytic,
    };
    use equitas_core::measures::phe::{PheError, Reason};
    use proptest::prelude::*;

    /// Finding 17: with a rate, `transform` and a multiplier of 0.5, the reference's rule swaps
    /// the limits (its `multiplier < 1` test) and, for RII, also inverts them:
    /// `rii_lower = 1 / (exp(xequals1ucl) / exp(interceptucl))` (R/SII_function.R, value_type 1).
    /// Before the fix equitas only swapped them, so its RII limits were those of the consistent
    /// rule in the other order (the issue's 0.916 and 0.270 where the package gives 1.095 and
    /// 3.703 = 1/0.270). The draws are the same under both rules (same seed), so the relation is
    /// exact up to the one division: tolerance 1e-15 relative.
    #[test]
    fn swap_rule_reference_inverts_rii_limits_like_the_package() {
        let rows: Vec<SiiRow> = (1..=5u32)
            .map(|q| {
                // Few events: wide limits, so the inversion is far from 1.
                let v = 40.0 - 5.0 * f64::from(q);
                SiiRow {
                    quantile: q,
                    population: 1000.0,
                    value: v,
                    se: None,
                    lower_cl: Some(v * 0.7),
                    upper_cl: Some(v * 1.4),
                }
            })
            .collect();
        let consistent = SiiOptions {
            value_type: ValueType::Rate,
            transform: true,
            multiplier: 0.5,
            repetitions: 20_000,
            ..SiiOptions::default()
        };
        let reference = SiiOptions {
            swap_rule: SwapRule::Reference,
            ..consistent.clone()
        };
        let c = phe_sii(&rows, &consistent).unwrap();
        let r = phe_sii(&rows, &reference).unwrap();
        let (ci, ri) = (c.intervals[0], r.intervals[0]);
        assert!(
            ci.rii_lower < ci.rii_upper && ci.rii_upper.unwrap() < 1.0,
            "{ci:?}"
        );
        assert_relative_eq!(
            ri.rii_lower.unwrap(),
            1.0 / ci.rii_upper.unwrap(),
            max_relative = LAST_PLACES_REL,
            epsilon = LAST_PLACES_ABS
        );
        assert_relative_eq!(
            ri.rii_upper.unwrap(),
            1.0 / ci.rii_lower.unwrap(),
            max_relative = LAST_PLACES_REL,
            epsilon = LAST_PLACES_ABS
        );
        assert!(
            ri.rii_lower.unwrap() > 1.0,
            "the package's odd result: above 1 while RII < 1"
        );
        assert_eq!((ri.sii_lower, ri.sii_upper), (ci.sii_upper, ci.sii_lower));
        // The point estimates are not inverted (the package inverts them only below 0).
        assert_eq!((r.sii, r.rii), (c.sii, c.rii));
        // Below 0 both rules agree: swapped and inverted.
        let neg = |rule| SiiOptions {
            multiplier: -0.5,
            swap_rule: rule,
            ..consistent.clone()
        };
        assert_eq!(
            phe_sii(&rows, &neg(SwapRule::Reference)).unwrap(),
            phe_sii(&rows, &neg(SwapRule::Consistent)).unwrap()
        );
    }

    /// Finding 10: bands are found by label, in any order, with the spellings the docs list.
    #[test]
    fn dsr_bands_by_label() {
        let esp = StandardPopulation::esp2013();
        for (label, band) in [
            ("0-4", Some(0)),
            ("00-04", Some(0)),
            ("0 to 4", Some(0)),
            ("Aged 0 to 4", Some(0)),
            ("0\u{2013}4", Some(0)),
            ("0-4 yrs", Some(0)),
            ("0", Some(0)),
            ("05-09", Some(1)),
            ("85-89", Some(17)),
            ("90+", Some(18)),
            ("90 +", Some(18)),
            ("90 and over", Some(18)),
            ("90 AND OVER", Some(18)),
            ("90 plus", Some(18)),
            ("90+ years", Some(18)),
            ("90", Some(18)),
            ("85+", None),
            ("85-90", None),
            ("55-69", None),
            ("1", None),
            ("0-4-9", None),
            ("-4", None),
            ("", None),
            ("90-", None),
            ("0004-0009", None),
            ("a", None),
        ] {
            assert_eq!(esp.band_of(label), band, "{label:?}");
        }
        // The example's rows in text order give the same rate as in age order, bit for bit.
        let x: Vec<Option<f64>> = (0..19).map(|i| Some(f64::from(3 * i + 1))).collect();
        let n: Vec<f64> = (0..19).map(|i| 4000.0 + 250.0 * f64::from(i)).collect();
        let in_order = dsr_esp2013(&x, &n, &[0.95], 1e5).unwrap();
        let mut rows: Vec<LabelledBand<'_>> = esp
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| LabelledBand {
                row: i + 2,
                label: &b.label,
                x: x[i],
                n: n[i],
            })
            .collect();
        rows.sort_by(|a, b| a.label.cmp(b.label));
        assert_eq!(
            calculate_dsr_by_label(esp, &rows, &[0.95], 1e5).unwrap(),
            in_order
        );
        // Unknown, repeated and missing bands, and a bad count named by its row.
        let err = |rows: &[LabelledBand<'_>]| {
            calculate_dsr_by_label(esp, rows, &[0.95], 1e5)
                .unwrap_err()
                .to_string()
        };
        let mut unknown = rows.clone();
        unknown[4].label = "85+";
        assert!(matches!(
            calculate_dsr_by_label(esp, &unknown, &[0.95], 1e5),
            Err(PheError::Band(BandError::UnknownLabel { .. }))
        ));
        assert!(err(&unknown).starts_with(&format!(
            "row {}, column ageband: \"85+\" is not an ESP2013 age band",
            unknown[4].row
        )));
        let mut twice = rows.clone();
        twice[1].label = twice[0].label;
        assert_eq!(
            err(&twice),
            format!(
                "age band {} appears more than once (rows {} and {})",
                rows[0].label, rows[0].row, rows[1].row
            )
        );
        assert!(err(&rows[1..]).starts_with(&format!("age band {} is missing", rows[0].label)));
        assert!(
            err(&rows[2..]).starts_with("age bands 0-4 and 10-14 are missing"),
            "{}",
            err(&rows[2..])
        );
        let mut negative = rows.clone();
        negative[3].x = Some(-1.0);
        assert_eq!(
            err(&negative),
            format!(
                "the count in row {} (age band {}) must be zero or more, got -1",
                rows[3].row, rows[3].label
            )
        );
    }

    /// Finding 11 and 6: a confidence level that cannot give finite limits is refused up front,
    /// with its range; so are too many levels and a repeated level.
    #[test]
    fn confidence_levels_have_a_range_that_gives_finite_limits() {
        assert_eq!(MIN_CONFIDENCE, 0.9);
        assert_eq!(MAX_CONFIDENCE, 0.999_999);
        for c in [
            1.0,
            100.0,
            0.999_999_9,
            99.999_99,
            0.999_999_999_999_999_9,
            f64::NAN,
            f64::INFINITY,
        ] {
            let e = confidence_levels(&[c]).unwrap_err().to_string();
            assert!(
                e.starts_with("a confidence level is a proportion from 0.9 to 0.999999 or a percentage from 90 to 99.9999, got"),
                "{c}: {e}"
            );
        }
        assert_eq!(confidence_levels(&[0.999_999]).unwrap(), [0.999_999]);
        assert_eq!(confidence_levels(&[99.9999]).unwrap(), [0.999_999]);
        let many = vec![0.95; MAX_CONFIDENCE_LEVELS + 1];
        assert_eq!(
            confidence_levels(&many).unwrap_err().to_string(),
            "at most 10 confidence levels can be given, got 11"
        );
        assert_eq!(
            confidence_levels(&[95.0, 0.95]).unwrap_err().to_string(),
            "the level 0.95 is given more than once"
        );
        // Every allowed level gives finite limits in every method that takes many levels.
        let bands = super::lifetable::vector_bands();
        let le = life_expectancy(&bands, &[MIN_CONFIDENCE, MAX_CONFIDENCE]).unwrap();
        assert!(
            le.iter()
                .all(|e| e.intervals.iter().all(|i| i.lower.is_some()))
        );
    }

    /// Finding 11: the life table where everyone alive at 70 dies in the band (q = 1), checked
    /// against the reference's formulas (R/LifeExpectancy.R) worked by hand: from 75 on l = 0, the
    /// value is 0 and the SE is 0/0 (NA); at 70 the SE is 0, so its limits are the value itself.
    #[test]
    fn lifetable_q_one_leaves_no_limits_after_the_band() {
        let mut bands = super::lifetable::vector_bands();
        bands[15].deaths = bands[15].population;
        let le = life_expectancy(&bands, &[0.95]).unwrap();
        for e in &le {
            let i = e.intervals[0];
            if e.start_age >= 75 {
                assert_eq!(
                    (e.value, e.se, i.lower, i.upper),
                    (Some(0.0), None, None, None)
                );
                assert_eq!(e.reason, Some(Reason::NoSurvivors { start_age: 70 }));
            } else {
                assert!(i.lower.is_some() && e.reason.is_none(), "{e:?}");
            }
        }
        let at70 = &le[15];
        assert_eq!(at70.se, Some(0.0));
        assert_eq!(at70.intervals[0].lower, at70.value);
        assert_eq!(
            le[16].reason.as_ref().unwrap().to_string(),
            "nobody is alive at this age: everyone alive at 70 dies in that band (q = 1), so there are no limits (the value 0 is the reference's)"
        );
    }

    /// Finding 6: the thread count is bounded and a huge one is not an abort; the answers are the
    /// same for any count.
    #[test]
    fn sii_many_with_huge_thread_counts() {
        let rows: Vec<SiiRow> = (1..=5u32)
            .map(|q| SiiRow {
                quantile: q,
                population: 1000.0,
                value: 70.0 + f64::from(q),
                se: Some(1.0),
                lower_cl: None,
                upper_cl: None,
            })
            .collect();
        let areas: Vec<&[SiiRow]> = vec![&rows; 40];
        let o = SiiOptions {
            repetitions: 1000,
            ..SiiOptions::default()
        };
        // Exact, as any thread count must be (the seed is per area).
        let one = phe_sii_many(&areas, &o, 1);
        assert_eq!(phe_sii_many(&areas, &o, usize::MAX), one);
        assert_eq!(phe_sii_many(&areas, &o, 100_000), one);
    }

    fn hostile_value() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1e3f64..1e3,
            Just(1.7e308),
            Just(-1.7e308),
            Just(1e308),
            Just(0.0),
            Just(5e-324),
            1e300f64..1.7e308,
        ]
    }

    fn hostile_area() -> impl Strategy<Value = Vec<SiiRow>> {
        prop::collection::vec(
            (
                prop_oneof![Just(1.0), 1e-300f64..1e6, Just(1e308)],
                hostile_value(),
                prop_oneof![Just(0.0), 0.0f64..10.0, Just(1e308), Just(1e-300)],
            ),
            5..=7,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (population, value, se))| SiiRow {
                    quantile: u32::try_from(i + 1).unwrap(),
                    population,
                    value,
                    se: Some(se),
                    lower_cl: None,
                    upper_cl: None,
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Finding 11: whatever the values, every SII number is either finite or missing with a
        /// reason; the analytic limits too.
        #[test]
        fn sii_blanks_always_have_a_reason(
            rows in hostile_area(),
            multiplier in prop_oneof![Just(1.0), Just(-1e12), Just(1e12), -10.0f64..10.0],
            reliability in any::<bool>(),
        ) {
            let o = SiiOptions {
                repetitions: 1000,
                multiplier,
                reliability,
                confidence: vec![0.95, 0.999_999],
                ..SiiOptions::default()
            };
            let r = phe_sii(&rows, &o).unwrap();
            let mut numbers = vec![r.sii, r.rii, r.intercept];
            for i in &r.intervals {
                numbers.extend([i.sii_lower, i.sii_upper, i.rii_lower, i.rii_upper]);
                if reliability {
                    numbers.extend([i.sii_lower_mad, i.sii_upper_mad, i.rii_lower_mad, i.rii_upper_mad]);
                }
            }
            prop_assert!(numbers.iter().flatten().all(|x| x.is_finite()));
            if numbers.iter().any(Option::is_none) {
                prop_assert!(r.reason.is_some(), "{r:?}");
            }
            match sii_analytic(&rows, &o).unwrap() {
                Ok(limits) => {
                    prop_assert!(limits.iter().all(|i| i.lower.is_some_and(f64::is_finite) && i.upper.is_some_and(f64::is_finite)));
                }
                Err(reason) => prop_assert!(reason.to_string().contains("analytic"), "{reason}"),
            }
        }

        /// Finding 11: whatever the deaths and populations, every life-table number is either
        /// finite or missing with a reason.
        #[test]
        fn lifetable_blanks_always_have_a_reason(
            pops in prop::collection::vec(prop_oneof![1.0f64..1e6, Just(1e308), Just(5e-324)], 20),
            deaths in prop::collection::vec(prop_oneof![0.0f64..1e3, Just(1e-300), Just(0.0), Just(1e308)], 20),
            all_die in 0usize..25,
        ) {
            let mut bands: Vec<AgeBand> = START_AGES
                .iter()
                .zip(pops.iter().zip(&deaths))
                .map(|(&a, (&p, &d))| AgeBand { start_age: a, population: p, deaths: d.min(p) })
                .collect();
            if let Some(b) = bands.get_mut(all_die) {
                b.deaths = b.population;
            }
            let le = life_expectancy(&bands, &[0.95, 0.999_999]).unwrap();
            for e in &le {
                let mut numbers = vec![e.value, e.se];
                for i in &e.intervals {
                    numbers.extend([i.lower, i.upper]);
                }
                prop_assert!(numbers.iter().flatten().all(|x| x.is_finite()), "{e:?}");
                if numbers.iter().any(Option::is_none) {
                    prop_assert!(e.reason.is_some(), "{e:?}");
                }
            }
        }
    }
}
