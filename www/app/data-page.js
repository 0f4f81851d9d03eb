// The data page: a CSV in the WHO HEAT Plus layout in, the 21 summary measures out, per
// setting × date × source × indicator × dimension, each with a chart of the subgroup estimates.
// Everything is computed here in the browser by the engine (measureHeatPlus); the file is never
// sent anywhere. A bad file computes nothing: the engine lists every bad row, column and value
// and the page shows that list in an error summary.

import { ready, measureHeatPlus } from "./data-engine.js";
import { h, clear } from "./dom.js";
import { gradientChart, chartFigure, dataTable, tableBox, fmt, siiLine } from "./charts.js";
import { MEASURES, measureInfo, interval } from "./results.js";

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

const form = document.getElementById("data-form");
const fileInput = document.getElementById("data-file");
const fileGroup = document.getElementById("data-file-group");
const exampleButton = document.getElementById("data-example");
const errorsBox = document.getElementById("data-errors");
const resultsBox = document.getElementById("data-results");
const status = document.getElementById("data-status");

const engine = ready().then(
  () => {
    document.documentElement.dataset.equitasReady = "true";
  },
  (e) => {
    showErrors("The measuring engine could not start", [String(e && e.message ? e.message : e)], null);
    throw e;
  },
);

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
    showErrors("There is a problem", [`The file ${file.name} could not be read: ${e.message}`], fileInput);
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
    showErrors("There is a problem", [`The synthetic example could not be loaded: ${e.message}`], null);
    return;
  }
  await measure(text, "heat-plus-synthetic.csv", true);
});

function options() {
  const data = new FormData(form);
  return {
    compat: String(data.get("compat") || "heat-v6"),
    confidence: Number(data.get("confidence") || "0.95"),
    sii_method: String(data.get("sii_method") || "logistic"),
  };
}

async function measure(text, name, synthetic) {
  status.textContent = "Measuring…";
  try {
    await engine;
  } catch {
    status.textContent = "";
    return;
  }
  const opts = options();
  let out;
  try {
    out = measureHeatPlus(text, opts);
  } catch (e) {
    status.textContent = "";
    clear(resultsBox);
    const { title, items } = splitProblems(String(e && e.message ? e.message : e));
    showErrors(`${name} could not be measured: ${title}`, items, synthetic ? null : fileInput);
    return;
  }
  clearErrors();
  status.textContent = `Measured ${out.strata.length} ${out.strata.length === 1 ? "table" : "tables"} from ${name}.`;
  renderMeasured(out, name, synthetic, opts);
}

/** The engine's message is a first line ("3 problems in the HEAT Plus file:") then one per line. */
export function splitProblems(message) {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length <= 1) return { title: "there is a problem with the file", items: lines };
  return { title: lines[0].replace(/:$/, ""), items: lines.slice(1) };
}

