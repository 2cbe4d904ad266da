//! One lane per strategy: which tokens core's masker chooses in every model input of a
//! sequence, and the numbers a researcher compares lanes by.
//!
//! Choosing is core's [`Masker::select`]; this module only lays the choices of the
//! inputs end to end as per-token flags and sums them up.

use cmgems_core::input::Windows;
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::rank::{Rank, RankLookup, RankTable, NO_KMER_RANK};
use cmgems_core::rng::SeededRng;
use serde::Serialize;

/// Per-token flag bits of a lane.
pub mod flag {
    /// The token is chosen (hidden from the model).
    pub const MASKED: u8 = 1;
    /// A successful centre draw sits here.
    pub const CENTRE: u8 = 2;
    /// A whole k-mer is hidden around this token (GeneMask's best(c), GLOBAL's top m).
    pub const WHOLE_KMER: u8 = 4;
    /// Inside the 2k-1 tokens of a whole-k-mer span.
    pub const IN_WHOLE_KMER_SPAN: u8 = 8;
}

/// How the lanes of one view are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneSettings {
    pub seed: u64,
    pub rank_lookup: RankLookup,
}

/// What a lane's numbers are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaneStats {
    pub strategy: Strategy,
    /// Maskable tokens (all k-mer tokens, [UNK] included, as in training).
    pub maskable: usize,
    pub masked: usize,
    pub masked_share: f64,
    /// Maximal runs of adjacent masked tokens inside one input.
    pub spans: usize,
    pub centres: usize,
    /// Tokens hidden as whole k-mers (each hides 2k-1 tokens).
    pub whole_kmers: usize,
    /// Mean NPMI rank (1 = most collocated) of the masked k-mer tokens, [UNK] left out.
    pub mean_rank_masked: Option<f64>,
    /// Mean NPMI rank of all k-mer tokens of the sequence, for comparison.
    pub mean_rank_all: Option<f64>,
    /// Mean NPMI rank of the tokens a whole k-mer was hidden around (the ones a PMI
    /// masker picked; the rest of a span are their neighbours, of any rank).
    pub mean_rank_whole_kmers: Option<f64>,
    /// Tokens whose k-mer is in the top 1% of the table.
    pub top1_tokens: usize,
    /// How many of those are masked.
    pub top1_masked: usize,
    /// `top1_masked / top1_tokens`.
    pub top1_hidden_share: Option<f64>,
}

/// Ranks at or below this are the table's top 1% (41 for k = 6).
pub fn top1_cut(table: &RankTable) -> Rank {
    table.k().kmer_count().div_ceil(100) as Rank
}

/// A lane: one flag byte per token, and its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub flags: Vec<u8>,
    pub stats: LaneStats,
}

/// Masks every input of `windows` with `strategy`. The rng of input w is
/// `SeededRng::derive(seed, w)`, the same for every strategy, so lanes differ only by
/// what the strategies do with the same draws, and one input can be redrawn alone.
pub fn lane(
    windows: &Windows,
    table: &RankTable,
    strategy: Strategy,
    settings: LaneSettings,
) -> Result<Lane, String> {
    let config = MaskConfig {
        rank_lookup: settings.rank_lookup,
        ..MaskConfig::for_k(windows.k())
    };
    let mut masker = Masker::new(table.clone(), config).map_err(|e| e.to_string())?;
    let k = windows.k().get();
    let mut flags = vec![0u8; windows.tokens()];
    let (mut maskable, mut spans, mut centres, mut whole_kmers) = (0, 0, 0, 0);
    for (w, input) in windows.iter().enumerate() {
        let mut rng = SeededRng::derive(settings.seed, w as u64);
        let sel = masker.select(strategy, input, &mut rng);
        // Position p of the input (1 = first k-mer) is global token base + p - 1.
        let base = windows.token_range(w).start;
        let out = &mut flags[base..base + input.len() - 2];
        let mut previous = false;
        for (p, &m) in sel.masked.iter().enumerate().skip(1).take(out.len()) {
            if m {
                out[p - 1] |= flag::MASKED;
                if !previous {
                    spans += 1;
                }
            }
            previous = m;
        }
        for &c in sel.centres {
            if (1..=out.len()).contains(&c) {
                out[c - 1] |= flag::CENTRE;
            }
        }
        for &b in sel.expanded {
            let lo = b.saturating_sub(k - 1).max(1);
            let hi = (b + k - 1).min(out.len());
            for p in lo..=hi {
                out[p - 1] |= flag::IN_WHOLE_KMER_SPAN;
            }
            if (1..=out.len()).contains(&b) {
                out[b - 1] |= flag::WHOLE_KMER;
            }
        }
        maskable += sel.maskable;
        centres += sel.centres.len();
        whole_kmers += sel.expanded.len();
    }
    let ranks = windows.ranks(table);
    let stats = summarise(
        strategy,
        &flags,
        &ranks,
        top1_cut(table),
        [maskable, spans, centres, whole_kmers],
    );
    Ok(Lane { flags, stats })
}

