use super::*;

#[test]
fn sex_accepts_the_documented_spellings_only() {
    for (text, sex) in [
        ("male", Sex::Male),
        ("M", Sex::Male),
        ("1", Sex::Male),
        ("Female", Sex::Female),
        ("2", Sex::Female),
        ("9", Sex::Indeterminate),
        ("", Sex::Unknown),
        ("0", Sex::Unknown),
        ("X", Sex::Unknown),
    ] {
        assert_eq!(Sex::parse(text.as_bytes()), Some(sex), "{text}");
    }
    for bad in ["man", "3", "mal", "femalee"] {
        assert_eq!(Sex::parse(bad.as_bytes()), None, "{bad}");
    }
}

#[test]
fn bitsets_iterate_in_order() {
    let mut b = BitSet::default();
    for i in [5, 0, 63, 17] {
        b.insert(i);
    }
    b.insert(64);
    assert_eq!(b.iter().collect::<Vec<_>>(), [0, 5, 17, 63]);
    assert_eq!(b.len(), 4);
    assert!(b.contains(63) && !b.contains(64) && !b.contains(1));
}

#[test]
fn age_band_labels_and_lookup() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap_or_else(|e| panic!("{e}"));
    let labels: Vec<String> = (0..=c.definition().age_bands.len())
        .map(|i| c.definition().age_band_label(i))
        .collect();
    assert_eq!(labels.first().map(String::as_str), Some("0-4"));
    assert_eq!(labels[labels.len() - 2], "85+");
    assert_eq!(labels[labels.len() - 1], "unknown");
    for (age, band) in [
        (0u8, "0-4"),
        (4, "0-4"),
        (17, "10-17"),
        (18, "18-24"),
        (120, "85+"),
    ] {
        let r = CompactRecord {
            age: Some(age),
            ..CompactRecord::default()
        };
        let m = c.classify_compact(&r);
        assert_eq!(c.describe(&m).age_band, band, "{age}");
    }
}
