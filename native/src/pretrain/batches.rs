//! Deterministic batches and a background prefetcher.

use super::corpus::{Corpus, PieceSet};
use cmgems_core::input::genome::Split;
use cmgems_core::mask::{MaskStats, Masker, Strategy};
use cmgems_core::tokenize::vocab::PAD_ID;
use cmgems_core::{Piece, SeededRng, Vocab};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Which pieces make micro-batch `index`: training pieces are visited in a seeded
/// permutation per epoch, so a batch depends on nothing but (seed, index).
#[derive(Debug, Clone)]
pub struct BatchPlan {
    pub rows: usize,
    /// Positions per row, [CLS] and [SEP] included; shorter pieces are padded.
    pub seq_len: usize,
    pub seed: u64,
}

/// Unmasked model inputs of one micro-batch, row-major `[rows][seq_len]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBatch {
    /// The micro-batch index it was built for.
    pub index: u64,
    pub rows: usize,
    pub seq_len: usize,
    pub ids: Vec<u32>,
    /// 1 on real tokens ([CLS], k-mers, [SEP]), 0 on padding.
    pub attention: Vec<u32>,
}

impl TokenBatch {
    /// k-mer tokens in the batch (not specials, not padding).
    pub fn kmer_tokens(&self) -> usize {
        self.attention.iter().filter(|&&a| a == 1).count() - 2 * self.rows
    }
}

/// A batch after masking: what the model's MLM step consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedBatch {
    pub index: u64,
    pub rows: usize,
    pub seq_len: usize,
    pub input_ids: Vec<u32>,
    pub labels: Vec<i32>,
    pub attention: Vec<u32>,
    pub strategy: Strategy,
    pub stats: MaskStats,
}

impl BatchPlan {
    /// The training pieces of micro-batch `index`.
    pub fn pieces(
        &self,
        set: &PieceSet,
        index: u64,
        permutation: &mut EpochPermutation,
    ) -> Vec<Piece> {
        let n = set.train_len();
        (0..self.rows as u64)
            .map(|r| {
                let sample = index * self.rows as u64 + r;
                let (epoch, at) = (sample / n, sample % n);
                match &set.genome {
                    // A store's pieces are a function of (seed, epoch, index) already.
                    Some(g) => g
                        .piece(Split::Train, epoch, at)
                        .expect("at is below the split's length"),
                    None => {
                        set.train[permutation.get(self.seed, epoch, set.train.len())[at as usize]]
                    }
                }
            })
            .collect()
    }

    /// Builds the inputs of `pieces` (training or held-out).
    pub fn tokens(
        &self,
        corpus: &Corpus,
        vocab: &Vocab,
        index: u64,
        pieces: &[Piece],
    ) -> TokenBatch {
        let mut ids = vec![PAD_ID; pieces.len() * self.seq_len];
        let mut attention = vec![0u32; ids.len()];
        let mut row_ids = Vec::with_capacity(self.seq_len);
        let mut letters = Vec::new();
        for (r, piece) in pieces.iter().enumerate() {
            corpus.piece_ids(piece, vocab, &mut letters, &mut row_ids);
            let n = row_ids.len().min(self.seq_len);
            let row = r * self.seq_len;
            ids[row..row + n].copy_from_slice(&row_ids[..n]);
            attention[row..row + n].fill(1);
        }
        TokenBatch {
            index,
            rows: pieces.len(),
            seq_len: self.seq_len,
            ids,
            attention,
        }
    }

    /// Held-out batches for the perplexity evaluation, in a fixed order.
    pub fn held_out_batches<'a>(
        &'a self,
        corpus: &'a Corpus,
        set: &'a PieceSet,
        vocab: &'a Vocab,
        max_batches: usize,
    ) -> impl Iterator<Item = TokenBatch> + 'a {
        set.held_out
            .chunks(self.rows)
            .take(max_batches)
            .enumerate()
            .map(move |(i, pieces)| self.tokens(corpus, vocab, i as u64, pieces))
    }
}

/// Masks a token batch. The stream is derived from (seed, index), so the masks of a
/// batch are the same whether a run was resumed or not.
pub fn mask(masker: &mut Masker, strategy: Strategy, batch: &TokenBatch, seed: u64) -> MaskedBatch {
    let mut rng = SeededRng::derive(seed ^ 0x6D61_736B, batch.index);
    let mut input_ids = vec![0u32; batch.ids.len()];
    let mut labels = vec![0i32; batch.ids.len()];
    let stats = masker.mask_batch(
        strategy,
        &batch.ids,
        batch.seq_len,
        &mut rng,
        &mut input_ids,
        &mut labels,
    );
    MaskedBatch {
        index: batch.index,
        rows: batch.rows,
        seq_len: batch.seq_len,
        input_ids,
        labels,
        attention: batch.attention.clone(),
        strategy,
        stats,
    }
}

/// The current epoch's visiting order of training pieces, rebuilt when the epoch changes.
#[derive(Debug, Default, Clone)]
pub struct EpochPermutation {
    epoch: Option<u64>,
    order: Vec<usize>,
}

