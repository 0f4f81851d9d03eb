// The HEAT Plus data page (data.html): a user picks a CSV file and sees the inequality measures;
// a malformed file gives an NHS.UK error summary naming the bad row.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { sharedBrowserAndServer, withPage, REPO } from "./helpers.mjs";
// axe runs on these page states in axe.test.mjs.

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const SYNTHETIC = path.join(REPO, "seeds/examples/heat-plus-synthetic.csv");
const LINES = fs.readFileSync(SYNTHETIC, "utf8").trim().split("\n");

/** The strata of the synthetic file, from the file itself: indicator x dimension, ordered or not. */
function strataOf(lines) {
  const head = lines[0].split(",");
  const col = (n) => head.indexOf(n);
  const out = new Map();
  for (const l of lines.slice(1)) {
    const c = l.split(",");
    out.set(`${c[col("indicator_abbr")]}|${c[col("dimension")]}`, {
      dimension: c[col("dimension")],
      ordered: c[col("ordered_dimension")] === "1",
    });
  }
  return [...out.values()];
}

async function openDataPage(page) {
  await page.goto(server.url("/data.html"));
  await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
}

async function measureFile(page, file) {
  await page.getByLabel("Your CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Measure inequality" }).click();
}

/** Every "the 21 summary measures" table and the SII row's value cell in it. */
async function siiCells(page) {
  const tables = page.getByRole("table", { name: /the 21 summary measures/ });
  await tables.first().waitFor({ timeout: 10000 });
  const out = [];
  for (const t of await tables.all()) {
    const name = await t.locator("caption").innerText();
    const row = t.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^SII\b/ }) });
    const rowAlt = t.getByRole("row").filter({ hasText: /^\s*SII\b/ });
    const r = (await row.count()) ? row : rowAlt;
    assert.equal(await r.count(), 1, `table "${name}" has one SII row`);
    const cells = await r.getByRole("cell").allInnerTexts();
    out.push({ name, cells, text: await r.innerText() });
  }
  return out;
}

test("loading the synthetic HEAT Plus file through the file input shows the SII of every ordered stratum as a number", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await measureFile(page, SYNTHETIC);
    const strata = strataOf(LINES);
    const sii = await siiCells(page);
    assert.equal(sii.length, strata.length, `one measures table per stratum (${strata.length}), saw ${sii.map((s) => s.name).join("; ")}`);
    // Nothing but elements in the results: a file of the person's own has no synthetic-data notice,
    // and the page wrote its absence as the text "null" under the heading.
    const loose = await page.evaluate(() =>
      [...document.getElementById("data-results").childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent),
    );
    assert.deepEqual(loose, [], "no loose text in the results");
    for (const st of strata) {
      const hit = sii.filter((s) => s.name.includes(`by ${st.dimension}`));
      assert.ok(hit.length >= 1, `a measures table for the dimension ${st.dimension}`);
      for (const s of hit) {
        if (st.ordered) {
          assert.match(s.text, /\t[-−]?\d+(\.\d+)?\b/, `SII of "${s.name}" is a number: ${JSON.stringify(s.text)}`);
          assert.doesNotMatch(s.text, /Not computed/, `SII of the ordered "${s.name}" is computed`);
        } else {
          // SII needs an order: an unordered dimension must say so rather than show a number.
          assert.match(s.text, /Not computed/, `SII of the unordered "${s.name}" is reported as not computed: ${s.text}`);
        }
      }
    }
  });
});

test("the 'Try the synthetic example' button measures the same file", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await page.getByRole("button", { name: "Try the synthetic example" }).click();
    const sii = await siiCells(page);
    assert.equal(sii.length, strataOf(LINES).length);
  });
});

