// A person completes a heat assessment with the keyboard only: Tab, typing, Space and Enter; no
// click() and no fill(). The answers given are the fewest the instrument requires (the required
// questions of every visible section, read from seeds/instruments/heat-v1.json by the question each
// page shows), so the path is realistic but short. At the end the person sees a score and gaps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowserAndServer, withPage, tabTo, focusedInfo, storedDraft } from "./helpers.mjs";
import { HEAT, DRAFT_KEY, answerByKeyboard, activate, waitForNextPage, openStart, shownScore, shownGaps, nodeEngine } from "./app-driver.mjs";

let browser, server;
sharedBrowserAndServer((b, s) => ([browser, server] = [b, s]));

test("keyboard only: start, answer every required question, confirm each section, submit, see a score and gaps", async () => {
  await withPage(browser, server.origin, async (page) => {
    await openStart(page, server.url("/"));
    const hash = () => page.evaluate(() => location.hash);

    // The skip link is the first thing Tab reaches.
    const first = await tabTo(page, () => true, { max: 1 });
    assert.equal(first.name, "Skip to main content", "the first Tab stop is the skip link");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "maincontent", "the skip link moves focus to the main content");
    assert.equal(await page.evaluate(() => location.hash), "", "the skip link leaves the app's route (the hash) alone");

    let before = await hash();
    await activate(page, "Start now");
    await waitForNextPage(page, before, "Start now");

    // Choosing the assessment, if the app asks.
    if (/#\/choose/.test(await hash())) {
      await tabTo(page, (f) => f.type === "radio", { what: "the first assessment radio" });
      for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement.labels?.[0]?.textContent.trim())) !== HEAT.title; i++) {
        await page.keyboard.press("ArrowDown");
      }
      await page.keyboard.press("Space");
      before = await hash();
      await activate(page, "Continue", { tag: "button" });
      await waitForNextPage(page, before, "Continue after choosing");
    }
    assert.match(await hash(), /^#\/heat\/tasks$/, "the task list follows the start");

    const typed = {};
    for (const section of HEAT.sections) {
      before = await hash();
      await activate(page, section.title, { tag: "a" });
      await waitForNextPage(page, before, `open the section ${section.title}`);
      if (section === HEAT.sections[0]) {
        // First question: Continue with nothing, and recover through the error summary as a
        // keyboard user does: focus lands on the summary, its link takes focus to the field.
        const q = section.questions[0];
        assert.equal(q.kind.type, "text", "the instrument starts with a text question");
        await activate(page, "Continue", { tag: "button" });
        await page.waitForFunction(() => document.activeElement?.closest?.(".nhsuk-error-summary"), null, { timeout: 3000 }).catch(() => {});
        assert.ok(
          await page.evaluate(() => !!document.activeElement?.closest?.(".nhsuk-error-summary")),
          "after Continue with nothing, focus is on the error summary",
        );
        const link = await tabTo(page, (f) => f.tag === "a", { max: 3, what: "the error summary's link" });
        assert.ok(await page.evaluate(() => !!document.activeElement.closest(".nhsuk-error-summary")), `the first link after the summary's heading is in the summary: ${link.name}`);
        const href = await page.evaluate(() => document.activeElement.getAttribute("href"));
        await page.keyboard.press("Enter");
        assert.equal(await page.evaluate(() => "#" + document.activeElement.id), href, "Enter on the summary's link moves focus to the field");
        const f = await focusedInfo(page);
        assert.ok(f.name.startsWith(q.label), `the field focused is "${q.label}" (got "${f.name}")`);
        await page.keyboard.type("Keyboard-only community clinic review (SYNTHETIC)");
        typed[q.id] = "Keyboard-only community clinic review (SYNTHETIC)";
        before = await hash();
        await activate(page, "Continue", { tag: "button" });
        await waitForNextPage(page, before, "Continue after correcting the error");
      }
      let guard = 0;
      while (/#\/heat\/q\//.test(await hash())) {
        assert.ok(guard++ < section.questions.length + 2, `too many question pages in ${section.title}`);
        await answerByKeyboard(page, HEAT, typed);
      }
      assert.equal(await hash(), `#/heat/check/${section.id}`, `after the last question of ${section.title}, its check-answers page`);
      // The check-answers page lists what was typed.
      const list = await page.locator(".nhsuk-summary-list").innerText();
      for (const [qid, v] of Object.entries(typed)) {
        // Free text is shown as typed (dates are shown in words, choices by their labels).
        const kind = section.questions.find((q) => q.id === qid)?.kind.type;
        if (kind === "text") {
          assert.ok(list.includes(v), `check answers shows "${v}" for ${qid}`);
        }
      }
      before = await hash();
      await activate(page, "Confirm section", { tag: "button" });
      await waitForNextPage(page, before, `confirm ${section.title}`);
      assert.equal(await hash(), "#/heat/tasks");
    }
    const done = await page.getByTestId("sections-done").innerText();
    assert.match(done, new RegExp(`completed ${HEAT.sections.length} of ${HEAT.sections.length} sections`), done);

    before = await hash();
    await activate(page, "Check your answers and submit", { tag: "a" });
    await waitForNextPage(page, before, "check all answers");
    before = await hash();
    await activate(page, "Submit and see results", { tag: "button" });
    await waitForNextPage(page, before, "submit");
    assert.equal(await hash(), "#/heat/results");

    // What the person sees: a score 0-100 and at least one gap with its recommendation.
    await page.getByTestId("overall-score").waitFor();
    const score = await shownScore(page);
    const gaps = await shownGaps(page);
    assert.ok(gaps.length >= 1, "at least one gap is listed");
    for (const g of gaps) {
      const rule = HEAT.gaps.find((x) => x.title === g.gap);
      assert.ok(rule, `the gap "${g.gap}" is one of the instrument's gap rules`);
      assert.equal(g.todo, rule.recommendation, `the gap "${g.gap}" shows its recommendation`);
    }
    // The score shown is the engine's score of the answers the person gave (saved as they typed).
    const draft = await storedDraft(page);
    assert.ok(draft && draft.answers, "the draft is saved in this browser (IndexedDB)");
    for (const [qid, v] of Object.entries(typed)) {
      if (typeof v === "string") assert.equal(draft.answers[qid], v, `saved answer to ${qid}`);
    }
    const eng = await nodeEngine();
    assert.deepEqual(eng.validateAssessment(draft), [], "the saved answers are complete");
    const report = eng.scoreAssessment(draft).report;
    assert.ok(Math.abs(report.overall - score) <= 0.05, `shown score ${score} = engine score ${report.overall}`);
    assert.deepEqual(gaps.map((g) => g.gap), report.gaps.map((g) => g.title), "the gaps shown are the report's gaps");
  });
});
