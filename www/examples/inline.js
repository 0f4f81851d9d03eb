// @ts-check
// The inline example's own script: shows the rating when <equitas-assessment> reports completion.
// The app dispatches `equitas:completed` on the element itself; it bubbles to the document. The
// live region stays in the page from the start so that screen readers announce what is put in it.
const status = /** @type {HTMLElement} */ (document.getElementById("assessment-status"));
document.addEventListener("equitas:completed", (event) => {
  const { band, overall } = /** @type {CustomEvent} */ (event).detail;
  const message = document.createElement("p");
  message.className = "nhsuk-inset-text";
  message.textContent = `Assessment completed: ${band} (${overall}/100)`;
  status.replaceChildren(message);
});
