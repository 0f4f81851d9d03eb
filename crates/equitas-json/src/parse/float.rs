//! Decimal numbers to the nearest `f64`, ties to even, without core's float parser.
//!
//! `str::parse::<f64>` would bring core's decimal-to-float code into the browser build (about
//! 18 KB of wasm, mostly its tables). Numbers in our JSON are short, so two small methods do:
//!
//! - **Exact in one step.** When the digits, as a whole number `w`, are below 2^53 and the power
//!   of ten is at most 22 either way, `w` and `10^k` are both exact `f64`s, and IEEE
//!   multiplication or division rounds their exact product or quotient once, correctly (Clinger's
//!   observation). This covers nearly every number a person writes.
//! - **Exact by long arithmetic** for the rest. The decimal digits are kept in a byte buffer and
//!   multiplied or divided by powers of two, as on paper, until the value lies in [1/2, 1) with a
//!   known power of two beside it; one more multiplication by 2^53 (fewer for subnormals) leaves
//!   the mantissa as the integer part and the rounding in the digits after the point.
//!
//! The buffer holds [`CAP`] digits. A number with more than [`KEPT`] significant digits keeps
//! the first [`KEPT`] and notes that nonzero ones were dropped; long divisions that run past
//! [`CAP`] digits are cut there the same way. Why this still rounds exactly: every point halfway
//! between two neighbouring `f64`s has at most 768 significant digits, so it cannot fall strictly
//! between a number and its first 780 digits; an exact halfway point never needs more digits
//! than it has, so no cut happens on the way to it; and for any other number the distance to the
//! nearest halfway point is at least about 10^-781 of the number, far more than the cuts at 800
//! digits (each under 10^-799 of it, a few dozen at most) can move it. The dropped-digits flag then
//! only matters when the kept digits end exactly halfway, where it means "a little above".

/// Digits the buffer holds.
const CAP: usize = 800;

/// Significant digits of the text that are kept.
const KEPT: usize = 780;

/// Room in front of the digits for the new leading digits of one multiplication by at most
/// 2^60 (< 10^19).
const ROOM: usize = 20;

/// Bits one multiplication or division moves at most, so each step fits a `u64`.
const MAX_SHIFT: u32 = 60;

/// The magnitude of the number `0.d₁d₂d₃… × 10^point` whose digits are the ASCII digits of
/// `digits` (a decimal point in it is skipped): `None` when it rounds past `f64::MAX`.
pub(super) fn to_f64(digits: &[u8], point: i64) -> Option<f64> {
    if let Some(x) = in_one_step(digits, point) {
        return Some(x);
    }
    Decimal::new(digits, point).into_f64()
}

/// `10^k` for `k <= 22`, exactly.
fn pow10(k: i64) -> f64 {
    let mut p = 1.0;
    for _ in 0..k {
        p *= 10.0;
    }
    p
}

/// Clinger's fast path: `None` when the number needs the long way.
fn in_one_step(digits: &[u8], point: i64) -> Option<f64> {
    const EXACT: u64 = 1 << 53;
    // The value is w × 10^power once every digit is in w, or the ones left out are zeros.
    let mut w: u64 = 0;
    let mut significant = 0;
    let mut power = point;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            continue;
        }
        if significant < 19 {
            w = w * 10 + u64::from(d);
            power -= 1;
            if w > 0 {
                significant += 1;
            }
        } else if d != 0 {
            return None;
        }
    }
    if w == 0 {
        return Some(0.0);
    }
    if w >= EXACT {
        return None;
    }
    // 1e23 is 10 × 10^22: move powers of ten into `w` while it stays exact.
    while power > 22 && w * 10 < EXACT {
        w *= 10;
        power -= 1;
    }
    #[allow(clippy::cast_precision_loss)] // w < 2^53: exact
    let w = w as f64;
    match power {
        0..=22 => Some(w * pow10(power)),
        -22..=-1 => Some(w / pow10(-power)),
        _ => None,
    }
}

/// A positive decimal `0.d₀d₁d₂… × 10^point`, with `d₀ ≠ 0` and no trailing zeros.
struct Decimal {
    digits: [u8; CAP + ROOM],
    len: usize,
    point: i32,
    /// Nonzero digits after the last one kept were dropped.
    dropped: bool,
}

