//! One lane per strategy: which tokens core's masker chooses in every model input of a
//! sequence, and the numbers a researcher compares lanes by.
//!
//! Choosing is core's [`Masker::select`]; this module only lays the choices of the
//! inputs end to end as per-token flags and sums them up.

use cmgems_core::input::Windows;
use cmgems_core::mask::{Geometry, MaskConfig, Masker, Selection, Strategy};
use cmgems_core::npmi::rank::{Rank, RankLookup, RankTable, NO_KMER_RANK};
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
    /// RandomMask's widening bound (core's `Curriculum::widening` at the page's step).
    pub widening: usize,
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
    lane_in(&Sequence::new(windows, table), strategy, settings)
}

/// One lane per strategy (equal strategies share one computation), the tokens' ranks
/// looked up once for all of them.
pub fn lanes(
    windows: &Windows,
    table: &RankTable,
    strategies: &[Strategy],
    settings: LaneSettings,
) -> Result<Vec<Lane>, String> {
    let sequence = Sequence::new(windows, table);
    let mut done: Vec<Lane> = Vec::with_capacity(strategies.len());
    for &s in strategies {
        let lane = match done.iter().find(|l| l.stats.strategy == s) {
            Some(l) => l.clone(),
            None => lane_in(&sequence, s, settings)?,
        };
        done.push(lane);
    }
    Ok(done)
}

/// What every lane of a sequence shares: its tokens' ranks and their sums.
struct Sequence<'a> {
    windows: &'a Windows,
    table: &'a RankTable,
    ranks: Vec<Rank>,
    all: RankSums,
}

impl<'a> Sequence<'a> {
    fn new(windows: &'a Windows, table: &'a RankTable) -> Sequence<'a> {
        let ranks = windows.ranks(table);
        let all = RankSums::of(&ranks, top1_cut(table));
        Sequence {
            windows,
            table,
            ranks,
            all,
        }
    }
}

/// [`lane`] of a [`Sequence`].
fn lane_in(seq: &Sequence, strategy: Strategy, settings: LaneSettings) -> Result<Lane, String> {
    let Sequence {
        windows,
        table,
        ranks,
        all,
    } = seq;
    let config = MaskConfig {
        rank_lookup: settings.rank_lookup,
        ..MaskConfig::for_k(windows.k())
    };
    let mut masker = Masker::new((*table).clone(), config).map_err(|e| e.to_string())?;
    masker.set_widening(settings.widening);
    let top1 = top1_cut(table);
    let mut flags = vec![0u8; windows.tokens()];
    let mut counts = Counts::default();
    let (mut masked, mut whole) = (RankSums::default(), RankSums::default());
    let geometry = Geometry::new(windows.k());
    for (w, input) in windows.iter().enumerate() {
        let mut rng = SeededRng::derive(settings.seed, w as u64);
        let sel = masker.select(strategy, input, &mut rng);
        // Position p of the input (1 = first k-mer) is global token base + p - 1.
        let base = windows.token_range(w).start;
        let out = &mut flags[base..base + input.len() - 2];
        let ranks = &ranks[base..base + out.len()];
        // Flags and sums in one branch-free pass over the input.
        let mut previous = false;
        for ((f, &m), &r) in out.iter_mut().zip(&sel.masked[1..]).zip(ranks) {
            *f |= m as u8 * flag::MASKED;
            counts.spans += (m & !previous) as usize;
            previous = m;
            masked.add(r, top1, m);
        }
        for &c in sel.centres {
            if (1..=out.len()).contains(&c) {
                out[c - 1] |= flag::CENTRE;
            }
        }
        let n = out.len();
        for &b in sel.expanded.iter().filter(|&&b| (1..=n).contains(&b)) {
            let (lo, hi) = geometry.kmer_span(b, n);
            out[lo - 1..hi]
                .iter_mut()
                .for_each(|f| *f |= flag::IN_WHOLE_KMER_SPAN);
            out[b - 1] |= flag::WHOLE_KMER;
            whole.add(ranks[b - 1], top1, true);
        }
        counts.add(&geometry, strategy, &sel);
    }
    let stats = lane_stats(strategy, counts, *all, masked, whole);
    Ok(Lane { flags, stats })
}

/// What a lane drew, input by input.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Counts {
    maskable: usize,
    /// Runs of adjacent masked tokens.
    spans: usize,
    centres: usize,
    whole_kmers: usize,
    /// Spans drawn, before overlapping ones merge, and their summed lengths.
    drawn_spans: usize,
    drawn_tokens: usize,
}

impl Counts {
    /// Adds one input's draws. GLOBAL's centre draws only count m, so they span nothing.
    fn add(&mut self, g: &Geometry, strategy: Strategy, sel: &Selection) {
        self.maskable += sel.maskable;
        self.centres += sel.centres.len();
        self.whole_kmers += sel.expanded.len();
        let mut span = |(lo, hi): (usize, usize)| {
            self.drawn_spans += 1;
            self.drawn_tokens += hi + 1 - lo;
        };
        if strategy != Strategy::Global {
            // RandomMask's spans are the nucleotide spans widened by each centre's draw.
            let widened = |i: usize| sel.widenings.get(i).copied().unwrap_or(0);
            sel.centres.iter().enumerate().for_each(|(i, &c)| {
                let (lo, hi) = g.nucleotide_span(c, sel.end);
                let w = widened(i);
                span((lo.saturating_sub(w).max(1), (hi + w).min(sel.end)))
            });
        }
        sel.expanded
            .iter()
            .for_each(|&b| span(g.kmer_span(b, sel.end)));
    }
}

/// Rank sums over a set of tokens, [UNK] left out of the ranks. Branch-free: which tokens a
/// lane masks is a coin flip to a branch predictor, and a 1 Mb sequence has a million.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct RankSums {
    tokens: usize,
    scored: usize,
    sum: u64,
    top1: usize,
}

