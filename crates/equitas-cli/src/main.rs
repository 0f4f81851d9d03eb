//! `equitas`: Core20PLUS5 cohorts from patient-level extracts, on your own machine.
//!
//! A thin edge over `equitas-core`: it parses arguments, opens files, and renders what the core
//! computes as a table, CSV or JSON.
//!
//! Nothing here prints with `print!`/`eprintln!`, which panic when the output cannot be written
//! (`> /dev/full`, a closed pipe): standard output goes through [`stdout`] or [`out`], whose
//! errors are returned, and standard error through [`err`], which cannot fail. The lints below
//! keep it so in every command's file.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod assess;
mod fingertips;
mod measures;
mod render;

use std::any::Any;
use std::fmt::Display;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use equitas_core::cohort::records::{
    DEFAULT_BLOCK_BYTES, ReadSummary, count_records, count_records_parallel,
};
use equitas_core::cohort::{
    Classifier, CohortCounts, CohortDefinition, DefinitionError, MAX_COUNTS_FILE_BYTES,
    MAX_DEFINITION_BYTES, report,
};
use equitas_core::deprivation::{AreaCode, DeprivationIndex, ImdEdition, MAX_IMD_AREAS};
use equitas_core::io::heat_plus;
use equitas_core::synth::{Areas, CSV_HEADER, MAX_PARAMS_BYTES, MAX_PEOPLE, Synth, SynthParams};
use lexopt::prelude::*;

/// The most threads `equitas cohorts --threads` counts on: 64. Each thread holds its own counts
/// and a few 4 MiB blocks of the file (about 14 MB), and reading, not counting, limits the speed
/// well before 64; the limit stops a typing slip (`--threads 100000`) from asking the system for
/// more threads than it can start. Raise it here and rebuild for a machine that needs more.
pub const MAX_THREADS: usize = 64;

const USAGE: &str = "\
equitas: Core20PLUS5 cohorts and health-inequality measures for the NHS in England

Usage: equitas <command> [options]

Commands:
  demo      synthesise 100,000 people and print the cohort report (no files needed)
  cohorts   count a person-record CSV into Core20PLUS5 cohorts, with the ambition table
  synth     write a synthetic person-record CSV (not real people) for demos and benchmarks
  merge     add up saved counts (from cohorts --save-counts, e.g. one per practice or machine)

  measures  the 21 WHO HEAT summary measures for a table in the HEAT Plus layout
  sii       slope and relative index of inequality as Fingertips computes them (phe_sii)
  lifetable life expectancy by start age (Chiang II) with confidence intervals
  proportion  proportions with Wilson confidence intervals
  rate      crude rates with Byar's (or exact Poisson) confidence intervals
  dsr       directly standardised rates (ESP2013, Dobson intervals)

  assess    Health Equity Assessment Tool self-assessments: new, validate, score, summary,
            migrate

Run `equitas <command> --help` for a command's options and an example.
Data never leaves your machine: equitas reads and writes local files only.

Exit status: 0 done (also when the reader of the output stops early, as `| head` does: equitas
then stops quietly), 1 an error (the message says what and where), 2 a usage error.
";

const DEMO_HELP: &str = "\
equitas demo: synthesise a population and print its Core20PLUS5 cohort report

Usage: equitas demo [--people N] [--seed S] [--imd FILE] [--edition E] [--definition FILE]
                    [--format table|csv|json]

  --people N        people to synthesise, 1 to 1000000000 (default 100000)
  --seed S          random seed, 0 to 18446744073709551615; the same seed gives the same
                    people (default 2026)
  --imd FILE        draw real areas from this IMD file; without it people get IMD deciles directly
  --edition E       england-2019 (default) or england-2025; must match --imd
  --definition FILE a cohort definition JSON (default: the built-in national definition;
                    seeds/definitions/coventry-warwickshire.json is an example of a local one)
  --format F        table (default), csv or json
  --csv-table T     with --format csv: counts (long format, default), ambitions, or heat-plus
                    (ambition rates by IMD quintile in the WHO HEAT Plus layout, for
                    `equitas measures`)

Example:
  equitas demo --imd ../shared/data/imd/imd2019_england_lsoa11.csv
";

const COHORTS_HELP: &str = "\
equitas cohorts: count person records into Core20PLUS5 cohorts

