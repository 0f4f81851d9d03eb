//! # equitas-json
//!
//! Reading JSON into Rust types, with errors that name the JSON pointer of the bad value and the
//! value itself:
//!
//! ```text
//! at /sections/0/questions/3/kind/type: "slider" is not allowed; expected single_choice, …
//! at /rows/2/estimate: expected a number, found the text "52%"
//! ```
//!
//! A type's reader is derived from the type, with [`FromJson`](derive@FromJson), and follows the
//! serde attributes the type already has for writing (`rename`, `rename_all`, `default`,
//! `default = "path"`, `tag`, `transparent`, `try_from`, `deny_unknown_fields`), so a field is
//! declared once. What serde's attributes cannot say has a `#[json(...)]` attribute: how errors
//! describe the type (`expected`, `allowed`), a check after reading (`check`), and what a map
//! keyed by the type is called (`map_key`). The derive's documentation lists them.
//!
//! ```
//! use equitas_json::FromJson;
//! use serde::Serialize;
//!
//! #[derive(Debug, PartialEq, Serialize, FromJson)]
//! #[serde(deny_unknown_fields)]
//! #[json(expected = "an age range: an object")]
//! struct AgeRange {
//!     min: u8,
//!     max: u8,
//!     #[serde(default, skip_serializing_if = "Option::is_none")]
//!     note: Option<String>,
//! }
//!
//! let r: AgeRange = equitas_json::from_str(r#"{"min": 0, "max": 25}"#)?;
//! assert_eq!(r, AgeRange { min: 0, max: 25, note: None });
//!
//! let e = equitas_json::from_str::<AgeRange>(r#"{"min": 0, "max": "25"}"#).unwrap_err();
//! assert_eq!(e.to_string(), r#"at /max: expected a whole number from 0 to 255, found the text "25""#);
//! let e = equitas_json::from_str::<AgeRange>(r#"{"min": 0, "mx": 25}"#).unwrap_err();
//! assert_eq!(e.to_string(), "at /mx: unknown field; expected one of min, max, note");
//! # Ok::<(), equitas_json::ReadError>(())
//! ```
//!
//! The rules are those of serde's derives, made strict: unknown fields are refused, an object
//! that names a key twice is refused, a missing required field is an error, an `Option` field
//! may be absent or `null`, and a field with a default may be absent (`null` is read as a value,
//! and refused unless the type takes it).
//!
//! Text is parsed ([`parse`]: serde_json's parser, through a visitor that refuses a key named
//! twice) into serde_json's `Value`, which the readers walk: the browser build then carries one
//! small walker per type instead of serde's deserializer for every type, and every error knows
//! its place as a JSON pointer.

// The derive names this crate as `::equitas_json`, here too (in the tests).
extern crate self as equitas_json;

mod error;
mod object;
mod parse;
mod place;

use equitas_lean::SortedMap;
use serde_json::Value;

pub use equitas_json_derive::FromJson;
pub use error::{ReadError, ReadErrorKind};
pub use object::{Obj, list, one_field, unit_variant};
pub use parse::{MAX_DEPTH, parse};
pub use place::Place;

/// What the derive's code names, whatever the deriving crate depends on.
#[doc(hidden)]
pub mod __private {
    pub use serde_json::Value;
}

/// A type read from a JSON value.
///
/// Derive it ([`FromJson`](derive@FromJson)); the impls here are the leaves (text, numbers,
/// true/false, lists, maps, any JSON).
pub trait FromJson: Sized {
    /// Reads the value at `at` (its place, for errors).
    ///
    /// # Errors
    /// The value, or one inside it, is not what the type takes.
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError>;

    /// Reads the value whose JSON pointer is `path` (`""` for the root), for errors.
    ///
    /// # Errors
    /// The value, or one inside it, is not what the type takes.
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        Self::read_at(v, &Place::Pointer(path))
    }
}

/// A type that keys a [`SortedMap`] read from a JSON object: the object's keys become it.
/// `#[json(map_key = "…")]` derives it for a text newtype.
pub trait MapKey: Ord + Sized {
    /// What a map keyed by it is called in errors ("an object keyed by question id").
    const MAP_EXPECTED: &'static str;

    /// The key, from an object's key.
    fn from_key(key: String) -> Self;
}

impl MapKey for String {
    const MAP_EXPECTED: &'static str = "an object";

