//! IMD files: `DeprivationIndex` loaded from bytes, as `--imd FILE` loads it.

use equitas_core::deprivation::{AreaCode, DeprivationIndex};

/// A made-up England 2019 index in the tabulated layout: ten areas with codes past the real
/// ones (the real England 2011 LSOAs stop at E01033768), one per decile, with ranks in the
/// decile's tenth of the 32,844 published areas. Not real data: the person-record targets look
/// areas up in it.
pub(crate) const SYNTHETIC_ENGLAND_2019: &str = "\
lsoa11_code,IMD_decile,Income_decile,Health_decile,IMD_rank,Income_rank,Health_rank
E01099901,1,1,2,17,40,3500
E01099902,2,3,2,3300,6600,4000
E01099903,3,2,4,6600,4000,10000
E01099904,4,4,4,9900,9900,9900
E01099905,5,6,5,13200,16500,13200
E01099906,6,5,7,16500,13200,20000
E01099907,7,7,6,19800,19800,16600
E01099908,8,9,8,23000,26300,23000
E01099909,9,8,10,26300,23000,30000
E01099910,10,10,9,29600,32000,26500
";

/// An IMD file, loaded from bytes with its layout and edition detected.
///
/// Checks, when it loads:
/// - every area's code finds that same area through the perfect hash (`lookup` and
///   `lookup_bytes` of its written form), and a code the file does not have finds nothing
///   or an area with exactly that code;
/// - there is one decile count per area, and each area's decile, quintile and Core20 flag
///   agree with one another;
/// - loading it again, asking for the edition it was, gives the same areas.
pub fn imd(data: &[u8]) {
    let Ok(index) = DeprivationIndex::from_csv(data) else {
        return;
    };
    let codes = index.codes();
    assert_eq!(codes.len(), index.len());
    assert!(!index.is_empty(), "an index loaded with no areas");
    for &code in codes {
        let id = index
            .lookup(code)
            .unwrap_or_else(|| panic!("area {code} is in the file but not found"));
        let area = index.area(id);
        assert_eq!(area.code(), code, "{code} finds another area");
        let written = code.to_string();
        assert_eq!(
            AreaCode::parse(&written),
            Ok(code),
            "{written} reads as another code"
        );
        assert_eq!(
            index.lookup_bytes(written.as_bytes()),
            Ok(Some(id)),
            "{written} as text finds another area"
        );
        assert_eq!(area.decile().quintile(), area.quintile());
        assert!(area.rank() >= 1);
        not_nan_score(&written, area.score());
        assert_eq!(area.domain_deciles().len(), index.domains().len());
        if let Ok(core20) = index.core20(code) {
            assert_eq!(core20, area.decile().is_core20());
        }
    }
    assert_eq!(
        index.decile_counts().iter().sum::<usize>(),
        index.len(),
        "decile counts do not add up to the areas"
    );
    // Codes near the file's: lookups of codes it lacks find nothing, or exactly that code.
    for window in data.split(|b| matches!(b, b',' | b'\n' | b'\r')) {
        let trimmed = window.trim_ascii();
        if let Ok(code) = AreaCode::parse_bytes(trimmed)
            && let Some(id) = index.lookup(code)
        {
            assert_eq!(index.area(id).code(), code);
        }
    }
    let again = DeprivationIndex::from_csv_as(data, index.edition())
        .unwrap_or_else(|e| panic!("loads, but not as its own edition: {e}"));
    assert_eq!(again.codes(), codes);
}

fn not_nan_score(code: &str, score: Option<f64>) {
    crate::not_nan(&format!("the score of {code}"), score);
}