fn summarise(
    strategy: Strategy,
    flags: &[u8],
    ranks: &[Rank],
    top1: Rank,
    [maskable, spans, centres, whole_kmers]: [usize; 4],
) -> LaneStats {
    let (mut masked, mut top1_tokens, mut top1_masked) = (0usize, 0usize, 0usize);
    let (mut sum_all, mut n_all, mut sum_masked, mut n_masked) = (0f64, 0usize, 0f64, 0usize);
    let (mut sum_whole, mut n_whole) = (0f64, 0usize);
    for (&f, &r) in flags.iter().zip(ranks) {
        let is_masked = f & flag::MASKED != 0;
        masked += is_masked as usize;
        if r == NO_KMER_RANK {
            continue;
        }
        sum_all += r as f64;
        n_all += 1;
        if is_masked {
            sum_masked += r as f64;
            n_masked += 1;
        }
        if f & flag::WHOLE_KMER != 0 {
            sum_whole += r as f64;
            n_whole += 1;
        }
        if r <= top1 {
            top1_tokens += 1;
            top1_masked += is_masked as usize;
        }
    }
    let mean = |s: f64, n: usize| (n > 0).then(|| s / n as f64);
    LaneStats {
        strategy,
        maskable,
        masked,
        masked_share: if maskable == 0 {
            0.0
        } else {
            masked as f64 / maskable as f64
        },
        spans,
        centres,
        whole_kmers,
        mean_rank_masked: mean(sum_masked, n_masked),
        mean_rank_all: mean(sum_all, n_all),
        mean_rank_whole_kmers: mean(sum_whole, n_whole),
        top1_tokens,
        top1_masked,
        top1_hidden_share: (top1_tokens > 0).then(|| top1_masked as f64 / top1_tokens as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::input::WindowSpec;
    use cmgems_core::kmer::K;

    fn table(k: K) -> RankTable {
        // Rank = code + 1: AAAAAA is the "most collocated" k-mer.
        RankTable::from_ranks(k, (1..=k.kmer_count() as Rank).collect()).unwrap()
    }

    fn seq(n: usize) -> Vec<u8> {
        let mut s = Vec::new();
        while s.len() < n {
            s.extend_from_slice(&cmgems_core::synthetic::example_sequence());
        }
        s.truncate(n);
        s
    }

    fn settings(seed: u64, rank_lookup: RankLookup) -> LaneSettings {
        LaneSettings { seed, rank_lookup }
    }

    #[test]
    fn lane_flags_are_the_maskers_choice_input_by_input() {
        let t = table(K::SIX);
        let w = Windows::new(&seq(2000), K::SIX, WindowSpec::default()).unwrap();
        for strategy in Strategy::ALL {
            let lane = lane(&w, &t, strategy, settings(7, RankLookup::Kmer)).unwrap();
            let mut masker = Masker::new(t.clone(), MaskConfig::default()).unwrap();
            let mut masked = 0;
            for (i, input) in w.iter().enumerate() {
                let sel = masker.select(strategy, input, &mut SeededRng::derive(7, i as u64));
                for p in 1..input.len() - 1 {
                    let f = lane.flags[i * WindowSpec::MAX_LENGTH + p - 1];
                    assert_eq!(
                        f & flag::MASKED != 0,
                        sel.masked[p],
                        "{strategy} input {i} pos {p}"
                    );
                }
                masked += sel.masked_count();
            }
            assert_eq!(lane.stats.masked, masked);
            assert_eq!(lane.stats.maskable, w.tokens());
        }
    }

    #[test]
    fn whole_kmer_spans_cover_2k_minus_1_tokens_and_are_masked() {
        let t = table(K::SIX);
        let w = Windows::new(&seq(510 + 5), K::SIX, WindowSpec::default()).unwrap();
        let lane = lane(&w, &t, Strategy::Global, settings(3, RankLookup::Kmer)).unwrap();
        let centres: Vec<usize> = (0..w.tokens())
            .filter(|&i| lane.flags[i] & flag::WHOLE_KMER != 0)
            .collect();
        assert_eq!(centres.len(), lane.stats.whole_kmers);
        assert!(!centres.is_empty());
        for (i, &f) in lane.flags.iter().enumerate() {
            let near = centres.iter().any(|&b| i.abs_diff(b) <= 5);
            assert_eq!(f & flag::IN_WHOLE_KMER_SPAN != 0, near, "token {i}");
            if near {
                assert_ne!(f & flag::MASKED, 0, "span token {i} is masked");
            }
        }
        // GLOBAL hides the m lowest ranks; with rank = code + 1 those are the lowest codes,
        // so the k-mers it picks rank far better than the sequence average.
        let s = &lane.stats;
        assert!(s.mean_rank_whole_kmers.unwrap() < 0.5 * s.mean_rank_all.unwrap());
    }

    #[test]
    fn stats_are_hand_checked_on_a_tiny_lane() {
        // Tokens: ranks 1, 50, 2, UNK, 3000; masked: 0, 2, 3 -> spans {0}, {2,3} = 2.
        // Top 1% of 4096 = ranks 1..=41: tokens 0 and 2, both masked -> share 1.
        // Mean rank masked (UNK left out) = (1 + 2) / 2 = 1.5; all = (1+50+2+3000)/4 = 763.25.
        // Whole k-mer at token 2 only: mean rank 2.
        let flags = [1u8, 0, 1 | flag::WHOLE_KMER, 1, 0];
        let ranks = [1, 50, 2, NO_KMER_RANK, 3000];
        let s = summarise(Strategy::RandomSpan, &flags, &ranks, 41, [5, 2, 1, 0]);
        assert_eq!(
            (s.masked, s.spans, s.top1_tokens, s.top1_masked),
            (3, 2, 2, 2)
        );
        assert_eq!(s.masked_share, 0.6);
        assert_eq!(s.mean_rank_masked, Some(1.5));
        assert_eq!(s.mean_rank_all, Some(763.25));
        assert_eq!(s.mean_rank_whole_kmers, Some(2.0));
        assert_eq!(s.top1_hidden_share, Some(1.0));
        assert_eq!(top1_cut(&table(K::SIX)), 41);
    }

    #[test]
    fn same_seed_same_lane_other_seed_other_lane() {
        let t = table(K::SIX);
        let w = Windows::new(&seq(3000), K::SIX, WindowSpec::default()).unwrap();
        let a = lane(&w, &t, Strategy::RandomSpan, settings(1, RankLookup::Kmer)).unwrap();
        let b = lane(&w, &t, Strategy::RandomSpan, settings(1, RankLookup::Kmer)).unwrap();
        let c = lane(&w, &t, Strategy::RandomSpan, settings(2, RankLookup::Kmer)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.flags, c.flags);
    }

    #[test]
    fn position_lookup_makes_global_masks_ignore_the_sequence() {
        // As coded, GLOBAL ranks position i by the k-mer whose id is i, so two different
        // inputs with the same m get the same positions; as described they differ.
        let t = table(K::SIX);
        let a = Windows::new(&seq(515), K::SIX, WindowSpec::default()).unwrap();
        let mut other = seq(515);
        other.reverse();
        let b = Windows::new(&other, K::SIX, WindowSpec::default()).unwrap();
        let pick = |w: &Windows, l| lane(w, &t, Strategy::Global, settings(9, l)).unwrap().flags;
        assert_eq!(
            pick(&a, RankLookup::Position),
            pick(&b, RankLookup::Position)
        );
        assert_ne!(pick(&a, RankLookup::Kmer), pick(&b, RankLookup::Kmer));
    }
}
