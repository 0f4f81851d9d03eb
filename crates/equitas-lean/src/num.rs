//! Numbers in messages, written without core's float formatting.
//!
//! `format!("{x}")` on an `f64` pulls core's float printer (Grisu with a Dragon4 fallback, and
//! a second, fixed-precision printer for `{:.1}`) into every build that formats one. serde_json
//! already carries a shortest-digits printer (zmij) for writing JSON, so messages use that one
//! through [`Num`].

use std::fmt;

/// An `f64` as messages show it: whole numbers without a decimal point (`12`, not `12.0`; `-0`
/// as `0`),
/// others in the fewest digits that read back to the same value (`0.35`, `1e-7`), and `NaN`,
/// `inf`, `-inf` for the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        // Whole numbers up to 2^53 are exact in both i64 and f64.
        if x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_992.0 {
            #[allow(clippy::cast_possible_truncation)]
            let whole = x as i64;
            return fmt::Display::fmt(&whole, f);
        }
        if x.is_finite() {
            f.write_str(zmij::Buffer::new().format_finite(x))
        } else if x.is_nan() {
            f.write_str("NaN")
        } else if x > 0.0 {
            f.write_str("inf")
        } else {
            f.write_str("-inf")
        }
    }
}

/// `x` rounded to a whole number, for percentages in messages: what `{:.0}` prints, without
/// core's fixed-precision printer. Halves go to the even neighbour (12.5 → 12, 13.5 → 14), as
/// `{:.0}` rounds them.
///
/// ```
/// assert_eq!(equitas_lean::num::whole(62.5).to_string(), "62");
/// ```
#[must_use]
pub fn whole(x: f64) -> Num {
    Num(x.round_ties_even())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_have_no_decimal_point() {
        assert_eq!(Num(12.0).to_string(), "12");
        assert_eq!(Num(-3.0).to_string(), "-3");
        assert_eq!(Num(0.0).to_string(), "0");
        assert_eq!(Num(-0.0).to_string(), "0");
        assert_eq!(Num(9_007_199_254_740_992.0).to_string(), "9007199254740992");
    }

    #[test]
    fn fractions_use_the_shortest_digits_that_read_back() {
        assert_eq!(Num(0.35).to_string(), "0.35");
        assert_eq!(Num(1.5).to_string(), "1.5");
        assert_eq!(Num(-2.25).to_string(), "-2.25");
        assert_eq!(Num(0.1 + 0.2).to_string(), "0.30000000000000004");
        for x in [0.35, 1.0 / 3.0, 1e-7, 123_456.789, 2.5e300] {
            assert_eq!(Num(x).to_string().parse::<f64>(), Ok(x), "{x:e}");
        }
    }

    #[test]
    fn values_that_are_not_finite_are_named() {
        assert_eq!(Num(f64::NAN).to_string(), "NaN");
        assert_eq!(Num(f64::INFINITY).to_string(), "inf");
        assert_eq!(Num(f64::NEG_INFINITY).to_string(), "-inf");
    }

    #[test]
    fn whole_prints_what_precision_zero_prints() {
        for x in [12.5, 13.5, 62.49, 62.51, 0.5, 99.5, 100.0, -0.4, 0.0] {
            assert_eq!(
                whole(x).to_string(),
                format!("{x:.0}").replace("-0", "0"),
                "{x}"
            );
        }
    }
}
