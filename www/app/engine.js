// @ts-check
// The one module that imports the assessment engine's wasm build (equitas_wasm: the start page,
// the form, the results). Everything else imports the engine from here, so the wasm is fetched
// and initialised exactly once however many parts of the page use it. The data page's measures
// are another wasm module, imported only by data-engine.js, so these pages never download them;
// the cohort classifier (equitas_cohort) is a third, which no page imports.
//
// The types below are the engine's own, from the TypeScript declarations wasm-bindgen generates
// (crates/equitas-wasm/equitas_wasm.d.ts, committed and drift-checked); the app's modules name
// them from here.
import init, * as wasm from "../pkg/equitas_wasm.js";
import { today } from "./format.js";

/** @typedef {import("../pkg/equitas_wasm.js").Instrument} Instrument */
/** @typedef {import("../pkg/equitas_wasm.js").InstrumentListing} InstrumentListing */
/** @typedef {import("../pkg/equitas_wasm.js").Section} Section */
/** @typedef {import("../pkg/equitas_wasm.js").Question} Question */
/** @typedef {import("../pkg/equitas_wasm.js").Choice} Choice */
/** @typedef {import("../pkg/equitas_wasm.js").Column} Column */
/** @typedef {import("../pkg/equitas_wasm.js").Answer} Answer */
/** @typedef {import("../pkg/equitas_wasm.js").Answers} Answers */
/** @typedef {import("../pkg/equitas_wasm.js").ChecklistEntry} ChecklistEntry */
/** @typedef {import("../pkg/equitas_wasm.js").Evidence} Evidence */
/** @typedef {import("../pkg/equitas_wasm.js").EvidenceRow} EvidenceRow */
/** @typedef {import("../pkg/equitas_wasm.js").SavedFile} SavedFile */
/** @typedef {import("../pkg/equitas_wasm.js").LoadedFile} LoadedFile */
/** @typedef {import("../pkg/equitas_wasm.js").NoteOut} NoteOut */
/** @typedef {import("../pkg/equitas_wasm.js").FieldError} FieldError */
/** @typedef {import("../pkg/equitas_wasm.js").SectionProgress} SectionProgress */
/** @typedef {import("../pkg/equitas_wasm.js").Report} Report */

/** @type {ReturnType<typeof init> | null} */
let started = null;

/**
 * Initialise the engine once; resolves when every function below can be called.
 *
 * @returns {ReturnType<typeof init>} Settles when the wasm is compiled and instantiated
 */
export function ready() {
  if (!started) {
    started = init({ module_or_path: new URL("../pkg/equitas_wasm_bg.wasm", import.meta.url) });
  }
  return started;
}

export const {
  instruments,
  instrument,
  addInstrument,
  newAssessment,
  loadAssessment,
  visibleQuestions,
  scoreAssessment,
  summariseAssessments,
} = wasm;

/**
 * The problems to fix before the assessment is complete, as of today (an assessment date after
 * today is one; the engine has no clock).
 *
 * @param {SavedFile} saved - The assessment
 * @returns {FieldError[]} The problems
 */
export function validateAssessment(saved) {
  return wasm.validateAssessment(saved, today());
}

/**
 * Each section's status, as of today (agreeing with `validateAssessment`).
 *
 * @param {SavedFile} saved - The assessment
 * @returns {SectionProgress[]} The sections
 */
export function assessmentProgress(saved) {
  return wasm.assessmentProgress(saved, today());
}
