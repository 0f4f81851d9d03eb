// axe (WCAG 2.0/2.1/2.2 A and AA) on every state a person meets: the start page empty and with a
// restored draft, the choice page, each kind of question page after Continue with nothing (error
// summary and field errors), the task list, check answers, the submitted results, export, delete,
// the import error, the data page with the synthetic example and with a bad file, and the example
// intranet page with the app in its iframe.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { launch, startServer, withPage, axeCheck, REPO } from "./helpers.mjs";
import { HEAT, openStart, startHeat, importFile, completeWithGaps, submitAndSeeResults } from "./app-driver.mjs";

let browser, server, host;
before(async () => {
  browser = await launch();
  server = await startServer();
  host = await startServer({ csp: false });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await host?.close();
});

/** One required question of each kind, by its place in the instrument (section, 1-based index). */
function oneOfEachKind() {
  const seen = new Map();
  for (const s of HEAT.sections) {
    s.questions.forEach((q, i) => {
      const kind = q.kind.type + (q.kind.multiline ? "-multiline" : "");
      if (q.required && !q.visible_if && !seen.has(kind)) seen.set(kind, { section: s.id, n: i + 1, q });
    });
  }
  return [...seen.entries()];
}

test("axe: start page (empty), choice page, task list", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await axeCheck(page, "the start page with no draft");
    await page.getByRole("button", { name: "Start now" }).click();
    // With two instruments and none chosen by the page, Start leads to the choice: wait for it
    // (it renders after the click), so the choice page is always checked.
    await page.getByRole("radio", { name: HEAT.title }).waitFor();
    await axeCheck(page, "the choice of assessment");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".nhsuk-error-summary").waitFor();
    await axeCheck(page, "the choice of assessment with an error");
    await page.getByRole("radio", { name: HEAT.title }).check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await axeCheck(page, "the task list");
  });
});

test("axe: a question page of each kind after Continue with nothing (error summary)", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await startHeat(page);
    const kinds = oneOfEachKind();
    assert.ok(kinds.length >= 6, `several kinds of question: ${kinds.map(([k]) => k).join(", ")}`);
    for (const [kind, { section, n, q }] of kinds) {
      await page.goto(server.url(`/#/heat/q/${section}/${n}`));
      await page.getByRole("heading", { level: 1 }).filter({ hasText: q.label }).waitFor();
      await axeCheck(page, `the ${kind} question "${q.id}"`);
      await page.getByRole("button", { name: "Continue" }).click();
      const summary = page.locator(".nhsuk-error-summary");
      await summary.waitFor();
      assert.ok(await summary.evaluate((el) => el.contains(document.activeElement)), `${q.id}: focus is on the error summary`);
      const href = await summary.getByRole("link").first().getAttribute("href");
      assert.ok(await page.locator(`[id="${href.slice(1)}"]`).count(), `${q.id}: the summary links to a field on the page (${href})`);
      await axeCheck(page, `the ${kind} question "${q.id}" with an error`);
    }
  });
});

test("axe: restored draft, check answers, submitted results, export, delete confirmation", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    await axeCheck(page, "the import page");
    assert.equal(await importFile(page, completeWithGaps()), "tasks");
    await axeCheck(page, "the task list after an import (success banner)");
    await page.goto(server.url("/"));
    await page.getByTestId("restore-banner").waitFor();
    await axeCheck(page, "the start page with the restored-draft banner");
    await page.goto(server.url("/#/heat/check/prepare"));
    await page.locator(".nhsuk-summary-list").waitFor();
    await axeCheck(page, "check answers: Prepare");
    await page.goto(server.url("/#/heat/check/refine"));
    await page.locator(".nhsuk-summary-list").waitFor();
    await axeCheck(page, "check answers: Refine (the action plan table)");
    await submitAndSeeResults(page);
    await page.getByRole("table", { name: "Gaps found, with recommendations" }).waitFor();
    await axeCheck(page, "the submitted results");
    await page.getByText("All your answers", { exact: true }).first().click();
    await axeCheck(page, "the results with all answers open");
    await page.goto(server.url("/#/heat/export"));
    await page.getByRole("heading", { level: 1, name: "Download your answers" }).waitFor();
    await axeCheck(page, "the export page");
    await page.goto(server.url("/#/heat/delete"));
    await page.getByRole("heading", { level: 1, name: /Are you sure/ }).waitFor();
    await axeCheck(page, "the delete confirmation");
  });
});

