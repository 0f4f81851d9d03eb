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

/** An SVG element: attrs are set as attributes (presentation attributes only), children appended. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "style" || k.startsWith("on")) {
      throw new Error(`charts: attribute ${k} is not allowed (CSP)`);
    }
    el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A number for people: en-GB grouping, at most `dp` decimals, a real minus sign. */
export function fmt(v, dp = 1) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const t = Number(v).toLocaleString("en-GB", {
    maximumFractionDigits: dp,
    minimumFractionDigits: 0,
  });
  return t.replace(/^-/, "−");
}

/** Evenly spaced "nice" ticks covering [lo, hi]. */
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

/** Split a label into lines of at most `width` characters, at spaces; at most `maxLines`. */
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

function textLines(lines, attrs, lineHeight) {
  return s(
    "text",
    attrs,
    lines.map((l, i) => s("tspan", { x: attrs.x, dy: i === 0 ? 0 : lineHeight }, l)),
  );
}

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
 * A horizontal bar chart of percentages: one bar per item, its label above it, its value at its
 * end. items: [{label, value, max}] — the bar is value/max of the full width; the track behind it
 * (outlined) is the maximum. `valueText(item)` may give the text at the end of the bar.
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
  const summary = items
    .map((it) => `${it.label}: ${valueText ? valueText(it) : fmt(pct(it), 0) + "%"}`)
    .join("; ");
  const svg = svgRoot(width, height, title, `${title}. ${summary}`);
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
      { x: left + plotW / 2, y: top + items.length * rowH + 46, "text-anchor": "middle", fill: COLOURS.secondary, "font-size": SMALL },
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
        s("rect", { x: x(0), y: y + 26, width: x(p) - x(0), height: 22, fill: COLOURS.blue, stroke: COLOURS.darkBlue, "stroke-width": 1 }),
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

function pct(it) {
  if (!(it.max > 0)) return 0;
  return (100 * it.value) / it.max;
}

/**
 * Estimates by subgroup with confidence-interval whiskers, subgroups left to right in their
 * order (for deprivation: most deprived first).
 *
 * subgroups: [{label, order, value, lower, upper, reference}] (lower/upper may be null: no
 * whisker). `difference`: {value, from, to} draws a bracket between two plotted subgroups (by
 * label) with the engine's D; `sii`: {value, lower, upper} is written on the chart as the
 * engine's figure — the engine reports the SII as a number only (the modelled difference between
 * the ends of the ridit scale), not the fitted curve, so no line is drawn for it from `sii`
 * alone. When each subgroup has `ridit` (the middle of its cumulative population share, 0..1) the
 * x axis is that scale, and `fitted: {at0, at1, label}` draws a straight line from ridit 0 to 1
 * (the SII line from `siiLine`).
 * (`sii.level`: the confidence level of its interval, 95 by default.)
 * `average`: a horizontal reference line (e.g. the setting average) when given.
 */
