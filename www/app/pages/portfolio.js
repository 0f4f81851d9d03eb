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
 * The most assessment files one folder summary reads (as many as one import takes): a folder
 * with more is refused whole, saying so, rather than summarised in part. Choose a smaller
 * folder, or some of its files.
 */
export const MAX_FOLDER_FILES = 500;

/**
 * The largest file a folder summary reads, in bytes (16 MiB): a saved assessment is tens of
 * kilobytes, so a larger file is named as unreadable, with its size, without being read.
 */
export const MAX_FOLDER_FILE_BYTES = 16 * 1024 * 1024;

/** The ids of the folder and the files inputs. */
const FOLDER_INPUT = "portfolio-folder";
const FILES_INPUT = "portfolio-files";

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
      result.append(
        errorSummary(
          [{ href: "#compare-first", text: e instanceof Error ? e.message : String(e) }],
          "compare-error-title",
        ),
      );
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
 * The summary of some assessments as the engine gives it (`summariseAssessments`): the bands,
 * the reviews overdue, those without a review date, the commonest gaps and the dimensions least
 * often considered.
 *
 * @param {ReturnType<typeof eng.summariseAssessments>} s - The engine's summary
 * @param {(name: string) => Node | string} link - An assessment the summary names, as shown
 * @param {string} count - The sentence that says what was summarised
 * @returns {(HTMLElement | HTMLElement[] | null)[]} The nodes
 */
function summaryView(s, link, count) {
  const titleOf = (/** @type {string} */ id) => eng.instruments().find((i) => i.id === id)?.title ?? id;
  return [
    h("p", { class: "nhsuk-body", "data-testid": "portfolio-count" }, count),
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
  ];
}

/**
 * One file of a folder read for the summary: its saved assessment, or why it could not be read.
 *
 * @param {File} file - The file
 * @returns {Promise<{saved: SavedFile} | {problem: string}>} What it holds
 */
