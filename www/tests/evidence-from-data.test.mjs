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

// A cohort report's HEAT Plus table, as `equitas demo --people 2000 --by sex --format csv
// --csv-table heat-plus` writes it (crates/equitas-cli/tests/measures.rs checks it still is):
// 26 tables (13 metrics by IMD quintile and by sex), counts of 1 to 7 suppressed.
const COHORT_HEAT_PLUS = "www/tests/fixtures/cohort-heat-plus.csv";

/**
 * A CSV line's cells (quoted cells may hold commas and doubled quotes; the fixture has no line
 * breaks inside a cell).
 */
function csvCells(line) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** Every fixture row, its cells by column name. */
async function fixtureRows() {
  const lines = (await readRepo(COHORT_HEAT_PLUS)).trim().split(/\r?\n/);
  const head = csvCells(lines[0]);
  return lines.slice(1).map((l) => {
    const cells = csvCells(l);
    return Object.fromEntries(head.map((k, i) => [k, cells[i] ?? ""]));
  });
}

test("a cohort report's HEAT Plus table: choose one of its tables, its rows fill the evidence table", async () => {
  const all = await fixtureRows();
  const flu = all.filter((r) => r.indicator_abbr === "copd_flu_vaccination" && r.dimension === "IMD quintile");
  assert.equal(flu.length, 5);
  assert.ok(flu.some((r) => r.estimate === "") && flu.some((r) => r.estimate !== ""), "suppressed and shown cells");
  await withPage(
    browser,
    server.origin,
    async (page) => {
      await openStart(page, server.url("/"));
      await startHeat(page);
      await page.goto(server.url("/#/heat/q/assess/9"));
      await page.getByLabel("Or choose a CSV file").setInputFiles({
        name: "cohort-heat-plus.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(await readRepo(COHORT_HEAT_PLUS)),
      });
      // Several tables: a choice of them, nothing added yet.
      const choose = page.getByLabel("Which table of the file cohort-heat-plus.csv?");
      await choose.waitFor();
      assert.match(await page.getByTestId("evidence-strata").innerText(), /It holds 26 tables/);
      const options = await choose.locator("option").allInnerTexts();
      assert.equal(options.length, 26);
      assert.equal(await page.locator('[data-testid^="evidence-row-"]').count(), 1, "only the blank row");
      assert.equal(await page.evaluate(() => document.activeElement?.id ?? ""), await choose.getAttribute("id"), "focus on the choice");
      await axeCheck(page, "the choice of a HEAT Plus table's strata");
      const wanted = options.find((o) => o.startsWith("Flu vaccination (COPD) by IMD quintile, national, "));
      assert.ok(wanted, options.join("\n"));
      assert.ok(wanted.endsWith("(5 subgroups)"), wanted);
      await choose.selectOption({ label: wanted });
      await page.getByRole("button", { name: "Add this table's subgroups" }).click();
      await page.getByTestId("evidence-row-5").waitFor();
      assert.deepEqual(
        await shownRows(page),
        flu.map((r) => [r.subgroup, "IMD quintile", r.subgroup_order, r.estimate === "" ? "" : String(Number(r.estimate))]),
      );
      // A suppressed subgroup: every number empty, never 0.
      const q2 = page.getByTestId("evidence-row-2");
      for (const label of [/^Estimate/, /^Population/, /^Standard error/, /^Lower limit/, /^Upper limit/])
        assert.equal(await q2.getByLabel(label).inputValue(), "", String(label));
      assert.equal(await page.getByTestId("evidence-row-1").getByLabel(/^Population/).inputValue(), flu[0].population);
      const said = await page.getByTestId("evidence-added").innerText();
      assert.match(said, /5 subgroups added from the file cohort-heat-plus\.csv: Flu vaccination \(COPD\) by IMD quintile/);
      assert.match(said, /The file gives no estimate for 4 of them, left empty: Quintile 2: suppressed: from 1 to 7/);
      assert.equal(await page.getByLabel("Indicator (optional)").inputValue(), "Flu vaccination (COPD)");
      assert.equal(await page.getByTestId("evidence-strata").count(), 0, "the choice is gone");
      await axeCheck(page, "the evidence table filled from a HEAT Plus table");

      // The same subgroups again with numbers: each replaces its row, a new one is added.
      await page.getByLabel("Dimension of these subgroups").fill("IMD quintile");
      await page.getByLabel("Paste cells from a spreadsheet").fill("Quintile 2\t2\t70.5\t40\nAll quintiles\t\t72");
      await page.getByRole("button", { name: "Add the pasted subgroups" }).click();
      await page.getByTestId("evidence-row-6").waitFor();
      assert.match(
        await page.getByTestId("evidence-added").innerText(),
        /1 subgroup added, 1 replaced \(the same subgroup was in the table\) from the pasted cells\./,
      );
      const rows = await shownRows(page);
      assert.equal(rows.length, 6);
      assert.deepEqual(rows[1], ["Quintile 2", "IMD quintile", "2", "70.5"], "replaced in its place");
      assert.deepEqual(rows[5], ["All quintiles", "IMD quintile", "", "72"], "added after");
      assert.deepEqual(rows.slice(2, 5), (await shownRowsOf(flu)).slice(2, 5), "the others untouched");

      // The same subgroup twice in one paste: both rows named, nothing added.
      await page.getByLabel("Paste cells from a spreadsheet").fill("Quintile 3\t3\t60\nQuintile 3\t3\t61");
      await page.getByRole("button", { name: "Add the pasted subgroups" }).click();
      const error = page.locator(`[id$="paste-error"]`);
      await error.waitFor();
      assert.match(await error.innerText(), /row 2: Quintile 3 is on row 1 too: give each subgroup of a dimension once/);
      assert.equal((await shownRows(page)).length, 6, "nothing added");
      await axeCheck(page, "a paste that gives a subgroup twice");
    },
  );
});

