//! JSON text to serde_json's [`Value`], strictly: serde_json's parser, driven through a visitor
//! of the crate's own that refuses an object naming a key twice and nesting past [`MAX_DEPTH`].
//!
//! serde_json reads RFC 8259 JSON and nothing else (no comments, trailing commas, single quotes,
//! `NaN`, leading zeros, raw control characters in strings, unpaired surrogate escapes), with
//! its messages, line and column. Its floats are correctly rounded because the workspace turns
//! on its `float_roundtrip` feature, in every build, native and wasm alike: without it a long
//! number (the 17 digits JavaScript writes for 0.1 + 0.2, the measured values saved in an
//! assessment) may read back a unit in the last place off, and a saved file read and saved again
//! would not be the same bytes. ARCHITECTURE.md ("JSON text is parsed by serde_json") has what
//! it costs in the browser.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;
use serde_json::{Map, Number, Value};

use crate::{Place, ReadError, ReadErrorKind};

/// Lists and objects one inside another, at most: the one inside the 127th is refused
/// ("recursion limit exceeded", at its opening bracket), so hostile input cannot overflow the
/// stack, natively or in wasm. The parser's visitor holds the text to it; serde_json's own
/// parser also stops there whatever this says (its limit is fixed), so it may be lowered but not
/// raised. A test holds both.
pub const MAX_DEPTH: usize = 127;

/// What serde_json says of a value that cannot start where it does.
const EXPECTED_VALUE: &str = "expected value";

/// What serde_json, and the visitor, say of nesting past the limit.
const TOO_DEEP: &str = "recursion limit exceeded";

/// What the message for a key named twice says after the key (then where the key's value is).
const TWICE: &str = " appears twice in one object, at ";

/// The message for a byte order mark anywhere but at the very start (where [`parse`] skips it).
const MISPLACED_BOM: &str =
    "expected value, found a byte order mark (U+FEFF), which may only come first in the text";

/// Parses JSON text (RFC 8259, with serde_json's parser); a syntax error gives its line and
/// column and serde_json's message. An object that names the same key twice is an error too,
/// at the key's closing quote and with the key's JSON pointer (serde_json's own `Value` would
/// keep the last silently), and so is nesting deeper than [`MAX_DEPTH`].
///
/// A byte order mark (U+FEFF) as the very first character is skipped: Windows Notepad and
/// "UTF-8 with BOM" in other editors write one before the text, RFC 8259 lets a reader ignore
/// it, and it carries nothing, so refusing the file ("expected value at line 1 column 1", for
/// a character the editor does not show) would only puzzle. Columns on the first line then
/// count from after it, as the editor shows them. Anywhere else it is an error that names it.
///
/// Numbers read as serde_json reads them: integers that fit a `u64` (or an `i64`, when
/// negative) stay integers, `-0` is the float −0, and every other number is the nearest `f64`,
/// correctly rounded (serde_json's `float_roundtrip` feature, which the workspace turns on).
///
/// ```
/// let v = equitas_json::parse(r#"{"a": [1, 2.5]}"#)?;
/// assert_eq!(v["a"][1], 2.5);
/// let e = equitas_json::parse(r#"{"a": [{"b": 1, "b": 2}]}"#).unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     r#"not valid JSON at line 1 column 19: the key "b" appears twice in one object, at /a/0/b"#
/// );
/// # Ok::<(), equitas_json::ReadError>(())
/// ```
///
/// # Errors
/// The text is not JSON, repeats a key in an object or nests too deep
/// ([`ReadErrorKind::Json`]).
pub fn parse(text: &str) -> Result<Value, ReadError> {
    parse_nested(text, MAX_DEPTH)
}

/// [`parse`], with lists and objects nested `max_depth` deep at most (at most [`MAX_DEPTH`]:
/// serde_json stops there anyway).
fn parse_nested(text: &str, max_depth: usize) -> Result<Value, ReadError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let root = Place::Pointer("");
    let strict = Strict {
        at: &root,
        depth: 0,
        max_depth,
    };
    let value = strict
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    value.map_err(|e| syntax_error(text, &e))
}

