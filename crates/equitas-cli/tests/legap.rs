//! `equitas le-gap` as a user runs it (issue 15): on SYNTHETIC deaths and populations by decile
//! over three periods, life expectancy per decile equals `equitas lifetable` on the same rows,
//! the Arriaga contributions add up to the gap, and the trajectory to a 5% reduction target
//! has the verdict its trend gives; bad rows and flags are named.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::PathBuf;

use common::{assert_bad_value, equitas, text};
use serde_json::Value;

const PERIODS: [&str; 3] = ["2014-16", "2017-19", "2020-22"];
const AGES_90: [u32; 20] = [
    0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90,
];

/// SYNTHETIC rows `period,decile,start_age,population,deaths`, one per cell: death rates rising
/// with age and deprivation; over the periods the most deprived improve by `trend` (a fraction
/// a period: positive narrows the gap, negative widens it).
fn synthetic(trend: f64, open: u32) -> String {
    let mut csv = String::from("period,decile,start_age,population,deaths\n");
    for (k, period) in PERIODS.iter().enumerate() {
        for d in 1..=10u32 {
            for &age in AGES_90.iter().filter(|&&a| a <= open) {
                let pop = 12_000.0 + 150.0 * f64::from(d) + 10.0 * f64::from(age);
                #[allow(clippy::cast_precision_loss, reason = "small")]
                let change = 1.0 - trend * k as f64 * f64::from(10 - d) / 9.0;
                let rate = if age == 0 {
                    0.004
                } else {
                    0.0002 * (f64::from(age) / 12.5).exp()
                } * (1.6 - 0.06 * f64::from(d))
                    * change;
                let deaths = (pop * rate).round().max(1.0);
                csv.push_str(&format!("{period},{d},{age},{pop},{deaths}\n"));
            }
        }
    }
    csv
}

fn write(name: &str, csv: &str) -> String {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&p, csv).unwrap();
    p.to_string_lossy().into_owned()
}

