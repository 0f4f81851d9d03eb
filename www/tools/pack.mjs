// @ts-check
// The npm package for intranet teams: the built app (its two pages, the element and embed
// scripts, the app's ES modules, styles, the vendored NHS.UK frontend and idb, and the three wasm
// modules with their TypeScript declarations) as one package, made by `npm pack`.
//
//   node tools/pack.mjs [--out DIR]     (prints the tarball's path; needs `cargo xtask wasm` first)
//
// The package is assembled in DIR/equitas-app (default: a new temporary directory) from www/,
// with a package.json of its own: ES modules (`"type": "module"`), `exports` naming the entry
// points (the element, the embed script, each wasm module's glue with its `.d.ts`) and `./*` for
// the files they load beside them, no dependencies (idb and the frontend are vendored), and no
// install scripts. A host serves the package's directory as it is: the element loads the app's
// modules and the wasm from beside itself (import.meta.url).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The www/ directory. */
const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What the package holds, relative to www/: files and whole directories. */
export const CONTENTS = Object.freeze([
  "index.html",
  "data.html",
  "csp.json",
  "element.js",
  "embed.js",
  "app",
  "css",
  "vendor",
  "pkg",
]);

/** The package's manifest. */
export function manifest() {
  const www = JSON.parse(fs.readFileSync(path.join(WWW, "package.json"), "utf8"));
  const glue = (/** @type {string} */ name) => ({ types: `./pkg/${name}.d.ts`, default: `./pkg/${name}.js` });
  return {
    name: "equitas-app",
    version: "0.1.0",
    description:
      "The equitas health equity self-assessment for intranets: the <equitas-assessment> element, the iframe embed script, the app's pages and its WebAssembly engines. Everything runs in the browser.",
    license: www.license,
    type: "module",
    exports: {
      "./element.js": { types: "./element.d.ts", default: "./element.js" },
      "./embed.js": "./embed.js",
      "./engine": glue("equitas_wasm"),
      "./measures": glue("equitas_measures"),
      "./cohort": glue("equitas_cohort"),
      "./package.json": "./package.json",
      "./*": "./*",
    },
    types: "./element.d.ts",
    sideEffects: ["./element.js", "./embed.js"],
  };
}

/** The element's TypeScript declaration: importing it registers the element. */
const ELEMENT_DTS = `// Importing element.js registers <equitas-assessment> (see the comment at the top of element.js).
export {};

declare global {
  interface HTMLElementTagNameMap {
    /** The equitas self-assessment inline: attributes \`instrument\` and \`storage-key\`. */
    "equitas-assessment": HTMLElement;
  }
}
`;

/**
 * Assemble the package in `out` and pack it there.
 *
 * @param {string} out - A directory to work in
 * @returns {string} The tarball's path
 */
export function pack(out) {
  for (const wasm of ["equitas_wasm", "equitas_measures", "equitas_cohort"]) {
    if (!fs.existsSync(path.join(WWW, "pkg", `${wasm}_bg.wasm`))) {
      throw new Error(`www/pkg/${wasm}_bg.wasm is missing: run \`cargo xtask wasm\` first`);
    }
  }
  const dir = path.join(out, "equitas-app");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const item of CONTENTS) {
    fs.cpSync(path.join(WWW, item), path.join(dir, item), {
      recursive: true,
      // Not the build stamps xtask keeps beside the wasm.
      filter: (src) => !src.endsWith(".gitignore") && !src.endsWith(".xtask-stamp"),
    });
  }
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest(), null, 2)}\n`);
  fs.writeFileSync(path.join(dir, "element.d.ts"), ELEMENT_DTS);
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], {
    cwd: dir,
    encoding: "utf8",
  }).trim();
  return path.join(out, name.split("\n").pop() ?? name);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const at = process.argv.indexOf("--out");
  const out = at > 0 ? path.resolve(process.argv[at + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), "equitas-pack-"));
  fs.mkdirSync(out, { recursive: true });
  console.log(pack(out));
}
