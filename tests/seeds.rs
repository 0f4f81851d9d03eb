//! The seed files under `seeds/`: each matches its committed JSON Schema, the schema matches the
//! Rust type (drift check), the file deserialises into the type without losing anything, and the
//! content holds together (ids unique, every reference resolves, counts match the frameworks).
//!
//! Regenerate the schemas after changing a seed type with
//! `UPDATE_SCHEMAS=1 cargo test -p equitas-tests seeds`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use equitas_core::catalogue::{
    Catalogue, ClinicalAreas, Conditions, Ethnicity, Groups, Icd10CodeLists, Population,
    ProtectedCharacteristics, StrategicPriorities, icd10_category,
};
use equitas_core::cohort::{CohortDefinition, Rule};
use equitas_core::read::FromJson;
use serde::Serialize;
use serde_json::Value;

/// The catalogue files: (seed file under `seeds/catalogue/`, schema name).
const CATALOGUE_FILES: &[(&str, &str)] = &[
    ("clinical-areas.json", "clinical-areas"),
    ("conditions.json", "conditions"),
    ("icd10.json", "icd10"),
    ("groups.json", "groups"),
    (
        "protected-characteristics.json",
        "protected-characteristics",
    ),
    ("strategic-priorities.json", "strategic-priorities"),
    ("ethnicity.json", "ethnicity"),
];

/// The cohort definitions under `seeds/definitions/`.
const DEFINITION_FILES: &[&str] = &["national.json", "coventry-warwickshire.json"];

fn seeds(rel: &str) -> PathBuf {
    crate::root().join("seeds").join(rel)
}

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Schemas: generated from the types, committed, drift-checked.

/// The schema of `T`, as committed: pretty JSON with a trailing newline.
fn schema_text<T: schemars::JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap();
    text.push('\n');
    text
}

/// Compare the generated schema of `T` with `seeds/schema/<name>.schema.json`, or write it when
/// `UPDATE_SCHEMAS=1`. Returns the schema as JSON.
fn check_schema<T: schemars::JsonSchema>(name: &str) -> Value {
    let path = seeds(&format!("schema/{name}.schema.json"));
    let generated = schema_text::<T>();
    if std::env::var("UPDATE_SCHEMAS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    } else {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is missing or out of date with its Rust type; regenerate it with \
             `UPDATE_SCHEMAS=1 cargo test -p equitas-tests seeds` and commit the result",
            path.display()
        );
    }
    serde_json::from_str(&generated).unwrap()
}

/// Every way `instance` breaks `schema`, one line each with the instance path.
fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema)
        .unwrap_or_else(|e| panic!("the generated schema does not compile: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect()
}

/// Schema drift, schema validation and a lossless typed round trip for one seed file.
fn check_seed<T: schemars::JsonSchema + FromJson + Serialize>(seed: &str, schema_name: &str) -> T {
    check_seed_with(seed, schema_name, |v| {
        T::from_json(v, "").map_err(|e| e.to_string())
    })
}

/// [`check_seed`] for a type read another way (the synthetic-data parameters, read by serde).
fn check_seed_with<T: schemars::JsonSchema + Serialize>(
    seed: &str,
    schema_name: &str,
    read: impl Fn(&Value) -> Result<T, String>,
) -> T {
    let schema = check_schema::<T>(schema_name);
    let path = seeds(seed);
    let instance = read_json(&path);
    let errors = schema_errors(&schema, &instance);
    assert!(
        errors.is_empty(),
        "{} does not match {schema_name}.schema.json:\n  {}",
        path.display(),
        errors.join("\n  ")
    );
    let typed = read(&instance).unwrap_or_else(|e| panic!("{} does not read: {e}", path.display()));
    // Nothing in the file may be silently dropped or defaulted away (e.g. an empty optional list
    // written out, which the type would not write back).
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        back,
        instance,
        "{} does not survive a typed round trip unchanged",
        path.display()
    );
    typed
}

