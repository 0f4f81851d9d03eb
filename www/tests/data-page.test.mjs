// The HEAT Plus data page (data.html): a user picks a CSV file and sees the inequality measures;
// a malformed file gives an NHS.UK error summary naming the bad row.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { launch, startServer, withPage, REPO, axeCheck } from "./helpers.mjs";

let browser, server;
before(async () => {
  browser = await launch();
  server = await startServer();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const SYNTHETIC = path.join(REPO, "seeds/examples/heat-plus-synthetic.csv");

async function openDataPage(page) {
  await page.goto(server.url("/data.html"));
  await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
}

async function chooseCsv(page, file) {
  const input = page.locator('input[type="file"]');
  await assert.doesNotReject(input.first().waitFor({ state: "attached" }), "data.html has a file input");
  await input.first().setInputFiles(file);
}

test("loading the synthetic HEAT Plus file shows the SII of every stratum as a number", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    await chooseCsv(page, SYNTHETIC);
    // The synthetic file has strata (indicator x dimension) for IMD quintiles: each gets an SII row.
    const csv = (await import("node:fs")).readFileSync(SYNTHETIC, "utf8").trim().split("\n").slice(1);
    const strata = new Set(csv.map((l) => { const c = l.split(","); return `${c[3]}|${c[5]}`; }));
    const sii = page.getByRole("row").filter({ hasText: /\bSII\b|slope index/i });
    await sii.first().waitFor({ timeout: 10000 });
    const rows = await sii.allInnerTexts();
    assert.ok(rows.length >= strata.size, `expected an SII row for each of the ${strata.size} strata, saw ${rows.length}:\n${rows.join("\n")}`);
    for (const r of rows) assert.match(r, /-?\d+(\.\d+)?/, `SII row shows a number: ${r}`);
    await axeCheck(page, "data page with the synthetic example loaded");
  });
});

test("a malformed CSV shows an error summary that names the bad row", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openDataPage(page);
    const good = (await import("node:fs")).readFileSync(SYNTHETIC, "utf8").trim().split("\n");
    const cells = good[3].split(",");
    cells[7] = "sixty-eight"; // estimate column: not a number, on data row 3 (file line 4)
    const bad = [good[0], good[1], good[2], cells.join(","), ...good.slice(4)].join("\n") + "\n";
    await chooseCsv(page, { name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor({ timeout: 10000 });
    assert.equal(await summary.getAttribute("role"), "alert", "error summary has role=alert");
    const text = await summary.innerText();
    assert.match(text, /sixty-eight/, `the summary names the bad value:\n${text}`);
    assert.match(text, /\b(row|line)\s*(3|4)\b/i, `the summary names the bad row:\n${text}`);
    await axeCheck(page, "data page error state");
  });
});
