// @ts-check
// The example intranet's own script: shows the rating when the embedded assessment is completed.
//
// It listens for the `equitas:completed` event that embed.js dispatches on the host element (it
// bubbles to the document), and writes "Assessment completed: <band> (<overall>/100)" in the live
// region under the form. The event only comes from the app's own iframe: embed.js checks the
// message's origin and source before dispatching it.
//
// For trying the embed across origins locally (the intranet on one port, the app on another), the
// page accepts ?app=<origin>, e.g. intranet.html?app=http://127.0.0.1:8131: the embed then frames
// <origin>/index.html instead of the app next to embed.js. Only loopback http origins are accepted,
// so that a crafted link cannot point this page at somebody else's site; a real intranet has no need
// for this and writes data-src, or loads embed.js from the app's server, instead.
(function () {
  "use strict";

  /**
   * @param {string} value - The page's ?app=
   * @returns {string | null} The origin, when it is a loopback http origin
   */
  function loopbackAppOrigin(value) {
    var url;
    try {
      url = new URL(value);
    } catch (e) {
      return null;
    }
    var loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
    return url.protocol === "http:" && loopback && url.origin === value ? url.origin : null;
  }

  var requested = new URLSearchParams(window.location.search).get("app");
  if (requested !== null) {
    var origin = loopbackAppOrigin(requested);
    if (origin === null) {
      console.error(
        "intranet example: ?app=" +
          JSON.stringify(requested) +
          " is not a loopback http origin such as http://127.0.0.1:8131; using the app next to embed.js",
      );
    } else {
      var hosts = document.querySelectorAll("[data-equitas-assessment]");
      for (var i = 0; i < hosts.length; i++) hosts[i].setAttribute("data-src", origin + "/index.html");
    }
  }

  var status = /** @type {HTMLElement} */ (document.getElementById("assessment-status"));
  document.addEventListener("equitas:completed", function (event) {
    var detail = /** @type {CustomEvent} */ (event).detail;
    status.textContent = "Assessment completed: " + detail.band + " (" + detail.overall + "/100)";
  });
})();
