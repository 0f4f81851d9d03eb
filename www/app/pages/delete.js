// @ts-check
// `/<instrument>/delete`: "Delete my answers", after a confirmation.

import { h } from "../dom.js";
import * as eng from "../engine.js";
import { deleteDraft } from "../storage.js";
import { inUse, dropPending } from "../drafts.js";
import { newId } from "../library.js";

/** @import { App, ShownPage } from "../app.js" */

/**
 * The confirmation; "Delete my answers" removes the draft from storage (a blocked unreadable draft
 * under its key too: the person asked for everything there to go) and starts a new one.
 *
 * @param {App} app - The app
 * @returns {ShownPage} The page
 */
export function deletePage(app) {
  const { state } = app;
  const { id, inst } = inUse(app);
  const remove = async () => {
    app.saver.cancel();
    const { key } = inUse(app);
    const record = app.library?.get(key);
    if (app.library) dropPending(key);
    const ok = app.library ? !record || (await app.library.remove(key)) : deleteDraft(key);
    // In the library, "Undo delete" (start page, Your assessments) can put it back.
    if (ok && record) state.undo = record;
    if (ok) state.blocked.delete(key);
    state.saved = eng.newAssessment(id, new Date().toISOString());
    if (app.library) state.key = newId();
    state.cellErrors.clear();
    state.rawValues.clear();
    state.flash = {
      title: ok
        ? "Your answers have been deleted from this browser."
        : "Your answers could not be removed from this browser's storage.",
    };
    app.navigate("/");
  };
  return {
    title: "Are you sure you want to delete your answers?",
    back: { href: `/${id}/tasks` },
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Are you sure you want to delete your answers?"),
      h(
        "p",
        { class: "nhsuk-body" },
        `This removes every answer to "${inst.title}" saved in this browser. ${app.library ? "You can undo this until you delete another assessment." : "You cannot undo this."} `,
        h("a", { href: `#/${id}/export` }, "Download your answers"),
        " first if you want to keep a copy.",
      ),
      h(
        "div",
        { class: "nhsuk-button-group" },
        h(
          "button",
          { class: "nhsuk-button nhsuk-button--warning", type: "button", on: { click: remove } },
          "Delete my answers",
        ),
        h("a", { class: "nhsuk-link", href: `#/${id}/tasks` }, "No, keep my answers"),
      ),
    ],
  };
}
