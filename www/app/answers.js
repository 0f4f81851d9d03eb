// @ts-check
// Pure helpers about a draft's answers (no DOM, no engine), shared by the pages and unit-tested
// under Node (tests/unit/answers.test.mjs).

/** @import { SavedFile } from "./engine.js" */

/**
 * An answer as the engine can read it: text with a lone surrogate (half of a UTF-16 pair, which a
 * paste can bring in) gets U+FFFD in its place, the character the field already shows for it.
 * Left as it was, the engine would refuse the whole draft on every call. Arrays and objects are
 * copied with every string in them (keys too) made well formed; anything else is returned as is.
 *
 * @template T
 * @param {T} value - An answer, or any part of one
 * @returns {T} The same value with every string well formed
 */
export function wellFormed(value) {
  /** @type {unknown} */
  const v = value;
  if (typeof v === "string") {
    return /** @type {T} */ (typeof v.isWellFormed === "function" && !v.isWellFormed() ? v.toWellFormed() : v);
  }
  if (Array.isArray(v)) return /** @type {T} */ (v.map(wellFormed));
  if (v && typeof v === "object") {
    return /** @type {T} */ (Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)])));
  }
  return value;
}

/**
 * Whether a draft holds any answer.
 *
 * @param {SavedFile | null | undefined} saved - A saved-file object, or nothing
 * @returns {boolean} True when it has at least one answer
 */
export function hasAnswers(saved) {
  return !!saved && !!saved.answers && Object.keys(saved.answers).length > 0;
}
