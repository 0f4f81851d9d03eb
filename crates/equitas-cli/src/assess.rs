//! `equitas assess`: Health Equity Assessment Tool self-assessments from the command line.
//!
//! A thin edge: files in, the core's validation, report and summary out.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use equitas_core::assessment::{
    Assessment, Date, LoadError, Loaded, MigrationNote, Registry, ReportModel, SCHEMA_VERSION,
    load, progress_with, render, score, summary, validate_as_of,
};

use crate::{Failure, Result, usage_error};

/// The heading of `equitas assess --help`.
pub(crate) const ABOUT: &str = "equitas assess: health equity self-assessments (HEAT stages, or a \
                                maturity self-assessment)";

/// `equitas assess`.
#[derive(clap::Args, Debug)]
#[command(
    arg_required_else_help = true,
    after_help = "\
Example:
  equitas assess migrate old.json --instrument heat-v2.json --out new.json

Run `equitas assess <command> --help` for options and an example. Scores use equitas's own
rubric (in the instrument file); they rate how thorough an assessment is, not the service, and
are not an official OHID score."
)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Subcommand, Debug)]
#[command(args_override_self = true)]
enum Sub {
    /// print an empty draft of instrument ID (heat, hi-maturity) to fill in
    #[command(
        long_about = "equitas assess new: print an empty, valid draft assessment",
        after_help = "Example:\n  equitas assess new heat > my-assessment.json"
    )]
    New(New),
    /// check a saved assessment: what is missing or wrong, section by section
    #[command(
        long_about = "equitas assess validate: check a saved assessment",
        after_help = "\
Prints each section's progress and every problem (question id: what to do). Exits 0 when there
is nothing to fix, 1 when there is, or when the file cannot be read (the error gives the JSON path
of the bad value). A file from an older instrument version is migrated on the way in, and what
moved is listed; nothing is dropped.

Example:
  equitas assess validate my-assessment.json"
    )]
    Validate(Validate),
    /// the scored report: every point explained, gaps and recommendations
    #[command(
        long_about = "equitas assess score: the scored report of a saved assessment",
        after_help = "--format docx writes a Word document (the answers section by section, then \
the report; each chart's numbers in its table, as the CLI draws no pictures: the browser's \
Word download has them). It is binary, so it is refused when standard output is a terminal.

Example:
  equitas assess score my-assessment.json --format html > report.html
  equitas assess score my-assessment.json --format docx > assessment.docx"
    )]
    Score(Score),
    /// a portfolio view of every assessment (*.json) in a folder
    #[command(
        long_about = "equitas assess summary: a portfolio view of many assessments",
        after_help = "\
Shows how many assessments fall in each rating band, the most common gaps, the dimensions least
often considered and the reviews overdue. Every file must load; a bad one is named with the
JSON path of the problem.

Example:
  equitas assess summary assessments/ --as-of 2026-04-01 --format html > portfolio.html"
    )]
    Summary(Summary),
    /// bring a saved file up to date, saying what moved and what was kept aside
    #[command(
        long_about = "equitas assess migrate: bring a saved assessment up to date",
        after_help = MIGRATE_AFTER_HELP
    )]
    Migrate(Migrate),
}

const MIGRATE_AFTER_HELP: &str = "\
Writes the assessment in the newest file layout and at the newest version of its instrument:
the same JSON as the browser's \"Download your answers\". On standard error it says what
happened on the way: each answer that moved to a renamed question, and each one kept aside in
the file's \"retained\" list with the reason (its question was removed, it no longer fits the
question, or two old questions became one: then one answer goes in, the one under the
question's own id, else the first of its previous ids in the instrument's order that fits, and
the other is kept aside, naming the question and the answer that went in). Nothing is dropped.
A file that cannot be read is an error (exit 1) and nothing is written.

