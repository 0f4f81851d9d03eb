// @ts-check
// The app's Content-Security-Policy, read from its one copy (www/csp.json), and the pages that
// carry it in a <meta http-equiv="Content-Security-Policy"> tag. A page served by a host that
// sends no header still runs under the policy that way, so the tag must say exactly what the file
// says: `node tools/csp.mjs --write` (npm run csp:write) writes it into every page listed, and
// `--check` (and tests/static.test.mjs) fails when one differs.
//
//   node tools/csp.mjs --check | --write

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The www/ directory. */
export const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The app's policy (www/csp.json). */
export const CSP = readPolicy(path.join(WWW, "csp.json"));

/**
 * The pages (relative to www/) that run under the app's policy and carry it as a meta tag: the
 * app's two pages, the example page with the element inline (it runs the app's modules and wasm,
 * so it needs exactly what the app needs), the bench's blank page and the tests' embedder page.
 * The example intranet page frames the app and has a partner's policy of its own: it is not here.
 */
export const PAGES = Object.freeze([
  "index.html",
  "data.html",
  "examples/inline.html",
  "bench/index.html",
  "tests/fixtures/embedder.html",
]);

/** A page's CSP meta tag: the attribute's quote and value are groups 1 and 2. */
const META = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])(.*?)\1/i;

/**
 * The policy in a csp.json.
 *
 * @param {string} file - The file
 * @returns {string} Its `policy`
 */
function readPolicy(file) {
  /** @type {unknown} */
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const policy = json && typeof json === "object" && "policy" in json ? json.policy : undefined;
  if (typeof policy !== "string" || policy.trim() === "" || /["<>\n]/.test(policy)) {
    throw new Error(`${file}: "policy" must be the policy as one line of text, without quotes or angle brackets`);
  }
  return policy;
}

/**
 * The policy in a page's CSP meta tag, or null when it has none.
 *
 * @param {string} html - The page
 * @returns {string | null} The tag's content
 */
export function metaPolicy(html) {
  const m = META.exec(html);
  return m ? m[2] : null;
}

/**
 * The page with its CSP meta tag saying `policy`.
 *
 * @param {string} html - The page
 * @param {string} policy - The policy
 * @returns {string} The page, changed only inside the tag's content
 */
export function withPolicy(html, policy) {
  const m = META.exec(html);
  if (!m) throw new Error('the page has no <meta http-equiv="Content-Security-Policy" content=…> tag');
  const start = m.index + m[0].length - 1 - m[2].length;
  return html.slice(0, start) + policy + html.slice(start + m[2].length);
}

/**
 * Each listed page whose meta tag does not say the policy, with what it says.
 *
 * @returns {{page: string, found: string | null}[]} The pages that differ
 */
export function drift() {
  return PAGES.map((page) => ({ page, found: metaPolicy(fs.readFileSync(path.join(WWW, page), "utf8")) })).filter(
    (p) => p.found !== CSP,
  );
}

/** Command line: --check or --write. */
function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if ((mode !== "--check" && mode !== "--write") || rest.length) {
    console.error("usage: node tools/csp.mjs --check | --write");
    process.exit(2);
  }
  const differ = drift();
  if (mode === "--check") {
    for (const { page, found } of differ) {
      console.error(`${page}: its CSP meta tag says ${JSON.stringify(found)}, not www/csp.json's policy`);
    }
    if (differ.length) {
      console.error("run `npm run csp:write` in www/ to write the policy into every page");
      process.exit(1);
    }
    console.log(`the CSP meta tag of ${PAGES.length} pages matches www/csp.json`);
    return;
  }
  for (const { page } of differ) {
    const file = path.join(WWW, page);
    fs.writeFileSync(file, withPolicy(fs.readFileSync(file, "utf8"), CSP));
    console.log(`${page}: CSP meta tag written`);
  }
  if (!differ.length) console.log("every page already carries www/csp.json's policy");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
