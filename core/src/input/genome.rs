//! Pretraining pieces of a genome as a pure function: piece `i` of epoch `e` is
//! `f(seed, e, i)` (docs/algorithms.md §5, "Pieces of a genome store").
//!
//! The rule is DNABERT's ([`super::sampler`]): each stretch of usable nucleotides is cut
//! from its start into pieces of a drawn length. What makes it a function of the index:
//!
//! - The genome is cut into **segments**: the usable stretches (between N runs) split
//!   further at every multiple of `block_len` and at the edges of held-out regions. Each
//!   segment draws its lengths from its own stream, `derive(derive(seed ^ salt, record),
//!   start)`, so any segment can be cut alone.
//! - Cutting every segment once (only the lengths and N runs are needed, never a letter)
//!   gives each segment's piece count; their running sums, one number per segment, locate
//!   the p-th piece of the genome by a binary search and one segment's re-cut, replayed
//!   up to the piece. A reader at data-loader rates (the Python dataset) lists every piece
//!   once instead (`GenomePieces::listed`, six bytes a piece, in the counting cut), so finding
//!   one is a lookup.
//! - Epoch `e` visits the pieces in the order of a seeded permutation of `0..len` (a
//!   Feistel network keyed by `derive(seed ^ salt, e)`, cycle-walked into range), so it
//!   needs no table either. Nothing depends on ranks, devices or workers: they only choose
//!   which indices to ask for.
//!
//! **N share.** `max_n_share` = s is the largest fraction of a piece's nucleotides that
//! may be N. With s = 0 (the default) every N run splits segments, so pieces lie in ACGT
//! runs exactly as the FASTA sampler cuts them. With s > 0 an N run of at most
//! ⌊s · (max_tokens + k − 1)⌋ nucleotides is bridged (longer ones could sit in no piece and
//! still split); a piece cut across bridged runs is kept when its N count is at most s
//! times its nucleotides, else dropped (its place is not re-cut). Soft-masked letters are
//! ordinary nucleotides. Pieces holding N tokenize with `[UNK]` for every k-mer touching an
//! N (`Tokenizer::encode_nucleotides`).
//!
//! **Held out.** Whole blocks (a seeded share of them, `held_out_block_share`), whole records
//! or regions (`name` or `name:start-end`, 0-based, end excluded, as BED) are held out: their
//! pieces form the held-out split and no training piece overlaps them. Region edges are segment edges, so no piece straddles one.

use super::sampler::{Piece, PieceSampler, SamplerConfig};
use crate::error::{CoreError, Result};
use crate::rng::{derive_seed, SeededRng};
use crate::tokenize::kmer::K;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::{ControlFlow, Range};
use serde::{Deserialize, Serialize};

/// Salt of the segments' length streams.
const SEGMENT_SALT: u64 = 0x6765_6E6F_6D65_5F73; // "genome_s"
/// Salt of the held-out block draw.
const BLOCK_SALT: u64 = 0x6765_6E6F_6D65_5F62; // "genome_b"
/// Salt of the epochs' permutation keys.
const ORDER_SALT: u64 = 0x6765_6E6F_6D65_5F6F; // "genome_o"
/// Feistel rounds of the epoch permutation.
const ROUNDS: u64 = 4;

/// One record as the sampler sees it: name, length and N runs (in order, disjoint).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordLayout {
    pub name: String,
    pub len: u64,
    pub n_runs: Vec<Range<u64>>,
}

/// How a genome is cut. `Default`: the authors' lengths (k = 6, 5..=510 tokens, half at
/// full length), seed 0, no N in a piece, 65,536-nucleotide blocks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GenomeSamplerConfig {
    pub k: K,
    pub max_tokens: usize,
    pub min_tokens: usize,
    pub full_length_prob: f64,
    pub seed: u64,
    /// Largest share of a piece's nucleotides that may be N, in [0, 1).
    pub max_n_share: f64,
    /// Segments end at every multiple of this many nucleotides (at least one full piece):
    /// bounds the work of finding one piece; costs one short tail per block.
    pub block_len: u64,
    /// Share of blocks held out besides the named regions, in [0, 1): block b of record r
    /// is held out when a seeded hash of (seed, r, b) falls below it. 0: none.
    #[serde(default)]
    pub held_out_block_share: f64,
}