Example:
  equitas assess migrate old.json --instrument heat-v2.json --out new.json
  for f in assessments/*.json; do equitas assess migrate \"$f\" --out \"$f\"; done";

/// `--instrument`, which every assess command takes.
#[derive(clap::Args, Debug)]
struct Instruments {
    /// load an organisation's own instrument JSON (repeatable)
    #[arg(long = "instrument", value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// `equitas assess new`.
#[derive(clap::Args, Debug)]
struct New {
    /// the instrument: heat (the HEAT stages) or hi-maturity (organisational
    /// maturity), or the id of an instrument loaded with --instrument
    #[arg(value_name = "ID", verbatim_doc_comment)]
    id: String,
    #[command(flatten)]
    instruments: Instruments,
    /// the created/updated timestamp to write (default: the current UTC time)
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
}

/// `equitas assess validate`.
#[derive(clap::Args, Debug)]
struct Validate {
    /// a saved assessment
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// refuse an assessment date after this date, YYYY-MM-DD (default: today, UTC)
    #[arg(long, value_name = "DATE", value_parser = date)]
    as_of: Option<Date>,
    #[command(flatten)]
    instruments: Instruments,
}

/// `equitas assess score`.
#[derive(clap::Args, Debug)]
struct Score {
    /// a saved assessment
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// md (Markdown), html (a self-contained page ready to print), json, or docx (the
    /// answers and the report as a Word document)
    #[arg(long, value_name = "F", value_enum, default_value_t = ScoreFormat::Md)]
    format: ScoreFormat,
    #[command(flatten)]
    instruments: Instruments,
}

/// `--format` of score: [`Format`]'s, and a Word document.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
enum ScoreFormat {
    #[value(alias = "markdown")]
    Md,
    Html,
    Json,
    Docx,
}

/// `equitas assess summary`.
#[derive(clap::Args, Debug)]
struct Summary {
    /// a folder of saved assessments (every *.json file in it)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// judge reviews overdue as of this date, YYYY-MM-DD (default: today, UTC)
    #[arg(long, value_name = "DATE", value_parser = date)]
    as_of: Option<Date>,
    /// md (Markdown), html or json
    #[arg(long, value_name = "F", value_enum, default_value_t = Format::Md)]
    format: Format,
    #[command(flatten)]
    instruments: Instruments,
}

/// `equitas assess migrate`.
#[derive(clap::Args, Debug)]
struct Migrate {
    /// a saved assessment
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    instruments: Instruments,
    /// write the migrated assessment to this file (it may be FILE itself: the new
    /// file replaces the old one whole, or not at all) instead of standard output
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    out: Option<PathBuf>,
}

/// `--format` of score and summary.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
enum Format {
    #[value(alias = "markdown")]
    Md,
    Html,
    Json,
}

/// `--as-of`: a date core's [`Date::parse`] reads.
fn date(text: &str) -> std::result::Result<Date, String> {
    Date::parse(text).map_err(|e| e.to_string())
}

pub(crate) fn run(a: Args) -> Result<()> {
    match a.command {
        Sub::New(a) => new(a),
        Sub::Validate(a) => validate_cmd(&a),
        Sub::Score(a) => score_cmd(&a),
        Sub::Summary(a) => summary_cmd(&a),
        Sub::Migrate(a) => migrate_cmd(&a),
    }
}

fn registry(extra: &[PathBuf]) -> Result<Registry> {
    let mut r = Registry::builtin()?;
    for p in extra {
        let text = read(p)?;
        r.add_json(&text)
            .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?;
    }
    Ok(r)
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p)
        .map_err(|e| Failure::from(format!("cannot read {}: {e}", p.display())))
}

fn load_file(p: &Path, registry: &Registry) -> Result<Loaded> {
    load(&read(p)?, registry).map_err(|e| {
        // Core's message is for every caller; here, adding an instrument is a flag.
        let hint = if matches!(e, LoadError::UnknownInstrument { .. }) {
            " (with --instrument FILE)"
        } else {
            ""
        };
        Failure::from(format!("{}: {e}{hint}", p.display()))
    })
}

fn new(a: New) -> Result<()> {
    let id = &a.id;
    let reg = registry(&a.instruments.files)?;
    let instrument = reg.latest(id).ok_or_else(|| {
        let known: Vec<String> = reg.iter().map(|i| i.id.clone()).collect();
        usage_error(format!(
            "unknown instrument {id:?}; known: {}",
            dedup(known).join(", ")
        ))
    })?;
    let now = a.now.unwrap_or_else(now_utc);
    let draft = Assessment::new(instrument, &now);
    let mut out = crate::stdout();
    out.write_all(draft.to_json().as_bytes())?;
    out.flush()?;
    Ok(())
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.dedup();
    v
}

fn validate_cmd(a: &Validate) -> Result<()> {
    let file = &a.file;
    let reg = registry(&a.instruments.files)?;
    let loaded = load_file(file, &reg)?;
    let assessment = &loaded.assessment;
    let instrument = reg
        .for_assessment(assessment)
        .ok_or_else(|| Failure::from("the loaded instrument went missing"))?;
    let mut out = crate::stdout();
    for n in &loaded.notes {
        writeln!(out, "migrated: {n}")?;
    }
    let as_of = match &a.as_of {
        Some(d) => *d,
        None => Date::parse(now_utc().get(..10).unwrap_or_default()).map_err(Failure::from)?,
    };
    let errors = validate_as_of(instrument, &assessment.answers, Some(as_of));
    writeln!(
        out,
        "{}: {} v{}",
        file.display(),
        instrument.id,
        instrument.version
    )?;
    for p in progress_with(instrument, &assessment.answers, &errors) {
        writeln!(
            out,
            "  {:<20} {:<12} {} of {} answered",
            p.title,
            p.status.label(),
            p.answered,
            p.visible
        )?;
    }
    for (id, list) in &assessment.retained {
        for r in list {
            writeln!(
                out,
                "kept aside: the answer to {id} (given under v{}): {}",
                r.from_version, r.reason
            )?;
        }
    }
    for e in &errors {
        writeln!(out, "{}: {}", e.question, e.message)?;
    }
    out.flush()?;
    if errors.is_empty() {
        writeln!(out, "no problems found")?;
        Ok(())
    } else {
        Err(Failure::from(format!(
            "{} problem(s) to fix in {}",
            errors.len(),
            file.display()
        )))
    }
}

fn score_cmd(a: &Score) -> Result<()> {
    let file = &a.file;
    let reg = registry(&a.instruments.files)?;
    let loaded = load_file(file, &reg)?;
    for n in &loaded.notes {
        crate::err(&format!("note: {}: {n}", file.display()));
    }
    let instrument = reg
        .for_assessment(&loaded.assessment)
        .ok_or_else(|| Failure::from("the loaded instrument went missing"))?;
    let answers = &loaded.assessment.answers;
    let bytes = match a.format {
        ScoreFormat::Md => render::report_markdown(&ReportModel::score(instrument, answers)).into(),
        ScoreFormat::Html => render::report_html(&ReportModel::score(instrument, answers)).into(),
        ScoreFormat::Json => {
            let mut s = serde_json::to_string_pretty(&score(instrument, answers))?;
            s.push('\n');
            s.into_bytes()
        }
        ScoreFormat::Docx => {
            if std::io::stdout().is_terminal() {
                return Err(usage_error(
                    "--format docx writes a binary Word document: redirect standard output to \
                     a file (equitas assess score FILE --format docx > assessment.docx)",
                ));
            }
            let model = ReportModel::score(instrument, answers);
            equitas_docx::assessment(&model, instrument, answers, &[])
                .map_err(|e| Failure::from(e.to_string()))?
        }
    };
    let mut out = crate::stdout();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

fn summary_cmd(a: &Summary) -> Result<()> {
    let dir = &a.dir;
    let as_of = match &a.as_of {
        Some(d) => *d,
        None => Date::parse(now_utc().get(..10).unwrap_or_default()).map_err(Failure::from)?,
    };
    let reg = registry(&a.instruments.files)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::from(format!("cannot read folder {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    let mut loaded = Vec::with_capacity(files.len());
    for f in &files {
        let l = load_file(f, &reg)?;
        let name = f
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        loaded.push((name, l.assessment));
    }
    let mut items = Vec::with_capacity(loaded.len());
    for (name, a) in &loaded {
        let i = reg
            .for_assessment(a)
            .ok_or_else(|| Failure::from(format!("{name}: its instrument went missing")))?;
        items.push((name.as_str(), i, a));
    }
    let s = summary(items, as_of);
    let text = match a.format {
        Format::Md => render::summary_markdown(&s),
        Format::Html => render::summary_html(&s),
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&s)?;
            t.push('\n');
            t
        }
    };
    let mut out = crate::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn migrate_cmd(a: &Migrate) -> Result<()> {
    let file = &a.file;
    let reg = registry(&a.instruments.files)?;
    let loaded = load_file(file, &reg)?;
    let assessment = &loaded.assessment;
    // What happened, on stderr: the file is the result, on stdout or in --out.
    let mut err = io::stderr().lock();
    let (mut moved, mut kept) = (0, 0);
    for n in &loaded.notes {
        match n {
            MigrationNote::Renamed { .. } => moved += 1,
            MigrationNote::Retained { .. } => kept += 1,
            _ => {}
        }
        writeln!(err, "{}: {n}", file.display())?;
    }
    writeln!(
        err,
        "{}: {} v{}, file layout {SCHEMA_VERSION}: {} answer(s), {moved} moved to a renamed \
         question, {kept} newly kept aside in retained{}",
        file.display(),
        assessment.instrument.id,
        assessment.instrument.version,
        assessment.answers.len(),
        if loaded.notes.is_empty() {
            " (it was up to date)"
        } else {
            ""
        },
    )?;
    let text = assessment.to_json();
    match &a.out {
        Some(out) => write_whole(out, text.as_bytes())?,
        None => {
            let mut out = crate::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` whole or not at all: into a new file beside it, then renamed over
/// it, so a reader never sees half a file and an old file survives a failed write.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let cannot =
        |e: &dyn std::fmt::Display| Failure::from(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| cannot(&e))?;
    tmp.write_all(bytes).map_err(|e| cannot(&e))?;
    tmp.as_file().sync_all().map_err(|e| cannot(&e))?;
    tmp.persist(path).map_err(|e| cannot(&e.error))?;
    Ok(())
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ` (the CLI has a clock; the core does not).
pub(crate) fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
