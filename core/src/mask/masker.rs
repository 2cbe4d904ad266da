//! The masker a trainer holds: one rank table, one config, and scratch buffers that make
//! masking a sequence allocation-free after the first call.

use super::config::{GlobalCount, MaskConfig};
use super::corruption::Corruption;
use super::genemask::genemask_into;
use super::global::global_into;
use super::layout::{is_maskable, Layout};
use super::order::{with_order_rank, ClampedRanks};
use super::random_span::random_span_into;
use super::randommask::{draw_widenings, randommask_into};
use super::span::Geometry;
use super::stats::MaskStats;
use super::strategy::Strategy;
use super::work::Work;
use crate::error::{CoreError, Result};
use crate::npmi::rank::RankTable;
use crate::rng::{Geometric, SeededRng};
use alloc::vec::Vec;

/// The positions one strategy chose for one input, before corruption (for inspection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection<'a> {
    /// One flag per input position: chosen or not.
    pub masked: &'a [bool],
    /// Successful centre draws, increasing. For GLOBAL these are the draws whose count is
    /// m (their positions are otherwise unused); empty with a fixed m.
    pub centres: &'a [usize],
    /// Positions hidden as whole k-mers (b-(k-1)..=b+(k-1)), increasing and distinct;
    /// empty for random span and RandomMask.
    pub expanded: &'a [usize],
    /// RandomMask: each centre's widening, in the order of `centres`; empty otherwise.
    pub widenings: &'a [usize],
    /// Maskable positions of the input.
    pub maskable: usize,
    /// Last maskable position; 0 when nothing is maskable.
    pub end: usize,
}

impl Selection<'_> {
    /// Whether position i was chosen (false past the input).
    pub fn is_masked(&self, i: usize) -> bool {
        self.masked.get(i).copied().unwrap_or(false)
    }

    /// The chosen positions, increasing.
    pub fn masked_positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.masked
            .iter()
            .enumerate()
            .filter(|(_, &m)| m)
            .map(|(i, _)| i)
    }

    /// Number of chosen positions.
    pub fn masked_count(&self) -> usize {
        self.masked.iter().filter(|&&m| m).count()
    }
}

/// Buffers reused across sequences.
#[derive(Debug, Clone, Default)]
struct Scratch {
    work: Work,
    centres: Vec<usize>,
    /// RandomMask's widening of each centre.
    widenings: Vec<usize>,
    /// Maskable positions, only filled for inputs with holes.
    maskable_at: Vec<usize>,
    /// `chosen` as flags, for [`Selection`].
    flags: Vec<bool>,
}

/// Chooses and corrupts masked positions with any [`Strategy`] (docs/algorithms.md §3).
///
/// Deterministic: the same input, strategy and rng state give the same output. Every
/// random number comes from the caller's [`SeededRng`], in a fixed order: centre draws,
/// then (RandomMask, widening bound > 0) one per centre, then one draw per chosen position
/// (plus one per random replacement).
#[derive(Debug, Clone)]
pub struct Masker {
    table: RankTable,
    /// `table` as branch-free lookups by id and by position.
    by_id: ClampedRanks,
    by_position: ClampedRanks,
    config: MaskConfig,
    geometry: Geometry,
    /// Centre draws of random span, GeneMask, GLOBAL, RandomMask (in [`Strategy::ALL`] order).
    draws: [Geometric; 4],
    /// RandomMask's widening bound now ([`Masker::set_widening`]).
    widening: usize,
    corruption: Corruption,
    scratch: Scratch,
}