test("axe: the check-all page with errors of an incomplete assessment", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await startHeat(page);
    await page.goto(server.url("/#/heat/check"));
    await page.getByRole("button", { name: "Submit and see results" }).click();
    await page.locator(".nhsuk-error-summary").waitFor();
    await axeCheck(page, "check all answers with errors");
    await page.goto(server.url("/#/heat/results"));
    await page.getByTestId("overall-score").waitFor();
    await axeCheck(page, "the results of an empty assessment");
  });
});

test("axe: the import error state", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    assert.equal(await importFile(page, { name: "half.json", mimeType: "application/json", buffer: Buffer.from('{"format": "equitas-assess') }), "error");
    await axeCheck(page, "the import page with an error");
  });
});

test("axe: the data page empty, with the synthetic example, and with a bad file", async () => {
  await withPage(browser, server.origin, async (page) => {
    await page.goto(server.url("/data.html"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    await axeCheck(page, "the data page before loading a file");
    await page.getByRole("button", { name: "Measure inequality" }).click();
    await page.locator(".nhsuk-error-summary").waitFor();
    await axeCheck(page, "the data page after Measure with no file");
    await page.getByLabel("Your CSV file").setInputFiles(path.join(REPO, "seeds/examples/heat-plus-synthetic.csv"));
    await page.getByRole("button", { name: "Measure inequality" }).click();
    await page.getByRole("table", { name: /the 21 summary measures/ }).first().waitFor();
    await axeCheck(page, "the data page with the synthetic example");
    await page.getByLabel("Your CSV file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("setting,date\nx,y\n") });
    await page.getByRole("button", { name: "Measure inequality" }).click();
    await page.locator(".nhsuk-error-summary").waitFor();
    await axeCheck(page, "the data page with a bad file");
  });
});

test("axe: the example intranet page with the app in its iframe", async () => {
  await withPage(browser, [server.origin, host.origin], async (page) => {
    await page.goto(`${host.url("/examples/intranet.html")}?app=${encodeURIComponent(server.origin)}`);
    await page.locator("iframe.equitas-embed-frame").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector("[data-equitas-assessment]")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    await axeCheck(page, "the intranet page with the embedded app");
  });
});

test("axe: the inline <equitas-assessment> example page", async () => {
  await withPage(browser, server.origin, async (page) => {
    await page.goto(server.url("/examples/inline.html"));
    await page.waitForFunction(() => document.querySelector("equitas-assessment")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    await axeCheck(page, "the inline element's start page");
    await page.locator("equitas-assessment").getByRole("button", { name: "Start now" }).click();
    await page.locator("equitas-assessment").getByRole("link", { name: "Check your answers and submit" }).waitFor();
    await axeCheck(page, "the inline element's task list");
  });
});

test("headings and titles: every page state has its own title and exactly one h1", async () => {
  // NHS.UK pages have one h1, the page's title; a screen-reader user jumping by heading level 1
  // should meet one. Collect every state first so one failure does not hide the others.
  await withPage(browser, server.origin, async (page) => {
    const found = [];
    const record = async (label) => {
      const h1s = await page.locator("h1:visible").allInnerTexts();
      found.push({ label, h1s: h1s.map((t) => t.replace(/\s+/g, " ").trim()), title: await page.title() });
    };
    await openStart(page, server.url("/"));
    await record("start");
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    // The page changes after the click's handler runs: wait for it, not for a fixed time.
    await page.waitForFunction(() => document.title.startsWith("Import answers"));
    await record("import");
    assert.equal(await importFile(page, completeWithGaps()), "tasks");
    await record("task list");
    await page.goto(server.url("/#/heat/q/prepare/1"));
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await record("question");
    await page.goto(server.url("/#/heat/check/prepare"));
    await page.locator(".nhsuk-summary-list").waitFor();
    await record("check answers");
    await submitAndSeeResults(page);
    await page.getByRole("table", { name: "Gaps found, with recommendations" }).waitFor();
    await record("results");
    await page.goto(server.url("/data.html"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    await record("data page");
    // WCAG 2.4.2: each state has its own title (a screen reader announces it on a page change).
    const titles = found.filter((f) => f.label !== "data page").map((f) => f.title);
    assert.equal(new Set(titles).size, titles.length, `each app page has its own title: ${JSON.stringify(titles)}`);
    const bad = found.filter((f) => f.h1s.length !== 1);
    assert.deepEqual(bad, [], `pages without exactly one h1:\n${bad.map((b) => `  ${b.label}: ${JSON.stringify(b.h1s)}`).join("\n")}`);
  });
});

test("reflow (WCAG 1.4.10): at 320 CSS px no page scrolls sideways, and the wide pages pass axe there", async () => {
  await withPage(
    browser,
    server.origin,
    async (page) => {
      const wide = [];
      const check = async (label) => {
        const r = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: document.documentElement.clientWidth }));
        if (r.sw > r.w) wide.push(`${label}: the page is ${r.sw}px wide in a ${r.w}px viewport`);
      };
      await openStart(page, server.url("/"));
      await check("start");
      await page.getByRole("link", { name: "Import answers from a file" }).click();
      assert.equal(await importFile(page, completeWithGaps()), "tasks");
      await check("task list");
      for (const { section, n } of oneOfEachKind().map(([, v]) => v)) {
        await page.goto(server.url(`/#/heat/q/${section}/${n}`));
        await page.getByRole("heading", { level: 1 }).first().waitFor();
        await check(`question ${section}/${n}`);
      }
      await page.goto(server.url("/#/heat/check/refine"));
      await page.locator(".nhsuk-summary-list").waitFor();
      await check("check answers: Refine");
      await axeCheck(page, "check answers: Refine at 320px");
      await submitAndSeeResults(page);
      await page.getByRole("table", { name: "Gaps found, with recommendations" }).waitFor();
      await check("results");
      await axeCheck(page, "the results at 320px");
      await page.goto(server.url("/data.html"));
      await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
      await page.getByRole("button", { name: "Try the synthetic example" }).click();
      await page.getByRole("table", { name: /the 21 summary measures/ }).first().waitFor();
      await check("data page with results");
      await axeCheck(page, "the data page with results at 320px");
      assert.deepEqual(wide, []);
    },
    { contextOptions: { viewport: { width: 320, height: 640 } } },
  );
});

test("axe: the maturity instrument (ratings): a question with an error and the submitted results with its profile", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    // Import maturity-gaps.json (complete, with gaps): the app switches to that instrument.
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    await page.getByLabel("Import answers from a file").setInputFiles(path.join(REPO, "tests/fixtures/assessments/examples/maturity-gaps.json"));
    await page.getByRole("button", { name: /^(upload and )?import$/i }).click();
    await page.waitForURL(/#\/hi-maturity\/tasks$/);
    await page.goto(server.url("/#/hi-maturity/check"));
    await page.getByRole("button", { name: "Submit and see results" }).click();
    await page.waitForURL(/#\/hi-maturity\/results$/);
    await page.getByTestId("overall-score").waitFor();
    await page.getByTestId("maturity-profile").waitFor();
    await axeCheck(page, "the maturity results");
    // A fresh maturity assessment: Continue with nothing on its first question.
    await page.goto(server.url("/#/hi-maturity/delete"));
    await page.getByRole("button", { name: "Delete my answers" }).click();
    // The deletion is written to IndexedDB, then the app goes to the start page: wait for that,
    // or its navigation can land after the next one.
    await page.waitForURL(/#\/$/);
    await page.goto(server.url("/#/hi-maturity/tasks"));
    await page.getByRole("link", { name: "Check your answers and submit" }).waitFor();
    await page.locator(".nhsuk-task-list__link").first().click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".nhsuk-error-summary").waitFor();
    await axeCheck(page, "a maturity rating question with an error");
  });
});
