// The web benchmark: what a user of the browser app waits for.
//
//   node www/bench/web.mjs [--url http://127.0.0.1:PORT/ | --root DIR] [--loads 10] [--calls 200]
//                          [--subgroups 100000] [--wasm NAME:RAW:GZIP:TARGET_RAW:TARGET_GZIP ...]
//
// `cargo xtask bench web` runs it after building the web package. Without --url it serves --root
// (default: the www/ beside this file) itself, with the repository's one static server
// (www/tools/server.mjs, the one `cargo xtask serve` runs and the browser tests start); --url
// measures a server already running instead.
//
// It reports, as a Markdown table:
//   (a) each optimised wasm module's size, raw and gzipped: equitas_wasm (the assessment engine,
//       what the start page and the form load), equitas_measures (the data page's measures) and
//       equitas_cohort (the cohort classifier, which no page loads), equitas_team (the Word
//       document and compare, fetched only when asked for);
//       from xtask's `--wasm name:raw:gzip:target-raw:target-gzip` (gzip -9) when given, else
//       fetched and gzipped here (the targets are then xtask's, not shown);
//   (b) the start page's time to usable: navigation start → the app sets
//       document.documentElement.dataset.equitasReady = "true" (wasm loaded, start button
//       working), over N cold loads, each in a fresh browser context (empty cache);
//   (c) the engine's time per call in the page: scoreAssessment on the thorough HEAT example,
//       and validateAssessment and assessmentProgress (what runs on every keystroke), after a
//       warm-up, each call timed on its own with performance.now(); and summariseAssessments
//       on 1,000 copies of the example (the engine's heaviest use of its memory allocator);
//       and scoreAssessment on the example with an evidence table of --subgroups rows in one
//       dimension (issue 12 finding 7: 100,000 rows took 24 s);
//   (d) the data page on one big stratum (issue 12 finding 7: 100,000 subgroups took 44 s): a
//       SYNTHETIC HEAT Plus file of one stratum of --subgroups subgroups (default 100,000), the
//       same file the criterion bench `measures_one_big_stratum` reads natively: the engine
//       call alone (measureHeatPlus, median of 3 after a warm-up), and the whole page, from
//       pressing "Measure inequality" with the file chosen to the results shown.
// Chromium: /usr/bin/chromium (or $CHROMIUM), headless, with the flags of the project contract.

import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { cpus } from "node:os";
import { chromium } from "playwright-core";
import { startServer } from "../tools/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");

/** The wasm modules `cargo xtask wasm` builds into pkg/, and which pages load each. */
const MODULES = [
  { name: "equitas_wasm", what: "the assessment engine (start page, form, results)" },
  { name: "equitas_measures", what: "the data page's measures (measureHeatPlus)" },
  { name: "equitas_cohort", what: "the cohort classifier (no page; for embedders)" },
  { name: "equitas_team", what: "a team's tools (the Word document, compare; fetched only when asked for)" },
];

const options = parseArgs(process.argv.slice(2));
const LOADS = options.loads;
const CALLS = options.calls;
const WARMUP = 20;
const PORTFOLIO = 1000;
const READY_TIMEOUT_MS = 15_000;
const FIXTURE = options.fixture ?? join(repo, "tests/fixtures/assessments/examples/heat-thorough.json");
const SUBGROUPS = options.subgroups;

