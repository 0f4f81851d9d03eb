// @ts-check
// The team module (pkg/equitas_team.js: the Word document, compare), fetched and started once,
// only when a page first asks for one of its tools; the start page and the form never load it.

/** @typedef {import("../pkg/equitas_team.js").ChangedAnswer} ChangedAnswer */
/** @typedef {import("./library.js").Library} Library */

/** @type {Promise<typeof import("../pkg/equitas_team.js")> | null} */
let team = null;

/**
 * The team module, fetched and started once.
 *
 * @returns {Promise<typeof import("../pkg/equitas_team.js")>} The module, ready to call
 */
export function teamModule() {
  if (!team) {
    team = import("../pkg/equitas_team.js").then(async (mod) => {
      await mod.default({ module_or_path: new URL("../pkg/equitas_team_bg.wasm", import.meta.url) });
      return mod;
    });
    // A failed fetch may be tried again.
    team.catch(() => {
      team = null;
    });
  }
  return team;
}

/**
 * The JSON texts of the organisation's own instruments with this id, kept in the library (the
 * team module knows only the built-in ones); none when the app keeps no library (an embed).
 *
 * @param {Library | null} library - The app's library
 * @param {string} id - The instrument's id
 * @returns {string[]} The texts
 */
export function ownInstrumentTexts(library, id) {
  return library ? [...library.instruments.values()].filter((r) => r.id === id).map((r) => r.text) : [];
}
