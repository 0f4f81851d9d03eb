//! The derive, shape by shape: what it reads, the errors it gives, and (on random JSON) that it
//! accepts what serde's own derive accepts, with the same result, for the same attributes.

use equitas_json::{FromJson, Place, ReadError, from_str};
use equitas_lean::SortedMap;
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

fn read<T: FromJson>(v: &Value) -> Result<T, String> {
    T::from_json(v, "").map_err(|e| e.to_string())
}

const fn seven() -> u32 {
    7
}

/// Every way a field can be read: required, renamed, `Option`, `default`, `default = "…"`.
#[derive(Debug, Clone, PartialEq, Deserialize, FromJson)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[json(expected = "a record: an object")]
struct Record {
    first_name: String,
    #[serde(rename = "AGE")]
    age: u8,
    note: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default = "seven")]
    level: u32,
    #[serde(default)]
    flag: bool,
    kind: Kind,
}

/// An internally tagged enum of unit and struct variants.
#[derive(Debug, Clone, PartialEq, Deserialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[json(expected = "a kind: an object with a type")]
enum Kind {
    Plain,
    WithRange {
        min: f64,
        #[serde(default)]
        max: Option<f64>,
    },
}

/// An externally tagged enum of newtype and struct variants.
#[derive(Debug, Clone, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[json(expected = "a rule: an object with one field")]
enum Rule {
    Flag(String),
    AnyOf(Vec<Rule>),
    Not(Box<Rule>),
    Between { low: u8, high: u8 },
}

/// An enum of names, one renamed.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    HeatV6,
    #[serde(rename = "plain")]
    Corrected,
}

/// A text newtype that keys maps.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, FromJson)]
#[serde(transparent)]
#[json(map_key = "an object keyed by id")]
struct Id(String);

/// A number from 1 to 10, by `try_from`, with one message for anything else.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, FromJson)]
#[serde(try_from = "u8")]
#[json(expected = "a decile, 1 to 10")]
struct Decile(u8);

impl TryFrom<u8> for Decile {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        if (1..=10).contains(&n) {
            Ok(Self(n))
        } else {
            Err(format!("{n} is not a decile"))
        }
    }
}

/// Text that must parse, by `try_from`: text that does not is "not allowed".
#[derive(Debug, Clone, PartialEq, Deserialize, FromJson)]
#[serde(try_from = "String")]
#[json(allowed = "a code of two capital letters")]
struct Code(String);

impl TryFrom<String> for Code {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(s))
        } else {
            Err(s)
        }
    }
}

/// A container default, and a check after reading.
#[derive(Debug, Clone, PartialEq, Deserialize, FromJson)]
#[serde(default, deny_unknown_fields)]
#[json(expected = "settings: an object", check = "in_range")]
struct Settings {
    level: f64,
    seed: u64,
    name: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            level: 0.95,
            seed: 123_456,
            name: Some("default".into()),
        }
    }
}

fn in_range(s: &Settings, v: &Value, at: &Place<'_>) -> Result<(), ReadError> {
    if s.level > 0.0 && s.level < 1.0 {
        Ok(())
    } else {
        Err(equitas_json::wrong_at(
            &Place::Key(at, "level"),
            "a level between 0 and 1",
            v.get("level").unwrap_or(&Value::Null),
        ))
    }
}

#[test]
fn structs_read_every_kind_of_field() {
    let r: Record = read(&json!({
        "firstName": "Ann", "AGE": 40, "kind": {"type": "plain"}
    }))
    .unwrap();
    assert_eq!(
        r,
        Record {
            first_name: "Ann".into(),
            age: 40,
            note: None,
            tags: vec![],
            level: 7,
            flag: false,
            kind: Kind::Plain,
        }
    );
    let r: Record = read(&json!({
        "firstName": "Ann", "AGE": 40, "note": null, "tags": ["a"], "level": 2, "flag": true,
        "kind": {"type": "with_range", "min": 1.5}
    }))
    .unwrap();
    assert_eq!(
        (r.note, r.tags, r.level, r.flag),
        (None, vec!["a".into()], 2, true)
    );
    assert_eq!(
        r.kind,
        Kind::WithRange {
            min: 1.5,
            max: None
        }
    );

    let base = json!({"firstName": "Ann", "AGE": 40, "kind": {"type": "plain"}});
    let with = |key: &str, value: Value| {
        let mut v = base.clone();
        v[key] = value;
        read::<Record>(&v).unwrap_err()
    };
    assert_eq!(
        with("first_name", json!("x")),
        "at /first_name: unknown field; expected one of firstName, AGE, note, tags, level, flag, kind"
    );
    assert_eq!(
        with("flag", Value::Null),
        "at /flag: expected true or false, found null"
    );
    assert_eq!(
        with("AGE", json!(300)),
        "at /AGE: expected a whole number from 0 to 255, found the number 300"
    );
    assert_eq!(
        read::<Record>(&json!({"AGE": 1})).unwrap_err(),
        "at /firstName: missing"
    );
    assert_eq!(
        read::<Record>(&json!([])).unwrap_err(),
        "at /: expected a record: an object, found a list"
    );
}