#[test]
fn seeds_clinical_areas_schema() {
    check_seed::<ClinicalAreas>("catalogue/clinical-areas.json", "clinical-areas");
}

#[test]
fn seeds_conditions_schema() {
    check_seed::<Conditions>("catalogue/conditions.json", "conditions");
}

#[test]
fn seeds_icd10_schema() {
    check_seed::<Icd10CodeLists>("catalogue/icd10.json", "icd10");
}

#[test]
fn seeds_groups_schema() {
    check_seed::<Groups>("catalogue/groups.json", "groups");
}

#[test]
fn seeds_protected_characteristics_schema() {
    check_seed::<ProtectedCharacteristics>(
        "catalogue/protected-characteristics.json",
        "protected-characteristics",
    );
}

#[test]
fn seeds_strategic_priorities_schema() {
    check_seed::<StrategicPriorities>(
        "catalogue/strategic-priorities.json",
        "strategic-priorities",
    );
}

#[test]
fn seeds_ethnicity_schema() {
    check_seed::<Ethnicity>("catalogue/ethnicity.json", "ethnicity");
}

#[test]
fn seeds_definitions_schema() {
    for file in DEFINITION_FILES {
        check_seed::<CohortDefinition>(&format!("definitions/{file}"), "cohort-definition");
    }
}

/// Local definition files: layered on a built-in definition at run time.
const LOCAL_DEFINITION_FILES: &[&str] = &["coventry-warwickshire-local.json"];

