//! Copies the embedded seed files into `OUT_DIR`, minified when building for wasm.
//!
//! The seeds under `seeds/` stay pretty-printed for people to edit and review. Natively the copy
//! is byte for byte (tests compare embedded text with the files on disk); for wasm32 the
//! whitespace between JSON tokens is dropped, which takes about a third off the data the browser
//! downloads. Only insignificant whitespace goes: strings, numbers, key order and duplicate keys
//! are untouched, so the parsed values (and any error a seed could cause) are the same.

use std::path::Path;
use std::{env, fs};

/// The seed folders embedded with `seed_text!`, relative to the repository's `seeds/`.
const DIRS: &[&str] = &[
    "catalogue",
    "definitions",
    "instruments",
    "standard-populations",
    "synth",
];

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let minify = env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    let seeds = Path::new(&manifest).join("../../seeds");
    for dir in DIRS {
        let from = seeds.join(dir);
        println!("cargo:rerun-if-changed={}", from.display());
        let to = Path::new(&out).join("seeds").join(dir);
        fs::create_dir_all(&to).expect("create OUT_DIR/seeds");
        let entries = fs::read_dir(&from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        for entry in entries {
            let path = entry.expect("read seed folder").path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let text = if minify { minify_json(&text) } else { text };
            let name = path.file_name().expect("a file name");
            fs::write(to.join(name), text).expect("write seed copy");
        }
    }
}

/// JSON text without the whitespace between tokens (inside strings everything is kept).
fn minify_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}