Usage: equitas cohorts --records FILE [--imd FILE] [--edition E] [--definition FILE]
                       [--format table|csv|json] [--strict] [--threads N] [--save-counts F]

  --records FILE    person-record CSV, or - for standard input. Columns:
                    person_id,age,sex,ethnicity,lsoa,conditions,groups (required) and
                    smoking,events,imd_decile (optional); others are ignored.
                    person_id must be filled in and used once only (at most 256 bytes);
                    conditions, groups and events are ;-separated catalogue ids (conditions may
                    also be ICD-10 codes); age is whole years 0-120 or empty; sex is
                    male/female/indeterminate/unknown (or NHS codes 1/2/9/0); ethnicity is an NHS
                    ethnic category code (A-Z, 99) or empty.
  --imd FILE        IMD lookup to find each lsoa's decile (the shared files or the official
                    File 7 CSV). Without it, only the imd_decile column gives deprivation.
  --edition E       england-2019 (default) or england-2025: the edition that defines Core20
  --definition FILE cohort definition JSON (default: built-in national definition)
  --format F        table (default), csv or json (report with ambitions, counts, problems)
  --csv-table T     with --format csv: counts (long format, default), ambitions (one row per
                    metric: target, Core20, rest, overall and quintile rates with Wilson 95% limits)
                    or heat-plus (each metric's rates by IMD quintile in the WHO HEAT Plus layout,
                    ready for `equitas measures`)
  --strict          stop at the first bad row or unknown area code (reads on one thread)
  --threads N       threads to count on, 1 to 64 (default: every core, at most 64);
                    the counts are the same for any N
  --save-counts F   also save the counts to F, to add up later with `equitas merge` (written
                    whole or not at all: to a temporary file beside F, renamed at the end)

Bad rows (a wrong number of fields, an empty or repeated person_id, unknown ids, impossible
ages) are not counted and are listed with their row, column and value; a repeated person_id
names the row where it was first used. Rows are numbered as an editor shows the file's lines:
the header is row 1, and a line ends with \\n, \\r\\n or a lone \\r. Area codes not in the IMD
file are counted with deprivation unknown and listed too. The report, its counts and its list
of problems are the same whatever the thread count.

A record longer than 1 MiB (1048576 bytes; almost always a field opened with a quote and never
closed) stops the run with an error naming the row it starts on: nothing after it could be read
reliably. The limit is fixed.

Memory does not grow with the file, except for the person_ids kept to find repeats: each takes
its length plus 16 to 29 bytes (about 40 MB for a million people; less when the file is sorted
by person_id, which also makes the check faster).

Example:
  equitas cohorts --records people.csv --imd ../shared/data/imd/imd2019_england_lsoa11.csv
";

const MERGE_HELP: &str = "\
equitas merge: add up saved counts made separately (per practice, per chunk, per machine)

Usage: equitas merge FILE... [--definition FILE] [--edition E] [--format table|csv|json]

  FILE...           counts saved by `equitas cohorts --save-counts`; all must have been made
                    with the same cohort definition (and version) as --definition. A file
                    larger than any equitas writes (256 MiB), or whose labels describe a larger
                    table, is refused before it is read; so is a sum too large for a count.
  --definition FILE the cohort definition the counts were made with (default: built-in national)
  --edition E       england-2019 (default) or england-2025, as when the counts were made
  --format F        table (default), csv or json
  --csv-table T     with --format csv: counts (default), ambitions or heat-plus

Merging is exact: counting parts separately and merging gives the same answer as counting the
whole at once.

Example:
  equitas cohorts --records north.csv --imd imd.csv --save-counts north.json
  equitas cohorts --records south.csv --imd imd.csv --save-counts south.json
  equitas merge north.json south.json
";

const SYNTH_HELP: &str = "\
equitas synth: write a synthetic person-record CSV (SYNTHETIC: not real people)

