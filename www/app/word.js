// @ts-check
// "Download as Word (.docx)": the Word document of the assessment and its report. The team
// module (pkg/equitas_team.js, with the .docx writer) is fetched only when this is first used,
// so the form's own module carries none of it; the engine writes the document, and this file
// only hands it a PNG picture of each evidence chart on the page.

import { downloadBytes, pngOf, PNG_SCALE } from "./download.js";
import { wordFileName } from "./format.js";
import { teamModule } from "./team.js";

/** @typedef {import("../pkg/equitas_wasm.js").SavedFile} SavedFile */

/** The media type of a .docx file. */
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/**
 * A chart's picture for the document: its PNG (drawn as the data page's download draws it) and
 * its size in pixels.
 *
 * @param {SVGSVGElement} svg - The chart on the page
 * @returns {Promise<{png: Uint8Array, width: number, height: number}>} The picture
 */
async function picture(svg) {
  const box = svg.viewBox.baseVal;
  const blob = await pngOf(svg);
  return {
    png: new Uint8Array(await blob.arrayBuffer()),
    width: Math.round(box.width * PNG_SCALE),
    height: Math.round(box.height * PNG_SCALE),
  };
}

/**
 * Write and download the Word document of `saved`, with a picture of each evidence chart shown
 * in `report` (the results page's report, where the charts are `figure[data-testid=evidence-chart-N]`,
 * N the chart's index in the engine's report model).
 *
 * @param {SavedFile} saved - The assessment
 * @param {Element} report - Where the report is drawn
 * @param {string[]} instruments - The JSON texts of the organisation's own instruments
 * @returns {Promise<void>} Settles when the download has been handed to the browser
 */
export async function downloadWord(saved, report, instruments) {
  const mod = await teamModule();
  const pictures = [];
  for (const fig of report.querySelectorAll('figure[data-testid^="evidence-chart-"]')) {
    const index = Number((fig.getAttribute("data-testid") || "").slice("evidence-chart-".length));
    const svg = fig.querySelector("svg");
    if (svg instanceof SVGSVGElement && Number.isInteger(index)) {
      pictures.push({ index, ...(await picture(svg)) });
    }
  }
  const bytes = mod.assessmentDocx(saved, pictures, instruments);
  downloadBytes(wordFileName(saved.instrument.id, new Date()), bytes, DOCX);
}
