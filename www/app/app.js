// The self-assessment app: router, state, autosave, and every page but the results' own content
// (app/results.js, R's) and the question controls (app/form.js).
//
// One question per page. A programme lead fills this in between meetings and often on a laptop
// beside a document: one question per page keeps each page short, lets the error summary name
// exactly one thing to fix, works on narrow screens and with a screen magnifier, and saves (and
// shows progress) after every step. The big questions (the dimension checklist, the action plan,
// the evidence table) are a page each anyway; the section's check-answers page gives the
// overview of a whole section with a Change link beside every answer.

import * as eng from "./engine.js";
import { h, clear, safeId } from "./dom.js";
import { draftKey, readDraft, writeDraft, deleteDraft, autosaver, setAsideDraft, unreadableDrafts, isSetAside } from "./storage.js";
import { renderQuestion, formatAnswer, fieldId, questionById, sentence, formatDate } from "./form.js";

const SUFFIX = " – equitas";

/** Date and time of an ISO timestamp, for people. */
function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" })} at ${d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`;
}

function hasAnswers(saved) {
  return !!saved && saved.answers && Object.keys(saved.answers).length > 0;
}

/**
 * Mount the app in `root`.
 * options: `instrument` (an id: skip the choice page and offer only that one), `storageKey` (the
 * localStorage key of the draft; default one per instrument), `embedded` (inside a host's page:
 * routes default to "memory" so the host's URL and title are left alone), `routing`: "hash"
 * (routes live in location.hash, e.g. #/heat/tasks; the default when not embedded) or "memory"
 * (routes stay inside the element), `setTitle` (default true with hash routing).
 * Returns {navigate(route), unmount()}.
 */
/** What the app says when browser storage refuses the draft (full, or turned off). */
const NOT_SAVED = "Your answers could not be saved in this browser (storage is full or turned off). Download them to keep a copy.";

