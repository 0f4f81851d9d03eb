//! JSON text to serde_json's [`Value`], strictly: serde_json's parser, driven through a visitor
//! that refuses an object naming a key twice.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::{Place, ReadError, ReadErrorKind};

/// Lists and objects one inside another, at most: the 128th is refused ("recursion limit
/// exceeded"), so hostile input cannot overflow the stack, natively or in wasm. It is
/// serde_json's own limit, fixed in its parser; a test holds this constant to it.
pub const MAX_DEPTH: usize = 127;

/// What serde_json says of a value that cannot start where it does.
const EXPECTED_VALUE: &str = "expected value";

/// What the message for a key named twice says after the key (then where the key's value is).
const TWICE: &str = " appears twice in one object, at ";

/// The message for a byte order mark anywhere but at the very start (where [`parse`] skips it).
const MISPLACED_BOM: &str =
    "expected value, found a byte order mark (U+FEFF), which may only come first in the text";

/// Parses JSON text (RFC 8259, through serde_json's parser); a syntax error gives its line and
/// column and serde_json's message. An object that names the same key twice is an error too,
/// at the key's closing quote, which also names the key's JSON pointer (serde_json's own
/// `Value` would keep the last silently).
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
/// let e = equitas_json::parse(r#"{"a": 1, "a": 2}"#).unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     r#"not valid JSON at line 1 column 12: the key "a" appears twice in one object, at /a"#
/// );
/// # Ok::<(), equitas_json::ReadError>(())
/// ```
///
/// # Errors
/// The text is not JSON, or repeats a key in an object ([`ReadErrorKind::Json`]).
pub fn parse(text: &str) -> Result<Value, ReadError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict(&Place::Pointer(""))
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
    // serde_json places an error from a key's visitor after any spaces that follow the key;
    // the place to show is the key's closing quote.
    let (line, column) = if message.contains(TWICE) {
        before_spaces(text, line, column)
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

/// The line and column of the last byte before the JSON whitespace that ends at `line` and
/// `column` (the place itself when it is not whitespace).
fn before_spaces(text: &str, line: usize, column: usize) -> (usize, usize) {
    let Some(at) = offset(text, line, column) else {
        return (line, column);
    };
    let bytes = text.as_bytes();
    let mut at = at.min(bytes.len().saturating_sub(1));
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
/// twice; the value is at the place given (for the message).
struct Strict<'a>(&'a Place<'a>);

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
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict(&Place::Index(self.0, items.len())))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(NewKey(&out, self.0))? {
            let value = map.next_value_seed(Strict(&Place::Key(self.0, &key)))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// An object's key, refused when the object (at the place given) already has it: checked as
/// the key is read, so serde_json reports it at the key's closing quote.
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
            let at = Place::Key(self.1, key);
            return Err(E::custom(format_args!("the key {key:?}{TWICE}{at}")));
        }
        Ok(key.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    type Outcome = Result<Value, (String, usize, usize)>;

    fn ours(text: &str) -> Outcome {
        parse(text).map_err(|e| match e.kind().clone() {
            ReadErrorKind::Json {
                line,
                column,
                message,
            } => (message, line, column),
            other => panic!("not a JSON error: {other}"),
        })
    }

    /// The `f64` read from a number's text, or the error message.
    fn float(text: &str) -> Result<f64, String> {
        match ours(text) {
            Ok(Value::Number(n)) => Ok(n.as_f64().expect("a number")),
            Ok(other) => Err(format!("not a number: {other}")),
            Err((message, ..)) => Err(message),
        }
    }

    /// Our reading of a number's text against core's (`str::parse`), bit for bit; a number past
    /// `f64::MAX` must be refused.
    fn same_as_core(text: &str) -> Result<(), TestCaseError> {
        let expected: f64 = text.parse().expect("core reads it");
        if expected.is_infinite() {
            prop_assert_eq!(
                float(text),
                Err("number out of range".to_owned()),
                "{}",
                text
            );
        } else {
            let got = float(text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(got.to_bits(), expected.to_bits(), "{}", text);
        }
        Ok(())
    }

    /// The messages and places callers and snapshots saw from the parser this one replaced (the
    /// crate's own, which kept serde_json's): each (text, message, line, column).
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
            (
                r#"{"format": "equitas-assessment","#,
                "EOF while parsing a value",
                1,
                32,
            ),
            ("\"abc", "EOF while parsing a string", 1, 4),
            ("[-]", "invalid number", 1, 3),
            ("nulx", "expected ident", 1, 4),
            ("True", "expected value", 1, 1),
            ("01", "invalid number", 1, 2),
            ("1.x", "invalid number", 1, 3),
            ("NaN", "expected value", 1, 1),
            ("'a'", "expected value", 1, 1),
            (
                "\"a\u{1}\"",
                "control character (\\u0000-\\u001F) found while parsing a string",
                1,
                3,
            ),
            ("\"\\x\"", "invalid escape", 1, 3),
            ("\"\\uD800\"", "unexpected end of hex escape", 1, 8),
            (
                "\"\\uD800\\u0041\"",
                "lone leading surrogate in hex escape",
                1,
                13,
            ),
            // The crate's own parser called this one a lone *trailing* surrogate; serde_json
            // (before and now) calls it a leading one.
            ("\"\\uDC00\"", "lone leading surrogate in hex escape", 1, 7),
            ("[1,]", "trailing comma", 1, 4),
            (r#"{"a":1,}"#, "trailing comma", 1, 8),
            ("{1:2}", "key must be a string", 1, 2),
            (r#"{"a" 1}"#, "expected `:`", 1, 6),
            ("[1 2]", "expected `,` or `]`", 1, 4),
            (r#"{"a":1 "b"}"#, "expected `,` or `}`", 1, 8),
            ("{} x", "trailing characters", 1, 4),
            ("[1] // c", "trailing characters", 1, 5),
            ("\t\r\n x", "expected value", 2, 2),
            ("[\"é\", x]", "expected value", 1, 8),
            ("1e400", "number out of range", 1, 5),
            ("[1.7976931348623159e308]", "number out of range", 1, 23),
        ];
        for &(text, message, line, column) in cases {
            assert_eq!(
                ours(text),
                Err((message.to_owned(), line, column)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_key_named_twice_is_refused_at_its_closing_quote_and_pointer() {
        assert_eq!(
            ours(r#"{"id": "a", "x": {"id": 1, "id": 2}}"#),
            Err((
                r#"the key "id" appears twice in one object, at /x/id"#.to_owned(),
                1,
                31
            ))
        );
        // Spaces (and lines) after the key do not move the place from its closing quote.
        assert_eq!(ours(r#"{"a" : 1, "a"  : 2}"#).unwrap_err().2, 13);
        assert_eq!(
            ours("{\"a\":1,\n \"a\"\r\n\t: 2}").unwrap_err(),
            (
                r#"the key "a" appears twice in one object, at /a"#.to_owned(),
                2,
                4
            )
        );
        assert_eq!(ours(r#"{"a":1,"a""#).unwrap_err().2, 10);
        // Written as Rust writes a string (`{:?}`), escapes and all.
        let e = ours("{\"a\\\"\\n\u{e9}\":1,\n\"a\\\"\\n\\u00e9\":2}").unwrap_err();
        assert_eq!(
            e.0,
            "the key \"a\\\"\\né\" appears twice in one object, at /a\"\né"
        );
        assert_eq!((e.1, e.2), (2, 13));
        // The pointer goes through lists and objects, escaping `~` and `/` (RFC 6901).
        let e = ours(r#"{"s": [{}, {"q": [0, {"a/~": 1, "a/~": 2}]}]}"#).unwrap_err();
        assert_eq!(
            e.0,
            r#"the key "a/~" appears twice in one object, at /s/1/q/1/a~1~0"#
        );
        // The same key in different objects is fine.
        assert!(ours(r#"[{"a":1},{"a":2,"b":{"a":3}}]"#).is_ok());
    }

    #[test]
    fn nesting_stops_at_the_limit() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let ok = format!("{}0{}", open.repeat(MAX_DEPTH), close.repeat(MAX_DEPTH));
            assert!(ours(&ok).is_ok());
            let deep = format!(
                "{}0{}",
                open.repeat(MAX_DEPTH + 1),
                close.repeat(MAX_DEPTH + 1)
            );
            let column = open.len() * MAX_DEPTH + 1;
            assert_eq!(
                ours(&deep),
                Err(("recursion limit exceeded".to_owned(), 1, column))
            );
        }
        // Hostile input is an error, not a stack overflow.
        for text in ["[".repeat(1_000_000), "{\"a\":".repeat(200_000)] {
            assert_eq!(ours(&text).unwrap_err().0, "recursion limit exceeded");
        }
    }

    /// Issue 12, finding 12: a BOM that opens the text is skipped; anywhere else it is named.
    #[test]
    fn a_byte_order_mark_is_named_where_it_may_not_be() {
        assert_eq!(ours("\u{FEFF}[1]"), Ok(json!([1])));
        assert_eq!(
            ours("\u{FEFF}{\"a\": x}"),
            Err(("expected value".to_owned(), 1, 7))
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
        }
        // Inside a string it is a character like any other.
        assert_eq!(ours("\"\u{FEFF}\""), Ok(json!("\u{FEFF}")));
        // Other text that cannot start a value keeps serde_json's message.
        assert_eq!(ours("[\u{FEFE}]").unwrap_err().0, "expected value");
    }

    #[test]
    fn integers_stay_integers() {
        for text in ["0", "-7", "18446744073709551615", "-9223372036854775808"] {
            assert!(!ours(text).unwrap().as_number().unwrap().is_f64(), "{text}");
        }
        for (text, expected) in [
            ("18446744073709551616", 18_446_744_073_709_551_616.0),
            ("-9223372036854775809", -9_223_372_036_854_775_808.0),
            ("100000000000000000000000", 1e23),
        ] {
            assert_eq!(float(text).map(f64::to_bits), Ok(f64::to_bits(expected)));
        }
        let minus_zero = ours("-0").unwrap();
        assert_eq!(
            minus_zero.as_f64().map(f64::to_bits),
            Some((-0.0_f64).to_bits())
        );
    }

    /// Floats are correctly rounded (serde_json's `float_roundtrip`): what JavaScript or any
    /// other writer put in the shortest digits reads back to the same bits.
    #[test]
    fn floats_round_to_nearest_even() {
        for text in [
            "0.1",
            "0.30000000000000004",
            "8.589973e9",
            "9007199254740993.0",
            "9007199254740993.0000000000000000000000000001",
            "2.2250738585072011e-308",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "123456789012345678901234567890e-30",
            "3.141592653589793238462643383279502884197",
        ] {
            same_as_core(text).unwrap();
        }
        same_as_core(&format!("0.{}1e-300", "0".repeat(5_000))).unwrap();
        same_as_core(&format!("1{}e-5000", "0".repeat(5_000))).unwrap();
    }

    proptest! {
        #[test]
        fn shortest_digits_read_back_exactly(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            same_as_core(&serde_json::to_string(&x).unwrap())?;
        }

        #[test]
        fn long_numbers_read_as_core_reads_them(
            int in "[1-9][0-9]{0,30}",
            fraction in "[0-9]{0,30}",
            exponent in -340_i32..320,
        ) {
            let dot = if fraction.is_empty() { "" } else { "." };
            same_as_core(&format!("{int}{dot}{fraction}e{exponent}"))?;
        }
    }
}