Usage: equitas synth --people N --out FILE [--seed S] [--imd FILE] [--areas FILE] [--params FILE]

  --people N        how many people, 1 to 1000000000
  --out FILE        where to write the CSV, or - for standard output. The file appears whole
                    or not at all: it is written to a temporary file beside it and renamed
                    when the last row is written
  --seed S          random seed, 0 to 18446744073709551615 (default 1); the same seed gives
                    the same file
  --imd FILE        draw areas from this IMD file (otherwise people get IMD deciles directly)
  --areas FILE      draw only from these area codes (one per line, e.g. one local authority's);
                    needs --imd
  --params FILE     synthetic population parameters JSON (default seeds/synth/default.json)

Example:
  equitas synth --people 1000000 --seed 7 --imd ../shared/data/imd/imd2019_england_lsoa11.csv \\
      --out people.csv
";

/// An error to show the user, with the exit code to use.
struct Failure {
    message: String,
    code: u8,
}

/// Set once a write to standard output finds the reader gone (`EPIPE`, as after `| head -1`).
/// The command then ends quietly with status 0, the way Unix tools stop when their reader has
/// read enough: no message, because nothing went wrong that the user needs to hear about.
static PIPE_CLOSED: AtomicBool = AtomicBool::new(false);

/// Notes a closed pipe in `e` (see [`PIPE_CLOSED`]).
fn note_broken_pipe(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        PIPE_CLOSED.store(true, Ordering::Relaxed);
    }
}

impl<E: Display + 'static> From<E> for Failure {
    fn from(e: E) -> Self {
        // Writes that did not go through `stdout()` still end quietly on a closed pipe.
        let any: &dyn Any = &e;
        if let Some(io) = any.downcast_ref::<io::Error>() {
            note_broken_pipe(io);
        } else if let Some(json) = any.downcast_ref::<serde_json::Error>()
            && json.io_error_kind() == Some(io::ErrorKind::BrokenPipe)
        {
            PIPE_CLOSED.store(true, Ordering::Relaxed);
        }
        Self {
            message: e.to_string(),
            code: 1,
        }
    }
}

fn usage_error(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: 2,
    }
}

/// Standard output for a command's results. Its errors are returned to the caller like any
/// other (`> /dev/full` is an error naming standard output, exit 1), and a closed pipe makes
/// the command end quietly ([`PIPE_CLOSED`]). Wrap it in a `BufWriter` for many small writes.
pub(crate) fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

/// See [`stdout`].
pub(crate) struct Stdout(io::StdoutLock<'static>);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).inspect_err(note_broken_pipe)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().inspect_err(note_broken_pipe)
    }
}

/// Writes `text` (help, a version line) to standard output and flushes it.
///
/// # Errors
/// Standard output cannot be written (a full disk, a closed pipe: see [`stdout`]).
pub(crate) fn out(text: &str) -> Result<()> {
    let mut o = stdout();
    o.write_all(text.as_bytes())
        .and_then(|()| o.flush())
        .map_err(|e| Failure::from(format!("cannot write to standard output: {e}")))
}

/// Writes `line` and a newline to standard error (notes, warnings, errors). When standard error
/// itself cannot be written (`2> /dev/full`) there is nowhere left to say so: the line is
/// dropped, and the exit status still tells.
pub(crate) fn err(line: &str) {
    let mut e = io::stderr().lock();
    let _ = writeln!(e, "{line}").and_then(|()| e.flush());
}

type Result<T> = std::result::Result<T, Failure>;

/// Which table `--format csv` writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CsvTable {
    Counts,
    Ambitions,
    HeatPlus,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Csv,
    Json,
}

fn parse_format(v: &str) -> Result<Format> {
    match v {
        "table" => Ok(Format::Table),
        "csv" => Ok(Format::Csv),
        "json" => Ok(Format::Json),
        _ => Err(usage_error(format!(
            "--format must be table, csv or json, got {v:?}"
        ))),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if PIPE_CLOSED.load(Ordering::Relaxed) => ExitCode::SUCCESS,
        Err(f) => {
            err(&format!("error: {}", f.message));
            ExitCode::from(f.code)
        }
    }
}

fn run() -> Result<()> {
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next()? {
        Some(Value(v)) => v.string()?,
        Some(Long("help") | Short('h')) | None => return out(USAGE),
        Some(Long("version")) => return out(&format!("equitas {}\n", env!("CARGO_PKG_VERSION"))),
        Some(other) => return Err(usage_error(format!("{}\n\n{USAGE}", other.unexpected()))),
    };
    match command.as_str() {
        "demo" => demo(parser),
        "cohorts" => cohorts(parser),
        "synth" => synth(parser),
        "merge" => merge(parser),
        "measures" => measures::run(parser),
        "sii" | "lifetable" | "proportion" | "rate" | "dsr" => fingertips::run(&command, parser),
        "assess" => assess::run(parser),
        other => Err(usage_error(format!("unknown command {other:?}\n\n{USAGE}"))),
    }
}

