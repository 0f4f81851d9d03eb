//! An assessment and its report as a Word document (.docx) a team can edit and paste into an
//! equality impact assessment or a board paper.
//!
//! The content is equitas-core's: [`annex`] builds the document once as
//! [`Block`]s (the answers section by section, then the scored report), and this crate only
//! writes those blocks with [docx-rs](https://crates.io/crates/docx-rs). It is a crate of its
//! own so that neither the CLI's other commands nor the browser's form carry a .docx writer:
//! the CLI links it for `equitas assess score --format docx`, and the browser loads it in a
//! module of its own (`equitas_docx`) only when "Download as Word" is pressed.
//!
//! Charts are pictures the caller draws (the browser renders its SVG charts to PNG); where a
//! chart has no picture (the CLI draws none), the document says so and the table of the
//! measures above it has the numbers.
//!
//! ```
//! use equitas_core::assessment::{Answers, Registry, ReportModel};
//!
//! let registry = Registry::builtin()?;
//! let heat = registry.latest("heat").unwrap();
//! let answers = Answers::new();
//! let bytes = equitas_docx::assessment(&ReportModel::score(heat, &answers), heat, &answers, &[])?;
//! assert!(bytes.starts_with(b"PK"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use docx_rs::{
    BreakType, Docx, Paragraph, Pic, Run, RunFonts, Style, StyleType, Table, TableCell, TableRow,
};
use equitas_core::assessment::annex::annex;
use equitas_core::assessment::doc::{Block, Inline};
use equitas_core::assessment::{Answers, Instrument, ReportModel};

/// The largest picture of one chart, in bytes of PNG (16 MiB; a chart drawn at twice the page's
/// resolution is tens of kilobytes). Fixed in the build.
pub const MAX_PICTURE_BYTES: usize = 16 * 1024 * 1024;

/// The widest or tallest picture, in pixels (10,000). Fixed in the build.
pub const MAX_PICTURE_SIDE: u32 = 10_000;

/// The width a picture is shown at, in EMUs (English Metric Units, 914,400 an inch): 6 inches,
/// inside an A4 page's margins. Its height keeps the picture's proportions.
const PICTURE_WIDTH_EMU: u64 = 6 * 914_400;

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A picture names a chart the document does not have.
    #[error(
        "picture {position}: chart {index} is not in this report (it has {charts} chart(s), numbered from 0)"
    )]
    NoSuchChart {
        /// The picture's position in the list given, from 0.
        position: usize,
        /// The chart it names.
        index: usize,
        /// How many charts the report has.
        charts: usize,
    },
    /// Two pictures name the same chart.
    #[error("pictures {first} and {second} are both for chart {index}; give one picture a chart")]
    TwoPictures {
        /// The first picture's position.
        first: usize,
        /// The second's.
        second: usize,
        /// The chart.
        index: usize,
    },
    /// A picture is not PNG, or is too large.
    #[error("picture {position} (chart {index}): {problem}")]
    BadPicture {
        /// The picture's position in the list given, from 0.
        position: usize,
        /// The chart it is for.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// docx-rs could not write the file.
    #[error("the Word document could not be written: {0}")]
    Write(String),
}

/// A picture of one chart: PNG bytes and the size they were drawn at, in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The chart's index in the report model's charts.
    pub index: usize,
    /// The PNG file.
    pub png: Vec<u8>,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// The eight bytes every PNG file starts with.
const PNG_SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];

/// The whole assessment, its answers and its report ([`annex`]), as a .docx file, with
/// `pictures` of its charts.
///
/// # Errors
/// A picture for a chart the report does not have, two for one chart, or one that is not a PNG
/// within [`MAX_PICTURE_BYTES`] and [`MAX_PICTURE_SIDE`]; or docx-rs failing to write.
pub fn assessment(
    model: &ReportModel,
    instrument: &Instrument,
    answers: &Answers,
    pictures: &[Picture],
) -> Result<Vec<u8>, Error> {
    let title = model
        .report
        .title
        .as_deref()
        .unwrap_or("Untitled assessment");
    write(title, &annex(model, instrument, answers), pictures)
}

