// The one module that imports the assessment engine's wasm build (equitas_wasm: the start page,
// the form, the results). Everything else imports the engine from here, so the wasm is fetched
// and initialised exactly once however many parts of the page use it. The data page's measures
// are another wasm module, imported only by data-engine.js, so these pages never download them;
// the cohort classifier (equitas_cohort) is a third, which no page imports.
import init, * as wasm from "../pkg/equitas_wasm.js";

let started = null;

/** Initialise the engine once; resolves when every function below can be called. */
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
  validateAssessment,
  assessmentProgress,
  visibleQuestions,
  scoreAssessment,
  summariseAssessments,
} = wasm;