/// Options shared by `demo` and `cohorts`.
struct Common {
    csv_table: CsvTable,
    imd: Option<PathBuf>,
    edition: Option<ImdEdition>,
    definition: Option<PathBuf>,
    format: Format,
}

impl Common {
    fn new() -> Self {
        Self {
            csv_table: CsvTable::Counts,
            imd: None,
            edition: None,
            definition: None,
            format: Format::Table,
        }
    }

    /// Handle a shared option; `false` when `name` is not one.
    fn take(&mut self, name: &str, parser: &mut lexopt::Parser) -> Result<bool> {
        match name {
            "--imd" => self.imd = Some(parser.value()?.into()),
            "--edition" => {
                let v = parser.value()?.string()?;
                let e = ImdEdition::parse(&v).map_err(usage_error)?;
                self.edition = Some(e);
            }
            "--definition" => self.definition = Some(parser.value()?.into()),
            "--format" => self.format = parse_format(&parser.value()?.string()?)?,
            "--csv-table" => {
                self.csv_table = match parser.value()?.string()?.as_str() {
                    "counts" => CsvTable::Counts,
                    "ambitions" => CsvTable::Ambitions,
                    "heat-plus" => CsvTable::HeatPlus,
                    other => {
                        return Err(usage_error(format!(
                            "--csv-table must be counts, ambitions or heat-plus, got {other:?}"
                        )));
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn load(&self) -> Result<(CohortDefinition, Option<DeprivationIndex>)> {
        let mut definition = match &self.definition {
            Some(p) => {
                let text = read_text(p, MAX_DEFINITION_BYTES, "MAX_DEFINITION_BYTES")?;
                CohortDefinition::from_json(&text)
                    .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?
            }
            None => CohortDefinition::national(),
        };
        if let Some(e) = self.edition {
            definition.imd_edition = e;
        }
        let index = match &self.imd {
            Some(p) => {
                let ix = DeprivationIndex::from_path(p)
                    .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?;
                ix.require_core20()?;
                Some(ix)
            }
            None => None,
        };
        Ok((definition, index))
    }

    /// The classifier for `definition`; a problem in a definition file names the file.
    fn classifier<'a>(
        &self,
        definition: CohortDefinition,
        index: Option<&'a DeprivationIndex>,
    ) -> Result<Classifier<'a>> {
        Classifier::new(definition, index).map_err(|e| match (&self.definition, &e) {
            (_, DefinitionError::EditionMismatch { .. }) | (None, _) => Failure::from(e),
            (Some(p), _) => Failure::from(format!("{}: {e}", p.display())),
        })
    }
}

/// The next option as text (`--name` or `-c`); a stray value is an error.
fn next_option(parser: &mut lexopt::Parser, help: &str) -> Result<Option<String>> {
    match parser.next()? {
        None => Ok(None),
        Some(Long(n)) => Ok(Some(format!("--{n}"))),
        Some(Short(c)) => Ok(Some(format!("-{c}"))),
        Some(other) => Err(usage_error(format!("{}\n\n{help}", other.unexpected()))),
    }
}

fn unknown_option(name: &str, help: &str) -> Failure {
    usage_error(format!("unknown option {name}\n\n{help}"))
}

/// A whole-number option that must lie in `range`. Anything else (not a number, negative, too
/// large for any count, outside the range) is a usage error naming the option, the value and
/// the range.
fn whole<T>(parser: &mut lexopt::Parser, name: &str, range: RangeInclusive<T>) -> Result<T>
where
    T: std::str::FromStr + PartialOrd + Display,
{
    let v = parser.value()?.string()?;
    v.trim()
        .parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            usage_error(format!(
                "--{name} must be a whole number from {} to {}, got {v:?}",
                range.start(),
                range.end()
            ))
        })
}

/// The range of `--people` (demo and synth).
const PEOPLE: RangeInclusive<u64> = 1..=MAX_PEOPLE;
/// The range of `--seed`: any 64-bit number.
const SEEDS: RangeInclusive<u64> = 0..=u64::MAX;

fn demo(mut parser: lexopt::Parser) -> Result<()> {
    let mut common = Common::new();
    let mut people: u64 = 100_000;
    let mut seed: u64 = 2026;
    while let Some(name) = next_option(&mut parser, DEMO_HELP)? {
        if common.take(&name, &mut parser)? {
            continue;
        }
        match name.as_str() {
            "--people" => people = whole(&mut parser, "people", PEOPLE)?,
            "--seed" => seed = whole(&mut parser, "seed", SEEDS)?,
            "--help" | "-h" => return out(DEMO_HELP),
            _ => return Err(unknown_option(&name, DEMO_HELP)),
        }
    }
    let (definition, index) = common.load()?;
    let classifier = common.classifier(definition, index.as_ref())?;
    let params = SynthParams::builtin();
    let areas = index.as_ref().map_or(Areas::Deciles, Areas::Index);
    let mut synth = Synth::new(&params, seed, areas)?;
    let mut counts = CohortCounts::new(&classifier);
    for _ in 0..people {
        let record = synth.next_person().to_record();
        let compact = classifier.compact(&record)?;
        counts.count(&classifier, &compact);
    }
    let summary = ReadSummary {
        rows: people,
        counted: people,
        ..ReadSummary::default()
    };
    let source = format!(
        "SYNTHETIC demo population: {people} people, seed {seed}, {} (not real people)",
        index.as_ref().map_or_else(
            || "IMD deciles drawn uniformly".to_owned(),
            |ix| format!("areas drawn from {} ({} areas)", ix.edition(), ix.len())
        )
    );
    output(
        &classifier,
        &counts,
        &summary,
        &source,
        common.format,
        common.csv_table,
    )
}

fn cohorts(mut parser: lexopt::Parser) -> Result<()> {
    let mut common = Common::new();
    let mut records: Option<PathBuf> = None;
    let mut save: Option<PathBuf> = None;
    let mut strict = false;
    let mut threads: usize = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_THREADS);
    while let Some(name) = next_option(&mut parser, COHORTS_HELP)? {
        if common.take(&name, &mut parser)? {
            continue;
        }
        match name.as_str() {
            "--records" => records = Some(parser.value()?.into()),
            "--strict" => strict = true,
            "--threads" => threads = whole(&mut parser, "threads", 1..=MAX_THREADS)?,
            "--save-counts" => save = Some(parser.value()?.into()),
            "--help" | "-h" => return out(COHORTS_HELP),
            _ => return Err(unknown_option(&name, COHORTS_HELP)),
        }
    }
    let records =
        records.ok_or_else(|| usage_error(format!("--records is required\n\n{COHORTS_HELP}")))?;
    let (definition, index) = common.load()?;
    if index.is_none() {
        err(
            "note: no --imd file, so area codes cannot be looked up; deprivation comes only from the imd_decile column",
        );
    }
    let classifier = common.classifier(definition, index.as_ref())?;
    let mut counts = CohortCounts::new(&classifier);
    let reader: Box<dyn Read> = if records.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(
            File::open(&records)
                .map_err(|e| Failure::from(format!("cannot open {}: {e}", records.display())))?,
        )
    };
    let reader = BufReader::with_capacity(1 << 16, reader);
    let summary = if strict || threads <= 1 {
        count_records(reader, &classifier, &mut counts, strict)
    } else {
        count_records_parallel(
            reader,
            &classifier,
            &mut counts,
            threads,
            DEFAULT_BLOCK_BYTES,
        )
    }
    .map_err(|e| Failure::from(format!("{}: {e}", records.display())))?;
    let source = format!("{} ({} rows)", records.display(), summary.rows);
    if let Some(path) = &save {
        let json = counts.to_json()?;
        write_whole(path, |w| w.write_all(json.as_bytes()))?;
    }
    output(
        &classifier,
        &counts,
        &summary,
        &source,
        common.format,
        common.csv_table,
    )?;
    if summary.rejected > 0 || summary.unknown_areas > 0 {
        err(&format!(
            "warning: {} row(s) not counted because of problems, {} row(s) with unknown area codes counted as deprivation unknown (see the report)",
            summary.rejected, summary.unknown_areas
        ));
    }
    Ok(())
}

