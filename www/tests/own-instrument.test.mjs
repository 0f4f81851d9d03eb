// An organisation's own instrument in the browser (issue 16 item 8): a file chosen on the
// instrument choice is checked by the engine (addInstrument), offered beside the built-in ones,
// kept in IndexedDB and offered again after a reload; a file the engine refuses is named in an
// error summary with the engine's reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage, axeCheck, readRepoJson } from "./helpers.mjs";
import { HEAT, openStart } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

const TITLE = "Local health equity check (SYNTHETIC)";

async function toChoice(page) {
  await page.getByRole("button", { name: "Start now" }).or(page.getByRole("link", { name: "Start now" })).first().click();
  await page.getByRole("radio", { name: HEAT.title }).waitFor();
}

test("an organisation's own instrument is checked, offered, kept and used; a bad one is refused by name", async () => {
  const local = await readRepoJson("seeds/instruments/heat-v1.json");
  local.id = "local-heat";
  local.title = TITLE;
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    await toChoice(page);
    await axeCheck(page, "the choice with the own-instrument form");

    // Refused: not an instrument. The engine's reason is in the error summary, linked.
    await page.getByLabel("Instrument file").setInputFiles({
      name: "broken.json",
      mimeType: "application/json",
      buffer: Buffer.from('{"id": "x"}'),
    });
    await page.getByRole("button", { name: "Add instrument" }).click();
    const summary = page.locator(".nhsuk-error-summary");
    await summary.waitFor();
    const link = summary.getByRole("link");
    assert.match(await link.innerText(), /^broken\.json could not be used: .+/);
    assert.equal(await link.getAttribute("href"), "#instrument-file");
    await axeCheck(page, "the choice with a refused instrument file");
    assert.equal(await page.getByRole("radio", { name: TITLE }).count(), 0);

    // Accepted: offered at once, and said.
    await page.getByLabel("Instrument file").setInputFiles({
      name: "local-heat.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(local)),
    });
    await page.getByRole("button", { name: "Add instrument" }).click();
    await page.getByRole("radio", { name: TITLE }).waitFor();
    assert.match(await page.getByTestId("notification").innerText(), /was added and is kept in this browser/);

    // Kept: after a reload it is offered again, and an assessment made with it.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true");
    await page.goto(server.url("/#/choose"));
    await page.getByRole("radio", { name: TITLE }).check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/#\/local-heat\/tasks$/);
    const stored = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("equitas");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction("instruments").objectStore("instruments").getAll();
            req.onsuccess = () => resolve(req.result.map((r) => r.key));
            req.onerror = () => reject(req.error);
          };
        }),
    );
    assert.deepEqual(stored, ["local-heat@1"]);
  });
});
