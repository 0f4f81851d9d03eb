//! The instrument model: sections, questions, kinds, visibility conditions, rubric and gap rules.
//!
//! An instrument is data (`seeds/instruments/*.json`); an organisation can load its own with
//! [`Instrument::from_json`], which checks that the file holds together (ids unique, every
//! condition and rubric criterion names a question and option that exist, catalogue ids known).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::SortedMap;
use crate::number::Num;
use crate::read::{self, FromJson, ReadError};

/// The stable id of a question, e.g. `assess.dimensions`. Answers are keyed by it, so wording can
/// change between instrument versions without losing work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
#[json(map_key = "an object keyed by question id")]
pub struct QuestionId(pub String);

impl QuestionId {
    /// A question id from text.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for QuestionId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// An instrument: a versioned questionnaire with its scoring rubric and gap rules.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an instrument: an object")]
pub struct Instrument {
    /// Stable id (`heat`, `hi-maturity`, or an organisation's own).
    pub id: String,
    /// Version of this instrument's content; bump it when questions change.
    pub version: u32,
    /// Title shown above the form and the report.
    pub title: String,
    /// What the instrument is for, in a sentence or two.
    pub description: String,
    /// Who wrote the wording and on what it is based.
    pub provenance: String,
    /// Which questions play a special role (the assessment's name, its review date).
    #[serde(default)]
    pub roles: Roles,
    /// The sections, in order (HEAT's stages; the maturity themes).
    pub sections: Vec<Section>,
    /// How the assessment is scored.
    pub rubric: Rubric,
    /// Gaps to point out, each with a recommendation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<GapRule>,
}

/// Questions with a special role in summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// The free-text question that names the work assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<QuestionId>,
    /// The date question holding the planned review date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_date: Option<QuestionId>,
    /// The date question holding the day the assessment was made: the review date must come
    /// after it, and it may not be in the future ([`validate_as_of`](super::validate_as_of)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_date: Option<QuestionId>,
}

/// A section of an instrument: one task in the form's task list.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a section: an object")]
pub struct Section {
    /// Stable id (`prepare`).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Guidance shown at the top of the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a question: an object")]
pub struct Question {
    /// Stable id; never reuse one for a different meaning.
    pub id: QuestionId,
    /// The question as the form shows it.
    pub label: String,
    /// Prompts and guidance under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Whether an answer is needed (only while the question is visible).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Show the question only when this holds; hidden questions are never required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    /// Ids this question had in earlier versions of the instrument; answers saved under them
    /// move here when a file is migrated. When a file has answers under more than one of them
    /// (two questions merged into one), the answer under the question's own id goes in, else
    /// the first of these, in this order, whose answer fits; the others are kept in the saved
    /// file's `retained` list. An id may be listed by one question only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_ids: Vec<QuestionId>,
    /// For rating questions: what to work on next while the rating is below the top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    /// What kind of answer it takes.
    pub kind: Kind,
}

/// The kinds of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
#[json(expected = "a kind: an object with a type")]
pub enum Kind {
    /// One option (answer: the option id).
    SingleChoice {
        /// The options.
        options: Vec<Choice>,
    },
    /// Any number of options (answer: a list of option ids).
    MultipleChoice {
        /// The options.
        options: Vec<Choice>,
    },
    /// Free text (answer: a string).
    Text {
        /// Whether the form should offer a multi-line box.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        multiline: bool,
    },
    /// A number (answer: a number).
    Number {
        /// Smallest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Largest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        /// Unit shown beside the box.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// A calendar date (answer: `YYYY-MM-DD`).
    Date,
    /// A rating on an ordered scale, weakest first (answer: the level id). Used for strength of
    /// evidence and for maturity levels.
    Rating {
        /// The levels, weakest first.
        levels: Vec<Choice>,
    },
    /// A checklist of dimensions of inequality (answer: an object keyed by item id, each with
    /// `considered`, an optional `impact` and an optional `note`).
    DimensionChecklist {
        /// The items, each in a family.
        items: Vec<Choice>,
    },
    /// A table whose rows the user adds (answer: a list of objects keyed by column id).
    Table {
        /// The columns.
        columns: Vec<Column>,
    },
    /// Quantitative evidence by subgroup, the measures engine's input (answer: an object with
    /// `indicator`, `favourable`, `scale` and `rows`).
    EvidenceTable,
}

impl Kind {
    /// The kind's id as written in the instrument (`single_choice`, …).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::Text { .. } => "text",
            Self::Number { .. } => "number",
            Self::Date => "date",
            Self::Rating { .. } => "rating",
            Self::DimensionChecklist { .. } => "dimension_checklist",
            Self::Table { .. } => "table",
            Self::EvidenceTable => "evidence_table",
        }
    }

