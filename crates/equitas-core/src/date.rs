//! Calendar dates (`YYYY-MM-DD`, proleptic Gregorian) without a clock: callers pass "today".
//!
//! One type for every date equitas reads: review dates and "as of" dates of assessments, and
//! dates of birth and the reference date of the cohort model. One leap-year rule
//! ([`is_leap_year`]) decides which days exist.
//!
//! ```
//! use equitas_core::date::Date;
//!
//! let born = Date::parse("2010-06-30")?;
//! assert_eq!(born.age_on(Date::parse("2026-06-29")?), Some(15));
//! assert_eq!(born.age_on(Date::parse("2026-06-30")?), Some(16));
//! assert_eq!(Date::parse("2025-08-31")?.add_months(6).to_string(), "2026-02-28");
//! assert!(Date::parse("2023-02-29").is_err());
//! # Ok::<(), equitas_core::date::DateError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::read::FromJson;

/// The first year [`Date::parse`] accepts: dates are written with four digits.
pub const MIN_YEAR: i32 = 1000;
/// The last year [`Date::parse`] accepts.
pub const MAX_YEAR: i32 = 9999;

// Parsed dates have years MIN_YEAR to MAX_YEAR; the fields are private, so every `Date` is a
// day that exists. The doc line below is also the TypeScript comment of `IsoDate` in the
// committed .d.ts files, so it stays as it was.
/// A proleptic Gregorian calendar date.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, FromJson,
)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(type = "string", rename = "IsoDate"))]
#[serde(try_from = "String", into = "String")]
#[json(allowed = "a date in the form YYYY-MM-DD")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Text that is not a `YYYY-MM-DD` calendar date (the text as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31")]
pub struct DateError(pub String);

