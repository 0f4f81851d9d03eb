// Autosave: answers typed are kept in this browser; on return the start page says the draft was
// restored and the answers are still there; "Delete my answers", once confirmed, removes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage, localDrafts, storedDraft, storedAssessments, waitForStoredDraft } from "./helpers.mjs";
import { HEAT, DRAFT_KEY, openStart, startHeat, openSection } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const q = (id) => HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === id);

test("typed answers survive a reload and a return visit; the start page says the draft was restored", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    assert.equal(await page.getByTestId("restore-banner").count(), 0, "no banner on a first visit");
    await startHeat(page);
    await openSection(page, "Prepare");
    const title = page.getByLabel(q("prepare.title").label);
    await title.pressSequentially("Autosave check: evening clinics");
    // Saved while typing, without pressing Continue (debounced: give it up to 3 s).
    await waitForStoredDraft(page, (d) => d?.answers?.["prepare.title"] === "Autosave check: evening clinics");
    await page.getByRole("button", { name: "Continue" }).click();
    const scope = page.getByLabel(q("prepare.scope").label);
    await scope.pressSequentially("Run two evening clinics a week.");
    // Reload straight away: whatever the debounce had pending must not be lost.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    assert.equal(await page.getByLabel(q("prepare.scope").label).inputValue(), "Run two evening clinics a week.", "the answer typed just before the reload is still in its field");

    // A return visit to the start page.
    await page.goto(server.url("/"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    const banner = page.getByTestId("restore-banner");
    await banner.waitFor();
    assert.match(await banner.innerText(), /we restored your draft/i);
    await banner.getByRole("button", { name: /Continue with your draft/ }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await openSection(page, "Prepare");
    // Prepare is in progress: its link opens check answers, which lists both answers.
    assert.match(page.url(), /#\/heat\/check\/prepare$/);
    const list = await page.locator(".nhsuk-summary-list").innerText();
    assert.ok(list.includes("Autosave check: evening clinics"), "title restored");
    assert.ok(list.includes("Run two evening clinics a week."), "scope restored");
  });
});

test("'Delete my answers' asks first, then removes the draft from the browser's storage and the banner from the start page", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await startHeat(page);
    await openSection(page, "Prepare");
    await page.getByLabel(q("prepare.title").label).pressSequentially("To be deleted");
    await page.getByRole("button", { name: "Continue" }).click();
    await waitForStoredDraft(page, (d) => d?.answers?.["prepare.title"] === "To be deleted");

    await page.goto(server.url("/"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    const banner = page.getByTestId("restore-banner");
    await banner.getByRole("link", { name: /Delete my answers/ }).click();
    // Confirmation first: nothing is deleted yet.
    await page.getByRole("heading", { level: 1, name: /Are you sure/ }).waitFor();
    assert.ok(await storedDraft(page), "the draft is still there before confirming");
    await page.getByRole("button", { name: "Delete my answers" }).click();
    await page.waitForFunction(() => location.hash === "#/" || location.hash === "");
    // The start page is rendered when it says the answers were deleted.
    await page.getByTestId("notification").filter({ hasText: /deleted/i }).waitFor();
    await page.getByRole("button", { name: "Start now" }).waitFor();
    const drafts = await localDrafts(page);
    assert.equal(drafts[DRAFT_KEY], undefined, `no draft left in localStorage: ${JSON.stringify(drafts)}`);
    assert.deepEqual(await storedAssessments(page), [], "no assessment left in IndexedDB");
    assert.equal(await page.getByTestId("restore-banner").count(), 0, "no restore banner after deleting");
    // And after a reload, still nothing to restore.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    assert.equal(await page.getByTestId("restore-banner").count(), 0, "no restore banner after a reload");
    assert.equal((await localDrafts(page))[DRAFT_KEY], undefined);
    assert.deepEqual(await storedAssessments(page), []);
  });
});

test("when the browser cannot store the draft (storage full), the app says so rather than claiming it saved", async () => {
  await withPage(
    browser,
    server.origin,
    async (page, { context }) => {
      // localStorage.setItem throws as it does when the origin's quota is used up.
      // So does IndexedDB's put, where the app keeps its assessments.
      await context.addInitScript(() => {
        Storage.prototype.setItem = function () {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        };
        IDBObjectStore.prototype.put = function () {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        };
      });
      await openStart(page, server.url("/"));
      await startHeat(page);
      await openSection(page, "Prepare");
      await page.getByLabel(q("prepare.title").label).pressSequentially("Cannot be stored");
      await page.waitForTimeout(600); // past the autosave's debounce
      await page.getByRole("button", { name: "Save and come back later" }).click();
      await page.waitForURL(/#\/heat\/tasks$/);
      await page.waitForTimeout(400);
      const main = await page.locator("main").innerText();
      assert.doesNotMatch(main, /(have been|are) saved in this browser/i, `the page must not claim the answers were saved:\n${main}`);
      assert.match(main, /could not be saved/i, `the page says the answers could not be saved:\n${main}`);
    },
  );
});
