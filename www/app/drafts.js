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
import { draftKey, readDraft, writeDraft, setAsideDraft, unreadableDrafts } from "./storage.js";
import { wellFormed, hasAnswers } from "./answers.js";

/** @import { App } from "./app.js" */
/** @import { Instrument, InstrumentListing, SavedFile, Answer } from "./engine.js" */

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
 * @returns {boolean} True when it was stored
 */
export function store(app, key, saved) {
  return !app.state.blocked.has(key) && writeDraft(key, saved);
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
  state.key = draftKey(id, app.options.storageKey);
  state.cellErrors.clear();
  state.rawValues.clear();
  state.saved = loadStored(app, id) || eng.newAssessment(id, new Date().toISOString());
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
