// @ts-check
// `/<instrument>/export`: download the draft as the saved file `equitas assess` reads.

import { h } from "../dom.js";
import { inUse } from "../drafts.js";
import { exportFileName } from "../format.js";
import { downloadText } from "../download.js";

/** @import { App, ShownPage } from "../app.js" */

/**
 * Save a pending change, then download the draft in use as pretty-printed JSON.
 *
 * @param {App} app - The app
 */
function download(app) {
  app.saver.flush();
  const { id, saved } = inUse(app);
  downloadText(exportFileName(id, new Date()), `${JSON.stringify(saved, null, 2)}\n`);
}

/**
 * The download page.
 *
 * @param {App} app - The app
 * @returns {ShownPage} The page
 */
export function exportPage(app) {
  const { id } = inUse(app);
  return {
    title: "Download your answers",
    back: { href: `/${id}/tasks`, text: "Back to your assessment" },
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Download your answers"),
      h(
        "p",
        { class: "nhsuk-body" },
        `This saves every answer you have given, as a file called ${exportFileName(id, new Date())}. Keep it to back up your work, move it to another computer, or send it to a colleague who can import it here.`,
      ),
      h("p", { class: "nhsuk-body" }, "The file is made in this browser; nothing is sent anywhere."),
      h(
        "button",
        { class: "nhsuk-button", type: "button", on: { click: () => download(app) } },
        "Download your answers (JSON)",
      ),
      h("p", { class: "nhsuk-body" }, h("a", { href: `#/${id}/tasks` }, "Back to your assessment")),
    ],
  };
}
