use super::*;

fn lookup(csv: &str) -> Result<PlaceLookup, String> {
    PlaceLookup::from_csv(csv.as_bytes(), None, None).map_err(|e| e.to_string())
}

#[test]
fn a_two_column_file_maps_areas_to_sorted_values() {
    let l = lookup("lsoa,pcn\nE01000003,Zeta\nE01000001,Alpha\nE01000002,Zeta\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.values(), ["Alpha", "Zeta"]);
    assert_eq!(
        (l.key_column(), l.value_column(), l.len()),
        ("lsoa", "pcn", 3)
    );
    let get = |c: &str| {
        AreaCode::parse(c)
            .ok()
            .and_then(|c| l.get(c))
            .map(|i| l.value(i))
    };
    assert_eq!(get("E01000003"), Some("Zeta"));
    assert_eq!(get("E01000001"), Some("Alpha"));
    assert_eq!(get("E01000004"), None);
}

#[test]
fn bad_lookups_name_the_row_column_and_value() {
    for (csv, want) in [
        (
            "lsoa,pcn\nE01000001,A\nE01000001,B\n",
            "place lookup row 3: area E01000001 is listed twice (first at row 2); each area may be in one Place only",
        ),
        (
            "lsoa,pcn\nE01000001,A\nE01-x,B\n",
            "place lookup row 3, column \"lsoa\": \"E01-x\" is not an area code",
        ),
        (
            "lsoa,pcn\nE01000001,\n",
            "place lookup row 2, column \"pcn\": area E01000001 has no value; every area listed needs one",
        ),
        (
            "lsoa,pcn\nE01000001,other\n",
            "place lookup row 2, column \"pcn\": \"other\" is reserved (the report's name for areas in no Place); rename it",
        ),
        (
            "lsoa,a,b\nE01000001,x,y\n",
            "place lookup has 3 columns (lsoa,a,b); name the one that holds the Place (--place-column)",
        ),
        ("lsoa,pcn\n", "place lookup has no rows"),
    ] {
        let got = lookup(csv).unwrap_err();
        assert!(got.starts_with(want), "{got}\nwant {want}");
    }
    let err = PlaceLookup::from_csv("lsoa,a,b\nE01000001,x,y\n".as_bytes(), None, Some("c"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "place lookup has no column \"c\"; its columns are lsoa,a,b"
    );
    let named = PlaceLookup::from_csv(
        "a,lsoa,b\nx,E01000001,y\n".as_bytes(),
        Some("lsoa"),
        Some("b"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(named.values(), ["y"]);
}

#[test]
fn a_lookup_longer_than_the_limit_is_refused() {
    // A value that never ends (an unclosed quote, say): the byte limit stops the reading.
    struct Endless;
    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(b'x');
            Ok(buf.len())
        }
    }
    let head = std::io::Read::chain("lsoa,pcn\nE01000001,\"".as_bytes(), Endless);
    let err = PlaceLookup::from_csv(head, None, None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "place lookup has more than {MAX_LOOKUP_BYTES} bytes (MAX_LOOKUP_BYTES); the ONS LSOA lookups are 2 to 4 MB"
        )
    );
}

#[test]
fn places_files_are_checked_with_json_pointers() {
    let cw = Places::coventry_warwickshire();
    assert_eq!(cw.places.len(), 4);
    let text = serde_json::to_string(&cw).unwrap_or_default();
    for (from, to, want) in [
        (
            "\"E07000219\"",
            "\"E07000218\"",
            "places file coventry-warwickshire at /places/2/areas/1: area \"E07000218\" is in two Places (first at /places/2/areas/0)",
        ),
        (
            "\"id\":\"rugby\"",
            "\"id\":\"coventry\"",
            "places file coventry-warwickshire at /places/1/id: Place id \"coventry\" is used twice (first at /places/0/id)",
        ),
        (
            "\"id\":\"rugby\"",
            "\"id\":\"other\"",
            "places file coventry-warwickshire at /places/1/id: Place id \"other\" is reserved for the report; rename it",
        ),
        (
            "\"areas\":[\"E07000220\"]",
            "\"areas\":[]",
            "places file coventry-warwickshire at /places/1/areas: Place \"rugby\" is made of no areas",
        ),
        ("\"version\":1", "\"version\":\"1\"", "/version"),
    ] {
        let got = Places::from_json(&text.replacen(from, to, 1))
            .unwrap_err()
            .to_string();
        assert!(got.contains(want), "{got}\nwant {want}");
    }
}
