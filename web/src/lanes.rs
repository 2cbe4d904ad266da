//! One lane per strategy: which tokens core's masker chooses in every model input of a
//! sequence, and the numbers a researcher compares lanes by.
//!
//! Choosing is core's [`Masker::select`]; this module only lays the choices of the
//! inputs end to end as per-token flags and sums them up.

use crate::windows::{Windows, WINDOW_TOKENS};
use cmgems_core::mask::{Geometry, MaskConfig, Masker, Selection, Strategy};
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
    /// Spans the strategy drew: one of k tokens per centre (random span, GeneMask) and one
    /// of 2k-1 tokens per whole k-mer (GeneMask, GLOBAL).
    pub drawn_spans: usize,
    /// Their lengths summed (clipped to the input). Overlapping spans hide their shared
    /// tokens once, so `drawn_tokens - masked` is the overlap: the reason strategies that
    /// draw about the same budget end with different masked shares.
    pub drawn_tokens: usize,
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
    lane_with_ranks(windows, table, &windows.ranks(table), strategy, settings)
}

/// One lane per strategy (equal strategies share one computation), the tokens' ranks
/// looked up once for all of them.
pub fn lanes(
    windows: &Windows,
    table: &RankTable,
    strategies: &[Strategy],
    settings: LaneSettings,
) -> Result<Vec<Lane>, String> {
    let ranks = windows.ranks(table);
    let mut done: Vec<Lane> = Vec::with_capacity(strategies.len());
    for &s in strategies {
        let lane = match done.iter().find(|l| l.stats.strategy == s) {
            Some(l) => l.clone(),
            None => lane_with_ranks(windows, table, &ranks, s, settings)?,
        };
        done.push(lane);
    }
    Ok(done)
}

