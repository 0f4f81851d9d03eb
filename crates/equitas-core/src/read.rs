//! Reading typed values out of parsed JSON by hand, with the JSON pointer of any bad value.
//!
//! Instruments, saved assessments, cohort definitions, person records, the catalogue and measure
//! options are read here rather than through `#[derive(Deserialize)]`, for two reasons. Errors name the place of the bad value as a JSON pointer
//! (`at /sections/0/questions/3/kind/type: "slider" is not allowed; expected …`), which means
//! something to a person editing the file, where serde_json's "at line 1 column 7176" does not
//! (instruments travel minified, and the browser hands over JSON it wrote itself). And the browser
//! build carries one small reader instead of serde_json's deserializer compiled again for every
//! type, which was the largest part of the wasm (see ARCHITECTURE.md, "Reading JSON by hand").
//!
//! The rules match what the derives did: unknown fields are refused, a missing required field is
//! an error, an optional field may be absent or `null`, a field with a default may be absent.

use serde_json::{Map, Value};

use crate::SortedMap;
use crate::assessment::QuestionId;

/// A value that is not what its place in the file calls for. Every message starts with the JSON
/// pointer of the value ("at /rows/2/estimate: …"), except for JSON that does not parse, which
/// gives its line and column. [`ReadError::kind`] says which problem it is.
///
/// The problem is boxed, so a `Result` of a value read is no larger than the value (or a
/// pointer): reading moves a result out of every field read, and moving the unboxed error's
/// three strings each time was a large part of the reading code in the wasm build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct ReadError(Box<ReadErrorKind>);

impl ReadError {
    /// Which problem it is, with its details.
    #[must_use]
    pub fn kind(&self) -> &ReadErrorKind {
        &self.0
    }
}

impl From<ReadErrorKind> for ReadError {
    fn from(kind: ReadErrorKind) -> Self {
        Self(Box::new(kind))
    }
}

