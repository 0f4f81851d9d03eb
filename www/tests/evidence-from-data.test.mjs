// Evidence from data (issue 16): a five-row range pasted from a spreadsheet fills the evidence
// table (the dimension asked once); a CSV file adds its rows; a cell that cannot be read is
// named by row and column. The engine reads the text (core's io::evidence, through the data
// page's module, which the form loads only now).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage, axeCheck, readRepo } from "./helpers.mjs";
import { openStart, startHeat } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const RANGE = [
  ["Quintile 1 (most deprived)", "1", "41.2", "12,000", "", "38.1", "44.3"],
  ["Quintile 2", "2", "38.4", "11,500"],
  ["Quintile 3", "3", "35.9", "11,200"],
  ["Quintile 4", "4", "31.7", "10,900"],
  ["Quintile 5 (least deprived)", "5", "28.3", "10,400"],
]
  .map((r) => r.join("\t"))
  .join("\r\n");

/**
 * The subgroup, dimension, order and estimate shown in each evidence row: the dimension the row's
 * own, or, when it is asked once above the rows (a compact table), that one.
 */
async function shownRows(page) {
  const rows = await page.locator('[data-testid^="evidence-row-"]').all();
  const once = page.getByLabel("Dimension", { exact: true });
  const shared = (await once.count()) ? await once.inputValue() : null;
  const out = [];
  for (const r of rows) {
    const own = r.getByLabel(/^Dimension,/);
    out.push([
      await r.getByLabel(/^Subgroup,/).inputValue(),
      shared ?? (await own.inputValue()),
      await r.getByLabel(/^Order/).inputValue(),
      await r.getByLabel(/^Estimate/).inputValue(),
    ]);
  }
  return out;
}

test("a range pasted from a spreadsheet fills the evidence table; a CSV adds rows; bad cells are named", async () => {
  await withPage(
    browser,
    server.origin,
    async (page) => {
      await openStart(page, server.url("/"));
      await startHeat(page);
      await page.goto(server.url("/#/heat/q/assess/9"));
      const paste = page.getByLabel("Paste cells from a spreadsheet");
      await paste.waitFor();
      await axeCheck(page, "the evidence table with its paste and file fields");

      await page.getByLabel("Dimension of these subgroups").fill("IMD quintile");
      // A real paste: the range on the clipboard, Ctrl+V into the field.
      await page.evaluate((t) => navigator.clipboard.writeText(t), RANGE);
      await paste.focus();
      await page.keyboard.press("Control+V");
      assert.equal((await paste.inputValue()).split("\n").length, 5, "the five rows are in the field");
      await page.getByRole("button", { name: "Add the pasted subgroups" }).click();
      await page.getByTestId("evidence-row-5").waitFor();
      assert.deepEqual(await shownRows(page), [
        ["Quintile 1 (most deprived)", "IMD quintile", "1", "41.2"],
        ["Quintile 2", "IMD quintile", "2", "38.4"],
        ["Quintile 3", "IMD quintile", "3", "35.9"],
        ["Quintile 4", "IMD quintile", "4", "31.7"],
        ["Quintile 5 (least deprived)", "IMD quintile", "5", "28.3"],
      ]);
      // One dimension: asked once, each subgroup a line of its own (no Dimension field per row).
      assert.equal(await page.getByLabel(/^Dimension, subgroup/).count(), 0);
      assert.equal(await page.getByLabel("Dimension", { exact: true }).inputValue(), "IMD quintile");
      const rowsHeight = await page.evaluate(() => {
        const rows = [...document.querySelectorAll('[data-testid^="evidence-row-"]')];
        return rows[rows.length - 1].getBoundingClientRect().bottom - rows[0].getBoundingClientRect().top;
      });
      console.log(`five subgroups' rows: ${Math.round(rowsHeight)} px high at ${page.viewportSize()?.width} px wide`);
      await axeCheck(page, "the compact evidence table");
      const first = page.getByTestId("evidence-row-1");
      assert.equal(await first.getByLabel(/^Population/).inputValue(), "12000");
      assert.equal(await first.getByLabel(/^Upper limit/).inputValue(), "44.3");
      assert.match(await page.evaluate(() => document.activeElement?.id ?? ""), /row--1--subgroup$/, "focus on the first new row");

      // A CSV file with a header and its own dimension column adds two rows.
      await page.getByLabel("Or choose a CSV file").setInputFiles({
        name: "sex.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("Dimension,Subgroup,Estimate\r\nSex,Men,30.5\r\nSex,Women,33.0\r\n"),
      });
      await page.getByTestId("evidence-row-7").waitFor();
      // Two dimensions now: each row shows its own.
      assert.equal(await page.getByLabel("Dimension", { exact: true }).count(), 0);
      assert.equal(await page.getByLabel(/^Dimension, subgroup/).count(), 7);
      const rows = await shownRows(page);
      assert.deepEqual(rows.slice(5), [
        ["Men", "Sex", "", "30.5"],
        ["Women", "Sex", "", "33"],
      ]);

      // A decimal comma and an order in words: named by row and column, nothing added.
      await paste.fill("Q1\t1\t42,1\nQ2\tsecond\t40");
      await page.getByRole("button", { name: "Add the pasted subgroups" }).click();
      const error = page.locator(`[id$="paste-error"]`);
      await error.waitFor();
      const text = await error.innerText();
      assert.ok(text.includes('row 1, column C (estimate): "42,1" has a decimal comma: use a full stop, like 42.1'), text);
      assert.ok(text.includes('row 2, column B (order): "second" is not an order'), text);
      assert.equal((await shownRows(page)).length, 7, "nothing added");
      await axeCheck(page, "the evidence table with a paste that cannot be read");
    },
    { contextOptions: { permissions: ["clipboard-read", "clipboard-write"] } },
  );
});

