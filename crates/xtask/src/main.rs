//! `cargo xtask <command>`: the repository's own build scripts, in Rust (the alias lives in
//! `.cargo/config.toml`).
//!
//! - `serve` builds the web package and serves `www/` on <http://127.0.0.1:8000>;
//! - `test` runs every check and test the project has, installing what it needs first;
//! - `bench` runs the criterion benches, the Python (polars) peer and the web benchmark;
//! - `wasm` builds `equitas-wasm` for the web into `www/pkg`, as three modules, and checks each
//!   one's size budget;
//! - `fuzz` runs the cargo-fuzz targets in `fuzz/` one after another (see `fuzz.rs`).
//!
//! Each step says on stderr what it runs and why; the first failing step stops the run with a
//! message naming it. Tools are only installed from the registries (crates.io, npm and `PyPI`)
//! and, for Chromium, from the system's apt.

mod fuzz;
mod serve;
mod web;

use std::env;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead as _, BufReader, ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  serve [--port N]  build the web package (as `wasm` does) and serve www/ on
                    http://127.0.0.1:8000 (or port N) until Ctrl-C
  test              run every check and test: rustfmt, clippy (host and wasm32), host tests
                    (unit, integration, doc), the benches once each, the wasm tests under Node,
                    the web package with its size budget, the TypeScript definitions drift check,
                    the app's JavaScript (type check, Prettier, unit tests under Node), the wasm
                    tests in headless Chromium and the browser tests (npm run test:browser in
                    www/); installs what is missing first (wasm32 target, wasm-bindgen-cli, npm
                    packages, Chromium)
  bench [web]       run the criterion benches, the Python (polars) peer benchmark and the web
                    benchmark (wasm size, start page time, scoring time in Chromium); `bench web`
                    runs only the web benchmark
  wasm [--bless]    build equitas-wasm for the web into www/pkg as three modules (wasm-bindgen,
                    wasm-opt): equitas_wasm (the assessment engine), equitas_measures (the data
                    page's measures) and equitas_cohort (the cohort classifier, for embedders);
                    copy the NHS.UK frontend's CSS into www/vendor/nhsuk, print each module's
                    size and check its budget (each under 300,000 bytes raw and 120,000
                    gzipped, and within its ceiling); --bless also writes the committed
                    TypeScript definitions crates/equitas-wasm/{equitas_wasm,equitas_measures,
                    equitas_cohort}.d.ts
  fuzz [--seconds N] [--target NAME] [--toolchain auto|nightly|pinned] [--nightly NAME]
       [--sanitizer auto|address|none] [--cmin]
                    run every cargo-fuzz target in fuzz/ (or only NAME) for N seconds each
                    (default 30, at most 86400), one at a time, carrying on past crashes,
                    then list each one's executions and crashes (known findings apart);
                    installs cargo-fuzz when missing; uses the nightly toolchain (--nightly,
                    default `nightly`) when installed or installable, else the pinned
                    toolchain with RUSTC_BOOTSTRAP=1; builds with AddressSanitizer when it
                    links, else none; --cmin then folds the new inputs into fuzz/corpus/ and
                    minimises it
";

/// The wasm target everything browser-side is built for.
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The port `cargo xtask serve` listens on unless told otherwise.
const DEFAULT_PORT: u16 = 8000;

/// What a failed step reports; printed once by `main`.
type Result<T = ()> = std::result::Result<T, String>;

/// A command and its options, as parsed from the command line.
enum Task {
    Test,
    Bench { web_only: bool },
    Wasm { bless: bool },
    Serve { port: u16 },
    Fuzz(fuzz::Options),
    Help,
}

fn main() -> ExitCode {
    let task = match parse_args(env::args().skip(1)) {
        Ok(task) => task,
        Err(message) => {
            eprintln!("xtask: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = workspace_root();
    let result = match task {
        Task::Test => test(&root),
        Task::Bench { web_only: false } => bench(&root),
        Task::Bench { web_only: true } => web_benchmark(&root),
        Task::Wasm { bless } => web::package(&root, web::Budget::Enforce, bless).map(drop),
        Task::Serve { port } => serve_command(&root, port),
        Task::Fuzz(options) => fuzz::run(&root, &options),
        Task::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command line after `cargo xtask`: a command, then that command's options only.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Task> {
    let Some(command) = args.next() else {
        return Err("no command given".to_owned());
    };
    let rest: Vec<String> = args.collect();
    let unexpected = |arg: &str| Err(format!("unexpected argument `{arg}` for `{command}`"));
    match command.as_str() {
        "test" => match rest.first() {
            None => Ok(Task::Test),
            Some(arg) => unexpected(arg),
        },
        "bench" => match rest.as_slice() {
            [] => Ok(Task::Bench { web_only: false }),
            [web] if web == "web" => Ok(Task::Bench { web_only: true }),
            [arg, ..] => unexpected(arg),
        },
        "wasm" => match rest.as_slice() {
            [] => Ok(Task::Wasm { bless: false }),
            [bless] if bless == "--bless" => Ok(Task::Wasm { bless: true }),
            [arg, ..] => unexpected(arg),
        },
        "serve" => {
            let mut port = DEFAULT_PORT;
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                let value = if arg == "--port" {
                    rest.next()
                        .ok_or("`--port` needs a value, e.g. `--port 8001`")?
                        .as_str()
                } else if let Some(value) = arg.strip_prefix("--port=") {
                    value
                } else {
                    return unexpected(arg);
                };
                port = value
                    .parse()
                    .ok()
                    .filter(|&p: &u16| p != 0)
                    .ok_or_else(|| {
                        format!("`--port {value}`: a port is a whole number from 1 to 65535")
                    })?;
            }
            Ok(Task::Serve { port })
        }
        "fuzz" => fuzz::parse(&rest).map(Task::Fuzz),
        "-h" | "--help" | "help" => Ok(Task::Help),
        other => Err(format!("unknown command `{other}`")),
    }
}

/// `cargo xtask serve`: the web package, then `www/` on 127.0.0.1 until Ctrl-C.
fn serve_command(root: &Path, port: u16) -> Result {
    // A port already in use should fail before minutes of building.
    serve::check_port_free(port)?;
    web::package(root, web::Budget::Warn, false)?;
    serve::serve(root, port)
}

/// `cargo xtask test`: the one command that runs every test.
fn test(root: &Path) -> Result {
    let started = Instant::now();
    let pin = wasm_bindgen_pin(root)?;
    eprintln!("==> tools the wasm tests need (installed only when missing)");
    ensure_wasm_target(root)?;
    ensure_wasm_bindgen_cli(root, "wasm-bindgen-test-runner", &pin)?;
    ensure_node(root)?;
    static_checks(root)?;
    tests_outside_the_browser(root)?;
    web_package_checks(root)?;
    tests_in_the_browser(root)?;
    eprintln!(
        "\nxtask test: every step passed in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

/// `test`'s checks that run nothing: formatting, clippy on the host, on wasm32 and on each
/// browser module's feature alone, and the core's API docs.
fn static_checks(root: &Path) -> Result {
    cargo(
        root,
        "formatting matches rustfmt (fix with `cargo fmt --all`)",
        &["fmt", "--all", "--check"],
    )?;
    cargo(
        root,
        "lints on the host for every package and target (lib, bins, tests, benches)",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    cargo(
        root,
        "lints on the wasm crate and its tests as compiled for wasm32 (on the host they are cfg'd out)",
        &[
            "clippy",
            "-p",
            "equitas-wasm",
            "--target",
            WASM_TARGET,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    for module in &web::MODULES {
        cargo(
            root,
            &format!(
                "lints on the wasm crate with only its `{}` feature, as `cargo xtask wasm` builds \
                 the {} module (each feature must stand alone)",
                module.feature, module.name
            ),
            &[
                "clippy",
                "-p",
                "equitas-wasm",
                "--target",
                WASM_TARGET,
                "--lib",
                "--no-default-features",
                "--features",
                module.feature,
                "--",
                "-D",
                "warnings",
            ],
        )?;
    }
    cargo(
        root,
        "the core's API docs build without broken links or warnings",
        &[
            "rustdoc",
            "-p",
            "equitas-core",
            "--lib",
            "--",
            "-D",
            "warnings",
        ],
    )
}

/// `test`'s tests on the host and under Node: unit, integration and doctests, the benches once
/// each, and the wasm exports under Node.
fn tests_outside_the_browser(root: &Path) -> Result {
    cargo(
        root,
        "host tests: core unit tests, the integration tests in tests/ and the doctests",
        &["test", "--workspace"],
    )?;
    cargo(
        root,
        "the criterion benches compile and run once each in test mode (no timing)",
        &["test", "-p", "equitas-benches", "--benches"],
    )?;
    // No `-q` here: cargo would pass `--quiet` on to wasm-bindgen-test-runner, which rejects it.
    cargo(
        root,
        "the wasm exports under Node, through wasm-bindgen-test-runner (.cargo/config.toml)",
        &["test", "-p", "equitas-wasm", "--target", WASM_TARGET],
    )
}

/// `test`'s checks of the web package: the build and its size budget, the TypeScript
/// definitions (drift and type check) and the app's JavaScript.
fn web_package_checks(root: &Path) -> Result {
    web::package(root, web::Budget::Enforce, false)?;
    eprintln!("\n==> the committed TypeScript definitions match the generated ones");
    web::dts_drift(root)?;
    eprintln!("    ok");
    web::ensure_npm_packages(root)?;
    let tsc = root.join("www/node_modules/.bin/tsc");
    run(
        &root.join("crates/equitas-wasm"),
        "the TypeScript definitions type-check uses of every export, and refuse wrong shapes \
         (crates/equitas-wasm/tests/types-check.ts; TypeScript from www/package.json)",
        &tsc.to_string_lossy(),
        &[
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "es2022",
            "--moduleResolution",
            "bundler",
            "--lib",
            "es2022,dom",
            "tests/types-check.ts",
        ],
    )?;
    web::javascript_checks(root)
}

/// `test`'s steps in headless Chromium: the wasm tests, then the browser tests.
fn tests_in_the_browser(root: &Path) -> Result {
    eprintln!("\n==> tools the browser tests need (installed only when missing)");
    web::ensure_chromium(root)?;
    let webdriver_json = root.join("crates/xtask/webdriver.json");
    run_expecting(
        root,
        "the same wasm tests in headless Chromium (chromedriver; browser options in \
         crates/xtask/webdriver.json, the runner adds --headless and --no-sandbox)",
        &cargo_program(),
        &["test", "-p", "equitas-wasm", "--target", WASM_TARGET],
        &[
            ("WASM_BINDGEN_USE_BROWSER", OsStr::new("1")),
            ("CHROMEDRIVER", OsStr::new(web::CHROMEDRIVER)),
            (
                "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                webdriver_json.as_os_str(),
            ),
        ],
        "Running headless tests in Chrome",
    )?;
    browser_tests(root)
}

/// `cargo xtask bench`: the criterion benches, then the Python peer for comparison.
fn bench(root: &Path) -> Result {
    cargo(
        root,
        "criterion benchmarks (release profile with LTO; reports land in target/criterion)",
        &["bench", "-p", "equitas-benches"],
    )?;
    peer_benchmark(root)?;
    web_benchmark(root)
}

/// The browser tests in `www/tests/` (Playwright driving Chromium, axe), run by `npm test`.
fn browser_tests(root: &Path) -> Result {
    web::ensure_npm_packages(root)?;
    let tests = root.join("www/tests");
    if !has_scripts(&tests) {
        return Err(format!(
            "{} has no browser tests: they are part of `cargo xtask test` and must not go \
             missing silently",
            tests.display()
        ));
    }
    run_expecting(
        &root.join("www"),
        "the browser tests in www/tests: the app in headless Chromium (playwright-core) with axe",
        "npm",
        &["run", "test:browser"],
        &[("CHROMIUM", OsStr::new(web::CHROMIUM))],
        "",
    )
}

/// Whether `dir` or a folder below it holds a JavaScript file (what `node --test` could run).
fn has_scripts(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            return has_scripts(&path);
        }
        path.extension()
            .is_some_and(|ext| ext == "js" || ext == "mjs" || ext == "cjs")
    })
}

/// The web benchmark (`www/bench/web.mjs`): each optimised wasm module's size, the start page's
/// time to usable and the engine's time per call in Chromium. The benchmark serves `www/` itself,
/// with the same server as `cargo xtask serve` (`www/tools/server.mjs`).
fn web_benchmark(root: &Path) -> Result {
    let sizes = web::package(root, web::Budget::Warn, false)?;
    web::ensure_chromium(root)?;
    let mut args = vec!["www/bench/web.mjs".to_owned()];
    for size in &sizes {
        // `--wasm name:raw:gzip:target-raw:target-gzip`, once per module.
        args.push("--wasm".to_owned());
        args.push(format!(
            "{}:{}:{}:{}:{}",
            size.name, size.raw, size.gzip, size.budget_raw, size.budget_gzip
        ));
    }
    run_expecting(
        root,
        "the web benchmark in headless Chromium, www/ served by www/tools/server.mjs",
        "node",
        &args,
        &[("CHROMIUM", OsStr::new(web::CHROMIUM))],
        "",
    )
}

/// The Python peer (`benches/peers/cohorts_polars.py`) side by side with the Rust CLI, in one
/// run: both count the same synthetic 1,000,000-row file (drawn from the real England 2019 IMD
/// file) under the Coventry and Warwickshire definition. The Rust figure is the wall clock of the
/// whole `equitas cohorts` process (start-up, IMD load, read, classify, aggregate, write), on one
/// thread and on every core; the
/// polars figure is the peer's own timing of its job (it leaves out interpreter start-up and
/// `import polars`, which favours the peer). Best of three runs each. The two outputs must be
/// identical once sorted, or the step fails.
fn peer_benchmark(root: &Path) -> Result {
    let files = PeerFiles::new(root)?;
    cargo(
        root,
        "the release build of the equitas CLI",
        &["build", "--release", "-p", "equitas-cli"],
    )?;
    let equitas = target_dir(root).join("release/equitas");
    let equitas = equitas.to_string_lossy().into_owned();
    run(
        root,
        "a synthetic population of 1,000,000 people (seed 11) from the real IMD file",
        &equitas,
        &[
            OsStr::new("synth"),
            OsStr::new("--people"),
            OsStr::new(PEER_PEOPLE),
            OsStr::new("--seed"),
            OsStr::new("11"),
            OsStr::new("--imd"),
            files.imd.as_os_str(),
            OsStr::new("--out"),
            files.records.as_os_str(),
        ],
    )?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let rust_best = [
        time_equitas(root, &equitas, &files, 1)?,
        time_equitas(root, &equitas, &files, cores)?,
    ];
    let python = python_with_polars(root)?;
    let (polars_best, polars_version) = time_polars(root, &python, &files)?;
    let count_rows = same_counts(&files.rust_counts, &files.polars_counts)?;

    let rows = 1_000_000.0;
    println!(
        "\nSide by side, same 1,000,000-row file, Coventry and Warwickshire definition, best of {PEER_RUNS}:"
    );
    println!("| implementation | seconds | rows/s |");
    println!("|---|---|---|");
    println!(
        "| equitas cohorts (Rust, 1 thread, whole process) | {:.3} | {:.0} |",
        rust_best[0],
        rows / rust_best[0]
    );
    println!(
        "| equitas cohorts (Rust, {cores} threads, whole process) | {:.3} | {:.0} |",
        rust_best[1],
        rows / rust_best[1]
    );
    println!(
        "| polars {polars_version} (Python, {cores} threads, job only) | {polars_best:.3} | {:.0} |",
        rows / polars_best
    );
    println!(
        "equitas is {:.1}x faster than polars on one thread and {:.1}x on {cores}; the outputs are identical ({count_rows} count rows).",
        polars_best / rust_best[0],
        polars_best / rust_best[1],
    );
    Ok(())
}

/// People in the peer benchmark's synthetic file.
const PEER_PEOPLE: &str = "1000000";

/// Runs of each program in the peer benchmark; the best is shown.
const PEER_RUNS: usize = 3;

/// The peer benchmark's inputs and outputs.
struct PeerFiles {
    /// The polars peer.
    script: PathBuf,
    /// The real England 2019 IMD file, from `../shared`.
    imd: PathBuf,
    /// The Coventry and Warwickshire definition.
    definition: PathBuf,
    /// The synthetic people, written by `equitas synth`.
    records: PathBuf,
    rust_counts: PathBuf,
    polars_counts: PathBuf,
}

impl PeerFiles {
    /// The paths, with the IMD file checked and the folder for the data made.
    fn new(root: &Path) -> Result<Self> {
        let imd = root.join("../shared/data/imd/imd2019_england_lsoa11.csv");
        if !imd.exists() {
            return Err(format!(
                "{} is missing: the peer benchmark needs ../shared",
                imd.display()
            ));
        }
        let data = target_dir(root).join("bench-data");
        fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        Ok(Self {
            script: root.join("benches/peers/cohorts_polars.py"),
            imd,
            definition: root.join("seeds/definitions/coventry-warwickshire.json"),
            records: data.join("people-1m.csv"),
            rust_counts: data.join("counts-rust.csv"),
            polars_counts: data.join("counts-polars.csv"),
        })
    }
}

/// The best of [`PEER_RUNS`] wall-clock times, in seconds, of the whole `equitas cohorts`
/// process on `threads` threads, its counts written to `rust_counts`.
fn time_equitas(root: &Path, equitas: &str, files: &PeerFiles, threads: usize) -> Result<f64> {
    eprintln!(
        "\n==> equitas cohorts --threads {threads} on the 1,000,000-row file, best of {PEER_RUNS}"
    );
    let threads = threads.to_string();
    let mut best = f64::INFINITY;
    for _ in 0..PEER_RUNS {
        let out = fs::File::create(&files.rust_counts)
            .map_err(|e| format!("cannot create {}: {e}", files.rust_counts.display()))?;
        let started = Instant::now();
        let status = Command::new(equitas)
            .args([
                OsStr::new("cohorts"),
                OsStr::new("--records"),
                files.records.as_os_str(),
                OsStr::new("--imd"),
                files.imd.as_os_str(),
                OsStr::new("--definition"),
                files.definition.as_os_str(),
                OsStr::new("--format"),
                OsStr::new("csv"),
                OsStr::new("--threads"),
                OsStr::new(&threads),
            ])
            .current_dir(root)
            .stdout(out)
            .status()
            .map_err(|e| format!("could not start {equitas}: {e}"))?;
        let secs = started.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("equitas cohorts failed ({status})"));
        }
        best = best.min(secs);
    }
    Ok(best)
}

/// The best of [`PEER_RUNS`] of the polars peer's own timings of its job, in seconds, and the
/// polars version it reports; its counts are written to `polars_counts`.
fn time_polars(root: &Path, python: &str, files: &PeerFiles) -> Result<(f64, String)> {
    eprintln!("\n==> the polars peer on the same file, best of {PEER_RUNS}");
    let mut best = f64::INFINITY;
    let mut version = String::new();
    for _ in 0..PEER_RUNS {
        let out = Command::new(python)
            .args([
                files.script.as_os_str(),
                OsStr::new("--records"),
                files.records.as_os_str(),
                OsStr::new("--imd"),
                files.imd.as_os_str(),
                OsStr::new("--repo"),
                root.as_os_str(),
                OsStr::new("--definition"),
                files.definition.as_os_str(),
                OsStr::new("--out"),
                files.polars_counts.as_os_str(),
            ])
            .current_dir(root)
            .output()
            .map_err(|e| format!("could not start {python}: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("the polars peer failed ({}): {stderr}", out.status));
        }
        let line = stderr
            .lines()
            .rev()
            .find(|l| l.contains("\"seconds\""))
            .unwrap_or_default();
        let secs = json_number(line, "seconds")
            .ok_or_else(|| format!("the peer printed no timing: {stderr}"))?;
        version = json_string(line, "polars").unwrap_or_default();
        best = best.min(secs);
    }
    Ok((best, version))
}

/// Checks that two count files hold the same lines once the rows under the header are sorted;
/// how many count rows they have.
fn same_counts(rust_counts: &Path, polars_counts: &Path) -> Result<usize> {
    let sorted = |p: &Path| -> Result<Vec<String>> {
        let text =
            fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() > 1 {
            lines[1..].sort_unstable();
        }
        Ok(lines)
    };
    let (a, b) = (sorted(rust_counts)?, sorted(polars_counts)?);
    if a != b {
        let first = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        return Err(format!(
            "the Rust and polars counts differ ({} and {} lines; first difference at sorted line {}: {:?} vs {:?})",
            a.len(),
            b.len(),
            first + 1,
            a.get(first),
            b.get(first)
        ));
    }
    Ok(a.len() - 1)
}

/// A number field of a one-line JSON object (the peer's timing line), without a JSON parser.
fn json_number(line: &str, key: &str) -> Option<f64> {
    let rest = &line[line.find(&format!("\"{key}\":"))? + key.len() + 3..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

/// A string field of a one-line JSON object.
fn json_string(line: &str, key: &str) -> Option<String> {
    let rest = &line[line.find(&format!("\"{key}\":"))? + key.len() + 3..];
    let rest = rest.trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

// ---------------------------------------------------------------------------------------------
// Tools

/// Adds the wasm32 target when the active toolchain lacks it.
fn ensure_wasm_target(root: &Path) -> Result {
    let installed =
        capture(root, "rustup", &["target", "list", "--installed"])?.ok_or_else(|| {
            format!(
                "`rustup target list --installed` failed or rustup is not on PATH; install the \
             {WASM_TARGET} target for the toolchain in rust-toolchain.toml by hand"
            )
        })?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        eprintln!("    {WASM_TARGET} target: installed");
        return Ok(());
    }
    run(
        root,
        &format!("the {WASM_TARGET} target is not installed; the wasm crate and its tests need it"),
        "rustup",
        &["target", "add", WASM_TARGET],
    )
}

/// Installs wasm-bindgen-cli at exactly the version the workspace pins, from crates.io, when
/// `tool` (one of its binaries) is missing or reports another version. The CLI and the
/// `wasm-bindgen` crate must match or the generated glue is rejected.
fn ensure_wasm_bindgen_cli(root: &Path, tool: &str, pin: &str) -> Result {
    let found = tool_version(root, tool)?;
    if found.as_deref() == Some(pin) {
        eprintln!("    {tool}: {pin}, as pinned");
        return Ok(());
    }
    let why = match &found {
        None => format!("{tool} is not installed; it runs and packages the wasm crate"),
        Some(other) => format!(
            "{tool} is {other} but the workspace pins wasm-bindgen ={pin}; they must match \
             (this build takes a few minutes)"
        ),
    };
    // No `--locked`: the CLI's lock file names crate versions this registry's index lacks.
    cargo(
        root,
        &why,
        &["install", "wasm-bindgen-cli", "--version", pin],
    )?;
    match tool_version(root, tool)? {
        Some(now) if now == pin => Ok(()),
        Some(now) => Err(format!(
            "installed wasm-bindgen-cli {pin}, but `{tool}` on PATH is still {now}; \
             put $CARGO_HOME/bin (usually ~/.cargo/bin) first on PATH"
        )),
        None => Err(format!(
            "installed wasm-bindgen-cli {pin}, but `{tool}` is not on PATH; add $CARGO_HOME/bin \
             (usually ~/.cargo/bin) to PATH"
        )),
    }
}

/// The version a wasm-bindgen tool reports (`wasm-bindgen-test-runner 0.2.130` → `0.2.130`), or
/// `None` when it is not installed.
fn tool_version(root: &Path, tool: &str) -> Result<Option<String>> {
    let Some(out) = capture(root, tool, &["--version"])? else {
        return Ok(None);
    };
    let version = out.split_whitespace().nth(1).unwrap_or_else(|| out.trim());
    Ok(Some(version.to_owned()))
}

/// wasm-bindgen-test-runner runs the wasm tests in Node by default.
fn ensure_node(root: &Path) -> Result {
    match capture(root, "node", &["--version"])? {
        Some(_) => Ok(()),
        None => Err(
            "Node.js is not on PATH; the wasm tests run in it (install Node 18 or newer, \
                     e.g. `apt-get install nodejs`)"
                .to_owned(),
        ),
    }
}

/// A `python3` that can `import polars`: the system one, after `pip install polars` if needed,
/// or else a virtual environment in `benches/peers/.venv` (for Pythons that refuse system-wide
/// installs).
fn python_with_polars(root: &Path) -> Result<String> {
    let venv_python = root.join("benches/peers/.venv/bin/python");
    let venv_python = venv_python.to_string_lossy().into_owned();
    let has_polars = |python: &str| -> Result<bool> {
        Ok(capture(root, python, &["-c", "import polars"])?.is_some())
    };

    if Path::new(&venv_python).exists() && has_polars(&venv_python)? {
        return Ok(venv_python);
    }
    if capture(root, "python3", &["--version"])?.is_none() {
        return Err("python3 is not on PATH; the peer benchmark needs it".to_owned());
    }
    if has_polars("python3")? {
        return Ok("python3".to_owned());
    }
    let why = "polars is not importable; the peer benchmark uses it (from PyPI)";
    if run(root, why, "python3", &["-m", "pip", "install", "polars"]).is_ok()
        && has_polars("python3")?
    {
        return Ok("python3".to_owned());
    }
    eprintln!("xtask: falling back to a virtual environment in benches/peers/.venv");
    if !Path::new(&venv_python).exists() {
        run(
            root,
            "this Python does not take system-wide installs; make a private environment",
            "python3",
            &["-m", "venv", "benches/peers/.venv"],
        )?;
    }
    run(root, why, &venv_python, &["-m", "pip", "install", "polars"])?;
    Ok(venv_python)
}

// ---------------------------------------------------------------------------------------------
// Plumbing

/// The workspace root: this crate lives in `crates/xtask`.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when set, as cargo itself reads it).
fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The exact version in the root manifest's `wasm-bindgen = "=x.y.z"`, so the CLI installed
/// here always matches the crate the wasm is built with.
fn wasm_bindgen_pin(root: &Path) -> Result<String> {
    let manifest = root.join("Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("wasm-bindgen"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .find_map(|value| {
            let version = value.trim().strip_prefix("\"=")?;
            version.split('"').next().map(str::to_owned)
        })
        .ok_or_else(|| {
            format!(
                "{} must pin wasm-bindgen exactly (`wasm-bindgen = \"=x.y.z\"`) so that the \
                 wasm-bindgen-cli installed here matches it",
                manifest.display()
            )
        })
}

/// The cargo that runs this xtask (so the toolchain from rust-toolchain.toml is used).
fn cargo_program() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn cargo(root: &Path, why: &str, args: &[&str]) -> Result {
    run(root, why, &cargo_program(), args)
}

/// Runs one step in the workspace root with inherited output, after announcing it and why.
fn run<S: AsRef<OsStr>>(root: &Path, why: &str, program: &str, args: &[S]) -> Result {
    let shown = command_line(program, args);
    eprintln!("\n==> {why}\n    $ {shown}");
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => format!("could not start `{shown}`: `{program}` is not on PATH"),
            _ => format!("could not start `{shown}`: {e}"),
        })?;
    if status.success() {
        eprintln!("    ok ({:.1?})", started.elapsed());
        Ok(())
    } else {
        Err(format!(
            "step failed ({status}): `{shown}`\n       it checks: {why}"
        ))
    }
}

/// Like [`run`], with extra environment variables, and (when `expect` is not empty) checking
/// that the step's stdout, echoed as it comes, contains `expect`: proof it ran where it should.
fn run_expecting<S: AsRef<OsStr>>(
    dir: &Path,
    why: &str,
    program: &str,
    args: &[S],
    envs: &[(&str, &OsStr)],
    expect: &str,
) -> Result {
    let mut shown = String::new();
    for (name, value) in envs {
        let _ = write!(shown, "{name}={} ", value.to_string_lossy());
    }
    shown.push_str(&command_line(program, args));
    eprintln!("\n==> {why}\n    $ {shown}");
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .envs(envs.iter().map(|&(k, v)| (k, v)))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => format!("could not start `{shown}`: `{program}` is not on PATH"),
            _ => format!("could not start `{shown}`: {e}"),
        })?;
    let mut seen = expect.is_empty();
    if let Some(out) = child.stdout.take() {
        let mut stdout = std::io::stdout();
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| format!("cannot read the output of `{shown}`: {e}"))?;
            seen |= line.contains(expect);
            let _ = writeln!(stdout, "{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    if !status.success() {
        return Err(format!(
            "step failed ({status}): `{shown}`\n       it checks: {why}"
        ));
    }
    if !seen {
        return Err(format!(
            "step `{shown}` passed but never printed `{expect}`, so it did not run where it \
             should\n       it checks: {why}"
        ));
    }
    eprintln!("    ok ({:.1?})", started.elapsed());
    Ok(())
}

/// Runs a probe quietly: its stdout when it succeeds, `None` when the program is missing or
/// fails.
fn capture(root: &Path, program: &str, args: &[&str]) -> Result<Option<String>> {
    match Command::new(program).args(args).current_dir(root).output() {
        Ok(out) if out.status.success() => {
            Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()))
        }
        Ok(_) => Ok(None),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "could not start `{}`: {e}",
            command_line(program, args)
        )),
    }
}

fn command_line<S: AsRef<OsStr>>(program: &str, args: &[S]) -> String {
    let program = Path::new(program).file_name().map_or_else(
        || program.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    let mut line = program;
    for arg in args {
        let _ = write!(line, " {}", arg.as_ref().to_string_lossy());
    }
    line
}