test("a malformed CSV shows an error summary that names the bad row and value", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    const cells = LINES[3].split(",");
    cells[LINES[0].split(",").indexOf("estimate")] = "sixty-eight"; // data row 3, file line 4
    const bad = [LINES[0], LINES[1], LINES[2], cells.join(","), ...LINES.slice(4)].join("\n") + "\n";
    await measureFile(page, { name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor({ timeout: 10000 });
    // NHS.UK frontend 10 puts role=alert on the summary or on its first child: either announces it.
    const alerts = await summary.locator('xpath=self::*[@role="alert"] | .//*[@role="alert"]').count();
    assert.ok(alerts > 0, "the error summary is (or holds) a role=alert region");
    const text = await summary.innerText();
    assert.match(text, /sixty-eight/, `the summary names the bad value:\n${text}`);
    assert.match(text, /\b(row|line)\s*(3|4)\b/i, `the summary names the bad row:\n${text}`);
    // Linked: each item is a link to the file input.
    const links = summary.getByRole("link");
    assert.ok((await links.count()) > 0, "the error summary items link to the field");
    assert.equal(await links.first().getAttribute("href"), "#data-file");
    assert.equal(await page.getByRole("table", { name: /the 21 summary measures/ }).count(), 0, "nothing measured");
  });
});

test("a file saved by Excel (UTF-8 byte-order mark, CRLF line ends) measures the same as the plain file", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await measureFile(page, SYNTHETIC);
    const plain = await siiCells(page);
    const excel = "\ufeff" + LINES.join("\r\n") + "\r\n";
    await measureFile(page, { name: "from-excel.csv", mimeType: "text/csv", buffer: Buffer.from(excel, "utf8") });
    await page.getByText(/from-excel\.csv/).first().waitFor();
    const fromExcel = await siiCells(page);
    assert.deepEqual(fromExcel.map((s) => s.text), plain.map((s) => s.text), "the same SII rows");
  });
});

test("one stratum of 100,000 subgroups is measured, listed without a chart, and says so (issue 12 finding 7)", async () => {
  // The page used to spend 44 s on such a file (the reader was quadratic), and then the chart of
  // 100,000 subgroups overflowed the call stack. SYNTHETIC rows, not ordered, the first the
  // reference.
  const n = 100_000;
  const lines = [
    "setting,date,source,indicator_abbr,dimension,subgroup,estimate,se,population,favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup",
  ];
  for (let j = 1; j <= n; j++) {
    lines.push(`Synthetic,2024,Survey,x,Area,Subgroup ${j},${(5 + ((j * 37) % 90)).toFixed(1)},${(0.5 + (j % 5) / 2).toFixed(1)},${100 + ((j * 7919) % 9900)},1,100,0,0,${j === 1 ? 1 : 0}`);
  }
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await measureFile(page, { name: "big-stratum.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n") + "\n") });
    const note = page.getByTestId("stratum-not-charted-0");
    await note.waitFor({ timeout: 60000 });
    const text = await note.innerText();
    assert.match(text, /100,000 subgroups, too many to chart \(a chart shows up to 100\)/, text);
    assert.match(text, /the first 1,000 of them \(in order\) are listed/, text);
    assert.match(text, /The measures use every one of the 100,000/, text);
    assert.equal(await page.locator('[data-testid="stratum-chart-0"] svg').count(), 0, "no chart");
    // Inside a closed details element, so found by structure rather than by role.
    const listed = page.locator('[data-testid="stratum-chart-0"] table tbody tr');
    assert.equal(await listed.count(), 1000, "the first 1,000 subgroups are listed");
    const measures = page.getByTestId("stratum-measures-0");
    const bgv = await measures.getByRole("row").filter({ hasText: /^\s*BGV\b/ }).innerText();
    assert.match(bgv, /\t\d+(\.\d+)?\t/, `BGV is computed: ${bgv}`);
  });
});

test("every ordered table gives the SII by both methods, the Fingertips method first, each saying what its interval includes", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await page.getByRole("button", { name: "Try the synthetic example" }).click();
    const tables = page.getByRole("table", { name: /the slope index of inequality \(SII\) by two methods/ });
    await tables.first().waitFor({ timeout: 10000 });
    const ordered = strataOf(LINES).filter((s) => s.ordered).length;
    assert.equal(await tables.count(), ordered, "one per ordered table, none for an unordered one");
    for (const t of await tables.all()) {
      const rows = await t.locator("tbody tr").all();
      const cells = await Promise.all(rows.map((r) => r.locator("th, td").allInnerTexts()));
      assert.equal(cells.length, 2);
      const [fingertips, heat] = cells;
      assert.match(fingertips[0], /^Fingertips \(OHID\)/);
      assert.match(fingertips[3], /each subgroup's own confidence interval/);
      assert.match(heat[0], /^WHO HEAT: logistic regression/);
      assert.match(heat[3], /not from the subgroups' own intervals/);
      for (const [method, value, interval] of [fingertips, heat]) {
        const m = /^(−?-?[\d.]+) to (−?-?[\d.]+)$/.exec(interval);
        assert.ok(m && Number.isFinite(Number(value.replace("−", "-"))), `${method}: ${value} (${interval})`);
      }
    }
  });
});