test("'Use these numbers' on the data page fills an assessment's evidence table", async () => {
  const csv = (await readRepo("seeds/examples/heat-plus-synthetic.csv")).trim().split(/\r?\n/);
  const head = csv[0].split(",");
  const col = (cells, name) => cells[head.indexOf(name)];
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await startHeat(page);
    await page.goto(server.url("/data.html"));
    await page.getByRole("button", { name: "Try the synthetic example" }).click();
    await page.getByTestId("stratum-use-0").click();
    await page.waitForURL(/#\/heat\/q\/assess\/\d+$/);
    const inset = page.getByTestId("evidence-handoff");
    await inset.waitFor();
    await axeCheck(page, "the evidence table with numbers from the data page waiting");
    const m = /Numbers from the data page: (.+) by (.+), (\d+) subgroups\./.exec(await inset.innerText());
    assert.ok(m, await inset.innerText());
    const [, indicator, dimension, count] = m;
    const expected = csv
      .slice(1)
      .map((l) => l.split(","))
      .filter((c) => col(c, "indicator_name") === indicator && col(c, "dimension") === dimension)
      .map((c) => [
        col(c, "subgroup"),
        dimension,
        col(c, "ordered_dimension") === "1" ? col(c, "subgroup_order") : "",
        String(Number(col(c, "estimate"))),
      ]);
    assert.equal(expected.length, Number(count), "the inset counts the table's subgroups");
    await page.getByRole("button", { name: "Use these numbers" }).click();
    await page.getByTestId(`evidence-row-${expected.length}`).waitFor();
    assert.deepEqual(await shownRows(page), expected, "the table's subgroups, in the file's order");
    assert.equal(await page.getByLabel("Indicator (optional)").inputValue(), indicator);
    assert.equal(await inset.count(), 0, "the numbers are used once");

    // The report shows the SII by both methods, the Fingertips method first and named, with the
    // same numbers as the data page's table of them, and its chart draws the Fingertips line.
    await page.goto(server.url("/#/heat/results"));
    const reportSii = page.getByTestId("evidence-sii-0");
    await reportSii.waitFor();
    await axeCheck(page, "the results with the SII by two methods");
    const cells = async (table) =>
      table
        .locator("tbody tr")
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.textContent?.trim() ?? "")));
    const reported = await cells(reportSii);
    assert.equal(reported.length, 2, JSON.stringify(reported));
    assert.match(reported[0][0], /^Fingertips \(OHID\)/);
    assert.match(reported[0][3], /each subgroup's own confidence interval/);
    assert.match(reported[1][0], /^WHO HEAT: logistic regression/);
    assert.match(reported[1][3], /not from the subgroups' own intervals/);
    const note = await page.getByTestId("evidence-chart-0").innerText();
    assert.ok(note.includes("The dashed line is the SII by Fingertips (OHID)"), note);
    await page.goto(server.url("/data.html"));
    await page.getByRole("button", { name: "Try the synthetic example" }).click();
    const dataSii = await cells(page.getByTestId("stratum-sii-0"));
    assert.deepEqual(
      reported.map((r) => r.slice(0, 3)),
      dataSii.map((r) => r.slice(0, 3)),
      "the report's SII lines are the data page's",
    );
  });
});
