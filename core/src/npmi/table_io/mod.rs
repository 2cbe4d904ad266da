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
//! Members may come in any order; naming one of the members above twice is an error.
//!
//! [`to_json`] writes the rows in rank order, one per line, and numbers in Rust's
//! shortest round-trip form, which serde_json reads back exactly (with its
//! `float_roundtrip` feature, on in the workspace), so `from_json(&to_json(t)) == t` bit
//! for bit.
//!
//! Errors are [`CoreError::Parse`] naming the member (`kmers[17].rank` for a member of a
//! row, `kmers[17]` for the row itself, `totals[1]`; no member for text outside the
//! object) and the 1-based line where reading stopped: the line of the offending value
//! or of an array item too many; for a missing member or too few items, the line where
//! the object or array closes. Ignored members are skipped without recursion, so no
//! nesting depth can overflow the stack.

mod genemask_csv;

pub use genemask_csv::{
    from_genemask_csv, GENEMASK_NGRAM_COLUMN, GENEMASK_NPMI_COLUMN, GENEMASK_PMI_COLUMN,
    GENEMASK_RANK_COLUMN,
};

use crate::error::{CoreError, Result};
use crate::npmi::rank::{Rank, RankTable};
use crate::npmi::{NpmiScore, NpmiTable};
use crate::tokenize::kmer::{Kmer, K};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt::{self, Write};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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
        // serde_json escapes; serialising a str cannot fail.
        Some(s) => out.push_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?),
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

/// Reads a `cmgems-npmi` JSON table, checking everything the module doc promises.
pub fn from_json(text: &str) -> Result<NpmiTable> {
    let mut doc = read_document(text, None)?;
    if doc.kmers.is_none() {
        // `totals` or `kmers` came before `k`, so they could not be checked on the first
        // pass; read again knowing k (rare: `to_json` writes `k` first).
        doc = read_document(text, Some(doc.k))?;
    }
    let (scores, ranks) = doc.kmers.expect("k is known on the second pass");
    // 4^k distinct k-mers and 4^k distinct ranks in range: both are permutations.
    let ranks = RankTable::from_ranks(doc.k, ranks)?;
    let table = NpmiTable::from_parts(doc.k, doc.min_count, doc.totals, scores, ranks)?;
    Ok(match doc.source {
        Some(s) => table.with_source(s),
        None => table,
    })
}

/// The members of the document, checked; `kmers` is `None` when `totals` or `kmers`
/// came before `k` and were skipped.
struct Document {
    k: K,
    min_count: u64,
    source: Option<String>,
    totals: Option<Vec<u64>>,
    kmers: Option<(Vec<NpmiScore>, Vec<Rank>)>,
}

/// One pass of serde_json over `text`; `k` is what an earlier pass learned.
fn read_document(text: &str, k: Option<K>) -> Result<Document> {
    let at = Cell::new(At::Root);
    let mut de = serde_json::Deserializer::from_str(text);
    let read = DocumentSeed { at: &at, k }
        .deserialize(&mut de)
        .and_then(|doc| {
            at.set(At::Root);
            de.end().map(|()| doc)
        });
    read.map_err(|e| parse_error(&e, at.get()))
}

/// Where the reader stands, so that an error from inside serde_json can name the member.
/// Updated before each member and item is read; unknown members leave it on their object.
#[derive(Debug, Clone, Copy)]
enum At {
    Root,
    Member(&'static str),
    Total(usize),
    Row(usize),
    RowMember(usize, &'static str),
}

/// serde_json's error, which carries the line where it stopped, as a [`CoreError::Parse`]
/// naming the member the reader was in.
fn parse_error(e: &serde_json::Error, at: At) -> CoreError {
    let text = alloc::format!("{e}");
    // serde_json has no accessor for the bare message; its Display appends the position.
    let position = alloc::format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    let field = match at {
        At::Root => return CoreError::parse(e.line(), message),
        At::Member(name) => String::from(name),
        At::Total(i) => alloc::format!("totals[{i}]"),
        At::Row(i) => alloc::format!("kmers[{i}]"),
        At::RowMember(i, name) => alloc::format!("kmers[{i}].{name}"),
    };
    CoreError::parse_field(e.line(), field, message)
}

/// The top-level members; the names are the format's.
#[derive(Deserialize, Clone, Copy)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Member {
    Format,
    Version,
    K,
    MinCount,
    Source,
    Totals,
    Kmers,
    #[serde(other)]
    Unknown,
}

impl Member {
    fn name(self) -> Option<&'static str> {
        Some(match self {
            Member::Format => "format",
            Member::Version => "version",
            Member::K => "k",
            Member::MinCount => "min_count",
            Member::Source => "source",
            Member::Totals => "totals",
            Member::Kmers => "kmers",
            Member::Unknown => return None,
        })
    }
}

/// The members of a row.
#[derive(Deserialize, Clone, Copy)]
#[serde(field_identifier, rename_all = "snake_case")]
enum RowMember {
    Kmer,
    Rank,
    Count,
    Pmi,
    Npmi,
    #[serde(other)]
    Unknown,
}

