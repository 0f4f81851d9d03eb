// @ts-check
// <equitas-assessment>: the self-assessment inline in a host page, without an iframe.
//
//   <link rel="stylesheet" href="/equitas/vendor/nhsuk/nhsuk.css">
//   <link rel="stylesheet" href="/equitas/css/app.css">
//   <script type="module" src="/equitas/element.js"></script>
//   <equitas-assessment instrument="heat" storage-key="project-42"></equitas-assessment>
//
// A light-DOM custom element (no shadow root, so the NHS.UK styles the host page links apply to
// it). When it is first connected it loads the app's modules from beside this file (import.meta.url,
// so the host page may live anywhere on the same origin), initialises the engine (the wasm is fetched
// from ../pkg relative to app/engine.js, i.e. from the app's own directory) and mounts the app on
// itself with `embedded: true`: the app keeps its page state inside the element rather than in
// location.hash, so elements for different instruments, or a host that uses the hash itself, do
// not interfere. One element per instrument per page: a second one for the same instrument shows
// an error (the forms would share field ids).
//
// Attributes (read once, when the element is first connected):
//   instrument   the instrument id, e.g. "heat" (required)
//   storage-key  where the draft is kept in this origin's localStorage; give each element on a page
//                its own key when two of them use the same instrument (default: the app's own key
//                for the instrument)
//
// Events: the app dispatches `equitas:completed` (detail {instrument: {id, version}, overall, band})
// and `equitas:rendered` on its root, which is this element; they bubble to the host page, so this
// file re-dispatches nothing.
//
// State: data-equitas-state on the element is "loading", then "ready", or "error" (with a message in
// the element, also logged on the console). Moving the element keeps the app as it is; removing it
// for good unmounts the app (a pending change is saved first), and inserting it again mounts afresh
// from the saved draft.

const TAG = "equitas-assessment";
const INSTRUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The element showing each instrument on this page. The app's field ids come from the question
 * ids, so two forms of one instrument on a page would share ids and their labels would point at
 * the first form's fields: a second element for an instrument says so instead of half-working.
 */
/** @type {Map<string, EquitasAssessment>} */
const showing = new Map();

/** @type {Promise<typeof import("./app/app.js")> | null} */
let modules = null;

/**
 * Loads the engine and the app once for every element on the page.
 *
 * @returns {Promise<typeof import("./app/app.js")>} The app's module, once the engine is ready
 */
function loadApp() {
  if (!modules) {
    modules = Promise.all([import("./app/engine.js"), import("./app/app.js")]).then(async ([engine, app]) => {
      await engine.ready();
      return app;
    });
  }
  return modules;
}

class EquitasAssessment extends HTMLElement {
  #started = false;
  /** @type {ReturnType<typeof import("./app/app.js").mount> | null} What mount returned. */
  #app = null;
  /** Counts starts, so that a start overtaken by a removal (or a later start) does not mount. */
  #generation = 0;
  /** @type {string | null} The instrument this element shows, once mounted. */
  #instrument = null;

  connectedCallback() {
    // Moving the element in the document disconnects and reconnects it in one go: mount only once,
    // and keep the mounted app (and the user's place in it) through such moves.
    if (this.#started) return;
    this.#started = true;
    this.#start();
  }

  disconnectedCallback() {
    // Removed for good (still out of the document once the current task's DOM changes are done):
    // unmount, which saves a pending change and drops the app's window listeners. Connected again
    // later, the element mounts afresh and the draft is restored from storage.
    queueMicrotask(() => {
      if (this.isConnected) return;
      if (this.#app) {
        this.#app.unmount();
        this.#app = null;
      }
      if (this.#instrument !== null && showing.get(this.#instrument) === this) showing.delete(this.#instrument);
      this.#instrument = null;
      this.#generation += 1;
      this.#started = false;
    });
  }

  async #start() {
    const generation = ++this.#generation;
    const instrument = this.getAttribute("instrument") ?? "";
    if (!INSTRUMENT_ID.test(instrument)) {
      this.#fail(`the instrument attribute ${JSON.stringify(instrument)} is not an instrument id (e.g. "heat")`);
      return;
    }
    /** @type {import("./app/app.js").MountOptions} */
    const options = { instrument, embedded: true };
    const storageKey = this.getAttribute("storage-key");
    if (storageKey !== null) {
      if (storageKey.trim() === "") {
        this.#fail("the storage-key attribute is empty; leave it out to use the app's default key");
        return;
      }
      options.storageKey = storageKey;
    }
    this.dataset.equitasState = "loading";
    // The NHS.UK styles that need script (conditional reveals and the like) key on an ancestor
    // with this class; the app's own page puts it on <body>, the host's body is not ours to change.
    this.classList.add("nhsuk-frontend-supported");
    try {
      const app = await loadApp();
      // Removed while loading: do not mount into an element that has left the page.
      if (generation !== this.#generation || !this.isConnected) return;
      const other = showing.get(instrument);
      if (other && other !== this && other.isConnected) {
        this.#fail(
          `another <${TAG}> on this page already shows the instrument ${JSON.stringify(instrument)}; a page can show each instrument once (two forms would share field ids)`,
        );
        return;
      }
      this.#app = app.mount(this, options);
      showing.set(instrument, this);
      this.#instrument = instrument;
      this.dataset.equitasState = "ready";
    } catch (error) {
      this.#fail(`the assessment could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** @param {string} message - What went wrong, shown in the element and on the console */
  #fail(message) {
    console.error(`<${TAG}>: ${message}`);
    this.dataset.equitasState = "error";
    const p = document.createElement("p");
    p.className = "nhsuk-body";
    p.setAttribute("role", "alert");
    p.textContent = `Sorry, the assessment is not available: ${message}.`;
    this.replaceChildren(p);
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, EquitasAssessment);
