// Shared machinery for the browser tests (not a test file itself: node --test only picks up
// *.test.mjs here). Each test file launches one Chromium, starts the static servers it needs and
// runs every test in a fresh browser context through `withPage`, which fails the test on any page
// error, console error (CSP violations are reported there), dialog, or request that leaves the
// origins the test allowed: that is how "no network request beyond the same origin" is checked.

import fs from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { startServer as startStaticServer } from "../tools/server.mjs";
import { CSP } from "../tools/csp.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const WWW = path.resolve(here, "..");
export const REPO = path.resolve(WWW, "..");

/** The Content-Security-Policy every app page must run under (www/csp.json, its one copy). */
export { CSP };

/**
 * One Chromium and one app server for a whole test file: started before its first test, closed
 * after its last; `set(browser, server)` receives them once started.
 */
export function sharedBrowserAndServer(set) {
  let browser, server;
  before(async () => {
    browser = await launch();
    server = await startServer();
    set(browser, server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

/**
 * Serve `root` (default: www/) on 127.0.0.1 at an ephemeral port, with the repository's one static
 * server (tools/server.mjs, the one `cargo xtask serve` runs). `csp: true` sends the app's CSP as
 * a header as well (the pages also carry it as a meta tag), except under /examples/; the
 * partner-host server in the embed test passes `csp: false`, because a partner intranet page has
 * its own policy, and ours (`default-src 'none'`) would forbid it from framing the app at all.
 * Returns {origin, url(path), close()}; `requests` lists every path asked for.
 */
export function startServer({ root = WWW, csp = true } = {}) {
  return startStaticServer({ root, csp });
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Run `body(page, ctx)` in a fresh context. Problems seen by the guard (page errors, console
 * errors, dialogs, requests outside `origins`) fail the test after the body has run, together
 * with the body's own failure if any. `contextOptions` go to browser.newContext.
 */
export async function withPage(browser, origins, body, { contextOptions = {}, allowConsole = [] } = {}) {
  const allowed = [].concat(origins);
  const context = await browser.newContext({ acceptDownloads: true, ...contextOptions });
  const problems = [];
  const guard = (page) => {
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      const text = m.text();
      if (allowConsole.some((re) => re.test(text))) return;
      const loc = m.location();
      problems.push(`console error: ${text}${loc?.url ? ` (at ${loc.url}:${loc.lineNumber})` : ""}`);
    });
    page.on("dialog", async (d) => {
      problems.push(`unexpected dialog (${d.type()}): ${d.message()}`);
      await d.dismiss().catch(() => {});
    });
  };
  const guarded = new WeakSet();
  const guardOnce = (p) => {
    if (guarded.has(p)) return;
    guarded.add(p);
    guard(p);
  };
  context.on("page", guardOnce);
  context.on("request", (r) => {
    const u = r.url();
    if (u.startsWith("data:")) return;
    const inside = allowed.some((o) => u.startsWith(o + "/") || u.startsWith("blob:" + o + "/"));
    if (!inside) problems.push(`request outside ${allowed.join(" / ")}: ${r.method()} ${u}`);
  });
  context.on("requestfailed", (r) => {
    // A download's blob: request is "aborted" once Playwright takes it over; that is not a failure.
    if (r.url().startsWith("blob:")) return;
    problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  context.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  const page = await context.newPage();
  guardOnce(page);
  let failure;
  try {
    await body(page, { context, problems });
  } catch (e) {
    failure = e;
  }
  await context.close().catch(() => {});
  if (failure && problems.length) {
    failure.message += `\n\nAlso seen by the page guard:\n  - ${problems.join("\n  - ")}`;
  }
  if (failure) throw failure;
  assert.deepEqual(problems, [], `the page guard saw problems:\n  - ${problems.join("\n  - ")}`);
}

/** Go to `url` and wait until the app says it is ready (contract: data-equitas-ready="true"). */
export async function openApp(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, {
    timeout: 15000,
  });
}

/**
 * Run axe with the WCAG 2.2 AA tags and fail, listing every violation and node, if any.
 * `label` names the page state in the failure message.
 */
export async function axeCheck(page, label) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  const v = result.violations;
  if (v.length === 0) return;
  const lines = v.map(
    (x) =>
      `  [${x.impact}] ${x.id}: ${x.help} (${x.helpUrl})\n` +
      x.nodes
        .slice(0, 8)
        .map((n) => `      ${n.target.join(" ")}\n        ${n.failureSummary?.replace(/\n/g, "\n        ")}`)
        .join("\n") +
      (x.nodes.length > 8 ? `\n      … and ${x.nodes.length - 8} more` : ""),
  );
  assert.fail(`axe found ${v.length} WCAG 2.2 AA violation(s) on ${label}:\n${lines.join("\n")}`);
}

/** The accessible description of what has focus: role + name + tag, for messages and matching. */
async function focusedInfo(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return { tag: "body", name: "", id: "" };
    const labelOf = (e) => {
      if (e.getAttribute("aria-label")) return e.getAttribute("aria-label");
      const lb = e.getAttribute("aria-labelledby");
      if (lb)
        return lb
          .split(/\s+/)
          .map((i) => document.getElementById(i)?.textContent || "")
          .join(" ");
      if (e.labels && e.labels.length) return [...e.labels].map((l) => l.textContent).join(" ");
      return e.textContent || e.value || "";
    };
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute("type") || "",
      id: el.id,
      name: labelOf(el).replace(/\s+/g, " ").trim(),
      checked: !!el.checked,
    };
  });
}

