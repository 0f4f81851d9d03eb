//! `equitas demo|cohorts|synth|merge`: Core20PLUS5 cohorts from person records, synthetic
//! populations and saved counts.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use equitas_core::cohort::period::{MAX_PERIODS, PeriodCounts, PeriodScheme};
use equitas_core::cohort::records::{
    DEFAULT_BLOCK_BYTES, MAX_PERSON_ID_BYTES, MAX_RECORD_BYTES, ReadSummary, count_records,
    count_records_by_period, count_records_by_period_parallel, count_records_parallel,
};
use equitas_core::cohort::{
    Breakdown, Classifier, CohortCounts, CohortDefinition, DefinitionError, MAX_BREAKDOWNS,
    MAX_COUNTS_FILE_BYTES, MAX_DEFINITION_BYTES, report,
};
use equitas_core::cohort::{Dimension, ProtectedReport};
use equitas_core::deprivation::{AreaCode, DeprivationIndex, ImdEdition, MAX_IMD_AREAS};
use equitas_core::disclosure::Rule;
use equitas_core::geography::{Bridge, MAX_PLACES_BYTES, PlaceLookup, Places};
use equitas_core::io::heat_plus;
use equitas_core::synth::{Areas, CSV_HEADER, MAX_PARAMS_BYTES, MAX_PEOPLE, Synth, SynthParams};

use crate::args::{CsvTable, Format, edition, whole};
use crate::{Failure, Result, err, read_text, render, stdout, write_whole};

/// The most threads `equitas cohorts --threads` counts on: 64. Each thread holds its own counts
/// and a few 4 MiB blocks of the file (about 14 MB), and reading, not counting, limits the speed
/// well before 64; the limit stops a typing slip (`--threads 100000`) from asking the system for
/// more threads than it can start. Raise it here and rebuild for a machine that needs more.
pub const MAX_THREADS: usize = 64;

/// The largest `--seed`: any 64-bit number is a seed.
const MAX_SEED: u64 = u64::MAX;

/// The options of `demo`, `cohorts` and `merge` that say how to count and what to write.
#[derive(Args, Debug)]
pub(crate) struct Cohort {
    /// england-2019 (default) or england-2025: the edition that defines Core20; must match --imd
    #[arg(long, value_name = "E", value_parser = edition(), hide_possible_values = true)]
    edition: Option<ImdEdition>,
    /// cohort definition JSON (default: the built-in national definition;
    /// seeds/definitions/coventry-warwickshire.json is an example of a local one)
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    definition: Option<PathBuf>,
    /// table (for people), csv or json (report with ambitions, counts, problems)
    #[arg(long, value_name = "F", value_enum, default_value_t = Format::Table)]
    format: Format,
    /// with --format csv: counts (long format), ambitions (one row per metric: target, Core20,
    /// rest, overall and quintile rates with Wilson 95% limits) or heat-plus (each metric's
    /// rates by IMD quintile, and by every --by breakdown, in the WHO HEAT Plus layout, ready
    /// for `equitas measures`; with --period-by, its date column is the period), or with
    /// --period-by changes (each ambition's change, trend, gap change and status); with
    /// --period-by every other table gains a period column
    #[arg(long, value_name = "T", value_enum, default_value_t = CsvTable::Counts, verbatim_doc_comment)]
    csv_table: CsvTable,
    #[arg(long, value_name = "B", value_delimiter = ',', value_parser = breakdown,
          help = by_help())]
    by: Vec<Breakdown>,
    /// small-number disclosure control of the CSV and JSON outputs (the table for people on
    /// screen is not changed): nhs-digital (NHS Digital's HES rule: counts 1 to 7 suppressed,
    /// others rounded to the nearest 5), below:N (counts from 1 to N-1 suppressed, others
    /// exact) or none. Secondary suppression keeps every suppressed count from being worked
    /// out from the published totals. The output states the rule
    #[arg(long, value_name = "RULE", default_value = "nhs-digital",
          value_parser = disclosure_rule, verbatim_doc_comment)]
    suppress: Rule,
    /// put every person in a Place by their area: a CSV with a header, area codes (LSOAs) in
    /// its first column, e.g. ../shared/data/geography/lsoa11_subicb22_icb22_lad22.csv, or your
    /// own two-column file (LSOA, then PCN, practice, neighbourhood or ward). Adds a `place`
    /// breakdown; PLUS groups scoped to Places apply only to people of those Places
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    place_lookup: Option<PathBuf>,
    /// the column of --place-lookup holding the Place (needed when it has more than two
    /// columns: ltla22_code for local authorities, sicbl22_code, icb22_code, …)
    #[arg(
        long,
        value_name = "NAME",
        requires = "place_lookup",
        verbatim_doc_comment
    )]
    place_column: Option<String>,
    /// group the lookup's values into Places (JSON): seeds/places/coventry-warwickshire.json
    /// makes Coventry, Rugby, Warwickshire North and South Warwickshire of local authorities
    /// (with --place-column ltla22_code)
    #[arg(
        long,
        value_name = "FILE",
        requires = "place_lookup",
        verbatim_doc_comment
    )]
    places: Option<PathBuf>,
    /// records on the other LSOA vintage than --imd (2021 LSOAs with IMD 2019, 2011 with IMD
    /// 2025): bridge them with the ONS best-fit lookup and its change codes, e.g.
    /// ../shared/data/geography/lsoa11_lsoa21_lad22.csv. Unchanged areas and those with one
    /// parent keep its decile; areas whose several parents differ, and irregular ones, are
    /// counted with deprivation unknown. The report says how many people each rule touched
    #[arg(long, value_name = "FILE", requires = "imd", verbatim_doc_comment)]
    lsoa_bridge: Option<PathBuf>,
}