/// `blocks` as a .docx file, each [`Block::Chart`] with its picture from `pictures` (see
/// [`assessment`] for the errors); `title` goes in the file's properties (Word's File > Info).
///
/// # Errors
/// As [`assessment`].
pub fn write(title: &str, blocks: &[Block], pictures: &[Picture]) -> Result<Vec<u8>, Error> {
    let charts: Vec<usize> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Chart { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    let chosen = check(pictures, &charts)?;
    let mut doc = styled(Docx::new()).custom_property("Title", title);
    let mut figure = 0;
    for block in blocks {
        doc = match block {
            Block::Heading(level, t) => doc.add_paragraph(
                Paragraph::new()
                    .style(&format!("Heading{}", level.clamp(&1, &3)))
                    .add_run(text_run(t)),
            ),
            Block::Para(inlines) => doc.add_paragraph(inline_paragraph(inlines)),
            Block::Notice(t) => {
                doc.add_paragraph(Paragraph::new().style("Notice").add_run(text_run(t)))
            }
            Block::Headline(t) => doc.add_paragraph(
                Paragraph::new()
                    .style("Headline")
                    .add_run(text_run(t).bold()),
            ),
            Block::Table { head, rows } => doc.add_table(table(head, rows)),
            Block::List { ordered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let mark = if *ordered {
                        format!("{}. ", i + 1)
                    } else {
                        "• ".to_owned()
                    };
                    let mut p = inline_paragraph(&item.text).style("ListItem");
                    p.children.insert(
                        0,
                        docx_rs::ParagraphChild::Run(Box::new(Run::new().add_text(mark))),
                    );
                    doc = doc.add_paragraph(p);
                }
                doc
            }
            Block::Chart { index, title } => {
                figure += 1;
                match chosen.get(*index).copied().flatten() {
                    Some(p) => doc
                        .add_paragraph(Paragraph::new().add_run(Run::new().add_image(picture(p))))
                        .add_paragraph(
                            Paragraph::new()
                                .style("Caption")
                                .add_run(text_run(&format!("Figure {figure}: {title}"))),
                        ),
                    None => doc.add_paragraph(Paragraph::new().style("Caption").add_run(text_run(
                        &format!(
                            "Figure {figure}: {title}. No picture of this chart was drawn \
                             here (the browser's Word download has it); the table above has \
                             its numbers."
                        ),
                    ))),
                }
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::Write(e.to_string()))?;
    Ok(out.into_inner())
}

/// Each chart's picture, by chart index: every picture names a chart of the document, one
/// picture a chart, each a PNG within the limits.
fn check<'a>(pictures: &'a [Picture], charts: &[usize]) -> Result<Vec<Option<&'a Picture>>, Error> {
    let slots = charts.iter().max().map_or(0, |m| m + 1);
    let mut chosen: Vec<Option<(usize, &Picture)>> = vec![None; slots];
    for (position, p) in pictures.iter().enumerate() {
        let bad = |problem: String| Error::BadPicture {
            position,
            index: p.index,
            problem,
        };
        if !charts.contains(&p.index) {
            return Err(Error::NoSuchChart {
                position,
                index: p.index,
                charts: charts.len(),
            });
        }
        if let Some((first, _)) = chosen[p.index] {
            return Err(Error::TwoPictures {
                first,
                second: position,
                index: p.index,
            });
        }
        if p.png.len() > MAX_PICTURE_BYTES {
            return Err(bad(format!(
                "{} bytes, over the limit of {MAX_PICTURE_BYTES} bytes (16 MiB); draw it smaller",
                p.png.len()
            )));
        }
        if !p.png.starts_with(&PNG_SIGNATURE) {
            return Err(bad("not a PNG file (it does not start as one)".to_owned()));
        }
        for (side, v) in [("width", p.width), ("height", p.height)] {
            if v == 0 || v > MAX_PICTURE_SIDE {
                return Err(bad(format!(
                    "{side} {v} pixels; give 1 to {MAX_PICTURE_SIDE}"
                )));
            }
        }
        chosen[p.index] = Some((position, p));
    }
    Ok(chosen.into_iter().map(|c| c.map(|(_, p)| p)).collect())
}