impl RowMember {
    fn name(self) -> Option<&'static str> {
        Some(match self {
            RowMember::Kmer => "kmer",
            RowMember::Rank => "rank",
            RowMember::Count => "count",
            RowMember::Pmi => "pmi",
            RowMember::Npmi => "npmi",
            RowMember::Unknown => return None,
        })
    }
}

/// Fails the second time a member is met (`bit` stands for the member in `seen`).
fn first_time<E: de::Error>(seen: &mut u8, bit: u8, name: &'static str) -> Result<(), E> {
    if *seen & bit != 0 {
        return Err(E::duplicate_field(name));
    }
    *seen |= bit;
    Ok(())
}

struct DocumentSeed<'a> {
    at: &'a Cell<At>,
    k: Option<K>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = Document;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Document, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {JSON_FORMAT} table object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let at = self.at;
        let mut k = self.k;
        let mut seen = 0u8;
        let mut min_count = None;
        let mut source = None;
        let mut totals = None;
        let mut kmers = None;
        let mut deferred = false;
        loop {
            at.set(At::Root);
            let Some(member) = map.next_key::<Member>()? else {
                break;
            };
            let Some(name) = member.name() else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            at.set(At::Member(name));
            first_time(&mut seen, 1 << member as u8, name)?;
            match (member, k) {
                (Member::Format, _) => map.next_value_seed(Str(|s: &str| {
                    (s == JSON_FORMAT)
                        .then_some(())
                        .ok_or_else(|| alloc::format!("expected \"{JSON_FORMAT}\""))
                }))?,
                (Member::Version, _) => map.next_value_seed(Int(|v| {
                    (v == JSON_VERSION).then_some(()).ok_or_else(|| {
                        alloc::format!("version {v} is not supported (only {JSON_VERSION})")
                    })
                }))?,
                (Member::K, _) => {
                    k = Some(map.next_value_seed(Int(|v| match usize::try_from(v) {
                        Ok(k) => K::new(k).map_err(|e| alloc::format!("{e}")),
                        Err(_) => Err(alloc::format!("k = {v} is not supported")),
                    }))?)
                }
                (Member::MinCount, _) => {
                    min_count = Some(map.next_value_seed(Int(|v| {
                        if v == 0 {
                            Err(String::from("must be at least 1"))
                        } else {
                            Ok(v)
                        }
                    }))?)
                }
                (Member::Source, _) => source = map.next_value::<Option<String>>()?,
                (Member::Totals, Some(k)) => {
                    totals = map.next_value_seed(Nullable(TotalsSeed { at, k }))?;
                }
                (Member::Kmers, Some(k)) => {
                    kmers = Some(map.next_value_seed(KmersSeed { at, k })?);
                }
                (Member::Totals | Member::Kmers, None) => {
                    map.next_value::<IgnoredAny>()?;
                    deferred = true;
                }
                (Member::Unknown, _) => unreachable!("skipped above"),
            }
        }
        for (member, name) in [
            (Member::Format, "format"),
            (Member::Version, "version"),
            (Member::K, "k"),
            (Member::MinCount, "min_count"),
            (Member::Kmers, "kmers"),
        ] {
            if seen & (1 << member as u8) == 0 {
                at.set(At::Member(name));
                return Err(de::Error::missing_field(name));
            }
        }
        Ok(Document {
            k: k.expect("k was read"),
            min_count: min_count.expect("min_count was read"),
            source,
            totals,
            kmers: if deferred { None } else { kmers },
        })
    }
}

/// N_1..N_k, exactly k of them.
struct TotalsSeed<'a> {
    at: &'a Cell<At>,
    k: K,
}

impl<'de> DeserializeSeed<'de> for TotalsSeed<'_> {
    type Value = Vec<u64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<u64>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TotalsSeed<'_> {
    type Value = Vec<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {} integers or null", self.k)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
        let k = self.k.get();
        let wrong_count = |got: &dyn fmt::Display| {
            self.at.set(At::Member("totals"));
            alloc::format!("expected N_1..N_{k}: {k} numbers, got {got}")
        };
        let mut totals = Vec::with_capacity(k);
        while totals.len() < k {
            self.at.set(At::Total(totals.len()));
            match seq.next_element_seed(Int(Ok))? {
                Some(n) => totals.push(n),
                None => return Err(de::Error::custom(wrong_count(&totals.len()))),
            }
        }
        seq.next_element_seed(NoMoreItems(&|| wrong_count(&"more")))?;
        Ok(totals)
    }
}

/// The rows: every k-mer once, ranks a permutation of 1..=4^k. Yields the scores and
/// ranks indexed by k-mer code.
struct KmersSeed<'a> {
    at: &'a Cell<At>,
    k: K,
}

/// What the rows read so far have claimed: the row that named each k-mer code and each
/// rank, to name the earlier row on a repeat.
struct Claims {
    code_row: Vec<Option<usize>>,
    rank_row: Vec<Option<usize>>,
}