/// What the cohort options load: the definition, and the files given.
pub(crate) struct Inputs {
    definition: CohortDefinition,
    index: Option<DeprivationIndex>,
    lookup: Option<PlaceLookup>,
    places: Option<Places>,
    bridge: Option<Bridge>,
}

fn by_help() -> String {
    format!(
        "also break every count and ambition metric down by these (comma-separated, at most
{MAX_BREAKDOWNS}): a dimension, or two crossed with ':'. Dimensions: imd-decile,
imd-quintile, core20, domain=NAME (an IMD domain of the --imd file, e.g.
domain=Income), ethnicity (NHS broad groups), ethnic-category (the codes),
age-band, sex, plus=ID (a PLUS group). E.g. --by ethnicity:imd-quintile,sex"
    )
}

/// The parser of `--suppress`.
fn disclosure_rule(text: &str) -> std::result::Result<Rule, String> {
    Rule::parse(text)
}

/// The parser of one `--by` item.
fn breakdown(text: &str) -> std::result::Result<Breakdown, String> {
    Breakdown::parse(text).map_err(|e| e.to_string())
}

/// `equitas demo`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  equitas demo --imd ../shared/data/imd/imd2019_england_lsoa11.csv"
)]
pub(crate) struct Demo {
    #[arg(long, value_name = "N", default_value_t = 100_000, allow_negative_numbers = true,
          value_parser = whole(1..=MAX_PEOPLE),
          help = format!("people to synthesise, 1 to {MAX_PEOPLE}"))]
    people: u64,
    #[arg(long, value_name = "S", default_value_t = 2026, allow_negative_numbers = true,
          value_parser = whole(0..=MAX_SEED),
          help = format!("random seed, 0 to {MAX_SEED}; the same seed gives the same people"))]
    seed: u64,
    /// draw real areas from this IMD file; without it people get IMD deciles directly
    #[arg(long, value_name = "FILE")]
    imd: Option<PathBuf>,
    #[command(flatten)]
    cohort: Cohort,
}

