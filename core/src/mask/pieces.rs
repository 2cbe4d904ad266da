//! Mask streams keyed by piece: the randomness that masks piece `index` of epoch `epoch` is
//! a pure function of (seed, epoch, index), whoever masks it.
//!
//! [`super::RowStreams`] numbers rows in the order one process masks them, so a caller with
//! several processes (DataLoader workers, ranks) or one that restarts (a resumed run) must
//! keep counters that depend on who masked what before. A genome's pieces already carry a
//! global index (piece i of epoch e is f(seed, e, i)): keying the stream by it makes the
//! masks independent of worker counts, sharding and resumes. This is the one rule; the
//! Python collator reaches it through its binding.

use super::rows::Streams;
use crate::error::{CoreError, Result};
use crate::rng::{derive_seed, SeededRng};

/// Salt of the piece streams, so they share no seed with the numbered row streams of the
/// same seed (those derive straight from `seed`).
const PIECE_STREAMS: u64 = 0x7069_6563_655f_6d6b;

/// Piece `index` of epoch `epoch`: the key of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PieceKey {
    /// The epoch the piece was drawn for.
    pub epoch: u64,
    /// The piece's global index within its epoch.
    pub index: u64,
}

/// The seed of the mask stream of piece `key` under `seed`: the row's [`SeededRng`] starts
/// from it. Epoch first, then index, each through [`derive_seed`].
pub fn piece_seed(seed: u64, key: PieceKey) -> u64 {
    derive_seed(derive_seed(seed ^ PIECE_STREAMS, key.epoch), key.index)
}

/// Row r of a request is piece `pieces[r]`, masked on its [`piece_seed`] stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PieceStreams<'a> {
    /// The seed every piece's stream derives from.
    pub seed: u64,
    /// One key per row of the request.
    pub pieces: &'a [PieceKey],
}

impl Streams for PieceStreams<'_> {
    fn check(&self, rows: usize) -> Result<()> {
        if self.pieces.len() == rows {
            return Ok(());
        }
        Err(CoreError::Mismatch(alloc::format!(
            "{} piece keys for a batch of {} rows",
            self.pieces.len(),
            rows
        )))
    }

    fn rng(&self, row: usize) -> SeededRng {
        SeededRng::new(piece_seed(self.seed, self.pieces[row]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::{mask_rows, MaskConfig, Masker, RowStreams, Rows, Strategy};
    use crate::npmi::rank::RankTable;
    use crate::tokenize::kmer::K;
    use crate::tokenize::vocab::{CLS_ID, SEP_ID};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn masker() -> Masker {
        let ranks = (1..=K::SIX.kmer_count() as u16).collect();
        Masker::new(
            RankTable::from_ranks(K::SIX, ranks).unwrap(),
            MaskConfig::default(),
        )
        .unwrap()
    }

    fn row(n: usize, salt: u32) -> Vec<u32> {
        let mut ids = alloc::vec![CLS_ID];
        ids.extend((0..n as u32).map(|i| 5 + (i * 7919 + salt) % 4096));
        ids.push(SEP_ID);
        ids
    }

    fn mask(ids: &[u32], seq_len: usize, streams: impl Streams) -> Result<Vec<i32>> {
        let rows = Rows {
            ids,
            seq_len,
            attention: None,
        };
        let (mut out, mut labels) = (Vec::new(), Vec::new());
        mask_rows(
            &mut masker(),
            rows,
            streams,
            |_| Strategy::RandomSpan,
            &mut out,
            &mut labels,
        )?;
        Ok(labels)
    }

    #[test]
    fn piece_seed_is_pinned_and_keyed_by_epoch_and_index() {
        // Pinned: resumed runs and python/tests/test_api.py depend on it.
        let key = |epoch, index| PieceKey { epoch, index };
        assert_eq!(piece_seed(42, key(0, 7)), 0xdb48_a9d2_deb4_1bd7);
        let seeds = [
            piece_seed(42, key(0, 7)),
            piece_seed(42, key(1, 7)),
            piece_seed(42, key(0, 8)),
            piece_seed(43, key(0, 7)),
            derive_seed(42, 7),
        ];
        for (i, a) in seeds.iter().enumerate() {
            assert!(seeds[i + 1..].iter().all(|b| a != b), "{seeds:x?}");
        }
    }

    #[test]
    fn a_piece_masks_the_same_in_any_batch_and_at_any_row() {
        let (a, b) = (row(120, 1), row(120, 2));
        let keys = [
            PieceKey {
                epoch: 3,
                index: 10,
            },
            PieceKey {
                epoch: 3,
                index: 99,
            },
        ];
        let both: Vec<u32> = a.iter().chain(&b).copied().collect();
        let together = mask(
            &both,
            a.len(),
            PieceStreams {
                seed: 5,
                pieces: &keys,
            },
        )
        .unwrap();
        let swapped: Vec<u32> = b.iter().chain(&a).copied().collect();
        let reversed = [keys[1], keys[0]];
        let apart = mask(
            &swapped,
            a.len(),
            PieceStreams {
                seed: 5,
                pieces: &reversed,
            },
        )
        .unwrap();
        let n = a.len();
        assert_eq!(together[..n], apart[n..]);
        assert_eq!(together[n..], apart[..n]);
        // Another epoch masks the same piece otherwise.
        let next = [PieceKey {
            epoch: 4,
            index: 10,
        }];
        assert_ne!(
            mask(
                &a,
                n,
                PieceStreams {
                    seed: 5,
                    pieces: &next
                }
            )
            .unwrap(),
            together[..n]
        );
        // The numbered streams stay as they were: not keyed, so unchanged by this module.
        let numbered = RowStreams {
            seed: 5,
            first_row: 0,
        };
        assert_ne!(mask(&a, n, numbered).unwrap(), together[..n]);
    }

    #[test]
    fn too_few_keys_is_an_error_not_a_panic() {
        let ids = row(20, 0);
        let keys = [PieceKey { epoch: 0, index: 0 }; 2];
        let e = mask(
            &ids,
            ids.len(),
            PieceStreams {
                seed: 1,
                pieces: &keys,
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "mismatch: 2 piece keys for a batch of 1 rows"
        );
    }
}
