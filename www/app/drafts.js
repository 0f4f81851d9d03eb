// @ts-check
// The draft being worked on, and the drafts in this browser: reading them through the engine,
// choosing the instrument, setting an answer, and the drafts the engine could not read.
//
// Every function takes the app (app.js) and works on its one state object (state.js). A draft
// the engine cannot read is never used and never written over: it is moved to a key of its own
// (storage.js, `setAsideDraft`) and offered for download on the start and task pages; if storage
// will not take the copy, its key is blocked instead (nothing is saved to it) until the user
// downloads and removes it.

import * as eng from "./engine.js";
import { draftKey, readDraft, writeDraft, deleteDraft, setAsideDraft, unreadableDrafts } from "./storage.js";
import { wellFormed, hasAnswers } from "./answers.js";
import { newId } from "./library.js";

/** @import { App } from "./app.js" */
/** @import { Instrument, InstrumentListing, SavedFile, Answer, NoteOut } from "./engine.js" */
/** @import { StoredAssessment } from "./library.js" */

/**
 * A draft that could not be opened: set aside under its own key, or blocking its instrument's key.
 *
 * @typedef {object} UnreadableDraft
 * @property {string} key - Where it is stored
 * @property {string} instrument - The instrument it belongs to
 * @property {string | null} when - When it was set aside (ISO 8601); null when it is blocking
 * @property {string} text - Its text, exactly as stored
 * @property {string} [message] - Why the engine could not read it, when known
 * @property {boolean} [blocked] - True when storage had no room to set it aside
 */

/**
 * The instruments this mount offers: every one the engine knows, or only `options.instrument`.
 *
 * @param {App} app - The app
 * @returns {InstrumentListing[]} The instruments, in the engine's order
 */
export function listInstruments(app) {
  const all = eng.instruments();
  return app.state.fixed ? all.filter((i) => i.id === app.state.fixed) : all;
}

/**
 * Read (and migrate) the stored draft of instrument `id`; null when there is none, or when it
 * cannot be read (it is then set aside, or its key blocked).
 *
 * @param {App} app - The app
 * @param {string} id - The instrument's id
 * @returns {SavedFile | null} The draft
 */
export function loadStored(app, id) {
  if (app.library) return currentRecord(app, id)?.saved ?? null;
  const key = draftKey(id, app.options.storageKey);
  const text = readDraft(key);
  if (!text) return null;
  let loaded;
  try {
    loaded = eng.loadAssessment(text);
  } catch (e) {
    if (!setAsideDraft(key, id, text)) app.state.blocked.set(key, { id, text, message: messageOf(e) });
    return null;
  }
  if (app.options.storageKey && loaded.assessment.instrument.id !== id) return null;
  return loaded.assessment;
}

/**
 * Write a draft now, unless its key is blocked (it still holds a draft that could not be read).
 *
 * @param {App} app - The app
 * @param {string} key - The draft's storage key
 * @param {SavedFile} saved - The draft
 * @returns {boolean | Promise<boolean>} True when it was stored (a promise in the library, which
 *   is IndexedDB)
 */
export function store(app, key, saved) {
  if (app.state.blocked.has(key)) return false;
  return app.library ? putSaved(app, key, saved) : writeDraft(key, saved);
}

/**
 * Work on instrument `id`: its definition and its draft (the stored one, or a new one). Does
 * nothing when it is already the one in use; otherwise a pending change to the previous draft is
 * saved first.
 *
 * @param {App} app - The app
 * @param {string} id - The instrument's id
 */
export function use(app, id) {
  const { state } = app;
  if (state.id === id && state.saved) return;
  app.saver.flush();
  state.inst = eng.instrument(id);
  state.id = id;
  state.cellErrors.clear();
  state.rawValues.clear();
  if (app.library) {
    const current = currentRecord(app, id);
    state.key = current ? current.record.id : newId();
    state.saved = current ? current.saved : eng.newAssessment(id, new Date().toISOString());
    return;
  }
  state.key = draftKey(id, app.options.storageKey);
  state.saved = loadStored(app, id) || eng.newAssessment(id, new Date().toISOString());
}

// ----- the library (IndexedDB): many assessments -----

/**
 * The assessment of instrument `id` its pages open: the one opened (or written) last that the
 * engine can read. Records it cannot read are skipped, and left as they are.
 *
 * @param {App} app - The app (with a library)
 * @param {string} id - The instrument's id
 * @returns {{record: StoredAssessment, saved: SavedFile} | null} The record and its saved file
 */
export function currentRecord(app, id) {
  if (!app.library) return null;
  const candidates = app.library
    .list()
    .filter((r) => r.instrument === id)
    .sort((a, b) => (a.opened < b.opened ? 1 : a.opened > b.opened ? -1 : 0));
  for (const record of candidates) {
    const saved = readRecord(record);
    if (saved && saved.instrument.id === id) return { record, saved };
  }
  return null;
}

/**
 * A record's saved file, read (and migrated) by the engine; null when it cannot be read.
 *
 * @param {StoredAssessment} record - The record
 * @returns {SavedFile | null} The saved file
 */
