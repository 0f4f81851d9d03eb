// @ts-check
// The results page: the score, every point explained, the gaps with what to do, the action plan,
// the maturity profile and the measured evidence, drawn from the engine's report model
// (scoreAssessment: the scored report, the names of its measures and a chart of each quantified
// dimension), never recomputed here. The instrument is only looked up, for its labels. Everything
// a user typed is put on the page as text nodes through dom.h.

import { h, clear } from "./dom.js";
import {
  barChart,
  gradientChart,
  chartFigure,
  dataTable,
  tableBox,
  fmt,
  named,
  noteText,
  siiMethodsTable,
} from "./charts.js";

/** @typedef {import("../pkg/equitas_wasm.js").ReportModel} ReportModel */
/** @typedef {import("../pkg/equitas_wasm.js").Report} Report */
/** @typedef {import("../pkg/equitas_wasm.js").Quantified} Quantified */
/** @typedef {import("../pkg/equitas_wasm.js").CriterionScore} CriterionScore */
/** @typedef {import("../pkg/equitas_wasm.js").Chart} Chart */
/** @typedef {import("../pkg/equitas_wasm.js").MeasureInfo} MeasureInfo */
/** @typedef {import("../pkg/equitas_wasm.js").Instrument} Instrument */
/** @typedef {import("../pkg/equitas_wasm.js").Question} Question */
/** @typedef {import("../pkg/equitas_wasm.js").Column} Column */
/** @typedef {import("../pkg/equitas_wasm.js").SavedFile} SavedFile */
/** @typedef {SavedFile["answers"]} Answers */
/** @typedef {import("./charts.js").Cell} Cell */
/** @typedef {(n: number) => "h1" | "h2" | "h3" | "h4" | "h5" | "h6"} Level */
/** @typedef {Map<string, {label: string, section: string, question: Question}>} Labels */

/**
 * Render the results of a scored assessment into `container` (its children are replaced).
 * model: what scoreAssessment returns; assessment: the saved file (for the action plan);
 * instrument: the full instrument (labels). options.level: the heading level of the page heading
 * (1 by default; the sections use the levels below it).
 *
 * @param {HTMLElement} container - Where the report goes
 * @param {{model: ReportModel, assessment: SavedFile, instrument: Instrument}} results - The
 *   report model, the saved file and its instrument
 * @param {{level?: number}} [options] - The page heading's level
 * @returns {HTMLElement} The page heading (focus it after navigation)
 */
export function renderResults(container, { model, assessment, instrument }, { level = 1 } = {}) {
  clear(container);
  const report = model.report;
  /** @type {Level} */
  const H = (n) => /** @type {ReturnType<Level>} */ (`h${Math.min(6, level + n)}`);
  const labels = questionLabels(instrument);
  const answers = (assessment && assessment.answers) || {};
  const isMaturity = Array.isArray(report.profile) && report.profile.length > 0;

  const heading = h(
    H(0),
    { class: "nhsuk-heading-l", tabindex: "-1", id: "results-heading", "data-testid": "results-heading" },
    report.title
      ? h("span", { class: "nhsuk-caption-l" }, report.title, h("span", { class: "nhsuk-u-visually-hidden" }, " – "))
      : null,
    "Results",
  );
  const root = h("div", { class: "equitas-results", "data-testid": "results" }, heading);

  root.append(scoreBlock(report, instrument, isMaturity, H));
  if (report.problems && report.problems.length) root.append(problemsBlock(report, labels, H));
  root.append(sectionScores(report, H));
  root.append(pointsExplained(report, H));
  if (isMaturity) root.append(maturityBlock(report, H));
  root.append(gapsBlock(report, labels, H));
  root.append(actionPlan(report, instrument, answers, isMaturity, H));
  if (!isMaturity) root.append(evidenceBlock(model, H));

  container.append(root);
  return heading;
}

/**
 * Every question of the instrument by id, with its label and its section's title.
 *
 * @param {Instrument} instrument - The instrument
 * @returns {Labels} The questions by id
 */
