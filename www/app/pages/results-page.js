// @ts-check
// `/<instrument>/results`: the report (drawn by results.js, loaded when first needed), every
// answer (folded on screen, in full on paper), print, download. Reached by "Submit and see
// results", the page also tells the host the assessment is complete (`equitas:completed`).

import { h, clear } from "../dom.js";
import * as eng from "../engine.js";
import { inUse } from "../drafts.js";
import { summaryList } from "../components.js";

/** @import { App, ShownPage } from "../app.js" */

/**
 * Every section's answers, read-only: the page's "All your answers" and its print.
 *
 * @param {App} app - The app
 * @returns {HTMLElement[][]} A heading and a summary list per section
 */
function allAnswers(app) {
  const assessment = inUse(app);
  const vis = new Set(eng.visibleQuestions(assessment.saved));
  return assessment.inst.sections.map((s) => [
    h("h3", { class: "nhsuk-heading-s" }, s.title),
    summaryList(assessment, s, vis, null),
  ]);
}

/**
 * The results of the assessment in use. An unfinished assessment is still scored (it rates what
 * is there); results.js lists what still needs attention, so this page adds no warning of its own.
 *
 * @param {App} app - The app
 * @returns {ShownPage} The page
 */
export function resultsPage(app) {
  const { state, root } = app;
  const { id, inst, saved } = inUse(app);
  const model = eng.scoreAssessment(saved);
  const report = model.report;
  const errors = eng.validateAssessment(saved);
  const completed = state.completedNow && errors.length === 0;
  state.completedNow = false;
  const container = h("div", { class: "equitas-results", "data-testid": "results" });
  const details = h(
    "details",
    { class: "nhsuk-details equitas-screen-only" },
    h(
      "summary",
      { class: "nhsuk-details__summary" },
      h("span", { class: "nhsuk-details__summary-text" }, "All your answers"),
    ),
    h("div", { class: "nhsuk-details__text" }, allAnswers(app)),
  );
  const printAll = h(
    "section",
    { class: "equitas-print-only" },
    h("h2", { class: "nhsuk-heading-l" }, "All your answers"),
    allAnswers(app),
  );
  const wordStatus = h("p", { class: "nhsuk-body-s equitas-no-print", role: "status", "data-testid": "word-status" });
  /** @param {Event} ev - The click */
  const downloadWord = async (ev) => {
    const button = /** @type {HTMLButtonElement} */ (ev.currentTarget);
    button.disabled = true;
    wordStatus.textContent = "Writing the Word document…";
    try {
      // The .docx writer is a module of its own, fetched only now.
      const word = await import("../word.js");
      // The organisation's own instrument, when the assessment answers one (the team module
      // knows only the built-in ones).
      const { ownInstrumentTexts } = await import("../team.js");
      await word.downloadWord(saved, container, ownInstrumentTexts(app.library, saved.instrument.id));
      wordStatus.textContent = "The Word document has been downloaded.";
    } catch (e) {
      wordStatus.textContent = `The Word document could not be written: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      button.disabled = false;
    }
  };
  const actions = h(
    "div",
    { class: "nhsuk-button-group equitas-no-print" },
    h(
      "button",
      { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: () => window.print() } },
      "Print or save as PDF",
    ),
    h(
      "button",
      { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: downloadWord } },
      "Download as Word (.docx)",
    ),
    h("a", { class: "nhsuk-link", href: `#/${id}/export` }, "Download your answers (JSON)"),
    h("a", { class: "nhsuk-link", href: `#/${id}/tasks` }, "Back to your assessment"),
  );
  const after = async () => {
    try {
      const mod = await import("../results.js");
      // The page's h1 is "Your results" above: the report's headings start at h2.
      await mod.renderResults(container, { model, assessment: saved, instrument: inst }, { level: 2 });
    } catch (e) {
      clear(container);
      container.append(
        h(
          "p",
          { class: "nhsuk-body-l" },
          `Overall: ${report.overall} out of 100 (${report.band && report.band.label}).`,
        ),
        h("p", { class: "nhsuk-body" }, report.rubric),
        h(
          "p",
          { class: "nhsuk-body-s" },
          "The detailed report could not be shown: ",
          e instanceof Error ? e.message : String(e),
        ),
      );
    }
    if (completed) {
      root.dispatchEvent(
        new CustomEvent("equitas:completed", {
          bubbles: true,
          detail: {
            instrument: { ...saved.instrument },
            overall: report.overall,
            band: report.band ? report.band.label : null,
          },
        }),
      );
    }
  };
  return {
    title: "Your results",
    back: { href: `/${id}/tasks`, text: "Back to your assessment" },
    nodes: [
      h("span", { class: "nhsuk-caption-l" }, inst.title),
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Your results"),
      container,
      details,
      printAll,
      actions,
      wordStatus,
    ],
    after,
  };
}