impl Default for GenomeSamplerConfig {
    fn default() -> Self {
        let s = SamplerConfig::default();
        GenomeSamplerConfig {
            k: s.k,
            max_tokens: s.max_tokens,
            min_tokens: s.min_tokens,
            full_length_prob: s.full_length_prob,
            seed: s.seed,
            max_n_share: 0.0,
            block_len: 1 << 16,
            held_out_block_share: 0.0,
        }
    }
}

/// A held-out record or region of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOutRegion {
    pub record: String,
    /// `None`: the whole record.
    pub range: Option<Range<u64>>,
}

impl HeldOutRegion {
    /// `name` (a whole record) or `name:start-end` (0-based, end excluded). A name that
    /// itself holds `:` is read whole unless its last part parses as `start-end`.
    pub fn parse(text: &str) -> Result<HeldOutRegion> {
        let whole = || HeldOutRegion {
            record: String::from(text),
            range: None,
        };
        let Some((name, span)) = text.rsplit_once(':') else {
            return Ok(whole());
        };
        let Some((a, b)) = span.split_once('-') else {
            return Ok(whole());
        };
        let (Ok(start), Ok(end)) = (
            a.replace(',', "").parse::<u64>(),
            b.replace(',', "").parse::<u64>(),
        ) else {
            return Ok(whole());
        };
        if start >= end {
            let msg = format!("{text:?}: the region's start {start} is not before its end {end}");
            return Err(CoreError::invalid("held_out_regions", msg));
        }
        Ok(HeldOutRegion {
            record: String::from(name),
            range: Some(start..end),
        })
    }
}

/// Which set of pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Split {
    Train,
    HeldOut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    record: u32,
    start: u64,
    end: u64,
}

/// The segments of one split and the pieces before each (running sums).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SplitIndex {
    segments: Vec<Segment>,
    before: Vec<u64>,
    total: u64,
    /// Every piece, when built by [`GenomePieces::listed`].
    table: Option<PieceTable>,
}

/// Each piece of a split in order: its start in its record and its tokens (six bytes a
/// piece, about 50 MB for hg38), and the piece count before each record. Finding a piece
/// is then a lookup, not a re-cut of its segment, and its record is found among the
/// records (a few dozen for hg38, a search that stays in cache) rather than among the
/// segments (one per 64 kb: a search whose last steps each miss the cache, which measured
/// as the largest cost of a random piece of a 3.1 Gbp genome).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PieceTable {
    starts: Vec<u32>,
    tokens: Vec<u16>,
    /// The records that hold pieces of the split, in order, and the pieces before each.
    records: Vec<u32>,
    before: Vec<u64>,
}

impl PieceTable {
    /// Appends a segment's pieces.
    fn append(&mut self, record: u32, pieces_before: u64, found: &mut PieceTable) {
        if self.records.last() != Some(&record) {
            self.records.push(record);
            self.before.push(pieces_before);
        }
        self.starts.append(&mut found.starts);
        self.tokens.append(&mut found.tokens);
    }

    /// Piece `p` (below the split's total).
    fn piece(&self, p: u64, held_out: bool) -> Piece {
        let r = self.before.partition_point(|&b| b <= p) - 1;
        Piece {
            record: self.records[r] as usize,
            start: self.starts[p as usize] as usize,
            tokens: usize::from(self.tokens[p as usize]),
            held_out,
        }
    }
}

/// The pieces of a genome, found by index. Holds one segment and one count per block (about
/// 24 bytes per 64 kb of genome) and, only when [`GenomePieces::listed`], six bytes a
/// piece.
#[derive(Debug, Clone, PartialEq)]
pub struct GenomePieces {
    config: GenomeSamplerConfig,
    sampler: PieceSampler,
    /// Bridged N runs per record (empty when `max_n_share` is 0: segments hold no N).
    bridged: Vec<Vec<Range<u64>>>,
    train: SplitIndex,
    held_out: SplitIndex,
}

impl GenomePieces {
    /// Cuts `records` (only their lengths and N runs are read) into segments and counts
    /// each one's pieces. Fails on an invalid setting, a held-out region naming no record
    /// or passing its end, or a genome where no stretch holds a piece.
    pub fn new(
        records: &[RecordLayout],
        held_out: &[HeldOutRegion],
        config: GenomeSamplerConfig,
    ) -> Result<GenomePieces> {
        GenomePieces::build(records, held_out, config, false)
    }