function parseArgs(argv) {
  const out = { url: null, root: join(here, ".."), loads: 10, calls: 200, subgroups: 100_000, fixture: null, wasm: [] };
  const need = (i, name) => {
    if (i + 1 >= argv.length) fail(`${name} needs a value`);
    return argv[i + 1];
  };
  const count = (value, name) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) fail(`${name} must be a whole number from 1, got ${JSON.stringify(value)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 2) {
    const arg = argv[i];
    const value = need(i, arg);
    switch (arg) {
      case "--url":
        out.url = value.endsWith("/") ? value : `${value}/`;
        break;
      case "--root":
        out.root = resolve(value);
        break;
      case "--loads":
        out.loads = count(value, arg);
        break;
      case "--calls":
        out.calls = count(value, arg);
        break;
      case "--subgroups":
        out.subgroups = count(value, arg);
        break;
      case "--fixture":
        out.fixture = resolve(value);
        break;
      case "--wasm": {
        const [name, raw, gzip, targetRaw, targetGzip, ...rest] = value.split(":");
        if (!MODULES.some((m) => m.name === name) || targetGzip === undefined || rest.length) {
          fail(
            `--wasm takes NAME:RAW:GZIP:TARGET_RAW:TARGET_GZIP with NAME one of ${MODULES.map((m) => m.name).join(", ")}, got ${JSON.stringify(value)}`,
          );
        }
        out.wasm.push({
          name,
          raw: count(raw, arg),
          gzip: count(gzip, arg),
          targetRaw: count(targetRaw, arg),
          targetGzip: count(targetGzip, arg),
        });
        break;
      }
      default:
        fail(`unknown argument ${JSON.stringify(arg)} (see the comment at the top of www/bench/web.mjs)`);
    }
  }
  return out;
}

/** The first line of an error's message, without Playwright's `page.evaluate: Error: ` prefix. */
function firstLine(e) {
  return String(e?.message ?? e)
    .split("\n")[0]
    .replace(/^page\.\w+: (Error: )?/, "");
}

function fail(message) {
  console.error(`web bench: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Statistics

function quantile(sorted, q) {
  // Nearest rank: the smallest value with at least q of the values at or below it.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const ms = (v, digits = 2) => `${v.toFixed(digits)} ms`;
const sized = (bytes) => `${bytes.toLocaleString("en-GB")} bytes`;
/** The target column of a module measured here: the targets are xtask's (`MODULES` in crates/xtask/src/web.rs). */
const TARGET_ELSEWHERE = "as `cargo xtask wasm` checks";

// ---------------------------------------------------------------------------------------------

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function main() {
  let own = null;
  let base = options.url;
  if (!base) {
    for (const { name } of MODULES) {
      await stat(join(options.root, `pkg/${name}_bg.wasm`)).catch(() =>
        fail(`${join(options.root, `pkg/${name}_bg.wasm`)} is missing: run \`cargo xtask wasm\` first`),
      );
    }
    own = await startServer({ root: options.root });
    base = own.url("/");
    console.error(`web bench: serving ${options.root} on ${base}`);
  }

  const rows = [];
  const problems = [];

  // (a) each module's size: from xtask (gzip -9) when given, else fetched and gzipped here.
  for (const { name, what } of MODULES) {
    const given = options.wasm.find((w) => w.name === name);
    if (given) {
      rows.push([
        `\`${name}_bg.wasm\`, ${what}, optimised (wasm-opt -Oz), raw`,
        sized(given.raw),
        `< ${sized(given.targetRaw)}`,
      ]);
      rows.push([
        `\`${name}_bg.wasm\`, optimised, gzipped (\`gzip -9\`)`,
        sized(given.gzip),
        `< ${sized(given.targetGzip)}`,
      ]);
    } else {
      const res = await fetch(`${base}pkg/${name}_bg.wasm`);
      if (!res.ok) fail(`${base}pkg/${name}_bg.wasm: HTTP ${res.status}; run \`cargo xtask wasm\` first`);
      const bytes = Buffer.from(await res.arrayBuffer());
      rows.push([`\`${name}_bg.wasm\`, ${what}, as served, raw`, sized(bytes.length), TARGET_ELSEWHERE]);
      rows.push([
        `\`${name}_bg.wasm\`, as served, gzipped (node zlib level 9)`,
        sized(gzipSync(bytes, { level: 9 }).length),
        TARGET_ELSEWHERE,
      ]);
    }
  }

  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  const browser = await chromium
    .launch({ executablePath, headless: true, args: FLAGS })
    .catch((e) => fail(`cannot start Chromium at ${executablePath}: ${e.message.split("\n")[0]}`));
  try {
    // (c) first: it needs only the engine, not the app.
    const fixtureText = await readFile(FIXTURE, "utf8").catch((e) =>
      fail(`cannot read the fixture ${FIXTURE}: ${e.message}`),
    );
    try {
      const timings = await engineTimings(browser, base, JSON.parse(fixtureText));
      const name = FIXTURE.split(sep).slice(-1)[0];
      for (const [fn, t] of Object.entries(timings.calls)) {
        rows.push([
          `\`${fn}\` (${name}), median / p95 of ${CALLS} calls`,
          `${ms(t.median, 3)} / ${ms(t.p95, 3)}`,
          "< 5 ms",
        ]);
      }
      rows.push([
        `\`summariseAssessments\` of ${PORTFOLIO.toLocaleString("en-GB")} copies of ${name}, median of 5`,
        ms(timings.summary, 0),
        "none set",
      ]);
    } catch (e) {
      problems.push(`engine timings: ${firstLine(e)}`);
    }

    // (c, continued) scoring an evidence table of SUBGROUPS rows.
    try {
      const t = await bigEvidenceScoring(browser, base, JSON.parse(fixtureText));
      rows.push([
        `\`scoreAssessment\` with an evidence table of ${SUBGROUPS.toLocaleString("en-GB")} rows (one dimension), median of 3`,
        ms(t, 0),
        "none set",
      ]);
    } catch (e) {
      problems.push(`big evidence table: ${firstLine(e)}`);
    }

    // (d) the data page on one stratum of SUBGROUPS subgroups.
    try {
      const t = await bigStratum(browser, base);
      const n = SUBGROUPS.toLocaleString("en-GB");
      rows.push([
        `\`measureHeatPlus\`, one stratum of ${n} subgroups (${(t.bytes / 1e6).toFixed(1)} MB CSV), median of 3`,
        ms(t.engine, 0),
        "within 3× of native (criterion: measures_one_big_stratum)",
      ]);
      rows.push([
        `data page, one stratum of ${n} subgroups: "Measure inequality" pressed → results shown`,
        ms(t.page, 0),
        "none set",
      ]);
    } catch (e) {
      problems.push(`big stratum: ${firstLine(e)}`);
    }

    // (b) the start page, cold, in a fresh context each time.
    try {
      const loads = await startPageLoads(browser, base);
      const sorted = [...loads].sort((a, b) => a - b);
      rows.push([
        `start page usable (navigation → equitasReady), median of ${LOADS} cold loads`,
        ms(median(loads), 0),
        "< 1 s",
      ]);
      rows.push([`start page usable, slowest of ${LOADS}`, ms(sorted[sorted.length - 1], 0), "< 1 s"]);
    } catch (e) {
      problems.push(`start page: ${firstLine(e)}`);
    }

    const cpu = cpus();
    console.log(
      `\nWeb benchmark: headless Chromium ${browser.version()} on ${cpu.length} × ${cpu[0]?.model?.trim() ?? "unknown CPU"}, ${new Date().toISOString().slice(0, 10)}\n`,
    );
    console.log("| measure | result | target |");
    console.log("|---|---|---|");
    for (const [what, value, target] of rows) console.log(`| ${what} | ${value} | ${target} |`);
    console.log(
      `\nEngine calls are timed one by one with performance.now() (Chromium coarsens it to 0.1 ms without cross-origin isolation), after ${WARMUP} warm-up calls each.`,
    );
  } finally {
    await browser.close();
    await own?.close();
  }
  if (problems.length) {
    console.error(`\nweb bench: not everything could be measured:\n  - ${problems.join("\n  - ")}`);
    process.exit(1);
  }
}

/** Median and p95 (ms per call) of each engine function on `assessment`, and the median time of
 * a portfolio summary of PORTFOLIO copies of it, in a blank page. */
async function engineTimings(browser, base, assessment) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Any page of the origin will do (the engine is imported by URL); bench/index.html is a
    // blank one with the app's CSP.
    await page.goto(`${base}bench/index.html`);
    return await page.evaluate(
      async ({ assessment, calls, warmup, portfolioSize }) => {
        const eq = await import("/pkg/equitas_wasm.js");
        await eq.default();
        const out = {};
        for (const fn of ["scoreAssessment", "validateAssessment", "assessmentProgress"]) {
          if (typeof eq[fn] !== "function") {
            throw new Error(
              `the wasm exports no ${fn} (this build has: ${Object.keys(eq)
                .filter((k) => k !== "default")
                .join(", ")})`,
            );
          }
          try {
            eq[fn](assessment);
          } catch (e) {
            throw new Error(`${fn} threw on the fixture: ${e.message}`);
          }
          for (let i = 0; i < warmup; i++) eq[fn](assessment);
          const times = new Float64Array(calls);
          for (let i = 0; i < calls; i++) {
            const t0 = performance.now();
            eq[fn](assessment);
            times[i] = performance.now() - t0;
          }
          times.sort();
          const mid = calls >> 1;
          out[fn] = {
            median: calls % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2,
            p95: times[Math.min(calls - 1, Math.ceil(0.95 * calls) - 1)],
          };
        }
        // The heaviest allocation pattern the engine has: a portfolio summary loads every file
        // (a JSON tree each) while building its counts. What the allocator choice is judged on.
        const portfolio = Array.from({ length: portfolioSize }, () => assessment);
        const asOf = "2026-12-04";
        eq.summariseAssessments(portfolio, asOf);
        const runs = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          eq.summariseAssessments(portfolio, asOf);
          runs.push(performance.now() - t0);
        }
        runs.sort((a, b) => a - b);
        return { calls: out, summary: runs[2] };
      },
      { assessment, calls: CALLS, warmup: WARMUP, portfolioSize: PORTFOLIO },
    );
  } finally {
    await context.close();
  }
}

