//! Breakdowns against a brute-force recount, on random records and random definitions.

use proptest::prelude::*;

use super::*;
use crate::catalogue::{AgeRange, Catalogue};
use crate::cohort::compact::Deprivation;
use crate::cohort::{
    CohortCounts, CohortDefinition, CompactRecord, PlusGroup, Rule, Sex, Smoking, report,
};
use crate::deprivation::{AreaCode, AreaId, DeprivationIndex, ImdDecile};
use crate::geography::{PlaceLookup, Places};

mod before_split;

/// England 2019's published number of LSOAs: ranks are checked against it.
const N_2019: u32 = 32_844;

/// A small England 2019 index with two domains (Income, Health), `rows` areas.
pub(in crate::cohort) fn index(rows: &[(u8, u8, u8)]) -> DeprivationIndex {
    let mut csv = String::from("lsoa11_code,IMD_decile,Income_decile,Health_decile,IMD_rank\n");
    for (i, (d, inc, h)) in rows.iter().enumerate() {
        let rank = N_2019 * u32::from(d - 1) / 10 + 1;
        csv.push_str(&format!("E0100{i:04},{d},{inc},{h},{rank}\n"));
    }
    DeprivationIndex::from_csv(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn flags() -> Vec<String> {
    Catalogue::builtin()
        .groups
        .record_flags
        .iter()
        .map(|f| f.id.clone())
        .collect()
}

fn conditions() -> Vec<String> {
    Catalogue::builtin()
        .conditions
        .conditions
        .iter()
        .map(|c| c.id.clone())
        .collect()
}

/// A random PLUS group rule, nested at most `depth` deep.
fn rule(depth: u32) -> BoxedStrategy<Rule> {
    let nf = flags().len();
    let nc = conditions().len();
    let leaf = prop_oneof![
        proptest::collection::vec(0..nf, 1..3)
            .prop_map(|ix| Rule::AnyFlag(ix.into_iter().map(|i| flags()[i].clone()).collect())),
        proptest::collection::vec(0..nc, 1..3).prop_map(|ix| Rule::AnyCondition(
            ix.into_iter().map(|i| conditions()[i].clone()).collect()
        )),
        Just(Rule::EthnicMinority),
        (0u8..4).prop_map(Rule::LongTermConditionsAtLeast),
        (0u8..100, 0u8..60).prop_map(|(min, span)| Rule::Age(AgeRange {
            min,
            max: min.saturating_add(span).min(120)
        })),
        Just(Rule::Cyp),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        3 => leaf,
        1 => rule(depth - 1).prop_map(|r| Rule::Not(Box::new(r))),
        1 => proptest::collection::vec(rule(depth - 1), 1..3).prop_map(Rule::AnyOf),
        1 => proptest::collection::vec(rule(depth - 1), 1..3).prop_map(Rule::AllOf),
    ]
    .boxed()
}

/// A random definition: the national one with random age bands and PLUS groups.
pub(in crate::cohort) fn definition() -> impl Strategy<Value = CohortDefinition> {
    (
        proptest::collection::btree_set(1u8..=110, 0..8),
        proptest::collection::vec(rule(2), 1..6),
    )
        .prop_map(|(bands, rules)| {
            let mut d = CohortDefinition::national();
            d.age_bands = std::iter::once(0).chain(bands).collect();
            d.plus_groups = rules
                .into_iter()
                .enumerate()
                .map(|(i, rule)| PlusGroup {
                    places: Vec::new(),
                    age: None,
                    sex: Vec::new(),
                    id: format!("g{i}"),
                    label: format!("Group {i}"),
                    rule,
                    note: None,
                })
                .collect();
            d
        })
}

/// A random dimension (PLUS groups among the first `groups`).
fn dimension(groups: usize) -> impl Strategy<Value = Dimension> {
    prop_oneof![
        Just(Dimension::ImdDecile),
        Just(Dimension::ImdQuintile),
        Just(Dimension::Core20),
        Just(Dimension::Domain("Income".into())),
        Just(Dimension::Domain("health".into())),
        Just(Dimension::EthnicGroup),
        Just(Dimension::EthnicCategory),
        Just(Dimension::AgeBand),
        Just(Dimension::Sex),
        Just(Dimension::Place),
        Just(Dimension::PlaceLookup),
        (0..groups).prop_map(|g| Dimension::PlusGroup(format!("g{g}"))),
    ]
}

/// Random breakdowns: each a dimension or two different ones.
pub(in crate::cohort) fn breakdowns(groups: usize) -> impl Strategy<Value = Vec<Breakdown>> {
    proptest::collection::vec(
        (dimension(groups), proptest::option::of(dimension(groups))),
        1..5,
    )
    .prop_map(|pairs| {
        let mut out: Vec<Breakdown> = Vec::new();
        for (a, b) in pairs {
            let br = match b {
                Some(b) if b != a => Breakdown::two(a, b).unwrap_or_else(|e| panic!("{e}")),
                _ => Breakdown::one(a),
            };
            if !out.contains(&br) {
                out.push(br);
            }
        }
        out
    })
}

/// A random record over an index of `rows` areas: deprivation from the index, given directly,
/// of an unknown area, or none.
pub(in crate::cohort) fn record(
    rows: usize,
) -> impl Strategy<Value = (CompactRecord, u8, Option<u8>)> {
    let cat = Catalogue::builtin();
    let n_ethnic = cat.ethnicity.categories.len() as u8;
    let n_cond = cat.conditions.conditions.len();
    let n_flags = cat.groups.record_flags.len();
    let n_events = cat.metrics().count();
    (
        proptest::option::of(0u8..=120),
        0usize..4,
        0..n_ethnic,
        (0u8..4, 0..rows.max(1), 1u8..=10),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        0usize..4,
    )
        .prop_map(
            move |(age, sex, ethnic, (dep, row, decile), c, f, e, smoking)| {
                let mask = |bits: u64, n: usize| bits & ((1u64 << n) - 1);
                let r = CompactRecord {
                    age,
                    sex: Sex::ALL[sex],
                    ethnic,
                    deprivation: Deprivation::None,
                    area: None,
                    place: crate::cohort::NO_PLACE,
                    bridge: 0,
                    conditions: crate::cohort::BitSet(mask(c, n_cond)),
                    flags: crate::cohort::BitSet(mask(f, n_flags)),
                    events: crate::cohort::BitSet(mask(e, n_events)),
                    smoking: [
                        Smoking::Current,
                        Smoking::Ex,
                        Smoking::Never,
                        Smoking::Unknown,
                    ][smoking],
                };
                (
                    r,
                    dep,
                    (dep == 0 && rows > 0).then_some(row as u8).or(Some(decile)),
                )
            },
        )
}

/// The breakdowns of `picks` that name only PLUS groups a definition of `groups` groups has.
pub(in crate::cohort) fn known(picks: Vec<Breakdown>, groups: usize) -> Vec<Breakdown> {
    picks
        .into_iter()
        .filter(|b| {
            b.dimensions().iter().all(|d| match d {
                Dimension::PlusGroup(g) => g[1..].parse::<usize>().is_ok_and(|i| i < groups),
                _ => true,
            })
        })
        .collect()
}

/// The cohort report of random people `raw` over an index of `rows` areas: a classifier of
/// `def` with the breakdowns of `picks` it can count, the lookup's Places when `grouped`.
pub(in crate::cohort) fn random_report(
    rows: &[(u8, u8, u8)],
    def: CohortDefinition,
    picks: Vec<Breakdown>,
    raw: Vec<(CompactRecord, u8, Option<u8>)>,
    grouped: bool,
) -> crate::cohort::CohortReport {
    let ix = index(rows);
    let lookup = lookup(rows.len());
    let places = places();
    let picks = known(picks, def.plus_groups.len());
    let c = Classifier::new(def, Some(&ix))
        .unwrap_or_else(|e| panic!("{e}"))
        .with_places(&lookup, grouped.then_some(&places))
        .unwrap_or_else(|e| panic!("{e}"))
        .with_breakdowns(&picks)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut counts = CohortCounts::new(&c);
    for r in raw {
        counts.count(&c, &resolve(&ix, &lookup, r));
    }
    report(&counts, &c)
}

/// The code of the index's area `row`.
fn code(row: usize) -> String {
    format!("E0100{row:04}")
}

/// A place lookup of the index's areas (all but every fourth, which are in no row of it) to
/// three values, `v0`, `v1` and `v2`.
pub(in crate::cohort) fn lookup(rows: usize) -> PlaceLookup {
    let pairs: Vec<(String, String)> = (0..rows)
        .filter(|i| i % 4 != 3)
        .map(|i| (code(i), format!("v{}", i % 3)))
        .collect();
    PlaceLookup::from_pairs(
        "lsoa",
        "value",
        pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Places `p0` (made of `v0`) and `p1` (of `v1`); `v2` is in no Place.
pub(in crate::cohort) fn places() -> Places {
    let text = r#"{"id": "t", "label": "T", "version": 1, "level": "value", "places": [
        {"id": "p0", "label": "P0", "areas": ["v0"]},
        {"id": "p1", "label": "P1", "areas": ["v1"]}]}"#;
    Places::from_json(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The record with its deprivation and place filled in from the index and the lookup, as the
/// readers do.
pub(in crate::cohort) fn resolve(
    ix: &DeprivationIndex,
    lookup: &PlaceLookup,
    (mut r, dep, v): (CompactRecord, u8, Option<u8>),
) -> CompactRecord {
    match (dep, v) {
        (0, Some(row)) if usize::from(row) < ix.len() => {
            let id = AreaId(u32::from(row));
            r.deprivation = Deprivation::Known(ix.decile(id));
            r.area = Some(id);
            let area = AreaCode::parse(&code(usize::from(row))).ok();
            r.place = area
                .and_then(|a| lookup.get(a))
                .unwrap_or(crate::cohort::NO_PLACE);
        }
        (1, Some(d)) => {
            r.deprivation =
                Deprivation::Known(ImdDecile::new(d).unwrap_or(ImdDecile::LEAST_DEPRIVED));
        }
        (2, _) => r.deprivation = Deprivation::UnknownArea,
        _ => {}
    }
    r
}

/// A person's label in dimension `d`, worked out without the breakdown code.
fn label(
    c: &Classifier<'_>,
    ix: &DeprivationIndex,
    (lookup, grouped): (&PlaceLookup, bool),
    r: &CompactRecord,
    d: &str,
) -> String {
    let value = (r.place != crate::cohort::NO_PLACE).then(|| lookup.value(r.place).to_owned());
    match d {
        "lookup" => return value.unwrap_or_else(|| "unknown".into()),
        "place" if !grouped => return value.unwrap_or_else(|| "unknown".into()),
        "place" => {
            return match value.as_deref() {
                Some("v0") => "p0".into(),
                Some("v1") => "p1".into(),
                Some(_) => "other".into(),
                None => "unknown".into(),
            };
        }
        _ => {}
    }
    let m = c.classify_compact(r);
    let report = c.describe(&m);
    let cat = c.catalogue();
    let unknown = || "unknown".to_owned();
    if let Some(name) = d.strip_prefix("domain=") {
        let col = ix
            .domains()
            .iter()
            .position(|n| n == name)
            .unwrap_or(usize::MAX);
        return r
            .area
            .map(|id| ix.area(id).domain_deciles()[col].to_string())
            .unwrap_or_else(unknown);
    }
    if let Some(g) = d.strip_prefix("plus=") {
        return if report.plus_groups.iter().any(|x| x == g) {
            "member".into()
        } else {
            "not_member".into()
        };
    }
    match d {
        "imd-decile" => report.imd_decile.map_or_else(unknown, |x| x.to_string()),
        "imd-quintile" => report.imd_quintile.map_or_else(unknown, |x| x.to_string()),
        "core20" => match report.core20 {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => unknown(),
        },
        "ethnicity" => report.ethnic_group,
        "ethnic-category" => cat.ethnicity.categories[usize::from(r.ethnic)].code.clone(),
        "age-band" => report.age_band,
        "sex" => m.sex.id().to_owned(),
        other => panic!("dimension {other}"),
    }
}

/// What a brute-force recount finds: people, Core20, deprivation known, each area and the
/// smoking thread, each PLUS group, each metric's (numerator, denominator).
type Recount = (u64, u64, u64, Vec<u64>, Vec<u64>, Vec<(u64, u64)>);

/// A brute-force recount of the people matching `key` (`all` matches anyone).
fn recount(
    c: &Classifier<'_>,
    records: &[CompactRecord],
    labels: &[Vec<String>],
    key: &[String],
) -> Recount {
    let n_areas = c.areas().len();
    let n_plus = c.definition().plus_groups.len();
    let n_metrics = c.metric_count();
    let (mut people, mut core20, mut known) = (0, 0, 0);
    let mut areas = vec![0; n_areas + 1];
    let mut plus = vec![0; n_plus];
    let mut metrics = vec![(0, 0); n_metrics];
    for (r, l) in records.iter().zip(labels) {
        if !key.iter().zip(l).all(|(k, v)| k == "all" || k == v) {
            continue;
        }
        let m = c.classify_compact(r);
        people += 1;
        core20 += u64::from(m.core20 == Some(true));
        known += u64::from(m.core20.is_some());
        for (a, slot) in areas.iter_mut().enumerate().take(n_areas) {
            *slot += u64::from(m.areas().contains(a));
        }
        areas[n_areas] += u64::from(m.smoking_thread);
        for (g, slot) in plus.iter_mut().enumerate() {
            *slot += u64::from(m.plus_groups.contains(g));
        }
        let (den, num) = c.metric_bits(r, &m);
        for (i, (n, d)) in metrics.iter_mut().enumerate() {
            *d += (den >> i) & 1;
            *n += (num >> i) & 1;
        }
    }
    (people, core20, known, areas, plus, metrics)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every cell and every margin of every breakdown equals a brute-force recount of the people
    /// it describes, the cells add up to their margins, and the grand total is everyone.
    #[test]
    fn breakdowns_equal_a_brute_force_recount(
        rows in proptest::collection::vec((1u8..=10, 1u8..=10, 1u8..=10), 6..30),
        def in definition(),
        picks in (1usize..6).prop_flat_map(breakdowns),
        raw in proptest::collection::vec(record(30), 0..200),
        grouped in any::<bool>(),
        scopes in proptest::collection::vec(0u8..4, 6),
    ) {
        let ix = index(&rows);
        let lookup = lookup(rows.len());
        let places = places();
        let mut def = def;
        // Some groups scoped to a Place (or, with no grouping, to a lookup value).
        for (g, scope) in def.plus_groups.iter_mut().zip(&scopes) {
            let name = if grouped { "p" } else { "v" };
            match scope {
                0 => g.places = vec![format!("{name}0")],
                1 => g.places = vec![format!("{name}1"), format!("{name}0")],
                _ => {}
            }
        }
        let scoped: Vec<Vec<String>> = def.plus_groups.iter().map(|g| g.places.clone()).collect();
        let picks = known(picks, def.plus_groups.len());
        let c = Classifier::new(def, Some(&ix)).unwrap_or_else(|e| panic!("{e}"))
            .with_places(&lookup, grouped.then_some(&places)).unwrap_or_else(|e| panic!("{e}"))
            .with_breakdowns(&picks).unwrap_or_else(|e| panic!("{e}"));
        let records: Vec<CompactRecord> =
            raw.into_iter().map(|r| resolve(&ix, &lookup, r)).collect();
        // A group scoped to Places holds only for people of those Places.
        for r in &records {
            let m = c.classify_compact(r);
            let place = label(&c, &ix, (&lookup, grouped), r, "place");
            for (g, places) in scoped.iter().enumerate() {
                if m.plus_groups.contains(g) && !places.is_empty() {
                    prop_assert!(places.contains(&place), "group {g} in {place}");
                }
            }
        }
        let mut counts = CohortCounts::new(&c);
        for r in &records {
            counts.count(&c, r);
        }
        let rep = report(&counts, &c);
        prop_assert_eq!(rep.breakdowns.len(), picks.len());
        for b in &rep.breakdowns {
            let dims: Vec<&str> = b.dimensions.iter().map(|d| d.id.as_str()).collect();
            let labels: Vec<Vec<String>> = records
                .iter()
                .map(|r| dims.iter().map(|d| label(&c, &ix, (&lookup, grouped), r, d)).collect())
                .collect();
            let expected_cells: usize = b.dimensions.iter().map(|d| d.cells.len()).product();
            let margins = match b.dimensions.len() {
                1 => 1,
                _ => b.dimensions[0].cells.len() + b.dimensions[1].cells.len() + 1,
            };
            prop_assert_eq!(b.cells.len(), expected_cells + margins);
            for cell in &b.cells {
                let (people, core20, known, areas, plus, metrics) =
                    recount(&c, &records, &labels, &cell.key);
                prop_assert_eq!(cell.people, people, "{} {:?}", b.id, cell.key);
                prop_assert_eq!((cell.core20.numerator, cell.core20.denominator), (core20, known));
                prop_assert_eq!(&cell.areas, &areas);
                prop_assert_eq!(&cell.plus_groups, &plus);
                let got: Vec<(u64, u64)> = cell
                    .metrics
                    .iter()
                    .map(|m| (m.estimate.numerator, m.estimate.denominator))
                    .collect();
                prop_assert_eq!(got, metrics);
            }
            // Cells add up to their margins, and the grand total is everyone.
            let total = b.cells.last().map_or(0, |c| c.people);
            prop_assert_eq!(total, records.len() as u64);
            let inner: u64 = b.cells.iter().filter(|c| !c.margin).map(|c| c.people).sum();
            prop_assert_eq!(inner, total);
            if let [a, d2] = b.dimensions.as_slice() {
                for la in &a.cells {
                    let row: u64 = b.cells.iter()
                        .filter(|c| !c.margin && &c.key[0] == la)
                        .map(|c| c.people).sum();
                    prop_assert_eq!(Some(row), b.cell(&[la, "all"]).map(|c| c.people));
                }
                for lb in &d2.cells {
                    let col: u64 = b.cells.iter()
                        .filter(|c| !c.margin && &c.key[1] == lb)
                        .map(|c| c.people).sum();
                    prop_assert_eq!(Some(col), b.cell(&["all", lb]).map(|c| c.people));
                }
            }
        }
        // Saved and read back, the breakdowns are unchanged.
        let saved = counts.to_json().unwrap_or_else(|e| panic!("{e}"));
        let loaded = CohortCounts::from_json(&saved).unwrap_or_else(|e| panic!("{e}"));
        prop_assert!(loaded == counts);
    }
}

#[test]
fn dimensions_read_and_name_themselves() {
    for id in [
        "imd-decile",
        "imd-quintile",
        "core20",
        "domain=Income",
        "ethnicity",
        "ethnic-category",
        "age-band",
        "sex",
        "plus=ld_autism",
    ] {
        assert_eq!(Dimension::parse(id).map(|d| d.id()), Ok(id.to_owned()));
    }
    let err = Dimension::parse("ethnic").unwrap_err().to_string();
    assert!(
        err.starts_with("breakdown dimension \"ethnic\" is not known; use one of imd-decile"),
        "{err}"
    );
    assert_eq!(
        Breakdown::parse("sex:sex").unwrap_err().to_string(),
        "breakdown \"sex:sex\" crosses a dimension with itself"
    );
    assert_eq!(
        Breakdown::parse_list("sex,,core20")
            .unwrap_err()
            .to_string(),
        "breakdown list \"sex,,core20\" has an empty item"
    );
    assert_eq!(
        Breakdown::parse_list("sex, sex").unwrap_err().to_string(),
        "breakdown \"sex\" is asked for twice"
    );
}

#[test]
fn breakdowns_the_classifier_cannot_count_are_refused_naming_the_value() {
    let ix = index(&[(1, 2, 3)]);
    let national = || {
        Classifier::new(CohortDefinition::national(), Some(&ix)).unwrap_or_else(|e| panic!("{e}"))
    };
    let err = |list: &str, c: Classifier<'_>| {
        c.with_breakdowns(&Breakdown::parse_list(list).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("domain=Crime", national()),
        "breakdown dimension domain=Crime: the IMD file has no domain \"Crime\"; its domains are Income, Health"
    );
    assert_eq!(
        err(
            "domain=Income",
            Classifier::new(CohortDefinition::national(), None).unwrap_or_else(|e| panic!("{e}"))
        ),
        "breakdown dimension domain=Income needs the deprivation file (--imd): domain deciles come from it"
    );
    assert!(err("plus=nobody", national()).starts_with(
        "breakdown dimension plus=nobody: the cohort definition has no PLUS group \"nobody\"; its groups are ethnic_minority"
    ));
    // Spelt loosely, a domain is found and named as the file spells it.
    let c = national()
        .with_breakdowns(
            &Breakdown::parse_list("domain=income:sex").unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.breakdown_domains(), ["Income"]);
    assert_eq!(c.breakdowns()[0].id(), "domain=Income:sex");
}

/// The one-way IMD quintile breakdown and the ambitions' quintiles are the same counts, kept
/// apart: they must agree metric for metric (so HEAT Plus output can use either).
#[test]
fn the_quintile_breakdown_agrees_with_the_ambitions() {
    use crate::synth::{Areas, Synth, SynthParams};
    let c = Classifier::new(CohortDefinition::coventry_warwickshire(), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_breakdowns(&[Breakdown::one(Dimension::ImdQuintile)])
        .unwrap_or_else(|e| panic!("{e}"));
    let params = SynthParams::builtin();
    let mut s = Synth::new(&params, 5, Areas::Deciles).unwrap_or_else(|e| panic!("{e}"));
    let mut counts = CohortCounts::new(&c);
    for _ in 0..20_000 {
        let r = c
            .compact(&s.next_person().to_record())
            .unwrap_or_else(|e| panic!("{e}"));
        counts.count(&c, &r);
    }
    let rep = report(&counts, &c);
    let b = &rep.breakdowns[0];
    for (k, a) in rep.ambitions.iter().enumerate() {
        for (q, want) in a.by_quintile.iter().enumerate() {
            let cell = b
                .cell(&[&(q + 1).to_string()])
                .map(|c| c.metrics[k].estimate);
            assert_eq!(cell, Some(*want), "{} quintile {}", a.metric, q + 1);
        }
        let unknown = b.cell(&["unknown"]).map(|c| c.metrics[k].estimate);
        assert_eq!(unknown, Some(a.unknown_deprivation), "{}", a.metric);
        let all = b.cell(&["all"]).map(|c| c.metrics[k].estimate);
        assert_eq!(all, Some(a.overall), "{}", a.metric);
    }
    // Core20 people and the share of those with known deprivation, as the report's total says.
    let all = b.cell(&["all"]).map(|c| (c.people, c.core20.numerator));
    assert_eq!(all, Some((rep.total.people, rep.total.core20)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// An area's Place found by its index row (the fast path `resolve_area` takes for areas
    /// in the index) is the one the lookup's own hash gives, for areas in the index and the
    /// lookup, in only one of them, or in neither; with and without a grouping into Places.
    #[test]
    fn places_by_index_row_equal_the_lookups_own(
        rows in proptest::collection::vec((1u8..=10, 1u8..=10, 1u8..=10), 6..30),
        beyond in proptest::collection::btree_set(0usize..40, 0..12),
        left_out in proptest::collection::btree_set(0usize..30, 0..10),
        probes in proptest::collection::vec(0usize..80, 1..60),
        grouped in any::<bool>(),
    ) {
        let ix = index(&rows);
        // Index rows (but those left out) and areas beyond the index, to three values.
        let areas: Vec<usize> = (0..rows.len())
            .filter(|i| !left_out.contains(i))
            .chain(beyond.iter().map(|b| rows.len() + b))
            .collect();
        prop_assume!(!areas.is_empty());
        let pairs: Vec<(String, String)> =
            areas.iter().map(|&i| (code(i), format!("v{}", i % 3))).collect();
        let lookup = PlaceLookup::from_pairs(
            "lsoa",
            "value",
            pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let places = places();
        let c = Classifier::new(CohortDefinition::national(), Some(&ix))
            .unwrap_or_else(|e| panic!("{e}"))
            .with_places(&lookup, grouped.then_some(&places))
            .unwrap_or_else(|e| panic!("{e}"));
        for p in probes {
            let text = code(p);
            let got = c
                .resolve_area(Some(text.as_bytes()), None)
                .unwrap_or_else(|e| panic!("{e}"))
                .place;
            let want = AreaCode::parse(&text)
                .ok()
                .and_then(|a| lookup.get(a))
                .unwrap_or(crate::cohort::NO_PLACE);
            prop_assert_eq!(got, want, "{}", text);
        }
    }
}
