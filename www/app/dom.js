// A tiny element builder. Text is only ever set through text nodes (textContent), never
// innerHTML, so free text typed by a user can never become markup.

/**
 * h("p", {class: "nhsuk-body"}, "Hello ", h("strong", {}, name))
 * attrs: `class`, `for`, `hidden`, `data-*`, `aria-*`, any attribute (false/null/undefined are
 * skipped, true sets an empty attribute); `on: {click: fn}` adds listeners; `props: {value}` sets
 * DOM properties. Children: strings/numbers become text nodes; null/false are skipped; arrays are
 * flattened.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "on") {
        for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      } else if (k === "props") {
        for (const [p, pv] of Object.entries(v)) el[p] = pv;
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

/** Append children (strings → text nodes) to an element. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Remove every child of an element. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A string safe to use as an element id, from any question or item id. */
export function safeId(...parts) {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, "-")).join("--");
}
