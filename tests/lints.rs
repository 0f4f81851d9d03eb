//! Clippy's settings: one set for the crates the browser modules are built from.

/// The crates `cargo xtask wasm` builds into browser modules, whose clippy.toml holds the size
/// rules (clippy reads only the file nearest a crate, so each has a copy).
const BROWSER_CRATES: &[&str] = &[
    "equitas-core",
    "equitas-docx",
    "equitas-json",
    "equitas-lean",
    "equitas-wasm",
];

fn read(rel: &str) -> String {
    std::fs::read_to_string(crate::root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The copies are the same, and each keeps the workspace's own settings, which it replaces.
#[test]
fn browser_crates_share_one_clippy_toml_with_the_workspace_settings() {
    let first = read("crates/equitas-core/clippy.toml");
    for name in BROWSER_CRATES {
        let rel = format!("crates/{name}/clippy.toml");
        assert_eq!(
            read(&rel),
            first,
            "{rel} differs from crates/equitas-core/clippy.toml"
        );
    }
    for line in read("clippy.toml").lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            first.lines().any(|l| l == line),
            "crates/equitas-core/clippy.toml lacks the workspace's `{line}`"
        );
    }
    assert!(first.contains("disallowed-methods"));
}
