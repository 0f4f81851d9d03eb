//! Saved assessments: the envelope format, the instrument registry, loading with migration, and
//! saving.
//!
//! A saved file is `{"format": "equitas-assessment", "schema_version": 2, "instrument": {"id",
//! "version"}, "created", "updated", "answers": {…}, "retained": {…}}`. Loading either gives the
//! whole assessment or an error with the JSON pointer of the problem: never half of one.
//!
//! Two kinds of migration run on load:
//! - **schema**: the envelope's own layout, step by step up to [`SCHEMA_VERSION`]; a file from a
//!   newer layout is refused whole, with a message to update equitas. The layouts:
//!   - 1: `retained` maps an old question id to one entry, `{"value", "from_version", "reason"}`;
//!   - 2: `retained` maps an old question id to a *list* of entries, oldest first, so an answer
//!     set aside under an id that already has an entry is kept beside it, never over it. A
//!     version 1 file is read by wrapping each entry in a list of one.
//! - **instrument**: a file made with an older version of its instrument is moved to the newest
//!   version the registry knows. Answers are keyed by question id, so wording changes cost
//!   nothing; a renamed question is found through its `previous_ids`; an answer whose question
//!   was removed, or no longer fits the question's kind, moves to `retained` with the reason, and
//!   is reported, never dropped.
//!
//! When several answers in the file belong to one question of the new version (two questions
//! merged into one, `previous_ids: ["a", "b"]`, or a question that kept its id and also took
//! another's), exactly one goes in, chosen by a fixed rule, and every other one is set aside in
//! `retained` with a reason that names the question and the answer that went in. **The rule**:
//! the answer saved under the question's own id, if there is one and it fits the question's kind;
//! otherwise the first of its `previous_ids`, in the order the instrument lists them, whose
//! answer fits. (So an instrument author lists the id whose answer should win first.) Every
//! answer in the file gets a note saying where it went.
//!
//! An answer saved as `null` counts as no answer (a form may write null for a cleared field).

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::answers::{Answer, Answers, pointer_escape};
use super::instrument::{Instrument, InstrumentError, Question, QuestionId};
use crate::SortedMap;
use crate::read::{FromJson, ReadError, ReadErrorKind};

/// The `format` field of every saved assessment.
pub const FORMAT: &str = "equitas-assessment";

/// The envelope layout this build writes (and the newest it reads). Version 2 made each entry of
/// `retained` a list (see the module docs); version 1 files are read and migrated.
pub const SCHEMA_VERSION: u32 = 2;

/// Which instrument (and version) an assessment answers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an object with id and version")]
pub struct InstrumentRef {
    /// Instrument id.
    pub id: String,
    /// Instrument version.
    pub version: u32,
}

/// An answer kept aside because its question is gone or changed kind.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an object with value, from_version and reason")]
pub struct Retained {
    /// The answer exactly as it was saved.
    #[cfg_attr(feature = "ts", tsify(type = "unknown"))]
    pub value: Value,
    /// The instrument version it was given under.
    pub from_version: u32,
    /// Why it was set aside.
    pub reason: String,
}

/// The saved file, as JSON sees it (the schema in `seeds/schema/assessment.schema.json`).
/// Answers are plain JSON here; their types depend on the instrument, so [`load`] reads them.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SavedFile {
    /// Always `equitas-assessment`.
    pub format: String,
    /// The envelope layout version.
    pub schema_version: u32,
    /// The instrument answered.
    pub instrument: InstrumentRef,
    /// When the assessment was started (as the caller gave it; ISO 8601 recommended).
    pub created: String,
    /// When it was last saved.
    pub updated: String,
    /// Answers by question id.
    #[cfg_attr(feature = "ts", tsify(type = "Record<QuestionId, Answer | null>"))]
    pub answers: SortedMap<QuestionId, Value>,
    /// Answers set aside by migrations, by their old question id: every entry for that id,
    /// oldest first (a list since layout version 2, so none is ever written over another).
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    #[cfg_attr(feature = "ts", tsify(type = "Record<QuestionId, Retained[]>"))]
    pub retained: SortedMap<QuestionId, Vec<Retained>>,
}

/// An assessment in memory: the instrument it answers, timestamps, typed answers, and anything a
/// migration set aside.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The instrument answered.
    pub instrument: InstrumentRef,
    /// When it was started.
    pub created: String,
    /// When it was last saved.
    pub updated: String,
    /// The answers.
    pub answers: Answers,
    /// Answers set aside by migrations, by their old question id, oldest first.
    pub retained: SortedMap<QuestionId, Vec<Retained>>,
}