function showErrors(title, items, field) {
  clear(errorsBox);
  const list = h(
    "ul",
    { class: "nhsuk-list nhsuk-error-summary__list", "data-testid": "data-error-list" },
    items.map((it) => h("li", {}, field ? h("a", { href: `#${field.id}` }, it) : it)),
  );
  const summary = h(
    "div",
    { class: "nhsuk-error-summary", tabindex: "-1", "aria-labelledby": "data-error-title", "data-testid": "data-errors" },
    h(
      "div",
      { role: "alert" },
      h("h2", { class: "nhsuk-error-summary__title", id: "data-error-title" }, title),
      h(
        "div",
        { class: "nhsuk-error-summary__body" },
        h("p", {}, "Nothing was measured. Correct the file and load it again."),
        list,
      ),
    ),
  );
  errorsBox.append(summary);
  // links in the summary move focus to the field
  for (const a of summary.querySelectorAll("a")) {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      field.focus();
    });
  }
  if (field) {
    fileGroup.classList.add("nhsuk-form-group--error");
    let msg = document.getElementById("data-file-error");
    if (!msg) {
      msg = h("p", { class: "nhsuk-error-message", id: "data-file-error" }, h("span", { class: "nhsuk-u-visually-hidden" }, "Error: "), "Check the file: see the list of problems above");
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

const keyOf = (k) => JSON.stringify([k.setting, k.date, k.source, k.indicator_abbr, k.dimension]);

function renderMeasured({ strata, results }, name, synthetic, opts) {
  clear(resultsBox);
  const level = Math.round(opts.confidence * 1000) / 10;
  const byKey = new Map();
  for (const r of results) {
    const k = keyOf(r);
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k).push(r);
  }
  const heading = h("h2", { class: "nhsuk-heading-l", id: "data-results-heading", tabindex: "-1", "data-testid": "data-results-heading" }, `Results for ${name}`);
  resultsBox.append(
    heading,
    synthetic
      ? h("div", { class: "nhsuk-inset-text" }, h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "), h("p", {}, "This is the synthetic example: made-up figures for a fictional area, not real data."))
      : null,
    h(
      "p",
      { class: "nhsuk-body" },
      `${strata.length} ${strata.length === 1 ? "table" : "tables"} (setting, date, source, indicator and dimension), ${level}% confidence intervals, method: ${methodName(opts.compat)}.`,
    ),
    glossary(),
  );
  strata.forEach((st, i) => resultsBox.append(stratumBlock(st, byKey.get(keyOf(st.key)) || [], i, level, opts.sii_method === "linear")));
  heading.focus();
}

function methodName(compat) {
  return { "heat-v6": "WHO HEAT version 6", healthequal: "WHO healthequal", corrected: "corrected" }[compat] || compat;
}

function glossary() {
  return h(
    "details",
    { class: "nhsuk-details" },
    h("summary", { class: "nhsuk-details__summary" }, h("span", { class: "nhsuk-details__summary-text" }, "What the 21 measures mean")),
    h(
      "div",
      { class: "nhsuk-details__text" },
      dataTable({
        caption: "The summary measures of inequality",
        head: ["Measure", "Full name", "What it tells you"],
        rows: MEASURES.map((m) => [m.abbr, m.name, m.about]),
      }),
    ),
  );
}

function stratumBlock(st, results, i, level, linearSii) {
  const k = st.key;
  const sub = st.stratum.subgroups || [];
  const extras = st.extras || [];
  const indicator = (extras[0] && extras[0].indicator_name) || k.indicator_abbr;
  const title = `${indicator} by ${k.dimension}`;
  const box = h(
    "section",
    { class: "equitas-stratum", "aria-labelledby": `stratum-${i}-heading`, "data-testid": `stratum-${i}` },
    h(
      "h3",
      { class: "nhsuk-heading-m", id: `stratum-${i}-heading` },
      h("span", { class: "nhsuk-caption-m" }, `${k.setting}, ${k.date}, ${k.source}`, h("span", { class: "nhsuk-u-visually-hidden" }, " – ")),
      title,
    ),
  );
  const ordered = !!st.stratum.ordered;
  const groups = sub.map((g, j) => {
    const ex = extras[j] || {};
    // the file's limits, or 95% limits from the standard error (the results page's rule)
    const iv = interval({ estimate: g.estimate, se: g.se, lower: ex.ci_lb, upper: ex.ci_ub });
    return {
      label: g.label,
      order: ordered && Number.isFinite(g.order) ? g.order : j + 1,
      value: g.estimate,
      lower: iv ? iv.lower : null,
      upper: iv ? iv.upper : null,
      from: iv ? iv.from : null,
      reference: !!g.reference,
      population: g.population,
      se: g.se,
    };
  });
  const sorted = [...groups].sort((a, b) => a.order - b.order);
  const res = Object.fromEntries(results.map((r) => [r.measure, r]));
  const d = res.d;
  const sii = res.sii;
  const difference =
    ordered && d && Number.isFinite(d.estimate) && sorted.length >= 2
      ? { value: d.estimate, from: sorted[0].label, to: sorted[sorted.length - 1].label }
      : null;
  const siiVal =
    ordered && sii && Number.isFinite(sii.estimate) ? { value: sii.estimate, lower: sii.ci_lb, upper: sii.ci_ub, level } : null;
  const average = Number.isFinite(st.stratum.setting_average) ? st.stratum.setting_average : null;
  const subgroupTable = {
    caption: `${title}: subgroup estimates`,
    head: ["Subgroup", "Order", "Estimate", "Standard error", "Lower 95% limit", "Upper 95% limit", "Population", "Reference"],
    rows: sorted.slice(0, groups.length > CHART_MAX_SUBGROUPS ? TABLE_MAX_ROWS : groups.length).map((g) => [
      g.label,
      ordered ? String(g.order) : "–",
      fmt(g.value, 2),
      Number.isFinite(g.se) ? fmt(g.se, 3) : "–",
      Number.isFinite(g.lower) ? fmt(g.lower, 2) : "–",
      Number.isFinite(g.upper) ? fmt(g.upper, 2) : "–",
      Number.isFinite(g.population) ? fmt(g.population, 0) : "–",
      g.reference ? "Yes" : "No",
    ]),
    numeric: [1, 2, 3, 4, 5, 6],
  };
  if (groups.length > CHART_MAX_SUBGROUPS) {
    const n = groups.length.toLocaleString("en-GB");
    const listed = Math.min(groups.length, TABLE_MAX_ROWS);
    const which =
      listed < groups.length
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
          h("summary", { class: "nhsuk-details__summary" }, h("span", { class: "nhsuk-details__summary-text" }, "Show the subgroup estimates as a table")),
          h("div", { class: "nhsuk-details__text" }, dataTable(subgroupTable)),
        ),
      ),
    );
  } else {
    box.append(chartBlock({ title, indicator, st, groups, sorted, res, ordered, difference, siiVal, average, linearSii, table: subgroupTable, i }));
  }

  const measureRows = MEASURES.map((m) => {
    const r = res[m.id];
    const info = measureInfo(m.id);
    if (!r) return [`${info.abbr}: ${info.name}`, "Not computed", "", "The engine returned no result for this measure"];
    const ok = Number.isFinite(r.estimate);
    return [
      `${info.abbr}: ${info.name}`,
      ok ? fmt(r.estimate, 3) : "Not computed",
      ok && Number.isFinite(r.ci_lb) && Number.isFinite(r.ci_ub) ? `${fmt(r.ci_lb, 3)} to ${fmt(r.ci_ub, 3)}` : ok ? "No interval" : "",
      ok ? "" : r.reason || "No reason given",
    ];
  });
  const table = dataTable({
    caption: `${title}: the 21 summary measures`,
    head: ["Measure", "Value", `${level}% confidence interval`, "Why it could not be computed"],
    rows: measureRows,
    numeric: [1],
  });
  table.classList.add("equitas-measures-table");
  table.setAttribute("data-testid", `stratum-measures-${i}`);
  box.append(tableBox(table));
  return box;
}