    /// The options, levels or checklist items, if the kind has any.
    #[must_use]
    pub fn choices(&self) -> &[Choice] {
        match self {
            Self::SingleChoice { options } | Self::MultipleChoice { options } => options,
            Self::Rating { levels } => levels,
            Self::DimensionChecklist { items } => items,
            _ => &[],
        }
    }
}

/// An option, a rating level or a checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "an option: an object")]
pub struct Choice {
    /// Stable id, unique within the question.
    pub id: String,
    /// Text shown.
    pub label: String,
    /// Extra guidance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// For checklist items: the family of inequality the item belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// When the id is taken from an equitas catalogue list, which list (checked on load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<CatalogueList>,
}

/// A catalogue list whose ids an option may reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[json(expected = "text")]
pub enum CatalogueList {
    /// `protected-characteristics.json`.
    ProtectedCharacteristics,
    /// `groups.json` inclusion health groups.
    InclusionHealthGroups,
    /// `groups.json` national PLUS examples.
    PlusExamples,
    /// `groups.json` CYP additional groups.
    CypPlusAdditional,
    /// `clinical-areas.json` areas.
    ClinicalAreas,
    /// `strategic-priorities.json`.
    StrategicPriorities,
}

impl CatalogueList {
    /// The list's id as written in an instrument.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProtectedCharacteristics => "protected_characteristics",
            Self::InclusionHealthGroups => "inclusion_health_groups",
            Self::PlusExamples => "plus_examples",
            Self::CypPlusAdditional => "cyp_plus_additional",
            Self::ClinicalAreas => "clinical_areas",
            Self::StrategicPriorities => "strategic_priorities",
        }
    }

    /// Whether the built-in catalogue holds `id` in this list.
    #[must_use]
    pub fn contains(self, id: &str) -> bool {
        CATALOGUE_IDS
            .iter()
            .find(|(list, _)| *list == self.as_str())
            .is_some_and(|(_, ids)| ids.contains(&id))
    }
}

/// The ids in each catalogue list, by list name, as `build.rs` read them from the catalogue
/// seeds: checking an instrument needs no catalogue parser (the browser build checks every
/// instrument it loads and reads nothing else of the catalogue).
const CATALOGUE_IDS: &[(&str, &[&str])] = &include!(concat!(env!("OUT_DIR"), "/catalogue_ids.rs"));

/// A column of a table question.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a column: an object")]
pub struct Column {
    /// Stable id, unique within the table.
    pub id: String,
    /// Heading.
    pub label: String,
    /// Whether every row needs this cell.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// What the cell holds.
    pub kind: ColumnKind,
}

/// What a table cell holds (cells are saved as strings).
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
#[json(expected = "a column kind: an object with a type")]
pub enum ColumnKind {
    /// Free text.
    Text,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One of these option ids.
    Choice {
        /// The options.
        options: Vec<Choice>,
    },
    /// The id of an item of another question (e.g. the inequality an action addresses: a
    /// checklist item).
    ItemOf {
        /// The question whose items may be named.
        question: QuestionId,
    },
}

