// @ts-check
// Saving a file from the page: the file is made in this browser (a Blob) and handed to the
// browser's download; nothing is sent anywhere.

import { h } from "./dom.js";

/** How long the Blob's URL stays valid after the download starts, in ms. */
const URL_LIFETIME_MS = 10000;

/**
 * Download `text` as a file called `name` (JSON unless `type` says otherwise).
 *
 * @param {string} name - The file's name
 * @param {string} text - Its content
 * @param {string} [type] - Its media type
 */
export function downloadText(name, text, type = "application/json") {
  downloadBlob(name, new Blob([text], { type }));
}

/**
 * Download `blob` as a file called `name`.
 *
 * @param {string} name - The file's name
 * @param {Blob} blob - Its content
 */
export function downloadBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, class: "nhsuk-u-visually-hidden" }, "download");
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
}

/**
 * A chart's SVG as a file of its own: the element's markup with the SVG namespace, which a
 * drawing program or a document opens as it is (the charts draw with attributes, not the
 * page's styles).
 *
 * @param {SVGSVGElement} svg - The chart
 * @returns {string} The SVG file's text
 */
export function svgText(svg) {
  // On the page the chart takes the page's font ("inherit"); a file of its own names one.
  const copy = /** @type {SVGSVGElement} */ (svg.cloneNode(true));
  copy.setAttribute("font-family", "Arial, Helvetica, sans-serif");
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

/** How many pixels of a chart's PNG each unit of its viewBox becomes (sharp when printed). */
export const PNG_SCALE = 2;

/**
 * A chart as a PNG, twice its viewBox's size, on white: the SVG drawn on a canvas (loaded from
 * a data: URL, which the pages' policy allows for images).
 *
 * @param {SVGSVGElement} svg - The chart
 * @returns {Promise<Blob>} The PNG
 */
export async function pngOf(svg) {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(svg))}`;
  await img.decode();
  const box = svg.viewBox.baseVal;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(box.width * PNG_SCALE);
  canvas.height = Math.round(box.height * PNG_SCALE);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser cannot draw the chart as an image");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the chart could not be made into a PNG"))), "image/png"),
  );
}

/**
 * One CSV cell: quoted when it holds a comma, a quote or a line break; text a spreadsheet would
 * read as a formula (starting with =, +, - or an at sign) is written after an apostrophe.
 * Numbers as they are.
 *
 * @param {string | number | null | undefined} v - The value
 * @returns {string} The cell
 */
export function csvCell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  const t = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * Download `bytes` as a file called `name` of media type `type`.
 *
 * @param {string} name - The file's name
 * @param {Uint8Array} bytes - Its content
 * @param {string} type - Its media type
 */
export function downloadBytes(name, bytes, type) {
  downloadBlob(name, new Blob([/** @type {BlobPart} */ (bytes)], { type }));
}