#[test]
fn tagged_enums_name_the_tag_and_the_variants_fields() {
    let e = |v: Value| read::<Kind>(&v).unwrap_err();
    assert_eq!(
        e(json!({"type": "round"})),
        "at /type: \"round\" is not allowed; expected plain or with_range"
    );
    assert_eq!(
        e(json!({"type": "plain", "min": 1})),
        "at /min: unknown field; expected one of type"
    );
    assert_eq!(e(json!({"type": "with_range"})), "at /min: missing");
    assert_eq!(
        e(json!("plain")),
        "at /: expected a kind: an object with a type, found the text \"plain\""
    );
}

#[test]
fn externally_tagged_enums_read_one_field_objects() {
    let r: Rule =
        read(&json!({"any_of": [{"flag": "x"}, {"not": {"between": {"low": 1, "high": 2}}}]}))
            .unwrap();
    assert_eq!(
        r,
        Rule::AnyOf(vec![
            Rule::Flag("x".into()),
            Rule::Not(Box::new(Rule::Between { low: 1, high: 2 }))
        ])
    );
    let e = |v: Value| read::<Rule>(&v).unwrap_err();
    assert_eq!(
        e(json!({"all_of": []})),
        "at /all_of: unknown field; expected one of flag, any_of, not, between"
    );
    assert_eq!(
        e(json!({"flag": "x", "not": {}})),
        "at /: expected a rule: an object with one field, found an object with 2 fields"
    );
    assert_eq!(
        e(json!({"any_of": [{"between": {"low": 1}}]})),
        "at /any_of/0/between/high: missing"
    );
    assert_eq!(
        e(json!({"between": []})),
        "at /between: expected an object, found a list"
    );
}

/// Unit variants beside the others read from their names (cohort definitions' rules).
#[test]
fn unit_variants_of_an_externally_tagged_enum_are_names() {
    #[derive(Debug, PartialEq, FromJson)]
    #[serde(rename_all = "snake_case", deny_unknown_fields)]
    #[json(expected = "a rule: \"cyp\" or an object with one field")]
    enum Group {
        Cyp,
        Age(u8),
    }
    assert_eq!(read::<Group>(&json!("cyp")), Ok(Group::Cyp));
    assert_eq!(read::<Group>(&json!({"age": 3})), Ok(Group::Age(3)));
    assert_eq!(
        read::<Group>(&json!("age")).unwrap_err(),
        "at : \"age\" is not allowed; expected cyp"
    );
    assert_eq!(
        read::<Group>(&json!({"cyp": null})).unwrap_err(),
        "at /cyp: unknown field; expected one of age"
    );
    assert_eq!(
        read::<Group>(&json!(4)).unwrap_err(),
        "at /: expected a rule: \"cyp\" or an object with one field, found the number 4"
    );
}

#[test]
fn names_newtypes_and_conversions() {
    assert_eq!(read::<Mode>(&json!("heat-v6")), Ok(Mode::HeatV6));
    assert_eq!(read::<Mode>(&json!("plain")), Ok(Mode::Corrected));
    assert_eq!(
        Mode::from_json(&json!("corrected"), "/compat")
            .unwrap_err()
            .to_string(),
        "at /compat: \"corrected\" is not allowed; expected heat-v6 or plain"
    );
    assert_eq!(
        read::<Mode>(&json!(1)).unwrap_err(),
        "at /: expected heat-v6 or plain, found the number 1"
    );

    let m: SortedMap<Id, u8> = read(&json!({"b": 2, "a": 1})).unwrap();
    assert_eq!(
        m.keys().cloned().collect::<Vec<_>>(),
        [Id("a".into()), Id("b".into())]
    );
    assert_eq!(
        read::<SortedMap<Id, u8>>(&json!([])).unwrap_err(),
        "at /: expected an object keyed by id, found a list"
    );

    assert_eq!(read::<Decile>(&json!(10)), Ok(Decile(10)));
    for bad in [json!(0), json!(11), json!(300), json!("3"), json!(2.5)] {
        assert_eq!(
            Decile::from_json(&bad, "/d").unwrap_err().to_string(),
            format!(
                "at /d: expected a decile, 1 to 10, found {}",
                equitas_json::describe(&bad)
            )
        );
    }

    assert_eq!(read::<Code>(&json!("AB")), Ok(Code("AB".into())));
    assert_eq!(
        Code::from_json(&json!("abc"), "/c")
            .unwrap_err()
            .to_string(),
        "at /c: \"abc\" is not allowed; expected a code of two capital letters"
    );
    // Not text at all: what reading the text says.
    assert_eq!(
        Code::from_json(&json!(12), "/c").unwrap_err().to_string(),
        "at /c: expected text, found the number 12"
    );
}