impl RankSums {
    /// Adds a token of rank r if `include`.
    #[inline]
    fn add(&mut self, r: Rank, top1: Rank, include: bool) {
        let inc = include as usize;
        let scored = (r != NO_KMER_RANK) as usize & inc;
        self.tokens += inc;
        self.scored += scored;
        self.sum += r as u64 * scored as u64;
        self.top1 += (r <= top1) as usize & scored;
    }

    /// Every token.
    fn of(ranks: &[Rank], top1: Rank) -> RankSums {
        let mut all = RankSums::default();
        ranks.iter().for_each(|&r| all.add(r, top1, true));
        all
    }

    fn mean(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.sum as f64 / self.scored as f64)
    }
}

fn lane_stats(
    strategy: Strategy,
    c: Counts,
    all: RankSums,
    masked: RankSums,
    whole: RankSums,
) -> LaneStats {
    LaneStats {
        strategy,
        maskable: c.maskable,
        masked: masked.tokens,
        masked_share: if c.maskable == 0 {
            0.0
        } else {
            masked.tokens as f64 / c.maskable as f64
        },
        spans: c.spans,
        centres: c.centres,
        whole_kmers: c.whole_kmers,
        drawn_spans: c.drawn_spans,
        drawn_tokens: c.drawn_tokens,
        mean_rank_masked: masked.mean(),
        mean_rank_all: all.mean(),
        mean_rank_whole_kmers: whole.mean(),
        top1_tokens: all.top1,
        top1_masked: masked.top1,
        top1_hidden_share: (all.top1 > 0).then(|| masked.top1 as f64 / all.top1 as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::input::WindowSpec;
    use cmgems_core::tokenize::kmer::K;

    fn table(k: K) -> RankTable {
        // Rank = code + 1: AAAAAA is the "most collocated" k-mer.
        RankTable::from_ranks(k, (1..=k.kmer_count() as Rank).collect()).unwrap()
    }

    fn seq(n: usize) -> Vec<u8> {
        let mut s = Vec::new();
        while s.len() < n {
            s.extend_from_slice(&cmgems_core::input::synthetic::example_sequence());
        }
        s.truncate(n);
        s
    }

    fn settings(seed: u64, rank_lookup: RankLookup) -> LaneSettings {
        LaneSettings {
            seed,
            rank_lookup,
            widening: 2,
        }
    }

    #[test]
    fn lane_flags_are_the_maskers_choice_input_by_input() {
        let t = table(K::SIX);
        let w = Windows::new(&seq(2000), K::SIX, WindowSpec::default()).unwrap();
        for strategy in Strategy::ALL {
            let lane = lane(&w, &t, strategy, settings(7, RankLookup::Kmer)).unwrap();
            let mut masker = Masker::new(t.clone(), MaskConfig::default()).unwrap();
            masker.set_widening(settings(7, RankLookup::Kmer).widening);
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
        let (mut masked, mut whole) = (RankSums::default(), RankSums::default());
        for (&f, &r) in flags.iter().zip(&ranks) {
            masked.add(r, 41, f & flag::MASKED != 0);
            whole.add(r, 41, f & flag::WHOLE_KMER != 0);
        }
        let counts = Counts {
            maskable: 5,
            spans: 2,
            centres: 1,
            ..Counts::default()
        };
        let s = lane_stats(
            Strategy::RandomSpan,
            counts,
            RankSums::of(&ranks, 41),
            masked,
            whole,
        );
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
        let w = Windows::new(&seq(5000), K::SIX, WindowSpec::default()).unwrap();
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
                // Widened by up to 2 tokens a side (the test settings' bound).
                Strategy::RandomMask => (s.centres, 10 * s.centres),
            };
            assert_eq!(s.drawn_spans, spans, "{strategy}");
            assert!(s.drawn_tokens <= most, "{strategy}: {s:?}");
        }
    }

    #[test]
    fn lane_stats_equal_plain_sums_over_the_flags() {
        let t = table(K::SIX);
        let mut text = seq(4000);
        text[1000..1003].copy_from_slice(b"NNN"); // some [UNK] tokens
        let w = Windows::new(&text, K::SIX, WindowSpec::default()).unwrap();
        let ranks = w.ranks(&t);
        for strategy in Strategy::ALL {
            let l = lane(&w, &t, strategy, settings(5, RankLookup::Kmer)).unwrap();
            let is = |i: usize, bit: u8| l.flags[i] & bit != 0;
            let scored = |i: &usize| ranks[*i] != NO_KMER_RANK;
            let masked: Vec<usize> = (0..w.tokens()).filter(|&i| is(i, flag::MASKED)).collect();
            let mean = |ix: Vec<usize>| {
                let ix: Vec<usize> = ix.into_iter().filter(scored).collect();
                let sum: f64 = ix.iter().map(|&i| ranks[i] as f64).sum();
                (!ix.is_empty()).then(|| sum / ix.len() as f64)
            };
            let s = &l.stats;
            assert_eq!(s.masked, masked.len());
            assert_eq!(s.mean_rank_masked, mean(masked.clone()));
            assert_eq!(s.mean_rank_all, mean((0..w.tokens()).collect()));
            let whole = (0..w.tokens()).filter(|&i| is(i, flag::WHOLE_KMER));
            assert_eq!(s.mean_rank_whole_kmers, mean(whole.collect()));
            let top = |i: &usize| scored(i) && ranks[*i] <= 41;
            assert_eq!(s.top1_tokens, (0..w.tokens()).filter(top).count());
            assert_eq!(s.top1_masked, masked.iter().filter(|i| top(i)).count());
        }
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
