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

/// A bad option value refused by clap: exit status 2 and a first line naming the flag and the
/// value, `error: invalid value 'VALUE' for '--flag <V>'`, followed by what is allowed (the
/// range, or the possible values) somewhere in the message.
pub fn assert_bad_value(out: &Output, flag: &str, value: &str, allowed: &str) {
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{flag} {value:?}: {e}");
    let first = e.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("error: invalid value '{value}' for '{flag} <")),
        "{flag} {value:?}: {e}"
    );
    assert!(
        e.contains(allowed),
        "{flag} {value:?}: want {allowed:?} in {e}"
    );
}

/// A usage error for a required argument not given: exit status 2 and clap's list naming it
/// (`--records <FILE>`, `<FILE>`).
pub fn assert_missing(out: &Output, argument: &str) {
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{argument}: {e}");
    assert!(
        e.contains(&format!(
            "error: the following required arguments were not provided:\n  {argument}\n"
        )),
        "{argument}: {e}"
    );
}
