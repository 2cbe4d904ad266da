//! Masking a batch of rows that came from outside (Python, a file), each row on its own
//! random stream: the contract that makes `train mask`, the Python package and any other
//! caller give the same masks for the same (table, strategy, seed, row number, sequence).
//!
//! Unlike [`Masker::mask_batch`], which trusts its caller, every input is checked here and a
//! bad one is an error naming the row and position, never a panic: the ids come from users.

use super::masker::Masker;
use super::stats::MaskStats;
use super::strategy::Strategy;
use crate::error::{CoreError, Result};
use crate::rng::SeededRng;
use crate::tokenize::vocab::{Vocab, PAD_ID};
use alloc::vec::Vec;

/// The random stream of each row: row r of a request is stream `first_row + r` of `seed`.
///
/// `train mask` masks the i-th sequence of its file with stream i, so a caller that numbers
/// its rows the same way draws the same masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowStreams {
    /// The seed every stream derives from.
    pub seed: u64,
    /// Stream number of the request's first row.
    pub first_row: u64,
}

impl RowStreams {
    /// The stream of row `row` of the request.
    pub fn rng(&self, row: usize) -> SeededRng {
        SeededRng::derive(self.seed, self.first_row.wrapping_add(row as u64))
    }
}

/// Where each row of a request draws its randomness from: numbered rows ([`RowStreams`]) or
/// keyed pieces ([`super::PieceStreams`]). [`mask_rows`] takes either.
pub trait Streams {
    /// Checks that a request of `rows` rows has a stream for each (a caller's list of
    /// keys may be short): an error, never a panic.
    fn check(&self, _rows: usize) -> Result<()> {
        Ok(())
    }

    /// The stream of row `row` of the request.
    fn rng(&self, row: usize) -> SeededRng;
}

impl Streams for RowStreams {
    fn rng(&self, row: usize) -> SeededRng {
        RowStreams::rng(self, row)
    }
}

/// A batch of model inputs laid out row-major, `[rows][seq_len]`.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    /// The ids, `rows * seq_len` of them.
    pub ids: &'a [u32],
    /// Positions per row.
    pub seq_len: usize,
    /// Optional attention flags, as long as `ids`: positions with `false` are padding and
    /// are never masked, whatever id they hold.
    pub attention: Option<&'a [bool]>,
}

impl Rows<'_> {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.ids.len().checked_div(self.seq_len).unwrap_or(0)
    }

    /// Checks the shape and that every id is in `vocab` (ids from a model of another k, or
    /// garbage, would otherwise be masked as if they were k-mers).
    pub fn validate(&self, vocab: Vocab) -> Result<()> {
        if self.ids.is_empty() || self.seq_len == 0 {
            return Err(CoreError::Empty(
                "a batch needs at least one row and one position".into(),
            ));
        }
        if !self.ids.len().is_multiple_of(self.seq_len) {
            return Err(CoreError::Mismatch(alloc::format!(
                "{} ids are not whole rows of {}",
                self.ids.len(),
                self.seq_len
            )));
        }
        if let Some(a) = self.attention {
            if a.len() != self.ids.len() {
                return Err(CoreError::Mismatch(alloc::format!(
                    "attention_mask has {} positions, input_ids {}",
                    a.len(),
                    self.ids.len()
                )));
            }
        }
        let size = vocab.size();
        match self.ids.iter().position(|&id| id as usize >= size) {
            None => Ok(()),
            Some(i) => Err(CoreError::invalid(
                "input_ids",
                alloc::format!(
                    "id {} at row {}, position {} is outside the vocabulary of k = {} (ids 0..{})",
                    self.ids[i],
                    i / self.seq_len,
                    i % self.seq_len,
                    vocab.k(),
                    size
                ),
            )),
        }
    }
}

