//! The tolerances the tests compare floating-point numbers with, one pair per reference, each
//! with where it comes from. Comparisons use `approx`: `assert_relative_eq!(got, want,
//! max_relative = R, epsilon = A)` passes when |got − want| ≤ A or |got − want| ≤ R·max(|got|,
//! |want|); `assert_abs_diff_eq!(got, want, epsilon = A)` when |got − want| ≤ A.
//!
//! The references state relative tolerances (`"1e-6 relative"`). Their own tests check them with
//! testthat's `expect_equal(tolerance = t)`, which compares relatively when |want| > t and
//! absolutely (|got − want| < t) below that, so an expected 0 is not demanded bit for bit. Here
//! the absolute floor that goes with a relative tolerance t is t²: the largest floor that never
//! lets through, for any |want| ≥ t, a difference the relative test would refuse, and stricter
//! than testthat's t below it. No expected value in the vectors is under its t, so the floor
//! changes none of their checks; it keeps a 0 (or a value near it) from needing exact equality.
//!
//! Values a reference prints rounded (`"4 decimal places"`, a note that a number is printed to 7
//! decimals) are compared absolutely, to half a unit of the last printed digit.
//!
//! Comparisons that must be exact stay `assert_eq!` and say why where they are: the same seed
//! natively and in wasm32 (bits), any number of threads against one, a reused workspace against
//! a fresh one, row order, and values the code produces without arithmetic.

/// `who_ordered_synthetic.json` and `who_nonordered_synthetic.json`: `"tolerance": "1e-6
/// relative unless noted"` (healthequal 1.0.1's test suite, `expect_equal(tolerance = 1e-6)`).
pub const WHO_REL: f64 = 1e-6;
/// The absolute floor for [`WHO_REL`] (its square; see the module docs).
pub const WHO_ABS: f64 = WHO_REL * WHO_REL;

/// `who_nonordered_synthetic.json`, note on `ti`: healthequal's own test hard-codes the TI (and
/// the interval around it) "with tolerance 1e-4"; compared absolutely, as before.
pub const WHO_TI_ABS: f64 = 1e-4;

/// `who_nonordered_synthetic.json` prints the TI and MLD standard errors to 5 significant
/// figures (about 0.0x): half a unit of the last digit.
pub const WHO_TI_MLD_SE_ABS: f64 = 5e-8;

/// `phe_sii_deciles.json`: `"tolerance": "point estimates 1e-9 relative; …"` (the SII and RII).
pub const PHE_SII_POINT_REL: f64 = 1e-9;
/// The absolute floor for [`PHE_SII_POINT_REL`].
pub const PHE_SII_POINT_ABS: f64 = PHE_SII_POINT_REL * PHE_SII_POINT_REL;

/// `phe_sii_deciles.json`: `"…; simulated CIs 5% relative (the package's own test tolerance)"`
/// (PHEindicatormethods 2.1.0, `testSII.R`, `tol <- 0.05`).
pub const PHE_SII_SIMULATED_REL: f64 = 0.05;
/// The absolute floor for [`PHE_SII_SIMULATED_REL`].
pub const PHE_SII_SIMULATED_ABS: f64 = PHE_SII_SIMULATED_REL * PHE_SII_SIMULATED_REL;

/// `phe_sii_deciles.json` prints the intercept to 7 decimals: half a unit of the last.
pub const PHE_SII_INTERCEPT_ABS: f64 = 5e-8;

/// `phe_sii_deciles.json` prints the analytic limits to 4 decimals: half a unit of the last.
pub const PHE_SII_ANALYTIC_ABS: f64 = 5e-5;

/// `wilson_byar.json`: `"tolerance": "1e-8 relative"` (PHEindicatormethods 2.1.0's tests).
pub const WILSON_BYAR_REL: f64 = 1e-8;
/// The absolute floor for [`WILSON_BYAR_REL`].
pub const WILSON_BYAR_ABS: f64 = WILSON_BYAR_REL * WILSON_BYAR_REL;

/// `chiang_life_table.json`: `"tolerance": "4 decimal places"`: half a unit of the fourth.
pub const CHIANG_ABS: f64 = 5e-5;

