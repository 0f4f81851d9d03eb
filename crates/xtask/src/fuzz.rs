//! `cargo xtask fuzz`: every cargo-fuzz target in `fuzz/`, one after another, for a fixed time
//! each, then a table of executions and results.
//!
//! cargo-fuzz needs nightly-only compiler flags (`-Zsanitizer`, the sanitizer-coverage passes).
//! The toolchain is chosen in this order, and the run says which and why:
//! 1. an installed `nightly` toolchain (or the one `--nightly` names, e.g. a dated nightly);
//! 2. `rustup toolchain install nightly --profile minimal`, when that works;
//! 3. the pinned toolchain of `rust-toolchain.toml` with `RUSTC_BOOTSTRAP=1`, which lets a
//!    stable compiler take those flags (machines that can reach crates.io but not rustup's
//!    servers end up here).
//!
//! cargo-fuzz itself is installed from crates.io when missing (`cargo install cargo-fuzz
//! --locked`). The targets are built with AddressSanitizer when the toolchain can link it (the
//! stable and nightly standard libraries both ship its runtime on x86-64 Linux) and without a
//! sanitizer otherwise; `--sanitizer` chooses.
//!
//! New inputs go to a scratch corpus under the target directory, seeded from the committed
//! `fuzz/corpus/<target>/`, so a run leaves the checkout clean; `--cmin` folds them into the
//! committed corpus and minimises it (`cargo fuzz cmin`). Crashes are written to
//! `fuzz/artifacts/<target>/` (not committed): one worth keeping goes to
//! `fuzz/regressions/<target>/`, with a test in `tests/fuzz_corpus.rs`.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Result;

/// Seconds each target runs for when `--seconds` is not given.
pub const DEFAULT_SECONDS: u64 = 30;

/// The longest `--seconds` accepted: a day per target. Longer runs belong to a fuzzing service,
/// not a developer's command.
pub const MAX_SECONDS: u64 = 86_400;

/// libFuzzer's `-timeout`: one input taking longer than this many seconds is a crash (a hang,
/// or work that grows far faster than the input).
pub const INPUT_TIMEOUT_SECONDS: u64 = 10;

/// libFuzzer's `-rss_limit_mb` (and, with AddressSanitizer, the largest single allocation):
/// a target using more memory than this, in MB, has crashed.
pub const RSS_LIMIT_MB: u64 = 2048;

/// What `--toolchain` asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ToolchainChoice {
    /// Nightly when installed or installable, else the pinned toolchain (the default).
    Auto,
    /// Nightly only: install it or fail.
    Nightly,
    /// The pinned toolchain with `RUSTC_BOOTSTRAP=1`.
    Pinned,
}

/// What `--sanitizer` asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SanitizerChoice {
    /// AddressSanitizer when the toolchain can build with it, else none (the default).
    Auto,
    /// AddressSanitizer, or fail.
    Address,
    /// No sanitizer: libFuzzer's coverage only; faster, but a memory error in a dependency's
    /// unsafe code goes unseen.
    None,
}

/// `cargo xtask fuzz`'s options.
pub struct Options {
    /// Seconds per target.
    pub seconds: u64,
    /// Only this target (a name from `fuzz/Cargo.toml`).
    pub target: Option<String>,
    /// Which toolchain.
    pub toolchain: ToolchainChoice,
    /// The rustup name of the nightly toolchain to use or install (`nightly`, or a dated one
    /// such as `nightly-2026-05-19`).
    pub nightly: String,
    /// Which sanitizer.
    pub sanitizer: SanitizerChoice,
    /// Fold the new inputs into the committed corpus and minimise it afterwards.
    pub cmin: bool,
}

