//! Helpers shared by the CLI test binaries: run `equitas` as a user would and read what it says.
#![allow(dead_code, reason = "each test binary uses some of these")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run `equitas` with `args`.
pub fn equitas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_equitas"))
        .args(args)
        .output()
        .unwrap()
}

/// Run `equitas` with `args` and `input` on standard input.
pub fn equitas_stdin(args: &[&str], input: impl AsRef<[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_equitas"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_ref())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
