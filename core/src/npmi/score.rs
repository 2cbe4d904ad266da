//! The NPMI table: how strongly each k-mer's nucleotides stick together (docs/algorithms.md §2).
//!
//! PMI here is Levine et al.'s (PMI-Masking): a k-mer is only as collocated as its
//! *weakest* split, so PMI takes the minimum over every segmentation into at least two
//! contiguous pieces. NPMI discounts rare k-mers: `PMI · ln f / (ln c + ln f)` with c the
//! minimum count. Both were checked against the GeneMask authors' released table: their
//! `norm_dp_true_pmi / dp.true.pmi` implies integer counts under this formula with c = 101.

use crate::error::{CoreError, Result};
use crate::npmi::counts::NgramCounts;
use crate::npmi::rank::{Rank, RankTable};
use crate::tokenize::kmer::{Kmer, K};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::advice::too_few_counts;

/// The authors' minimum count c.
pub const DEFAULT_MIN_COUNT: u64 = 101;

/// What the table knows about one k-mer apart from its rank. Imported tables may lack the
/// count and PMI (the authors' CSV has no counts).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NpmiScore {
    /// f(w), the k-mer's count.
    pub count: Option<u64>,
    /// PMI_k(w); computed tables give it whenever f(w) ≥ 1, even below the minimum count.
    pub pmi: Option<f64>,
    /// NPMI_k(w); `None` = unscored (f(w) below the minimum count), ranked last.
    pub npmi: Option<f64>,
}

/// One k-mer's row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpmiRow {
    pub kmer: Kmer,
    pub rank: Rank,
    pub score: NpmiScore,
}

/// NPMI scores and ranks of all 4^k k-mers.
#[derive(Debug, Clone, PartialEq)]
pub struct NpmiTable {
    min_count: u64,
    /// N_1..N_k of the corpus, where known.
    totals: Option<Vec<u64>>,
    /// Where the table came from (a corpus, a file), free text.
    source: Option<String>,
    /// By k-mer code.
    scores: Vec<NpmiScore>,
    ranks: RankTable,
    /// Codes from rank 1 down, so `top` needs no search.
    order: Vec<u16>,
}

impl NpmiTable {
    /// Scores the k-mers of the counts' own k.
    pub fn from_counts(counts: &NgramCounts, min_count: u64) -> Result<NpmiTable> {
        Self::from_counts_with_k(counts, counts.k(), min_count)
    }

    /// Scores k-mers of any k up to the counts' k (counts for 6 hold everything for 3..5).
    pub fn from_counts_with_k(counts: &NgramCounts, k: K, min_count: u64) -> Result<NpmiTable> {
        if k > counts.k() {
            return Err(CoreError::Mismatch(alloc::format!(
                "an NPMI table for k = {k} needs n-gram counts up to {k}, these go up to {}",
                counts.k()
            )));
        }
        check_min_count(min_count)?;
        let kk = k.get();
        let totals: Vec<u64> = (1..=kk).map(|n| counts.total(n)).collect();

        // ln p(s) for every n-gram of every length; -inf where f(s) = 0.
        let log_p: Vec<Vec<f64>> = (1..=kk)
            .map(|n| {
                let ln_total = libm::log(totals[n - 1] as f64);
                counts
                    .level(n)
                    .iter()
                    .map(|&f| {
                        if f == 0 {
                            f64::NEG_INFINITY
                        } else {
                            libm::log(f as f64) - ln_total
                        }
                    })
                    .collect()
            })
            .collect();

        let ln_c = libm::log(min_count as f64);
        let mut scores = Vec::with_capacity(k.kmer_count());
        let mut any_scored = false;
        for (code, &f) in counts.level(kk).iter().enumerate() {
            let pmi = if f == 0 {
                None
            } else {
                Some(pmi_of(kk, code, &log_p).ok_or_else(|| {
                    CoreError::invalid(
                        "counts",
                        alloc::format!(
                            "inconsistent: {} occurs {f} times but one of its pieces never",
                            Kmer::from_code(k, code).expect("code below 4^k")
                        ),
                    )
                })?)
            };
            let npmi = match pmi {
                Some(pmi) if f >= min_count => {
                    any_scored = true;
                    Some(pmi * discount(f, ln_c))
                }
                _ => None,
            };
            scores.push(NpmiScore {
                count: Some(f),
                pmi,
                npmi,
            });
        }
        if !any_scored {
            return Err(too_few_counts(counts, k, min_count));
        }
        let ranks = rank_by_npmi(k, &scores)?;
        Self::assemble(k, min_count, Some(totals), scores, ranks)
    }