/// Parses the options after `fuzz`.
pub fn parse(rest: &[String]) -> Result<Options> {
    let mut o = Options {
        seconds: DEFAULT_SECONDS,
        target: None,
        toolchain: ToolchainChoice::Auto,
        nightly: "nightly".to_owned(),
        sanitizer: SanitizerChoice::Auto,
        cmin: false,
    };
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg.as_str(), None),
        };
        let mut value = |example: &str| -> Result<&str> {
            match inline {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .map(String::as_str)
                    .ok_or_else(|| format!("`{name}` needs a value, e.g. `{name} {example}`")),
            }
        };
        match name {
            "--seconds" => {
                let v = value("60")?;
                o.seconds = v
                    .parse()
                    .ok()
                    .filter(|s| (1..=MAX_SECONDS).contains(s))
                    .ok_or_else(|| {
                        format!(
                            "`--seconds {v}`: give a whole number of seconds from 1 to \
                             {MAX_SECONDS} (a day, MAX_SECONDS in crates/xtask/src/fuzz.rs)"
                        )
                    })?;
            }
            "--target" => o.target = Some(value("records")?.to_owned()),
            "--toolchain" => {
                o.toolchain = match value("pinned")? {
                    "auto" => ToolchainChoice::Auto,
                    "nightly" => ToolchainChoice::Nightly,
                    "pinned" => ToolchainChoice::Pinned,
                    other => {
                        return Err(format!(
                            "`--toolchain {other}`: choose auto, nightly or pinned"
                        ));
                    }
                }
            }
            "--nightly" => {
                let v = value("nightly-2026-05-19")?;
                if !v.starts_with("nightly") {
                    return Err(format!(
                        "`--nightly {v}`: give a nightly toolchain's rustup name, `nightly` or \
                         `nightly-YYYY-MM-DD`"
                    ));
                }
                v.clone_into(&mut o.nightly);
            }
            "--sanitizer" => {
                o.sanitizer = match value("none")? {
                    "auto" => SanitizerChoice::Auto,
                    "address" => SanitizerChoice::Address,
                    "none" => SanitizerChoice::None,
                    other => {
                        return Err(format!(
                            "`--sanitizer {other}`: choose auto, address or none"
                        ));
                    }
                }
            }
            "--cmin" if inline.is_none() => o.cmin = true,
            other => return Err(format!("unexpected argument `{other}` for `fuzz`")),
        }
    }
    Ok(o)
}

/// The toolchain the fuzz targets are built with, and the environment that selects it.
struct Toolchain {
    /// `nightly`, or the pinned channel.
    name: String,
    /// Whether `RUSTC_BOOTSTRAP=1` is set (a stable toolchain taking nightly flags).
    bootstrap: bool,
}

impl Toolchain {
    /// A `cargo` command on this toolchain, whatever toolchain runs the xtask.
    fn cargo(&self, root: &Path) -> Command {
        let mut c = Command::new("cargo");
        c.current_dir(root)
            .env("RUSTUP_TOOLCHAIN", &self.name)
            // The xtask's own cargo and rustc, set by the cargo that runs it, must not leak in.
            .env_remove("CARGO")
            .env_remove("RUSTC")
            .env_remove("RUSTDOC")
            .env_remove("RUSTC_WRAPPER")
            .env_remove("CARGO_TARGET_DIR");
        if self.bootstrap {
            c.env("RUSTC_BOOTSTRAP", "1");
        } else {
            c.env_remove("RUSTC_BOOTSTRAP");
        }
        c
    }

    fn shown(&self) -> String {
        if self.bootstrap {
            format!("RUSTUP_TOOLCHAIN={} RUSTC_BOOTSTRAP=1", self.name)
        } else {
            format!("RUSTUP_TOOLCHAIN={}", self.name)
        }
    }
}

/// How one target's run ended.
struct Outcome {
    target: String,
    seconds: f64,
    executions: Option<u64>,
    per_second: Option<u64>,
    new_inputs: u64,
    coverage: Option<String>,
    /// Distinct crashes found (empty when nothing was found), by signature.
    crashes: Vec<Crash>,
}