#[test]
fn seeds_local_definitions_schema() {
    for file in LOCAL_DEFINITION_FILES {
        let local = check_seed::<equitas_core::cohort::LocalDefinition>(
            &format!("definitions/{file}"),
            "local-definition",
        );
        // It applies to a whole definition the classifier takes.
        let whole = local.apply().unwrap_or_else(|e| panic!("{file}: {e}"));
        equitas_core::cohort::Classifier::new(whole, None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

#[test]
fn seeds_places_schema() {
    let places = check_seed::<equitas_core::geography::Places>(
        "places/coventry-warwickshire.json",
        "places",
    );
    assert_eq!(
        places,
        equitas_core::geography::Places::coventry_warwickshire()
    );
    // The six local authorities of the ICB, as the geography README lists them.
    let mut areas: Vec<&str> = places
        .places
        .iter()
        .flat_map(|p| p.areas.iter().map(String::as_str))
        .collect();
    areas.sort_unstable();
    assert_eq!(
        areas,
        [
            "E07000218",
            "E07000219",
            "E07000220",
            "E07000221",
            "E07000222",
            "E08000026"
        ]
    );
}

#[test]
fn seeds_synth_params_schema() {
    let params = check_seed_with::<equitas_core::synth::SynthParams>(
        "synth/default.json",
        "synth-params",
        |v| serde_json::from_value(v.clone()).map_err(|e| e.to_string()),
    );
    assert!(
        params.label.starts_with("SYNTHETIC"),
        "the synthetic parameters must say so: {}",
        params.label
    );
    assert_eq!(params, equitas_core::synth::SynthParams::builtin());
    // Every id drawn is one the catalogue knows, so a synthetic file always loads.
    let c = cat();
    for p in &params.conditions {
        assert!(c.condition(&p.id).is_some(), "synth condition {}", p.id);
    }
    for p in &params.groups {
        assert!(
            c.groups.record_flags.iter().any(|g| g.id == p.id),
            "synth group {}",
            p.id
        );
    }
    for p in &params.events {
        let m = c.metrics().find(|(_, m)| m.numerator.event == p.id);
        let (_, m) = m.unwrap_or_else(|| panic!("synth event {} is no metric's event", p.id));
        assert_eq!(
            p.given.as_deref(),
            Some(m.denominator.condition.as_str()),
            "synth event {}",
            p.id
        );
    }
    for e in &params.ethnicity {
        assert!(
            c.ethnicity.categories.iter().any(|k| k.code == e.code),
            "synth ethnicity {}",
            e.code
        );
    }
}

#[test]
fn seeds_schema_folder_has_no_strays() {
    let mut expected: BTreeSet<String> = CATALOGUE_FILES
        .iter()
        .map(|(_, name)| format!("{name}.schema.json"))
        .collect();
    expected.insert("cohort-definition.schema.json".to_owned());
    expected.insert("synth-params.schema.json".to_owned());
    expected.insert("places.schema.json".to_owned());
    expected.insert("local-definition.schema.json".to_owned());
    // Checked in tests/assessment.rs.
    expected.insert("instrument.schema.json".to_owned());
    expected.insert("assessment.schema.json".to_owned());
    expected.insert("standard-population.schema.json".to_owned()); // checked in tests/phe.rs
    // Missing schemas fail in the tests above; here, nothing stale may linger.
    let strays: Vec<String> = std::fs::read_dir(seeds("schema"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !expected.contains(name))
        .collect();
    assert!(
        strays.is_empty(),
        "seeds/schema holds schemas no test checks: {strays:?}"
    );
}

#[test]
fn seeds_builtin_catalogue_matches_files() {
    // The embedded copies are the files on disk, and they parse.
    for (name, text) in equitas_core::catalogue::SEED_FILES {
        let on_disk = std::fs::read_to_string(seeds(&format!("catalogue/{name}"))).unwrap();
        assert_eq!(
            *text, on_disk,
            "embedded {name} differs from seeds/catalogue/{name}"
        );
    }
    let names: BTreeSet<&str> = equitas_core::catalogue::SEED_FILES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let listed: BTreeSet<&str> = CATALOGUE_FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, listed,
        "SEED_FILES and this test list different catalogue files"
    );
    if let Err(e) = Catalogue::parse_builtin() {
        panic!("{e}");
    }
    let cat = Catalogue::builtin();
    assert_eq!(cat.clinical_areas.areas.len(), 10);
}

// ---------------------------------------------------------------------------------------------
// Content: checks that can fail when a seed is edited carelessly.

fn cat() -> &'static Catalogue {
    Catalogue::builtin()
}

/// Panic naming every id that appears more than once.
fn assert_unique<'a>(what: &str, ids: impl IntoIterator<Item = &'a str>) {
    let mut seen = BTreeMap::<&str, usize>::new();
    for id in ids {
        *seen.entry(id).or_default() += 1;
    }
    let dups: Vec<&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    assert!(dups.is_empty(), "{what}: duplicate ids {dups:?}");
}

/// Stable ids are lower snake case.
fn assert_snake<'a>(what: &str, ids: impl IntoIterator<Item = &'a str>) {
    for id in ids {
        let ok = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(ok, "{what}: id {id:?} is not lower snake case");
    }
}

fn sorted<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = ids.into_iter().collect();
    v.sort_unstable();
    v
}

#[test]
fn seeds_every_file_is_version_1() {
    let mut files: Vec<String> = CATALOGUE_FILES
        .iter()
        .map(|(f, _)| format!("catalogue/{f}"))
        .collect();
    files.extend(DEFINITION_FILES.iter().map(|f| format!("definitions/{f}")));
    files.extend(
        LOCAL_DEFINITION_FILES
            .iter()
            .map(|f| format!("definitions/{f}")),
    );
    for f in files {
        let v = read_json(&seeds(&f));
        assert_eq!(
            v.get("version"),
            Some(&Value::from(1)),
            "{f}: version must be 1"
        );
    }
}

