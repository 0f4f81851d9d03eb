//! Answers, typed by the question they answer, and how they are read from JSON with the path to
//! any bad value.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::envelope::LoadError;
use super::instrument::{Instrument, Kind, QuestionId};
use crate::SortedMap;
use crate::read::{FromJson, ReadError, ReadErrorKind, wrong};

/// The answer to one question. Serialised in the natural JSON form of its kind (a string, a list
/// of strings, a number, an object), which is what a saved file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(untagged)]
#[non_exhaustive]
pub enum Answer {
    /// Single choice or rating: the option or level id; text and dates are also strings.
    Text(String),
    /// Multiple choice: the option ids.
    Choices(Vec<String>),
    /// A number.
    Number(f64),
    /// A dimension checklist, by item id.
    Checklist(
        #[cfg_attr(feature = "ts", tsify(type = "Record<string, ChecklistEntry>"))]
        SortedMap<String, ChecklistEntry>,
    ),
    /// Table rows, each a map from column id to cell text.
    Table(
        #[cfg_attr(feature = "ts", tsify(type = "Record<string, string>[]"))]
        Vec<SortedMap<String, String>>,
    ),
    /// Quantitative evidence.
    Evidence(Evidence),
}

/// One checklist item's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistEntry {
    /// Whether the dimension was considered.
    pub considered: bool,
    /// The likely impact of the work on this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// What was found or why it does not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The likely impact on a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Impact {
    /// Likely to improve things for the group.
    Positive,
    /// Likely to make things worse for the group: needs an action.
    Negative,
    /// No difference expected.
    Neutral,
    /// Not known yet.
    NotKnown,
}

impl Impact {
    /// The id as saved.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Negative => "negative",
            Self::Neutral => "neutral",
            Self::NotKnown => "not_known",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Positive,
            Self::Negative,
            Self::Neutral,
            Self::NotKnown,
        ]
        .into_iter()
        .find(|i| i.as_str() == s)
    }
}

/// Quantitative evidence: one indicator's values by subgroup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// What was measured (e.g. "SMI health check uptake, %").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// Whether higher values are better.
    #[serde(default = "yes")]
    pub favourable: bool,
    /// The indicator's scale: 1, 100 (percent), 1000, 100000.
    #[serde(default = "one")]
    pub scale: f64,
    /// The rows.
    #[serde(default)]
    pub rows: Vec<EvidenceRow>,
}

const fn yes() -> bool {
    true
}
const fn one() -> f64 {
    1.0
}

/// One subgroup's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceRow {
    /// The dimension the subgroup belongs to (e.g. "IMD quintile", "Ethnic group").
    pub dimension: String,
    /// The subgroup (e.g. "Quintile 1 (most deprived)").
    pub subgroup: String,
    /// Position in an ordered dimension, 1 = most disadvantaged; 0 when not ordered.
    #[serde(default)]
    pub order: u32,
    /// The value on the indicator's scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<f64>,
    /// The subgroup's population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<f64>,
    /// Standard error of the estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// Lower confidence limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// Upper confidence limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// Whether this is the dimension's reference subgroup.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reference: bool,
}

impl Answer {
    /// Whether the answer says something (a blank text, an empty list or a checklist with
    /// nothing considered counts as not answered).
    #[must_use]
    pub fn is_answered(&self) -> bool {
        match self {
            Self::Text(s) => !s.trim().is_empty(),
            Self::Choices(v) => !v.is_empty(),
            Self::Number(x) => x.is_finite(),
            Self::Checklist(m) => m.values().any(|e| e.considered),
            Self::Table(rows) => rows
                .iter()
                .any(|r| r.values().any(|c| !c.trim().is_empty())),
            Self::Evidence(e) => !e.rows.is_empty(),
        }
    }

    /// The text, for single choice, rating, text and date answers.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Read an answer for a question of `kind` from `value`; `path` is the JSON pointer of
    /// `value` in the file, for errors.
    ///
    /// # Errors
    /// The value is not of the type the kind takes ([`ReadErrorKind::WrongType`] in
    /// [`LoadError::Read`]).
    pub fn from_value(kind: &Kind, value: &Value, path: &str) -> Result<Self, LoadError> {
        Self::read(kind, value, path).map_err(LoadError::from)
    }

