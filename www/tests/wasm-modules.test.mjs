// Which wasm each page downloads. `cargo xtask wasm` builds two modules so that a page fetches
// only the half it uses: the assessment engine (pkg/equitas_wasm_bg.wasm) for the start page, the
// form, the results and the inline element; the data page's functions (pkg/equitas_data_bg.wasm)
// for the data page. The split is only worth its bytes if the pages keep to their half.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage } from "./helpers.mjs";
import { openStart, startHeat, openSection, importFile, submitAndSeeResults, completeWithGaps } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const ENGINE = "/pkg/equitas_wasm_bg.wasm";
const DATA = "/pkg/equitas_data_bg.wasm";

/** Every path the context asks for from now on (pages, modules, wasm), in order. */
function requestedPaths(context) {
  const paths = [];
  context.on("request", (r) => paths.push(new URL(r.url()).pathname));
  return paths;
}

const fromPkg = (paths, name) => paths.filter((p) => p.startsWith(`/pkg/${name}`));

test("the start page, the form and the results download the assessment engine and never the data page's module", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const paths = requestedPaths(context);
    await openStart(page, server.url("/"));
    assert.deepEqual(fromPkg(paths, "equitas_wasm_bg"), [ENGINE], "the start page fetches the assessment engine once");
    await startHeat(page);
    await openSection(page, "Prepare");
    // Continue with nothing typed: the form asks the engine to validate and shows its errors.
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".nhsuk-error-summary").first().waitFor();
    assert.equal(await importFile(page, completeWithGaps()), "tasks");
    await submitAndSeeResults(page);
    assert.deepEqual(fromPkg(paths, "equitas_data"), [], `no request for the data page's module (${DATA} or its loader); asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_wasm_bg"), [ENGINE], "the assessment engine is fetched once, however many pages used it");
  });
});

test("the inline <equitas-assessment> element downloads the assessment engine and never the data page's module", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const paths = requestedPaths(context);
    await page.goto(server.url("/examples/inline.html"));
    await page.waitForFunction(() => document.querySelector("equitas-assessment")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    assert.ok(paths.includes(ENGINE), `the element fetches the assessment engine; asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_data"), [], "no request for the data page's module");
  });
});

test("the data page downloads the data page's module and never the assessment engine", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const paths = requestedPaths(context);
    await page.goto(server.url("/data.html"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
    await page.getByRole("button", { name: /synthetic example/i }).click();
    await page.getByRole("table", { name: /the 21 summary measures/ }).first().waitFor({ timeout: 10000 });
    assert.deepEqual(fromPkg(paths, "equitas_data_bg"), [DATA], "the data page fetches its module once");
    assert.deepEqual(fromPkg(paths, "equitas_wasm"), [], `no request for the assessment engine (${ENGINE} or its loader); asked for: ${paths.join(", ")}`);
  });
});
