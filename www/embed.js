// @ts-check
/*
 * equitas embed: puts the equitas self-assessment on a partner page (an intranet, a portal) with
 * one script tag and one element. A classic script: no modules, no build step, nothing global
 * except `window.equitasEmbed = {version: 1}`.
 *
 *   <script src="https://equitas.example.nhs.uk/embed.js" defer></script>
 *   <div data-equitas-assessment data-instrument="heat" data-title="Health equity assessment"></div>
 *
 * For each `[data-equitas-assessment]` element it appends an <iframe> showing the app that is
 * hosted next to this script (index.html in the same directory as embed.js), with
 * `?embed=1&parent=<this page's origin>&instrument=<data-instrument>`. Attributes:
 *   data-instrument  the instrument id (required; letters, digits, ".", "_", "-")
 *   data-title       the iframe's accessible title (default "Health equity self-assessment")
 *   data-src         the app's URL, when it is not next to embed.js (absolute, or relative to the page)
 * Anything inside the element is a fallback (e.g. a link to the app) that the iframe replaces.
 * Elements added to the page later (by a single-page intranet, say) are framed when they appear.
 * The iframe has the class `equitas-embed-frame`, width="100%" and loading="lazy"; the host page
 * styles it (e.g. `.equitas-embed-frame { border: 0; }`). Its height is set through the CSSOM,
 * which a Content-Security-Policy without 'unsafe-inline' in style-src allows.
 *
 * postMessage protocol, version 1 (the app, app/embed-bridge.js, sends; this script receives):
 *
 *   type        fields                                  effect on the host page
 *   ready       -                                       host element gets data-equitas-state="ready"
 *                                                       and an `equitas:ready` event (bubbles)
 *   resize      height: number (CSS px)                 the iframe's height, clamped to 150..50000
 *   completed   instrument: {id, version},              `equitas:completed` CustomEvent (bubbles) on
 *               overall: number (0..100), band: string  the host element, detail {instrument, overall, band}
 *
 * Every message is an object {protocol: "equitas", version: 1, type, ...}. The app posts it only to
 * the origin named in its URL (never "*"). A message is accepted only when ALL of these hold:
 * event.origin is the app's origin, event.source is that element's own iframe, protocol is
 * "equitas" and version is 1, and the fields have the types above. Anything else is ignored
 * silently, except a message of another version from the app itself, which is reported once on the
 * console (the script and the app are then out of step). The completion carries only the rating:
 * no answer ever leaves the app.
 */