impl Assessment {
    /// An empty draft of `instrument`, stamped with the caller's time (core has no clock).
    #[must_use]
    pub fn new(instrument: &Instrument, now: &str) -> Self {
        Self {
            instrument: InstrumentRef {
                id: instrument.id.clone(),
                version: instrument.version,
            },
            created: now.to_owned(),
            updated: now.to_owned(),
            answers: Answers::new(),
            retained: SortedMap::new(),
        }
    }

    /// The saved-file form.
    #[must_use]
    pub fn to_saved(&self) -> SavedFile {
        // In key order already, so each insert lands at the end of the sorted list. (A loop,
        // not `collect`: the module has no other use of `SortedMap`'s `FromIterator`.)
        let mut answers = SortedMap::new();
        for (k, a) in self.answers.iter() {
            answers.insert(k.clone(), serde_json::to_value(a).unwrap_or(Value::Null));
        }
        SavedFile {
            format: FORMAT.to_owned(),
            schema_version: SCHEMA_VERSION,
            instrument: self.instrument.clone(),
            created: self.created.clone(),
            updated: self.updated.clone(),
            answers,
            retained: self.retained.clone(),
        }
    }

    /// Save as pretty JSON (the same text for the same assessment, keys sorted).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_saved()).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// What a load changed on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[non_exhaustive]
pub enum MigrationNote {
    /// The envelope layout was upgraded.
    Schema {
        /// Version in the file.
        from: u32,
        /// Version now.
        to: u32,
    },
    /// The instrument version was upgraded.
    Instrument {
        /// Version in the file.
        from: u32,
        /// Version now.
        to: u32,
    },
    /// An answer moved to a renamed question.
    Renamed {
        /// Old id.
        from: QuestionId,
        /// New id.
        to: QuestionId,
    },
    /// An answer was set aside in `retained`.
    Retained {
        /// Its question id.
        question: QuestionId,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for MigrationNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Schema { from, to } => {
                write!(f, "file layout upgraded from version {from} to {to}")
            }
            Self::Instrument { from, to } => {
                write!(f, "instrument upgraded from version {from} to {to}")
            }
            Self::Renamed { from, to } => write!(f, "answer to {from} moved to {to}"),
            Self::Retained { question, reason } => {
                write!(f, "answer to {question} kept aside in retained: {reason}")
            }
        }
    }
}

/// A loaded assessment and what migration did to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The assessment, at the current schema and the newest known instrument version.
    pub assessment: Assessment,
    /// What changed on the way in (empty when the file was current).
    pub notes: Vec<MigrationNote>,
}

/// A saved file that cannot be loaded. Paths are JSON pointers (`/answers/prepare.scope`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Not JSON, or a value that is not what its place in the file calls for (a wrong type, a
    /// value outside the allowed set, an unknown or missing field): [`ReadError`]'s message, with
    /// the line and column or the JSON pointer.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Not an equitas assessment.
    #[error(
        "at {path}: this is not an equitas assessment (format is {found}, expected \"equitas-assessment\")"
    )]
    NotAnAssessment {
        /// Where.
        path: String,
        /// What was there.
        found: String,
    },
    /// Written by a newer equitas.
    #[error(
        "at /schema_version: the file has layout version {found}, but this equitas reads up to version {supported}; update equitas to open it"
    )]
    NewerSchema {
        /// Version in the file.
        found: u32,
        /// Newest this build reads.
        supported: u32,
    },
    /// An instrument this registry does not know.
    #[error(
        "at /instrument/id: unknown instrument {id:?} (known: {known}); add that instrument first"
    )]
    UnknownInstrument {
        /// The id.
        id: String,
        /// Known ids.
        known: String,
    },
    /// A newer version of a known instrument.
    #[error(
        "at /instrument/version: {id} version {found} is newer than the newest known ({known}); update equitas or load the newer instrument file"
    )]
    NewerInstrument {
        /// Instrument id.
        id: String,
        /// Version in the file.
        found: u32,
        /// Newest known.
        known: u32,
    },
    /// A question the instrument does not have.
    #[error("at {path}: {instrument} v{version} has no question {id:?}")]
    UnknownQuestion {
        /// Where.
        path: String,
        /// The id.
        id: String,
        /// Instrument id.
        instrument: String,
        /// Instrument version.
        version: u32,
    },
}