#[test]
fn seeds_clinical_areas_content() {
    let c = cat();
    let areas = &c.clinical_areas.areas;
    let ids = |p: Population| -> Vec<&str> {
        areas
            .iter()
            .filter(|a| a.population == p)
            .map(|a| a.id.as_str())
            .collect()
    };
    assert_eq!(
        ids(Population::Adult),
        [
            "maternity",
            "smi",
            "chronic_respiratory",
            "early_cancer_diagnosis",
            "hypertension_lipids"
        ]
    );
    assert_eq!(
        ids(Population::Cyp),
        [
            "cyp_asthma",
            "cyp_diabetes",
            "cyp_epilepsy",
            "cyp_oral_health",
            "cyp_mental_health"
        ]
    );
    assert_unique("clinical areas", areas.iter().map(|a| a.id.as_str()));
    assert_snake("clinical areas", areas.iter().map(|a| a.id.as_str()));
    let cross: Vec<&str> = c
        .clinical_areas
        .cross_cutting
        .iter()
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(cross, ["smoking_cessation"]);

    for a in areas {
        assert!(!a.sources.is_empty(), "area {} has no sources", a.id);
        for s in &a.sources {
            assert!(
                s.url.starts_with("https://"),
                "area {}: source url {:?}",
                a.id,
                s.url
            );
        }
        if let Some(r) = a.age_range {
            assert!(
                r.min <= r.max,
                "area {}: age range {}..{}",
                a.id,
                r.min,
                r.max
            );
        }
    }
    let age = |id: &str| c.area(id).and_then(|a| a.age_range).map(|r| (r.min, r.max));
    assert_eq!(age("cyp_oral_health"), Some((0, 10)));
    assert_eq!(age("cyp_mental_health"), Some((0, 17)));
    // The maternity continuity-of-carer target was withdrawn on 21 Sep 2022: no target may creep
    // back in without a source.
    let maternity = c.area("maternity").unwrap();
    assert!(maternity.metrics.iter().all(|m| m.target.is_none()));
    assert!(
        maternity.metrics.iter().all(|m| m
            .note
            .as_deref()
            .is_some_and(|n| n.contains("21 September 2022"))),
        "the maternity metric must say why it has no target"
    );
}

#[test]
fn seeds_metrics_content() {
    let c = cat();
    let metrics: Vec<_> = c.metrics().collect();
    assert_unique("metrics", metrics.iter().map(|(_, m)| m.id.as_str()));
    assert_snake("metrics", metrics.iter().map(|(_, m)| m.id.as_str()));
    for (area, m) in &metrics {
        assert_eq!(
            m.id, m.numerator.event,
            "metric {}: id and numerator event differ",
            m.id
        );
        let cond = c.condition(&m.denominator.condition).unwrap_or_else(|| {
            panic!(
                "metric {}: denominator condition {:?} is not in conditions.json",
                m.id, m.denominator.condition
            )
        });
        // The denominator register must put people in the metric's own area.
        let home = match area.population {
            Population::Adult => cond.adult_area.as_deref(),
            _ => cond.cyp_area.as_deref(),
        };
        assert_eq!(
            home,
            Some(area.id.as_str()),
            "metric {}: condition {} does not belong to area {}",
            m.id,
            cond.id,
            area.id
        );
        if let Some(t) = &m.target {
            assert!(
                t.at_least > 0.0 && t.at_least <= 1.0,
                "metric {}: target {} is not a proportion",
                m.id,
                t.at_least
            );
            if let Some(by) = &t.by {
                let b = by.as_bytes();
                let iso = b.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && by.chars().filter(char::is_ascii_digit).count() == 8;
                assert!(iso, "metric {}: target date {by:?} is not YYYY-MM-DD", m.id);
            }
        }
    }
    let ids: Vec<&str> = metrics.iter().map(|(_, m)| m.id.as_str()).collect();
    assert_eq!(
        sorted(ids),
        sorted([
            "mcoc_pathway",
            "smi_health_check",
            "copd_flu_vaccination",
            "copd_covid_vaccination",
            "copd_pneumococcal_vaccination",
            "cancer_stage_1_2",
            "htn_treated_to_target",
            "lipid_lowering_therapy",
            "asthma_annual_review",
            "diabetes_rtcgm",
            "diabetes_t2_health_check",
            "epilepsy_specialist_nurse",
            "cyp_mh_service_contact",
        ])
    );
    assert!(c.area("cyp_oral_health").unwrap().metrics.is_empty());
}