    /// [`GenomePieces::new`] that also lists every piece (six bytes each), in the same one
    /// cut of each segment, so that [`GenomePieces::piece`] looks pieces up instead of
    /// re-cutting a segment: for random access at data-loader rates, where the re-cut is
    /// most of a piece's cost. Also fails if a record is longer than 2³² nucleotides (a
    /// `.2bit` record never is) or a piece than 2¹⁶ tokens.
    pub fn listed(
        records: &[RecordLayout],
        held_out: &[HeldOutRegion],
        config: GenomeSamplerConfig,
    ) -> Result<GenomePieces> {
        if let Some(r) = records.iter().find(|r| r.len > 1 << 32) {
            return Err(CoreError::Input(format!(
                "record {} ({} nucleotides) is too long to list pieces in (at most 2³²)",
                r.name, r.len
            )));
        }
        if config.max_tokens > usize::from(u16::MAX) {
            let msg = format!("{} is too long to list pieces of", config.max_tokens);
            return Err(CoreError::invalid("max_tokens", msg));
        }
        GenomePieces::build(records, held_out, config, true)
    }

    fn build(
        records: &[RecordLayout],
        held_out: &[HeldOutRegion],
        config: GenomeSamplerConfig,
        listed: bool,
    ) -> Result<GenomePieces> {
        let sampler = PieceSampler::new(SamplerConfig {
            k: config.k,
            max_tokens: config.max_tokens,
            min_tokens: config.min_tokens,
            full_length_prob: config.full_length_prob,
            held_out_share: 0.0,
            seed: config.seed,
        })?;
        let max_nts = (config.max_tokens + config.k.get() - 1) as u64;
        for (name, share) in [
            ("max_n_share", config.max_n_share),
            ("held_out_block_share", config.held_out_block_share),
        ] {
            if !(0.0..1.0).contains(&share) {
                return Err(CoreError::invalid(
                    name,
                    format!("{share} is not in [0, 1)"),
                ));
            }
        }
        if config.block_len < max_nts {
            let msg = format!(
                "{} is shorter than one full piece ({max_nts} nucleotides)",
                config.block_len
            );
            return Err(CoreError::invalid("block_len", msg));
        }
        let regions = regions_by_record(records, held_out)?;
        let threshold = (config.max_n_share * max_nts as f64) as u64;
        let mut pieces = GenomePieces {
            config,
            sampler,
            bridged: Vec::new(),
            train: SplitIndex::default(),
            held_out: SplitIndex::default(),
        };
        if listed {
            pieces.train.table = Some(PieceTable::default());
            pieces.held_out.table = Some(PieceTable::default());
        }
        let mut longest = 0;
        for (r, rec) in records.iter().enumerate() {
            let (bridged, splitting): (Vec<_>, Vec<_>) = rec
                .n_runs
                .iter()
                .cloned()
                .partition(|run| run.end - run.start <= threshold);
            pieces
                .bridged
                .push(if threshold == 0 { Vec::new() } else { bridged });
            for usable in gaps(rec.len, &splitting) {
                longest = longest.max(usable.end - usable.start);
                pieces.add_stretch(r as u32, usable, &regions[r]);
            }
        }
        if pieces.train.total == 0 {
            let need = config.min_tokens + config.k.get() - 1;
            return Err(CoreError::Input(format!(
                "no training piece fits the genome: a piece needs at least {need} nucleotides \
                 free of N (min_tokens {} + k − 1) inside one {}-nucleotide block and outside \
                 the held-out regions; the longest N-free stretch is {longest}",
                config.min_tokens, config.block_len
            )));
        }
        Ok(pieces)
    }

    /// Splits one usable stretch at block and region edges and counts each segment.
    fn add_stretch(&mut self, record: u32, usable: Range<u64>, regions: &[Range<u64>]) {
        let mut edges: Vec<u64> = regions.iter().flat_map(|g| [g.start, g.end]).collect();
        edges.sort_unstable();
        let mut pos = usable.start;
        while pos < usable.end {
            let block_end = (pos / self.config.block_len + 1) * self.config.block_len;
            let edge = edges
                .get(edges.partition_point(|&e| e <= pos))
                .copied()
                .unwrap_or(u64::MAX);
            let end = usable.end.min(block_end).min(edge);
            let segment = Segment {
                record,
                start: pos,
                end,
            };
            let held = regions.iter().any(|g| g.start <= pos && pos < g.end)
                || self.block_held_out(record, pos / self.config.block_len);
            let listed = self.train.table.is_some();
            let mut found = PieceTable::default();
            let count = self.cut(segment, |start, tokens| {
                if listed {
                    found.starts.push(start as u32);
                    found.tokens.push(tokens as u16);
                }
                ControlFlow::Continue(())
            });
            let split = if held {
                &mut self.held_out
            } else {
                &mut self.train
            };
            if count > 0 {
                if let Some(table) = &mut split.table {
                    table.append(record, split.total, &mut found);
                }
                split.segments.push(segment);
                split.before.push(split.total);
                split.total += count;
            }
            pos = end;
        }
    }

