//! The deprivation index over the real IMD files in `../shared/data/imd/`.

use std::fs::File;
use std::io::BufReader;

use approx::abs_diff_eq;
use equitas_core::deprivation::{
    AreaCode, DeprivationError, DeprivationIndex, ImdEdition, Layout, LoadError,
};

fn load(name: &str) -> DeprivationIndex {
    let path = crate::shared(&format!("data/imd/{name}"));
    DeprivationIndex::from_csv(BufReader::new(File::open(path).unwrap())).unwrap()
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

#[test]
fn england_2019_has_32844_lsoas_in_even_deciles() {
    let ix = load("imd2019_england_lsoa11.csv");
    assert_eq!(ix.edition(), ImdEdition::England2019);
    assert_eq!(ix.layout(), Layout::Tabulated);
    assert_eq!(ix.len(), 32_844);
    assert_eq!(ix.len(), ImdEdition::England2019.published_areas());
    for (d, n) in ix.decile_counts().iter().enumerate() {
        assert!(*n == 3_284 || *n == 3_285, "decile {} has {n} areas", d + 1);
    }
    assert_eq!(
        ix.domains(),
        [
            "Income",
            "Employment",
            "Education",
            "Health",
            "Crime",
            "Housing_and_Access",
            "Environment"
        ]
    );
}

#[test]
fn england_2025_has_33755_lsoas() {
    let ix = load("imd2025_england_lsoa21.csv");
    assert_eq!(ix.edition(), ImdEdition::England2025);
    assert_eq!(ix.len(), 33_755);
    for (d, n) in ix.decile_counts().iter().enumerate() {
        assert!(*n == 3_375 || *n == 3_376, "decile {} has {n} areas", d + 1);
    }
    // 2025 has scores.
    let a = ix.area(ix.lookup(code("E01000001")).unwrap());
    assert_eq!(a.score(), Some(8.742));
}

#[test]
fn known_areas_have_their_published_deciles() {
    // Tendring 018A (Jaywick) is the most deprived LSOA in England in both editions.
    for (file, n) in [
        ("imd2019_england_lsoa11.csv", 1),
        ("imd2025_england_lsoa21.csv", 1),
    ] {
        let ix = load(file);
        let a = ix.area(ix.lookup(code("E01021988")).unwrap());
        assert_eq!(
            (a.rank(), a.decile().get(), a.quintile().get()),
            (n, 1, 1),
            "{file}"
        );
        assert!(ix.core20_str("E01021988").unwrap());
    }
    let ix = load("imd2019_england_lsoa11.csv");
    let a = ix.area(ix.lookup(code("E01000001")).unwrap());
    assert_eq!((a.decile().get(), a.rank()), (9, 29_199));
    assert_eq!(a.domain_deciles(), [10, 10, 10, 10, 10, 3, 3]);
    assert_eq!(a.domain_rank(0), Some(32_831.0));
    assert!(!ix.core20_str("E01000001").unwrap());
    // E01017787 is the least deprived LSOA of 2019.
    let a = ix.area(ix.lookup(code("E01017787")).unwrap());
    assert_eq!((a.rank(), a.decile().get()), (32_844, 10));
}

#[test]
fn core20_is_a_fifth_of_2019_lsoas() {
    let ix = load("imd2019_england_lsoa11.csv");
    let core20 = ix
        .codes()
        .iter()
        .filter(|c| ix.core20(**c).unwrap())
        .count();
    #[allow(clippy::cast_precision_loss)]
    let share = core20 as f64 / ix.len() as f64 * 100.0;
    // Core20 is the most deprived fifth of areas: 20% to within 0.01 percentage points.
    assert!(
        abs_diff_eq!(share, 20.0, epsilon = 0.01),
        "Core20 share {share}%"
    );
}

#[test]
fn every_code_looks_up_to_itself_and_unknown_codes_do_not() {
    for file in [
        "imd2019_england_lsoa11.csv",
        "imd2025_england_lsoa21.csv",
        "imd2019_wales_lsoa11.csv",
        "imd2020_scotland_dz11.csv",
        "imd2017_northern_ireland_soa01.csv",
    ] {
        let ix = load(file);
        for (row, c) in ix.codes().iter().enumerate() {
            assert_eq!(ix.lookup(*c).map(|a| a.0 as usize), Some(row), "{file} {c}");
        }
        for missing in [
            "E01099999",
            "W01999999",
            "S01999999",
            "95ZZ99S9",
            "E02000001",
        ] {
            assert_eq!(ix.lookup(code(missing)), None, "{file} {missing}");
        }
    }
}

#[test]
fn devolved_indices_load_and_refuse_core20() {
    for (file, edition, n) in [
        ("imd2019_wales_lsoa11.csv", ImdEdition::Wales2019, 1_909),
        ("imd2020_scotland_dz11.csv", ImdEdition::Scotland2020, 6_976),
        (
            "imd2017_northern_ireland_soa01.csv",
            ImdEdition::NorthernIreland2017,
            890,
        ),
    ] {
        let ix = load(file);
        assert_eq!((ix.edition(), ix.len()), (edition, n), "{file}");
        let first = ix.codes()[0];
        let err = ix.core20(first).unwrap_err();
        assert_eq!(err, DeprivationError::Core20NotEngland(edition));
        assert!(
            err.to_string()
                .contains("Core20 is defined on the English IMD only"),
            "{err}"
        );
    }
}

#[test]
fn a_2011_code_missing_from_the_2025_index_is_reported_not_guessed() {
    // E01033728 exists in 2019 (2011 LSOAs); E01035000-range codes exist only in 2021 LSOAs.
    let ix25 = load("imd2025_england_lsoa21.csv");
    let ix19 = load("imd2019_england_lsoa11.csv");
    let only_2021 = ix25
        .codes()
        .iter()
        .find(|c| ix19.lookup(**c).is_none())
        .unwrap();
    let err = ix19.core20(*only_2021).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("area code {only_2021} is not in the england-2019 index")
    );
}

