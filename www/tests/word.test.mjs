// "Download as Word (.docx)" on the results page: the team module is fetched only when the
// button is pressed, and the file it gives is read back here (unzipped, its document's text
// compared with the assessment; a PNG picture of each evidence chart the page drew).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { sharedBrowserAndServer, withPage } from "./helpers.mjs";
import { HEAT, FIXTURES, openStart, startHeat, importFile, submitAndSeeResults } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

/** Each paragraph's text in a WordprocessingML document, entities decoded. */
function paragraphs(xml) {
  const decode = (s) =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decode(t[1])).join(""),
  );
}

test("Download as Word gives the assessment and its report, with a picture of each chart", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    const asked = [];
    context.on("request", (r) => asked.push(new URL(r.url()).pathname));
    await openStart(page, server.url("/"));
    await startHeat(page);
    const file = path.join(FIXTURES, "heat-thorough.json");
    await importFile(page, file);
    await submitAndSeeResults(page);
    const charts = await page.locator('figure[data-testid^="evidence-chart-"]').count();
    assert.ok(charts > 0, "the example's evidence is charted");
    assert.deepEqual(
      asked.filter((p) => p.includes("equitas_team")),
      [],
      "the team module is not fetched before the button is pressed",
    );
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 30000 }),
      page.getByRole("button", { name: "Download as Word (.docx)" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^equitas-heat-\d{4}-\d{2}-\d{2}\.docx$/);
    await page.getByTestId("word-status").filter({ hasText: "has been downloaded" }).waitFor();
    assert.ok(asked.includes("/pkg/equitas_team_bg.wasm"), "the team module is fetched on the press");

    const parts = unzipSync(new Uint8Array(await fs.readFile(await download.path())));
    const text = paragraphs(strFromU8(parts["word/document.xml"]));
    const saved = JSON.parse(await fs.readFile(file, "utf8"));
    assert.ok(text.includes(saved.answers["prepare.title"]), "the title");
    for (const s of HEAT.sections) assert.ok(text.includes(s.title), `the section heading ${s.title}`);
    for (const q of HEAT.sections.flatMap((s) => s.questions).filter((q) => q.kind.type === "text")) {
      const a = saved.answers[q.id];
      if (typeof a === "string" && a.trim()) {
        assert.ok(text.includes(q.label), `the question ${q.id}`);
        for (const line of a.split("\n").filter((l) => l.trim())) {
          assert.ok(text.includes(line), `the answer to ${q.id}: ${line}`);
        }
      }
    }
    const shown = (await page.getByTestId("overall-score").innerText()).replace(/\s+/g, " ").trim();
    const overall = text.find((p) => p.startsWith("Overall: "));
    assert.ok(overall, "the overall rating");
    assert.ok(overall.startsWith(`Overall: ${Number(shown.split(" ")[0]).toFixed(1)} / 100, `), `${overall} vs ${shown}`);
    const pngs = Object.entries(parts).filter(([name]) => name.startsWith("word/media/") && !name.endsWith("/"));
    assert.equal(pngs.length, charts, "a picture per chart on the page");
    for (const [name, bytes] of pngs) {
      assert.deepEqual([...bytes.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${name} is a PNG`);
      assert.ok(bytes.length > 5000, `${name} has a chart drawn in it (${bytes.length} bytes)`);
    }
    assert.equal(text.filter((p) => p.startsWith("Figure ")).length, charts, "a caption per chart");
  });
});
