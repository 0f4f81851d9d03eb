// @ts-check
// The NHS.UK frontend pieces more than one page draws: the notification banner, the error
// summary, the submit button, the save status line and the summary list of a section's answers.
// Each is built with dom.js, so every text is a text node.

import { h } from "./dom.js";
import { formatAnswer } from "./form.js";
import { hasAnswers } from "./answers.js";
import { when } from "./format.js";
import { questionHref } from "./questions.js";

/** @import { App } from "./app.js" */
/** @import { Flash } from "./state.js" */
/** @import { Instrument, Section, SavedFile } from "./engine.js" */

/** What the app says when browser storage refuses the draft (full, or turned off). */
export const NOT_SAVED =
  "Your answers could not be saved in this browser (storage is full or turned off). Download them to keep a copy.";

/**
 * The banner a page shows once (`state.flash`): green "Success", or "Important" for kinds info
 * and warning (a warning without the success colour).
 *
 * @param {Flash} flash - What to say
 * @returns {HTMLElement} The banner
 */
export function notificationBanner(flash) {
  return h(
    "div",
    {
      class:
        flash.kind === "warning"
          ? "nhsuk-notification-banner"
          : "nhsuk-notification-banner nhsuk-notification-banner--success",
      role: "alert",
      "aria-labelledby": "equitas-flash-title",
      "data-testid": "notification",
    },
    h(
      "div",
      { class: "nhsuk-notification-banner__header" },
      h(
        "h2",
        { class: "nhsuk-notification-banner__title", id: "equitas-flash-title" },
        flash.kind === "info" || flash.kind === "warning" ? "Important" : "Success",
      ),
    ),
    h(
      "div",
      { class: "nhsuk-notification-banner__content" },
      h("p", { class: "nhsuk-notification-banner__heading" }, flash.title),
      flash.lines && flash.lines.length
        ? h(
            "ul",
            { class: "nhsuk-list nhsuk-list--bullet" },
            flash.lines.map((l) => h("li", {}, l)),
          )
        : null,
    ),
  );
}

/**
 * An error summary linking each problem to its field.
 *
 * @param {{href: string, text: string}[]} items - The links: `#<field id>` or a route, and the text
 * @param {string} [id] - Its title's id, unique on the page (a page with two summaries names each)
 * @returns {HTMLElement} The summary (focusable: pages focus it)
 */
export function errorSummary(items, id = "error-summary-title") {
  return h(
    "div",
    {
      class: "nhsuk-error-summary",
      "aria-labelledby": id,
      role: "alert",
      tabindex: "-1",
      "data-testid": "error-summary",
    },
    h("h2", { class: "nhsuk-error-summary__title", id }, "There is a problem"),
    h(
      "div",
      { class: "nhsuk-error-summary__body" },
      h(
        "ul",
        { class: "nhsuk-list nhsuk-error-summary__list" },
        items.map((it) => h("li", {}, h("a", { href: it.href }, it.text))),
      ),
    ),
  );
}

/**
 * A form's submit button.
 *
 * @param {string} text - Its text
 * @param {Record<string, string>} [attrs] - More attributes
 * @returns {HTMLElement} The button
 */
export function submitButton(text, attrs = {}) {
  return h("button", { class: "nhsuk-button", type: "submit", "data-module": "nhsuk-button", ...attrs }, text);
}

/**
 * The line saying whether the answers are being saved (updated by the autosave, app.js).
 *
 * @param {App} app - The app
 * @returns {HTMLElement} The status line
 */
export function saveStatus(app) {
  const { state } = app;
  const cls = "nhsuk-body-s equitas-save-status";
  if (state.key !== null && state.blocked.has(state.key)) {
    return h(
      "p",
      { class: cls, "data-testid": "save-status", role: "alert" },
      "Your answers are not being saved in this browser until the draft that could not be opened is removed. Download your answers to keep a copy.",
    );
  }
  if (state.lastSaveOk === false) return h("p", { class: cls, "data-testid": "save-status", role: "alert" }, NOT_SAVED);
  return h(
    "p",
    { class: cls, "data-testid": "save-status" },
    state.saved && hasAnswers(state.saved)
      ? `Your answers are saved in this browser as you type (last change ${when(state.saved.updated)}).`
      : "Your answers are saved in this browser as you type.",
  );
}

/**
 * A section's visible questions and their answers, as an NHS.UK summary list. With `from`, each
 * row has a Change link to its question, which comes back to `from` ("check": the section's
 * check page; "all": the check-all page); with null, the list is read-only (results, print).
 *
 * @param {{id: string, inst: Instrument, saved: SavedFile}} assessment - The assessment in use
 *   (drafts.js, `inUse`)
 * @param {Section} s - The section
 * @param {Set<string>} vis - The ids of the questions now visible
 * @param {"check" | "all" | null} from - Where Change links come back to, or null for none
 * @returns {HTMLElement} The list
 */
export function summaryList({ id, inst, saved }, s, vis, from) {
  const rows = s.questions
    .map((q, i) => /** @type {const} */ ([q, i]))
    .filter(([q]) => vis.has(q.id))
    .map(([q, i]) =>
      h(
        "div",
        { class: "nhsuk-summary-list__row" },
        h("dt", { class: "nhsuk-summary-list__key" }, q.label),
        h("dd", { class: "nhsuk-summary-list__value" }, formatAnswer(inst, q, saved.answers[q.id])),
        from === null
          ? null
          : h(
              "dd",
              { class: "nhsuk-summary-list__actions" },
              h(
                "a",
                { href: questionHref(id, s.id, i + 1, from) },
                "Change",
                h("span", { class: "nhsuk-u-visually-hidden" }, ` your answer to: ${q.label}`),
              ),
            ),
      ),
    );
  return h(
    "dl",
    { class: `nhsuk-summary-list${from === null ? " nhsuk-summary-list--no-border equitas-print-list" : ""}` },
    rows,
  );
}