function questionLabels(instrument) {
  /** @type {Labels} */
  const map = new Map();
  for (const sec of (instrument && instrument.sections) || []) {
    for (const q of sec.questions || []) map.set(q.id, { label: q.label, section: sec.title, question: q });
  }
  return map;
}

/**
 * The overall score, its band and what the bands mean.
 *
 * @param {Report} report - The scored report
 * @param {Instrument} instrument - The instrument (its bands)
 * @param {boolean} isMaturity - Whether the instrument is a maturity self-assessment
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function scoreBlock(report, instrument, isMaturity, H) {
  const band = report.band;
  const bands = (instrument && instrument.rubric && instrument.rubric.bands) || [];
  const sorted = [...bands].sort((a, b) => a.min - b.min);
  const bandRows = sorted.map((b, i) => {
    const next = sorted[i + 1];
    const range = next ? `${fmt(b.min)} to under ${fmt(next.min)}` : `${fmt(b.min)} to 100`;
    return [b.label, range, b.meaning];
  });
  const disclaimer = isMaturity
    ? "This score sums up the organisation's own ratings with equitas's maturity rubric. It is a self-assessment aid: it is not an official rating and not an official OHID score."
    : "This score rates how thorough this assessment is, using equitas's own rubric. It does not rate the service or the work being assessed, and it is not an official OHID score.";
  return h(
    "section",
    { class: "equitas-results__score", "aria-labelledby": "results-score-heading" },
    h(
      "div",
      { class: "nhsuk-card nhsuk-card--feature equitas-score-card" },
      h(
        "div",
        { class: "nhsuk-card__content nhsuk-card__content--feature" },
        h(
          H(1),
          { class: "nhsuk-card__heading nhsuk-card__heading--feature nhsuk-heading-m", id: "results-score-heading" },
          "Overall score",
        ),
        h(
          "p",
          { class: "equitas-score", "data-testid": "overall-score" },
          h("span", { class: "equitas-score__value" }, fmt(report.overall)),
          h("span", { class: "equitas-score__of" }, " out of 100"),
        ),
        h(
          "p",
          { class: "nhsuk-body-l", "data-testid": "band" },
          "Rating: ",
          h("strong", { class: "nhsuk-tag nhsuk-tag--blue" }, (band && band.label) || "–"),
        ),
        band && band.meaning ? h("p", { class: "nhsuk-body" }, band.meaning) : null,
        h("p", { class: "nhsuk-body equitas-disclaimer", "data-testid": "disclaimer" }, disclaimer),
        report.rubric ? h("p", { class: "nhsuk-body-s" }, "Rubric: ", report.rubric) : null,
        bandRows.length
          ? details(
              "How the ratings are set",
              dataTable({
                caption: "Ratings by overall score",
                head: ["Rating", "Score", "What it means"],
                rows: bandRows,
              }),
            )
          : null,
      ),
    ),
  );
}

/**
 * An NHS.UK details element.
 *
 * @param {string} summary - What it folds
 * @param {...Node} content - What it holds
 * @returns {HTMLElement} The element
 */
function details(summary, ...content) {
  return h(
    "details",
    { class: "nhsuk-details" },
    h("summary", { class: "nhsuk-details__summary" }, h("span", { class: "nhsuk-details__summary-text" }, summary)),
    h("div", { class: "nhsuk-details__text" }, ...content),
  );
}

/**
 * What still needs attention before the assessment is complete.
 *
 * @param {Report} report - The scored report
 * @param {Labels} labels - The instrument's questions
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The card
 */
function problemsBlock(report, labels, H) {
  return h(
    "div",
    { class: "nhsuk-card nhsuk-card--warning", "data-testid": "results-problems" },
    h(
      "div",
      { class: "nhsuk-card__content" },
      h(
        H(1),
        { class: "nhsuk-card__heading nhsuk-heading-m" },
        h("span", { class: "nhsuk-u-visually-hidden" }, "Important: "),
        "Some answers still need attention",
      ),
      h("p", { class: "nhsuk-body" }, "The score counts only what is complete. Fix these to earn their points:"),
      h(
        "ul",
        { class: "nhsuk-list nhsuk-list--bullet" },
        report.problems.map((p) => {
          const q = labels.get(p.question);
          return h("li", {}, q ? h("strong", {}, q.label) : h("code", {}, p.question), ": ", p.message);
        }),
      ),
    ),
  );
}

