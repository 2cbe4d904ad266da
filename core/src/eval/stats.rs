//! Statistics that compare results: Spearman's rank correlation between two NPMI rank
//! tables (our table against the GeneMask authors', docs/algorithms.md §2).

use crate::error::{CoreError, Result};
use crate::npmi::rank::RankTable;

/// Spearman's rank correlation between two rank tables of the same k. Both are
/// permutations (no ties), so ρ = 1 - 6 Σ d² / (n (n² - 1)).
pub fn spearman(a: &RankTable, b: &RankTable) -> Result<f64> {
    if a.k() != b.k() {
        return Err(CoreError::Mismatch(alloc::format!(
            "cannot correlate ranks for k = {} with ranks for k = {}",
            a.k(),
            b.k()
        )));
    }
    let n = a.ranks_by_code().len() as f64;
    let d2: u64 = a
        .ranks_by_code()
        .iter()
        .zip(b.ranks_by_code())
        .map(|(&x, &y)| {
            let d = x.abs_diff(y) as u64;
            d * d
        })
        .sum();
    Ok(1.0 - 6.0 * d2 as f64 / (n * (n * n - 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npmi::rank::Rank;
    use crate::tokenize::kmer::K;
    use alloc::vec::Vec;

    fn k3() -> K {
        K::new(3).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn spearman_golden_values() {
        let id = RankTable::from_ranks(k3(), (1..=64).collect()).unwrap();
        let rev = RankTable::from_ranks(k3(), (1..=64).rev().collect()).unwrap();
        assert_eq!(spearman(&id, &id).unwrap(), 1.0);
        assert!(close(spearman(&id, &rev).unwrap(), -1.0));
        // Swapping ranks 1 and 2: Σd² = 2, ρ = 1 - 12 / (64 · 4095).
        let mut swapped: Vec<Rank> = (1..=64).collect();
        swapped.swap(0, 1);
        let swapped = RankTable::from_ranks(k3(), swapped).unwrap();
        assert!(close(
            spearman(&id, &swapped).unwrap(),
            1.0 - 12.0 / (64.0 * 4095.0)
        ));
        let six = RankTable::from_ranks(K::SIX, (1..=4096).collect()).unwrap();
        assert!(matches!(spearman(&id, &six), Err(CoreError::Mismatch(_))));
    }
}