(function () {
  "use strict";

  if (window.equitasEmbed) return; // the script was included twice: the first copy does the work

  var PROTOCOL = "equitas";
  var VERSION = 1;
  var MIN_HEIGHT = 150;
  var MAX_HEIGHT = 50000;
  var DEFAULT_HEIGHT = 600;
  var DEFAULT_TITLE = "Health equity self-assessment";
  var INSTRUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

  var script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  // The app lives next to this script: same origin, same directory.
  var defaultAppUrl = script && script.src ? new URL("index.html", script.src).href : null;

  /**
   * Frames made by this script: iframe.contentWindow is looked up here on every message.
   *
   * @type {{element: Element, iframe: HTMLIFrameElement, origin: string, height: number}[]}
   */
  var frames = [];
  var warnedVersion = false;

  /**
   * @param {Element} element - A host element
   * @param {string} message - Why it gets no frame
   */
  function fail(element, message) {
    console.error("equitas embed: " + message);
    element.setAttribute("data-equitas-state", "error");
  }

  /** @param {Element} element - A host element: give it its frame */
  function setUp(element) {
    if (element.hasAttribute("data-equitas-state")) return; // already done
    var instrument = element.getAttribute("data-instrument") || "";
    if (!INSTRUMENT_ID.test(instrument)) {
      fail(element, "data-instrument " + JSON.stringify(instrument) + ' is not an instrument id (e.g. "heat")');
      return;
    }
    var src = element.getAttribute("data-src") || defaultAppUrl;
    if (!src) {
      fail(element, "cannot tell where the app is: load embed.js with a src, or give data-src");
      return;
    }
    var url;
    try {
      url = new URL(src, document.baseURI);
    } catch (e) {
      fail(element, "data-src " + JSON.stringify(src) + " is not a URL");
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      fail(element, "the app URL " + JSON.stringify(url.href) + " is not http or https");
      return;
    }
    if (window.location.origin === "null") {
      fail(
        element,
        "this page has no origin (opened from a file?), so the app could not answer it; serve it over http(s)",
      );
      return;
    }
    url.searchParams.set("embed", "1");
    url.searchParams.set("parent", window.location.origin);
    url.searchParams.set("instrument", instrument);
    url.hash = "";

    var iframe = document.createElement("iframe");
    iframe.className = "equitas-embed-frame";
    iframe.title = element.getAttribute("data-title") || DEFAULT_TITLE;
    iframe.setAttribute("loading", "lazy");
    iframe.setAttribute("width", "100%");
    // Another origin's app is sandboxed. It needs its own origin (localStorage drafts, its modules
    // and wasm), forms, downloads (export), modals (print, confirm) and links that open in a new
    // tab (which then behaves as a normal tab); it may not navigate the host page itself. An app on
    // the host's own origin could lift any sandbox (same origin + scripts), so it gets none.
    if (url.origin !== window.location.origin) {
      iframe.setAttribute(
        "sandbox",
        "allow-scripts allow-same-origin allow-forms allow-downloads allow-modals allow-popups allow-popups-to-escape-sandbox",
      );
    }
    // The host page's URL is nobody's business but the host's.
    iframe.setAttribute("referrerpolicy", "no-referrer");
    iframe.style.height = DEFAULT_HEIGHT + "px";
    iframe.src = url.href;

    frames.push({ element: element, iframe: iframe, origin: url.origin, height: DEFAULT_HEIGHT });
    element.setAttribute("data-equitas-state", "loading");
    // Whatever the host put inside the element (a link to the app, for browsers without script) is
    // a fallback: the frame replaces it. On an error above, the fallback stays.
    element.replaceChildren(iframe);
  }

  /**
   * @param {any} data - A completion message's data, not yet checked
   * @returns {boolean} Whether it carries a well-typed rating
   */
  function isRating(data) {
    var instrument = data.instrument;
    return (
      instrument !== null &&
      typeof instrument === "object" &&
      typeof instrument.id === "string" &&
      (typeof instrument.version === "string" ||
        (typeof instrument.version === "number" && isFinite(instrument.version))) &&
      typeof data.overall === "number" &&
      isFinite(data.overall) &&
      data.overall >= 0 &&
      data.overall <= 100 &&
      typeof data.band === "string"
    );
  }

  /** @param {MessageEvent} event - A message to this window, from anyone */
  function onMessage(event) {
    var frame = null;
    for (var i = 0; i < frames.length; i++) {
      // contentWindow is null once the iframe has left the document: nothing matches it then.
      if (frames[i].iframe.contentWindow !== null && frames[i].iframe.contentWindow === event.source) {
        frame = frames[i];
        break;
      }
    }
    if (frame === null || event.origin !== frame.origin) return;
    var data = event.data;
    if (data === null || typeof data !== "object" || data.protocol !== PROTOCOL) return;
    if (data.version !== VERSION) {
      if (!warnedVersion) {
        warnedVersion = true;
        console.warn(
          "equitas embed: the app speaks protocol version " +
            JSON.stringify(data.version) +
            " but this embed.js speaks " +
            VERSION +
            "; load embed.js from the app's own server so they match",
        );
      }
      return;
    }
    if (data.type === "ready") {
      frame.element.setAttribute("data-equitas-state", "ready");
      frame.element.dispatchEvent(new CustomEvent("equitas:ready", { bubbles: true }));
    } else if (data.type === "resize") {
      if (typeof data.height !== "number" || !isFinite(data.height)) return;
      var height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(data.height)));
      if (height !== frame.height) {
        frame.height = height;
        frame.iframe.style.height = height + "px";
      }
    } else if (data.type === "completed") {
      if (!isRating(data)) return;
      // A fresh object: the host gets the rating and nothing else the message might carry.
      var detail = {
        instrument: { id: data.instrument.id, version: data.instrument.version },
        overall: data.overall,
        band: data.band,
      };
      frame.element.setAttribute("data-equitas-state", "completed");
      frame.element.dispatchEvent(new CustomEvent("equitas:completed", { bubbles: true, detail: detail }));
    }
  }

  function scan() {
    var elements = document.querySelectorAll("[data-equitas-assessment]");
    for (var i = 0; i < elements.length; i++) setUp(elements[i]);
  }

  window.addEventListener("message", onMessage);
  window.equitasEmbed = Object.freeze({ version: VERSION });

  // Pages that add content after load (single-page intranets, portal web parts) get their
  // elements framed too: watch for new nodes and scan again (setUp skips elements it has done).
  function watch() {
    scan();
    if (typeof MutationObserver === "function") {
      new MutationObserver(function (records) {
        for (var i = 0; i < records.length; i++) {
          if (records[i].addedNodes.length) {
            scan();
            return;
          }
        }
      }).observe(document.documentElement, { childList: true, subtree: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
