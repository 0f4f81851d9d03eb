//! The small document model a report, a summary or an assessment's annex is built as, once,
//! and its two backends here: Markdown and a self-contained HTML page. Every text node is
//! escaped by the backend, so content code never escapes (and cannot forget to). Other backends
//! (the Word document of crates/equitas-docx) take the same blocks.

use std::fmt::Write as _;

use super::render::escape_html;

/// A run of text inside a paragraph or list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Bold text.
    Strong(String),
    /// An identifier in code type.
    Code(String),
    /// An identifier in code type in Markdown but plain text in HTML (how the instrument id
    /// has always been printed).
    MdCode(String),
}

/// One list item; `class` styles it in HTML (Markdown ignores it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The HTML class: `lost` or `earned` for a line of the score.
    pub class: Option<&'static str>,
    /// The item's text.
    pub text: Vec<Inline>,
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading, level 1 to 3.
    Heading(u8, String),
    /// A paragraph.
    Para(Vec<Inline>),
    /// A highlighted notice (a quote in Markdown).
    Notice(String),
    /// The headline figure (bold in Markdown).
    Headline(String),
    /// A table of plain-text cells.
    Table {
        /// The column headings.
        head: Vec<String>,
        /// The rows, each as long as `head`.
        rows: Vec<Vec<String>>,
    },
    /// A list, numbered or bulleted.
    List {
        /// Numbered (true) or bulleted.
        ordered: bool,
        /// The items.
        items: Vec<Item>,
    },
    /// Where the chart of the report model's dimension `index` (in `ReportModel::charts`)
    /// goes, with its title. Markdown and HTML leave it out (their tables give the numbers);
    /// the Word document puts the chart's picture here when it has one.
    Chart {
        /// The chart's index in the report model.
        index: usize,
        /// What the chart shows, the picture's caption and alternative text.
        title: String,
    },
}

/// Escape text for a Markdown table cell or line (pipes, newlines, leading markup).
fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
        .replace('<', "&lt;")
}