/**
 * The points of each section, as a bar chart and a table.
 *
 * @param {Report} report - The scored report
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function sectionScores(report, H) {
  const sections = report.sections || [];
  const earned = sections.reduce((a, s) => a + s.earned, 0);
  const available = sections.reduce((a, s) => a + s.available, 0);
  const svg = barChart({
    title: "Score by section",
    items: sections.map((s) => ({ label: s.title, value: s.earned, max: s.available })),
    valueText: (it) => `${fmt(it.value)} of ${fmt(it.max)}`,
  });
  /** @type {Cell[][]} */
  const rows = sections.map((s) => [s.title, fmt(s.earned), fmt(s.available), `${fmt(s.score)}%`]);
  rows.push([
    h("strong", {}, "All sections"),
    h("strong", {}, fmt(earned)),
    h("strong", {}, fmt(available)),
    h("strong", {}, `${fmt(report.overall)} out of 100`),
  ]);
  const note = roundingNote(
    sections.map((s) => s.earned),
    earned,
  );
  return h(
    "section",
    { class: "equitas-results__sections", "aria-labelledby": "results-sections-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-sections-heading" }, "Scores by section"),
    h(
      "p",
      { class: "nhsuk-body" },
      `The overall score is the points earned in every section added together: ${fmt(earned)} of the ${fmt(available)} points available.`,
    ),
    chartFigure({
      svg,
      caption: "Points earned in each section, as a share of the points that section can earn",
      notes: note ? [note] : [],
      testid: "section-chart",
      table: {
        summary: "Show the section scores as a table",
        caption: "Points by section",
        head: ["Section", "Points earned", "Points available", "Section score"],
        rows,
        numeric: [1, 2, 3],
      },
    }),
  );
}

/**
 * A note when the rounded parts shown do not add up to the rounded total shown.
 *
 * @param {number[]} parts - The parts
 * @param {number} total - Their total
 * @returns {string | null} The note, or null when the shown parts add up
 */
function roundingNote(parts, total) {
  const shown = parts.reduce((a, p) => a + Number(fmt(p).replace("−", "-").replace(/,/g, "")), 0);
  const totalShown = Number(fmt(total).replace("−", "-").replace(/,/g, ""));
  if (Math.abs(shown - totalShown) > 1e-9) {
    return "Points are shown to 1 decimal place; the totals are added up from the exact values, so the rounded parts can differ from the total by a tenth.";
  }
  return null;
}

/**
 * Every criterion's lines: what earned points and what lost them.
 *
 * @param {Report} report - The scored report
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function pointsExplained(report, H) {
  const block = h(
    "section",
    { class: "equitas-results__points", "aria-labelledby": "results-points-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-points-heading" }, "How each point was earned or lost"),
    h(
      "p",
      { class: "nhsuk-body" },
      "Each section is scored on a few criteria. For every criterion, the lines below list what earned points and what lost them; the points earned and lost add up to the points the criterion is worth.",
    ),
  );
  const criteria = report.criteria || [];
  for (const sec of report.sections || []) {
    const mine = criteria.filter((c) => c.section === sec.id);
    if (!mine.length) continue;
    block.append(
      h(H(2), { class: "nhsuk-heading-s" }, `${sec.title}: ${fmt(sec.earned)} of ${fmt(sec.available)} points`),
    );
    for (const c of mine) block.append(criterionTable(c));
  }
  const orphans = criteria.filter((c) => !(report.sections || []).some((s) => s.id === c.section));
  for (const c of orphans) block.append(criterionTable(c));
  return block;
}

/**
 * One criterion's lines as a table, with its totals.
 *
 * @param {CriterionScore} c - The criterion's score
 * @returns {HTMLElement} The table in its container
 */
