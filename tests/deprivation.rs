//! The deprivation index over the real IMD files in `../shared/data/imd/`.

use std::fs::File;
use std::io::BufReader;

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
    assert!((share - 20.0).abs() <= 0.01, "Core20 share {share}%");
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