/** A small deterministic generator (the measures bench's LCG, in BigInt): numbers in [0, 1). */
function lcg(seed) {
  let state = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  return () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & mask;
    return Number(state >> 11n) / 9007199254740992;
  };
}

/** The SYNTHETIC file of benches/measures.rs `big_stratum_csv(n, false)`: one stratum of `n`
 * subgroups, not ordered, the first the reference; the same bytes. */
function bigStratumCsv(n) {
  const unit = lcg(7);
  const lines = [
    "setting,date,source,indicator_abbr,dimension,subgroup,estimate,se,population,favourable_indicator,indicator_scale,ordered_dimension,subgroup_order,reference_subgroup",
  ];
  for (let j = 1; j <= n; j++) {
    const estimate = (5 + 90 * unit()).toFixed(2);
    const se = (0.5 + 2.5 * unit()).toFixed(3);
    const population = (100 + 99900 * unit()).toFixed(0);
    lines.push(
      `Synthetic,2024,Survey,x,Area,Subgroup ${j},${estimate},${se},${population},1,100,0,0,${j === 1 ? 1 : 0}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Median ms of scoreAssessment on `assessment` with its evidence table replaced by SUBGROUPS
 * rows of one ordered dimension. */
async function bigEvidenceScoring(browser, base, assessment) {
  const big = structuredClone(assessment);
  const evidence = big.answers["assess.evidence"];
  if (!evidence) throw new Error("the fixture has no assess.evidence answer");
  const unit = lcg(11);
  evidence.rows = Array.from({ length: SUBGROUPS }, (_, i) => ({
    dimension: "Small area",
    subgroup: `Area ${i + 1}`,
    order: i + 1,
    estimate: Math.round(500 + 4000 * unit()) / 100,
    population: Math.round(100 + 9900 * unit()),
    se: Math.round(50 + 250 * unit()) / 100,
  }));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}bench/index.html`);
    return await page.evaluate(async (assessment) => {
      const eq = await import("/pkg/equitas_wasm.js");
      await eq.default();
      eq.scoreAssessment(assessment);
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const model = eq.scoreAssessment(assessment);
        runs.push(performance.now() - t0);
        if (!model.report.quantified.length || !model.charts.length)
          throw new Error("the evidence table was not quantified");
      }
      runs.sort((a, b) => a - b);
      return runs[1];
    }, big);
  } finally {
    await context.close();
  }
}