/// The instruments an application knows: the built-in ones and any loaded from files.
///
/// Cloning a registry is cheap: it shares the instruments (`Arc`), so a caller can add to a copy
/// and swap it in whole (the browser engine does, so that a failure while adding leaves the
/// registry it had).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Sorted by id then version, each id and version once. A few instruments: a sorted list
    /// does what a B-tree map would, without another copy of the B-tree code in the wasm build.
    instruments: Vec<Arc<Instrument>>,
    /// Each instrument's JSON (see [`Registry::json`]), in the same order.
    json: Vec<Arc<Value>>,
}

/// The built-in instrument files, by file name.
pub const INSTRUMENT_FILES: &[(&str, &str)] = &[
    ("heat-v1.json", seed_text!("instruments/heat-v1.json")),
    (
        "hi-maturity-v1.json",
        seed_text!("instruments/hi-maturity-v1.json"),
    ),
];

impl Registry {
    /// No instruments.
    #[must_use]
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in instruments (`heat` v1, `hi-maturity` v1).
    ///
    /// # Errors
    /// A built-in file that does not check (caught by the test suite before release).
    pub fn builtin() -> Result<Self, InstrumentError> {
        let mut r = Self::empty();
        for (_, text) in INSTRUMENT_FILES {
            r.add_json(text)?;
        }
        Ok(r)
    }

    /// Check an instrument ([`Instrument::check`]) and add it, replacing one with the same id
    /// and version.
    ///
    /// # Errors
    /// The instrument does not hold together.
    pub fn add(&mut self, instrument: Instrument) -> Result<(), InstrumentError> {
        instrument.check()?;
        let json = serde_json::to_value(&instrument).map_err(|e| InstrumentError::Invalid {
            instrument: instrument.id.clone(),
            version: instrument.version,
            problem: format!("cannot be written as JSON: {e}"),
        })?;
        self.insert(instrument, json);
        Ok(())
    }

    /// Parse, check and add an instrument file, returning its id and version.
    ///
    /// # Errors
    /// The file is not a valid instrument.
    pub fn add_json(&mut self, text: &str) -> Result<InstrumentRef, InstrumentError> {
        let (instrument, json) = Instrument::read_with_json(text)?;
        instrument.check()?;
        let r = InstrumentRef {
            id: instrument.id.clone(),
            version: instrument.version,
        };
        self.insert(instrument, json);
        Ok(r)
    }

    /// Adds a checked instrument with its JSON, in order, replacing one with the same id and
    /// version.
    fn insert(&mut self, instrument: Instrument, json: Value) {
        let place = self.instruments.binary_search_by(|i| {
            (i.id.as_str(), i.version).cmp(&(&instrument.id, instrument.version))
        });
        let (instrument, json) = (Arc::new(instrument), Arc::new(json));
        match place {
            Ok(at) => {
                if let (Some(slot), Some(json_slot)) =
                    (self.instruments.get_mut(at), self.json.get_mut(at))
                {
                    *slot = instrument;
                    *json_slot = json;
                }
            }
            Err(at) => {
                // Room for both first, so the two lists never differ in length.
                self.instruments.reserve(1);
                self.json.reserve(1);
                self.instruments.insert(at, instrument);
                self.json.insert(at, json);
            }
        }
    }

    /// Instrument `id` version `version` as JSON, in the instrument file's layout: the file
    /// as it was read for one added from JSON text, such as the built-ins (an optional field
    /// may be `null` there, which reads as absent); [`Instrument`]'s own serialisation for one
    /// added as a value. Either reads back as the same instrument. (The browser's
    /// `instrument()` returns this, so the assessment engine need not carry the code that
    /// writes instruments.)
    #[must_use]
    pub fn json(&self, id: &str, version: u32) -> Option<&Value> {
        let at = self
            .instruments
            .iter()
            .position(|i| i.id == id && i.version == version)?;
        self.json.get(at).map(|json| &**json)
    }

    /// An instrument by id and version.
    #[must_use]
    pub fn get(&self, id: &str, version: u32) -> Option<&Instrument> {
        self.instruments
            .iter()
            .find(|i| i.id == id && i.version == version)
            .map(|i| &**i)
    }

    /// The newest version of an instrument.
    #[must_use]
    pub fn latest(&self, id: &str) -> Option<&Instrument> {
        self.instruments
            .iter()
            .rev()
            .find(|i| i.id == id)
            .map(|i| &**i)
    }

