//! [`ReadError`]: what is wrong with a value read, and where.

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
