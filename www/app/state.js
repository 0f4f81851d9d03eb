// @ts-check
// What the self-assessment app remembers between pages, in one object.
//
// `mount()` (app.js) makes one `AppState` and hands it, inside the `App`, to every page. Nothing
// else holds state: a page reads what it needs from here and changes it only through the
// functions in drafts.js (the draft and its storage) or by setting the one-shot fields below
// (`flash`, `pendingImport`, `completedNow`, `pageErrors`) before it navigates.

/** @import { Instrument, SavedFile, FieldError, NoteOut } from "./engine.js" */
/** @import { StoredAssessment } from "./library.js" */

/**
 * A banner shown once, at the top of the next page.
 *
 * @typedef {object} Flash
 * @property {string} title - The banner's heading
 * @property {string[]} [lines] - Bullet points under it (the notes of an import)
 * @property {"success" | "info" | "warning"} [kind] - Success (green, the default) or important
 */

/**
 * A draft found in this browser when the start page was drawn, offered by a "restored" banner.
 *
 * @typedef {object} RestoredDraft
 * @property {string} id - The instrument's id
 * @property {string} title - The instrument's title
 * @property {string} updated - When the draft last changed (ISO 8601)
 */

/**
 * A draft the engine could not read and storage would not let the app move aside: it stays
 * under its own key, and nothing is written to that key until the user removes it.
 *
 * @typedef {object} BlockedDraft
 * @property {string} id - The instrument's id
 * @property {string} text - The draft's text, exactly as stored
 * @property {string} message - Why the engine could not read it
 */

/**
 * A file read on the import page, waiting for "Replace my answers".
 *
 * @typedef {object} PendingImport
 * @property {SavedFile} assessment - The file, as the engine loaded (and migrated) it
 * @property {NoteOut[]} notes - What migrating it changed
 * @property {string} fileName - The file's name, for messages
 */

/**
 * The errors a question page shows after Continue was pressed.
 *
 * @typedef {object} PageErrors
 * @property {string} question - The question they belong to
 * @property {FieldError[]} engine - The engine's validation errors for it
 * @property {[string, string][]} local - Numbers the engine never saw: [element id, message]
 */

/**
 * Everything the app remembers between pages.
 *
 * @typedef {object} AppState
 * @property {string | null} fixed - The one instrument this mount offers (`options.instrument`),
 *   or null when the person chooses
 * @property {string | null} id - The instrument being worked on
 * @property {Instrument | null} inst - Its definition, from the engine
 * @property {string | null} key - Where its draft is kept: its localStorage key, or its key in the
 *   library (IndexedDB) when the app keeps many assessments
 * @property {SavedFile | null} saved - The draft: the saved-file object the engine reads and
 *   the autosave writes
 * @property {Flash | null} flash - A banner for the next page only
 * @property {boolean | null} lastSaveOk - Whether the last write to storage worked (null: none yet)
 * @property {RestoredDraft[]} restored - Drafts found when the start page was last drawn
 * @property {Map<string, BlockedDraft>} blocked - Unreadable drafts left in place, by key
 * @property {PendingImport | null} pendingImport - An import waiting for confirmation
 * @property {boolean} completedNow - Set by "Submit and see results": the results page then
 *   announces the completion (`equitas:completed`) once
 * @property {string} memoryRoute - The route, when routes are kept in memory (embedded)
 * @property {boolean} firstRender - True until the first page is shown (which takes no focus)
 * @property {Map<string, string>} cellErrors - Numbers that could not be read, by element id:
 *   errors the engine never sees because the text never reaches the answers
 * @property {Map<string, string>} rawValues - Text the form holds between redraws, by element id:
 *   what was typed in number and date fields (so a redraw shows it as typed), a paste not yet
 *   added, a file waiting for its table to be chosen, and the sentence saying what was added
 * @property {PageErrors | null} pageErrors - Errors to show on the current question page
 * @property {StoredAssessment | null} undo - The assessment deleted last, which "Undo delete" puts
 *   back (until the next delete)
 */

/**
 * A fresh state for a mount.
 *
 * @param {string | null} fixed - The one instrument offered, or null for every instrument
 * @returns {AppState} The state before the first page
 */
export function createState(fixed) {
  return {
    fixed,
    id: null,
    inst: null,
    key: null,
    saved: null,
    flash: null,
    lastSaveOk: null,
    restored: [],
    blocked: new Map(),
    pendingImport: null,
    completedNow: false,
    memoryRoute: "/",
    firstRender: true,
    cellErrors: new Map(),
    rawValues: new Map(),
    pageErrors: null,
    undo: null,
  };
}
