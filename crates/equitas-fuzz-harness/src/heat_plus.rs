//! The WHO HEAT Plus upload template, as `equitas measures` and the data page read it.

use equitas_core::io::heat_plus::{self, MeasureResult};
use equitas_core::measures::{
    MeasureId, Options, REPORT_OPTIONS, compute, compute_many, compute_report_measure,
    compute_simple_ordered_impact,
};

/// The measures `compute_simple_ordered_impact` covers (the assessment report's engine).
const SIMPLE_ORDERED_IMPACT: [MeasureId; 8] = [
    MeasureId::D,
    MeasureId::R,
    MeasureId::Aci,
    MeasureId::Rci,
    MeasureId::Sii,
    MeasureId::Rii,
    MeasureId::Par,
    MeasureId::Paf,
];

/// A HEAT Plus CSV, read into strata, then every measure computed.
///
/// Checks, when it reads:
/// - writing the strata back as a HEAT Plus CSV and reading that gives the same strata;
/// - every one of the 21 measures either has a value or a reason, and holds no NaN (the
///   measures' promise: "a measure that cannot be computed returns a `Reason`, never NaN");
/// - `compute_many`, which prepares the stratum and draws the simulation once, gives the same
///   results as `compute` measure by measure; `compute_simple_ordered_impact` gives the same as
///   `compute` for its eight measures, and `compute_report_measure` (the browser's assessment
///   engine) the same as `compute` with the report's options for D, SII and RII.
pub fn heat_plus(data: &[u8]) {
    let Ok(strata) = heat_plus::read(data) else {
        return;
    };
    let mut written = Vec::new();
    heat_plus::write(&strata, &mut written).expect("writing to memory");
    let back = heat_plus::read(written.as_slice()).unwrap_or_else(|e| {
        panic!(
            "the strata as written fail to read back: {e}\n{}",
            String::from_utf8_lossy(&written)
        )
    });
    assert_eq!(back, strata, "changed through writing and reading");

    let options = Options::default();
    for r in heat_plus::measure_all(&strata, &MeasureId::ALL, &options) {
        check(&r);
    }
    for h in &strata {
        let many = compute_many(&h.stratum, &MeasureId::ALL, &options);
        for (m, r) in many {
            let one = compute(&h.stratum, m, &options);
            assert_eq!(r, one, "{m:?}: compute_many and compute differ");
            if SIMPLE_ORDERED_IMPACT.contains(&m) {
                let small = compute_simple_ordered_impact(&h.stratum, m, &options);
                assert_eq!(
                    small, one,
                    "{m:?}: compute_simple_ordered_impact and compute differ"
                );
            }
            if matches!(m, MeasureId::D | MeasureId::Sii | MeasureId::Rii) {
                // Written out, so that a NaN in a reason compares equal to itself.
                let report = format!("{:?}", compute_report_measure(&h.stratum, m));
                let full = format!("{:?}", compute(&h.stratum, m, &REPORT_OPTIONS));
                assert_eq!(
                    report, full,
                    "{m:?}: compute_report_measure and compute differ"
                );
            }
        }
    }
}

fn check(r: &MeasureResult) {
    let what = format!("{:?} of {:?}", r.measure, r.indicator_abbr);
    assert!(
        r.estimate.is_some() != r.reason.is_some(),
        "{what}: estimate {:?} with reason {:?}",
        r.estimate,
        r.reason
    );
    crate::not_nan(&format!("{what}: the estimate"), r.estimate);
    crate::not_nan(&format!("{what}: the se"), r.se);
    crate::not_nan(&format!("{what}: the lower limit"), r.ci_lb);
    crate::not_nan(&format!("{what}: the upper limit"), r.ci_ub);
}
