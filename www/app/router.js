// @ts-check
// Routes: the app's pages are addressed by paths such as `/heat/q/prepare/2?from=check`, kept in
// location.hash (`#/heat/tasks`) or, when the app is inside a host's page, in memory. This module
// is pure: it turns a route into its parts and finds the entry of a route table that matches.
// The table itself, with the page each entry shows, is routes.js.

/**
 * A route split into its path segments (percent-decoded) and its query.
 *
 * @typedef {object} ParsedRoute
 * @property {string[]} parts - The path's segments, e.g. ["heat", "q", "prepare", "2"]
 * @property {URLSearchParams} params - The query, e.g. `from=check`
 */

/**
 * The route to show: `raw` when it is a route (starts with `/`), else the start page's `/`.
 *
 * @param {string} raw - location.hash without its `#`, or the route kept in memory
 * @returns {string} A route starting with `/`
 */
export function routeOf(raw) {
  return raw.startsWith("/") ? raw : "/";
}

/**
 * Split a route into its segments and its query.
 *
 * A segment that is not valid percent-encoding throws a `URIError`, which the app shows as its
 * error page.
 *
 * @param {string} route - A route such as `/heat/q/prepare/2?from=check`
 * @returns {ParsedRoute} Its parts and query
 */
export function parseRoute(route) {
  const [path, query = ""] = route.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query) };
}

/**
 * What a route-table entry matched: the entry and its named segments.
 *
 * @template T
 * @typedef {object} RouteMatch
 * @property {T} route - The table entry
 * @property {Record<string, string>} args - The `:name` segments, decoded
 */

/**
 * The first entry of `table` whose path matches `parts`.
 *
 * A path is a pattern of segments: a literal matches itself, `:name` matches any one segment and
 * names it. An entry matches when its segments match the route's first segments; any later
 * segments are ignored (the app has always shown `/heat/tasks` for `/heat/tasks/x`), except that
 * the path `/` matches only the empty route. So order the table from the most specific entry to
 * the least.
 *
 * @template {{ path: string }} T
 * @param {readonly T[]} table - The route table, most specific first
 * @param {readonly string[]} parts - The route's segments (from `parseRoute`)
 * @returns {RouteMatch<T> | null} The entry and its named segments, or null when none matches
 */
export function matchRoute(table, parts) {
  for (const route of table) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length === 0 ? parts.length !== 0 : parts.length < pattern.length) continue;
    /** @type {Record<string, string>} */
    const args = {};
    const matches = pattern.every((segment, i) => {
      if (segment.startsWith(":")) {
        args[segment.slice(1)] = parts[i];
        return true;
      }
      return segment === parts[i];
    });
    if (matches) return { route, args };
  }
  return null;
}
