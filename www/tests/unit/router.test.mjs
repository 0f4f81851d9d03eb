// Routing: turning a route into its parts, matching it against a table, and the app's own route
// table (app/routes.js): which page each route the app links to shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { routeOf, parseRoute, matchRoute } from "../../app/router.js";
import { ROUTES } from "../../app/routes.js";

test("routeOf keeps a route and sends anything else to the start page", () => {
  assert.equal(routeOf("/heat/tasks"), "/heat/tasks");
  assert.equal(routeOf(""), "/");
  assert.equal(routeOf("maincontent"), "/", "an in-page fragment is not a route");
  assert.equal(routeOf("#/heat"), "/", "the caller strips the hash's #");
});

test("parseRoute splits the path into decoded segments and reads the query", () => {
  const { parts, params } = parseRoute("/heat/q/sec%2Fwith%20slash/2?from=check");
  assert.deepEqual(parts, ["heat", "q", "sec/with slash", "2"]);
  assert.equal(params.get("from"), "check");
  assert.deepEqual(parseRoute("/").parts, []);
  assert.deepEqual(parseRoute("//heat//tasks/").parts, ["heat", "tasks"], "empty segments are dropped");
  assert.equal(parseRoute("/heat").params.toString(), "");
});

test("parseRoute throws on a segment that is not valid percent-encoding (the app shows its error page)", () => {
  assert.throws(() => parseRoute("/heat/q/%E0%A4%A/1"), URIError);
});

test("matchRoute: literals, :names, the first match wins, later segments are ignored, / is exact", () => {
  const table = [
    { path: "/", name: "start" },
    { path: "/choose", name: "choose" },
    { path: "/:id/check/:section", name: "section" },
    { path: "/:id/check", name: "all" },
    { path: "/:id", name: "any" },
  ];
  const name = (parts) => matchRoute(table, parts)?.route.name ?? null;
  assert.equal(name([]), "start");
  assert.equal(name(["choose"]), "choose");
  assert.equal(name(["choose", "extra"]), "choose");
  assert.equal(name(["heat", "check"]), "all");
  assert.equal(name(["heat", "check", "prepare"]), "section");
  assert.equal(name(["heat", "check", "prepare", "x"]), "section");
  assert.equal(name(["heat", "elsewhere"]), "any");
  assert.deepEqual(matchRoute(table, ["heat", "check", "prepare"])?.args, { id: "heat", section: "prepare" });
  assert.equal(matchRoute([{ path: "/a" }], ["b"]), null);
  assert.equal(matchRoute([], []), null);
});

test("the app's route table sends each route to its page", () => {
  const page = (route) => matchRoute(ROUTES, parseRoute(route).parts)?.route.path ?? null;
  const cases = {
    "/": "/",
    "/choose": "/choose",
    "/set-aside/equitas%3Aunreadable%3Aheat%3A2026-01-06T17%3A30%3A00.000Z/remove": "/set-aside/:key/remove",
    "/set-aside/k": "/:instrument",
    "/heat": "/:instrument",
    "/heat/tasks": "/:instrument/tasks",
    "/heat/q/prepare/1": "/:instrument/q/:section/:n",
    "/heat/q/prepare/2?from=check": "/:instrument/q/:section/:n",
    "/heat/q/prepare": "/:instrument",
    "/heat/check": "/:instrument/check",
    "/heat/check/prepare": "/:instrument/check/:section",
    "/heat/results": "/:instrument/results",
    "/heat/export": "/:instrument/export",
    "/heat/import": "/:instrument/import",
    "/heat/import/confirm": "/:instrument/import/confirm",
    "/heat/import/other": "/:instrument/import",
    "/heat/delete": "/:instrument/delete",
    "/heat/nothing-here": "/:instrument",
  };
  for (const [route, path] of Object.entries(cases)) assert.equal(page(route), path, route);
  const key = matchRoute(ROUTES, parseRoute("/set-aside/a%3Ab/remove").parts)?.args.key;
  assert.equal(key, "a:b", "the set-aside key is decoded");
});

test("every path in the route table is reachable: no entry is hidden by one before it", () => {
  for (const [i, route] of ROUTES.entries()) {
    const parts = route.path
      .split("/")
      .filter(Boolean)
      .map((s) => (s.startsWith(":") ? `x${i}` : s));
    assert.equal(matchRoute(ROUTES, parts)?.route, route, `${route.path} is matched by an earlier entry`);
  }
});
