// Answers as the engine can read them (app/answers.js): lone surrogates replaced, everything else
// kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wellFormed, hasAnswers } from "../../app/answers.js";

test("wellFormed replaces a lone surrogate with U+FFFD, in text, lists and keys, at any depth", () => {
  assert.equal(wellFormed("broken \uD83D paste"), "broken \uFFFD paste");
  assert.equal(wellFormed("tail \uDE00"), "tail \uFFFD");
  assert.equal(wellFormed("a pair is fine \uD83D\uDE00"), "a pair is fine \uD83D\uDE00");
  assert.deepEqual(wellFormed(["ok", "\uD800"]), ["ok", "\uFFFD"]);
  assert.deepEqual(wellFormed({ "k\uDC00": { note: "x\uD800y", considered: true } }), {
    "k\uFFFD": { note: "x\uFFFDy", considered: true },
  });
  assert.deepEqual(wellFormed({ rows: [{ subgroup: "\uDBFF", order: 1, reference: true }] }), {
    rows: [{ subgroup: "\uFFFD", order: 1, reference: true }],
  });
});

test("wellFormed keeps every well-formed value as it is", () => {
  for (const v of [0, -1.5, true, false, null, undefined, "", "plain", "émoji 🙂"]) assert.equal(wellFormed(v), v);
  const v = { a: [1, "b", { c: null }] };
  assert.deepEqual(wellFormed(v), v);
  assert.notEqual(wellFormed(v), v, "objects are copied, never changed in place");
});

test("hasAnswers: a draft with at least one answer", () => {
  assert.equal(hasAnswers(null), false);
  assert.equal(hasAnswers(undefined), false);
  assert.equal(hasAnswers({ answers: {} }), false);
  assert.equal(hasAnswers({ answers: { "prepare.title": "x" } }), true);
});
