// @ts-check
// The self-assessment app: `mount()` puts it in an element. This module holds the App, which owns
// the one state object (state.js), the autosave and the routing, and shows the pages; each page is
// a module of its own under pages/, found through the route table (routes.js). The results'
// content is results.js, the question controls form.js.
//
// One question per page. A programme lead fills this in between meetings and often on a laptop
// beside a document: one question per page keeps each page short, lets the error summary name
// exactly one thing to fix, works on narrow screens and with a screen magnifier, and saves (and
// shows progress) after every step. The big questions (the dimension checklist, the action plan,
// the evidence table) are a page each anyway; the section's check-answers page gives the
// overview of a whole section with a Change link beside every answer.

import * as eng from "./engine.js";
import { h, clear } from "./dom.js";
import { autosaver } from "./storage.js";
import { formatDate } from "./form.js";
import { createState } from "./state.js";
import { routeOf, parseRoute } from "./router.js";
import { pageFor } from "./routes.js";
import { notificationBanner, NOT_SAVED } from "./components.js";
import { errorPage } from "./pages/errors.js";
import { Library } from "./library.js";
import { store, migrateLocalDrafts, replayPending, messageOf } from "./drafts.js";

/** @import { AppState } from "./state.js" */
/** @import { Autosaver } from "./storage.js" */
/** @import { SavedFile } from "./engine.js" */

/** What follows every page's title in the browser's title bar. */
const TITLE_SUFFIX = " – equitas";

/**
 * How the app is mounted.
 *
 * @typedef {object} MountOptions
 * @property {string} [instrument] - An instrument id: skip the choice page and offer only that one
 * @property {string} [storageKey] - The localStorage key of the draft (default: one per instrument)
 * @property {boolean} [embedded] - Inside a host's page: routes default to "memory", so the host's
 *   URL and title are left alone
 * @property {"hash" | "memory"} [routing] - "hash": routes live in location.hash (e.g.
 *   `#/heat/tasks`; the default when not embedded); "memory": routes stay inside the element
 * @property {boolean} [setTitle] - Whether pages set document.title (default: with hash routing)
 */

/**
 * What a page module returns: the page to show, or where to go instead.
 *
 * @typedef {ShownPage | Redirect} Page
 */

/**
 * A page to show.
 *
 * @typedef {object} ShownPage
 * @property {string} title - The page's title (the browser's title bar gets it with " – equitas")
 * @property {PageNodes} nodes - The page's content
 * @property {{href: string, text?: string}} [back] - A back link above the content: a route
 * @property {HTMLElement | null} [focus] - What takes focus (default: `[data-focus-first]`, or the h1)
 * @property {boolean} [forceFocus] - Focus even on the first page shown (which otherwise takes none)
 * @property {boolean} [errorsShown] - The page shows errors: its title starts "Error: "
 * @property {() => (void | Promise<void>)} [after] - Work once the page is in the document (the
 *   results' report); `equitas:rendered` is dispatched when it settles
 * @property {undefined} [redirect]
 */

/**
 * Go to another route instead of showing a page (the history entry is replaced).
 *
 * @typedef {object} Redirect
 * @property {string} redirect - The route
 */

/**
 * A page's content: nodes, text, nothing (null), or lists of these, to any depth.
 *
 * @typedef {Node | string | null | undefined | false | PageNodeList} PageNodes
 */
/** @typedef {PageNodes[]} PageNodeList */

/**
 * The app in one element: its state, its autosave, its routes. Pages get the App and read
 * `app.state`; they move on with `app.navigate(route)` or redraw themselves with `app.show(page)`.
 */
export class App {
  /**
   * @param {HTMLElement} root - The element the app is drawn in
   * @param {MountOptions} options - How it is mounted
   */
  constructor(root, options) {
    /** The element the app is drawn in; `equitas:*` events are dispatched on it. */
    this.root = root;
    /** @type {MountOptions & {routing: "hash" | "memory"}} */
    this.options = { routing: options.embedded ? "memory" : "hash", ...options };
    /** Whether routes live in location.hash (else in `state.memoryRoute`). */
    this.useHash = this.options.routing !== "memory";
    /** Whether pages set document.title. */
    this.setTitle = this.options.setTitle ?? this.useHash;
    /** @type {AppState} Everything the app remembers between pages. */
    this.state = createState(this.options.instrument || null);
    /** @type {Autosaver} Writes the draft once the user pauses typing. */
    this.saver = autosaver(() => this.toSave(), {
      onSaved: (ok) => this.onSaved(ok),
      store: (key, saved) => store(this, key, /** @type {SavedFile} */ (saved)),
    });
    /**
     * The assessments kept in this browser's IndexedDB (library.js), when the app keeps many; null
     * when it keeps one draft per instrument in localStorage (embedded, or given a `storageKey`),
     * or when IndexedDB cannot be opened.
     *
     * @type {Library | null}
     */
    this.library = null;

    window.addEventListener("beforeprint", this.openForPrint);
    window.addEventListener("afterprint", this.closeAfterPrint);
    window.addEventListener("pagehide", this.flushOnHide);
    document.addEventListener("visibilitychange", this.flushOnHide);
    if (this.useHash) window.addEventListener("hashchange", this.onHashChange);
    root.addEventListener("click", this.onClick);
  }