/// What is wrong with a value read ([`ReadError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// Not JSON at all.
    #[error("not valid JSON at line {line} column {column}: {message}")]
    Json {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A value of the wrong type.
    #[error("at {path}: expected {expected}, found {found}")]
    WrongType {
        /// Where.
        path: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A value outside the allowed set.
    #[error("at {path}: {value:?} is not allowed; expected {expected}")]
    BadValue {
        /// Where.
        path: String,
        /// The value.
        value: String,
        /// What is allowed.
        expected: String,
    },
    /// A field the format does not have.
    #[error("at {path}: unknown field; expected one of {allowed}")]
    UnknownField {
        /// Where.
        path: String,
        /// The allowed fields.
        allowed: String,
    },
    /// A required field is missing.
    #[error("at {path}: missing")]
    Missing {
        /// Where.
        path: String,
    },
}

/// Escape a key for a JSON pointer (RFC 6901).
#[must_use]
pub fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Parses JSON text; a syntax error gives its line and column. An object that names the same
/// key twice is an error too (serde_json's own `Value` would keep the last silently, and the
/// derives this reader replaced refused it). The parser is the crate's own (`crate::json`), not
/// serde_json's deserializer, which the browser build then does not carry.
///
/// A byte order mark (U+FEFF) as the very first character is skipped: Windows Notepad and
/// "UTF-8 with BOM" in other editors write one before the text, RFC 8259 lets a reader ignore
/// it, and it carries nothing, so refusing the file ("expected value at line 1 column 1", for
/// a character the editor does not show) would only puzzle. Columns on the first line then
/// count from after it, as the editor shows them. Anywhere else it is an error that names it.
///
/// # Errors
/// The text is not JSON, or repeats a key in an object ([`ReadErrorKind::Json`]).
pub fn parse(text: &str) -> Result<Value, ReadError> {
    crate::json::parse(text.strip_prefix("\u{FEFF}").unwrap_or(text))
}

/// A type read from a JSON value; `path` is the value's JSON pointer, for errors ("" is the root).
pub trait FromJson: Sized {
    /// Reads the value.
    ///
    /// # Errors
    /// The value, or one inside it, is not what the type takes.
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError>;
}

/// The JSON pointer of `key` inside the value at `path`.
pub(crate) fn child(path: &str, key: &str) -> String {
    format!("{path}/{}", pointer_escape(key))
}

/// The pointer as errors show it: the root is `/`.
fn shown(path: &str) -> String {
    if path.is_empty() { "/" } else { path }.to_owned()
}

/// How a value's JSON type is named in errors.
pub(crate) fn type_name(v: &Value) -> &'static str {
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
pub(crate) fn wrong(path: &str, expected: &str, found: &Value) -> ReadError {
    ReadError::from(ReadErrorKind::WrongType {
        path: shown(path),
        expected: expected.to_owned(),
        found: describe(found),
    })
}

/// A value as errors show it: scalars with their value (text cut at 40 characters), lists and
/// objects by their type.
pub(crate) fn describe(v: &Value) -> String {
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
pub(crate) fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// An object whose fields have been checked against the ones its type has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    /// `v` as an object with no field outside `fields`; `expected` describes it for errors.
    pub(crate) fn new(
        v: &'a Value,
        path: &'a str,
        expected: &str,
        fields: &[&str],
    ) -> Result<Self, ReadError> {
        let map = v.as_object().ok_or_else(|| wrong(path, expected, v))?;
        if let Some(k) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            return Err(ReadError::from(ReadErrorKind::UnknownField {
                path: child(path, k),
                allowed: fields.join(", "),
            }));
        }
        Ok(Self { map, path })
    }

    /// An object tagged by its `tag` field (`{"type": "text", …}`): which of `variants` it is,
    /// and the object checked against that variant's fields (and the tag).
    pub(crate) fn tagged(
        v: &'a Value,
        path: &'a str,
        expected: &str,
        tag: &str,
        variants: &[(&'static str, &[&str])],
    ) -> Result<(&'static str, Self), ReadError> {
        let map = v.as_object().ok_or_else(|| wrong(path, expected, v))?;
        let at = child(path, tag);
        let name = match map.get(tag) {
            None => return Err(ReadError::from(ReadErrorKind::Missing { path: at })),
            Some(Value::String(s)) => s,
            Some(other) => return Err(wrong(&at, "text", other)),
        };
        let names: Vec<&str> = variants.iter().map(|(n, _)| *n).collect();
        let (name, fields) = variants.iter().find(|(n, _)| n == name).ok_or_else(|| {
            ReadError::from(ReadErrorKind::BadValue {
                path: at,
                value: name.clone(),
                expected: one_of(&names),
            })
        })?;
        let mut allowed = vec![tag];
        allowed.extend_from_slice(fields);
        Ok((name, Self::new(v, path, expected, &allowed)?))
    }

    /// A field that must be there.
    pub(crate) fn req<T: FromJson>(&self, key: &str) -> Result<T, ReadError> {
        let at = child(self.path, key);
        match self.map.get(key) {
            None => Err(ReadError::from(ReadErrorKind::Missing { path: at })),
            Some(v) => T::from_json(v, &at),
        }
    }

    /// A field that may be absent or `null`.
    pub(crate) fn opt<T: FromJson>(&self, key: &str) -> Result<Option<T>, ReadError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::from_json(v, &child(self.path, key)).map(Some),
        }
    }

    /// A field that takes `default` when absent (`null` is read as a value, and refused unless
    /// the type takes it).
    pub(crate) fn or<T: FromJson>(&self, key: &str, default: T) -> Result<T, ReadError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(v) => T::from_json(v, &child(self.path, key)),
        }
    }

    /// A field that takes its default when absent (`null` is read as a value, and refused unless
    /// the type takes it).
    pub(crate) fn or_default<T: FromJson + Default>(&self, key: &str) -> Result<T, ReadError> {
        match self.map.get(key) {
            None => Ok(T::default()),
            Some(v) => T::from_json(v, &child(self.path, key)),
        }
    }
}

/// An object with exactly one field, named after one of `variants` (`{"all_of": […]}`): the
/// name and the field's value with its path.
pub(crate) fn one_field<'a>(
    v: &'a Value,
    path: &str,
    expected: &str,
    variants: &[&'static str],
) -> Result<(&'static str, &'a Value, String), ReadError> {
    let map = v.as_object().ok_or_else(|| wrong(path, expected, v))?;
    let mut fields = map.iter();
    let (Some((key, value)), None) = (fields.next(), fields.next()) else {
        return Err(ReadError::from(ReadErrorKind::WrongType {
            path: shown(path),
            expected: expected.to_owned(),
            found: format!("an object with {} fields", map.len()),
        }));
    };
    let at = child(path, key);
    let name = variants
        .iter()
        .find(|n| **n == key.as_str())
        .ok_or_else(|| {
            ReadError::from(ReadErrorKind::UnknownField {
                path: at.clone(),
                allowed: variants.join(", "),
            })
        })?;
    Ok((name, value, at))
}

/// The elements of a list, each read at its index.
pub(crate) fn list<T>(
    v: &Value,
    path: &str,
    expected: &str,
    mut item: impl FnMut(&Value, &str) -> Result<T, ReadError>,
) -> Result<Vec<T>, ReadError> {
    let items = v.as_array().ok_or_else(|| wrong(path, expected, v))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        out.push(item(x, &format!("{path}/{i}"))?);
    }
    Ok(out)
}

