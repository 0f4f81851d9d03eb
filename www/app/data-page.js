// @ts-check
// The data page: a CSV in the WHO HEAT Plus layout in, the 21 summary measures out, per
// setting × date × source × indicator × dimension, each with a chart of the subgroup estimates.
// Everything is computed here in the browser by the engine (measureHeatPlus), which returns the
// page's model: each table's measures with their names and what they tell you, the glossary, the
// method and confidence level, and each table's chart; this module only draws it. The file is
// never sent anywhere. A bad file computes nothing: the engine lists every bad row, column and
// value and the page shows that list in an error summary.

import { ready, measureHeatPlus } from "./data-engine.js";
import { EVIDENCE_HANDOFF } from "./storage.js";
import { downloadText, downloadBlob, svgText, pngOf, csvCell } from "./download.js";
import { h, clear, append } from "./dom.js";
import { gradientChart, chartFigure, dataTable, tableBox, fmt, noteText, siiMethodsTable } from "./charts.js";
import { seriesBlock } from "./series-view.js";

/** @typedef {import("./data-engine.js").MeasuredFile} MeasuredFile */
/** @typedef {import("./data-engine.js").MeasuredTable} MeasuredTable */
/** @typedef {import("./data-engine.js").MeasureInfo} MeasureInfo */
/** @typedef {import("./data-engine.js").Options} Options */
/** @typedef {import("./charts.js").Table} Table */

const EXAMPLE_URL = "examples/heat-plus-synthetic.csv";

/** The most subgroups a stratum's chart shows. Past this each would be a few pixels wide, and
 * the chart (a mark, a whisker and a label per subgroup) takes the browser seconds to draw: a
 * stratum of 100,000 subgroups overflowed its call stack. Such a stratum's estimates are shown
 * in the table alone, and the page says why. */
export const CHART_MAX_SUBGROUPS = 100;

/** The most subgroups listed in the table of a stratum too big to chart: the first ones in order.
 * A table of 100,000 rows took the browser over 10 s to build and cannot be read on a page; the
 * page says how many are listed, and the measures use every subgroup. */
export const TABLE_MAX_ROWS = 1000;

/**
 * An element of data.html.
 *
 * @template {HTMLElement} E
 * @param {string} id - Its id
 * @returns {E} The element
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`data.html has no #${id}`);
  return /** @type {E} */ (el);
}

/** @type {HTMLFormElement} */
const form = byId("data-form");
/** @type {HTMLInputElement} */
const fileInput = byId("data-file");
const fileGroup = byId("data-file-group");
const exampleButton = byId("data-example");
const errorsBox = byId("data-errors");
const resultsBox = byId("data-results");
const status = byId("data-status");

const engine = ready().then(
  () => {
    document.documentElement.dataset.equitasReady = "true";
  },
  (e) => {
    showErrors("The measuring engine could not start", [messageOf(e)], null);
    throw e;
  },
);

/**
 * What went wrong, in words.
 *
 * @param {unknown} e - What was thrown
 * @returns {string} Its message
 */
function messageOf(e) {
  return String(e instanceof Error ? e.message : e);
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const file = fileInput.files && fileInput.files[0];
  if (!file) {
    showErrors("There is a problem", ["Choose a CSV file to measure"], fileInput);
    return;
  }
  let text;
  try {
    text = await file.text();
  } catch (e) {
    showErrors(
      "There is a problem",
      [`The file ${file.name} could not be read: ${messageOf(e)}`],
      fileInput,
      "Nothing was measured. Choose the file again, or save it as CSV (UTF-8) and choose that.",
    );
    return;
  }
  await measure(text, file.name, false);
});

exampleButton.addEventListener("click", async () => {
  let text;
  try {
    const res = await fetch(EXAMPLE_URL);
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    text = await res.text();
  } catch (e) {
    showErrors("There is a problem", [`The synthetic example could not be loaded: ${messageOf(e)}`], null);
    return;
  }
  await measure(text, "heat-plus-synthetic.csv", true);
});

/**
 * The measure options chosen in the form.
 *
 * @returns {Options} The options
 */
function options() {
  const data = new FormData(form);
  return {
    compat: /** @type {Options["compat"]} */ (String(data.get("compat") || "heat-v6")),
    confidence: Number(data.get("confidence") || "0.95"),
    sii_method: /** @type {Options["sii_method"]} */ (String(data.get("sii_method") || "logistic")),
  };
}

/**
 * Measures a file's text and shows the results, or the engine's list of problems.
 *
 * @param {string} text - The CSV
 * @param {string} name - The file's name
 * @param {boolean} synthetic - Whether it is the synthetic example
 */