impl<'de> DeserializeSeed<'de> for KmersSeed<'_> {
    type Value = (Vec<NpmiScore>, Vec<Rank>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for KmersSeed<'_> {
    type Value = (Vec<NpmiScore>, Vec<Rank>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {} rows", self.k.kmer_count())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (k, n) = (self.k, self.k.kmer_count());
        let wrong_count = |got: &dyn fmt::Display| {
            self.at.set(At::Member("kmers"));
            alloc::format!("a table for k = {k} has {n} rows, got {got}")
        };
        let mut scores = alloc::vec![NpmiScore::default(); n];
        let mut ranks: Vec<Rank> = alloc::vec![0; n];
        let mut claims = Claims {
            code_row: alloc::vec![None; n],
            rank_row: alloc::vec![None; n + 1],
        };
        for i in 0..n {
            self.at.set(At::Row(i));
            let row = RowSeed {
                at: self.at,
                k,
                i,
                claims: &mut claims,
            };
            let Some((kmer, rank, score)) = seq.next_element_seed(row)? else {
                return Err(de::Error::custom(wrong_count(&i)));
            };
            scores[kmer.code()] = score;
            ranks[kmer.code()] = rank;
        }
        seq.next_element_seed(NoMoreItems(&|| wrong_count(&"more")))?;
        Ok((scores, ranks))
    }
}

/// Row `i` of `kmers`.
struct RowSeed<'a> {
    at: &'a Cell<At>,
    k: K,
    i: usize,
    claims: &'a mut Claims,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = (Kmer, Rank, NpmiScore);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = (Kmer, Rank, NpmiScore);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let RowSeed { at, k, i, claims } = self;
        let n = k.kmer_count();
        let mut seen = 0u8;
        let (mut kmer, mut rank) = (None, None);
        let mut score = NpmiScore::default();
        loop {
            at.set(At::Row(i));
            let Some(member) = map.next_key::<RowMember>()? else {
                break;
            };
            let Some(name) = member.name() else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            at.set(At::RowMember(i, name));
            first_time(&mut seen, 1 << member as u8, name)?;
            match member {
                RowMember::Kmer => {
                    kmer = Some(map.next_value_seed(Str(|text: &str| {
                        let kmer = Kmer::parse(k, text).map_err(|e| alloc::format!("{e}"))?;
                        let row = &mut claims.code_row[kmer.code()];
                        if let Some(earlier) = *row {
                            return Err(alloc::format!(
                                "{kmer} already appeared in kmers[{earlier}]"
                            ));
                        }
                        *row = Some(i);
                        Ok(kmer)
                    }))?)
                }
                RowMember::Rank => {
                    rank = Some(map.next_value_seed(Int(|r| {
                        let slot = usize::try_from(r)
                            .ok()
                            .filter(|r| (1..=n).contains(r))
                            .ok_or_else(|| alloc::format!("rank {r} is outside 1..={n}"))?;
                        let row = &mut claims.rank_row[slot];
                        if let Some(earlier) = *row {
                            return Err(alloc::format!(
                                "rank {r} already given to kmers[{earlier}]"
                            ));
                        }
                        *row = Some(i);
                        // n ≤ 4^6 = 4096 fits a Rank.
                        Ok(slot as Rank)
                    }))?)
                }
                RowMember::Count => score.count = map.next_value_seed(Nullable(Int(Ok)))?,
                RowMember::Pmi => score.pmi = map.next_value::<Option<f64>>()?,
                RowMember::Npmi => score.npmi = map.next_value::<Option<f64>>()?,
                RowMember::Unknown => unreachable!("skipped above"),
            }
        }
        let missing = |name| {
            at.set(At::RowMember(i, name));
            de::Error::missing_field(name)
        };
        let kmer = kmer.ok_or_else(|| missing("kmer"))?;
        let rank = rank.ok_or_else(|| missing("rank"))?;
        Ok((kmer, rank, score))
    }
}

/// A non-negative integer written as one (serde_json hands `4.0`, `1e2` and `-1` to
/// other `visit_` methods, which refuse them), checked by the closure while serde_json
/// still stands on the number, so that a refusal carries the number's own line.
struct Int<F>(F);

impl<'de, T, F: FnOnce(u64) -> Result<T, String>> DeserializeSeed<'de> for Int<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_u64(self)
    }
}

impl<'de, T, F: FnOnce(u64) -> Result<T, String>> Visitor<'de> for Int<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// A string, checked like [`Int`] while serde_json stands on it.
struct Str<F>(F);

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> DeserializeSeed<'de> for Str<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for Str<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// `null` or what the inner seed reads.
struct Nullable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// An array item past the expected count: refused before it is read, so the error
/// carries the line where the item starts. The message is built only then.
struct NoMoreItems<'a>(&'a dyn Fn() -> String);

impl<'de> DeserializeSeed<'de> for NoMoreItems<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(de::Error::custom((self.0)()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npmi::counts::NgramCounts;
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
}
