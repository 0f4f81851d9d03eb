//! What changed between two assessments with the same instrument (a scheme's first assessment
//! and its review): every question whose answer differs, in the form's order.

use serde::Serialize;

use super::annex::answer_words;
use super::answers::Answer;
use super::envelope::Assessment;
use super::instrument::{Instrument, Question, QuestionId, Section};

/// One question whose answer differs between the two assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Change {
    /// The question.
    pub question: QuestionId,
    /// Its section's title.
    pub section: String,
    /// Its label.
    pub label: String,
    /// The answer in the first assessment (none: not answered).
    pub before: Option<Answer>,
    /// The answer in the second (none: not answered).
    pub after: Option<Answer>,
}

/// Why two assessments cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// They answer different instruments (or versions of one).
    #[error(
        "cannot compare an assessment of {first} version {first_version} with one of {second} \
         version {second_version}: compare two assessments made with the same instrument"
    )]
    DifferentInstruments {
        /// The first's instrument.
        first: String,
        /// Its version.
        first_version: u32,
        /// The second's instrument.
        second: String,
        /// Its version.
        second_version: u32,
    },
}

/// A changed answer as a reader compares them: both answers in words (option labels, dates in
/// UK prose, tables a row to a line: [`answer_words`]), what the browser's compare lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ChangedAnswer {
    /// The question's id.
    pub question: String,
    /// Its section's title.
    pub section: String,
    /// Its label.
    pub label: String,
    /// The first assessment's answer in words (none: not answered).
    pub before: Option<String>,
    /// The second's.
    pub after: Option<String>,
}

/// The questions of `instrument` whose answers differ between `first` and `second`, in the
/// form's order. An answer that says nothing (a blank text, an empty list) counts as none.
///
/// # Errors
/// [`CompareError::DifferentInstruments`] when the two answer different instruments or
/// versions (their questions would not line up).
pub fn compare(
    instrument: &Instrument,
    first: &Assessment,
    second: &Assessment,
) -> Result<Vec<Change>, CompareError> {
    changed(instrument, first, second, |section, q, before, after| {
        Change {
            question: q.id.clone(),
            section: section.title.clone(),
            label: q.label.clone(),
            before: before.cloned(),
            after: after.cloned(),
        }
    })
}

/// [`compare`], each answer in words.
///
/// # Errors
/// As [`compare`].
pub fn compare_in_words(
    instrument: &Instrument,
    first: &Assessment,
    second: &Assessment,
) -> Result<Vec<ChangedAnswer>, CompareError> {
    let words = |q: &Question, a: Option<&Answer>| a.map(|a| answer_words(instrument, q, a));
    changed(instrument, first, second, |section, q, before, after| {
        ChangedAnswer {
            question: q.id.as_str().to_owned(),
            section: section.title.clone(),
            label: q.label.clone(),
            before: words(q, before),
            after: words(q, after),
        }
    })
}

/// `make` of each question whose answer differs, in the form's order.
fn changed<T>(
    instrument: &Instrument,
    first: &Assessment,
    second: &Assessment,
    make: impl Fn(&Section, &Question, Option<&Answer>, Option<&Answer>) -> T,
) -> Result<Vec<T>, CompareError> {
    if first.instrument != second.instrument {
        return Err(CompareError::DifferentInstruments {
            first: first.instrument.id.clone(),
            first_version: first.instrument.version,
            second: second.instrument.id.clone(),
            second_version: second.instrument.version,
        });
    }
    let mut out = Vec::new();
    for section in &instrument.sections {
        for q in &section.questions {
            let before = first.answers.answered(q.id.as_str());
            let after = second.answers.answered(q.id.as_str());
            if before != after {
                out.push(make(section, q, before, after));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::Registry;

    #[test]
    fn lists_only_the_changed_answers_in_form_order() {
        let registry = Registry::builtin().unwrap();
        let heat = registry.latest("heat").unwrap();
        let mut a = Assessment::new(heat, "2025-01-05T09:00:00Z");
        let mut b = Assessment::new(heat, "2026-01-05T09:00:00Z");
        let title = QuestionId::new("prepare.title");
        let scope = QuestionId::new("prepare.scope");
        a.answers
            .insert(title.clone(), Answer::Text("Clinics".into()));
        b.answers
            .insert(title.clone(), Answer::Text("Clinics".into()));
        b.answers
            .insert(scope.clone(), Answer::Text("Two a week".into()));
        // A blank answer is no answer: not a change.
        a.answers.insert(
            QuestionId::new("prepare.sponsor"),
            Answer::Text("  ".into()),
        );
        let words = compare_in_words(heat, &a, &b).unwrap();
        assert_eq!(words.len(), 1, "{words:?}");
        assert_eq!(
            (
                words[0].question.as_str(),
                words[0].before.as_deref(),
                words[0].after.as_deref()
            ),
            ("prepare.scope", None, Some("Two a week"))
        );
        let changes = compare(heat, &a, &b).unwrap();
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].question, scope);
        assert_eq!(changes[0].before, None);
        assert_eq!(changes[0].after, Some(Answer::Text("Two a week".into())));
        assert!(compare(heat, &a, &a).unwrap().is_empty());
    }

    #[test]
    fn refuses_different_instruments_naming_both() {
        let registry = Registry::builtin().unwrap();
        let heat = registry.latest("heat").unwrap();
        let maturity = registry.latest("hi-maturity").unwrap();
        let a = Assessment::new(heat, "2025-01-05T09:00:00Z");
        let b = Assessment::new(maturity, "2026-01-05T09:00:00Z");
        let e = compare(heat, &a, &b).unwrap_err().to_string();
        assert!(
            e.contains("heat version") && e.contains("hi-maturity version"),
            "{e}"
        );
    }
}
