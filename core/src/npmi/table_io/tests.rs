use super::*;
use crate::error::CoreError;
use crate::npmi::counts::NgramCounts;
use crate::npmi::rank::{Rank, RankTable};
use crate::npmi::{NpmiScore, NpmiTable};
use crate::tokenize::kmer::{Kmer, K};
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt::Write;
use proptest::prelude::*;

fn k3() -> K {
    K::new(3).unwrap()
}

fn toy_table() -> NpmiTable {
    let mut c = NgramCounts::new(k3());
    for r in [&b"AAAT"[..], b"AAAT", b"AAAT", b"ATA", b"GATTACA"] {
        c.count_record(r);
    }
    NpmiTable::from_counts(&c, 2)
        .unwrap()
        .with_source("toy \"corpus\"\n\\ é")
}

#[test]
fn json_round_trip_is_identity_and_text_is_stable() {
    let t = toy_table();
    let json = to_json(&t);
    let back = from_json(&json).unwrap();
    assert_eq!(back, t);
    assert_eq!(to_json(&back), json);
    // serde_json agrees that the text is JSON and sees the documented members.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], "cmgems-npmi");
    assert_eq!(v["kmers"].as_array().unwrap().len(), 64);
    assert_eq!(v["kmers"][0]["rank"], 1);
    assert_eq!(v["source"], "toy \"corpus\"\n\\ é");
}

/// Replaces the first occurrence of `from` in the exported toy table.
fn corrupt(from: &str, to: &str) -> String {
    let json = to_json(&toy_table());
    assert!(json.contains(from), "{from:?} not in the export");
    json.replacen(from, to, 1)
}

fn field_of(err: CoreError) -> (usize, String) {
    match err {
        CoreError::Parse {
            line,
            field: Some(f),
            ..
        } => (line, f),
        other => panic!("expected a parse error naming a field, got {other:?}"),
    }
}

#[test]
fn json_errors_name_the_field_and_row() {
    // Rows start on line 9 (after `"kmers": [` on line 8): row i is on line 9 + i.
    let json = to_json(&toy_table());
    let row1 = json.lines().nth(9).unwrap().to_string();
    let row3 = json.lines().nth(11).unwrap().to_string();
    assert!(row1.contains("\"rank\": 2,"), "{row1}");

    let cases: [(String, (usize, &str)); 10] = [
        (corrupt("cmgems-npmi", "other"), (2, "format")),
        (corrupt("\"version\": 1", "\"version\": 2"), (3, "version")),
        (corrupt("\"k\": 3", "\"k\": 7"), (4, "k")),
        (
            corrupt("\"min_count\": 2", "\"min_count\": 0"),
            (5, "min_count"),
        ),
        (corrupt("\"totals\": [", "\"totals\": [1, "), (7, "totals")),
        (
            json.replacen(&row1, &row1.replace("\"rank\": 2,", "\"rank\": 1,"), 1),
            (10, "kmers[1].rank"),
        ),
        (
            json.replacen(&row3, &row3.replace("\"rank\": 4,", "\"rank\": 65,"), 1),
            (12, "kmers[3].rank"),
        ),
        (
            json.replacen(&row3, &row3.replace("\"rank\": 4,", "\"rank\": 4.0,"), 1),
            (12, "kmers[3].rank"),
        ),
        (
            json.replacen(&row3, &row3.replace("\"count\": ", "\"count\": -"), 1),
            (12, "kmers[3].count"),
        ),
        (
            json.replacen(
                &row3,
                &row3.replace("\"pmi\": ", "\"pmi\": 1e999, \"x\": "),
                1,
            ),
            (12, "kmers[3].pmi"),
        ),
    ];
    for (text, (line, field)) in cases {
        assert_eq!(
            field_of(from_json(&text).unwrap_err()),
            (line, field.into())
        );
    }
}

#[test]
fn json_rejects_wrong_kmers_naming_the_row() {
    let json = to_json(&toy_table());
    let row5 = json.lines().nth(13).unwrap().to_string();
    let kmer5 = &row5[10..13];
    let kmer0 = &json.lines().nth(8).unwrap()[10..13];
    for (bad, why) in [
        ("ANA", "non-ACGT"),
        ("AAAA", "wrong length"),
        (kmer0, "duplicate"),
    ] {
        let text = json.replacen(&row5, &row5.replacen(kmer5, bad, 1), 1);
        let (line, field) = field_of(from_json(&text).unwrap_err());
        assert_eq!((line, field.as_str()), (14, "kmers[5].kmer"), "{why}");
    }
    // 63 rows
    let text = json.replacen(&alloc::format!("{row5}\n"), "", 1);
    assert_eq!(field_of(from_json(&text).unwrap_err()).1, "kmers");
    // a missing rank
    let text = json.replacen(&row5, &row5.replacen("\"rank\"", "\"rang\"", 1), 1);
    assert_eq!(
        field_of(from_json(&text).unwrap_err()),
        (14, "kmers[5].rank".into())
    );
}

