// Embedding: the example intranet page (origin B) frames the app (origin A) through embed.js.
// The iframe follows the app's height as the person moves through it, finishing the assessment in
// the iframe shows the rating on the host page, and a completion message forged by any other frame
// (another origin, or the app's own origin but not the embedded iframe) changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, startServer, withPage } from "./helpers.mjs";
import { completeWithGaps } from "./app-driver.mjs";

let browser, app, host, other;
before(async () => {
  browser = await launch();
  app = await startServer(); // origin A: the equitas app, with its CSP
  host = await startServer({ csp: false }); // origin B: the partner's intranet (its own CSP is in the page)
  other = await startServer(); // origin C: some other site
});
after(async () => {
  await browser?.close();
  await Promise.all([app, host, other].map((s) => s?.close()));
});

const STATUS = "#assessment-status";

async function iframeHeight(page) {
  return page.locator("iframe.equitas-embed-frame").evaluate((f) => f.getBoundingClientRect().height);
}

/** The framed app's own content height (what its resize messages report). */
async function contentHeight(frame) {
  return frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
}

/** Wait until the iframe's height matches the app's content height (within 2 px) and return it. */
async function settledHeight(page, frame, what) {
  let last;
  for (let i = 0; i < 50; i++) {
    const [h, c] = [await iframeHeight(page), await contentHeight(frame)];
    last = { h, c };
    if (Math.abs(h - Math.max(150, c)) <= 2) return h;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: the iframe's height ${last.h}px never followed the app's content height ${last.c}px`);
}

async function forge(page, origin, payload) {
  const url = `${origin}/tests/fixtures/blank.html`;
  await page.evaluate((src) => {
    const f = document.createElement("iframe");
    f.src = src;
    f.title = "forger";
    document.body.append(f);
  }, url);
  let frame;
  for (let i = 0; i < 50 && !frame; i++) {
    frame = page.frames().find((f) => f.url() === url);
    if (!frame) await page.waitForTimeout(100);
  }
  assert.ok(frame, `the forging frame from ${origin} loaded`);
  await frame.waitForLoadState();
  await frame.evaluate((msg) => window.parent.postMessage(msg, "*"), payload);
}

const FORGED = { protocol: "equitas", version: 1, type: "completed", instrument: { id: "heat", version: 1 }, overall: 100, band: "Forged" };

test("the embedded app resizes its iframe, reports completion to the host, exports from inside the iframe, and forged messages are ignored", async () => {
  await withPage(browser, [app.origin, host.origin, other.origin], async (page) => {
    await page.goto(`${host.url("/examples/intranet.html")}?app=${encodeURIComponent(app.origin)}`);
    const holder = page.locator("[data-equitas-assessment]");
    const iframe = page.locator("iframe.equitas-embed-frame");
    await iframe.waitFor();
    assert.equal(new URL(await iframe.getAttribute("src")).origin, app.origin, "the iframe shows the app from origin A");
    await iframe.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector("[data-equitas-assessment]")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    const frame = page.frames().find((f) => f.url().startsWith(app.origin + "/index.html"));
    assert.ok(frame, "the app's frame is there");
    const fl = page.frameLocator("iframe.equitas-embed-frame");
    const events = () => page.evaluate(() => window.__completedEvents || 0);
    await page.evaluate(() => {
      window.__completedEvents = 0;
      document.addEventListener("equitas:completed", () => (window.__completedEvents += 1));
    });

    const startHeight = await settledHeight(page, frame, "start page");

    // Forged completions before the real one: from another origin, from the app's origin but
    // another window, and from the host page itself. None may touch the status.
    await forge(page, other.origin, FORGED);
    await forge(page, app.origin, FORGED);
    await page.evaluate((m) => window.postMessage(m, "*"), FORGED);
    await page.waitForTimeout(300);
    assert.equal((await page.locator(STATUS).innerText()).trim(), "", "no completion status from forged messages");
    assert.equal(await holder.getAttribute("data-equitas-state"), "ready");
    assert.equal(await events(), 0, "no equitas:completed event from forged messages");

    // Move through the app inside the iframe: its height follows.
    await fl.getByRole("link", { name: "Import answers from a file" }).click();
    await fl.getByLabel("Import answers from a file").setInputFiles(completeWithGaps());
    await fl.getByRole("button", { name: /^(upload and )?import$/i }).click();
    await fl.getByRole("link", { name: "Check your answers and submit" }).waitFor();
    const tasksHeight = await settledHeight(page, frame, "task list");
    assert.notEqual(tasksHeight, startHeight, "the iframe's height changed from the start page to the task list");
    await fl.getByRole("link", { name: "Check your answers and submit" }).click();
    await fl.getByRole("button", { name: "Submit and see results" }).click();
    await fl.getByTestId("overall-score").waitFor();
    const resultsHeight = await settledHeight(page, frame, "results");
    assert.ok(resultsHeight > startHeight, `the results (${resultsHeight}px) are taller than the start page (${startHeight}px)`);

    // Completion shows on the host, with the rating the framed app shows.
    const shown = (await fl.getByTestId("overall-score").innerText()).replace(/\s+/g, " ").trim();
    const band = (await fl.getByTestId("band").innerText()).replace(/^Rating:\s*/, "").trim();
    await page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== "", STATUS, { timeout: 5000 });
    const status = (await page.locator(STATUS).innerText()).trim();
    const m = /^Assessment completed: (.+) \(([\d.]+)\/100\)$/.exec(status);
    assert.ok(m, `the host's status reads "Assessment completed: <band> (<score>/100)": ${JSON.stringify(status)}`);
    assert.equal(m[1], band, "the host shows the framed app's band");
    assert.ok(Math.abs(Number(m[2]) - Number(shown.replace(/ out of 100$/, "").replace("−", "-"))) <= 0.05, `host score ${m[2]} = app score ${shown}`);
    assert.equal(await holder.getAttribute("data-equitas-state"), "completed");
    assert.equal(await events(), 1, "one equitas:completed event");

    // Export works from inside the (sandboxed) iframe: the person gets the file.
    await fl.getByRole("link", { name: "Download your answers (JSON)" }).first().click();
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 8000 }),
      fl.getByRole("button", { name: "Download your answers (JSON)" }).click(),
    ]);
    const saved = JSON.parse(await (await import("node:fs/promises")).readFile(await download.path(), "utf8"));
    assert.equal(saved.format, "equitas-assessment", "the iframe's export is an equitas file");
    assert.equal(saved.answers["prepare.coproduction_plan"], "Ask the patient panel in April.", "with the imported answers");

    // Forged again after completion, with another rating: still nothing changes.
    await forge(page, other.origin, { ...FORGED, overall: 1, band: "Forged later" });
    await forge(page, app.origin, { ...FORGED, overall: 2, band: "Forged later" });
    await page.waitForTimeout(300);
    assert.equal((await page.locator(STATUS).innerText()).trim(), status, "the status is unchanged by forged messages");
    assert.equal(await events(), 1, "still one equitas:completed event");
  });
});

