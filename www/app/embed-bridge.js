// @ts-check
// The framed app's end of the equitas embed protocol (v1).
//
// When the app runs inside a partner's page (index.html?embed=1&parent=<origin>&instrument=<id>,
// an <iframe> made by embed.js), main.js calls startEmbedBridge(root, {parentOrigin}). The bridge
// then tells the parent page, and only the parent page, three things:
//
//   {protocol: "equitas", version: 1, type: "ready"}                      once, when the app is usable
//                                                                         (html[data-equitas-ready="true"])
//   {protocol: "equitas", version: 1, type: "resize", height}             the document's height in
//                                                                         CSS px, whenever it changes
//   {protocol: "equitas", version: 1, type: "completed",
//    instrument: {id, version}, overall, band}                            when the user finishes
//
// Every message goes to window.parent with the parent's origin as postMessage's targetOrigin, never
// "*": if the page framing the app is not the origin named in the URL, the browser drops the message
// instead of handing it to whoever framed us. No answer, note or free text is ever posted: the
// completion message is built field by field from the rating (instrument, overall score, band), so
// nothing else in the event's detail can leak through it. The bridge listens to no incoming message.

const PROTOCOL = "equitas";
const VERSION = 1;

/**
 * Checks that `value` is a serialised web origin such as "https://intranet.example.nhs.uk" or
 * "http://127.0.0.1:8001": http or https, a host, an optional port, and nothing else (no path, no
 * trailing slash, no query, no credentials). Returns the origin, or null with the reason.
 *
 * @param {unknown} value
 * @returns {{origin: string} | {error: string}}
 */
