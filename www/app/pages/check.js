// @ts-check
// The check-answers pages: `/<instrument>/check/<section>` (one section, "Confirm section") and
// `/<instrument>/check` (every section, "Submit and see results"). Each lists the answers with a
// Change link beside every one; submitting asks the engine for errors first and lists any left.

import { h } from "../dom.js";
import * as eng from "../engine.js";
import { questionById, sentence } from "../form.js";
import { inUse } from "../drafts.js";
import { errorSummary, submitButton, saveStatus, summaryList } from "../components.js";
import { sectionById, questionLink } from "../questions.js";
import { notFound } from "./errors.js";

/** @import { App, ShownPage, PageNodes } from "../app.js" */
/** @import { FieldError } from "../engine.js" */

/**
 * The engine's errors as error summary links to their questions (which come back to `from`).
 *
 * @param {App} app - The app
 * @param {FieldError[]} errors - The errors
 * @param {"check" | "all"} from - The check page the question pages come back to
 * @returns {{href: string, text: string}[]} The links
 */
function errorItems(app, errors, from) {
  const { id, inst } = inUse(app);
  return errors.map((e) => {
    const q = questionById(inst, e.question);
    return {
      href: questionLink(id, inst, e.question, from),
      text: q ? labelled(q.label, sentence(e.message)) : sentence(e.message),
    };
  });
}

/**
 * A question's label and a message about it: "Label: message", or "Label. Message" when the
 * label ends a sentence itself (never ".:" or "?:").
 *
 * @param {string} label - The question's label
 * @param {string} message - The message, as a sentence
 * @returns {string} The two together
 */
export function labelled(label, message) {
  const l = label.trim();
  return /[.?!:]$/.test(l) ? `${l} ${message}` : `${l}: ${message}`;
}

/**
 * The form at the foot of a check-answers page: on submit, `errorsNow()` from the engine; any
 * left → `showErrors()` redraws the page with them; none → save now and `proceed()`.
 *
 * @param {App} app - The app
 * @param {() => FieldError[]} errorsNow - The errors that stop the submission
 * @param {() => void} showErrors - Redraw the page with its errors
 * @param {() => void} proceed - Go on
 * @param {...PageNodes} children - The form's content
 * @returns {HTMLElement} The form
 */
function confirmForm(app, errorsNow, showErrors, proceed, ...children) {
  /** @param {SubmitEvent} e - The submission */
  const submit = (e) => {
    e.preventDefault();
    if (errorsNow().length) {
      showErrors();
      return;
    }
    app.saver.flush();
    proceed();
  };
  return h("form", { novalidate: true, on: { submit } }, ...children);
}

/**
 * One section's answers; with `showErrors`, its errors in a summary at the top.
 *
 * @param {App} app - The app
 * @param {string} sid - The section's id
 * @param {boolean} [showErrors] - Show the engine's errors for the section
 * @returns {ShownPage} The page
 */
export function checkSectionPage(app, sid, showErrors) {
  const assessment = inUse(app);
  const { id, inst, saved } = assessment;
  const s = sectionById(inst, sid);
  if (!s) return notFound();
  const vis = new Set(eng.visibleQuestions(saved));
  /** @returns {FieldError[]} The section's errors now */
  const sectionErrors = () => eng.validateAssessment(inUse(app).saved).filter((e) => e.section === sid);
  const errors = showErrors ? sectionErrors() : [];
  const summary = errors.length ? errorSummary(errorItems(app, errors, "check")) : null;
  const form = confirmForm(
    app,
    sectionErrors,
    () => app.show(checkSectionPage(app, sid, true)),
    () => {
      app.state.flash = { title: `You have completed the section ${s.title}.` };
      app.navigate(`/${id}/tasks`);
    },
    submitButton("Confirm section"),
  );
  return {
    title: `Check your answers: ${s.title}`,
    back: { href: `/${id}/tasks`, text: "Back to your assessment" },
    nodes: [
      summary,
      h("span", { class: "nhsuk-caption-l" }, inst.title),
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, `Check your answers: ${s.title}`),
      summaryList(assessment, s, vis, "check"),
      form,
      saveStatus(app),
    ],
    focus: summary,
    errorsShown: !!summary,
  };
}

/**
 * Every section's answers before the results; with `showErrors`, every error in a summary.
 *
 * @param {App} app - The app
 * @param {boolean} [showErrors] - Show the engine's errors
 * @returns {ShownPage} The page
 */
export function checkAllPage(app, showErrors) {
  const assessment = inUse(app);
  const { id, inst, saved } = assessment;
  const vis = new Set(eng.visibleQuestions(saved));
  const allErrors = () => eng.validateAssessment(inUse(app).saved);
  const errors = showErrors ? allErrors() : [];
  const summary = errors.length ? errorSummary(errorItems(app, errors, "all")) : null;
  const form = confirmForm(
    app,
    allErrors,
    () => app.show(checkAllPage(app, true)),
    () => {
      app.state.completedNow = true;
      app.navigate(`/${id}/results`);
    },
    h("h2", { class: "nhsuk-heading-m" }, "Now see your results"),
    h(
      "p",
      { class: "nhsuk-body" },
      "Your report scores how thorough the assessment is and lists the gaps to close. Your answers stay in this browser.",
    ),
    submitButton("Submit and see results"),
  );
  return {
    title: "Check your answers before you see your results",
    back: { href: `/${id}/tasks`, text: "Back to your assessment" },
    nodes: [
      summary,
      h("span", { class: "nhsuk-caption-l" }, inst.title),
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Check your answers before you see your results"),
      inst.sections.map((sec) => [
        h("h2", { class: "nhsuk-heading-m" }, sec.title),
        summaryList(assessment, sec, vis, "all"),
      ]),
      form,
    ],
    focus: summary,
    errorsShown: !!summary,
  };
}
