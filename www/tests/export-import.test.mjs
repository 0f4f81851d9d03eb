// Export and import: "Download your answers" gives a JSON file; importing it in another browser
// gives the same answers; a broken or foreign file is refused with a linked error summary and the
// draft already in the browser is left exactly as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { sharedBrowserAndServer, withPage, localDrafts, storedAssessments, storedDraft, waitForStoredDraft } from "./helpers.mjs";
import { HEAT, DRAFT_KEY, openStart, startHeat, openSection, importFile } from "./app-driver.mjs";

let browser, server;

/** Everything the app keeps in this browser: localStorage and the assessments in IndexedDB. */
const storedState = async (page) => ({ local: await localDrafts(page), assessments: await storedAssessments(page) });
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const q = (id) => HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === id);

/** Answer three Prepare questions through the form and return to the task list. */
async function answerSome(page, title) {
  await openStart(page, server.url("/"));
  await startHeat(page);
  await openSection(page, "Prepare");
  await page.getByLabel(q("prepare.title").label).fill(title);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel(q("prepare.scope").label).fill("Longer opening hours.\nSecond line of the scope.");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel(q("prepare.population").label).fill("Adults in the north of the town.");
  await page.getByRole("button", { name: "Save and come back later" }).click();
  await page.waitForURL(/#\/heat\/tasks$/);
}

async function exportDownload(page) {
  await page.getByRole("link", { name: "Download your answers (JSON)" }).click();
  await page.getByRole("heading", { level: 1, name: "Download your answers" }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 8000 }),
    page.getByRole("button", { name: "Download your answers (JSON)" }).click(),
  ]);
  return download;
}

async function prepareCheckText(page) {
  await page.goto(server.url("/#/heat/check/prepare"));
  await page.getByRole("heading", { level: 1, name: /Check your answers: Prepare/ }).waitFor();
  return page.locator(".nhsuk-summary-list").innerText();
}

test("export downloads the answers as an equitas JSON file; importing it in a fresh browser gives the same answers", async () => {
  let exported, answersA, checkA;
  await withPage(browser, server.origin, async (page) => {
    await answerSome(page, "Export check: evening clinics");
    const download = await exportDownload(page);
    assert.match(download.suggestedFilename(), /^equitas-heat-\d{4}-\d{2}-\d{2}\.json$/);
    exported = await fs.readFile(await download.path(), "utf8");
    answersA = (await storedDraft(page)).answers;
    checkA = await prepareCheckText(page);
  });
  const file = JSON.parse(exported);
  assert.equal(file.format, "equitas-assessment");
  assert.deepEqual(file.instrument, { id: "heat", version: HEAT.version });
  assert.deepEqual(file.answers, answersA, "the file holds the answers the browser saved");
  assert.equal(file.answers["prepare.title"], "Export check: evening clinics");

  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    const to = await importFile(page, { name: "moved.json", mimeType: "application/json", buffer: Buffer.from(exported) });
    assert.equal(to, "tasks", "an import into an empty browser goes straight to the task list");
    assert.match(await page.getByTestId("notification").innerText(), /imported/i);
    const answersB = (await waitForStoredDraft(page, (d) => !!d?.answers)).answers;
    assert.deepEqual(answersB, answersA, "the imported answers are the exported ones");
    assert.equal(await prepareCheckText(page), checkA, "check answers reads the same in both browsers");
  });
});

// Each case with what its message must name: the problem and the offending value.
const BROKEN = [
  ["a truncated JSON file", (good) => good.slice(0, Math.floor(good.length / 2)), /JSON/],
  ["valid JSON that is not an equitas assessment", () => JSON.stringify({ name: "equitas-www", version: "1.0.0", dependencies: {} }), /not an equitas assessment/i],
  ["an equitas file for an instrument that does not exist", (good) => JSON.stringify({ ...JSON.parse(good), instrument: { id: "no-such-instrument", version: 1 } }), /no-such-instrument/],
  ["a file from a newer equitas (schema_version 99)", (good) => JSON.stringify({ ...JSON.parse(good), schema_version: 99 }), /\b99\b/],
];

for (const [what, make, names] of BROKEN) {
  test(`importing ${what} shows a linked error summary and leaves the draft unchanged`, async () => {
    await withPage(browser, server.origin, async (page) => {
      await answerSome(page, "Draft that must survive");
      const good = JSON.stringify(await storedDraft(page));
      const before = await storedState(page);
      await page.getByRole("link", { name: "Import answers from a file" }).click();
      const to = await importFile(page, { name: "broken.json", mimeType: "application/json", buffer: Buffer.from(make(good)) });
      assert.equal(to, "error", `the import is refused with an error summary (got: ${to})`);
      const summary = page.locator(".nhsuk-error-summary");
      const alerts = await summary.locator('xpath=self::*[@role="alert"] | .//*[@role="alert"]').count();
      assert.ok(alerts > 0, "the error summary is (or holds) a role=alert region");
      assert.ok(await summary.evaluate((el) => el.contains(document.activeElement)), "focus moves to the error summary");
      const text = await summary.innerText();
      assert.match(text, /broken\.json/, `the message names the file:\n${text}`);
      assert.match(text, names, `the message says what is wrong, naming the value:\n${text}`);
      assert.doesNotMatch(text, /(^|\s)--[a-z]/, `the message gives no command-line advice a browser user cannot follow:\n${text}`);
      const link = summary.getByRole("link").first();
      const target = (await link.getAttribute("href")).slice(1);
      await link.click();
      assert.equal(await page.evaluate(() => document.activeElement.id), target, "the summary's link moves focus to the file input");
      assert.equal(await page.evaluate((id) => document.getElementById(id)?.type, target), "file");
      assert.deepEqual(await storedState(page), before, "the browser's storage is exactly as before the import");
      await page.goto(server.url("/#/heat/check/prepare"));
      assert.match(await page.locator(".nhsuk-summary-list").innerText(), /Draft that must survive/);
    });
  });
}
test("importing over a draft asks first: 'Keep my current answers' changes nothing, 'Replace my answers' replaces them", async () => {
  await withPage(browser, server.origin, async (page) => {
    await answerSome(page, "The draft in this browser");
    // The autosave writes to localStorage first and removes that copy once IndexedDB holds the
    // draft: compare settled states, not one caught between the two writes.
    const settled = () =>
      page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith("equitas:pending:")));
    await settled();
    const before = await storedState(page);
    const other = JSON.stringify({ ...(await storedDraft(page)), answers: { "prepare.title": "The answers in the file" } });
    const payload = { name: "colleague.json", mimeType: "application/json", buffer: Buffer.from(other) };
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    assert.equal(await importFile(page, payload, { replace: false }), "confirm", "an import over a draft asks first");
    await page.getByRole("button", { name: "Keep my current answers" }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await settled();
    assert.deepEqual(await storedState(page), before, "keeping the current answers leaves the browser's storage as it was");
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    assert.equal(await importFile(page, payload), "tasks");
    const after = (await storedDraft(page)).answers;
    assert.deepEqual(after, { "prepare.title": "The answers in the file" }, "replacing takes the file's answers, and only those");
  });
});

// The import error state's axe check is in axe.test.mjs.
