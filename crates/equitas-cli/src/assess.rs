//! `equitas assess`: Health Equity Assessment Tool self-assessments from the command line.
//!
//! A thin edge: files in, the core's validation, report and summary out.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use equitas_core::assessment::{
    Assessment, Date, LoadError, Loaded, MigrationNote, Registry, SCHEMA_VERSION, load, progress,
    render, score, summary, validate,
};
use lexopt::prelude::*;

use crate::{Failure, Result, unknown_option, usage_error};

const HELP: &str = "\
equitas assess: health equity self-assessments (HEAT stages, or a maturity self-assessment)

Usage: equitas assess <new|validate|score|summary|migrate> [options]

  new ID            print an empty draft of instrument ID (heat, hi-maturity) to fill in
  validate FILE     check a saved assessment: what is missing or wrong, section by section
  score FILE        the scored report: every point explained, gaps and recommendations
  summary DIR       a portfolio view of every assessment (*.json) in a folder
  migrate FILE      bring a saved file up to date (the newest file layout and instrument
                    version), saying what moved and what was kept aside; nothing is dropped

Example:
  equitas assess migrate old.json --instrument heat-v2.json --out new.json

Run `equitas assess <command> --help` for options and an example. Scores use equitas's own
rubric (in the instrument file); they rate how thorough an assessment is, not the service, and
are not an official OHID score.
";

const NEW_HELP: &str = "\
equitas assess new: print an empty, valid draft assessment

Usage: equitas assess new ID [--instrument FILE] [--now TIME]

  ID                the instrument: heat (the HEAT stages) or hi-maturity (organisational
                    maturity), or the id of an instrument loaded with --instrument
  --instrument FILE load an organisation's own instrument JSON (repeatable)
  --now TIME        the created/updated timestamp to write (default: the current UTC time)

Example:
  equitas assess new heat > my-assessment.json
";

const VALIDATE_HELP: &str = "\
equitas assess validate: check a saved assessment

Usage: equitas assess validate FILE [--instrument FILE]

  --instrument FILE load an organisation's own instrument JSON (repeatable)

Prints each section's progress and every problem (question id: what to do). Exits 0 when there
is nothing to fix, 1 when there is, or when the file cannot be read (the error gives the JSON path
of the bad value). A file from an older instrument version is migrated on the way in, and what
moved is listed; nothing is dropped.

Example:
  equitas assess validate my-assessment.json
";

const SCORE_HELP: &str = "\
equitas assess score: the scored report of a saved assessment

Usage: equitas assess score FILE [--format md|html|json] [--instrument FILE]

  --format F        md (Markdown, default), html (a self-contained page ready to print) or json
  --instrument FILE load an organisation's own instrument JSON (repeatable)

Example:
  equitas assess score my-assessment.json --format html > report.html
";

const SUMMARY_HELP: &str = "\
equitas assess summary: a portfolio view of many assessments

Usage: equitas assess summary DIR [--as-of DATE] [--format md|html|json] [--instrument FILE]

  DIR               a folder of saved assessments (every *.json file in it)
  --as-of DATE      judge reviews overdue as of this date, YYYY-MM-DD (default: today, UTC)
  --format F        md (default), html or json
  --instrument FILE load an organisation's own instrument JSON (repeatable)

Shows how many assessments fall in each rating band, the most common gaps, the dimensions least
often considered and the reviews overdue. Every file must load; a bad one is named with the
JSON path of the problem.

Example:
  equitas assess summary assessments/ --as-of 2026-04-01 --format html > portfolio.html
";

const MIGRATE_HELP: &str = "\
equitas assess migrate: bring a saved assessment up to date