function criterionTable(c) {
  const lines = c.lines || [];
  const lost = lines.reduce((a, l) => a + l.lost, 0);
  /** @type {Cell[][]} */
  const rows = lines.map((l) => [l.text, fmt(l.earned), fmt(l.lost)]);
  rows.push([
    h("strong", {}, `Total (${fmt(c.available)} ${c.available === 1 ? "point" : "points"} available)`),
    h("strong", {}, fmt(c.earned)),
    h("strong", {}, fmt(lost)),
  ]);
  const note =
    roundingNote(
      lines.map((l) => l.earned),
      c.earned,
    ) ||
    roundingNote(
      lines.map((l) => l.lost),
      lost,
    );
  const table = dataTable({
    caption: `${c.label}: ${fmt(c.earned)} of ${fmt(c.available)} points`,
    head: ["What counted", "Points earned", "Points lost"],
    rows,
    numeric: [1, 2],
  });
  table.setAttribute("data-testid", `criterion-${c.id}`);
  const box = tableBox(table);
  box.classList.add("equitas-criterion");
  return h("div", {}, box, note ? h("p", { class: "nhsuk-body-s" }, note) : null);
}

/**
 * The gaps the rubric found, with what to do and where each is.
 *
 * @param {Report} report - The scored report
 * @param {Labels} labels - The instrument's questions
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function gapsBlock(report, labels, H) {
  const gaps = report.gaps || [];
  const block = h(
    "section",
    { class: "equitas-results__gaps", "aria-labelledby": "results-gaps-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-gaps-heading" }, "Gaps and what to do about them"),
  );
  if (!gaps.length) {
    block.append(
      h(
        "p",
        { class: "nhsuk-body", "data-testid": "no-gaps" },
        "None of the rubric's gap rules applies to this assessment. That is not the same as every group having been considered: the points above say, for each criterion, what was and was not covered.",
      ),
    );
    return block;
  }
  block.append(
    h(
      "p",
      { class: "nhsuk-body" },
      `The rubric found ${gaps.length} ${gaps.length === 1 ? "gap" : "gaps"}. Each comes with a recommendation.`,
    ),
  );
  const t = dataTable({
    caption: "Gaps found, with recommendations",
    head: ["Gap", "What to do", "Where in the assessment"],
    rows: gaps.map((g) => {
      const q = g.question === undefined ? undefined : labels.get(g.question);
      return [g.title, g.recommendation, q ? `${q.section}: ${q.label}` : g.question || ""];
    }),
  });
  t.setAttribute("data-testid", "gaps");
  block.append(tableBox(t));
  return block;
}

/**
 * The action plan as entered (or, for a maturity instrument, the next objectives), and the
 * gaps still open as recommended additions.
 *
 * @param {Report} report - The scored report
 * @param {Instrument} instrument - The instrument (its table questions)
 * @param {Answers} answers - The answers (the tables' rows)
 * @param {boolean} isMaturity - Whether the instrument is a maturity self-assessment
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function actionPlan(report, instrument, answers, isMaturity, H) {
  const block = h(
    "section",
    { class: "equitas-results__actions", "aria-labelledby": "results-actions-heading" },
    h(
      H(1),
      { class: "nhsuk-heading-m", id: "results-actions-heading" },
      isMaturity ? "Next objectives" : "Action plan",
    ),
  );
  /** @type {{question: Question, columns: Column[]}[]} */
  const tables = [];
  for (const sec of (instrument && instrument.sections) || []) {
    for (const q of sec.questions || []) {
      if (q.kind && q.kind.type === "table") tables.push({ question: q, columns: q.kind.columns || [] });
    }
  }
  for (const { question: q, columns: cols } of tables) {
    const answer = answers[q.id];
    const rows = Array.isArray(answer) ? /** @type {Record<string, string>[]} */ (answer) : [];
    if (tables.length > 1) block.append(h(H(2), { class: "nhsuk-heading-s" }, q.label));
    if (!rows.length) {
      block.append(h("p", { class: "nhsuk-body" }, "No actions have been entered yet."));
      continue;
    }
    const t = dataTable({
      caption: tables.length > 1 ? q.label : "Your actions",
      head: cols.map((c) => c.label),
      rows: rows.map((r, i) =>
        cols.map((c, ci) => {
          const v = cellText(c, r[c.id], instrument);
          return ci === 0 && v === "" ? `Action ${i + 1} (no description)` : v;
        }),
      ),
    });
    t.setAttribute("data-testid", `actions-${q.id}`);
    block.append(tableBox(t));
  }

  if (isMaturity) {
    const obj = report.objectives || [];
    if (!obj.length) {
      block.append(h("p", { class: "nhsuk-body" }, "No next objectives: every statement is at the top level."));
    } else {
      block.append(
        h("p", { class: "nhsuk-body" }, "The statements rated lowest, with the next step for each:"),
        tableBox(
          withTestId(
            dataTable({
              caption: "Next objectives",
              head: ["Statement", "Level now", "Next step"],
              rows: obj.map((o) => [o.statement, o.level, o.next_step]),
            }),
            "objectives",
          ),
        ),
      );
    }
  }

  const gaps = report.gaps || [];
  if (gaps.length) {
    block.append(
      h(H(2), { class: "nhsuk-heading-s" }, "Recommended additions to the plan"),
      h(
        "p",
        { class: "nhsuk-body" },
        "These gaps are still open. Consider adding an action, with an owner and a date, for each:",
      ),
      h(
        "ul",
        { class: "nhsuk-list nhsuk-list--bullet", "data-testid": "recommended-actions" },
        gaps.map((g) => h("li", {}, h("strong", {}, g.title), ": ", g.recommendation)),
      ),
    );
  }
  if (!tables.length && !isMaturity && !gaps.length) {
    block.append(h("p", { class: "nhsuk-body" }, "This instrument has no action table."));
  }
  return block;
}