impl EpochPermutation {
    fn get(&mut self, seed: u64, epoch: u64, n: usize) -> &[usize] {
        if self.epoch != Some(epoch) || self.order.len() != n {
            let mut rng = SeededRng::derive(seed, epoch);
            self.order = (0..n).collect();
            // Fisher–Yates.
            for i in (1..n).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                self.order.swap(i, j);
            }
            self.epoch = Some(epoch);
        }
        &self.order
    }
}

/// Builds token batches `start, start+1, ..` on a background thread, a bounded number
/// ahead, so the device never waits on data preparation.
pub struct Prefetcher {
    rx: Receiver<TokenBatch>,
    handle: Option<JoinHandle<()>>,
}

impl Prefetcher {
    /// Starts prefetching from micro-batch `start`, at most `ahead` batches in flight.
    pub fn start(
        plan: BatchPlan,
        corpus: Arc<Corpus>,
        set: Arc<PieceSet>,
        vocab: Vocab,
        start: u64,
        ahead: usize,
    ) -> Prefetcher {
        let (tx, rx) = sync_channel(ahead.max(1));
        let handle = std::thread::spawn(move || {
            let mut permutation = EpochPermutation::default();
            for index in start.. {
                let pieces = plan.pieces(&set, index, &mut permutation);
                let batch = plan.tokens(&corpus, &vocab, index, &pieces);
                if tx.send(batch).is_err() {
                    break; // the consumer is gone
                }
            }
        });
        Prefetcher {
            rx,
            handle: Some(handle),
        }
    }

    /// The next batch, in index order.
    pub fn next_batch(&self) -> TokenBatch {
        self.rx
            .recv()
            .expect("the prefetch thread runs until dropped")
    }
}

impl Drop for Prefetcher {
    fn drop(&mut self) {
        // Unblock the producer by dropping the receiver first, then join it.
        let (_, rx) = sync_channel(0);
        drop(std::mem::replace(&mut self.rx, rx));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::input::synthetic::SyntheticConfig;
    use cmgems_core::mask::{MaskConfig, IGNORE_LABEL};
    use cmgems_core::{RankTable, SamplerConfig, K};

    fn fixture() -> (Arc<Corpus>, Arc<PieceSet>, BatchPlan) {
        let corpus = Corpus::synthetic(&SyntheticConfig {
            records: 10,
            record_len: 3000,
            ..SyntheticConfig::default()
        });
        let set = PieceSet::cut(&corpus, SamplerConfig::default(), false).unwrap();
        let plan = BatchPlan {
            rows: 4,
            seq_len: 512,
            seed: 9,
        };
        (Arc::new(corpus), Arc::new(set), plan)
    }

    #[test]
    fn batches_depend_only_on_seed_and_index_so_resume_sees_the_same_data() {
        let (corpus, set, plan) = fixture();
        let vocab = Vocab::new(K::SIX);
        let from0 = Prefetcher::start(plan.clone(), corpus.clone(), set.clone(), vocab, 0, 2);
        let all: Vec<TokenBatch> = (0..12).map(|_| from0.next_batch()).collect();
        let from7 = Prefetcher::start(plan, corpus, set, vocab, 7, 2);
        for expected in &all[7..] {
            assert_eq!(&from7.next_batch(), expected);
        }
    }

    #[test]
    fn every_training_piece_is_seen_once_per_epoch() {
        let (corpus, set, plan) = fixture();
        let n = set.train.len() as u64;
        let mut perm = EpochPermutation::default();
        let mut seen: Vec<Piece> = (0..n.div_ceil(plan.rows as u64))
            .flat_map(|i| plan.pieces(&set, i, &mut perm))
            .take(n as usize)
            .collect();
        let mut expected = set.train.clone();
        let key = |p: &Piece| (p.record, p.start);
        seen.sort_by_key(key);
        expected.sort_by_key(key);
        assert_eq!(seen, expected);
        let batch = plan.tokens(
            &corpus,
            &Vocab::new(K::SIX),
            0,
            &plan.pieces(&set, 0, &mut perm),
        );
        assert_eq!(batch.ids.len(), 4 * 512);
        assert!(batch.kmer_tokens() >= 4 * 5);
    }

    #[test]
    fn masking_a_batch_is_reproducible_and_labels_only_real_tokens() {
        let (corpus, set, plan) = fixture();
        let vocab = Vocab::new(K::SIX);
        let mut perm = EpochPermutation::default();
        let batch = plan.tokens(&corpus, &vocab, 3, &plan.pieces(&set, 3, &mut perm));
        let table = RankTable::from_ranks(K::SIX, (1..=4096).collect()).unwrap();
        let mut masker = Masker::new(table, MaskConfig::default()).unwrap();
        let a = mask(&mut masker, Strategy::GeneMask, &batch, 1);
        let b = mask(&mut masker, Strategy::GeneMask, &batch, 1);
        assert_eq!(a, b);
        assert!(a.stats.masked > 0);
        for (i, &l) in a.labels.iter().enumerate() {
            if l != IGNORE_LABEL {
                assert_eq!(batch.attention[i], 1);
                assert_eq!(l as u32, batch.ids[i]);
            }
        }
    }
}
