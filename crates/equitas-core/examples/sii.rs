//! The slope and relative indices of inequality (SII, RII) of each area in a CSV, as OHID's
//! Fingertips computes them (`phe_sii`), with 95% limits from its Monte Carlo simulation.
//!
//! ```sh
//! cargo run -p equitas-core --example sii                  # seeds/examples/sii-deciles.csv
//! cargo run -p equitas-core --example sii -- deciles.csv
//! ```
//!
//! The file has the columns `area`, `quantile` (1 = most deprived), `population`, `value` and
//! `se`, one row per area and quantile. The bundled example is SYNTHETIC (made-up areas).

use std::error::Error;

use equitas_core::io::columns::Table;
use equitas_core::measures::phe::sii::{SiiOptions, SiiRow, phe_sii};

/// The example file of the repository, compiled in so the example runs from anywhere.
const EXAMPLE: &str = include_str!("../../../seeds/examples/sii-deciles.csv");

fn main() -> Result<(), Box<dyn Error>> {
    let text = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => EXAMPLE.to_owned(),
    };
    // Columns are found by name; a bad cell is an error naming its row, column and value.
    let table = Table::read(text.as_bytes())?;
    let area = table.column("area")?;
    let (quantile, population) = (table.column("quantile")?, table.column("population")?);
    let (value, se) = (table.column("value")?, table.column("se")?);

    let options = SiiOptions {
        repetitions: 10_000,
        ..SiiOptions::default()
    };
    println!("area                 SII    95% limits          RII");
    for group in table.groups(&[area]) {
        let mut rows = Vec::new();
        for &r in &group.rows {
            rows.push(SiiRow {
                quantile: whole(table.number(r, quantile)?).ok_or_else(|| {
                    format!(
                        "row {}, column quantile: {:?} is not a whole number from 1 up",
                        table.line(r),
                        table.text(r, quantile)
                    )
                })?,
                population: table.number(r, population)?,
                value: table.number(r, value)?,
                se: table.optional_number(r, se)?,
                lower_cl: None,
                upper_cl: None,
            });
        }
        let result = phe_sii(&rows, &options)?;
        let name = &group.key[0];
        match (result.sii, result.rii, result.intervals.first()) {
            (Some(sii), Some(rii), Some(ci)) => println!(
                "{name:<18} {sii:>6.2}  ({:>6.2} to {:>6.2})  {rii:>6.3}",
                ci.sii_lower.unwrap_or(f64::NAN),
                ci.sii_upper.unwrap_or(f64::NAN),
            ),
            _ => println!(
                "{name:<18} not computed: {}",
                result
                    .reason
                    .map_or_else(|| "no reason given".to_owned(), |r| r.to_string())
            ),
        }
    }
    Ok(())
}

/// `x` as a quantile number, if it is a whole number from 1 to `u32::MAX`.
fn whole(x: f64) -> Option<u32> {
    (x.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&x)).then(|| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked above"
        )]
        let q = x as u32;
        q
    })
}
