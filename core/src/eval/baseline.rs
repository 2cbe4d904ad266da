//! The unigram baseline of held-out masked-token perplexity (docs/algorithms.md §8).
//!
//! A masked language model that learned nothing but how often each k-mer occurs predicts
//! every masked position with the training frequencies. Its held-out perplexity is then
//! (about) the unigram perplexity computed here, so an eval perplexity at or above this
//! number says the model has not yet learned anything from context.
//!
//! - **Support**: exactly the 4^k k-mer ids (5 ..= 4 + 4^k). Special ids are never
//!   counted and never scored.
//! - **Probability**: add-one (Laplace) smoothing over that support,
//!   p(id) = (count(id) + 1) / (N + 4^k), N the k-mer tokens counted, so a k-mer unseen in
//!   training still has a finite loss and the probabilities sum to 1 over the k-mers.
//! - **Skipped**: a training id or an eval label that is not a k-mer id (`[UNK]`, any other
//!   special, out of range) is left out and counted in `skipped`. Pretraining pieces are
//!   cut from ACGT runs (docs/algorithms.md §5), so neither occurs there; a non-zero count says the input
//!   was not what the baseline assumes. [`IGNORE_LABEL`] positions (not masked) are not
//!   targets and are not counted at all.

use crate::mask::IGNORE_LABEL;
use crate::tokenize::kmer::K;
use crate::tokenize::vocab::{Vocab, SPECIAL_COUNT};
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// k-mer counts of the training token ids, fed incrementally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnigramCounts {
    vocab: Vocab,
    /// Indexed by k-mer code (id − 5).
    counts: Vec<u64>,
    total: u64,
    skipped: u64,
}

impl UnigramCounts {
    /// Empty counts for the k-mers of `k`.
    pub fn new(k: K) -> UnigramCounts {
        UnigramCounts {
            vocab: Vocab::new(k),
            counts: vec![0; k.kmer_count()],
            total: 0,
            skipped: 0,
        }
    }

    /// Counts the k-mer ids among `ids` (a piece, a batch, padded or not).
    pub fn add_ids(&mut self, ids: &[u32]) {
        for &id in ids {
            if self.vocab.is_kmer_id(id) {
                self.counts[(id - SPECIAL_COUNT) as usize] += 1;
                self.total += 1;
            } else {
                self.skipped += 1;
            }
        }
    }

    /// k-mer tokens counted (N).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Ids seen that are not k-mers (`[PAD]`, `[CLS]`, `[SEP]`, `[UNK]`, `[MASK]`, out of range).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Times `id` was counted; 0 for an id that is not a k-mer.
    pub fn count(&self, id: u32) -> u64 {
        if self.vocab.is_kmer_id(id) {
            self.counts[(id - SPECIAL_COUNT) as usize]
        } else {
            0
        }
    }

    /// ln p(id) with add-one smoothing; `None` for an id outside the k-mer support.
    pub fn log_prob(&self, id: u32) -> Option<f64> {
        self.vocab.is_kmer_id(id).then(|| {
            let denom = (self.total + self.counts.len() as u64) as f64;
            libm::log((self.count(id) + 1) as f64 / denom)
        })
    }

    /// A scorer for held-out labels with these frequencies (a snapshot: later counts do
    /// not change it).
    pub fn scorer(&self) -> UnigramScorer {
        let denom = libm::log((self.total + self.counts.len() as u64) as f64);
        UnigramScorer {
            vocab: self.vocab,
            neg_log_prob: self
                .counts
                .iter()
                .map(|&c| denom - libm::log((c + 1) as f64))
                .collect(),
            nll: 0.0,
            tokens: 0,
            skipped: 0,
            batch_nll_means: 0.0,
            batches: 0,
        }
    }
}

/// Accumulates −ln p(label) over the masked labels of eval batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnigramScorer {
    vocab: Vocab,
    /// −ln p by k-mer code.
    neg_log_prob: Vec<f64>,
    nll: f64,
    tokens: u64,
    skipped: u64,
    /// Σ over batches with a scored token of that batch's mean −ln p.
    batch_nll_means: f64,
    batches: u64,
}

impl UnigramScorer {
    /// Scores one eval batch's labels (the masker's output: the original id where masked,
    /// [`IGNORE_LABEL`] elsewhere).
    pub fn add_labels(&mut self, labels: &[i32]) {
        let (mut nll, mut tokens) = (0.0, 0u64);
        for &label in labels {
            if label == IGNORE_LABEL {
                continue;
            }
            match u32::try_from(label) {
                Ok(id) if self.vocab.is_kmer_id(id) => {
                    nll += self.neg_log_prob[(id - SPECIAL_COUNT) as usize];
                    tokens += 1;
                }
                _ => self.skipped += 1,
            }
        }
        if tokens > 0 {
            self.nll += nll;
            self.tokens += tokens;
            self.batch_nll_means += nll / tokens as f64;
            self.batches += 1;
        }
    }

