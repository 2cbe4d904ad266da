//! n-gram counts for n = 1..=k over a corpus, the input of the NPMI table (docs/algorithms.md §2).
//!
//! Counting must be fast (a human genome is 3 G nucleotides) and splittable (a native
//! caller counts windows of one huge record on several cores and merges them), so:
//!
//! * the hot loop keeps a rolling 2k-bit code and the length of the current ACGT run, and
//!   does one table increment per base, for the k-mer ending there;
//! * the shorter n-grams are derived afterwards by marginalising the k-mer table over
//!   prefixes: every n-gram that starts where a valid k-mer starts is that k-mer's prefix;
//! * the only n-grams that are *not* such prefixes start in the last k-1 bases of an ACGT
//!   run, so those are counted directly when the run ends.
//!
//! A window `[start, end)` counts exactly the n-grams that *start* in it, reading up to
//! k-1 bases past `end`, so windows that tile a record add up to the record's counts.

use crate::error::{CoreError, Result};
use crate::tokenize::kmer::{Kmer, K, NUCLEOTIDE_CODE};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Windows at least this long count through a scratch k-mer table and marginalise it;
/// shorter ones count every n directly (the fold costs about (k-1)·4^k additions, which
/// a short record would not pay back).
const TABLE_PATH_MIN_LEN: usize = 4096;

/// A window is counted in chunks of at most this many start positions, so the scratch
/// table's u32 cells can never overflow.
const CHUNK: usize = 1 << 30;

/// Index of the first n-gram of length n in the flat table: 4 + 16 + ... + 4^(n-1).
#[inline]
const fn offset(n: usize) -> usize {
    ((1usize << (2 * n)) - 4) / 3
}

/// How a window is counted; both give identical results (see the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CountPath {
    /// Increment all n-grams ending at each base.
    Direct,
    /// One increment per base into a k-mer scratch table, then marginalise.
    Table,
}

/// Counts of every n-gram, n = 1..=k, in DNABERT's base-4 code (A=0, T=1, C=2, G=3, first
/// base most significant). Counts from separate runs add up with [`NgramCounts::merge`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "NgramCountsRepr", into = "NgramCountsRepr")]
pub struct NgramCounts {
    k: K,
    /// All levels back to back: level n occupies `offset(n) .. offset(n) + 4^n`.
    counts: Vec<u64>,
    nucleotides_seen: u64,
}

#[derive(Serialize, Deserialize)]
struct NgramCountsRepr {
    k: K,
    nucleotides_seen: u64,
    counts: Vec<u64>,
}

impl TryFrom<NgramCountsRepr> for NgramCounts {
    type Error = CoreError;
    fn try_from(r: NgramCountsRepr) -> Result<Self> {
        let want = offset(r.k.get() + 1);
        if r.counts.len() != want {
            return Err(CoreError::Mismatch(alloc::format!(
                "n-gram counts for k = {} need {want} cells, got {}",
                r.k,
                r.counts.len()
            )));
        }
        Ok(NgramCounts {
            k: r.k,
            counts: r.counts,
            nucleotides_seen: r.nucleotides_seen,
        })
    }
}

impl From<NgramCounts> for NgramCountsRepr {
    fn from(c: NgramCounts) -> Self {
        NgramCountsRepr {
            k: c.k,
            nucleotides_seen: c.nucleotides_seen,
            counts: c.counts,
        }
    }
}

impl NgramCounts {
    /// Empty counts for n = 1..=k.
    pub fn new(k: K) -> NgramCounts {
        NgramCounts {
            k,
            counts: alloc::vec![0; offset(k.get() + 1)],
            nucleotides_seen: 0,
        }
    }

    /// The longest n-gram length counted.
    pub fn k(&self) -> K {
        self.k
    }

    /// Letters scanned, ACGT or not: the summed lengths of the records (or windows) given.
    /// The number of ACGT nucleotides is `total(1)`.
    pub fn nucleotides_seen(&self) -> u64 {
        self.nucleotides_seen
    }

    /// The counts of all n-grams of length n, indexed by code.
    ///
    /// # Panics
    /// If n is not in 1..=k.
    pub fn level(&self, n: usize) -> &[u64] {
        assert!(
            (1..=self.k.get()).contains(&n),
            "n = {n} is outside 1..={}",
            self.k
        );
        &self.counts[offset(n)..offset(n + 1)]
    }