async function measure(text, name, synthetic) {
  status.textContent = "Measuring…";
  try {
    await engine;
  } catch {
    status.textContent = "";
    return;
  }
  let out;
  try {
    out = measureHeatPlus(text, options());
  } catch (e) {
    status.textContent = "";
    clear(resultsBox);
    const { title, items } = splitProblems(messageOf(e));
    showErrors(
      `${name} could not be measured: ${title}`,
      items,
      synthetic ? null : fileInput,
      synthetic ? "Nothing was measured." : "Nothing was measured. Correct the file and load it again.",
    );
    return;
  }
  clearErrors();
  status.textContent = `Measured ${out.tables.length} ${out.tables.length === 1 ? "table" : "tables"} from ${name}.`;
  renderMeasured(out, name, synthetic);
}

/**
 * The engine's message is a first line ("3 problems in the HEAT Plus file:") then one per line.
 *
 * @param {string} message - The engine's message
 * @returns {{title: string, items: string[]}} Its title and its problems
 */
export function splitProblems(message) {
  const lines = message
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length <= 1) return { title: "there is a problem with the file", items: lines };
  return { title: lines[0].replace(/:$/, ""), items: lines.slice(1) };
}

/**
 * Shows an error summary (and marks the file field, when the problem is the file's).
 *
 * @param {string} title - What went wrong
 * @param {string[]} items - Each problem
 * @param {HTMLInputElement | null} field - The field to go back to, if any
 * @param {string | null} [lead] - What to do, before the list (only when a file was read)
 */
function showErrors(title, items, field, lead = null) {
  clear(errorsBox);
  const list = h(
    "ul",
    { class: "nhsuk-list nhsuk-error-summary__list", "data-testid": "data-error-list" },
    items.map((it) => h("li", {}, field ? h("a", { href: `#${field.id}` }, it) : it)),
  );
  const summary = h(
    "div",
    {
      class: "nhsuk-error-summary",
      tabindex: "-1",
      "aria-labelledby": "data-error-title",
      "data-testid": "data-errors",
    },
    h(
      "div",
      { role: "alert" },
      h("h2", { class: "nhsuk-error-summary__title", id: "data-error-title" }, title),
      h("div", { class: "nhsuk-error-summary__body" }, lead ? h("p", {}, lead) : null, list),
    ),
  );
  errorsBox.append(summary);
  // links in the summary move focus to the field
  for (const a of summary.querySelectorAll("a")) {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      if (field) field.focus();
    });
  }
  if (field) {
    fileGroup.classList.add("nhsuk-form-group--error");
    let msg = document.getElementById("data-file-error");
    if (!msg) {
      msg = h(
        "p",
        { class: "nhsuk-error-message", id: "data-file-error" },
        h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "),
        "Check the file: see the list of problems above",
      );
      fileInput.before(msg);
      fileInput.setAttribute("aria-describedby", "data-file-hint data-file-error");
    }
  }
  summary.focus();
}

function clearErrors() {
  clear(errorsBox);
  fileGroup.classList.remove("nhsuk-form-group--error");
  const msg = document.getElementById("data-file-error");
  if (msg) msg.remove();
  fileInput.setAttribute("aria-describedby", "data-file-hint");
}

/**
 * Shows the engine's model of the measured file: a heading, the method, the glossary and each
 * table.
 *
 * @param {MeasuredFile} file - What measureHeatPlus returned
 * @param {string} name - The file's name
 * @param {boolean} synthetic - Whether it is the synthetic example
 */
function renderMeasured(file, name, synthetic) {
  clear(resultsBox);
  const { tables, level } = file;
  const heading = h(
    "h2",
    { class: "nhsuk-heading-l", id: "data-results-heading", tabindex: "-1", "data-testid": "data-results-heading" },
    `Results for ${name}`,
  );
  // (Element.append writes `null` as the text "null": a file of the person's own showed it under
  // the heading. dom.append skips it.)
  append(resultsBox, [
    heading,
    synthetic
      ? h(
          "div",
          { class: "nhsuk-inset-text" },
          h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "),
          h("p", {}, "This is the synthetic example: made-up figures for a fictional area, not real data."),
        )
      : null,
    h(
      "p",
      { class: "nhsuk-body" },
      `${tables.length} ${tables.length === 1 ? "table" : "tables"} (setting, date, source, indicator and dimension), ${level}% confidence intervals, method: ${file.method}.`,
    ),
    glossary(file.glossary),
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary",
        type: "button",
        "data-testid": "download-measures",
        on: { click: () => downloadText(`${stem(name)}-measures.csv`, measuresCsv(file), "text/csv") },
      },
      "Download the measures (CSV)",
    ),
  ]);
  // Over time (issue 15): each indicator x dimension with several dates, before the tables.
  file.series.forEach((series, i) => resultsBox.append(seriesBlock(series, i, level)));
  tables.forEach((t, i) => resultsBox.append(stratumBlock(t, i, level, file.glossary)));
  heading.focus();
}

