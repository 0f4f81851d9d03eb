// The one static server (tools/server.mjs): what it serves, with which headers, what it refuses,
// and its command line; and the one copy of the CSP (tools/csp.mjs) the pages are checked against.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startServer, contentType, parseArgs, MAX_HEAD_BYTES, DEFAULT_PORT } from "../../tools/server.mjs";
import { CSP, WWW, PAGES, drift, metaPolicy, withPolicy } from "../../tools/csp.mjs";

const SERVER = fileURLToPath(new URL("../../tools/server.mjs", import.meta.url));

/** A directory to serve: a page, a module, a subfolder, an example, and a link out of it. */
let root;
let outside;
let server;
before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "equitas-server-"));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), "equitas-outside-"));
  fs.writeFileSync(path.join(root, "index.html"), "<!DOCTYPE html><title>start</title>");
  fs.mkdirSync(path.join(root, "app"));
  fs.writeFileSync(path.join(root, "app", "a b.js"), "export {};\n");
  fs.mkdirSync(path.join(root, "examples"));
  fs.writeFileSync(path.join(root, "examples", "index.html"), "<!DOCTYPE html><title>host</title>");
  fs.writeFileSync(path.join(outside, "secret.txt"), "not for the web");
  fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "link.txt"));
  server = await startServer({ root });
});
after(async () => {
  await server?.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

/**
 * One request as bytes on the wire (so that `..` and malformed escapes reach the server as sent),
 * and its response: status, headers (lower-case names) and body.
 */
function raw(port, head) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [top, ...body] = text.split("\r\n\r\n");
      const [statusLine, ...lines] = top.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: body.join("\r\n\r\n") });
    });
    // Not end(): a half-closed socket can lose the answer to a HEAD. The server closes it.
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

