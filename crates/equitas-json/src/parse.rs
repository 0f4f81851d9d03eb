//! JSON text to serde_json's [`Value`]: a small strict parser of the crate's own.
//!
//! It reads RFC 8259 JSON and nothing else: one value with only space, tab, line feed and
//! carriage return around it; no comments, trailing commas, single quotes, `NaN`, leading zeros,
//! `+1`, `.5` or `1.`; no raw control characters in strings; `\u` escapes with surrogates
//! properly paired. On top of RFC 8259 it refuses an object that names a key twice.
//!
//! It keeps serde_json's behaviour where callers could see it (its tests hold it to serde_json,
//! read through a visitor that refuses a key named twice, and the `json` fuzz target does too):
//! - the same `Value` for the same text (integers that fit `u64`, or `i64` when negative, stay
//!   integers; `-0` is the float −0; everything else is the correctly rounded `f64`, as
//!   `str::parse::<f64>` and serde_json with its `float_roundtrip` feature give);
//! - serde_json's messages ("EOF while parsing a value", "trailing comma", …) at the same line
//!   and column: the column counts bytes from the start of the line and points at the byte that
//!   was wrong, or at the last byte of the text when the text ended too soon (column 0 when that
//!   byte is a line break). A key named twice is reported at its closing quote, with its JSON
//!   pointer; a lone trailing surrogate (`"\uDC00"`) is called that, where serde_json calls it a
//!   leading one;
//! - serde_json's nesting limit ([`MAX_DEPTH`]), so hostile input cannot overflow the stack, in
//!   wasm or natively.
//!
//! Why not serde_json's own parser: in the browser it costs more than the size budget has room
//! for. Measured in issue 13 on the assessment engine (raw / gzipped, after wasm-opt), serde_json
//! through a strict visitor took it from 291,045 / 116,548 bytes with this parser to 299,274 /
//! 121,062, and with `float_roundtrip` (without which a float may be a unit in the last place
//! off) to 315,601 / 130,109, past the 300,000 / 120,000 every module must stay under.
//! ARCHITECTURE.md, "Reading JSON", has the numbers for every module.

mod float;

use serde_json::{Map, Number, Value};

use crate::{ReadError, ReadErrorKind, pointer_escape};

/// Lists and objects one inside another, at most: the 128th is refused ("recursion limit
/// exceeded"), so hostile input cannot overflow the stack, natively or in wasm. It is
/// serde_json's limit, fixed in its parser; a test holds this one to it.
pub const MAX_DEPTH: usize = 127;

/// The exponent of a number is read up to this size; anything bigger is already far out of the
/// range of an `f64` either way, and the cap keeps the arithmetic from overflowing.
const EXPONENT_CAP: i64 = 1_000_000;

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EXPECTED_VALUE: &str = "expected value";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_NEXT: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_NEXT: &str = "expected `,` or `}`";
const KEY_NOT_STRING: &str = "key must be a string";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const INVALID_NUMBER: &str = "invalid number";
const OUT_OF_RANGE: &str = "number out of range";
const INVALID_ESCAPE: &str = "invalid escape";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const LONE_LEADING_SURROGATE: &str = "lone leading surrogate in hex escape";
const LONE_TRAILING_SURROGATE: &str = "lone trailing surrogate in hex escape";
const END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const INVALID_CODE_POINT: &str = "invalid unicode code point";
const TOO_DEEP: &str = "recursion limit exceeded";
const MISPLACED_BOM: &str =
    "expected value, found a byte order mark (U+FEFF), which may only come first in the text";