impl Decimal {
    fn new(digits: &[u8], mut point: i64) -> Self {
        let mut d = Self {
            digits: [0; CAP + ROOM],
            len: 0,
            point: 0,
            dropped: false,
        };
        for &b in digits {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                continue;
            }
            if d.len == 0 && digit == 0 {
                point -= 1;
            } else if d.len < KEPT {
                if let Some(slot) = d.digits.get_mut(d.len) {
                    *slot = digit;
                }
                d.len += 1;
            } else if digit != 0 {
                d.dropped = true;
            }
        }
        d.trim();
        // Far outside the range either way; `into_f64` checks the bounds before any arithmetic.
        d.point = i32::try_from(point.clamp(-100_000, 100_000)).unwrap_or_default();
        d
    }

    /// The digits in use.
    fn kept(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or_default()
    }

    /// The nearest `f64`; `None` past `f64::MAX`.
    fn into_f64(mut self) -> Option<f64> {
        if self.len == 0 || self.point < -324 {
            // Below 10^-325, less than half the smallest subnormal (2^-1074 ≈ 4.9e-324).
            return Some(0.0);
        }
        if self.point > 310 {
            return None;
        }
        // Into [1/2, 1), keeping the value as `self × 2^exp2`.
        let mut exp2: i32 = 0;
        while self.len > 0 && self.point > 0 {
            // From [10^(p-1), 10^p), dividing by 2^(3.3(p-1)) (2^3.3 < 10) stays at or above 1;
            // from [1, 10), halving until below 1 stops at 1/2 or above.
            let shift = if self.point > 1 {
                (u32::try_from(self.point - 1).unwrap_or(0) * 33 / 10).min(MAX_SHIFT)
            } else {
                1
            };
            self.divide(shift);
            exp2 += i32::try_from(shift).unwrap_or(0);
        }
        while self.len > 0 && (self.point < 0 || self.kept().first().is_some_and(|&d| d < 5)) {
            // Below 10^p (p < 0), multiplying by 2^(3.3|p|) stays below 1; from [0.1, 1/2),
            // doubling stays below 1.
            let shift = if self.point < 0 {
                (self.point.unsigned_abs() * 33 / 10).min(MAX_SHIFT)
            } else {
                1
            };
            self.multiply(shift);
            exp2 -= i32::try_from(shift).unwrap_or(0);
        }
        if self.len == 0 {
            return Some(0.0);
        }
        if exp2 > 1024 {
            return None;
        }
        // The value is in [2^(exp2-1), 2^exp2). Normal numbers have 53 bits; below 2^-1022 the
        // unit is 2^-1074 and fewer bits are left.
        let bits = 53 + (exp2 + 1021).min(0);
        let Ok(bits) = u32::try_from(bits) else {
            // Below 2^-1075: rounds to zero.
            return Some(0.0);
        };
        if bits > 0 {
            self.multiply(bits);
        }
        let mantissa = self.rounded();
        // A mantissa of 2^52 or more carries into the exponent field, as it should: the hidden
        // bit, a subnormal rounding up to the smallest normal, or 2^53 rounding up a binade.
        let field = u64::try_from(exp2.max(-1021) + 1021).unwrap_or(0);
        let raw = (field << 52) + mantissa;
        (raw < 0x7FF0_0000_0000_0000).then(|| f64::from_bits(raw))
    }

    /// The integer part, rounded to nearest, ties to even, by the digits after the point.
    fn rounded(&self) -> u64 {
        let kept = self.kept();
        let point = usize::try_from(self.point).unwrap_or(0).min(19);
        let mut n: u64 = 0;
        for i in 0..point {
            n = n * 10 + u64::from(kept.get(i).copied().unwrap_or(0));
        }
        let up = match kept.get(point) {
            None => false,
            Some(&d) => d > 5 || (d == 5 && (kept.len() > point + 1 || self.dropped || n % 2 == 1)),
        };
        n + u64::from(up)
    }

    /// Multiplies by 2^shift, `shift <= MAX_SHIFT`.
    fn multiply(&mut self, shift: u32) {
        let n = self.len.min(CAP);
        // Work from the last digit up, ROOM places along, so the carry can grow new leading
        // digits in front.
        self.digits.copy_within(0..n, ROOM);
        let mut carry: u64 = 0;
        for d in self.digits[ROOM..ROOM + n].iter_mut().rev() {
            let t = (u64::from(*d) << shift) + carry;
            *d = digit(t % 10);
            carry = t / 10;
        }
        let mut start = ROOM;
        for d in self.digits[..ROOM].iter_mut().rev() {
            if carry == 0 {
                break;
            }
            *d = digit(carry % 10);
            carry /= 10;
            start -= 1;
        }
        self.digits.copy_within(start..ROOM + n, 0);
        self.len = ROOM + n - start;
        self.point += i32::try_from(ROOM - start).unwrap_or(0);
        self.trim();
    }

    /// Divides by 2^shift, `shift <= MAX_SHIFT`: long division, digit by digit.
    fn divide(&mut self, shift: u32) {
        let n = self.len.min(CAP);
        let mask = (1_u64 << shift) - 1;
        let mut rest: u64 = 0;
        let mut read = 0;
        // Bring down digits (zeros past the end) until the first quotient digit is nonzero.
        while rest >> shift == 0 {
            let next = match self.digits.get(read) {
                Some(&d) if read < n => d,
                _ if rest == 0 => {
                    self.len = 0;
                    return;
                }
                _ => 0,
            };
            rest = rest * 10 + u64::from(next);
            read += 1;
        }
        self.point -= i32::try_from(read - 1).unwrap_or(0);
        // Each quotient digit is written where a digit already read was, so none is lost.
        let mut write = 0;
        loop {
            if let Some(slot) = self.digits.get_mut(write) {
                *slot = digit(rest >> shift);
            }
            write += 1;
            rest &= mask;
            if read < n {
                rest = rest * 10 + u64::from(self.digits.get(read).copied().unwrap_or(0));
                read += 1;
            } else if rest == 0 {
                break;
            } else if write >= CAP {
                self.dropped = true;
                break;
            } else {
                rest *= 10;
            }
        }
        self.len = write;
        self.trim();
    }

    /// Cuts the digits to [`CAP`], noting any nonzero one dropped, then drops trailing zeros.
    fn trim(&mut self) {
        if self.len > CAP {
            if self
                .digits
                .get(CAP..self.len)
                .is_some_and(|tail| tail.iter().any(|&d| d != 0))
            {
                self.dropped = true;
            }
            self.len = CAP;
        }
        self.len = self
            .kept()
            .iter()
            .rposition(|&d| d != 0)
            .map_or(0, |i| i + 1);
    }
}

/// A value below 10 as a digit byte.
fn digit(v: u64) -> u8 {
    u8::try_from(v).unwrap_or(0)
}
