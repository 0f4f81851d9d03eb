//! [`Place`]: where a value is in the JSON being read, written out as a JSON pointer only when an
//! error names it.

use std::fmt;

/// Where a value is in the JSON being read. Readers pass it down, one level per field or list
/// element, on the stack; it becomes the JSON pointer of an error (`/sections/0/title`) only
/// when there is an error, so reading a value allocates nothing for its place.
///
/// ```
/// use equitas_json::Place;
///
/// let root = Place::Pointer("");
/// let sections = Place::Key(&root, "sections");
/// let first = Place::Index(&sections, 0);
/// assert_eq!(Place::Key(&first, "a/b").to_string(), "/sections/0/a~1b");
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// A JSON pointer already written out; `""` is the root.
    Pointer(&'a str),
    /// The field `key` of the object at the place.
    Key(&'a Place<'a>, &'a str),
    /// Element `index` of the list at the place.
    Index(&'a Place<'a>, usize),
}

impl Place<'_> {
    /// The JSON pointer (RFC 6901): `""` for the root, keys escaped.
    #[must_use]
    pub fn pointer(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pointer(p) => f.write_str(p),
            Self::Key(parent, key) => {
                parent.fmt(f)?;
                f.write_str("/")?;
                // RFC 6901: `~` is `~0` and `/` is `~1`. (Only errors write places out.)
                f.write_str(&crate::pointer_escape(key))
            }
            Self::Index(parent, index) => {
                parent.fmt(f)?;
                f.write_str("/")?;
                fmt::Display::fmt(index, f)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_written_as_pointers() {
        let root = Place::Pointer("");
        assert_eq!(root.pointer(), "");
        let base = Place::Pointer("/answers/q1");
        let rows = Place::Key(&base, "rows");
        let row = Place::Index(&rows, 12);
        assert_eq!(
            Place::Key(&row, "estimate").pointer(),
            "/answers/q1/rows/12/estimate"
        );
        for (key, escaped) in [
            ("a/b", "a~1b"),
            ("~", "~0"),
            ("~/~1", "~0~1~01"),
            ("", ""),
            ("é/", "é~1"),
        ] {
            assert_eq!(Place::Key(&root, key).pointer(), format!("/{escaped}"));
            assert_eq!(
                Place::Key(&root, key).pointer(),
                crate::child("", key),
                "{key:?}"
            );
        }
    }
}
