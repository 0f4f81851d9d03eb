// @ts-check
// The two pages for when there is nothing to show: a route that names no page, and a failure.

import { h } from "../dom.js";
import { sentence } from "../form.js";

/** @import { ShownPage } from "../app.js" */

/**
 * "Page not found", with a link to the start.
 *
 * @returns {ShownPage} The page
 */
export function notFound() {
  return {
    title: "Page not found",
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Page not found"),
      h("p", { class: "nhsuk-body" }, h("a", { href: "#/" }, "Go to the start")),
    ],
  };
}

/**
 * "Sorry, there is a problem": what went wrong, in the engine's (or the browser's) words, and
 * that the saved answers are untouched.
 *
 * @param {unknown} e - What was thrown
 * @returns {ShownPage} The page
 */
export function errorPage(e) {
  const message = e ? /** @type {{message?: unknown}} */ (e).message : undefined;
  return {
    title: "Sorry, there is a problem",
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Sorry, there is a problem"),
      h("p", { class: "nhsuk-body" }, sentence(message ? String(message) : String(e))),
      h(
        "p",
        { class: "nhsuk-body" },
        "Your saved answers have not been changed. ",
        h("a", { href: "#/" }, "Go to the start"),
      ),
    ],
  };
}