#[test]
fn edition_is_checked_when_asked_for() {
    let path = crate::shared("data/imd/imd2025_england_lsoa21.csv");
    let err = DeprivationIndex::from_csv_as(File::open(path).unwrap(), ImdEdition::England2019)
        .unwrap_err();
    assert!(matches!(err, LoadError::EditionMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "IMD file is england-2025, not the england-2019 that was asked for"
    );
}

/// The official File 7 layout, rebuilt from the real 2019 file's values with File 7 headers.
#[test]
fn file7_layout_of_the_real_2019_values_matches_the_tabulated_file() {
    let tab = load("imd2019_england_lsoa11.csv");
    let text =
        std::fs::read_to_string(crate::shared("data/imd/imd2019_england_lsoa11.csv")).unwrap();
    let mut out = String::from(
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),\
Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),\
Income Rank (where 1 is most deprived),Income Decile (where 1 is most deprived 10% of LSOAs)\n",
    );
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        // lsoa11_code,IMD_decile,Income_decile,...,IMD_rank(9),Income_rank(10)
        out.push_str(&format!(
            "{},\"Name, with comma\",E06000001,Somewhere,{},{},{},{}\n",
            f[0], f[9], f[1], f[10], f[2]
        ));
    }
    let f7 = DeprivationIndex::from_csv(out.as_bytes()).unwrap();
    assert_eq!(f7.layout(), Layout::File7);
    assert_eq!(f7.edition(), ImdEdition::England2019);
    assert_eq!(f7.len(), tab.len());
    assert_eq!(f7.domains(), ["Income"]);
    for c in tab.codes() {
        let (a, b) = (
            tab.area(tab.lookup(*c).unwrap()),
            f7.area(f7.lookup(*c).unwrap()),
        );
        assert_eq!(
            (a.decile(), a.rank(), a.domain_deciles()[0]),
            (b.decile(), b.rank(), b.domain_deciles()[0])
        );
        assert_eq!(b.district().unwrap().to_string(), "E06000001");
    }
}

#[test]
fn scottish_tied_domain_ranks_are_kept_as_halves() {
    let ix = load("imd2020_scotland_dz11.csv");
    let text =
        std::fs::read_to_string(crate::shared("data/imd/imd2020_scotland_dz11.csv")).unwrap();
    let line = text.lines().find(|l| l.contains("4563.5")).unwrap();
    let c = code(line.split(',').next().unwrap());
    let a = ix.area(ix.lookup(c).unwrap());
    let crime = ix.domains().iter().position(|d| d == "Crime").unwrap();
    assert_eq!(a.domain_rank(crime), Some(4563.5));
}

/// Issue 12, findings 5 (oversized IMD files) and 14 (deciles that contradict their ranks).
mod issue12 {
    use equitas_core::deprivation::{
        DeprivationIndex, LoadError, MAX_IMD_AREAS, MAX_IMD_COLUMNS, MAX_IMD_DOMAINS,
    };

    fn load(text: &str) -> Result<DeprivationIndex, LoadError> {
        DeprivationIndex::from_csv(text.as_bytes())
    }

    /// Finding 5: 100,000 `*_decile` columns took 11 s to scan and then aborted allocating
    /// 26 GB. Now the header is refused at once, naming the limit.
    #[test]
    fn a_header_of_100000_decile_columns_is_refused_cleanly() {
        let mut text = String::from("lsoa11_code,IMD_decile,IMD_rank");
        for i in 0..100_000 {
            text.push_str(&format!(",d{i}_decile"));
        }
        text.push_str("\nE01000001,1,1");
        text.push_str(&",1".repeat(100_000));
        text.push('\n');
        let err = load(&text).unwrap_err().to_string();
        assert!(
            err.contains("longer than 65536 bytes") && err.contains("MAX_IMD_ROW_BYTES"),
            "{err}"
        );
    }