test("the inline <equitas-assessment> element: memory routes leave the host URL alone, the draft goes to its storage key, completion reaches the host page", async () => {
  await withPage(browser, app.origin, async (page) => {
    await page.goto(app.url("/examples/inline.html"));
    const el = page.locator("equitas-assessment");
    await page.waitForFunction(() => document.querySelector("equitas-assessment")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    const url = page.url();
    await el.getByRole("link", { name: "Import answers from a file" }).click();
    await el.getByLabel("Import answers from a file").setInputFiles(completeWithGaps());
    await el.getByRole("button", { name: /^(upload and )?import$/i }).click();
    await el.getByRole("link", { name: "Check your answers and submit" }).click();
    await el.getByRole("button", { name: "Submit and see results" }).click();
    await el.getByTestId("overall-score").waitFor();
    assert.equal(page.url(), url, "the host page's URL (and hash) is untouched by the app's navigation");
    const stored = await page.evaluate(() => Object.keys(localStorage));
    assert.ok(stored.includes("equitas-example-inline-heat"), `the draft is kept under the element's storage-key: ${stored}`);
    const shown = (await el.getByTestId("overall-score").innerText()).replace(/\s+/g, " ").trim();
    const band = (await el.getByTestId("band").innerText()).replace(/^Rating:\s*/, "").trim();
    await page.getByTestId("host-status").getByText(/Assessment completed/).waitFor({ timeout: 5000 });
    const status = (await page.getByTestId("host-status").innerText()).trim();
    const m = /^Assessment completed: (.+) \(([\d.]+)\/100\)$/.exec(status);
    assert.ok(m, `host status: ${JSON.stringify(status)}`);
    assert.equal(m[1], band);
    assert.ok(Math.abs(Number(m[2]) - Number(shown.replace(/ out of 100$/, ""))) <= 0.05, `host score ${m[2]} = element score ${shown}`);
  });
});

test("the host hears of completion only after Submit: results seen before submitting report nothing", async () => {
  await withPage(browser, [app.origin, host.origin], async (page) => {
    await page.goto(`${host.url("/examples/intranet.html")}?app=${encodeURIComponent(app.origin)}`);
    await page.locator("iframe.equitas-embed-frame").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector("[data-equitas-assessment]")?.dataset.equitasState === "ready", null, { timeout: 15000 });
    const fl = page.frameLocator("iframe.equitas-embed-frame");
    await page.evaluate(() => {
      window.__completedEvents = 0;
      document.addEventListener("equitas:completed", () => (window.__completedEvents += 1));
    });
    const quiet = async (what) => {
      await page.waitForTimeout(400);
      assert.equal((await page.locator(STATUS).innerText()).trim(), "", `${what}: no completion status on the host`);
      assert.equal(await page.evaluate(() => window.__completedEvents), 0, `${what}: no equitas:completed event`);
    };
    // An empty assessment: results so far, then a refused Submit.
    await fl.getByRole("button", { name: "Start now" }).click();
    await fl.getByRole("link", { name: "See your results so far" }).click();
    await fl.getByTestId("overall-score").waitFor();
    await quiet("results of an empty assessment");
    await fl.getByRole("link", { name: "Back to your assessment" }).first().click();
    await fl.getByRole("link", { name: "Check your answers and submit" }).click();
    await fl.getByRole("button", { name: "Submit and see results" }).click();
    await fl.locator(".nhsuk-error-summary").waitFor();
    await quiet("Submit refused for an incomplete assessment");
    // A complete assessment whose results are looked at without submitting.
    await fl.getByRole("link", { name: "Back to your assessment" }).first().click();
    await fl.getByRole("link", { name: "Import answers from a file" }).click();
    await fl.getByLabel("Import answers from a file").setInputFiles(completeWithGaps());
    await fl.getByRole("button", { name: /^(upload and )?import$/i }).click();
    // The draft had no answers, so the import goes straight to the task list (no "Replace?" step).
    await fl.getByRole("link", { name: "See your results so far" }).click();
    await fl.getByTestId("overall-score").waitFor();
    await quiet("results of a complete assessment before Submit");
  });
});

