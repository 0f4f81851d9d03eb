/* tslint:disable */
/* eslint-disable */

/**
 * Classifies one person against the national Core20PLUS5 definition.
 *
 * `record` is a plain object with the fields of a person record (`id`, `age`, `date_of_birth`,
 * `sex`, `ethnicity`, `area`, `imd_decile`, `conditions`, `groups`, `smoking`, `events`; all
 * optional, unknown fields refused). The result is a JSON-safe object: Core20, IMD decile and
 * quintile, age band, ethnic group, sex, PLUS groups, adult and children's clinical areas, and
 * the reasons for anything that could not be decided.
 *
 * @throws {Error} when the record is malformed or cannot be classified
 */
export function classifyPerson(record: any): any;

/**
 * The IMD quintile (1 = most deprived fifth of areas) that an IMD decile (1 = most deprived
 * tenth) falls in.
 *
 * @throws {Error} when `decile` is not a whole number from 1 to 10
 */
export function imdQuintile(decile: number): number;

/**
 * Whether an IMD decile is in Core20: the most deprived 20% of areas (deciles 1 and 2).
 *
 * @throws {Error} when `decile` is not a whole number from 1 to 10
 */
export function isCore20Decile(decile: number): boolean;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly classifyPerson: (a: any) => [number, number, number];
    readonly imdQuintile: (a: number) => [number, number, number];
    readonly isCore20Decile: (a: number) => [number, number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
