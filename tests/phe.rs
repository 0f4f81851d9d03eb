//! Integration tests for the Fingertips methods (`measures::phe`, `measures::lifetable`,
//! `measures::intervals`) against `../shared/reference/vectors/` at the tolerances stated there,
//! independent special-function values, every reason and error message, and properties.

#![allow(
    clippy::excessive_precision,
    reason = "reference values printed to 17 digits"
)]

use equitas_core::measures::intervals::{
    self, byar, chi_square_quantile, confidence_level, confidence_pair, exact_poisson,
    student_t_quantile, wilson_limits,
};
use serde_json::Value;

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

fn assert_rel(got: f64, want: f64, rel: f64, what: &str) {
    let err = ((got - want) / want).abs();
    assert!(
        err <= rel,
        "{what}: got {got}, want {want} (relative error {err:e} > {rel:e})"
    );
}

#[allow(dead_code, reason = "used by the life-table tests")]
fn assert_abs(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (|diff| {} > {tol})",
        (got - want).abs()
    );
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
        assert_rel(
            b.lower.unwrap(),
            want[0],
            1e-8,
            &format!("wilson {x}/{n} lower"),
        );
        assert_rel(
            b.upper.unwrap(),
            want[1],
            1e-8,
            &format!("wilson {x}/{n} upper"),
        );
    }
    for case in v["byar"].as_array().unwrap() {
        let (x, c) = (f(&case["x"]), f(&case["confidence"]));
        let want = fs(&case["ci"]);
        let b = byar(x, c).unwrap();
        assert_rel(b.lower.unwrap(), want[0], 1e-8, &format!("byar {x} lower"));
        assert_rel(b.upper.unwrap(), want[1], 1e-8, &format!("byar {x} upper"));
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
        assert_rel(
            chi_square_quantile(p, df),
            want,
            1e-10,
            &format!("chi2({p}; {df})"),
        );
    }
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
        assert_rel(
            student_t_quantile(p, df),
            want,
            1e-10,
            &format!("t({p}; {df})"),
        );
        assert_rel(
            student_t_quantile(1.0 - p, df),
            -want,
            1e-9,
            &format!("t({}; {df})", 1.0 - p),
        );
    }
    assert_rel(
        student_t_quantile(0.975, 1.0),
        12.706_204_736_174_7,
        1e-12,
        "t(0.975; 1)",
    );
    assert_rel(
        student_t_quantile(0.975, 2.0),
        4.302_652_729_749_464,
        1e-12,
        "t(0.975; 2)",
    );
}

#[test]
fn phe_exact_poisson_limits() {
    // x = 0: lower is 0 (χ² with 0 df), upper χ²(0.975; 2)/2 = −ln(0.025).
    let b = exact_poisson(0.0, 0.95).unwrap();
    assert_eq!(b.lower, Some(0.0));
    assert_rel(b.upper.unwrap(), -(0.025_f64.ln()), 1e-12, "x=0 upper");
    // x = 9 (the largest exact count): χ²(0.025; 18)/2 and χ²(0.975; 20)/2.
    let b = exact_poisson(9.0, 0.95).unwrap();
    assert_rel(
        b.lower.unwrap(),
        8.230_746_194_756_664_9 / 2.0,
        1e-10,
        "x=9 lower",
    );
    assert_rel(
        b.upper.unwrap(),
        34.169_606_902_838_337 / 2.0,
        1e-10,
        "x=9 upper",
    );
    let (_, m) = intervals::poisson_limits(9.0, 0.95).unwrap();
    assert_eq!(m, intervals::PoissonMethod::Exact);
    let (_, m) = intervals::poisson_limits(10.0, 0.95).unwrap();
    assert_eq!(m, intervals::PoissonMethod::Byars);
}

#[test]
fn phe_confidence_rule_and_messages() {
    assert_eq!(confidence_level(95.0).unwrap(), 0.95);
    assert_eq!(confidence_level(0.9).unwrap(), 0.9);
    assert_eq!(confidence_level(100.0).unwrap(), 1.0);
    assert_eq!(
        confidence_level(0.8).unwrap_err().to_string(),
        "confidence level must be between 90 and 100 or between 0.9 and 1, got 0.8"
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
    use equitas_core::measures::phe::sii::{SiiOptions, SiiRow, phe_sii, sii_analytic};

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
            assert_rel(
                r.sii.unwrap(),
                f(&want["sii"]),
                1e-9,
                &format!("{name} sii"),
            );
            assert_rel(
                r.rii.unwrap(),
                f(&want["rii"]),
                1e-9,
                &format!("{name} rii"),
            );
            // The intercept is printed to 7 decimals in the vector.
            assert_abs(
                r.intercept.unwrap(),
                f(&want["intercept"]),
                5e-8,
                &format!("{name} intercept"),
            );
            let analytic = sii_analytic(&rows, &SiiOptions::default())
                .unwrap()
                .unwrap();
            if area.get("se").is_some() {
                let sim = fs(&want["sii_ci95_simulated"]);
                let ci = &r.intervals[0];
                assert_rel(
                    ci.sii_lower.unwrap(),
                    sim[0],
                    0.05,
                    &format!("{name} simulated lower"),
                );
                assert_rel(
                    ci.sii_upper.unwrap(),
                    sim[1],
                    0.05,
                    &format!("{name} simulated upper"),
                );
                if let Some(rii) = want.get("rii_ci95") {
                    let rii = fs(rii);
                    assert_rel(
                        ci.rii_lower.unwrap(),
                        rii[0],
                        0.05,
                        &format!("{name} rii lower"),
                    );
                    assert_rel(
                        ci.rii_upper.unwrap(),
                        rii[1],
                        0.05,
                        &format!("{name} rii upper"),
                    );
                }
                // The analytic limits are printed to 4 decimals.
                let an = fs(&want["sii_ci95_analytic"]);
                assert_abs(
                    analytic[0].lower.unwrap(),
                    an[0],
                    5e-5,
                    &format!("{name} analytic lower"),
                );
                assert_abs(
                    analytic[0].upper.unwrap(),
                    an[1],
                    5e-5,
                    &format!("{name} analytic upper"),
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
        let tol = 5e-5;
        let want = &v["expected"];
        let le = life_expectancy(&vector_bands(), &[0.95]).unwrap();
        let at = |age: u32| le.iter().find(|e| e.start_age == age).unwrap();
        assert_abs(
            at(0).value.unwrap(),
            f(&want["le_at_birth"]),
            tol,
            "le at birth",
        );
        let ci = fs(&want["le_at_birth_ci95"]);
        assert_abs(
            at(0).intervals[0].lower.unwrap(),
            ci[0],
            tol,
            "le at birth lower",
        );
        assert_abs(
            at(0).intervals[0].upper.unwrap(),
            ci[1],
            tol,
            "le at birth upper",
        );
        for (age, value) in want["le_by_start_age"].as_object().unwrap() {
            let age: u32 = age.parse().unwrap();
            assert_abs(
                at(age).value.unwrap(),
                f(value),
                tol,
                &format!("le at {age}"),
            );
        }
        let ci = fs(&want["le_at_90_ci95"]);
        assert_abs(
            at(90).intervals[0].lower.unwrap(),
            ci[0],
            tol,
            "le at 90 lower",
        );
        assert_abs(
            at(90).intervals[0].upper.unwrap(),
            ci[1],
            tol,
            "le at 90 upper",
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
            "confidence level must be between 90 and 100 or between 0.9 and 1, got 0.5"
        ));
        let _ = Reason::NoDeathsInOldestBand;
    }
}
