// The one module that imports the data page's wasm build (equitas_data: the HEAT Plus measures
// and the Core20PLUS5 functions), as engine.js does for the assessment engine. Only the data page
// imports it, so the start page and the form never download this wasm, and the data page never
// downloads the assessment engine's.
import init, * as wasm from "../pkg/equitas_data.js";

let started = null;

/** Initialise the data engine once; resolves when every function below can be called. */
export function ready() {
  if (!started) {
    started = init({ module_or_path: new URL("../pkg/equitas_data_bg.wasm", import.meta.url) });
  }
  return started;
}

export const { measureHeatPlus, classifyPerson, imdQuintile, isCore20Decile } = wasm;
