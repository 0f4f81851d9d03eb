//! The fuzz targets' corpus and the crashes fuzzing found, replayed as ordinary tests on the
//! pinned toolchain (issue 12, "Fuzzing as part of the project").
//!
//! Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through
//! `equitas_fuzz_harness::<target>`, the same check the cargo-fuzz target runs, so an input
//! that once crashed a target (or that reached new code) keeps being checked in CI without a
//! fuzzer. A crash that `cargo xtask fuzz` finds is kept in `fuzz/regressions/<target>/`.
//!
//! An input that crashes because of a finding still being fixed may be listed in [`KNOWN`]
//! while the fix is under way: the corpus tests then skip it and it gets an ignored test of its
//! own in [`known`]. The list is empty: issue 12's crashes are fixed, and their inputs are
//! replayed below, one named test each.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Inputs that crash while a fix is under way, by target and file name under `fuzz/regressions/<target>/`: one
/// ignored test each, in [`known`].
const KNOWN: &[(&str, &str)] = &[];

fn fuzz_dir() -> PathBuf {
    crate::root().join("fuzz")
}

/// The files of a folder, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The panic message of a caught panic.
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `target`'s check over one file, `Err` with the panic message when it breaks.
fn check(target: &str, path: &Path) -> Result<(), String> {
    let check = equitas_fuzz_harness::target(target)
        .unwrap_or_else(|| panic!("no fuzz harness for target {target}"));
    let data = std::fs::read(path).unwrap();
    catch_unwind(AssertUnwindSafe(|| check(&data))).map_err(|p| message(&*p))
}

