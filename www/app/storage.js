// Drafts in localStorage: one key per instrument (or the host's own key), written by a debounced
// autosave so typing never waits on storage. localStorage can throw (private browsing, quota, a
// host that disabled it); every call here reports that instead of breaking the form. A draft the
// engine cannot read is moved to a key of its own (`setAsideDraft`), never written over.

const PREFIX = "equitas:draft:";

/** The storage key for an instrument's draft; `storageKey` (a mount option) overrides it. */
export function draftKey(instrumentId, storageKey) {
  return storageKey ? `${storageKey}` : `${PREFIX}${instrumentId}`;
}

/** The draft's JSON text, or null when there is none (or storage cannot be read). */
export function readDraft(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Write the saved-file object now. Returns true when it was stored. */
export function writeDraft(key, saved) {
  try {
    window.localStorage.setItem(key, JSON.stringify(saved));
    return true;
  } catch {
    return false;
  }
}

/** Remove the draft. Returns true when storage no longer holds it. */
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
 * Keep a stored draft that cannot be used (the engine cannot read it): copy its text under a key
 * of its own, `equitas:unreadable:<instrument>:<ISO time>`, and only once the copy reads back the
 * same, remove it from `key`. So a new draft can never be saved over it, and nothing is lost.
 * Returns the new key, or null when storage refused the copy; then `key` is left as it was, and
 * the caller must not write to it.
 */
export function setAsideDraft(key, instrumentId, text, when = new Date()) {
  try {
    const store = window.localStorage;
    const base = `${UNREADABLE}${instrumentId}:${when.toISOString()}`;
    let aside = base;
    for (let n = 2; store.getItem(aside) !== null; n++) aside = `${base}-${n}`;
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
 * for all: [{key, instrument, when (ISO time), text}].
 */
export function unreadableDrafts(instrumentId) {
  const out = [];
  try {
    const store = window.localStorage;
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      if (!key || !key.startsWith(UNREADABLE)) continue;
      const m = /^(.*):(\d{4}-\d{2}-\d{2}T[\d:.]+Z)(?:-\d+)?$/.exec(key.slice(UNREADABLE.length));
      if (!m || (instrumentId && m[1] !== instrumentId)) continue;
      const text = store.getItem(key);
      if (text !== null) out.push({ key, instrument: m[1], when: m[2], text });
    }
  } catch {
    return out;
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whether `key` is one `setAsideDraft` made. */
export function isSetAside(key) {
  return typeof key === "string" && key.startsWith(UNREADABLE);
}

/**
 * A debounced saver: `schedule()` after every change writes `current()` ({key, saved}) once the
 * user pauses for `delay` ms; `flush()` writes a pending change at once (before leaving a page,
 * on pagehide); `cancel()` drops it (after "Delete my answers"). `onSaved(ok, when)` reports.
 */
export function autosaver(current, { delay = 300, onSaved = () => {} } = {}) {
  let timer = null;
  const write = () => {
    timer = null;
    const c = current();
    if (!c) return;
    const ok = writeDraft(c.key, c.saved);
    onSaved(ok, new Date());
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
