// @ts-check
// A tiny element builder. Text is only ever set through text nodes (textContent), never
// innerHTML, so free text typed by a user can never become markup.

/**
 * Listeners by event name, each given the event of its type (`submit` a SubmitEvent, …).
 *
 * @typedef {{ [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void }} Listeners
 */

/**
 * An attribute's value: false, null and undefined leave it out, true sets it empty, anything else
 * is set as text.
 *
 * @typedef {string | number | boolean | null | undefined} AttrValue
 */

/**
 * Attributes, listeners (`on`) and DOM properties (`props`) of an element.
 *
 * @typedef {{ on?: Listeners, props?: Record<string, unknown>, [attribute: string]: AttrValue | Listeners | Record<string, unknown> }} Attrs
 */

/**
 * A child: a node, text (a string or a number), nothing (null, undefined, false), or a list of
 * these to any depth.
 *
 * @typedef {Node | string | number | null | undefined | false | ChildList} Child
 */
/** @typedef {Child[]} ChildList */

/**
 * h("p", {class: "nhsuk-body"}, "Hello ", h("strong", {}, name))
 * attrs: `class`, `for`, `hidden`, `data-*`, `aria-*`, any attribute (false/null/undefined are
 * skipped, true sets an empty attribute); `on: {click: fn}` adds listeners; `props: {value}` sets
 * DOM properties. Children: strings/numbers become text nodes; null/false are skipped; arrays are
 * flattened. An inline style or an `on…` attribute is refused (the CSP would block it).
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag - The element's tag name
 * @param {Attrs | null} [attrs] - Its attributes, listeners and properties
 * @param {...Child} children - Its children
 * @returns {HTMLElementTagNameMap[K]} The element
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "on") {
        for (const [ev, fn] of Object.entries(/** @type {Listeners} */ (v))) {
          el.addEventListener(ev, /** @type {EventListener} */ (fn));
        }
      } else if (k === "props") {
        Object.assign(el, v);
      } else if (k === "style" || k.startsWith("on")) {
        throw new Error(`dom.h: attribute ${k} is not allowed (CSP: no inline styles or handlers)`);
      } else {
        el.setAttribute(k, v === true ? "" : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

/**
 * Append children (strings → text nodes) to an element.
 *
 * @template {ParentNode} E
 * @param {E} el - The element
 * @param {Child[]} children - What to append; nothing (null, undefined, false) is skipped
 * @returns {E} The element
 */
export function append(el, children) {
  for (const c of /** @type {unknown[]} */ (children).flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Remove every child of an element.
 *
 * @template {Node} E
 * @param {E} el - The element
 * @returns {E} The element, now empty
 */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/**
 * A string safe to use as an element id, from any question or item id.
 *
 * @param {...unknown} parts - The id's parts, joined with `--`
 * @returns {string} The id: letters, digits, `_` and `-` only
 */
export function safeId(...parts) {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, "-")).join("--");
}