    #[test]
    fn too_many_columns_or_domains_are_refused_naming_the_limit() {
        // Short names, so the header fits a row but has more columns than any IMD file.
        let mut text = String::from("lsoa11_code,IMD_decile,IMD_rank");
        for i in 0..MAX_IMD_COLUMNS {
            text.push_str(&format!(",x{i}"));
        }
        text.push('\n');
        let err = load(&text).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "IMD file has {} columns; at most {MAX_IMD_COLUMNS} are read (MAX_IMD_COLUMNS: \
                 the widest published file has fewer than 60)",
                MAX_IMD_COLUMNS + 3
            )
        );
        let mut text = String::from("lsoa11_code,IMD_decile,IMD_rank");
        for i in 0..=MAX_IMD_DOMAINS {
            text.push_str(&format!(",d{i}_decile"));
        }
        text.push('\n');
        let err = load(&text).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "IMD file has {} domain decile columns; at most {MAX_IMD_DOMAINS} are read (MAX_IMD_DOMAINS",
                MAX_IMD_DOMAINS + 1
            )),
            "{err}"
        );
    }

    #[test]
    fn a_quote_left_open_is_refused_at_the_row_limit_not_read_whole() {
        let mut text = String::from("lsoa11_code,IMD_decile,IMD_rank\nE01000001,\"1,1\n");
        text.push_str(&"E01000002,2,2\n".repeat(10_000));
        let err = load(&text).unwrap_err().to_string();
        assert_eq!(
            err,
            "IMD file could not be read: the row starting on line 2 is longer than 65536 bytes, \
             the most read (MAX_IMD_ROW_BYTES; rows of published IMD files are under 2 KB): a \
             quote opened in it is never closed"
        );
    }

    #[test]
    fn more_areas_than_any_index_are_refused() {
        // Codes that parse, in order; deciles follow the ranks of an index of this many areas.
        let n = MAX_IMD_AREAS + 1;
        let mut text = String::with_capacity(n * 24);
        text.push_str("lsoa11_code,IMD_decile,IMD_rank\n");
        for i in 0..n {
            text.push_str(&format!("E{:08},1,1\n", i + 1));
        }
        let err = load(&text).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "IMD file has {n} areas; at most {MAX_IMD_AREAS} are read (MAX_IMD_AREAS: the \
                 largest published index has 33,755)"
            )
        );
    }

    /// Finding 14: a decile that contradicts the rank was accepted.
    #[test]
    fn a_decile_that_contradicts_its_rank_is_refused_naming_row_code_rank_and_decile() {
        // England 2019 has 32,844 areas: decile 1 is ranks 1-3,285 (3,284.4 rounds either way).
        let err = load("lsoa11_code,IMD_decile,IMD_rank\nE01000001,1,10\nE01000002,6,20000\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "IMD file line 3: area E01000002 has IMD_decile 6 but IMD_rank 20000; of the 32844 \
             areas of england-2019, decile 6 covers ranks 16423 to 19707"
        );
        assert!(matches!(
            err,
            LoadError::DecileContradictsRank { line: 3, .. }
        ));
        // A rank past the last area is no decile's.
        let err = load("lsoa11_code,IMD_decile,IMD_rank\nE01000001,10,40000\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("has IMD_decile 10 but IMD_rank 40000; of the 32844 areas"),
            "{err}"
        );
        // Domains are checked too, against their own rank column.
        let err = load(
            "lsoa11_code,IMD_decile,IMD_rank,Income_decile,Income_rank\nE01000001,1,10,10,5\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "IMD file line 2: area E01000001 has Income_decile 10 but Income_rank 5; of the \
             32844 areas of england-2019, decile 10 covers ranks 29560 to 32844"
        );
    }

    #[test]
    fn the_published_boundary_and_tie_behaviour_is_accepted() {
        // The rank that straddles a tenth may be in either decile: 3,284.4 → rank 3,285 is
        // decile 1 (WIMD/SIMD's rule) or 2 (the English one).
        for d in [1, 2] {
            let text = format!("lsoa11_code,IMD_decile,IMD_rank\nE01000001,{d},3285\n");
            assert!(load(&text).is_ok(), "decile {d}");
        }
        assert!(load("lsoa11_code,IMD_decile,IMD_rank\nE01000001,2,3284\n").is_err());
        // Tied areas share a rank (SIMD gives a tied pair the half between their places): two
        // areas at 3285.5 hold places 3285 and 3286, so they may be in deciles 1 and 2. One
        // area alone at 3285.5 is past decile 1.
        let ok = "lsoa11_code,IMD_decile,IMD_rank,Crime_decile,Crime_rank\n\
                  E01000001,1,1,1,3285.5\nE01000002,1,2,2,3285.5\n";
        assert!(load(ok).is_ok());
        let lone = "lsoa11_code,IMD_decile,IMD_rank,Crime_decile,Crime_rank\n\
                    E01000001,1,1,1,3285.5\nE01000002,1,2,2,3290\n";
        assert!(
            load(lone)
                .unwrap_err()
                .to_string()
                .contains("has Crime_decile 1 but Crime_rank 3285.5")
        );
    }
}
