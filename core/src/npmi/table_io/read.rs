//! The `cmgems-npmi` JSON reader: serde_json driven by seeds that check every member as it
//! is read and name the member and line of the first error (the format and its error
//! rules are described in the module doc of `table_io`).

use super::seeds::{Int, NoMoreItems, Nullable, Str};
use super::{JSON_FORMAT, JSON_VERSION};
use crate::error::{CoreError, Result};
use crate::npmi::rank::{Rank, RankTable};
use crate::npmi::{NpmiScore, NpmiTable};
use crate::tokenize::kmer::{Kmer, K};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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