/// A condition on the answers: when a question is shown, when a gap is reported.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
#[json(expected = "a condition: an object with one field")]
pub enum Condition {
    /// The question has an answer.
    Answered(QuestionId),
    /// A single-choice or rating question's answer is this option.
    Equals {
        /// The question.
        question: QuestionId,
        /// The option id.
        option: String,
    },
    /// A multiple-choice answer includes this option.
    Includes {
        /// The question.
        question: QuestionId,
        /// The option id.
        option: String,
    },
    /// At least one item of this family of a checklist was considered.
    FamilyConsidered {
        /// The checklist question.
        question: QuestionId,
        /// The family.
        family: String,
    },
    /// A checklist item was considered.
    ItemConsidered {
        /// The checklist question.
        question: QuestionId,
        /// The item id.
        item: String,
    },
    /// A checklist has an item whose impact is negative with no table row naming it.
    NegativeImpactWithoutAction {
        /// The checklist question.
        checklist: QuestionId,
        /// The table of actions.
        table: QuestionId,
        /// The table's column naming the checklist item.
        column: String,
    },
    /// The evidence table has no dimension with two or more estimates.
    NotQuantified(QuestionId),
    /// All hold.
    AllOf(Vec<Condition>),
    /// Any holds.
    AnyOf(Vec<Condition>),
    /// It does not hold.
    Not(Box<Condition>),
}

/// A gap to report when its condition holds, with what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a gap: an object")]
pub struct GapRule {
    /// Stable id (`no_inclusion_health`).
    pub id: String,
    /// The gap, in a phrase.
    pub title: String,
    /// What to do about it.
    pub recommendation: String,
    /// Report the gap when this holds.
    pub when: Condition,
    /// The question to go back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
}

/// The scoring rubric: weighted criteria and rating bands. It rates how thorough the assessment
/// is, not the service assessed.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a rubric: an object")]
pub struct Rubric {
    /// Label shown with every score (says whose rubric it is and that it is not official).
    pub label: String,
    /// Bands by lowest overall score, ascending; the first must start at 0.
    pub bands: Vec<Band>,
    /// The criteria.
    pub criteria: Vec<Criterion>,
    /// For maturity instruments: how many next objectives to list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_objectives: Option<u32>,
}

/// A rating band.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a band: an object")]
pub struct Band {
    /// Stable id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Lowest overall score (0–100) in the band.
    pub min: f64,
    /// What the band means.
    pub meaning: String,
}

/// One criterion: up to `weight` points, earned by its rule.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[json(expected = "a criterion: an object")]
pub struct Criterion {
    /// Stable id.
    pub id: String,
    /// Label in the report.
    pub label: String,
    /// The section whose score it counts towards (all criteria count towards the overall).
    pub section: String,
    /// Points available.
    pub weight: f64,
    /// How the points are earned.
    pub rule: Rule,
}

/// How a criterion earns its points: each gives a share in 0..=1 of the weight.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
#[json(expected = "a rule: an object with a type")]
pub enum Rule {
    /// Share of the section's visible questions answered.
    Completeness,
    /// Share of a checklist's items considered.
    Breadth {
        /// The checklist.
        question: QuestionId,
    },
    /// A rating's level: the weakest earns 0, the strongest all.
    Strength {
        /// The rating question.
        question: QuestionId,
    },
    /// Credit per chosen option of a choice question (summed, at most 1).
    Credit {
        /// The question.
        question: QuestionId,
        /// Share earned per option id.
        #[cfg_attr(feature = "ts", tsify(type = "Record<string, number>"))]
        credit: SortedMap<String, f64>,
    },
    /// Whether the evidence table quantifies a gap: a dimension with two or more estimates earns
    /// all; rows without two comparable estimates earn `partial`.
    Quantified {
        /// The evidence table.
        question: QuestionId,
        /// Share for evidence that does not yet quantify a gap.
        partial: f64,
    },
    /// Action quality: every action has each of `fields` filled, and every negative impact on
    /// the checklist has an action naming it.
    Actions {
        /// The actions table.
        table: QuestionId,
        /// Columns every action should fill (owner, due date, measure, linked inequality).
        fields: Vec<String>,
        /// The column naming the checklist item an action addresses.
        link: String,
        /// The checklist of impacts.
        checklist: QuestionId,
    },
    /// A date set within a window after another date.
    ReviewDate {
        /// The review date question.
        question: QuestionId,
        /// The date it counts from (e.g. the assessment date).
        from: QuestionId,
        /// Earliest months after `from` for full credit.
        min_months: u32,
        /// Latest months after `from` for full credit.
        max_months: u32,
        /// Share for a date set outside the window (or without `from`).
        outside: f64,
    },
    /// Mean level of the section's rating questions (maturity).
    Maturity,
}

