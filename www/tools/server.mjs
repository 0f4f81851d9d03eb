// @ts-check
// The one static server for www/: `cargo xtask serve` runs it (`node tools/server.mjs --port N`),
// and the browser tests (tests/helpers.mjs) and the web benchmark (bench/web.mjs) start it in
// their own process with `startServer`. Node only, no dependencies.
//
//   node tools/server.mjs [--port 8000] [--root DIR]
//
// It listens on 127.0.0.1 only and answers GET and HEAD. `/` and directories serve their
// index.html (a directory asked for without its trailing slash is redirected to it, so relative
// links work); `..`, NUL and backslashes, malformed percent-encoding and anything resolving
// outside the root (a symlink) are refused. Every response carries the app's
// Content-Security-Policy (www/csp.json; no frame-ancestors, so partner intranets can frame the
// app), except those under /examples/, pages that stand for a partner's and carry their own; and
// `Cache-Control: no-cache` (a rebuilt wasm is picked up on reload) and
// `X-Content-Type-Options: nosniff`.

import http from "node:http";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CSP, WWW } from "./csp.mjs";

/**
 * The Content-Type of each file extension served: JavaScript and wasm as browsers require them
 * for modules and streaming compilation, text with its charset. Anything else is
 * application/octet-stream.
 */
export const MIME = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".xml": "application/xml",
  ".pdf": "application/pdf",
});

/** The longest request head (request line and headers) accepted, in bytes; longer gets 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** The port `node tools/server.mjs` listens on unless told otherwise (as `cargo xtask serve`). */
export const DEFAULT_PORT = 8000;

/** The status lines the server sends. */
const REASONS = Object.freeze({
  200: "OK",
  301: "Moved Permanently",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
});

/**
 * The Content-Type of a file, by its name (`.d.ts` is text, not a transport stream).
 *
 * @param {string} file - The file's name or path
 * @returns {string} Its Content-Type
 */
export function contentType(file) {
  const name = path.basename(file).toLowerCase();
  if (name.endsWith(".d.ts")) return MIME[".ts"];
  const ext = path.extname(name);
  return Object.hasOwn(MIME, ext) ? MIME[/** @type {keyof MIME} */ (ext)] : "application/octet-stream";
}

/**
 * What a request target names.
 *
 * @typedef {{file: string} | {redirect: string} | {status: 400 | 404, message: string}} Resolved
 */

/**
 * The file under `root` a request target names: `/` and directories → their index.html.
 *
 * @param {string} root - The directory served, already resolved through any symlinks
 * @param {string} target - The request target, e.g. `/app/app.js?v=1`
 * @returns {Promise<Resolved>} The file, a redirect (a directory without its slash), or an error
 */
export async function resolveTarget(root, target) {
  const rawPath = target.split(/[?#]/)[0];
  if (!rawPath.startsWith("/")) return { status: 400, message: "the request target must be an absolute path" };
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, message: "the path is not valid percent-encoded UTF-8" };
  }
  if (decoded.includes("\0") || decoded.includes("\\")) {
    return { status: 400, message: "the path contains a NUL or a backslash" };
  }
  const segments = decoded.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return { status: 400, message: "the path may not contain `..` or other special parts" };
  let file = path.join(root, ...segments);
  const notFound = /** @type {const} */ ({ status: 404, message: `not found: ${decoded}` });
  try {
    // stat follows symlinks: it describes what would be read.
    let stat = await fs.stat(file);
    if (stat.isDirectory()) {
      if (!decoded.endsWith("/")) return { redirect: `${rawPath}/` };
      file = path.join(file, "index.html");
      stat = await fs.stat(file);
    }
    if (!stat.isFile()) return notFound;
    const real = await fs.realpath(file);
    return real.startsWith(root + path.sep) ? { file: real } : notFound;
  } catch {
    return notFound;
  }
}

/**
 * A running server.
 *
 * @typedef {object} RunningServer
 * @property {string} origin - e.g. `http://127.0.0.1:41234`
 * @property {number} port - The port it listens on
 * @property {(p?: string) => string} url - The URL of a path on it
 * @property {string[]} requests - The path of every request, in order
 * @property {() => Promise<void>} close - Stop it (open connections too)
 */

/**
 * Serve a directory on 127.0.0.1.
 *
 * @param {object} [options]
 * @param {string} [options.root] - The directory (default: www/)
 * @param {number} [options.port] - The port; 0 (the default) takes any free one
 * @param {boolean} [options.csp] - Send the app's policy (default true); false sends none, as a
 *   partner's server would (its pages have their own policy, and the app's would forbid framing)
 * @param {(line: string) => void} [options.log] - Told of every response with an error status
 * @returns {Promise<RunningServer>} The server, listening
 */
