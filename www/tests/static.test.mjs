// Static checks of the shipped files, for what the browser tests cannot see because the test
// server adds the CSP header itself: every app page carries the contract's CSP as a meta tag (a
// real host may not send the header), and no page or script uses what that CSP would block or what
// would turn free text into markup.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { WWW, REPO, CSP } from "./helpers.mjs";
import { PAGES as CSP_PAGES } from "../tools/csp.mjs";

const read = (rel) => fs.readFileSync(path.join(WWW, rel), "utf8");
const APP_PAGES = ["index.html", "data.html"];
const ALL_PAGES = [...APP_PAGES, ...fs.readdirSync(path.join(WWW, "examples")).filter((f) => f.endsWith(".html")).map((f) => `examples/${f}`)];
const SCRIPTS = [
  ...fs
    .readdirSync(path.join(WWW, "app"), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".js"))
    .map((f) => `app/${f.split(path.sep).join("/")}`),
  ...["embed.js", "element.js"].filter((f) => fs.existsSync(path.join(WWW, f))),
  ...fs.readdirSync(path.join(WWW, "examples")).filter((f) => f.endsWith(".js")).map((f) => `examples/${f}`),
];

function metaCsp(html) {
  const m = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(?:"([^"]+)"|'([^']+)')/i.exec(html);
  return m ? m[1] ?? m[2] : null;
}

// The app's pages, and the other pages that run under the app's policy (tools/csp.mjs), carry the
// policy of www/csp.json (`npm run csp:write` writes it into them).
for (const p of new Set([...APP_PAGES, ...CSP_PAGES])) {
  test(`${p} carries the contract's CSP as a meta tag`, () => {
    assert.equal(metaCsp(read(p)), CSP);
  });
}

test("the README quotes the policy of www/csp.json", () => {
  const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
  const quoted = [...readme.matchAll(/`(default-src [^`]*)`/g)].map((m) => m[1].replace(/;? …$/, ""));
  assert.ok(quoted.length > 0, "the README quotes the policy");
  for (const q of quoted) assert.ok(CSP.startsWith(q), `the README quotes ${JSON.stringify(q)}, not the start of ${JSON.stringify(CSP)}`);
});

for (const p of ALL_PAGES) {
  test(`${p}: no inline script, inline handler, style attribute or style element; a CSP meta; lang and icon set`, () => {
    const html = read(p);
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter((m) => !/\bsrc=/.test(m[1]) || m[2].trim());
    assert.deepEqual(inline.map((m) => m[0].slice(0, 80)), [], "no inline <script>");
    assert.deepEqual(html.match(/\son[a-z]+\s*=/gi) || [], [], "no inline event handler attributes");
    assert.deepEqual(html.match(/\sstyle\s*=/gi) || [], [], "no style attributes");
    assert.deepEqual(html.match(/<style\b/gi) || [], [], "no <style> elements");
    assert.ok(metaCsp(html), "a Content-Security-Policy meta tag");
    assert.match(html, /<html[^>]*\blang="en-GB"/, "the page's language is set");
    // Without a declared icon Chromium asks for /favicon.ico, which is a 404 and a console error.
    assert.match(html, /<link\s[^>]*rel=["']icon["']/, "the page declares its icon (no request for /favicon.ico)");
    assert.deepEqual(html.match(/(src|href)=["']https?:\/\//gi) || [], [], "nothing loaded from another origin");
  });
}

test("no script builds markup from strings (innerHTML and friends) or evaluates strings", () => {
  const bad = [];
  for (const f of SCRIPTS) {
    const code = read(f)
      .split("\n")
      .map((l, i) => [l.replace(/\/\/.*$/, ""), i + 1]);
    for (const [l, n] of code) {
      if (/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\s*\(|new Function\s*\(|setAttribute\(\s*["']style["']|createContextualFragment|DOMParser/.test(l)) {
        bad.push(`${f}:${n}: ${l.trim()}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

/**
 * Scripts that do not start with `// @ts-check` yet. None: the last four (the results report,
 * its charts and the data page) were type-checked when they came to draw the engine's report
 * models (issue 13).
 */
const NOT_YET_TYPE_CHECKED = [];

test("every script opts in to the type check (// @ts-check, www/tsconfig.json), but those not yet", () => {
  const unchecked = SCRIPTS.filter((f) => !read(f).startsWith("// @ts-check\n"));
  assert.deepEqual(
    unchecked.filter((f) => !NOT_YET_TYPE_CHECKED.includes(f)),
    [],
    "these scripts do not start with // @ts-check",
  );
  assert.deepEqual(
    NOT_YET_TYPE_CHECKED.filter((f) => !unchecked.includes(f)),
    [],
    "these scripts are type-checked now: take them off NOT_YET_TYPE_CHECKED",
  );
});