  /** Start the engine, then show the first page (or the error page if the engine cannot start). */
  start() {
    eng
      .ready()
      .then(() => this.openLibrary())
      .then(() => {
        this.render();
        document.documentElement.dataset.equitasReady = "true";
      })
      .catch((e) =>
        this.show(
          errorPage(
            new Error(`the assessment engine could not start in this browser: ${e && e.message ? e.message : e}`),
          ),
        ),
      );
  }

  /**
   * Open the library (IndexedDB) and move the localStorage drafts into it, unless the app keeps
   * one draft in localStorage (embedded, or given a `storageKey`). When IndexedDB cannot be
   * opened, the app keeps working with localStorage and says so on the first page.
   */
  async openLibrary() {
    if (this.options.embedded || this.options.storageKey) return;
    try {
      this.library = await Library.open();
    } catch (e) {
      this.state.flash = {
        title: "This browser would not open its database, so only one draft per assessment can be kept",
        lines: [`The browser said: ${messageOf(e)}.`],
        kind: "warning",
      };
      return;
    }
    // The organisation's own instruments first, so their drafts can be read. One the engine no
    // longer accepts stays in the database, untouched, and the first page says why.
    /** @type {string[]} */
    const refused = [];
    for (const r of this.library.instruments.values()) {
      try {
        eng.addInstrument(r.text);
      } catch (e) {
        refused.push(`${r.id} version ${r.version}: ${messageOf(e)}`);
      }
    }
    if (refused.length) {
      this.state.flash = { title: "Some of your own instruments could not be loaded", lines: refused, kind: "warning" };
    }
    await replayPending(this);
    const moved = await migrateLocalDrafts(this);
    if (moved.length) this.state.flash = { title: "Your drafts were moved", lines: moved, kind: "info" };
  }

  /** Save a pending change, drop the window listeners and empty the element. */
  unmount() {
    this.saver.flush();
    window.removeEventListener("pagehide", this.flushOnHide);
    window.removeEventListener("beforeprint", this.openForPrint);
    window.removeEventListener("afterprint", this.closeAfterPrint);
    document.removeEventListener("visibilitychange", this.flushOnHide);
    if (this.useHash) window.removeEventListener("hashchange", this.onHashChange);
    clear(this.root);
  }

  // ----- routes -----

