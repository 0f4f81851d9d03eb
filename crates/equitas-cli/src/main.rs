//! `equitas`: Core20PLUS5 cohorts from patient-level extracts, on your own machine.
//!
//! A thin edge over `equitas-core`: it parses arguments (clap's derive API), opens files, and
//! renders what the core computes as a table, CSV or JSON.
//!
//! Nothing here prints with `print!`/`eprintln!`, which panic when the output cannot be written
//! (`> /dev/full`, a closed pipe): standard output goes through [`stdout`] or [`out`], whose
//! errors are returned, and standard error through [`err`], which cannot fail. The lints below
//! keep it so in every command's file. Clap's help and errors come back as values
//! (`try_parse`) and are written the same way, never with clap's own `Error::exit`, which
//! ignores a failed write and exits 0.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod assess;
mod cohorts;
mod fingertips;
mod legap;
mod measures;
mod output;
mod periods;
mod render;

use std::any::Any;
use std::fmt::Display;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

/// `equitas`: the commands.
#[derive(Parser, Debug)]
#[command(
    name = "equitas",
    version,
    about = "equitas: Core20PLUS5 cohorts and health-inequality measures for the NHS in England",
    arg_required_else_help = true,
    args_override_self = true,
    after_help = "\
Run `equitas <command> --help` for a command's options and an example.
Data never leaves your machine: equitas reads and writes local files only.

Exit status: 0 done (also when the reader of the output stops early, as `| head` does: equitas
then stops quietly), 1 an error (the message says what and where), 2 a usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
#[command(args_override_self = true)]
enum Command {
    /// synthesise 100,000 people and print the cohort report (no files needed)
    #[command(
        long_about = "equitas demo: synthesise a population and print its Core20PLUS5 cohort report"
    )]
    Demo(cohorts::Demo),
    /// count a person-record CSV into Core20PLUS5 cohorts, with the ambition table
    #[command(long_about = "equitas cohorts: count person records into Core20PLUS5 cohorts")]
    Cohorts(cohorts::Cohorts),
    /// write a synthetic person-record CSV (not real people) for demos and benchmarks
    #[command(
        long_about = "equitas synth: write a synthetic person-record CSV (SYNTHETIC: not real people)"
    )]
    Synth(cohorts::SynthArgs),
    /// add up saved counts (from cohorts --save-counts, e.g. one per practice or machine)
    #[command(
        long_about = "equitas merge: add up saved counts made separately (per practice, per chunk, per machine)"
    )]
    Merge(cohorts::Merge),
    /// the 21 WHO HEAT summary measures for a table in the HEAT Plus layout
    #[command(long_about = measures::ABOUT)]
    Measures(measures::Args),
    /// slope and relative index of inequality as Fingertips computes them (phe_sii)
    #[command(long_about = fingertips::SII_ABOUT)]
    Sii(fingertips::Sii),
    /// life expectancy by start age (Chiang II) with confidence intervals
    #[command(long_about = fingertips::LIFETABLE_ABOUT)]
    Lifetable(fingertips::Lifetable),
    /// proportions with Wilson confidence intervals
    #[command(long_about = fingertips::PROPORTION_ABOUT)]
    Proportion(fingertips::Proportion),
    /// crude rates with Byar's (or exact Poisson) confidence intervals
    #[command(long_about = fingertips::RATE_ABOUT)]
    Rate(fingertips::Rate),
    /// directly standardised rates (ESP2013, Dobson intervals)
    #[command(long_about = fingertips::DSR_ABOUT)]
    Dsr(fingertips::Dsr),
    /// the life-expectancy gap between most and least deprived, over time, with its causes
    #[command(name = "le-gap", long_about = legap::ABOUT)]
    LeGap(legap::Args),
    /// Health Equity Assessment Tool self-assessments: new, validate, score, summary, migrate
    #[command(long_about = assess::ABOUT)]
    Assess(assess::Args),
}

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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(&e),
    };
    match cli.command {
        Command::Demo(a) => cohorts::demo(&a),
        Command::Cohorts(a) => cohorts::cohorts(&a),
        Command::Synth(a) => cohorts::synth(&a),
        Command::Merge(a) => cohorts::merge(&a),
        Command::Measures(a) => measures::run(&a),
        Command::Sii(a) => fingertips::sii(&a),
        Command::Lifetable(a) => fingertips::lifetable(&a),
        Command::Proportion(a) => fingertips::proportion(&a),
        Command::Rate(a) => fingertips::rate(&a),
        Command::Dsr(a) => fingertips::dsr(&a),
        Command::LeGap(a) => legap::run(&a),
        Command::Assess(a) => assess::run(a),
    }
}

/// What clap's parse ended with, when it did not give the arguments: help or the version,
/// written to standard output through [`out`] (a failed write is an error, exit 1; a closed
/// pipe ends quietly), or a usage error, exit 2, with clap's message (it names the flag, the
/// value and what is allowed).
fn parse_failure(e: &clap::Error) -> Result<()> {
    let text = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => out(&text),
        _ => Err(usage_error(
            text.strip_prefix("error: ").unwrap_or(&text).trim_end(),
        )),
    }
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Clap's own check of the definitions (conflicting names, defaults its parsers refuse).
    #[test]
    fn the_arguments_are_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every command's help ends with an example, as README promises (issue 13: the generated
    /// help keeps them).
    #[test]
    fn every_command_has_an_example() {
        fn check(command: &mut clap::Command, path: &str) {
            let path = format!("{path} {}", command.get_name());
            let help = command.render_long_help().to_string();
            let leaf = command.get_subcommands().next().is_none();
            if leaf {
                assert!(help.contains("Example"), "{path}:\n{help}");
                assert!(help.contains("\n  equitas "), "{path}:\n{help}");
            }
            for sub in command.get_subcommands_mut() {
                if sub.get_name() != "help" {
                    check(sub, &path);
                }
            }
        }
        check(&mut Cli::command(), "");
    }
}