/**
 * Press Tab (or Shift+Tab) until the focused element matches `match` (a predicate on
 * {tag, type, id, name, checked}, or a RegExp tested against the name), at most `max` presses.
 * Fails with the list of what got focus on the way, which shows a user's keyboard path.
 */
export async function tabTo(page, match, { max = 60, shift = false, what } = {}) {
  const pred = match instanceof RegExp ? (f) => match.test(f.name) : match;
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
    const f = await focusedInfo(page);
    seen.push(`${f.tag}${f.type ? `[${f.type}]` : ""}${f.id ? "#" + f.id : ""} "${f.name.slice(0, 60)}"`);
    if (pred(f)) return f;
  }
  assert.fail(
    `could not reach ${what || match} with ${max} ${shift ? "Shift+Tab" : "Tab"} presses; focus went through:\n  ` +
      seen.join("\n  "),
  );
}

export { focusedInfo };

// ---------------------------------------------------------------------------------------------
// PDF text extraction, for the print test, without new dependencies.
//
// Chromium (Skia) writes PDF 1.4 with plain `N 0 obj` objects (no object streams), Flate content
// streams, Type0/Identity-H fonts and a ToUnicode CMap per font; text is shown as hex glyph
// strings with Tj/TJ. We inflate the streams, read each font's ToUnicode map, follow each page's
// /Font resources, and decode the glyph strings back to Unicode. Good enough to search for words
// (callers compare with whitespace removed, since glyph positioning does not always keep spaces).

function parseObjects(buf) {
  const s = buf.toString("latin1");
  const objs = new Map();
  const re = /(\d+)\s+0\s+obj\b/g;
  let m;
  while ((m = re.exec(s))) {
    const start = m.index + m[0].length;
    const end = s.indexOf("endobj", start);
    if (end < 0) break;
    const raw = s.slice(start, end);
    let dict = raw;
    let stream = null;
    const si = raw.indexOf("stream");
    if (si >= 0 && /^\s*<</.test(raw)) {
      dict = raw.slice(0, si);
      let ds = start + si + "stream".length;
      if (s[ds] === "\r") ds++;
      if (s[ds] === "\n") ds++;
      const lenM = /\/Length\s+(\d+)(\s+0\s+R)?/.exec(dict);
      let data;
      if (lenM && !lenM[2]) data = buf.subarray(ds, ds + Number(lenM[1]));
      else data = buf.subarray(ds, start + raw.lastIndexOf("endstream"));
      if (/\/FlateDecode/.test(dict)) {
        try {
          data = zlib.inflateSync(data);
        } catch {
          data = Buffer.alloc(0);
        }
      }
      stream = data;
    }
    objs.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
  }
  return objs;
}