fn json(args: &[&str]) -> Value {
    let out = equitas(args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Life expectancy at birth per decile and period is `equitas lifetable` on the same rows,
/// exactly (the same code), with the open band at 90+ and at 85+.
#[test]
fn le_per_decile_equals_lifetable_on_the_same_rows() {
    for open in ["90", "85"] {
        let file = write(
            &format!("le-gap-lifetable-{open}.csv"),
            &synthetic(0.05, open.parse().unwrap()),
        );
        let gap = json(&[
            "le-gap",
            "--input",
            &file,
            "--open-band",
            open,
            "--repetitions",
            "1000",
            "--format",
            "json",
        ]);
        let table = json(&[
            "lifetable",
            "--input",
            &file,
            "--group-by",
            "period,decile",
            "--open-band",
            open,
            "--format",
            "json",
        ]);
        let mut compared = 0;
        for row in table.as_array().unwrap() {
            if row["start_age"] != 0 {
                continue;
            }
            let period = row["period"].as_str().unwrap();
            let decile: usize = row["decile"].as_str().unwrap().parse().unwrap();
            let p = gap[0]["periods"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["period"]["label"] == period)
                .unwrap();
            let le = &p["groups"][decile - 1]["le"];
            for (mine, theirs) in [("value", "value"), ("lower", "lower"), ("upper", "upper")] {
                assert_eq!(
                    f(&le[mine]),
                    f(&row[theirs]),
                    "{period} decile {decile} {mine}"
                );
            }
            compared += 1;
        }
        assert_eq!(compared, 30, "3 periods × 10 deciles");
    }
}

/// The Arriaga contributions by age add up to the gap (to 1e-9) in every period, and the gap
/// is decile 10 minus decile 1.
#[test]
fn arriaga_contributions_add_up_to_the_gap() {
    let file = write("le-gap-arriaga.csv", &synthetic(0.05, 90));
    let r = json(&[
        "le-gap",
        "--input",
        &file,
        "--repetitions",
        "1000",
        "--format",
        "json",
    ]);
    for p in r[0]["periods"].as_array().unwrap() {
        let gap = f(&p["gap"]["value"]);
        let ends = f(&p["groups"][9]["le"]["value"]) - f(&p["groups"][0]["le"]["value"]);
        assert!((gap - ends).abs() < 1e-12);
        let sum: f64 = p["decomposition"]["by_age"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| f(&a["years"]))
            .sum();
        assert!((sum - gap).abs() < 1e-9, "{sum} vs {gap}");
    }
}

/// The trajectory to "5% smaller by 2028": a gap narrowing fast is on track, a widening one is
/// not, and a flat one cannot tell yet: ten years ahead of its three periods, the
/// projection's interval is wide enough to hold the target.
#[test]
fn the_trajectory_verdict_for_a_five_percent_target() {
    for (trend, want) in [
        (0.06, "on_track"),
        (-0.06, "not_on_track"),
        (0.0, "cannot_tell_yet"),
    ] {
        let file = write(&format!("le-gap-trend-{trend}.csv"), &synthetic(trend, 90));
        let r = json(&[
            "le-gap",
            "--input",
            &file,
            "--target-reduction",
            "5",
            "--target-year",
            "2028",
            "--repetitions",
            "1000",
            "--format",
            "json",
        ]);
        let t = &r[0]["gap_trajectory"];
        assert_eq!(t["status"], want, "trend {trend}: {t}");
        let base = f(&t["baseline"]);
        assert!((f(&t["target"]) - 0.95 * base).abs() < 1e-12);
        // Required: (target − baseline)/(2028 − 2015), the baseline 2014-16 being centred on 2015.
        assert!((f(&t["required_annual_change"]) + 0.05 * base / 13.0).abs() < 1e-12);
    }
}

/// The example the README runs works, as a table, CSV and JSON; the table names the sections.
#[test]
fn the_readme_example_runs() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../seeds/examples/le-gap.csv");
    let example = example.to_string_lossy();
    let out = equitas(&[
        "le-gap",
        "--input",
        &example,
        "--baseline",
        "2014-16",
        "--target-year",
        "2028",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for want in [
        "Life expectancy at birth by IMD quintile (1 = most deprived), group sex=F",
        "gap (5 - 1)",
        "SII",
        "Change against the baseline 2014-16:",
        "Trajectory to a 5% smaller value by 2028",
        "Arriaga decomposition of the gap by age band",
        "By cause, all ages (years):",
        "group sex=M",
    ] {
        assert!(s.contains(want), "{want:?} not in\n{s}");
    }
    assert!(!s.contains("Not computed"), "{s}");
    let out = equitas(&[
        "le-gap",
        "--input",
        &example,
        "--format",
        "csv",
        "--repetitions",
        "1000",
    ]);
    let s = text(&out.stdout);
    assert!(s.starts_with(
        "sex,period,measure,quintile,start_age,cause,value,se,lower,upper,verdict,reason\n"
    ));
    assert!(s.contains("\nF,2014-16,arriaga,,0,circulatory,"));
    assert!(s.contains(",gap_projected,"));
}

/// Bad rows name the row, column and value (exit 1); bad flags their range (exit 2).
#[test]
fn bad_rows_and_flags_are_named() {
    let good = synthetic(0.05, 90);
    let lines: Vec<String> = good.lines().map(str::to_owned).collect();
    let bad = |edit: &dyn Fn(&mut Vec<String>)| {
        let mut l = lines.clone();
        edit(&mut l);
        let file = write("le-gap-bad.csv", &(l.join("\n") + "\n"));
        let out = equitas(&["le-gap", "--input", &file, "--repetitions", "1000"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let e = text(&out.stderr);
        e.strip_prefix(&format!("error: {file}: "))
            .unwrap_or(&e)
            .trim_end()
            .to_owned()
    };
    assert_eq!(
        bad(&|l| l[3] = "2014-16,11,10,100,1".into()),
        "row 4, column decile: 11 is not a whole number from 1 to 10"
    );
    assert_eq!(
        bad(&|l| l[3] = "2014-16,1,10,100,-2".into()),
        "the input: row 4, column deaths: -2 must be zero or more"
    );
    assert_eq!(
        bad(&|l| l[3] = "2014-16,1,12,100,2".into()),
        "the input: row 4, column start_age: 12 does not start an age band (0, 1, 5, 10, …, 90, the last open) (--open-band)"
    );
    assert_eq!(
        bad(&|l| l[3] = "spring,1,10,100,2".into()),
        "the input: row 4, column period: \"spring\" is not a year (2019) or a range of years (2017-19, 2017-2019, 2017 to 2019, 2019/20) from 1800 to 2200, spanning at most 20 years"
    );
    assert_eq!(
        bad(&|l| l[0] = "period,decile,start_age,population,dead".into()),
        "the input has no column \"deaths\"; its columns are period,decile,start_age,population,dead"
    );
    assert_eq!(bad(&|l| l.truncate(1)), "the input: there are no rows");
    let file = write("le-gap-flags.csv", &good);
    for (flag, value, allowed) in [
        (
            "--target-reduction",
            "100",
            "a percentage above 0 and below 100",
        ),
        (
            "--target-year",
            "1700",
            "not a whole number from 1800 to 2200",
        ),
        (
            "--repetitions",
            "999",
            "not a whole number from 1000 to 10000000",
        ),
        ("--confidence", "0.5", "0.9 to 0.999999"),
        ("--open-band", "80", "[possible values: 90, 85]"),
    ] {
        let out = equitas(&["le-gap", "--input", &file, flag, value]);
        assert_bad_value(&out, flag, value, allowed);
    }
    let out = equitas(&["le-gap", "--input", &file, "--baseline", "2015"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).ends_with(
        "the input: the baseline \"2015\" is not one of the periods (2014-16, 2017-19, 2020-22) (--baseline)\n"
    ));
}