    fn read(kind: &Kind, value: &Value, path: &str) -> Result<Self, ReadError> {
        match kind {
            Kind::SingleChoice { .. } | Kind::Text { .. } | Kind::Date | Kind::Rating { .. } => {
                String::from_json(value, path).map(Self::Text)
            }
            Kind::MultipleChoice { .. } => {
                let items = array(value, path, "a list of option ids")?;
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| String::from_json(v, &format!("{path}/{i}")))
                    .collect::<Result<_, _>>()
                    .map(Self::Choices)
            }
            Kind::Number { .. } => match value {
                Value::Number(n) => n
                    .as_f64()
                    .map(Self::Number)
                    .ok_or_else(|| wrong(path, "a number", value)),
                _ => Err(wrong(path, "a number", value)),
            },
            Kind::DimensionChecklist { .. } => {
                let obj = object(value, path, "an object keyed by checklist item id")?;
                let mut out = SortedMap::new();
                for (item, v) in obj {
                    let at = format!("{path}/{}", pointer_escape(item));
                    out.insert(item.clone(), checklist_entry(v, &at)?);
                }
                Ok(Self::Checklist(out))
            }
            Kind::Table { .. } => {
                let rows = array(value, path, "a list of rows")?;
                let mut out = Vec::with_capacity(rows.len());
                for (i, row) in rows.iter().enumerate() {
                    let at = format!("{path}/{i}");
                    let obj = object(row, &at, "a row: an object keyed by column id")?;
                    let mut cells = SortedMap::new();
                    for (col, cell) in obj {
                        let cat = format!("{at}/{}", pointer_escape(col));
                        cells.insert(col.clone(), String::from_json(cell, &cat)?);
                    }
                    out.push(cells);
                }
                Ok(Self::Table(out))
            }
            Kind::EvidenceTable => evidence(value, path).map(Self::Evidence),
        }
    }
}

/// The answers of one assessment, by question id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct Answers(
    #[cfg_attr(feature = "ts", tsify(type = "Record<QuestionId, Answer>"))]
    pub  SortedMap<QuestionId, Answer>,
);

impl Answers {
    /// No answers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The answer to a question.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Answer> {
        self.0.get(id)
    }

    /// The answer to a question, when it says something.
    #[must_use]
    pub fn answered(&self, id: &str) -> Option<&Answer> {
        self.0.get(id).filter(|a| a.is_answered())
    }

    /// Set an answer, returning the previous one.
    pub fn insert(&mut self, id: QuestionId, answer: Answer) -> Option<Answer> {
        self.0.insert(id, answer)
    }

    /// Remove an answer.
    pub fn remove(&mut self, id: &str) -> Option<Answer> {
        self.0.remove(id)
    }

    /// Read answers for `instrument` from a JSON object keyed by question id (as a form sends
    /// them); `null` is no answer. Errors give the path as `/answers/<id>/…`.
    ///
    /// # Errors
    /// Not an object, a question the instrument does not have, or a value of the wrong type.
    pub fn from_value(instrument: &Instrument, value: &Value) -> Result<Self, LoadError> {
        let obj = object(value, "/answers", "an object keyed by question id")?;
        let mut out = Self::new();
        for (id, v) in obj {
            if v.is_null() {
                continue;
            }
            let path = format!("/answers/{}", pointer_escape(id));
            let q = instrument
                .question(id)
                .ok_or_else(|| LoadError::UnknownQuestion {
                    path: path.clone(),
                    id: id.clone(),
                    instrument: instrument.id.clone(),
                    version: instrument.version,
                })?;
            out.insert(q.id.clone(), Answer::from_value(&q.kind, v, &path)?);
        }
        Ok(out)
    }

    /// Every answer.
    pub fn iter(&self) -> impl Iterator<Item = (&QuestionId, &Answer)> {
        self.0.iter()
    }

    /// How many answers are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub use crate::read::pointer_escape;

fn array<'a>(v: &'a Value, path: &str, expected: &str) -> Result<&'a Vec<Value>, ReadError> {
    v.as_array().ok_or_else(|| wrong(path, expected, v))
}