/** The rows shownRows gives for fixture rows of IMD quintile. */
async function shownRowsOf(rows) {
  return rows.map((r) => [r.subgroup, "IMD quintile", r.subgroup_order, r.estimate === "" ? "" : String(Number(r.estimate))]);
}

test("the data page measures a cohort report's HEAT Plus table and 'Use these numbers' takes a stratum, twice replacing", async () => {
  const all = await fixtureRows();
  const flu = all.filter((r) => r.indicator_abbr === "copd_flu_vaccination" && r.dimension === "IMD quintile");
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await startHeat(page);
    await page.goto(server.url("/data.html"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
    await page.getByLabel("Your CSV file").setInputFiles({
      name: "cohort-heat-plus.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(await readRepo(COHORT_HEAT_PLUS)),
    });
    await page.getByRole("button", { name: "Measure inequality" }).click();
    // The third table is Flu vaccination (COPD) by IMD quintile: one shown quintile, four suppressed.
    const use = page.getByTestId("stratum-use-2");
    await use.waitFor({ timeout: 15000 });
    assert.equal(await page.locator('[data-testid^="stratum-use-"]').count(), 26, "a table per stratum");
    await use.click();
    await page.waitForURL(/#\/heat\/q\/assess\/\d+$/);
    const inset = page.getByTestId("evidence-handoff");
    await inset.waitFor();
    assert.match(await inset.innerText(), /Numbers from the data page: Flu vaccination \(COPD\) by IMD quintile, 5 subgroups\./);
    await page.getByRole("button", { name: "Use these numbers" }).click();
    await page.getByTestId("evidence-row-5").waitFor();
    assert.deepEqual(await shownRows(page), await shownRowsOf(flu));
    assert.equal(await page.getByTestId("evidence-row-3").getByLabel(/^Estimate/).inputValue(), "", "suppressed: empty");
    assert.match(await page.getByTestId("evidence-added").innerText(), /Information: \s*5 subgroups added from the data page/);

    // The same table handed over again replaces its rows rather than adding them twice.
    await page.goto(server.url("/data.html"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
    await page.getByLabel("Your CSV file").setInputFiles({
      name: "cohort-heat-plus.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(await readRepo(COHORT_HEAT_PLUS)),
    });
    await page.getByRole("button", { name: "Measure inequality" }).click();
    await page.getByTestId("stratum-use-2").click();
    await page.waitForURL(/#\/heat\/q\/assess\/\d+$/);
    await page.getByRole("button", { name: "Use these numbers" }).click();
    await page.getByTestId("evidence-added").waitFor();
    assert.match(await page.getByTestId("evidence-added").innerText(), /Information: \s*0 subgroups added, 5 replaced/);
    assert.deepEqual(await shownRows(page), await shownRowsOf(flu), "still five rows");
    await axeCheck(page, "numbers from the data page used twice");
  });
});