test("a page, a module and a directory's index, with their types and the app's headers", async () => {
  const page = await fetch(server.url("/"));
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(page.headers.get("content-security-policy"), CSP);
  assert.equal(page.headers.get("cache-control"), "no-cache");
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  const module = await fetch(server.url("/app/a%20b.js?v=2"));
  assert.equal(module.status, 200);
  assert.equal(module.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(await module.text(), "export {};\n");
  const head = await raw(server.port, "HEAD /app/a%20b.js HTTP/1.1");
  assert.equal(head.status, 200);
  assert.equal(head.headers["content-length"], "11", "HEAD says the length of the body it leaves out");
  assert.equal(head.body, "");
});

test("a directory without its slash is redirected to it; pages under /examples/ keep their own policy", async () => {
  const r = await fetch(server.url("/examples?x=1"), { redirect: "manual" });
  assert.equal(r.status, 301);
  assert.equal(r.headers.get("location"), "/examples/");
  const host = await fetch(server.url("/examples/"));
  assert.equal(host.status, 200);
  assert.equal(host.headers.get("content-security-policy"), null);
  const bare = await startServer({ root, csp: false });
  try {
    assert.equal((await fetch(bare.url("/"))).headers.get("content-security-policy"), null, "csp: false sends none");
  } finally {
    await bare.close();
  }
  assert.deepEqual(server.requests.slice(-2), ["/examples", "/examples/"]);
});

test("refused: other methods, paths out of the root, malformed paths, missing files, long heads", async () => {
  const cases = [
    ["POST / HTTP/1.1", 405, "GET and HEAD only"],
    ["GET /../index.html HTTP/1.1", 400, "`..`"],
    ["GET /app/%2e%2e/%2e%2e/etc/passwd HTTP/1.1", 400, "`..`"],
    ["GET /app%5c..%5cindex.html HTTP/1.1", 400, "backslash"],
    ["GET /index.html%00.js HTTP/1.1", 400, "NUL"],
    ["GET /%zz HTTP/1.1", 400, "percent-encoded"],
    ["GET /%ff HTTP/1.1", 400, "UTF-8"],
    ["GET index.html HTTP/1.1", 400, "malformed request"],
    ["GET http://127.0.0.1/index.html HTTP/1.1", 400, "absolute path"],
    ["GET /link.txt HTTP/1.1", 404, "not found: /link.txt"],
    ["GET /nothing/here.js HTTP/1.1", 404, "not found: /nothing/here.js"],
  ];
  for (const [request, status, says] of cases) {
    const r = await raw(server.port, request);
    assert.equal(r.status, status, request);
    assert.ok(r.body.includes(says), `${request}: ${JSON.stringify(r.body)} says ${says}`);
    assert.equal(r.headers["content-security-policy"], CSP, `${request}: errors carry the policy too`);
  }
  assert.equal((await raw(server.port, "DELETE / HTTP/1.1")).headers.allow, "GET, HEAD");
  const long = await raw(server.port, `GET / HTTP/1.1\r\nX-Long: ${"x".repeat(MAX_HEAD_BYTES)}`);
  assert.equal(long.status, 431);
  assert.match(long.body, /request head too large/);
  assert.equal(long.headers["content-security-policy"], CSP);
});

test("one MIME table: what browsers need for modules and wasm, text with a charset, the rest as bytes", () => {
  assert.equal(contentType("pkg/equitas_wasm_bg.wasm"), "application/wasm");
  assert.equal(contentType("app/main.js"), "text/javascript; charset=utf-8");
  assert.equal(contentType("tests/helpers.mjs"), "text/javascript; charset=utf-8");
  assert.equal(contentType("pkg/equitas_wasm.d.ts"), "text/plain; charset=utf-8");
  assert.equal(contentType("INDEX.HTML"), "text/html; charset=utf-8");
  assert.equal(contentType("examples/heat-plus-synthetic.csv"), "text/csv; charset=utf-8");
  assert.equal(contentType("csp.json"), "application/json");
  assert.equal(contentType("Makefile"), "application/octet-stream");
  assert.equal(contentType("x.constructor"), "application/octet-stream");
});

test("the command line: --port from 1 to 65535 and --root", () => {
  assert.deepEqual(parseArgs([]), { port: DEFAULT_PORT, root: WWW });
  assert.deepEqual(parseArgs(["--port", "8001"]).port, 8001);
  assert.deepEqual(parseArgs(["--port=65535", "--root=."]), { port: 65535, root: path.resolve(".") });
  for (const bad of ["0", "65536", "-1", "80.5", "1e3", "eighty", ""]) {
    assert.throws(() => parseArgs(["--port", bad]), /a port is a whole number from 1 to 65535/, bad);
  }
  assert.throws(() => parseArgs(["--port"]), /needs a value/);
  assert.throws(() => parseArgs(["--verbose"]), /unexpected argument `--verbose`/);
});

test("the server started on a port that is taken says so and which port to try", async () => {
  const taken = net.createServer();
  await new Promise((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const { port } = /** @type {net.AddressInfo} */ (taken.address());
  try {
    const child = spawn(process.execPath, [SERVER, "--port", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(stderr, /pick another port, e\.g\. `cargo xtask serve --port \d+`/);
  } finally {
    taken.close();
  }
});

test("the CSP has one copy: every page that runs under it says exactly what www/csp.json says", () => {
  assert.match(CSP, /^default-src 'none'; /);
  assert.doesNotMatch(CSP, /frame-ancestors/, "partner intranets must be able to frame the app");
  assert.deepEqual(drift(), []);
  for (const page of PAGES) assert.equal(metaPolicy(fs.readFileSync(path.join(WWW, page), "utf8")), CSP, page);
});

test("writing the policy into a page changes the meta tag's content and nothing else", () => {
  const page = `<head>\n<meta http-equiv="Content-Security-Policy" content="default-src 'self'">\n<title>t</title>`;
  const written = withPolicy(page, CSP);
  assert.equal(metaPolicy(written), CSP);
  assert.equal(written.replace(CSP, "default-src 'self'"), page);
  assert.equal(metaPolicy("<meta http-equiv='Content-Security-Policy' content='a'>"), "a");
  assert.equal(metaPolicy("<title>none</title>"), null);
  assert.throws(() => withPolicy("<title>none</title>", CSP), /no <meta http-equiv="Content-Security-Policy"/);
});
