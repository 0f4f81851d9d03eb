// @ts-check
// Finding one's way around an instrument: sections, the next visible question, the link to a
// question, and the field an engine error is about. Pure (no DOM, no engine), so unit-tested
// under Node (tests/unit/questions.test.mjs).

import { fieldId } from "./form.js";
import { safeId } from "./dom.js";

/** @import { Instrument, Section, Question } from "./engine.js" */

/**
 * The section of an instrument with id `sid`.
 *
 * @param {Instrument} inst - The instrument
 * @param {string | undefined} sid - The section's id
 * @returns {Section | undefined} The section, or undefined when there is none
 */
export function sectionById(inst, sid) {
  return inst.sections.find((s) => s.id === sid);
}

/**
 * The index of the next visible question of a section after index `i` (0-based), or before it
 * with `step` -1; -1 when there is none.
 *
 * @param {Section} s - The section
 * @param {number} i - Where to start (not itself a candidate)
 * @param {Set<string>} vis - The ids of the visible questions
 * @param {1 | -1} [step] - Forwards (1) or backwards (-1)
 * @returns {number} The question's index, or -1
 */
export function nextVisible(s, i, vis, step = 1) {
  for (let j = i + step; j >= 0 && j < s.questions.length; j += step) if (vis.has(s.questions[j].id)) return j;
  return -1;
}

/**
 * The route of question `n` (1-based) of a section; with `from`, the question page comes back
 * there after Continue ("check": the section's check page, "all": check all).
 *
 * @param {string} instrumentId - The instrument's id
 * @param {string} sid - The section's id
 * @param {number} n - The question's number in the section, from 1
 * @param {string | null} [from] - Where to come back to
 * @returns {string} The route
 */
export function questionRoute(instrumentId, sid, n, from) {
  return `/${instrumentId}/q/${encodeURIComponent(sid)}/${n}${from ? `?from=${from}` : ""}`;
}

/**
 * The link to question `n` of a section: `#` and its route (`questionRoute`).
 *
 * @param {string} instrumentId - The instrument's id
 * @param {string} sid - The section's id
 * @param {number} n - The question's number in the section, from 1
 * @param {string | null} [from] - Where to come back to
 * @returns {string} The link
 */
export function questionHref(instrumentId, sid, n, from) {
  return `#${questionRoute(instrumentId, sid, n, from)}`;
}

/**
 * The link to the question with id `qid`, or to the task list when the instrument has none.
 *
 * @param {string} instrumentId - The instrument's id (in the route)
 * @param {Instrument} inst - The instrument
 * @param {string} qid - The question's id
 * @param {string | null} [from] - Where the question page comes back to
 * @returns {string} The link
 */
export function questionLink(instrumentId, inst, qid, from) {
  for (const s of inst.sections) {
    const i = s.questions.findIndex((q) => q.id === qid);
    if (i >= 0) return questionHref(instrumentId, s.id, i + 1, from);
  }
  return `#/${instrumentId}/tasks`;
}

/**
 * The id of the element an engine error about question `q` should link to: the table cell or
 * evidence row named by `row N, Column:` / `row N: fill in Column`, the checklist item named by
 * `item:`, else the question's first field.
 *
 * @param {Question} q - The question
 * @param {string} message - The engine's message
 * @returns {string} An element id
 */
export function errorTarget(q, message) {
  const k = q.kind;
  const m = /^row (\d+)(?:, ([^:]+):|: fill in (.+)$)?/.exec(message);
  if (m && k.type === "table") {
    const label = m[2] || m[3];
    const r = Number(m[1]);
    const col = k.columns.find((c) => c.label === label) || k.columns[0];
    return r === 1 && col === k.columns[0] ? fieldId(q) : safeId("q", q.id, "row", r, col.id);
  }
  if (m && k.type === "evidence_table") return safeId("q", q.id, "row", Number(m[1]), "dimension");
  if (k.type === "dimension_checklist") {
    const item = /^(\S+?):/.exec(message);
    const first = k.items[0];
    if (item && k.items.some((it) => it.id === item[1]) && item[1] !== (first && first.id)) {
      return safeId("q", q.id, item[1]);
    }
  }
  return fieldId(q);
}
