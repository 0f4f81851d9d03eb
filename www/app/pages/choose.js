// @ts-check
// `/choose`: which instrument to assess with (radios); Continue goes to its task list.

import { h } from "../dom.js";
import { listInstruments } from "../drafts.js";
import { errorSummary, submitButton } from "../components.js";

/** @import { App, ShownPage } from "../app.js" */

const ERROR = "Select which assessment you want to make";

/**
 * The choice of instrument; with `errors`, the error that none was chosen.
 *
 * @param {App} app - The app
 * @param {boolean} [errors] - Show the error (Continue was pressed with nothing chosen)
 * @returns {ShownPage} The page
 */
export function choosePage(app, errors) {
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
  const summary = errors ? errorSummary([{ href: "#instrument", text: ERROR }]) : null;
  return {
    title: "Which assessment do you want to make?",
    back: { href: "/" },
    nodes: [summary, form],
    focus: summary,
    errorsShown: !!errors,
  };
}
