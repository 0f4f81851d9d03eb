//! What changed between two assessments with the same instrument (a scheme's first assessment
//! and its review): every question whose answer differs, in the form's order.

use serde::Serialize;

use super::answers::Answer;
use super::envelope::Assessment;
use super::instrument::{Instrument, QuestionId};

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
                out.push(Change {
                    question: q.id.clone(),
                    section: section.title.clone(),
                    label: q.label.clone(),
                    before: before.cloned(),
                    after: after.cloned(),
                });
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