    /// f(w) for the n-gram of length n with this code.
    ///
    /// # Panics
    /// If n is not in 1..=k or `code` is not below 4^n.
    pub fn count(&self, n: usize, code: usize) -> u64 {
        self.level(n)[code]
    }

    /// f(w) for a k-mer of any k up to this table's k.
    ///
    /// # Panics
    /// If the k-mer is longer than this table's k.
    pub fn count_kmer(&self, kmer: Kmer) -> u64 {
        self.count(kmer.k().get(), kmer.code())
    }

    /// N_n, the number of n-grams of length n counted.
    ///
    /// # Panics
    /// If n is not in 1..=k.
    pub fn total(&self, n: usize) -> u64 {
        self.level(n).iter().sum()
    }

    /// The flat table: level n at `(4^n - 4) / 3 .. (4^(n+1) - 4) / 3`.
    pub fn as_flat(&self) -> &[u64] {
        &self.counts
    }

    /// Adds another set of counts (of another record, window or file) to these.
    pub fn merge(&mut self, other: &NgramCounts) -> Result<()> {
        if other.k != self.k {
            return Err(CoreError::Mismatch(alloc::format!(
                "cannot merge n-gram counts for k = {} into counts for k = {}",
                other.k,
                self.k
            )));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.nucleotides_seen += other.nucleotides_seen;
        Ok(())
    }

    /// Counts one record. n-grams never span a record boundary (records are counted
    /// separately) nor any letter other than A/C/G/T (lower case counts as upper case).
    pub fn count_record(&mut self, seq: &[u8]) {
        self.count_window(seq, 0, seq.len());
    }

    /// Counts exactly the n-grams that start at a position in `[start, end)` of the record
    /// `seq` and lie fully inside it (reading up to k-1 bases past `end`). Windows that tile
    /// a record, counted separately and merged, equal [`NgramCounts::count_record`].
    /// Positions past the end of `seq` hold nothing; `start >= end` counts nothing.
    pub fn count_window(&mut self, seq: &[u8], start: usize, end: usize) {
        self.count_window_with(seq, start, end, None);
    }

    fn count_window_with(
        &mut self,
        seq: &[u8],
        start: usize,
        end: usize,
        forced: Option<CountPath>,
    ) {
        let end = end.min(seq.len());
        if start >= end {
            return;
        }
        self.nucleotides_seen += (end - start) as u64;
        let mut chunk_start = start;
        while chunk_start < end {
            let chunk_end = end.min(chunk_start.saturating_add(CHUNK));
            let path = forced.unwrap_or(if chunk_end - chunk_start >= TABLE_PATH_MIN_LEN {
                CountPath::Table
            } else {
                CountPath::Direct
            });
            match path {
                CountPath::Direct => self.count_direct(seq, chunk_start, chunk_end),
                CountPath::Table => self.count_by_table(seq, chunk_start, chunk_end),
            }
            chunk_start = chunk_end;
        }
    }

    /// Every n-gram ending at base i starts at i+1-n; it is counted when that start is
    /// before `end`.
    fn count_direct(&mut self, seq: &[u8], start: usize, end: usize) {
        // A constant k lets the compiler unroll the loop over n.
        match self.k.get() {
            3 => self.count_direct_k::<3>(seq, start, end),
            4 => self.count_direct_k::<4>(seq, start, end),
            5 => self.count_direct_k::<5>(seq, start, end),
            _ => self.count_direct_k::<6>(seq, start, end),
        }
    }

    fn count_direct_k<const KK: usize>(&mut self, seq: &[u8], start: usize, end: usize) {
        debug_assert_eq!(KK, self.k.get());
        let scan_end = end.saturating_add(KK - 1).min(seq.len());
        let kmask = (1usize << (2 * KK)) - 1;
        let counts = &mut self.counts[..offset(KK + 1)];
        let mut code = 0usize;
        let mut run = 0usize;
        for (i, &b) in seq[start..scan_end].iter().enumerate() {
            let c = NUCLEOTIDE_CODE[b as usize] as usize;
            if c > 3 {
                run = 0;
                continue;
            }
            code = ((code << 2) | c) & kmask;
            run += 1;
            // The n-gram ending at p = start + i starts at p + 1 - n, which must be below
            // `end`: n >= p + 2 - end.
            let n_min = (start + i + 2).saturating_sub(end);
            for n in 1..=KK {
                if n <= run && n >= n_min {
                    counts[offset(n) + (code & ((1 << (2 * n)) - 1))] += 1;
                }
            }
        }
    }

    /// One increment per base into a scratch k-mer table; n < k from its marginals plus
    /// the run tails (see the module doc).
    fn count_by_table(&mut self, seq: &[u8], start: usize, end: usize) {
        let k = self.k.get();
        let scan_end = end.saturating_add(k - 1).min(seq.len());
        let kmask = (1usize << (2 * k)) - 1;
        let mut scratch = alloc::vec![0u32; 1 << (2 * K::MAX)];
        let table: &mut [u32; 1 << (2 * K::MAX)] = scratch
            .as_mut_slice()
            .try_into()
            .expect("scratch has 4^6 cells");
        let mut code = 0usize;
        let mut run = 0usize;
        for (i, &b) in seq[start..scan_end].iter().enumerate() {
            let c = NUCLEOTIDE_CODE[b as usize] as usize;
            if c > 3 {
                if run > 0 {
                    let run_end = start + i;
                    self.count_run_tail(seq, run_end - run.min(k - 1), run_end, end);
                }
                run = 0;
                continue;
            }
            code = ((code << 2) | c) & kmask;
            run += 1;
            if run >= k {
                table[code & 0xFFF] += 1;
            }
        }
        if run > 0 {
            self.count_run_tail(seq, scan_end - run.min(k - 1), scan_end, end);
        }

        // Level k is the table; level n < k sums blocks of 4 cells of level n + 1.
        let mut level: Vec<u64> = table[..=kmask].iter().map(|&x| x as u64).collect();
        for n in (1..=k).rev() {
            let dst = &mut self.counts[offset(n)..offset(n + 1)];
            for (d, s) in dst.iter_mut().zip(&level) {
                *d += s;
            }
            if n > 1 {
                level = level.chunks_exact(4).map(|q| q.iter().sum()).collect();
            }
        }
    }

    /// Counts the n-grams (n < k) that start in `[tail_start, tail_end)`, before `end`,
    /// and end by `tail_end`: the last k-1 bases of an ACGT run, where no k-mer starts,
    /// so the marginals of the k-mer table miss them.
    fn count_run_tail(&mut self, seq: &[u8], tail_start: usize, tail_end: usize, end: usize) {
        let k = self.k.get();
        for p in tail_start..tail_end.min(end) {
            let mut code = 0usize;
            for (n, &b) in (1..k).zip(&seq[p..tail_end]) {
                code = (code << 2) | NUCLEOTIDE_CODE[b as usize] as usize;
                self.counts[offset(n) + code] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Scans every substring: the definition, with nothing clever.
    fn oracle(k: K, seq: &[u8], start: usize, end: usize) -> Vec<u64> {
        let mut flat = alloc::vec![0u64; offset(k.get() + 1)];
        for n in 1..=k.get() {
            for p in start..end.min(seq.len()) {
                let Some(piece) = seq.get(p..p + n) else {
                    continue;
                };
                let mut code = 0usize;
                let mut ok = true;
                for &b in piece {
                    match b.to_ascii_uppercase() {
                        b'A' => code *= 4,
                        b'T' => code = code * 4 + 1,
                        b'C' => code = code * 4 + 2,
                        b'G' => code = code * 4 + 3,
                        _ => ok = false,
                    }
                }
                if ok {
                    flat[offset(n) + code] += 1;
                }
            }
        }
        flat
    }

    fn k(n: usize) -> K {
        K::new(n).unwrap()
    }

    #[test]
    fn flat_offsets_put_levels_back_to_back() {
        assert_eq!(offset(1), 0);
        assert_eq!(offset(2), 4);
        assert_eq!(offset(3), 20);
        assert_eq!(offset(7), 4 + 16 + 64 + 256 + 1024 + 4096);
        assert_eq!(NgramCounts::new(K::SIX).as_flat().len(), 5460);
    }

    #[test]
    fn golden_counts_skip_n_and_accept_lower_case() {
        // "ACgtNAC", k = 3: runs "ACGT" and "AC".
        // 1-grams: A 2, C 2, G 1, T 1 (N not counted)       -> N_1 = 6
        // 2-grams: AC 2, CG 1, GT 1 (TN, NA spanning N: no)  -> N_2 = 4
        // 3-grams: ACG 1, CGT 1                              -> N_3 = 2
        let mut c = NgramCounts::new(k(3));
        c.count_record(b"ACgtNAC");
        assert_eq!(c.count(1, 0), 2); // A
        assert_eq!(c.count(1, 2), 2); // C
        assert_eq!(c.count(1, 3), 1); // G
        assert_eq!(c.count(1, 1), 1); // T
        assert_eq!(c.count(2, 2), 2); // AC = 0*4 + 2
        assert_eq!(c.count(2, 2 * 4 + 3), 1); // CG
        assert_eq!(c.count(2, 3 * 4 + 1), 1); // GT
        assert_eq!(c.count(3, 2 * 4 + 3), 1); // ACG = 0*16 + 2*4 + 3
        assert_eq!(c.count(3, 2 * 16 + 3 * 4 + 1), 1); // CGT
        assert_eq!((c.total(1), c.total(2), c.total(3)), (6, 4, 2));
        assert_eq!(c.nucleotides_seen(), 7);
        // count_kmer agrees with count for a 3-mer: "CGT" parsed through Kmer.
        let cgt = Kmer::parse(K::new(3).unwrap(), "CGT").unwrap();
        assert_eq!(c.count_kmer(cgt), 1);
    }

    #[test]
    fn records_do_not_join() {
        let mut two = NgramCounts::new(k(3));
        two.count_record(b"AC");
        two.count_record(b"GT");
        assert_eq!(two.total(2), 2); // AC and GT, not CG
        assert_eq!(two.total(3), 0);
    }

    #[test]
    fn merge_rejects_another_k() {
        let mut a = NgramCounts::new(k(3));
        let b = NgramCounts::new(k(4));
        assert!(matches!(a.merge(&b), Err(CoreError::Mismatch(_))));
    }

    #[test]
    fn serde_round_trip_and_rejects_wrong_length() {
        let mut c = NgramCounts::new(k(4));
        c.count_record(b"ACGTTGCAACGTNNACG");
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<NgramCounts>(&json).unwrap(), c);
        let bad = r#"{"k":3,"nucleotides_seen":0,"counts":[1,2,3]}"#;
        assert!(serde_json::from_str::<NgramCounts>(bad).is_err());
    }

    #[test]
    fn table_path_on_a_long_record_matches_the_oracle() {
        // Long enough for the automatic choice to take the table path, with N runs,
        // lower case and runs shorter than k.
        let mut rng = crate::rng::SeededRng::new(7);
        let letters = b"ACGTACGTacgtNAC";
        let seq: Vec<u8> = (0..20_000)
            .map(|_| letters[rng.below(letters.len() as u64) as usize])
            .collect();
        let mut c = NgramCounts::new(K::SIX);
        c.count_record(&seq);
        assert_eq!(c.as_flat(), oracle(K::SIX, &seq, 0, seq.len()).as_slice());
    }

    fn seq_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop::sample::select(b"ACGTACGTACGTacgtNR-".to_vec()),
            0..160,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn both_strategies_match_the_oracle_on_any_window(
            kk in 3usize..=6,
            seq in seq_strategy(),
            a in 0usize..200,
            b in 0usize..200,
        ) {
            let k = K::new(kk).unwrap();
            let (start, end) = (a.min(b), a.max(b));
            let want = oracle(k, &seq, start, end);
            for s in [CountPath::Direct, CountPath::Table] {
                let mut c = NgramCounts::new(k);
                c.count_window_with(&seq, start, end, Some(s));
                prop_assert_eq!(c.as_flat(), want.as_slice(), "{:?}", s);
            }
        }

        #[test]
        fn windows_that_tile_a_record_merge_to_the_record(
            kk in 3usize..=6,
            seq in seq_strategy(),
            mut cuts in prop::collection::vec(0usize..160, 0..6),
            use_table in any::<bool>(),
        ) {
            let k = K::new(kk).unwrap();
            let mut whole = NgramCounts::new(k);
            whole.count_record(&seq);
            let want = oracle(k, &seq, 0, seq.len());
            prop_assert_eq!(whole.as_flat(), want.as_slice());

            cuts.push(0);
            cuts.push(seq.len());
            cuts.retain(|&c| c <= seq.len());
            cuts.sort_unstable();
            let strategy = if use_table { CountPath::Table } else { CountPath::Direct };
            let mut merged = NgramCounts::new(k);
            for w in cuts.windows(2) {
                let mut part = NgramCounts::new(k);
                part.count_window_with(&seq, w[0], w[1], Some(strategy));
                merged.merge(&part).unwrap();
            }
            prop_assert_eq!(merged, whole);
        }
    }
}
