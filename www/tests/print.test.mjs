// Printing the results: the A4 PDF has the report (score, band, gaps with recommendations) and
// every answer, including one the person typed; on print media the navigation is hidden.
//
// How the PDF is checked: its text is extracted (helpers.mjs pdfText: inflate the Flate streams,
// decode the glyph strings through each font's ToUnicode CMap) and searched with whitespace
// removed, so the test reads what a printed page says rather than trusting the DOM. The
// print-media DOM is checked as well (what is visible and what is hidden), because the PDF text
// alone cannot say that the navigation is not there in a readable way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage, pdfText, squash } from "./helpers.mjs";
import { HEAT, openStart, importFile, completeWithGaps, submitAndSeeResults, shownScore, shownGaps } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const q = (id) => HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === id);
const TYPED = "Printed answer: residents of the Riverside estates";

test("the printed results (A4 PDF) hold the score, the gaps with recommendations and every answer", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    assert.equal(await importFile(page, completeWithGaps()), "tasks");
    await page.goto(server.url("/#/heat/q/prepare/3"));
    const field = page.getByLabel(q("prepare.population").label);
    await field.fill("");
    await field.pressSequentially(TYPED);
    await page.getByRole("button", { name: "Continue" }).click();
    await submitAndSeeResults(page);
    const score = await shownScore(page);
    const scoreText = (await page.getByTestId("overall-score").innerText()).trim();
    const band = (await page.getByTestId("band").innerText()).trim();
    const gaps = await shownGaps(page);
    assert.ok(gaps.length > 0, "the report has gaps to print");

    await page.emulateMedia({ media: "print" });
    // What print media shows: the report and all answers; not the site navigation or buttons.
    assert.equal(await page.locator("header.nhsuk-header").isVisible(), false, "the header is hidden in print");
    assert.equal(await page.locator("footer.nhsuk-footer").isVisible(), false, "the footer is hidden in print");
    assert.equal(await page.getByRole("button", { name: "Print or save as PDF" }).isVisible(), false, "the print button is hidden in print");
    assert.equal(await page.getByTestId("overall-score").isVisible(), true, "the score is visible in print");
    assert.equal(await page.getByRole("table", { name: "Gaps found, with recommendations" }).isVisible(), true, "the gaps are visible in print");
    const printed = page.locator(".equitas-print-only");
    assert.equal(await printed.isVisible(), true, "'All your answers' is visible in print");
    assert.ok((await printed.innerText()).includes(TYPED), "the typed answer is among the printed answers");
    for (const s of HEAT.sections) assert.ok((await printed.innerText()).includes(s.title), `the printed answers include the section ${s.title}`);

    const pdf = await page.pdf({ format: "A4", printBackground: true });
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-", "a PDF");
    assert.ok(pdf.length > 20_000 && pdf.length < 20_000_000, `a reasonable size: ${pdf.length} bytes`);
    const { pages, text } = pdfText(pdf);
    assert.ok(pages.length > 1, `more than one A4 page (${pages.length})`);
    const t = squash(text);
    assert.ok(t.includes(squash(TYPED)), "the PDF contains the answer the person typed");
    assert.ok(t.includes(squash(scoreText)), `the PDF contains the score "${scoreText}" (${score})`);
    assert.ok(t.includes(squash(band.replace(/^Rating:\s*/, ""))), `the PDF contains the band "${band}"`);
    for (const g of gaps) {
      assert.ok(t.includes(squash(g.gap)), `the PDF contains the gap "${g.gap}"`);
      assert.ok(t.includes(squash(g.todo)), `the PDF contains the recommendation for "${g.gap}"`);
    }
    // The navigation is not printed: the header's service link and the footer's links.
    assert.ok(!t.includes(squash("Skip to main content")), "no skip link in the PDF");
    assert.ok(!t.includes(squash("Print or save as PDF")), "no print button in the PDF");
  });
});
