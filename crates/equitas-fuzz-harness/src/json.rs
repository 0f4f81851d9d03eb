//! JSON text: equitas's own parser (`equitas_core::read::parse`, from equitas-json) against
//! serde_json's.

use equitas_core::read::{self, ReadErrorKind};
use serde_json::{Map, Number, Value};

/// A parse: the value, or the message, line and column of the error.
type Outcome = Result<Value, (String, usize, usize)>;

/// The JSON parser every equitas file goes through (instruments, saved assessments, cohort
/// definitions, person records, the wasm API's values).
///
/// Checks, on any text:
/// - it never panics, and fails only with a syntax error (line, column, message);
/// - it agrees with serde_json (with `float_roundtrip`, as the workspace has it: the same
///   `Value`, floats bit for bit, and the same messages at the same places) except where
///   `equitas_json::parse`'s docs say it differs: a key named twice is refused (serde_json keeps
///   the last) at its closing quote and with its JSON pointer, a byte order mark is skipped at
///   the start and named elsewhere, and two messages sit elsewhere or read otherwise;
/// - a value read, written by serde_json (compact and pretty) and read again, is the same value,
///   floats bit for bit.
pub fn json(data: &[u8]) {
    let Some(text) = crate::text(data) else {
        return;
    };
    let ours = ours(text);
    // A byte order mark at the very start is skipped by ours (issue 12: editors write one) and
    // refused by serde_json; compare what follows it, where ours counts columns from.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Err((m, line, column)) = &ours
        && m == "number out of range"
        && let Some(x) = number_at(body, *line, *column)
    {
        assert!(x.is_infinite(), "ours refuses {x:e} as out of range");
    }
    match (&ours, reference(body)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, &b, "values differ");
            same_floats(a, &b);
        }
        // A key named twice: the same message, then the key's JSON pointer (which leads to the
        // value serde_json's own `Value` keeps), at the key's closing quote in ours (the
        // reference is after any spaces that follow it).
        (Err((m, l, c)), Err((n, k, d))) if m.contains("appears twice") => {
            let pointer = m
                .strip_prefix(n.as_str())
                .and_then(|rest| rest.strip_prefix(", at "))
                .unwrap_or_else(|| panic!("{m}: not {n}, then a pointer"));
            if let Ok(last) = serde_json::from_str::<Value>(body) {
                assert!(last.pointer(pointer).is_some(), "{m}: no value there");
            }
            assert!(
                (*l, *c) <= (k, d),
                "{m} at {l}:{c}, the reference at {k}:{d}"
            );
        }
        // serde_json stops at the exponent digit that overflows; ours reads the number first.
        (Err((m, ..)), Err((n, ..))) if m == "number out of range" => assert_eq!(m, &n),
        (Err((m, l, c)), Err((n, k, d))) if m == "lone trailing surrogate in hex escape" => {
            assert_eq!(
                ("lone leading surrogate in hex escape", *l, *c),
                (n.as_str(), k, d)
            );
        }
        // A byte order mark after the start: ours names it (issue 12), at the same place.
        (Err((m, l, c)), Err((n, k, d))) if m.contains("found a byte order mark") => {
            assert_eq!(("expected value", *l, *c), (n.as_str(), k, d));
        }
        (Err(e), Err(r)) => assert_eq!(e, &r, "errors differ"),
        (Ok(_), Err(r)) => panic!("only serde_json fails: {r:?}"),
        (Err(e), Ok(_)) => panic!("only ours fails: {e:?}"),
    }
    check_round_trip(ours);
}

/// A value read, written by serde_json (compact and pretty) and read again, is the same value.
fn check_round_trip(ours: Outcome) {
    if let Ok(v) = ours {
        for written in [
            serde_json::to_string(&v).expect("a Value always serialises"),
            serde_json::to_string_pretty(&v).expect("a Value always serialises"),
        ] {
            let back = read::parse(&written).expect("written JSON reads back");
            assert_eq!(back, v, "changed on a round trip through {written}");
            same_floats(&back, &v);
        }
    }
}

/// The number whose text ends at `line` and `column` (serde_json's place for an error in a
/// number: its last byte read), as Rust's correctly rounded reader reads it.
fn number_at(text: &str, line: usize, column: usize) -> Option<f64> {
    let start_of_line = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let bytes = text.as_bytes();
    let at = (start_of_line + column).checked_sub(1)?;
    let in_number = |b: u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-');
    if !in_number(*bytes.get(at)?) {
        return None;
    }
    let start = bytes[..at]
        .iter()
        .rposition(|&b| !in_number(b))
        .map_or(0, |i| i + 1);
    let end = bytes[at..]
        .iter()
        .position(|&b| !in_number(b))
        .map_or(bytes.len(), |i| at + i);
    text.get(start..end)?.parse().ok()
}

fn ours(text: &str) -> Outcome {
    read::parse(text).map_err(|e| match e.kind().clone() {
        ReadErrorKind::Json {
            line,
            column,
            message,
        } => (message, line, column),
        other => panic!("the parser gave a non-syntax error: {other}"),
    })
}

/// serde_json's reading of `text`, through a visitor that refuses a key named twice (the
/// reference `equitas_json::parse`'s own tests use).
fn reference(text: &str) -> Outcome {
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
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Strict(v)) = seq.next_element()? {
                items.push(v);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
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

/// The floats of `a` and `b` (equal as values) are the same bits (`Value`'s `==` takes −0
/// for 0).
fn same_floats(a: &Value, b: &Value) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().expect("a float"), y.as_f64().expect("a float"));
            assert_eq!(x.to_bits(), y.to_bits(), "floats differ: {x:e} vs {y:e}");
        }
        (Value::Array(p), Value::Array(q)) => {
            for (x, y) in p.iter().zip(q) {
                same_floats(x, y);
            }
        }
        (Value::Object(p), Value::Object(q)) => {
            for ((_, x), (_, y)) in p.iter().zip(q) {
                same_floats(x, y);
            }
        }
        _ => {}
    }
}