/// Whether `year` has a 29 February: every fourth year, except centuries not divisible by 400.
#[must_use]
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in `month` (1 to 12) of `year`; 0 for a month that does not exist.
#[must_use]
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date `year`-`month`-`day`, if that day exists and the year is from [`MIN_YEAR`] to
    /// [`MAX_YEAR`].
    #[must_use]
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        ((MIN_YEAR..=MAX_YEAR).contains(&year) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Self { year, month, day })
    }

    /// Parse `YYYY-MM-DD`: four, two and two ASCII digits, a real calendar date, years
    /// [`MIN_YEAR`] to [`MAX_YEAR`]; spaces around it are ignored.
    ///
    /// # Errors
    /// Any other text, or a day that does not exist (`2026-02-30`), named in the message.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let err = || DateError(text.to_owned());
        let t = text.trim().as_bytes();
        let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *t else {
            return Err(err());
        };
        let digits = |ds: &[u8]| -> Option<u32> {
            ds.iter().try_fold(0, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let (Some(year), Some(month), Some(day)) = (
            digits(&[y0, y1, y2, y3]),
            digits(&[m0, m1]),
            digits(&[d0, d1]),
        ) else {
            return Err(err());
        };
        // At most 9999, 99 and 99: the conversions cannot fail.
        let (Ok(year), Ok(month), Ok(day)) =
            (i32::try_from(year), u8::try_from(month), u8::try_from(day))
        else {
            return Err(err());
        };
        Self::from_ymd(year, month, day).ok_or_else(err)
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    #[must_use]
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The same day `months` later (the last day of the month when it has fewer days). The
    /// year may pass [`MAX_YEAR`]; it stops at `i32::MAX`.
    #[must_use]
    pub fn add_months(self, months: u32) -> Self {
        let total = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(months);
        let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MAX);
        let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(12);
        let day = self.day.min(days_in_month(year, month));
        Self { year, month, day }
    }

    /// Age in completed years on `on` (a birthday on 29 February is reached on 1 March in
    /// other years); `None` if `on` is before `self`.
    #[must_use]
    pub fn age_on(self, on: Self) -> Option<u32> {
        if on < self {
            return None;
        }
        let mut age = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Self, DateError> {
        Self::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> Self {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(Date::parse(" 2024-02-29\n").unwrap(), d);
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-01-00",
            "2023-1-01",
            "+023-01-01",
            "0999-12-31",
            "2023-01-01T00:00",
            "2023/01/01",
            "２０２３-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), Err(DateError(bad.to_owned())), "{bad}");
        }
        assert_eq!(
            Date::parse("2023-02-29").unwrap_err().to_string(),
            "\"2023-02-29\" is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31"
        );
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().days(), 11_017);
        assert_eq!(d.add_months(12).to_string(), "2025-02-28");
        assert_eq!(
            Date::parse("2025-08-31").unwrap().add_months(6).to_string(),
            "2026-02-28"
        );
        assert_eq!(
            Date::parse("9999-12-31")
                .unwrap()
                .add_months(u32::MAX)
                .year(),
            i32::try_from((9999i64 * 12 + 11 + i64::from(u32::MAX)) / 12).unwrap()
        );
        let leapling = Date::parse("2008-02-29").unwrap();
        assert_eq!(
            leapling.age_on(Date::parse("2026-02-28").unwrap()),
            Some(17)
        );
        assert_eq!(
            leapling.age_on(Date::parse("2026-03-01").unwrap()),
            Some(18)
        );
        assert_eq!(leapling.age_on(Date::parse("2008-02-28").unwrap()), None);
        assert!(is_leap_year(2000) && is_leap_year(2024));
        assert!(!is_leap_year(1900) && !is_leap_year(2023));
    }

    /// The reference calculation: the `time` crate's calendar (a dev-dependency only).
    fn reference(year: i32, month: u8, day: u8) -> Option<time::Date> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Exactly the days the reference calendar has exist, with the same day numbers.
        #[test]
        fn parse_and_days_agree_with_the_time_crate(year in 1000i32..=9999, month in 0u8..=13, day in 0u8..=32) {
            let text = format!("{year:04}-{month:02}-{day:02}");
            let ours = Date::parse(&text).ok();
            let theirs = reference(year, month, day);
            prop_assert_eq!(ours.is_some(), theirs.is_some(), "{}", text);
            prop_assert_eq!(Date::from_ymd(year, month, day), ours);
            if let (Some(d), Some(r)) = (ours, theirs) {
                prop_assert_eq!(d.days(), i64::from(r.to_julian_day()) - 2_440_588);
                prop_assert_eq!(d.to_string(), text);
                prop_assert_eq!(is_leap_year(year), time::util::is_leap_year(year));
                prop_assert_eq!(
                    days_in_month(year, month),
                    time::util::days_in_month(r.month(), year)
                );
            }
        }

        /// Adding months: the same day, or the month's last when it is shorter.
        #[test]
        fn add_months_agrees_with_the_time_crate(days in 0i64..2_900_000, months in 0u32..2000) {
            let start = time::Date::from_julian_day(i32::try_from(2_086_303 + days).unwrap()).unwrap();
            let ours = Date::from_ymd(start.year(), u8::from(start.month()), start.day()).unwrap();
            let total = i64::from(start.year()) * 12 + i64::from(u8::from(start.month())) - 1 + i64::from(months);
            let year = i32::try_from(total.div_euclid(12)).unwrap();
            let month = time::Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap()).unwrap();
            let day = start.day().min(time::util::days_in_month(month, year));
            let want = time::Date::from_calendar_date(year, month, day).unwrap();
            let got = ours.add_months(months);
            prop_assert_eq!((got.year(), got.month(), got.day()), (want.year(), u8::from(want.month()), want.day()));
        }

        /// Age in completed years, against counting birthdays in the reference calendar.
        #[test]
        fn age_on_agrees_with_the_time_crate(born in 0i64..2_900_000, later in -400i64..40_000) {
            let b = time::Date::from_julian_day(i32::try_from(2_086_303 + born).unwrap()).unwrap();
            let Ok(o) = time::Date::from_julian_day(i32::try_from(2_086_303 + born + later).unwrap()) else {
                return Ok(());
            };
            let (Some(bd), Some(od)) = (
                Date::from_ymd(b.year(), u8::from(b.month()), b.day()),
                Date::from_ymd(o.year(), u8::from(o.month()), o.day()),
            ) else {
                return Ok(());
            };
            let want = if o < b {
                None
            } else {
                // The birthday in year y: the same day, or 1 March for 29 February in a common year.
                let birthday = |y: i32| {
                    time::Date::from_calendar_date(y, b.month(), b.day())
                        .unwrap_or_else(|_| time::Date::from_calendar_date(y, time::Month::March, 1).unwrap())
                };
                let mut age = o.year() - b.year();
                if o < birthday(o.year()) {
                    age -= 1;
                }
                u32::try_from(age).ok()
            };
            prop_assert_eq!(bd.age_on(od), want);
        }
    }
}