fn error_of(text: &str) -> (usize, Option<String>, String) {
    match from_json(text).unwrap_err() {
        CoreError::Parse {
            line,
            field,
            message,
        } => (line, field, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn json_error_lines_are_those_of_the_value_not_the_row() {
    // Row 3 (line 12) spread over three lines: `"rank"` onwards on line 13, `}` on 14.
    let json = to_json(&toy_table());
    let row3 = json.lines().nth(11).unwrap().to_string();
    assert!(row3.ends_with("},"), "{row3}");
    let spread = row3
        .replace(", \"rank\"", ",\n\"rank\"")
        .replace('}', "\n}");
    let bad_rank = json.replacen(&row3, &spread.replace("\"rank\": 4,", "\"rank\": 0,"), 1);
    let (line, field, message) = error_of(&bad_rank);
    assert_eq!((line, field.as_deref()), (13, Some("kmers[3].rank")));
    assert_eq!(message, "rank 0 is outside 1..=64");
    // A missing member is noticed where its object closes.
    let no_kmer = json.replacen(&row3, &spread.replace("\"kmer\"", "\"kmet\""), 1);
    let (line, field, message) = error_of(&no_kmer);
    assert_eq!((line, field.as_deref()), (14, Some("kmers[3].kmer")));
    assert_eq!(message, "missing field `kmer`");
    // A 65th row (a copy of row 0) is refused on its own line, 9 + 64.
    let row0 = json
        .lines()
        .nth(8)
        .unwrap()
        .trim_end_matches(',')
        .to_string();
    let extra = json.replacen("\n]\n}", &alloc::format!(",\n{row0}\n]\n}}"), 1);
    let (line, field, message) = error_of(&extra);
    assert_eq!((line, field.as_deref()), (73, Some("kmers")));
    assert_eq!(message, "a table for k = 3 has 64 rows, got more");
    // Text after the object (line 75: `]` is on 73, `}` on 74) names no member.
    let (line, field, _) = error_of(&alloc::format!("{json}x"));
    assert_eq!((line, field), (75, None));
    // A member the format defines may not appear twice.
    let twice = json.replacen("\"k\": 3,\n", "\"k\": 3,\n\"k\": 3,\n", 1);
    let (line, field, message) = error_of(&twice);
    assert_eq!((line, field.as_deref()), (5, Some("k")));
    assert_eq!(message, "duplicate field `k`");
}

#[test]
fn members_may_come_in_any_order() {
    // `k` moved last: `totals` and `kmers` are met before it and read on a second pass.
    let t = toy_table();
    let json = to_json(&t);
    let moved = json
        .replacen("\"k\": 3,\n", "", 1)
        .replacen("\n]\n}", "\n],\n\"k\": 3\n}", 1);
    assert_ne!(moved, json);
    assert_eq!(from_json(&moved).unwrap(), t);
    // The second pass still reports lines: rows now start on line 8, totals on 6.
    let row3 = moved.lines().nth(10).unwrap().to_string();
    let bad = moved.replacen(&row3, &row3.replace("\"rank\": 4,", "\"rank\": 65,"), 1);
    assert_eq!(
        field_of(from_json(&bad).unwrap_err()),
        (11, "kmers[3].rank".into())
    );
    let bad = moved.replacen("\"totals\": [", "\"totals\": [1, ", 1);
    assert_eq!(field_of(from_json(&bad).unwrap_err()), (6, "totals".into()));
    // Without `k` at all the table is refused, naming `k`.
    let no_k = json.replacen("\"k\": 3,\n", "", 1);
    assert_eq!(field_of(from_json(&no_k).unwrap_err()).1, "k");
}

#[test]
fn malformed_json_is_refused_with_its_line() {
    for (doc, line) in [
        ("{\"a\": 01}", 1),
        ("{\"a\": [1,\n2,]}", 2),
        ("{\"a\": [1.]}", 1),
        ("{\"a\": [-]}", 1),
        ("{\"a\": [1e]}", 1),
        ("{\"a\" 1}", 1),
        ("\n\n{\"a\": tru}", 3),
        ("{\"source\": \"tab\there\"}", 1),
        ("{\"source\": \"\\ud800\"}", 1),
        ("{\"source\": \"\\x\"}", 1),
        ("{\"source\": \"open", 1),
        ("", 1),
        ("\n[1]", 2),
    ] {
        match from_json(doc) {
            Err(CoreError::Parse { line: l, .. }) => assert_eq!(l, line, "{doc:?}"),
            other => panic!("{doc:?} gave {other:?}"),
        }
    }
}

#[test]
fn deep_nesting_is_refused_or_skipped_never_a_stack_overflow() {
    let open = "[".repeat(100_000);
    for text in [
        open.clone(),
        alloc::format!("{{\"x\": {open}"),
        alloc::format!("{{\"k\": 3, \"totals\": {open}"),
        alloc::format!("{{\"k\": 3, \"kmers\": [{{\"x\": {open}"),
        alloc::format!("{{\"k\": 3, \"kmers\": [{{\"count\": {open}"),
    ] {
        assert!(from_json(&text).is_err());
    }
    // Balanced, in a member the format does not define: ignored like any other.
    let t = toy_table();
    let nested = alloc::format!("{open}{}", "]".repeat(100_000));
    let text = to_json(&t).replacen("{\n", &alloc::format!("{{\n\"x\": {nested},\n"), 1);
    assert_eq!(from_json(&text).unwrap(), t);
}

/// The `float_roundtrip` feature of serde_json is what makes the reader exact: without
/// it about one random f64 in nine reads back a unit in the last place off.
#[test]
fn serde_json_reads_shortest_floats_back_exactly() {
    let mut rng = crate::rng::SeededRng::new(7);
    for _ in 0..4096 {
        let x = f64::from_bits(rng.next_u64());
        if x.is_finite() {
            let text = alloc::format!("{x:?}");
            let back: f64 = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{text}");
        }
    }
}

#[test]
fn optional_members_may_be_absent() {
    let mut rows = String::new();
    for code in 0..64 {
        let kmer = Kmer::from_code(k3(), code).unwrap();
        if code > 0 {
            rows.push(',');
        }
        write!(rows, "{{\"kmer\":\"{}\",\"rank\":{}}}", kmer, 64 - code).unwrap();
    }
    let text = alloc::format!(
        "{{\"format\":\"cmgems-npmi\",\"version\":1,\"k\":3,\"min_count\":101,\"kmers\":[{rows}]}}"
    );
    let t = from_json(&text).unwrap();
    assert_eq!((t.source(), t.totals()), (None, None));
    assert_eq!(t.top(1).next().unwrap().0.to_string(), "GGG");
    assert!(t.scores().iter().all(|s| *s == NpmiScore::default()));
}

fn score_strategy() -> impl Strategy<Value = NpmiScore> {
    let float = prop_oneof![
        Just(None),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Some),
        (-3.0f64..3.0).prop_map(Some),
    ];
    (prop::option::of(any::<u64>()), float.clone(), float)
        .prop_map(|(count, pmi, npmi)| NpmiScore { count, pmi, npmi })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_table_survives_json_bit_for_bit(
        scores in prop::collection::vec(score_strategy(), 64),
        order in Just((0..64u16).collect::<Vec<_>>()).prop_shuffle(),
        min_count in 1u64..1000,
        totals in prop::option::of(prop::collection::vec(any::<u64>(), 3)),
        source in prop::option::of(any::<String>()),
    ) {
        let ranks: Vec<Rank> = order.iter().map(|&r| r + 1).collect();
        let ranks = RankTable::from_ranks(k3(), ranks).unwrap();
        let mut t = NpmiTable::from_parts(k3(), min_count, totals, scores, ranks).unwrap();
        if let Some(s) = source { t = t.with_source(s); }
        let back = from_json(&to_json(&t)).unwrap();
        prop_assert_eq!(&back, &t);
        for (a, b) in back.scores().iter().zip(t.scores()) {
            prop_assert_eq!(a.pmi.map(f64::to_bits), b.pmi.map(f64::to_bits));
            prop_assert_eq!(a.npmi.map(f64::to_bits), b.npmi.map(f64::to_bits));
        }
    }
}
