//! The Word document read back as Word would read it, independently of docx-rs: unzipped, its
//! document part parsed as XML (which also proves it well formed), its paragraphs' text
//! compared with the assessment it was written from.

use std::io::Read;
use std::path::PathBuf;

use equitas_core::assessment::instrument::{ColumnKind, Kind};
use equitas_core::assessment::{
    Answer, Assessment, Registry, ReportModel, load, validate::visible_questions,
};
use equitas_docx::{Error, Picture, assessment};

fn example(name: &str) -> (Registry, Assessment) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/assessments/examples")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("the example");
    let registry = Registry::builtin().expect("the built-in instruments");
    let loaded = load(&text, &registry).expect("the example loads");
    (registry, loaded.assessment)
}

/// A PNG of one white pixel (a valid file: signature, IHDR, IDAT, IEND).
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xFF, 0xFF, 0x3F,
    0x00, 0x05, 0xFE, 0x02, 0xFE, 0xDC, 0xCC, 0x59, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The file's parts by name.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("a part");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("the part's bytes");
            (f.name().to_owned(), data)
        })
        .collect()
}

/// Each paragraph's text (the `w:t` runs of each `w:p`, line breaks as "\n"), by an XML parser
/// that fails on a file that is not well formed.
fn paragraphs(xml: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let (mut current, mut in_text) = (String::new(), false);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::Empty(e) if e.name().as_ref() == b"w:br" => current.push('\n'),
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push(std::mem::take(&mut current)),
            Event::Text(t) if in_text => current.push_str(t.decode().expect("text").as_ref()),
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().expect("a reference");
                current.push_str(match name.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected reference &{other};"),
                });
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

fn document(bytes: &[u8]) -> Vec<String> {
    let all = parts(bytes);
    let (_, xml) = all
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .expect("word/document.xml");
    paragraphs(xml)
}

#[test]
fn every_heading_answer_and_the_rating_are_in_the_document() {
    for name in ["heat-thorough", "maturity-thorough", "heat-gaps"] {
        let (registry, a) = example(name);
        let instrument = registry.for_assessment(&a).expect("its instrument");
        let model = ReportModel::score(instrument, &a.answers);
        let pictures: Vec<Picture> = (0..model.charts.len())
            .map(|index| Picture {
                index,
                png: PIXEL.to_vec(),
                width: 800,
                height: 450,
            })
            .collect();
        let bytes = assessment(&model, instrument, &a.answers, &pictures).expect("written");
        let text = document(&bytes);
        let has = |want: &str| text.iter().any(|p| p.contains(want));

        let r = &model.report;
        let band = r.band.as_ref().map_or("no band", |b| b.label.as_str());
        let overall = format!("Overall: {:.1} / 100, {band}", r.overall);
        assert!(text.contains(&overall), "{name}: no {overall:?}");
        assert!(has(&r.rubric), "{name}: the rubric's caveat");
        for s in &instrument.sections {
            assert!(
                text.contains(&s.title),
                "{name}: section heading {:?}",
                s.title
            );
        }
        let visible = visible_questions(instrument, &a.answers);
        let mut answers_checked = 0;
        for (_, q) in instrument.questions() {
            if !visible.contains(&&q.id) {
                continue;
            }
            assert!(text.contains(&q.label), "{name}: question {:?}", q.label);
            let Some(answer) = a.answers.answered(q.id.as_str()) else {
                continue;
            };
            let label = |id: &str| {
                q.kind
                    .choices()
                    .iter()
                    .find(|c| c.id == id)
                    .map_or_else(|| id.to_owned(), |c| c.label.clone())
            };
            let wanted: Vec<String> = match answer {
                Answer::Text(t) if !q.kind.choices().is_empty() => vec![label(t)],
                Answer::Text(t) if matches!(q.kind, Kind::Date) => {
                    // "12 January 2026": the day, a month's name, the year.
                    let d = equitas_core::assessment::Date::parse(t).expect("a date");
                    let (day, year) = (format!("{} ", d.day()), format!(" {}", d.year()));
                    assert!(
                        text.iter().any(|p| p.starts_with(&day)
                            && p.ends_with(&year)
                            && p.split(' ').count() == 3),
                        "{name}: the date {t} in UK prose"
                    );
                    continue;
                }
                Answer::Text(t) => t
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
                Answer::Choices(ids) => ids.iter().map(|id| label(id)).collect(),
                Answer::Number(x) => vec![x.to_string()],
                Answer::Checklist(m) => m
                    .iter()
                    .filter(|(_, e)| e.considered)
                    .map(|(id, _)| label(id))
                    .collect(),
                Answer::Table(rows) => {
                    let Kind::Table { columns } = &q.kind else {
                        panic!("{name}: a table answer to {}", q.id.as_str())
                    };
                    rows.iter()
                        .flat_map(|r| r.iter())
                        .filter(|(_, c)| !c.is_empty())
                        .map(|(col, cell)| {
                            let column = columns.iter().find(|c| &c.id == col).expect("a column");
                            let options = match &column.kind {
                                ColumnKind::Choice { options } => options.as_slice(),
                                ColumnKind::ItemOf { question } => instrument
                                    .question(question.as_str())
                                    .expect("the question named")
                                    .kind
                                    .choices(),
                                _ => &[],
                            };
                            options.iter().find(|o| &o.id == cell).map_or_else(
                                || cell.lines().next().unwrap_or_default().to_owned(),
                                |o| o.label.clone(),
                            )
                        })
                        .collect()
                }
                Answer::Evidence(e) => e.rows.iter().map(|r| r.subgroup.clone()).collect(),
                other => panic!("a kind of answer this test does not know: {other:?}"),
            };
            for w in wanted {
                assert!(has(&w), "{name}: the answer to {} ({w:?})", q.id.as_str());
                answers_checked += 1;
            }
        }
        assert!(
            answers_checked > 10,
            "{name}: only {answers_checked} answers"
        );
        // The SII of each ordered dimension by both methods, each named with what its interval
        // includes (issue 16), and the value in the document as the report has it.
        for q in &model.report.quantified {
            for line in &q.sii {
                assert!(has(line.method), "{name}: the method {:?}", line.method);
                assert!(has(line.interval), "{name}: {:?}", line.interval);
                if let Some(v) = line.value {
                    assert!(has(&format!("{v:.3}")), "{name}: the SII {v:.3}");
                }
            }
        }
        if name == "heat-thorough" {
            assert!(
                model.report.quantified.iter().any(|q| q.sii.len() == 2),
                "{name}: an ordered dimension with the SII by both methods"
            );
        }
        let media = parts(&bytes)
            .iter()
            .filter(|(n, data)| n.starts_with("word/media/") && data.as_slice() == PIXEL)
            .count();
        assert_eq!(media, model.charts.len(), "{name}: a picture per chart");
        assert_eq!(
            text.iter().filter(|p| p.starts_with("Figure ")).count(),
            model.charts.len(),
            "{name}: a caption per chart"
        );
    }
}

