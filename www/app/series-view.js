// @ts-check
// The data page's view of a HEAT Plus file over time (issue 15): for each setting × source ×
// indicator × dimension with two or more dates, the engine's series (MeasuredFile.series) drawn
// as a line chart of each subgroup's estimate, line charts of the summary measures, their data
// tables, and the engine's verdict on the gap ("the gap narrowed"). Every number, change,
// verdict and trend comes from the engine; this module only places them on the page.

import { h } from "./dom.js";
import { s, COLOURS, niceTicks, fmt, wrap, chartFigure, dataTable, tableBox } from "./charts.js";

/** @typedef {import("./data-engine.js").SeriesTable} SeriesTable */
/** @typedef {import("./data-engine.js").MeasureSeries} MeasureSeries */

/** Line colours and dash patterns, so lines differ by more than colour. */
const LINES = [
  { colour: COLOURS.blue, dash: null },
  { colour: COLOURS.purple, dash: "8 4" },
  { colour: COLOURS.darkBlue, dash: "2 3" },
  { colour: COLOURS.secondary, dash: "10 3 2 3" },
  { colour: COLOURS.text, dash: "4 4" },
];

/** The most lines one chart draws; more subgroups are in the table only (the page says so). */
export const SERIES_MAX_LINES = 12;

/**
 * A line chart of values over dates: one line per series, dates evenly spaced in the engine's
 * order, each line labelled at its last point.
 *
 * @param {object} chart - The chart
 * @param {string} chart.title - Its title
 * @param {string[]} chart.dates - The x axis
 * @param {{label: string, values: (number | null)[]}[]} chart.lines - The lines
 * @param {string} chart.yLabel - The y axis's label
 * @returns {SVGElement} The chart
 */