/// `equitas cohorts`.
#[derive(Args, Debug)]
#[command(after_help = cohorts_after_help())]
pub(crate) struct Cohorts {
    #[arg(long, value_name = "FILE", required = true, help = records_help())]
    records: Option<PathBuf>,
    /// IMD lookup to find each lsoa's decile (the shared files or the official File 7 CSV).
    /// Without it, only the imd_decile column gives deprivation.
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    imd: Option<PathBuf>,
    /// stop at the first bad row or unknown area code (reads on one thread)
    #[arg(long)]
    strict: bool,
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = whole(1..=MAX_THREADS),
          help = format!("threads to count on, 1 to {MAX_THREADS} (default: every core, at most \
                          {MAX_THREADS}); the counts are the same for any N"))]
    threads: Option<usize>,
    /// also save the counts to F, to add up later with `equitas merge` (written whole or not
    /// at all: to a temporary file beside F, renamed at the end)
    #[arg(long, value_name = "F", verbatim_doc_comment)]
    save_counts: Option<PathBuf>,
    #[arg(long, value_name = "P", value_parser = PeriodScheme::parse, help = period_by_help())]
    period_by: Option<PeriodScheme>,
    #[command(flatten)]
    cohort: Cohort,
}

fn period_by_help() -> String {
    format!(
        "count by period: fy (the NHS financial year, April to March, of a date column
YYYY-MM-DD: 2023-04-01 to 2024-03-31 is 2023/24), year (the calendar year of the
date column) or column (the period column's label as given). Cohorts, ambitions
and breakdowns come out per period; with two or more, each ambition's change,
recent trend, gap change (rest vs Core20) and status against its target and date.
A person may appear once in each period; at most {MAX_PERIODS} periods (a fixed limit)"
    )
}

fn records_help() -> String {
    format!(
        "person-record CSV, or - for standard input. Columns:
person_id,age,sex,ethnicity,lsoa,conditions,groups (required) and
smoking,events,imd_decile (optional), date (YYYY-MM-DD) or period
(read with --period-by); others are ignored.
person_id must be filled in and used once only (at most {MAX_PERSON_ID_BYTES} bytes);
conditions, groups and events are ;-separated catalogue ids (conditions may
also be ICD-10 codes); age is whole years 0-120 or empty; sex is
male/female/indeterminate/unknown (or NHS codes 1/2/9/0); ethnicity is an NHS
ethnic category code (A-Z, 99) or empty."
    )
}

fn cohorts_after_help() -> String {
    format!(
        "\
Bad rows (a wrong number of fields, an empty or repeated person_id, unknown ids, impossible
ages) are not counted and are listed with their row, column and value; a repeated person_id
names the row where it was first used. Rows are numbered as an editor shows the file's lines:
the header is row 1, and a line ends with \\n, \\r\\n or a lone \\r. Area codes not in the IMD
file are counted with deprivation unknown and listed too. Without --imd, only the imd_decile
column gives deprivation. The report, its counts and its list of problems are the same
whatever the thread count.

A record longer than 1 MiB ({MAX_RECORD_BYTES} bytes; almost always a field opened with a quote and
never closed) stops the run with an error naming the row it starts on: nothing after it could
be read reliably. The limit is fixed.

Memory does not grow with the file, except for the person_ids kept to find repeats: each takes
its length plus 16 to 29 bytes (about 40 MB for a million people; less when the file is sorted
by person_id, which also makes the check faster).

Breakdowns (--by) give every count and ambition metric by one dimension or two crossed, each
cell with its Wilson 95% interval, in the table, the JSON, --csv-table breakdowns and
--csv-table heat-plus. CSV and JSON outputs are disclosure-controlled (--suppress).

Example:
  equitas cohorts --records people.csv --imd ../shared/data/imd/imd2019_england_lsoa11.csv

Example with breakdowns, Places, a local definition and disclosure control:
  equitas cohorts --records people.csv --imd ../shared/data/imd/imd2019_england_lsoa11.csv \\
      --by ethnicity:imd-quintile,place,lookup \\
      --place-lookup ../shared/data/geography/lsoa11_subicb22_icb22_lad22.csv \\
      --place-column ltla22_code --places seeds/places/coventry-warwickshire.json \\
      --definition seeds/definitions/coventry-warwickshire-local.json \\
      --suppress nhs-digital --format json"
    )
}

