// @ts-check
// Boot for index.html: mount the app in <main id="app">; when framed by a partner site
// (?embed=1&parent=<origin>&instrument=<id>) hide the page chrome and start the embed bridge.
import { mount } from "./app.js";

const params = new URLSearchParams(location.search);
const embedded = params.get("embed") === "1";
const instrument = params.get("instrument") || undefined;
const root = /** @type {HTMLElement} */ (document.getElementById("app"));

document.body.classList.add("nhsuk-frontend-supported", "js-enabled");
if (embedded) document.documentElement.classList.add("equitas-embedded");

// The skip link focuses <main> without touching the hash (the hash holds the app's route).
const skip = document.querySelector(".nhsuk-skip-link");
if (skip) {
  skip.addEventListener("click", (e) => {
    const main = document.getElementById("maincontent");
    if (!main) return;
    e.preventDefault();
    main.focus();
    main.scrollIntoView();
  });
}

// In our own iframe the hash is ours, so keep hash routes (the back button works inside it).
mount(root, { instrument, embedded, routing: "hash" });

if (embedded) {
  const parentOrigin = params.get("parent");
  import("./embed-bridge.js")
    .then((m) => m.startEmbedBridge(root, { parentOrigin }))
    .catch((e) => console.error("equitas: embed bridge not started:", e));
}