#[test]
fn seeds_conditions_content() {
    let c = cat();
    let conds = &c.conditions.conditions;
    assert_unique("conditions", conds.iter().map(|x| x.id.as_str()));
    assert_snake("conditions", conds.iter().map(|x| x.id.as_str()));
    for cond in conds {
        for (want, area) in [
            (Population::Adult, &cond.adult_area),
            (Population::Cyp, &cond.cyp_area),
        ] {
            if let Some(id) = area {
                let a = c.area(id).unwrap_or_else(|| {
                    panic!("condition {}: clinical area {id:?} does not exist", cond.id)
                });
                assert_eq!(
                    a.population, want,
                    "condition {}: area {id} is in the wrong population",
                    cond.id
                );
            }
        }
    }
    // Every clinical area is reachable from at least one condition.
    for a in &c.clinical_areas.areas {
        let reached = conds.iter().any(|x| {
            x.adult_area.as_deref() == Some(&a.id) || x.cyp_area.as_deref() == Some(&a.id)
        });
        assert!(reached, "no condition puts anyone in area {}", a.id);
    }
    let ids: Vec<&str> = conds.iter().map(|x| x.id.as_str()).collect();
    for id in [
        "chd",
        "heart_failure",
        "stroke",
        "ckd",
        "dementia",
        "atrial_fibrillation",
    ] {
        let cond = c
            .condition(id)
            .unwrap_or_else(|| panic!("condition {id} missing from {ids:?}"));
        assert!(cond.long_term && cond.adult_area.is_none() && cond.cyp_area.is_none());
    }
    assert!(!c.condition("pregnancy").unwrap().long_term);
    assert!(!c.condition("dental_caries").unwrap().long_term);
}

/// A range `J41-J44` or `E10` as inclusive three-character categories.
fn parse_range(condition: &str, range: &str) -> ([u8; 3], [u8; 3]) {
    let (lo, hi) = range.split_once('-').unwrap_or((range, range));
    let cat3 = |s: &str| {
        assert_eq!(
            s.len(),
            3,
            "{condition}: {range:?} must use three-character categories"
        );
        icd10_category(s)
            .unwrap_or_else(|| panic!("{condition}: {s:?} in {range:?} is not an ICD-10 category"))
    };
    let (lo, hi) = (cat3(lo), cat3(hi));
    assert!(lo <= hi, "{condition}: range {range:?} runs backwards");
    (lo, hi)
}

#[test]
fn seeds_icd10_ranges_do_not_overlap() {
    let c = cat();
    let lists = &c.icd10.lists;
    let note = c.icd10.note.to_lowercase();
    assert!(
        note.contains("indicative") && note.contains("clinically assured"),
        "the icd10 note must say the lists are indicative and need a clinically assured list"
    );
    assert_unique("icd10 lists", lists.iter().map(|l| l.condition.as_str()));
    let mut all: Vec<(&str, &str, [u8; 3], [u8; 3])> = Vec::new();
    for l in lists {
        assert!(
            c.condition(&l.condition).is_some(),
            "icd10 list for unknown condition {:?}",
            l.condition
        );
        assert!(
            !l.ranges.is_empty(),
            "icd10 list for {} is empty",
            l.condition
        );
        for r in &l.ranges {
            let (lo, hi) = parse_range(&l.condition, r);
            all.push((&l.condition, r, lo, hi));
        }
    }
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            let overlap = a.2 <= b.3 && b.2 <= a.3;
            assert!(
                !overlap,
                "ICD-10 range {} ({}) overlaps {} ({}): a code must map to one condition",
                a.1, a.0, b.1, b.0
            );
        }
        // The library's lookup agrees at both ends of every range.
        for end in [a.2, a.3] {
            let code = String::from_utf8(end.to_vec()).unwrap();
            assert_eq!(c.condition_for_icd10(&code), Some(a.0), "lookup of {code}");
            assert_eq!(c.condition_for_icd10(&format!("{code}.9")), Some(a.0));
        }
    }
    // Spot checks against the intended mapping.
    for (code, want) in [
        ("F25", Some("smi")),
        ("F31.1", Some("smi")),
        ("F32", Some("mental_health_condition")),
        ("F01", Some("dementia")),
        ("J44.1", Some("copd")),
        ("J45", Some("asthma")),
        ("I48", Some("atrial_fibrillation")),
        ("E11", Some("diabetes_type2")),
        ("K02", Some("dental_caries")),
        ("J18", None),
        ("E66", None),
    ] {
        assert_eq!(c.condition_for_icd10(code), want, "ICD-10 {code}");
    }
}

