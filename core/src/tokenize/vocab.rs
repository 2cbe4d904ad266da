//! DNABERT's vocabulary: 5 special tokens, then every k-mer in ATCG order.

use crate::tokenize::kmer::{Kmer, K};
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// The five special tokens, with DNABERT's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum SpecialToken {
    Pad = 0,
    Unk = 1,
    Cls = 2,
    Sep = 3,
    Mask = 4,
}

impl SpecialToken {
    /// All specials in id order.
    pub const ALL: [SpecialToken; 5] = [
        SpecialToken::Pad,
        SpecialToken::Unk,
        SpecialToken::Cls,
        SpecialToken::Sep,
        SpecialToken::Mask,
    ];

    /// The token's id.
    #[inline]
    pub const fn id(self) -> u32 {
        self as u32
    }

    /// The token's text as in vocab.txt.
    pub const fn text(self) -> &'static str {
        match self {
            SpecialToken::Pad => "[PAD]",
            SpecialToken::Unk => "[UNK]",
            SpecialToken::Cls => "[CLS]",
            SpecialToken::Sep => "[SEP]",
            SpecialToken::Mask => "[MASK]",
        }
    }
}

/// Number of special tokens before the first k-mer id.
pub const SPECIAL_COUNT: u32 = 5;

/// Shorthands for the special ids, used on hot paths.
pub const PAD_ID: u32 = SpecialToken::Pad.id();
pub const UNK_ID: u32 = SpecialToken::Unk.id();
pub const CLS_ID: u32 = SpecialToken::Cls.id();
pub const SEP_ID: u32 = SpecialToken::Sep.id();
pub const MASK_ID: u32 = SpecialToken::Mask.id();

/// The vocabulary for one k. It holds nothing but k: ids are computed, not looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vocab {
    k: K,
}

impl Vocab {
    /// The vocabulary for k.
    pub const fn new(k: K) -> Vocab {
        Vocab { k }
    }

    /// The k of its k-mers.
    pub fn k(&self) -> K {
        self.k
    }

    /// 5 + 4^k (4101 for k = 6).
    pub fn size(&self) -> usize {
        SPECIAL_COUNT as usize + self.k.kmer_count()
    }

    /// The id of a k-mer.
    #[inline]
    pub fn id(&self, kmer: Kmer) -> u32 {
        SPECIAL_COUNT + kmer.code() as u32
    }

    /// The k-mer behind an id, `None` for special or out-of-range ids.
    #[inline]
    pub fn kmer(&self, id: u32) -> Option<Kmer> {
        id.checked_sub(SPECIAL_COUNT)
            .and_then(|code| Kmer::from_code(self.k, code as usize))
    }

    /// True for the ids of k-mers (not specials, not out of range).
    #[inline]
    pub fn is_kmer_id(&self, id: u32) -> bool {
        id >= SPECIAL_COUNT && ((id - SPECIAL_COUNT) as usize) < self.k.kmer_count()
    }

    /// The text of a token as vocab.txt spells it; `None` out of range.
    pub fn token_text(&self, id: u32) -> Option<String> {
        use alloc::string::ToString;
        if id < SPECIAL_COUNT {
            return Some(SpecialToken::ALL[id as usize].text().to_string());
        }
        self.kmer(id).map(|k| k.to_string())
    }

    /// The whole vocab.txt, one token per line: byte-identical to DNABERT's
    /// `bert-config-{k}/vocab.txt`. DNABERT's k = 6 file ends every line in `\n`; its
    /// k = 3, 4, 5 files lack the final newline, and we reproduce that quirk so checksums match.
    pub fn vocab_txt(&self) -> String {
        let mut out = String::with_capacity(self.size() * (self.k.get() + 1) + 32);
        for s in SpecialToken::ALL {
            out.push_str(s.text());
            out.push('\n');
        }
        for code in 0..self.k.kmer_count() {
            if let Some(kmer) = Kmer::from_code(self.k, code) {
                let letters = kmer.letters();
                for &b in &letters[..self.k.get()] {
                    out.push(b as char);
                }
                out.push('\n');
            }
        }
        if self.k.get() != 6 {
            out.pop();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_ids_match_spec_examples() {
        let v = Vocab::new(K::SIX);
        assert_eq!(v.size(), 4101);
        let id = |s| v.id(Kmer::parse(K::SIX, s).unwrap());
        assert_eq!(id("AAAAAA"), 5);
        assert_eq!(id("AAAAAT"), 6);
        assert_eq!(id("AAAAAC"), 7);
        assert_eq!(id("AAAAAG"), 8);
        assert_eq!(id("AAAATA"), 9);
        assert_eq!(id("GGGGGG"), 4100);
        assert_eq!(v.kmer(4).map(|_| ()), None);
        assert!(!v.is_kmer_id(4101));
    }

    #[test]
    fn vocab_txt_has_one_line_per_token_in_order() {
        let v = Vocab::new(K::new(3).unwrap());
        let txt = v.vocab_txt();
        let lines: alloc::vec::Vec<&str> = txt.lines().collect();
        assert_eq!(lines.len(), 5 + 64);
        assert_eq!(
            &lines[..7],
            &["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "AAA", "AAT"]
        );
        assert_eq!(lines[68], "GGG");
        assert!(txt.ends_with("\nGGG"));
        assert!(Vocab::new(K::SIX).vocab_txt().ends_with("\nGGGGGG\n"));
    }
}