fn object<'a>(
    v: &'a Value,
    path: &str,
    expected: &str,
) -> Result<&'a Map<String, Value>, ReadError> {
    v.as_object().ok_or_else(|| wrong(path, expected, v))
}

fn unknown_field(path: &str, key: &str, allowed: &str) -> ReadError {
    ReadError::from(ReadErrorKind::UnknownField {
        path: format!("{path}/{}", pointer_escape(key)),
        allowed: allowed.to_owned(),
    })
}

fn opt_number(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<f64>, ReadError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| wrong(&format!("{path}/{key}"), "a number", v)),
        Some(v) => Err(wrong(&format!("{path}/{key}"), "a number", v)),
    }
}

fn checklist_entry(v: &Value, path: &str) -> Result<ChecklistEntry, ReadError> {
    let obj = object(v, path, "an object with considered, impact and note")?;
    let mut e = ChecklistEntry::default();
    for (k, v) in obj {
        let at = format!("{path}/{}", pointer_escape(k));
        match k.as_str() {
            "considered" => {
                e.considered = v.as_bool().ok_or_else(|| wrong(&at, "true or false", v))?
            }
            "impact" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| wrong(&at, "positive, negative, neutral or not_known", v))?;
                e.impact = Some(Impact::parse(s).ok_or_else(|| {
                    ReadError::from(ReadErrorKind::BadValue {
                        path: at.clone(),
                        value: s.to_owned(),
                        expected: "positive, negative, neutral or not_known".to_owned(),
                    })
                })?);
            }
            "note" => e.note = Some(String::from_json(v, &at)?),
            _ => return Err(unknown_field(path, k, "considered, impact, note")),
        }
    }
    Ok(e)
}

fn evidence(v: &Value, path: &str) -> Result<Evidence, ReadError> {
    let obj = object(
        v,
        path,
        "an object with indicator, favourable, scale and rows",
    )?;
    let mut e = Evidence {
        indicator: None,
        favourable: true,
        scale: 1.0,
        rows: Vec::new(),
    };
    for (k, v) in obj {
        let at = format!("{path}/{}", pointer_escape(k));
        match k.as_str() {
            "indicator" => e.indicator = Some(String::from_json(v, &at)?),
            "favourable" => {
                e.favourable = v.as_bool().ok_or_else(|| wrong(&at, "true or false", v))?
            }
            "scale" => {
                e.scale = v
                    .as_f64()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| wrong(&at, "a positive number", v))?;
            }
            "rows" => {
                for (i, row) in array(v, &at, "a list of rows")?.iter().enumerate() {
                    e.rows.push(evidence_row(row, &format!("{at}/{i}"))?);
                }
            }
            _ => return Err(unknown_field(path, k, "indicator, favourable, scale, rows")),
        }
    }
    Ok(e)
}

const ROW_FIELDS: &str =
    "dimension, subgroup, order, estimate, population, se, lower, upper, reference";

fn evidence_row(v: &Value, path: &str) -> Result<EvidenceRow, ReadError> {
    let obj = object(
        v,
        path,
        "a row: an object with dimension, subgroup, estimate…",
    )?;
    if let Some(k) = obj
        .keys()
        .find(|k| !ROW_FIELDS.split(", ").any(|f| f == k.as_str()))
    {
        return Err(unknown_field(path, k, ROW_FIELDS));
    }
    let text = |key: &str| -> Result<String, ReadError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(v) => String::from_json(v, &format!("{path}/{key}")),
        }
    };
    let order = match obj.get("order") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| wrong(&format!("{path}/order"), crate::read::U32_RANGE, v))?,
    };
    let reference = match obj.get("reference") {
        None | Some(Value::Null) => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| wrong(&format!("{path}/reference"), "true or false", v))?,
    };
    Ok(EvidenceRow {
        dimension: text("dimension")?,
        subgroup: text("subgroup")?,
        order,
        estimate: opt_number(obj, "estimate", path)?,
        population: opt_number(obj, "population", path)?,
        se: opt_number(obj, "se", path)?,
        lower: opt_number(obj, "lower", path)?,
        upper: opt_number(obj, "upper", path)?,
        reference,
    })
}