test("an element the host adds after load (a single-page intranet) is framed too, once", async () => {
  await withPage(browser, [app.origin, host.origin], async (page) => {
    await page.goto(`${host.url("/examples/intranet.html")}?app=${encodeURIComponent(app.origin)}`);
    await page.locator("iframe.equitas-embed-frame").first().waitFor();
    await page.evaluate(() => {
      const later = document.createElement("div");
      later.setAttribute("data-equitas-assessment", "");
      later.setAttribute("data-instrument", "hi-maturity");
      // The example points its element at the app's origin with data-src (from ?app=); so does this.
      const first = document.querySelector("[data-equitas-assessment]");
      if (first.dataset.src) later.dataset.src = first.dataset.src;
      later.id = "added-later";
      document.body.append(later);
    });
    const added = page.locator("#added-later iframe.equitas-embed-frame");
    await added.waitFor({ timeout: 5000 });
    const src = new URL(await added.getAttribute("src"));
    assert.equal(src.origin, app.origin, "the new frame shows the app from origin A");
    assert.equal(src.searchParams.get("instrument"), "hi-maturity", "with the new element's instrument");
    // More changes to the page frame nothing twice.
    await page.evaluate(() => document.body.append(document.createElement("p")));
    await page.waitForTimeout(200);
    assert.equal(await page.locator("iframe.equitas-embed-frame").count(), 2, "one frame per element");
  });
});

test("a second inline element for the same instrument says it cannot show it, and the first keeps working", async () => {
  await withPage(
    browser,
    app.origin,
    async (page) => {
      await page.goto(app.url("/examples/inline.html"));
      await page.waitForFunction(() => document.querySelector("equitas-assessment")?.dataset.equitasState === "ready", null, { timeout: 15000 });
      await page.evaluate(() => {
        const second = document.createElement("equitas-assessment");
        second.setAttribute("instrument", "heat");
        second.setAttribute("storage-key", "second");
        second.id = "second";
        document.body.append(second);
      });
      await page.waitForFunction(() => document.getElementById("second")?.dataset.equitasState === "error", null, { timeout: 5000 });
      const alert = (await page.locator("#second [role=alert]").innerText()).trim();
      assert.match(alert, /already shows the instrument "heat"/, alert);
      const first = page.locator("equitas-assessment").first();
      assert.equal(await first.getAttribute("data-equitas-state"), "ready", "the first element is untouched");
      const ids = await page.evaluate(() =>
        [...document.querySelectorAll("[id]")].map((e) => e.id).filter((id, i, all) => all.indexOf(id) !== i),
      );
      assert.deepEqual(ids, [], "no field id appears twice on the page");
    },
    { allowConsole: [/already shows the instrument/] },
  );
});
