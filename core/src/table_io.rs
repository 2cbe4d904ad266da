//! NPMI tables in and out: cmgems' own JSON format, and the GeneMask authors' CSV.
//!
//! # The `cmgems-npmi` JSON format, version 1
//!
//! One JSON object (UTF-8); the numbers below only illustrate the shape:
//!
//! ```json
//! {
//! "format": "cmgems-npmi",
//! "version": 1,
//! "k": 6,
//! "min_count": 101,
//! "source": "hg38 autosomes, counted by cmgems",
//! "totals": [669128276, 669128275, 669128274, 669128273, 669128272, 669128271],
//! "kmers": [
//! {"kmer": "CCTCCC", "rank": 1, "count": 446610, "pmi": 2.8491459183724803, "npmi": 2.1030761926846298},
//! {"kmer": "GGGAGG", "rank": 2, "count": null, "pmi": null, "npmi": 2.0930044199590903},
//! ...
//! ]
//! }
//! ```
//!
//! | member | type | meaning |
//! |---|---|---|
//! | `format` | string, required | exactly `"cmgems-npmi"` |
//! | `version` | integer, required | exactly `1` |
//! | `k` | integer, required | 3..=6 |
//! | `min_count` | integer ≥ 1, required | c of the NPMI formula; k-mers with f < c are unscored |
//! | `source` | string or null, optional | where the table came from, free text |
//! | `totals` | array of k integers or null, optional | N_1..N_k of the corpus |
//! | `kmers` | array of exactly 4^k objects, required, any order | one row per k-mer |
//!
//! Each row: `kmer` (string of k letters A/C/G/T, required, each k-mer exactly once),
//! `rank` (integer, required; the ranks are a permutation of 1..=4^k, 1 = highest NPMI),
//! `count` (integer or null), `pmi` and `npmi` (finite numbers or null; `npmi` null means
//! unscored). A missing nullable member reads as null. Integers are written without
//! fraction or exponent. Members not listed are ignored, so later versions may add some.
//!
//! [`to_json`] writes the rows in rank order, one per line, and numbers in Rust's
//! shortest round-trip form, so `from_json(&to_json(t)) == t` bit for bit. Errors are
//! [`CoreError::Parse`] with the 1-based line and the member (`kmers[17].rank` for a row).

mod genemask_csv;
mod json_value;

pub use genemask_csv::{
    from_genemask_csv, GENEMASK_NGRAM_COLUMN, GENEMASK_NPMI_COLUMN, GENEMASK_PMI_COLUMN,
    GENEMASK_RANK_COLUMN,
};

use crate::error::{CoreError, Result};
use crate::kmer::{Kmer, K};
use crate::npmi::{NpmiScore, NpmiTable};
use crate::rank::{Rank, RankTable};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use json_value::{Node, Value};

/// The `format` tag of the JSON table.
pub const JSON_FORMAT: &str = "cmgems-npmi";
/// The version [`to_json`] writes and [`from_json`] reads.
pub const JSON_VERSION: u64 = 1;

/// The table as `cmgems-npmi` JSON (see the module doc).
pub fn to_json(table: &NpmiTable) -> String {
    let mut out = String::with_capacity(80 * table.k().kmer_count() + 256);
    // Writing into a String cannot fail.
    let _ = write_json(table, &mut out);
    out
}

fn write_json(t: &NpmiTable, out: &mut String) -> core::fmt::Result {
    writeln!(out, "{{")?;
    writeln!(out, "\"format\": \"{JSON_FORMAT}\",")?;
    writeln!(out, "\"version\": {JSON_VERSION},")?;
    writeln!(out, "\"k\": {},", t.k())?;
    writeln!(out, "\"min_count\": {},", t.min_count())?;
    out.push_str("\"source\": ");
    match t.source() {
        Some(s) => write_string(s, out)?,
        None => out.push_str("null"),
    }
    out.push_str(",\n\"totals\": ");
    match t.totals() {
        Some(totals) => {
            out.push('[');
            for (i, n) in totals.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write!(out, "{n}")?;
            }
            out.push(']');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\n\"kmers\": [\n");
    for (i, row) in t.rows_by_rank().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        write!(
            out,
            "{{\"kmer\": \"{}\", \"rank\": {}, \"count\": ",
            row.kmer, row.rank
        )?;
        match row.score.count {
            Some(c) => write!(out, "{c}")?,
            None => out.push_str("null"),
        }
        out.push_str(", \"pmi\": ");
        write_float(row.score.pmi, out)?;
        out.push_str(", \"npmi\": ");
        write_float(row.score.npmi, out)?;
        out.push('}');
    }
    out.push_str("\n]\n}\n");
    Ok(())
}

