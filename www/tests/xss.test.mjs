// Free text is text: markup typed into an answer is shown literally on check answers and on the
// results (the report's title is the assessment's title), never parsed. The page guard fails the
// test on any dialog (alert) and any request beyond the app's origin (an <img src=x> would fetch).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage } from "./helpers.mjs";
import { HEAT, openStart, startHeat, openSection, importFile, completeWithGaps, submitAndSeeResults } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const PAYLOAD = "<img src=x onerror=alert(1)>";
const q = (id) => HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === id);

async function noInjectedImage(page, where) {
  const imgs = await page.evaluate(() => [...document.querySelectorAll("img")].map((i) => i.getAttribute("src")));
  assert.ok(!imgs.includes("x"), `${where}: no <img src="x"> in the DOM (images: ${JSON.stringify(imgs)})`);
  const frames = await page.evaluate(() => document.querySelectorAll("[onerror]").length);
  assert.equal(frames, 0, `${where}: no element with an onerror attribute`);
}

test("markup typed into text answers is shown literally on check answers and results, and never runs", async () => {
  await withPage(browser, server.origin, async (page) => {
    // A complete assessment (so the results are the real, submitted report), then the person
    // types the markup into two text answers through the form.
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    assert.equal(await importFile(page, completeWithGaps()), "tasks");
    await page.goto(server.url("/#/heat/q/prepare/1"));
    const title = page.getByLabel(q("prepare.title").label);
    await title.fill("");
    await title.pressSequentially(PAYLOAD);
    await page.getByRole("button", { name: "Continue" }).click();
    const scope = page.getByLabel(q("prepare.scope").label);
    await scope.fill("");
    await scope.pressSequentially(`Scope ${PAYLOAD} end`);
    await page.getByRole("button", { name: "Continue" }).click();

    await page.goto(server.url("/#/heat/check/prepare"));
    const list = page.locator(".nhsuk-summary-list");
    await list.waitFor();
    const rowText = async (label) => (await list.locator(".nhsuk-summary-list__row").filter({ hasText: label }).locator(".nhsuk-summary-list__value").innerText()).trim();
    assert.equal(await rowText(q("prepare.title").label), PAYLOAD, "check answers shows the title literally");
    assert.equal(await rowText(q("prepare.scope").label), `Scope ${PAYLOAD} end`, "check answers shows the scope literally");
    await noInjectedImage(page, "check answers");

    await submitAndSeeResults(page);
    const heading = await page.getByTestId("results-heading").innerText();
    assert.ok(heading.includes(PAYLOAD), `the results heading shows the title literally: ${JSON.stringify(heading)}`);
    // "All your answers" on the results page, opened as a person would.
    await page.getByText("All your answers", { exact: true }).first().click();
    const all = await page.locator("details").filter({ hasText: "All your answers" }).first().innerText();
    assert.ok(all.includes(`Scope ${PAYLOAD} end`), "the results' answers show the scope literally");
    await noInjectedImage(page, "results");
    // Let any error handler that was (wrongly) attached have its chance to fire.
    await page.waitForTimeout(300);
  });
});
