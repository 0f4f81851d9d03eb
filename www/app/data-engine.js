// @ts-check
// The one module that imports the data page's wasm build (equitas_measures: the HEAT Plus
// measures, and the reader of pasted or CSV evidence rows and where they go in the table), as engine.js does for the assessment
// engine. The data page imports it; the form imports it dynamically only when a person pastes
// cells or chooses a CSV file for the evidence table, so the start page and the form never
// download this wasm otherwise, and the data page never downloads the assessment engine's. The cohort classifier (equitas_cohort) is a module of its own that no page
// uses, so the data page does not download it either.
//
// The types below are the engine's own, from the TypeScript declarations wasm-bindgen generates
// (crates/equitas-wasm/equitas_measures.d.ts, committed and drift-checked).
import init, * as wasm from "../pkg/equitas_measures.js";

/** @typedef {import("../pkg/equitas_measures.js").MeasuredFile} MeasuredFile */
/** @typedef {import("../pkg/equitas_measures.js").MeasuredTable} MeasuredTable */
/** @typedef {import("../pkg/equitas_measures.js").MeasureInfo} MeasureInfo */
/** @typedef {import("../pkg/equitas_measures.js").Options} Options */
/** @typedef {import("../pkg/equitas_measures.js").SeriesTable} SeriesTable */
/** @typedef {import("../pkg/equitas_measures.js").MeasureSeries} MeasureSeries */

/** @type {ReturnType<typeof init> | null} */
let started = null;

/**
 * Initialise the data engine once; resolves when every function below can be called.
 *
 * @returns {ReturnType<typeof init>} Settles when the wasm is compiled and instantiated
 */
export function ready() {
  if (!started) {
    started = init({ module_or_path: new URL("../pkg/equitas_measures_bg.wasm", import.meta.url) });
  }
  return started;
}

export const { measureHeatPlus, readEvidence, evidenceStrata, placeEvidence } = wasm;
