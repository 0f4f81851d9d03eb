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
    "places",
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
            let text = if minify && *dir == "catalogue" {
                empty_sources(&text)
            } else {
                text
            };
            let name = path.file_name().expect("a file name");
            fs::write(to.join(name), text).expect("write seed copy");
        }
    }
    write_catalogue_ids(
        &seeds.join("catalogue"),
        &Path::new(&out).join("catalogue_ids.rs"),
    );
}

/// The catalogue lists an instrument option may take its id from: list name, seed file, key.
const CATALOGUE_LISTS: &[(&str, &str, &str)] = &[
    (
        "protected_characteristics",
        "protected-characteristics.json",
        "items",
    ),
    (
        "inclusion_health_groups",
        "groups.json",
        "inclusion_health_groups",
    ),
    ("plus_examples", "groups.json", "plus_examples"),
    ("cyp_plus_additional", "groups.json", "cyp_plus_additional"),
    ("clinical_areas", "clinical-areas.json", "areas"),
    (
        "strategic_priorities",
        "strategic-priorities.json",
        "priorities",
    ),
];

/// Writes `CATALOGUE_IDS`: the ids in each of [`CATALOGUE_LISTS`], so checking an instrument's
/// catalogue options needs no catalogue parser at run time (the browser build checks every
/// instrument it loads, and reads no other part of the catalogue). A test compares the table
/// with the parsed catalogue.
fn write_catalogue_ids(dir: &Path, to: &Path) {
    let mut out = String::from("[\n");
    for (list, file, key) in CATALOGUE_LISTS {
        let path = dir.join(file);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let items = value[*key]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no list {key}", path.display()));
        let ids: Vec<String> = items
            .iter()
            .map(|item| match item["id"].as_str() {
                Some(id) => format!("{id:?}"),
                None => panic!("{}: an item of {key} has no text id", path.display()),
            })
            .collect();
        out.push_str(&format!("    ({list:?}, &[{}]),\n", ids.join(", ")));
    }
    out.push(']');
    fs::write(to, out).expect("write catalogue_ids.rs");
}

/// Minified JSON text with the value of every `"sources"` key replaced by `[]`.
///
/// The catalogue's `sources` (title and URL of each reference behind an ambition, a group or a
/// priority) are for people reading the seeds and the CLI's documentation; no code reads them,
/// and they are about a fifth of the catalogue text the browser would download. Only the wasm
/// build drops them, so the catalogue parses to the same values apart from empty `sources` (keys
/// come out sorted, which the readers do not see; a repeated key, which the readers refuse, is
/// caught by the native tests, which read the files as they are).
fn empty_sources(text: &str) -> String {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    if k == "sources" {
                        *x = serde_json::Value::Array(Vec::new());
                    } else {
                        walk(x);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("a catalogue seed: {e}"));
    walk(&mut value);
    value.to_string()
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