/// Shortest text that reads back to the same f64; Debug form is valid JSON for finite
/// values (`1.0`, `-0.0`, `1e-7`), and tables hold only finite ones.
fn write_float(x: Option<f64>, out: &mut String) -> core::fmt::Result {
    match x {
        Some(x) => write!(out, "{x:?}"),
        None => {
            out.push_str("null");
            Ok(())
        }
    }
}

fn write_string(s: &str, out: &mut String) -> core::fmt::Result {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32)?,
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// Reads a `cmgems-npmi` JSON table, checking everything the module doc promises.
pub fn from_json(text: &str) -> Result<NpmiTable> {
    let root = json_value::parse(text)?;
    if !matches!(root.value, Value::Object(_)) {
        return Err(CoreError::parse(
            root.line,
            "the table must be a JSON object",
        ));
    }
    let required = |name: &str| {
        root.member(name)
            .ok_or_else(|| CoreError::parse_field(root.line, name, "missing"))
    };

    let format = required("format")?;
    match &format.value {
        Value::String(s) if s == JSON_FORMAT => {}
        _ => {
            return Err(CoreError::parse_field(
                format.line,
                "format",
                alloc::format!("expected \"{JSON_FORMAT}\""),
            ))
        }
    }
    let version = integer(required("version")?, "version")?;
    if version != JSON_VERSION {
        return Err(CoreError::parse_field(
            required("version")?.line,
            "version",
            alloc::format!("version {version} is not supported (only {JSON_VERSION})"),
        ));
    }
    let k_node = required("k")?;
    let k = K::new(integer(k_node, "k")? as usize)
        .map_err(|e| CoreError::parse_field(k_node.line, "k", alloc::format!("{e}")))?;
    let min_node = required("min_count")?;
    let min_count = integer(min_node, "min_count")?;
    if min_count == 0 {
        return Err(CoreError::parse_field(
            min_node.line,
            "min_count",
            "must be at least 1",
        ));
    }
    let source = match root.member("source") {
        None => None,
        Some(n) => match &n.value {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            _ => return Err(wrong_kind(n, "source", "a string or null")),
        },
    };
    let totals = match root.member("totals") {
        None => None,
        Some(n) => match &n.value {
            Value::Null => None,
            Value::Array(items) if items.len() == k.get() => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| integer(item, &alloc::format!("totals[{i}]")))
                    .collect::<Result<Vec<u64>>>()?,
            ),
            Value::Array(items) => {
                return Err(CoreError::parse_field(
                    n.line,
                    "totals",
                    alloc::format!("expected N_1..N_{k}: {k} numbers, got {}", items.len()),
                ))
            }
            _ => return Err(wrong_kind(n, "totals", "an array or null")),
        },
    };

    let kmers = required("kmers")?;
    let Value::Array(rows) = &kmers.value else {
        return Err(wrong_kind(kmers, "kmers", "an array"));
    };
    let n = k.kmer_count();
    if rows.len() != n {
        return Err(CoreError::parse_field(
            kmers.line,
            "kmers",
            alloc::format!("a table for k = {k} has {n} rows, got {}", rows.len()),
        ));
    }
    let mut scores = alloc::vec![NpmiScore::default(); n];
    let mut ranks: Vec<Rank> = alloc::vec![0; n];
    // row index that claimed each code / rank, to name the earlier row on a repeat
    let mut code_row: Vec<Option<usize>> = alloc::vec![None; n];
    let mut rank_row: Vec<Option<usize>> = alloc::vec![None; n + 1];
    for (i, row) in rows.iter().enumerate() {
        let field = |m: &str| alloc::format!("kmers[{i}].{m}");
        if !matches!(row.value, Value::Object(_)) {
            return Err(wrong_kind(row, &alloc::format!("kmers[{i}]"), "an object"));
        }
        let kmer_node = row
            .member("kmer")
            .ok_or_else(|| CoreError::parse_field(row.line, field("kmer"), "missing"))?;
        let Value::String(text) = &kmer_node.value else {
            return Err(wrong_kind(kmer_node, &field("kmer"), "a string"));
        };
        let kmer = Kmer::parse(k, text).map_err(|e| {
            CoreError::parse_field(kmer_node.line, field("kmer"), alloc::format!("{e}"))
        })?;
        if let Some(earlier) = code_row[kmer.code()] {
            return Err(CoreError::parse_field(
                kmer_node.line,
                field("kmer"),
                alloc::format!("{kmer} already appeared in kmers[{earlier}]"),
            ));
        }
        code_row[kmer.code()] = Some(i);

        let rank_node = row
            .member("rank")
            .ok_or_else(|| CoreError::parse_field(row.line, field("rank"), "missing"))?;
        let rank = integer(rank_node, &field("rank"))?;
        if rank == 0 || rank > n as u64 {
            return Err(CoreError::parse_field(
                rank_node.line,
                field("rank"),
                alloc::format!("rank {rank} is outside 1..={n}"),
            ));
        }
        if let Some(earlier) = rank_row[rank as usize] {
            return Err(CoreError::parse_field(
                rank_node.line,
                field("rank"),
                alloc::format!("rank {rank} already given to kmers[{earlier}]"),
            ));
        }
        rank_row[rank as usize] = Some(i);
        ranks[kmer.code()] = rank as Rank;

        scores[kmer.code()] = NpmiScore {
            count: nullable(row.member("count"), |n| integer(n, &field("count")))?,
            pmi: nullable(row.member("pmi"), |n| float(n, &field("pmi")))?,
            npmi: nullable(row.member("npmi"), |n| float(n, &field("npmi")))?,
        };
    }
    // 4^k distinct k-mers and 4^k distinct ranks in range: both are permutations.
    let ranks = RankTable::from_ranks(k, ranks)?;
    let table = NpmiTable::from_parts(k, min_count, totals, scores, ranks)?;
    Ok(match source {
        Some(s) => table.with_source(s),
        None => table,
    })
}