export function gradientChart({ title, subgroups, yLabel = "Estimate", difference = null, sii = null, average = null, fitted = null }) {
  const groups = [...subgroups].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  // on the ridit scale when every subgroup has its position (the middle of its population share)
  const riditMode = groups.length > 0 && groups.every((g) => Number.isFinite(g.ridit));
  const width = 640;
  const left = 64;
  const right = difference ? 110 : 24;
  const top = sii ? 64 : 40;
  const plotH = 220;
  const bottom = riditMode ? 92 : 78;
  const height = top + plotH + bottom;
  const plotW = width - left - right;

  const vals = [];
  for (const g of groups) {
    for (const v of [g.value, g.lower, g.upper]) if (Number.isFinite(v)) vals.push(v);
  }
  if (Number.isFinite(average)) vals.push(average);
  const line = riditMode && fitted && Number.isFinite(fitted.at0) && Number.isFinite(fitted.at1) ? fitted : null;
  if (line) vals.push(line.at0, line.at1);
  const lo = vals.length ? Math.min(...vals) : 0;
  const hi = vals.length ? Math.max(...vals) : 1;
  const pad = (hi - lo) * 0.08;
  const { ticks, min, max } = niceTicks(lo - pad, hi + pad);
  const y = (v) => top + plotH - ((v - min) / (max - min)) * plotH;
  const slot = plotW / Math.max(1, groups.length);
  const x = riditMode ? (i) => left + plotW * groups[i].ridit : (i) => left + slot * (i + 0.5);
  const xr = (r) => left + plotW * r;

  const described = groups
    .map((g) => {
      const ci = Number.isFinite(g.lower) && Number.isFinite(g.upper) ? ` (${fmt(g.lower)} to ${fmt(g.upper)})` : "";
      return `${g.label}: ${fmt(g.value)}${ci}`;
    })
    .join("; ");
  let aria = `${title}. ${yLabel} by subgroup with 95% confidence intervals. ${described}.`;
  if (difference) aria += ` Difference (D) ${fmt(difference.value)}.`;
  if (sii) aria += ` Slope index of inequality (SII) ${fmt(sii.value)}${siiCi(sii)}.`;
  if (line) aria += ` Fitted line from ${fmt(line.at0)} at the most disadvantaged end to ${fmt(line.at1)} at the least disadvantaged end.`;
  const svg = svgRoot(width, height, title, aria);

  // y axis: label above, ticks, gridlines
  svg.append(s("text", { x: 8, y: top - 18, fill: COLOURS.text, "font-size": SMALL }, yLabel));
  if (sii) {
    svg.append(
      s(
        "text",
        { x: 8, y: 22, fill: COLOURS.darkBlue, "font-weight": "bold", "font-size": SMALL },
        `Slope index of inequality (SII): ${fmt(sii.value)}${siiCi(sii)}`,
      ),
    );
  }
  const axis = s("g", { "aria-hidden": "true" });
  for (const t of ticks) {
    axis.append(
      s("line", { x1: left, x2: left + plotW, y1: y(t), y2: y(t), stroke: COLOURS.grey, "stroke-width": 1, "stroke-dasharray": "2 5" }),
      s("text", { x: left - 8, y: y(t) + 5, "text-anchor": "end", fill: COLOURS.text, "font-size": SMALL }, fmt(t, 2)),
    );
  }
  axis.append(
    s("line", { x1: left, x2: left, y1: top, y2: top + plotH, stroke: COLOURS.text, "stroke-width": 1.5 }),
    s("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, stroke: COLOURS.text, "stroke-width": 1.5 }),
  );
  const chars = Math.max(6, Math.floor(slot / 8.2));
  if (riditMode) {
    // each subgroup's share of the population, as bands separated by dashed lines
    let edge = 0;
    groups.forEach((g, i) => {
      const end = 2 * g.ridit - edge;
      if (i < groups.length - 1 && groups[i + 1].ridit !== g.ridit) {
        axis.append(s("line", { x1: xr(end), x2: xr(end), y1: top, y2: top + plotH + 10, stroke: COLOURS.grey, "stroke-width": 1, "stroke-dasharray": "4 4" }));
      }
      edge = end;
    });
    axis.append(
      s("text", { x: left, y: top + plotH + 72, fill: COLOURS.secondary, "font-size": SMALL }, "0"),
      s("text", { x: left + plotW, y: top + plotH + 72, "text-anchor": "end", fill: COLOURS.secondary, "font-size": SMALL }, "1"),
      s(
        "text",
        { x: left + plotW / 2, y: top + plotH + 72, "text-anchor": "middle", fill: COLOURS.secondary, "font-size": SMALL },
        "Position in the population (ridit), most to least disadvantaged",
      ),
    );
  }
  groups.forEach((g, i) => {
    axis.append(s("line", { x1: x(i), x2: x(i), y1: top + plotH, y2: top + plotH + 6, stroke: COLOURS.text, "stroke-width": 1.5 }));
    const label = g.reference ? `${g.label} (reference)` : g.label;
    axis.append(
      textLines(wrap(label, chars), { x: x(i), y: top + plotH + 24, "text-anchor": "middle", fill: COLOURS.text, "font-size": SMALL }, 16),
    );
  });
  svg.append(axis);

  if (Number.isFinite(average)) {
    svg.append(
      s("line", { x1: left, x2: left + plotW, y1: y(average), y2: y(average), stroke: COLOURS.purple, "stroke-width": 2, "stroke-dasharray": "10 5" }),
      s("text", { x: left + plotW - 4, y: y(average) - 6, "text-anchor": "end", fill: COLOURS.purple, "font-size": SMALL }, `Setting average ${fmt(average)}`),
    );
  }

  if (line) {
    svg.append(
      s("line", { x1: xr(0), x2: xr(1), y1: y(line.at0), y2: y(line.at1), stroke: COLOURS.darkBlue, "stroke-width": 2.5, "stroke-dasharray": "14 6" }),
      // legend above the plot, right-aligned, so the label never covers a point
      s("line", { x1: left + plotW - 200, x2: left + plotW - 160, y1: top - 23, y2: top - 23, stroke: COLOURS.darkBlue, "stroke-width": 2.5, "stroke-dasharray": "14 6" }),
      s("text", { x: left + plotW - 152, y: top - 18, fill: COLOURS.darkBlue, "font-size": SMALL, "font-weight": "bold" }, line.label || "Fitted line (SII)"),
    );
  }

  // whiskers and points
  const marks = s("g", {});
  groups.forEach((g, i) => {
    if (!Number.isFinite(g.value)) return;
    if (Number.isFinite(g.lower) && Number.isFinite(g.upper)) {
      marks.append(
        s("line", { x1: x(i), x2: x(i), y1: y(g.lower), y2: y(g.upper), stroke: COLOURS.text, "stroke-width": 2 }),
        s("line", { x1: x(i) - 9, x2: x(i) + 9, y1: y(g.lower), y2: y(g.lower), stroke: COLOURS.text, "stroke-width": 2 }),
        s("line", { x1: x(i) - 9, x2: x(i) + 9, y1: y(g.upper), y2: y(g.upper), stroke: COLOURS.text, "stroke-width": 2 }),
      );
    }
    marks.append(
      g.reference
        ? s("rect", { x: x(i) - 7, y: y(g.value) - 7, width: 14, height: 14, fill: COLOURS.white, stroke: COLOURS.darkBlue, "stroke-width": 3 })
        : s("circle", { cx: x(i), cy: y(g.value), r: 7, fill: COLOURS.blue, stroke: COLOURS.darkBlue, "stroke-width": 2 }),
    );
  });
  svg.append(marks);

  // D: a bracket between the two subgroups it compares, labelled with the engine's value
  if (difference) {
    const iFrom = groups.findIndex((g) => g.label === difference.from);
    const iTo = groups.findIndex((g) => g.label === difference.to);
    if (iFrom >= 0 && iTo >= 0 && Number.isFinite(groups[iFrom].value) && Number.isFinite(groups[iTo].value)) {
      const bx = left + plotW + 22;
      const y1 = y(groups[iFrom].value);
      const y2 = y(groups[iTo].value);
      const b = s("g", {});
      for (const [i, yy] of [[iFrom, y1], [iTo, y2]]) {
        b.append(s("line", { x1: x(i) + 10, x2: bx, y1: yy, y2: yy, stroke: COLOURS.purple, "stroke-width": 1.5, "stroke-dasharray": "6 4" }));
      }
      b.append(
        s("line", { x1: bx, x2: bx, y1, y2, stroke: COLOURS.purple, "stroke-width": 2.5 }),
        s("line", { x1: bx - 5, x2: bx + 5, y1, y2: y1, stroke: COLOURS.purple, "stroke-width": 2.5 }),
        s("line", { x1: bx - 5, x2: bx + 5, y1: y2, y2, stroke: COLOURS.purple, "stroke-width": 2.5 }),
        textLines(["D", fmt(difference.value)], { x: bx + 10, y: (y1 + y2) / 2 - 4, fill: COLOURS.purple, "font-weight": "bold", "font-size": SMALL }, 16),
      );
      svg.append(b);
    }
  }
  return svg;
}

function siiCi(sii) {
  const level = sii.level || 95;
  return Number.isFinite(sii.lower) && Number.isFinite(sii.upper) ? ` (${fmt(level)}% CI ${fmt(sii.lower)} to ${fmt(sii.upper)})` : "";
}

/**
 * A <figure> holding a chart, its caption and its data as a table in a <details> (the text
 * alternative). table: {caption, head: [string], rows: [[cell]]}; the first cell of each row is
 * the row header.
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

/** An NHS.UK table with a caption, column headers (scope=col) and row headers (scope=row). */
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
      const el = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) {
        el.scope = "row";
        el.className = "nhsuk-table__header";
      } else {
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
 * The container for a table that may scroll sideways on a narrow screen. While (and only while)
 * the table is wider than its container, the container is a labelled region that takes keyboard
 * focus, so keyboard users can scroll it too, without adding a tab stop to every table.
 */
export function tableBox(table) {
  const box = document.createElement("div");
  box.className = "nhsuk-table-container equitas-table-scroll";
  const cap = table.querySelector("caption");
  box.dataset.label = cap ? cap.textContent : "Table";
  box.append(table);
  if (typeof ResizeObserver === "function") scrollWatch().observe(box);
  return box;
}

let watcher = null;
function scrollWatch() {
  if (!watcher) {
    watcher = new ResizeObserver((entries) => {
      for (const { target } of entries) markScrollable(target);
    });
  }
  return watcher;
}

function markScrollable(box) {
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    box.setAttribute("aria-label", `${box.dataset.label} (scrolls sideways)`);
  } else {
    box.removeAttribute("role");
    box.removeAttribute("tabindex");
    box.removeAttribute("aria-label");
  }
}

