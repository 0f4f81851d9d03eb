//! `cargo xtask serve`: a small static file server for `www/`, std only.
//!
//! One thread per connection, one request per connection (`Connection: close`), GET and HEAD
//! only. Every response carries the same Content-Security-Policy as the pages' meta tag (it has
//! no `frame-ancestors`, so partner intranets can embed the app), except the example host pages
//! under `/examples/`, which stand for a partner's page and carry their own policy; plus
//! `Cache-Control: no-cache` (a rebuilt wasm is picked up on reload) and
//! `X-Content-Type-Options: nosniff`.

use std::fs;
use std::io::{self, BufRead, BufReader, Read as _, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;
use std::time::Duration;

/// The policy of the pages' `<meta http-equiv="Content-Security-Policy">` (see the contract).
/// Deliberately no `frame-ancestors`: the app must be embeddable in partner intranets.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
form-action 'self'; base-uri 'none'";

/// The longest request head (request line and headers) accepted.
const MAX_HEAD: usize = 16 * 1024;

/// Binds 127.0.0.1:`port` (0: any free port), with an error naming the port when it is taken.
pub fn bind(port: u16) -> crate::Result<TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr).map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "port {port} on 127.0.0.1 is already in use (another `cargo xtask serve`?); \
             stop that or pick another port, e.g. `cargo xtask serve --port {}`",
            port.wrapping_add(1).max(1024)
        ),
        _ => format!("cannot listen on {addr}: {e}"),
    })
}

/// Serves `www` on `listener` until the process is stopped, one thread per connection.
pub fn serve(listener: &TcpListener, www: &Path) -> crate::Result {
    let www = www
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", www.display()))?;
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                eprintln!("equitas: a connection failed before its request: {e}");
                continue;
            }
        };
        let www = www.clone();
        thread::spawn(move || {
            if let Err(e) = handle(stream, &www) {
                // The browser went away mid-response, or sent garbage: nothing to do.
                if e.kind() != io::ErrorKind::BrokenPipe
                    && e.kind() != io::ErrorKind::ConnectionReset
                {
                    eprintln!("equitas: a connection failed: {e}");
                }
            }
        });
    }
    Ok(())
}

/// Reads one request and writes one response.
fn handle(stream: TcpStream, www: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    let mut head_len = reader
        .by_ref()
        .take(MAX_HEAD as u64)
        .read_line(&mut request_line)?;
    // Drain the headers (none of them changes the response).
    loop {
        let mut line = String::new();
        let n = reader
            .by_ref()
            .take((MAX_HEAD.saturating_sub(head_len)) as u64)
            .read_line(&mut line)?;
        head_len += n;
        if n == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if head_len >= MAX_HEAD {
            return respond(stream, false, &error(431, "request head too large"));
        }
    }

    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(stream, false, &error(400, "malformed request line"));
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        let mut response = error(
            405,
            &format!("method {method} not allowed: GET and HEAD only"),
        );
        response.headers.push(("Allow", "GET, HEAD".to_owned()));
        log(method, target, response.status);
        return respond(stream, false, &response);
    }
    let response = match resolve(www, target) {
        Ok(Target::File(path)) => match fs::read(&path) {
            Ok(body) => Response {
                status: 200,
                headers: vec![("Content-Type", mime(&path).to_owned())],
                body,
            },
            Err(e) => error(500, &format!("cannot read {target}: {e}")),
        },
        Ok(Target::Redirect(location)) => {
            let mut response = error(301, &format!("moved to {location}"));
            response.headers.push(("Location", location));
            response
        }
        Err(response) => response,
    };
    if response.status >= 400 {
        log(method, target, response.status);
    }
    let mut response = response;
    // The example host pages (a partner's intranet) carry their own policy, which frames the
    // app; the app's policy would forbid that.
    if !target.starts_with("/examples/") {
        response
            .headers
            .push(("Content-Security-Policy", CSP.to_owned()));
    }
    respond(stream, head_only, &response)
}

fn log(method: &str, target: &str, status: u16) {
    eprintln!("equitas: {method} {target} → {status} {}", reason(status));
}

enum Target {
    File(PathBuf),
    /// A directory asked for without its trailing slash: relative links need it.
    Redirect(String),
}

/// The file under `www` a request target names: `/` and directories → their `index.html`;
/// `..` (also percent-encoded) and anything resolving outside `www` (symlinks) refused.
fn resolve(www: &Path, target: &str) -> Result<Target, Response> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(error(400, "the request target must be an absolute path"));
    }
    let decoded = percent_decode(path)
        .ok_or_else(|| error(400, "the path is not valid percent-encoded UTF-8"))?;
    if decoded.contains(['\0', '\\']) {
        return Err(error(400, "the path contains a NUL or a backslash"));
    }
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(error(
            400,
            "the path may not contain `..` or other special parts",
        ));
    }
    let mut file = www.join(relative);
    if file.is_dir() {
        if !decoded.ends_with('/') {
            return Ok(Target::Redirect(format!("{path}/")));
        }
        file.push("index.html");
    }
    let Ok(real) = file.canonicalize() else {
        return Err(error(404, &format!("not found: {decoded}")));
    };
    if !real.starts_with(www) || !real.is_file() {
        return Err(error(404, &format!("not found: {decoded}")));
    }
    Ok(Target::File(real))
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by its name.
fn mime(path: &Path) -> &'static str {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".d.ts") {
        return "text/plain; charset=utf-8";
    }
    match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "ts" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// A small plain-text error page.
fn error(status: u16, message: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".to_owned())],
        body: format!("{status} {}: {message}\n", reason(status)).into_bytes(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

fn respond(mut stream: TcpStream, head_only: bool, response: &Response) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}