export function mount(root, options = {}) {
  const opts = { routing: options.embedded ? "memory" : "hash", ...options };
  const useHash = opts.routing !== "memory";
  const setTitle = opts.setTitle ?? useHash;
  const S = {
    fixed: opts.instrument || null,
    id: null,
    inst: null,
    key: null,
    saved: null,
    flash: null, // {title, lines[]} shown once on the next page
    lastSaveOk: null, // whether the last write to browser storage worked (null: none yet)
    restored: [], // drafts found on load: {id, title, updated}
    // Drafts the engine could not read and storage would not let us move aside: key ->
    // {id, text, message}. Nothing is written to these keys until the user removes the draft.
    blocked: new Map(),
    pendingImport: null,
    completedNow: false,
    memoryRoute: "/",
    firstRender: true,
    cellErrors: new Map(),
    rawValues: new Map(),
    pageErrors: null,
  };
  const saver = autosaver(() => (S.saved && S.key && !S.blocked.has(S.key) ? { key: S.key, saved: S.saved } : null), {
    onSaved: (ok) => {
      S.lastSaveOk = ok;
      const status = root.querySelector("[data-testid=save-status]");
      if (status) status.textContent = ok ? `Saved in this browser at ${new Date().toLocaleTimeString("en-GB")}.` : NOT_SAVED;
      // Question pages have no status line: a failed save must still be said, at once.
      const warning = root.querySelector("[data-testid=save-warning]");
      if (!ok && !status && !warning) {
        root.prepend(h("p", { class: "nhsuk-error-message", role: "alert", "data-testid": "save-warning" }, NOT_SAVED));
      } else if (ok && warning) {
        warning.remove();
      }
    },
  });
  const flushOnHide = () => saver.flush();
  // A closed <details> does not print its content: open every closed one for printing (the
  // report's explanations included) and close them again afterwards.
  const openForPrint = () => {
    for (const d of root.querySelectorAll("details:not([open])")) {
      d.open = true;
      d.dataset.equitasPrintOpened = "";
    }
  };
  const closeAfterPrint = () => {
    for (const d of root.querySelectorAll("details[data-equitas-print-opened]")) {
      d.open = false;
      delete d.dataset.equitasPrintOpened;
    }
  };
  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", closeAfterPrint);
  window.addEventListener("pagehide", flushOnHide);
  document.addEventListener("visibilitychange", flushOnHide);

  // ----- instrument and draft -----

  function listInstruments() {
    const all = eng.instruments();
    return S.fixed ? all.filter((i) => i.id === S.fixed) : all;
  }

  /**
   * Read (and migrate) the stored draft of `id`; null when there is none. A draft the engine
   * cannot read is never used and never written over: it is moved to a key of its own
   * (storage.js, `setAsideDraft`) and offered for download on the start and task pages; if
   * storage will not take the copy, its key is blocked instead (nothing is saved to it) until
   * the user downloads and removes it.
   */
  function loadStored(id) {
    const key = draftKey(id, opts.storageKey);
    const text = readDraft(key);
    if (!text) return null;
    let loaded;
    try {
      loaded = eng.loadAssessment(text);
    } catch (e) {
      if (!setAsideDraft(key, id, text)) S.blocked.set(key, { id, text, message: e.message });
      return null;
    }
    if (opts.storageKey && loaded.assessment.instrument.id !== id) return null;
    return loaded.assessment;
  }

  /** Write the draft, unless its key is blocked (it still holds a draft that could not be read). */
  function store(key, saved) {
    return !S.blocked.has(key) && writeDraft(key, saved);
  }

  function use(id) {
    if (S.id === id && S.saved) return;
    saver.flush();
    S.inst = eng.instrument(id);
    S.id = id;
    S.key = draftKey(id, opts.storageKey);
    S.cellErrors.clear();
    S.rawValues.clear();
    S.saved = loadStored(id) || eng.newAssessment(id, new Date().toISOString());
  }

  /**
   * An answer as the engine can read it: text with a lone surrogate (half of a UTF-16 pair, which
   * a paste can bring in) gets U+FFFD in its place, the character the field already shows for
   * it. Left as it was, the engine would refuse the whole draft on every call.
   */
  function wellFormed(v) {
    if (typeof v === "string") return typeof v.isWellFormed === "function" && !v.isWellFormed() ? v.toWellFormed() : v;
    if (Array.isArray(v)) return v.map(wellFormed);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)]));
    return v;
  }

  function setAnswer(qid, value) {
    if (value === undefined) delete S.saved.answers[qid];
    else S.saved.answers[qid] = wellFormed(value);
    S.saved.updated = new Date().toISOString();
    saver.schedule();
  }

  function findDrafts() {
    S.restored = [];
    for (const i of listInstruments()) {
      const a = loadStored(i.id);
      if (a && hasAnswers(a)) S.restored.push({ id: i.id, title: i.title, updated: a.updated });
    }
  }

  /** The drafts that could not be opened, for instrument `id` (or every one listed). */
  function unreadable(id) {
    const ids = id ? [id] : listInstruments().map((i) => i.id);
    const out = unreadableDrafts().filter((d) => ids.includes(d.instrument));
    for (const [key, b] of S.blocked) if (ids.includes(b.id)) out.push({ key, instrument: b.id, when: null, text: b.text, message: b.message, blocked: true });
    return out;
  }

  /** Why a draft cannot be opened, in the engine's words, asked again now. */
  function whyUnreadable(d) {
    if (d.message) return d.message;
    try {
      eng.loadAssessment(d.text);
      return "it could not be opened when this page last read it";
    } catch (e) {
      return e.message;
    }
  }

  function fileNameOf(d) {
    return `equitas-${d.instrument}-could-not-be-opened-${(d.when || new Date().toISOString()).slice(0, 10)}.json`;
  }

  function downloadText(name, text) {
    const blob = new Blob([text], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: name, class: "nhsuk-u-visually-hidden" }, "download");
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  /** A warning for each draft that could not be opened: what happened, download, remove. */
  function unreadableNotices(id) {
    return unreadable(id).map((d) => {
      const inst = listInstruments().find((i) => i.id === d.instrument);
      const name = inst ? inst.title : d.instrument;
      const suffix = d.when ? ` (set aside ${when(d.when)})` : "";
      return h(
        "div",
        { class: "nhsuk-warning-callout", "data-testid": "unreadable-draft" },
        h("h2", { class: "nhsuk-warning-callout__label" }, h("span", { role: "text" }, h("span", { class: "nhsuk-u-visually-hidden" }, "Important: "), "A saved draft could not be opened")),
        h("p", {}, `Answers to "${name}" saved in this browser${suffix} could not be opened: ${whyUnreadable(d)}.`),
        h(
          "p",
          {},
          d.blocked
            ? "This browser's storage had no room to set them aside, so they are still where your draft is kept and your new answers are not being saved. Download them, then remove them from this browser."
            : "They have been kept in this browser, apart from your current answers, so nothing is lost. Download them to keep a copy, or to ask for help with them.",
        ),
        h(
          "div",
          { class: "nhsuk-button-group" },
          h("button", { class: "nhsuk-button nhsuk-button--secondary", type: "button", "data-testid": "download-unreadable", on: { click: () => downloadText(fileNameOf(d), d.text) } }, "Download the draft that could not be opened", h("span", { class: "nhsuk-u-visually-hidden" }, suffix)),
          h("a", { class: "nhsuk-link", href: `#/set-aside/${encodeURIComponent(d.key)}/remove` }, "Remove it from this browser", h("span", { class: "nhsuk-u-visually-hidden" }, suffix)),
        ),
      );
    });
  }

  // ----- routing -----

  function currentRoute() {
    const raw = useHash ? location.hash.replace(/^#/, "") : S.memoryRoute;
    return raw.startsWith("/") ? raw : "/";
  }

  function navigate(route, { replace = false } = {}) {
    S.pageErrors = null;
    if (useHash) {
      const target = `#${route}`;
      if (location.hash === target) render();
      else if (replace) {
        history.replaceState(null, "", target);
        render();
      } else location.hash = target;
    } else {
      S.memoryRoute = route;
      render();
    }
  }

  const onHash = () => {
    if (!location.hash || location.hash.startsWith("#/")) {
      S.pageErrors = null;
      render();
    }
  };
  if (useHash) window.addEventListener("hashchange", onHash);

  // Links: in-page fragment links (error summary → field) focus the field instead of changing
  // the route; route links navigate in memory mode.
  root.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href^='#']");
    if (!a || !root.contains(a)) return;
    const href = a.getAttribute("href");
    if (href.startsWith("#/")) {
      if (!useHash) {
        e.preventDefault();
        navigate(href.slice(1));
      }
      return;
    }
    const target = root.querySelector(`[id="${CSS.escape(href.slice(1))}"]`);
    if (target) {
      e.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  });

  function parse(route) {
    const [path, query = ""] = route.split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query);
    return { parts, params };
  }

  // ----- rendering -----

  function render() {
    saver.flush();
    const { parts, params } = parse(currentRoute());
    let page;
    try {
      page = route(parts, params);
    } catch (e) {
      page = errorPage(e);
    }
    if (page.redirect) {
      navigate(page.redirect, { replace: true });
      return;
    }
    show(page);
  }

  function route(parts, params) {
    if (parts.length === 0) return startPage();
    if (parts[0] === "choose") return S.fixed ? { redirect: `/${S.fixed}/tasks` } : choosePage();
    if (parts[0] === "set-aside" && parts[2] === "remove") return removeUnreadablePage(parts[1]);
    const id = parts[0];
    if (S.fixed && id !== S.fixed) return { redirect: `/${S.fixed}/tasks` };
    if (!eng.instruments().some((i) => i.id === id)) return notFound();
    use(id);
    switch (parts[1]) {
      case "tasks":
        return tasksPage();
      case "q":
        return questionPage(parts[2], Number(parts[3]), params);
      case "check":
        return parts[2] ? checkSectionPage(parts[2]) : checkAllPage();
      case "results":
        return resultsPage();
      case "export":
        return exportPage();
      case "import":
        return parts[2] === "confirm" ? importConfirmPage() : importPage();
      case "delete":
        return deletePage();
      default:
        return notFound();
    }
  }

  /** Put a page in the root: title, focus, events. page: {title, nodes, focus?, after?} */
  function show(page) {
    clear(root);
    const flash = S.flash;
    S.flash = null;
    const frag = [];
    if (page.back) frag.push(h("div", { class: "nhsuk-back-link" }, h("a", { class: "nhsuk-back-link__link", href: `#${page.back.href}` }, page.back.text || "Back")));
    if (flash) frag.push(successBanner(flash));
    frag.push(page.nodes);
    for (const n of frag.flat(Infinity)) if (n) root.append(n);
    if (setTitle) document.title = `${page.errorsShown ? "Error: " : ""}${page.title}${SUFFIX}`;
    const first = S.firstRender;
    S.firstRender = false;
    if (!first || page.forceFocus) {
      const target = page.focus || root.querySelector("[data-focus-first]") || root.querySelector("h1");
      if (target) {
        if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: false });
      }
    }
    const done = () => root.dispatchEvent(new CustomEvent("equitas:rendered", { bubbles: true, detail: { title: page.title } }));
    if (page.after) Promise.resolve(page.after()).finally(done);
    else done();
  }

  function successBanner(flash) {
    return h(
      "div",
      {
        class: flash.kind === "warning" ? "nhsuk-notification-banner" : "nhsuk-notification-banner nhsuk-notification-banner--success",
        role: "alert",
        "aria-labelledby": "equitas-flash-title",
        "data-testid": "notification",
      },
      h("div", { class: "nhsuk-notification-banner__header" }, h("h2", { class: "nhsuk-notification-banner__title", id: "equitas-flash-title" }, flash.kind === "info" || flash.kind === "warning" ? "Important" : "Success")),
      h(
        "div",
        { class: "nhsuk-notification-banner__content" },
        h("p", { class: "nhsuk-notification-banner__heading" }, flash.title),
        flash.lines && flash.lines.length ? h("ul", { class: "nhsuk-list nhsuk-list--bullet" }, flash.lines.map((l) => h("li", {}, l))) : null,
      ),
    );
  }

  function errorSummary(items) {
    return h(
      "div",
      { class: "nhsuk-error-summary", "aria-labelledby": "error-summary-title", role: "alert", tabindex: "-1", "data-testid": "error-summary" },
      h("h2", { class: "nhsuk-error-summary__title", id: "error-summary-title" }, "There is a problem"),
      h("div", { class: "nhsuk-error-summary__body" }, h("ul", { class: "nhsuk-list nhsuk-error-summary__list" }, items.map((it) => h("li", {}, h("a", { href: it.href }, it.text))))),
    );
  }

  function button(text, attrs = {}) {
    return h("button", { class: "nhsuk-button", type: "submit", "data-module": "nhsuk-button", ...attrs }, text);
  }

  function saveStatus() {
    if (S.blocked.has(S.key)) return h("p", { class: "nhsuk-body-s equitas-save-status", "data-testid": "save-status", role: "alert" }, "Your answers are not being saved in this browser until the draft that could not be opened is removed. Download your answers to keep a copy.");
    if (S.lastSaveOk === false) return h("p", { class: "nhsuk-body-s equitas-save-status", "data-testid": "save-status", role: "alert" }, NOT_SAVED);
    return h("p", { class: "nhsuk-body-s equitas-save-status", "data-testid": "save-status" }, S.saved && hasAnswers(S.saved) ? `Your answers are saved in this browser as you type (last change ${when(S.saved.updated)}).` : "Your answers are saved in this browser as you type.");
  }

  // ----- pages -----

  function startPage() {
    findDrafts();
    const only = S.fixed ? listInstruments()[0] : null;
    const startHref = S.fixed ? `#/${S.fixed}/tasks` : "#/choose";
    const banners = S.restored.map((d) =>
      h(
        "div",
        { class: "nhsuk-notification-banner", role: "region", "aria-labelledby": safeId("restored", d.id, "title"), "data-testid": "restore-banner" },
        h("div", { class: "nhsuk-notification-banner__header" }, h("h2", { class: "nhsuk-notification-banner__title", id: safeId("restored", d.id, "title") }, "Important")),
        h(
          "div",
          { class: "nhsuk-notification-banner__content" },
          h("p", { class: "nhsuk-notification-banner__heading" }, `We restored your draft from ${when(d.updated)}`),
          h("p", { class: "nhsuk-body" }, `Your answers to "${d.title}" were saved in this browser.`),
          h(
            "div",
            { class: "nhsuk-button-group" },
            h("a", { class: "nhsuk-button", href: `#/${d.id}/tasks`, role: "button", draggable: "false" }, "Continue with your draft", S.restored.length > 1 ? h("span", { class: "nhsuk-u-visually-hidden" }, ` of ${d.title}`) : null),
            h("a", { class: "nhsuk-link", href: `#/${d.id}/delete` }, "Delete my answers", S.restored.length > 1 ? h("span", { class: "nhsuk-u-visually-hidden" }, ` to ${d.title}`) : null),
          ),
        ),
      ),
    );
    const problem = unreadableNotices();
    const startBtn = h("a", { class: "nhsuk-button nhsuk-button--start", href: startHref, role: "button", draggable: "false", "data-testid": "start-now" }, "Start now");
    return {
      title: only ? only.title : "Health equity self-assessment",
      nodes: [
        banners,
        problem,
        h("h1", { class: "nhsuk-heading-xl", tabindex: "-1" }, only ? only.title : "Assess how your work affects health inequalities"),
        h("p", { class: "nhsuk-body-l" }, only ? only.description : "Work through a structured self-assessment of a service, programme or policy, or of your organisation's maturity on health inequalities, and get a report with the gaps to close and the actions to take."),
        h("h2", { class: "nhsuk-heading-m" }, "What the score means"),
        h("p", { class: "nhsuk-body" }, "The score rates how thorough your assessment is: how widely you looked, how good your evidence is and whether your actions are owned and reviewed. It does not rate the service itself, and it is not an official score."),
        h("h2", { class: "nhsuk-heading-m" }, "Your privacy"),
        h("p", { class: "nhsuk-body" }, "Your answers stay in this browser; nothing is sent anywhere. They are saved on this device as you type, so you can close the page and come back. Download your answers to keep a copy or to share them."),
        h("p", { class: "nhsuk-body" }, "It takes about 30 to 60 minutes. You do not need to finish in one go."),
        startBtn,
        h("p", { class: "nhsuk-body" }, h("a", { href: S.fixed ? `#/${S.fixed}/import` : `#/${(listInstruments()[0] || {}).id}/import` }, "Import answers from a file"), " you downloaded before."),
      ],
    };
  }

  function choosePage(errors) {
    const list = listInstruments();
    const current = S.id;
    const name = "instrument";
    const fs = h(
      "fieldset",
      { class: "nhsuk-fieldset", "aria-describedby": errors ? "instrument-error" : null },
      h("legend", { class: "nhsuk-fieldset__legend nhsuk-fieldset__legend--l" }, h("h1", { class: "nhsuk-fieldset__heading", tabindex: "-1" }, "Which assessment do you want to make?")),
      errors ? h("span", { class: "nhsuk-error-message", id: "instrument-error" }, h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), "Select which assessment you want to make") : null,
      h(
        "div",
        { class: "nhsuk-radios" },
        list.map((i, n) =>
          h(
            "div",
            { class: "nhsuk-radios__item" },
            h("input", { class: "nhsuk-radios__input", id: n === 0 ? "instrument" : `instrument-${i.id}`, name, type: "radio", value: i.id, "aria-describedby": `instrument-${i.id}-hint`, props: { checked: i.id === current } }),
            h("label", { class: "nhsuk-label nhsuk-radios__label", for: n === 0 ? "instrument" : `instrument-${i.id}` }, i.title),
            h("div", { class: "nhsuk-hint nhsuk-radios__hint", id: `instrument-${i.id}-hint` }, i.description),
          ),
        ),
      ),
    );
    const form = h(
      "form",
      {
        novalidate: true,
        on: {
          submit: (e) => {
            e.preventDefault();
            const v = form.querySelector("input:checked");
            if (!v) {
              const page = choosePage(true);
              show(page);
              return;
            }
            navigate(`/${v.value}/tasks`);
          },
        },
      },
      h("div", { class: errors ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" }, fs),
      button("Continue"),
    );
    const summary = errors ? errorSummary([{ href: "#instrument", text: "Select which assessment you want to make" }]) : null;
    return { title: "Which assessment do you want to make?", back: { href: "/" }, nodes: [summary, form], focus: summary, errorsShown: !!errors };
  }

  function progress() {
    return eng.assessmentProgress(S.saved);
  }

  function visibleSet() {
    return new Set(eng.visibleQuestions(S.saved));
  }

  function section(sid) {
    return S.inst.sections.find((s) => s.id === sid);
  }

  function qHref(sid, n, from) {
    return `#/${S.id}/q/${encodeURIComponent(sid)}/${n}${from ? `?from=${from}` : ""}`;
  }

  function questionLink(qid, from) {
    for (const s of S.inst.sections) {
      const i = s.questions.findIndex((q) => q.id === qid);
      if (i >= 0) return qHref(s.id, i + 1, from);
    }
    return `#/${S.id}/tasks`;
  }

  const STATUS = {
    not_started: ["Not started", "nhsuk-tag nhsuk-tag--grey"],
    in_progress: ["In progress", "nhsuk-tag nhsuk-tag--blue"],
    completed: ["Completed", null],
  };

  function tasksPage() {
    const prog = progress();
    const done = prog.filter((p) => p.status === "completed").length;
    const items = S.inst.sections.map((s, i) => {
      const p = prog.find((x) => x.section === s.id) || { status: "not_started", answered: 0, visible: s.questions.length };
      const [label, tag] = STATUS[p.status] || [p.status, "nhsuk-tag"];
      const href = p.status === "not_started" ? qHref(s.id, 1) : `#/${S.id}/check/${encodeURIComponent(s.id)}`;
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
        h("div", { class: `nhsuk-task-list__status${tag ? "" : " nhsuk-task-list__status--completed"}`, id: sid }, tag ? h("strong", { class: tag }, label) : label),
      );
    });
    const title = S.inst.title;
    return {
      title,
      back: S.fixed ? { href: "/", text: "Back to start" } : { href: "/choose" },
      nodes: [
        unreadableNotices(S.id),
        h("span", { class: "nhsuk-caption-l" }, "Your assessment"),
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, title),
        h("p", { class: "nhsuk-body", "data-testid": "sections-done" }, `You have completed ${done} of ${prog.length} sections.`),
        h("ul", { class: "nhsuk-task-list", "data-testid": "task-list" }, items),
        h("h2", { class: "nhsuk-heading-m" }, "When you have finished"),
        h(
          "ul",
          { class: "nhsuk-list" },
          h("li", {}, h("a", { href: `#/${S.id}/check` }, "Check your answers and submit")),
          h("li", {}, h("a", { href: `#/${S.id}/results` }, "See your results so far")),
        ),
        h("h2", { class: "nhsuk-heading-m" }, "Your answers"),
        h(
          "ul",
          { class: "nhsuk-list" },
          h("li", {}, h("a", { href: `#/${S.id}/export` }, "Download your answers (JSON)")),
          h("li", {}, h("a", { href: `#/${S.id}/import` }, "Import answers from a file")),
          h("li", {}, h("a", { href: `#/${S.id}/delete` }, "Delete my answers")),
          S.fixed ? null : h("li", {}, h("a", { href: "#/choose" }, "Choose a different assessment")),
        ),
        saveStatus(),
      ],
    };
  }

  /** The next visible question of a section after index i (0-based), or -1. */
  function nextVisible(s, i, vis, step = 1) {
    for (let j = i + step; j >= 0 && j < s.questions.length; j += step) if (vis.has(s.questions[j].id)) return j;
    return -1;
  }

  function questionPage(sid, n, params) {
    const s = section(sid);
    if (!s || !Number.isInteger(n) || n < 1 || n > s.questions.length) return notFound();
    const from = params.get("from");
    const vis = visibleSet();
    const q = s.questions[n - 1];
    if (!vis.has(q.id)) {
      const j = nextVisible(s, n - 1, vis);
      return { redirect: j >= 0 ? `/${S.id}/q/${encodeURIComponent(sid)}/${j + 1}${from ? `?from=${from}` : ""}` : `/${S.id}/check/${encodeURIComponent(sid)}` };
    }
    const errs = S.pageErrors && S.pageErrors.question === q.id ? S.pageErrors : null;
    const ctx = {
      inst: S.inst,
      answers: S.saved.answers,
      set: setAnswer,
      errors: errs ? errs.engine.map((e) => e.message) : [],
      cellErrors: S.cellErrors,
      rawValues: S.rawValues,
      rebuild: (focusId, announce) => {
        const holder = root.querySelector("[data-question-block]");
        const fresh = h("div", { "data-question-block": "" }, renderQuestion(q, ctx));
        holder.replaceWith(fresh);
        const live = root.querySelector("[data-testid=live]");
        if (live && announce) live.textContent = announce;
        const f = focusId && root.querySelector(`[id="${CSS.escape(focusId)}"]`);
        if (f) f.focus();
        root.dispatchEvent(new CustomEvent("equitas:rendered", { bubbles: true }));
      },
    };
    const prev = nextVisible(s, n - 1, vis, -1);
    const back =
      from === "check" ? { href: `/${S.id}/check/${encodeURIComponent(sid)}` } : from === "all" ? { href: `/${S.id}/check` } : prev >= 0 ? { href: `/${S.id}/q/${encodeURIComponent(sid)}/${prev + 1}` } : { href: `/${S.id}/tasks` };
    const go = () => {
      if (from === "check") return `/${S.id}/check/${encodeURIComponent(sid)}`;
      if (from === "all") return `/${S.id}/check`;
      const v2 = visibleSet();
      const j = nextVisible(s, n - 1, v2);
      return j >= 0 ? `/${S.id}/q/${encodeURIComponent(sid)}/${j + 1}` : `/${S.id}/check/${encodeURIComponent(sid)}`;
    };
    const form = h(
      "form",
      {
        novalidate: true,
        on: {
          submit: (e) => {
            e.preventDefault();
            const local = [...S.cellErrors.entries()].filter(([k]) => k.startsWith(safeId("q", q.id)));
            const engine = eng.validateAssessment(S.saved).filter((x) => x.question === q.id);
            if (local.length || engine.length) {
              S.pageErrors = { question: q.id, engine, local };
              const page = questionPage(sid, n, params);
              show(page);
              return;
            }
            saver.flush();
            navigate(go());
          },
        },
      },
      h("div", { "data-question-block": "" }, renderQuestion(q, ctx)),
      h("div", { class: "nhsuk-u-visually-hidden", "aria-live": "polite", "data-testid": "live" }),
      h(
        "div",
        { class: "nhsuk-button-group" },
        button(from ? "Save and return" : "Continue"),
        h(
          "button",
          {
            class: "nhsuk-button nhsuk-button--secondary",
            type: "button",
            on: {
              click: () => {
                saver.flush();
                S.flash =
                  S.lastSaveOk === false
                    ? { kind: "warning", title: NOT_SAVED }
                    : { title: "Your answers have been saved in this browser. You can come back to them at any time." };
                navigate(`/${S.id}/tasks`);
              },
            },
          },
          "Save and come back later",
        ),
      ),
    );
    const qIndex = s.questions.filter((x) => vis.has(x.id)).findIndex((x) => x.id === q.id) + 1;
    const nodes = [h("span", { class: "nhsuk-caption-l" }, `${s.title}: question ${qIndex} of ${s.questions.filter((x) => vis.has(x.id)).length}`)];
    if (n === 1 && s.help && !from) nodes.push(h("div", { class: "nhsuk-inset-text" }, h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "), h("p", {}, s.help)));
    let summary = null;
    if (errs) {
      const items = [
        ...errs.local.map(([id, msg]) => ({ href: `#${id}`, text: msg })),
        ...errs.engine.map((e) => ({ href: `#${targetFor(q, e.message)}`, text: sentence(e.message) })),
      ];
      summary = errorSummary(items);
      nodes.unshift(summary);
    }
    nodes.push(form);
    // Local parse errors are shown at the field; mark those inputs now that the form exists.
    if (errs) for (const [id, msg] of errs.local) markCell(form, id, msg);
    return { title: q.label, back, nodes, focus: summary, errorsShown: !!errs };
  }

  /** The element an engine error about question q should link to. */
  function targetFor(q, message) {
    const m = /^row (\d+)(?:, ([^:]+):|: fill in (.+)$)?/.exec(message);
    if (m && q.kind.type === "table") {
      const label = m[2] || m[3];
      const r = Number(m[1]);
      const col = q.kind.columns.find((c) => c.label === label) || q.kind.columns[0];
      return r === 1 && col === q.kind.columns[0] ? fieldId(q) : safeId("q", q.id, "row", r, col.id);
    }
    if (m && q.kind.type === "evidence_table") return safeId("q", q.id, "row", Number(m[1]), "dimension");
    if (q.kind.type === "dimension_checklist") {
      const item = /^(\S+?):/.exec(message);
      const first = q.kind.items[0];
      if (item && q.kind.items.some((it) => it.id === item[1]) && item[1] !== (first && first.id)) return safeId("q", q.id, item[1]);
    }
    return fieldId(q);
  }

  function markCell(form, id, msg) {
    const el = form.querySelector(`[id="${CSS.escape(id)}"]`);
    if (!el) return;
    el.classList.add("nhsuk-input--error");
    const group = el.closest(".nhsuk-form-group");
    if (group) group.classList.add("nhsuk-form-group--error");
    const mid = `${id}-error`;
    if (!form.querySelector(`[id="${CSS.escape(mid)}"]`)) {
      el.before(h("span", { class: "nhsuk-error-message", id: mid }, h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), msg));
      el.setAttribute("aria-describedby", [el.getAttribute("aria-describedby"), mid].filter(Boolean).join(" "));
    }
  }

  function summaryList(s, vis, from) {
    const rows = s.questions
      .map((q, i) => [q, i])
      .filter(([q]) => vis.has(q.id))
      .map(([q, i]) =>
        h(
          "div",
          { class: "nhsuk-summary-list__row" },
          h("dt", { class: "nhsuk-summary-list__key" }, q.label),
          h("dd", { class: "nhsuk-summary-list__value" }, formatAnswer(S.inst, q, S.saved.answers[q.id])),
          from === null
            ? null
            : h(
                "dd",
                { class: "nhsuk-summary-list__actions" },
                h("a", { href: qHref(s.id, i + 1, from) }, "Change", h("span", { class: "nhsuk-u-visually-hidden" }, ` your answer to: ${q.label}`)),
              ),
        ),
      );
    return h("dl", { class: `nhsuk-summary-list${from === null ? " nhsuk-summary-list--no-border equitas-print-list" : ""}` }, rows);
  }

  function errorItems(errors, from) {
    return errors.map((e) => {
      const q = questionById(S.inst, e.question);
      return { href: questionLink(e.question, from), text: q ? `${q.label}: ${sentence(e.message)}` : sentence(e.message) };
    });
  }

  /**
   * The form at the foot of a check-answers page: on submit, `errorsNow()` from the engine; any
   * left → `showErrors()` redraws the page with them; none → save now and `proceed()`.
   */
  function confirmForm(errorsNow, showErrors, proceed, ...children) {
    const submit = (e) => {
      e.preventDefault();
      if (errorsNow().length) {
        showErrors();
        return;
      }
      saver.flush();
      proceed();
    };
    return h("form", { novalidate: true, on: { submit } }, ...children);
  }

  function checkSectionPage(sid, showErrors) {
    const s = section(sid);
    if (!s) return notFound();
    const vis = visibleSet();
    const errors = showErrors ? eng.validateAssessment(S.saved).filter((e) => e.section === sid) : [];
    const summary = errors.length ? errorSummary(errorItems(errors, "check")) : null;
    const form = confirmForm(
      () => eng.validateAssessment(S.saved).filter((x) => x.section === sid),
      () => show(checkSectionPage(sid, true)),
      () => {
        S.flash = { title: `You have completed the section ${s.title}.` };
        navigate(`/${S.id}/tasks`);
      },
      button("Confirm section"),
    );
    return {
      title: `Check your answers: ${s.title}`,
      back: { href: `/${S.id}/tasks`, text: "Back to your assessment" },
      nodes: [
        summary,
        h("span", { class: "nhsuk-caption-l" }, S.inst.title),
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, `Check your answers: ${s.title}`),
        summaryList(s, vis, "check"),
        form,
        saveStatus(),
      ],
      focus: summary,
      errorsShown: !!summary,
    };
  }

  function checkAllPage(showErrors) {
    const vis = visibleSet();
    const errors = showErrors ? eng.validateAssessment(S.saved) : [];
    const summary = errors.length ? errorSummary(errorItems(errors, "all")) : null;
    const form = confirmForm(
      () => eng.validateAssessment(S.saved),
      () => show(checkAllPage(true)),
      () => {
        S.completedNow = true;
        navigate(`/${S.id}/results`);
      },
      h("h2", { class: "nhsuk-heading-m" }, "Now see your results"),
      h("p", { class: "nhsuk-body" }, "Your report scores how thorough the assessment is and lists the gaps to close. Your answers stay in this browser."),
      button("Submit and see results"),
    );
    return {
      title: "Check your answers before you see your results",
      back: { href: `/${S.id}/tasks`, text: "Back to your assessment" },
      nodes: [
        summary,
        h("span", { class: "nhsuk-caption-l" }, S.inst.title),
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Check your answers before you see your results"),
        S.inst.sections.map((s) => [h("h2", { class: "nhsuk-heading-m" }, s.title), summaryList(s, vis, "all")]),
        form,
      ],
      focus: summary,
      errorsShown: !!summary,
    };
  }

  /** Every section's answers, read-only: the results page's "All your answers" and its print. */
  function allAnswers() {
    const vis = visibleSet();
    return S.inst.sections.map((s) => [h("h3", { class: "nhsuk-heading-s" }, s.title), summaryList(s, vis, null)]);
  }

  function resultsPage() {
    const report = eng.scoreAssessment(S.saved);
    const errors = eng.validateAssessment(S.saved);
    const completed = S.completedNow && errors.length === 0;
    S.completedNow = false;
    const container = h("div", { class: "equitas-results", "data-testid": "results" });
    // An unfinished assessment is still scored (it rates what is there); the results module
    // lists what still needs attention, so no second warning here.
    const details = h(
      "details",
      { class: "nhsuk-details equitas-screen-only" },
      h("summary", { class: "nhsuk-details__summary" }, h("span", { class: "nhsuk-details__summary-text" }, "All your answers")),
      h("div", { class: "nhsuk-details__text" }, allAnswers()),
    );
    const printAll = h("section", { class: "equitas-print-only" }, h("h2", { class: "nhsuk-heading-l" }, "All your answers"), allAnswers());
    const actions = h(
      "div",
      { class: "nhsuk-button-group equitas-no-print" },
      h("button", { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: () => window.print() } }, "Print or save as PDF"),
      h("a", { class: "nhsuk-link", href: `#/${S.id}/export` }, "Download your answers (JSON)"),
      h("a", { class: "nhsuk-link", href: `#/${S.id}/tasks` }, "Back to your assessment"),
    );
    return {
      title: "Your results",
      back: { href: `/${S.id}/tasks`, text: "Back to your assessment" },
      nodes: [
        h("span", { class: "nhsuk-caption-l" }, S.inst.title),
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Your results"),
        container,
        details,
        printAll,
        actions,
      ],
      after: async () => {
        try {
          const mod = await import("./results.js");
          // The page's h1 is "Your results" above: the report's headings start at h2.
          await mod.renderResults(container, { report, assessment: S.saved, instrument: S.inst }, { level: 2 });
        } catch (e) {
          clear(container);
          container.append(
            h("p", { class: "nhsuk-body-l" }, `Overall: ${report.overall} out of 100 (${report.band && report.band.label}).`),
            h("p", { class: "nhsuk-body" }, report.rubric),
            h("p", { class: "nhsuk-body-s" }, "The detailed report could not be shown: ", e.message),
          );
        }
        if (completed) {
          root.dispatchEvent(
            new CustomEvent("equitas:completed", {
              bubbles: true,
              detail: { instrument: { ...S.saved.instrument }, overall: report.overall, band: report.band ? report.band.label : null },
            }),
          );
        }
      },
    };
  }

  function fileName() {
    const d = new Date().toISOString().slice(0, 10);
    return `equitas-${S.id}-${d}.json`;
  }

  function download() {
    saver.flush();
    const blob = new Blob([`${JSON.stringify(S.saved, null, 2)}\n`], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: fileName(), class: "nhsuk-u-visually-hidden" }, "download");
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function exportPage() {
    return {
      title: "Download your answers",
      back: { href: `/${S.id}/tasks`, text: "Back to your assessment" },
      nodes: [
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Download your answers"),
        h("p", { class: "nhsuk-body" }, `This saves every answer you have given, as a file called ${fileName()}. Keep it to back up your work, move it to another computer, or send it to a colleague who can import it here.`),
        h("p", { class: "nhsuk-body" }, "The file is made in this browser; nothing is sent anywhere."),
        h("button", { class: "nhsuk-button", type: "button", on: { click: download } }, "Download your answers (JSON)"),
        h("p", { class: "nhsuk-body" }, h("a", { href: `#/${S.id}/tasks` }, "Back to your assessment")),
      ],
    };
  }

  function importPage(error) {
    const fid = "import-file";
    const form = h(
      "form",
      {
        novalidate: true,
        on: {
          submit: async (e) => {
            e.preventDefault();
            const input = form.querySelector(`#${fid}`);
            const file = input.files && input.files[0];
            if (!file) {
              show(importPage("Select a JSON file to import"));
              return;
            }
            let text;
            try {
              text = await file.text();
            } catch (err) {
              show(importPage(`The file ${file.name} could not be read: ${err.message}`));
              return;
            }
            let loaded;
            try {
              loaded = eng.loadAssessment(text);
            } catch (err) {
              show(importPage(`The file ${file.name} could not be imported: ${err.message}`));
              return;
            }
            const id = loaded.assessment.instrument.id;
            if (S.fixed && id !== S.fixed) {
              show(importPage(`The file ${file.name} holds answers to "${id}", but this page assesses "${S.fixed}"`));
              return;
            }
            S.pendingImport = { ...loaded, fileName: file.name };
            use(id);
            if (hasAnswers(S.saved)) navigate(`/${id}/import/confirm`);
            else applyImport();
          },
        },
      },
      h(
        "div",
        { class: error ? "nhsuk-form-group nhsuk-form-group--error" : "nhsuk-form-group" },
        h("h1", { class: "nhsuk-label-wrapper", tabindex: "-1" }, h("label", { class: "nhsuk-label nhsuk-label--l", for: fid }, "Import answers from a file")),
        h("div", { class: "nhsuk-hint", id: `${fid}-hint` }, "Choose a file you downloaded from equitas (it ends in .json). Older files are brought up to date; you will see what changed."),
        error ? h("span", { class: "nhsuk-error-message", id: `${fid}-error` }, h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), error) : null,
        h("input", { class: `nhsuk-file-upload${error ? " nhsuk-file-upload--error" : ""}`, id: fid, name: fid, type: "file", accept: ".json,application/json", "aria-describedby": error ? `${fid}-hint ${fid}-error` : `${fid}-hint` }),
      ),
      button("Upload and import"),
    );
    const summary = error ? errorSummary([{ href: `#${fid}`, text: error }]) : null;
    return {
      title: "Import answers from a file",
      back: { href: `/${S.id}/tasks`, text: "Back to your assessment" },
      nodes: [summary, form, h("p", { class: "nhsuk-body" }, "If the file cannot be imported, your current answers are not changed.")],
      focus: summary,
      errorsShown: !!error,
    };
  }

  function applyImport() {
    const p = S.pendingImport;
    S.pendingImport = null;
    const id = p.assessment.instrument.id;
    use(id);
    S.saved = p.assessment;
    S.cellErrors.clear();
    S.rawValues.clear();
    saver.cancel();
    const ok = store(S.key, S.saved);
    S.flash = {
      title: ok ? `Your answers from ${p.fileName} have been imported.` : `Your answers from ${p.fileName} have been imported, but could not be saved in this browser.`,
      lines: (p.notes || []).map((n) => sentence(n.message || String(n))),
    };
    navigate(`/${id}/tasks`);
  }

  function importConfirmPage() {
    if (!S.pendingImport) return { redirect: `/${S.id}/import` };
    const p = S.pendingImport;
    return {
      title: "Replace your current answers?",
      back: { href: `/${S.id}/import` },
      nodes: [
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Replace your current answers?"),
        h("p", { class: "nhsuk-body" }, `You already have answers saved in this browser (last changed ${when(S.saved.updated)}). Importing ${p.fileName} replaces all of them.`),
        p.notes && p.notes.length ? [h("p", { class: "nhsuk-body" }, "The file was brought up to date:"), h("ul", { class: "nhsuk-list nhsuk-list--bullet" }, p.notes.map((n) => h("li", {}, sentence(n.message || String(n)))))] : null,
        h(
          "div",
          { class: "nhsuk-button-group" },
          h("button", { class: "nhsuk-button nhsuk-button--warning", type: "button", on: { click: applyImport } }, "Replace my answers"),
          h(
            "button",
            {
              class: "nhsuk-button nhsuk-button--secondary",
              type: "button",
              on: {
                click: () => {
                  S.pendingImport = null;
                  S.flash = { title: "Nothing was imported. Your answers have not changed." };
                  navigate(`/${S.id}/tasks`);
                },
              },
            },
            "Keep my current answers",
          ),
        ),
      ],
    };
  }

  function deletePage() {
    return {
      title: "Are you sure you want to delete your answers?",
      back: { href: `/${S.id}/tasks` },
      nodes: [
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Are you sure you want to delete your answers?"),
        h("p", { class: "nhsuk-body" }, `This removes every answer to "${S.inst.title}" saved in this browser. You cannot undo this. `, h("a", { href: `#/${S.id}/export` }, "Download your answers"), " first if you want to keep a copy."),
        h(
          "div",
          { class: "nhsuk-button-group" },
          h(
            "button",
            {
              class: "nhsuk-button nhsuk-button--warning",
              type: "button",
              on: {
                click: () => {
                  saver.cancel();
                  const ok = deleteDraft(S.key);
                  // The user asked for everything here to go, a blocked unreadable draft too.
                  if (ok) S.blocked.delete(S.key);
                  S.saved = eng.newAssessment(S.id, new Date().toISOString());
                  S.cellErrors.clear();
                  S.rawValues.clear();
                  S.flash = { title: ok ? "Your answers have been deleted from this browser." : "Your answers could not be removed from this browser's storage." };
                  navigate("/");
                },
              },
            },
            "Delete my answers",
          ),
          h("a", { class: "nhsuk-link", href: `#/${S.id}/tasks` }, "No, keep my answers"),
        ),
      ],
    };
  }

  /** Remove a draft that could not be opened (set aside, or blocking its key), after a confirmation. */
  function removeUnreadablePage(key) {
    const d = unreadable().find((x) => x.key === key);
    if (!d || !(isSetAside(key) || S.blocked.has(key))) return notFound();
    return {
      title: "Remove the draft that could not be opened?",
      back: { href: "/" },
      nodes: [
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Remove the draft that could not be opened?"),
        h("p", { class: "nhsuk-body" }, "This removes those answers from this browser. You cannot undo this. Download them first if you want to keep a copy."),
        h("p", { class: "nhsuk-body" }, h("button", { class: "nhsuk-button nhsuk-button--secondary", type: "button", on: { click: () => downloadText(fileNameOf(d), d.text) } }, "Download the draft that could not be opened")),
        h(
          "div",
          { class: "nhsuk-button-group" },
          h(
            "button",
            {
              class: "nhsuk-button nhsuk-button--warning",
              type: "button",
              on: {
                click: () => {
                  const ok = deleteDraft(key);
                  if (ok) S.blocked.delete(key);
                  S.flash = { title: ok ? "The draft that could not be opened has been removed from this browser." : "The draft that could not be opened could not be removed from this browser's storage." };
                  navigate("/");
                },
              },
            },
            "Remove it",
          ),
          h("a", { class: "nhsuk-link", href: "#/" }, "No, keep it"),
        ),
      ],
    };
  }

  function notFound() {
    return {
      title: "Page not found",
      nodes: [h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Page not found"), h("p", { class: "nhsuk-body" }, h("a", { href: "#/" }, "Go to the start"))],
    };
  }

  function errorPage(e) {
    return {
      title: "Sorry, there is a problem",
      nodes: [
        h("h1", { class: "nhsuk-heading-l", tabindex: "-1" }, "Sorry, there is a problem"),
        h("p", { class: "nhsuk-body" }, sentence(e && e.message ? e.message : String(e))),
        h("p", { class: "nhsuk-body" }, "Your saved answers have not been changed. ", h("a", { href: "#/" }, "Go to the start")),
      ],
    };
  }

  eng
    .ready()
    .then(() => {
      render();
      document.documentElement.dataset.equitasReady = "true";
    })
    .catch((e) => show(errorPage(new Error(`the assessment engine could not start in this browser: ${e && e.message ? e.message : e}`))));

  return {
    navigate,
    unmount() {
      saver.flush();
      window.removeEventListener("pagehide", flushOnHide);
      window.removeEventListener("beforeprint", openForPrint);
      window.removeEventListener("afterprint", closeAfterPrint);
      document.removeEventListener("visibilitychange", flushOnHide);
      if (useHash) window.removeEventListener("hashchange", onHash);
      clear(root);
    },
  };
}

export { formatDate };
