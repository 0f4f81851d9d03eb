// @ts-check
// Drafts in localStorage: one key per instrument (or the host's own key), written by a debounced
// autosave so typing never waits on storage. localStorage can throw (private browsing, quota, a
// host that disabled it); every call here reports that instead of breaking the form. A draft the
// engine cannot read is moved to a key of its own (`setAsideDraft`), never written over.

const PREFIX = "equitas:draft:";

/**
 * The storage key for an instrument's draft; `storageKey` (a mount option) overrides it.
 *
 * @param {string} instrumentId - The instrument's id
 * @param {string | undefined} [storageKey] - The host's own key, if it gave one
 * @returns {string} `equitas:draft:<instrument>`, or the host's key
 */
export function draftKey(instrumentId, storageKey) {
  return storageKey ? `${storageKey}` : `${PREFIX}${instrumentId}`;
}

/**
 * The draft's JSON text, or null when there is none (or storage cannot be read).
 *
 * @param {string} key - Its storage key
 * @returns {string | null} The stored text
 */
export function readDraft(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * Write the saved-file object now.
 *
 * @param {string} key - Its storage key
 * @param {unknown} saved - The saved-file object, written as JSON
 * @returns {boolean} True when it was stored
 */
export function writeDraft(key, saved) {
  try {
    window.localStorage.setItem(key, JSON.stringify(saved));
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove the draft.
 *
 * @param {string} key - Its storage key
 * @returns {boolean} True when storage no longer holds it
 */
export function deleteDraft(key) {
  try {
    window.localStorage.removeItem(key);
    return window.localStorage.getItem(key) === null;
  } catch {
    return false;
  }
}

const UNREADABLE = "equitas:unreadable:";

/**
 * The key a draft that could not be read is moved to: `equitas:unreadable:<instrument>:<ISO
 * time>`, with `-<n>` after it for the second and later drafts set aside in the same millisecond.
 *
 * @param {string} instrumentId - The instrument the draft belongs to
 * @param {Date} when - When it is set aside
 * @param {number} [n] - 1 for the first key of that moment, 2 for the next, …
 * @returns {string} The key
 */
export function setAsideKey(instrumentId, when, n = 1) {
  const base = `${UNREADABLE}${instrumentId}:${when.toISOString()}`;
  return n === 1 ? base : `${base}-${n}`;
}

/**
 * What a key made by `setAsideKey` says, or null for any other key.
 *
 * @param {string} key - A storage key
 * @returns {{instrument: string, when: string} | null} The instrument and the time (ISO 8601)
 */
export function parseSetAsideKey(key) {
  if (!key.startsWith(UNREADABLE)) return null;
  const m = /^(.*):(\d{4}-\d{2}-\d{2}T[\d:.]+Z)(?:-\d+)?$/.exec(key.slice(UNREADABLE.length));
  return m ? { instrument: m[1], when: m[2] } : null;
}

/**
 * A draft set aside by `setAsideDraft`.
 *
 * @typedef {object} SetAsideDraft
 * @property {string} key - Its storage key
 * @property {string} instrument - The instrument it belongs to
 * @property {string} when - When it was set aside (ISO 8601)
 * @property {string} text - Its text, exactly as it was stored
 */

/**
 * Keep a stored draft that cannot be used (the engine cannot read it): copy its text under a key
 * of its own, `equitas:unreadable:<instrument>:<ISO time>`, and only once the copy reads back the
 * same, remove it from `key`. So a new draft can never be saved over it, and nothing is lost.
 * Returns the new key, or null when storage refused the copy; then `key` is left as it was, and
 * the caller must not write to it.
 *
 * @param {string} key - Where the draft is now
 * @param {string} instrumentId - The instrument it belongs to
 * @param {string} text - Its text
 * @param {Date} [when] - Now
 * @returns {string | null} The key it was moved to, or null when it stayed where it was
 */
export function setAsideDraft(key, instrumentId, text, when = new Date()) {
  try {
    const store = window.localStorage;
    let n = 1;
    let aside = setAsideKey(instrumentId, when);
    while (store.getItem(aside) !== null) aside = setAsideKey(instrumentId, when, ++n);
    store.setItem(aside, text);
    if (store.getItem(aside) !== text) return null;
    store.removeItem(key);
    return aside;
  } catch {
    return null;
  }
}

/**
 * The drafts set aside by `setAsideDraft`, oldest first, for one instrument or (without an id)
 * for all.
 *
 * @param {string} [instrumentId] - Only this instrument's drafts
 * @returns {SetAsideDraft[]} The drafts, ordered by key
 */
export function unreadableDrafts(instrumentId) {
  /** @type {SetAsideDraft[]} */
  const out = [];
  try {
    const store = window.localStorage;
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      const parsed = key ? parseSetAsideKey(key) : null;
      if (!key || !parsed || (instrumentId && parsed.instrument !== instrumentId)) continue;
      const text = store.getItem(key);
      if (text !== null) out.push({ key, instrument: parsed.instrument, when: parsed.when, text });
    }
  } catch {
    return out;
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Whether `key` is one `setAsideDraft` made.
 *
 * @param {unknown} key - A storage key
 * @returns {boolean} True for a set-aside draft's key
 */
export function isSetAside(key) {
  return typeof key === "string" && key.startsWith(UNREADABLE);
}

/**
 * A debounced saver: `schedule()` after every change writes `current()` ({key, saved}) once the
 * user pauses for `delay` ms; `flush()` writes a pending change at once (before leaving a page,
 * on pagehide); `cancel()` drops it (after "Delete my answers"). `onSaved(ok, when)` reports.
 *
 * `store(key, saved)` does the writing (localStorage's `writeDraft` unless told otherwise); when it
 * returns a promise (IndexedDB), `onSaved` is called once it settles.
 *
 * @param {() => ({key: string, saved: unknown} | null)} current - What to write now, or null for nothing
 * @param {{delay?: number, onSaved?: (ok: boolean, when: Date) => void,
 *   store?: (key: string, saved: unknown) => boolean | Promise<boolean>}} [options] - The pause
 *   before a write, in ms, what to call after each write, and what writes
 * @returns {Autosaver} The saver
 */
export function autosaver(current, { delay = 300, onSaved = () => {}, store = writeDraft } = {}) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  const write = () => {
    timer = null;
    const c = current();
    if (!c) return;
    const ok = store(c.key, c.saved);
    if (typeof ok === "boolean") onSaved(ok, new Date());
    else ok.then((done) => onSaved(done, new Date()));
  };
  return {
    schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(write, delay);
    },
    flush() {
      if (timer) {
        clearTimeout(timer);
        write();
      }
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    get pending() {
      return timer !== null;
    },
  };
}

/**
 * A debounced saver, from `autosaver`.
 *
 * @typedef {object} Autosaver
 * @property {() => void} schedule - Write once the user pauses
 * @property {() => void} flush - Write a pending change now
 * @property {() => void} cancel - Drop a pending change
 * @property {boolean} pending - Whether a change is waiting to be written
 */

/**
 * The sessionStorage key under which the data page hands a table's subgroups to the form
 * (`{title, evidence}`), until the person adds them to an assessment.
 */
export const EVIDENCE_HANDOFF = "equitas:evidence-from-data";