    /// The instrument an assessment answers.
    #[must_use]
    pub fn for_assessment(&self, a: &Assessment) -> Option<&Instrument> {
        self.get(&a.instrument.id, a.instrument.version)
    }

    /// Every instrument, by id then version.
    pub fn iter(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.iter().map(|i| &**i)
    }

    /// The ids of every instrument known, sorted, each once.
    #[must_use]
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.instruments.iter().map(|i| i.id.as_str()).collect();
        ids.dedup();
        ids
    }

    fn known(&self) -> String {
        self.ids().join(", ")
    }
}

/// Load a saved assessment, migrating it to the current layout and the newest version of its
/// instrument in `registry`.
///
/// ```
/// use equitas_core::assessment::{Registry, load};
///
/// let registry = Registry::builtin()?;
/// let saved = r#"{
///   "format": "equitas-assessment",
///   "schema_version": 2,
///   "instrument": {"id": "heat", "version": 1},
///   "created": "2026-02-01T09:00:00Z",
///   "updated": "2026-02-01T09:20:00Z",
///   "answers": {"prepare.title": "New online booking (SYNTHETIC)"}
/// }"#;
/// let loaded = load(saved, &registry)?;
/// assert!(loaded.notes.is_empty()); // already the newest layout and instrument: nothing migrated
/// assert_eq!(loaded.assessment.answers.len(), 1);
///
/// // A version 2 of the instrument renames `prepare.title`; the file written against version 1
/// // is migrated on loading, the answer following the question, with a note saying so.
/// let mut registry = registry;
/// let v1 = registry.json("heat", 1).unwrap().to_string();
/// let v2 = v1
///     .replacen(r#""version":1"#, r#""version":2"#, 1)
///     .replace(r#""prepare.title""#, r#""prepare.name""#) // the rubric and roles follow it
///     .replacen(
///         r#""id":"prepare.name""#,
///         r#""id":"prepare.name","previous_ids":["prepare.title"]"#,
///         1,
///     );
/// registry.add_json(&v2)?;
/// let migrated = load(saved, &registry)?;
/// assert_eq!(migrated.assessment.instrument.version, 2);
/// assert!(migrated.assessment.answers.get("prepare.name").is_some());
/// assert!(!migrated.notes.is_empty());
///
/// // A bad file is refused with the JSON pointer of what is wrong.
/// let bad = saved.replace(r#""version": 1"#, r#""version": "one""#);
/// assert!(load(&bad, &registry).unwrap_err().to_string().contains("/instrument/version"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Anything wrong with the file, with the JSON pointer of the problem.
pub fn load(text: &str, registry: &Registry) -> Result<Loaded, LoadError> {
    load_value(crate::read::parse(text)?, registry)
}

/// [`load`] from parsed JSON.
///
/// # Errors
/// As [`load`].
pub fn load_value(mut value: Value, registry: &Registry) -> Result<Loaded, LoadError> {
    let mut notes = Vec::new();
    let schema = layout_version(&value)?;
    migrate_layout(&mut value, schema, &mut notes);
    let saved = SavedFile::from_json(&value, "")?;
    let latest =
        registry
            .latest(&saved.instrument.id)
            .ok_or_else(|| LoadError::UnknownInstrument {
                id: saved.instrument.id.clone(),
                known: registry.known(),
            })?;
    let from = saved.instrument.version;
    if from > latest.version {
        return Err(LoadError::NewerInstrument {
            id: latest.id.clone(),
            found: from,
            known: latest.version,
        });
    }
    let migrating = from < latest.version;
    if migrating {
        notes.push(MigrationNote::Instrument {
            from,
            to: latest.version,
        });
    }
    let moves = place_answers(saved.answers, latest, migrating)?;
    let mut retained = saved.retained;
    let answers = settle(moves, latest, from, &mut retained, &mut notes);
    Ok(Loaded {
        assessment: Assessment {
            instrument: InstrumentRef {
                id: latest.id.clone(),
                version: latest.version,
            },
            created: saved.created,
            updated: saved.updated,
            answers,
            retained,
        },
        notes,
    })
}