/// The crashing inputs of a run that share a signature (where they panicked, or how libFuzzer
/// stopped them), replayed one by one to find it.
struct Crash {
    /// `file:line` of the panic, or libFuzzer's or AddressSanitizer's error kind.
    signature: String,
    /// The panic message, or the error line.
    message: String,
    /// The inputs, under `fuzz/artifacts/<target>/`.
    inputs: Vec<PathBuf>,
    /// The known finding it matches, if any.
    known: Option<&'static Known>,
}

/// A crash a target finds whose fix is under way on another branch. A crash
/// of that target whose signature or message contains `text` is reported as known and does
/// not fail the run; an input of it is kept in `fuzz/regressions/<target>/` with an ignored
/// test in `tests/fuzz_corpus.rs`. Remove the entry when the fix lands.
struct Known {
    target: &'static str,
    /// Text the crash's signature (`file:line`) or message contains.
    text: &'static str,
    /// Issue 12's finding number.
    finding: u32,
    /// The branch fixing it.
    branch: &'static str,
}

// Empty since issue 12's fixes landed: every crash fails the run. Add an entry only while a
// fix is under way, with its regression input and an ignored test.
const KNOWN: &[Known] = &[];

/// `cargo xtask fuzz`.
pub fn run(root: &Path, o: &Options) -> Result {
    let started = Instant::now();
    eprintln!("==> tools the fuzz targets need (installed only when missing)");
    let toolchain = choose_toolchain(root, o.toolchain, &o.nightly)?;
    ensure_cargo_fuzz(root)?;
    let target_dir = crate::target_dir(root).join("fuzz");
    let targets = list_targets(root, &toolchain)?;
    let targets: Vec<String> = match &o.target {
        None => targets,
        Some(t) if targets.contains(t) => vec![t.clone()],
        Some(t) => {
            return Err(format!(
                "`--target {t}`: no such fuzz target; the targets are {}",
                targets.join(", ")
            ));
        }
    };
    let sanitizer = choose_sanitizer(root, &toolchain, o.sanitizer, &target_dir)?;

    let mut outcomes = Vec::new();
    for t in &targets {
        outcomes.push(run_target(
            root,
            &toolchain,
            sanitizer,
            &target_dir,
            t,
            o.seconds,
        )?);
    }
    if o.cmin {
        for t in &targets {
            minimise(root, &toolchain, sanitizer, &target_dir, t)?;
        }
    }
    report(root, &outcomes, &toolchain, sanitizer, started)
}

/// Picks the toolchain as the module docs describe, saying which and why.
fn choose_toolchain(root: &Path, choice: ToolchainChoice, name: &str) -> Result<Toolchain> {
    let pinned = pinned_channel(root)?;
    let nightly = Toolchain {
        name: name.to_owned(),
        bootstrap: false,
    };
    let fallback = Toolchain {
        name: pinned.clone(),
        bootstrap: true,
    };
    if choice == ToolchainChoice::Pinned {
        eprintln!(
            "    toolchain: the pinned {pinned} with RUSTC_BOOTSTRAP=1 (asked for with \
             --toolchain pinned)"
        );
        return Ok(fallback);
    }
    if let Some(version) = rustc_version(root, &nightly) {
        eprintln!("    toolchain: {name}, installed ({version})");
        return Ok(nightly);
    }
    let installed = crate::run(
        root,
        &format!(
            "the {name} toolchain is not installed; cargo-fuzz passes nightly-only compiler flags"
        ),
        "rustup",
        &["toolchain", "install", name, "--profile", "minimal"],
    );
    match (installed, rustc_version(root, &nightly)) {
        (Ok(()), Some(version)) => {
            eprintln!("    toolchain: {name}, just installed ({version})");
            Ok(nightly)
        }
        (result, _) if choice == ToolchainChoice::Nightly => Err(format!(
            "--toolchain nightly: the {name} toolchain could not be installed ({}); run \
             without --toolchain to fall back to the pinned one with RUSTC_BOOTSTRAP=1",
            result.err().unwrap_or_else(|| "it does not run".to_owned())
        )),
        _ => {
            eprintln!(
                "\nxtask: NOTE the {name} toolchain could not be installed (rustup's servers may \
                 be out of reach from here).\n      Falling back to the pinned toolchain \
                 {pinned} with RUSTC_BOOTSTRAP=1, which lets a stable compiler take the\n      \
                 nightly-only flags cargo-fuzz passes. The targets and their checks are the \
                 same."
            );
            if rustc_version(root, &fallback).is_none() {
                return Err(format!(
                    "the pinned toolchain {pinned} does not run either; install it with \
                     `rustup toolchain install {pinned}`"
                ));
            }
            Ok(fallback)
        }
    }
}

