// The portfolio from a folder of files (issue 16): assessments shared as files are summarised as
// the saved ones are, without being saved; a file that cannot be read is named with its reason;
// and the page goes back to the saved assessments' summary.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import os from "node:os";
import fs from "node:fs/promises";
import { sharedBrowserAndServer, withPage, axeCheck, tabTo, storedAssessments } from "./helpers.mjs";
import { FIXTURES, nodeEngine } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

/** Today as the page gives it to the engine (the browser's local date). */
const todayIn = (page) =>
  page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });

test("a folder of three files (one broken) is summarised without saving; the broken one is named", async () => {
  // The folder a partner sent: two assessments and a file cut short.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "equitas-folder-"));
  const folder = path.join(dir, "partners");
  await fs.mkdir(folder);
  const names = ["heat-gaps.json", "maturity-gaps.json"];
  for (const n of names) await fs.copyFile(path.join(FIXTURES, n), path.join(folder, n));
  await fs.writeFile(path.join(folder, "broken.json"), '{"format": "equitas-assessment", "answers": {');
  const texts = await Promise.all(names.map((n) => fs.readFile(path.join(FIXTURES, n), "utf8")));
  const eng = await nodeEngine();
  try {
    await withPage(browser, server.origin, async (page) => {
      // One assessment saved in this browser, to come back to.
      await page.goto(server.url("/#/assessments"));
      await page.getByRole("heading", { level: 1, name: "Your assessments" }).waitFor();
      await page.getByLabel("Import assessments from files").setInputFiles(path.join(FIXTURES, "heat-thorough.json"));
      await page.getByTestId("import-files").click();
      await page.getByTestId("notification").filter({ hasText: /1 assessment was added/ }).waitFor();
      await page.goto(server.url("/#/portfolio"));
      await page.getByRole("heading", { level: 1, name: "Portfolio summary" }).waitFor();
      assert.match(await page.getByTestId("portfolio-count").innerText(), /^1 assessment saved in this browser/);
      await axeCheck(page, "the portfolio with the folder's inputs");

      // Keyboard: both inputs are reached with Tab, each by its label.
      const folderInput = await tabTo(page, (f) => f.id === "portfolio-folder", { what: "the folder input" });
      assert.match(folderInput.name, /Open a folder of assessment files/);
      const filesInput = await tabTo(page, (f) => f.id === "portfolio-files", { what: "the files input" });
      assert.match(filesInput.name, /Or choose the files/);
      assert.equal(await page.locator("#portfolio-folder").getAttribute("webkitdirectory"), "");
      assert.equal(await page.locator("#portfolio-folder").getAttribute("multiple"), "");

      await page.getByLabel("Open a folder of assessment files").setInputFiles(folder);
      const heading = page.getByRole("heading", { level: 2, name: "Summary of the files chosen" });
      await heading.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "files-summary-heading", "focus on the summary");
      const asOf = await todayIn(page);
      assert.equal(
        await page.getByTestId("portfolio-count").innerText(),
        `2 assessments read from 3 files, as of ${asOf}.`,
      );
      // The broken file, named with the engine's reason.
      const unreadable = await page.getByTestId("unreadable-files").innerText();
      assert.match(unreadable, /1 file could not be read/);
      let reason;
      try {
        eng.loadAssessment('{"format": "equitas-assessment", "answers": {');
      } catch (e) {
        reason = e.message;
      }
      assert.ok(reason, "the engine refuses it too");
      assert.ok(unreadable.includes(`partners/broken.json: ${reason}`), unreadable);

      // The same summary as the engine's of the two files.
      const expected = eng.summariseAssessments(
        texts.map((t) => eng.loadAssessment(t).assessment),
        asOf,
      );
      const bandRows = await page.getByTestId("bands").locator("tbody tr").allInnerTexts();
      assert.deepEqual(
        bandRows.map((t) => t.split("\t").slice(1).join(" ").trim()).sort(),
        expected.bands.map((b) => `${b.label} ${b.count}`).sort(),
        "the bands and their counts are the engine's",
      );
      const overdue = await page.getByTestId("overdue").locator("tbody tr").allInnerTexts();
      assert.equal(overdue.length, expected.overdue.length);
      assert.ok(expected.overdue.length >= 1, "maturity-gaps.json's review (2025-11-30) is overdue");
      for (const o of expected.overdue) {
        assert.ok(
          overdue.some((t) => t.includes(o.review_date) && t.includes(String(o.days_overdue)) && /partners\/\S+\.json/.test(t)),
          `${o.review_date} listed with its file: ${overdue.join(" | ")}`,
        );
      }
      const gaps = await page.getByTestId("gaps").locator("tbody tr").count();
      assert.equal(gaps, expected.gaps.length, "the commonest gaps");
      const dims = await page.getByTestId("dimensions").locator("tbody tr").count();
      assert.equal(dims, Math.min(10, expected.dimensions.length), "the dimensions least considered");
      // Nothing saved.
      assert.equal((await storedAssessments(page)).length, 1, "the files were not saved");
      await axeCheck(page, "the summary of a folder with a broken file");

      // Back to the saved ones.
      await page.getByRole("button", { name: "Back to the saved assessments" }).click();
      assert.match(await page.getByTestId("portfolio-count").innerText(), /^1 assessment saved in this browser/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), "portfolio-heading");

      // The fallback: the same files chosen one by one.
      await page
        .getByLabel("Or choose the files")
        .setInputFiles(["heat-gaps.json", "maturity-gaps.json", "broken.json"].map((n) => path.join(folder, n)));
      await heading.waitFor();
      assert.equal(
        await page.getByTestId("portfolio-count").innerText(),
        `2 assessments read from 3 files, as of ${asOf}.`,
      );
      assert.match(await page.getByTestId("unreadable-files").innerText(), /broken\.json: /);
      assert.equal((await storedAssessments(page)).length, 1, "still nothing saved");
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