/// [`lane`] given `windows.ranks(table)`.
fn lane_with_ranks(
    windows: &Windows,
    table: &RankTable,
    ranks: &[Rank],
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
    let mut drawn = Drawn::default();
    let geometry = Geometry::new(windows.k());
    for (w, input) in windows.iter().enumerate() {
        let mut rng = SeededRng::derive(settings.seed, w as u64);
        let sel = masker.select(strategy, input, &mut rng);
        // Position p of the input (1 = first k-mer) is global token base + p - 1.
        let base = w * WINDOW_TOKENS;
        let out = &mut flags[base..base + input.len() - 2];
        // Branch-free: masked positions are coin flips to a branch predictor.
        let mut previous = false;
        for (f, &m) in out.iter_mut().zip(&sel.masked[1..]) {
            *f |= m as u8 * flag::MASKED;
            spans += (m & !previous) as usize;
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
        drawn.add(&geometry, strategy, &sel);
    }
    let mut stats = summarise(
        strategy,
        &flags,
        ranks,
        top1_cut(table),
        [maskable, spans, centres, whole_kmers],
    );
    (stats.drawn_spans, stats.drawn_tokens) = (drawn.spans, drawn.tokens);
    Ok(Lane { flags, stats })
}

/// The spans a strategy drew, before overlapping ones merge.
#[derive(Debug, Default, Clone, Copy)]
struct Drawn {
    spans: usize,
    tokens: usize,
}

impl Drawn {
    /// Adds one input's spans. GLOBAL's centre draws only count m, so they span nothing.
    fn add(&mut self, g: &Geometry, strategy: Strategy, sel: &Selection) {
        let mut span = |(lo, hi): (usize, usize)| {
            self.spans += 1;
            self.tokens += hi + 1 - lo;
        };
        if strategy != Strategy::Global {
            sel.centres
                .iter()
                .for_each(|&c| span(g.nucleotide_span(c, sel.end)));
        }
        sel.expanded
            .iter()
            .for_each(|&b| span(g.kmer_span(b, sel.end)));
    }
}

fn summarise(
    strategy: Strategy,
    flags: &[u8],
    ranks: &[Rank],
    top1: Rank,
    [maskable, spans, centres, whole_kmers]: [usize; 4],
) -> LaneStats {
    // Integer sums without data-dependent branches (a rank fits u16, a sum of a million
    // of them u64): one pass per lane stays a few ms on a 1 Mb sequence.
    let (mut masked, mut top1_tokens, mut top1_masked) = (0usize, 0usize, 0usize);
    let (mut sum_all, mut n_all, mut sum_masked, mut n_masked) = (0u64, 0usize, 0u64, 0usize);
    let (mut sum_whole, mut n_whole) = (0u64, 0usize);
    for (&f, &r) in flags.iter().zip(ranks) {
        let is_masked = (f & flag::MASKED != 0) as usize;
        let scored = (r != NO_KMER_RANK) as usize;
        let whole = (f & flag::WHOLE_KMER != 0) as usize & scored;
        let top = (r <= top1) as usize & scored;
        let r = r as u64 * scored as u64;
        masked += is_masked;
        sum_all += r;
        n_all += scored;
        sum_masked += r * is_masked as u64;
        n_masked += is_masked & scored;
        sum_whole += r * whole as u64;
        n_whole += whole;
        top1_tokens += top;
        top1_masked += top & is_masked;
    }
    let (sum_all, sum_masked, sum_whole) = (sum_all as f64, sum_masked as f64, sum_whole as f64);
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
        drawn_spans: 0,
        drawn_tokens: 0,
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
        let w = Windows::new(&seq(2000), K::SIX).unwrap();
        for strategy in Strategy::ALL {
            let lane = lane(&w, &t, strategy, settings(7, RankLookup::Kmer)).unwrap();
            let mut masker = Masker::new(t.clone(), MaskConfig::default()).unwrap();
            let mut masked = 0;
            for (i, input) in w.iter().enumerate() {
                let sel = masker.select(strategy, input, &mut SeededRng::derive(7, i as u64));
                for p in 1..input.len() - 1 {
                    let f = lane.flags[i * WINDOW_TOKENS + p - 1];
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
        let w = Windows::new(&seq(510 + 5), K::SIX).unwrap();
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
    fn drawn_spans_cover_the_masked_tokens_and_count_overlaps() {
        let t = table(K::SIX);
        let w = Windows::new(&seq(5000), K::SIX).unwrap();
        for strategy in Strategy::ALL {
            let s = lane(&w, &t, strategy, settings(4, RankLookup::Kmer))
                .unwrap()
                .stats;
            // Every masked token lies in a drawn span, so the spans sum to at least masked.
            assert!(s.drawn_tokens >= s.masked, "{strategy}: {s:?}");
            // Spans of k = 6 tokens per centre, 2k-1 = 11 per whole k-mer; clipping at an
            // input's ends only shortens them.
            let (spans, most) = match strategy {
                Strategy::RandomSpan => (s.centres, 6 * s.centres),
                Strategy::GeneMask => (
                    s.centres + s.whole_kmers,
                    6 * s.centres + 11 * s.whole_kmers,
                ),
                Strategy::Global => (s.whole_kmers, 11 * s.whole_kmers),
            };
            assert_eq!(s.drawn_spans, spans, "{strategy}");
            assert!(s.drawn_tokens <= most, "{strategy}: {s:?}");
        }
    }

    #[test]
    fn same_seed_same_lane_other_seed_other_lane() {
        let t = table(K::SIX);
        let w = Windows::new(&seq(3000), K::SIX).unwrap();
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
        let a = Windows::new(&seq(515), K::SIX).unwrap();
        let mut other = seq(515);
        other.reverse();
        let b = Windows::new(&other, K::SIX).unwrap();
        let pick = |w: &Windows, l| lane(w, &t, Strategy::Global, settings(9, l)).unwrap().flags;
        assert_eq!(
            pick(&a, RankLookup::Position),
            pick(&b, RankLookup::Position)
        );
        assert_ne!(pick(&a, RankLookup::Kmer), pick(&b, RankLookup::Kmer));
    }
}
