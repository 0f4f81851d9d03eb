// The data page over time (issue 15): a HEAT Plus file with five yearly dates shows, per
// indicator x dimension, a line chart of each subgroup, the summary measures over time with their
// data tables, and says in words whether the gap narrowed. The words and numbers are the engine's:
// the page is checked against the file's own arithmetic (D, the difference between the ends of
// the gradient, from 12.8 to 6.4 points) and the engine's verdict. axe finds nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sharedBrowserAndServer, withPage, axeCheck, REPO } from "./helpers.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const OVER_TIME = path.join(REPO, "seeds/examples/heat-plus-over-time.csv");
const SINGLE = path.join(REPO, "seeds/examples/heat-plus-synthetic.csv");

async function measure(page, file) {
  await page.goto(server.url("/data.html"));
  await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
  await page.getByLabel("Your CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Measure inequality" }).click();
  await page.getByTestId("data-results-heading").waitFor({ timeout: 15000 });
}

test("five yearly dates: line charts per subgroup and measure, their tables, and the gap narrowed", async () => {
  await withPage(browser, server.origin, async (page) => {
    await measure(page, OVER_TIME);
    // Two series: flu uptake by IMD quintile, smoking by sex.
    const flu = page.getByTestId("series-0");
    await flu.waitFor();
    assert.equal(await page.locator("[data-testid^='series-verdict-']").count(), 2);
    assert.match(
      await flu.getByRole("heading", { level: 3 }).innerText(),
      /Flu vaccination uptake age 65\+ \(%\) by IMD quintile over time/,
    );
    const verdict = await page.getByTestId("series-verdict-0").innerText();
    assert.match(verdict, /From 2021 to 2025, the gap narrowed \(SII, change −\d/);
    assert.match(await page.getByTestId("series-verdict-1").innerText(), /From 2021 to 2025, no significant change \(D/);
    // The subgroups' line chart: five lines (one per quintile) and its table of five dates.
    const chart = page.getByTestId("series-chart-0");
    const svg = chart.locator("svg[role='img']");
    assert.match(await svg.getAttribute("aria-label"), /5 lines over 5 dates, 2021 to 2025/);
    assert.equal(await svg.locator("path").count(), 5);
    await chart.getByText("Show the data in this chart as a table").click();
    const subgroups = chart.getByRole("table");
    const head = await subgroups.getByRole("columnheader").allInnerTexts();
    assert.deepEqual(head, ["Subgroup", "2021", "2022", "2023", "2024", "2025"]);
    const q1 = await subgroups.getByRole("row", { name: /Q1 \(most deprived\)/ }).getByRole("cell").allInnerTexts();
    assert.deepEqual(q1, ["66", "66.8", "67.6", "68.4", "69.2"]);
    // The measures over time: D from 12.8 to 6.4, change −6.4, narrowed, decreasing.
    const measures = page.getByTestId("series-measures-0");
    const d = await measures.getByRole("row", { name: /^D: / }).getByRole("cell").allInnerTexts();
    assert.deepEqual(d.slice(0, 5), ["12.8", "11.2", "9.6", "8", "6.4"]);
    assert.match(d[5], /^−6\.4 \(/);
    assert.equal(d[6], "the gap narrowed");
    assert.equal(d[7], "decreasing");
    const ti = await measures.getByRole("row", { name: /^TI: / }).getByRole("cell").allInnerTexts();
    assert.match(ti[7], /^cannot be calculated: Fingertips publishes no recent-trend method/);
    // A chart of each summary measure over time, folded.
    await flu.getByText("Show each summary measure over time as a chart").click();
    const measureCharts = flu.locator("details figure svg[role='img']");
    assert.ok((await measureCharts.count()) >= 4, "charts of D, R, SII, RII at least");
    await axeCheck(page, "the data page with a file over time, charts opened");
  });
});

test("a file with one date per stratum has no over-time section", async () => {
  await withPage(browser, server.origin, async (page) => {
    await measure(page, SINGLE);
    await page.getByTestId("stratum-0").waitFor();
    assert.equal(await page.locator("[data-testid^='series-']").count(), 0);
  });
});