#[test]
fn the_same_input_writes_the_same_bytes() {
    let (registry, a) = example("heat-thorough");
    let instrument = registry.for_assessment(&a).expect("its instrument");
    let model = ReportModel::score(instrument, &a.answers);
    let once = assessment(&model, instrument, &a.answers, &[]).expect("written");
    let again = assessment(&model, instrument, &a.answers, &[]).expect("written");
    assert_eq!(once, again);
}

#[test]
fn markup_and_control_characters_stay_text_and_the_file_stays_well_formed() {
    let (registry, mut a) = example("heat-thorough");
    let instrument = registry.for_assessment(&a).expect("its instrument");
    let (_, q) = instrument
        .questions()
        .find(|(_, q)| matches!(q.kind, Kind::Text { .. }))
        .expect("a text question");
    let hostile = "<w:p>&amp; \"quoted\" ]]> bell\u{7} end";
    a.answers
        .insert(q.id.clone(), Answer::Text(hostile.to_owned()));
    let model = ReportModel::score(instrument, &a.answers);
    let text = document(&assessment(&model, instrument, &a.answers, &[]).expect("written"));
    assert!(
        text.iter()
            .any(|p| p == "<w:p>&amp; \"quoted\" ]]> bell\u{FFFD} end"),
        "the answer as text, its bell shown as U+FFFD"
    );
}

#[test]
fn pictures_are_checked_and_named() {
    let (registry, a) = example("heat-thorough");
    let instrument = registry.for_assessment(&a).expect("its instrument");
    let model = ReportModel::score(instrument, &a.answers);
    assert!(!model.charts.is_empty(), "the example has charts");
    let pic = |index, png: &[u8], width| Picture {
        index,
        png: png.to_vec(),
        width,
        height: 10,
    };
    let n = model.charts.len();
    let write = |p: &[Picture]| assessment(&model, instrument, &a.answers, p).unwrap_err();
    assert!(matches!(
        write(&[pic(n, PIXEL, 10)]),
        Error::NoSuchChart { position: 0, index, .. } if index == n
    ));
    assert!(matches!(
        write(&[pic(0, PIXEL, 10), pic(0, PIXEL, 10)]),
        Error::TwoPictures {
            first: 0,
            second: 1,
            index: 0
        }
    ));
    let e = write(&[pic(0, b"GIF89a", 10)]);
    assert_eq!(
        e.to_string(),
        "picture 0 (chart 0): not a PNG file (it does not start as one)"
    );
    let e = write(&[pic(0, PIXEL, 0)]);
    assert_eq!(
        e.to_string(),
        "picture 0 (chart 0): width 0 pixels; give 1 to 10000"
    );
}