/**
 * @template {Element} E
 * @param {E} el - An element
 * @param {string} id - Its data-testid
 * @returns {E} The element
 */
function withTestId(el, id) {
  el.setAttribute("data-testid", id);
  return el;
}

/**
 * A table cell in words: an option's or a checklist item's label rather than its id.
 *
 * @param {Column} col - The cell's column
 * @param {string | undefined} value - The cell as entered
 * @param {Instrument} instrument - The instrument (for checklist items)
 * @returns {string} The cell in words
 */
function cellText(col, value, instrument) {
  if (value === null || value === undefined || value === "") return "";
  const kind = col.kind;
  if (kind && kind.type === "choice") {
    const o = (kind.options || []).find((x) => x.id === value);
    return o ? o.label : String(value);
  }
  if (kind && kind.type === "item_of") {
    for (const sec of (instrument && instrument.sections) || []) {
      for (const q of sec.questions || []) {
        if (q.id !== kind.question) continue;
        const items = q.kind && "items" in q.kind ? q.kind.items : [];
        const it = items.find((x) => x.id === value);
        if (it) return it.label;
      }
    }
    return String(value);
  }
  return String(value);
}

/**
 * The maturity profile: how many statements of each theme were rated at each level.
 *
 * @param {Report} report - The scored report
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function maturityBlock(report, H) {
  const profile = report.profile || [];
  /** @type {{id: string, label: string}[]} */
  const levelNames = [];
  for (const th of profile) {
    for (const [id, label] of th.levels || []) if (!levelNames.some((l) => l.id === id)) levelNames.push({ id, label });
  }
  const rows = profile.map((th) => [
    th.title,
    ...levelNames.map((l) => {
      const found = (th.levels || []).find(([id]) => id === l.id);
      return String(found ? found[2] : 0);
    }),
    `${th.rated} of ${th.statements}`,
    fmt(th.mean_level, 2),
    th.level,
  ]);
  const t = dataTable({
    caption: "Maturity by theme: how many statements were rated at each level",
    head: [
      "Theme",
      ...levelNames.map((l) => l.label),
      "Statements rated",
      `Mean level (1 = ${levelNames[0] ? levelNames[0].label : "lowest"})`,
      "Overall level",
    ],
    rows,
    numeric: levelNames.map((_, i) => i + 1).concat([levelNames.length + 1, levelNames.length + 2]),
  });
  t.setAttribute("data-testid", "maturity-profile");
  return h(
    "section",
    { class: "equitas-results__maturity", "aria-labelledby": "results-maturity-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-maturity-heading" }, "Maturity profile"),
    tableBox(t),
  );
}

