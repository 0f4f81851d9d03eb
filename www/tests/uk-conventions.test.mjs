// UK input conventions (issue 16): every date is the NHS.UK date input (day, month, year); a
// decimal comma is refused with a message naming what was typed, never read as thousands; the
// engine's cross-field checks (review after the assessment, the assessment not in the future,
// an impact for every item considered) reach the NHS.UK error summary, linked to the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage, axeCheck } from "./helpers.mjs";
import { HEAT, openStart, importFile, completeWithGaps } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const q = (id) => HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === id);

/** Type a date into the date input of the question `label` (its fieldset), as a person would. */
async function typeDate(page, label, day, month, year) {
  const group = page.getByRole("group", { name: label });
  for (const [name, text] of [
    ["Day", day],
    ["Month", month],
    ["Year", year],
  ]) {
    const field = group.getByLabel(name, { exact: true });
    await field.fill("");
    await field.pressSequentially(text);
  }
}

/** Press Continue and return the error summary's items as {text, href}. */
async function continueWithErrors(page) {
  await page.getByRole("button", { name: "Continue" }).click();
  const summary = page.locator(".nhsuk-error-summary");
  await summary.waitFor();
  const links = await summary.getByRole("link").all();
  return Promise.all(links.map(async (l) => ({ text: (await l.innerText()).trim(), href: await l.getAttribute("href") })));
}

test("dates are typed as day, month and year; the engine's date checks reach the error summary", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    assert.equal(await importFile(page, completeWithGaps()), "tasks");

    // The saved assessment date (2025-03-01) is shown in the three fields.
    await page.goto(server.url("/#/heat/q/prepare/4"));
    const made = q("prepare.assessment_date").label;
    const group = page.getByRole("group", { name: made });
    await group.waitFor();
    assert.deepEqual(
      await Promise.all(["Day", "Month", "Year"].map((n) => group.getByLabel(n, { exact: true }).inputValue())),
      ["1", "3", "2025"],
    );
    await axeCheck(page, "the date input");

    // A date after today: the engine, given today by the page, refuses it.
    const next = new Date().getFullYear() + 1;
    await typeDate(page, made, "2", "1", String(next));
    let errors = await continueWithErrors(page);
    assert.deepEqual(
      errors.map((e) => e.text),
      [`The assessment date ${next}-01-02 is in the future (today is ${await page.evaluate(todayInPage)}); give the date it was made`],
    );
    const dayId = await group.getByLabel("Day", { exact: true }).getAttribute("id");
    assert.equal(errors[0].href, `#${dayId}`, "the summary links to the day field");
    await axeCheck(page, "the date input with an engine error");

    // A month that is not a number: said at the field before the engine sees anything.
    await typeDate(page, made, "2", "March", "2026");
    errors = await continueWithErrors(page);
    assert.equal(errors[0].text, 'Month "March" must be a number, like 3');
    await axeCheck(page, "the date input with a local error");

    // A review date before the assessment date: an error at the review date.
    await typeDate(page, made, "12", "1", "2026");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.goto(server.url("/#/heat/q/review/1"));
    await typeDate(page, q("review.date").label, "31", "12", "2025");
    errors = await continueWithErrors(page);
    assert.deepEqual(
      errors.map((e) => e.text),
      ["The review date 2025-12-31 is not after the assessment date 2026-01-12; give a later review date"],
    );
    // Corrected, the page moves on.
    await typeDate(page, q("review.date").label, "12", "7", "2026");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL((u) => !u.hash.endsWith("/review/1"));
    const stored = await page.evaluate(() => document.querySelector("h1")?.textContent);
    assert.ok(stored, "the next page has a heading");
  });
});

/** Today in the page's own time zone, as the app gives the engine. */
function todayInPage() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

test("a decimal comma is refused naming what was typed; an item considered needs an impact", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await page.getByRole("link", { name: "Import answers from a file" }).click();
    const payload = completeWithGaps((j) => {
      j.answers["assess.dimensions"].age = { considered: true };
    });
    assert.equal(await importFile(page, payload), "tasks");

    await page.goto(server.url("/#/heat/q/assess/9"));
    const estimate = page.getByLabel(/^Estimate/).first();
    await estimate.waitFor();
    await estimate.fill("");
    await estimate.pressSequentially("42,1");
    const errors = await continueWithErrors(page);
    assert.ok(
      errors.some(
        (e) =>
          e.text === '"42,1" has a decimal comma: use a full stop, like 42.1 (a comma can only separate thousands, like 1,234)',
      ),
      JSON.stringify(errors),
    );
    await axeCheck(page, "the evidence table with a decimal comma");

    await page.goto(server.url("/#/heat/check"));
    await page.getByRole("button", { name: "Submit and see results" }).click();
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor();
    const text = await summary.innerText();
    assert.ok(text.includes('Age: marked considered with no impact; choose its likely impact, or "not known"'), text);
  });
});
