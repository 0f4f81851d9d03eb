// The results page: the score, every point explained, the gaps with what to do, the action plan,
// the maturity profile and the measured evidence, drawn from the engine's Report (never
// recomputed here). Everything a user typed is put on the page as text nodes through dom.h.

import { h, clear } from "./dom.js";
import { barChart, gradientChart, chartFigure, dataTable, tableBox, fmt, siiLine } from "./charts.js";

/** z for a two-sided 95% interval (Φ⁻¹(0.975)). */
export const Z95 = 1.959963984540054;

/**
 * The 21 summary measures: short name, full name and what it tells you, in our own words.
 * Ordered as HEAT lists them.
 */
export const MEASURES = [
  ["d", "D", "Difference", "The absolute gap between two subgroups: for an ordered dimension the most advantaged minus the most disadvantaged end; otherwise the two subgroups HEAT compares (highest and lowest, or against the reference subgroup)."],
  ["r", "R", "Ratio", "The same two subgroups as D, as a ratio: 1 means no gap."],
  ["aci", "ACI", "Absolute concentration index", "How far the indicator is concentrated among the advantaged (above 0) or the disadvantaged (below 0) across an ordered dimension, on the indicator's own scale."],
  ["rci", "RCI", "Relative concentration index", "The absolute concentration index relative to the setting average, so indicators on different scales can be compared."],
  ["sii", "SII", "Slope index of inequality", "The modelled absolute difference between the most advantaged and the most disadvantaged ends of the population when it is ranked by the dimension, using every subgroup and its size, not just the two ends."],
  ["rii", "RII", "Relative index of inequality", "The same modelled ends as the SII, as a ratio: 1 means no gradient."],
  ["bgv", "BGV", "Between-group variance", "How spread out the subgroup estimates are around the setting average, each weighted by its population share (in squared units)."],
  ["bgsd", "BGSD", "Between-group standard deviation", "The square root of the between-group variance, back on the indicator's own scale."],
  ["cov", "COV", "Coefficient of variation", "The between-group standard deviation as a percentage of the setting average."],
  ["mdmu", "MDMU", "Mean difference from mean, unweighted", "The average absolute gap between each subgroup and the setting average, every subgroup counting the same."],
  ["mdmw", "MDMW", "Mean difference from mean, weighted", "As MDMU, with each subgroup weighted by its population share."],
  ["mdbu", "MDBU", "Mean difference from best-performing subgroup, unweighted", "The average gap between each subgroup and the best-performing one, every subgroup counting the same."],
  ["mdbw", "MDBW", "Mean difference from best-performing subgroup, weighted", "As MDBU, with each subgroup weighted by its population share."],
  ["mdru", "MDRU", "Mean difference from reference subgroup, unweighted", "The average gap between each subgroup and the subgroup flagged as the reference, every subgroup counting the same."],
  ["mdrw", "MDRW", "Mean difference from reference subgroup, weighted", "As MDRU, with each subgroup weighted by its population share."],
  ["idisu", "IDISU", "Index of disparity, unweighted", "The mean difference from the mean (MDMU) as a percentage of the setting average."],
  ["idisw", "IDISW", "Index of disparity, weighted", "The weighted mean difference from the mean (MDMW) as a percentage of the setting average."],
  ["ti", "TI", "Theil index", "How unevenly the indicator is shared out compared with the population shares of the subgroups (an entropy measure); 0 means shared exactly in proportion."],
  ["mld", "MLD", "Mean log deviation", "Another entropy measure of uneven shares, giving more weight to subgroups far below the average; 0 means no inequality."],
  ["par", "PAR", "Population attributable risk", "How much the setting average would improve, in the indicator's units, if every subgroup did as well as the best-performing (or reference) subgroup."],
  ["paf", "PAF", "Population attributable fraction", "The population attributable risk as a percentage of the setting average."],
].map(([id, abbr, name, about]) => ({ id, abbr, name, about }));

const MEASURE_BY_ID = Object.fromEntries(MEASURES.map((m) => [m.id, m]));

/** The short and full name of a measure id ("sii" → {abbr: "SII", name: …}). */
export function measureInfo(id) {
  return MEASURE_BY_ID[id] || { id, abbr: String(id).toUpperCase(), name: String(id).toUpperCase(), about: "" };
}