/// Masks every row of `rows` with its own stream of `streams`. `choose` picks the row's
/// strategy from that stream first (a curriculum may draw from it, as CM-Step does in
/// `train mask`), then the masker draws from the same stream.
///
/// `out_ids` gets the corrupted rows (padding copied unchanged), `labels` the original ids
/// on masked positions and [`super::IGNORE_LABEL`] elsewhere; both are resized to the input.
pub fn mask_rows(
    masker: &mut Masker,
    rows: Rows<'_>,
    streams: impl Streams,
    mut choose: impl FnMut(&mut SeededRng) -> Strategy,
    out_ids: &mut Vec<u32>,
    labels: &mut Vec<i32>,
) -> Result<MaskStats> {
    rows.validate(Vocab::new(masker.config().k))?;
    streams.check(rows.rows())?;
    let n = rows.ids.len();
    out_ids.clear();
    out_ids.resize(n, PAD_ID);
    labels.clear();
    labels.resize(n, 0);
    let mut padded = Vec::new();
    let mut stats = MaskStats::default();
    for r in 0..rows.rows() {
        let span = r * rows.seq_len..(r + 1) * rows.seq_len;
        let input = match rows.attention {
            // Attention-0 positions are masked as [PAD] (which no masker touches), then
            // get their own ids back.
            Some(a) if a[span.clone()].contains(&false) => {
                padded.clear();
                padded.extend(
                    rows.ids[span.clone()]
                        .iter()
                        .zip(&a[span.clone()])
                        .map(|(&id, &on)| if on { id } else { PAD_ID }),
                );
                &padded[..]
            }
            _ => &rows.ids[span.clone()],
        };
        let mut rng = streams.rng(r);
        let strategy = choose(&mut rng);
        let (out, lab) = (&mut out_ids[span.clone()], &mut labels[span.clone()]);
        stats += masker.mask(strategy, input, &mut rng, out, lab);
        for ((o, &p), &id) in out.iter_mut().zip(input).zip(&rows.ids[span]) {
            if p == PAD_ID {
                *o = id;
            }
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::{MaskConfig, IGNORE_LABEL};
    use crate::npmi::rank::RankTable;
    use crate::tokenize::kmer::K;
    use crate::tokenize::vocab::{CLS_ID, SEP_ID};
    use alloc::string::ToString;

    fn masker() -> Masker {
        let ranks = (1..=K::SIX.kmer_count() as u16).rev().collect();
        Masker::new(
            RankTable::from_ranks(K::SIX, ranks).unwrap(),
            MaskConfig::default(),
        )
        .unwrap()
    }

    fn row(n: usize, seq_len: usize, salt: u32) -> Vec<u32> {
        let mut ids = alloc::vec![PAD_ID; seq_len];
        ids[0] = CLS_ID;
        for (i, id) in ids[1..=n].iter_mut().enumerate() {
            *id = 5 + (i as u32 * 7919 + salt) % 4096;
        }
        ids[n + 1] = SEP_ID;
        ids
    }

    #[test]
    fn a_row_masks_as_it_would_alone_on_its_stream() {
        let mut m = masker();
        let (a, b) = (row(200, 300, 1), row(250, 300, 2));
        let ids: Vec<u32> = a.iter().chain(&b).copied().collect();
        let rows = Rows {
            ids: &ids,
            seq_len: 300,
            attention: None,
        };
        let streams = RowStreams {
            seed: 5,
            first_row: 10,
        };
        let (mut out, mut lab) = (Vec::new(), Vec::new());
        mask_rows(
            &mut m,
            rows,
            streams,
            |_| Strategy::GeneMask,
            &mut out,
            &mut lab,
        )
        .unwrap();
        // Row 1 alone, unpadded, on stream 11: the same masks.
        let mut rng = SeededRng::derive(5, 11);
        let alone = &b[..252];
        let (mut o, mut l) = (alloc::vec![0; 252], alloc::vec![0; 252]);
        m.mask(Strategy::GeneMask, alone, &mut rng, &mut o, &mut l);
        assert_eq!(&out[300..552], &o[..]);
        assert_eq!(&lab[300..552], &l[..]);
        assert!(lab[552..].iter().all(|&x| x == IGNORE_LABEL));
        assert!(l.iter().any(|&x| x != IGNORE_LABEL));
    }

    #[test]
    fn attention_zero_positions_are_never_masked_and_keep_their_ids() {
        let mut m = masker();
        let ids = row(100, 102, 3);
        let attention: Vec<bool> = (0..102).map(|i| i < 51).collect();
        let rows = Rows {
            ids: &ids,
            seq_len: 102,
            attention: Some(&attention),
        };
        let streams = RowStreams {
            seed: 1,
            first_row: 0,
        };
        let (mut out, mut lab) = (Vec::new(), Vec::new());
        mask_rows(
            &mut m,
            rows,
            streams,
            |_| Strategy::Global,
            &mut out,
            &mut lab,
        )
        .unwrap();
        assert_eq!(&out[51..], &ids[51..]);
        assert!(lab[51..].iter().all(|&x| x == IGNORE_LABEL));
    }

    #[test]
    fn bad_rows_are_errors_naming_the_place() {
        let mut m = masker();
        let (mut out, mut lab) = (Vec::new(), Vec::new());
        let streams = RowStreams {
            seed: 0,
            first_row: 0,
        };
        let mut run = |ids: &[u32], seq_len, attention| {
            let rows = Rows {
                ids,
                seq_len,
                attention,
            };
            mask_rows(
                &mut m,
                rows,
                streams,
                |_| Strategy::RandomSpan,
                &mut out,
                &mut lab,
            )
            .unwrap_err()
            .to_string()
        };
        assert!(run(&[], 4, None).contains("empty"));
        assert!(run(&[2, 7, 3], 2, None).contains("whole rows"));
        assert!(run(&[2, 7, 3, 0], 2, Some(&[true])).contains("attention_mask"));
        let e = run(&[2, 7, 4101, 3], 2, None);
        assert!(e.contains("id 4101 at row 1, position 0"), "{e}");
    }
}
