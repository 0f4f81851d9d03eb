// Compare two assessments on the portfolio page: a scheme's first assessment and its review.
// The team module (fetched on the press) says which answers differ; the page lists both in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs/promises";
import { sharedBrowserAndServer, withPage, axeCheck } from "./helpers.mjs";
import { HEAT, FIXTURES } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

test("compare lists each changed answer of two assessments, in words, and refuses two instruments", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const asked = [];
    context.on("request", (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(server.url("/#/assessments"));
    await page.getByRole("heading", { level: 1, name: "Your assessments" }).waitFor();
    const files = ["heat-gaps.json", "heat-thorough.json", "maturity-gaps.json"].map((f) => path.join(FIXTURES, f));
    await page.getByLabel("Import assessments from files").setInputFiles(files);
    await page.getByTestId("import-files").click();
    await page.getByTestId("notification").filter({ hasText: /3 assessments were added/ }).waitFor();
    await page.goto(server.url("/#/portfolio"));
    await page.getByRole("heading", { level: 2, name: "Compare two assessments" }).waitFor();
    assert.deepEqual(
      asked.filter((p) => p.includes("equitas_team")),
      [],
      "the team module is not fetched before Compare is pressed",
    );

    const gaps = JSON.parse(await fs.readFile(files[0], "utf8"));
    const thorough = JSON.parse(await fs.readFile(files[1], "utf8"));
    const option = async (label, title) => {
      const select = page.getByLabel(label);
      const value = await select.locator("option", { hasText: title }).getAttribute("value");
      await select.selectOption(value);
    };
    await option("First assessment (before)", gaps.answers["prepare.title"]);
    await option("Second assessment (after)", thorough.answers["prepare.title"]);
    await page.getByRole("button", { name: "Compare" }).click();
    const table = page.getByTestId("changes");
    await table.waitFor();
    const rows = await table.locator("tbody tr").allInnerTexts();
    // Every question whose saved answer differs is listed once, in the form's order; an answer
    // that says nothing (blank text, an empty list) is no answer.
    const said = (a) =>
      a === undefined || (typeof a === "string" && !a.trim()) || (Array.isArray(a) && !a.length) ? null : a;
    const differing = HEAT.sections
      .flatMap((s) => s.questions)
      .filter((q) => JSON.stringify(said(gaps.answers[q.id])) !== JSON.stringify(said(thorough.answers[q.id])));
    assert.ok(differing.length > 3, "the two examples differ");
    assert.equal(rows.length, differing.length, rows.join("\n"));
    const titleRow = rows.find((r) => r.includes(HEAT.sections[0].questions[0].label));
    assert.ok(titleRow, "the title question is listed");
    assert.ok(titleRow.includes(gaps.answers["prepare.title"]) && titleRow.includes(thorough.answers["prepare.title"]), titleRow);
    // Options in words, not ids: a multiple choice answer reads as its labels.
    const multi = differing.find((q) => q.kind.type === "multiple_choice" && Array.isArray(thorough.answers[q.id]));
    if (multi) {
      const row = rows.find((r) => r.includes(multi.label));
      const label = multi.kind.options.find((o) => o.id === thorough.answers[multi.id][0]).label;
      assert.ok(row && row.includes(label), `${multi.id} in words: ${row}`);
    }
    assert.ok(asked.includes("/pkg/equitas_team_bg.wasm"), "the team module is fetched on the press");
    await axeCheck(page, "the portfolio with a comparison");

    // Two instruments: the engine's reason, in an error summary.
    await option("Second assessment (after)", "maturity");
    await page.getByRole("button", { name: "Compare" }).click();
    const summary = page.getByTestId("error-summary");
    await summary.waitFor();
    assert.match(await summary.innerText(), /cannot compare an assessment of heat version 1 with one of hi-maturity/);
    await axeCheck(page, "the portfolio with a comparison refused");
  });
});