/** A stratum's chart of its subgroup estimates, with its notes, and its data as a table. */
function chartBlock({ title, indicator, st, groups, sorted, res, ordered, difference, siiVal, average, linearSii, table, i }) {
  const rii = res.rii;
  const fit = siiVal && rii && Number.isFinite(rii.estimate) ? siiLine(sorted, siiVal.value, rii.estimate) : null;
  const svg = gradientChart({
    title,
    subgroups: groups,
    yLabel: `${indicator}${st.stratum.favourable ? " (higher is better)" : " (lower is better)"}`,
    difference,
    sii: siiVal,
    average,
    fitted: fit,
  });
  const notes = [];
  if (groups.some((g) => g.from === "given")) notes.push("Whiskers are the 95% confidence limits given in the file.");
  if (groups.some((g) => g.from === "se")) notes.push("Where the file gives a standard error but no limits, the whisker is the estimate ± 1.96 × the standard error (95%).");
  if (groups.some((g) => g.from === null)) notes.push("Subgroups without a standard error or limits have no whisker.");
  if (groups.some((g) => g.reference)) notes.push("The square marks the reference subgroup.");
  if (difference) notes.push(`The bracket marks the difference (D) between ${difference.from} and ${difference.to}.`);
  if (fit) {
    notes.push(
      `Each subgroup sits at the middle of its share of the population (its ridit), from the most disadvantaged (0) to the least (1). The dashed line joins the values the engine's ${linearSii ? "straight-line" : "logistic"} model fits at the two ends, ${fmt(fit.at0, 2)} and ${fmt(fit.at1, 2)} (from its SII and RII); its slope is the SII (${fmt(siiVal.value)}).`,
    );
  } else if (siiVal) {
    notes.push(
      "The slope index of inequality (SII) is written above the chart but not drawn: the line needs the RII as well, and it could not be computed here (or is 1, no gradient).",
    );
  }
  if (!ordered) notes.push("This dimension has no natural order: subgroups are shown in the order of the file.");
  return chartFigure({
    svg,
    caption: `${title}: estimate for each subgroup${ordered ? ", in order (1 = most disadvantaged)" : ""}, with 95% confidence intervals`,
    notes,
    testid: `stratum-chart-${i}`,
    table,
  });
}
