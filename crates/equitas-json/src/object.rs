//! The helpers derived readers are made of: objects with known fields, tagged objects,
//! single-field objects, lists and names.

use serde_json::{Map, Value};

use crate::{FromJson, Place, ReadError, ReadErrorKind, bad_value_at, one_of, wrong_at};

/// An object whose fields have been checked against the ones its type has.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    at: &'a Place<'a>,
}

impl<'a> Obj<'a> {
    /// `v` as an object with no field outside `fields`; `expected` describes it for errors.
    ///
    /// # Errors
    /// `v` is not an object, or has a field not in `fields` (the first, in key order).
    pub fn new(
        v: &'a Value,
        at: &'a Place<'a>,
        expected: &str,
        fields: &[&str],
    ) -> Result<Self, ReadError> {
        let map = v.as_object().ok_or_else(|| wrong_at(at, expected, v))?;
        if let Some(k) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            return Err(unknown_field(&Place::Key(at, k), fields));
        }
        Ok(Self { map, at })
    }

    /// An object tagged by its `tag` field (`{"type": "text", …}`): which of `variants` it is
    /// (its index), and the object checked against that variant's fields (and the tag).
    ///
    /// # Errors
    /// `v` is not an object, its tag is missing, not text or not a variant's, or it has a field
    /// its variant does not.
    pub fn tagged(
        v: &'a Value,
        at: &'a Place<'a>,
        expected: &str,
        tag: &str,
        variants: &[(&str, &[&str])],
    ) -> Result<(usize, Self), ReadError> {
        let map = v.as_object().ok_or_else(|| wrong_at(at, expected, v))?;
        let tag_at = Place::Key(at, tag);
        let name = match map.get(tag) {
            None => return Err(missing(&tag_at)),
            Some(Value::String(s)) => s,
            Some(other) => return Err(wrong_at(&tag_at, "text", other)),
        };
        let Some(index) = variants.iter().position(|(n, _)| n == name) else {
            let names: Vec<&str> = variants.iter().map(|(n, _)| *n).collect();
            return Err(bad_value_at(&tag_at, name, &one_of(&names)));
        };
        let mut allowed = vec![tag];
        allowed.extend_from_slice(variants.get(index).map_or(&[][..], |(_, f)| f));
        Ok((index, Self::new(v, at, expected, &allowed)?))
    }

    /// Whether the object has the field (`null` or not).
    #[must_use]
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// A field that must be there.
    ///
    /// # Errors
    /// The field is missing, or not a `T`.
    pub fn req<T: FromJson>(&self, key: &str) -> Result<T, ReadError> {
        let at = Place::Key(self.at, key);
        match self.map.get(key) {
            None => Err(missing(&at)),
            Some(v) => T::read_at(v, &at),
        }
    }

    /// A field that may be absent or `null`.
    ///
    /// # Errors
    /// The field is there and not `null`, but not a `T`.
    pub fn opt<T: FromJson>(&self, key: &str) -> Result<Option<T>, ReadError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::read_at(v, &Place::Key(self.at, key)).map(Some),
        }
    }

    /// A field that takes `default` when absent (`null` is read as a value, and refused unless
    /// the type takes it).
    ///
    /// # Errors
    /// The field is there but not a `T`.
    pub fn or<T: FromJson>(&self, key: &str, default: T) -> Result<T, ReadError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(v) => T::read_at(v, &Place::Key(self.at, key)),
        }
    }

    /// A field that takes its default when absent (`null` is read as a value, and refused unless
    /// the type takes it).
    ///
    /// # Errors
    /// The field is there but not a `T`.
    pub fn or_default<T: FromJson + Default>(&self, key: &str) -> Result<T, ReadError> {
        match self.map.get(key) {
            None => Ok(T::default()),
            Some(v) => T::read_at(v, &Place::Key(self.at, key)),
        }
    }
}

/// A required field that is missing.
#[cold]
fn missing(at: &Place<'_>) -> ReadError {
    ReadError::from(ReadErrorKind::Missing { path: at.pointer() })
}

/// A field the object may not have.
#[cold]
fn unknown_field(at: &Place<'_>, allowed: &[&str]) -> ReadError {
    ReadError::from(ReadErrorKind::UnknownField {
        path: at.pointer(),
        allowed: allowed.join(", "),
    })
}

/// An object with exactly one field, named after one of `variants` (`{"all_of": […]}`): the
/// name's index in `variants`, and the field's key and value.
///
/// # Errors
/// `v` is not an object of one field, or the field is not one of `variants`.
pub fn one_field<'a>(
    v: &'a Value,
    at: &Place<'_>,
    expected: &str,
    variants: &[&str],
) -> Result<(usize, &'a str, &'a Value), ReadError> {
    let map = v.as_object().ok_or_else(|| wrong_at(at, expected, v))?;
    let mut fields = map.iter();
    let (Some((key, value)), None) = (fields.next(), fields.next()) else {
        let found = format!("an object with {} fields", map.len());
        return Err(crate::wrong_type_at(at, expected, found));
    };
    let Some(index) = variants.iter().position(|n| *n == key.as_str()) else {
        return Err(unknown_field(&Place::Key(at, key), variants));
    };
    Ok((index, key, value))
}

