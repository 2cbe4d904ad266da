//! Plain re-implementations of docs/algorithms.md §3 for the tests: explicit windows, explicit argmins,
//! full sorts, bool vectors, no shared helper with the code under test.

use crate::npmi::rank::Rank;
use crate::tokenize::vocab::{CLS_ID, PAD_ID, SEP_ID};
use alloc::vec::Vec;

/// Maskable flags (position 0 never) and `end` of an input, spelled out.
pub fn maskable_flags(ids: &[u32]) -> (Vec<bool>, usize) {
    let mut flags: Vec<bool> = ids
        .iter()
        .map(|&id| id != PAD_ID && id != CLS_ID && id != SEP_ID)
        .collect();
    if let Some(f) = flags.first_mut() {
        *f = false;
    }
    let end = flags.iter().rposition(|&f| f).unwrap_or(0);
    (flags, end)
}

/// Offsets of the k tokens sharing one nucleotide, written out per k (DNABERT's MASK_LIST).
fn nucleotide_offsets(k: usize) -> &'static [i64] {
    match k {
        3 => &[-1, 0, 1],
        4 => &[-1, 0, 1, 2],
        5 => &[-2, -1, 0, 1, 2],
        6 => &[-2, -1, 0, 1, 2, 3],
        _ => unreachable!("k in 3..=6"),
    }
}

fn set(mask: &mut [bool], maskable: &[bool], end: usize, p: i64) {
    if p >= 1 && p <= end as i64 && maskable[p as usize] {
        mask[p as usize] = true;
    }
}

fn expand(k: usize, mask: &mut [bool], maskable: &[bool], end: usize, b: usize) {
    let reach = k as i64 - 1;
    for p in b as i64 - reach..=b as i64 + reach {
        set(mask, maskable, end, p);
    }
}

/// Random span from centres.
pub fn random_span(k: usize, maskable: &[bool], end: usize, centres: &[usize]) -> Vec<bool> {
    let mut mask = alloc::vec![false; maskable.len()];
    for &c in centres {
        for &o in nucleotide_offsets(k) {
            set(&mut mask, maskable, end, c as i64 + o);
        }
    }
    mask
}

/// RandomMask from centres and widenings: each centre's k offsets, then w more tokens on
/// each side, one position at a time.
pub fn randommask(
    k: usize,
    maskable: &[bool],
    end: usize,
    centres: &[usize],
    widenings: &[usize],
) -> Vec<bool> {
    let mut mask = alloc::vec![false; maskable.len()];
    for (&c, &w) in centres.iter().zip(widenings) {
        let offsets = nucleotide_offsets(k);
        let first = offsets[0] - w as i64;
        let last = offsets[offsets.len() - 1] + w as i64;
        for o in first..=last {
            set(&mut mask, maskable, end, c as i64 + o);
        }
    }
    mask
}

/// GeneMask from centres: (mask, distinct expanded positions increasing).
pub fn genemask(
    k: usize,
    ranks: &[Rank],
    maskable: &[bool],
    end: usize,
    centres: &[usize],
) -> (Vec<bool>, Vec<usize>) {
    let mut mask = alloc::vec![false; maskable.len()];
    let mut bests: Vec<(Rank, usize)> = Vec::new();
    for &c in centres {
        let mut best: Option<usize> = None;
        for &o in nucleotide_offsets(k) {
            let p = c as i64 + o;
            set(&mut mask, maskable, end, p);
            if p >= 1 && p <= end as i64 && maskable[p as usize] {
                let p = p as usize;
                // Offsets increase, so a strict < keeps the lower position on ties.
                if best.is_none_or(|b| ranks[p] < ranks[b]) {
                    best = Some(p);
                }
            }
        }
        let b = best.expect("a centre is maskable");
        bests.push((ranks[b], b));
    }
    if bests.len() > 8 {
        let keep = bests.len().div_ceil(2);
        bests.sort();
        bests.truncate(keep);
    }
    let mut expanded: Vec<usize> = bests.iter().map(|&(_, b)| b).collect();
    expanded.sort();
    expanded.dedup();
    for &b in &expanded {
        expand(k, &mut mask, maskable, end, b);
    }
    (mask, expanded)
}

/// GLOBAL: sort every maskable (rank, position) pair, take m, expand.
pub fn global(
    k: usize,
    ranks: &[Rank],
    maskable: &[bool],
    end: usize,
    m: usize,
) -> (Vec<bool>, Vec<usize>) {
    let mut pairs: Vec<(Rank, usize)> = (1..=end)
        .filter(|&i| maskable[i])
        .map(|i| (ranks[i], i))
        .collect();
    pairs.sort();
    let mut expanded: Vec<usize> = pairs.iter().take(m).map(|&(_, b)| b).collect();
    expanded.sort();
    let mut mask = alloc::vec![false; maskable.len()];
    for &b in &expanded {
        expand(k, &mut mask, maskable, end, b);
    }
    (mask, expanded)
}