/// Parses JSON text (RFC 8259); a syntax error gives its line and column and serde_json's
/// message. An object that names the same key twice is an error too, at the key's closing quote
/// and with the key's JSON pointer (serde_json's own `Value` would keep the last silently).
///
/// A byte order mark (U+FEFF) as the very first character is skipped: Windows Notepad and
/// "UTF-8 with BOM" in other editors write one before the text, RFC 8259 lets a reader ignore
/// it, and it carries nothing, so refusing the file ("expected value at line 1 column 1", for
/// a character the editor does not show) would only puzzle. Columns on the first line then
/// count from after it, as the editor shows them. Anywhere else it is an error that names it.
///
/// Numbers read as serde_json reads them: integers that fit a `u64` (or an `i64`, when
/// negative) stay integers, `-0` is the float −0, and every other number is the nearest `f64`,
/// correctly rounded.
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
/// The text is not JSON, or repeats a key in an object ([`ReadErrorKind::Json`]).
pub fn parse(text: &str) -> Result<Value, ReadError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let result = parser.value().and_then(|value| {
        parser.skip_whitespace();
        match parser.peek() {
            None => Ok(value),
            Some(_) => Err(parser.at_next(TRAILING_CHARACTERS)),
        }
    });
    result.map_err(|fail| fail.into_error(parser.bytes))
}

/// What was wrong, and where: `end` is the length of the text up to and including the byte at
/// fault (serde_json's convention), from which the line and column are worked out. Boxed, so a
/// `Result` of the parser is no larger than the value parsed.
#[derive(Debug)]
struct Fail(Box<Failure>);

#[derive(Debug)]
struct Failure {
    end: usize,
    message: String,
    /// For a key named twice, the key's JSON pointer, written from the inside out as the error
    /// leaves each list and object; empty otherwise.
    pointer: String,
}

impl Fail {
    fn new(end: usize, message: String) -> Self {
        Self(Box::new(Failure {
            end,
            message,
            pointer: String::new(),
        }))
    }

    /// The error, come out of the member `part` (a key or an index) of a list or object.
    #[cold]
    #[inline(never)]
    fn inside(mut self, part: &str) -> Self {
        if !self.0.pointer.is_empty() {
            self.0.pointer = format!("/{}{}", pointer_escape(part), self.0.pointer);
        }
        self
    }

