// @ts-check
// `/assessments`: "Your assessments", every assessment kept in this browser (library.js) with
// its instrument, status, rating, last change and review date; create, open, rename, duplicate,
// delete (with undo), export one or all, import many files at once (each added as a new
// assessment, never over another). `/assessments/:key/rename` renames one; `/open/:key` opens
// one; `/new/:instrument` starts a new one.

import { h } from "../dom.js";
import * as eng from "../engine.js";
import { errorSummary, submitButton } from "../components.js";
import { displayName, openRecord, readRecord, startNew, messageOf, dropPending } from "../drafts.js";
import { when, exportFileName } from "../format.js";
import { downloadText } from "../download.js";
import { MAX_NAME_CHARS, newId, spaceUsed } from "../library.js";
import { sentence } from "../form.js";
import { notFound } from "./errors.js";

/** @import { App, Page, ShownPage } from "../app.js" */
/** @import { SavedFile } from "../engine.js" */
/** @import { Library, StoredAssessment } from "../library.js" */

/** The file input's id (and name). */
const FILES_INPUT = "import-files";

/** The most files one import takes at once. */
export const MAX_IMPORT_FILES = 500;

/**
 * One row of the list: the record and what the engine says about it.
 *
 * @typedef {object} Row
 * @property {StoredAssessment} record - The record
 * @property {SavedFile | null} saved - Its saved file (null: the engine cannot read it)
 * @property {string} name - Its name
 * @property {string} instrument - Its instrument's title
 * @property {string} status - Not started, In progress or Completed
 * @property {string} rating - The rating band (and the score), or "Not rated"
 * @property {string} review - The planned review date, or "Not set"
 */

/**
 * The library, or the page saying there is none (the app keeps one draft in localStorage).
 *
 * @param {App} app - The app
 * @returns {Library | null} The library
 */
function libraryOf(app) {
  return app.library;
}

/**
 * What the list needs of the instruments, looked up once per list: each one's title, and its
 * review-date question (the engine hands an instrument over as a whole object, so a list of
 * hundreds of assessments asks once per instrument, not once per row).
 *
 * @returns {{title: (id: string) => string, reviewQuestion: (id: string) => string | undefined}} The lookups
 */
function instrumentLookups() {
  const listing = new Map(eng.instruments().map((i) => [i.id, i.title]));
  /** @type {Map<string, string | undefined>} */
  const review = new Map();
  return {
    title: (id) => listing.get(id) ?? id,
    reviewQuestion: (id) => {
      if (!review.has(id)) review.set(id, eng.instrument(id).roles?.review_date);
      return review.get(id);
    },
  };
}

/**
 * A list row for a record.
 *
 * @param {StoredAssessment} record - The record
 * @param {ReturnType<typeof instrumentLookups>} lookups - The instruments' lookups for this list
 * @returns {Row} The row
 */
function rowOf(record, lookups) {
  const saved = readRecord(record);
  const instrument = lookups.title(record.instrument);
  if (!saved) {
    return {
      record,
      saved,
      name: record.name || `Untitled ${instrument}`,
      instrument,
      status: "",
      rating: "",
      review: "",
    };
  }
  const prog = eng.assessmentProgress(saved);
  const done = prog.filter((p) => p.status === "completed").length;
  const started = prog.some((p) => p.status !== "not_started");
  const status = done === prog.length && prog.length > 0 ? "Completed" : started ? "In progress" : "Not started";
  const { report } = eng.scoreAssessment(saved);
  const rating = started && report.band ? `${report.band.label} (${Math.round(report.overall)} of 100)` : "Not rated";
  const q = lookups.reviewQuestion(saved.instrument.id);
  const r = q ? saved.answers[q] : undefined;
  const review = typeof r === "string" && r ? r : "Not set";
  return { record, saved, name: displayName(record, saved, instrument), instrument, status, rating, review };
}

/**
 * Download one assessment as the saved file `equitas assess` reads.
 *
 * @param {Row} row - The assessment
 */
function exportRow(row) {
  const base = exportFileName(row.record.instrument, new Date()).replace(/\.json$/, "");
  const slug = row.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  const name = `${base}${slug ? `-${slug}` : ""}${row.saved ? "" : "-could-not-be-opened"}.json`;
  const text = row.saved ? `${JSON.stringify(row.saved, null, 2)}\n` : row.record.text;
  downloadText(name, text);
}