/** A subgroup's interval: the limits given, or estimate ± z·SE; null without either. */
export function interval({ estimate, se, lower, upper }) {
  if (Number.isFinite(lower) && Number.isFinite(upper)) return { lower, upper, from: "given" };
  if (Number.isFinite(estimate) && Number.isFinite(se)) {
    return { lower: estimate - Z95 * se, upper: estimate + Z95 * se, from: "se" };
  }
  return null;
}

/**
 * Render the results of a scored assessment into `container` (its children are replaced).
 * report: what scoreAssessment returns; assessment: the saved file (for the action plan and the
 * evidence rows); instrument: the full instrument (labels). options.level: the heading level of
 * the page heading (1 by default; the sections use the levels below it).
 * Returns the page heading (focus it after navigation).
 */
export function renderResults(container, { report, assessment, instrument }, { level = 1 } = {}) {
  clear(container);
  const H = (n) => `h${Math.min(6, level + n)}`;
  const labels = questionLabels(instrument);
  const answers = (assessment && assessment.answers) || {};
  const isMaturity = Array.isArray(report.profile) && report.profile.length > 0;

  const heading = h(
    H(0),
    { class: "nhsuk-heading-l", tabindex: "-1", id: "results-heading", "data-testid": "results-heading" },
    report.title ? h("span", { class: "nhsuk-caption-l" }, report.title, h("span", { class: "nhsuk-u-visually-hidden" }, " – ")) : null,
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
  if (!isMaturity) root.append(evidenceBlock(report, answers, H));

  container.append(root);
  return heading;
}

function questionLabels(instrument) {
  const map = new Map();
  for (const sec of (instrument && instrument.sections) || []) {
    for (const q of sec.questions || []) map.set(q.id, { label: q.label, section: sec.title, question: q });
  }
  return map;
}

function scoreBlock(report, instrument, isMaturity, H) {
  const band = report.band || {};
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
        h(H(1), { class: "nhsuk-card__heading nhsuk-card__heading--feature nhsuk-heading-m", id: "results-score-heading" }, "Overall score"),
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
          h("strong", { class: "nhsuk-tag nhsuk-tag--blue" }, band.label || "–"),
        ),
        band.meaning ? h("p", { class: "nhsuk-body" }, band.meaning) : null,
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

function details(summary, ...content) {
  return h(
    "details",
    { class: "nhsuk-details" },
    h("summary", { class: "nhsuk-details__summary" }, h("span", { class: "nhsuk-details__summary-text" }, summary)),
    h("div", { class: "nhsuk-details__text" }, ...content),
  );
}

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

function sectionScores(report, H) {
  const sections = report.sections || [];
  const earned = sections.reduce((a, s) => a + s.earned, 0);
  const available = sections.reduce((a, s) => a + s.available, 0);
  const svg = barChart({
    title: "Score by section",
    items: sections.map((s) => ({ label: s.title, value: s.earned, max: s.available })),
    valueText: (it) => `${fmt(it.value)} of ${fmt(it.max)}`,
  });
  const rows = sections.map((s) => [s.title, fmt(s.earned), fmt(s.available), `${fmt(s.score)}%`]);
  rows.push([h("strong", {}, "All sections"), h("strong", {}, fmt(earned)), h("strong", {}, fmt(available)), h("strong", {}, `${fmt(report.overall)} out of 100`)]);
  const note = roundingNote(sections.map((s) => s.earned), earned);
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

/** A note when the rounded parts shown do not add up to the rounded total shown. */
function roundingNote(parts, total) {
  const shown = parts.reduce((a, p) => a + Number(fmt(p).replace("−", "-").replace(/,/g, "")), 0);
  const totalShown = Number(fmt(total).replace("−", "-").replace(/,/g, ""));
  if (Math.abs(shown - totalShown) > 1e-9) {
    return "Points are shown to 1 decimal place; the totals are added up from the exact values, so the rounded parts can differ from the total by a tenth.";
  }
  return null;
}

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

function criterionTable(c) {
  const lines = c.lines || [];
  const lost = lines.reduce((a, l) => a + l.lost, 0);
  const rows = lines.map((l) => [l.text, fmt(l.earned), fmt(l.lost)]);
  rows.push([
    h("strong", {}, `Total (${fmt(c.available)} ${c.available === 1 ? "point" : "points"} available)`),
    h("strong", {}, fmt(c.earned)),
    h("strong", {}, fmt(lost)),
  ]);
  const note = roundingNote(lines.map((l) => l.earned), c.earned) || roundingNote(lines.map((l) => l.lost), lost);
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

function gapsBlock(report, labels, H) {
  const gaps = report.gaps || [];
  const block = h(
    "section",
    { class: "equitas-results__gaps", "aria-labelledby": "results-gaps-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-gaps-heading" }, "Gaps and what to do about them"),
  );
  if (!gaps.length) {
    block.append(h("p", { class: "nhsuk-body", "data-testid": "no-gaps" }, "The rubric found no gaps in this assessment."));
    return block;
  }
  block.append(
    h("p", { class: "nhsuk-body" }, `The rubric found ${gaps.length} ${gaps.length === 1 ? "gap" : "gaps"}. Each comes with a recommendation.`),
  );
  const t = dataTable({
    caption: "Gaps found, with recommendations",
    head: ["Gap", "What to do", "Where in the assessment"],
    rows: gaps.map((g) => {
      const q = labels.get(g.question);
      return [g.title, g.recommendation, q ? `${q.section}: ${q.label}` : g.question || ""];
    }),
  });
  t.setAttribute("data-testid", "gaps");
  block.append(tableBox(t));
  return block;
}

function actionPlan(report, instrument, answers, isMaturity, H) {
  const block = h(
    "section",
    { class: "equitas-results__actions", "aria-labelledby": "results-actions-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-actions-heading" }, isMaturity ? "Next objectives" : "Action plan"),
  );
  const tables = [];
  for (const sec of (instrument && instrument.sections) || []) {
    for (const q of sec.questions || []) if (q.kind && q.kind.type === "table") tables.push(q);
  }
  for (const q of tables) {
    const rows = Array.isArray(answers[q.id]) ? answers[q.id] : [];
    if (tables.length > 1) block.append(h(H(2), { class: "nhsuk-heading-s" }, q.label));
    if (!rows.length) {
      block.append(h("p", { class: "nhsuk-body" }, "No actions have been entered yet."));
      continue;
    }
    const cols = q.kind.columns || [];
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
      h("p", { class: "nhsuk-body" }, "These gaps are still open. Consider adding an action, with an owner and a date, for each:"),
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

function withTestId(el, id) {
  el.setAttribute("data-testid", id);
  return el;
}

function cellText(col, value, instrument) {
  if (value === null || value === undefined || value === "") return "";
  const kind = col.kind || {};
  if (kind.type === "choice" || kind.type === "single") {
    const o = (kind.options || []).find((x) => x.id === value);
    return o ? o.label : String(value);
  }
  if (kind.type === "item_of") {
    for (const sec of (instrument && instrument.sections) || []) {
      for (const q of sec.questions || []) {
        if (q.id !== kind.question) continue;
        const it = ((q.kind && q.kind.items) || []).find((x) => x.id === value);
        if (it) return it.label;
      }
    }
    return String(value);
  }
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

function maturityBlock(report, H) {
  const profile = report.profile || [];
  const levelNames = [];
  for (const th of profile) for (const [id, label] of th.levels || []) if (!levelNames.some((l) => l.id === id)) levelNames.push({ id, label });
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
    head: ["Theme", ...levelNames.map((l) => l.label), "Statements rated", `Mean level (1 = ${levelNames[0] ? levelNames[0].label : "lowest"})`, "Overall level"],
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

function evidenceBlock(report, answers, H) {
  const block = h(
    "section",
    { class: "equitas-results__evidence", "aria-labelledby": "results-evidence-heading" },
    h(H(1), { class: "nhsuk-heading-m", id: "results-evidence-heading" }, "What the numbers show"),
  );
  const quantified = report.quantified || [];
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
  quantified.forEach((q, qi) => block.append(quantifiedBlock(q, qi, answers, H)));
  return block;
}

function quantifiedBlock(q, qi, answers, H) {
  const evidence = answers[q.question] || {};
  const rows = (evidence.rows || []).filter((r) => r.dimension === q.dimension);
  const indicator = q.indicator || evidence.indicator || "Indicator";
  const box = h("div", { class: "equitas-evidence", "data-testid": `evidence-${qi}` });
  box.append(h(H(2), { class: "nhsuk-heading-s" }, `${indicator} by ${q.dimension}`));

  const byId = Object.fromEntries((q.measures || []).map((m) => [m.measure, m]));
  const measureRows = (q.measures || []).map((m) => {
    const info = measureInfo(m.measure);
    const v = m.value;
    return [
      `${info.name} (${info.abbr})`,
      v ? fmt(v.value, 2) : "Not computed",
      v && Number.isFinite(v.lower) && Number.isFinite(v.upper) ? `${fmt(v.lower, 2)} to ${fmt(v.upper, 2)}` : v ? "No interval" : "",
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

  if (rows.length) {
    const subgroups = rows.map((r, i) => {
      const iv = interval({ estimate: r.estimate, se: r.se, lower: r.lower, upper: r.upper });
      return {
        label: r.subgroup,
        order: Number.isFinite(r.order) ? r.order : i + 1,
        value: r.estimate,
        lower: iv ? iv.lower : null,
        upper: iv ? iv.upper : null,
        from: iv ? iv.from : null,
        population: r.population,
      };
    });
    const sorted = [...subgroups].sort((a, b) => a.order - b.order);
    const d = byId.d && byId.d.value;
    const sii = byId.sii && byId.sii.value;
    const rii = byId.rii && byId.rii.value;
    const line = q.ordered && sii && rii ? siiLine(sorted, sii.value, rii.value) : null;
    const difference =
      q.ordered && d && sorted.length >= 2
        ? { value: d.value, from: sorted[0].label, to: sorted[sorted.length - 1].label }
        : null;
    const svg = gradientChart({
      title: `${indicator} by ${q.dimension}`,
      subgroups,
      yLabel: indicator,
      difference,
      sii: q.ordered && sii ? sii : null,
      fitted: line,
    });
    const notes = [];
    if (subgroups.some((g) => g.from === "se")) {
      notes.push("Where a subgroup has a standard error but no interval, its whisker is the estimate ± 1.96 × the standard error.");
    }
    if (subgroups.some((g) => g.from === null)) notes.push("Subgroups without a standard error or interval have no whisker.");
    if (difference) {
      notes.push(`The bracket marks the difference (D) the engine measured between ${difference.from} and ${difference.to}.`);
    }
    if (line) {
      notes.push(
        `Each subgroup sits at the middle of its share of the population (its ridit), from the most deprived (0) to the least (1). The dashed line is the SII: it joins the values the engine's model fits at the two ends, ${fmt(line.at0, 2)} and ${fmt(line.at1, 2)} (from its SII and RII), so its slope is the SII (${fmt(sii.value)}).`,
      );
    } else if (q.ordered && sii) {
      notes.push(
        "The slope index of inequality (SII) is written above the chart but not drawn: the line needs every subgroup's population and the RII, and they are missing here (or RII is 1, no gradient).",
      );
    }
    box.append(
      chartFigure({
        svg,
        caption: `${indicator} for each subgroup of ${q.dimension}${q.ordered ? ", in order (1 = most deprived)" : ""}, with 95% confidence intervals`,
        notes,
        testid: `evidence-chart-${qi}`,
        table: {
          caption: `${indicator} by ${q.dimension}`,
          head: ["Subgroup", "Order", "Estimate", "Lower 95% limit", "Upper 95% limit", "Population"],
          rows: sorted.map((g) => [
            g.label,
            String(g.order),
            fmt(g.value, 2),
            Number.isFinite(g.lower) ? fmt(g.lower, 2) : "–",
            Number.isFinite(g.upper) ? fmt(g.upper, 2) : "–",
            Number.isFinite(g.population) ? fmt(g.population, 0) : "–",
          ]),
          numeric: [1, 2, 3, 4, 5],
        },
      }),
    );
  }
  return box;
}