/// A picture shown [`PICTURE_WIDTH_EMU`] wide, its proportions kept; its relationship id is
/// made from the chart's index, so the same input writes the same file.
fn picture(p: &Picture) -> Pic {
    let height = PICTURE_WIDTH_EMU * u64::from(p.height) / u64::from(p.width);
    Pic::new_with_dimensions(p.png.clone(), p.width, p.height)
        .id(format!("rIdChart{}", p.index))
        .size(
            u32::try_from(PICTURE_WIDTH_EMU).unwrap_or(u32::MAX),
            u32::try_from(height).unwrap_or(u32::MAX),
        )
}

/// The styles the blocks use: three heading levels (with outline levels, so Word's navigation
/// pane and a table of contents find them), the rubric's notice, the headline score, list items
/// and captions.
fn styled(doc: Docx) -> Docx {
    let heading = |level: usize, size: usize| {
        Style::new(format!("Heading{level}"), StyleType::Paragraph)
            .name(format!("Heading {level}"))
            .based_on("Normal")
            .next("Normal")
            .outline_lvl(level - 1)
            .size(size)
            .bold()
            .color("005EB8")
    };
    doc.add_style(heading(1, 40))
        .add_style(heading(2, 32))
        .add_style(heading(3, 26))
        .add_style(
            Style::new("Notice", StyleType::Paragraph)
                .name("Notice")
                .based_on("Normal")
                .italic(),
        )
        .add_style(
            Style::new("Headline", StyleType::Paragraph)
                .name("Headline")
                .based_on("Normal")
                .size(28),
        )
        .add_style(
            Style::new("ListItem", StyleType::Paragraph)
                .name("List item")
                .based_on("Normal")
                .indent(Some(360), None, None, None),
        )
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("Caption")
                .based_on("Normal")
                .italic()
                .size(20),
        )
}

/// A table with a bold heading row.
fn table(head: &[String], rows: &[Vec<String>]) -> Table {
    let row = |cells: &[String], bold: bool| {
        TableRow::new(
            cells
                .iter()
                .map(|c| {
                    let run = text_run(c);
                    TableCell::new().add_paragraph(Paragraph::new().add_run(if bold {
                        run.bold()
                    } else {
                        run
                    }))
                })
                .collect(),
        )
    };
    let mut all = vec![row(head, true)];
    all.extend(rows.iter().map(|r| row(r, false)));
    Table::new(all)
}

/// A paragraph of inline runs: bold for strong text, a fixed-width font for identifiers.
fn inline_paragraph(inlines: &[Inline]) -> Paragraph {
    inlines.iter().fold(Paragraph::new(), |p, i| {
        p.add_run(match i {
            Inline::Text(t) => text_run(t),
            Inline::Strong(t) => text_run(t).bold(),
            Inline::Code(t) | Inline::MdCode(t) => {
                text_run(t).fonts(RunFonts::new().ascii("Consolas").hi_ansi("Consolas"))
            }
        })
    })
}

/// A run of text, each line break kept as one, and every character XML 1.0 cannot hold (control
/// characters other than tab, line feed and carriage return; a file with one does not open in
/// Word) shown as U+FFFD, the replacement character, so it is visibly there rather than
/// silently gone.
fn text_run(t: &str) -> Run {
    let mut run = Run::new();
    for (i, line) in t.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        let line: String = line
            .trim_end_matches('\r')
            .chars()
            .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
            .collect();
        run = run.add_text(line);
    }
    run
}

/// Whether XML 1.0 can hold `c` (its `Char` production).
const fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
