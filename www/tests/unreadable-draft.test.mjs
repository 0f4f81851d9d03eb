// Issue 12, finding 3 (the app's side): a draft in this browser that the engine cannot read is
// kept, never written over. It is moved to a key of its own (`equitas:unreadable:<instrument>:
// <time>`), offered for download with a message saying why it could not be opened, and removed
// only when the person asks. If storage has no room to move it, it stays where it is and nothing
// is saved over it. Also finding 13: text with a lone surrogate (a broken paste) does not stop the
// engine reading the draft.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { sharedBrowserAndServer, withPage, localDrafts, axeCheck, storedDraft, waitForStoredDraft } from "./helpers.mjs";
import { HEAT, DRAFT_KEY, openStart, startHeat, openSection } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const q = (id) => HEAT.sections.flatMap((s) => s.questions).find((x) => x.id === id);

/** A draft this engine cannot read (a layout from a newer equitas), holding a precious answer. */
const UNREADABLE = `${JSON.stringify(
  {
    format: "equitas-assessment",
    schema_version: 99,
    instrument: { id: "heat", version: 1 },
    created: "2026-01-05T09:00:00Z",
    updated: "2026-01-06T17:30:00Z",
    answers: { "prepare.title": "Weeks of work that must not be lost" },
  },
  null,
  2,
)}\n`;

/** Put `text` in this origin's storage as the heat draft, then load the start page afresh. */
async function seedDraft(page, text) {
  await openStart(page, server.url("/"));
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [DRAFT_KEY, text]);
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
}

/** Every stored key that holds a set-aside draft, with its text. */
async function setAside(page) {
  return page.evaluate(() => {
    const out = {};
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k.startsWith("equitas:unreadable:")) out[k] = localStorage.getItem(k);
    }
    return out;
  });
}

async function downloadFrom(page, button) {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 8000 }), button.click()]);
  return { name: download.suggestedFilename(), text: await fs.readFile(await download.path(), "utf8") };
}

test("a draft the engine cannot read is set aside under its own key, offered for download, and never written over", async () => {
  await withPage(browser, server.origin, async (page) => {
    await seedDraft(page, UNREADABLE);
    // The start page says so, in the engine's words, and the draft has moved, byte for byte.
    const notice = page.getByTestId("unreadable-draft");
    await notice.waitFor();
    const said = await notice.innerText();
    assert.match(said, /could not be opened/i);
    assert.match(said, /layout version 99/, `the reason is given: ${said}`);
    assert.match(said, /nothing is lost/i, said);
    let aside = await setAside(page);
    const keys = Object.keys(aside);
    assert.equal(keys.length, 1, `one set-aside draft: ${JSON.stringify(keys)}`);
    assert.match(keys[0], /^equitas:unreadable:heat:\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    assert.equal(aside[keys[0]], UNREADABLE, "kept exactly as it was stored");
    assert.equal((await localDrafts(page))[DRAFT_KEY], undefined, "the draft key is free for a new draft");
    await axeCheck(page, "the start page with a draft that could not be opened");

    // Typing a new answer autosaves a new draft; the set-aside one is untouched.
    await startHeat(page);
    await page.getByTestId("unreadable-draft").waitFor(); // the task list says so too
    await axeCheck(page, "the task list with a draft that could not be opened");
    await openSection(page, "Prepare");
    await page.getByLabel(q("prepare.title").label).pressSequentially("A fresh start");
    await waitForStoredDraft(page, (d) => d?.answers?.["prepare.title"] === "A fresh start");
    await page.getByRole("button", { name: "Save and come back later" }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    aside = await setAside(page);
    assert.deepEqual(Object.values(aside), [UNREADABLE], "the set-aside draft survives the new draft's autosave");

    // A reload finds the new draft and the set-aside one, each once: nothing is set aside twice.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    assert.equal(Object.keys(await setAside(page)).length, 1);

    // Download gives the stored text exactly.
    await page.goto(server.url("/"));
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    const got = await downloadFrom(page, page.getByTestId("download-unreadable"));
    assert.match(got.name, /^equitas-heat-could-not-be-opened-\d{4}-\d{2}-\d{2}\.json$/);
    assert.equal(got.text, UNREADABLE);

    // It goes only when asked, after a confirmation; the new draft stays.
    await page.getByRole("link", { name: /Remove it from this browser/ }).click();
    await page.getByRole("heading", { level: 1, name: "Remove the draft that could not be opened?" }).waitFor();
    assert.equal(Object.keys(await setAside(page)).length, 1, "nothing removed before confirming");
    await axeCheck(page, "the page that confirms removing a draft that could not be opened");
    await page.getByRole("button", { name: "Remove it", exact: true }).click();
    await page.getByTestId("notification").filter({ hasText: /has been removed/ }).waitFor();
    assert.deepEqual(await setAside(page), {});
    assert.equal(await page.getByTestId("unreadable-draft").count(), 0);
    assert.equal((await storedDraft(page))?.answers?.["prepare.title"], "A fresh start");
  });
});

test("with no room in storage to set it aside, the unreadable draft stays where it is and nothing is saved over it (new answers go to the list of assessments)", async () => {
  await withPage(browser, server.origin, async (page, { context }) => {
    // Storage refuses the copy, as a full origin quota would.
    await context.addInitScript(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (String(key).startsWith("equitas:unreadable:")) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        return setItem.call(this, key, value);
      };
    });
    await seedDraft(page, UNREADABLE);
    const notice = page.getByTestId("unreadable-draft");
    await notice.waitFor();
    assert.match(await notice.innerText(), /no room to set them aside/i);
    assert.match(await notice.innerText(), /saved apart from them/i);
    await startHeat(page);
    await openSection(page, "Prepare");
    await page.getByLabel(q("prepare.title").label).pressSequentially("Typed while storage is full");
    await page.waitForTimeout(700); // past the autosave's debounce
    await page.getByRole("button", { name: "Save and come back later" }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await waitForStoredDraft(page, (d) => d?.answers?.["prepare.title"] === "Typed while storage is full");
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY), UNREADABLE, "the unreadable draft is exactly as it was");
    const got = await downloadFrom(page, page.getByTestId("download-unreadable"));
    assert.equal(got.text, UNREADABLE);
  });
});

test("an answer with a lone surrogate (a broken paste) is kept as U+FFFD, and the engine goes on reading the draft", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await startHeat(page);
    await openSection(page, "Prepare");
    const title = page.getByLabel(q("prepare.title").label);
    await title.fill("x");
    // What a paste of half a surrogate pair gives the field (Playwright's own typing cannot).
    await title.evaluate((el) => {
      el.value = "Clinic \uD83D review";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await waitForStoredDraft(page, (d) => (d?.answers?.["prepare.title"] || "").startsWith("Clinic "));
    await page.getByRole("button", { name: "Save and come back later" }).click();
    await page.waitForURL(/#\/heat\/tasks$/);
    await page.getByTestId("task-list").waitFor();
    assert.match(await page.getByTestId("sections-done").innerText(), /completed 0 of/);
    assert.equal((await storedDraft(page)).answers["prepare.title"], "Clinic \uFFFD review");
    // And the draft opens again after a reload, with nothing set aside.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    await page.getByTestId("task-list").waitFor();
    assert.deepEqual(await setAside(page), {});
  });
});