/// A value written as one of `names` (an enum of unit variants): the name's index.
/// `expected` says what the value must be when it is not text, `allowed` what the text may be;
/// each is "a, b or c" of the names when not given.
///
/// # Errors
/// `v` is not text, or not one of `names`.
pub fn unit_variant(
    v: &Value,
    at: &Place<'_>,
    expected: Option<&str>,
    allowed: Option<&str>,
    names: &[&str],
) -> Result<usize, ReadError> {
    let Some(s) = v.as_str() else {
        return Err(match expected {
            Some(expected) => wrong_at(at, expected, v),
            None => wrong_at(at, &one_of(names), v),
        });
    };
    names
        .iter()
        .position(|n| *n == s)
        .ok_or_else(|| match allowed {
            Some(allowed) => bad_value_at(at, s, allowed),
            None => bad_value_at(at, s, &one_of(names)),
        })
}

/// The elements of a list, each read at its index.
///
/// # Errors
/// `v` is not a list (described as `expected`), or `item` fails on an element.
pub fn list<T>(
    v: &Value,
    at: &Place<'_>,
    expected: &str,
    mut item: impl FnMut(&Value, &Place<'_>) -> Result<T, ReadError>,
) -> Result<Vec<T>, ReadError> {
    let items = v.as_array().ok_or_else(|| wrong_at(at, expected, v))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        out.push(item(x, &Place::Index(at, i))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const K: Place<'static> = Place::Pointer("/k");
    const C: Place<'static> = Place::Pointer("/c");
    const P: Place<'static> = Place::Pointer("/p");

    #[test]
    fn objects_refuse_unknown_fields_and_name_missing_ones() {
        let v = json!({"id": "x", "extra": 1});
        let e = Obj::new(&v, &Place::Pointer("/q"), "a question", &["id"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /q/extra: unknown field; expected one of id"
        );
        let v = json!({"id": "x"});
        let o = Obj::new(&v, &Place::Pointer(""), "a question", &["id", "label"]).unwrap();
        let e = o.req::<String>("label").unwrap_err();
        assert_eq!(e.to_string(), "at /label: missing");
        assert_eq!(o.opt::<String>("label").unwrap(), None);
        assert!(!o.or_default::<bool>("label").unwrap());
        assert!(o.or("label", true).unwrap());
        let e = Obj::new(&json!([1]), &Place::Pointer(""), "a question", &["id"]).unwrap_err();
        assert_eq!(e.to_string(), "at /: expected a question, found a list");
    }

    #[test]
    fn null_is_absent_only_for_optional_fields() {
        let v = json!({"help": null, "required": null});
        let o = Obj::new(
            &v,
            &Place::Pointer("/q"),
            "a question",
            &["help", "required"],
        )
        .unwrap();
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
        let (index, o) = Obj::tagged(&v, &K, "a kind", "type", variants).unwrap();
        assert_eq!(index, 0);
        assert!(o.req::<bool>("multiline").unwrap());
        let v = json!({"type": "date", "multiline": true});
        let e = Obj::tagged(&v, &K, "a kind", "type", variants).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /k/multiline: unknown field; expected one of type"
        );
        let v = json!({"type": "slider"});
        let e = Obj::tagged(&v, &K, "a kind", "type", variants).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /k/type: \"slider\" is not allowed; expected text or date"
        );
        let e = Obj::tagged(&json!({"type": 1}), &K, "a kind", "type", variants).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /k/type: expected text, found the number 1"
        );
        let e = Obj::tagged(&json!({}), &K, "a kind", "type", variants).unwrap_err();
        assert_eq!(e.to_string(), "at /k/type: missing");
    }

    #[test]
    fn single_field_objects_name_their_variant() {
        let v = json!({"not": {"answered": "q"}});
        let (index, key, inner) = one_field(&v, &C, "a condition", &["answered", "not"]).unwrap();
        assert_eq!((index, key), (1, "not"));
        assert_eq!(inner, &json!({"answered": "q"}));
        let e = one_field(&json!({"a": 1, "b": 2}), &C, "a condition", &["a"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /c: expected a condition, found an object with 2 fields"
        );
        let e = one_field(&json!({"maybe": 1}), &C, "a condition", &["a", "b"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /c/maybe: unknown field; expected one of a, b"
        );
    }

    #[test]
    fn unit_variants_are_named_text() {
        let names = &["adult", "cyp"];
        assert_eq!(unit_variant(&json!("cyp"), &P, None, None, names), Ok(1));
        let e = unit_variant(&json!("old"), &P, None, None, names).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /p: \"old\" is not allowed; expected adult or cyp"
        );
        let e = unit_variant(&json!(1), &P, None, None, names).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /p: expected adult or cyp, found the number 1"
        );
        let e = unit_variant(&json!(1), &P, Some("text"), None, names).unwrap_err();
        assert_eq!(e.to_string(), "at /p: expected text, found the number 1");
        let e = unit_variant(&json!("x"), &P, None, Some("a population"), names).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at /p: \"x\" is not allowed; expected a population"
        );
    }
}