/** Click `button` and return the download it starts: its name and bytes. */
async function downloaded(page, button) {
  const [d] = await Promise.all([page.waitForEvent("download", { timeout: 8000 }), button.click()]);
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) };
}

test("the measures download as CSV, with the page's values; each chart downloads as SVG and as PNG", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await page.getByRole("button", { name: "Try the synthetic example" }).click();
    const button = page.getByRole("button", { name: "Download the measures (CSV)" });
    await button.waitFor({ timeout: 10000 });
    const csv = await downloaded(page, button);
    assert.equal(csv.name, "heat-plus-synthetic-measures.csv");
    const lines = csv.bytes.toString("utf8").trim().split("\r\n");
    assert.equal(
      lines[0],
      "setting,date,source,indicator_abbr,indicator,dimension,measure,name,value,lower,upper,confidence,reason",
    );
    const strata = strataOf(LINES);
    const ordered = strata.filter((s) => s.ordered).length;
    assert.equal(lines.length - 1, strata.length * 21 + ordered, "21 measures per table and a Fingertips SII per ordered one");
    // The first table's SII on the page is the CSV's, rounded as the page rounds it.
    const sii = (await siiCells(page))[0];
    const row = lines.find((l) => l.includes(",SII,Slope index of inequality,"));
    assert.ok(row, "the SII row of the first table");
    const value = Number(row.split(",")[8]);
    assert.equal(sii.cells[0].replace("−", "-"), value.toFixed(3));

    const svg = await downloaded(page, page.getByTestId("chart-svg-0"));
    assert.match(svg.name, /^chart-1-.+\.svg$/);
    const text = svg.bytes.toString("utf8");
    assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg'), text.slice(0, 80));
    assert.ok(text.includes('xmlns="http://www.w3.org/2000/svg"'));
    const png = await downloaded(page, page.getByTestId("chart-png-0"));
    assert.match(png.name, /^chart-1-.+\.png$/);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG file");
    assert.ok(png.bytes.length > 5000, `a drawn chart, ${png.bytes.length} bytes`);
  });
});

test("with no file chosen the error says to choose one, not to correct a file", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await page.getByRole("button", { name: "Measure inequality" }).click();
    const summary = page.getByTestId("data-errors");
    await summary.waitFor();
    const text = await summary.innerText();
    assert.match(text, /Choose a CSV file to measure/);
    assert.doesNotMatch(text, /Correct the file/);
  });
});

test("the fitted line's legend overlaps no other text, however long the indicator's name", async () => {
  const head = LINES[0].split(",");
  const long = "Proportion of adults aged 65 and over vaccinated against seasonal influenza by 31 January";
  const lines = LINES.map((l, i) => {
    if (i === 0) return l;
    const c = l.split(",");
    c[head.indexOf("indicator_name")] = long;
    return c.join(",");
  });
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await page.getByLabel("Linear regression weighted by population").check();
    await measureFile(page, { name: "long.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
    const chart = page.getByTestId("stratum-chart-0").locator("svg");
    await chart.waitFor({ timeout: 10000 });
    const overlaps = await chart.evaluate((svg) => {
      const boxes = [...svg.querySelectorAll("text")].map((t) => ({ text: t.textContent, b: t.getBBox() }));
      const legend = boxes.filter((x) => / line$/.test(x.text ?? ""));
      const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      return {
        legends: legend.length,
        overlaps: legend.flatMap((l) => boxes.filter((o) => o !== l && hit(l.b, o.b)).map((o) => `${l.text} / ${o.text}`)),
      };
    });
    assert.equal(overlaps.legends, 1, "the chart has the line's legend");
    assert.deepEqual(overlaps.overlaps, []);
  });
});
