//! `cargo xtask serve`: `www/` on 127.0.0.1, served by `www/tools/server.mjs`.
//!
//! That Node module is the repository's one static server: the browser tests and the web
//! benchmark start it in their own process, and `serve` runs it as a child process, so every
//! server of the app has the same MIME types, the same Content-Security-Policy (from its one copy,
//! `www/csp.json`) and the same refusals. Node is needed anyway (the web package is built with
//! npm's wasm-opt and sass, and the tests run under it), so this costs nothing new; the server in
//! Rust that this replaced was a second copy of all three.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;

/// The server, relative to the workspace root.
const SERVER: &str = "www/tools/server.mjs";

/// Fails, naming the port, when 127.0.0.1:`port` is taken: checked before minutes of building,
/// not after. (The port is free again when this returns; the server binds it a moment later.)
pub fn check_port_free(port: u16) -> crate::Result {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr)
        .map(drop)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AddrInUse => format!(
                "port {port} on 127.0.0.1 is already in use (another `cargo xtask serve`?); \
             stop that or pick another port, e.g. `cargo xtask serve --port {}`",
                port.wrapping_add(1).max(1024)
            ),
            _ => format!("cannot listen on {addr}: {e}"),
        })
}

/// Serves `www/` on 127.0.0.1:`port` until the server is stopped (Ctrl-C stops both).
pub fn serve(root: &Path, port: u16) -> crate::Result {
    let port_arg = port.to_string();
    let status = Command::new("node")
        .args([SERVER, "--port", &port_arg])
        .current_dir(root)
        .status()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                "Node.js is not on PATH; `cargo xtask serve` runs www/tools/server.mjs with it \
                 (install Node 20 or newer, e.g. `apt-get install nodejs`)"
                    .to_owned()
            }
            _ => format!("could not start `node {SERVER}`: {e}"),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the server (`node {SERVER} --port {port}`) stopped: {status}"
        ))
    }
}