#[test]
fn seeds_groups_content() {
    let g = &cat().groups;
    let ids = |v: &[equitas_core::catalogue::GroupItem]| -> Vec<String> {
        v.iter().map(|x| x.id.clone()).collect()
    };
    let inclusion = [
        "homelessness",
        "drug_alcohol_dependence",
        "vulnerable_migrants_refugees",
        "gypsy_roma_traveller",
        "justice_contact",
        "modern_slavery_victims",
        "sex_workers",
        "other_marginalised",
    ];
    assert_eq!(ids(&g.inclusion_health_groups), inclusion);
    assert_eq!(
        ids(&g.plus_examples),
        [
            "ethnic_minority",
            "ld_autism",
            "multimorbidity",
            "protected_characteristic_groups",
            "inclusion_health",
            "coastal"
        ]
    );
    assert_eq!(
        ids(&g.cyp_plus_additional),
        [
            "young_carers",
            "looked_after_care_leavers",
            "cyp_justice_contact"
        ]
    );
    let flags = ids(&g.record_flags);
    for id in inclusion {
        assert!(
            flags.iter().any(|f| f == id),
            "inclusion health group {id} is not a record flag"
        );
    }
    for id in [
        "boaters",
        "ukraine_guests",
        "learning_disability",
        "autism",
        "young_carer",
        "looked_after_care_leaver",
        "coastal_community",
        "long_term_sickness_benefit",
        "inadequate_housing",
        "rural_poverty",
        // Coventry's multiple complex needs (issue 14).
        "substance_misuse",
        "domestic_abuse",
    ] {
        assert!(flags.iter().any(|f| f == id), "record flag {id} missing");
    }
    assert_eq!(flags.len(), 20);
    for (what, list) in [
        ("inclusion_health_groups", &g.inclusion_health_groups),
        ("plus_examples", &g.plus_examples),
        ("cyp_plus_additional", &g.cyp_plus_additional),
        ("record_flags", &g.record_flags),
    ] {
        assert_unique(what, list.iter().map(|x| x.id.as_str()));
        assert_snake(what, list.iter().map(|x| x.id.as_str()));
        for x in list.iter() {
            assert!(!x.sources.is_empty(), "{what}: {} has no sources", x.id);
        }
    }
}

#[test]
fn seeds_protected_characteristics_and_priorities() {
    let c = cat();
    let pcs = &c.protected_characteristics.items;
    assert_eq!(pcs.len(), 9);
    assert_unique(
        "protected characteristics",
        pcs.iter().map(|p| p.id.as_str()),
    );
    assert_snake(
        "protected characteristics",
        pcs.iter().map(|p| p.id.as_str()),
    );
    let sections: BTreeMap<&str, u8> = pcs.iter().map(|p| (p.id.as_str(), p.act_section)).collect();
    // ss5–12 define eight of them; pregnancy and maternity is only listed in s4.
    for (id, s) in [
        ("age", 5),
        ("disability", 6),
        ("gender_reassignment", 7),
        ("marriage_civil_partnership", 8),
        ("pregnancy_maternity", 4),
        ("race", 9),
        ("religion_belief", 10),
        ("sex", 11),
        ("sexual_orientation", 12),
    ] {
        assert_eq!(sections.get(id), Some(&s), "protected characteristic {id}");
    }

    let ps = &c.strategic_priorities.priorities;
    let ids: Vec<&str> = ps.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "p5"]);
    for (i, p) in ps.iter().enumerate() {
        assert_eq!(
            usize::from(p.number),
            i + 1,
            "priority {} is out of order",
            p.id
        );
        assert!(!p.sources.is_empty(), "priority {} has no sources", p.id);
    }
}

