// @ts-check
// `/<instrument>/tasks`: the task list. Each section with its status and how many of its
// questions are answered, then check and submit, the results so far, and the draft's own links
// (download, import, delete).

import { h } from "../dom.js";
import * as eng from "../engine.js";
import { inUse } from "../drafts.js";
import { saveStatus } from "../components.js";
import { questionHref } from "../questions.js";
import { unreadableNotices } from "./unreadable.js";

/** @import { App, ShownPage } from "../app.js" */

/** Each section status: its words and its tag's class (null: plain text, as NHS.UK shows done). */
const STATUS = {
  not_started: ["Not started", "nhsuk-tag nhsuk-tag--grey"],
  in_progress: ["In progress", "nhsuk-tag nhsuk-tag--blue"],
  completed: ["Completed", null],
};

/**
 * The task list of the instrument in use.
 *
 * @param {App} app - The app
 * @returns {ShownPage} The page
 */
export function tasksPage(app) {
  const { id, inst, saved } = inUse(app);
  const { fixed } = app.state;
  const prog = eng.assessmentProgress(saved);
  const done = prog.filter((p) => p.status === "completed").length;
  const items = inst.sections.map((s, i) => {
    const p = prog.find((x) => x.section === s.id) || {
      status: "not_started",
      answered: 0,
      visible: s.questions.length,
    };
    const [label, tag] = STATUS[p.status] || [p.status, "nhsuk-tag"];
    const href = p.status === "not_started" ? questionHref(id, s.id, 1) : `#/${id}/check/${encodeURIComponent(s.id)}`;
    const hid = `task-list-${i + 1}-hint`;
    const sid = `task-list-${i + 1}-status`;
    return h(
      "li",
      { class: "nhsuk-task-list__item nhsuk-task-list__item--with-link" },
      h(
        "div",
        { class: "nhsuk-task-list__name-and-hint" },
        h("a", { class: "nhsuk-link nhsuk-task-list__link", href, "aria-describedby": `${hid} ${sid}` }, s.title),
        h("div", { class: "nhsuk-task-list__hint", id: hid }, `${p.answered} of ${p.visible} questions answered`),
      ),
      h(
        "div",
        { class: `nhsuk-task-list__status${tag ? "" : " nhsuk-task-list__status--completed"}`, id: sid },
        tag ? h("strong", { class: tag }, label) : label,
      ),
    );
  });
  const title = inst.title;
  return {
    title,
    back: fixed ? { href: "/", text: "Back to start" } : { href: "/choose" },
    nodes: [
      unreadableNotices(app, id),
      h("span", { class: "nhsuk-caption-l" }, "Your assessment"),
      h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, title),
      h(
        "p",
        { class: "nhsuk-body", "data-testid": "sections-done" },
        `You have completed ${done} of ${prog.length} sections.`,
      ),
      h("ul", { class: "nhsuk-task-list", "data-testid": "task-list" }, items),
      h("h2", { class: "nhsuk-heading-m" }, "When you have finished"),
      h(
        "ul",
        { class: "nhsuk-list" },
        h("li", {}, h("a", { href: `#/${id}/check` }, "Check your answers and submit")),
        h("li", {}, h("a", { href: `#/${id}/results` }, "See your results so far")),
      ),
      h("h2", { class: "nhsuk-heading-m" }, "Your answers"),
      h(
        "ul",
        { class: "nhsuk-list" },
        h("li", {}, h("a", { href: `#/${id}/export` }, "Download your answers (JSON)")),
        h("li", {}, h("a", { href: `#/${id}/import` }, "Import answers from a file")),
        h("li", {}, h("a", { href: `#/${id}/delete` }, "Delete my answers")),
        fixed ? null : h("li", {}, h("a", { href: "#/choose" }, "Choose a different assessment")),
        app.library ? h("li", {}, h("a", { href: "#/assessments" }, "Your assessments")) : null,
      ),
      saveStatus(app),
    ],
  };
}