impl FromJson for String {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| wrong(path, "text", v))
    }
}

impl FromJson for bool {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_bool().ok_or_else(|| wrong(path, "true or false", v))
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_f64().ok_or_else(|| wrong(path, "a number", v))
    }
}

/// What a `u32` field takes, as errors say it: the range, so that 2^64 − 1 is not refused as
/// if it were not a whole number.
pub(crate) const U32_RANGE: &str = "a whole number from 0 to 4294967295";

impl FromJson for u32 {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_u64()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| wrong(path, U32_RANGE, v))
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

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        list(v, path, "a list", T::from_json)
    }
}

/// Any JSON, kept as it is (an answer read later, against its question).
impl FromJson for Value {
    fn from_json(v: &Value, _: &str) -> Result<Self, ReadError> {
        Ok(v.clone())
    }
}

impl<T: FromJson> FromJson for SortedMap<String, T> {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        keyed(v, path, "an object", |k| k)
    }
}

impl<T: FromJson> FromJson for SortedMap<QuestionId, T> {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        keyed(v, path, "an object keyed by question id", QuestionId)
    }
}

fn keyed<K: Ord, T: FromJson>(
    v: &Value,
    path: &str,
    expected: &str,
    key: fn(String) -> K,
) -> Result<SortedMap<K, T>, ReadError> {
    let map = v.as_object().ok_or_else(|| wrong(path, expected, v))?;
    let mut out = SortedMap::new();
    for (k, x) in map {
        out.insert(key(k.clone()), T::from_json(x, &child(path, k))?);
    }
    Ok(out)
}

/// Parses JSON text and reads a `T` from it, the whole text being the value at `/`.
///
/// # Errors
/// The text is not JSON, or not a `T`.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, ReadError> {
    T::from_json(&parse(text)?, "")
}

impl FromJson for u8 {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_u64()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| wrong(path, "a whole number from 0 to 255", v))
    }
}

impl FromJson for u64 {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_u64()
            .ok_or_else(|| wrong(path, "a whole number from 0 to 18446744073709551615", v))
    }
}

impl FromJson for usize {
    fn from_json(v: &Value, path: &str) -> Result<Self, ReadError> {
        v.as_u64()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| {
                wrong(
                    path,
                    &whole_number(v, u64::try_from(Self::MAX).unwrap_or(u64::MAX)),
                    v,
                )
            })
    }
}

/// `impl FromJson` for a struct whose JSON fields are its Rust fields, each read with one of
/// [`Obj`]'s methods (`req`, `opt`, `or_default`):
/// `read_struct!(AgeRange, "an age range" { min: req, max: req });`
macro_rules! read_struct {
    ($ty:ident, $expected:literal { $($field:ident: $how:ident),* $(,)? }) => {
        impl $crate::read::FromJson for $ty {
            fn from_json(
                v: &serde_json::Value,
                path: &str,
            ) -> Result<Self, $crate::read::ReadError> {
                let o = $crate::read::Obj::new(v, path, $expected, &[$(stringify!($field)),*])?;
                Ok(Self { $($field: o.$how(stringify!($field))?),* })
            }
        }
    };
}
pub(crate) use read_struct;

