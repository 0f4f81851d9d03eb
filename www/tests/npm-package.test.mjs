// The npm package for intranet teams (issue 16 item 10): `npm pack` of the built app
// (tools/pack.mjs), installed with npm into a scratch site that has never seen www/, whose page
// embeds the form from the installed package with the element, under the app's policy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launch, startServer, withPage, CSP } from "./helpers.mjs";
import { pack } from "../tools/pack.mjs";
import { HEAT } from "./app-driver.mjs";

let browser, server, site, tarball;
before(async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "equitas-npm-"));
  tarball = pack(work);
  site = path.join(work, "site");
  fs.mkdirSync(site);
  fs.writeFileSync(path.join(site, "package.json"), JSON.stringify({ name: "scratch-intranet", private: true }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], {
    cwd: site,
    stdio: "pipe",
  });
  const base = "node_modules/equitas-app";
  fs.writeFileSync(
    path.join(site, "index.html"),
    `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>A scratch intranet page</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/vendor/nhsuk/nhsuk.css">
<link rel="stylesheet" href="${base}/css/app.css">
<script type="module" src="${base}/element.js"></script>
</head>
<body><main><equitas-assessment instrument="heat" storage-key="scratch-heat"></equitas-assessment></main></body>
</html>
`,
  );
  browser = await launch();
  server = await startServer({ root: site });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the packed package installs with npm and its element embeds the form in a scratch page", async () => {
  const installed = JSON.parse(fs.readFileSync(path.join(site, "node_modules/equitas-app/package.json"), "utf8"));
  assert.equal(installed.type, "module");
  for (const entry of ["./element.js", "./embed.js", "./engine", "./measures", "./cohort"]) {
    assert.ok(installed.exports[entry], `exports ${entry}`);
  }
  for (const file of [installed.exports["./engine"].types, installed.exports["./element.js"].types]) {
    assert.ok(fs.existsSync(path.join(site, "node_modules/equitas-app", file)), `${file} is in the package`);
  }
  assert.equal(installed.dependencies, undefined, "no dependencies: idb and the frontend are vendored");
  await withPage(browser, server.origin, async (page) => {
    await page.goto(server.url("/"));
    const el = page.locator("equitas-assessment");
    await page.waitForFunction(() => document.querySelector("equitas-assessment")?.dataset.equitasState === "ready", null, {
      timeout: 15000,
    });
    // The form's start page, then its task list: the app runs from the installed package.
    await el
      .getByRole("button", { name: "Start now" })
      .or(el.getByRole("link", { name: "Start now" }))
      .first()
      .click();
    await el.getByTestId("task-list").waitFor();
    assert.equal(await el.getByRole("heading", { level: 1 }).innerText(), HEAT.title);
    const wasm = server.requests.filter((r) => r.endsWith(".wasm"));
    assert.deepEqual(wasm, ["/node_modules/equitas-app/pkg/equitas_wasm_bg.wasm"], "the engine from the package");
  });
});
