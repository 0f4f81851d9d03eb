// How the tests use the self-assessment app as a person would: through labels, roles and the
// keyboard. Not a test file (node --test picks up only *.test.mjs).

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tabTo, focusedInfo, readRepoJson, assertFocusVisible, REPO, WWW } from "./helpers.mjs";

export const HEAT = await readRepoJson("seeds/instruments/heat-v1.json");
export const DRAFT_KEY = "equitas:draft:heat";
export const FIXTURES = path.join(REPO, "tests/fixtures/assessments/examples");

/** The engine, in Node, from the same wasm the page loads: used to cross-check what pages show. */
let engine = null;
export async function nodeEngine() {
  if (engine) return engine;
  const mod = await import(path.join(WWW, "pkg/equitas_wasm.js"));
  mod.initSync({ module: fs.readFileSync(path.join(WWW, "pkg/equitas_wasm_bg.wasm")) });
  engine = mod;
  return mod;
}

export function questionByLabel(inst, label) {
  const clean = label
    .replace(/\s+/g, " ")
    .trim()
    .replace(/ \(optional\)$/, "");
  for (const s of inst.sections) for (const q of s.questions) if (q.label === clean) return { section: s, question: q };
  return null;
}

/** Wait for the app to show another page after a key press (hash route change), or fail with the
 * error summary if the app refused the page. */
export async function waitForNextPage(page, before, what) {
  const summary = page.locator(".nhsuk-error-summary");
  const changed = page.waitForFunction((h) => location.hash !== h, before, { timeout: 8000 });
  const err = summary
    .first()
    .waitFor({ state: "visible", timeout: 8000 })
    .then(() => "error");
  const r = await Promise.race([changed.then(() => "page"), err]).catch((e) => e);
  if (r === "error") {
    assert.fail(
      `${what}: the app showed an error summary instead of the next page:\n${await summary.first().innerText()}`,
    );
  }
  if (r instanceof Error) throw new Error(`${what}: no new page after the key press (${r.message})`);
  // The hash changes before the app renders (hashchange is async): wait for the new page to take
  // focus, which the contract puts on its h1 (or on the error summary). Tabbing earlier would
  // start from the old page's button.
  const focused = await page
    .waitForFunction(
      () => {
        const a = document.activeElement;
        return !!a && (a.tagName === "H1" || !!a.closest?.(".nhsuk-error-summary"));
      },
      null,
      { timeout: 3000 },
    )
    .then(
      () => true,
      () => false,
    );
  if (!focused) {
    const f = await focusedInfo(page);
    assert.fail(
      `${what}: after the page changed to ${await page.evaluate(() => location.hash)}, focus is on ${f.tag} "${f.name}", not the new page's h1`,
    );
  }
}

const isControl = (f) => ["input", "textarea", "select"].includes(f.tag);

/** Keyboard: press Enter on the button or link whose accessible name is `name` (reached by Tab). */
export async function activate(page, name, { tag, max = 80 } = {}) {
  const re = name instanceof RegExp ? name : new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  await tabTo(page, (f) => (!tag || f.tag === tag) && re.test(f.name), { max, what: `"${name}"` });
  await assertFocusVisible(page, `"${name}"`);
  await page.keyboard.press("Enter");
}

/** What the keyboard test answers, by question kind: only what the question needs. */
const TEXT = {
  "prepare.title": "Keyboard-only community clinic review (SYNTHETIC)",
  default: "Typed with the keyboard only.",
};

/**
 * Answer the question on the current page with the keyboard only, if it is required; then press
 * Continue. Returns the question id. Focus is on the page's h1 when this is called (the app moves
 * it there on every page change), so Tab walks forward from the question's heading.
 */