/// A problem in an instrument file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InstrumentError {
    /// Not valid JSON or not the instrument format.
    #[error("instrument is not valid: {0}")]
    Parse(String),
    /// Something in it does not hold together.
    #[error("instrument {instrument} v{version}: {problem}")]
    Invalid {
        /// Instrument id.
        instrument: String,
        /// Version.
        version: u32,
        /// What is wrong, naming the id.
        problem: String,
    },
}

impl Instrument {
    /// Parse and check an instrument file.
    ///
    /// # Errors
    /// The text is not an instrument, or its parts do not hold together ([`Instrument::check`]).
    pub fn from_json(text: &str) -> Result<Self, InstrumentError> {
        let i = Self::read(text)?;
        i.check()?;
        Ok(i)
    }

    /// Parse an instrument file without checking it.
    pub(crate) fn read(text: &str) -> Result<Self, InstrumentError> {
        Ok(Self::read_with_json(text)?.0)
    }

    /// [`Instrument::read`], keeping the parsed JSON too.
    pub(crate) fn read_with_json(text: &str) -> Result<(Self, Value), InstrumentError> {
        let parse = |e: ReadError| InstrumentError::Parse(e.to_string());
        let json = read::parse(text).map_err(parse)?;
        let instrument = <Self as FromJson>::from_json(&json, "").map_err(parse)?;
        Ok((instrument, json))
    }

    /// Every question, in form order, with its section.
    pub fn questions(&self) -> impl Iterator<Item = (&Section, &Question)> {
        self.sections
            .iter()
            .flat_map(|s| s.questions.iter().map(move |q| (s, q)))
    }