/** The data page on one stratum of SUBGROUPS subgroups: the engine call alone (median of 3,
 * after a warm-up) and the page from pressing the button to the results shown. */
async function bigStratum(browser, base) {
  const csv = bigStratumCsv(SUBGROUPS);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}data.html`);
    await page.waitForFunction(() => document.documentElement.dataset.equitasReady === "true", null, {
      timeout: READY_TIMEOUT_MS,
    });
    const engine = await page.evaluate(async (csv) => {
      const eq = await import("/pkg/equitas_measures.js");
      await eq.default();
      eq.measureHeatPlus(csv);
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const out = eq.measureHeatPlus(csv);
        runs.push(performance.now() - t0);
        const measured = out.tables.reduce((n, t) => n + t.measures.length, 0);
        if (measured !== 21) throw new Error(`expected 21 results, got ${measured}`);
      }
      runs.sort((a, b) => a - b);
      return runs[1];
    }, csv);
    await page
      .getByLabel("Your CSV file")
      .setInputFiles({ name: "big-stratum.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    const t0 = Date.now();
    await page.getByRole("button", { name: "Measure inequality" }).click();
    await page.getByTestId("data-results-heading").waitFor({ timeout: 300_000 });
    const shown = Date.now() - t0;
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    return { engine, page: shown, bytes: csv.length };
  } finally {
    await context.close();
  }
}

/** Milliseconds from navigation start to the ready flag, for each of LOADS cold loads. */
async function startPageLoads(browser, base) {
  const head = await fetch(`${base}index.html`, { method: "HEAD" });
  if (!head.ok) {
    throw new Error(
      `${base}index.html answers HTTP ${head.status}: the app's start page is not there yet (www/index.html)`,
    );
  }
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    try {
      // Record the moment the app sets the flag, from inside the page, before its scripts run.
      await context.addInitScript(() => {
        const mark = () => {
          if (window.__equitasReadyAt === undefined && document.documentElement?.dataset.equitasReady === "true") {
            window.__equitasReadyAt = performance.now();
          }
        };
        new MutationObserver(mark).observe(document, {
          attributes: true,
          subtree: true,
          attributeFilter: ["data-equitas-ready"],
        });
      });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${base}index.html`, { waitUntil: "commit" });
      try {
        await page.waitForFunction(() => window.__equitasReadyAt !== undefined, null, { timeout: READY_TIMEOUT_MS });
      } catch {
        throw new Error(
          `load ${i + 1}: the start page did not set document.documentElement.dataset.equitasReady = "true" ` +
            `within ${READY_TIMEOUT_MS / 1000} s` +
            (errors.length ? ` (page errors: ${errors.join("; ")})` : ""),
        );
      }
      times.push(await page.evaluate(() => window.__equitasReadyAt));
    } finally {
      await context.close();
    }
  }
  return times;
}

main().catch((e) => {
  console.error(`web bench: ${e.stack ?? e}`);
  process.exit(1);
});