    /// A table from stored scores (by k-mer code) and ranks, e.g. read from a file. The
    /// ranks are taken as given: an imported table keeps its authors' order.
    pub fn from_parts(
        k: K,
        min_count: u64,
        totals: Option<Vec<u64>>,
        scores: Vec<NpmiScore>,
        ranks: RankTable,
    ) -> Result<NpmiTable> {
        if ranks.k() != k {
            return Err(CoreError::Mismatch(alloc::format!(
                "ranks for k = {} given for an NPMI table for k = {k}",
                ranks.k()
            )));
        }
        if scores.len() != k.kmer_count() {
            return Err(CoreError::Mismatch(alloc::format!(
                "an NPMI table for k = {k} needs {} scores, got {}",
                k.kmer_count(),
                scores.len()
            )));
        }
        check_min_count(min_count)?;
        if let Some(t) = &totals {
            if t.len() != k.get() {
                return Err(CoreError::Mismatch(alloc::format!(
                    "totals for k = {k} are N_1..N_{k}, got {} numbers",
                    t.len()
                )));
            }
        }
        for (code, s) in scores.iter().enumerate() {
            if s.pmi.is_some_and(|x| !x.is_finite()) || s.npmi.is_some_and(|x| !x.is_finite()) {
                return Err(CoreError::invalid(
                    "scores",
                    alloc::format!(
                        "{} has a non-finite PMI or NPMI",
                        Kmer::from_code(k, code).expect("code below 4^k")
                    ),
                ));
            }
        }
        Self::assemble(k, min_count, totals, scores, ranks)
    }

    fn assemble(
        k: K,
        min_count: u64,
        totals: Option<Vec<u64>>,
        scores: Vec<NpmiScore>,
        ranks: RankTable,
    ) -> Result<NpmiTable> {
        let mut order = alloc::vec![0u16; k.kmer_count()];
        for (code, &r) in ranks.ranks_by_code().iter().enumerate() {
            order[r as usize - 1] = code as u16;
        }
        Ok(NpmiTable {
            min_count,
            totals,
            source: None,
            scores,
            ranks,
            order,
        })
    }

    /// Records where the table came from.
    pub fn with_source(mut self, source: impl Into<String>) -> NpmiTable {
        self.source = Some(source.into());
        self
    }

    /// The table's k.
    pub fn k(&self) -> K {
        self.ranks.k()
    }

    /// Errors unless this table is for k (a k = 3 table cannot drive a k = 6 masker).
    pub fn expect_k(&self, k: K) -> Result<()> {
        if self.k() == k {
            Ok(())
        } else {
            Err(CoreError::Mismatch(alloc::format!(
                "the NPMI table is for k = {}, but k = {k} is wanted",
                self.k()
            )))
        }
    }

    /// The minimum count c.
    pub fn min_count(&self) -> u64 {
        self.min_count
    }

    /// N_1..N_k of the corpus, where known.
    pub fn totals(&self) -> Option<&[u64]> {
        self.totals.as_deref()
    }

    /// Where the table came from, where recorded.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The ranks, as the maskers consume them.
    pub fn rank_table(&self) -> &RankTable {
        &self.ranks
    }

    /// The ranks, dropping the scores.
    pub fn into_rank_table(self) -> RankTable {
        self.ranks
    }

    /// How many k-mers have an NPMI score (reach the minimum count).
    pub fn scored(&self) -> usize {
        self.scores.iter().filter(|s| s.npmi.is_some()).count()
    }

    /// Scores by k-mer code.
    pub fn scores(&self) -> &[NpmiScore] {
        &self.scores
    }

    /// The row of one k-mer.
    ///
    /// # Panics
    /// If the k-mer is of another k.
    pub fn row(&self, kmer: Kmer) -> NpmiRow {
        assert_eq!(
            kmer.k(),
            self.k(),
            "k-mer {kmer} in a table for k = {}",
            self.k()
        );
        NpmiRow {
            kmer,
            rank: self.ranks.rank(kmer),
            score: self.scores[kmer.code()],
        }
    }

    /// All rows from rank 1 down.
    pub fn rows_by_rank(&self) -> impl Iterator<Item = NpmiRow> + '_ {
        let k = self.k();
        self.order
            .iter()
            .enumerate()
            .map(move |(i, &code)| NpmiRow {
                kmer: Kmer::from_code(k, code as usize).expect("code below 4^k"),
                rank: (i + 1) as Rank,
                score: self.scores[code as usize],
            })
    }

    /// The n best k-mers (fewer if the table is smaller): (k-mer, rank, NPMI).
    pub fn top(&self, n: usize) -> impl Iterator<Item = (Kmer, Rank, Option<f64>)> + '_ {
        self.rows_by_rank()
            .take(n)
            .map(|r| (r.kmer, r.rank, r.score.npmi))
    }
}