/**
 * The SII line: the straight line joining the fitted values at the two ends of the population
 * ranked by the dimension (ridit 0 = most disadvantaged, 1 = least). The engine reports
 * SII = v1 − v0 and RII = v1 / v0 for the same fit (logistic or linear), so the ends are
 * v0 = SII / (RII − 1) and v1 = RII · v0, and the line's slope is the SII. (For a logistic fit
 * the model itself is a curve through those ends; the line is the SII, not the curve.)
 *
 * `sorted` is the subgroups in order, each with `order`, `population` and `value`; this sets
 * each one's `ridit` (the middle of its share of the population; tied orders share one, as in
 * the engine). Returns `{at0, at1, label}`, or null when a population is missing or RII is 1
 * (no gradient: the ends cannot be told apart from these two numbers).
 */
export function siiLine(sorted, sii, rii) {
  if (!(Number.isFinite(sii) && Number.isFinite(rii)) || Math.abs(rii - 1) < 1e-12) return null;
  if (!sorted.every((g) => Number.isFinite(g.population) && g.population >= 0)) return null;
  const total = sorted.reduce((a, g) => a + g.population, 0);
  if (!(total > 0)) return null;
  let below = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    let share = 0;
    while (j < sorted.length && sorted[j].order === sorted[i].order) share += sorted[j++].population / total;
    for (let k = i; k < j; k++) sorted[k].ridit = below + share / 2;
    below += share;
    i = j;
  }
  const at0 = sii / (rii - 1);
  const at1 = rii * at0;
  if (!(Number.isFinite(at0) && Number.isFinite(at1))) return null;
  return { at0, at1, label: "SII line" };
}
