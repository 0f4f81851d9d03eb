//! The split of `Classifier::dimension_cells` into one step per kind of dimension changed
//! nothing: the function as it was before the split, kept here, gives the same cells, the same
//! domain slots and the same errors for every dimension, on random definitions, with and
//! without a deprivation file and a place lookup. When the cells are changed on purpose, change
//! this copy with them or delete this check.

use proptest::prelude::*;

use super::{definition, index, lookup, places};
use crate::cohort::breakdown::{
    BreakdownError, Dimension, DimensionCells, decile_cells, normalise,
};
use crate::cohort::{Classifier, CohortDefinition};
use crate::deprivation::DeprivationIndex;

#[allow(
    clippy::too_many_lines,
    reason = "the function as it was before it was split, kept whole to compare with"
)]
/// The cells of dimension `d`; a domain is given the next slot in `domains` (the index
/// column of each slot) unless it has one.
fn dimension_cells_before_split(
    c: &Classifier<'_>,
    d: &Dimension,
    domains: &mut Vec<usize>,
) -> Result<DimensionCells, BreakdownError> {
    let cat = c.catalogue;
    let mut id = d.id();
    let mut parts: Vec<Vec<String>> = Vec::new();
    let deciles = |r: std::ops::RangeInclusive<u8>| r.map(|d| d.to_string()).collect::<Vec<_>>();
    let unknown_part = || vec!["unknown".to_owned()];
    let (label, cells, unknown, ordered): (String, Vec<String>, Vec<usize>, bool) = match d {
        Dimension::ImdDecile => ("IMD decile".into(), decile_cells(), vec![10], true),
        Dimension::ImdQuintile => {
            let mut cells: Vec<String> = (1..=5).map(|q| q.to_string()).collect();
            cells.push("unknown".to_owned());
            parts = (1..=5u8).map(|q| deciles(2 * q - 1..=2 * q)).collect();
            parts.push(unknown_part());
            ("IMD quintile".into(), cells, vec![5], true)
        }
        Dimension::Core20 => {
            parts = vec![deciles(1..=2), deciles(3..=10), unknown_part()];
            (
                "Core20".into(),
                vec!["yes".into(), "no".into(), "unknown".into()],
                vec![2],
                false,
            )
        }
        Dimension::Domain(name) => {
            let ix = c
                .index
                .ok_or_else(|| BreakdownError::NoIndex(name.clone()))?;
            let wanted = normalise(name);
            let column = ix
                .domains()
                .iter()
                .position(|n| normalise(n) == wanted)
                .ok_or_else(|| BreakdownError::UnknownDomain {
                    name: name.clone(),
                    domains: if ix.domains().is_empty() {
                        "none".to_owned()
                    } else {
                        ix.domains().join(", ")
                    },
                })?;
            if !domains.contains(&column) {
                domains.push(column);
            }
            // The canonical id: the name as the file spells it.
            let name = &ix.domains()[column];
            id = format!("domain={name}");
            (
                format!("{name} domain decile"),
                decile_cells(),
                vec![10],
                true,
            )
        }
        Dimension::EthnicGroup => {
            let cells: Vec<String> = cat
                .ethnicity
                .broad_groups
                .iter()
                .map(|b| b.id.clone())
                .collect();
            parts = cells
                .iter()
                .map(|g| {
                    cat.ethnicity
                        .categories
                        .iter()
                        .filter(|c| &c.broad_group == g)
                        .map(|c| c.code.clone())
                        .collect()
                })
                .collect();
            let last = cells.len().saturating_sub(1);
            ("Ethnic group".into(), cells, vec![last], false)
        }
        Dimension::EthnicCategory => {
            let not_stated = cat.ethnicity.broad_groups.last().map(|b| b.id.as_str());
            let unknown = cat
                .ethnicity
                .categories
                .iter()
                .enumerate()
                .filter(|(_, c)| Some(c.broad_group.as_str()) == not_stated)
                .map(|(i, _)| i)
                .collect();
            (
                "Ethnic category".into(),
                c.ethnic_codes.clone(),
                unknown,
                false,
            )
        }
        Dimension::AgeBand => {
            let n = c.definition.age_bands.len();
            let cells = (0..=n).map(|i| c.definition.age_band_label(i)).collect();
            ("Age band".into(), cells, vec![n], true)
        }
        Dimension::Sex => (
            "Sex".into(),
            super::Sex::ALL.iter().map(|s| s.id().to_owned()).collect(),
            vec![3],
            false,
        ),
        Dimension::PlusGroup(id) => {
            let group = c
                .definition
                .plus_groups
                .iter()
                .find(|g| &g.id == id)
                .ok_or_else(|| BreakdownError::UnknownPlusGroup {
                    id: id.clone(),
                    groups: c
                        .definition
                        .plus_groups
                        .iter()
                        .map(|g| g.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            (
                group.label.clone(),
                vec!["member".into(), "not_member".into()],
                Vec::new(),
                false,
            )
        }
        Dimension::Place => {
            let p = c
                .place_tables()
                .ok_or_else(|| BreakdownError::NoPlaces(d.id()))?;
            let n = p.cells.len();
            let values = p.lookup.values();
            parts = (0..n)
                .map(|c| {
                    if c == n - 1 {
                        return unknown_part();
                    }
                    (0..values.len())
                        .filter(|&v| usize::from(p.cell_of_value[v]) == c)
                        .map(|v| values[v].clone())
                        .collect()
                })
                .collect();
            ("Place".into(), p.cells.clone(), vec![n - 1], false)
        }
        Dimension::PlaceLookup => {
            let p = c
                .place_tables()
                .ok_or_else(|| BreakdownError::NoPlaces(d.id()))?;
            let mut cells = p.lookup.values().to_vec();
            cells.push("unknown".to_owned());
            let n = cells.len();
            (
                p.lookup.value_column().to_owned(),
                cells,
                vec![n - 1],
                false,
            )
        }
    };
    Ok(DimensionCells {
        id,
        label,
        cells,
        unknown,
        ordered,
        parts,
    })
}

/// Every dimension, with domains spelt in several ways (and one no file has) and every PLUS
/// group of `def` (and one it has not).
fn every_dimension(def: &CohortDefinition) -> Vec<Dimension> {
    let mut out = vec![
        Dimension::ImdDecile,
        Dimension::ImdQuintile,
        Dimension::Core20,
        Dimension::Domain("Income".into()),
        Dimension::Domain("health".into()),
        Dimension::Domain("HEALTH".into()),
        Dimension::Domain("Crime".into()),
        Dimension::EthnicGroup,
        Dimension::EthnicCategory,
        Dimension::AgeBand,
        Dimension::Sex,
        Dimension::Place,
        Dimension::PlaceLookup,
        Dimension::PlusGroup("not_a_group".into()),
    ];
    out.extend(
        def.plus_groups
            .iter()
            .map(|g| Dimension::PlusGroup(g.id.clone())),
    );
    out
}

/// A small England 2019 index with no domains.
fn index_without_domains() -> DeprivationIndex {
    let csv = "lsoa11_code,IMD_decile,IMD_rank\nE01000000,1,1\nE01000001,10,32844\n";
    DeprivationIndex::from_csv(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dimension_cells_are_as_before_the_split(
        rows in proptest::collection::vec((1u8..=10, 1u8..=10, 1u8..=10), 6..30),
        def in definition(),
        grouped in any::<bool>(),
    ) {
        let ix = index(&rows);
        let bare = index_without_domains();
        let lookup = lookup(rows.len());
        let places = places();
        let new = |ix| Classifier::new(def.clone(), ix).unwrap_or_else(|e| panic!("{e}"));
        let classifiers = [
            new(Some(&ix))
                .with_places(&lookup, grouped.then_some(&places))
                .unwrap_or_else(|e| panic!("{e}")),
            new(Some(&ix)),
            new(Some(&bare)),
            new(None),
        ];
        for c in classifiers {
            let (mut now, mut before) = (Vec::new(), Vec::new());
            for d in every_dimension(&def) {
                let got = c.dimension_cells(&d, &mut now);
                let want = dimension_cells_before_split(&c, &d, &mut before);
                prop_assert_eq!(&got, &want, "{}", d);
                prop_assert_eq!(&now, &before, "domain slots after {}", d);
            }
        }
    }
}