export function parseParentOrigin(value) {
  if (typeof value !== "string" || value === "") {
    return { error: "the parent origin is missing" };
  }
  let url;
  try {
    url = new URL(value);
  } catch {
    return { error: `the parent origin ${JSON.stringify(value)} is not a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { error: `the parent origin ${JSON.stringify(value)} is not http or https` };
  }
  // URL.origin is the canonical serialisation; anything beyond it (a path, even "/", a query, a
  // fragment, user info, upper case, a default port) makes the two differ, and we refuse rather
  // than guess what the host meant.
  if (url.origin !== value) {
    return {
      error: `the parent origin ${JSON.stringify(value)} is not a bare origin (expected ${JSON.stringify(url.origin)}, with no path or trailing slash)`,
    };
  }
  return { origin: url.origin };
}

/**
 * Picks the rating out of an `equitas:completed` event's detail, field by field, so that nothing
 * else the detail might carry (answers, notes) can reach the parent page. The detail must be as the
 * contract says: `{instrument: {id, version}, overall, band}` with `band` the band's label.
 *
 * @param {unknown} detail
 * @returns {{rating: {instrument: {id: string, version: string|number}, overall: number, band: string}} | {error: string}}
 */
export function completionRating(detail) {
  if (detail === null || typeof detail !== "object") {
    return { error: `the event's detail is ${JSON.stringify(detail)}, not an object` };
  }
  const { instrument, overall, band } = /** @type {{instrument?: unknown, overall?: unknown, band?: unknown}} */ (
    detail
  );
  if (
    instrument === null ||
    typeof instrument !== "object" ||
    !("id" in instrument) ||
    typeof instrument.id !== "string"
  ) {
    return { error: `detail.instrument is ${JSON.stringify(instrument)}, not {id, version}` };
  }
  const version = "version" in instrument ? instrument.version : undefined;
  if (!(typeof version === "string" || (typeof version === "number" && Number.isFinite(version)))) {
    return { error: `detail.instrument.version is ${JSON.stringify(version)}, not a string or number` };
  }
  if (typeof overall !== "number" || !Number.isFinite(overall)) {
    return { error: `detail.overall is ${JSON.stringify(overall)}, not a finite number` };
  }
  if (typeof band !== "string") {
    return { error: `detail.band is ${JSON.stringify(band)}, not the band's label (a string)` };
  }
  return { rating: { instrument: { id: instrument.id, version }, overall, band } };
}

/**
 * Starts posting ready/resize/completed messages to the parent page.
 *
 * Does nothing (and warns on the console) when the app is not framed or `parentOrigin` is not a
 * bare http(s) origin. Returns a function that stops the bridge (disconnects the observer and the
 * listeners); it is a no-op when the bridge did not start.
 *
 * @param {Element} root the app's root element; `equitas:completed` and `equitas:rendered` bubble from it
 * @param {{parentOrigin?: string | null}} [options]
 * @returns {() => void}
 */
export function startEmbedBridge(root, { parentOrigin } = {}) {
  const noop = () => {};
  const parsed = parseParentOrigin(parentOrigin);
  if ("error" in parsed) {
    console.warn(`equitas embed: not starting the embed bridge: ${parsed.error}`);
    return noop;
  }
  if (window.parent === window) {
    console.warn("equitas embed: not starting the embed bridge: the app is not inside a frame");
    return noop;
  }
  const target = parsed.origin;
  // Chromium and WebKit tell us who framed us. On a mismatch the browser would drop every message
  // anyway (targetOrigin); do not start, and say so, since it is almost always a misconfigured host
  // (http vs https, another host name). Where the list is missing (Firefox), targetOrigin alone
  // keeps the messages from reaching a page that is not the named parent.
  const ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0] !== target) {
    console.warn(
      `equitas embed: not starting the embed bridge: the page framing the app is ${ancestors[0]}, not ${target} named in the URL`,
    );
    return noop;
  }

  /** @param {{type: "ready" | "resize" | "completed", [field: string]: unknown}} message - What to post */
  const post = (message) => {
    window.parent.postMessage({ protocol: PROTOCOL, version: VERSION, ...message }, target);
  };

  // Height: measured on the root element's border box. document.documentElement.scrollHeight would
  // never shrink below the iframe's current height (it includes the viewport), so a page that gets
  // shorter would keep the iframe tall.
  let lastHeight = -1;
  let frame = 0;
  const measure = () => {
    frame = 0;
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (!Number.isFinite(height) || height === lastHeight) return;
    lastHeight = height;
    post({ type: "resize", height });
  };
  const scheduleMeasure = () => {
    if (frame === 0) frame = requestAnimationFrame(measure);
  };

  const observer = new ResizeObserver(scheduleMeasure);
  observer.observe(document.documentElement);
  root.addEventListener("equitas:rendered", scheduleMeasure);

  /** @param {Event} event - `equitas:completed`, a CustomEvent */
  const onCompleted = (event) => {
    const rating = completionRating(/** @type {CustomEvent} */ (event).detail);
    if ("error" in rating) {
      console.error(`equitas embed: not posting the completion: ${rating.error}`);
      return;
    }
    post({ type: "completed", ...rating.rating });
  };
  root.addEventListener("equitas:completed", onCompleted);

  // "ready" means the form can be used: the app marks that on <html> once the engine has loaded and
  // the first page is shown (the contract's data-equitas-ready). If the engine cannot start, the
  // app shows its error page (still sized by resize messages) and no "ready" is sent.
  const html = document.documentElement;
  /** @type {MutationObserver | null} */
  let readyWatcher = null;
  const isReady = () => html.dataset.equitasReady === "true";
  if (isReady()) {
    post({ type: "ready" });
  } else {
    readyWatcher = new MutationObserver(() => {
      if (!isReady()) return;
      readyWatcher?.disconnect();
      readyWatcher = null;
      post({ type: "ready" });
    });
    readyWatcher.observe(html, { attributes: true, attributeFilter: ["data-equitas-ready"] });
  }
  scheduleMeasure();

  return () => {
    observer.disconnect();
    if (readyWatcher) readyWatcher.disconnect();
    root.removeEventListener("equitas:rendered", scheduleMeasure);
    root.removeEventListener("equitas:completed", onCompleted);
    if (frame !== 0) cancelAnimationFrame(frame);
    frame = 0;
  };
}