fn merge(mut parser: lexopt::Parser) -> Result<()> {
    let mut common = Common::new();
    let mut files: Vec<PathBuf> = Vec::new();
    loop {
        match parser.next()? {
            None => break,
            Some(Value(v)) => files.push(v.into()),
            Some(Long(name)) => {
                let name = format!("--{name}");
                if common.take(&name, &mut parser)? {
                    continue;
                }
                if name == "--help" {
                    return out(MERGE_HELP);
                }
                return Err(unknown_option(&name, MERGE_HELP));
            }
            Some(Short('h')) => return out(MERGE_HELP),
            Some(other) => {
                return Err(usage_error(format!(
                    "{}\n\n{MERGE_HELP}",
                    other.unexpected()
                )));
            }
        }
    }
    if files.is_empty() {
        return Err(usage_error(format!(
            "give at least one saved counts file\n\n{MERGE_HELP}"
        )));
    }
    let (definition, _) = common.load()?;
    let classifier = common.classifier(definition, None)?;
    let mut total = CohortCounts::new(&classifier);
    for f in &files {
        let text = read_text(f, MAX_COUNTS_FILE_BYTES, "MAX_COUNTS_FILE_BYTES")?;
        let part = CohortCounts::from_json(&text)
            .map_err(|e| Failure::from(format!("{}: {e}", f.display())))?;
        total
            .merge(&part)
            .map_err(|e| Failure::from(format!("{}: {e}", f.display())))?;
    }
    let summary = ReadSummary {
        rows: total.people(),
        counted: total.people(),
        ..ReadSummary::default()
    };
    let source = format!("{} saved counts files merged", files.len());
    output(
        &classifier,
        &total,
        &summary,
        &source,
        common.format,
        common.csv_table,
    )
}