export function lineChart({ title, dates, lines, yLabel }) {
  const width = 640;
  const left = 64;
  const right = 170;
  const top = 24;
  const plotH = 240;
  const height = top + plotH + 64;
  const all = /** @type {number[]} */ (lines.flatMap((l) => l.values).filter((v) => v !== null && Number.isFinite(v)));
  const { ticks, min, max } = niceTicks(Math.min(...all), Math.max(...all));
  const x = (/** @type {number} */ i) =>
    left + (dates.length > 1 ? (i * (width - left - right)) / (dates.length - 1) : 0);
  const y = (/** @type {number} */ v) => top + plotH - ((v - min) / (max - min)) * plotH;
  const label = `${title}: ${lines.length} ${lines.length === 1 ? "line" : "lines"} over ${dates.length} dates, ${dates[0]} to ${dates[dates.length - 1]}`;
  const svg = s("svg", {
    xmlns: "http://www.w3.org/2000/svg",
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    "aria-label": label,
    "font-size": 13,
    "font-family": "inherit",
    class: "equitas-chart__svg",
    preserveAspectRatio: "xMinYMin meet",
  });
  svg.append(s("title", {}, title));
  for (const t of ticks) {
    svg.append(
      s("line", { x1: left, x2: width - right, y1: y(t), y2: y(t), stroke: COLOURS.paleGrey }),
      s("text", { x: left - 8, y: y(t) + 4, "text-anchor": "end", fill: COLOURS.text }, fmt(t, 2)),
    );
  }
  dates.forEach((d, i) =>
    svg.append(s("text", { x: x(i), y: top + plotH + 20, "text-anchor": "middle", fill: COLOURS.text }, d)),
  );
  svg.append(
    s("line", { x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, stroke: COLOURS.grey }),
    s(
      "text",
      {
        x: 14,
        y: top + plotH / 2,
        transform: `rotate(-90 14 ${top + plotH / 2})`,
        "text-anchor": "middle",
        fill: COLOURS.text,
      },
      yLabel,
    ),
  );
  lines.forEach((line, k) => {
    const style = LINES[k % LINES.length];
    /** @type {string[]} */
    const parts = [];
    let pen = "M";
    line.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = "M";
        return;
      }
      parts.push(`${pen}${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      pen = "L";
    });
    svg.append(
      s("path", {
        d: parts.join(" "),
        fill: "none",
        stroke: style.colour,
        "stroke-width": 2.5,
        "stroke-dasharray": style.dash,
      }),
    );
    line.values.forEach((v, i) => {
      if (v !== null && Number.isFinite(v)) svg.append(s("circle", { cx: x(i), cy: y(v), r: 3.5, fill: style.colour }));
    });
    const lastAt = line.values
      .map((v, i) => (v !== null && Number.isFinite(v) ? i : -1))
      .filter((i) => i >= 0)
      .pop();
    if (lastAt !== undefined) {
      const v = /** @type {number} */ (line.values[lastAt]);
      svg.append(
        s(
          "text",
          { x: x(lastAt) + 8, y: y(v) + 4 + k * 2, fill: style.colour, "font-weight": "bold" },
          wrap(line.label, 20, 1)[0],
        ),
      );
    }
  });
  return svg;
}

/**
 * A measure's value in words, or "–".
 *
 * @param {MeasureSeries} m - The measure
 * @param {number} k - The date's place
 * @returns {string} The value
 */
function valueAt(m, k) {
  const v = m.values[k];
  return v ? fmt(v.value, 3) : "–";
}

/**
 * The engine's change from the first date to the last, in words.
 *
 * @param {MeasureSeries} m - The measure
 * @returns {string} The change and its interval
 */
function changeText(m) {
  const d = m.change.difference;
  if (d.value === null) return d.reason || "cannot tell";
  const ratio = m.ratio;
  const interval = d.lower !== null && d.upper !== null ? ` (${fmt(d.lower, 3)} to ${fmt(d.upper, 3)})` : "";
  return `${ratio ? "×" : ""}${fmt(d.value, 3)}${interval}`;
}

/**
 * One series: the verdict, the subgroups' line chart and table, the measures over time.
 *
 * @param {SeriesTable} series - The engine's series
 * @param {number} i - Its place among the series
 * @param {number} level - The confidence level, in per cent
 * @returns {HTMLElement} The section
 */
export function seriesBlock(series, i, level) {
  const title = `${series.indicator} by ${series.dimension} over time`;
  const first = series.dates[0];
  const last = series.dates[series.dates.length - 1];
  const headline = series.measures.find((m) => m.measure === series.headline);
  const box = h(
    "section",
    { class: "equitas-stratum", "aria-labelledby": `series-${i}-heading`, "data-testid": `series-${i}` },
    h(
      "h3",
      { class: "nhsuk-heading-m", id: `series-${i}-heading` },
      h(
        "span",
        { class: "nhsuk-caption-m" },
        `${series.setting}, ${first} to ${last}, ${series.source}`,
        h("span", { class: "nhsuk-u-visually-hidden" }, " – "),
      ),
      title,
    ),
    h(
      "div",
      { class: "nhsuk-inset-text", "data-testid": `series-verdict-${i}` },
      h("span", { class: "nhsuk-u-visually-hidden" }, "Information: "),
      h(
        "p",
        {},
        `From ${first} to ${last}, ${series.verdict_words}` +
          (headline ? ` (${headline.abbr}, change ${changeText(headline)} at ${level}% confidence).` : "."),
      ),
    ),
  );
  const shown = series.subgroups.slice(0, SERIES_MAX_LINES);
  const subgroupTable = {
    caption: `${title}: subgroup estimates`,
    head: ["Subgroup", ...series.dates],
    rows: series.subgroups.map((g) => [g.label, ...g.values.map((v) => fmt(v, 2))]),
    numeric: series.dates.map((_, k) => k + 1),
  };
  box.append(
    chartFigure({
      svg: lineChart({ title: `${title}: subgroups`, dates: series.dates, lines: shown, yLabel: series.indicator }),
      caption: `${title}: each subgroup's estimate at each date`,
      notes:
        series.subgroups.length > shown.length
          ? [
              `The chart draws the first ${SERIES_MAX_LINES} of ${series.subgroups.length} subgroups; the table lists them all.`,
            ]
          : [],
      table: subgroupTable,
      testid: `series-chart-${i}`,
    }),
  );
  const charted = series.measures.filter((m) => m.values.filter((v) => v !== null).length >= 2);
  const charts = charted.map((m) =>
    chartFigure({
      svg: lineChart({
        title: `${m.abbr} over time`,
        dates: series.dates,
        lines: [{ label: m.abbr, values: m.values.map((v) => (v ? v.value : null)) }],
        yLabel: m.abbr,
      }),
      caption: `${m.abbr} (${m.name}) of ${series.indicator} by ${series.dimension}, ${first} to ${last}`,
    }),
  );
  box.append(
    h(
      "details",
      { class: "nhsuk-details" },
      h(
        "summary",
        { class: "nhsuk-details__summary" },
        h("span", { class: "nhsuk-details__summary-text" }, "Show each summary measure over time as a chart"),
      ),
      h("div", { class: "nhsuk-details__text" }, charts),
    ),
  );
  const table = dataTable({
    caption: `${title}: the summary measures at each date, the change from ${first} to ${last} and the recent trend`,
    head: ["Measure", ...series.dates, `Change (${level}% interval)`, "Verdict", "Recent trend"],
    rows: series.measures.map((m) => [
      `${m.abbr}: ${m.name}`,
      ...series.dates.map((_, k) => valueAt(m, k)),
      changeText(m),
      m.verdict_words,
      m.trend.marker === "cannot_be_calculated" ? `${m.trend_words}: ${m.trend.reason}` : m.trend_words,
    ]),
    numeric: series.dates.map((_, k) => k + 1),
  });
  table.setAttribute("data-testid", `series-measures-${i}`);
  box.append(tableBox(table));
  return box;
}