/// `impl FromJson` for an enum written as one of a few strings:
/// `read_enum!(Status { "confirmed" => Confirmed, "unconfirmed" => Unconfirmed });`
macro_rules! read_enum {
    ($ty:ident { $($name:literal => $variant:ident),* $(,)? }) => {
        impl $crate::read::FromJson for $ty {
            fn from_json(
                v: &serde_json::Value,
                path: &str,
            ) -> Result<Self, $crate::read::ReadError> {
                const NAMES: &[&str] = &[$($name),*];
                let expected = || $crate::read::one_of(NAMES);
                let s = v.as_str().ok_or_else(|| $crate::read::wrong(path, &expected(), v))?;
                match s {
                    $($name => Ok(Self::$variant),)*
                    _ => Err($crate::read::ReadError::from($crate::read::ReadErrorKind::BadValue {
                        path: path.to_owned(),
                        value: s.to_owned(),
                        expected: expected(),
                    })),
                }
            }
        }
    };
}
pub(crate) use read_enum;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_refuses_a_key_twice_and_keeps_numbers_exact() {
        let e = parse(r#"{"id": "a", "x": {"id": 1, "id": 2}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not valid JSON at line 1 column 31: the key \"id\" appears twice in one object"
        );
        let v = parse(r#"[1, -2, 2.5, 18446744073709551615, null, true, "t", {}]"#).unwrap();
        assert_eq!(
            v,
            json!([
                1,
                -2,
                2.5,
                18_446_744_073_709_551_615_u64,
                null,
                true,
                "t",
                {}
            ])
        );
        assert!(parse("{} x").is_err());
    }

    /// Issue 12, finding 12: a file that starts with a byte order mark (as Notepad writes it)
    /// said "expected value at line 1 column 1"; it is read, and a BOM anywhere else is named.
    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped_and_named_elsewhere() {
        assert_eq!(parse("\u{FEFF}{\"a\": 1}").unwrap(), json!({"a": 1}));
        assert_eq!(parse("\u{FEFF}[]").unwrap(), json!([]));
        // Columns count from after it, as an editor shows them.
        let e = parse("\u{FEFF}{\"a\": x}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "not valid JSON at line 1 column 7: expected value"
        );
        for text in ["\u{FEFF}\u{FEFF}{}", " \u{FEFF}{}", "{\"a\": \u{FEFF}1}"] {
            let e = parse(text).unwrap_err();
            assert!(
                e.to_string().contains(
                    "expected value, found a byte order mark (U+FEFF), which may only come \
                     first in the text"
                ),
                "{text:?}: {e}"
            );
        }
        // Inside a string it is a character like any other.
        assert_eq!(parse("\"\u{FEFF}\"").unwrap(), json!("\u{FEFF}"));
    }

    #[test]
    fn one_of_joins_with_or() {
        assert_eq!(one_of(&[]), "");
        assert_eq!(one_of(&["a"]), "a");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn objects_refuse_unknown_fields_and_name_missing_ones() {
        let v = json!({"id": "x", "extra": 1});
        let e = Obj::new(&v, "/q", "a question", &["id"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /q/extra: unknown field; expected one of id"
        );
        let v = json!({"id": "x"});
        let o = Obj::new(&v, "", "a question", &["id", "label"]).unwrap();
        let e = o.req::<String>("label").unwrap_err();
        assert_eq!(e.to_string(), "at /label: missing");
        assert_eq!(o.opt::<String>("label").unwrap(), None);
        assert!(!o.or_default::<bool>("label").unwrap());
        let e = Obj::new(&json!([1]), "", "a question", &["id"]).unwrap_err();
        assert_eq!(e.to_string(), "at /: expected a question, found a list");
    }

    #[test]
    fn null_is_absent_only_for_optional_fields() {
        let v = json!({"help": null, "required": null});
        let o = Obj::new(&v, "/q", "a question", &["help", "required"]).unwrap();
        assert_eq!(o.opt::<String>("help").unwrap(), None);
        let e = o.or_default::<bool>("required").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /q/required: expected true or false, found null"
        );
    }

    #[test]
    fn tags_pick_the_variant_and_its_fields() {
        let variants: &[(&str, &[&str])] = &[("text", &["multiline"]), ("date", &[])];
        let v = json!({"type": "text", "multiline": true});
        let (name, o) = Obj::tagged(&v, "/k", "a kind", "type", variants).unwrap();
        assert_eq!(name, "text");
        assert!(o.req::<bool>("multiline").unwrap());
        let v = json!({"type": "date", "multiline": true});
        let e = Obj::tagged(&v, "/k", "a kind", "type", variants).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /k/multiline: unknown field; expected one of type"
        );
        let v = json!({"type": "slider"});
        let e = Obj::tagged(&v, "/k", "a kind", "type", variants).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /k/type: \"slider\" is not allowed; expected text or date"
        );
        let e = Obj::tagged(&json!({}), "/k", "a kind", "type", variants).unwrap_err();
        assert_eq!(e.to_string(), "at /k/type: missing");
    }

    #[test]
    fn single_field_objects_name_their_variant() {
        let v = json!({"not": {"answered": "q"}});
        let (name, inner, at) = one_field(&v, "/c", "a condition", &["not", "answered"]).unwrap();
        assert_eq!((name, at.as_str()), ("not", "/c/not"));
        assert_eq!(inner, &json!({"answered": "q"}));
        let e = one_field(&json!({"a": 1, "b": 2}), "/c", "a condition", &["a"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /c: expected a condition, found an object with 2 fields"
        );
        let e = one_field(&json!({"maybe": 1}), "/c", "a condition", &["a", "b"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /c/maybe: unknown field; expected one of a, b"
        );
    }

    #[test]
    fn numbers_and_lists_say_where_they_went_wrong() {
        let e = u32::from_json(&json!(-1), "/v").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /v: expected a whole number from 0 to 4294967295, found the number -1"
        );
        // Issue 12 finding 12: a number too large for the field says the range.
        let e = u32::from_json(&json!(18_446_744_073_709_551_615_u64), "/v").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /v: expected a whole number from 0 to 4294967295, found the number 18446744073709551615"
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
    }
}
