//! The results of the Fingertips commands as records of named columns, written as CSV or as a
//! JSON array, and the names of their limit columns at each confidence level.

use std::io::{BufWriter, Write};

use equitas_core::io::fingertips::GroupKey;
use equitas_core::measures::phe::Estimate;
use serde_json::Value;

use crate::Result;
use crate::args::DataFormat;

/// The column names of limits at each confidence level: `base` alone with one level, and with
/// several `base_95_0`, `base_99_8` (PHE's names: the percentage with at least one decimal, the
/// point written as `_`; equitas keeps up to four decimals, so 99.9999 is `99_9999`).
#[derive(Clone, Debug)]
pub(crate) struct LevelNames {
    suffixes: Vec<String>,
}

impl LevelNames {
    pub(crate) fn name(&self, base: &str, k: usize) -> String {
        match self.suffixes.get(k) {
            Some(suffix) if self.suffixes.len() > 1 => format!("{base}_{suffix}"),
            _ => base.to_owned(),
        }
    }
}

/// The names of `levels`' columns; two levels that would share a name are refused.
pub(crate) fn level_names(levels: &[f64]) -> std::result::Result<LevelNames, String> {
    let suffixes: Vec<String> = levels
        .iter()
        .map(|&c| {
            let percent = (c * 1e6).round() / 1e4;
            let text = percent.to_string();
            if text.contains('.') {
                text.replace('.', "_")
            } else {
                format!("{text}_0")
            }
        })
        .collect();
    for (k, suffix) in suffixes.iter().enumerate() {
        if let Some(j) = suffixes
            .get(..k)
            .and_then(|s| s.iter().position(|x| x == suffix))
        {
            let (a, b) = (levels.get(j).copied(), levels.get(k).copied());
            return Err(format!(
                "the levels {} and {} would both be named {suffix}; give levels with at most \
                 six decimal places (as a proportion)",
                a.unwrap_or_default(),
                b.unwrap_or_default()
            ));
        }
    }
    Ok(LevelNames { suffixes })
}

/// A count: whole numbers print without ".0".
pub(crate) fn count(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation, reason = "whole and below 2^53")]
        let i = v as i64;
        Value::from(i)
    } else {
        Value::from(v)
    }
}

pub(crate) fn num(v: Option<f64>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// One output record: ordered (name, value) pairs.
pub(crate) type Record = Vec<(String, Value)>;

pub(crate) fn key_fields(key: &GroupKey) -> Record {
    key.pairs
        .iter()
        .map(|(c, v)| (c.clone(), Value::from(v.clone())))
        .collect()
}

pub(crate) fn estimate_fields(rec: &mut Record, e: &Estimate, names: &LevelNames) {
    rec.push(("value".into(), num(e.value)));
    for (k, i) in e.intervals.iter().enumerate() {
        rec.push((names.name("lower", k), num(i.lower)));
        rec.push((names.name("upper", k), num(i.upper)));
    }
    rec.push((
        "reason".into(),
        e.reason
            .as_ref()
            .map_or(Value::Null, |r| Value::from(r.to_string())),
    ));
}

/// The output, held as text until every group is done, so that an error part-way prints
/// nothing; each record is written out as text when it is added (a few dozen bytes a record,
/// not the record's names and values).
pub(crate) struct Output {
    format: DataFormat,
    header: Option<String>,
    lines: Vec<String>,
}

impl Output {
    pub(crate) const fn new(format: DataFormat) -> Self {
        Self {
            format,
            header: None,
            lines: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, rec: &Record) -> Result<()> {
        let line = match self.format {
            DataFormat::Json => {
                let fields: Vec<String> = rec
                    .iter()
                    .map(|(n, v)| {
                        Ok(format!(
                            "{}: {}",
                            serde_json::to_string(n)?,
                            serde_json::to_string(v)?
                        ))
                    })
                    .collect::<std::result::Result<_, serde_json::Error>>()?;
                format!("  {{{}}}", fields.join(", "))
            }
            DataFormat::Csv => {
                if self.header.is_none() {
                    let header: Vec<String> = rec.iter().map(|(n, _)| csv_field(n)).collect();
                    self.header = Some(header.join(","));
                }
                let row: Vec<String> = rec
                    .iter()
                    .map(|(_, v)| match v {
                        Value::Null => String::new(),
                        Value::String(s) => csv_field(s),
                        other => other.to_string(),
                    })
                    .collect();
                row.join(",")
            }
        };
        self.lines.push(line);
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<()> {
        let mut out = BufWriter::new(crate::stdout());
        match self.format {
            DataFormat::Json => {
                writeln!(out, "[")?;
                let n = self.lines.len();
                for (k, line) in self.lines.iter().enumerate() {
                    let comma = if k + 1 < n { "," } else { "" };
                    writeln!(out, "{line}{comma}")?;
                }
                writeln!(out, "]")?;
            }
            DataFormat::Csv => {
                if let Some(header) = &self.header {
                    writeln!(out, "{header}")?;
                }
                for line in &self.lines {
                    writeln!(out, "{line}")?;
                }
            }
        }
        out.flush()?;
        Ok(())
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_follow_phe_and_never_collide() {
        let names = level_names(&[0.95, 0.998, 0.999_999]);
        let names = names.unwrap_or_else(|m| panic!("{m}"));
        assert_eq!(names.name("lower", 0), "lower_95_0");
        assert_eq!(names.name("lower", 1), "lower_99_8");
        assert_eq!(names.name("lower", 2), "lower_99_9999");
        let one = level_names(&[0.95]);
        assert_eq!(
            one.unwrap_or_else(|m| panic!("{m}")).name("lower", 0),
            "lower"
        );
        let clash = level_names(&[0.95, 0.950_000_01]).err();
        assert!(clash.is_some_and(|m| m.contains("would both be named 95_0")));
    }
}