/// `equitas merge`.
#[derive(Args, Debug)]
#[command(after_help = format!("\
Merging is exact: counting parts separately and merging gives the same answer as counting the
whole at once.

Example:
  equitas cohorts --records north.csv --imd imd.csv --save-counts north.json
  equitas cohorts --records south.csv --imd imd.csv --save-counts south.json
  equitas merge north.json south.json"))]
pub(crate) struct Merge {
    #[arg(value_name = "FILE", required = true, help = format!("\
counts saved by `equitas cohorts --save-counts`; all must have been made
with the same cohort definition (and version) as --definition. A file
larger than any equitas writes ({} MiB), or whose labels describe a larger
table, is refused before it is read; so is a sum too large for a count.",
        MAX_COUNTS_FILE_BYTES >> 20))]
    files: Vec<PathBuf>,
    /// Accepted (and the file checked) as by demo and cohorts; merging needs no areas, but a
    /// domain=NAME breakdown needs the file's domains.
    #[arg(long, value_name = "FILE", hide = true)]
    imd: Option<PathBuf>,
    #[command(flatten)]
    cohort: Cohort,
}

/// `equitas synth`.
#[derive(Args, Debug)]
#[command(after_help = "\
Example:
  equitas synth --people 1000000 --seed 7 --imd ../shared/data/imd/imd2019_england_lsoa11.csv \\
      --out people.csv")]
pub(crate) struct SynthArgs {
    #[arg(long, value_name = "N", required = true, allow_negative_numbers = true,
          value_parser = whole(1..=MAX_PEOPLE),
          help = format!("how many people, 1 to {MAX_PEOPLE}"))]
    people: Option<u64>,
    /// where to write the CSV, or - for standard output. The file appears whole or not at
    /// all: it is written to a temporary file beside it and renamed when the last row is
    /// written
    #[arg(long, value_name = "FILE", required = true, verbatim_doc_comment)]
    out: Option<PathBuf>,
    #[arg(long, value_name = "S", default_value_t = 1, allow_negative_numbers = true,
          value_parser = whole(0..=MAX_SEED),
          help = format!("random seed, 0 to {MAX_SEED}; the same seed gives the same file"))]
    seed: u64,
    /// draw areas from this IMD file (otherwise people get IMD deciles directly)
    #[arg(long, value_name = "FILE")]
    imd: Option<PathBuf>,
    /// draw only from these area codes (one per line, e.g. one local authority's)
    #[arg(long, value_name = "FILE", requires = "imd")]
    areas: Option<PathBuf>,
    /// synthetic population parameters JSON (default seeds/synth/default.json)
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,
}

