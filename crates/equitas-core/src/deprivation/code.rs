//! Area codes packed into a `u64`, so lookups and comparisons never touch a string.

use std::fmt;

/// A small-area code such as `E01000001` (LSOA), `S01006506` (data zone) or `95AA01S1` (NI SOA),
/// or a district code such as `E08000026`.
///
/// Stored as a bijective base-37 number of up to 12 characters from `0-9A-Z`, so it is `Copy`,
/// compares and hashes as an integer, and parses without allocating. Codes are upper case as
/// published; lower case, spaces inside, punctuation or more than 12 characters are rejected.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode(u64);

/// Text that is not an area code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AreaCodeError {
    /// Empty text.
    #[error("area code is empty")]
    Empty,
    /// More than 12 characters.
    #[error("area code {0:?} is longer than 12 characters")]
    TooLong(String),
    /// A character other than `0-9` or `A-Z`.
    #[error("area code {code:?} has {found:?} at position {position}; codes use only 0-9 and A-Z")]
    BadCharacter {
        /// The whole text.
        code: String,
        /// The offending character.
        found: char,
        /// 1-based position.
        position: usize,
    },
}

const MAX_LEN: usize = 12;

#[inline]
fn digit(b: u8) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some(u64::from(b - b'0') + 1),
        b'A'..=b'Z' => Some(u64::from(b - b'A') + 11),
        _ => None,
    }
}

impl AreaCode {
    /// Parse a code from text.
    ///
    /// ```
    /// use equitas_core::deprivation::AreaCode;
    /// let code = AreaCode::parse("E01000001")?;
    /// assert_eq!(code.to_string(), "E01000001");
    /// assert_eq!(code.first_char(), 'E');
    /// assert!(AreaCode::parse("e01000001").is_err()); // codes are upper case, as published
    /// # Ok::<(), equitas_core::deprivation::AreaCodeError>(())
    /// ```
    ///
    /// # Errors
    /// Empty, too long, or a character outside `0-9A-Z`; the message names the text.
    pub fn parse(s: &str) -> Result<Self, AreaCodeError> {
        Self::parse_bytes(s.as_bytes())
    }

    /// Parse a code from bytes (a CSV field), without allocating unless it fails.
    ///
    /// # Errors
    /// As [`Self::parse`].
    #[inline]
    pub fn parse_bytes(b: &[u8]) -> Result<Self, AreaCodeError> {
        if b.is_empty() {
            return Err(AreaCodeError::Empty);
        }
        if b.len() > MAX_LEN {
            return Err(AreaCodeError::TooLong(
                String::from_utf8_lossy(b).into_owned(),
            ));
        }
        let mut key = 0u64;
        for (i, &c) in b.iter().enumerate() {
            let Some(d) = digit(c) else {
                let text = String::from_utf8_lossy(b).into_owned();
                let found = text.chars().nth(i).unwrap_or(char::REPLACEMENT_CHARACTER);
                return Err(AreaCodeError::BadCharacter {
                    code: text,
                    found,
                    position: i + 1,
                });
            };
            key = key * 37 + d;
        }
        Ok(Self(key))
    }

    /// The packed integer (unique per code).
    #[must_use]
    pub fn key(self) -> u64 {
        self.0
    }

    /// Write the code's characters into `buf`, returning how many were written.
    fn unpack(self, buf: &mut [u8; MAX_LEN]) -> usize {
        let mut k = self.0;
        let mut n = 0;
        while k > 0 {
            let d = ((k - 1) % 37) as u8;
            k = (k - 1) / 37;
            buf[n] = if d < 10 { b'0' + d } else { b'A' + d - 10 };
            n += 1;
        }
        buf[..n].reverse();
        n
    }

    /// The first character (the nation letter for GSS codes: `E`, `W`, `S`).
    #[must_use]
    pub fn first_char(self) -> char {
        let mut buf = [0; MAX_LEN];
        let n = self.unpack(&mut buf);
        if n == 0 { '?' } else { char::from(buf[0]) }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0; MAX_LEN];
        let n = self.unpack(&mut buf);
        // Only ASCII 0-9A-Z is ever written.
        f.write_str(std::str::from_utf8(&buf[..n]).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AreaCode({self})")
    }
}

impl std::str::FromStr for AreaCode {
    type Err = AreaCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for AreaCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AreaCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_real_codes() {
        for c in [
            "E01000001",
            "W01001958",
            "S01006506",
            "95AA01S1",
            "E08000026",
            "0",
            "ZZZZZZZZZZZZ",
        ] {
            assert_eq!(AreaCode::parse(c).unwrap().to_string(), c);
        }
        assert_eq!(AreaCode::parse("E01000001").unwrap().first_char(), 'E');
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(AreaCode::parse(""), Err(AreaCodeError::Empty));
        assert_eq!(
            AreaCode::parse("e01000001").unwrap_err().to_string(),
            "area code \"e01000001\" has 'e' at position 1; codes use only 0-9 and A-Z"
        );
        assert!(matches!(
            AreaCode::parse("E0100000100000"),
            Err(AreaCodeError::TooLong(_))
        ));
        assert!(AreaCode::parse("E01 00001").is_err());
    }

    proptest! {
        #[test]
        fn packing_is_a_bijection(s in "[0-9A-Z]{1,12}", t in "[0-9A-Z]{1,12}") {
            let a = AreaCode::parse(&s).unwrap();
            let b = AreaCode::parse(&t).unwrap();
            prop_assert_eq!(a.to_string(), s.clone());
            prop_assert_eq!(a == b, s == t);
        }
    }
}