    /// Labels scored.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Labels left out because they are not k-mer ids (e.g. `[UNK]`).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// exp(mean −ln p over all scored labels); `None` before any.
    pub fn perplexity(&self) -> Option<f64> {
        (self.tokens > 0).then(|| libm::exp(self.nll / self.tokens as f64))
    }

    /// exp(mean over batches of each batch's mean −ln p); `None` before any. This is how
    /// the trainer averages its eval loss (a mean of per-batch mean losses), so compare
    /// its eval perplexity with this one.
    pub fn batch_mean_perplexity(&self) -> Option<f64> {
        (self.batches > 0).then(|| libm::exp(self.batch_nll_means / self.batches as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::vocab::{CLS_ID, PAD_ID, SEP_ID, UNK_ID};

    fn k3() -> K {
        K::new(3).unwrap()
    }

    #[test]
    fn hand_computed_perplexities() {
        // k = 3: 64 k-mers. Train: AAA (id 5) x3, AAT (id 6) x1; N = 4, denominator 68.
        // p(AAA) = 4/68 = 1/17, p(AAT) = 2/68, any other k-mer 1/68.
        let mut counts = UnigramCounts::new(k3());
        counts.add_ids(&[CLS_ID, 5, 5, 6, SEP_ID, PAD_ID]);
        counts.add_ids(&[5, UNK_ID]);
        assert_eq!((counts.total(), counts.skipped()), (4, 4));
        assert_eq!(
            (counts.count(5), counts.count(6), counts.count(7)),
            (3, 1, 0)
        );
        assert!((counts.log_prob(5).unwrap() - libm::log(1.0 / 17.0)).abs() < 1e-15);
        assert_eq!(counts.log_prob(UNK_ID), None);

        let mut s = counts.scorer();
        // Batch 1 scores AAA, AAA; batch 2 scores AAC (unseen), skips [UNK].
        s.add_labels(&[IGNORE_LABEL, 5, IGNORE_LABEL, 5]);
        s.add_labels(&[7, UNK_ID as i32, IGNORE_LABEL]);
        s.add_labels(&[IGNORE_LABEL; 4]); // nothing masked: not a batch
        assert_eq!((s.tokens(), s.skipped()), (3, 1));
        // Token mean: exp((2 ln 17 + ln 68) / 3) = (17² · 68)^(1/3) = 19652^(1/3).
        let token = s.perplexity().unwrap();
        assert!((token - libm::cbrt(19652.0)).abs() < 1e-11, "{token}");
        // Batch mean: exp((ln 17 + ln 68) / 2) = sqrt(17 · 68) = 34.
        assert!((s.batch_mean_perplexity().unwrap() - 34.0).abs() < 1e-12);
    }

    #[test]
    fn no_training_data_gives_the_vocabulary_size() {
        // Add-one smoothing over nothing is uniform over the 4^k k-mers.
        let mut s = UnigramCounts::new(K::SIX).scorer();
        assert_eq!(s.perplexity(), None);
        s.add_labels(&[5, 4100, 77, 2000]);
        assert!((s.perplexity().unwrap() - 4096.0).abs() < 1e-9);
        // Out-of-range and negative labels other than IGNORE_LABEL are skipped, not scored.
        s.add_labels(&[4101, -1, i32::MAX]);
        assert_eq!((s.tokens(), s.skipped()), (4, 3));
    }

    #[test]
    fn counting_is_incremental_and_scorers_are_snapshots() {
        let ids = [5u32, 9, 9, 40, 68, 2, 9];
        let mut whole = UnigramCounts::new(k3());
        whole.add_ids(&ids);
        let mut parts = UnigramCounts::new(k3());
        let before = parts.scorer();
        parts.add_ids(&ids[..3]);
        parts.add_ids(&ids[3..]);
        assert_eq!(whole, parts);
        // A scorer taken before the counts keeps the uniform table.
        let mut b = before;
        b.add_labels(&[9]);
        assert!((b.perplexity().unwrap() - 64.0).abs() < 1e-12);
        // Probabilities sum to 1 over the support.
        let sum: f64 = (5..5 + 64)
            .map(|id| libm::exp(whole.log_prob(id).unwrap()))
            .sum();
        assert!((sum - 1.0).abs() < 1e-12);
    }
}