#[test]
fn seeds_ethnicity_content() {
    let e = &cat().ethnicity;
    let groups: Vec<&str> = e.broad_groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        groups,
        ["white", "mixed", "asian", "black", "other", "not_stated"]
    );
    for g in &e.broad_groups {
        assert_eq!(
            g.stated,
            g.id != "not_stated",
            "broad group {}: stated",
            g.id
        );
    }
    let codes: Vec<&str> = e.categories.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z",
            "99"
        ],
        "the NHS Data Dictionary ethnic category codes plus 99 (not known)"
    );
    let expected_group = |code: &str| match code {
        "A" | "B" | "C" => "white",
        "D" | "E" | "F" | "G" => "mixed",
        "H" | "J" | "K" | "L" => "asian",
        "M" | "N" | "P" => "black",
        "R" | "S" => "other",
        _ => "not_stated",
    };
    for c in &e.categories {
        assert_eq!(
            c.broad_group,
            expected_group(&c.code),
            "category {}",
            c.code
        );
        let stated = e
            .broad_groups
            .iter()
            .find(|g| g.id == c.broad_group)
            .unwrap_or_else(|| panic!("category {}: unknown broad group {}", c.code, c.broad_group))
            .stated;
        assert_eq!(
            c.minority,
            stated && c.code != "A",
            "category {}: minority is every stated category except White British",
            c.code
        );
    }
}

/// Every flag, condition and ethnic code a rule names, checked against the catalogue.
fn check_rule(def: &str, group: &str, rule: &Rule, problems: &mut Vec<String>) {
    let c = cat();
    let flags: BTreeSet<&str> = c
        .groups
        .record_flags
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    let codes: BTreeSet<&str> = c
        .ethnicity
        .categories
        .iter()
        .map(|e| e.code.as_str())
        .collect();
    match rule {
        Rule::AnyFlag(ids) => {
            if ids.is_empty() {
                problems.push(format!("{def}/{group}: any_flag is empty"));
            }
            for id in ids.iter().filter(|id| !flags.contains(id.as_str())) {
                problems.push(format!("{def}/{group}: flag {id:?} is not a record flag"));
            }
        }
        Rule::AnyCondition(ids) => {
            for id in ids.iter().filter(|id| c.condition(id).is_none()) {
                problems.push(format!(
                    "{def}/{group}: condition {id:?} is not in conditions.json"
                ));
            }
        }
        Rule::EthnicCategories(ids) => {
            for id in ids.iter().filter(|id| !codes.contains(id.as_str())) {
                problems.push(format!(
                    "{def}/{group}: ethnic category {id:?} does not exist"
                ));
            }
        }
        Rule::Age(r) if r.min > r.max => {
            problems.push(format!(
                "{def}/{group}: age range {}..{} is empty",
                r.min, r.max
            ));
        }
        Rule::AnyOf(rules) | Rule::AllOf(rules) => {
            for r in rules {
                check_rule(def, group, r, problems);
            }
        }
        Rule::Not(r) => check_rule(def, group, r, problems),
        _ => {}
    }
}

fn definition(file: &str) -> CohortDefinition {
    CohortDefinition::from_json(&read_json(&seeds(&format!("definitions/{file}"))).to_string())
        .unwrap_or_else(|e| panic!("definitions/{file} does not read: {e}"))
}

