//! NPMI ranks as the maskers consume them, and the two ways of looking them up.

use crate::error::{CoreError, Result};
use crate::tokenize::kmer::{Kmer, K};
use crate::tokenize::vocab::{Vocab, SPECIAL_COUNT};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// A rank: 1 = highest NPMI, 4^k = lowest. Lower ranks are masked first.
pub type Rank = u16;

/// Rank given to a position that holds no k-mer (`[UNK]`, `[MASK]`, any special): worse
/// than every real rank, so such positions are chosen last.
pub const NO_KMER_RANK: Rank = Rank::MAX;

/// How a PMI masker finds the rank of the token at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RankLookup {
    /// As described in the papers: the rank of the k-mer at position i.
    #[default]
    Kmer,
    /// As the authors coded it: the rank of the k-mer whose vocabulary id equals i, so
    /// the mask does not depend on the sequence. Ids 0..4 (specials) count as rank 4^k.
    /// Exists only to reproduce and ablate published numbers.
    Position,
}

impl core::str::FromStr for RankLookup {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "kmer" => Ok(RankLookup::Kmer),
            "position" => Ok(RankLookup::Position),
            _ => Err(CoreError::invalid(
                "rank_lookup",
                alloc::format!("{s:?} is not `kmer` or `position`"),
            )),
        }
    }
}

/// The rank of every k-mer of one k, indexed by k-mer code. A permutation of 1..=4^k.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RankTableRepr", into = "RankTableRepr")]
pub struct RankTable {
    k: K,
    by_code: Vec<Rank>,
}

#[derive(Serialize, Deserialize)]
struct RankTableRepr {
    k: K,
    by_code: Vec<Rank>,
}

impl TryFrom<RankTableRepr> for RankTable {
    type Error = CoreError;
    fn try_from(r: RankTableRepr) -> Result<Self> {
        RankTable::from_ranks(r.k, r.by_code)
    }
}

impl From<RankTable> for RankTableRepr {
    fn from(t: RankTable) -> Self {
        RankTableRepr {
            k: t.k,
            by_code: t.by_code,
        }
    }
}

impl RankTable {
    /// Validates that `by_code` is a permutation of 1..=4^k.
    pub fn from_ranks(k: K, by_code: Vec<Rank>) -> Result<RankTable> {
        let n = k.kmer_count();
        if by_code.len() != n {
            return Err(CoreError::Mismatch(alloc::format!(
                "a rank table for k = {k} needs {n} ranks, got {}",
                by_code.len()
            )));
        }
        let mut seen = alloc::vec![false; n + 1];
        for (code, &r) in by_code.iter().enumerate() {
            let r = r as usize;
            if r == 0 || r > n || seen[r] {
                return Err(CoreError::Mismatch(alloc::format!(
                    "rank {r} of k-mer code {code} is out of 1..={n} or repeated"
                )));
            }
            seen[r] = true;
        }
        Ok(RankTable { k, by_code })
    }

    /// Ranks k-mers in the given order: `order[0]` gets rank 1. Must be a permutation.
    pub fn from_order(k: K, order: &[Kmer]) -> Result<RankTable> {
        let mut by_code = alloc::vec![0 as Rank; k.kmer_count()];
        for (i, kmer) in order.iter().enumerate() {
            if kmer.k() != k {
                return Err(CoreError::Mismatch(alloc::format!(
                    "k-mer {kmer} in a table for k = {k}"
                )));
            }
            by_code[kmer.code()] = (i + 1) as Rank;
        }
        RankTable::from_ranks(k, by_code)
    }

    /// The table's k.
    pub fn k(&self) -> K {
        self.k
    }

    /// Ranks indexed by k-mer code.
    pub fn ranks_by_code(&self) -> &[Rank] {
        &self.by_code
    }

    /// The rank of a k-mer.
    #[inline]
    pub fn rank(&self, kmer: Kmer) -> Rank {
        self.by_code[kmer.code()]
    }

    /// The rank of the token with this id ([`NO_KMER_RANK`] for specials).
    #[inline]
    pub fn rank_of_id(&self, id: u32) -> Rank {
        match id.checked_sub(SPECIAL_COUNT) {
            Some(code) if (code as usize) < self.by_code.len() => self.by_code[code as usize],
            _ => NO_KMER_RANK,
        }
    }

    /// The authors' position lookup: the rank of the k-mer whose id equals `position`.
    /// Ids 0..4 count as rank 4^k; positions past the vocabulary (k < 6) likewise.
    #[inline]
    pub fn rank_of_position(&self, position: usize) -> Rank {
        let last = self.by_code.len() as Rank;
        match position.checked_sub(SPECIAL_COUNT as usize) {
            Some(code) if code < self.by_code.len() => self.by_code[code],
            _ => last,
        }
    }

    /// Fills `out[i]` with the rank used for position i of `ids` under `lookup`.
    #[inline]
    pub fn fill_ranks(&self, ids: &[u32], lookup: RankLookup, out: &mut [Rank]) {
        match lookup {
            RankLookup::Kmer => {
                for (o, &id) in out.iter_mut().zip(ids) {
                    *o = self.rank_of_id(id);
                }
            }
            RankLookup::Position => {
                for (i, o) in out.iter_mut().enumerate().take(ids.len()) {
                    *o = self.rank_of_position(i);
                }
            }
        }
    }

    /// The k-mers from rank 1 down.
    pub fn order(&self) -> Vec<Kmer> {
        let mut order =
            alloc::vec![Kmer::from_code(self.k, 0).expect("code 0 exists"); self.by_code.len()];
        for (code, &r) in self.by_code.iter().enumerate() {
            order[r as usize - 1] = Kmer::from_code(self.k, code).expect("code below 4^k");
        }
        order
    }

    /// The vocabulary the ranks refer to.
    pub fn vocab(&self) -> Vocab {
        Vocab::new(self.k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k3() -> K {
        K::new(3).unwrap()
    }

    #[test]
    fn rank_table_rejects_non_permutations() {
        assert!(RankTable::from_ranks(k3(), alloc::vec![1; 64]).is_err());
        assert!(RankTable::from_ranks(k3(), (1..=63).collect()).is_err());
        assert!(RankTable::from_ranks(k3(), (1..=64).collect()).is_ok());
    }

    #[test]
    fn position_lookup_ignores_the_sequence_and_ranks_specials_last() {
        let t = RankTable::from_ranks(k3(), (1..=64).rev().collect()).unwrap();
        assert_eq!(t.rank_of_position(0), 64);
        assert_eq!(t.rank_of_position(4), 64);
        assert_eq!(t.rank_of_position(5), 64); // code 0 has rank 64 here
        assert_eq!(t.rank_of_position(6), 63);
        assert_eq!(t.rank_of_position(500), 64);
        assert_eq!(t.rank_of_id(2), NO_KMER_RANK);
        assert_eq!(t.rank_of_id(5 + 63), 1);
    }

    #[test]
    fn order_inverts_ranks() {
        let t = RankTable::from_ranks(k3(), (1..=64).rev().collect()).unwrap();
        let order = t.order();
        assert_eq!(order[0].code(), 63);
        assert_eq!(RankTable::from_order(k3(), &order).unwrap(), t);
    }
}