/// Values computed independently at 40 digits (mpmath) and written out in the tests: the
/// chi-square and Student t quantiles and the exact Poisson limits. Our special functions are
/// iterative, so 1e-10 relative rather than a few units in the last place.
pub const INDEPENDENT_REL: f64 = 1e-10;
/// The absolute floor for [`INDEPENDENT_REL`].
pub const INDEPENDENT_ABS: f64 = INDEPENDENT_REL * INDEPENDENT_REL;

/// The same quantity computed along another path in the test (a formula written out, a scaled
/// copy, an interval rebuilt from value and SE): rounding only, a few thousand units in the last
/// place.
pub const SAME_FORMULA_REL: f64 = 1e-12;
/// The absolute floor for [`SAME_FORMULA_REL`].
pub const SAME_FORMULA_ABS: f64 = SAME_FORMULA_REL * SAME_FORMULA_REL;

/// Two results one operation apart (a value and its reciprocal from the same draws, a value
/// unchanged by a mode that only rescales its SE): a few units in the last place.
pub const LAST_PLACES_REL: f64 = 1e-15;
/// The absolute floor for [`LAST_PLACES_REL`].
pub const LAST_PLACES_ABS: f64 = LAST_PLACES_REL * LAST_PLACES_REL;

/// The Student t quantiles of [`INDEPENDENT_REL`] at 1 − p: computing 1 − p costs the last
/// digits of p, so ten times looser.
pub const INDEPENDENT_LOWER_TAIL_REL: f64 = 1e-9;
/// The absolute floor for [`INDEPENDENT_LOWER_TAIL_REL`].
pub const INDEPENDENT_LOWER_TAIL_ABS: f64 = INDEPENDENT_LOWER_TAIL_REL * INDEPENDENT_LOWER_TAIL_REL;

/// Funnel limits, found by root-finding, put back through the interval they invert (a Wilson
/// limit or a gamma quantile must land on the average): 1e-9 relative.
pub const FUNNEL_REL: f64 = 1e-9;
/// The absolute floor for [`FUNNEL_REL`].
pub const FUNNEL_ABS: f64 = FUNNEL_REL * FUNNEL_REL;

/// The absolute floors change no check of the vectors: every expected number in them is at least
/// its relative tolerance in size, where the floor (its square) is below the relative bound. And
/// an expected 0 no longer needs exact equality, where the hand-written relative-only comparers
/// this replaced failed for any `got` (even 0, whose relative error is 0/0).
#[test]
fn absolute_floors_change_no_vector_check() {
    use approx::relative_eq;
    use serde_json::Value;
    fn numbers(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Number(n) => out.extend(n.as_f64()),
            Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
            Value::Object(o) => o.values().for_each(|x| numbers(x, out)),
            _ => {}
        }
    }
    // Each file's expected values (not its inputs) and the smallest relative tolerance used on
    // them.
    fn expected<'v>(v: &'v Value, file: &str) -> Vec<&'v Value> {
        match file {
            "wilson_byar.json" => ["wilson", "byar"]
                .iter()
                .flat_map(|k| v[*k].as_array().unwrap())
                .map(|case| &case["ci"])
                .collect(),
            "phe_sii_deciles.json" => v["areas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|area| &area["expected"])
                .collect(),
            _ => vec![&v["expected"]],
        }
    }
    for (file, rel) in [
        ("who_ordered_synthetic.json", WHO_REL),
        ("who_nonordered_synthetic.json", WHO_REL),
        ("phe_sii_deciles.json", PHE_SII_SIMULATED_REL),
        ("wilson_byar.json", WILSON_BYAR_REL),
    ] {
        let path = crate::shared(&format!("reference/vectors/{file}"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut values = Vec::new();
        for block in expected(&v, file) {
            numbers(block, &mut values);
        }
        assert!(!values.is_empty(), "{file}");
        for x in values {
            assert!(x.abs() >= rel, "{file}: expected {x} is smaller than {rel}");
        }
    }
    assert!(relative_eq!(
        1e-13,
        0.0,
        max_relative = WHO_REL,
        epsilon = WHO_ABS
    ));
    assert!(!relative_eq!(
        1e-11,
        0.0,
        max_relative = WHO_REL,
        epsilon = WHO_ABS
    ));
}