function parseToUnicode(text) {
  const map = new Map();
  const hexToStr = (h) => {
    let out = "";
    for (let i = 0; i + 4 <= h.length; i += 4) out += String.fromCharCode(parseInt(h.slice(i, i + 4), 16));
    return out;
  };
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const p of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>/g)) {
      map.set(parseInt(p[1], 16), hexToStr(p[2]));
    }
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const p of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])/g)) {
      const lo = parseInt(p[1], 16);
      const hi = parseInt(p[2], 16);
      if (p[3].startsWith("[")) {
        const items = [...p[3].matchAll(/<([0-9A-Fa-f]*)>/g)].map((x) => hexToStr(x[1]));
        for (let c = lo; c <= hi; c++) map.set(c, items[c - lo] ?? "");
      } else {
        const base = p[3].slice(1, -1);
        const first = hexToStr(base);
        for (let c = lo; c <= hi; c++) {
          const last = first.charCodeAt(first.length - 1) + (c - lo);
          map.set(c, first.slice(0, -1) + String.fromCharCode(last));
        }
      }
    }
  }
  return map;
}

const refOf = (dict, key) => {
  const m = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** Extract {pages, text} from a Chromium PDF buffer. `text` joins all pages. */
export function pdfText(buf) {
  const objs = parseObjects(buf);
  const cmapCache = new Map();
  const cmapFor = (fontObj) => {
    if (cmapCache.has(fontObj)) return cmapCache.get(fontObj);
    const f = objs.get(fontObj);
    const tu = f && refOf(f.dict, "ToUnicode");
    const map = tu && objs.get(tu)?.stream ? parseToUnicode(objs.get(tu).stream.toString("latin1")) : null;
    cmapCache.set(fontObj, map);
    return map;
  };
  const pages = [];
  for (const [, o] of objs) {
    if (!/\/Type\s*\/Page\b(?!s)/.test(o.dict)) continue;
    // Resources: inline or referenced; Font: inline dict or referenced.
    let res = o.dict;
    const resRef = refOf(o.dict, "Resources");
    if (resRef != null) res = objs.get(resRef)?.dict || "";
    let fontDict = "";
    const fRef = refOf(res, "Font");
    if (fRef != null) fontDict = objs.get(fRef)?.dict || "";
    else {
      const fm = /\/Font\s*<<([\s\S]*?)>>/.exec(res);
      fontDict = fm ? fm[1] : "";
    }
    const fonts = new Map();
    for (const fm of fontDict.matchAll(/\/([^\s/<>\[\]()]+)\s+(\d+)\s+0\s+R/g)) fonts.set(fm[1], Number(fm[2]));
    // Contents: one ref or an array of refs.
    let contentRefs = [];
    const arr = /\/Contents\s*\[([^\]]*)\]/.exec(o.dict);
    if (arr) contentRefs = [...arr[1].matchAll(/(\d+)\s+0\s+R/g)].map((x) => Number(x[1]));
    else {
      const c = refOf(o.dict, "Contents");
      if (c != null) contentRefs = [c];
    }
    const content = contentRefs.map((r) => objs.get(r)?.stream?.toString("latin1") || "").join("\n");
    let out = "";
    let cmap = null;
    const decodeHex = (h) => {
      h = h.replace(/\s+/g, "");
      let t = "";
      const step = 4;
      for (let i = 0; i + step <= h.length; i += step) {
        const code = parseInt(h.slice(i, i + step), 16);
        t += cmap?.get(code) ?? "";
      }
      return t;
    };
    const decodeLiteral = (lit) =>
      lit.replace(/\\([nrtbf()\\]|\d{1,3})/g, (_, e) =>
        /\d/.test(e) ? String.fromCharCode(parseInt(e, 8)) : ({ n: "\n", r: "", t: "\t", b: "", f: "" }[e] ?? e),
      );
    const tokRe =
      /\/([^\s/<>\[\]()]+)\s+[\d.]+\s+Tf|\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9A-Fa-f\s]*)>\s*Tj|\(((?:[^)\\]|\\.)*)\)\s*Tj|\b(Td|TD|T\*|Tm|ET)\b/g;
    for (const t of content.matchAll(tokRe)) {
      if (t[1]) cmap = cmapFor(fonts.get(t[1]));
      else if (t[2] != null) {
        for (const part of t[2].matchAll(/<([0-9A-Fa-f\s]*)>|\(((?:[^)\\]|\\.)*)\)|(-?[\d.]+)/g)) {
          if (part[1] != null) out += decodeHex(part[1]);
          else if (part[2] != null) out += decodeLiteral(part[2]);
          else if (Number(part[3]) < -200) out += " ";
        }
      } else if (t[3] != null) out += decodeHex(t[3]);
      else if (t[4] != null) out += decodeLiteral(t[4]);
      else out += t[5] === "ET" ? "\n" : " ";
    }
    pages.push(out);
  }
  return { pages, text: pages.join("\n\f\n") };
}

