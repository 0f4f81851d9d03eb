// Drafts in localStorage: one key per instrument (or the host's own key), written by a debounced
// autosave so typing never waits on storage. localStorage can throw (private browsing, quota, a
// host that disabled it); every call here reports that instead of breaking the form.

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