/**
 * What the numbers show: each quantified dimension's measures and chart.
 *
 * @param {ReportModel} model - The report model
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The section
 */
function evidenceBlock(model, H) {
  const block = h(
    "section",
    { class: "equitas-results__evidence", "aria-labelledby": "results-evidence-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-evidence-heading" }, "What the numbers show"),
  );
  const quantified = model.report.quantified || [];
  if (!quantified.length) {
    block.append(
      h(
        "p",
        { class: "nhsuk-body" },
        "Nothing was measured: the evidence table needs one indicator's value for at least two subgroups of the same dimension.",
      ),
    );
    return block;
  }
  quantified.forEach((q, qi) => {
    const chart = model.charts[qi];
    if (chart) block.append(quantifiedBlock(q, chart, model.measures, qi, H));
  });
  return block;
}

/**
 * One quantified dimension: the engine's measures, named, and its chart.
 *
 * @param {Quantified} q - The dimension as the report quantifies it
 * @param {Chart} chart - The engine's chart of it
 * @param {MeasureInfo[]} names - The measures' names
 * @param {number} qi - Its place among the quantified dimensions
 * @param {Level} H - Heading levels
 * @returns {HTMLElement} The block
 */
function quantifiedBlock(q, chart, names, qi, H) {
  const indicator = q.indicator || "Indicator";
  const box = h("div", { class: "equitas-evidence", "data-testid": `evidence-${qi}` });
  box.append(h(H(2), { class: "nhsuk-heading-s" }, `${indicator} by ${q.dimension}`));

  const measureRows = (q.measures || []).map((m) => {
    const info = named(names, m.measure);
    const v = m.value;
    return [
      `${info.name} (${info.abbr})`,
      v ? fmt(v.value, 2) : "Not computed",
      v && v.lower !== null && v.upper !== null ? `${fmt(v.lower, 2)} to ${fmt(v.upper, 2)}` : v ? "No interval" : "",
      v ? info.about : m.reason || "",
    ];
  });
  box.append(
    tableBox(
      withTestId(
        dataTable({
          caption: `Inequality measures for ${indicator} by ${q.dimension}`,
          head: ["Measure", "Value", "95% confidence interval", "What it means, or why it could not be computed"],
          rows: measureRows,
          numeric: [1],
        }),
        `evidence-measures-${qi}`,
      ),
    ),
  );
  if (q.sii.length) {
    box.append(
      tableBox(
        withTestId(
          siiMethodsTable(
            q.sii,
            `The slope index of inequality (SII) of ${indicator} by ${q.dimension} by two methods: the Fingertips method first, England's default and the one the chart draws when it can be computed; then WHO HEAT's, the SII above`,
            95,
          ),
          `evidence-sii-${qi}`,
        ),
      ),
    );
  }

  const points = chart.points;
  if (points.length) {
    const svg = gradientChart({ title: `${indicator} by ${q.dimension}`, chart, names, yLabel: indicator });
    box.append(
      chartFigure({
        svg,
        caption: `${indicator} for each subgroup of ${q.dimension}${q.ordered ? ", in order (1 = most deprived)" : ""}, with 95% confidence intervals`,
        notes: chart.notes.map((n) => noteText(chart, n)),
        testid: `evidence-chart-${qi}`,
        table: {
          caption: `${indicator} by ${q.dimension}`,
          head: ["Subgroup", "Order", "Estimate", "Lower 95% limit", "Upper 95% limit", "Population"],
          rows: points.map((g) => [
            g.label,
            String(g.order),
            fmt(g.estimate, 2),
            g.lower !== null ? fmt(g.lower, 2) : "–",
            g.upper !== null ? fmt(g.upper, 2) : "–",
            g.population !== null ? fmt(g.population, 0) : "–",
          ]),
          numeric: [1, 2, 3, 4, 5],
        },
      }),
    );
  }
  return box;
}