fn check_min_count(min_count: u64) -> Result<()> {
    if min_count == 0 {
        return Err(CoreError::invalid(
            "min_count",
            "must be at least 1 (ln c must exist)",
        ));
    }
    Ok(())
}

/// `ln f / (ln c + ln f)`. With c = 1 there is no discount, and the 0/0 at f = 1 takes
/// that limit, 1.
fn discount(f: u64, ln_c: f64) -> f64 {
    let ln_f = libm::log(f as f64);
    if ln_c == 0.0 {
        1.0
    } else {
        ln_f / (ln_c + ln_f)
    }
}

/// min over segmentations σ (≥ 2 pieces) of ln p(w) - Σ ln p(s). Bit i of `cuts` cuts
/// after letter i. `None` if some piece never occurs (counts from another corpus).
fn pmi_of(k: usize, code: usize, log_p: &[Vec<f64>]) -> Option<f64> {
    let mut best_pieces = f64::NEG_INFINITY;
    for cuts in 1u32..(1 << (k - 1)) {
        let mut sum = 0.0;
        let mut piece_start = 0;
        for end in 1..=k {
            if end == k || cuts & (1 << (end - 1)) != 0 {
                let n = end - piece_start;
                let piece = (code >> (2 * (k - end))) & ((1 << (2 * n)) - 1);
                sum += log_p[n - 1][piece];
                piece_start = end;
            }
        }
        if sum > best_pieces {
            best_pieces = sum;
        }
    }
    let pmi = log_p[k - 1][code] - best_pieces;
    pmi.is_finite().then_some(pmi)
}

