//! k and k-mers as types, so a count, an id and a k-mer can't be confused.
//!
//! DNABERT orders k-mers as `itertools.product("ATCG", repeat=k)`: base 4 with
//! A=0, T=1, C=2, G=3, first base most significant. That is *not* lexicographic, so the
//! 2-bit code below deliberately uses the same digits: a k-mer's code is its vocabulary
//! id minus the 5 special tokens.

use crate::error::{CoreError, Result};
use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Serialize};

/// The DNABERT digit of each nucleotide: A=0, T=1, C=2, G=3.
pub const ALPHABET: [u8; 4] = *b"ATCG";

/// Lookup from an ASCII byte to its 2-bit DNABERT digit; 4 marks "not ACGT".
/// Lower case is accepted because soft-masked FASTA is lower case.
pub const NUCLEOTIDE_CODE: [u8; 256] = {
    let mut t = [4u8; 256];
    t[b'A' as usize] = 0;
    t[b'a' as usize] = 0;
    t[b'T' as usize] = 1;
    t[b't' as usize] = 1;
    t[b'C' as usize] = 2;
    t[b'c' as usize] = 2;
    t[b'G' as usize] = 3;
    t[b'g' as usize] = 3;
    t
};

/// The 2-bit digit of a nucleotide, or `None` for anything that is not A/C/G/T (any case).
#[inline]
pub fn nucleotide_code(b: u8) -> Option<u8> {
    let c = NUCLEOTIDE_CODE[b as usize];
    (c < 4).then_some(c)
}

/// A validated k in 3..=6 (the k for which DNABERT ships vocabularies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "usize", into = "usize")]
pub struct K(u8);

impl K {
    /// k = 6, DNABERT-6 and the papers' default.
    pub const SIX: K = K(6);
    /// Smallest supported k.
    pub const MIN: usize = 3;
    /// Largest supported k; also the longest n-gram the counter tracks.
    pub const MAX: usize = 6;

    /// Validates k.
    pub fn new(k: usize) -> Result<K> {
        if (Self::MIN..=Self::MAX).contains(&k) {
            Ok(K(k as u8))
        } else {
            Err(CoreError::UnsupportedK(k))
        }
    }

    /// k as a number.
    #[inline]
    pub fn get(self) -> usize {
        self.0 as usize
    }

    /// Number of k-mers, 4^k.
    #[inline]
    pub fn kmer_count(self) -> usize {
        1 << (2 * self.get())
    }
}

impl Default for K {
    fn default() -> Self {
        K::SIX
    }
}

impl TryFrom<usize> for K {
    type Error = CoreError;
    fn try_from(k: usize) -> Result<K> {
        K::new(k)
    }
}

impl From<K> for usize {
    fn from(k: K) -> usize {
        k.get()
    }
}

impl fmt::Display for K {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A k-mer of A/C/G/T, stored as its DNABERT code (vocabulary id - 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kmer {
    k: K,
    code: u16,
}

impl Kmer {
    /// The k-mer with a given code; `None` if the code is not below 4^k.
    pub fn from_code(k: K, code: usize) -> Option<Kmer> {
        (code < k.kmer_count()).then_some(Kmer {
            k,
            code: code as u16,
        })
    }

    /// Parses exactly k letters of A/C/G/T (any case).
    pub fn parse(k: K, text: &str) -> Result<Kmer> {
        Self::from_bytes(k, text.as_bytes()).ok_or_else(|| CoreError::BadKmer {
            text: String::from(text),
            k: k.get(),
        })
    }

    /// Like [`Kmer::parse`] on bytes; `None` on a wrong length or a non-ACGT letter.
    #[inline]
    pub fn from_bytes(k: K, bytes: &[u8]) -> Option<Kmer> {
        if bytes.len() != k.get() {
            return None;
        }
        let mut code = 0u16;
        for &b in bytes {
            code = (code << 2) | nucleotide_code(b)? as u16;
        }
        Some(Kmer { k, code })
    }

    /// The k of this k-mer.
    #[inline]
    pub fn k(self) -> K {
        self.k
    }

    /// Position in DNABERT's k-mer order, 0..4^k.
    #[inline]
    pub fn code(self) -> usize {
        self.code as usize
    }

    /// The letters, upper case.
    pub fn letters(self) -> [u8; K::MAX] {
        let mut out = [0u8; K::MAX];
        let k = self.k.get();
        for (i, slot) in out.iter_mut().take(k).enumerate() {
            let shift = 2 * (k - 1 - i);
            *slot = ALPHABET[((self.code >> shift) & 3) as usize];
        }
        out
    }
}

impl fmt::Display for Kmer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters = self.letters();
        // Letters are always ASCII A/C/G/T.
        let s = core::str::from_utf8(&letters[..self.k.get()]).map_err(|_| fmt::Error)?;
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn k_outside_3_to_6_is_rejected() {
        assert!(K::new(2).is_err());
        assert!(K::new(7).is_err());
        assert_eq!(K::new(4).unwrap().kmer_count(), 256);
    }

    #[test]
    fn codes_follow_dnabert_atcg_order_not_lexicographic() {
        let k = K::SIX;
        assert_eq!(Kmer::parse(k, "AAAAAA").unwrap().code(), 0);
        assert_eq!(Kmer::parse(k, "AAAAAT").unwrap().code(), 1);
        assert_eq!(Kmer::parse(k, "AAAAAC").unwrap().code(), 2);
        assert_eq!(Kmer::parse(k, "AAAAAG").unwrap().code(), 3);
        assert_eq!(Kmer::parse(k, "AAAATA").unwrap().code(), 4);
        assert_eq!(Kmer::parse(k, "GGGGGG").unwrap().code(), 4095);
        assert_eq!(Kmer::parse(k, "acgtac").unwrap().to_string(), "ACGTAC");
    }

    #[test]
    fn non_acgt_letters_are_not_kmers() {
        assert!(Kmer::parse(K::SIX, "AAANAA").is_err());
        assert!(Kmer::parse(K::SIX, "AAAAA").is_err());
        assert!(Kmer::from_code(K::new(3).unwrap(), 64).is_none());
    }
}