/**
 * A file's name without its extension, for the names of what is downloaded from it.
 *
 * @param {string} name - The file's name
 * @returns {string} The stem
 */
function stem(name) {
  return name.replace(/\.[^.]*$/, "") || "results";
}

/**
 * Every table's measures as CSV, one row per table and measure, as the page shows them (the
 * engine's values, written in full), then each ordered table's Fingertips SII.
 *
 * @param {MeasuredFile} file - The engine's model of the file
 * @returns {string} The CSV text
 */
function measuresCsv(file) {
  const head = ["setting", "date", "source", "indicator_abbr", "indicator", "dimension", "measure", "name"];
  const lines = [[...head, "value", "lower", "upper", "confidence", "reason"].join(",")];
  for (const t of file.tables) {
    const k = t.key;
    const at = [k.setting, k.date, k.source, k.indicator_abbr, t.indicator, k.dimension];
    for (const m of t.measures) {
      const v = m.value;
      lines.push(
        [...at, m.abbr, m.name, v?.value, v?.lower, v?.upper, file.level, v ? null : m.reason].map(csvCell).join(","),
      );
    }
    const f = t.sii[0];
    if (f) lines.push([...at, "SII", f.method, f.value, f.lower, f.upper, file.level, f.reason].map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * Buttons that download a chart as SVG and as PNG.
 *
 * @param {HTMLElement} figure - The chart's figure
 * @param {string} title - The chart's title, for the files' names and the buttons' names
 * @param {number} i - The table's place, for the names
 * @returns {HTMLElement} The buttons
 */
function chartDownloads(figure, title, i) {
  const svg = /** @type {SVGSVGElement} */ (figure.querySelector("svg"));
  const base = `chart-${i + 1}-${title
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase()}`;
  const hidden = h("span", { class: "nhsuk-u-visually-hidden" }, `: ${title}`);
  return h(
    "div",
    { class: "nhsuk-button-group" },
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary nhsuk-button--small",
        type: "button",
        "data-testid": `chart-svg-${i}`,
        on: { click: () => downloadText(`${base}.svg`, svgText(svg), "image/svg+xml") },
      },
      "Download the chart (SVG)",
      hidden,
    ),
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary nhsuk-button--small",
        type: "button",
        "data-testid": `chart-png-${i}`,
        on: { click: () => void pngOf(svg).then((png) => downloadBlob(`${base}.png`, png)) },
      },
      "Download the chart (PNG)",
      hidden.cloneNode(true),
    ),
  );
}

/**
 * What the 21 measures mean, folded.
 *
 * @param {MeasureInfo[]} names - The engine's glossary
 * @returns {HTMLElement} The details element
 */
function glossary(names) {
  return h(
    "details",
    { class: "nhsuk-details" },
    h(
      "summary",
      { class: "nhsuk-details__summary" },
      h("span", { class: "nhsuk-details__summary-text" }, "What the 21 measures mean"),
    ),
    h(
      "div",
      { class: "nhsuk-details__text" },
      dataTable({
        caption: "The summary measures of inequality",
        head: ["Measure", "Full name", "What it tells you"],
        rows: names.map((m) => [m.abbr, m.name, m.about]),
      }),
    ),
  );
}

/**
 * One table: its chart (or, past CHART_MAX_SUBGROUPS, why not) and its 21 measures.
 *
 * @param {MeasuredTable} table - The engine's model of the table
 * @param {number} i - Its place among the tables
 * @param {number} level - The measures' confidence level, in per cent
 * @param {MeasureInfo[]} names - The measures' names
 * @returns {HTMLElement} The section
 */