    /// Cuts one segment, calling `piece(start, tokens)` for each kept piece until it answers
    /// `Break`; returns the number of pieces kept.
    fn cut(&self, seg: Segment, mut piece: impl FnMut(usize, usize) -> ControlFlow<()>) -> u64 {
        let stream = derive_seed(self.config.seed ^ SEGMENT_SALT, u64::from(seg.record));
        let mut lengths = SeededRng::derive(stream, seg.start);
        let bridged = self
            .bridged
            .get(seg.record as usize)
            .map_or(&[][..], Vec::as_slice);
        let overhang = self.config.k.get() - 1;
        let mut kept = 0;
        self.sampler.cut_run(
            &mut lengths,
            seg.start as usize..seg.end as usize,
            |start, tokens| {
                let nts = (tokens + overhang) as u64;
                let n = n_overlap(bridged, start as u64..start as u64 + nts);
                if n as f64 <= self.config.max_n_share * nts as f64 {
                    kept += 1;
                    return piece(start, tokens);
                }
                ControlFlow::Continue(())
            },
        );
        kept
    }

    /// Whether block `block` of record `record` is held out by `held_out_block_share`.
    pub fn block_held_out(&self, record: u32, block: u64) -> bool {
        let share = self.config.held_out_block_share;
        share > 0.0 && {
            let stream = derive_seed(self.config.seed ^ BLOCK_SALT, u64::from(record));
            SeededRng::derive(stream, block).unit() < share
        }
    }

    /// The configuration.
    pub fn config(&self) -> &GenomeSamplerConfig {
        &self.config
    }

    fn split(&self, split: Split) -> &SplitIndex {
        match split {
            Split::Train => &self.train,
            Split::HeldOut => &self.held_out,
        }
    }

    /// Pieces per epoch in `split`.
    pub fn len(&self, split: Split) -> u64 {
        self.split(split).total
    }

    /// True when `split` has no piece (the held-out split without held-out regions).
    pub fn is_empty(&self, split: Split) -> bool {
        self.len(split) == 0
    }

    /// Piece `p` of `split` in genome order (record, then position).
    pub fn piece_in_order(&self, split: Split, p: u64) -> Result<Piece> {
        let s = self.split(split);
        if p >= s.total {
            let msg = format!("piece {p} asked of a split of {} pieces", s.total);
            return Err(CoreError::invalid("index", msg));
        }
        if let Some(t) = &s.table {
            return Ok(t.piece(p, split == Split::HeldOut));
        }
        let i = s.before.partition_point(|&b| b <= p) - 1;
        let (seg, mut skip) = (s.segments[i], p - s.before[i]);
        let piece = |start, tokens| Piece {
            record: seg.record as usize,
            start,
            tokens,
            held_out: split == Split::HeldOut,
        };
        // The segment's length draws are one stream: replay it up to the piece, no further.
        let mut found = None;
        self.cut(seg, |start, tokens| {
            if skip == 0 {
                found = Some((start, tokens));
                return ControlFlow::Break(());
            }
            skip -= 1;
            ControlFlow::Continue(())
        });
        let (start, tokens) =
            found.ok_or_else(|| CoreError::Mismatch(format!("segment {i} re-cut short")))?;
        Ok(piece(start, tokens))
    }

    /// Piece `i` of epoch `epoch`: `piece_in_order` of the epoch's permutation of `i`.
    pub fn piece(&self, split: Split, epoch: u64, i: u64) -> Result<Piece> {
        let n = self.len(split);
        if i >= n {
            let msg = format!("piece {i} asked of a split of {n} pieces");
            return Err(CoreError::invalid("index", msg));
        }
        self.piece_in_order(split, permute(self.config.seed, epoch, i, n))
    }
}

