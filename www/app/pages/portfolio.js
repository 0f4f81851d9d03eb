// @ts-check
// `/portfolio`: the board view of the assessments kept in this browser, as `equitas assess
// summary` gives it (core's assessment/summary.rs through `summariseAssessments`): assessments
// per rating band, the commonest gaps, the dimensions least often considered, reviews overdue,
// each assessment linked. The page only draws what the engine computed.

import { h, clear } from "../dom.js";
import * as eng from "../engine.js";
import { errorSummary } from "../components.js";
import { displayName, readRecord } from "../drafts.js";
import { today } from "../format.js";

/** @import { App, Page } from "../app.js" */
/** @import { SavedFile } from "../engine.js" */
/** @import { StoredAssessment } from "../library.js" */

/** How many dimensions the page lists (least often considered first). */
const DIMENSIONS_SHOWN = 10;

/**
 * An assessment the engine can read, with its name.
 *
 * @typedef {object} Readable
 * @property {StoredAssessment} record - The record
 * @property {SavedFile} saved - Its saved file
 * @property {string} name - Its name
 */

/**
 * A table with a caption, header cells and rows of cells.
 *
 * @param {string} caption - The caption (shown as a heading)
 * @param {string[]} head - The column headings
 * @param {(Node | string)[][]} rows - The cells
 * @param {string} testid - Its test id
 * @returns {HTMLElement} The table
 */
function table(caption, head, rows, testid) {
  return h(
    "table",
    { class: "nhsuk-table", "data-testid": testid },
    h("caption", { class: "nhsuk-table__caption nhsuk-table__caption--m" }, caption),
    h(
      "thead",
      { class: "nhsuk-table__head" },
      h(
        "tr",
        { class: "nhsuk-table__row" },
        head.map((t) => h("th", { class: "nhsuk-table__header", scope: "col" }, t)),
      ),
    ),
    h(
      "tbody",
      { class: "nhsuk-table__body" },
      rows.map((r) =>
        h(
          "tr",
          { class: "nhsuk-table__row" },
          r.map((c) => h("td", { class: "nhsuk-table__cell" }, c)),
        ),
      ),
    ),
  );
}

/**
 * "Compare two assessments": two choices of the saved assessments and, when asked, each question
 * whose answer differs, both answers in words. The engine (the team module, fetched on the first
 * press) compares; the page lists what it says.
 *
 * @param {App} app - The app
 * @param {Readable[]} all - The readable assessments
 * @returns {HTMLElement} The section
 */
function compareSection(app, all) {
  const result = h("div", { "data-testid": "compare-result", "aria-live": "polite" });
  /**
   * One of the two choices.
   *
   * @param {string} id - The select's id
   * @param {string} label - Its label
   * @param {number} chosen - The index chosen at first
   * @returns {[HTMLElement, HTMLSelectElement]} The form group and the select
   */
  const choice = (id, label, chosen) => {
    const select = /** @type {HTMLSelectElement} */ (
      h(
        "select",
        { class: "nhsuk-select", id, name: id },
        all.map((r, i) =>
          h(
            "option",
            { value: String(i), ...(i === chosen ? { selected: "" } : {}) },
            `${r.name} (${r.record.instrument})`,
          ),
        ),
      )
    );
    return [
      h("div", { class: "nhsuk-form-group" }, h("label", { class: "nhsuk-label", for: id }, label), select),
      select,
    ];
  };
  const [firstGroup, first] = choice("compare-first", "First assessment (before)", Math.min(1, all.length - 1));
  const [secondGroup, second] = choice("compare-second", "Second assessment (after)", 0);
  const compare = async () => {
    clear(result);
    result.append(h("p", { class: "nhsuk-body" }, "Comparing…"));
    try {
      const a = all[Number(first.value)];
      const b = all[Number(second.value)];
      const { teamModule, ownInstrumentTexts } = await import("../team.js");
      const own = ownInstrumentTexts(app.library, a.saved.instrument.id);
      const team = await teamModule();
      const changes = team.compareAssessments(a.saved, b.saved, own);
      clear(result);
      result.append(
        changes.length
          ? table(
              `What changed from ${a.name} to ${b.name}`,
              ["Section", "Question", "Before", "After"],
              changes.map((c) => [c.section, c.label, c.before ?? "Not answered", c.after ?? "Not answered"]),
              "changes",
            )
          : h("p", { class: "nhsuk-body", "data-testid": "changes" }, "No answer differs between the two."),
      );
    } catch (e) {
      clear(result);
      result.append(errorSummary([{ href: "#compare-first", text: e instanceof Error ? e.message : String(e) }]));
    }
  };
  return h(
    "section",
    { "aria-labelledby": "compare-heading" },
    h("h2", { class: "nhsuk-heading-m", id: "compare-heading" }, "Compare two assessments"),
    h(
      "p",
      { class: "nhsuk-body" },
      "For a scheme's first assessment and its review: every question whose answer differs. Both must use the same instrument.",
    ),
    firstGroup,
    secondGroup,
    h("button", { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: compare } }, "Compare"),
    result,
  );
}