    #[cold]
    fn into_error(self, bytes: &[u8]) -> ReadError {
        let Failure {
            end,
            mut message,
            pointer,
        } = *self.0;
        let before = bytes.get(..end).unwrap_or(bytes);
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if !pointer.is_empty() {
            message.push_str(", at ");
            message.push_str(&pointer);
        }
        ReadErrorKind::Json {
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: before.len() - line_start,
            message,
        }
        .into()
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
    /// Lists and objects open around `pos`.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The next byte, consumed.
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// An error about the byte just read (or, at the end of the text, its last byte).
    #[cold]
    #[inline(never)]
    fn at_last(&self, message: &str) -> Fail {
        Fail::new(self.pos, message.to_owned())
    }

    /// An error about the next byte, not yet read (or the last byte, at the end of the text).
    #[cold]
    #[inline(never)]
    fn at_next(&self, message: &str) -> Fail {
        Fail::new(self.bytes.len().min(self.pos + 1), message.to_owned())
    }

    fn value(&mut self) -> Result<Value, Fail> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.at_next(EOF_VALUE)),
            Some(b'n') => self.word(b"null").map(|()| Value::Null),
            Some(b't') => self.word(b"true").map(|()| Value::Bool(true)),
            Some(b'f') => self.word(b"false").map(|()| Value::Bool(false)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => {
                self.pos += 1;
                self.string().map(Value::String)
            }
            Some(b'[') => self.container(false),
            Some(b'{') => self.container(true),
            // The first byte of U+FEFF. (`parse` skips one that opens the text.)
            Some(0xEF) if self.bytes.get(self.pos..self.pos + 3) == Some(b"\xEF\xBB\xBF") => {
                Err(self.at_next(MISPLACED_BOM))
            }
            Some(_) => Err(self.at_next(EXPECTED_VALUE)),
        }
    }

    /// `null`, `true` or `false`, whose first byte has been seen.
    fn word(&mut self, word: &[u8]) -> Result<(), Fail> {
        for &want in word {
            match self.next() {
                None => return Err(self.at_last(EOF_VALUE)),
                Some(b) if b != want => return Err(self.at_last(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A list, or an object when `object`, one level deeper, from its opening bracket.
    fn container(&mut self, object: bool) -> Result<Value, Fail> {
        if self.depth >= MAX_DEPTH {
            return Err(self.at_next(TOO_DEEP));
        }
        self.depth += 1;
        self.pos += 1;
        let (close, eof, expected_next) = if object {
            (b'}', EOF_OBJECT, EXPECTED_OBJECT_NEXT)
        } else {
            (b']', EOF_LIST, EXPECTED_LIST_NEXT)
        };
        let mut items = Vec::new();
        let mut map = Map::new();
        let mut first = true;
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b) if b == close && first => break,
                Some(b) if b == close => return Err(self.at_next(TRAILING_COMMA)),
                None if first => return Err(self.at_next(eof)),
                None => return Err(self.at_next(EOF_VALUE)),
                Some(b) if object && b != b'"' => return Err(self.at_next(KEY_NOT_STRING)),
                Some(_) => {}
            }
            if object {
                self.pos += 1;
                let key = self.string()?;
                if map.contains_key(&key) {
                    // At the key's closing quote. (Through serde_json, the visitor this
                    // parser replaced reported it after any spaces between key and colon.)
                    return Err(self.repeated(&key));
                }
                self.skip_whitespace();
                match self.peek() {
                    Some(b':') => self.pos += 1,
                    Some(_) => return Err(self.at_next(EXPECTED_COLON)),
                    None => return Err(self.at_next(EOF_OBJECT)),
                }
                let value = self.value().map_err(|fail| fail.inside(&key))?;
                map.insert(key, value);
            } else {
                let value = self
                    .value()
                    .map_err(|fail| fail.inside(&items.len().to_string()))?;
                items.push(value);
            }
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    first = false;
                }
                Some(b) if b == close => break,
                Some(_) => return Err(self.at_next(expected_next)),
                None => return Err(self.at_next(eof)),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(if object {
            Value::Object(map)
        } else {
            Value::Array(items)
        })
    }

    #[cold]
    #[inline(never)]
    fn repeated(&self, key: &str) -> Fail {
        let mut fail = Fail::new(
            self.pos,
            format!("the key {key:?} appears twice in one object"),
        );
        fail.0.pointer = format!("/{}", pointer_escape(key));
        fail
    }

    /// A string, after its opening quote.
    fn string(&mut self) -> Result<String, Fail> {
        let mut out = String::new();
        // The first byte not yet copied to `out`.
        let mut start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.at_last(EOF_STRING)),
                Some(b @ (b'"' | b'\\')) => {
                    // Both ends are next to an ASCII byte, so on character boundaries.
                    out.push_str(self.text.get(start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    if b == b'"' {
                        return Ok(out);
                    }
                    out.push(self.escape()?);
                    start = self.pos;
                }
                Some(0..=0x1F) => {
                    self.pos += 1;
                    return Err(self.at_last(CONTROL_CHARACTER));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// The character an escape stands for, after its backslash.
    fn escape(&mut self) -> Result<char, Fail> {
        Ok(match self.next() {
            None => return Err(self.at_last(EOF_STRING)),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode(),
            Some(_) => return Err(self.at_last(INVALID_ESCAPE)),
        })
    }

    /// A `\u` escape after its `u`: one code unit, or a surrogate pair written as two escapes.
    fn unicode(&mut self) -> Result<char, Fail> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.at_last(LONE_TRAILING_SURROGATE)),
            0xD800..=0xDBFF => {
                for want in [b'\\', b'u'] {
                    match self.next() {
                        None => return Err(self.at_last(EOF_STRING)),
                        Some(b) if b != want => return Err(self.at_last(END_OF_HEX_ESCAPE)),
                        Some(_) => {}
                    }
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.at_last(LONE_LEADING_SURROGATE));
                }
                0x1_0000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.at_last(INVALID_CODE_POINT))
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u32, Fail> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return Err(self.at_last(EOF_STRING));
        };
        self.pos += 4;
        let mut n = 0;
        for &b in digits {
            let digit = char::from(b)
                .to_digit(16)
                .ok_or_else(|| self.at_last(INVALID_ESCAPE))?;
            n = n * 16 + digit;
        }
        Ok(n)
    }

    /// A number: an integer when it has neither fraction nor exponent and fits (as serde_json
    /// reads it), otherwise the nearest `f64`.
    fn number(&mut self) -> Result<Value, Fail> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.next() {
            None => return Err(self.at_last(EOF_VALUE)),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.at_next(INVALID_NUMBER));
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            Some(_) => return Err(self.at_last(INVALID_NUMBER)),
        }
        let int = self.bytes.get(int_start..self.pos).unwrap_or_default();

        let mut fraction: &[u8] = &[];
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let start = self.pos;
            self.skip_digits();
            fraction = self.bytes.get(start..self.pos).unwrap_or_default();
            if fraction.is_empty() {
                return Err(match self.peek() {
                    Some(_) => self.at_next(INVALID_NUMBER),
                    None => self.at_next(EOF_VALUE),
                });
            }
        }

        let fraction_end = self.pos;
        let mut exponent = None;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let negative_exponent = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let mut e = match self.next() {
                None => return Err(self.at_last(EOF_VALUE)),
                Some(d @ b'0'..=b'9') => i64::from(d - b'0'),
                Some(_) => return Err(self.at_last(INVALID_NUMBER)),
            };
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.pos += 1;
                e = (e * 10 + i64::from(d - b'0')).min(EXPONENT_CAP);
            }
            exponent = Some(if negative_exponent { -e } else { e });
        }

        if fraction.is_empty()
            && exponent.is_none()
            && let Some(n) = integer(int, negative)
        {
            return Ok(Value::Number(n));
        }
        // The digits with the decimal point, if any, and where the point goes.
        let digits = self.bytes.get(int_start..fraction_end).unwrap_or_default();
        let point = i64::try_from(int.len())
            .unwrap_or(i64::MAX)
            .saturating_add(exponent.unwrap_or(0));
        match float::to_f64(digits, point) {
            Some(x) => {
                let x = if negative { -x } else { x };
                Ok(Number::from_f64(x).map_or(Value::Null, Value::Number))
            }
            None => Err(self.at_last(OUT_OF_RANGE)),
        }
    }
}

