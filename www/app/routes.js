// @ts-check
// The route table: every page of the app and the path that shows it. router.js matches a route
// against it (the first entry whose path matches wins, so the most specific come first).
//
// An entry whose path has an `:instrument` segment is a page of one instrument. Before it is
// shown, `pageFor` checks the instrument (when the app offers only one, any other goes to that
// one's task list; an id the engine does not know is "Page not found") and opens its draft
// (drafts.js, `use`), so the page finds the assessment in use in the app's state.

import * as eng from "./engine.js";
import { use, inUse } from "./drafts.js";
import { matchRoute } from "./router.js";
import { questionRoute } from "./questions.js";
import { startPage } from "./pages/start.js";
import { choosePage } from "./pages/choose.js";
import { tasksPage } from "./pages/tasks.js";
import { questionPage } from "./pages/question.js";
import { checkSectionPage, checkAllPage } from "./pages/check.js";
import { resultsPage } from "./pages/results-page.js";
import { exportPage } from "./pages/export.js";
import { importPage, importConfirmPage } from "./pages/import.js";
import { deletePage } from "./pages/delete.js";
import { removeUnreadablePage } from "./pages/unreadable.js";
import { notFound } from "./pages/errors.js";
import { assessmentsPage, renamePage, openPage, newPage } from "./pages/assessments.js";
import { portfolioPage } from "./pages/portfolio.js";

/** @import { App, Page } from "./app.js" */
/** @import { ParsedRoute } from "./router.js" */

/**
 * An entry of the route table.
 *
 * @typedef {object} Route
 * @property {string} path - The path pattern: literal segments and `:name` segments
 * @property {(app: App, args: Record<string, string>, params: URLSearchParams) => Page} page -
 *   The page, given the app, the `:name` segments and the route's query
 */

/** @type {readonly Route[]} */
export const ROUTES = Object.freeze([
  { path: "/", page: (app) => startPage(app) },
  {
    path: "/choose",
    page: (app) => (app.state.fixed ? { redirect: `/${app.state.fixed}/tasks` } : choosePage(app)),
  },
  { path: "/set-aside/:key/remove", page: (app, { key }) => removeUnreadablePage(app, key) },
  { path: "/assessments/:key/rename", page: (app, { key }) => renamePage(app, key) },
  { path: "/assessments", page: (app) => assessmentsPage(app) },
  { path: "/portfolio", page: (app) => portfolioPage(app) },
  { path: "/open/:key", page: (app, { key }) => openPage(app, key) },
  { path: "/new/:id", page: (app, { id }) => newPage(app, id) },
  { path: "/:instrument/tasks", page: (app) => tasksPage(app) },
  {
    path: "/:instrument/q/:section/:n",
    page: (app, { section, n }, params) => questionPage(app, section, Number(n), params),
  },
  // The instrument's evidence table (the data page's "Use these numbers" leads here).
  { path: "/:instrument/evidence", page: (app) => evidencePage(app) },
  { path: "/:instrument/check/:section", page: (app, { section }) => checkSectionPage(app, section) },
  { path: "/:instrument/check", page: (app) => checkAllPage(app) },
  { path: "/:instrument/results", page: (app) => resultsPage(app) },
  { path: "/:instrument/export", page: (app) => exportPage(app) },
  { path: "/:instrument/import/confirm", page: (app) => importConfirmPage(app) },
  { path: "/:instrument/import", page: (app) => importPage(app) },
  { path: "/:instrument/delete", page: (app) => deletePage(app) },
  // Any other path under an instrument (and `/<instrument>` itself).
  { path: "/:instrument", page: () => notFound() },
]);

/**
 * The page a route shows.
 *
 * @param {App} app - The app
 * @param {ParsedRoute} route - The route, parsed
 * @returns {Page} The page, or a redirect
 */
export function pageFor(app, { parts, params }) {
  const match = matchRoute(ROUTES, parts);
  if (!match) return notFound();
  const { instrument } = match.args;
  if (instrument !== undefined) {
    const { fixed } = app.state;
    if (fixed && instrument !== fixed) return { redirect: `/${fixed}/tasks` };
    if (!eng.instruments().some((i) => i.id === instrument)) return notFound();
    use(app, instrument);
  }
  return match.route.page(app, match.args, params);
}

/**
 * The instrument's first evidence table question, or its task list when it has none.
 *
 * @param {App} app - The app (the instrument is in use)
 * @returns {Page} A redirect
 */
function evidencePage(app) {
  const { id, inst } = inUse(app);
  for (const s of inst.sections) {
    const n = s.questions.findIndex((q) => q.kind.type === "evidence_table");
    if (n >= 0) return { redirect: questionRoute(id, s.id, n + 1) };
  }
  return { redirect: `/${id}/tasks` };
}
