// @ts-check
// `/<instrument>/q/<section>/<n>`: one question per page. The question's controls are form.js's;
// this page adds the caption, the section's help on its first question, the error summary after
// Continue, Continue (or "Save and return" when it came from a check page) and "Save and come back
// later". A question that is not visible now sends the person on to the next visible one.

import { h, safeId } from "../dom.js";
import * as eng from "../engine.js";
import { renderQuestion, sentence } from "../form.js";
import { inUse, setAnswer } from "../drafts.js";
import { errorSummary, submitButton, NOT_SAVED } from "../components.js";
import { sectionById, nextVisible, questionRoute, errorTarget } from "../questions.js";
import { notFound } from "./errors.js";

/** @import { App, Page } from "../app.js" */
/** @import { QuestionContext } from "../form.js" */

/**
 * Question `n` (from 1) of section `sid`, or a redirect to the next visible one.
 *
 * @param {App} app - The app
 * @param {string} sid - The section's id
 * @param {number} n - The question's number in the section
 * @param {URLSearchParams} params - The route's query: `from` is "check" or "all" when the page
 *   was opened from a check page's Change link
 * @returns {Page} The page
 */
export function questionPage(app, sid, n, params) {
  const { state, root } = app;
  const { id, inst, saved } = inUse(app);
  const s = sectionById(inst, sid);
  if (!s || !Number.isInteger(n) || n < 1 || n > s.questions.length) return notFound();
  const from = params.get("from");
  const vis = new Set(eng.visibleQuestions(saved));
  const q = s.questions[n - 1];
  if (!vis.has(q.id)) {
    const j = nextVisible(s, n - 1, vis);
    return { redirect: j >= 0 ? questionRoute(id, sid, j + 1, from) : `/${id}/check/${encodeURIComponent(sid)}` };
  }
  const errs = state.pageErrors && state.pageErrors.question === q.id ? state.pageErrors : null;
  /** @type {QuestionContext} */
  const ctx = {
    inst,
    answers: saved.answers,
    set: (qid, value) => setAnswer(app, qid, value),
    errors: errs ? errs.engine.map((e) => e.message) : [],
    cellErrors: state.cellErrors,
    rawValues: state.rawValues,
    rebuild: (focusId, announce) => {
      const holder = root.querySelector("[data-question-block]");
      const fresh = h("div", { "data-question-block": "" }, renderQuestion(q, ctx));
      holder?.replaceWith(fresh);
      const live = root.querySelector("[data-testid=live]");
      if (live && announce) live.textContent = announce;
      const f = focusId && root.querySelector(`[id="${CSS.escape(focusId)}"]`);
      if (f instanceof HTMLElement) f.focus();
      root.dispatchEvent(new CustomEvent("equitas:rendered", { bubbles: true }));
    },
  };
  const prev = nextVisible(s, n - 1, vis, -1);
  const checkSection = `/${id}/check/${encodeURIComponent(sid)}`;
  const back =
    from === "check"
      ? { href: checkSection }
      : from === "all"
        ? { href: `/${id}/check` }
        : prev >= 0
          ? { href: questionRoute(id, sid, prev + 1) }
          : { href: `/${id}/tasks` };
  /** Where Continue goes: back where the page came from, else the next visible question. */
  const next = () => {
    if (from === "check") return checkSection;
    if (from === "all") return `/${id}/check`;
    const j = nextVisible(s, n - 1, new Set(eng.visibleQuestions(inUse(app).saved)));
    return j >= 0 ? questionRoute(id, sid, j + 1) : checkSection;
  };
  /** @param {SubmitEvent} e - Continue */
  const onSubmit = (e) => {
    e.preventDefault();
    /** @type {[string, string][]} */
    const local = [...state.cellErrors.entries()].filter(([k]) => k.startsWith(safeId("q", q.id)));
    const engine = eng.validateAssessment(inUse(app).saved).filter((x) => x.question === q.id);
    if (local.length || engine.length) {
      state.pageErrors = { question: q.id, engine, local };
      const page = questionPage(app, sid, n, params);
      if (page.redirect === undefined) app.show(page);
      else app.navigate(page.redirect, { replace: true });
      return;
    }
    app.saver.flush();
    app.navigate(next());
  };
  const saveForLater = () => {
    app.saver.flush();
    state.flash =
      state.lastSaveOk === false
        ? { kind: "warning", title: NOT_SAVED }
        : { title: "Your answers have been saved in this browser. You can come back to them at any time." };
    app.navigate(`/${id}/tasks`);
  };
  const form = h(
    "form",
    { novalidate: true, on: { submit: onSubmit } },
    h("div", { "data-question-block": "" }, renderQuestion(q, ctx)),
    h("div", { class: "nhsuk-u-visually-hidden", "aria-live": "polite", "data-testid": "live" }),
    h(
      "div",
      { class: "nhsuk-button-group" },
      submitButton(from ? "Save and return" : "Continue"),
      h(
        "button",
        { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: saveForLater } },
        "Save and come back later",
      ),
    ),
  );
  const shown = s.questions.filter((x) => vis.has(x.id));
  const qIndex = shown.findIndex((x) => x.id === q.id) + 1;
  /** @type {HTMLElement[]} */
  const nodes = [h("span", { class: "nhsuk-caption-l" }, `${s.title}: question ${qIndex} of ${shown.length}`)];
  if (n === 1 && s.help && !from) {
    nodes.push(
      h(
        "div",
        { class: "nhsuk-inset-text" },
        h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "),
        h("p", {}, s.help),
      ),
    );
  }
  let summary = null;
  if (errs) {
    const items = [
      ...errs.local.map(([elementId, msg]) => ({ href: `#${elementId}`, text: msg })),
      ...errs.engine.map((e) => ({ href: `#${errorTarget(q, e.message)}`, text: sentence(e.message) })),
    ];
    summary = errorSummary(items);
    nodes.unshift(summary);
  }
  nodes.push(form);
  // Local parse errors are shown at the field; mark those inputs now that the form exists.
  if (errs) for (const [elementId, msg] of errs.local) markCell(form, elementId, msg);
  return { title: q.label, back, nodes, focus: summary, errorsShown: !!errs };
}

/**
 * Show a number or date that could not be read at its field: the error style and an error message
 * before the input, which the input's aria-describedby then names.
 *
 * @param {HTMLElement} form - The question's form
 * @param {string} id - The input's id
 * @param {string} msg - The message
 */
function markCell(form, id, msg) {
  const el = form.querySelector(`[id="${CSS.escape(id)}"]`);
  if (!el) return;
  // A date's three fields share one message, before them all.
  const dateInput = el.closest(".nhsuk-date-input");
  for (const input of dateInput ? dateInput.querySelectorAll("input") : [el]) input.classList.add("nhsuk-input--error");
  const group = el.closest(".nhsuk-form-group");
  if (group) group.classList.add("nhsuk-form-group--error");
  const mid = `${id}-error`;
  if (!form.querySelector(`[id="${CSS.escape(mid)}"]`)) {
    (dateInput || el).before(
      h(
        "span",
        { class: "nhsuk-error-message", id: mid },
        h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
        msg,
      ),
    );
    el.setAttribute("aria-describedby", [el.getAttribute("aria-describedby"), mid].filter(Boolean).join(" "));
  }
}