/// Rank 1 = highest NPMI, ties by code; unscored last in code order.
fn rank_by_npmi(k: K, scores: &[NpmiScore]) -> Result<RankTable> {
    let mut codes: Vec<usize> = (0..scores.len()).collect();
    codes.sort_by(|&a, &b| match (scores[a].npmi, scores[b].npmi) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.cmp(&b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(&b),
    });
    let mut by_code = alloc::vec![0 as Rank; scores.len()];
    for (i, code) in codes.into_iter().enumerate() {
        by_code[code] = (i + 1) as Rank;
    }
    RankTable::from_ranks(k, by_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k3() -> K {
        K::new(3).unwrap()
    }

    fn kmer(s: &str) -> Kmer {
        Kmer::parse(K::new(s.len()).unwrap(), s).unwrap()
    }

    fn counts_of(k: K, records: &[&[u8]]) -> NgramCounts {
        let mut c = NgramCounts::new(k);
        for r in records {
            c.count_record(r);
        }
        c
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn golden_toy_corpus_pmi_npmi_and_ranks() {
        // Records AAAT, AAAT, AAAT, ATA; k = 3, c = 2.
        // 1-grams: A 3·3+2 = 11, T 3·1+1 = 4                       N_1 = 15
        // 2-grams: AA 3·2 = 6, AT 3·1+1 = 4, TA 1                  N_2 = 11
        // 3-grams: AAA 3, AAT 3, ATA 1                             N_3 = 7
        // AAA: p = 3/7. A|A|A = (11/15)^3 = 0.39437, A|AA = AA|A = 11/15·6/11 = 2/5.
        //      Largest product 2/5 -> PMI = ln((3/7)/(2/5)) = ln(15/14).
        // AAT: p = 3/7. A|A|T = (11/15)^2·4/15 = 0.14341, A|AT = 11/15·4/11 = 4/15,
        //      AA|T = 6/11·4/15 = 0.14545. Largest 4/15 -> PMI = ln(45/28).
        // ATA: p = 1/7. A|T|A = 0.14341, A|TA = 11/15·1/11 = 1/15, AT|A = 4/11·11/15 = 4/15.
        //      PMI = ln((1/7)/(4/15)) = ln(15/28) < 0; f = 1 < c: unscored.
        // NPMI (f = 3, c = 2): PMI · ln 3 / (ln 2 + ln 3) = PMI · ln 3 / ln 6.
        // Ranks: AAT 1, AAA 2, then the unscored codes 2..63 in order: ranks 3..64.
        let c = counts_of(k3(), &[b"AAAT", b"AAAT", b"AAAT", b"ATA"]);
        let t = NpmiTable::from_counts(&c, 2).unwrap();
        let ln = libm::log;
        let factor = ln(3.0) / ln(6.0);

        let aaa = t.row(kmer("AAA"));
        assert_eq!(aaa.score.count, Some(3));
        assert!(close(aaa.score.pmi.unwrap(), ln(15.0 / 14.0)));
        assert!(close(aaa.score.npmi.unwrap(), ln(15.0 / 14.0) * factor));
        assert_eq!(aaa.rank, 2);

        let aat = t.row(kmer("AAT"));
        assert!(close(aat.score.pmi.unwrap(), ln(45.0 / 28.0)));
        assert!(close(aat.score.npmi.unwrap(), ln(45.0 / 28.0) * factor));
        assert_eq!(aat.rank, 1);

        let ata = t.row(kmer("ATA")); // code 0·16 + 1·4 + 0 = 4
        assert_eq!(ata.score.count, Some(1));
        assert!(close(ata.score.pmi.unwrap(), ln(15.0 / 28.0)));
        assert_eq!(ata.score.npmi, None);
        assert_eq!(ata.rank, 5);

        let never = t.row(kmer("GGG"));
        assert_eq!(
            (never.score.count, never.score.pmi, never.score.npmi),
            (Some(0), None, None)
        );
        assert_eq!(never.rank, 64);

        assert_eq!(t.totals(), Some(&[15, 11, 7][..]));
        let top: Vec<_> = t.top(3).map(|(km, r, _)| (km, r)).collect();
        assert_eq!(top, [(kmer("AAT"), 1), (kmer("AAA"), 2), (kmer("AAC"), 3)]);
    }

    #[test]
    fn golden_ties_go_to_the_lower_vocabulary_id() {
        // Records AAAT, TTTA, AAAT, TTTA; k = 3, c = 2. Mirror images, so A <-> T symmetric.
        // 1-grams: A 8, T 8 (p = 1/2). 2-grams: AA 4, TT 4 (p = 1/3), AT 2, TA 2 (p = 1/6).
        // 3-grams: AAA, AAT, TTT, TTA 2 each (p = 1/4).
        // AAA: A|A|A = 1/8, A|AA = AA|A = 1/6 -> PMI = ln((1/4)/(1/6)) = ln 1.5.
        // AAT: A|A|T = 1/8, A|AT = 1/12, AA|T = 1/6 -> PMI = ln 1.5. TTT, TTA likewise.
        // NPMI = ln 1.5 · ln 2 / (ln 2 + ln 2) = ln 1.5 / 2 for all four: a 4-way tie, so
        // codes decide: AAA 0, AAT 1, TTA 16+4+0 = 20, TTT 21.
        let c = counts_of(k3(), &[b"AAAT", b"TTTA", b"AAAT", b"TTTA"]);
        let t = NpmiTable::from_counts(&c, 2).unwrap();
        let top: Vec<_> = t.top(5).collect();
        let want_npmi = libm::log(1.5) / 2.0;
        for (i, name) in ["AAA", "AAT", "TTA", "TTT"].iter().enumerate() {
            assert_eq!(top[i].0, kmer(name));
            assert_eq!(top[i].1 as usize, i + 1);
            assert!(close(top[i].2.unwrap(), want_npmi));
            assert_eq!(top[i].2, top[0].2, "the tie must be exact");
        }
        assert_eq!((top[4].0, top[4].2), (kmer("AAC"), None));
    }

    #[test]
    fn min_count_one_means_no_discount() {
        // c = 1: ln c = 0, NPMI = PMI, including f = 1 where the formula reads 0/0.
        let c = counts_of(k3(), &[b"AAAT", b"AAAT", b"AAAT", b"ATA"]);
        let t = NpmiTable::from_counts(&c, 1).unwrap();
        let ata = t.row(kmer("ATA"));
        assert_eq!(ata.score.npmi, ata.score.pmi);
        assert!(ata.score.npmi.is_some());
    }

    #[test]
    fn nothing_at_the_minimum_count_says_so_and_suggests_a_c() {
        let c = counts_of(k3(), &[b"AAAT", b"AAAT", b"AAAT", b"ATA"]);
        assert!(matches!(
            NpmiTable::from_counts(&c, 4),
            Err(CoreError::Input(m)) if m.contains("try min count c = ")
        ));
        assert!(matches!(
            NpmiTable::from_counts(&c, 0),
            Err(CoreError::InvalidParameter {
                name: "min_count",
                ..
            })
        ));
    }

    #[test]
    fn smaller_k_from_larger_counts_matches_counting_that_k() {
        let recs: [&[u8]; 3] = [b"ACGTTGCAACGTAGGCTTAC", b"GGGCCCAAATTT", b"ACGNACGTACGT"];
        let from6 = NpmiTable::from_counts_with_k(&counts_of(K::SIX, &recs), k3(), 1).unwrap();
        let from3 = NpmiTable::from_counts(&counts_of(k3(), &recs), 1).unwrap();
        assert_eq!(from6, from3);
        assert!(NpmiTable::from_counts_with_k(&counts_of(k3(), &recs), K::SIX, 1).is_err());
    }

    #[test]
    fn expect_k_names_both_ks() {
        let c = counts_of(k3(), &[b"AAAT", b"AAAT"]);
        let t = NpmiTable::from_counts(&c, 1).unwrap();
        assert!(t.expect_k(k3()).is_ok());
        let Err(CoreError::Mismatch(msg)) = t.expect_k(K::SIX) else {
            panic!("expected a mismatch");
        };
        assert!(msg.contains("k = 3") && msg.contains("k = 6"), "{msg}");
    }

    /// PMI by recursion over the first piece: an independent reading of "all segmentations".
    fn pmi_oracle(c: &NgramCounts, w: &[u8]) -> f64 {
        fn log_p(c: &NgramCounts, s: &[u8]) -> f64 {
            let mut code = 0usize;
            for &b in s {
                code = code * 4 + crate::tokenize::kmer::nucleotide_code(b).unwrap() as usize;
            }
            libm::log(c.count(s.len(), code) as f64) - libm::log(c.total(s.len()) as f64)
        }
        // best[i] = max over segmentations of w[i..] into >= 1 pieces of Σ ln p.
        fn best(c: &NgramCounts, s: &[u8]) -> f64 {
            let mut b = log_p(c, s);
            for cut in 1..s.len() {
                b = b.max(log_p(c, &s[..cut]) + best(c, &s[cut..]));
            }
            b
        }
        let mut most = f64::NEG_INFINITY;
        for cut in 1..w.len() {
            most = most.max(log_p(c, &w[..cut]) + best(c, &w[cut..]));
        }
        log_p(c, w) - most
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn pmi_matches_the_recursive_oracle_and_ranks_are_ordered(
            kk in 3usize..=5,
            recs in prop::collection::vec(
                prop::collection::vec(prop::sample::select(b"AACGTN".to_vec()), 0..60), 1..5),
            min_count in 1u64..4,
        ) {
            let k = K::new(kk).unwrap();
            let mut c = NgramCounts::new(k);
            for r in &recs { c.count_record(r); }
            let Ok(t) = NpmiTable::from_counts(&c, min_count) else {
                // Only allowed when no k-mer reaches the minimum count.
                prop_assert!(c.level(kk).iter().all(|&f| f < min_count));
                return Ok(());
            };
            for row in t.rows_by_rank() {
                let f = row.score.count.unwrap();
                prop_assert_eq!(f, c.count_kmer(row.kmer));
                prop_assert_eq!(row.score.pmi.is_some(), f > 0);
                prop_assert_eq!(row.score.npmi.is_some(), f >= min_count);
                if let Some(pmi) = row.score.pmi {
                    let letters = row.kmer.letters();
                    let want = pmi_oracle(&c, &letters[..kk]);
                    prop_assert!((pmi - want).abs() < 1e-9, "{} {} {}", row.kmer, pmi, want);
                }
            }
            let rows: Vec<_> = t.rows_by_rank().collect();
            for w in rows.windows(2) {
                let (a, b) = (w[0], w[1]);
                let in_order = match (a.score.npmi, b.score.npmi) {
                    (Some(x), Some(y)) => x > y || (x == y && a.kmer.code() < b.kmer.code()),
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => a.kmer.code() < b.kmer.code(),
                };
                prop_assert!(in_order, "{:?} before {:?}", a, b);
            }
        }
    }

    #[test]
    fn a_small_genome_at_c_101_gets_a_smaller_c_that_scores() {
        // 48,502 random letters, as many as phage lambda has (xorshift, no data file).
        let mut x = 7u32;
        let genome: alloc::vec::Vec<u8> = (0..48_502)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                b"ACGT"[(x & 3) as usize]
            })
            .collect();
        let mut counts = NgramCounts::new(K::SIX);
        counts.count_record(&genome);
        let message = alloc::format!("{}", NpmiTable::from_counts(&counts, 101).unwrap_err());
        assert!(message.contains("48,502 letters"), "{message}");
        assert!(!message.contains("empty input"), "{message}");
        let c: u64 = message
            .split("try min count c = ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|c| c.parse().ok())
            .expect("a suggested c");
        assert!((1..101).contains(&c), "{message}");
        assert!(NpmiTable::from_counts(&counts, c).unwrap().scored() > 1000);
    }
}