export function readRecord(record) {
  try {
    return eng.loadAssessment(record.text).assessment;
  } catch {
    return null;
  }
}

/**
 * Write the draft with library key `key`: its text now, its name and when it was opened as
 * they were (a new record is named after its title question, and counts as opened now).
 *
 * @param {App} app - The app (with a library)
 * @param {string} key - The record's key
 * @param {SavedFile} saved - The draft
 * @returns {Promise<boolean>} True when the database holds it
 */
function putSaved(app, key, saved) {
  const library = /** @type {import("./library.js").Library} */ (app.library);
  const old = library.get(key);
  const now = new Date().toISOString();
  const text = JSON.stringify(saved);
  // IndexedDB writes finish after the page may have gone (a reload straight after typing): the
  // text is first written to localStorage, synchronously, and removed once IndexedDB holds it;
  // the next start puts any left there into the library (`replayPending`).
  const journal = `${PENDING}${key}`;
  const journalled = writeDraft(journal, saved);
  return library
    .put({
      id: key,
      name: old ? old.name : "",
      instrument: saved.instrument.id,
      text,
      changed: now,
      opened: old ? old.opened : now,
    })
    .then((ok) => {
      if (ok && journalled) deleteDraft(journal);
      return ok;
    });
}

/** The localStorage prefix of a library write not yet known to be in IndexedDB (`putSaved`). */
const PENDING = "equitas:pending:";

/**
 * Forget a library write left pending in localStorage, when its assessment is deleted (so the
 * next start does not bring it back).
 *
 * @param {string} key - The record's key
 */
export function dropPending(key) {
  deleteDraft(`${PENDING}${key}`);
}

/**
 * Put into the library the writes an earlier page left in localStorage (`putSaved`): each
 * pending text the engine can read replaces its record's text (keeping its name), and is then
 * removed from localStorage. One it cannot read stays where it is.
 *
 * @param {App} app - The app (with a library)
 * @returns {Promise<void>} Done
 */
export async function replayPending(app) {
  const library = app.library;
  if (!library) return;
  /** @type {string[]} */
  const keys = [];
  try {
    const ls = window.localStorage;
    for (let i = 0; i < ls.length; i++) {
      const k = ls.key(i);
      if (k && k.startsWith(PENDING)) keys.push(k);
    }
  } catch {
    return;
  }
  for (const journal of keys) {
    const text = readDraft(journal);
    const id = journal.slice(PENDING.length);
    let saved;
    try {
      saved = text ? eng.loadAssessment(text).assessment : null;
    } catch {
      continue;
    }
    if (!saved || !text) continue;
    const old = library.get(id);
    const now = new Date().toISOString();
    const record = {
      id,
      name: old ? old.name : "",
      instrument: saved.instrument.id,
      text,
      changed: now,
      opened: old ? old.opened : now,
    };
    if (await library.put(record)) deleteDraft(journal);
  }
}

/**
 * Open the assessment with library key `key`: it becomes the one in use (and the one its
 * instrument's pages open). False when there is no such record or the engine cannot read it.
 *
 * @param {App} app - The app (with a library)
 * @param {string} key - The record's key
 * @returns {boolean} True when it is open
 */
export function openRecord(app, key) {
  const record = app.library?.get(key);
  const saved = record ? readRecord(record) : null;
  if (!app.library || !record || !saved) return false;
  app.saver.flush();
  const { state } = app;
  state.inst = eng.instrument(saved.instrument.id);
  state.id = saved.instrument.id;
  state.key = key;
  state.saved = saved;
  state.cellErrors.clear();
  state.rawValues.clear();
  void app.library.put({ ...record, opened: new Date().toISOString() });
  return true;
}

/**
 * Start a new assessment of instrument `id`: it is in use at once and written to the library
 * at its first change.
 *
 * @param {App} app - The app (with a library)
 * @param {string} id - The instrument's id
 */
export function startNew(app, id) {
  app.saver.flush();
  const { state } = app;
  state.inst = eng.instrument(id);
  state.id = id;
  state.key = newId();
  state.saved = eng.newAssessment(id, new Date().toISOString());
  state.cellErrors.clear();
  state.rawValues.clear();
}

/**
 * The name an assessment is listed under: the one the person gave it, else the answer to its
 * instrument's title question, else "Untitled" and the instrument's title.
 *
 * @param {StoredAssessment} record - The record
 * @param {SavedFile | null} saved - Its saved file, when the engine could read it
 * @param {string} instrumentTitle - The instrument's title
 * @returns {string} The name
 */
export function displayName(record, saved, instrumentTitle) {
  if (record.name) return record.name;
  const q = saved ? titleQuestion(saved.instrument.id) : undefined;
  const t = saved && q ? saved.answers[q] : undefined;
  return typeof t === "string" && t.trim() ? t.trim() : `Untitled ${instrumentTitle}`;
}

/**
 * The id of instrument `id`'s title question, if it has one.
 *
 * @param {string} id - The instrument's id
 * @returns {string | undefined} The question's id
 */
function titleQuestion(id) {
  try {
    return eng.instrument(id).roles?.title;
  } catch {
    return undefined;
  }
}