/// A serde_json error as a [`ReadErrorKind::Json`]: its message without the position serde_json
/// appends, and the position on its own.
#[cold]
fn syntax_error(text: &str, e: &serde_json::Error) -> ReadError {
    let (line, column) = (e.line(), e.column());
    let said = e.to_string();
    let message = said
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&said);
    let message = if message == EXPECTED_VALUE && bom_at(text, line, column) {
        MISPLACED_BOM
    } else {
        message
    };
    // The visitor's own errors (a key named twice, nesting too deep) are "data" errors to
    // serde_json, which places them where it stopped: after the spaces that follow the key or
    // the opening bracket, and after a closing brace or bracket that came next. The place to
    // show is the key's closing quote, or the bracket.
    let (line, column) = if e.classify() == Category::Data {
        token_end(text, line, column)
    } else {
        (line, column)
    };
    ReadErrorKind::Json {
        line,
        column,
        message: message.to_owned(),
    }
    .into()
}

/// The byte offset of `line` and `column` (both from 1; serde_json counts columns in bytes; a
/// column of 0 is the line break before the line).
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = match line.checked_sub(2) {
        None => 0,
        Some(breaks) => text.match_indices('\n').nth(breaks)?.0 + 1,
    };
    (line_start + column).checked_sub(1)
}

/// Whether the byte at `line` and `column` starts a byte order mark.
fn bom_at(text: &str, line: usize, column: usize) -> bool {
    offset(text, line, column)
        .is_some_and(|at| text.as_bytes().get(at..at + 3) == Some("\u{FEFF}".as_bytes()))
}

/// The line and column of the token serde_json had read when the visitor refused something:
/// back from `line` and `column` over one closing brace or bracket, then over JSON whitespace.
fn token_end(text: &str, line: usize, column: usize) -> (usize, usize) {
    let Some(at) = offset(text, line, column) else {
        return (line, column);
    };
    let bytes = text.as_bytes();
    let mut at = at.min(bytes.len().saturating_sub(1));
    if at > 0 && matches!(bytes.get(at), Some(b'}' | b']')) {
        at -= 1;
    }
    while at > 0 && matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at -= 1;
    }
    let before = bytes.get(..=at).unwrap_or(bytes);
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (
        1 + before.iter().filter(|&&b| b == b'\n').count(),
        before.len() - line_start,
    )
}

/// Reads any JSON value as serde_json's `Value` does, but refuses an object that names a key
/// twice and a list or object nested past `max_depth`. The value is at `at` (for the message),
/// inside `depth` lists and objects.
struct Strict<'a> {
    at: &'a Place<'a>,
    depth: usize,
    max_depth: usize,
}