/// `i`'s place in epoch `epoch`'s permutation of `0..n` (n > 0, i < n): a 4-round Feistel
/// network on the smallest even-bit domain holding n, cycle-walked until it lands below n
/// (under four steps on average: the domain is less than 4n).
pub fn permute(seed: u64, epoch: u64, i: u64, n: u64) -> u64 {
    let bits = (64 - (n.max(2) - 1).leading_zeros()).next_multiple_of(2);
    let half = bits / 2;
    let mask = (1u64 << half) - 1;
    let key = derive_seed(seed ^ ORDER_SALT, epoch);
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..ROUNDS {
            let f = derive_seed(derive_seed(key, round), r) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << half) | r;
        if x < n {
            return x;
        }
    }
}

/// The stretches of `0..len` outside `runs` (in order, disjoint).
fn gaps(len: u64, runs: &[Range<u64>]) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut pos = 0;
    for run in runs {
        if run.start > pos {
            out.push(pos..run.start);
        }
        pos = pos.max(run.end);
    }
    if pos < len {
        out.push(pos..len);
    }
    out
}

/// N letters of `runs` (in order, disjoint) inside `range`.
fn n_overlap(runs: &[Range<u64>], range: Range<u64>) -> u64 {
    let first = runs.partition_point(|r| r.end <= range.start);
    runs[first..]
        .iter()
        .take_while(|r| r.start < range.end)
        .map(|r| r.end.min(range.end) - r.start.max(range.start))
        .sum()
}

