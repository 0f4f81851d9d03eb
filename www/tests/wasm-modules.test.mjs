// Which wasm each page downloads. `cargo xtask wasm` builds three modules so that a page fetches
// only what it uses: the assessment engine (pkg/equitas_wasm_bg.wasm) for the start page, the
// form, the results and the inline element; the data page's measures
// (pkg/equitas_measures_bg.wasm) for the data page; the cohort classifier
// (pkg/equitas_cohort_bg.wasm) for no page, only for embedders who import it. The split is only
// worth its bytes if the pages keep to their own module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage } from "./helpers.mjs";
import { openStart, startHeat, openSection, importFile, submitAndSeeResults, completeWithGaps } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const ENGINE = "/pkg/equitas_wasm_bg.wasm";
const MEASURES = "/pkg/equitas_measures_bg.wasm";
const COHORT = "/pkg/equitas_cohort_bg.wasm";

/** Every path the context asks for from now on (pages, modules, wasm), in order. */
function requestedPaths(context) {
  const paths = [];
  context.on("request", (r) => paths.push(new URL(r.url()).pathname));
  return paths;
}

const fromPkg = (paths, name) => paths.filter((p) => p.startsWith(`/pkg/${name}`));

test("the start page, the form and the results download the assessment engine and neither the measures nor the cohort module", async () => {
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
    assert.deepEqual(fromPkg(paths, "equitas_measures"), [], `no request for the data page's measures (${MEASURES} or its loader); asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_cohort"), [], `no request for the cohort classifier (${COHORT} or its loader); asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_team"), [], `no request for the team module (the Word writer) until it is asked for; asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_wasm_bg"), [ENGINE], "the assessment engine is fetched once, however many pages used it");
  });
});

test("the inline <equitas-assessment> element downloads the assessment engine and neither the measures nor the cohort module", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const paths = requestedPaths(context);
    await page.goto(server.url("/examples/inline.html"));
    await page.waitForFunction(() => document.querySelector("equitas-assessment")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    assert.ok(paths.includes(ENGINE), `the element fetches the assessment engine; asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_measures"), [], `no request for the data page's measures; asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_cohort"), [], `no request for the cohort classifier; asked for: ${paths.join(", ")}`);
  });
});

test("the data page downloads the measures module and neither the assessment engine nor the cohort module", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const paths = requestedPaths(context);
    await page.goto(server.url("/data.html"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
    await page.getByRole("button", { name: /synthetic example/i }).click();
    await page.getByRole("table", { name: /the 21 summary measures/ }).first().waitFor({ timeout: 10000 });
    assert.deepEqual(fromPkg(paths, "equitas_measures_bg"), [MEASURES], "the data page fetches the measures module once");
    assert.deepEqual(fromPkg(paths, "equitas_wasm"), [], `no request for the assessment engine (${ENGINE} or its loader); asked for: ${paths.join(", ")}`);
    assert.deepEqual(fromPkg(paths, "equitas_cohort"), [], `no request for the cohort classifier (${COHORT} or its loader); asked for: ${paths.join(", ")}`);
  });
});

test("an embedder can import the cohort classifier from pkg/equitas_cohort.js on its own", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const paths = requestedPaths(context);
    // A page of the app's origin under the app's policy; the module is imported by URL, as an
    // embedder's own script would.
    await page.goto(server.url("/tests/fixtures/embedder.html"));
    const got = await page.evaluate(async () => {
      const cohort = await import("/pkg/equitas_cohort.js");
      await cohort.default();
      const person = cohort.classifyPerson({ id: "p1", age: 47, imd_decile: 2, conditions: ["smi"] });
      return {
        quintile: cohort.imdQuintile(3),
        core20: cohort.isCore20Decile(2),
        person: { core20: person.core20, imd_quintile: person.imd_quintile, adult_areas: person.adult_areas },
        others: ["measureHeatPlus", "scoreAssessment"].filter((name) => name in cohort),
      };
    });
    assert.deepEqual(got, {
      quintile: 2,
      core20: true,
      person: { core20: true, imd_quintile: 1, adult_areas: ["smi"] },
      others: [],
    });
    assert.deepEqual(fromPkg(paths, "equitas_cohort_bg"), [COHORT], "the cohort module is fetched once");
    assert.deepEqual(fromPkg(paths, "equitas_wasm").concat(fromPkg(paths, "equitas_measures")), [], `only the cohort module; asked for: ${paths.join(", ")}`);
  });
});