impl Strict<'_> {
    /// The list or object this value opens: refused past the limit.
    fn open<E: de::Error>(&self) -> Result<usize, E> {
        if self.depth >= self.max_depth {
            return Err(E::custom(TOO_DEEP));
        }
        Ok(self.depth + 1)
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        // serde_json never gives a number that is not finite (it refuses `1e400`).
        Ok(Number::from_f64(x).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.open()?;
        let mut items = Vec::new();
        loop {
            let at = Place::Index(self.at, items.len());
            let item = Strict {
                at: &at,
                depth,
                max_depth: self.max_depth,
            };
            match seq.next_element_seed(item)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.open()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(NewKey(&out, self.at))? {
            let at = Place::Key(self.at, &key);
            let value = map.next_value_seed(Strict {
                at: &at,
                depth,
                max_depth: self.max_depth,
            })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// An object's key, refused when the object (at the place given) already has it: checked as
/// the key is read, before its value.
struct NewKey<'a>(&'a Map<String, Value>, &'a Place<'a>);

impl<'de> DeserializeSeed<'de> for NewKey<'_> {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NewKey<'_> {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if self.0.contains_key(key) {
            return Err(repeated(key, self.1));
        }
        Ok(key.to_owned())
    }
}

/// The error for `key` named twice in the object at `object`.
#[cold]
#[inline(never)]
fn repeated<E: de::Error>(key: &str, object: &Place<'_>) -> E {
    let at = Place::Key(object, key);
    E::custom(format_args!("the key {key:?}{TWICE}{at}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    type Outcome = Result<Value, (String, usize, usize)>;

    fn outcome(parsed: Result<Value, ReadError>) -> Outcome {
        parsed.map_err(|e| match e.kind().clone() {
            ReadErrorKind::Json {
                line,
                column,
                message,
            } => (message, line, column),
            other => panic!("not a JSON error: {other}"),
        })
    }

    fn ours(text: &str) -> Outcome {
        outcome(parse(text))
    }

    /// serde_json's own reading of `text` into its `Value` (which keeps the last of a key named
    /// twice): the reference for everything but what `parse` refuses on top.
    fn serde_jsons(text: &str) -> Outcome {
        serde_json::from_str::<Value>(text).map_err(|e| {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or("").to_owned();
            (message, e.line(), e.column())
        })
    }

    /// `v` with every float written as its bits, so that values compare float for float, bit for
    /// bit (`Value`'s `==` takes −0 for 0).
    fn bits(v: &Value) -> Value {
        match v {
            Value::Number(n) if n.is_f64() => json!({"f64": n.as_f64().map(f64::to_bits)}),
            Value::Array(items) => Value::Array(items.iter().map(bits).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), bits(v))).collect())
            }
            other => other.clone(),
        }
    }

    /// The `f64` our parser reads from a number's text, or its error message.
    fn float(text: &str) -> Result<f64, String> {
        match ours(text) {
            Ok(Value::Number(n)) => Ok(n.as_f64().expect("a number")),
            Ok(other) => Err(format!("not a number: {other}")),
            Err((message, ..)) => Err(message),
        }
    }

    const OUT_OF_RANGE: &str = "number out of range";

    /// Checks our reading of `text` against core's (`str::parse`), bit for bit; a number past
    /// `f64::MAX` must be refused. (It fails if `float_roundtrip` is ever turned off.)
    fn same_as_core(text: &str) -> Result<(), TestCaseError> {
        let expected: f64 = text.parse().expect("core reads it");
        if expected.is_infinite() {
            prop_assert_eq!(float(text), Err(OUT_OF_RANGE.to_owned()), "{}", text);
        } else {
            let got = float(text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{}: {} vs {}",
                text,
                got,
                expected
            );
        }
        Ok(())
    }

    /// Multiplies a big-endian decimal by `factor` (< 2^60).
    fn times(digits: &mut Vec<u8>, factor: u64) {
        let mut carry = 0_u64;
        for d in digits.iter_mut().rev() {
            let t = u64::from(*d) * factor + carry;
            *d = (t % 10) as u8;
            carry = t / 10;
        }
        while carry > 0 {
            digits.insert(0, (carry % 10) as u8);
            carry /= 10;
        }
    }

    /// `m × 2^e` written exactly, as `<digits>e-<n>`.
    fn exact(m: u64, e: i32) -> (Vec<u8>, u32) {
        let mut digits: Vec<u8> = m.to_string().bytes().map(|b| b - b'0').collect();
        let mut left = e.unsigned_abs();
        let (base, chunk) = if e >= 0 { (2_u64, 59) } else { (5, 25) };
        while left > 0 {
            let k = left.min(chunk);
            times(&mut digits, base.pow(k));
            left -= k;
        }
        (digits, if e >= 0 { 0 } else { e.unsigned_abs() })
    }

    fn written(digits: &[u8], scale: u32) -> String {
        let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{s}e-{scale}")
    }

    /// The messages and places callers and snapshots saw: each (text, message, line, column).
    /// All are serde_json's, and were the crate's own parser's too, but for the one marked.
    #[test]
    fn values_and_errors_at_serde_jsons_places() {
        let v =
            ours(r#" {"a": [1, -2, 2.5, "x\ny", {"b": null}], "c": true, "d": false} "#).unwrap();
        assert_eq!(
            v,
            json!({"a": [1, -2, 2.5, "x\ny", {"b": null}], "c": true, "d": false})
        );
        let cases: &[(&str, &str, usize, usize)] = &[
            ("", "EOF while parsing a value", 1, 0),
            ("  ", "EOF while parsing a value", 1, 2),
            ("[1,\n", "EOF while parsing a value", 2, 0),
            ("{", "EOF while parsing an object", 1, 1),
            ("[", "EOF while parsing a list", 1, 1),
            ("[1", "EOF while parsing a list", 1, 2),
            (
                r#"{"format": "equitas-assessment","#,
                "EOF while parsing a value",
                1,
                32,
            ),
            (r#"{"a":1"#, "EOF while parsing an object", 1, 6),
            (r#"{"a""#, "EOF while parsing an object", 1, 4),
            ("\"abc", "EOF while parsing a string", 1, 4),
            ("-", "EOF while parsing a value", 1, 1),
            ("[-]", "invalid number", 1, 3),
            ("nul", "EOF while parsing a value", 1, 3),
            ("nulx", "expected ident", 1, 4),
            ("True", "expected value", 1, 1),
            ("01", "invalid number", 1, 2),
            ("-01", "invalid number", 1, 3),
            ("1.", "EOF while parsing a value", 1, 2),
            ("1.x", "invalid number", 1, 3),
            ("[1.]", "invalid number", 1, 4),
            ("1e", "EOF while parsing a value", 1, 2),
            ("1e+", "EOF while parsing a value", 1, 3),
            ("1ex", "invalid number", 1, 3),
            ("+1", "expected value", 1, 1),
            (".5", "expected value", 1, 1),
            ("NaN", "expected value", 1, 1),
            ("Infinity", "expected value", 1, 1),
            ("-Infinity", "invalid number", 1, 2),
            ("'a'", "expected value", 1, 1),
            (
                "\"a\u{1}\"",
                "control character (\\u0000-\\u001F) found while parsing a string",
                1,
                3,
            ),
            (
                "\"a\tb\"",
                "control character (\\u0000-\\u001F) found while parsing a string",
                1,
                3,
            ),
            ("\"\\x\"", "invalid escape", 1, 3),
            ("\"\\", "EOF while parsing a string", 1, 2),
            ("\"\\u12\"", "EOF while parsing a string", 1, 6),
            ("\"\\u12G4\"", "invalid escape", 1, 7),
            ("\"\\uD800\"", "unexpected end of hex escape", 1, 8),
            ("\"\\uD800x\"", "unexpected end of hex escape", 1, 8),
            ("\"\\uD800\\n\"", "unexpected end of hex escape", 1, 9),
            ("\"\\uD800", "EOF while parsing a string", 1, 7),
            (
                "\"\\uD800\\u0041\"",
                "lone leading surrogate in hex escape",
                1,
                13,
            ),
            (
                "\"\\uD800\\uD800\"",
                "lone leading surrogate in hex escape",
                1,
                13,
            ),
            // serde_json's words: the crate's own parser called this a lone *trailing*
            // surrogate, which it is (issue 13 changed the wording, and no snapshot holds it).
            ("\"\\uDC00\"", "lone leading surrogate in hex escape", 1, 7),
            ("[1,]", "trailing comma", 1, 4),
            ("[1,\n  ]", "trailing comma", 2, 3),
            (r#"{"a":1,}"#, "trailing comma", 1, 8),
            ("{,}", "key must be a string", 1, 2),
            ("{1:2}", "key must be a string", 1, 2),
            (r#"{"a":1,2}"#, "key must be a string", 1, 8),
            (r#"{"a":1,"#, "EOF while parsing a value", 1, 7),
            ("{'a':1}", "key must be a string", 1, 2),
            (r#"{"a" 1}"#, "expected `:`", 1, 6),
            ("[1 2]", "expected `,` or `]`", 1, 4),
            (r#"{"a":1 "b"}"#, "expected `,` or `}`", 1, 8),
            ("1 2", "trailing characters", 1, 3),
            ("{} x", "trailing characters", 1, 4),
            ("[1]/*c*/", "trailing characters", 1, 4),
            ("[1] // c", "trailing characters", 1, 5),
            ("/* c */ 1", "expected value", 1, 1),
            ("\t\r\n x", "expected value", 2, 2),
            ("[\n1,\n\u{a0}]", "expected value", 3, 1),
            ("[\"é\", x]", "expected value", 1, 8),
            ("1e400", OUT_OF_RANGE, 1, 5),
            ("-1e400", OUT_OF_RANGE, 1, 6),
            ("[1.7976931348623159e308]", OUT_OF_RANGE, 1, 23),
        ];
        for &(text, message, line, column) in cases {
            assert_eq!(
                ours(text),
                Err((message.to_owned(), line, column)),
                "{text:?}"
            );
            assert_eq!(ours(text), serde_jsons(text), "{text:?}");
        }
    }

    #[test]
    fn a_key_named_twice_is_refused_at_its_closing_quote_with_its_pointer() {
        let expected = Err((
            r#"the key "id" appears twice in one object, at /x/id"#.to_owned(),
            1,
            31,
        ));
        assert_eq!(ours(r#"{"id": "a", "x": {"id": 1, "id": 2}}"#), expected);
        // Written as Rust writes a string (`{:?}`), escapes and all; the pointer as RFC 6901
        // writes it.
        let e = ours("{\"a\\\"\\n\u{e9}\":1,\n\"a\\\"\\n\\u00e9\":2}").unwrap_err();
        assert_eq!(
            e.0,
            "the key \"a\\\"\\né\" appears twice in one object, at /a\"\né"
        );
        assert_eq!((e.1, e.2), (2, 13));
        let text = r#"{"s": [{}, {"q": [0, {"a/~": 1, "a/~" : 2}]}]}"#;
        let e = ours(text).unwrap_err();
        assert_eq!(
            e.0,
            r#"the key "a/~" appears twice in one object, at /s/1/q/1/a~1~0"#
        );
        // At the closing quote, whatever follows it (serde_json stops after the spaces that
        // follow the key, and after a closing brace).
        assert_eq!((e.1, e.2), (1, 37));
        for (text, column) in [
            (r#"{"a" : 1, "a"  : 2}"#, 13),
            (r#"{"a":1,"a""#, 10),
            (r#"{"a":1,"a"}"#, 10),
            (r#"{"a":1,"a"  }"#, 10),
            (r#"{"a":1,"a","b":2}"#, 10),
            (r#"{"a":1,"a"x"#, 10),
        ] {
            assert_eq!(ours(text).unwrap_err().2, column, "{text}");
        }
        assert_eq!(
            ours("{\"a\":1,\n \"a\"\r\n\t: 2}").unwrap_err(),
            (
                r#"the key "a" appears twice in one object, at /a"#.to_owned(),
                2,
                4
            )
        );
        // The same key in different objects is fine.
        assert!(ours(r#"[{"a":1},{"a":2,"b":{"a":3}}]"#).is_ok());
    }

    /// Issue 12, finding 12: a BOM that opens the text is skipped; anywhere else it is named.
    #[test]
    fn a_byte_order_mark_is_named_where_it_may_not_be() {
        assert_eq!(ours("\u{FEFF}[1]"), Ok(json!([1])));
        assert_eq!(
            ours("\u{FEFF}{\"a\": x}"),
            Err((EXPECTED_VALUE.to_owned(), 1, 7))
        );
        for (text, line, column) in [
            ("\u{FEFF}\u{FEFF}{}", 1, 1),
            (" \u{FEFF}{}", 1, 2),
            ("{\"a\": \u{FEFF}1}", 1, 7),
            ("[1,\n\u{FEFF}2]", 2, 1),
        ] {
            assert_eq!(
                ours(text),
                Err((MISPLACED_BOM.to_owned(), line, column)),
                "{text:?}"
            );
            // serde_json says only "expected value", at the same place.
            let after_first = text.strip_prefix('\u{FEFF}').unwrap_or(text);
            assert_eq!(
                serde_jsons(after_first),
                Err((EXPECTED_VALUE.to_owned(), line, column)),
                "{text:?}"
            );
        }
        // Inside a string it is a character like any other.
        assert_eq!(ours("\"\u{FEFF}\""), Ok(json!("\u{FEFF}")));
        // Other text that cannot start a value keeps serde_json's message.
        assert_eq!(ours("[\u{FEFE}]").unwrap_err().0, EXPECTED_VALUE);
    }

    /// `depth` lists or objects one inside another (`open` and `close` around each), a 0 in
    /// the middle.
    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!("{}0{}", open.repeat(depth), close.repeat(depth))
    }

    #[test]
    fn nesting_stops_at_max_depth_where_serde_json_stops() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let ok = nested(open, close, MAX_DEPTH);
            assert!(ours(&ok).is_ok());
            let deep = nested(open, close, MAX_DEPTH + 1);
            // At the opening bracket of the one too many.
            let column = open.len() * MAX_DEPTH + 1;
            assert_eq!(ours(&deep), Err((TOO_DEEP.to_owned(), 1, column)));
            // serde_json's own limit is the same, so it cannot be raised past it.
            assert_eq!(
                serde_jsons(&ok).map(|v| bits(&v)),
                ours(&ok).map(|v| bits(&v))
            );
            assert_eq!(serde_jsons(&deep), ours(&deep));
        }
        // Hostile input is an error, not a stack overflow.
        for text in ["[".repeat(1_000_000), "{\"a\":".repeat(200_000)] {
            assert_eq!(ours(&text).unwrap_err().0, TOO_DEEP);
        }
        let wide = format!("[{}]", vec!["[[]]"; 100_000].join(","));
        assert_eq!(
            ours(&wide).map(|v| v.as_array().map(Vec::len)),
            Ok(Some(100_000))
        );
    }

    /// The visitor holds the text to the limit it is given (the one the parser has is
    /// [`MAX_DEPTH`]), at the opening bracket of the list or object one too deep.
    #[test]
    fn the_visitor_holds_a_lower_limit_at_the_bracket() {
        let deep = |text: &str, limit| outcome(parse_nested(text, limit));
        assert!(deep("[[[0]]]", 3).is_ok());
        assert!(deep(r#"{"a":{"b":[]}}"#, 3).is_ok());
        for (text, limit, line, column) in [
            ("[[[[0]]]]", 3, 1, 4),
            ("[[[[]]]]", 3, 1, 4),
            ("[[[[ ] ]]]", 3, 1, 4),
            ("[ [ [\n  [ 0 ]]]]", 3, 2, 3),
            (r#"{"a":{"b":{"c":{}}}}"#, 3, 1, 16),
            (r#"{"a":{"b":{"c":{ "d": 1 }}}}"#, 3, 1, 16),
            ("[1, [2, {}], 3]", 2, 1, 9),
            ("0", 0, 0, 0),
            ("[]", 0, 1, 1),
        ] {
            let got = deep(text, limit);
            if line == 0 {
                assert!(got.is_ok(), "{text}");
            } else {
                assert_eq!(got, Err((TOO_DEEP.to_owned(), line, column)), "{text}");
            }
        }
    }

    #[test]
    fn strings_unescape_and_keep_unicode() {
        let v = ours(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4E2D\ud83d\ude00\u0000 é中😀""#).unwrap();
        assert_eq!(v, json!("\"\\/\u{8}\u{c}\n\r\tAé中😀\0 é中😀"));
        let v = ours("{\"😀\": \"\u{7f}\u{10ffff}\\uDBFF\\uDFFF\"}").unwrap();
        assert_eq!(v, json!({"😀": "\u{7f}\u{10ffff}\u{10ffff}"}));
        assert_eq!(ours(r#""""#), Ok(json!("")));
    }

    #[test]
    fn integers_stay_integers() {
        for text in [
            "0",
            "7",
            "-7",
            "9007199254740993",
            "18446744073709551615",
            "-9223372036854775808",
        ] {
            let v = ours(text).unwrap();
            assert!(!v.as_number().unwrap().is_f64(), "{text}");
        }
        assert_eq!(
            ours("9007199254740993").unwrap().as_u64(),
            Some(9_007_199_254_740_993)
        );
        assert_eq!(
            ours("-9223372036854775808").unwrap().as_i64(),
            Some(i64::MIN)
        );
        for (text, expected) in [
            ("18446744073709551616", 18_446_744_073_709_551_616.0),
            ("-9223372036854775809", -9_223_372_036_854_775_808.0),
            ("-18446744073709551615", -18_446_744_073_709_551_615.0),
            ("100000000000000000000000", 1e23),
        ] {
            let v = ours(text).unwrap();
            assert!(v.as_number().unwrap().is_f64(), "{text}");
            assert_eq!(
                v.as_f64().unwrap().to_bits(),
                f64::to_bits(expected),
                "{text}"
            );
        }
        // f64::MAX, every digit of it; halfway from it to 2^1024 rounds to even, out of range.
        let (digits, _) = exact((1 << 53) - 1, 971);
        let text = written(&digits, 0);
        assert_eq!(float(&text[..text.len() - 3]), Ok(f64::MAX));
        let (half_up, _) = exact((1 << 54) - 1, 970);
        assert_eq!(float(&written(&half_up, 0)), Err(OUT_OF_RANGE.to_owned()));
        let too_big = format!("1{}", "0".repeat(309));
        assert_eq!(float(&too_big), Err(OUT_OF_RANGE.to_owned()));
    }

    #[test]
    fn minus_zero_is_the_float_minus_zero() {
        for text in ["-0", "-0.0", "-0e5", "-0.000e-999999999999", "-1e-400"] {
            let v = ours(text).unwrap();
            let n = v.as_number().unwrap();
            assert!(n.is_f64(), "{text}");
            assert_eq!(
                n.as_f64().unwrap().to_bits(),
                (-0.0_f64).to_bits(),
                "{text}"
            );
        }
        assert_eq!(ours("0"), Ok(json!(0)));
        assert_eq!(float("0.0").map(f64::to_bits), Ok(0));
        assert_eq!(float("0e99999999999").map(f64::to_bits), Ok(0));
    }

    /// Floats are correctly rounded (serde_json's `float_roundtrip`): these fail without it.
    #[test]
    fn floats_round_to_nearest_even() {
        let cases: &[(&str, f64)] = &[
            ("0.1", 0.1),
            ("0.30000000000000004", 0.1 + 0.2),
            ("1e23", 1e23),
            ("8.589973e9", 8.589_973e9),
            ("9007199254740993.0", 9_007_199_254_740_992.0),
            ("9007199254740995.0", 9_007_199_254_740_996.0),
            (
                "9007199254740993.0000000000000000000000000001",
                9_007_199_254_740_994.0,
            ),
            (
                "2.2250738585072011e-308",
                f64::from_bits(0x000F_FFFF_FFFF_FFFF),
            ),
            ("2.2250738585072014e-308", f64::MIN_POSITIVE),
            ("4.9e-324", f64::from_bits(1)),
            ("5e-324", f64::from_bits(1)),
            ("2.4703282292062327e-324", 0.0),
            ("2.4703282292062328e-324", f64::from_bits(1)),
            ("1e-400", 0.0),
            ("1.7976931348623157e308", f64::MAX),
            ("1.7976931348623158e308", f64::MAX),
            ("0.000001e314", 1e308),
            (
                "123456789012345678901234567890e-30",
                0.123_456_789_012_345_68,
            ),
            (
                "3.141592653589793238462643383279502884197",
                std::f64::consts::PI,
            ),
        ];
        for &(text, expected) in cases {
            assert_eq!(
                float(text).map(f64::to_bits),
                Ok(expected.to_bits()),
                "{text}"
            );
            same_as_core(text).unwrap();
        }
        for text in ["1.7976931348623159e308", "1e309", "1e99999999999", "-1e309"] {
            assert_eq!(float(text), Err(OUT_OF_RANGE.to_owned()), "{text}");
        }
        // 2^-1075, the halfway point below the smallest subnormal, exactly: ties to zero; a
        // digit more and it rounds up.
        let (digits, scale) = exact(1, -1075);
        assert_eq!(float(&written(&digits, scale)).map(f64::to_bits), Ok(0));
        let mut above = digits.clone();
        above.push(1);
        assert_eq!(float(&written(&above, scale + 1)).map(f64::to_bits), Ok(1));
        // A long run of digits past the ones that decide.
        same_as_core(&format!("0.{}1e-300", "0".repeat(5_000))).unwrap();
        same_as_core(&format!("1{}e-5000", "0".repeat(5_000))).unwrap();
    }

    /// A JSON number's text from its parts.
    fn number_text(
        negative: bool,
        int: &[u8],
        fraction: &[u8],
        exponent: Option<(bool, i32)>,
    ) -> String {
        let mut s = String::new();
        if negative {
            s.push('-');
        }
        let int = if int.first() == Some(&0) {
            &int[..1]
        } else {
            int
        };
        s.extend(int.iter().map(|d| char::from(b'0' + d)));
        if !fraction.is_empty() {
            s.push('.');
            s.extend(fraction.iter().map(|d| char::from(b'0' + d)));
        }
        if let Some((upper, e)) = exponent {
            s.push(if upper { 'E' } else { 'e' });
            if e >= 0 && upper {
                s.push('+');
            }
            s.push_str(&e.to_string());
        }
        s
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |x| Number::from_f64(x).map(Value::Number)),
            (-1e6..1e6_f64).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\\\\"/\\n\\t\\u{0}-\\u{1f} a-zé😀]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Text built from pieces of JSON and near-JSON, mostly wrong somewhere; or JSON with one
    /// piece put in, one character taken out, or cut short.
    fn arb_near_json() -> impl Strategy<Value = String> {
        let pieces =
            prop::collection::vec(prop::sample::select(PIECES), 0..16).prop_map(|p| p.concat());
        let broken = (
            arb_value(),
            any::<bool>(),
            any::<prop::sample::Index>(),
            prop::sample::select(PIECES),
            0_u8..3,
        )
            .prop_map(|(v, pretty, at, piece, how)| {
                let mut text = if pretty {
                    serde_json::to_string_pretty(&v)
                } else {
                    serde_json::to_string(&v)
                }
                .unwrap();
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                match how {
                    0 => text.insert_str(i, piece),
                    1 if i < text.len() => {
                        text.remove(i);
                    }
                    _ => text.truncate(i),
                }
                text
            });
        prop_oneof![pieces, broken]
    }

    const PIECES: &[&str] = &[
        "{", "}", "[", "]", ",", ":", "\"a\"", "\"b\"", "\"", "\\", "\\u", "\\uD83D", "\\uDE00",
        "00", "1", "-", "0", "9", ".", "e", "E", "+", "1.5", "2e3", "tru", "true", "null", "n",
        "f", " ", "\n", "\t", "\r", "x", "\u{1}", "é", "😀", "\"a\":1", "[1,2]", ",]", ",}",
        "\u{c}", "\u{feff}",
    ];

    /// Our reading of `text` agrees with serde_json's `Value` (floats bit for bit, errors word
    /// for word at the same place) except where `parse` refuses more: a key named twice (at the
    /// key, no later than where serde_json's visitor would be, with a pointer to the value
    /// serde_json keeps), and a byte order mark (skipped at the start, named elsewhere).
    fn agrees_with_serde_json(text: &str) -> Result<(), TestCaseError> {
        let got = ours(text);
        let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        match (&got, serde_jsons(body)) {
            (Ok(a), Ok(b)) => prop_assert_eq!(bits(a), bits(&b)),
            (Err((m, l, c)), reference) if m.contains(TWICE) => {
                let pointer = m
                    .split_once(TWICE)
                    .map(|(_, p)| p)
                    .ok_or_else(|| TestCaseError::fail(m.clone()))?;
                match reference {
                    Ok(kept) => prop_assert!(kept.pointer(pointer).is_some(), "{}", m),
                    Err((_, k, d)) => prop_assert!((*l, *c) <= (k, d), "{} {}:{}", m, k, d),
                }
            }
            (Err((m, l, c)), Err((n, k, d))) if m == MISPLACED_BOM => {
                prop_assert_eq!((EXPECTED_VALUE, *l, *c), (n.as_str(), k, d));
            }
            (_, reference) => prop_assert_eq!(got, reference),
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_value_reads_back_as_written(v in arb_value()) {
            for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()] {
                prop_assert_eq!(ours(&text).map(|v| bits(&v)), Ok(bits(&v)), "{}", text);
            }
        }

        /// Issue 13: any finite `f64`, written (shortest digits, as saved files are written)
        /// and read back, is the same bits.
        #[test]
        fn any_float_written_reads_back_to_the_same_bits(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let text = serde_json::to_string(&x).unwrap();
            prop_assert_eq!(float(&text).map(f64::to_bits), Ok(bits), "{}", text);
            let text = serde_json::to_string(&json!({"v": [x]})).unwrap();
            let back = ours(&text).ok().and_then(|v| v["v"][0].as_f64());
            prop_assert_eq!(back.map(f64::to_bits), Some(bits), "{}", text);
        }

        #[test]
        fn near_json_gets_serde_jsons_answer(text in arb_near_json()) {
            agrees_with_serde_json(&text)?;
        }

        #[test]
        fn numbers_read_as_core_reads_them(
            negative in any::<bool>(),
            int in prop::collection::vec(0_u8..10, 1..=40),
            fraction in prop::collection::vec(0_u8..10, 0..=40),
            exponent in prop::option::of((any::<bool>(), -400_i32..400)),
        ) {
            same_as_core(&number_text(negative, &int, &fraction, exponent))?;
        }

        #[test]
        fn halfway_points_round_to_even(bits in 0_u64..0x7FEF_FFFF_FFFF_FFFF, cut in 1_usize..40) {
            // The point halfway between the float `bits` and the next one up, exactly, then a
            // hair above it and cut short below it.
            let field = bits >> 52;
            let fraction = bits & ((1 << 52) - 1);
            let (m, e) = if field == 0 { (fraction, -1074) } else { (fraction | 1 << 52, field as i32 - 1075) };
            let (digits, scale) = exact(2 * m + 1, e - 1);
            same_as_core(&written(&digits, scale))?;
            let mut above = digits.clone();
            above.extend([0, 0, 0, 1]);
            same_as_core(&written(&above, scale + 4))?;
            let keep = digits.len().saturating_sub(cut).max(1);
            let dropped = u32::try_from(digits.len() - keep).unwrap();
            if scale >= dropped {
                same_as_core(&written(&digits[..keep], scale - dropped))?;
            }
        }
    }
}
