//! A seeded generator of DNA-like text with planted motifs and repeats.
//!
//! The project may not ship real genomes, yet its default jobs (the demo, the inspector's
//! built-in table, later the pretraining smoke run) need a corpus in which NPMI has
//! something to find. This generator is that corpus. It is **synthetic**: every output that
//! uses it must say so.
//!
//! Background: a first-order Markov chain with human-like GC content (~41%) and CpG
//! depletion. On top: planted motifs (promoter boxes, a CTCF-like site), microsatellites
//! ((CA)n, (A)n, (GGAA)n) and copies of one longer interspersed repeat with point mutations,
//! plus rare `N` runs, as in assemblies.

use crate::rng::SeededRng;
use alloc::vec::Vec;

/// Motifs planted into the background. Their k-mers (and those of the repeats) should rise
/// to the top of an NPMI table computed on the corpus.
pub const PLANTED_MOTIFS: [&str; 8] = [
    "TATAAAAG",       // TATA box
    "GGGCGGGG",       // GC box (Sp1)
    "CCAATCAG",       // CCAAT box
    "CCGCGTGGCGGCAG", // CTCF-like
    "TGACTCAT",       // AP-1
    "CACGTGAC",       // E-box
    "TTGCGCAA",       // C/EBP-like
    "GATAAGGA",       // GATA
];

/// A 60-nt interspersed repeat (Alu-like in spirit, not in sequence).
pub const INTERSPERSED_REPEAT: &str =
    "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGGGAGGCCGAGGCGGGCGGA";

/// Shape of a synthetic corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticConfig {
    pub records: usize,
    pub record_len: usize,
    pub seed: u64,
    /// Expected planted motifs per kb.
    pub motifs_per_kb: f64,
    /// Expected microsatellites per kb.
    pub microsatellites_per_kb: f64,
    /// Expected interspersed repeat copies per kb.
    pub repeats_per_kb: f64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig {
            records: 100,
            record_len: 10_000,
            seed: 42,
            motifs_per_kb: 4.0,
            microsatellites_per_kb: 0.5,
            repeats_per_kb: 0.3,
        }
    }
}

/// Transition probabilities of the background chain, rows/cols in A, C, G, T order.
/// GC ≈ 41%, C→G (CpG) depleted to about a quarter of its expectation.
const BACKGROUND: [[f64; 4]; 4] = [
    [0.32, 0.18, 0.24, 0.26],
    [0.35, 0.26, 0.05, 0.34],
    [0.28, 0.21, 0.25, 0.26],
    [0.20, 0.20, 0.25, 0.35],
];
const BASES: [u8; 4] = *b"ACGT";

/// Generates the corpus as records of upper-case letters.
pub fn generate(config: &SyntheticConfig) -> Vec<Vec<u8>> {
    (0..config.records)
        .map(|r| generate_record(config, &mut SeededRng::derive(config.seed, r as u64)))
        .collect()
}

fn generate_record(config: &SyntheticConfig, rng: &mut SeededRng) -> Vec<u8> {
    let n = config.record_len;
    let mut seq = Vec::with_capacity(n + 64);
    let per_base = |per_kb: f64| per_kb / 1000.0;
    let (p_motif, p_micro, p_rep) = (
        per_base(config.motifs_per_kb),
        per_base(config.microsatellites_per_kb),
        per_base(config.repeats_per_kb),
    );
    let mut prev = 0usize;
    while seq.len() < n {
        let u = rng.unit();
        if u < p_motif {
            let m = PLANTED_MOTIFS[rng.below(PLANTED_MOTIFS.len() as u64) as usize];
            seq.extend_from_slice(m.as_bytes());
        } else if u < p_motif + p_micro {
            let unit: &[u8] = match rng.below(3) {
                0 => b"CA",
                1 => b"A",
                _ => b"GGAA",
            };
            let copies = 6 + rng.below(10) as usize;
            for _ in 0..copies {
                seq.extend_from_slice(unit);
            }
        } else if u < p_motif + p_micro + p_rep {
            for &b in INTERSPERSED_REPEAT.as_bytes() {
                // 5% point mutations keep copies related but not identical.
                if rng.bernoulli(0.05) {
                    seq.push(BASES[rng.below(4) as usize]);
                } else {
                    seq.push(b);
                }
            }
        } else if u < p_motif + p_micro + p_rep + 0.00005 {
            let len = 10 + rng.below(40) as usize;
            seq.extend(core::iter::repeat_n(b'N', len));
        } else {
            let row = &BACKGROUND[prev];
            let x = rng.unit();
            let mut acc = 0.0;
            let mut next = 3;
            for (i, &p) in row.iter().enumerate() {
                acc += p;
                if x < acc {
                    next = i;
                    break;
                }
            }
            seq.push(BASES[next]);
            prev = next;
            continue;
        }
        prev = match seq.last() {
            Some(b'A') => 0,
            Some(b'C') => 1,
            Some(b'G') => 2,
            _ => 3,
        };
    }
    seq.truncate(n);
    seq
}

/// A built-in 510-token example sequence (515 nt) from the same generator, for demos.
pub fn example_sequence() -> Vec<u8> {
    let config = SyntheticConfig {
        records: 1,
        record_len: 515,
        seed: 2024,
        ..SyntheticConfig::default()
    };
    generate_record(&config, &mut SeededRng::derive(config.seed, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_seeded_and_sized() {
        let c = SyntheticConfig {
            records: 3,
            record_len: 2000,
            ..SyntheticConfig::default()
        };
        let a = generate(&c);
        assert_eq!(a, generate(&c));
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|r| r.len() == 2000));
        assert_ne!(a[0], a[1]);
        let other = generate(&SyntheticConfig { seed: 1, ..c });
        assert_ne!(a, other);
    }

    #[test]
    fn background_has_human_like_gc_and_planted_motifs_occur() {
        let c = SyntheticConfig::default();
        let corpus = generate(&c);
        let all: Vec<u8> = corpus.concat();
        let gc = all.iter().filter(|&&b| b == b'G' || b == b'C').count() as f64;
        let acgt = all.iter().filter(|&&b| b != b'N').count() as f64;
        let share = gc / acgt;
        assert!((0.36..0.50).contains(&share), "GC {share}");
        let tata = all.windows(8).filter(|w| w == b"TATAAAAG").count();
        // ~4 motifs/kb over 1 Mb, 1/8 of them TATA boxes: ~500, far above chance (~15).
        assert!(tata > 300, "{tata}");
        assert_eq!(example_sequence().len(), 515);
    }
}