export async function answerByKeyboard(page, inst, typed) {
  const h1 = (await page.locator("h1").first().innerText()).trim();
  const found = questionByLabel(inst, h1);
  assert.ok(found, `the page's h1 "${h1}" is a question of ${inst.id} (at ${page.url()})`);
  const q = found.question;
  const k = q.kind;
  const label = q.label;
  if (q.required) {
    switch (k.type) {
      case "text": {
        await tabTo(page, (f) => isControl(f) && f.name.startsWith(label), { what: `the field "${label}"` });
        await assertFocusVisible(page, `the field "${label}"`);
        const text = TEXT[q.id] || TEXT.default;
        await page.keyboard.type(text);
        typed[q.id] = text;
        break;
      }
      case "date": {
        // The NHS.UK date input: day, month and year, each a field of its own, Tab between them.
        const [year, month, day] = q.id.startsWith("review") ? ["2027", "3", "31"] : ["2026", "3", "27"];
        for (const [name, text] of [
          ["Day", day],
          ["Month", month],
          ["Year", year],
        ]) {
          await tabTo(page, (f) => isControl(f) && f.name === name, { max: 4, what: `the ${name} of "${label}"` });
          await assertFocusVisible(page, `the ${name} of "${label}"`);
          await page.keyboard.type(text);
        }
        typed[q.id] = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
        break;
      }
      case "single_choice":
      case "rating": {
        const first = (k.options || k.levels)[0];
        const f = await tabTo(page, (x) => x.tag === "input" && x.type === "radio", { what: `a radio of "${label}"` });
        assert.equal(f.name, first.label, `Tab enters the radios of "${label}" at the first option`);
        await assertFocusVisible(page, `the radio "${first.label}"`);
        await page.keyboard.press("Space");
        assert.ok((await focusedInfo(page)).checked, `Space selects "${first.label}"`);
        typed[q.id] = first.id;
        break;
      }
      case "multiple_choice": {
        const first = k.options[0];
        await tabTo(page, (x) => x.type === "checkbox" && x.name === first.label, {
          what: `the checkbox "${first.label}"`,
        });
        await assertFocusVisible(page, `the checkbox "${first.label}"`);
        await page.keyboard.press("Space");
        assert.ok((await focusedInfo(page)).checked, `Space ticks "${first.label}"`);
        typed[q.id] = [first.id];
        break;
      }
      case "dimension_checklist": {
        const item = k.items[0];
        await tabTo(page, (x) => x.type === "checkbox" && x.name === item.label, {
          what: `the checkbox "${item.label}"`,
        });
        await page.keyboard.press("Space");
        assert.ok((await focusedInfo(page)).checked, `Space ticks "${item.label}"`);
        // The impact radios are revealed right after the ticked box.
        await tabTo(page, (x) => x.type === "radio" && x.name === "Positive", {
          max: 4,
          what: `the impact of "${item.label}"`,
        });
        await page.keyboard.press("Space");
        typed[q.id] = { [item.id]: { considered: true, impact: "positive" } };
        break;
      }
      case "table": {
        const col = k.columns.find((c) => c.required) || k.columns[0];
        await tabTo(page, (x) => isControl(x) && x.name.startsWith(col.label), {
          what: `the "${col.label}" cell of row 1`,
        });
        const text = "Run an evening clinic";
        await page.keyboard.type(text);
        typed[q.id] = [{ [col.id]: text }];
        break;
      }
      default:
        assert.fail(`the keyboard test does not know how to answer a required ${k.type} question (${q.id})`);
    }
  }
  const before = await page.evaluate(() => location.hash);
  await activate(page, "Continue", { tag: "button" });
  await waitForNextPage(page, before, `Continue on "${label}"`);
  return q.id;
}

/** Open the app and wait for the engine (contract: data-equitas-ready). */
export async function openStart(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, { timeout: 15000 });
}

// ---------------------------------------------------------------------------------------------
// Mouse-and-typing helpers for the tests that are not about the keyboard.

