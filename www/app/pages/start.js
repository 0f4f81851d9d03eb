// @ts-check
// `/`: the start page. What the assessment is, what its score means, privacy; a banner for each
// draft found in this browser, a warning for each that could not be opened; Start now.

import { h, safeId } from "../dom.js";
import { findDrafts, listInstruments } from "../drafts.js";
import { when } from "../format.js";
import { unreadableNotices } from "./unreadable.js";
import { undoBanner, undoDelete, nameOf } from "./assessments.js";

/** @import { App, ShownPage } from "../app.js" */
/** @import { RestoredDraft } from "../state.js" */

/**
 * The banner offering a draft found in this browser: continue it, or delete it.
 *
 * @param {RestoredDraft} d - The draft
 * @param {boolean} several - Whether there are other such banners (the links then say which)
 * @returns {HTMLElement} The banner
 */
function restoredBanner(d, several) {
  const titleId = safeId("restored", d.id, "title");
  return h(
    "div",
    { class: "nhsuk-notification-banner", role: "region", "aria-labelledby": titleId, "data-testid": "restore-banner" },
    h(
      "div",
      { class: "nhsuk-notification-banner__header" },
      h("h2", { class: "nhsuk-notification-banner__title", id: titleId }, "Important"),
    ),
    h(
      "div",
      { class: "nhsuk-notification-banner__content" },
      h("p", { class: "nhsuk-notification-banner__heading" }, `We restored your draft from ${when(d.updated)}`),
      h("p", { class: "nhsuk-body" }, `Your answers to "${d.title}" were saved in this browser.`),
      h(
        "div",
        { class: "nhsuk-button-group" },
        h(
          "a",
          { class: "nhsuk-button", href: `#/${d.id}/tasks`, role: "button", draggable: "false" },
          "Continue with your draft",
          several ? h("span", { class: "nhsuk-u-visually-hidden" }, ` of ${d.title}`) : null,
        ),
        h(
          "a",
          { class: "nhsuk-link", href: `#/${d.id}/delete` },
          "Delete my answers",
          several ? h("span", { class: "nhsuk-u-visually-hidden" }, ` to ${d.title}`) : null,
        ),
      ),
    ),
  );
}

/**
 * The start page. With one instrument offered (`options.instrument`) it is that instrument's.
 *
 * @param {App} app - The app
 * @returns {ShownPage} The page
 */
export function startPage(app) {
  const { fixed } = app.state;
  findDrafts(app);
  const { restored } = app.state;
  const only = fixed ? listInstruments(app)[0] : null;
  const startHref = fixed ? `#/${fixed}/tasks` : "#/choose";
  const importHref = fixed ? `#/${fixed}/import` : `#/${listInstruments(app)[0]?.id}/import`;
  return {
    title: only ? only.title : "Health equity self-assessment",
    nodes: [
      app.library && app.state.undo ? undoBanner(nameOf(app.state.undo), () => undoDelete(app)) : null,
      restored.map((d) => restoredBanner(d, restored.length > 1)),
      unreadableNotices(app),
      h(
        "h1",
        { class: "nhsuk-heading-xl", tabindex: "-1" },
        only ? only.title : "Assess how your work affects health inequalities",
      ),
      h(
        "p",
        { class: "nhsuk-body-l" },
        only
          ? only.description
          : "Work through a structured self-assessment of a service, programme or policy, or of your organisation's maturity on health inequalities, and get a report with the gaps to close and the actions to take.",
      ),
      h("h2", { class: "nhsuk-heading-m" }, "What the score means"),
      h(
        "p",
        { class: "nhsuk-body" },
        "The score rates how thorough your assessment is: how widely you looked, how good your evidence is and whether your actions are owned and reviewed. It does not rate the service itself, and it is not an official score.",
      ),
      h("h2", { class: "nhsuk-heading-m" }, "Your privacy"),
      h(
        "p",
        { class: "nhsuk-body" },
        "Your answers stay in this browser; nothing is sent anywhere. They are saved on this device as you type, so you can close the page and come back. Download your answers to keep a copy or to share them.",
      ),
      h("p", { class: "nhsuk-body" }, "It takes about 30 to 60 minutes. You do not need to finish in one go."),
      h(
        "a",
        {
          class: "nhsuk-button nhsuk-button--start",
          href: startHref,
          role: "button",
          draggable: "false",
          "data-testid": "start-now",
        },
        "Start now",
      ),
      app.library
        ? h(
            "p",
            { class: "nhsuk-body" },
            h("a", { href: "#/assessments", "data-testid": "your-assessments" }, "Your assessments"),
            `: the ${app.library.records.size === 1 ? "one" : app.library.records.size} saved in this browser, with a portfolio summary; import files and download them.`,
          )
        : null,
      h(
        "p",
        { class: "nhsuk-body" },
        h("a", { href: importHref }, "Import answers from a file"),
        " you downloaded before.",
      ),
    ],
  };
}