#[test]
fn seeds_definitions_content() {
    let mut problems = Vec::new();
    for file in DEFINITION_FILES {
        let d = definition(file);
        assert_eq!(
            format!("{}.json", d.id),
            *file,
            "definition id and file name differ"
        );
        assert_eq!(d.adult_min_age, 18, "{file}");
        assert!(
            d.cyp_age_range.min <= d.cyp_age_range.max,
            "{file}: CYP age range"
        );
        assert_eq!(
            d.age_bands.first(),
            Some(&0),
            "{file}: age bands must start at 0"
        );
        assert!(
            d.age_bands.windows(2).all(|w| w[0] < w[1]),
            "{file}: age bands {:?} must strictly ascend",
            d.age_bands
        );
        assert_unique(file, d.plus_groups.iter().map(|g| g.id.as_str()));
        assert_snake(file, d.plus_groups.iter().map(|g| g.id.as_str()));
        for g in &d.plus_groups {
            check_rule(file, &g.id, &g.rule, &mut problems);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let national = definition("national.json");
    let ids: Vec<&str> = national.plus_groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ethnic_minority",
            "ld_autism",
            "multimorbidity",
            "inclusion_health",
            "coastal",
            "young_carers",
            "looked_after_care_leavers",
            "cyp_justice_contact"
        ]
    );
    // The national inclusion health PLUS group is exactly the catalogue's inclusion health list.
    let inclusion: Vec<&str> = cat()
        .groups
        .inclusion_health_groups
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    let rule = &national
        .plus_groups
        .iter()
        .find(|g| g.id == "inclusion_health")
        .unwrap()
        .rule;
    match rule {
        Rule::AnyFlag(flags) => assert_eq!(flags, &inclusion),
        other => panic!("inclusion_health rule is {other:?}"),
    }

    let cw = definition("coventry-warwickshire.json");
    for g in &cw.plus_groups {
        let note = g.note.as_deref().unwrap_or_default();
        assert!(
            !note.is_empty(),
            "coventry-warwickshire/{}: needs a note",
            g.id
        );
    }
    for id in [
        "long_term_sickness",
        "inadequate_housing",
        "rural_poverty",
        "older_people",
    ] {
        let g = cw.plus_groups.iter().find(|g| g.id == id).unwrap();
        let note = g.note.as_deref().unwrap_or_default();
        assert!(
            note.contains("2.6") && note.contains("Scoped to the"),
            "coventry-warwickshire/{id}: the note must cite §2.6 and say which Place it is scoped to"
        );
        assert_eq!(
            g.places.len(),
            1,
            "coventry-warwickshire/{id}: scoped to one Place"
        );
        let places = equitas_core::geography::Places::coventry_warwickshire();
        assert!(
            places.places.iter().any(|p| p.id == g.places[0]),
            "coventry-warwickshire/{id}: {} is a Place of seeds/places",
            g.places[0]
        );
    }
}

#[test]
fn seeds_schema_rejects_broken_seeds_with_paths() {
    // The validation above can fail: a wrong status and an unknown field are both reported, each
    // with where it is.
    let schema: Value = serde_json::from_str(&schema_text::<ClinicalAreas>()).unwrap();
    let mut instance = read_json(&seeds("catalogue/clinical-areas.json"));
    instance["areas"][1]["status"] = Value::from("probably");
    instance["areas"][2]["metrics"][0]["target_pct"] = Value::from(60);
    let errors = schema_errors(&schema, &instance);
    assert!(
        errors.iter().any(|e| e.contains("/areas/1/status")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("/areas/2/metrics/0")),
        "{errors:?}"
    );

    let schema: Value = serde_json::from_str(&schema_text::<CohortDefinition>()).unwrap();
    let mut instance = read_json(&seeds("definitions/national.json"));
    instance["plus_groups"][0]["rule"] = serde_json::json!({"any_flagg": ["autism"]});
    let errors = schema_errors(&schema, &instance);
    assert!(
        errors.iter().any(|e| e.contains("/plus_groups/0/rule")),
        "{errors:?}"
    );
}

#[test]
fn seeds_builtin_definitions_match_files_and_compile() {
    for (file, builtin) in [
        ("national.json", CohortDefinition::national()),
        (
            "coventry-warwickshire.json",
            CohortDefinition::coventry_warwickshire(),
        ),
    ] {
        assert_eq!(builtin, definition(file), "built-in {file}");
        if let Err(e) = equitas_core::cohort::Classifier::new(builtin, None) {
            panic!("definitions/{file} does not compile against the catalogue: {e}");
        }
    }
}