/** From the start page to the heat task list. */
export async function startHeat(page) {
  await page
    .getByRole("button", { name: "Start now" })
    .or(page.getByRole("link", { name: "Start now" }))
    .first()
    .click();
  // Start leads to the instrument choice or straight to the task list: wait for one of them
  // before looking (the choice page renders after the click returns).
  const heat = page.getByRole("radio", { name: HEAT.title });
  await heat.or(page.getByTestId("task-list")).first().waitFor();
  if (await heat.isVisible()) {
    await heat.check();
    await page.getByRole("button", { name: "Continue" }).click();
  }
  await page.waitForURL(/#\/heat\/tasks$/);
}

/** Open the first question of a section from the task list (by its title). */
export async function openSection(page, title) {
  await page.getByRole("link", { name: title, exact: true }).click();
  await page.waitForURL(/#\/heat\/(q|check)\//);
}

/** Import a saved file through the app's Import page; lands on the task list. */
export async function importFile(page, filePathOrPayload, { replace = true } = {}) {
  await page.goto(page.url().replace(/#.*$/, "") + "#/heat/import");
  await page.getByLabel("Import answers from a file").setInputFiles(filePathOrPayload);
  await page.getByRole("button", { name: /^(upload and )?import$/i }).click();
  const confirm = page.getByRole("button", { name: "Replace my answers" });
  const tasks = page.waitForURL(/#\/heat\/tasks$/, { timeout: 8000 });
  const which = await Promise.race([
    tasks.then(() => "tasks"),
    confirm.waitFor({ timeout: 8000 }).then(() => "confirm"),
    page
      .locator(".nhsuk-error-summary")
      .waitFor({ timeout: 8000 })
      .then(() => "error"),
  ]);
  if (which === "confirm") {
    if (!replace) return "confirm";
    await confirm.click();
    await page.waitForURL(/#\/heat\/tasks$/);
    return "tasks";
  }
  return which;
}

/** From anywhere in the app: check all answers, submit, and wait for the results' score. */
export async function submitAndSeeResults(page) {
  await page.goto(page.url().replace(/#.*$/, "") + "#/heat/check");
  await page.getByRole("button", { name: "Submit and see results" }).click();
  await page.waitForURL(/#\/heat\/results$/);
  await page.getByTestId("overall-score").waitFor();
}

/** The overall score the results page shows, as a number (fails unless it reads "N out of 100"). */
export async function shownScore(page) {
  const text = (await page.getByTestId("overall-score").innerText()).replace(/\s+/g, " ").trim();
  const m = /^([−-]?\d+(?:\.\d+)?) out of 100$/.exec(text);
  assert.ok(m, `the score reads "N out of 100": ${JSON.stringify(text)}`);
  const n = Number(m[1].replace("−", "-"));
  assert.ok(n >= 0 && n <= 100, `the score ${n} is between 0 and 100`);
  return n;
}

/** The gaps table's rows as {gap, todo, where}. */
export async function shownGaps(page) {
  const table = page.getByRole("table", { name: "Gaps found, with recommendations" });
  await table.waitFor();
  const rows = await table.locator("tbody tr").all();
  const out = [];
  for (const r of rows) {
    const cells = await r.locator("th, td").allInnerTexts();
    out.push({ gap: cells[0], todo: cells[1], where: cells[2] });
  }
  return out;
}

/** A saved file from the repo's examples, as an upload payload for setInputFiles. */
export function fixturePayload(name, edit) {
  const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
  if (edit) edit(json);
  return { name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(json, null, 2)) };
}

/**
 * heat-gaps.json made complete (it leaves three required answers open on purpose): a finished
 * assessment whose report still has gaps, for the results, print and embed tests.
 */
export function completeWithGaps(edit) {
  return fixturePayload("heat-gaps.json", (j) => {
    j.answers["prepare.coproduction_plan"] = "Ask the patient panel in April.";
    j.answers["refine.actions"][0].due = "2026-04-30";
    j.answers["refine.data_completeness_plan"] = "Add ethnicity to the booking form.";
    if (edit) edit(j);
  });
}