impl Masker {
    /// A masker for `table`, whose k must be `config.k`.
    pub fn new(table: RankTable, config: MaskConfig) -> Result<Masker> {
        config.validate()?;
        if table.k() != config.k {
            return Err(CoreError::Mismatch(alloc::format!(
                "a rank table for k = {} given to a masker for k = {}",
                table.k(),
                config.k
            )));
        }
        Ok(Masker {
            geometry: Geometry::new(config.k),
            draws: Strategy::ALL.map(|s| Geometric::new(config.p(s))),
            corruption: Corruption::new(config.k, config.random_ids),
            by_id: ClampedRanks::by_id(&table),
            by_position: ClampedRanks::by_position(&table),
            table,
            config,
            widening: 0,
            scratch: Scratch::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &MaskConfig {
        &self.config
    }

    /// The rank table.
    pub fn table(&self) -> &RankTable {
        &self.table
    }

    /// Sets RandomMask's widening bound: each centre's span grows by a uniform 0..=`bound`
    /// tokens on each side. Trainers set it before each batch from
    /// [`crate::schedule::curriculum::Curriculum::widening`]; 0 (the start) is random span.
    pub fn set_widening(&mut self, bound: usize) {
        self.widening = bound;
    }

    /// RandomMask's widening bound now.
    pub fn widening(&self) -> usize {
        self.widening
    }

    /// Chooses the masked positions only (no corruption); for the inspector.
    ///
    /// Draws the same random numbers as the selection part of [`Masker::mask`], so with
    /// the same rng state both choose the same positions.
    pub fn select(
        &mut self,
        strategy: Strategy,
        input_ids: &[u32],
        rng: &mut SeededRng,
    ) -> Selection<'_> {
        let layout = self.choose(strategy, input_ids, rng);
        let s = &mut self.scratch;
        s.flags.clear();
        s.flags.resize(input_ids.len(), false);
        let flags = &mut s.flags;
        s.work.chosen.for_each(|i| flags[i] = true);
        Selection {
            masked: &s.flags,
            centres: &s.centres,
            expanded: &s.work.expanded,
            widenings: &s.widenings,
            maskable: layout.maskable,
            end: layout.end,
        }
    }

    /// Chooses and corrupts one sequence: `out_ids` gets the corrupted input, `labels` the
    /// original id on chosen positions and [`super::IGNORE_LABEL`] elsewhere.
    ///
    /// # Panics
    /// If `out_ids` or `labels` is not as long as `input_ids`.
    pub fn mask(
        &mut self,
        strategy: Strategy,
        input_ids: &[u32],
        rng: &mut SeededRng,
        out_ids: &mut [u32],
        labels: &mut [i32],
    ) -> MaskStats {
        assert_eq!(out_ids.len(), input_ids.len(), "out_ids length");
        assert_eq!(labels.len(), input_ids.len(), "labels length");
        let layout = self.choose(strategy, input_ids, rng);
        let s = &self.scratch;
        let mut stats = MaskStats {
            sequences: 1,
            maskable: layout.maskable,
            centres: s.centres.len(),
            expanded: s.work.expanded.len(),
            ..MaskStats::default()
        };
        self.corruption
            .apply(&s.work.chosen, input_ids, rng, out_ids, labels, &mut stats);
        stats.masked = stats.replaced_by_mask + stats.replaced_random + stats.kept;
        stats
    }

    /// [`Masker::mask`] over a batch laid out row-major, `[batch][seq_len]`, rows in order.
    ///
    /// # Panics
    /// If `seq_len` is 0, `input_ids.len()` is not a multiple of it, or `out_ids` / `labels`
    /// are not as long as `input_ids`.
    pub fn mask_batch(
        &mut self,
        strategy: Strategy,
        input_ids: &[u32],
        seq_len: usize,
        rng: &mut SeededRng,
        out_ids: &mut [u32],
        labels: &mut [i32],
    ) -> MaskStats {
        assert!(seq_len > 0, "seq_len must be positive");
        assert_eq!(
            input_ids.len() % seq_len,
            0,
            "input is not whole rows of seq_len"
        );
        assert_eq!(out_ids.len(), input_ids.len(), "out_ids length");
        assert_eq!(labels.len(), input_ids.len(), "labels length");
        let mut stats = MaskStats::default();
        for ((row, out), lab) in input_ids
            .chunks_exact(seq_len)
            .zip(out_ids.chunks_exact_mut(seq_len))
            .zip(labels.chunks_exact_mut(seq_len))
        {
            stats += self.mask(strategy, row, rng, out, lab);
        }
        stats
    }

    /// Fills `scratch.work` and `scratch.centres` for one input.
    fn choose(&mut self, strategy: Strategy, ids: &[u32], rng: &mut SeededRng) -> Layout {
        let Masker {
            by_id,
            by_position,
            config,
            geometry: g,
            draws,
            widening,
            scratch: s,
            ..
        } = self;
        let layout = Layout::of(ids);
        s.work.reset(ids.len());
        s.centres.clear();
        s.widenings.clear();
        if layout.maskable == 0 {
            return layout;
        }
        let holes = layout.has_holes();
        if holes {
            s.maskable_at.clear();
            s.maskable_at
                .extend((1..=layout.end).filter(|&i| is_maskable(ids[i])));
        }
        let draw = &draws[strategy as usize];
        let draw_centres = |centres: &mut Vec<usize>, rng: &mut SeededRng| {
            if holes {
                draw.for_each_success(layout.maskable, rng, |j| centres.push(s.maskable_at[j]));
            } else {
                draw.for_each_success(layout.maskable, rng, |j| centres.push(j + 1));
            }
        };
        match strategy {
            Strategy::RandomSpan => {
                draw_centres(&mut s.centres, rng);
                random_span_into(g, layout.end, &s.centres, &mut s.work.chosen);
            }
            Strategy::RandomMask => {
                draw_centres(&mut s.centres, rng);
                draw_widenings(*widening, s.centres.len(), rng, &mut s.widenings);
                randommask_into(g, layout.end, &s.centres, &s.widenings, &mut s.work.chosen);
            }
            Strategy::GeneMask => {
                draw_centres(&mut s.centres, rng);
                with_order_rank!(by_id, by_position, config.rank_lookup, holes, |rank| {
                    genemask_into(g, layout.end, &s.centres, ids, rank, &mut s.work)
                });
            }
            Strategy::Global => {
                let m = match config.global_count {
                    GlobalCount::Binomial => {
                        draw_centres(&mut s.centres, rng);
                        s.centres.len()
                    }
                    GlobalCount::Fixed(m) => m,
                };
                with_order_rank!(by_id, by_position, config.rank_lookup, holes, |rank| {
                    global_into(g, layout, m, ids, rank, &mut s.work)
                });
            }
        }
        if holes {
            for (i, &id) in ids.iter().enumerate().take(layout.end + 1).skip(1) {
                if !is_maskable(id) {
                    s.work.chosen.remove(i);
                }
            }
        }
        layout
    }
}