fn output(
    classifier: &Classifier<'_>,
    counts: &CohortCounts,
    summary: &ReadSummary,
    source: &str,
    format: Format,
    csv_table: CsvTable,
) -> Result<()> {
    let mut out = BufWriter::new(stdout());
    let rep = report(counts, classifier);
    match format {
        Format::Table => render::table(&mut out, &rep, summary, source)?,
        Format::Csv => match csv_table {
            CsvTable::Counts => render::csv(&mut out, counts)?,
            CsvTable::Ambitions => render::ambitions_csv(&mut out, &rep.ambitions)?,
            CsvTable::HeatPlus => {
                // The date column is the day the rates were computed (the CLI's clock).
                let today = assess::now_utc();
                let date = today.get(..10).unwrap_or(&today);
                let strata =
                    heat_plus::from_ambitions(&rep.ambitions, &rep.definition, date, source);
                heat_plus::write(&strata, &mut out)?;
            }
        },
        Format::Json => {
            let doc = serde_json::json!({
                "source": source,
                "report": rep,
                "read": summary,
                "counts": counts.rows().collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn synth(mut parser: lexopt::Parser) -> Result<()> {
    let mut people: Option<u64> = None;
    let mut seed: u64 = 1;
    let mut imd: Option<PathBuf> = None;
    let mut areas_file: Option<PathBuf> = None;
    let mut params_file: Option<PathBuf> = None;
    let mut target: Option<PathBuf> = None;
    while let Some(name) = next_option(&mut parser, SYNTH_HELP)? {
        match name.as_str() {
            "--people" => people = Some(whole(&mut parser, "people", PEOPLE)?),
            "--seed" => seed = whole(&mut parser, "seed", SEEDS)?,
            "--imd" => imd = Some(parser.value()?.into()),
            "--areas" => areas_file = Some(parser.value()?.into()),
            "--params" => params_file = Some(parser.value()?.into()),
            "--out" => target = Some(parser.value()?.into()),
            "--help" | "-h" => return out(SYNTH_HELP),
            _ => return Err(unknown_option(&name, SYNTH_HELP)),
        }
    }
    let people =
        people.ok_or_else(|| usage_error(format!("--people is required\n\n{SYNTH_HELP}")))?;
    let target = target.ok_or_else(|| usage_error(format!("--out is required\n\n{SYNTH_HELP}")))?;
    let params = match &params_file {
        Some(p) => SynthParams::from_json(&read_text(p, MAX_PARAMS_BYTES, "MAX_PARAMS_BYTES")?)
            .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
        None => SynthParams::builtin(),
    };
    let index = match &imd {
        Some(p) => Some(
            DeprivationIndex::from_path(p)
                .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    let listed = match &areas_file {
        Some(p) => Some(read_area_list(p)?),
        None => None,
    };
    let areas = match (&index, &listed) {
        (Some(ix), Some(codes)) => Areas::Listed(ix, codes),
        (Some(ix), None) => Areas::Index(ix),
        (None, Some(_)) => {
            return Err(usage_error(
                "--areas needs --imd to know each area's decile",
            ));
        }
        (None, None) => Areas::Deciles,
    };
    let mut synth = Synth::new(&params, seed, areas)?;
    let mut write = |w: &mut dyn Write| -> io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 16, w);
        w.write_all(CSV_HEADER.as_bytes())?;
        for _ in 0..people {
            synth.next_person().write_csv_row(&mut w)?;
        }
        w.flush()
    };
    if target.as_os_str() == "-" {
        return write(&mut stdout()).map_err(Failure::from);
    }
    write_whole(&target, write)?;
    err(&format!(
        "wrote {people} SYNTHETIC people (not real) to {} (seed {seed}, {})",
        target.display(),
        params.label.split('.').next().unwrap_or("synthetic")
    ));
    Ok(())
}

/// Writes the file at `path` whole or not at all: `write` fills a temporary file in the same
/// directory, which is flushed to disk and renamed over `path` only when `write` succeeds. A
/// run that fails or is killed part-way leaves `path` as it was (and, if killed, a
/// `.equitas-*.part` file beside it that can be deleted), never a file cut off mid-row. A
/// symbolic link is followed, so the file it points to is replaced and the link kept; a path
/// that is not a regular file (`/dev/stdout`, a named pipe) cannot be replaced, and is written
/// directly.
fn write_whole(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let cannot = |e: &dyn Display| Failure::from(format!("cannot write {}: {e}", path.display()));
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut f = File::create(path).map_err(|e| cannot(&e))?;
        return write(&mut f).map_err(|e| cannot(&e));
    }
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".equitas-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| cannot(&e))?;
    write(tmp.as_file_mut())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| cannot(&e))?;
    tmp.persist(&target).map_err(|e| cannot(&e.error))?;
    Ok(())
}

/// The text of a file read whole (a definition, parameters, saved counts), refused unread past
/// `limit` bytes (the named limit `name`), so a huge file cannot exhaust memory.
fn read_text(path: &Path, limit: usize, name: &str) -> Result<String> {
    let cannot = |e: &dyn Display| Failure::from(format!("cannot read {}: {e}", path.display()));
    let f = File::open(path).map_err(|e| cannot(&e))?;
    let mut text = String::new();
    f.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|e| cannot(&e))?;
    if text.len() > limit {
        return Err(Failure::from(format!(
            "{}: the file is larger than {limit} bytes, the most read ({name}: no file equitas \
             writes or ships is that large)",
            path.display()
        )));
    }
    Ok(text)
}

/// The longest line of an area list read, in bytes (an area code is at most 12 characters).
const MAX_AREA_LIST_LINE: usize = 1024;

/// Area codes, one per line (blank lines and a `#` comment line allowed; a CSV's first column).
/// At most [`MAX_IMD_AREAS`] codes (an index has no more areas), each line at most
/// [`MAX_AREA_LIST_LINE`] bytes.
fn read_area_list(path: &Path) -> Result<Vec<AreaCode>> {
    let f = File::open(path)
        .map_err(|e| Failure::from(format!("cannot open {}: {e}", path.display())))?;
    let mut reader = BufReader::new(f);
    let mut codes = Vec::new();
    let mut line = Vec::new();
    for n in 1.. {
        line.clear();
        let read = reader
            .by_ref()
            .take(MAX_AREA_LIST_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Failure::from(format!("cannot read {}: {e}", path.display())))?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_AREA_LIST_LINE {
            return Err(Failure::from(format!(
                "{} line {n}: longer than {MAX_AREA_LIST_LINE} bytes; an area list has one code per line",
                path.display()
            )));
        }
        let text = String::from_utf8_lossy(&line);
        let field = text.split(',').next().unwrap_or("").trim();
        if field.is_empty() || field.starts_with('#') {
            continue;
        }
        if codes.len() == MAX_IMD_AREAS {
            return Err(Failure::from(format!(
                "{} line {n}: more than {MAX_IMD_AREAS} area codes, the most an index has \
                 (MAX_IMD_AREAS)",
                path.display()
            )));
        }
        let code = AreaCode::parse(field)
            .map_err(|e| Failure::from(format!("{} line {n}: {e}", path.display())))?;
        codes.push(code);
    }
    Ok(codes)
}
