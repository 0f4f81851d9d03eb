// @ts-check
// Drafts the engine could not open: the warning the start page and the task list show for each
// (why, download, remove), and the page that removes one after a confirmation.

import { h } from "../dom.js";
import { deleteDraft, isSetAside } from "../storage.js";
import { listInstruments, unreadable, whyUnreadable } from "../drafts.js";
import { when, unreadableFileName } from "../format.js";
import { downloadText } from "../download.js";
import { notFound } from "./errors.js";

/** @import { App, ShownPage } from "../app.js" */
/** @import { UnreadableDraft } from "../drafts.js" */

/**
 * Download a draft that could not be opened, as it was stored.
 *
 * @param {UnreadableDraft} d - The draft
 */
function download(d) {
  downloadText(unreadableFileName(d.instrument, d.when, new Date()), d.text);
}

/**
 * A warning for each draft that could not be opened: what happened, download, remove.
 *
 * @param {App} app - The app
 * @param {string} [id] - Only this instrument's drafts (default: every instrument offered)
 * @returns {HTMLElement[]} The warnings
 */
export function unreadableNotices(app, id) {
  return unreadable(app, id).map((d) => {
    const inst = listInstruments(app).find((i) => i.id === d.instrument);
    const name = inst ? inst.title : d.instrument;
    const suffix = d.when ? ` (set aside ${when(d.when)})` : "";
    return h(
      "div",
      { class: "nhsuk-warning-callout", "data-testid": "unreadable-draft" },
      h(
        "h2",
        { class: "nhsuk-warning-callout__label" },
        h(
          "span",
          { role: "text" },
          h("span", { class: "nhsuk-u-visually-hidden" }, "Important: "),
          "A saved draft could not be opened",
        ),
      ),
      h("p", {}, `Answers to "${name}" saved in this browser${suffix} could not be opened: ${whyUnreadable(d)}.`),
      h(
        "p",
        {},
        d.blocked
          ? app.library
            ? "This browser's storage had no room to set them aside, so they are still where they were kept; your new answers are saved apart from them, in your list of assessments. Download them, then remove them from this browser."
            : "This browser's storage had no room to set them aside, so they are still where your draft is kept and your new answers are not being saved. Download them, then remove them from this browser."
          : "They have been kept in this browser, apart from your current answers, so nothing is lost. Download them to keep a copy, or to ask for help with them.",
      ),
      h(
        "div",
        { class: "nhsuk-button-group" },
        h(
          "button",
          {
            class: "nhsuk-button nhsuk-button--secondary",
            type: "button",
            "data-testid": "download-unreadable",
            on: { click: () => download(d) },
          },
          "Download the draft that could not be opened",
          h("span", { class: "nhsuk-u-visually-hidden" }, suffix),
        ),
        h(
          "a",
          { class: "nhsuk-link", href: `#/set-aside/${encodeURIComponent(d.key)}/remove` },
          "Remove it from this browser",
          h("span", { class: "nhsuk-u-visually-hidden" }, suffix),
        ),
      ),
    );
  });
}

/**
 * `/set-aside/<key>/remove`: remove a draft that could not be opened (set aside, or blocking its
 * key), after a confirmation.
 *
 * @param {App} app - The app
 * @param {string} key - The draft's storage key
 * @returns {ShownPage} The page
 */
export function removeUnreadablePage(app, key) {
  const { state } = app;
  const d = unreadable(app).find((x) => x.key === key);
  if (!d || !(isSetAside(key) || state.blocked.has(key))) return notFound();
  const remove = () => {
    const ok = deleteDraft(key);
    if (ok) state.blocked.delete(key);
    state.flash = {
      title: ok
        ? "The draft that could not be opened has been removed from this browser."
        : "The draft that could not be opened could not be removed from this browser's storage.",
    };
    app.navigate("/");
  };
  return {
    title: "Remove the draft that could not be opened?",
    back: { href: "/" },
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Remove the draft that could not be opened?"),
      h(
        "p",
        { class: "nhsuk-body" },
        "This removes those answers from this browser. You cannot undo this. Download them first if you want to keep a copy.",
      ),
      h(
        "p",
        { class: "nhsuk-body" },
        h(
          "button",
          { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: () => download(d) } },
          "Download the draft that could not be opened",
        ),
      ),
      h(
        "div",
        { class: "nhsuk-button-group" },
        h(
          "button",
          { class: "nhsuk-button nhsuk-button--warning", type: "button", on: { click: remove } },
          "Remove it",
        ),
        h("a", { class: "nhsuk-link", href: "#/" }, "No, keep it"),
      ),
    ],
  };
}