    fn from_key(key: String) -> Self {
        key
    }
}

/// Parses JSON text and reads a `T` from it, the whole text being the value at `/`.
///
/// # Errors
/// The text is not JSON, or not a `T`.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, ReadError> {
    T::from_json(&parse(text)?, "")
}

/// Escape a key for a JSON pointer (RFC 6901).
#[must_use]
pub fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of `key` inside the value at `path`.
#[must_use]
pub fn child(path: &str, key: &str) -> String {
    format!("{path}/{}", pointer_escape(key))
}

/// The pointer as errors show it: the root is `/`.
fn shown(path: &str) -> String {
    if path.is_empty() { "/" } else { path }.to_owned()
}

/// How a value's JSON type is named in errors.
#[must_use]
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// "expected `expected`, found" and the value (as [`describe`] writes it), at `path`.
#[cold]
#[must_use]
pub fn wrong(path: &str, expected: &str, found: &Value) -> ReadError {
    wrong_type(shown(path), expected, describe(found))
}

/// [`wrong`], at a [`Place`].
#[cold]
#[must_use]
pub fn wrong_at(at: &Place<'_>, expected: &str, found: &Value) -> ReadError {
    wrong_type_at(at, expected, describe(found))
}

/// "expected `expected`, found `found`" at a [`Place`] (the root shown as `/`).
#[cold]
pub(crate) fn wrong_type_at(at: &Place<'_>, expected: &str, found: String) -> ReadError {
    let path = at.pointer();
    wrong_type(
        if path.is_empty() { shown(&path) } else { path },
        expected,
        found,
    )
}

fn wrong_type(path: String, expected: &str, found: String) -> ReadError {
    ReadError::from(ReadErrorKind::WrongType {
        path,
        expected: expected.to_owned(),
        found,
    })
}

/// `value` "is not allowed; expected `expected`", at `path`.
#[cold]
#[must_use]
pub fn bad_value(path: &str, value: &str, expected: &str) -> ReadError {
    bad_value_in(path.to_owned(), value, expected)
}

fn bad_value_in(path: String, value: &str, expected: &str) -> ReadError {
    ReadError::from(ReadErrorKind::BadValue {
        path,
        value: value.to_owned(),
        expected: expected.to_owned(),
    })
}

/// [`bad_value`], at a [`Place`].
#[cold]
#[must_use]
pub fn bad_value_at(at: &Place<'_>, value: &str, expected: &str) -> ReadError {
    bad_value_in(at.pointer(), value, expected)
}

/// A value of a type's JSON kind that the type refuses, expecting `expected`: text is "not
/// allowed" ([`bad_value_at`]), anything else is of the wrong type ([`wrong_at`]).
#[cold]
#[must_use]
pub fn refused_at(v: &Value, at: &Place<'_>, expected: &str) -> ReadError {
    match v {
        Value::String(s) => bad_value_at(at, s, expected),
        _ => wrong_at(at, expected, v),
    }
}

/// A value as errors show it: scalars with their value (text cut at 40 characters), lists and
/// objects by their type.
#[must_use]
pub fn describe(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let mut cut: String = s.chars().take(40).collect();
            if cut.len() < s.len() {
                cut.push('…');
            }
            format!("the text {cut:?}")
        }
        _ => type_name(v).to_owned(),
    }
}

/// `a, b or c`.
#[must_use]
pub fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

impl FromJson for String {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| wrong_at(at, "text", v))
    }
}

impl FromJson for bool {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_bool().ok_or_else(|| wrong_at(at, "true or false", v))
    }
}

impl FromJson for f64 {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_f64().ok_or_else(|| wrong_at(at, "a number", v))
    }
}

/// What a `u32` field takes, as errors say it: the range, so that 2^64 − 1 is not refused as
/// if it were not a whole number.
pub const U32_RANGE: &str = "a whole number from 0 to 4294967295";

impl FromJson for u8 {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_u64()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| wrong_at(at, "a whole number from 0 to 255", v))
    }
}

impl FromJson for u32 {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_u64()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| wrong_at(at, U32_RANGE, v))
    }
}

impl FromJson for u64 {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_u64()
            .ok_or_else(|| wrong_at(at, "a whole number from 0 to 18446744073709551615", v))
    }
}

