// @ts-check
// `/choose`: which instrument to assess with (radios); Continue goes to its task list.

import { h } from "../dom.js";
import * as eng from "../engine.js";
import { listInstruments, messageOf } from "../drafts.js";
import { errorSummary, submitButton } from "../components.js";

/** @import { App, ShownPage } from "../app.js" */

const ERROR = "Select which assessment you want to make";

/**
 * The choice of instrument; with `errors`, the error that none was chosen.
 *
 * @param {App} app - The app
 * @param {boolean} [errors] - Show the error (Continue was pressed with nothing chosen)
 * @param {string} [fileError] - Why an instrument file could not be added
 * @returns {ShownPage} The page
 */
export function choosePage(app, errors, fileError) {
  const list = listInstruments(app);
  const current = app.state.id;
  const name = "instrument";
  const fs = h(
    "fieldset",
    { class: "nhsuk-fieldset", "aria-describedby": errors ? "instrument-error" : null },
    h(
      "legend",
      { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--l" },
      h("h1", { class: "nhsuk-fieldset__heading", tabindex: "-1" }, "Which assessment do you want to make?"),
    ),
    errors
      ? h(
          "span",
          { class: "nhsuk-error-message", id: "instrument-error" },
          h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
          ERROR,
        )
      : null,
    h(
      "div",
      { class: "nhsuk-radios" },
      list.map((i, n) => {
        const id = n === 0 ? "instrument" : `instrument-${i.id}`;
        return h(
          "div",
          { class: "nhsuk-radios__item" },
          h("input", {
            class: "nhsuk-radios__input",
            id,
            name,
            type: "radio",
            value: i.id,
            "aria-describedby": `instrument-${i.id}-hint`,
            props: { checked: i.id === current },
          }),
          h("label", { class: "nhsuk-label nhsuk-radios__label", for: id }, i.title),
          h("div", { class: "nhsuk-hint nhsuk-radios__hint", id: `instrument-${i.id}-hint` }, i.description),
        );
      }),
    ),
  );
  const form = h(
    "form",
    {
      novalidate: true,
      on: {
        submit: (e) => {
          e.preventDefault();
          const v = form.querySelector("input:checked");
          if (!(v instanceof HTMLInputElement)) {
            app.show(choosePage(app, true));
            return;
          }
          // With many assessments kept (the library), Continue starts a new one.
          app.navigate(app.library ? `/new/${v.value}` : `/${v.value}/tasks`);
        },
      },
    },
    h("div", { class: errors ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" }, fs),
    submitButton("Continue"),
  );
  const summary = errors
    ? errorSummary([{ href: "#instrument", text: ERROR }])
    : fileError
      ? errorSummary([{ href: "#instrument-file", text: fileError }])
      : null;
  return {
    title: "Which assessment do you want to make?",
    back: { href: "/" },
    nodes: [summary, form, ownInstrument(app, fileError)],
    focus: summary,
    errorsShown: !!summary,
  };
}

/**
 * "Use your organisation's own instrument": a file the engine checks (`addInstrument`) and,
 * once accepted, offered above and kept in this browser (IndexedDB, library.js) to be added
 * again each time the app starts.
 *
 * @param {App} app - The app
 * @param {string} [error] - Why the last file could not be added
 * @returns {HTMLElement | null} The form, or nothing when the page offers one instrument only
 */
function ownInstrument(app, error) {
  if (app.state.fixed) return null;
  const form = h(
    "form",
    {
      novalidate: true,
      "data-testid": "own-instrument",
      on: {
        submit: async (e) => {
          e.preventDefault();
          const input = /** @type {HTMLInputElement} */ (form.querySelector("#instrument-file"));
          const file = input.files?.[0];
          if (!file) {
            app.show(choosePage(app, false, "Choose an instrument file"));
            return;
          }
          const text = await file.text();
          /** @type {{id: string, version: number}} */
          let added;
          try {
            added = eng.addInstrument(text);
          } catch (err) {
            app.show(choosePage(app, false, `${file.name} could not be used: ${messageOf(err)}`));
            return;
          }
          const title = eng.instruments().find((i) => i.id === added.id)?.title ?? added.id;
          const kept = app.library
            ? await app.library.putInstrument({
                key: `${added.id}@${added.version}`,
                id: added.id,
                version: added.version,
                text,
                added: new Date().toISOString(),
              })
            : false;
          app.state.flash = kept
            ? { title: `"${title}" was added and is kept in this browser` }
            : {
                title: `"${title}" was added for this visit only`,
                lines: ["This browser could not keep it: add the file again next time."],
                kind: "warning",
              };
          app.show(choosePage(app));
        },
      },
    },
    h("h2", { class: "nhsuk-heading-m" }, "Use your organisation's own instrument"),
    h(
      "p",
      { class: "nhsuk-body" },
      "An instrument is a JSON file in the same format as the built-in ones: its sections, questions and how they are scored. The engine checks it before it is offered here, and it is kept in this browser.",
    ),
    h(
      "div",
      { class: `nhsuk-form-group${error ? " nhsuk-form-group--error" : ""}` },
      h("label", { class: "nhsuk-label", for: "instrument-file" }, "Instrument file"),
      error
        ? h(
            "span",
            { class: "nhsuk-error-message", id: "instrument-file-error" },
            h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
            error,
          )
        : null,
      h("input", {
        class: `nhsuk-file-upload${error ? " nhsuk-file-upload--error" : ""}`,
        id: "instrument-file",
        type: "file",
        accept: ".json,application/json",
        "aria-describedby": error ? "instrument-file-error" : null,
      }),
    ),
    h("button", { class: "nhsuk-button nhsuk-button--secondary", type: "submit" }, "Add instrument"),
  );
  return form;
}