/// `rustc --version` on a toolchain, or `None` when it is not installed or does not run.
fn rustc_version(root: &Path, toolchain: &Toolchain) -> Option<String> {
    let out = Command::new("rustc")
        .arg("--version")
        .current_dir(root)
        .env("RUSTUP_TOOLCHAIN", &toolchain.name)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The `channel` of `rust-toolchain.toml`.
fn pinned_channel(root: &Path) -> Result<String> {
    let file = root.join("rust-toolchain.toml");
    let text =
        fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("channel"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .find_map(|v| {
            v.trim()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .ok_or_else(|| format!("{} has no `channel = \"…\"` line", file.display()))
}

/// Installs cargo-fuzz from crates.io when `cargo fuzz` does not run.
fn ensure_cargo_fuzz(root: &Path) -> Result {
    if let Some(v) = crate::capture(root, "cargo", &["fuzz", "--version"])? {
        eprintln!("    cargo-fuzz: {}", v.trim());
        return Ok(());
    }
    crate::cargo(
        root,
        "cargo-fuzz is not installed; it builds the fuzz targets with libFuzzer and runs them \
         (from crates.io; this build takes a few minutes)",
        &["install", "cargo-fuzz", "--locked"],
    )?;
    match crate::capture(root, "cargo", &["fuzz", "--version"])? {
        Some(v) => {
            eprintln!("    cargo-fuzz: {}", v.trim());
            Ok(())
        }
        None => Err(
            "installed cargo-fuzz, but `cargo fuzz` does not run; add $CARGO_HOME/bin (usually \
             ~/.cargo/bin) to PATH"
                .to_owned(),
        ),
    }
}

/// The targets `fuzz/Cargo.toml` declares (`cargo fuzz list`).
fn list_targets(root: &Path, toolchain: &Toolchain) -> Result<Vec<String>> {
    let out = toolchain
        .cargo(root)
        .args(["fuzz", "list", "--fuzz-dir", "fuzz"])
        .output()
        .map_err(|e| format!("could not start `cargo fuzz list`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo fuzz list` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let targets: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        return Err("fuzz/Cargo.toml declares no fuzz targets".to_owned());
    }
    Ok(targets)
}

/// `-s address` or `-s none`, building every target with it (which is the build the runs use).
fn choose_sanitizer(
    root: &Path,
    toolchain: &Toolchain,
    choice: SanitizerChoice,
    target_dir: &Path,
) -> Result<&'static str> {
    let build = |sanitizer: &str, why: &str| -> Result {
        let mut c = toolchain.cargo(root);
        c.args([
            "fuzz",
            "build",
            "--fuzz-dir",
            "fuzz",
            "-s",
            sanitizer,
            "--target-dir",
        ])
        .arg(target_dir);
        step(c, why, &toolchain.shown())
    };
    match choice {
        SanitizerChoice::None => {
            build(
                "none",
                "build every fuzz target without a sanitizer (--sanitizer none)",
            )?;
            Ok("none")
        }
        SanitizerChoice::Address => {
            build("address", "build every fuzz target with AddressSanitizer")?;
            Ok("address")
        }
        SanitizerChoice::Auto => {
            match build(
                "address",
                "build every fuzz target with AddressSanitizer (it catches memory errors in \
                 dependencies' unsafe code, and reports a huge allocation with its size)",
            ) {
                Ok(()) => Ok("address"),
                Err(e) => {
                    eprintln!(
                        "\nxtask: NOTE AddressSanitizer does not build on this toolchain ({e});\n      \
                         building without a sanitizer instead (-s none): every check still \
                         runs, panics and aborts are still crashes."
                    );
                    build("none", "build every fuzz target without a sanitizer")?;
                    Ok("none")
                }
            }
        }
    }
}

/// Runs a prepared command with inherited output, announcing it.
fn step(mut c: Command, why: &str, env: &str) -> Result {
    let shown = format!("{env} {}", shown_command(&c));
    eprintln!("\n==> {why}\n    $ {shown}");
    let started = Instant::now();
    let status = c
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        eprintln!("    ok ({:.1?})", started.elapsed());
        Ok(())
    } else {
        Err(format!("step failed ({status}): `{shown}`"))
    }
}

fn shown_command(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        let _ = write!(s, " {}", a.to_string_lossy());
    }
    s
}

/// One target for `seconds` in libFuzzer's fork mode (one worker process at a time), which
/// carries on past a crash, a timeout or running out of memory, so a known crash does not stop
/// the search for others. Its output is kept in a log file and shown in part; the crashing
/// inputs it wrote are then replayed one by one and grouped by where they fail.
fn run_target(
    root: &Path,
    toolchain: &Toolchain,
    sanitizer: &str,
    target_dir: &Path,
    target: &str,
    seconds: u64,
) -> Result<Outcome> {
    let scratch = target_dir.join("corpus").join(target);
    create_dir(&scratch)?;
    let committed = root.join("fuzz/corpus").join(target);
    create_dir(&committed)?;
    let artifacts = root.join("fuzz/artifacts").join(target);
    let before_artifacts = files(&artifacts);
    let before_inputs = corpus_size(&scratch).0;
    let logs = target_dir.join("logs");
    create_dir(&logs)?;
    let log_path = logs.join(format!("{target}.log"));
    let mut log = fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;

    let c = fuzz_command(
        root,
        toolchain,
        sanitizer,
        target_dir,
        target,
        seconds,
        [&scratch, &committed],
    );
    let shown = format!("{} {}", toolchain.shown(), shown_command(&c));
    eprintln!(
        "\n==> fuzz target `{target}` for {seconds} s (log: {})\n    $ {shown}",
        log_path.display()
    );
    let started = Instant::now();
    let (status, last_stats) = run_logged(c, &shown, &mut log)?;
    let elapsed = started.elapsed().as_secs_f64();
    // In fork mode libFuzzer exits non-zero when it found crashes (they are replayed below);
    // without a progress line, it never ran.
    let Some(stats) = last_stats else {
        return Err(format!(
            "fuzz target `{target}` did not run ({status}); see {}",
            log_path.display()
        ));
    };
    let stats = Stats::parse(&stats);

    let new: Vec<PathBuf> = files(&artifacts)
        .into_iter()
        .filter(|p| !before_artifacts.contains(p))
        .collect();
    let binary = target_dir.join(host_triple()).join("release").join(target);
    let crashes = replay_crashes(root, &binary, target, new)?;
    Ok(Outcome {
        target: target.to_owned(),
        seconds: elapsed,
        executions: stats.executions,
        per_second: stats.per_second,
        new_inputs: corpus_size(&scratch).0.saturating_sub(before_inputs),
        coverage: stats.coverage,
        crashes,
    })
}

/// `cargo fuzz run` of one target for `seconds` in fork mode, carrying on past crashes, on
/// `corpora` (the scratch corpus, which takes the new inputs, then the committed one), with the
/// target's dictionary when it has one.
fn fuzz_command(
    root: &Path,
    toolchain: &Toolchain,
    sanitizer: &str,
    target_dir: &Path,
    target: &str,
    seconds: u64,
    [scratch, committed]: [&Path; 2],
) -> Command {
    let mut c = toolchain.cargo(root);
    c.args([
        "fuzz",
        "run",
        "--fuzz-dir",
        "fuzz",
        "-s",
        sanitizer,
        "--target-dir",
    ])
    .arg(target_dir)
    .arg(target)
    .arg(scratch)
    .arg(committed)
    .arg("--")
    .args(libfuzzer_limits())
    .arg(format!("-max_total_time={seconds}"))
    .args([
        "-fork=1",
        "-ignore_crashes=1",
        "-ignore_ooms=1",
        "-ignore_timeouts=1",
    ]);
    let dict = root
        .join("fuzz/dictionaries")
        .join(format!("{target}.dict"));
    if dict.exists() {
        c.arg(format!("-dict={}", dict.display()));
    }
    c
}

fn create_dir(dir: &Path) -> Result {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Runs a fuzzing command (`shown` is how it is shown), writing all its output to `log` and
/// showing its progress lines and errors: its exit status and its last progress line.
fn run_logged(
    mut c: Command,
    shown: &str,
    log: &mut fs::File,
) -> Result<(std::process::ExitStatus, Option<String>)> {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    // libFuzzer writes to stderr; cargo-fuzz's own notes go to stdout. Read stdout on a thread
    // so neither pipe fills.
    let stdout = child.stdout.take();
    let out_thread = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(out) = stdout {
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });
    let mut last_stats = None;
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err)
            .lines()
            .map_while(std::result::Result::ok)
        {
            let _ = writeln!(log, "{line}");
            if line.starts_with('#') && line.contains(" cov: ") && line.contains(" job: ") {
                eprintln!("    {line}");
                last_stats = Some(line);
            } else if line.contains("ERROR") || line.contains("error:") {
                eprintln!("    {line}");
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    let stdout_text = out_thread.join().unwrap_or_default();
    let _ = write!(log, "{stdout_text}");
    Ok((status, last_stats))
}

/// What the fork mode's last progress line says.
struct Stats {
    executions: Option<u64>,
    per_second: Option<u64>,
    /// Edges and features covered.
    coverage: Option<String>,
}

impl Stats {
    /// From a line such as
    /// `#70154: cov: 4341 ft: 9068 corp: 308 exec/s: 4580 oom/timeout/crash: 0/0/0 time: 20s …`.
    fn parse(stats: &str) -> Self {
        let field =
            |name: &str| -> Option<&str> { stats.split(name).nth(1)?.split_whitespace().next() };
        Self {
            executions: stats
                .strip_prefix('#')
                .and_then(|s| s.split(':').next())
                .and_then(|n| n.parse().ok()),
            per_second: field("exec/s: ").and_then(|v| v.parse().ok()),
            coverage: field("cov: ")
                .zip(field("ft: "))
                .map(|(cov, ft)| format!("{cov} edges, {ft} features")),
        }
    }
}

/// Replays each new crashing input with the target's `binary` and groups them by signature
/// (a path under `root` shown relative to it), saying each new one as it is found.
fn replay_crashes(
    root: &Path,
    binary: &Path,
    target: &str,
    inputs: Vec<PathBuf>,
) -> Result<Vec<Crash>> {
    let mut crashes: Vec<Crash> = Vec::new();
    for input in inputs {
        let (signature, message) = replay(binary, &input)?;
        let signature = signature
            .strip_prefix(&format!("{}/", root.display()))
            .map_or_else(|| signature.clone(), str::to_owned);
        match crashes.iter_mut().find(|c| c.signature == signature) {
            Some(c) => c.inputs.push(input),
            None => {
                let known = KNOWN.iter().find(|k| {
                    k.target == target && (signature.contains(k.text) || message.contains(k.text))
                });
                eprintln!(
                    "\n    CRASH in `{target}` at {signature}: {message}\n    input: {}",
                    input.display()
                );
                crashes.push(Crash {
                    signature,
                    message,
                    inputs: vec![input],
                    known,
                });
            }
        }
    }
    Ok(crashes)
}

/// The limits every libFuzzer run gets.
fn libfuzzer_limits() -> [String; 2] {
    [
        format!("-timeout={INPUT_TIMEOUT_SECONDS}"),
        format!("-rss_limit_mb={RSS_LIMIT_MB}"),
    ]
}

/// The host's target triple, which cargo-fuzz builds for (`x86_64-unknown-linux-gnu`).
fn host_triple() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "macos" => format!("{arch}-apple-darwin"),
        _ => format!("{arch}-unknown-linux-gnu"),
    }
}

/// Runs a fuzz target's binary on one input: where it fails (`file:line` of a panic, or the
/// kind of libFuzzer error) and its message.
fn replay(binary: &Path, input: &Path) -> Result<(String, String)> {
    let out = Command::new(binary)
        .args(libfuzzer_limits())
        .arg(input)
        .env("RUST_BACKTRACE", "0")
        .output()
        .map_err(|e| {
            format!(
                "could not run {} on {}: {e}",
                binary.display(),
                input.display()
            )
        })?;
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if out.status.success() {
        return Ok((
            "does not crash when replayed".to_owned(),
            "(a crash that depends on earlier inputs, or on time or memory)".to_owned(),
        ));
    }
    let signature = lines
        .iter()
        .find_map(|l| {
            let at = l.split(" panicked at ").nth(1)?;
            // `crates/…/cohort.rs:123:13:` → `crates/…/cohort.rs:123`
            let mut parts = at.trim_end_matches(':').rsplitn(3, ':');
            let _column = parts.next()?;
            let line = parts.next()?;
            Some(format!("{}:{line}", parts.next()?))
        })
        .or_else(|| {
            lines.iter().find_map(|l| {
                let e = l.split("ERROR: ").nth(1)?;
                Some(e.split(" (").next().unwrap_or(e).trim().to_owned())
            })
        })
        .unwrap_or_else(|| format!("exit {}", out.status));
    let message = crash_message(&lines).unwrap_or_else(|| signature.clone());
    Ok((signature, message))
}

/// The files of a folder, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The panic message (the lines after "panicked at"), or libFuzzer's error line.
fn crash_message(lines: &[String]) -> Option<String> {
    if let Some(i) = lines.iter().position(|l| l.contains(" panicked at ")) {
        let message: Vec<&str> = lines[i + 1..]
            .iter()
            .map(String::as_str)
            .take_while(|l| {
                !l.starts_with("note:")
                    && !l.starts_with("stack backtrace:")
                    && !l.starts_with("==")
                    && !l.is_empty()
            })
            .take(6)
            .collect();
        return Some(message.join(" / "));
    }
    lines
        .iter()
        .find(|l| l.contains("ERROR: libFuzzer:") || l.contains("ERROR: AddressSanitizer:"))
        .map(|l| l.trim_start_matches('=').trim().to_owned())
}

/// Folds the scratch corpus into the committed one, then `cargo fuzz cmin` on it.
fn minimise(
    root: &Path,
    toolchain: &Toolchain,
    sanitizer: &str,
    target_dir: &Path,
    target: &str,
) -> Result {
    let committed = root.join("fuzz/corpus").join(target);
    let scratch = target_dir.join("corpus").join(target);
    let before = corpus_size(&committed);
    if let Ok(entries) = fs::read_dir(&scratch) {
        for e in entries.flatten() {
            let to = committed.join(e.file_name());
            if !to.exists() {
                fs::copy(e.path(), &to)
                    .map_err(|err| format!("cannot copy {}: {err}", e.path().display()))?;
            }
        }
    }
    let mut c = toolchain.cargo(root);
    c.args([
        "fuzz",
        "cmin",
        "--fuzz-dir",
        "fuzz",
        "-s",
        sanitizer,
        "--target-dir",
    ])
    .arg(target_dir)
    .arg(target)
    .arg(&committed)
    .arg("--")
    .args(libfuzzer_limits())
    // Keep a smallest set of inputs that covers every edge, counting an edge once however
    // often it runs: a third to a tenth of what the plain merge keeps (heat_plus 355 files,
    // 660 KB → 45 files, 81 KB), so the committed corpus and its replay in CI stay small.
    .args(["-set_cover_merge=1", "-use_counters=0"]);
    step(
        c,
        &format!(
            "minimise fuzz/corpus/{target} (was {} files, {} bytes)",
            before.0, before.1
        ),
        &toolchain.shown(),
    )?;
    let after = corpus_size(&committed);
    eprintln!(
        "    fuzz/corpus/{target}: {} files, {} bytes",
        after.0, after.1
    );
    Ok(())
}

/// Files and bytes in a folder (not recursive).
fn corpus_size(dir: &Path) -> (u64, u64) {
    fs::read_dir(dir).map_or((0, 0), |entries| {
        entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .filter(std::fs::Metadata::is_file)
            .fold((0, 0), |(n, b), m| (n + 1, b + m.len()))
    })
}

fn report(
    root: &Path,
    outcomes: &[Outcome],
    toolchain: &Toolchain,
    sanitizer: &str,
    started: Instant,
) -> Result {
    let show = |v: Option<u64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
    println!(
        "\nFuzzing with {} (sanitizer: {sanitizer}), {:.0} s in all:",
        toolchain.shown(),
        started.elapsed().as_secs_f64()
    );
    println!("| target | seconds | executions | exec/s | new inputs | coverage | result |");
    println!("|---|---|---|---|---|---|---|");
    let mut unknown = Vec::new();
    for o in outcomes {
        let result = if o.crashes.is_empty() {
            "nothing found".to_owned()
        } else {
            o.crashes
                .iter()
                .map(|c| {
                    let first = c.inputs.first().map(|p| p.display().to_string());
                    let inputs = format!(
                        "{} input{}, e.g. {}",
                        c.inputs.len(),
                        if c.inputs.len() == 1 { "" } else { "s" },
                        first.unwrap_or_default()
                    );
                    match c.known {
                        Some(k) => format!(
                            "known crash, issue 12 finding {} (fixed on branch {}) at {}: {} \
                             ({inputs})",
                            k.finding, k.branch, c.signature, c.message
                        ),
                        None => {
                            unknown.push(format!("{} at {}", o.target, c.signature));
                            format!("CRASH at {}: {} ({inputs})", c.signature, c.message)
                        }
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {result} |",
            o.target,
            o.seconds,
            show(o.executions),
            show(o.per_second),
            o.new_inputs,
            o.coverage.as_deref().unwrap_or("?"),
        );
    }
    let total: u64 = outcomes.iter().filter_map(|o| o.executions).sum();
    let (files, bytes) = fs::read_dir(root.join("fuzz/corpus")).map_or((0, 0), |dirs| {
        dirs.flatten()
            .map(|d| corpus_size(&d.path()))
            .fold((0, 0), |(n, b), (m, c)| (n + m, b + c))
    });
    println!("{total} executions in all; the committed corpus holds {files} files, {bytes} bytes.");
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "new crash(es): {}. Keep an input of each in fuzz/regressions/<target>/ (it is \
             then replayed by `cargo test -p equitas-tests fuzz_corpus`) and fix the cause",
            unknown.join(", ")
        ))
    }
}