/// The file's layout version, once the file is known to be an assessment of a layout this
/// build reads (1 to [`SCHEMA_VERSION`]).
fn layout_version(value: &Value) -> Result<u32, LoadError> {
    let root = value
        .as_object()
        .ok_or_else(|| crate::read::wrong("", "an object", value))?;
    match root.get("format") {
        Some(Value::String(s)) if s == FORMAT => {}
        Some(other) => {
            return Err(LoadError::NotAnAssessment {
                path: "/format".into(),
                // The same compact JSON as `other.to_string()`, through the serializer the
                // wasm build already has for results (Value's `Display` is a second copy).
                found: serde_json::to_string(other).unwrap_or_default(),
            });
        }
        None => {
            return Err(LoadError::NotAnAssessment {
                path: "/format".into(),
                found: "missing".into(),
            });
        }
    }
    let schema = u32_at(root, "schema_version", "/schema_version")?;
    if schema > SCHEMA_VERSION {
        return Err(LoadError::NewerSchema {
            found: schema,
            supported: SCHEMA_VERSION,
        });
    }
    if schema == 0 {
        return Err(LoadError::from(ReadError::from(ReadErrorKind::BadValue {
            path: "/schema_version".into(),
            value: "0".into(),
            expected: if SCHEMA_VERSION == 1 {
                "layout version 1".into()
            } else {
                format!("a layout version from 1 to {SCHEMA_VERSION}")
            },
        })));
    }
    Ok(schema)
}

/// Brings a file of layout `schema` to the current layout, noting the move when there is one.
fn migrate_layout(value: &mut Value, schema: u32, notes: &mut Vec<MigrationNote>) {
    // Schema migrations: one function per step, applied in order: `steps[0]` takes layout 1 to
    // layout 2, and so on.
    let steps: &[fn(&mut Value)] = &[retained_as_lists];
    let mut v = schema;
    for step in steps
        .iter()
        .skip(usize::try_from(schema - 1).unwrap_or(usize::MAX))
    {
        step(value);
        v += 1;
    }
    if v != schema {
        notes.push(MigrationNote::Schema {
            from: schema,
            to: v,
        });
    }
}

/// Where each answer in the file belongs in `latest`, read against that question's kind, in the
/// file's order; a cleared answer (null) is no answer. When the file is of `latest`'s version
/// (not `migrating`), an answer to a question it does not have, or one that does not fit its
/// question, is an error; when migrating, it is kept to be set aside.
// Not inlined into `load_value`, as LLVM would inline a function called once: inlined, the
// assessment engine was 293,959 bytes (118,267 gzipped) after wasm-opt -Oz; apart, 293,834
// (118,130); `load_value` in one piece, 293,814 (118,283).
#[inline(never)]
fn place_answers(
    answers: SortedMap<QuestionId, Value>,
    latest: &Instrument,
    migrating: bool,
) -> Result<Vec<Move<'_>>, LoadError> {
    let mut moves: Vec<Move<'_>> = Vec::with_capacity(answers.len());
    for (id, raw) in answers {
        if raw.is_null() {
            // A form may write null for a cleared answer: it is no answer, not an error.
            continue;
        }
        let path = format!("/answers/{}", pointer_escape(id.as_str()));
        let place = match latest.question(id.as_str()) {
            Some(q) => Some((q, 0)),
            None if migrating => latest.questions().find_map(|(_, q)| {
                q.previous_ids
                    .iter()
                    .position(|old| *old == id)
                    .map(|at| (q, at + 1))
            }),
            None => {
                return Err(LoadError::UnknownQuestion {
                    path,
                    id: id.0,
                    instrument: latest.id.clone(),
                    version: latest.version,
                });
            }
        };
        let read = match place {
            Some((q, _)) => match Answer::from_value(&q.kind, &raw, &path) {
                Ok(a) => Some(Ok(a)),
                Err(e) if migrating => Some(Err(e)),
                Err(e) => return Err(e),
            },
            None => None,
        };
        moves.push(Move {
            id,
            raw,
            place,
            read,
        });
    }
    Ok(moves)
}

/// Which answer goes in where several belong to one question: the lowest rank (its own id,
/// then its previous ids in order) among those that fit, as (question, rank, index in
/// `moves`). At most one entry per question of the instrument, so the search stays short.
fn winners<'i>(moves: &[Move<'i>]) -> Vec<(&'i QuestionId, usize, usize)> {
    let mut chosen: Vec<(&QuestionId, usize, usize)> = Vec::new();
    for (at, m) in moves.iter().enumerate() {
        if let (Some((q, rank)), Some(Ok(_))) = (m.place, &m.read) {
            match chosen.iter_mut().find(|(target, _, _)| **target == q.id) {
                Some(best) if rank < best.1 => *best = (&q.id, rank, at),
                Some(_) => {}
                None => chosen.push((&q.id, rank, at)),
            }
        }
    }
    chosen
}