impl Cohort {
    /// The definition (with --edition), the IMD file, the place lookup and the Places, when
    /// given.
    fn load(&self, imd: Option<&Path>) -> Result<Inputs> {
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
        let index = match imd {
            Some(p) => {
                let ix = DeprivationIndex::from_path(p)
                    .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?;
                ix.require_core20()?;
                Some(ix)
            }
            None => None,
        };
        let lookup = match &self.place_lookup {
            Some(p) => Some(
                PlaceLookup::from_path(p, None, self.place_column.as_deref())
                    .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        let places = match &self.places {
            Some(p) => Some(
                Places::from_json(&read_text(p, MAX_PLACES_BYTES, "MAX_PLACES_BYTES")?)
                    .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        let bridge = match &self.lsoa_bridge {
            Some(p) => Some(
                Bridge::from_path(p).map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        Ok(Inputs {
            definition,
            index,
            lookup,
            places,
            bridge,
        })
    }

    /// The classifier for `definition`, counting the --by breakdowns; a problem in a
    /// definition file names the file, one in a breakdown the flag.
    fn classifier<'a>(&self, inputs: &'a Inputs) -> Result<Classifier<'a>> {
        let in_definition = |e: &dyn std::fmt::Display| match &self.definition {
            Some(p) => Failure::from(format!("{}: {e}", p.display())),
            None => Failure::from(e.to_string()),
        };
        let mut classifier = Classifier::new(inputs.definition.clone(), inputs.index.as_ref())
            .map_err(|e| match e {
                DefinitionError::EditionMismatch { .. } => Failure::from(e),
                e => in_definition(&e),
            })?;
        if let Some(bridge) = &inputs.bridge {
            classifier = classifier.with_bridge(bridge).map_err(|e| {
                Failure::from(format!(
                    "--lsoa-bridge {}: {e}",
                    self.lsoa_bridge
                        .as_ref()
                        .map_or_else(String::new, |p| p.display().to_string())
                ))
            })?;
        }
        let mut by = self.by.clone();
        if let Some(lookup) = &inputs.lookup {
            classifier = classifier
                .with_places(lookup, inputs.places.as_ref())
                .map_err(|e| match e {
                    equitas_core::cohort::PlaceError::Definition(e) => in_definition(&e),
                    e => Failure::from(format!(
                        "{}: {e}",
                        self.places
                            .as_ref()
                            .or(self.place_lookup.as_ref())
                            .map_or_else(String::new, |p| p.display().to_string())
                    )),
                })?;
            // Counts per Place whenever there is a lookup.
            let has_place = by
                .iter()
                .any(|b| b.dimensions().contains(&&Dimension::Place));
            if !has_place {
                by.insert(0, Breakdown::one(Dimension::Place));
            }
        }
        let unplaced = classifier.unplaced_groups();
        if !unplaced.is_empty() {
            err(&format!(
                "note: PLUS group(s) {} are scoped to Places, and without --place-lookup no one is counted in them",
                unplaced.join(", ")
            ));
        }
        classifier
            .with_breakdowns(&by)
            .map_err(|e| Failure::from(format!("--by: {e}")))
    }
}

pub(crate) fn demo(a: &Demo) -> Result<()> {
    let (people, seed) = (a.people, a.seed);
    let inputs = a.cohort.load(a.imd.as_deref())?;
    let classifier = a.cohort.classifier(&inputs)?;
    let index = &inputs.index;
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
    output(&classifier, &counts, &summary, &source, &a.cohort)
}

pub(crate) fn cohorts(a: &Cohorts) -> Result<()> {
    let records = a
        .records
        .as_ref()
        .ok_or_else(|| Failure::from("--records is required"))?;
    let threads = a.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(MAX_THREADS)
    });
    let inputs = a.cohort.load(a.imd.as_deref())?;
    if inputs.index.is_none() {
        err(
            "note: no --imd file, so area codes cannot be looked up; deprivation comes only from the imd_decile column",
        );
    }
    let classifier = a.cohort.classifier(&inputs)?;
    let mut counts = CohortCounts::new(&classifier);
    let reader: Box<dyn Read> = if records.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(
            File::open(records)
                .map_err(|e| Failure::from(format!("cannot open {}: {e}", records.display())))?,
        )
    };
    let reader = BufReader::with_capacity(1 << 16, reader);
    if let Some(scheme) = a.period_by {
        let (counts, summary) = if a.strict || threads <= 1 {
            count_records_by_period(reader, &classifier, scheme, a.strict)
        } else {
            count_records_by_period_parallel(
                reader,
                &classifier,
                scheme,
                threads,
                DEFAULT_BLOCK_BYTES,
            )
        }
        .map_err(|e| Failure::from(format!("{}: {e}", records.display())))?;
        let source = format!("{} ({} rows)", records.display(), summary.rows);
        if let Some(path) = &a.save_counts {
            let json = counts.to_json()?;
            write_whole(path, |w| w.write_all(json.as_bytes()))?;
        }
        output_periods(&classifier, &counts, &summary, &source, &a.cohort)?;
        return warn_problems(&summary);
    }
    let summary = if a.strict || threads <= 1 {
        count_records(reader, &classifier, &mut counts, a.strict)
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
    if let Some(path) = &a.save_counts {
        let json = counts.to_json()?;
        write_whole(path, |w| w.write_all(json.as_bytes()))?;
    }
    output(&classifier, &counts, &summary, &source, &a.cohort)?;
    warn_problems(&summary)
}

fn warn_problems(summary: &ReadSummary) -> Result<()> {
    if summary.rejected > 0 || summary.unknown_areas > 0 {
        err(&format!(
            "warning: {} row(s) not counted because of problems, {} row(s) with unknown area codes counted as deprivation unknown (see the report)",
            summary.rejected, summary.unknown_areas
        ));
    }
    Ok(())
}

/// The report of counts by period, on standard output.
fn output_periods(
    classifier: &Classifier<'_>,
    counts: &PeriodCounts,
    summary: &ReadSummary,
    source: &str,
    how: &Cohort,
) -> Result<()> {
    let mut out = BufWriter::new(stdout());
    crate::periods::output(
        &mut out,
        classifier,
        counts,
        summary,
        source,
        &crate::periods::How {
            format: how.format,
            csv_table: how.csv_table,
            rule: how.suppress,
        },
    )?;
    out.flush()?;
    Ok(())
}

pub(crate) fn merge(a: &Merge) -> Result<()> {
    let inputs = a.cohort.load(a.imd.as_deref())?;
    // Merging needs no areas; the index names the domains of any domain breakdown.
    let classifier = a.cohort.classifier(&inputs)?;
    let mut parts: Option<PeriodCounts> = None;
    for f in &a.files {
        let text = read_text(f, MAX_COUNTS_FILE_BYTES, "MAX_COUNTS_FILE_BYTES")?;
        let part = PeriodCounts::from_json(&text)
            .map_err(|e| Failure::from(format!("{}: {e}", f.display())))?;
        // Every period must have been counted with --definition.
        for (p, c) in part.periods() {
            CohortCounts::new(&classifier).merge(c).map_err(|e| {
                let at = if p.is_empty() {
                    String::new()
                } else {
                    format!(", period {p}")
                };
                Failure::from(format!("{}{at}: {e}", f.display()))
            })?;
        }
        match &mut parts {
            None => parts = Some(part),
            Some(total) => total
                .merge(&part)
                .map_err(|e| Failure::from(format!("{}: {e}", f.display())))?,
        }
    }
    let Some(parts) = parts else {
        return Err(Failure::from("no saved counts files given"));
    };
    if parts.scheme().is_some() {
        let people: u64 = parts.periods().map(|(_, c)| c.people()).sum();
        let summary = ReadSummary {
            rows: people,
            counted: people,
            ..ReadSummary::default()
        };
        let source = format!("{} saved counts files merged", a.files.len());
        return output_periods(&classifier, &parts, &summary, &source, &a.cohort);
    }
    let mut total = CohortCounts::new(&classifier);
    for (_, c) in parts.periods() {
        total.merge(c).map_err(|e| Failure::from(e.to_string()))?;
    }
    let summary = ReadSummary {
        rows: total.people(),
        counted: total.people(),
        ..ReadSummary::default()
    };
    let source = format!("{} saved counts files merged", a.files.len());
    output(&classifier, &total, &summary, &source, &a.cohort)
}

fn output(
    classifier: &Classifier<'_>,
    counts: &CohortCounts,
    summary: &ReadSummary,
    source: &str,
    how: &Cohort,
) -> Result<()> {
    let mut out = BufWriter::new(stdout());
    let rep = report(counts, classifier);
    let rule = how.suppress;
    // Every count of an export, as published under the rule.
    let protected = (how.format != Format::Table).then(|| ProtectedReport::new(&rep, rule));
    let protected = protected.as_ref();
    match how.format {
        Format::Table => render::table(&mut out, &rep, summary, source)?,
        Format::Csv => match how.csv_table {
            CsvTable::Counts => {
                refuse_counts_under(rule)?;
                render::csv(&mut out, counts, rule)?;
            }
            CsvTable::Ambitions => render::ambitions_csv(&mut out, &rep.ambitions, protected)?,
            CsvTable::Changes => {
                return Err(Failure::from(
                    "--csv-table changes needs counts by period: count with --period-by (or merge saved counts by period)",
                ));
            }
            CsvTable::Breakdowns => render::breakdowns_csv(&mut out, &rep, protected)?,
            CsvTable::HeatPlus => {
                // The date column is the day the rates were computed (the CLI's clock).
                let today = crate::assess::now_utc();
                let date = today.get(..10).unwrap_or(&today);
                let source = format!("{source}; disclosure control: {}", rule.id());
                let strata = heat_plus::from_report(&rep, protected, date, &source);
                heat_plus::write(&strata, &mut out)?;
            }
        },
        Format::Json => {
            let report = protected.map_or_else(
                || serde_json::to_value(&rep).unwrap_or_default(),
                |p| p.report_json(&rep),
            );
            let counts_rows = if matches!(rule, Rule::Below(_)) {
                serde_json::json!(format!(
                    "left out: the full cross-classification has margins in seven dimensions, which suppression below {} cannot protect; use --suppress nhs-digital (rounding) or --suppress none",
                    match rule {
                        Rule::Below(n) => n,
                        _ => 0,
                    }
                ))
            } else {
                serde_json::to_value(render::count_rows(counts, rule))?
            };
            let doc = serde_json::json!({
                "source": source,
                "disclosure": {"rule": rule.id(), "description": rule.describe()},
                "report": report,
                "read": summary,
                "counts": counts_rows,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The full cross-classification (`--csv-table counts`) has margins in seven dimensions; under a
/// threshold rule, without rounding, its suppressed cells could be worked out from them.
fn refuse_counts_under(rule: Rule) -> Result<()> {
    match rule {
        Rule::Below(n) => Err(Failure::from(format!(
            "--csv-table counts with --suppress below:{n}: the full cross-classification has margins in seven dimensions, which suppression without rounding cannot protect; use --suppress nhs-digital (counts rounded to the nearest 5), --csv-table breakdowns, or --suppress none"
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn synth(a: &SynthArgs) -> Result<()> {
    let (Some(people), Some(target)) = (a.people, a.out.as_ref()) else {
        return Err(Failure::from("--people and --out are required"));
    };
    let seed = a.seed;
    let params = match &a.params {
        Some(p) => SynthParams::from_json(&read_text(p, MAX_PARAMS_BYTES, "MAX_PARAMS_BYTES")?)
            .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
        None => SynthParams::builtin(),
    };
    let index = match &a.imd {
        Some(p) => Some(
            DeprivationIndex::from_path(p)
                .map_err(|e| Failure::from(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    let listed = match &a.areas {
        Some(p) => Some(read_area_list(p)?),
        None => None,
    };
    let areas = match (&index, &listed) {
        (Some(ix), Some(codes)) => Areas::Listed(ix, codes),
        (Some(ix), None) => Areas::Index(ix),
        // `--areas` requires `--imd` (clap checks it).
        (None, _) => Areas::Deciles,
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
    write_whole(target, write)?;
    err(&format!(
        "wrote {people} SYNTHETIC people (not real) to {} (seed {seed}, {})",
        target.display(),
        params.label.split('.').next().unwrap_or("synthetic")
    ));
    Ok(())
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
