// @ts-check
// Pure text helpers for the pages: times for people and the names of downloaded files. No DOM and
// no engine, so they are unit-tested under Node (tests/unit/format.test.mjs).

/**
 * The date and time of an ISO timestamp, for people: "6 January 2026 at 17:30" (in the browser's
 * time zone). Anything that is not a date is shown as it is.
 *
 * @param {string} iso - An ISO 8601 timestamp
 * @returns {string} The date and time in words
 */
export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const day = d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return `${day} at ${time}`;
}

/**
 * The name of the file "Download your answers" saves: `equitas-<instrument>-<YYYY-MM-DD>.json`.
 *
 * @param {string} instrumentId - The instrument's id
 * @param {Date} now - The day of the download (its UTC date is used)
 * @returns {string} The file name
 */
export function exportFileName(instrumentId, now) {
  return `equitas-${instrumentId}-${now.toISOString().slice(0, 10)}.json`;
}

/**
 * The name of the Word document "Download as Word" saves: `equitas-<instrument>-<YYYY-MM-DD>.docx`.
 *
 * @param {string} instrumentId - The instrument's id
 * @param {Date} now - The day of the download (its UTC date is used)
 * @returns {string} The file name
 */
export function wordFileName(instrumentId, now) {
  return `equitas-${instrumentId}-${now.toISOString().slice(0, 10)}.docx`;
}

/**
 * The name of the file a draft that could not be opened is downloaded as:
 * `equitas-<instrument>-could-not-be-opened-<YYYY-MM-DD>.json`, dated when it was set aside, or
 * `now` for a draft still in place.
 *
 * @param {string} instrumentId - The instrument the draft belongs to
 * @param {string | null} setAsideAt - When it was set aside (ISO 8601), or null
 * @param {Date} now - Today, for a draft never set aside
 * @returns {string} The file name
 */
export function unreadableFileName(instrumentId, setAsideAt, now) {
  return `equitas-${instrumentId}-could-not-be-opened-${(setAsideAt || now.toISOString()).slice(0, 10)}.json`;
}

/**
 * Today's date as `YYYY-MM-DD`, in this browser's time zone: the "today" the engine's checks of
 * dates take (it has no clock).
 *
 * @param {Date} [now] - The time (the page's clock by default)
 * @returns {string} The date
 */
export function today(now = new Date()) {
  const p = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
