// @ts-check
// `/<instrument>/import`: read a saved file through the engine's loader (so an older file is
// migrated and a broken one refused, the draft untouched), and `/<instrument>/import/confirm`:
// "Replace your current answers?" when the draft already has some.

import { h } from "../dom.js";
import * as eng from "../engine.js";
import { sentence } from "../form.js";
import { inUse, use, store, messageOf } from "../drafts.js";
import { hasAnswers } from "../answers.js";
import { when } from "../format.js";
import { errorSummary, submitButton } from "../components.js";

/** @import { App, Page, ShownPage } from "../app.js" */
/** @import { NoteOut } from "../engine.js" */

/** The file input's id (and name). */
const FILE_INPUT = "import-file";

/**
 * A migration note as a sentence.
 *
 * @param {NoteOut} n - The note
 * @returns {string} The sentence
 */
function noteText(n) {
  return sentence(n.message || String(n));
}

/**
 * The import page; with `error`, why the last file was refused.
 *
 * @param {App} app - The app
 * @param {string} [error] - The error to show at the file input
 * @returns {ShownPage} The page
 */
export function importPage(app, error) {
  const { state } = app;
  const { id: currentId } = inUse(app);
  const fid = FILE_INPUT;
  /** @param {string} message - Why the file was refused */
  const refuse = (message) => app.show(importPage(app, message));
  /** @param {SubmitEvent} e - "Upload and import" */
  const onSubmit = async (e) => {
    e.preventDefault();
    const input = form.querySelector(`#${fid}`);
    const file = input instanceof HTMLInputElement && input.files ? input.files[0] : undefined;
    if (!file) {
      refuse("Select a JSON file to import");
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (err) {
      refuse(`The file ${file.name} could not be read: ${messageOf(err)}`);
      return;
    }
    let loaded;
    try {
      loaded = eng.loadAssessment(text);
    } catch (err) {
      refuse(`The file ${file.name} could not be imported: ${messageOf(err)}`);
      return;
    }
    const id = loaded.assessment.instrument.id;
    if (state.fixed && id !== state.fixed) {
      refuse(`The file ${file.name} holds answers to "${id}", but this page assesses "${state.fixed}"`);
      return;
    }
    state.pendingImport = { ...loaded, fileName: file.name };
    use(app, id);
    if (hasAnswers(state.saved)) app.navigate(`/${id}/import/confirm`);
    else applyImport(app);
  };
  const form = h(
    "form",
    { novalidate: true, on: { submit: onSubmit } },
    h(
      "div",
      { class: error ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" },
      h(
        "h1",
        { class: "nhsuk-label-wrapper", tabindex: "-1" },
        h("label", { class: "nhsuk-label nhsuk-label--l", for: fid }, "Import answers from a file"),
      ),
      h(
        "div",
        { class: "nhsuk-hint", id: `${fid}-hint` },
        "Choose a file you downloaded from equitas (it ends in .json). Older files are brought up to date; you will see what changed.",
      ),
      error
        ? h(
            "span",
            { class: "nhsuk-error-message", id: `${fid}-error` },
            h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
            error,
          )
        : null,
      h("input", {
        class: `nhsuk-file-upload${error ? " nhsuk-file-upload--error" : ""}`,
        id: fid,
        name: fid,
        type: "file",
        accept: ".json,application/json",
        "aria-describedby": error ? `${fid}-hint ${fid}-error` : `${fid}-hint`,
      }),
    ),
    submitButton("Upload and import"),
  );
  const summary = error ? errorSummary([{ href: `#${fid}`, text: error }]) : null;
  return {
    title: "Import answers from a file",
    back: { href: `/${currentId}/tasks`, text: "Back to your assessment" },
    nodes: [
      summary,
      form,
      h("p", { class: "nhsuk-body" }, "If the file cannot be imported, your current answers are not changed."),
    ],
    focus: summary,
    errorsShown: !!error,
  };
}

/**
 * Replace the draft with the file waiting in `state.pendingImport`, save it now, and go to the
 * task list with a banner listing what migrating the file changed.
 *
 * @param {App} app - The app
 */
function applyImport(app) {
  const { state } = app;
  const p = state.pendingImport;
  if (!p) return;
  state.pendingImport = null;
  const id = p.assessment.instrument.id;
  use(app, id);
  state.saved = p.assessment;
  state.cellErrors.clear();
  state.rawValues.clear();
  app.saver.cancel();
  const ok = store(app, inUse(app).key, p.assessment);
  state.flash = {
    title: ok
      ? `Your answers from ${p.fileName} have been imported.`
      : `Your answers from ${p.fileName} have been imported, but could not be saved in this browser.`,
    lines: (p.notes || []).map(noteText),
  };
  app.navigate(`/${id}/tasks`);
}

/**
 * "Replace your current answers?", for the file waiting in `state.pendingImport` (without one,
 * back to the import page).
 *
 * @param {App} app - The app
 * @returns {Page} The page
 */
export function importConfirmPage(app) {
  const { state } = app;
  const { id, saved } = inUse(app);
  const p = state.pendingImport;
  if (!p) return { redirect: `/${id}/import` };
  const keep = () => {
    state.pendingImport = null;
    state.flash = { title: "Nothing was imported. Your answers have not changed." };
    app.navigate(`/${inUse(app).id}/tasks`);
  };
  return {
    title: "Replace your current answers?",
    back: { href: `/${id}/import` },
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Replace your current answers?"),
      h(
        "p",
        { class: "nhsuk-body" },
        `You already have answers saved in this browser (last changed ${when(saved.updated)}). Importing ${p.fileName} replaces all of them.`,
      ),
      p.notes && p.notes.length
        ? [
            h("p", { class: "nhsuk-body" }, "The file was brought up to date:"),
            h(
              "ul",
              { class: "nhsuk-list nhsuk-list--bullet" },
              p.notes.map((n) => h("li", {}, noteText(n))),
            ),
          ]
        : null,
      h(
        "div",
        { class: "nhsuk-button-group" },
        h(
          "button",
          { class: "nhsuk-button nhsuk-button--warning", type: "button", on: { click: () => applyImport(app) } },
          "Replace my answers",
        ),
        h(
          "button",
          { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: keep } },
          "Keep my current answers",
        ),
      ),
    ],
  };
}