function stratumBlock(table, i, level, names) {
  const k = table.key;
  const indicator = table.indicator;
  const title = `${indicator} by ${k.dimension}`;
  const box = h(
    "section",
    { class: "equitas-stratum", "aria-labelledby": `stratum-${i}-heading`, "data-testid": `stratum-${i}` },
    h(
      "h3",
      { class: "nhsuk-heading-m", id: `stratum-${i}-heading` },
      h(
        "span",
        { class: "nhsuk-caption-m" },
        `${k.setting}, ${k.date}, ${k.source}`,
        h("span", { class: "nhsuk-u-visually-hidden" }, " – "),
      ),
      title,
    ),
  );
  const ordered = table.ordered;
  const points = table.chart.points;
  /** @type {Table} */
  const subgroupTable = {
    caption: `${title}: subgroup estimates`,
    head: [
      "Subgroup",
      "Order",
      "Estimate",
      "Standard error",
      "Lower 95% limit",
      "Upper 95% limit",
      "Population",
      "Reference",
    ],
    rows: points
      .slice(0, points.length > CHART_MAX_SUBGROUPS ? TABLE_MAX_ROWS : points.length)
      .map((g) => [
        g.label,
        ordered ? String(g.order) : "–",
        fmt(g.estimate, 2),
        g.se !== null ? fmt(g.se, 3) : "–",
        g.lower !== null ? fmt(g.lower, 2) : "–",
        g.upper !== null ? fmt(g.upper, 2) : "–",
        g.population !== null ? fmt(g.population, 0) : "–",
        g.reference ? "Yes" : "No",
      ]),
    numeric: [1, 2, 3, 4, 5, 6],
  };
  if (points.length > CHART_MAX_SUBGROUPS) {
    const n = points.length.toLocaleString("en-GB");
    const listed = Math.min(points.length, TABLE_MAX_ROWS);
    const which =
      listed < points.length
        ? `the first ${listed.toLocaleString("en-GB")} of them (in order) are listed in the table below (a table lists up to ${TABLE_MAX_ROWS.toLocaleString("en-GB")})`
        : "their estimates are in the table below";
    box.append(
      h(
        "div",
        { class: "equitas-chart", "data-testid": `stratum-chart-${i}` },
        h(
          "p",
          { class: "nhsuk-body-s equitas-chart__note", "data-testid": `stratum-not-charted-${i}` },
          `This table has ${n} subgroups, too many to chart (a chart shows up to ${CHART_MAX_SUBGROUPS}): ${which}. The measures use every one of the ${n}.`,
        ),
        h(
          "details",
          { class: "nhsuk-details" },
          h(
            "summary",
            { class: "nhsuk-details__summary" },
            h("span", { class: "nhsuk-details__summary-text" }, "Show the subgroup estimates as a table"),
          ),
          h("div", { class: "nhsuk-details__text" }, dataTable(subgroupTable)),
        ),
      ),
    );
  } else {
    const figure = chartFigure({
      svg: gradientChart({
        title,
        chart: table.chart,
        names,
        yLabel: `${indicator}${table.favourable ? " (higher is better)" : " (lower is better)"}`,
      }),
      caption: `${title}: estimate for each subgroup${ordered ? ", in order (1 = most disadvantaged)" : ""}, with 95% confidence intervals`,
      notes: table.chart.notes.map((n) => noteText(table.chart, n)),
      testid: `stratum-chart-${i}`,
      table: subgroupTable,
    });
    box.append(figure, chartDownloads(figure, title, i));
  }

  if (table.sii.length) {
    const sii = siiMethodsTable(
      table.sii,
      `${title}: the slope index of inequality (SII) by two methods, the Fingertips method first (England's)`,
      level,
    );
    sii.setAttribute("data-testid", `stratum-sii-${i}`);
    box.append(tableBox(sii));
  }
  const measureRows = table.measures.map((r) => {
    const v = r.value;
    const ok = v !== null && Number.isFinite(v.value);
    return [
      `${r.abbr}: ${r.name}`,
      ok ? fmt(v.value, 3) : "Not computed",
      ok && v.lower !== null && v.upper !== null ? `${fmt(v.lower, 3)} to ${fmt(v.upper, 3)}` : ok ? "No interval" : "",
      ok ? "" : r.reason || "No reason given",
    ];
  });
  const measures = dataTable({
    caption: `${title}: the 21 summary measures`,
    head: ["Measure", "Value", `${level}% confidence interval`, "Why it could not be computed"],
    rows: measureRows,
    numeric: [1],
  });
  measures.classList.add("equitas-measures-table");
  measures.setAttribute("data-testid", `stratum-measures-${i}`);
  box.append(tableBox(measures));
  box.append(
    h(
      "button",
      {
        class: "nhsuk-button nhsuk-button--secondary",
        type: "button",
        "data-testid": `stratum-use-${i}`,
        on: { click: () => useInAssessment(title, table) },
      },
      "Use these numbers in an assessment",
      h("span", { class: "nhsuk-u-visually-hidden" }, `: ${title}`),
    ),
  );
  return box;
}

/**
 * Hand a table's subgroups to the assessment form (the engine's `evidence`: rows as an
 * assessment's evidence table holds them) and open the evidence question there, where the
 * person chooses to add them. Kept in this tab's sessionStorage, so nothing leaves the browser.
 *
 * @param {string} title - The table's name, "<indicator> by <dimension>"
 * @param {MeasuredTable} table - The engine's model of the table
 */
function useInAssessment(title, table) {
  try {
    sessionStorage.setItem(EVIDENCE_HANDOFF, JSON.stringify({ title, evidence: table.evidence }));
  } catch {
    // No storage: the form opens without the numbers and says nothing is waiting.
  }
  location.assign("./#/heat/evidence");
}
