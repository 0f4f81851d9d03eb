// Your assessments: many assessments in one browser (IndexedDB). Create three, duplicate one,
// import two files at once (each added, none replaced), export all, reload and find them all;
// rename, delete with undo; a draft an older version kept in localStorage moves in, without loss.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs/promises";
import { sharedBrowserAndServer, withPage, axeCheck, storedAssessments, waitForStoredDraft, localDrafts } from "./helpers.mjs";
import { HEAT, DRAFT_KEY, FIXTURES, openStart, openSection, nodeEngine } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const titleLabel = HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === "prepare.title").label;

/** The names in the list, in order. */
const listed = async (page) => page.getByTestId("open").allInnerTexts();

async function openList(page) {
  await page.goto(server.url("/#/assessments"));
  await page.getByRole("heading", { level: 1, name: "Your assessments" }).waitFor();
}

/** "Start a new assessment" → HEAT → type its title → back to the list. */
async function createHeat(page, title) {
  await page.getByRole("button", { name: "Start a new assessment" }).or(page.getByRole("link", { name: "Start a new assessment" })).first().click();
  await page.getByRole("radio", { name: HEAT.title }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(/#\/heat\/tasks$/);
  await openSection(page, "Prepare");
  await page.getByLabel(titleLabel).pressSequentially(title);
  await waitForStoredDraft(page, (d) => d?.answers?.["prepare.title"] === title);
  await openList(page);
}

test("create three, duplicate one, import two at once, export all; a reload shows all six; rename; delete with undo", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByTestId("your-assessments").click();
    await page.getByRole("heading", { level: 1, name: "Your assessments" }).waitFor();
    assert.match(await page.locator("main").innerText(), /no saved assessments yet/i);
    await axeCheck(page, "Your assessments, empty");

    for (const t of ["Clinic A", "Clinic B", "Clinic C"]) await createHeat(page, t);
    assert.deepEqual((await listed(page)).sort(), ["Clinic A", "Clinic B", "Clinic C"]);
    assert.equal((await storedAssessments(page)).length, 3, "three records in IndexedDB");

    // Duplicate Clinic A: a copy with all its answers.
    await page.getByRole("button", { name: "Duplicate Clinic A" }).click();
    await page.getByTestId("notification").filter({ hasText: /Copy of Clinic A/ }).waitFor();
    const copy = (await storedAssessments(page)).find((r) => r.name === "Copy of Clinic A");
    assert.equal(copy?.saved?.answers?.["prepare.title"], "Clinic A", "the copy keeps the answers");

    // Import two files at once: each added, none replaced.
    await page.getByLabel("Import assessments from files").setInputFiles([path.join(FIXTURES, "heat-thorough.json"), path.join(FIXTURES, "maturity-gaps.json")]);
    await page.getByTestId("import-files").click();
    const note = page.getByTestId("notification").filter({ hasText: /2 assessments were added/ });
    await note.waitFor();
    assert.match(await note.innerText(), /heat-thorough\.json: added as/);
    assert.match(await note.innerText(), /maturity-gaps\.json: added as/);
    assert.equal(await page.getByTestId("assessment-row").count(), 6);
    await axeCheck(page, "Your assessments, six and a success banner");

    // A broken file is refused with a linked error summary naming it; nothing else changes.
    await page.getByLabel("Import assessments from files").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{") });
    await page.getByTestId("import-files").click();
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor();
    assert.match(await summary.innerText(), /broken\.json could not be imported/);
    assert.equal(await page.getByTestId("assessment-row").count(), 6);
    await axeCheck(page, "Your assessments, an import refused");

    // Export all: one saved file each.
    const downloads = [];
    page.on("download", (d) => downloads.push(d));
    await page.getByTestId("export-all").click();
    await page.waitForFunction(() => true);
    for (let i = 0; i < 50 && downloads.length < 6; i++) await page.waitForTimeout(100);
    assert.equal(downloads.length, 6, "six downloads");
    const texts = await Promise.all(downloads.map(async (d) => JSON.parse(await fs.readFile(await d.path(), "utf8"))));
    assert.ok(texts.every((t) => t.format === "equitas-assessment"), "each is a saved file");
    assert.equal(texts.filter((t) => t.answers["prepare.title"] === "Clinic A").length, 2, "Clinic A and its copy");

    // A reload shows all six, with the space used.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Your assessments" }).waitFor();
    await page.getByTestId("space-used").filter({ hasText: /Saved files use about/ }).waitFor();
    assert.match(await page.getByTestId("space-used").innerText(), /^6 assessments are saved in this browser/);
    assert.equal(await page.getByTestId("assessment-row").count(), 6);
    const names = await listed(page);
    for (const n of ["Clinic A", "Clinic B", "Clinic C", "Copy of Clinic A"]) assert.ok(names.includes(n), `${n} listed: ${names}`);

    // Rename Clinic B.
    await page.getByRole("link", { name: "Rename Clinic B" }).click();
    await page.getByRole("heading", { level: 1, name: "Rename the assessment" }).waitFor();
    await page.getByLabel("Rename the assessment").fill("");
    await page.getByRole("button", { name: "Save the name" }).click();
    await page.locator(".nhsuk-error-summary").filter({ hasText: "Enter a name for the assessment" }).waitFor();
    await axeCheck(page, "Rename, with an error");
    await page.getByLabel("Rename the assessment").fill("Clinic B review 2026");
    await page.getByRole("button", { name: "Save the name" }).click();
    await page.getByTestId("notification").filter({ hasText: /is now called "Clinic B review 2026"/ }).waitFor();

    // Delete Clinic C, then undo.
    await page.getByRole("button", { name: "Delete Clinic C" }).click();
    await page.getByTestId("undo-banner").waitFor();
    assert.equal(await page.getByTestId("assessment-row").count(), 5);
    assert.equal((await storedAssessments(page)).length, 5, "gone from IndexedDB");
    await axeCheck(page, "Your assessments, after a delete (undo offered)");
    await page.getByRole("button", { name: "Undo delete" }).click();
    await page.getByTestId("notification").filter({ hasText: /"Clinic C" has been put back/ }).waitFor();
    assert.equal(await page.getByTestId("assessment-row").count(), 6);
    assert.equal((await storedAssessments(page)).length, 6, "back in IndexedDB");

    // Open one: its task list, with its answers.
    await page.getByRole("link", { name: "Clinic C", exact: true }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await page.goto(server.url("/#/heat/check/prepare"));
    assert.match(await page.locator(".nhsuk-summary-list").innerText(), /Clinic C/);

    // The copy of Clinic A becomes its review: change one answer.
    await openList(page);
    await page.getByRole("link", { name: "Copy of Clinic A", exact: true }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await openSection(page, "Prepare");
    const scopeLabel = HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === "prepare.scope").label;
    await page.goto(server.url("/#/heat/q/prepare/2"));
    await page.getByLabel(scopeLabel).fill("Evening clinics, reviewed");
    await waitForStoredDraft(page, (d) => d?.answers?.["prepare.scope"] === "Evening clinics, reviewed");

    // The portfolio: the engine's summary of the six, each overdue review linked.
    await openList(page);
    await page.getByRole("link", { name: "See the portfolio summary" }).click();
    await page.getByRole("heading", { level: 1, name: "Portfolio summary" }).waitFor();
    const records = await storedAssessments(page);
    const eng = await nodeEngine();
    const asOf = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    });
    // The page gives the engine the records most recently changed first, as the list shows them.
    records.sort((a, b) => (a.changed < b.changed ? 1 : a.changed > b.changed ? -1 : 0));
    const expected = eng.summariseAssessments(
      records.map((r) => r.saved),
      asOf,
    );
    assert.equal(expected.assessments, 6);
    const bandRows = await page.getByTestId("bands").locator("tbody tr").allInnerTexts();
    assert.deepEqual(
      bandRows.map((t) => t.split("\t").slice(1).join(" ").trim()),
      expected.bands.map((b) => `${b.label} ${b.count}`),
      "the bands and their counts are the engine's",
    );
    const overdue = page.getByTestId("overdue");
    const overdueRows = await overdue.locator("tbody tr").allInnerTexts();
    assert.equal(overdueRows.length, expected.overdue.length, "every overdue review is listed");
    assert.ok(expected.overdue.length >= 1, "maturity-gaps.json's review (2025-11-30) is overdue");
    for (const o of expected.overdue) {
      assert.ok(overdueRows.some((t) => t.includes(o.review_date) && t.includes(String(o.days_overdue))), `${o.review_date} listed`);
    }
    await overdue.getByRole("link").first().waitFor();
    await axeCheck(page, "the portfolio summary");

  });
});

test("a draft an older version kept in localStorage moves into the list, byte for byte, and the page says so", async () => {
  await withPage(browser, server.origin, async (page) => {
    const text = await fs.readFile(path.join(FIXTURES, "heat-gaps.json"), "utf8");
    // The page that seeds localStorage must have finished starting (its library opened and
    // its own move of drafts done) first, or that page moves the draft and the next finds none.
    await openStart(page, server.url("/?seed"));
    await page.evaluate(([k, v]) => localStorage.setItem(k, v), [DRAFT_KEY, text]);
    await openStart(page, server.url("/"));
    const note = page.getByTestId("notification");
    await note.waitFor();
    assert.match(await note.innerText(), /moved from this browser's older storage/);
    const all = await storedAssessments(page);
    assert.equal(all.length, 1);
    assert.equal(all[0].text, text, "moved without any change");
    assert.equal((await localDrafts(page))[DRAFT_KEY], undefined, "and removed from localStorage");
    await axeCheck(page, "the start page after drafts moved");
  });
});
