//! JSON text: equitas's strict parse (`equitas_core::read::parse`, from equitas-json: serde_json's
//! parser through a visitor of its own) against serde_json's own `Value`.

use equitas_core::read::{self, ReadErrorKind};
use serde_json::Value;

/// A parse: the value, or the message, line and column of the error.
type Outcome = Result<Value, (String, usize, usize)>;

/// The JSON parser every equitas file goes through (instruments, saved assessments, cohort
/// definitions, person records, JSON text crossing into the wasm API).
///
/// Checks, on any text:
/// - it never panics, and fails only with a syntax error (line, column, message);
/// - it agrees with `serde_json::from_str::<Value>` (with `float_roundtrip`, as the workspace
///   has it: the same `Value`, floats bit for bit, and the same messages at the same places)
///   except where `equitas_json::parse` refuses more: a key named twice (serde_json keeps the
///   last) is refused with its JSON pointer, which leads to the value serde_json keeps, at the
///   key's closing quote; a byte order mark is skipped at the start and named elsewhere, at the
///   place serde_json says "expected value". Nesting stops where serde_json's does;
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
    match (&ours, reference(body)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, &b, "values differ");
            same_floats(a, &b);
        }
        // A key named twice: the key's JSON pointer leads to the value serde_json keeps; when
        // serde_json fails later on, ours stopped first.
        (Err((m, l, c)), reference) if m.contains(" appears twice in one object, at ") => {
            let pointer = m
                .split_once(" appears twice in one object, at ")
                .map_or_else(|| panic!("{m}: no pointer"), |(_, p)| p);
            match reference {
                Ok(kept) => assert!(kept.pointer(pointer).is_some(), "{m}: no value there"),
                Err((n, k, d)) => assert!(
                    (*l, *c) <= (k, d),
                    "{m} at {l}:{c}, after serde_json's {n} at {k}:{d}"
                ),
            }
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

/// serde_json's own reading of `text` into its `Value`.
fn reference(text: &str) -> Outcome {
    serde_json::from_str::<Value>(text).map_err(|e| {
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
