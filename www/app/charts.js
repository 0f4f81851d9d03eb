// @ts-check
// Small SVG charts built from data. Every element is made with createElementNS in the SVG
// namespace; every label is a text node (never markup); only presentation attributes are used
// (the page's CSP forbids style attributes). Colours are from the NHS.UK palette and every
// graphic mark has at least 3:1 contrast on white; marks differ in shape and dash as well as
// colour, so the charts still read when printed in black and white. Charts scale with their
// container through the viewBox.
//
// Each chart comes with a text alternative: `chartFigure` wraps the SVG in a <figure> with a
// <figcaption> and a data table inside a <details>, and the SVG itself has role="img", an
// aria-label and a <title>.
//
// What a chart of subgroup estimates shows is the engine's (its `Chart` model: the points in
// order, their whiskers and ridits, the shares' edges, the SII line's ends, the D bracket, the
// notes): nothing is worked out here but pixels, axis ticks and number formatting.

/** @typedef {import("../pkg/equitas_wasm.js").Chart} Chart */
/** @typedef {import("../pkg/equitas_wasm.js").ChartPoint} ChartPoint */
/** @typedef {import("../pkg/equitas_wasm.js").SiiLabel} SiiLabel */
/** @typedef {import("../pkg/equitas_wasm.js").SiiLine} SiiLine */
/** @typedef {import("../pkg/equitas_wasm.js").NotePart} NotePart */
/** @typedef {import("../pkg/equitas_wasm.js").MeasureInfo} MeasureInfo */
/** @typedef {string | number | boolean | null | undefined} SvgAttr */
/** @typedef {Node | string | number | null | undefined | false | SvgChildList} SvgChild */
/** @typedef {SvgChild[]} SvgChildList */

const SVG_NS = "http://www.w3.org/2000/svg";

/** NHS.UK colours used by the charts (hex from the NHS identity palette). */
export const COLOURS = {
  blue: "#005eb8", // NHS Blue, 6.4:1 on white
  darkBlue: "#003087", // NHS Dark Blue, 12:1
  text: "#212b32", // text colour, 15:1
  secondary: "#4c6272", // secondary text, 6.2:1
  grey: "#768692", // NHS Mid Grey, 3.6:1 (outlines and gridlines that carry meaning)
  paleGrey: "#e8edee", // NHS Pale Grey: fills only, always outlined
  purple: "#330072", // NHS Purple, 15:1
  white: "#ffffff",
};

const FONT = 15;
const SMALL = 13;

/**
 * An SVG element: attrs are set as attributes (presentation attributes only), children appended.
 *
 * @param {string} tag - The element's name in the SVG namespace
 * @param {Record<string, SvgAttr>} [attrs] - Its attributes (null, undefined and false are left out)
 * @param {...SvgChild} children - Its children; text becomes text nodes
 * @returns {SVGElement} The element
 */
export function s(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "style" || k.startsWith("on")) {
      throw new Error(`charts: attribute ${k} is not allowed (CSP)`);
    }
    el.setAttribute(k, String(v));
  }
  for (const c of /** @type {unknown[]} */ (children).flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * A number for people: en-GB grouping, at most `dp` decimals, a real minus sign.
 *
 * @param {number | null | undefined} v - The number ("–" when it is missing or not finite)
 * @param {number} [dp] - The most decimal places shown
 * @returns {string} The number as text
 */
export function fmt(v, dp = 1) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const t = Number(v).toLocaleString("en-GB", {
    maximumFractionDigits: dp,
    minimumFractionDigits: 0,
  });
  return t.replace(/^-/, "−");
}

/**
 * Evenly spaced "nice" ticks covering [lo, hi].
 *
 * @param {number} lo - The lowest value to cover
 * @param {number} hi - The highest value to cover
 * @param {number} [target] - About how many steps
 * @returns {{ticks: number[], min: number, max: number, step: number}} The ticks and the axis range
 */
export function niceTicks(lo, hi, target = 5) {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let t = start; t <= end + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { ticks, min: start, max: end, step };
}