export async function startServer({ root = WWW, port = 0, csp = true, log = () => {} } = {}) {
  const realRoot = await fs.realpath(root);
  /** @type {string[]} */
  const requests = [];
  const server = http.createServer({ maxHeaderSize: MAX_HEAD_BYTES }, async (req, res) => {
    const method = req.method ?? "";
    const target = req.url ?? "";
    requests.push(target.split(/[?#]/)[0]);
    /** @type {Record<string, string>} */
    const headers = { "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" };
    if (csp && !target.startsWith("/examples/")) headers["Content-Security-Policy"] = CSP;
    /**
     * @param {keyof REASONS} status - The status
     * @param {Record<string, string>} more - More headers
     * @param {Buffer | string} body - The body (not sent for HEAD)
     */
    const send = (status, more, body) => {
      if (status >= 400) log(`${method} ${target} → ${status} ${REASONS[status]}`);
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      res.writeHead(status, REASONS[status], { ...headers, ...more, "Content-Length": String(bytes.length) });
      res.end(method === "HEAD" ? undefined : bytes);
    };
    /**
     * A short text answer: a redirect or an error.
     *
     * @param {301 | 400 | 404 | 405 | 500} status - The status
     * @param {string} message - Why
     * @param {Record<string, string>} [more] - More headers
     */
    const fail = (status, message, more = {}) =>
      send(
        status,
        { "Content-Type": "text/plain; charset=utf-8", ...more },
        `${status} ${REASONS[status]}: ${message}\n`,
      );

    if (method !== "GET" && method !== "HEAD") {
      fail(405, `method ${method} not allowed: GET and HEAD only`, { Allow: "GET, HEAD" });
      return;
    }
    const resolved = await resolveTarget(realRoot, target);
    if ("status" in resolved) {
      fail(resolved.status, resolved.message);
    } else if ("redirect" in resolved) {
      fail(301, `moved to ${resolved.redirect}`, { Location: resolved.redirect });
    } else {
      try {
        send(200, { "Content-Type": contentType(resolved.file) }, await fs.readFile(resolved.file));
      } catch (e) {
        fail(500, `cannot read ${target}: ${e instanceof Error ? e.message : e}`);
      }
    }
  });
  // A request Node's parser refuses (a head over MAX_HEAD_BYTES, a malformed request line) never
  // reaches the handler: answer it here, with the same headers.
  server.on("clientError", (err, socket) => {
    if (!socket.writable || /** @type {{code?: string}} */ (err).code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const status = /** @type {{code?: string}} */ (err).code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const body = `${status} ${REASONS[status]}: ${status === 431 ? "request head too large" : "malformed request"}\n`;
    const headers = [
      `HTTP/1.1 ${status} ${REASONS[status]}`,
      "Content-Type: text/plain; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Cache-Control: no-cache",
      "X-Content-Type-Options: nosniff",
      ...(csp ? [`Content-Security-Policy: ${CSP}`] : []),
      "Connection: close",
    ];
    log(`${status} ${REASONS[status]}: ${err.message}`);
    socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const bound = address && typeof address === "object" ? address.port : port;
  const origin = `http://127.0.0.1:${bound}`;
  return {
    origin,
    port: bound,
    requests,
    url: (p = "/") => origin + (p.startsWith("/") ? p : `/${p}`),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The command line: `--port N` (1 to 65535) and `--root DIR`.
 *
 * @param {string[]} argv - The arguments
 * @returns {{port: number, root: string}} The options
 */
export function parseArgs(argv) {
  let port = DEFAULT_PORT;
  let root = WWW;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== "--port" && flag !== "--root") throw new Error(`unexpected argument \`${argv[i]}\``);
    const value = inline ?? argv[++i];
    if (value === undefined)
      throw new Error(`\`${flag}\` needs a value, e.g. \`${flag} ${flag === "--port" ? 8001 : "www"}\``);
    if (flag === "--root") root = path.resolve(value);
    else {
      port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(port >= 1 && port <= 65535))
        throw new Error(`\`--port ${value}\`: a port is a whole number from 1 to 65535`);
    }
  }
  return { port, root };
}

/** Serve until stopped, saying where, and each request that failed, on stderr. */
async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(
      `equitas server: ${e instanceof Error ? e.message : e}\nusage: node tools/server.mjs [--port N] [--root DIR]`,
    );
    process.exit(2);
  }
  const { port, root } = options;
  try {
    const server = await startServer({ root, port, log: (line) => console.error(`equitas: ${line}`) });
    console.log(`equitas: serving ${path.relative(process.cwd(), root) || "."}/ on ${server.origin} (Ctrl-C to stop)`);
  } catch (e) {
    const code = e && typeof e === "object" && "code" in e ? e.code : null;
    console.error(
      code === "EADDRINUSE"
        ? `equitas server: port ${port} on 127.0.0.1 is already in use (another \`cargo xtask serve\`?); stop that or pick another port, e.g. \`cargo xtask serve --port ${port === 65535 ? 1024 : Math.max(port + 1, 1024)}\``
        : `equitas server: cannot serve ${root} on 127.0.0.1:${port}: ${e instanceof Error ? e.message : e}`,
    );
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