/**
 * Move the drafts an older version of the app kept in localStorage (`equitas:draft:<instrument>`)
 * into the library. Each is copied as it is, read back, and only then removed from localStorage;
 * one the engine cannot read stays where it is (the start page sets it aside, as before). Returns
 * a line for each draft moved, saying what moved (and what the engine brought up to date).
 *
 * @param {App} app - The app (with a library)
 * @returns {Promise<string[]>} What moved
 */
export async function migrateLocalDrafts(app) {
  const library = app.library;
  /** @type {string[]} */
  const moved = [];
  if (!library) return moved;
  /** @type {string[]} */
  const keys = [];
  try {
    const ls = window.localStorage;
    for (let i = 0; i < ls.length; i++) {
      const k = ls.key(i);
      if (k && k.startsWith("equitas:draft:")) keys.push(k);
    }
  } catch {
    return moved;
  }
  for (const key of keys) {
    const text = readDraft(key);
    if (!text) continue;
    /** @type {{assessment: SavedFile, notes: NoteOut[]}} */
    let loaded;
    try {
      loaded = eng.loadAssessment(text);
    } catch (e) {
      // Set aside (or, with no room for that, blocked) as the start page did before.
      const id = key.slice("equitas:draft:".length);
      if (!setAsideDraft(key, id, text)) app.state.blocked.set(key, { id, text, message: messageOf(e) });
      continue;
    }
    const a = loaded.assessment;
    const now = new Date().toISOString();
    /** @type {StoredAssessment} */
    const record = { id: newId(), name: "", instrument: a.instrument.id, text, changed: a.updated || now, opened: now };
    if (!(await library.put(record))) continue;
    try {
      window.localStorage.removeItem(key);
    } catch {
      // Left in both places: the next start copies it again rather than lose it.
    }
    const title = eng.instruments().find((i) => i.id === a.instrument.id)?.title ?? a.instrument.id;
    const notes = (loaded.notes || []).map((n) => ` ${n.message}`.trimEnd()).join(";");
    moved.push(
      `Your draft "${displayName(record, a, title)}" moved from this browser's older storage to its list of assessments${notes ? `, and was brought up to date:${notes}` : ""}.`,
    );
  }
  return moved;
}

/**
 * Set (or, with `undefined`, remove) the answer to a question of the draft in use, and schedule
 * the autosave.
 *
 * @param {App} app - The app
 * @param {string} qid - The question's id
 * @param {Answer | undefined} value - The answer
 */
export function setAnswer(app, qid, value) {
  const { saved } = inUse(app);
  if (value === undefined) delete saved.answers[qid];
  else saved.answers[qid] = wellFormed(value);
  saved.updated = new Date().toISOString();
  app.saver.schedule();
}

/**
 * Look for a draft with answers for every instrument offered, for the start page's banners.
 *
 * @param {App} app - The app
 */
export function findDrafts(app) {
  app.state.restored = [];
  for (const i of listInstruments(app)) {
    const a = loadStored(app, i.id);
    if (a && hasAnswers(a)) app.state.restored.push({ id: i.id, title: i.title, updated: a.updated });
  }
}

/**
 * The drafts that could not be opened, for instrument `id` (or every one offered).
 *
 * @param {App} app - The app
 * @param {string} [id] - Only this instrument's
 * @returns {UnreadableDraft[]} Those set aside (oldest first), then those blocking their key
 */
export function unreadable(app, id) {
  const ids = id ? [id] : listInstruments(app).map((i) => i.id);
  /** @type {UnreadableDraft[]} */
  const out = unreadableDrafts().filter((d) => ids.includes(d.instrument));
  for (const [key, b] of app.state.blocked) {
    if (ids.includes(b.id))
      out.push({ key, instrument: b.id, when: null, text: b.text, message: b.message, blocked: true });
  }
  return out;
}

/**
 * Why a draft cannot be opened, in the engine's words, asked again now if not known.
 *
 * @param {UnreadableDraft} d - The draft
 * @returns {string} The reason, a lower-case phrase
 */
export function whyUnreadable(d) {
  if (d.message) return d.message;
  try {
    eng.loadAssessment(d.text);
    return "it could not be opened when this page last read it";
  } catch (e) {
    return messageOf(e);
  }
}

/**
 * The assessment in use: the instrument's id, its definition, the draft's key and the draft.
 * Pages for one instrument are only shown after `use()` (routes.js), so there always is one;
 * anything else is a bug, reported as one.
 *
 * @param {App} app - The app
 * @returns {{id: string, inst: Instrument, key: string, saved: SavedFile}} The assessment in use
 */
export function inUse(app) {
  const { id, inst, key, saved } = app.state;
  if (id === null || inst === null || key === null || saved === null) {
    throw new Error("no assessment is open (a page for one instrument was shown before its draft was read)");
  }
  return { id, inst, key, saved };
}

/**
 * The message of anything thrown: an Error's message, or the value as text.
 *
 * @param {unknown} e - What was thrown
 * @returns {string} Its message
 */
export function messageOf(e) {
  return e instanceof Error ? e.message : String(e);
}