  /**
   * The route shown now.
   *
   * @returns {string} A route starting with `/`
   */
  currentRoute() {
    return routeOf(this.useHash ? location.hash.replace(/^#/, "") : this.state.memoryRoute);
  }

  /**
   * Go to a route: a new history entry (hash routing) or the route kept in memory; `replace`
   * replaces the current entry instead. Errors shown on the current page are dropped.
   *
   * @param {string} route - The route, e.g. `/heat/tasks`
   * @param {{replace?: boolean}} [options] - Replace the history entry
   */
  navigate(route, { replace = false } = {}) {
    this.state.pageErrors = null;
    if (this.useHash) {
      const target = `#${route}`;
      if (location.hash === target) this.render();
      else if (replace) {
        history.replaceState(null, "", target);
        this.render();
      } else location.hash = target;
    } else {
      this.state.memoryRoute = route;
      this.render();
    }
  }

  /** Show the page of the current route (following redirects), saving any pending change first. */
  render() {
    this.saver.flush();
    /** @type {Page} */
    let page;
    try {
      page = pageFor(this, parseRoute(this.currentRoute()));
    } catch (e) {
      page = errorPage(e);
    }
    if (page.redirect !== undefined) {
      this.navigate(page.redirect, { replace: true });
      return;
    }
    this.show(page);
  }

  /**
   * Put a page in the root: back link, a waiting banner, the content; then the title, the focus
   * (not on the first page shown, unless it asks) and `equitas:rendered`.
   *
   * @param {ShownPage} page - The page
   */
  show(page) {
    const { root, state } = this;
    clear(root);
    const flash = state.flash;
    state.flash = null;
    /** @type {PageNodes[]} */
    const frag = [];
    if (page.back) {
      frag.push(
        h(
          "div",
          { class: "nhsuk-back-link" },
          h("a", { class: "nhsuk-back-link__link", href: `#${page.back.href}` }, page.back.text || "Back"),
        ),
      );
    }
    if (flash) frag.push(notificationBanner(flash));
    frag.push(page.nodes);
    for (const n of /** @type {unknown[]} */ (frag).flat(Infinity))
      if (n) root.append(/** @type {Node | string} */ (n));
    if (this.setTitle) document.title = `${page.errorsShown ? "Error: " : ""}${page.title}${TITLE_SUFFIX}`;
    const first = state.firstRender;
    state.firstRender = false;
    if (!first || page.forceFocus) {
      const target = page.focus || root.querySelector("[data-focus-first]") || root.querySelector("h1");
      if (target instanceof HTMLElement) {
        if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
          target.setAttribute("tabindex", "-1");
        }
        target.focus({ preventScroll: false });
      }
    }
    const done = () =>
      root.dispatchEvent(new CustomEvent("equitas:rendered", { bubbles: true, detail: { title: page.title } }));
    if (page.after) Promise.resolve(page.after()).finally(done);
    else done();
  }

  // ----- autosave -----

  /**
   * What the autosave writes now: the draft in use, unless its key is blocked.
   *
   * @returns {{key: string, saved: unknown} | null} The key and the draft, or nothing
   */
  toSave() {
    const { saved, key, blocked } = this.state;
    return saved && key && !blocked.has(key) ? { key, saved } : null;
  }

  /**
   * After each autosave: the page's save status line says how it went; on a question page, which
   * has none, a failed save is said at once in an alert above the page.
   *
   * @param {boolean} ok - Whether storage took the draft
   */
  onSaved(ok) {
    const { root } = this;
    this.state.lastSaveOk = ok;
    const status = root.querySelector("[data-testid=save-status]");
    if (status) {
      status.textContent = ok ? `Saved in this browser at ${new Date().toLocaleTimeString("en-GB")}.` : NOT_SAVED;
    }
    const warning = root.querySelector("[data-testid=save-warning]");
    if (!ok && !status && !warning) {
      root.prepend(h("p", { class: "nhsuk-error-message", role: "alert", "data-testid": "save-warning" }, NOT_SAVED));
    } else if (ok && warning) {
      warning.remove();
    }
  }

  // ----- listeners (arrow functions, so they can be removed again) -----

  /** Leaving the page or hiding it: save a pending change now. */
  flushOnHide = () => this.saver.flush();

  /** A closed <details> does not print its content: open every closed one for printing. */
  openForPrint = () => {
    for (const d of this.root.querySelectorAll("details:not([open])")) {
      if (!(d instanceof HTMLDetailsElement)) continue;
      d.open = true;
      d.dataset.equitasPrintOpened = "";
    }
  };

  /** …and close them again afterwards. */
  closeAfterPrint = () => {
    for (const d of this.root.querySelectorAll("details[data-equitas-print-opened]")) {
      if (!(d instanceof HTMLDetailsElement)) continue;
      d.open = false;
      delete d.dataset.equitasPrintOpened;
    }
  };

  /** The hash changed (a link, Back, Forward): show its page, if it is a route. */
  onHashChange = () => {
    if (!location.hash || location.hash.startsWith("#/")) {
      this.state.pageErrors = null;
      this.render();
    }
  };

  /**
   * Links: in-page fragment links (error summary → field) focus the field instead of changing the
   * route; route links navigate in memory mode.
   *
   * @param {MouseEvent} e - The click
   */
  onClick = (e) => {
    const { root } = this;
    const a = e.target instanceof Element ? e.target.closest("a[href^='#']") : null;
    if (!a || !root.contains(a)) return;
    const href = a.getAttribute("href") ?? "";
    if (href.startsWith("#/")) {
      if (!this.useHash) {
        e.preventDefault();
        this.navigate(href.slice(1));
      }
      return;
    }
    const target = root.querySelector(`[id="${CSS.escape(href.slice(1))}"]`);
    if (target instanceof HTMLElement) {
      e.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  };
}

/**
 * Mount the app in `root`: the engine starts, then the page of the current route is shown.
 *
 * @param {HTMLElement} root - The element to draw the app in
 * @param {MountOptions} [options] - How it is mounted
 * @returns {{navigate: App["navigate"], unmount: () => void}} Go to a route; take the app out
 */
export function mount(root, options = {}) {
  const app = new App(root, options);
  app.start();
  return {
    navigate: (route, opts) => app.navigate(route, opts),
    unmount: () => app.unmount(),
  };
}

export { formatDate };