/// Every file of `fuzz/<folder>/<target>/` but the known crashes passes `target`'s check.
fn replay(target: &str, folder: &str) -> usize {
    let dir = fuzz_dir().join(folder).join(target);
    let mut failures = Vec::new();
    let mut n = 0;
    for path in files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if folder == "regressions" && KNOWN.contains(&(target, name.as_str())) {
            continue;
        }
        n += 1;
        if let Err(m) = check(target, &path) {
            failures.push(format!("  {}: {m}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "fuzz target {target}: {} of {n} inputs in fuzz/{folder}/{target} fail its check:\n{}",
        failures.len(),
        failures.join("\n")
    );
    n
}

/// The crashes fuzzing found for issue 12, one test each, each naming its finding; every one
/// failed before its fix.
mod known {
    use super::{check, fuzz_dir};

    fn crashes_no_more(target: &str, file: &str) {
        let path = fuzz_dir().join("regressions").join(target).join(file);
        if let Err(m) = check(target, &path) {
            panic!("fuzz target {target} on {}: {m}", path.display());
        }
    }

    /// Finding 1: a stray `"` in a data row (`S"YN`, as in the issue) makes the parallel
    /// reader, with 64-byte blocks, read 8 of the 17 rows and drop the rest silently.
    #[test]
    fn records_stray_quote() {
        crashes_no_more("records", "stray-quote.csv");
    }

    /// Finding 1: after a quoted field with a line break in it, the parallel reader numbers
    /// later rows by physical line (7) where the sequential one numbers them as a spreadsheet
    /// does (6), so the two problem lists differ.
    #[test]
    fn records_quoted_line_break() {
        crashes_no_more("records", "messy.csv");
    }

    /// Finding 1 ("the counts are the same for any N", for every input), found by the fuzzer:
    /// a file whose first line is blank. The sequential reader (`--threads 1`) skips the blank
    /// line and reads the header after it; the parallel one takes the blank line as the header
    /// and refuses the file: "record file is missing the column(s) person_id, … (header was: )".
    #[test]
    fn records_blank_first_line() {
        crashes_no_more("records", "blank-first-line.csv");
    }

    /// Finding 4: a saved counts file whose cells are u64::MAX and 2 with `people` 1. The
    /// (all, all) cells' sum overflows: a panic in a build with overflow checks (this test's),
    /// a sum that wraps to 1 and is accepted in a release build (the CLI's).
    #[test]
    fn counts_wrapping_cells() {
        crashes_no_more("counts", "wrapping-cells.json");
    }

    /// Finding 11: `equitas sii` on values of ±1e308 gives no SII and no reason.
    #[test]
    fn fingertips_sii_1e308() {
        crashes_no_more("fingertips", "sii-1e308.csv");
    }

    /// Finding 2: heat v2's `assess.findings` has `previous_ids` `assess.inequalities` and
    /// `assess.impacts`; a v1 file answering both keeps one answer and drops the other.
    #[test]
    fn envelope_merged_questions() {
        crashes_no_more("envelope", "merged-questions.json");
    }

    /// Finding 2: an answer to a removed question overwrites the entry already in `retained`
    /// under the same id.
    #[test]
    fn envelope_retained_overwritten() {
        crashes_no_more("envelope", "retained-overwritten.json");
    }

    /// Finding 2, on the repository's own example assessments (`heat-gaps` and
    /// `heat-thorough`, which answer both merged questions).
    #[test]
    fn envelope_examples() {
        crashes_no_more("envelope", "examples-heat-gaps.json");
        crashes_no_more("envelope", "examples-heat-thorough.json");
    }
}

/// One test per target for its corpus and its regressions.
macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        mod corpus {
            $(
                #[test]
                fn $name() {
                    assert!(
                        super::replay(stringify!($name), "corpus") > 0,
                        "fuzz/corpus/{} is empty",
                        stringify!($name)
                    );
                }
            )*
        }
        mod regressions {
            $(
                #[test]
                fn $name() {
                    super::replay(stringify!($name), "regressions");
                }
            )*
        }
        /// The targets the tests above cover, to compare with the harness's list.
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

targets!(
    json, envelope, instrument, definition, person, records, counts, imd, heat_plus, fingertips,
);

/// The harness, the cargo-fuzz targets, their corpus folders and these tests name the same
/// targets, so a new target cannot go unfuzzed or untested.
#[test]
fn fuzz_targets_harness_and_corpus_agree() {
    let harness: Vec<&str> = equitas_fuzz_harness::TARGETS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        harness, TESTED,
        "tests/fuzz_corpus.rs `targets!` vs the harness's TARGETS"
    );
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "equitas-fuzz")
        .collect();
    assert_eq!(
        bins, harness,
        "fuzz/Cargo.toml [[bin]] names vs the harness's TARGETS"
    );
    for t in &harness {
        let source = fuzz_dir().join("fuzz_targets").join(format!("{t}.rs"));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            text.contains(&format!("equitas_fuzz_harness::{t}(data)")),
            "{} does not call equitas_fuzz_harness::{t}",
            source.display()
        );
    }
    let mut folders: Vec<String> = std::fs::read_dir(fuzz_dir().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut expected: Vec<String> = harness.iter().map(|t| (*t).to_owned()).collect();
    expected.sort();
    assert_eq!(folders, expected, "fuzz/corpus/ folders vs the targets");
    for (target, file) in KNOWN {
        assert!(
            fuzz_dir()
                .join("regressions")
                .join(target)
                .join(file)
                .is_file(),
            "KNOWN names fuzz/regressions/{target}/{file}, which is missing"
        );
    }
}

/// The committed corpus stays small (issue 12: committed, minimised with `cargo xtask fuzz
/// --cmin`), so the clone and these tests stay quick.
#[test]
fn fuzz_corpus_is_small() {
    const LIMIT: u64 = 2 * 1024 * 1024;
    let total: u64 = ["corpus", "regressions"]
        .iter()
        .flat_map(|f| std::fs::read_dir(fuzz_dir().join(f)).into_iter().flatten())
        .flat_map(|d| files(&d.unwrap().path()))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(
        total <= LIMIT,
        "fuzz/corpus and fuzz/regressions hold {total} bytes, over {LIMIT}; minimise with \
         `cargo xtask fuzz --cmin`"
    );
}