/**
 * "Your assessments".
 *
 * @param {App} app - The app
 * @param {{errors?: string[], added?: string[]}} [result] - What the last import did
 * @returns {Page} The page
 */
export function assessmentsPage(app, result = {}) {
  const library = libraryOf(app);
  if (!library) return { redirect: app.state.fixed ? `/${app.state.fixed}/tasks` : "/" };
  app.saver.flush();
  const { state } = app;
  const lookups = instrumentLookups();
  const rows = library.list().map((record) => rowOf(record, lookups));
  const readable = rows.filter((r) => r.saved);
  const unreadable = rows.filter((r) => !r.saved);
  const space = h("p", { class: "nhsuk-body", "data-testid": "space-used" }, storedLine(rows.length, null));
  const errors = result.errors || [];
  const summary = errors.length ? errorSummary(errors.map((text) => ({ href: `#${FILES_INPUT}`, text }))) : null;

  /** @param {StoredAssessment} record - The record deleted */
  const remove = async (record) => {
    if (state.key === record.id) app.saver.cancel();
    dropPending(record.id);
    const ok = await library.remove(record.id);
    if (state.key === record.id) {
      state.id = null;
      state.saved = null;
      state.key = null;
      state.inst = null;
    }
    state.undo = ok ? record : null;
    if (!ok)
      state.flash = { title: "The assessment could not be removed from this browser's storage.", kind: "warning" };
    app.show(/** @type {ShownPage} */ (assessmentsPage(app)));
  };
  /** @param {Row} row - The assessment to copy */
  const duplicate = async (row) => {
    if (!row.saved) return;
    const now = new Date().toISOString();
    const copy = { ...row.saved, created: now, updated: now };
    const record = {
      id: newId(),
      name: `Copy of ${row.name}`.slice(0, MAX_NAME_CHARS),
      instrument: row.record.instrument,
      text: JSON.stringify(copy),
      changed: now,
      opened: "",
    };
    const ok = await library.put(record);
    state.flash = ok
      ? { title: `"${record.name}" has been made: a copy of "${row.name}" with all its answers.` }
      : { title: "The copy could not be saved in this browser.", kind: "warning" };
    app.show(/** @type {ShownPage} */ (assessmentsPage(app)));
  };
  const undo = () => undoDelete(app);
  /** @param {SubmitEvent} e - "Import files" */
  const importFiles = async (e) => {
    e.preventDefault();
    const input = form.querySelector(`#${FILES_INPUT}`);
    const files = input instanceof HTMLInputElement && input.files ? [...input.files] : [];
    if (!files.length) {
      app.show(
        /** @type {ShownPage} */ (assessmentsPage(app, { errors: ["Select one or more JSON files to import"] })),
      );
      return;
    }
    if (files.length > MAX_IMPORT_FILES) {
      app.show(
        /** @type {ShownPage} */ (
          assessmentsPage(app, {
            errors: [
              `Select at most ${MAX_IMPORT_FILES} files at a time (you selected ${files.length}); import the rest next`,
            ],
          })
        ),
      );
      return;
    }
    /** @type {string[]} */
    const bad = [];
    /** @type {string[]} */
    const added = [];
    for (const file of files) {
      let loaded;
      try {
        loaded = eng.loadAssessment(await file.text());
      } catch (err) {
        bad.push(`The file ${file.name} could not be imported: ${messageOf(err)}`);
        continue;
      }
      const a = loaded.assessment;
      const now = new Date().toISOString();
      const record = {
        id: newId(),
        name: "",
        instrument: a.instrument.id,
        text: JSON.stringify(a),
        changed: now,
        opened: "",
      };
      if (!(await library.put(record))) {
        bad.push(
          `The file ${file.name} was read but could not be saved in this browser (storage is full or turned off)`,
        );
        continue;
      }
      const notes = (loaded.notes || []).map((n) => sentence(n.message)).join(" ");
      added.push(`${file.name}: added as "${nameOf(record)}".${notes ? ` Brought up to date: ${notes}` : ""}`);
    }
    if (added.length) {
      state.flash = {
        title: `${added.length} ${added.length === 1 ? "assessment was" : "assessments were"} added`,
        lines: added,
      };
    }
    app.show(/** @type {ShownPage} */ (assessmentsPage(app, { errors: bad })));
  };

  const form = h(
    "form",
    { novalidate: true, on: { submit: importFiles } },
    h(
      "div",
      { class: errors.length ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" },
      h("label", { class: "nhsuk-label nhsuk-label--m", for: FILES_INPUT }, "Import assessments from files"),
      h(
        "div",
        { class: "nhsuk-hint", id: `${FILES_INPUT}-hint` },
        "Choose one or more files downloaded from equitas (they end in .json). Each is added as a new assessment; none replaces another.",
      ),
      errors.length
        ? h(
            "div",
            { class: "nhsuk-error-message", id: `${FILES_INPUT}-error` },
            errors.map((t) =>
              h(
                "p",
                { class: "nhsuk-u-margin-bottom-1" },
                h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
                t,
              ),
            ),
          )
        : null,
      h("input", {
        class: `nhsuk-file-upload${errors.length ? " nhsuk-file-upload--error" : ""}`,
        id: FILES_INPUT,
        name: FILES_INPUT,
        type: "file",
        multiple: true,
        accept: ".json,application/json",
        "aria-describedby": errors.length ? `${FILES_INPUT}-hint ${FILES_INPUT}-error` : `${FILES_INPUT}-hint`,
      }),
    ),
    submitButton("Import files", { class: "nhsuk-button nhsuk-button--secondary", "data-testid": "import-files" }),
  );

  return {
    title: "Your assessments",
    back: { href: "/", text: "Back to start" },
    nodes: [
      summary,
      state.undo ? undoBanner(nameOf(state.undo), undo) : null,
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Your assessments"),
      space,
      h(
        "a",
        { class: "nhsuk-button", href: "#/choose", role: "button", draggable: "false", "data-testid": "create" },
        "Start a new assessment",
      ),
      readable.length
        ? table(readable, { remove, duplicate })
        : h("p", { class: "nhsuk-body" }, "You have no saved assessments yet."),
      readable.length
        ? h(
            "p",
            { class: "nhsuk-body" },
            h("a", { href: "#/portfolio" }, "See the portfolio summary"),
            " of these assessments: bands, common gaps, reviews overdue.",
          )
        : null,
      readable.length
        ? h(
            "button",
            {
              class: "nhsuk-button nhsuk-button--secondary",
              type: "button",
              "data-testid": "export-all",
              on: { click: () => readable.forEach(exportRow) },
            },
            `Download all ${readable.length} (JSON, one file each)`,
          )
        : null,
      unreadable.length ? unreadableSection(unreadable, remove) : null,
      h("h2", { class: "nhsuk-heading-m" }, "Add assessments from files"),
      form,
    ],
    focus: summary,
    errorsShown: errors.length > 0,
    after: async () => {
      const used = await spaceUsed();
      space.textContent = storedLine(rows.length, used);
    },
  };
}

/**
 * "Undo delete": put the assessment deleted last back, then show "Your assessments".
 *
 * @param {App} app - The app (with a library)
 */
export async function undoDelete(app) {
  const { state, library } = app;
  const record = state.undo;
  if (!record || !library) return;
  state.undo = null;
  const ok = await library.put(record);
  const name = nameOf(record);
  state.flash = ok
    ? { title: `"${name}" has been put back.` }
    : { title: `"${name}" could not be put back in this browser's storage.`, kind: "warning" };
  if (app.currentRoute() === "/assessments") app.show(/** @type {ShownPage} */ (assessmentsPage(app)));
  else app.navigate("/assessments");
}

/**
 * A record's name as the list shows it (its own, else its title answer, else "Untitled …"),
 * without scoring it.
 *
 * @param {StoredAssessment} record - The record
 * @returns {string} The name
 */
export function nameOf(record) {
  const title = eng.instruments().find((i) => i.id === record.instrument)?.title ?? record.instrument;
  return displayName(record, readRecord(record), title);
}

/**
 * The line saying how many assessments are kept and the space used.
 *
 * @param {number} n - Assessments kept
 * @param {string | null} used - The space used, in words (null: not known)
 * @returns {string} The line
 */
function storedLine(n, used) {
  const count = `${n} ${n === 1 ? "assessment is" : "assessments are"} saved in this browser, on this device only`;
  return used ? `${count}. Saved files use ${used}.` : `${count}.`;
}

/**
 * The banner after a delete, with its undo button.
 *
 * @param {string} name - The deleted assessment's name
 * @param {() => void} undo - Put it back
 * @returns {HTMLElement} The banner
 */
export function undoBanner(name, undo) {
  return h(
    "div",
    {
      class: "nhsuk-notification-banner nhsuk-notification-banner--success",
      role: "alert",
      "aria-labelledby": "undo-title",
      "data-testid": "undo-banner",
    },
    h(
      "div",
      { class: "nhsuk-notification-banner__header" },
      h("h2", { class: "nhsuk-notification-banner__title", id: "undo-title" }, "Success"),
    ),
    h(
      "div",
      { class: "nhsuk-notification-banner__content" },
      h("p", { class: "nhsuk-notification-banner__heading" }, `"${name}" has been deleted.`),
      h(
        "button",
        {
          class: "nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0",
          type: "button",
          "data-testid": "undo",
          on: { click: undo },
        },
        "Undo delete",
      ),
    ),
  );
}

/**
 * The table of assessments.
 *
 * @param {Row[]} rows - The assessments
 * @param {{remove: (r: StoredAssessment) => void, duplicate: (r: Row) => void}} actions - What the buttons do
 * @returns {HTMLElement} The table
 */
function table(rows, { remove, duplicate }) {
  const th = (/** @type {string} */ t) => h("th", { class: "nhsuk-table__header", scope: "col" }, t);
  const hidden = (/** @type {string} */ t) => h("span", { class: "nhsuk-u-visually-hidden" }, ` ${t}`);
  return h(
    "table",
    { class: "nhsuk-table", "data-testid": "assessments" },
    h("caption", { class: "nhsuk-table__caption nhsuk-u-visually-hidden" }, "Assessments saved in this browser"),
    h(
      "thead",
      { class: "nhsuk-table__head" },
      h(
        "tr",
        { class: "nhsuk-table__row" },
        ["Assessment", "Status", "Rating", "Last changed", "Review due", "Actions"].map(th),
      ),
    ),
    h(
      "tbody",
      { class: "nhsuk-table__body" },
      rows.map((r) =>
        h(
          "tr",
          { class: "nhsuk-table__row", "data-testid": "assessment-row" },
          h(
            "td",
            { class: "nhsuk-table__cell" },
            h("a", { href: `#/open/${encodeURIComponent(r.record.id)}`, "data-testid": "open" }, r.name),
            h("br"),
            h("span", { class: "nhsuk-body-s" }, r.instrument),
          ),
          h("td", { class: "nhsuk-table__cell", "data-testid": "status" }, r.status),
          h("td", { class: "nhsuk-table__cell", "data-testid": "rating" }, r.rating),
          h("td", { class: "nhsuk-table__cell" }, when(r.record.changed)),
          h("td", { class: "nhsuk-table__cell", "data-testid": "review" }, r.review),
          h(
            "td",
            { class: "nhsuk-table__cell" },
            h("a", { href: `#/assessments/${encodeURIComponent(r.record.id)}/rename` }, "Rename", hidden(r.name)),
            h("br"),
            h(
              "button",
              { class: "equitas-link-button", type: "button", on: { click: () => duplicate(r) } },
              "Duplicate",
              hidden(r.name),
            ),
            h("br"),
            h(
              "button",
              { class: "equitas-link-button", type: "button", on: { click: () => exportRow(r) } },
              "Download",
              hidden(r.name),
            ),
            h("br"),
            h(
              "button",
              { class: "equitas-link-button", type: "button", on: { click: () => remove(r.record) } },
              "Delete",
              hidden(r.name),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * The assessments the engine cannot read: kept as they are, offered for download and removal.
 *
 * @param {Row[]} rows - The assessments
 * @param {(r: StoredAssessment) => void} remove - Delete one (with undo)
 * @returns {HTMLElement} The warning
 */
function unreadableSection(rows, remove) {
  return h(
    "div",
    { class: "nhsuk-warning-callout", "data-testid": "unreadable-assessments" },
    h(
      "h2",
      { class: "nhsuk-warning-callout__label" },
      h(
        "span",
        { role: "text" },
        h("span", { class: "nhsuk-u-visually-hidden" }, "Important: "),
        "Saved assessments that could not be opened",
      ),
    ),
    h(
      "p",
      {},
      "These are kept in this browser exactly as they were saved, and nothing is written over them. Download them to keep a copy or to ask for help with them.",
    ),
    h(
      "ul",
      { class: "nhsuk-list" },
      rows.map((r) =>
        h(
          "li",
          {},
          `${r.name} (${r.instrument}, last changed ${when(r.record.changed)}): ${whyNot(r.record.text)}. `,
          h(
            "button",
            { class: "equitas-link-button", type: "button", on: { click: () => exportRow(r) } },
            "Download",
            h("span", { class: "nhsuk-u-visually-hidden" }, ` ${r.name}`),
          ),
          " ",
          h(
            "button",
            { class: "equitas-link-button", type: "button", on: { click: () => remove(r.record) } },
            "Delete",
            h("span", { class: "nhsuk-u-visually-hidden" }, ` ${r.name}`),
          ),
        ),
      ),
    ),
  );
}

/**
 * Why the engine cannot read a record's text.
 *
 * @param {string} text - The text
 * @returns {string} The engine's message
 */
function whyNot(text) {
  try {
    eng.loadAssessment(text);
    return "it could not be opened when this page was drawn";
  } catch (e) {
    return messageOf(e);
  }
}

/**
 * `/open/:key`: open an assessment and go to its task list.
 *
 * @param {App} app - The app
 * @param {string} key - The record's key
 * @returns {Page} A redirect, or "Page not found"
 */
export function openPage(app, key) {
  if (!openRecord(app, key)) return notFound();
  return { redirect: `/${app.state.id}/tasks` };
}

/**
 * `/new/:instrument`: start a new assessment and go to its task list.
 *
 * @param {App} app - The app
 * @param {string} id - The instrument's id
 * @returns {Page} A redirect, or "Page not found"
 */
export function newPage(app, id) {
  if (!eng.instruments().some((i) => i.id === id)) return notFound();
  if (!app.library) return { redirect: `/${id}/tasks` };
  startNew(app, id);
  return { redirect: `/${id}/tasks` };
}

/**
 * `/assessments/:key/rename`: give an assessment a name; with `error`, why the name was refused.
 *
 * @param {App} app - The app
 * @param {string} key - The record's key
 * @param {string} [error] - The error to show
 * @param {string} [typed] - What was typed
 * @returns {Page} The page
 */
export function renamePage(app, key, error, typed) {
  const library = libraryOf(app);
  const record = library?.get(key);
  if (!library || !record) return notFound();
  const current = nameOf(record);
  const fid = "assessment-name";
  /** @param {SubmitEvent} e - Save */
  const onSubmit = async (e) => {
    e.preventDefault();
    const input = form.querySelector(`#${fid}`);
    const value = input instanceof HTMLInputElement ? input.value.trim() : "";
    if (!value)
      return void app.show(/** @type {ShownPage} */ (renamePage(app, key, "Enter a name for the assessment", value)));
    if ([...value].length > MAX_NAME_CHARS)
      return void app.show(
        /** @type {ShownPage} */ (
          renamePage(
            app,
            key,
            `Name must be ${MAX_NAME_CHARS} characters or fewer (it has ${[...value].length})`,
            value,
          )
        ),
      );
    const ok = await library.put({ ...record, name: value });
    app.state.flash = ok
      ? { title: `"${current}" is now called "${value}".` }
      : { title: "The new name could not be saved in this browser.", kind: "warning" };
    app.navigate("/assessments");
  };
  const form = h(
    "form",
    { novalidate: true, on: { submit: onSubmit } },
    h(
      "div",
      { class: error ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" },
      h(
        "h1",
        { class: "nhsuk-label-wrapper", tabindex: "-1" },
        h("label", { class: "nhsuk-label nhsuk-label--l", for: fid }, "Rename the assessment"),
      ),
      h("div", { class: "nhsuk-hint", id: `${fid}-hint` }, `It is called "${current}" now.`),
      error
        ? h(
            "span",
            { class: "nhsuk-error-message", id: `${fid}-error` },
            h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
            error,
          )
        : null,
      h("input", {
        class: `nhsuk-input${error ? " nhsuk-input--error" : ""}`,
        id: fid,
        name: fid,
        type: "text",
        autocomplete: "off",
        "aria-describedby": error ? `${fid}-hint ${fid}-error` : `${fid}-hint`,
        props: { value: typed ?? current },
      }),
    ),
    submitButton("Save the name"),
  );
  const summary = error ? errorSummary([{ href: `#${fid}`, text: error }]) : null;
  return {
    title: "Rename the assessment",
    back: { href: "/assessments" },
    nodes: [summary, form],
    focus: summary,
    errorsShown: !!error,
  };
}
