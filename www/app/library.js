// @ts-check
// The assessments kept in this browser: one IndexedDB database (through the `idb` package,
// vendored into vendor/idb by `cargo xtask wasm`), read whole when the app starts and kept in
// memory, so the pages read it without waiting; every change is written through at once and
// reported (a promise of true or false), as localStorage writes were.
//
// Each record keeps the saved file's JSON text exactly as it was written. A record the engine
// cannot read is listed as one that cannot be opened, offered for download and never written
// over: the app only writes a record it opened (or made) itself.

import { openDB } from "../vendor/idb/index.js";

/** The database's name (one per origin). */
export const DB_NAME = "equitas";
/**
 * Its layout version: 2, an object store of assessments keyed by `id` (version 1's only store)
 * and one of organisations' own instruments keyed by `key`.
 */
export const DB_VERSION = 2;
/** The object store of assessments. */
export const STORE = "assessments";
/** The object store of organisations' own instruments. */
export const INSTRUMENTS = "instruments";
/** The longest name a person can give an assessment, in characters. */
export const MAX_NAME_CHARS = 200;

/**
 * An assessment kept in this browser.
 *
 * @typedef {object} StoredAssessment
 * @property {string} id - Its key: a random UUID, never shown
 * @property {string} name - The name the person gave it; "" to use the title it answers
 * @property {string} instrument - The instrument it answers, as it was when written
 * @property {string} text - The saved file's JSON text, exactly as written
 * @property {string} changed - When it was last written (ISO 8601)
 * @property {string} opened - When it was last opened (ISO 8601): the instrument's pages open
 *   the one opened last
 */

/**
 * An organisation's own instrument kept in this browser, added again to the engine
 * (`addInstrument`) each time the app starts.
 *
 * @typedef {object} StoredInstrument
 * @property {string} key - `<id>@<version>`
 * @property {string} id - The instrument's id
 * @property {number} version - Its version
 * @property {string} text - The file's JSON text, exactly as it was chosen
 * @property {string} added - When it was added (ISO 8601)
 */

/** @typedef {import("../vendor/idb/index.js").IDBPDatabase} Database */

/**
 * The assessments in this browser's IndexedDB, with a copy of every record in memory.
 */
export class Library {
  /**
   * @param {Database} db - The open database
   * @param {StoredAssessment[]} records - Every record in it
   * @param {StoredInstrument[]} [instruments] - Every instrument in it
   */
  constructor(db, records, instruments = []) {
    /** @type {Database} */
    this.db = db;
    /** @type {Map<string, StoredAssessment>} */
    this.records = new Map(records.map((r) => [r.id, r]));
    /** @type {Map<string, StoredInstrument>} */
    this.instruments = new Map(instruments.map((r) => [r.key, r]));
  }

  /**
   * Open the database (making its store the first time) and read every record.
   *
   * @returns {Promise<Library>} The library
   */
  static async open() {
    const db = await openDB(DB_NAME, DB_VERSION, {
      upgrade(d) {
        if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: "id" });
        if (!d.objectStoreNames.contains(INSTRUMENTS)) d.createObjectStore(INSTRUMENTS, { keyPath: "key" });
      },
    });
    const all = /** @type {StoredAssessment[]} */ (await db.getAll(STORE));
    const instruments = /** @type {StoredInstrument[]} */ (await db.getAll(INSTRUMENTS));
    return new Library(db, all, instruments);
  }

  /**
   * Keep an organisation's own instrument (over any kept with the same id and version) and read
   * it back.
   *
   * @param {StoredInstrument} record - The instrument
   * @returns {Promise<boolean>} True when the database holds it as given
   */
  async putInstrument(record) {
    this.instruments.set(record.key, record);
    try {
      await this.db.put(INSTRUMENTS, record);
      const back = /** @type {StoredInstrument | undefined} */ (await this.db.get(INSTRUMENTS, record.key));
      return !!back && back.text === record.text;
    } catch {
      return false;
    }
  }

  /**
   * Every record, most recently changed first.
   *
   * @returns {StoredAssessment[]} The records
   */
  list() {
    return [...this.records.values()].sort((a, b) => (a.changed < b.changed ? 1 : a.changed > b.changed ? -1 : 0));
  }

  /**
   * One record.
   *
   * @param {string} id - Its key
   * @returns {StoredAssessment | undefined} The record
   */
  get(id) {
    return this.records.get(id);
  }

  /**
   * Write a record (a new one, or over the one with its key) and read it back.
   *
   * @param {StoredAssessment} record - The record
   * @returns {Promise<boolean>} True when the database holds it as given
   */
  async put(record) {
    this.records.set(record.id, record);
    try {
      await this.db.put(STORE, record);
      const back = /** @type {StoredAssessment | undefined} */ (await this.db.get(STORE, record.id));
      return !!back && back.text === record.text && back.name === record.name;
    } catch {
      return false;
    }
  }

  /**
   * Remove a record.
   *
   * @param {string} id - Its key
   * @returns {Promise<boolean>} True when the database no longer holds it
   */
  async remove(id) {
    this.records.delete(id);
    try {
      await this.db.delete(STORE, id);
      return (await this.db.get(STORE, id)) === undefined;
    } catch {
      return false;
    }
  }
}

/**
 * A new record's key.
 *
 * @returns {string} A random UUID
 */
export function newId() {
  return crypto.randomUUID();
}

/**
 * How much this origin stores and may store, in words: "about 12 kB of about 1.2 GB", or null
 * when the browser does not say.
 *
 * @returns {Promise<string | null>} The words
 */
export async function spaceUsed() {
  try {
    const e = await navigator.storage.estimate();
    if (e.usage === undefined) return null;
    return e.quota === undefined ? `about ${bytes(e.usage)}` : `about ${bytes(e.usage)} of ${bytes(e.quota)} available`;
  } catch {
    return null;
  }
}

/**
 * A size in bytes for people: "512 bytes", "12 kB", "3.4 MB", "1.2 GB" (powers of 1,000).
 *
 * @param {number} n - Bytes
 * @returns {string} The size
 */
export function bytes(n) {
  if (n < 1000) return `${n} bytes`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