fn wrong_kind(node: &Node<'_>, field: &str, want: &str) -> CoreError {
    CoreError::parse_field(
        node.line,
        field,
        alloc::format!("expected {want}, got {}", node.kind()),
    )
}

fn nullable<T>(
    node: Option<&Node<'_>>,
    read: impl Fn(&Node<'_>) -> Result<T>,
) -> Result<Option<T>> {
    match node {
        None => Ok(None),
        Some(n) if n.value == Value::Null => Ok(None),
        Some(n) => read(n).map(Some),
    }
}

/// A non-negative integer written as one (no sign, fraction or exponent).
fn integer(node: &Node<'_>, field: &str) -> Result<u64> {
    match node.value {
        Value::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().map_err(|_| {
                CoreError::parse_field(node.line, field, alloc::format!("{text} is too large"))
            })
        }
        Value::Number(text) => Err(CoreError::parse_field(
            node.line,
            field,
            alloc::format!("expected a non-negative integer, got {text}"),
        )),
        _ => Err(wrong_kind(node, field, "a non-negative integer")),
    }
}

fn float(node: &Node<'_>, field: &str) -> Result<f64> {
    match node.value {
        Value::Number(text) => match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(CoreError::parse_field(
                node.line,
                field,
                alloc::format!("{text} is not a finite number"),
            )),
        },
        _ => Err(wrong_kind(node, field, "a number or null")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::NgramCounts;
    use alloc::string::ToString;
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
}