/// A number written without fraction or exponent as serde_json keeps it: `u64` when it fits,
/// `i64` when negative and it fits, −0 as the float −0 and a negative number below `i64::MIN` as
/// the nearest `f64`; `None` past `u64::MAX`.
fn integer(digits: &[u8], negative: bool) -> Option<Number> {
    let mut n: u64 = 0;
    for &d in digits {
        n = n
            .checked_mul(10)?
            .checked_add(u64::from(d.wrapping_sub(b'0')))?;
    }
    if !negative {
        return Some(n.into());
    }
    if n == 0 {
        return Number::from_f64(-0.0);
    }
    match 0_i64.checked_sub_unsigned(n) {
        Some(i) => Some(i.into()),
        #[allow(clippy::cast_precision_loss)] // u64 to f64 rounds to nearest, as serde_json does
        None => Number::from_f64(-(n as f64)),
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

    /// serde_json's deserializer through a visitor that refuses a key named twice (what
    /// `read::parse` was before this parser): the reference for structure, messages and
    /// positions. With `float_roundtrip`, which the workspace turns on, its floats are exact too.
    fn before(text: &str) -> Outcome {
        struct Strict(Value);
        struct StrictVisitor;
        impl<'de> serde::Deserialize<'de> for Strict {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(StrictVisitor).map(Strict)
            }
        }
        impl<'de> serde::de::Visitor<'de> for StrictVisitor {
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
                Ok(Number::from_f64(x).map_or(Value::Null, Value::Number))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::String(s.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(Strict(v)) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Value::Array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Value, A::Error> {
                let mut out = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "the key {key:?} appears twice in one object"
                        )));
                    }
                    let Strict(v) = map.next_value()?;
                    out.insert(key, v);
                }
                Ok(Value::Object(out))
            }
        }
        serde_json::from_str::<Strict>(text)
            .map(|Strict(v)| v)
            .map_err(|e| {
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

    /// serde_json's message for a key named twice, then its JSON pointer, as this parser gives it.
    fn with_pointer(before: Outcome, pointer: &str) -> Outcome {
        before.map_err(|(m, l, c)| (format!("{m}, at {pointer}"), l, c))
    }

    /// The `f64` our parser reads from a number's text, or its error message.
    fn float(text: &str) -> Result<f64, String> {
        match ours(text) {
            Ok(Value::Number(n)) => Ok(n.as_f64().expect("a number")),
            Ok(other) => Err(format!("not a number: {other}")),
            Err((message, ..)) => Err(message),
        }
    }

    /// Checks our reading of `text` against core's (`str::parse`), bit for bit; a number past
    /// `f64::MAX` must be refused.
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

    #[test]
    fn values_and_errors_at_serde_jsons_places() {
        let v =
            ours(r#" {"a": [1, -2, 2.5, "x\ny", {"b": null}], "c": true, "d": false} "#).unwrap();
        assert_eq!(
            v,
            json!({"a": [1, -2, 2.5, "x\ny", {"b": null}], "c": true, "d": false})
        );
        // (text, message, line, column): serde_json's answers, which callers and snapshots saw.
        let cases: &[(&str, &str, usize, usize)] = &[
            ("", EOF_VALUE, 1, 0),
            ("  ", EOF_VALUE, 1, 2),
            ("[1,\n", EOF_VALUE, 2, 0),
            ("{", EOF_OBJECT, 1, 1),
            ("[", EOF_LIST, 1, 1),
            ("[1", EOF_LIST, 1, 2),
            (r#"{"format": "equitas-assessment","#, EOF_VALUE, 1, 32),
            (r#"{"a":1"#, EOF_OBJECT, 1, 6),
            (r#"{"a""#, EOF_OBJECT, 1, 4),
            ("\"abc", EOF_STRING, 1, 4),
            ("-", EOF_VALUE, 1, 1),
            ("[-]", INVALID_NUMBER, 1, 3),
            ("nul", EOF_VALUE, 1, 3),
            ("nulx", EXPECTED_IDENT, 1, 4),
            ("True", EXPECTED_VALUE, 1, 1),
            ("01", INVALID_NUMBER, 1, 2),
            ("-01", INVALID_NUMBER, 1, 3),
            ("1.", EOF_VALUE, 1, 2),
            ("1.x", INVALID_NUMBER, 1, 3),
            ("[1.]", INVALID_NUMBER, 1, 4),
            ("1e", EOF_VALUE, 1, 2),
            ("1e+", EOF_VALUE, 1, 3),
            ("1ex", INVALID_NUMBER, 1, 3),
            ("+1", EXPECTED_VALUE, 1, 1),
            (".5", EXPECTED_VALUE, 1, 1),
            ("NaN", EXPECTED_VALUE, 1, 1),
            ("Infinity", EXPECTED_VALUE, 1, 1),
            ("-Infinity", INVALID_NUMBER, 1, 2),
            ("'a'", EXPECTED_VALUE, 1, 1),
            ("\"a\u{1}\"", CONTROL_CHARACTER, 1, 3),
            ("\"a\tb\"", CONTROL_CHARACTER, 1, 3),
            ("\"\\x\"", INVALID_ESCAPE, 1, 3),
            ("\"\\", EOF_STRING, 1, 2),
            ("\"\\u12\"", EOF_STRING, 1, 6),
            ("\"\\u12G4\"", INVALID_ESCAPE, 1, 7),
            ("\"\\uD800\"", END_OF_HEX_ESCAPE, 1, 8),
            ("\"\\uD800x\"", END_OF_HEX_ESCAPE, 1, 8),
            ("\"\\uD800\\n\"", END_OF_HEX_ESCAPE, 1, 9),
            ("\"\\uD800", EOF_STRING, 1, 7),
            ("\"\\uD800\\u0041\"", LONE_LEADING_SURROGATE, 1, 13),
            ("\"\\uD800\\uD800\"", LONE_LEADING_SURROGATE, 1, 13),
            // serde_json called this one a lone *leading* surrogate too.
            ("\"\\uDC00\"", LONE_TRAILING_SURROGATE, 1, 7),
            ("[1,]", TRAILING_COMMA, 1, 4),
            ("[1,\n  ]", TRAILING_COMMA, 2, 3),
            (r#"{"a":1,}"#, TRAILING_COMMA, 1, 8),
            ("{,}", KEY_NOT_STRING, 1, 2),
            ("{1:2}", KEY_NOT_STRING, 1, 2),
            (r#"{"a":1,2}"#, KEY_NOT_STRING, 1, 8),
            (r#"{"a":1,"#, EOF_VALUE, 1, 7),
            ("{'a':1}", KEY_NOT_STRING, 1, 2),
            (r#"{"a" 1}"#, EXPECTED_COLON, 1, 6),
            ("[1 2]", EXPECTED_LIST_NEXT, 1, 4),
            (r#"{"a":1 "b"}"#, EXPECTED_OBJECT_NEXT, 1, 8),
            ("1 2", TRAILING_CHARACTERS, 1, 3),
            ("{} x", TRAILING_CHARACTERS, 1, 4),
            ("[1]/*c*/", TRAILING_CHARACTERS, 1, 4),
            ("[1] // c", TRAILING_CHARACTERS, 1, 5),
            ("/* c */ 1", EXPECTED_VALUE, 1, 1),
            ("\t\r\n x", EXPECTED_VALUE, 2, 2),
            ("[\n1,\n\u{a0}]", EXPECTED_VALUE, 3, 1),
            ("[\"é\", x]", EXPECTED_VALUE, 1, 8),
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
            if message != LONE_TRAILING_SURROGATE {
                assert_eq!(ours(text), before(text), "{text:?}");
            }
        }
    }

    #[test]
    fn a_key_named_twice_is_refused_at_its_closing_quote_with_its_pointer() {
        let text = r#"{"id": "a", "x": {"id": 1, "id": 2}}"#;
        let expected = Err((
            r#"the key "id" appears twice in one object, at /x/id"#.to_owned(),
            1,
            31,
        ));
        assert_eq!(ours(text), expected);
        assert_eq!(with_pointer(before(text), "/x/id"), expected);
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
        // At the closing quote (serde_json's visitor was after the spaces that follow it).
        assert_eq!((e.1, e.2), (1, 37));
        assert_eq!(ours(r#"{"a" : 1, "a"  : 2}"#).unwrap_err().2, 13);
        assert_eq!(ours(r#"{"a":1,"a""#).unwrap_err().2, 10);
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
                before(after_first),
                Err((EXPECTED_VALUE.to_owned(), line, column)),
                "{text:?}"
            );
        }
        // Inside a string it is a character like any other.
        assert_eq!(ours("\"\u{FEFF}\""), Ok(json!("\u{FEFF}")));
        // Other text that cannot start a value keeps serde_json's message.
        assert_eq!(ours("[\u{FEFE}]").unwrap_err().0, EXPECTED_VALUE);
    }

    #[test]
    fn nesting_stops_where_serde_json_stops() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let ok = format!("{}0{}", open.repeat(MAX_DEPTH), close.repeat(MAX_DEPTH));
            assert!(ours(&ok).is_ok());
            assert_eq!(ours(&ok), before(&ok));
            let deep = format!(
                "{}0{}",
                open.repeat(MAX_DEPTH + 1),
                close.repeat(MAX_DEPTH + 1)
            );
            let column = open.len() * MAX_DEPTH + 1;
            assert_eq!(ours(&deep), Err((TOO_DEEP.to_owned(), 1, column)));
            assert_eq!(ours(&deep), before(&deep));
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

    #[test]
    fn strings_unescape_and_keep_unicode() {
        let v = ours(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4E2D\ud83d\ude00\u0000 é中😀""#).unwrap();
        assert_eq!(v, json!("\"\\/\u{8}\u{c}\n\r\tAé中😀\0 é中😀"));
        let v = ours("{\"😀\": \"\u{7f}\u{10ffff}\\uDBFF\\uDFFF\"}").unwrap();
        assert_eq!(v, json!({"😀": "\u{7f}\u{10ffff}\u{10ffff}"}));
        assert_eq!(ours(r#""""#), Ok(json!("")));
    }

    #[test]
    fn integers_stay_integers_as_serde_json_keeps_them() {
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
            assert_eq!(v, before(text).unwrap(), "{text}");
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
        assert_eq!(ours("-0"), before("-0"));
        assert_eq!(ours("0"), Ok(json!(0)));
        assert_eq!(float("0.0").map(f64::to_bits), Ok(0));
        assert_eq!(float("0e99999999999").map(f64::to_bits), Ok(0));
    }

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
        let long = format!("0.{}1e-300", "0".repeat(5_000));
        same_as_core(&long).unwrap();
        let long = format!("1{}e-5000", "0".repeat(5_000));
        same_as_core(&long).unwrap();
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
        "\u{c}",
    ];

    proptest! {
        #[test]
        fn any_value_reads_back_as_written(v in arb_value()) {
            for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()] {
                let got = ours(&text);
                prop_assert_eq!(got.as_ref().map(bits), Ok(bits(&v)), "{}", text);
                prop_assert_eq!(got.map(|v| bits(&v)), before(&text).map(|v| bits(&v)));
            }
        }

        #[test]
        fn near_json_gets_serde_jsons_answer(text in arb_near_json()) {
            let got = ours(&text);
            match (got.as_ref(), before(&text)) {
                (Ok(a), Ok(b)) => prop_assert_eq!(bits(a), bits(&b)),
                // The same message, then the key's pointer; at the key's closing quote, where
                // serde_json's visitor is after the spaces that follow the key.
                (Err((m, l, c)), Err((n, k, d))) if m.contains("appears twice") => {
                    prop_assert!(m.starts_with(&format!("{n}, at /")), "{} / {}", m, n);
                    prop_assert!((l, c) <= (&k, &d), "{}:{} / {}:{}", l, c, k, d);
                }
                // serde_json stopped at the digit that took an exponent past i32::MAX; this
                // parser reads the whole number first.
                (Err((m, ..)), Err((n, ..))) if m == OUT_OF_RANGE => prop_assert_eq!(m, &n),
                (Err((m, l, c)), Err((n, k, d))) if m == LONE_TRAILING_SURROGATE => {
                    prop_assert_eq!((LONE_LEADING_SURROGATE, *l, *c), (n.as_str(), k, d));
                }
                (_, reference) => prop_assert_eq!(got, reference),
            }
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
        fn numbers_at_the_edges_read_as_core_reads_them(
            int in prop::collection::vec(0_u8..10, 1..=20),
            exponent in prop_oneof![-345_i32..-290, 290_i32..320],
        ) {
            same_as_core(&number_text(false, &int, &[], Some((false, exponent))))?;
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
            // Past the digits kept, only the flag that nonzero ones were dropped tells.
            let mut far_above = digits.clone();
            far_above.resize(900, 0);
            far_above.push(1);
            let extra = u32::try_from(far_above.len() - digits.len()).unwrap();
            same_as_core(&written(&far_above, scale + extra))?;
            let keep = digits.len().saturating_sub(cut).max(1);
            let dropped = u32::try_from(digits.len() - keep).unwrap();
            let below = &digits[..keep];
            if scale >= dropped {
                same_as_core(&written(below, scale - dropped))?;
            }
            // The float itself, in the shortest digits that read back to it.
            same_as_core(&serde_json::to_string(&f64::from_bits(bits)).unwrap())?;
        }
    }
}
