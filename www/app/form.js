// @ts-check
// Question pages: one renderer per question kind, and the read-only rendering of answers used by
// the check-answers pages and the printed assessment.
//
// Every control writes straight into the in-memory saved-file object through `ctx.set` on each
// input event (autosave debounces the write to storage). Controls are never rebuilt while the
// user types; only structural changes (add/remove a row, tick "considered") rebuild the one
// question block and put focus back where the user was.

import { h, safeId } from "./dom.js";
import { EVIDENCE_HANDOFF } from "./storage.js";

/** @import { Instrument, Question, Choice, Answer, SavedFile, ChecklistEntry, Evidence, EvidenceRow } from "./engine.js" */
/** @import { Child } from "./dom.js" */
/** @import { Kind } from "../pkg/equitas_wasm.js" */

/**
 * The kind of question whose `type` is `T`, e.g. `KindOf<"table">` has its `columns`.
 *
 * @template {Kind["type"]} T
 * @typedef {Extract<Kind, {type: T}>} KindOf
 */

/**
 * What a question page gives the question's controls.
 *
 * @typedef {object} QuestionContext
 * @property {Instrument} inst - The instrument (an `item_of` column lists another question's items)
 * @property {SavedFile["answers"]} answers - The draft's answers, read when the controls are drawn
 * @property {(qid: string, value: Answer | undefined) => void} set - Set (or, with undefined,
 *   remove) an answer; the autosave follows
 * @property {string[]} errors - The engine's messages for this question
 * @property {Map<string, string>} cellErrors - Numbers that could not be read, by element id
 *   (errors the engine never sees)
 * @property {Map<string, string>} rawValues - Text the form holds between redraws, by element id:
 *   what was typed in number and date fields (so a redraw shows it as typed), a paste not yet
 *   added, a file waiting for its table to be chosen, and the sentence saying what was added
 * @property {(focusId: string | null, announce?: string) => void} rebuild - Draw the question
 *   again (after a row is added or removed), focus `focusId` and announce `announce`
 */

/**
 * A table question's answer: one object per row, cell values by column id.
 *
 * @typedef {Record<string, string>[]} TableAnswer
 */

/**
 * A dimension checklist's answer: an entry per item considered (or noted).
 *
 * @typedef {Record<string, ChecklistEntry>} ChecklistAnswer
 */

/**
 * The value of the form field an event came from ("" for anything else).
 *
 * @param {Event} e - An input or change event
 * @returns {string} The field's value
 */
function fieldValue(e) {
  const t = e.target;
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement
    ? t.value
    : "";
}

/**
 * Whether the checkbox an event came from is ticked.
 *
 * @param {Event} e - A change event
 * @returns {boolean} True when ticked
 */
function isChecked(e) {
  return e.target instanceof HTMLInputElement && e.target.checked;
}

const FAMILY_LABELS = {
  protected_characteristics: "Protected characteristics",
  socioeconomic: "Socio-economic",
  geography: "Geography",
  inclusion_health: "Inclusion health groups",
  plus: "PLUS groups",
  plus_cyp: "PLUS groups for children and young people",
};

/** @type {[NonNullable<ChecklistEntry["impact"]>, string][]} Each impact and its words. */
const IMPACTS = [
  ["positive", "Positive"],
  ["negative", "Negative"],
  ["neutral", "Neutral"],
  ["not_known", "Not known"],
];

/** @type {[string, string, string | null, boolean][]} Each number of a subgroup: field, label, hint, whole? */
const EVIDENCE_NUMBERS = [
  ["order", "Order", "1 = most disadvantaged; leave blank if the groups have no order", true],
  ["estimate", "Estimate", null, false],
  ["population", "Population", "Number of people in the subgroup", false],
  ["se", "Standard error", null, false],
  ["lower", "Lower limit", "Of the confidence interval", false],
  ["upper", "Upper limit", "Of the confidence interval", false],
];

/**
 * A family id as words.
 *
 * @param {string | undefined} id - The family's id, e.g. "inclusion_health"
 * @returns {string} Its name, e.g. "Inclusion health groups"
 */
