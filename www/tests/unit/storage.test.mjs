// Drafts in localStorage (app/storage.js): the keys, setting aside a draft the engine cannot
// read, listing those set aside, and the debounced autosave; against an in-memory Storage.
import { test, beforeEach, mock } from "node:test";
import assert from "node:assert/strict";
import {
  draftKey,
  readDraft,
  writeDraft,
  deleteDraft,
  setAsideKey,
  parseSetAsideKey,
  setAsideDraft,
  unreadableDrafts,
  isSetAside,
  autosaver,
} from "../../app/storage.js";

/** A Storage in memory; `refuse(key, value)` returning true makes setItem throw (a full store). */
class MemoryStorage {
  constructor() {
    this.map = new Map();
    this.refuse = () => false;
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    if (this.refuse(k, v)) throw new Error("QuotaExceededError");
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

let store;
beforeEach(() => {
  store = new MemoryStorage();
  globalThis.window = { localStorage: store };
});

const WHEN = new Date("2026-01-06T17:30:00.000Z");

test("draftKey: one key per instrument, or the host's own", () => {
  assert.equal(draftKey("heat"), "equitas:draft:heat");
  assert.equal(draftKey("heat", "project-42"), "project-42");
  assert.equal(draftKey("heat", ""), "equitas:draft:heat", "an empty host key is no key");
});

test("setAsideKey and parseSetAsideKey are inverses, numbered keys included", () => {
  assert.equal(setAsideKey("heat", WHEN), "equitas:unreadable:heat:2026-01-06T17:30:00.000Z");
  assert.equal(setAsideKey("heat", WHEN, 3), "equitas:unreadable:heat:2026-01-06T17:30:00.000Z-3");
  for (const n of [1, 2, 10]) {
    for (const id of ["heat", "hi-maturity", "a:b"]) {
      assert.deepEqual(parseSetAsideKey(setAsideKey(id, WHEN, n)), { instrument: id, when: WHEN.toISOString() });
    }
  }
  assert.equal(parseSetAsideKey("equitas:draft:heat"), null);
  assert.equal(parseSetAsideKey("equitas:unreadable:heat:yesterday"), null);
  assert.equal(isSetAside(setAsideKey("heat", WHEN)), true);
  assert.equal(isSetAside("equitas:draft:heat"), false);
  assert.equal(isSetAside(undefined), false);
});

test("read, write and delete a draft; storage errors are reported, not thrown", () => {
  assert.equal(readDraft("k"), null);
  assert.equal(writeDraft("k", { a: 1 }), true);
  assert.equal(readDraft("k"), '{"a":1}');
  assert.equal(deleteDraft("k"), true);
  assert.equal(readDraft("k"), null);
  store.refuse = () => true;
  assert.equal(writeDraft("k", { a: 1 }), false);
  globalThis.window = {
    get localStorage() {
      throw new Error("storage is turned off");
    },
  };
  assert.equal(readDraft("k"), null);
  assert.equal(writeDraft("k", {}), false);
  assert.equal(deleteDraft("k"), false);
  assert.deepEqual(unreadableDrafts(), []);
  assert.equal(setAsideDraft("k", "heat", "text", WHEN), null);
});

test("setAsideDraft moves the text, byte for byte, to a key of its own that is not yet taken", () => {
  const text = '{"schema_version": 99}\n';
  store.setItem("equitas:draft:heat", text);
  store.setItem(setAsideKey("heat", WHEN), "an earlier one");
  const aside = setAsideDraft("equitas:draft:heat", "heat", text, WHEN);
  assert.equal(aside, setAsideKey("heat", WHEN, 2));
  assert.equal(store.getItem(aside), text);
  assert.equal(store.getItem("equitas:draft:heat"), null, "the draft's own key is free for a new draft");
  assert.equal(store.getItem(setAsideKey("heat", WHEN)), "an earlier one", "nothing set aside before is touched");
});

test("setAsideDraft leaves the draft where it is when storage refuses the copy", () => {
  store.setItem("equitas:draft:heat", "precious");
  store.refuse = (k) => k.startsWith("equitas:unreadable:");
  assert.equal(setAsideDraft("equitas:draft:heat", "heat", "precious", WHEN), null);
  assert.equal(store.getItem("equitas:draft:heat"), "precious");
  assert.equal(store.length, 1);
});

test("unreadableDrafts lists the drafts set aside, by key, for one instrument or all", () => {
  store.setItem(setAsideKey("heat", new Date("2026-02-01T00:00:00Z")), "b");
  store.setItem(setAsideKey("heat", WHEN), "a");
  store.setItem(setAsideKey("hi-maturity", WHEN), "c");
  store.setItem("equitas:draft:heat", "not set aside");
  store.setItem("equitas:unreadable:heat:no-time", "not a key setAsideKey makes");
  assert.deepEqual(
    unreadableDrafts("heat").map((d) => [d.instrument, d.when, d.text]),
    [
      ["heat", "2026-01-06T17:30:00.000Z", "a"],
      ["heat", "2026-02-01T00:00:00.000Z", "b"],
    ],
  );
  assert.deepEqual(
    unreadableDrafts().map((d) => d.text),
    ["a", "b", "c"],
  );
});

test("autosaver writes once the typing pauses, flushes and cancels, and reports each write", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const reports = [];
    let saved = { n: 0 };
    const saver = autosaver(() => ({ key: "k", saved }), { delay: 300, onSaved: (ok) => reports.push(ok) });
    saver.schedule();
    mock.timers.tick(200);
    saved = { n: 1 };
    saver.schedule();
    mock.timers.tick(299);
    assert.equal(store.getItem("k"), null, "no write while the user keeps typing");
    assert.equal(saver.pending, true);
    mock.timers.tick(1);
    assert.equal(store.getItem("k"), '{"n":1}');
    assert.equal(saver.pending, false);
    assert.deepEqual(reports, [true]);

    saved = { n: 2 };
    saver.schedule();
    saver.flush();
    assert.equal(store.getItem("k"), '{"n":2}', "flush writes at once");
    saver.flush();
    assert.deepEqual(reports, [true, true], "a flush with nothing pending writes nothing");

    saved = { n: 3 };
    saver.schedule();
    saver.cancel();
    mock.timers.tick(1000);
    assert.equal(store.getItem("k"), '{"n":2}', "a cancelled change is never written");

    store.refuse = () => true;
    saver.schedule();
    mock.timers.tick(300);
    assert.deepEqual(reports, [true, true, false], "a refused write is reported");
  } finally {
    mock.timers.reset();
  }
});

test("autosaver writes nothing when there is nothing to write", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const reports = [];
    const saver = autosaver(() => null, { onSaved: (ok) => reports.push(ok) });
    saver.schedule();
    mock.timers.tick(300);
    assert.deepEqual(reports, []);
    assert.equal(store.length, 0);
  } finally {
    mock.timers.reset();
  }
});
