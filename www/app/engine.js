// The one module that imports the wasm build. Everything else imports the engine from here, so
// the wasm is fetched and initialised exactly once however many parts of the page use it.
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
  measureHeatPlus,
  classifyPerson,
  imdQuintile,
  isCore20Decile,
} = wasm;