#[test]
fn container_defaults_and_checks() {
    let s: Settings = from_str("{}").unwrap();
    assert_eq!(s, Settings::default());
    let s: Settings = from_str(r#"{"seed": 1, "name": null}"#).unwrap();
    assert_eq!((s.level, s.seed, s.name), (0.95, 1, None));
    assert_eq!(
        from_str::<Settings>(r#"{"level": 1.5}"#)
            .unwrap_err()
            .to_string(),
        "at /level: expected a level between 0 and 1, found the number 1.5"
    );
    assert_eq!(
        from_str::<Settings>(r#"{"level": null}"#)
            .unwrap_err()
            .to_string(),
        "at /level: expected a number, found null"
    );
}

/// JSON near the shape of `Record` (known and unknown keys, values of every type), to compare
/// the derive with serde's.
fn arb_near_record() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (0_u64..300).prop_map(Value::from),
        (-2.0..2.0_f64).prop_map(Value::from),
        prop::sample::select(vec!["plain", "with_range", "x", "", "heat-v6"]).prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec!["type", "min", "max", "flag", "any_of", "low", "high"])
                    .prop_map(str::to_owned),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let keys = prop::sample::select(vec![
        "firstName",
        "AGE",
        "note",
        "tags",
        "level",
        "flag",
        "kind",
        "first_name",
        "age",
    ]);
    prop::collection::btree_map(keys.prop_map(str::to_owned), value, 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// A valid `Record` with a few fields set to other values or taken out: mostly near the line
/// between accepted and refused.
fn arb_record_edit() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "firstName",
        "AGE",
        "note",
        "tags",
        "level",
        "flag",
        "kind",
        "first_name",
    ]);
    let value = prop_oneof![
        Just(Value::Null),
        Just(json!("Bo")),
        Just(json!(["t"])),
        Just(json!([1])),
        (0_u64..300).prop_map(Value::from),
        Just(json!(1.5)),
        any::<bool>().prop_map(Value::from),
        Just(json!({"type": "with_range", "min": 2})),
        Just(json!({"type": "with_range", "min": 2, "max": null})),
        Just(json!({"type": "with_range", "min": 2, "extra": 1})),
        Just(json!({"type": "plain"})),
        Just(json!({})),
    ];
    let edit = (keys, prop::option::of(value));
    prop::collection::vec(edit, 0..4).prop_map(|edits| {
        let mut v = json!({"firstName": "Ann", "AGE": 40, "kind": {"type": "plain"}});
        for (key, value) in edits {
            match (v.as_object_mut(), value) {
                (Some(m), Some(x)) => {
                    m.insert(key.to_owned(), x);
                }
                (Some(m), None) => {
                    m.remove(key);
                }
                (None, _) => {}
            }
        }
        v
    })
}

/// Whether `v` is `Kind::Plain`'s object with fields other than its tag.
fn unit_with_fields(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.get("type") == Some(&json!("plain")) && o.len() > 1)
}

proptest! {
    #[test]
    fn edited_records_read_as_serde_reads_them(v in arb_record_edit()) {
        let ours = Record::from_json(&v, "").ok();
        let serdes = serde_json::from_value::<Record>(v.clone()).ok();
        prop_assert_eq!(ours, serdes, "{}", v);
    }

    /// The derive and serde's derive read the same attributes the same way: either both accept
    /// a value, with the same result, or both refuse it.
    #[test]
    fn reads_what_serde_reads(v in arb_near_record()) {
        let ours = Record::from_json(&v, "").ok();
        if v.get("kind").is_some_and(|k| k.is_array() || unit_with_fields(k)) {
            // serde also reads an internally tagged enum from a list whose first element is the
            // tag and the rest the fields in order, and a unit variant with other fields; the
            // derive does neither (see `enums_read_what_serde_reads`), so such a record must be
            // refused.
            prop_assert_eq!(ours, None, "{}", v);
        } else {
            let serdes = serde_json::from_value::<Record>(v.clone()).ok();
            prop_assert_eq!(ours, serdes, "{}", v);
        }
    }

    #[test]
    fn enums_read_what_serde_reads(v in arb_near_record()) {
        for v in [v.clone(), v.get("kind").cloned().unwrap_or_default()] {
            if v.is_array() || unit_with_fields(&v) {
                // serde reads a tagged enum from a list too (the tag, then the fields in
                // order), and a unit variant's object with any other fields, even with
                // `deny_unknown_fields`; the derive does neither (files name their fields, and
                // a field the variant does not have is refused).
                prop_assert_eq!(Kind::from_json(&v, "").ok(), None);
            } else {
                prop_assert_eq!(Kind::from_json(&v, "").ok(), serde_json::from_value::<Kind>(v.clone()).ok());
            }
            prop_assert_eq!(Rule::from_json(&v, "").ok(), serde_json::from_value::<Rule>(v.clone()).ok());
            prop_assert_eq!(Mode::from_json(&v, "").ok(), serde_json::from_value::<Mode>(v.clone()).ok());
            prop_assert_eq!(Decile::from_json(&v, "").ok(), serde_json::from_value::<Decile>(v.clone()).ok());
            // serde also reads a struct from a list of its fields in order; the derive does
            // not (files name their fields), so only objects compare.
            if v.is_object() {
                prop_assert_eq!(
                    Settings::from_json(&v, "").ok(),
                    serde_json::from_value::<Settings>(v.clone()).ok().filter(|s| in_range(s, &v, &Place::Pointer("")).is_ok())
                );
            }
        }
    }
}
