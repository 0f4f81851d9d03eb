// @ts-check
// Saving a file from the page: the file is made in this browser (a Blob) and handed to the
// browser's download; nothing is sent anywhere.

import { h } from "./dom.js";

/** How long the Blob's URL stays valid after the download starts, in ms. */
const URL_LIFETIME_MS = 10000;

/**
 * Hand `blob` to the browser's download as a file called `name`.
 *
 * @param {string} name - The file's name
 * @param {Blob} blob - Its content
 */
function save(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, class: "nhsuk-u-visually-hidden" }, "download");
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
}

/**
 * Download `text` as a JSON file called `name`.
 *
 * @param {string} name - The file's name
 * @param {string} text - Its content
 */
export function downloadText(name, text) {
  save(name, new Blob([text], { type: "application/json" }));
}

/**
 * Download `bytes` as a file called `name` of media type `type`.
 *
 * @param {string} name - The file's name
 * @param {Uint8Array} bytes - Its content
 * @param {string} type - Its media type
 */
export function downloadBytes(name, bytes, type) {
  save(name, new Blob([/** @type {BlobPart} */ (bytes)], { type }));
}
