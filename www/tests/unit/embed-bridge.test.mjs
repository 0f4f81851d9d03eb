// The framed app's end of the embed protocol (app/embed-bridge.js): which parent origins it
// accepts, and that a completion carries the rating and nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseParentOrigin, completionRating } from "../../app/embed-bridge.js";

test("parseParentOrigin accepts a bare http(s) origin only", () => {
  for (const ok of ["https://intranet.example.nhs.uk", "http://127.0.0.1:8001", "https://[::1]:8443"]) {
    assert.deepEqual(parseParentOrigin(ok), { origin: ok });
  }
  const refused = {
    "": "is missing",
    "https://intranet.example.nhs.uk/": "not a bare origin",
    "https://intranet.example.nhs.uk/path": "not a bare origin",
    "https://intranet.example.nhs.uk?x=1": "not a bare origin",
    "https://user@intranet.example.nhs.uk": "not a bare origin",
    "HTTPS://intranet.example.nhs.uk": "not a bare origin",
    "https://intranet.example.nhs.uk:443": "not a bare origin",
    "ftp://intranet.example.nhs.uk": "not http or https",
    "javascript:alert(1)": "not http or https",
    "intranet.example.nhs.uk": "is not a URL",
  };
  for (const [value, why] of Object.entries(refused)) {
    const r = parseParentOrigin(value);
    assert.ok("error" in r && r.error.includes(why), `${JSON.stringify(value)}: ${JSON.stringify(r)}`);
  }
  for (const notText of [null, undefined, 42, {}]) assert.ok("error" in parseParentOrigin(notText));
});

test("completionRating copies the rating field by field and refuses anything ill-typed", () => {
  const detail = {
    instrument: { id: "heat", version: 1, secret: "x" },
    overall: 72.5,
    band: "Good",
    answers: { "prepare.title": "must not leave the app" },
  };
  assert.deepEqual(completionRating(detail), {
    rating: { instrument: { id: "heat", version: 1 }, overall: 72.5, band: "Good" },
  });
  const bad = [
    null,
    "text",
    { overall: 1, band: "b" },
    { instrument: { id: 1, version: 1 }, overall: 1, band: "b" },
    { instrument: { id: "heat" }, overall: 1, band: "b" },
    { instrument: { id: "heat", version: Number.NaN }, overall: 1, band: "b" },
    { instrument: { id: "heat", version: 1 }, overall: Infinity, band: "b" },
    { instrument: { id: "heat", version: 1 }, overall: "72", band: "b" },
    { instrument: { id: "heat", version: 1 }, overall: 1, band: null },
  ];
  for (const d of bad) assert.ok("error" in completionRating(d), JSON.stringify(d));
});