async function readFile(file) {
  if (file.size > MAX_FOLDER_FILE_BYTES) {
    return {
      problem: `it is ${file.size.toLocaleString("en-GB")} bytes, larger than the ${MAX_FOLDER_FILE_BYTES.toLocaleString("en-GB")} a summary reads (an assessment is tens of kilobytes)`,
    };
  }
  try {
    return { saved: eng.loadAssessment(await file.text()).assessment };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * "Summarise a folder of files": a folder (or some files) chosen, each .json file read by the
 * engine and summarised as the saved ones are, WITHOUT saving anything; each file that cannot be
 * read named with the engine's reason, files that are not .json named as left out, and a way
 * back to the saved assessments' summary.
 *
 * @param {HTMLElement} shown - The element the summary is drawn in
 * @param {() => void} showSaved - Draw the saved assessments' summary in it again
 * @returns {HTMLElement} The section
 */
function folderSection(shown, showSaved) {
  /** @param {FileList | null} list - The files chosen */
  const summarise = async (list) => {
    const files = list ? [...list] : [];
    if (!files.length) return;
    /** @param {File} f - A file @returns {string} Its name, with its folder when it has one */
    const nameOf = (f) => f.webkitRelativePath || f.name;
    const json = files.filter((f) => f.name.toLowerCase().endsWith(".json"));
    const others = files.filter((f) => !f.name.toLowerCase().endsWith(".json"));
    clear(shown);
    shown.dataset.source = "files";
    const heading = h(
      "h2",
      { class: "nhsuk-heading-l", tabindex: "-1", id: "files-summary-heading" },
      "Summary of the files chosen",
    );
    const back = h(
      "button",
      { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: showSaved } },
      "Back to the saved assessments",
    );
    if (json.length > MAX_FOLDER_FILES) {
      shown.append(
        heading,
        errorSummary(
          [
            {
              href: `#${FOLDER_INPUT}`,
              text: `Choose at most ${MAX_FOLDER_FILES} assessment files at a time (there are ${json.length}); summarise a smaller folder or some of its files`,
            },
          ],
          "folder-error-title",
        ),
        back,
      );
      heading.focus();
      return;
    }
    /** @type {{name: string, saved: SavedFile}[]} */
    const read = [];
    /** @type {string[]} */
    const unreadable = [];
    for (const file of json) {
      const r = await readFile(file);
      if ("saved" in r) read.push({ name: nameOf(file), saved: r.saved });
      else unreadable.push(`${nameOf(file)}: ${r.problem}`);
    }
    const asOf = today();
    const s = eng.summariseAssessments(
      read.map((r) => r.saved),
      asOf,
    );
    /** @param {string} name - The engine's name for an assessment ("assessment n") @returns {string} Its file's */
    const fileOf = (name) => {
      const m = /^assessment (\d+)$/.exec(name);
      return (m && read[Number(m[1]) - 1]?.name) || name;
    };
    shown.append(
      h(
        "div",
        {},
        heading,
        h(
          "p",
          { class: "nhsuk-body" },
          "Read in this browser only: nothing was saved, and the saved assessments are as they were.",
        ),
        unreadable.length
          ? h(
              "div",
              { class: "nhsuk-warning-callout", "data-testid": "unreadable-files" },
              h(
                "h3",
                { class: "nhsuk-warning-callout__label" },
                h("span", { class: "nhsuk-u-visually-hidden" }, "Important: "),
                `${unreadable.length} ${unreadable.length === 1 ? "file" : "files"} could not be read`,
              ),
              h(
                "ul",
                { class: "nhsuk-list nhsuk-list--bullet" },
                unreadable.map((t) => h("li", {}, t)),
              ),
            )
          : null,
        others.length
          ? h(
              "p",
              { class: "nhsuk-body", "data-testid": "other-files" },
              `Left out, not assessment files (.json): ${others.map(nameOf).join(", ")}.`,
            )
          : null,
        read.length
          ? summaryView(
              s,
              fileOf,
              `${read.length} ${read.length === 1 ? "assessment" : "assessments"} read from ${json.length} ${json.length === 1 ? "file" : "files"}, as of ${asOf}.`,
            )
          : h(
              "p",
              { class: "nhsuk-body", "data-testid": "portfolio-count" },
              "No file could be read as an assessment.",
            ),
        back,
      ),
    );
    heading.focus();
  };
  /**
   * @param {string} id - The input's id
   * @param {string} label - Its label
   * @param {string} hintText - Its hint
   * @param {boolean} folder - Whether it chooses a folder
   * @returns {HTMLElement} The form group
   */
  const input = (id, label, hintText, folder) =>
    h(
      "div",
      { class: "nhsuk-form-group" },
      h("label", { class: "nhsuk-label", for: id }, label),
      h("div", { class: "nhsuk-hint", id: `${id}-hint` }, hintText),
      h("input", {
        class: "nhsuk-file-upload",
        id,
        name: id,
        type: "file",
        multiple: true,
        ...(folder ? { webkitdirectory: "" } : { accept: ".json,application/json" }),
        "aria-describedby": `${id}-hint`,
        on: {
          change: (e) => {
            const target = /** @type {HTMLInputElement} */ (e.target);
            void summarise(target.files).finally(() => {
              target.value = "";
            });
          },
        },
      }),
    );
  return h(
    "section",
    { "aria-labelledby": "files-heading" },
    h("h2", { class: "nhsuk-heading-m", id: "files-heading" }, "Summarise a folder of assessment files"),
    h(
      "p",
      { class: "nhsuk-body" },
      `For assessments shared with you as files (from partners, say): the same summary, read in this browser without saving them. At most ${MAX_FOLDER_FILES} files at a time.`,
    ),
    input(
      FOLDER_INPUT,
      "Open a folder of assessment files",
      "Every file in the folder that ends in .json is read; other files are named and left out.",
      true,
    ),
    input(
      FILES_INPUT,
      "Or choose the files",
      "If your browser cannot open a folder: select the files in it (they end in .json).",
      false,
    ),
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
  const shown = h("div", { "data-testid": "portfolio-summary" });
  const showSaved = () => {
    clear(shown);
    shown.dataset.source = "saved";
    shown.append(
      h(
        "div",
        {},
        all.length
          ? summaryView(
              s,
              link,
              `${s.assessments} ${s.assessments === 1 ? "assessment" : "assessments"} saved in this browser, as of ${asOf}.`,
            )
          : h("p", { class: "nhsuk-body" }, "There are no saved assessments to summarise yet."),
      ),
    );
  };
  showSaved();
  /** Back from the files' summary: the saved one, focus on the page's heading. */
  const backToSaved = () => {
    showSaved();
    document.getElementById("portfolio-heading")?.focus();
  };

  return {
    title: "Portfolio summary",
    back: { href: "/assessments", text: "Your assessments" },
    nodes: [
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1", id: "portfolio-heading" }, "Portfolio summary"),
      shown,
      folderSection(shown, backToSaved),
      all.length > 1 ? compareSection(app, all) : null,
    ],
  };
}