/**
 * Split a label into lines of at most `width` characters, at spaces; at most `maxLines`.
 *
 * @param {string} label - The label
 * @param {number} width - The most characters in a line
 * @param {number} [maxLines] - The most lines (the last ends with "…" when cut)
 * @returns {string[]} The lines
 */
export function wrap(label, width, maxLines = 3) {
  const words = String(label).split(/\s+/).filter(Boolean);
  const lines = [];
  let line = "";
  for (const w of words) {
    if (line && (line + " " + w).length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line ? line + " " + w : w;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = kept[maxLines - 1].replace(/.?$/, "…");
    return kept;
  }
  return lines;
}

/**
 * A <text> of lines, each a <tspan> below the last.
 *
 * @param {string[]} lines - The lines
 * @param {Record<string, SvgAttr>} attrs - The <text>'s attributes (`x` is each line's too)
 * @param {number} lineHeight - The distance between lines
 * @returns {SVGElement} The element
 */
function textLines(lines, attrs, lineHeight) {
  return s(
    "text",
    attrs,
    lines.map((l, i) => s("tspan", { x: attrs.x, dy: i === 0 ? 0 : lineHeight }, l)),
  );
}

/**
 * An <svg> of this size with role="img", its aria-label and a <title>.
 *
 * @param {number} width - The viewBox's width
 * @param {number} height - The viewBox's height
 * @param {string} title - The <title>
 * @param {string} label - The aria-label: what the chart shows, in words
 * @returns {SVGElement} The element
 */
function svgRoot(width, height, title, label) {
  const svg = s("svg", {
    xmlns: SVG_NS,
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    "aria-label": label,
    "font-size": FONT,
    "font-family": "inherit",
    class: "equitas-chart__svg",
    preserveAspectRatio: "xMinYMin meet",
  });
  svg.append(s("title", {}, title));
  return svg;
}

/**
 * A bar of the bar chart.
 *
 * @typedef {object} Bar
 * @property {string} label - What the bar is
 * @property {number} value - Its value
 * @property {number} max - The most it can be (the full width)
 */

/**
 * A horizontal bar chart of percentages: one bar per item, its label above it, its value at its
 * end. Each bar is value/max of the full width; the track behind it (outlined) is the maximum.
 *
 * @param {object} chart - The chart
 * @param {string} chart.title - Its title
 * @param {Bar[]} chart.items - The bars
 * @param {(item: Bar) => string} [chart.valueText] - The text at the end of a bar (its per cent
 *   by default)
 * @param {string} [chart.axisLabel] - The label under the axis
 * @returns {SVGElement} The chart
 */
export function barChart({ title, items, valueText, axisLabel = "Per cent of the points available" }) {
  const width = 640;
  const left = 20;
  const right = 100;
  const plotW = width - left - right;
  const rowH = 58;
  const top = 8;
  const axisH = 56;
  const height = top + items.length * rowH + axisH;
  const summary = items.map((it) => `${it.label}: ${valueText ? valueText(it) : fmt(pct(it), 0) + "%"}`).join("; ");
  const svg = svgRoot(width, height, title, `${title}. ${summary}`);
  /** @param {number} p */
  const x = (p) => left + (plotW * Math.max(0, Math.min(100, p))) / 100;

  // gridlines at 0, 25, 50, 75, 100 %
  const grid = s("g", { "aria-hidden": "true" });
  for (const t of [0, 25, 50, 75, 100]) {
    // gridlines run through the bars only, not through the labels above them
    items.forEach((_, i) => {
      grid.append(
        s("line", {
          x1: x(t),
          x2: x(t),
          y1: top + i * rowH + 24,
          y2: top + i * rowH + rowH,
          stroke: COLOURS.grey,
          "stroke-width": 1,
          "stroke-dasharray": t === 0 ? null : "3 4",
        }),
      );
    });
    grid.append(
      s(
        "text",
        { x: x(t), y: top + items.length * rowH + 20, "text-anchor": "middle", fill: COLOURS.text, "font-size": SMALL },
        `${t}%`,
      ),
    );
  }
  grid.append(
    s(
      "text",
      {
        x: left + plotW / 2,
        y: top + items.length * rowH + 46,
        "text-anchor": "middle",
        fill: COLOURS.secondary,
        "font-size": SMALL,
      },
      axisLabel,
    ),
  );
  svg.append(grid);

  items.forEach((it, i) => {
    const y = top + i * rowH;
    const p = pct(it);
    const g = s("g", {});
    g.append(s("text", { x: left, y: y + 18, fill: COLOURS.text }, it.label));
    // track = the maximum, outlined so it shows in print and against white
    g.append(
      s("rect", {
        x: x(0),
        y: y + 26,
        width: plotW,
        height: 22,
        fill: COLOURS.white,
        stroke: COLOURS.grey,
        "stroke-width": 1,
      }),
    );
    if (p > 0) {
      g.append(
        s("rect", {
          x: x(0),
          y: y + 26,
          width: x(p) - x(0),
          height: 22,
          fill: COLOURS.blue,
          stroke: COLOURS.darkBlue,
          "stroke-width": 1,
        }),
      );
    }
    g.append(
      s(
        "text",
        { x: x(100) + 8, y: y + 43, fill: COLOURS.text, "font-weight": "bold" },
        valueText ? valueText(it) : `${fmt(p, 0)}%`,
      ),
    );
    svg.append(g);
  });
  return svg;
}

/**
 * @param {Bar} it - A bar
 * @returns {number} Its value as a per cent of its maximum (0 without a maximum)
 */
function pct(it) {
  if (!(it.max > 0)) return 0;
  return (100 * it.value) / it.max;
}

/**
 * A measure's names from the model's list (`measures` of the report, `glossary` of the data
 * page).
 *
 * @param {readonly MeasureInfo[]} names - The model's names
 * @param {string} id - The measure's id, e.g. "sii"
 * @returns {MeasureInfo} Its names
 */
export function named(names, id) {
  const info = names.find((m) => m.id === id);
  if (!info) throw new Error(`charts: the model names no measure ${id}`);
  return info;
}

/**
 * A note of the engine's chart in words: its text, with its numbers formatted and its points'
 * labels filled in.
 *
 * @param {Chart} chart - The chart the note is about
 * @param {NotePart[]} note - The note, in parts
 * @returns {string} The note
 */
export function noteText(chart, note) {
  return note
    .map((p) => {
      if (typeof p === "string") return p;
      if ("point" in p) return chart.points[p.point]?.label ?? "";
      return fmt(p.value, p.dp);
    })
    .join("");
}

/**
 * The engine's chart of estimates by subgroup, with confidence-interval whiskers, subgroups left
 * to right in the model's order (for deprivation: most deprived first). When the points have
 * ridits the x axis is that scale, with the shares' edges, and the SII line is drawn from ridit 0
 * to 1 when the model has its ends; the SII is written above the plot, the difference (D) drawn
 * as a bracket between the two points the model names, the setting average (when there is one)
 * as a horizontal line.
 *
 * @param {object} options - The chart
 * @param {string} options.title - Its title
 * @param {Chart} options.chart - The engine's model of it
 * @param {readonly MeasureInfo[]} options.names - The measures' names (the SII's and D's)
 * @param {string} [options.yLabel] - The label of the y axis
 * @returns {SVGElement} The chart
 */
export function gradientChart({ title, chart, names, yLabel = "Estimate" }) {
  const groups = chart.points;
  const difference = chart.difference;
  const sii = chart.sii;
  const average = chart.average;
  const siiName = named(names, "sii");
  const dName = named(names, "d");
  // on the ridit scale when the points sit at their ridits (the middle of their population shares)
  const riditMode = chart.ridit_axis !== null;
  const width = 640;
  const left = 64;
  const right = difference ? 110 : 24;
  const top = sii ? 64 : 40;
  const plotH = 220;
  const bottom = riditMode ? 92 : 78;
  // The fitted line's legend goes below the plot, under the x axis's label, so it can never
  // overlap the y axis's label above the plot, however long the indicator's name.
  const hasLine = riditMode && !!sii && sii.at0 !== null && sii.at1 !== null;
  const legendH = hasLine ? 28 : 0;
  const height = top + plotH + bottom + legendH;
  const plotW = width - left - right;

  /** @type {number[]} */
  const vals = [];
  for (const g of groups) {
    for (const v of [g.estimate, g.lower, g.upper]) if (v !== null && Number.isFinite(v)) vals.push(v);
  }
  if (average !== null) vals.push(average);
  const line = riditMode && sii && sii.at0 !== null && sii.at1 !== null ? { at0: sii.at0, at1: sii.at1 } : null;
  if (line) vals.push(line.at0, line.at1);
  const lo = vals.length ? Math.min(...vals) : 0;
  const hi = vals.length ? Math.max(...vals) : 1;
  const pad = (hi - lo) * 0.08;
  const { ticks, min, max } = niceTicks(lo - pad, hi + pad);
  /** @param {number} v */
  const y = (v) => top + plotH - ((v - min) / (max - min)) * plotH;
  const slot = plotW / Math.max(1, groups.length);
  /** @type {(i: number) => number} */
  const x = riditMode ? (i) => left + plotW * (groups[i]?.ridit ?? 0) : (i) => left + slot * (i + 0.5);
  /** @param {number} r */
  const xr = (r) => left + plotW * r;

  const described = groups
    .map((g) => {
      const ci = g.lower !== null && g.upper !== null ? ` (${fmt(g.lower)} to ${fmt(g.upper)})` : "";
      return `${g.label}: ${fmt(g.estimate)}${ci}`;
    })
    .join("; ");
  let aria = `${title}. ${yLabel} by subgroup with 95% confidence intervals. ${described}.`;
  if (difference) aria += ` ${dName.name} (${dName.abbr}) ${fmt(difference.value)}.`;
  if (sii) aria += ` ${siiName.name} (${siiName.abbr}) ${fmt(sii.value)}${siiCi(sii)}.`;
  if (line) {
    aria += ` Fitted line from ${fmt(line.at0)} at the most disadvantaged end to ${fmt(line.at1)} at the least disadvantaged end.`;
  }
  const svg = svgRoot(width, height, title, aria);

  // y axis: label above, ticks, gridlines
  svg.append(s("text", { x: 8, y: top - 18, fill: COLOURS.text, "font-size": SMALL }, yLabel));
  if (sii) {
    svg.append(
      s(
        "text",
        { x: 8, y: 22, fill: COLOURS.darkBlue, "font-weight": "bold", "font-size": SMALL },
        `${siiName.name} (${siiName.abbr}): ${fmt(sii.value)}${siiCi(sii)}`,
      ),
    );
  }
  const axis = s("g", { "aria-hidden": "true" });
  for (const t of ticks) {
    axis.append(
      s("line", {
        x1: left,
        x2: left + plotW,
        y1: y(t),
        y2: y(t),
        stroke: COLOURS.grey,
        "stroke-width": 1,
        "stroke-dasharray": "2 5",
      }),
      s("text", { x: left - 8, y: y(t) + 5, "text-anchor": "end", fill: COLOURS.text, "font-size": SMALL }, fmt(t, 2)),
    );
  }
  axis.append(
    s("line", { x1: left, x2: left, y1: top, y2: top + plotH, stroke: COLOURS.text, "stroke-width": 1.5 }),
    s("line", {
      x1: left,
      x2: left + plotW,
      y1: top + plotH,
      y2: top + plotH,
      stroke: COLOURS.text,
      "stroke-width": 1.5,
    }),
  );
  const chars = Math.max(6, Math.floor(slot / 8.2));
  if (chart.ridit_axis !== null) {
    // each subgroup's share of the population, as bands separated by dashed lines
    for (const edge of chart.edges) {
      axis.append(
        s("line", {
          x1: xr(edge),
          x2: xr(edge),
          y1: top,
          y2: top + plotH + 10,
          stroke: COLOURS.grey,
          "stroke-width": 1,
          "stroke-dasharray": "4 4",
        }),
      );
    }
    axis.append(
      s("text", { x: left, y: top + plotH + 72, fill: COLOURS.secondary, "font-size": SMALL }, "0"),
      s(
        "text",
        { x: left + plotW, y: top + plotH + 72, "text-anchor": "end", fill: COLOURS.secondary, "font-size": SMALL },
        "1",
      ),
      s(
        "text",
        {
          x: left + plotW / 2,
          y: top + plotH + 72,
          "text-anchor": "middle",
          fill: COLOURS.secondary,
          "font-size": SMALL,
        },
        chart.ridit_axis,
      ),
    );
  }
  groups.forEach((g, i) => {
    axis.append(
      s("line", {
        x1: x(i),
        x2: x(i),
        y1: top + plotH,
        y2: top + plotH + 6,
        stroke: COLOURS.text,
        "stroke-width": 1.5,
      }),
    );
    const label = g.reference ? `${g.label} (reference)` : g.label;
    axis.append(
      textLines(
        wrap(label, chars),
        { x: x(i), y: top + plotH + 24, "text-anchor": "middle", fill: COLOURS.text, "font-size": SMALL },
        16,
      ),
    );
  });
  svg.append(axis);

  if (average !== null) {
    svg.append(
      s("line", {
        x1: left,
        x2: left + plotW,
        y1: y(average),
        y2: y(average),
        stroke: COLOURS.purple,
        "stroke-width": 2,
        "stroke-dasharray": "10 5",
      }),
      s(
        "text",
        { x: left + plotW - 4, y: y(average) - 6, "text-anchor": "end", fill: COLOURS.purple, "font-size": SMALL },
        `Setting average ${fmt(average)}`,
      ),
    );
  }

  if (line) {
    svg.append(
      s("line", {
        x1: xr(0),
        x2: xr(1),
        y1: y(line.at0),
        y2: y(line.at1),
        stroke: COLOURS.darkBlue,
        "stroke-width": 2.5,
        "stroke-dasharray": "14 6",
      }),
      // legend below the plot and the x axis's label, so it covers neither a point nor a label
      s("line", {
        x1: left,
        x2: left + 40,
        y1: top + plotH + bottom + 10,
        y2: top + plotH + bottom + 10,
        stroke: COLOURS.darkBlue,
        "stroke-width": 2.5,
        "stroke-dasharray": "14 6",
      }),
      s(
        "text",
        {
          x: left + 48,
          y: top + plotH + bottom + 15,
          fill: COLOURS.darkBlue,
          "font-size": SMALL,
          "font-weight": "bold",
        },
        `${siiName.abbr} line`,
      ),
    );
  }

  // whiskers and points
  const marks = s("g", {});
  groups.forEach((g, i) => {
    if (g.estimate === null || !Number.isFinite(g.estimate)) return;
    if (g.lower !== null && g.upper !== null) {
      marks.append(
        s("line", { x1: x(i), x2: x(i), y1: y(g.lower), y2: y(g.upper), stroke: COLOURS.text, "stroke-width": 2 }),
        s("line", {
          x1: x(i) - 9,
          x2: x(i) + 9,
          y1: y(g.lower),
          y2: y(g.lower),
          stroke: COLOURS.text,
          "stroke-width": 2,
        }),
        s("line", {
          x1: x(i) - 9,
          x2: x(i) + 9,
          y1: y(g.upper),
          y2: y(g.upper),
          stroke: COLOURS.text,
          "stroke-width": 2,
        }),
      );
    }
    marks.append(
      g.reference
        ? s("rect", {
            x: x(i) - 7,
            y: y(g.estimate) - 7,
            width: 14,
            height: 14,
            fill: COLOURS.white,
            stroke: COLOURS.darkBlue,
            "stroke-width": 3,
          })
        : s("circle", {
            cx: x(i),
            cy: y(g.estimate),
            r: 7,
            fill: COLOURS.blue,
            stroke: COLOURS.darkBlue,
            "stroke-width": 2,
          }),
    );
  });
  svg.append(marks);

  // D: a bracket between the two points the engine compared, labelled with its value
  const from = difference ? groups[difference.from] : undefined;
  const to = difference ? groups[difference.to] : undefined;
  if (difference && from && to && from.estimate !== null && to.estimate !== null) {
    const bx = left + plotW + 22;
    const y1 = y(from.estimate);
    const y2 = y(to.estimate);
    const b = s("g", {});
    for (const [i, yy] of [
      [difference.from, y1],
      [difference.to, y2],
    ]) {
      b.append(
        s("line", {
          x1: x(i) + 10,
          x2: bx,
          y1: yy,
          y2: yy,
          stroke: COLOURS.purple,
          "stroke-width": 1.5,
          "stroke-dasharray": "6 4",
        }),
      );
    }
    b.append(
      s("line", { x1: bx, x2: bx, y1, y2, stroke: COLOURS.purple, "stroke-width": 2.5 }),
      s("line", { x1: bx - 5, x2: bx + 5, y1, y2: y1, stroke: COLOURS.purple, "stroke-width": 2.5 }),
      s("line", { x1: bx - 5, x2: bx + 5, y1: y2, y2, stroke: COLOURS.purple, "stroke-width": 2.5 }),
      textLines(
        [dName.abbr, fmt(difference.value)],
        { x: bx + 10, y: (y1 + y2) / 2 - 4, fill: COLOURS.purple, "font-weight": "bold", "font-size": SMALL },
        16,
      ),
    );
    svg.append(b);
  }
  return svg;
}

/**
 * The SII's interval in words, when it has one.
 *
 * @param {SiiLabel} sii - The SII as the chart writes it
 * @returns {string} " (95% CI a to b)", or nothing
 */
function siiCi(sii) {
  return sii.lower !== null && sii.upper !== null
    ? ` (${fmt(sii.level)}% CI ${fmt(sii.lower)} to ${fmt(sii.upper)})`
    : "";
}

/**
 * A cell of a data table: a node, or text (null and undefined are empty).
 *
 * @typedef {Node | string | number | null | undefined} Cell
 */

/**
 * A data table: its caption, column headings and rows; the first cell of each row is the row's
 * header.
 *
 * @typedef {object} Table
 * @property {string} caption - The caption
 * @property {string[]} head - The column headings
 * @property {Cell[][]} rows - The rows
 * @property {number[]} [numeric] - The columns of numbers (right-aligned)
 * @property {string} [summary] - In a chart's figure: the text of the <details> it is folded in
 */

/**
 * A <figure> holding a chart, its caption, its notes and its data as a table in a <details>
 * (the text alternative).
 *
 * @param {object} figure - The figure
 * @param {Element} figure.svg - The chart
 * @param {string} figure.caption - Its caption
 * @param {string[]} [figure.notes] - Paragraphs under it
 * @param {Table} [figure.table] - Its data
 * @param {string} [figure.testid] - A data-testid
 * @returns {HTMLElement} The figure
 */
export function chartFigure({ svg, caption, notes = [], table, testid }) {
  const fig = document.createElement("figure");
  fig.className = "equitas-chart";
  if (testid) fig.setAttribute("data-testid", testid);
  const cap = document.createElement("figcaption");
  cap.className = "equitas-chart__caption";
  cap.textContent = caption;
  fig.append(cap, svg);
  for (const n of notes) {
    const p = document.createElement("p");
    p.className = "nhsuk-body-s equitas-chart__note";
    p.textContent = n;
    fig.append(p);
  }
  if (table) {
    const det = document.createElement("details");
    det.className = "nhsuk-details";
    const sum = document.createElement("summary");
    sum.className = "nhsuk-details__summary";
    const st = document.createElement("span");
    st.className = "nhsuk-details__summary-text";
    st.textContent = table.summary || "Show the data in this chart as a table";
    sum.append(st);
    const body = document.createElement("div");
    body.className = "nhsuk-details__text";
    body.append(dataTable(table));
    det.append(sum, body);
    fig.append(det);
  }
  return fig;
}

/**
 * An NHS.UK table with a caption, column headers (scope=col) and row headers (scope=row).
 *
 * @param {Table} table - The table
 * @returns {HTMLTableElement} The element
 */
export function dataTable({ caption, head, rows, numeric = [] }) {
  const t = document.createElement("table");
  t.className = "nhsuk-table";
  const c = document.createElement("caption");
  c.className = "nhsuk-table__caption nhsuk-table__caption--s";
  c.textContent = caption;
  t.append(c);
  const thead = document.createElement("thead");
  thead.className = "nhsuk-table__head";
  const hr = document.createElement("tr");
  hr.className = "nhsuk-table__row";
  head.forEach((hd, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.className = "nhsuk-table__header" + (numeric.includes(i) ? " nhsuk-table__header--numeric" : "");
    th.textContent = hd;
    hr.append(th);
  });
  thead.append(hr);
  const tb = document.createElement("tbody");
  tb.className = "nhsuk-table__body";
  for (const r of rows) {
    const tr = document.createElement("tr");
    tr.className = "nhsuk-table__row";
    r.forEach((cell, i) => {
      /** @type {HTMLTableCellElement} */
      let el;
      if (i === 0) {
        const th = document.createElement("th");
        th.scope = "row";
        th.className = "nhsuk-table__header";
        el = th;
      } else {
        el = document.createElement("td");
        el.className = "nhsuk-table__cell" + (numeric.includes(i) ? " nhsuk-table__cell--numeric" : "");
      }
      if (cell instanceof Node) el.append(cell);
      else el.textContent = cell === null || cell === undefined ? "" : String(cell);
      tr.append(el);
    });
    tb.append(tr);
  }
  t.append(thead, tb);
  return t;
}

/**
 * The slope index of inequality by the methods the engine lists, the Fingertips method first
 * (England's default): each named, with its value, interval, and what the interval includes (or
 * why it could not be computed).
 *
 * @param {readonly SiiLine[]} lines - The engine's lines
 * @param {string} caption - The table's caption
 * @param {number} level - The intervals' confidence level, in per cent
 * @returns {HTMLTableElement} The table
 */
export function siiMethodsTable(lines, caption, level) {
  return dataTable({
    caption,
    head: ["Method", "SII", `${level}% confidence interval`, "What the interval includes"],
    rows: lines.map((l) => [
      l.method,
      l.value !== null ? fmt(l.value, 2) : "Not computed",
      l.value !== null && l.lower !== null && l.upper !== null
        ? `${fmt(l.lower, 2)} to ${fmt(l.upper, 2)}`
        : l.reason || "No interval",
      l.interval,
    ]),
    numeric: [1],
  });
}

/**
 * The container for a table that may scroll sideways on a narrow screen. While (and only while)
 * the table is wider than its container, the container is a labelled region that takes keyboard
 * focus, so keyboard users can scroll it too, without adding a tab stop to every table.
 *
 * @param {HTMLTableElement} table - The table
 * @returns {HTMLDivElement} Its container
 */
export function tableBox(table) {
  const box = document.createElement("div");
  box.className = "nhsuk-table-container equitas-table-scroll";
  const cap = table.querySelector("caption");
  box.dataset.label = (cap && cap.textContent) || "Table";
  box.append(table);
  if (typeof ResizeObserver === "function") scrollWatch().observe(box);
  return box;
}

/** @type {ResizeObserver | null} */
let watcher = null;

/** @returns {ResizeObserver} The one observer of every table container */
function scrollWatch() {
  if (!watcher) {
    watcher = new ResizeObserver((entries) => {
      for (const { target } of entries) markScrollable(target);
    });
  }
  return watcher;
}

/**
 * Makes a table's container a focusable region while its table is wider than it.
 *
 * @param {Element} box - The container
 */
function markScrollable(box) {
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    const label = box instanceof HTMLElement ? box.dataset.label : "Table";
    box.setAttribute("aria-label", `${label} (scrolls sideways)`);
  } else {
    box.removeAttribute("role");
    box.removeAttribute("tabindex");
    box.removeAttribute("aria-label");
  }
}