/**
 * The portfolio page.
 *
 * @param {App} app - The app
 * @returns {Page} The page
 */
export function portfolioPage(app) {
  const library = app.library;
  if (!library) return { redirect: "/" };
  app.saver.flush();
  /** @type {Readable[]} */
  const all = [];
  for (const record of library.list()) {
    const saved = readRecord(record);
    const title = eng.instruments().find((i) => i.id === record.instrument)?.title ?? record.instrument;
    if (saved) all.push({ record, saved, name: displayName(record, saved, title) });
  }
  /**
   * An assessment the summary names, linked: the engine calls the n-th one it was given
   * "assessment n" (`summariseAssessments`).
   *
   * @param {string} name - The engine's name for it
   * @returns {Node | string} Its name, linked to it
   */
  const link = (name) => {
    const m = /^assessment (\d+)$/.exec(name);
    const r = m ? all[Number(m[1]) - 1] : undefined;
    return r ? h("a", { href: `#/open/${encodeURIComponent(r.record.id)}` }, r.name) : name;
  };
  const asOf = today();
  const s = eng.summariseAssessments(
    all.map((r) => r.saved),
    asOf,
  );
  const titleOf = (/** @type {string} */ id) => eng.instruments().find((i) => i.id === id)?.title ?? id;

  const summaryNodes = all.length
    ? [
        h(
          "p",
          { class: "nhsuk-body", "data-testid": "portfolio-count" },
          `${s.assessments} ${s.assessments === 1 ? "assessment" : "assessments"} saved in this browser, as of ${asOf}.`,
        ),
        table(
          "Assessments by rating band",
          ["Instrument", "Band", "Assessments"],
          s.bands.map((b) => [titleOf(b.instrument), b.label, String(b.count)]),
          "bands",
        ),
        s.overdue.length
          ? table(
              "Reviews overdue",
              ["Assessment", "Review was due", "Days overdue"],
              s.overdue.map((o) => [link(o.name), o.review_date, String(o.days_overdue)]),
              "overdue",
            )
          : h("p", { class: "nhsuk-body", "data-testid": "overdue" }, "No review is overdue."),
        s.no_review_date.length
          ? [
              h("h2", { class: "nhsuk-heading-m" }, "No review date set"),
              h(
                "ul",
                { class: "nhsuk-list nhsuk-list--bullet", "data-testid": "no-review-date" },
                s.no_review_date.map((k) => h("li", {}, link(k))),
              ),
            ]
          : null,
        s.gaps.length
          ? table(
              "The commonest gaps",
              ["Instrument", "Gap", "Assessments with it"],
              s.gaps.map((g) => [titleOf(g.instrument), g.title, String(g.count)]),
              "gaps",
            )
          : null,
        s.dimensions.length
          ? table(
              "Dimensions least often considered",
              ["Instrument", "Dimension", "Considered in"],
              s.dimensions
                .slice(0, DIMENSIONS_SHOWN)
                .map((d) => [titleOf(d.instrument), d.label, `${d.considered} of ${d.of}`]),
              "dimensions",
            )
          : null,
      ]
    : h("p", { class: "nhsuk-body" }, "There are no saved assessments to summarise yet.");

  return {
    title: "Portfolio summary",
    back: { href: "/assessments", text: "Your assessments" },
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Portfolio summary"),
      summaryNodes,
      all.length > 1 ? compareSection(app, all) : null,
    ],
  };
}