/// A Markdown code span: no escapes exist inside one, so newlines become spaces and the fence
/// is one backtick longer than any run of backticks in the text.
fn md_code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(run + 1);
    let pad = if run > 0 { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn md_inlines(text: &[Inline]) -> String {
    text.iter()
        .map(|i| match i {
            Inline::Text(t) => md(t),
            Inline::Strong(t) => format!("**{}**", md(t)),
            Inline::Code(t) | Inline::MdCode(t) => md_code(t),
        })
        .collect()
}

fn html_inlines(text: &[Inline]) -> String {
    text.iter()
        .map(|i| match i {
            Inline::Text(t) | Inline::MdCode(t) => escape_html(t),
            Inline::Strong(t) => format!("<strong>{}</strong>", escape_html(t)),
            Inline::Code(t) => format!("<code>{}</code>", escape_html(t)),
        })
        .collect()
}

/// The document as Markdown: blocks separated by a blank line.
pub(crate) fn to_markdown(doc: &[Block]) -> String {
    let mut s = String::new();
    // A chart's place is for backends that draw pictures; Markdown has its table.
    let shown = doc.iter().filter(|b| !matches!(b, Block::Chart { .. }));
    for (n, block) in shown.enumerate() {
        if n > 0 {
            s.push('\n');
        }
        match block {
            Block::Heading(level, t) => {
                let _ = writeln!(s, "{} {}", "#".repeat(usize::from(*level)), md(t));
            }
            Block::Para(text) => {
                let _ = writeln!(s, "{}", md_inlines(text));
            }
            Block::Notice(t) => {
                let _ = writeln!(s, "> {}", md(t));
            }
            Block::Headline(t) => {
                let _ = writeln!(s, "**{}**", md(t));
            }
            Block::Table { head, rows } => {
                let head: Vec<String> = head.iter().map(|h| md(h)).collect();
                let _ = writeln!(s, "| {} |", head.join(" | "));
                let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
            }
            Block::List { ordered, items } => {
                for (i, item) in items.iter().enumerate() {
                    let mark = if *ordered {
                        format!("{}.", i + 1)
                    } else {
                        "-".into()
                    };
                    let _ = writeln!(s, "{mark} {}", md_inlines(&item.text));
                }
            }
            Block::Chart { .. } => {}
        }
    }
    s
}

const STYLE: &str = "body{font-family:system-ui,Arial,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#212b32;line-height:1.45}\
h1{font-size:1.8rem}h2{border-bottom:2px solid #005eb8;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d8dde0;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.score{font-size:1.4rem;font-weight:bold}.notice{background:#fff9c4;padding:.5rem;border-left:4px solid #ffeb3b}\
.lost{color:#b00020}.earned{color:#006435}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,li{break-inside:avoid}}";

/// The document as a self-contained HTML page (inline styles, print rules, nothing external).
pub(crate) fn to_html(title: &str, doc: &[Block]) -> String {
    let mut b = String::new();
    for block in doc {
        match block {
            Block::Heading(level, t) => {
                let _ = writeln!(b, "<h{level}>{}</h{level}>", escape_html(t));
            }
            Block::Para(text) => {
                let _ = writeln!(b, "<p>{}</p>", html_inlines(text));
            }
            Block::Notice(t) => {
                let _ = writeln!(b, "<p class=\"notice\">{}</p>", escape_html(t));
            }
            Block::Headline(t) => {
                let _ = writeln!(b, "<p class=\"score\">{}</p>", escape_html(t));
            }
            Block::Table { head, rows } => {
                b.push_str("<table><thead><tr>");
                for h in head {
                    let _ = write!(b, "<th>{}</th>", escape_html(h));
                }
                b.push_str("</tr></thead><tbody>\n");
                for row in rows {
                    b.push_str("<tr>");
                    for c in row {
                        let _ = write!(b, "<td>{}</td>", escape_html(c));
                    }
                    b.push_str("</tr>\n");
                }
                b.push_str("</tbody></table>\n");
            }
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let _ = writeln!(b, "<{tag}>");
                for item in items {
                    let class = item
                        .class
                        .map_or_else(String::new, |c| format!(" class=\"{}\"", escape_html(c)));
                    let _ = writeln!(b, "<li{class}>{}</li>", html_inlines(&item.text));
                }
                let _ = writeln!(b, "</{tag}>");
            }
            Block::Chart { .. } => {}
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{b}</body>\n</html>\n",
        escape_html(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of text node is escaped by both backends.
    #[test]
    fn every_text_node_is_escaped() {
        let t = || "<i>a|b\nc".to_string();
        let doc = [
            Block::Heading(1, t()),
            Block::Para(vec![Inline::Text(t()), Inline::Strong(t())]),
            Block::Para(vec![Inline::Code(t()), Inline::MdCode(t())]),
            Block::Notice(t()),
            Block::Headline(t()),
            Block::Table {
                head: vec!["H".to_owned(), "M".to_owned()],
                rows: vec![vec![t(), t()]],
            },
            Block::List {
                ordered: true,
                items: vec![Item {
                    class: Some("lost"),
                    text: vec![Inline::Text(t())],
                }],
            },
        ];
        let html = to_html(&t(), &doc);
        assert!(!html.contains("<i>"), "{html}");
        assert_eq!(html.matches("&lt;i&gt;").count(), 11, "{html}");
        let md = to_markdown(&doc);
        assert_eq!(md.matches("&lt;i>a\\|b c").count(), 8, "{md}");
        assert_eq!(md.matches("`<i>a|b c`").count(), 2, "{md}");
    }

    #[test]
    fn code_spans_outrun_backticks() {
        assert_eq!(md_code("a.b"), "`a.b`");
        assert_eq!(md_code("a``b"), "``` a``b ```");
    }
}