/// The held-out ranges of each record; an unknown name or a range past the record's end is
/// an error naming the region.
fn regions_by_record(
    records: &[RecordLayout],
    held_out: &[HeldOutRegion],
) -> Result<Vec<Vec<Range<u64>>>> {
    let mut out = alloc::vec![Vec::new(); records.len()];
    for region in held_out {
        let r = records
            .iter()
            .position(|rec| rec.name == region.record)
            .ok_or_else(|| {
                let msg = format!("{:?} names no record of the genome", region.record);
                CoreError::invalid("held_out_regions", msg)
            })?;
        let len = records[r].len;
        let range = region.range.clone().unwrap_or(0..len);
        if range.end > len {
            let msg = format!(
                "{}:{}-{} passes the end of {} ({len} nucleotides)",
                region.record, range.start, range.end, region.record
            );
            return Err(CoreError::invalid("held_out_regions", msg));
        }
        out[r].push(range);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use alloc::vec;
    use proptest::prelude::*;

    fn layout(name: &str, letters: &[u8]) -> RecordLayout {
        let mut n_runs: Vec<Range<u64>> = Vec::new();
        for (i, &b) in letters.iter().enumerate() {
            let i = i as u64;
            if b == b'N' {
                match n_runs.last_mut() {
                    Some(r) if r.end == i => r.end += 1,
                    _ => n_runs.push(i..i + 1),
                }
            }
        }
        RecordLayout {
            name: name.into(),
            len: letters.len() as u64,
            n_runs,
        }
    }

    fn config(k: usize, min: usize, max: usize, block: u64, share: f64) -> GenomeSamplerConfig {
        GenomeSamplerConfig {
            k: K::new(k).unwrap(),
            min_tokens: min,
            max_tokens: max,
            block_len: block,
            max_n_share: share,
            seed: 7,
            ..GenomeSamplerConfig::default()
        }
    }

    /// The oracle's segments of record `r`, position by position: (range, held out).
    fn oracle_segments(
        seq: &[u8],
        r: usize,
        regions: &[(usize, Range<u64>)],
        c: &GenomeSamplerConfig,
    ) -> Vec<(Range<usize>, bool)> {
        let max_nts = c.max_tokens + c.k.get() - 1;
        let threshold = (c.max_n_share * max_nts as f64) as usize;
        // Position p splits when it lies in an N run longer than the threshold.
        let run_len = |p: usize| {
            let (mut a, mut b) = (p, p);
            while a > 0 && seq[a - 1] == b'N' {
                a -= 1;
            }
            while b < seq.len() && seq[b] == b'N' {
                b += 1;
            }
            b - a
        };
        let usable = |p: usize| seq[p] != b'N' || run_len(p) <= threshold;
        let block_held = |p: usize| {
            c.held_out_block_share > 0.0 && {
                let stream = derive_seed(c.seed ^ BLOCK_SALT, r as u64);
                SeededRng::derive(stream, p as u64 / c.block_len).unit() < c.held_out_block_share
            }
        };
        let mine = || regions.iter().filter(|(rr, _)| *rr == r).map(|(_, g)| g);
        let held = |p: usize| mine().any(|g| g.contains(&(p as u64))) || block_held(p);
        let edge = |p: usize| mine().any(|g| g.start == p as u64 || g.end == p as u64);
        let (mut out, mut p) = (Vec::new(), 0);
        while p < seq.len() {
            if !usable(p) {
                p += 1;
                continue;
            }
            let start = p;
            p += 1;
            while p < seq.len() && usable(p) && !(p as u64).is_multiple_of(c.block_len) && !edge(p)
            {
                p += 1;
            }
            out.push((start..p, held(start)));
        }
        out
    }

    /// The brute-force oracle: segments found position by position, each cut with the
    /// same stream, the N share counted letter by letter.
    fn oracle(
        recs: &[Vec<u8>],
        regions: &[(usize, Range<u64>)],
        c: GenomeSamplerConfig,
    ) -> (Vec<Piece>, Vec<Piece>) {
        let sampler = PieceSampler::new(SamplerConfig {
            k: c.k,
            max_tokens: c.max_tokens,
            min_tokens: c.min_tokens,
            full_length_prob: c.full_length_prob,
            held_out_share: 0.0,
            seed: c.seed,
        })
        .unwrap();
        let (mut train, mut held) = (Vec::new(), Vec::new());
        for (r, seq) in recs.iter().enumerate() {
            for (segment, held_out) in oracle_segments(seq, r, regions, &c) {
                let stream = derive_seed(c.seed ^ SEGMENT_SALT, r as u64);
                let mut lengths = SeededRng::derive(stream, segment.start as u64);
                sampler.cut_run(&mut lengths, segment, |s, tokens| {
                    let nts = tokens + c.k.get() - 1;
                    let n = seq[s..s + nts].iter().filter(|&&b| b == b'N').count();
                    if n as f64 <= c.max_n_share * nts as f64 {
                        let piece = Piece {
                            record: r,
                            start: s,
                            tokens,
                            held_out,
                        };
                        if held_out {
                            held.push(piece)
                        } else {
                            train.push(piece)
                        }
                    }
                    ControlFlow::Continue(())
                });
            }
        }
        (train, held)
    }

    fn all_in_order(g: &GenomePieces, split: Split) -> Vec<Piece> {
        (0..g.len(split))
            .map(|p| g.piece_in_order(split, p).unwrap())
            .collect()
    }

    #[test]
    fn regions_parse_as_records_or_bed_ranges() {
        assert_eq!(
            HeldOutRegion::parse("chr21").unwrap(),
            HeldOutRegion {
                record: "chr21".into(),
                range: None
            }
        );
        assert_eq!(
            HeldOutRegion::parse("chr1:1,000-2000").unwrap().range,
            Some(1000..2000)
        );
        assert_eq!(HeldOutRegion::parse("HLA-A*01:01").unwrap().range, None);
        assert!(HeldOutRegion::parse("chr1:5-5").is_err());
    }

    #[test]
    fn a_piece_longer_than_every_run_is_an_error_naming_the_longest() {
        let recs = [layout("a", b"ACGTACGTNNACGTACG")];
        let e = GenomePieces::new(&recs, &[], config(3, 9, 20, 64, 0.0)).unwrap_err();
        assert!(
            alloc::format!("{e}").contains("longest N-free stretch is 8"),
            "{e}"
        );
        let all_n = [layout("n", b"NNNNNNNN")];
        assert!(GenomePieces::new(&all_n, &[], config(3, 1, 4, 64, 0.0)).is_err());
        let bad = GenomePieces::new(
            &recs,
            &[HeldOutRegion::parse("chrX").unwrap()],
            config(3, 1, 4, 64, 0.0),
        );
        assert!(alloc::format!("{}", bad.unwrap_err()).contains("chrX"));
        assert!(GenomePieces::new(&recs, &[], config(3, 1, 4, 64, 1.0)).is_err());
        assert!(GenomePieces::new(&recs, &[], config(3, 1, 40, 16, 0.0)).is_err());
        // Listed starts are 32-bit: a longer record is refused by name before it is cut.
        let huge = RecordLayout {
            name: "huge".into(),
            len: (1 << 32) + 1,
            n_runs: Vec::new(),
        };
        let e = GenomePieces::listed(&[huge], &[], config(3, 1, 4, 64, 0.0)).unwrap_err();
        assert!(alloc::format!("{e}").contains("record huge"), "{e}");
    }

    #[test]
    fn permutations_differ_by_epoch_and_cover_every_index() {
        for n in [1u64, 2, 3, 5, 17, 1000] {
            for epoch in 0..3 {
                let seen: BTreeSet<u64> = (0..n).map(|i| permute(9, epoch, i, n)).collect();
                assert_eq!(seen.len() as u64, n);
                assert!(seen.iter().all(|&x| x < n));
            }
        }
        let order = |e| {
            (0..1000)
                .map(|i| permute(9, e, i, 1000))
                .collect::<Vec<_>>()
        };
        assert_ne!(order(0), order(1));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pieces_match_the_brute_force_oracle(
            recs in proptest::collection::vec(
                proptest::collection::vec(prop::sample::select(b"ACGTACGTacgtNN".to_vec()), 0..300), 1..4),
            k in 3usize..=6,
            min in 1usize..6,
            extra in 0usize..20,
            block_extra in 0u64..60,
            share in prop::sample::select(vec![0.0, 0.1, 0.3]),
            region in (0usize..4, 0u64..300, 1u64..100, any::<bool>()),
            block_share in prop::sample::select(vec![0.0, 0.3]),
            epoch in 0u64..4,
        ) {
            let c = GenomeSamplerConfig {
                held_out_block_share: block_share,
                ..config(k, min, min + extra, (min + extra + k - 1) as u64 + block_extra, share)
            };
            let recs: Vec<Vec<u8>> = recs.into_iter().map(|r| r.to_ascii_uppercase()).collect();
            let layouts: Vec<RecordLayout> = recs.iter().enumerate()
                .map(|(i, r)| layout(&alloc::format!("r{i}"), r)).collect();
            let (rr, start, len, whole) = region;
            let mut regions = Vec::new();
            let mut held = Vec::new();
            if rr < recs.len() && start < recs[rr].len() as u64 {
                let range = if whole { 0..recs[rr].len() as u64 } else { start..(start + len).min(recs[rr].len() as u64) };
                regions.push((rr, range.clone()));
                held.push(HeldOutRegion { record: alloc::format!("r{rr}"), range: (!whole).then_some(range) });
            }
            let (train, held_out) = oracle(&recs, &regions, c);
            match GenomePieces::new(&layouts, &held, c) {
                Err(_) => prop_assert!(train.is_empty()),
                Ok(g) => {
                    prop_assert_eq!(all_in_order(&g, Split::Train), train.clone());
                    prop_assert_eq!(all_in_order(&g, Split::HeldOut), held_out);
                    // Epoch order: a permutation of the pieces, the same from a fresh index
                    // that lists its pieces (looked up, not re-cut).
                    let again = GenomePieces::listed(&layouts, &held, c).unwrap();
                    prop_assert_eq!(all_in_order(&again, Split::Train), train.clone());
                    prop_assert_eq!(all_in_order(&again, Split::HeldOut), all_in_order(&g, Split::HeldOut));
                    let mut epoch_pieces: Vec<Piece> = (0..g.len(Split::Train))
                        .map(|i| g.piece(Split::Train, epoch, i).unwrap()).collect();
                    for (i, p) in epoch_pieces.iter().enumerate() {
                        prop_assert_eq!(*p, again.piece(Split::Train, epoch, i as u64).unwrap());
                    }
                    epoch_pieces.sort_by_key(|p| (p.record, p.start));
                    prop_assert_eq!(epoch_pieces, train.clone());
                    prop_assert!(g.piece(Split::Train, epoch, g.len(Split::Train)).is_err());
                    // No training piece touches a held-out region; with no N allowed, no N.
                    for p in &train {
                        let nts = p.nucleotides(c.k);
                        prop_assert!(nts.end <= recs[p.record].len());
                        for (r, g) in &regions {
                            prop_assert!(*r != p.record || nts.end as u64 <= g.start || nts.start as u64 >= g.end);
                        }
                        if share == 0.0 {
                            prop_assert!(!recs[p.record][nts].contains(&b'N'));
                        }
                    }
                }
            }
        }
    }
}