export function familyLabel(id) {
  if (!id) return "Other";
  if (Object.hasOwn(FAMILY_LABELS, id)) return FAMILY_LABELS[/** @type {keyof FAMILY_LABELS} */ (id)];
  const s = id.replace(/[_-]+/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Engine messages are lower-case phrases; NHS.UK error messages start with a capital.
 *
 * @param {unknown} msg - A message
 * @returns {string} The message with a capital first letter
 */
export function sentence(msg) {
  const s = String(msg);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The id of the question's first control: where an error summary link points.
 *
 * @param {{id: string}} q - The question
 * @returns {string} The element id
 */
export function fieldId(q) {
  return safeId("q", q.id);
}

/**
 * The question of an instrument with id `id`.
 *
 * @param {Instrument} inst - The instrument
 * @param {string} id - The question's id
 * @returns {Question | null} The question, or null when there is none
 */
export function questionById(inst, id) {
  for (const s of inst.sections) for (const q of s.questions) if (q.id === id) return q;
  return null;
}

/**
 * @param {Question} q - A question
 * @returns {string} The id of its error messages
 */
function errorId(q) {
  return safeId("q", q.id, "error");
}

/**
 * @param {Question} q - A question
 * @returns {string} The id of its hint
 */
function hintId(q) {
  return safeId("q", q.id, "hint");
}

/**
 * @param {...(string | null)} ids - Element ids, or null
 * @returns {string | null} An aria-describedby value, or null for none
 */
function describedBy(...ids) {
  const v = ids.filter(Boolean).join(" ");
  return v || null;
}

/**
 * @param {string | null} id - The hint's id
 * @param {string | null | undefined} text - The hint, or nothing
 * @returns {HTMLElement | null} An NHS.UK hint, or null without text
 */
function hint(id, text) {
  return text ? h("div", { class: "nhsuk-hint", id }, text) : null;
}

/**
 * @param {string | null} id - The id of the messages' container
 * @param {string[]} messages - The messages
 * @returns {HTMLElement | null} NHS.UK error messages, or null for none
 */
function errorMessages(id, messages) {
  if (!messages.length) return null;
  return h(
    "div",
    { id },
    messages.map((m) =>
      h(
        "span",
        { class: "nhsuk-error-message" },
        h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
        sentence(m),
      ),
    ),
  );
}

/**
 * @param {Question} q - A question
 * @returns {string} Its label, with " (optional)" when it is not required
 */
function labelText(q) {
  return q.required ? q.label : `${q.label} (optional)`;
}

/**
 * A heading that can take focus when the page changes.
 *
 * @param {string} cls - Its class
 * @param {string} text - Its text
 * @returns {HTMLElement} The h1
 */
function pageHeading(cls, text) {
  return h("h1", { class: cls, tabindex: "-1" }, text);
}

/**
 * Render one question as the body of a page.
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - The answers, the errors and how to change them
 * @returns {HTMLElement} The question's form group
 */
export function renderQuestion(q, ctx) {
  const k = q.kind;
  switch (k.type) {
    case "single_choice":
    case "rating":
      return choiceQuestion(q, ctx, "radio", k.type === "rating" ? k.levels : k.options);
    case "multiple_choice":
      return choiceQuestion(q, ctx, "checkbox", k.options);
    case "text":
      return textQuestion(q, ctx);
    case "number":
      return numberQuestion(q, ctx);
    case "date":
      return dateQuestion(q, ctx);
    case "dimension_checklist":
      return checklistQuestion(q, ctx);
    case "table":
      return tableQuestion(q, ctx);
    case "evidence_table":
      return evidenceQuestion(q, ctx);
    default:
      return h(
        "div",
        { class: "nhsuk-form-group" },
        pageHeading("nhsuk-heading-l", q.label),
        h(
          "p",
          { class: "nhsuk-body" },
          `This version of equitas cannot show questions of the kind "${/** @type {{type: string}} */ (k).type}". Your saved answer to it is kept.`,
        ),
      );
  }
}

/**
 * @param {QuestionContext} ctx - The question's context
 * @returns {string} The form group's class, in the error style when the question has errors
 */
function groupClass(ctx) {
  return ctx.errors.length ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group";
}

/**
 * Radios (single choice, rating) or checkboxes (multiple choice).
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @param {"radio" | "checkbox"} type - Radios or checkboxes
 * @param {Choice[]} options - The options
 * @returns {HTMLElement} The form group
 */
function choiceQuestion(q, ctx, type, options) {
  const current = ctx.answers[q.id];
  const selected = new Set(
    /** @type {unknown[]} */ (type === "radio" ? (current ? [current] : []) : Array.isArray(current) ? current : []),
  );
  const eid = ctx.errors.length ? errorId(q) : null;
  const hid = q.help ? hintId(q) : null;
  const name = safeId("q", q.id);
  /** @param {HTMLElement} fs - The fieldset */
  const read = (fs) => {
    const ticked = [...fs.querySelectorAll("input:checked")].map((i) => /** @type {HTMLInputElement} */ (i).value);
    if (type === "radio") ctx.set(q.id, ticked[0]);
    else ctx.set(q.id, ticked.length ? options.map((o) => o.id).filter((id) => ticked.includes(id)) : undefined);
  };
  const items = options.map((o, i) => {
    const id = i === 0 ? fieldId(q) : safeId("q", q.id, o.id);
    const ohid = o.help ? `${id}-hint` : null;
    const cls = type === "radio" ? "nhsuk-radios" : "nhsuk-checkboxes";
    return h(
      "div",
      { class: `${cls}__item` },
      h("input", {
        class: `${cls}__input`,
        id,
        name,
        type,
        value: o.id,
        "aria-describedby": ohid,
        props: { checked: selected.has(o.id) },
      }),
      h("label", { class: `nhsuk-label ${cls}__label`, for: id }, o.label),
      o.help ? h("div", { class: `nhsuk-hint ${cls}__hint`, id: ohid }, o.help) : null,
    );
  });
  const fs = h(
    "fieldset",
    { class: "nhsuk-fieldset", "aria-describedby": describedBy(hid, eid) },
    h(
      "legend",
      { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--l" },
      h("h1", { class: "nhsuk-fieldset__heading", tabindex: "-1" }, labelText(q)),
    ),
    hint(hid, q.help),
    type === "checkbox" ? hint(`${name}-multi`, "Select all that apply.") : null,
    errorMessages(eid, ctx.errors),
    h("div", { class: type === "radio" ? "nhsuk-radios" : "nhsuk-checkboxes" }, items),
  );
  fs.addEventListener("change", () => read(fs));
  return h("div", { class: groupClass(ctx) }, fs);
}

/**
 * A text field, or a text area for a multiline question.
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @returns {HTMLElement} The form group
 */
function textQuestion(q, ctx) {
  const id = fieldId(q);
  const eid = ctx.errors.length ? errorId(q) : null;
  const hid = q.help ? hintId(q) : null;
  const answer = ctx.answers[q.id];
  const value = typeof answer === "string" ? answer : "";
  /** @type {import("./dom.js").Attrs} */
  const attrs = {
    id,
    name: id,
    "aria-describedby": describedBy(hid, eid),
    spellcheck: "true",
    on: { input: (e) => ctx.set(q.id, fieldValue(e) === "" ? undefined : fieldValue(e)) },
    props: { value },
  };
  const control =
    q.kind.type === "text" && q.kind.multiline
      ? h("textarea", { ...attrs, class: `nhsuk-textarea${eid ? " nhsuk-textarea--error" : ""}`, rows: "6" })
      : h("input", { ...attrs, class: `nhsuk-input${eid ? " nhsuk-input--error" : ""}`, type: "text" });
  return h(
    "div",
    { class: groupClass(ctx) },
    h(
      "h1",
      { class: "nhsuk-label-wrapper", tabindex: "-1" },
      h("label", { class: "nhsuk-label nhsuk-label--l", for: id }, labelText(q)),
    ),
    hint(hid, q.help),
    errorMessages(eid, ctx.errors),
    control,
  );
}

/**
 * Parse a number typed by a person: blank → undefined, bad → NaN. A comma may only group
 * thousands ("1,234,567"); "42,1" (a decimal comma) is NaN, never 421 (`numberError` says why).
 *
 * @param {unknown} text - What was typed
 * @returns {number | undefined} The number, NaN when it is not one, undefined when blank
 */
export function parseNumber(text) {
  let t = String(text).trim();
  if (t === "") return undefined;
  if (t.includes(",")) {
    if (!/^[-+]?\d{1,3}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?$/.test(t)) return NaN;
    t = t.replace(/,/g, "");
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

/**
 * What to tell a person whose typing `parseNumber` could not read, naming what was read: a
 * decimal comma gets its own message, anything else `otherwise`.
 *
 * @param {unknown} text - What was typed
 * @param {string} otherwise - The message for any other unreadable text
 * @returns {string} The message
 */
export function numberError(text, otherwise) {
  const t = String(text).trim();
  if (/^[-+]?\d*,\d+$/.test(t) && !/^[-+]?\d{1,3}(,\d{3})+$/.test(t)) {
    return `"${t}" has a decimal comma: use a full stop, like ${t.replace(",", ".")} (a comma can only separate thousands, like 1,234)`;
  }
  return `"${t}" is not a number: ${otherwise[0].toLowerCase()}${otherwise.slice(1)}`;
}

/**
 * A number field (with its unit after it, if it has one). What cannot be read as a number is
 * kept as typed and reported at the field (`ctx.cellErrors`); the answer is then removed.
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @returns {HTMLElement} The form group
 */
function numberQuestion(q, ctx) {
  const id = fieldId(q);
  const local = ctx.cellErrors.get(id);
  const errors = local ? [local, ...ctx.errors] : ctx.errors;
  const eid = errors.length ? errorId(q) : null;
  const hid = q.help ? hintId(q) : null;
  const v = ctx.answers[q.id];
  const input = h("input", {
    class: `nhsuk-input nhsuk-input--width-10${eid ? " nhsuk-input--error" : ""}`,
    id,
    name: id,
    type: "text",
    inputmode: "decimal",
    "aria-describedby": describedBy(hid, eid),
    props: { value: typeof v === "number" ? String(v) : (ctx.rawValues.get(id) ?? "") },
    on: {
      input: (e) => {
        const n = parseNumber(fieldValue(e));
        ctx.rawValues.set(id, fieldValue(e));
        if (Number.isNaN(n)) {
          ctx.cellErrors.set(id, numberError(fieldValue(e), `Enter a number for "${q.label}", like 12 or 3.5`));
          ctx.set(q.id, undefined);
        } else {
          ctx.cellErrors.delete(id);
          ctx.set(q.id, n);
        }
      },
    },
  });
  const unit = q.kind.type === "number" ? q.kind.unit : undefined;
  return h(
    "div",
    { class: errors.length ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" },
    h(
      "h1",
      { class: "nhsuk-label-wrapper", tabindex: "-1" },
      h("label", { class: "nhsuk-label nhsuk-label--l", for: id }, labelText(q)),
    ),
    hint(hid, q.help),
    errorMessages(eid, errors),
    unit
      ? h(
          "div",
          { class: "nhsuk-input-wrapper" },
          input,
          h("div", { class: "nhsuk-input__suffix", "aria-hidden": "true" }, unit),
        )
      : input,
  );
}

const DATE_HINT = "For example, 27 3 2026";

/**
 * A saved date's day, month and year for the three fields of the NHS.UK date input: a
 * `YYYY-MM-DD` answer split (without leading zeros), anything else left blank (its error, from
 * the engine, names the text).
 *
 * @param {unknown} value - The saved answer or cell
 * @returns {{day: string, month: string, year: string}} The fields
 */
export function dateParts(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof value === "string" ? value.trim() : "");
  return m ? { day: String(+m[3]), month: String(+m[2]), year: m[1] } : { day: "", month: "", year: "" };
}

/**
 * The answer the three fields of a date input give: nothing when all are blank, `YYYY-MM-DD`
 * when each is a number of the right length, else an error in the NHS.UK design system's words
 * naming what was typed. Whether the day exists (30 February) is the engine's check.
 *
 * @param {{day: string, month: string, year: string}} parts - What was typed
 * @param {string} label - The question or column, for the messages
 * @returns {{value?: string, error?: string}} The date, or what is wrong with it
 */
export function dateFromParts(parts, label) {
  const day = parts.day.trim();
  const month = parts.month.trim();
  const year = parts.year.trim();
  if (!day && !month && !year) return {};
  const missing = [
    ["a day", day],
    ["a month", month],
    ["a year", year],
  ].filter(([, v]) => !v);
  if (missing.length) {
    return { error: `${label} must include ${missing.map(([w]) => w).join(" and ")}` };
  }
  for (const [name, v] of [
    ["Day", day],
    ["Month", month],
  ]) {
    if (!/^\d{1,2}$/.test(v)) return { error: `${name} "${v}" must be a number, like ${name === "Day" ? "27" : "3"}` };
  }
  if (!/^\d{4}$/.test(year)) return { error: `Year "${year}" must include 4 numbers, like 2026` };
  return { value: `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}` };
}

/**
 * The three fields of the NHS.UK date input (day, month, year), each with its label. What they
 * give (`dateFromParts`) goes to `onValue`; an error is kept at the day field
 * (`ctx.cellErrors`, the first field, where the error summary's link leads) and the answer
 * removed, as for a number that cannot be read.
 *
 * @param {string} id - The day field's id; the month's and year's add -month and -year
 * @param {unknown} value - The saved date
 * @param {QuestionContext} ctx - The question's context (raw values and local errors)
 * @param {string} label - The question or column, for the messages
 * @param {(value: string | undefined) => void} onValue - Takes each new date
 * @param {string | null} [describedby] - Ids describing the fields (hint, error)
 * @returns {HTMLElement} The `nhsuk-date-input`
 */
function dateInputs(id, value, ctx, label, onValue, describedby) {
  const saved = dateParts(value);
  const ids = { day: id, month: `${id}-month`, year: `${id}-year` };
  /** @param {"day" | "month" | "year"} part */
  const current = (part) => ctx.rawValues.get(ids[part]) ?? saved[part];
  const error = ctx.cellErrors.get(id);
  /** @param {"day" | "month" | "year"} part */
  const item = (part) =>
    h(
      "div",
      { class: "nhsuk-date-input__item" },
      h(
        "label",
        { class: "nhsuk-label nhsuk-date-input__label", for: ids[part] },
        part[0].toUpperCase() + part.slice(1),
      ),
      h("input", {
        class: `nhsuk-input nhsuk-date-input__input nhsuk-input--width-${part === "year" ? 4 : 2}${error ? " nhsuk-input--error" : ""}`,
        id: ids[part],
        name: ids[part],
        type: "text",
        inputmode: "numeric",
        autocomplete: "off",
        "aria-describedby": describedby || null,
        props: { value: current(part) },
        on: {
          input: (e) => {
            ctx.rawValues.set(ids[part], fieldValue(e));
            const got = dateFromParts({ day: current("day"), month: current("month"), year: current("year") }, label);
            if (got.error) {
              ctx.cellErrors.set(id, got.error);
              onValue(undefined);
            } else {
              ctx.cellErrors.delete(id);
              onValue(got.value);
            }
          },
        },
      }),
    );
  return h("div", { class: "nhsuk-date-input", id: `${id}-date` }, item("day"), item("month"), item("year"));
}

/**
 * A date question: the NHS.UK date input in a fieldset whose legend is the page's heading.
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @returns {HTMLElement} The form group
 */
function dateQuestion(q, ctx) {
  const id = fieldId(q);
  const eid = ctx.errors.length ? errorId(q) : null;
  const hid = hintId(q);
  return h(
    "div",
    { class: groupClass(ctx) },
    h(
      "fieldset",
      { class: "nhsuk-fieldset", role: "group", "aria-describedby": describedBy(hid, eid) },
      h(
        "legend",
        { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--l" },
        h("h1", { class: "nhsuk-fieldset__heading", tabindex: "-1" }, labelText(q)),
      ),
      hint(hid, q.help ? `${q.help} ${DATE_HINT}.` : `${DATE_HINT}.`),
      errorMessages(eid, ctx.errors),
      dateInputs(id, ctx.answers[q.id], ctx, q.label, (v) => ctx.set(q.id, v)),
    ),
  );
}

/**
 * Items of a checklist grouped by family, in the instrument's order.
 *
 * @template {{family?: string}} T
 * @param {T[]} items - The items
 * @returns {[string, T[]][]} Each family ("" for none) with its items
 */
export function byFamily(items) {
  /** @type {Map<string, T[]>} */
  const groups = new Map();
  for (const it of items) {
    const f = it.family || "";
    const group = groups.get(f);
    if (group) group.push(it);
    else groups.set(f, [it]);
  }
  return [...groups.entries()];
}

/**
 * A dimension checklist: a checkbox per item, grouped by family; ticking one reveals its likely
 * impact (radios) and a note.
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @returns {HTMLElement} The form group
 */
function checklistQuestion(q, ctx) {
  const kind = /** @type {KindOf<"dimension_checklist">} */ (q.kind);
  const eid = ctx.errors.length ? errorId(q) : null;
  const hid = q.help ? hintId(q) : null;
  /** @returns {ChecklistAnswer} A copy of the answer, or an empty one */
  const answer = () => {
    const a = ctx.answers[q.id];
    return a && typeof a === "object" && !Array.isArray(a) ? { .../** @type {ChecklistAnswer} */ (a) } : {};
  };
  /**
   * @param {string} itemId - The item
   * @param {(entry: ChecklistEntry) => ChecklistEntry} f - Its new entry, from the current one
   */
  const update = (itemId, f) => {
    const a = answer();
    const e = f({ ...(a[itemId] || { considered: false }) });
    if (!e.considered && !e.impact && !e.note) delete a[itemId];
    else a[itemId] = e;
    ctx.set(q.id, Object.keys(a).length ? a : undefined);
  };
  const current = answer();
  const families = byFamily(kind.items).map(([family, items], fi) =>
    h(
      "fieldset",
      { class: "nhsuk-fieldset equitas-family" },
      h(
        "legend",
        { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--m" },
        h("h2", { class: "nhsuk-fieldset__heading" }, familyLabel(family)),
      ),
      h(
        "div",
        { class: "nhsuk-checkboxes" },
        items.map((it, ii) => {
          const cid = fi === 0 && ii === 0 ? fieldId(q) : safeId("q", q.id, it.id);
          const e = current[it.id] || { considered: false };
          const revealId = safeId("q", q.id, it.id, "detail");
          const ihid = it.help ? `${cid}-hint` : null;
          const reveal = h(
            "div",
            { class: "nhsuk-checkboxes__conditional equitas-conditional", id: revealId, hidden: !e.considered },
            h(
              "fieldset",
              { class: "nhsuk-fieldset" },
              h(
                "legend",
                { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--s" },
                `Likely impact of the work on ${it.label.charAt(0).toLowerCase()}${it.label.slice(1)}`,
              ),
              h(
                "div",
                { class: "nhsuk-radios nhsuk-radios--small nhsuk-radios--inline" },
                IMPACTS.map(([v, l]) => {
                  const rid = safeId("q", q.id, it.id, "impact", v);
                  return h(
                    "div",
                    { class: "nhsuk-radios__item" },
                    h("input", {
                      class: "nhsuk-radios__input",
                      id: rid,
                      name: safeId("q", q.id, it.id, "impact"),
                      type: "radio",
                      value: v,
                      props: { checked: e.impact === v },
                      on: {
                        change: () =>
                          update(it.id, (x) => ({ ...x, impact: /** @type {ChecklistEntry["impact"]} */ (v) })),
                      },
                    }),
                    h("label", { class: "nhsuk-label nhsuk-radios__label", for: rid }, l),
                  );
                }),
              ),
            ),
            h(
              "div",
              { class: "nhsuk-form-group" },
              h(
                "label",
                { class: "nhsuk-label", for: safeId("q", q.id, it.id, "note") },
                `Note on ${it.label} (optional)`,
              ),
              h("textarea", {
                class: "nhsuk-textarea",
                id: safeId("q", q.id, it.id, "note"),
                rows: "2",
                props: { value: e.note || "" },
                on: {
                  input: (ev) =>
                    update(it.id, (x) => {
                      const y = { ...x };
                      if (fieldValue(ev) === "") delete y.note;
                      else y.note = fieldValue(ev);
                      return y;
                    }),
                },
              }),
            ),
          );
          return [
            h(
              "div",
              { class: "nhsuk-checkboxes__item" },
              h("input", {
                class: "nhsuk-checkboxes__input",
                id: cid,
                type: "checkbox",
                value: it.id,
                "aria-describedby": ihid,
                "aria-controls": revealId,
                "aria-expanded": e.considered ? "true" : "false",
                props: { checked: !!e.considered },
                on: {
                  change: (ev) => {
                    const on = isChecked(ev);
                    if (ev.target instanceof Element) ev.target.setAttribute("aria-expanded", on ? "true" : "false");
                    reveal.hidden = !on;
                    update(it.id, (x) => {
                      const y = { ...x, considered: on };
                      // An impact on an item not considered contradicts itself (the engine
                      // reports it); unticking clears the impact but keeps any note typed.
                      if (!on) delete y.impact;
                      return y;
                    });
                    if (!on)
                      for (const r of reveal.querySelectorAll("input[type=radio]"))
                        /** @type {HTMLInputElement} */ (r).checked = false;
                  },
                },
              }),
              h("label", { class: "nhsuk-label nhsuk-checkboxes__label", for: cid }, it.label),
              it.help ? h("div", { class: "nhsuk-hint nhsuk-checkboxes__hint", id: ihid }, it.help) : null,
            ),
            reveal,
          ];
        }),
      ),
    ),
  );
  return h(
    "div",
    { class: groupClass(ctx) },
    h(
      "fieldset",
      { class: "nhsuk-fieldset", "aria-describedby": describedBy(hid, eid) },
      h(
        "legend",
        { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--l" },
        h("h1", { class: "nhsuk-fieldset__heading", tabindex: "-1" }, labelText(q)),
      ),
      hint(hid, q.help),
      hint(
        safeId("q", q.id, "howto"),
        "Tick each group you have considered, then say what effect the work is likely to have on it.",
      ),
      errorMessages(eid, ctx.errors),
      families,
    ),
  );
}

/**
 * The choices of a question of kind checklist, single or multiple choice, or rating ([] for any
 * other kind).
 *
 * @param {Question | null} q - The question
 * @returns {Choice[]} Its items, options or levels
 */
function choicesOf(q) {
  if (!q) return [];
  const k = /** @type {{items?: Choice[], options?: Choice[], levels?: Choice[]}} */ (q.kind);
  return k.items || k.options || k.levels || [];
}

/**
 * Options for an `item_of` column: the other question's items, grouped by family. When that
 * question is a checklist the person has started, the groups they marked as considered come
 * first, in their own group, so an action links to an inequality they found; the rest stay
 * available below.
 *
 * @param {Instrument} inst - The instrument
 * @param {string} qid - The other question's id
 * @param {string} selected - The cell's value ("" for none)
 * @param {SavedFile["answers"]} answers - The answers
 * @returns {Child[]} The select's options
 */
function itemOfOptions(inst, qid, selected, answers) {
  const items = choicesOf(questionById(inst, qid));
  const answer = answers && answers[qid];
  const considered =
    answer && typeof answer === "object" && !Array.isArray(answer)
      ? items.filter((it) => {
          const entry = /** @type {ChecklistAnswer} */ (answer)[it.id];
          return entry && entry.considered;
        })
      : [];
  const rest = considered.length ? items.filter((it) => !considered.includes(it)) : items;
  const groups = byFamily(rest);
  /** @param {Choice} it - An item */
  const opt = (it) => h("option", { value: it.id, props: { selected: it.id === selected } }, it.label);
  const known = items.some((it) => it.id === selected);
  const restOptions =
    groups.length === 1 && !groups[0][0] && !considered.length
      ? groups[0][1].map(opt)
      : groups.map(([f, its]) =>
          h(
            "optgroup",
            { label: considered.length ? `${familyLabel(f)} (not marked as considered)` : familyLabel(f) },
            its.map(opt),
          ),
        );
  return [
    h("option", { value: "", props: { selected: !selected } }, "Choose one"),
    selected && !known
      ? h("option", { value: selected, props: { selected: true } }, `${selected} (not an item of the list)`)
      : null,
    considered.length ? h("optgroup", { label: "Groups you marked as considered" }, considered.map(opt)) : null,
    restOptions,
  ];
}

/**
 * @param {Question} q - A table question
 * @param {number} r - A row's index, from 0
 * @param {string} col - A column's id
 * @returns {string} The id of that cell's control
 */
function rowCellId(q, r, col) {
  return safeId("q", q.id, "row", r + 1, col);
}

/**
 * A table (the action plan): a fieldset per row, a control per column, add and remove rows.
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @returns {HTMLElement} The form group
 */
function tableQuestion(q, ctx) {
  const eid = ctx.errors.length ? errorId(q) : null;
  const hid = q.help ? hintId(q) : null;
  const cols = /** @type {KindOf<"table">} */ (q.kind).columns;
  /** @returns {TableAnswer} A copy of the rows */
  const rows = () => {
    const a = ctx.answers[q.id];
    return Array.isArray(a) ? /** @type {TableAnswer} */ (a).map((r) => ({ ...r })) : [];
  };
  const current = rows();
  /**
   * @param {number} r - The row's index
   * @param {string} col - The column's id
   * @param {string} value - The cell's new value ("" removes it)
   */
  const setCell = (r, col, value) => {
    const all = rows();
    while (all.length <= r) all.push({});
    if (value === "") delete all[r][col];
    else all[r][col] = value;
    ctx.set(q.id, all);
  };
  const shown = current.length ? current : [{}];
  const rowNoun = q.id === "refine.actions" || /action/i.test(q.label) ? "Action" : "Row";
  const rowEls = shown.map((row, r) =>
    h(
      "fieldset",
      { class: "nhsuk-fieldset equitas-row", "data-testid": `row-${r + 1}` },
      h(
        "legend",
        { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--m" },
        h("h2", { class: "nhsuk-fieldset__heading" }, `${rowNoun} ${r + 1}`),
      ),
      cols.map((c, ci) => {
        const id = r === 0 && ci === 0 ? fieldId(q) : rowCellId(q, r, c.id);
        const value = row[c.id] ?? "";
        const label = h(
          "label",
          { class: "nhsuk-label", for: id },
          c.required ? c.label : `${c.label} (optional)`,
          h("span", { class: "nhsuk-u-visually-hidden" }, `, ${rowNoun.toLowerCase()} ${r + 1}`),
        );
        if (c.kind.type === "date") {
          return h(
            "div",
            { class: "nhsuk-form-group" },
            h(
              "fieldset",
              { class: "nhsuk-fieldset", role: "group", "aria-describedby": `${id}-hint` },
              h(
                "legend",
                { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--s" },
                c.required ? c.label : `${c.label} (optional)`,
                h("span", { class: "nhsuk-u-visually-hidden" }, `, ${rowNoun.toLowerCase()} ${r + 1}`),
              ),
              hint(`${id}-hint`, DATE_HINT),
              dateInputs(id, value, ctx, `${c.label} of ${rowNoun.toLowerCase()} ${r + 1}`, (v) =>
                setCell(r, c.id, v ?? ""),
              ),
            ),
          );
        }
        let control;
        /** @param {Event} e - The cell's input or change */
        const onInput = (e) => setCell(r, c.id, fieldValue(e));
        if (c.kind.type === "choice" || c.kind.type === "item_of") {
          const opts =
            c.kind.type === "choice"
              ? [
                  h("option", { value: "", props: { selected: !value } }, "Choose one"),
                  c.kind.options.map((o) => h("option", { value: o.id, props: { selected: o.id === value } }, o.label)),
                ]
              : itemOfOptions(ctx.inst, c.kind.question, value, ctx.answers);
          control = h("select", { class: "nhsuk-select", id, on: { change: onInput } }, opts);
        } else {
          control = h("input", { class: "nhsuk-input", id, type: "text", props: { value }, on: { input: onInput } });
        }
        return h("div", { class: "nhsuk-form-group" }, label, control);
      }),
      h(
        "button",
        {
          class: "nhsuk-button nhsuk-button--secondary nhsuk-button--small equitas-remove-row",
          type: "button",
          on: {
            click: () => {
              const all = rows();
              all.splice(r, 1);
              ctx.set(q.id, all.length ? all : undefined);
              const focusTo = all.length
                ? r > 0
                  ? rowCellId(q, r - 1, cols[0].id)
                  : fieldId(q)
                : safeId("q", q.id, "add");
              ctx.rebuild(focusTo, `${rowNoun} ${r + 1} removed`);
            },
          },
        },
        `Remove ${rowNoun.toLowerCase()} ${r + 1}`,
      ),
    ),
  );
  return h(
    "div",
    { class: groupClass(ctx) },
    pageHeading("nhsuk-heading-l", labelText(q)),
    hint(hid, q.help),
    errorMessages(eid, ctx.errors),
    rowEls,
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary",
        type: "button",
        id: safeId("q", q.id, "add"),
        on: {
          click: () => {
            const all = rows();
            if (!all.length) all.push({});
            all.push({});
            ctx.set(q.id, all);
            ctx.rebuild(rowCellId(q, all.length - 1, cols[0].id), `${rowNoun} ${all.length} added`);
          },
        },
      },
      rowNoun === "Action" ? "Add another action" : "Add another row",
    ),
  );
}

/**
 * An evidence table being edited: the answer's fields with their defaults, and its rows as
 * objects whose cells are set by key.
 *
 * @typedef {object} EvidenceDraft
 * @property {string} [indicator] - What the numbers measure
 * @property {boolean} favourable - Whether a higher value is better
 * @property {number} scale - 1 for a proportion, 100 for a percentage, …
 * @property {Record<string, unknown>[]} rows - The subgroups (EvidenceRow's fields)
 */

/**
 * Whether an evidence row has nothing in it (the blank first row the form shows).
 *
 * @param {Record<string, unknown>} r - The row
 * @returns {boolean} Blank
 */
function blankRow(r) {
  return Object.values(r).every((v) => v === "" || v === undefined || v === false || v === 0);
}

/**
 * The numbers the data page handed over ("Use these numbers in an assessment": a table's
 * subgroups as the engine gave them, in sessionStorage), if any: what they are, and a button that
 * puts them in the table as a paste does (`placeRows`: a subgroup already there is replaced; the
 * indicator, which way is better and the scale too, when the table has no rows yet).
 *
 * @param {Question} q - The evidence question
 * @param {QuestionContext} ctx - Its context
 * @param {() => EvidenceDraft} get - The answer now
 * @param {(ev: EvidenceDraft) => void} put - Save the answer
 * @returns {HTMLElement | null} The inset, or nothing when no numbers are waiting
 */
function fromDataPage(q, ctx, get, put) {
  /** @type {{title: string, evidence: EvidenceDraft} | null} */
  let handed = null;
  try {
    const text = sessionStorage.getItem(EVIDENCE_HANDOFF);
    handed = text ? JSON.parse(text) : null;
  } catch {
    handed = null;
  }
  if (!handed || !handed.evidence || !Array.isArray(handed.evidence.rows)) return null;
  const { title, evidence } = handed;
  const n = evidence.rows.length;
  return h(
    "div",
    { class: "nhsuk-inset-text", "data-testid": "evidence-handoff" },
    h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "),
    h("p", {}, `Numbers from the data page: ${title}, ${n} ${n === 1 ? "subgroup" : "subgroups"}.`),
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary",
        type: "button",
        on: {
          click: async () => {
            const de = await import("./data-engine.js");
            await de.ready();
            const ev = get();
            const placed = placeRows(de, ev, evidence.rows, evidence);
            put(ev);
            try {
              sessionStorage.removeItem(EVIDENCE_HANDOFF);
            } catch {
              // No storage to clear: the inset offers the same numbers again on the next visit.
            }
            const sentence = `${addedInWords(placed)} from the data page: ${title}.`;
            ctx.rawValues.set(safeId("q", q.id, "added"), sentence);
            ctx.rebuild(safeId("q", q.id, "row", placed.first, "subgroup"), sentence);
          },
        },
      },
      "Use these numbers",
    ),
  );
}

/**
 * Put new evidence rows into the table, where the engine's `placeEvidence` (core's
 * io::evidence::place) says: a row of a subgroup already there takes its place, the others are
 * added after the table's rows (the blank first row is dropped). When the table had no rows, the
 * indicator, direction and scale given come with them.
 *
 * @param {typeof import("./data-engine.js")} de - The data page's engine, ready
 * @param {EvidenceDraft} ev - The answer now (changed in place)
 * @param {Record<string, unknown>[]} rows - The new rows
 * @param {{indicator?: string, favourable: boolean, scale: number} | undefined} about - What the
 *   numbers are, when known
 * @returns {{added: number, replaced: number, first: number}} How many added and replaced, and
 *   the first changed row (1 = the first)
 */
function placeRows(de, ev, rows, about) {
  const kept = ev.rows.filter((r) => !blankRow(r));
  /** @param {Record<string, unknown>} r - A row @returns {{dimension: string, subgroup: string}} Its key */
  const key = (r) => ({ dimension: String(r.dimension ?? ""), subgroup: String(r.subgroup ?? "") });
  const placed = de.placeEvidence(kept.map(key), rows.map(key));
  if (!kept.length && about) {
    if (about.indicator) ev.indicator = about.indicator;
    ev.favourable = about.favourable;
    ev.scale = about.scale;
  }
  const both = [...kept, ...rows];
  ev.rows = placed.rows.map((i) => both[i]);
  const first = placed.rows.findIndex((i) => i >= kept.length) + 1;
  return { added: placed.added, replaced: placed.replaced, first: Math.max(first, 1) };
}

/**
 * What adding rows did, in words: "5 subgroups added, 2 replaced".
 *
 * @param {{added: number, replaced: number}} n - The counts
 * @returns {string} The sentence's start
 */
function addedInWords({ added, replaced }) {
  const parts = [`${added} ${added === 1 ? "subgroup" : "subgroups"} added`];
  if (replaced) parts.push(`${replaced} replaced (the same subgroup was in the table)`);
  return parts.join(", ");
}

/**
 * Rows of evidence from a spreadsheet or a file: a range pasted (tab-separated) or a CSV file
 * chosen, read by the engine's `readEvidence` (core's io::evidence, in the data page's module,
 * loaded only now, so the form's start-up does not grow), with the dimension asked once. A
 * table in the WHO HEAT Plus layout (a cohort report's `--csv-table heat-plus`) holding several
 * tables (indicator by dimension) offers a choice of them (`evidenceStrata`). Rows of subgroups
 * already in the table replace them, the others are added (`placeEvidence`); the page says how
 * many of each, and which subgroups the file gives no estimate (suppressed counts: their cells
 * stay empty). What cannot be read is said at the field, naming each row and column.
 *
 * @param {Question} q - The evidence question
 * @param {QuestionContext} ctx - Its context
 * @param {() => EvidenceDraft} get - The answer now
 * @param {(ev: EvidenceDraft) => void} put - Save the answer
 * @returns {HTMLElement} The section
 */
function evidenceFromData(q, ctx, get, put) {
  const pasteId = safeId("q", q.id, "paste");
  const dimId = safeId("q", q.id, "paste-dimension");
  const fileId = safeId("q", q.id, "csv");
  const stratumId = safeId("q", q.id, "stratum");
  const doneId = safeId("q", q.id, "added");
  const error = ctx.cellErrors.get(pasteId);
  // A HEAT Plus file of several tables waiting for a choice: its text, name and tables.
  const pendingText = ctx.rawValues.get(`${stratumId}-text`);
  const pendingName = ctx.rawValues.get(`${stratumId}-name`) ?? "";
  /** @type {{strata: {number: number, label: string, subgroups: number}[], more: number} | null} */
  const pending = pendingText === undefined ? null : JSON.parse(ctx.rawValues.get(`${stratumId}-strata`) ?? "null");
  const done = ctx.rawValues.get(doneId);
  const clearPending = () => {
    for (const k of ["text", "name", "strata"]) ctx.rawValues.delete(`${stratumId}-${k}`);
  };
  /**
   * @param {string} text - The pasted cells or the file's text
   * @param {string} what - "pasted cells" or the file's name, for the message
   * @param {number} [stratum] - The HEAT Plus table's stratum chosen (1 = the first)
   */
  const add = async (text, what, stratum) => {
    const dimension = (ctx.rawValues.get(dimId) ?? "").trim();
    ctx.rawValues.delete(doneId);
    try {
      const de = await import("./data-engine.js");
      await de.ready();
      if (stratum === undefined) {
        const found = de.evidenceStrata(text);
        if (found.strata.length > 1) {
          ctx.rawValues.set(`${stratumId}-text`, text);
          ctx.rawValues.set(`${stratumId}-name`, what);
          ctx.rawValues.set(`${stratumId}-strata`, JSON.stringify(found));
          ctx.cellErrors.delete(pasteId);
          ctx.rebuild(stratumId, `The ${what} holds ${found.strata.length + found.more} tables: choose one`);
          return;
        }
      }
      const read = de.readEvidence(text, dimension || undefined, stratum);
      const rows = /** @type {Record<string, unknown>[]} */ (/** @type {unknown} */ (read.rows));
      const ev = get();
      const n = placeRows(de, ev, rows, read.heat_plus);
      put(ev);
      ctx.cellErrors.delete(pasteId);
      ctx.rawValues.delete(pasteId);
      clearPending();
      const from = read.heat_plus ? `${what}: ${read.heat_plus.stratum}` : what;
      const missing = read.heat_plus?.without_estimate ?? [];
      const sentence =
        `${addedInWords(n)} from the ${from}.` +
        (missing.length
          ? ` The file gives no estimate for ${missing.length} of them, left empty: ${missing.join("; ")}.`
          : "");
      ctx.rawValues.set(doneId, sentence);
      ctx.rebuild(safeId("q", q.id, "row", n.first, "subgroup"), sentence);
    } catch (e) {
      ctx.cellErrors.set(pasteId, `The ${what} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      ctx.rebuild(pasteId, "The rows could not be read");
    }
  };
  const choice = pending
    ? h(
        "div",
        { class: "nhsuk-form-group", "data-testid": "evidence-strata" },
        h("label", { class: "nhsuk-label nhsuk-label--s", for: stratumId }, `Which table of the ${pendingName}?`),
        hint(
          `${stratumId}-hint`,
          `It holds ${pending.strata.length + pending.more} tables, one for each indicator and dimension; an evidence table shows one.` +
            (pending.more
              ? ` The first ${pending.strata.length} are listed; for another, cut the file to the indicator you want.`
              : ""),
        ),
        h(
          "select",
          { class: "nhsuk-select", id: stratumId, "aria-describedby": `${stratumId}-hint` },
          pending.strata.map((c) =>
            h(
              "option",
              { value: String(c.number) },
              `${c.label} (${c.subgroups} ${c.subgroups === 1 ? "subgroup" : "subgroups"})`,
            ),
          ),
        ),
        h(
          "div",
          { class: "nhsuk-button-group" },
          h(
            "button",
            {
              class: "nhsuk-button nhsuk-button--secondary",
              type: "button",
              on: {
                click: () => {
                  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById(stratumId));
                  void add(pendingText ?? "", pendingName, Number(select?.value ?? "1"));
                },
              },
            },
            "Add this table's subgroups",
          ),
          h(
            "button",
            {
              class: "nhsuk-button nhsuk-button--secondary",
              type: "button",
              on: {
                click: () => {
                  clearPending();
                  ctx.rebuild(fileId, "No table chosen");
                },
              },
            },
            "Cancel",
          ),
        ),
      )
    : null;
  return h(
    "div",
    { class: `nhsuk-form-group${error ? " nhsuk-form-group--error" : ""}`, "data-testid": "evidence-from-data" },
    fromDataPage(q, ctx, get, put),
    h("h2", { class: "nhsuk-heading-m" }, "Add subgroups from a spreadsheet or a CSV file"),
    done
      ? h(
          "div",
          { class: "nhsuk-inset-text", "data-testid": "evidence-added" },
          h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "),
          h("p", {}, done),
        )
      : null,
    h(
      "div",
      { class: "nhsuk-form-group" },
      h("label", { class: "nhsuk-label", for: dimId }, "Dimension of these subgroups"),
      hint(`${dimId}-hint`, "Asked once for all the rows, for example IMD quintile"),
      h("input", {
        class: "nhsuk-input nhsuk-input--width-20",
        id: dimId,
        type: "text",
        "aria-describedby": `${dimId}-hint`,
        props: { value: ctx.rawValues.get(dimId) ?? "" },
        on: { input: (e) => ctx.rawValues.set(dimId, fieldValue(e)) },
      }),
    ),
    h("label", { class: "nhsuk-label", for: pasteId }, "Paste cells from a spreadsheet"),
    hint(
      `${pasteId}-hint`,
      "One subgroup per row: subgroup, order, estimate, population, standard error, lower limit, upper limit (leave a cell empty if you do not have it), or a first row naming the columns.",
    ),
    error
      ? h(
          "span",
          { class: "nhsuk-error-message", id: `${pasteId}-error` },
          h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
          error,
        )
      : null,
    h("textarea", {
      class: `nhsuk-textarea${error ? " nhsuk-textarea--error" : ""}`,
      id: pasteId,
      rows: "5",
      spellcheck: "false",
      "aria-describedby": describedBy(`${pasteId}-hint`, error ? `${pasteId}-error` : null),
      props: { value: ctx.rawValues.get(pasteId) ?? "" },
      on: { input: (e) => ctx.rawValues.set(pasteId, fieldValue(e)) },
    }),
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary",
        type: "button",
        on: { click: () => void add(ctx.rawValues.get(pasteId) ?? "", "pasted cells") },
      },
      "Add the pasted subgroups",
    ),
    h(
      "div",
      { class: "nhsuk-form-group" },
      h("label", { class: "nhsuk-label", for: fileId }, "Or choose a CSV file"),
      hint(
        `${fileId}-hint`,
        "With a first row naming the columns, as above; a dimension column may name each row's own. A HEAT Plus table (from the data page or the cohort report) works too: you choose which of its tables to use.",
      ),
      h("input", {
        class: "nhsuk-file-upload",
        id: fileId,
        type: "file",
        accept: ".csv,text/csv",
        "aria-describedby": `${fileId}-hint`,
        on: {
          change: (e) => {
            const file = /** @type {HTMLInputElement} */ (e.target).files?.[0];
            if (file) void file.text().then((text) => add(text, `file ${file.name}`));
          },
        },
      }),
    ),
    choice,
  );
}

/**
 * The quantitative evidence: the indicator, which way is better, the scale, and a fieldset per
 * subgroup (dimension, subgroup, order, estimate, population, standard error, limits, reference).
 *
 * @param {Question} q - The question
 * @param {QuestionContext} ctx - Its context
 * @returns {HTMLElement} The form group
 */
function evidenceQuestion(q, ctx) {
  const eid = ctx.errors.length ? errorId(q) : null;
  const hid = q.help ? hintId(q) : null;
  /** @returns {EvidenceDraft} A copy of the answer, with the defaults filled in */
  const get = () => {
    const a = /** @type {Evidence | string | null | undefined} */ (ctx.answers[q.id]);
    return a && typeof a === "object" && !Array.isArray(a)
      ? { favourable: true, scale: 1, ...a, rows: Array.isArray(a.rows) ? a.rows.map((r) => ({ ...r })) : [] }
      : { favourable: true, scale: 1, rows: [] };
  };
  /** @param {EvidenceDraft} ev - The new answer; with nothing entered, the answer is removed */
  const put = (ev) => {
    const empty = !ev.indicator && ev.rows.length === 0 && ev.favourable !== false && ev.scale === 1;
    ctx.set(q.id, empty ? undefined : /** @type {Evidence} */ (/** @type {unknown} */ (ev)));
  };
  const current = get();
  // The dimension is asked once, above the rows, while the rows have at most one: each row then
  // shows one subgroup on one line (a compact table). Rows of several dimensions (from a file, or
  // "Use these numbers" twice) each show their own.
  const dimId = safeId("q", q.id, "dimension");
  const named = [...new Set(current.rows.map((r) => String(r.dimension ?? "").trim()).filter(Boolean))];
  const compact = named.length <= 1;
  /** @returns {string} The dimension asked once */
  const sharedDimension = () => ctx.rawValues.get(dimId) ?? named[0] ?? "";
  /** @returns {Record<string, unknown>} A new, empty row (of the shared dimension, if asked once) */
  const newRow = () => ({ dimension: compact ? sharedDimension() : "", subgroup: "" });
  const shownRows = current.rows.length ? current.rows : [newRow()];
  const indicatorId = fieldId(q);
  const scaleId = safeId("q", q.id, "scale");
  const favName = safeId("q", q.id, "favourable");
  /**
   * A number field of the evidence; what cannot be read is kept as typed and reported at the
   * field (`ctx.cellErrors`), and the value removed.
   *
   * @param {string} id - The field's id
   * @param {unknown} valueNow - The value in the answer
   * @param {(value: number | undefined) => void} onValue - Takes each new value
   * @param {boolean} [integer] - Only a whole number from 0 to 2^32 − 1 is accepted (the order)
   * @returns {HTMLElement} The input
   */
  const numberInput = (id, valueNow, onValue, integer) => {
    const raw = ctx.rawValues.get(id);
    const err = ctx.cellErrors.get(id);
    return h("input", {
      class: `nhsuk-input nhsuk-input--width-5${err ? " nhsuk-input--error" : ""}`,
      id,
      type: "text",
      inputmode: integer ? "numeric" : "decimal",
      "aria-describedby": `${id}-hint`,
      props: { value: raw ?? (valueNow === undefined || valueNow === null ? "" : String(valueNow)) },
      on: {
        input: (e) => {
          ctx.rawValues.set(id, fieldValue(e));
          const n = parseNumber(fieldValue(e));
          const bad =
            Number.isNaN(n) || (integer && n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= 4294967295));
          if (bad) {
            const msg = integer
              ? "Enter the order as a whole number, 1 or more, or leave it blank"
              : "Enter a number, like 41.2, or leave it blank";
            ctx.cellErrors.set(id, Number.isNaN(n) ? numberError(fieldValue(e), msg) : msg);
            onValue(undefined);
          } else {
            ctx.cellErrors.delete(id);
            onValue(n);
          }
        },
      },
    });
  };
  /**
   * @param {number} r - The row's index
   * @param {string} key - The cell's field
   * @param {unknown} value - Its new value (undefined, or an order of 0, removes it)
   */
  const setRow = (r, key, value) => {
    const ev = get();
    while (ev.rows.length <= r) ev.rows.push(newRow());
    if (value === undefined || (key === "order" && value === 0)) delete ev.rows[r][key];
    else ev.rows[r][key] = value;
    put(ev);
  };
  const rowEls = shownRows.map((row, r) => {
    /** @param {string} k - A field @returns {string} The id of its control in this row */
    const cid = (k) => safeId("q", q.id, "row", r + 1, k);
    /**
     * @param {string} k - The field
     * @param {string} label - Its label
     * @param {string | null} hintText - Its hint, if any
     * @returns {HTMLElement} The form group
     */
    const textCell = (k, label, hintText) =>
      h(
        "div",
        { class: "nhsuk-form-group" },
        h(
          "label",
          { class: "nhsuk-label", for: cid(k) },
          label,
          h("span", { class: "nhsuk-u-visually-hidden" }, `, subgroup ${r + 1}`),
        ),
        hint(`${cid(k)}-hint`, hintText),
        h("input", {
          class: "nhsuk-input",
          id: cid(k),
          type: "text",
          "aria-describedby": hintText ? `${cid(k)}-hint` : null,
          props: { value: row[k] ?? "" },
          on: { input: (e) => setRow(r, k, fieldValue(e)) },
        }),
      );
    return h(
      "fieldset",
      {
        class: `nhsuk-fieldset equitas-row${compact ? " equitas-row--compact" : ""}`,
        "data-testid": `evidence-row-${r + 1}`,
      },
      h(
        "legend",
        { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--m" },
        h("h2", { class: "nhsuk-fieldset__heading" }, `Subgroup ${r + 1}`),
      ),
      compact ? null : textCell("dimension", "Dimension", "For example, IMD quintile or Ethnic group"),
      textCell("subgroup", "Subgroup", compact ? null : "For example, Quintile 1 (most deprived)"),
      h(
        "div",
        { class: "equitas-number-grid" },
        EVIDENCE_NUMBERS.map(([k, label, hintText, integer]) =>
          h(
            "div",
            { class: "nhsuk-form-group" },
            h(
              "label",
              { class: "nhsuk-label", for: cid(k) },
              `${label} (optional)`,
              h("span", { class: "nhsuk-u-visually-hidden" }, `, subgroup ${r + 1}`),
            ),
            h(
              "div",
              { class: `nhsuk-hint${hintText && !compact ? "" : " nhsuk-u-visually-hidden"}`, id: `${cid(k)}-hint` },
              hintText || (integer ? "A whole number" : "A number"),
            ),
            numberInput(cid(k), row[k] === 0 && k === "order" ? undefined : row[k], (v) => setRow(r, k, v), integer),
          ),
        ),
      ),
      h(
        "div",
        { class: "nhsuk-checkboxes nhsuk-checkboxes--small" },
        h(
          "div",
          { class: "nhsuk-checkboxes__item" },
          h("input", {
            class: "nhsuk-checkboxes__input",
            id: cid("reference"),
            type: "checkbox",
            props: { checked: !!row.reference },
            on: { change: (e) => setRow(r, "reference", isChecked(e) ? true : undefined) },
          }),
          h(
            "label",
            { class: "nhsuk-label nhsuk-checkboxes__label", for: cid("reference") },
            `Subgroup ${r + 1} is the reference group for comparisons`,
          ),
        ),
      ),
      h(
        "button",
        {
          class: "nhsuk-button nhsuk-button--secondary nhsuk-button--small equitas-remove-row",
          type: "button",
          on: {
            click: () => {
              const ev = get();
              ev.rows.splice(r, 1);
              // Parse errors are keyed by row number; rows after this one move up.
              for (const key of [...ctx.cellErrors.keys()])
                if (key.startsWith(safeId("q", q.id, "row"))) ctx.cellErrors.delete(key);
              for (const key of [...ctx.rawValues.keys()])
                if (key.startsWith(safeId("q", q.id, "row"))) ctx.rawValues.delete(key);
              put(ev);
              ctx.rebuild(
                ev.rows.length
                  ? safeId("q", q.id, "row", Math.max(r, 1), compact ? "subgroup" : "dimension")
                  : safeId("q", q.id, "add"),
                `Subgroup ${r + 1} removed`,
              );
            },
          },
        },
        `Remove subgroup ${r + 1}`,
      ),
    );
  });
  /** @returns {HTMLElement} The dimension, asked once for every row, and what the numbers are */
  const sharedDimensionField = () =>
    h(
      "div",
      { class: "nhsuk-form-group" },
      h("h2", { class: "nhsuk-heading-m" }, "Subgroups"),
      h("label", { class: "nhsuk-label nhsuk-label--s", for: dimId }, "Dimension"),
      hint(`${dimId}-hint`, "What the subgroups divide people by, for example IMD quintile or Ethnic group"),
      h("input", {
        class: "nhsuk-input nhsuk-input--width-20",
        id: dimId,
        type: "text",
        "aria-describedby": `${dimId}-hint`,
        props: { value: sharedDimension() },
        on: {
          input: (e) => {
            ctx.rawValues.set(dimId, fieldValue(e));
            const ev = get();
            if (!ev.rows.length) return;
            for (const row of ev.rows) row.dimension = fieldValue(e);
            put(ev);
          },
        },
      }),
      h(
        "p",
        { class: "nhsuk-body-s" },
        "One subgroup per row. Order: 1 = most disadvantaged; leave it blank if the subgroups have no order. Population: the number of people in the subgroup. Lower and upper limits: of the estimate's confidence interval. Every number is optional.",
      ),
    );
  const el = h(
    "div",
    { class: groupClass(ctx) },
    pageHeading("nhsuk-heading-l", labelText(q)),
    hint(hid, q.help),
    errorMessages(eid, ctx.errors),
    h(
      "div",
      { class: "nhsuk-form-group" },
      h("label", { class: "nhsuk-label nhsuk-label--s", for: indicatorId }, "Indicator (optional)"),
      hint(`${indicatorId}-hint`, "What the numbers measure, for example Uptake of health checks, %"),
      h("input", {
        class: "nhsuk-input",
        id: indicatorId,
        type: "text",
        "aria-describedby": `${indicatorId}-hint`,
        props: { value: current.indicator ?? "" },
        on: {
          input: (e) => {
            const ev = get();
            if (fieldValue(e) === "") delete ev.indicator;
            else ev.indicator = fieldValue(e);
            put(ev);
          },
        },
      }),
    ),
    h(
      "div",
      { class: "nhsuk-form-group" },
      h(
        "fieldset",
        { class: "nhsuk-fieldset" },
        h("legend", { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--s" }, "Is a higher value better?"),
        h(
          "div",
          { class: "nhsuk-radios nhsuk-radios--inline" },
          /** @type {[boolean, string][]} */ ([
            [true, "Yes, higher is better"],
            [false, "No, lower is better"],
          ]).map(([v, l]) =>
            h(
              "div",
              { class: "nhsuk-radios__item" },
              h("input", {
                class: "nhsuk-radios__input",
                id: `${favName}-${v ? "yes" : "no"}`,
                name: favName,
                type: "radio",
                value: v ? "yes" : "no",
                props: { checked: current.favourable !== false ? v : !v },
                on: {
                  change: () => {
                    const ev = get();
                    ev.favourable = v;
                    put(ev);
                  },
                },
              }),
              h("label", { class: "nhsuk-label nhsuk-radios__label", for: `${favName}-${v ? "yes" : "no"}` }, l),
            ),
          ),
        ),
      ),
    ),
    h(
      "div",
      { class: "nhsuk-form-group" },
      h("label", { class: "nhsuk-label nhsuk-label--s", for: scaleId }, "Scale"),
      numberInput(scaleId, current.scale, (v) => {
        const ev = get();
        ev.scale = v === undefined ? 1 : v;
        put(ev);
      }),
      null,
    ),
    evidenceFromData(q, ctx, get, put),
    compact ? sharedDimensionField() : null,
    rowEls,
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary",
        type: "button",
        id: safeId("q", q.id, "add"),
        on: {
          click: () => {
            const ev = get();
            if (!ev.rows.length) ev.rows.push(newRow());
            ev.rows.push(newRow());
            put(ev);
            ctx.rebuild(
              safeId("q", q.id, "row", ev.rows.length, compact ? "subgroup" : "dimension"),
              `Subgroup ${ev.rows.length} added`,
            );
          },
        },
      },
      "Add another subgroup",
    ),
  );
  // The scale's hint sits after its label (numberInput points aria-describedby at it).
  const scaleInput = /** @type {HTMLElement} */ (el.querySelector(`#${scaleId}`));
  scaleInput.before(
    /** @type {HTMLElement} */ (
      hint(`${scaleId}-hint`, "1 for a proportion, 100 for a percentage, 100000 for a rate per 100,000")
    ),
  );
  return el;
}

// ---------------------------------------------------------------------------------------------
// Read-only answers (check answers, print)

/**
 * @param {Choice[] | undefined} options - The options
 * @param {unknown} id - An option's id
 * @returns {string} The option's label, or the id as it is when no option has it
 */
function optionLabel(options, id) {
  const o = (options || []).find((x) => x.id === id);
  return o ? o.label : /** @type {string} */ (id);
}

/**
 * Format a YYYY-MM-DD date as "12 January 2026"; anything else is shown as typed.
 *
 * @param {unknown} s - A date as typed
 * @returns {string} The date in words, or the text as it was
 */
export function formatDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s).trim());
  if (!m) return String(s);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (d.getUTCMonth() !== +m[2] - 1) return String(s);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/**
 * Whether an answer says anything: text that is not blank, a list with something in it, a finite
 * number, an evidence table with rows, a checklist with an item considered.
 *
 * @param {unknown} v - The answer
 * @returns {boolean} True when it is answered
 */
export function isAnswered(v) {
  if (v === undefined || v === null) return false;
  if (typeof v === "string") return v.trim() !== "";
  if (Array.isArray(v)) {
    return (
      v.length > 0 &&
      v.some((x) =>
        typeof x === "string" ? x.trim() !== "" : Object.values(x || {}).some((c) => String(c).trim() !== ""),
      )
    );
  }
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v === "object") {
    const o = /** @type {{rows?: unknown[]} & Record<string, unknown>} */ (v);
    return o.rows ? o.rows.length > 0 : Object.values(o).some((e) => e && /** @type {ChecklistEntry} */ (e).considered);
  }
  return true;
}

/**
 * A question's answer as read-only nodes (free text always as text).
 *
 * @param {Instrument} inst - The instrument (an `item_of` column names another question's items)
 * @param {Question} q - The question
 * @param {unknown} v - Its answer
 * @returns {Node | string} The answer, for a summary list
 */
export function formatAnswer(inst, q, v) {
  if (!isAnswered(v)) return h("span", { class: "equitas-not-answered" }, "Not answered");
  const k = q.kind;
  switch (k.type) {
    case "single_choice":
      return optionLabel(k.options, v);
    case "rating":
      return optionLabel(k.levels, v);
    case "multiple_choice": {
      const ids = /** @type {string[]} */ (v);
      return ids.length === 1
        ? optionLabel(k.options, ids[0])
        : h(
            "ul",
            { class: "nhsuk-list nhsuk-list--bullet" },
            ids.map((id) => h("li", {}, optionLabel(k.options, id))),
          );
    }
    case "text":
      return h("span", { class: "equitas-pre" }, /** @type {string} */ (v));
    case "number":
      return k.unit ? `${v} ${k.unit}` : String(v);
    case "date":
      return formatDate(v);
    case "dimension_checklist": {
      const entries = /** @type {ChecklistAnswer} */ (v);
      /** @type {HTMLElement[]} */
      const lines = [];
      for (const [family, items] of byFamily(k.items)) {
        const considered = items.filter((it) => entries[it.id] && entries[it.id].considered);
        if (!considered.length) continue;
        lines.push(
          h(
            "li",
            {},
            h("strong", {}, familyLabel(family)),
            h(
              "ul",
              { class: "nhsuk-list nhsuk-list--bullet" },
              considered.map((it) => {
                const e = entries[it.id];
                const impact = e.impact ? (IMPACTS.find(([x]) => x === e.impact)?.[1] ?? e.impact) : "impact not given";
                return h("li", {}, `${it.label}: ${impact.toLowerCase()}`, e.note ? [" (", e.note, ")"] : null);
              }),
            ),
          ),
        );
      }
      const notConsidered = k.items.filter((it) => !(entries[it.id] && entries[it.id].considered)).length;
      return h(
        "div",
        {},
        h("ul", { class: "nhsuk-list" }, lines),
        notConsidered
          ? h("p", { class: "nhsuk-body-s" }, `${notConsidered} of ${k.items.length} not considered.`)
          : null,
      );
    }
    case "table": {
      const rows = /** @type {TableAnswer} */ (v).filter((r) => Object.values(r).some((c) => String(c).trim() !== ""));
      return h(
        "ol",
        { class: "nhsuk-list nhsuk-list--number" },
        rows.map((r) =>
          h(
            "li",
            {},
            k.columns
              .filter((c) => r[c.id] && String(r[c.id]).trim() !== "")
              .map((c, i) => {
                let val = r[c.id];
                if (c.kind.type === "choice") val = optionLabel(c.kind.options, val);
                if (c.kind.type === "date") val = formatDate(val);
                if (c.kind.type === "item_of") {
                  const other = questionById(inst, c.kind.question);
                  const choices = other ? /** @type {{items?: Choice[], options?: Choice[]}} */ (other.kind) : null;
                  val = optionLabel(choices ? choices.items || choices.options : [], val);
                }
                return [i ? h("br") : null, h("span", { class: "equitas-cell-label" }, `${c.label}: `), val];
              }),
          ),
        ),
      );
    }
    case "evidence_table": {
      const ev = /** @type {Evidence} */ (v);
      const cols = [
        ["dimension", "Dimension"],
        ["subgroup", "Subgroup"],
        ["order", "Order"],
        ["estimate", "Estimate"],
        ["population", "Population"],
        ["se", "SE"],
        ["lower", "Lower"],
        ["upper", "Upper"],
      ];
      return h(
        "div",
        {},
        h(
          "p",
          { class: "nhsuk-body" },
          ev.indicator ? ev.indicator : "Indicator not named",
          ". ",
          ev.favourable === false ? "Lower is better" : "Higher is better",
          ev.scale && ev.scale !== 1 ? `; scale ${ev.scale}` : "",
          ".",
        ),
        h(
          "div",
          // Focusable so a keyboard user can scroll a wide table (WCAG 2.1.1).
          { class: "equitas-table-scroll", role: "region", "aria-label": "Evidence by subgroup", tabindex: "0" },
          h(
            "table",
            { class: "nhsuk-table equitas-evidence-table" },
            h("caption", { class: "nhsuk-u-visually-hidden" }, "Evidence by subgroup"),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                cols.map(([, l]) => h("th", { scope: "col" }, l)),
                h("th", { scope: "col" }, "Reference"),
              ),
            ),
            h(
              "tbody",
              {},
              (ev.rows || []).map((row) => {
                const r = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (row));
                return h(
                  "tr",
                  {},
                  cols.map(([c]) =>
                    h("td", {}, r[c] === undefined || r[c] === null || (c === "order" && !r[c]) ? "" : String(r[c])),
                  ),
                  h("td", {}, r.reference ? "Yes" : ""),
                );
              }),
            ),
          ),
        ),
      );
    }
    default:
      return h("code", {}, JSON.stringify(v));
  }
}