    /// A question by id.
    #[must_use]
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions()
            .map(|(_, q)| q)
            .find(|q| q.id.as_str() == id)
    }

    /// The band an overall score falls in.
    #[must_use]
    pub fn band(&self, score: f64) -> Option<&Band> {
        self.rubric.bands.iter().rev().find(|b| score >= b.min)
    }

    /// Check that the instrument holds together: ids unique (sections, questions, options,
    /// columns, criteria, gaps, bands), every condition, rule and role names an existing question
    /// of the right kind and existing options, catalogue ids exist, bands ascend from 0,
    /// weights are positive.
    ///
    /// # Errors
    /// The first problem found, naming the id.
    pub fn check(&self) -> Result<(), InstrumentError> {
        self.check_parts()
            .map_err(|problem| InstrumentError::Invalid {
                instrument: self.id.clone(),
                version: self.version,
                problem,
            })
    }

    /// [`Instrument::check`]'s steps, in order: ids, each question, roles, rubric, gaps.
    fn check_parts(&self) -> Result<(), String> {
        unique("section", self.sections.iter().map(|s| s.id.as_str()))?;
        unique("question", self.questions().map(|(_, q)| q.id.as_str()))?;
        self.check_previous_ids()?;
        // A list, not a B-tree set: lookups only, and no B-tree code in the wasm build for it.
        let all_ids: Vec<&str> = self.questions().map(|(_, q)| q.id.as_str()).collect();
        for (_, q) in self.questions() {
            self.check_question(q, &all_ids)
                .map_err(|p| format!("question {}: {p}", q.id))?;
        }
        self.check_roles().map_err(|p| format!("roles: {p}"))?;
        self.check_rubric()?;
        self.check_gaps()
    }

    /// An old answer can move to one place only: an id listed twice, by one question or by two,
    /// would be a silent choice.
    fn check_previous_ids(&self) -> Result<(), String> {
        // A list searched in turn, like `unique`: quadratic in the number of previous ids, which
        // are few; a sort would cost the browser build 3 KB.
        let mut previous: Vec<(&str, &str)> = Vec::new();
        for (_, q) in self.questions() {
            for old in &q.previous_ids {
                if let Some((_, first)) = previous.iter().find(|(seen, _)| *seen == old.as_str()) {
                    return Err(format!(
                        "previous id {old} is listed by question {first} and again by question {}",
                        q.id
                    ));
                }
                previous.push((old.as_str(), q.id.as_str()));
            }
        }
        Ok(())
    }

    /// One question: its options, catalogue ids, previous ids (none still in use: `all_ids`),
    /// what its kind needs, and its visibility condition.
    fn check_question(&self, q: &Question, all_ids: &[&str]) -> Result<(), String> {
        unique("option", q.kind.choices().iter().map(|c| c.id.as_str()))?;
        for c in q.kind.choices() {
            if let Some(list) = c.catalogue
                && !list.contains(&c.id)
            {
                return Err(format!(
                    "option {:?} is not in the catalogue list {}",
                    c.id,
                    list.as_str()
                ));
            }
        }
        for old in &q.previous_ids {
            if all_ids.contains(&old.as_str()) {
                return Err(format!("previous id {old} is still in use"));
            }
        }
        match &q.kind {
            Kind::SingleChoice { options } | Kind::MultipleChoice { options }
                if options.is_empty() =>
            {
                return Err("has no options".into());
            }
            Kind::Rating { levels } if levels.len() < 2 => {
                return Err("a rating needs at least two levels".into());
            }
            Kind::DimensionChecklist { items } => {
                if items.is_empty() {
                    return Err("has no items".into());
                }
                if let Some(c) = items.iter().find(|c| c.family.is_none()) {
                    return Err(format!("checklist item {:?} has no family", c.id));
                }
            }
            Kind::Table { columns } => {
                unique("column", columns.iter().map(|c| c.id.as_str()))?;
                for c in columns {
                    if let ColumnKind::ItemOf { question } = &c.kind {
                        self.need(
                            question,
                            &["dimension_checklist", "multiple_choice", "single_choice"],
                        )
                        .map_err(|p| format!("column {}: {p}", c.id))?;
                    }
                }
            }
            _ => {}
        }
        if let Some(cond) = &q.visible_if {
            super::rules::condition::check(self, cond).map_err(|p| format!("visible_if: {p}"))?;
        }
        Ok(())
    }

    /// The questions with a role exist; the review and assessment dates' are dates.
    fn check_roles(&self) -> Result<(), String> {
        if let Some(q) = &self.roles.title {
            self.need(q, &[])?;
        }
        for q in [&self.roles.review_date, &self.roles.assessment_date]
            .into_iter()
            .flatten()
        {
            self.need(q, &["date"])?;
        }
        Ok(())
    }

    /// Bands unique and ascending from 0 within 0-100; criteria unique, each with a positive
    /// weight, a section that exists and a rule that holds together ([`super::rules::check`]).
    fn check_rubric(&self) -> Result<(), String> {
        let r = &self.rubric;
        unique("band", r.bands.iter().map(|b| b.id.as_str()))?;
        if r.bands.first().is_none_or(|b| b.min != 0.0) {
            return Err("the first rubric band must start at 0".into());
        }
        if r.bands.windows(2).any(|w| match w {
            [a, b] => a.min.partial_cmp(&b.min) != Some(std::cmp::Ordering::Less),
            _ => false,
        }) || r.bands.iter().any(|b| b.min > 100.0)
        {
            return Err("rubric bands must ascend strictly within 0-100".into());
        }
        unique("criterion", r.criteria.iter().map(|c| c.id.as_str()))?;
        for c in &r.criteria {
            let at = |p: String| format!("criterion {}: {p}", c.id);
            if !(c.weight.is_finite() && c.weight > 0.0) {
                return Err(at(format!("weight {} must be positive", Num(c.weight))));
            }
            if !self.sections.iter().any(|s| s.id == c.section) {
                return Err(at(format!("unknown section {:?}", c.section)));
            }
            super::rules::check(self, &c.rule).map_err(at)?;
        }
        Ok(())
    }

    /// Gaps unique, each with a condition that holds together and a question that exists.
    fn check_gaps(&self) -> Result<(), String> {
        unique("gap", self.gaps.iter().map(|g| g.id.as_str()))?;
        for g in &self.gaps {
            let at = |p: String| format!("gap {}: {p}", g.id);
            super::rules::condition::check(self, &g.when).map_err(at)?;
            if let Some(q) = &g.question {
                self.need(q, &[]).map_err(at)?;
            }
        }
        Ok(())
    }

    /// The question `id` exists and, when `kinds` is not empty, is one of them.
    pub(super) fn need(&self, id: &QuestionId, kinds: &[&str]) -> Result<&Question, String> {
        let q = self
            .question(id.as_str())
            .ok_or_else(|| format!("unknown question {id}"))?;
        if !kinds.is_empty() && !kinds.contains(&q.kind.name()) {
            return Err(format!(
                "question {id} is {}, expected {}",
                q.kind.name(),
                kinds.join(" or ")
            ));
        }
        Ok(q)
    }

    /// The question `id` exists, is one of `kinds`, and has the option `option`.
    pub(super) fn need_option(
        &self,
        id: &QuestionId,
        kinds: &[&str],
        option: &str,
    ) -> Result<(), String> {
        let q = self.need(id, kinds)?;
        if q.kind.choices().iter().any(|c| c.id == option) {
            Ok(())
        } else {
            Err(format!("question {id} has no option {option:?}"))
        }
    }

    /// The question `table` exists, is a table, and has the column `column`.
    pub(super) fn need_column(&self, table: &QuestionId, column: &str) -> Result<(), String> {
        match &self.need(table, &["table"])?.kind {
            Kind::Table { columns } if columns.iter().any(|c| c.id == column) => Ok(()),
            _ => Err(format!("table {table} has no column {column:?}")),
        }
    }
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = Vec::new();
    for id in ids {
        if id.trim().is_empty() {
            return Err(format!("a {what} id is empty"));
        }
        if seen.contains(&id) {
            return Err(format!("{what} id {id:?} is used twice"));
        }
        seen.push(id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every kind, column kind, condition and rule, with every optional field set: reading it
    /// and writing it back gives the same JSON, so the reader and the serialised form (and so
    /// the schema) agree on every name.
    #[test]
    fn every_variant_reads_back_as_written() {
        let choice = json!({"id": "a", "label": "A", "help": "h", "family": "f",
            "catalogue": "clinical_areas"});
        let q = |id: &str, kind: Value| json!({"id": id, "label": "L", "kind": kind});
        let conditions = json!({"all_of": [
            {"answered": "q1"},
            {"equals": {"question": "q1", "option": "a"}},
            {"includes": {"question": "q2", "option": "a"}},
            {"family_considered": {"question": "q3", "family": "f"}},
            {"item_considered": {"question": "q3", "item": "a"}},
            {"negative_impact_without_action": {"checklist": "q3", "table": "q4", "column": "c"}},
            {"not_quantified": "q5"},
            {"any_of": [{"not": {"answered": "q6"}}]}
        ]});
        let rules = json!([
            {"type": "completeness"}, {"type": "breadth", "question": "q3"},
            {"type": "strength", "question": "q9"},
            {"type": "credit", "question": "q2", "credit": {"a": 0.5}},
            {"type": "quantified", "question": "q5", "partial": 0.25},
            {"type": "actions", "table": "q4", "fields": ["c"], "link": "c", "checklist": "q3"},
            {"type": "review_date", "question": "q7", "from": "q7", "min_months": 1,
             "max_months": 12, "outside": 0.5},
            {"type": "maturity"}
        ]);
        let criteria: Vec<Value> = rules
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| {
                json!({"id": "c", "label": "C", "section": "s", "weight": 1.0, "rule": rule})
            })
            .collect();
        let v = json!({
            "id": "all", "version": 2, "title": "T", "description": "D", "provenance": "P",
            "roles": {"title": "q6", "review_date": "q7"},
            "sections": [{"id": "s", "title": "S", "help": "H", "questions": [
                q("q1", json!({"type": "single_choice", "options": [choice]})),
                q("q2", json!({"type": "multiple_choice", "options": [choice]})),
                q("q3", json!({"type": "dimension_checklist", "items": [choice]})),
                q("q4", json!({"type": "table", "columns": [
                    {"id": "c", "label": "C", "required": true, "kind": {"type": "item_of", "question": "q3"}},
                    {"id": "d", "label": "D", "kind": {"type": "date"}},
                    {"id": "e", "label": "E", "kind": {"type": "text"}},
                    {"id": "f", "label": "F", "kind": {"type": "choice", "options": [choice]}}
                ]})),
                q("q5", json!({"type": "evidence_table"})),
                {"id": "q6", "label": "L", "help": "H", "required": true,
                 "visible_if": conditions, "previous_ids": ["old"], "next_step": "N",
                 "kind": {"type": "text", "multiline": true}},
                q("q7", json!({"type": "date"})),
                q("q8", json!({"type": "number", "min": 0.5, "max": 9.0, "unit": "%"})),
                q("q9", json!({"type": "rating", "levels": [choice]}))
            ]}],
            "rubric": {"label": "R", "max_objectives": 3,
                "bands": [{"id": "b", "label": "B", "min": 0.0, "meaning": "M"}],
                "criteria": criteria},
            "gaps": [{"id": "g", "title": "G", "recommendation": "R", "when": {"answered": "q1"},
                "question": "q1"}]
        });
        let read = <Instrument as FromJson>::from_json(&v, "").unwrap();
        assert_eq!(serde_json::to_value(&read).unwrap(), v);
    }

    #[test]
    fn catalogue_id_table_matches_the_catalogue() {
        let c = crate::catalogue::Catalogue::builtin();
        let ids = |items: Vec<&String>| items.into_iter().cloned().collect::<Vec<_>>();
        let lists = [
            (
                CatalogueList::ProtectedCharacteristics,
                ids(c
                    .protected_characteristics
                    .items
                    .iter()
                    .map(|x| &x.id)
                    .collect()),
            ),
            (
                CatalogueList::InclusionHealthGroups,
                ids(c
                    .groups
                    .inclusion_health_groups
                    .iter()
                    .map(|x| &x.id)
                    .collect()),
            ),
            (
                CatalogueList::PlusExamples,
                ids(c.groups.plus_examples.iter().map(|x| &x.id).collect()),
            ),
            (
                CatalogueList::CypPlusAdditional,
                ids(c.groups.cyp_plus_additional.iter().map(|x| &x.id).collect()),
            ),
            (
                CatalogueList::ClinicalAreas,
                ids(c.clinical_areas.areas.iter().map(|x| &x.id).collect()),
            ),
            (
                CatalogueList::StrategicPriorities,
                ids(c
                    .strategic_priorities
                    .priorities
                    .iter()
                    .map(|x| &x.id)
                    .collect()),
            ),
        ];
        assert_eq!(CATALOGUE_IDS.len(), lists.len());
        for (list, parsed) in lists {
            let (_, table) = CATALOGUE_IDS
                .iter()
                .find(|(name, _)| *name == list.as_str())
                .unwrap_or_else(|| panic!("{} missing from the table", list.as_str()));
            assert!(!parsed.is_empty(), "{}", list.as_str());
            assert_eq!(
                *table,
                parsed.iter().map(String::as_str).collect::<Vec<_>>()
            );
            assert!(parsed.iter().all(|id| list.contains(id)));
        }
        assert!(!CatalogueList::ClinicalAreas.contains("height"));
    }

    #[test]
    fn reading_errors_name_the_place() {
        let text = r#"{"id": "x", "version": 1, "title": "T", "description": "D",
            "provenance": "P", "sections": [{"id": "s", "title": "S", "questions": [
            {"id": "q", "label": "L", "kind": {"type": "text"}, "visible_if": {"maybe": "q"}}]}],
            "rubric": {"label": "R", "bands": [], "criteria": []}}"#;
        let e = Instrument::from_json(text).unwrap_err().to_string();
        assert_eq!(
            e,
            "instrument is not valid: at /sections/0/questions/0/visible_if/maybe: unknown \
             field; expected one of answered, equals, includes, family_considered, \
             item_considered, negative_impact_without_action, not_quantified, all_of, any_of, not"
        );
        let e = Instrument::from_json("{").unwrap_err().to_string();
        assert_eq!(
            e,
            "instrument is not valid: not valid JSON at line 1 column 1: EOF while parsing an object"
        );
    }
}