Usage: equitas assess migrate FILE [--instrument FILE]... [--out FILE]

  --instrument FILE load an organisation's own instrument JSON (repeatable); the file moves to
                    the newest version of its instrument that is known
  --out FILE        write the migrated assessment to this file (it may be FILE itself: the new
                    file replaces the old one whole, or not at all) instead of standard output

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
  for f in assessments/*.json; do equitas assess migrate \"$f\" --out \"$f\"; done
";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Md,
    Html,
    Json,
}

fn parse_format(v: &str) -> Result<Format> {
    match v {
        "md" | "markdown" => Ok(Format::Md),
        "html" => Ok(Format::Html),
        "json" => Ok(Format::Json),
        _ => Err(usage_error(format!(
            "--format must be md, html or json, got {v:?}"
        ))),
    }
}

/// Options every subcommand shares, and its one positional argument.
struct Args {
    target: Option<String>,
    instruments: Vec<PathBuf>,
    format: Format,
    as_of: Option<String>,
    now: Option<String>,
    out: Option<PathBuf>,
}

fn parse(mut parser: lexopt::Parser, help: &str, allowed: &[&str]) -> Result<Option<Args>> {
    let mut a = Args {
        target: None,
        instruments: Vec::new(),
        format: Format::Md,
        as_of: None,
        now: None,
        out: None,
    };
    loop {
        let name = match parser.next()? {
            None => break,
            Some(Value(v)) if a.target.is_none() => {
                a.target = Some(v.string()?);
                continue;
            }
            Some(Value(v)) => {
                return Err(usage_error(format!(
                    "unexpected argument {:?}\n\n{help}",
                    v.to_string_lossy()
                )));
            }
            Some(Long(n)) => format!("--{n}"),
            Some(Short(c)) => format!("-{c}"),
        };
        if name == "--help" || name == "-h" {
            crate::out(help)?;
            return Ok(None);
        }
        if !allowed.contains(&name.as_str()) {
            return Err(unknown_option(&name, help));
        }
        match name.as_str() {
            "--instrument" => a.instruments.push(parser.value()?.into()),
            "--format" => a.format = parse_format(&parser.value()?.string()?)?,
            "--as-of" => a.as_of = Some(parser.value()?.string()?),
            "--now" => a.now = Some(parser.value()?.string()?),
            "--out" => a.out = Some(parser.value()?.into()),
            _ => return Err(unknown_option(&name, help)),
        }
    }
    Ok(Some(a))
}

pub(crate) fn run(mut parser: lexopt::Parser) -> Result<()> {
    let sub = match next_sub(&mut parser)? {
        Some(s) => s,
        None => {
            crate::out(HELP)?;
            return Ok(());
        }
    };
    match sub.as_str() {
        "new" => new(parser),
        "validate" => validate_cmd(parser),
        "score" => score_cmd(parser),
        "summary" => summary_cmd(parser),
        "migrate" => migrate_cmd(parser),
        "--help" | "-h" | "help" => {
            crate::out(HELP)?;
            Ok(())
        }
        other => Err(usage_error(format!(
            "unknown assess command {other:?}\n\n{HELP}"
        ))),
    }
}

fn next_sub(parser: &mut lexopt::Parser) -> Result<Option<String>> {
    match parser.next()? {
        None => Ok(None),
        Some(Value(v)) => Ok(Some(v.string()?)),
        Some(Long("help") | Short('h')) => Ok(Some("--help".into())),
        Some(other) => Err(usage_error(format!("{}\n\n{HELP}", other.unexpected()))),
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

fn required<'a>(target: Option<&'a String>, what: &str, help: &str) -> Result<&'a String> {
    target.ok_or_else(|| usage_error(format!("give {what}\n\n{help}")))
}

fn new(parser: lexopt::Parser) -> Result<()> {
    let Some(a) = parse(parser, NEW_HELP, &["--instrument", "--now"])? else {
        return Ok(());
    };
    let id = required(
        a.target.as_ref(),
        "an instrument id (heat or hi-maturity)",
        NEW_HELP,
    )?;
    let reg = registry(&a.instruments)?;
    let instrument = reg.latest(id).ok_or_else(|| {
        let known: Vec<String> = reg.iter().map(|i| i.id.clone()).collect();
        usage_error(format!(
            "unknown instrument {id:?}; known: {}",
            dedup(known).join(", ")
        ))
    })?;
    let now = a.now.unwrap_or_else(now_utc);
    let draft = Assessment::new(instrument, &now);
    let mut out = io::stdout().lock();
    out.write_all(draft.to_json().as_bytes())?;
    out.flush()?;
    Ok(())
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.dedup();
    v
}

fn validate_cmd(parser: lexopt::Parser) -> Result<()> {
    let Some(a) = parse(parser, VALIDATE_HELP, &["--instrument"])? else {
        return Ok(());
    };
    let file = PathBuf::from(required(
        a.target.as_ref(),
        "a saved assessment FILE",
        VALIDATE_HELP,
    )?);
    let reg = registry(&a.instruments)?;
    let loaded = load_file(&file, &reg)?;
    let assessment = &loaded.assessment;
    let instrument = reg
        .for_assessment(assessment)
        .ok_or_else(|| Failure::from("the loaded instrument went missing"))?;
    let mut out = io::stdout().lock();
    for n in &loaded.notes {
        writeln!(out, "migrated: {n}")?;
    }
    let errors = validate(instrument, &assessment.answers);
    writeln!(
        out,
        "{}: {} v{}",
        file.display(),
        instrument.id,
        instrument.version
    )?;
    for p in progress(instrument, &assessment.answers) {
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

fn score_cmd(parser: lexopt::Parser) -> Result<()> {
    let Some(a) = parse(parser, SCORE_HELP, &["--instrument", "--format"])? else {
        return Ok(());
    };
    let file = PathBuf::from(required(
        a.target.as_ref(),
        "a saved assessment FILE",
        SCORE_HELP,
    )?);
    let reg = registry(&a.instruments)?;
    let loaded = load_file(&file, &reg)?;
    for n in &loaded.notes {
        crate::err(&format!("note: {}: {n}", file.display()));
    }
    let instrument = reg
        .for_assessment(&loaded.assessment)
        .ok_or_else(|| Failure::from("the loaded instrument went missing"))?;
    let report = score(instrument, &loaded.assessment.answers);
    let text = match a.format {
        Format::Md => render::report_markdown(&report),
        Format::Html => render::report_html(&report),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn summary_cmd(parser: lexopt::Parser) -> Result<()> {
    let Some(a) = parse(
        parser,
        SUMMARY_HELP,
        &["--instrument", "--format", "--as-of"],
    )?
    else {
        return Ok(());
    };
    let dir = PathBuf::from(required(
        a.target.as_ref(),
        "a folder DIR of saved assessments",
        SUMMARY_HELP,
    )?);
    let as_of = match &a.as_of {
        Some(d) => Date::parse(d).map_err(|e| usage_error(format!("--as-of: {e}")))?,
        None => Date::parse(now_utc().get(..10).unwrap_or_default()).map_err(Failure::from)?,
    };
    let reg = registry(&a.instruments)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
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
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn migrate_cmd(parser: lexopt::Parser) -> Result<()> {
    let Some(a) = parse(parser, MIGRATE_HELP, &["--instrument", "--out"])? else {
        return Ok(());
    };
    let file = PathBuf::from(required(
        a.target.as_ref(),
        "a saved assessment FILE",
        MIGRATE_HELP,
    )?);
    let reg = registry(&a.instruments)?;
    let loaded = load_file(&file, &reg)?;
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
            let mut out = io::stdout().lock();
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