/// What a whole-number field expects: with its range when `v` is a whole number too large for
/// it (`a whole number from 0 to 4294967295`), so the message says why 18446744073709551615 is
/// refused.
fn whole_number(v: &Value, max: u64) -> String {
    match v.as_u64() {
        Some(n) if n > max => format!("a whole number from 0 to {max}"),
        _ => "a whole number".to_owned(),
    }
}

impl FromJson for usize {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        v.as_u64()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| {
                wrong_at(
                    at,
                    &whole_number(v, u64::try_from(Self::MAX).unwrap_or(u64::MAX)),
                    v,
                )
            })
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        list(v, at, "a list", T::read_at)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        T::read_at(v, at).map(Box::new)
    }
}

/// Any JSON, kept as it is (an answer read later, against its question).
impl FromJson for Value {
    fn read_at(v: &Value, _: &Place<'_>) -> Result<Self, ReadError> {
        Ok(v.clone())
    }
}

/// An object, each key made a `K` ([`MapKey`]) and each value read as a `T` at its key.
impl<K: MapKey, T: FromJson> FromJson for SortedMap<K, T> {
    fn read_at(v: &Value, at: &Place<'_>) -> Result<Self, ReadError> {
        let map = v
            .as_object()
            .ok_or_else(|| wrong_at(at, K::MAP_EXPECTED, v))?;
        let mut out = Self::new();
        for (k, x) in map {
            out.insert(K::from_key(k.clone()), T::read_at(x, &Place::Key(at, k))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_of_joins_with_or() {
        assert_eq!(one_of(&[]), "");
        assert_eq!(one_of(&["a"]), "a");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn numbers_and_lists_say_where_they_went_wrong() {
        let e = u32::from_json(&json!(-1), "/v").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /v: expected a whole number from 0 to 4294967295, found the number -1"
        );
        let e = u32::from_json(&json!(2.5), "/v").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /v: expected a whole number from 0 to 4294967295, found the number 2.5"
        );
        // Issue 12, finding 12: a whole number past the type's limit says the allowed range
        // (it said "expected a whole number, found 18446744073709551615").
        for big in [json!(4_294_967_296_u64), json!(u64::MAX)] {
            let e = u32::from_json(&big, "/version").unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "at /version: expected a whole number from 0 to 4294967295, found the number {big}"
                )
            );
        }
        assert_eq!(
            u32::from_json(&json!(4_294_967_295_u64), "/v").unwrap(),
            u32::MAX
        );
        let e = u64::from_json(&json!(-1), "/seed").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /seed: expected a whole number from 0 to 18446744073709551615, found the number -1"
        );
        let e = u8::from_json(&json!(256), "/age").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /age: expected a whole number from 0 to 255, found the number 256"
        );
        let e = usize::from_json(&json!("7"), "/n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /n: expected a whole number, found the text \"7\""
        );
        let e = Vec::<String>::from_json(&json!(["a", 3]), "/ids").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /ids/1: expected text, found the number 3"
        );
        let e = SortedMap::<String, f64>::from_json(&json!({"a/b": "x"}), "/c").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /c/a~1b: expected a number, found the text \"x\""
        );
        let e = SortedMap::<String, f64>::from_json(&json!([]), "").unwrap_err();
        assert_eq!(e.to_string(), "at /: expected an object, found a list");
        let long = "x".repeat(50);
        let e = f64::from_json(&json!(long), "/n").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "at /n: expected a number, found the text \"{}…\"",
                "x".repeat(40)
            )
        );
        let e = bool::from_json(&json!({"a": 1}), "/b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /b: expected true or false, found an object"
        );
        assert_eq!(
            Box::<bool>::from_json(&json!(true), "").unwrap(),
            Box::new(true)
        );
        assert_eq!(
            Value::from_json(&json!({"any": [1]}), "/x").unwrap(),
            json!({"any": [1]})
        );
    }

    #[test]
    fn refused_values_say_not_allowed_for_text_and_wrong_type_otherwise() {
        assert_eq!(
            refused_at(&json!("x"), &Place::Pointer("/d"), "a date").to_string(),
            "at /d: \"x\" is not allowed; expected a date"
        );
        assert_eq!(
            refused_at(&json!(11), &Place::Pointer(""), "a decile").to_string(),
            "at /: expected a decile, found the number 11"
        );
        // Not-allowed values keep the path as given (the root is empty), as they always have.
        assert_eq!(
            bad_value("", "x", "y").to_string(),
            "at : \"x\" is not allowed; expected y"
        );
    }
}