/// The answers of `latest`: each winning answer goes in under its question (a rename noted);
/// every other answer is set aside in `retained`, after any entries already there, with a note
/// saying why. Nothing in the file is dropped.
fn settle(
    moves: Vec<Move<'_>>,
    latest: &Instrument,
    from: u32,
    retained: &mut SortedMap<QuestionId, Vec<Retained>>,
    notes: &mut Vec<MigrationNote>,
) -> Answers {
    let chosen = winners(&moves);
    let ids: Vec<QuestionId> = moves.iter().map(|m| m.id.clone()).collect();
    let mut answers = Answers::new();
    let in_latest = format!("{} v{}", latest.id, latest.version);
    for (at, m) in moves.into_iter().enumerate() {
        let Move {
            id,
            raw,
            place,
            read,
        } = m;
        let reason = match (place, read) {
            (Some((q, _)), Some(Ok(a))) => {
                let won = chosen
                    .iter()
                    .find(|(target, _, _)| **target == q.id)
                    .map(|(_, _, w)| *w);
                if won == Some(at) {
                    if id != q.id {
                        notes.push(MigrationNote::Renamed {
                            from: id,
                            to: q.id.clone(),
                        });
                    }
                    answers.insert(q.id.clone(), a);
                    continue;
                }
                let took = match won.and_then(|w| ids.get(w)) {
                    Some(w) if *w == q.id => "kept the answer saved under its own id".to_owned(),
                    Some(w) => format!("took the answer to {w}"),
                    None => "took another answer".to_owned(),
                };
                format!(
                    "{id} is now part of question {} in {in_latest}, which {took} (of several \
                     answers for one question, the one under its own id goes in, else the \
                     first of its previous ids, in the instrument's order, whose answer fits)",
                    q.id
                )
            }
            (Some((q, _)), Some(Err(e))) => format!(
                "no longer fits question {} ({}) in {in_latest}: {e}",
                q.id,
                q.kind.name(),
            ),
            _ => format!("question removed in {in_latest}"),
        };
        notes.push(MigrationNote::Retained {
            question: id.clone(),
            reason: reason.clone(),
        });
        set_aside(
            retained,
            id,
            Retained {
                value: raw,
                from_version: from,
                reason,
            },
        );
    }
    answers
}

/// One answer in a file being loaded: its id and value as saved, the question it belongs to in
/// the newest instrument with its rank there (0 for the question's own id, 1 + the place in
/// `previous_ids` otherwise; `None` when the question is gone), and the answer read against
/// that question's kind (`None` when it is gone; an error when it no longer fits).
struct Move<'i> {
    id: QuestionId,
    raw: Value,
    place: Option<(&'i Question, usize)>,
    read: Option<Result<Answer, LoadError>>,
}

/// Adds `entry` after any entries `retained` already holds for `id`: never over one.
fn set_aside(retained: &mut SortedMap<QuestionId, Vec<Retained>>, id: QuestionId, entry: Retained) {
    if let Some(list) = retained.get_mut(&id) {
        list.push(entry);
    } else {
        retained.insert(id, vec![entry]);
    }
}

/// Layout 1 → 2: each entry of `retained` becomes a list of one. (A list there already is left
/// as it is: it reads as layout 2 does.) Anything else wrong is left for the reader to report.
fn retained_as_lists(file: &mut Value) {
    if let Some(Value::Object(retained)) = file.get_mut("retained") {
        // Through the map's keys, `get` and `insert`, which the browser build has already
        // (its mutable or owning iterators would each add B-tree code for this step alone).
        let ids: Vec<String> = retained.keys().cloned().collect();
        for id in ids {
            let wrapped = match retained.get(&id) {
                Some(Value::Array(_)) | None => continue,
                Some(one) => Value::Array(vec![one.clone()]),
            };
            retained.insert(id, wrapped);
        }
    }
    if let Some(version) = file.get_mut("schema_version") {
        *version = Value::from(2);
    }
}

fn u32_at(root: &Map<String, Value>, key: &str, path: &str) -> Result<u32, LoadError> {
    match root.get(key) {
        None => Err(ReadError::from(ReadErrorKind::Missing { path: path.into() }).into()),
        Some(v) => Ok(u32::from_json(v, path)?),
    }
}