/** Whitespace-insensitive containment, for text pulled out of a PDF. */
export const squash = (s) => s.replace(/\s+/g, "").toLowerCase();

/** Read a repo file (e.g. a seed) as text / JSON. */
export const readRepo = (rel) => fs.readFile(path.join(REPO, rel), "utf8");
export const readRepoJson = async (rel) => JSON.parse(await readRepo(rel));

/** The draft(s) the app keeps in localStorage: every key and its parsed (or raw) value. */
export async function localDrafts(page) {
  return page.evaluate(() => {
    const out = {};
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      const v = localStorage.getItem(k);
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    }
    return out;
  });
}

/**
 * Fail unless the focused element shows a focus indicator a sighted keyboard user can see: an
 * outline or box-shadow on it, the NHS.UK yellow focus background, or (radios and checkboxes,
 * whose input is visually hidden) a box-shadow on its label's ::before.
 */
export async function assertFocusVisible(page, what) {
  const r = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { ok: false, why: "nothing has focus" };
    const cs = getComputedStyle(el);
    const outline =
      cs.outlineStyle !== "none" &&
      parseFloat(cs.outlineWidth) > 0 &&
      !/rgba\(\d+, \d+, \d+, 0\)|transparent/.test(cs.outlineColor);
    const shadow = cs.boxShadow && cs.boxShadow !== "none";
    const yellow = cs.backgroundColor === "rgb(255, 235, 59)";
    let labelShadow = false;
    if (el.type === "radio" || el.type === "checkbox") {
      const l = el.labels && el.labels[0];
      if (l) {
        const b = getComputedStyle(l, "::before");
        labelShadow = !!b.boxShadow && b.boxShadow !== "none";
      }
    }
    const ok = outline || shadow || yellow || labelShadow;
    return {
      ok,
      why: `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow ${cs.boxShadow}; background ${cs.backgroundColor}`,
      tag: el.tagName,
      id: el.id,
    };
  });
  assert.ok(r.ok, `${what}: the focused ${r.tag}#${r.id} has no visible focus indicator (${r.why})`);
}

/**
 * The assessments the app keeps in IndexedDB (app/library.js, database "equitas", store
 * "assessments"): every record, with its text parsed as `saved` (or the raw text when it is not
 * JSON). An empty list when the database has not been made yet (it is not made here: that would
 * leave it without its store).
 */
export async function storedAssessments(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("equitas");
        open.onupgradeneeded = () => open.transaction.abort();
        open.onerror = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("assessments")) {
            db.close();
            resolve([]);
            return;
          }
          const req = db.transaction("assessments").objectStore("assessments").getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            db.close();
            resolve(
              req.result.map((r) => {
                let saved;
                try {
                  saved = JSON.parse(r.text);
                } catch {
                  saved = r.text;
                }
                return { ...r, saved };
              }),
            );
          };
        };
      }),
  );
}

/** The saved file of instrument `instrument`'s assessment opened last (the one its pages show). */
export async function storedDraft(page, instrument = "heat") {
  const all = (await storedAssessments(page)).filter((r) => r.instrument === instrument);
  all.sort((a, b) => (a.opened < b.opened ? 1 : a.opened > b.opened ? -1 : 0));
  return all[0]?.saved;
}

/** Wait (up to `timeout` ms) until `check(await storedDraft(page, instrument))` is true. */
export async function waitForStoredDraft(page, check, { instrument = "heat", timeout = 3000 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const d = await storedDraft(page, instrument);
    if (check(d)) return d;
    if (Date.now() > end)
      assert.fail(`the stored ${instrument} draft did not reach the expected state: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
